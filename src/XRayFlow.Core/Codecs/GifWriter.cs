using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;

namespace XRayFlow.Core.Codecs;

/// <summary>Animated GIFs from frames of packed 8-bit RGB (a stack rendered through a colormap).</summary>
public static class GifWriter
{
    /// <summary>
    /// Write <paramref name="rgbFrames"/> (each r, g, b per pixel, rows top to bottom, 3 x width x height bytes)
    /// as an animation. GIF delays are in hundredths of a second: <paramref name="durationMs"/> is rounded to
    /// the nearest 10 ms (at least 10 ms). <paramref name="loop"/>: 0 = forever, otherwise the repeat count.
    /// Colours are quantized by ImageSharp's default (Wu, 256 colours per frame).
    /// </summary>
    public static void Write(Stream stream, IReadOnlyList<byte[]> rgbFrames, int width, int height, int durationMs = 100, int loop = 0)
    {
        ArgumentNullException.ThrowIfNull(rgbFrames);
        if (rgbFrames.Count == 0)
        {
            throw new ArgumentException("a GIF needs at least one frame", nameof(rgbFrames));
        }

        long need = (long)width * height * 3;
        for (int n = 0; n < rgbFrames.Count; n++)
        {
            if (width < 1 || height < 1 || rgbFrames[n].Length != need)
            {
                throw new ArgumentException($"frame {n} has {rgbFrames[n].Length} bytes; a {width} x {height} RGB frame needs {need}", nameof(rgbFrames));
            }
        }

        var config = ImageSharpSetup.Configuration;
        int delay = Math.Max(1, (int)Math.Round(durationMs / 10.0, MidpointRounding.AwayFromZero));
        using var gif = Image.LoadPixelData<Rgb24>(config, rgbFrames[0], width, height);
        gif.Metadata.GetGifMetadata().RepeatCount = (ushort)Math.Clamp(loop, 0, ushort.MaxValue);
        gif.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = delay;
        for (int n = 1; n < rgbFrames.Count; n++)
        {
            using var frame = Image.LoadPixelData<Rgb24>(config, rgbFrames[n], width, height);
            var added = gif.Frames.AddFrame(frame.Frames.RootFrame);
            added.Metadata.GetGifMetadata().FrameDelay = delay;
        }

        gif.Save(stream, new GifEncoder());
    }
}

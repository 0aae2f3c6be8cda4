using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// Animated GIF of a stack's frames (the tutorial's <c>imageio.mimwrite(path, stack, duration=1000)</c>), with
/// ImageSharp 2.1's encoder: the colormap's 256 colours as each frame's colour table (gray: the 256 grey levels,
/// so 8-bit grey data is stored exactly; matched exactly by <see cref="ExactPaletteQuantizer"/>), no dithering, each frame's delay durationMs / 10 hundredths of a
/// second (rounded, GIF's unit), NETSCAPE loop count <paramref name="loop"/> (0 = forever).
/// Values map to colours by the colormap rule (<see cref="Colormap"/>); vmin/vmax default to the min/max of the
/// whole stack, so all frames share one scale (give vmin 0, vmax 255 to store 8-bit data unchanged). NaN and the infinities take
/// the colormap's first colour (index 0): the 256 colours fill the frame's table, leaving none for a "bad" colour (so
/// NaN is black through gray, but not through viridis, where a .png writes it black).
/// </summary>
public static class GifWriter
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Write(Stream stream, ImageArray stack, int durationMs = 1000, int loop = 0, Colormap? colormap = null, double? vmin = null, double? vmax = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(stack);
        if (durationMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(durationMs), "the frame duration must not be negative");
        }

        if (loop is < 0 or > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(loop), "loop must be 0 (forever) .. 65535");
        }

        if (stack.IsComplex)
        {
            throw new ArgumentException("a GIF cannot show a complex array; take abs (or real/imag) first", nameof(stack));
        }

        colormap ??= Colormaps.Gray;
        var (autoMin, autoMax) = Colormap.AutoRange(stack.Data);
        double lo = vmin ?? autoMin, hi = vmax ?? autoMax;
        if (lo > hi)
        {
            throw new ArgumentException($"vmin ({lo}) is above vmax ({hi})", nameof(vmin));
        }

        var lut = colormap.Lut;
        var colours = new Rgb24[Colormaps.Size];
        for (int i = 0; i < Colormaps.Size; i++)
        {
            colours[i] = new Rgb24(lut[3 * i], lut[(3 * i) + 1], lut[(3 * i) + 2]);
        }

        int delay = (int)Math.Round(durationMs / 10.0, MidpointRounding.AwayFromZero);
        using var image = new Image<Rgb24>(stack.Cols, stack.Rows);
        var indices = new byte[stack.FrameLength];
        var pixels = new Rgb24[stack.FrameLength];
        for (int n = 0; n < stack.Frames; n++)
        {
            Colormap.Indices(stack.Frame(n), lo, hi, indices);
            for (int k = 0; k < pixels.Length; k++)
            {
                pixels[k] = colours[indices[k]];
            }

            var frame = image.Frames.AddFrame(pixels);
            var meta = frame.Metadata.GetGifMetadata();
            meta.FrameDelay = delay;
            meta.DisposalMethod = GifDisposalMethod.NotDispose;
        }

        image.Frames.RemoveFrame(0); // the blank frame the image was created with
        image.Metadata.GetGifMetadata().RepeatCount = (ushort)loop;
        var encoder = new GifEncoder
        {
            ColorTableMode = GifColorTableMode.Local,
            Quantizer = new ExactPaletteQuantizer(colours),
        };
        image.SaveAsGif(stream, encoder);
    }

    /// <summary>Writes the GIF to a file.</summary>
    public static void Write(string path, ImageArray stack, int durationMs = 1000, int loop = 0, Colormap? colormap = null, double? vmin = null, double? vmax = null)
    {
        using var file = File.Create(path);
        Write(file, stack, durationMs, loop, colormap, vmin, vmax);
    }
}

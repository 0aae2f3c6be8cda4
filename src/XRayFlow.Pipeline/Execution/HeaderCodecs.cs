using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Execution;

/// <summary>
/// What the codec library does not offer yet: image size from the header only (for `xrayflow plan`) and an
/// animated GIF encoder (until the picture library's GifWriter is merged).
/// </summary>
internal static class HeaderCodecs
{
    public static ShapeInfo Identify(string path)
    {
        try
        {
            if (IdentifyDicom(path) is { } dicom)
            {
                return dicom;
            }

            var info = Image.Identify(path);
            return info is null ? ShapeInfo.Unknown : new ShapeInfo(1, info.Height, info.Width, false);
        }
        catch (Exception ex) when (ex is IOException or UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            return ShapeInfo.Unknown;
        }
    }

    /// <summary>A DICOM file's shape from its header (frames x rows x columns when multi-frame), or null when not DICOM.</summary>
    private static ShapeInfo? IdentifyDicom(string path)
    {
        var head = new byte[132];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }

        if (!XRayFlow.Core.Codecs.Dicom.DicomReader.HasDicomPreamble(head.AsSpan(0, n)))
        {
            return null;
        }

        try
        {
            var h = XRayFlow.Core.Codecs.Dicom.DicomReader.ReadHeader(path);
            return h.Rows is > 0 && h.Columns is > 0
                ? new ShapeInfo(h.Frames, h.Rows.Value, h.Columns.Value, h.NumberOfFrames is > 1)
                : ShapeInfo.Unknown;
        }
        catch (ImageDecodeException)
        {
            return ShapeInfo.Unknown;
        }
    }

    public static void WriteGif(Stream stream, IReadOnlyList<byte[]> rgbFrames, int rows, int cols, int durationMs, int loop)
    {
        using var gif = Image.LoadPixelData<Rgb24>(rgbFrames[0], cols, rows);
        gif.Metadata.GetGifMetadata().RepeatCount = (ushort)Math.Clamp(loop, 0, ushort.MaxValue);
        gif.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = Math.Max(1, durationMs / 10);
        for (int n = 1; n < rgbFrames.Count; n++)
        {
            using var frame = Image.LoadPixelData<Rgb24>(rgbFrames[n], cols, rows);
            var added = gif.Frames.AddFrame(frame.Frames.RootFrame);
            added.Metadata.GetGifMetadata().FrameDelay = Math.Max(1, durationMs / 10);
        }

        gif.Save(stream, new GifEncoder());
    }
}

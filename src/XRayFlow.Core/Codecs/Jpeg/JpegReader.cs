using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Jpeg;

/// <summary>JPEG (<c>FF D8 FF</c>): grey loads as 0..255; colour is decoded to 8-bit RGB and converted to luminance (<see cref="PixelConversion"/>).</summary>
internal static class JpegReader
{
    /// <summary>Largest JPEG file read, in bytes: far above a quality-100 colour JPEG of the default pixel limit (1e8 pixels).</summary>
    public const long MaxFileBytes = 512L << 20;

    public static ImageArray Read(CodecInput input, ImageReadOptions options)
    {
        string name = input.Name;
        input.RequireAtMost(MaxFileBytes, "JPEG");
        var bytes = input.ReadAll();
        CheckComplete(name, bytes);
        var config = ImageSharpSetup.Configuration;
        var decoder = ImageSharpSetup.JpegDecoder;
        try
        {
            IImageInfo info;
            using (var ms = new MemoryStream(bytes, writable: false))
            {
                info = decoder.Identify(config, ms, CancellationToken.None)
                    ?? throw new ImageDecodeException(name, "corrupt JPEG: no frame header");
            }

            options.CheckPixels(name, info.Height, info.Width);
            using var ms2 = new MemoryStream(bytes, writable: false);
            var result = new ImageArray(info.Height, info.Width);
            var data = result.Data;
            int w = info.Width;
            if (info.PixelType.BitsPerPixel <= 8)
            {
                using var img = decoder.Decode<L8>(config, ms2, CancellationToken.None);
                img.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < acc.Height; y++)
                    {
                        PixelConversion.WidenBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(acc.GetRowSpan(y)), data.AsSpan(y * w, w));
                    }
                });
                return result;
            }

            using var rgb = decoder.Decode<Rgb24>(config, ms2, CancellationToken.None);
            rgb.ProcessPixelRows(acc =>
            {
                for (int y = 0; y < acc.Height; y++)
                {
                    PixelConversion.LumaOfRgb8(System.Runtime.InteropServices.MemoryMarshal.AsBytes(acc.GetRowSpan(y)), data.AsSpan(y * w, w), 3);
                }
            });
            return result;
        }
        catch (Exception ex) when (ImageSharpPngDecoder.IsDecoderFailure(ex))
        {
            throw new ImageDecodeException(name, $"corrupt JPEG: {ex.Message}", ex);
        }
    }

    /// <summary>The width and height the frame header declares; null when there is none.</summary>
    public static (int Rows, int Cols)? Shape(CodecInput input)
    {
        input.RequireAtMost(MaxFileBytes, "JPEG");
        using var stream = new MemoryStream(input.ReadAll(), writable: false);
        var info = ImageSharpSetup.JpegDecoder.Identify(ImageSharpSetup.Configuration, stream, CancellationToken.None);
        return info is null ? null : (info.Height, info.Width);
    }

    /// <summary>
    /// A JPEG must end its last scan with an EOI marker (FF D9). The last EOI must come after the last
    /// start-of-scan marker (FF DA): an EXIF thumbnail's EOI near the start does not count.
    /// </summary>
    private static void CheckComplete(string name, byte[] bytes)
    {
        int lastSos = -1;
        int lastEoi = -1;
        for (int i = 0; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == 0xFF)
            {
                byte m = bytes[i + 1];
                if (m == 0xDA)
                {
                    lastSos = i;
                }
                else if (m == 0xD9)
                {
                    lastEoi = i;
                }
            }
        }

        if (lastSos < 0)
        {
            throw new ImageDecodeException(name, "corrupt JPEG: no image scan (SOS marker)");
        }

        if (lastEoi < lastSos)
        {
            throw new ImageDecodeException(name, $"truncated JPEG: no end-of-image marker after the last scan (the file ends at byte {bytes.Length})");
        }
    }
}

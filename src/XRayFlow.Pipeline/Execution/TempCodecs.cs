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
/// Stand-in codecs used by <see cref="ImageIO"/> until the engine's codec library (XRayFlow.Core.Codecs) is
/// merged; then ImageIO calls that library and this file goes.
/// </summary>
internal static class TempCodecs
{
    public static ImageArray Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, ex.Message, ex);
        }

        if (bytes.Length == 0)
        {
            throw new ImageDecodeException(path, "the file is empty");
        }

        try
        {
            var info = Image.Identify(bytes) ?? throw new ImageDecodeException(path, "not a PNG, JPEG or other supported image");
            if (info.PixelType.BitsPerPixel == 16 || info.PixelType.BitsPerPixel == 48 || info.PixelType.BitsPerPixel == 64)
            {
                using var img16 = Image.Load<L16>(bytes);
                var a16 = new ImageArray(img16.Height, img16.Width);
                img16.ProcessPixelRows(acc =>
                {
                    for (int y = 0; y < acc.Height; y++)
                    {
                        var row = acc.GetRowSpan(y);
                        for (int x = 0; x < row.Length; x++)
                        {
                            a16[y, x] = row[x].PackedValue;
                        }
                    }
                });
                return a16;
            }

            using var img = Image.Load<L8>(bytes);
            var a = new ImageArray(img.Height, img.Width);
            img.ProcessPixelRows(acc =>
            {
                for (int y = 0; y < acc.Height; y++)
                {
                    var row = acc.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        a[y, x] = row[x].PackedValue;
                    }
                }
            });
            return a;
        }
        catch (ImageDecodeException)
        {
            throw;
        }
        catch (Exception ex) when (ex is UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException or InvalidDataException or EndOfStreamException)
        {
            throw new ImageDecodeException(path, ex is UnknownImageFormatException ? "not a PNG, JPEG or other supported image" : $"corrupt or truncated image ({ex.Message})", ex);
        }
    }

    public static ShapeInfo Identify(string path)
    {
        try
        {
            var info = Image.Identify(path);
            return info is null ? ShapeInfo.Unknown : new ShapeInfo(1, info.Height, info.Width, false);
        }
        catch (Exception ex) when (ex is IOException or UnknownImageFormatException or InvalidImageContentException or ImageFormatException or NotSupportedException)
        {
            return ShapeInfo.Unknown;
        }
    }

    public static void WritePng(Stream stream, ImageArray image, int bits)
    {
        if (bits == 16)
        {
            using var img = new Image<L16>(image.Cols, image.Rows);
            img.ProcessPixelRows(acc =>
            {
                for (int y = 0; y < acc.Height; y++)
                {
                    var row = acc.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        row[x] = new L16((ushort)image[y, x]);
                    }
                }
            });
            img.Save(stream, new PngEncoder { BitDepth = PngBitDepth.Bit16, ColorType = PngColorType.Grayscale });
        }
        else
        {
            using var img = new Image<L8>(image.Cols, image.Rows);
            img.ProcessPixelRows(acc =>
            {
                for (int y = 0; y < acc.Height; y++)
                {
                    var row = acc.GetRowSpan(y);
                    for (int x = 0; x < row.Length; x++)
                    {
                        row[x] = new L8((byte)image[y, x]);
                    }
                }
            });
            img.Save(stream, new PngEncoder { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.Grayscale });
        }
    }

    public static void WritePngRgb(Stream stream, byte[] rgb, int rows, int cols)
    {
        using var img = Image.LoadPixelData<Rgb24>(rgb, cols, rows);
        img.Save(stream, new PngEncoder { BitDepth = PngBitDepth.Bit8, ColorType = PngColorType.Rgb });
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

    public static void WriteNpy(Stream stream, ImageArray array)
    {
        string descr = array.IsComplex ? "<c8" : "<f4";
        string shape = array.IsStack ? $"({array.Frames}, {array.Rows}, {array.Cols})" : $"({array.Rows}, {array.Cols})";
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        int pad = (64 - (total % 64)) % 64;
        header = header + new string(' ', pad) + "\n";
        var head = new byte[10];
        head[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(head, 1);
        head[6] = 1;
        head[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(8), (ushort)header.Length);
        stream.Write(head);
        stream.Write(Encoding.ASCII.GetBytes(header));
        if (array.Imag is { } im)
        {
            var buf = new float[array.Length * 2];
            for (int k = 0; k < array.Length; k++)
            {
                buf[2 * k] = array.Data[k];
                buf[(2 * k) + 1] = im[k];
            }

            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(buf.AsSpan()));
        }
        else
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.Data.AsSpan()));
        }
    }
}

using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// The previous PNG path: ImageSharp 2.1 after XRayFlow's own chunk walk and image-data length check, its pixels
/// converted by <see cref="PixelConversion"/> as <see cref="PngDecoder"/> converts its rows (tested bit for bit).
/// </summary>
internal static class ImageSharpPngDecoder
{
    public static ImageArray Decode(string name, byte[] bytes, int length, in PngHeader header, PngChunkMap chunks)
    {
        var idat = new MemoryStream();
        foreach (var (offset, len) in chunks.Idat)
        {
            idat.Write(bytes, offset + 8, len);
        }

        idat.Position = 0;
        CheckImageData(name, idat, header);
        try
        {
            using var ms = new MemoryStream(bytes, 0, length, writable: false);
            var config = ImageSharpSetup.Configuration;
            var decoder = ImageSharpSetup.PngDecoder;
            bool grey = header.ColorType is 0 or 4;
            if (grey && header.BitDepth == 16)
            {
                using var img = decoder.Decode<L16>(config, ms, CancellationToken.None);
                return Convert(img, static (row, dst) =>
                {
                    for (int x = 0; x < dst.Length; x++)
                    {
                        dst[x] = row[x].PackedValue;
                    }
                });
            }

            if (grey)
            {
                using var img = decoder.Decode<L8>(config, ms, CancellationToken.None);
                return Convert(img, static (row, dst) => PixelConversion.WidenBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row), dst));
            }

            if (header.BitDepth == 16)
            {
                using var img = decoder.Decode<Rgb48>(config, ms, CancellationToken.None);
                return Convert(img, static (row, dst) =>
                {
                    for (int x = 0; x < dst.Length; x++)
                    {
                        dst[x] = PixelConversion.Luma(row[x].R, row[x].G, row[x].B);
                    }
                });
            }

            using (var img = decoder.Decode<Rgb24>(config, ms, CancellationToken.None))
            {
                return Convert(img, static (row, dst) => PixelConversion.LumaOfRgb8(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row), dst, 3));
            }
        }
        catch (Exception ex) when (IsDecoderFailure(ex))
        {
            throw new ImageDecodeException(name, $"corrupt PNG: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Any exception a third-party decoder throws on damaged data is a bad file, whatever its type, except
    /// out-of-memory, cancellation and our own reasons.
    /// </summary>
    internal static bool IsDecoderFailure(Exception ex)
        => ex is not (OutOfMemoryException or OperationCanceledException or ImageDecodeException or StackOverflowException);

    private delegate void RowConversion<TPixel>(ReadOnlySpan<TPixel> row, Span<float> dst)
        where TPixel : unmanaged, IPixel<TPixel>;

    /// <summary>ImageSharp's rows to float32 pixels, one row at a time.</summary>
    private static ImageArray Convert<TPixel>(Image<TPixel> img, RowConversion<TPixel> convert)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        var result = new ImageArray(img.Height, img.Width);
        var data = result.Data;
        int w = img.Width;
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < acc.Height; y++)
            {
                convert(acc.GetRowSpan(y), data.AsSpan(y * w, w));
            }
        });
        return result;
    }

    /// <summary>
    /// The zlib stream of the IDAT chunks must inflate to every scanline the header promises (ImageSharp
    /// decodes a short stream without complaint and leaves the missing rows black). One extra inflate pass,
    /// counted in a small buffer.
    /// </summary>
    private static void CheckImageData(string name, MemoryStream idat, in PngHeader header)
    {
        long width = header.Width, height = header.Height;
        long expected = PngDecoder.ImageDataBytes(header);
        long got = 0;
        try
        {
            using var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                int n;
                while (got < expected && (n = z.Read(buffer, 0, buffer.Length)) > 0)
                {
                    got += n;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (Exception ex) when (InflateFailure.Is(ex))
        {
            throw new ImageDecodeException(name, $"corrupt PNG: the compressed image data is damaged ({ex.Message})", ex);
        }

        if (got < expected)
        {
            throw new ImageDecodeException(name, $"truncated PNG: the image data holds {got} of the {expected} bytes its {width} x {height} header needs");
        }
    }
}

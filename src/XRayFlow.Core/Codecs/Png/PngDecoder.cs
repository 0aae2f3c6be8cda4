using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// XRayFlow's own PNG decoder for the common case: non-interlaced PNGs of colour types 0 (grey 1/2/4/8/16),
/// 2 (RGB 8/16), 3 (palette 1/2/4/8), 4 (grey + alpha 8/16) and 6 (RGBA 8/16), compression and filter method 0.
/// Inflate is System.IO.Compression.ZLibStream (the runtime's native zlib-ng); the five scanline filters are
/// undone here and each row converted straight to float32. Anything else (Adam7 interlace, a second IHDR, a
/// palette image without a PLTE before its image data, unknown methods) is left to ImageSharp
/// (<see cref="CanDecode"/> is false), so the caller falls back to the previous path.
/// <para>The values are exactly those of the ImageSharp path (<see cref="PngReader"/>), tested bit for bit:
/// grey 8 -&gt; 0..255; grey 16 -&gt; 0..65535; grey 1/2/4 -&gt; v * 255 / (2^depth - 1) (ImageSharp's integer
/// factors 255, 85, 17); grey + alpha -&gt; the grey sample; RGB/RGBA/palette -&gt; (float)(0.299 R + 0.587 G +
/// 0.114 B) in double on the integer samples; a palette index past the last PLTE entry takes the last entry
/// (what ImageSharp 2.1 does); tRNS and all other ancillary chunks are ignored.</para>
/// <para>Refusals (each an <see cref="ImageDecodeException"/> naming the file): a CRC mismatch in IHDR, PLTE or
/// IDAT (the chunks ImageSharp 2.1 checks; like ImageSharp, a bad CRC on IEND or an ancillary chunk is
/// ignored); damaged zlib data, including a wrong Adler-32 checksum when the stream ends with the image
/// (ImageSharp ignores the checksum; libpng refuses it); less image data than the header needs; an unknown
/// filter type on a row. Extra image data after the last row is ignored, as ImageSharp and libpng do.</para>
/// <para>Memory: one float32 image (rows x cols, already checked against the pixel limit; rented from
/// <see cref="PixelPool.Shared"/>, every pixel written) plus a pooled block of at most about 64 KB of rows (or
/// one row if a row is longer), never a buffer sized from unchecked lengths. Image data too short to hold every
/// row even at deflate's largest ratio (1032:1) is counted and refused before the image is rented.</para>
/// <para>Also accepted, unlike ImageSharp 2.1 (which throws on them): a first IDAT that is empty or 1 byte long
/// (the zlib stream is the concatenation of the IDATs).</para>
/// </summary>
internal static class PngDecoder
{
    /// <summary>Rows are inflated this many bytes at a time (rounded to whole rows): large enough for zlib-ng's fast loop, small enough for L2.</summary>
    private const int BlockBytes = 64 * 1024;

    /// <summary>Whether the fast path decodes this PNG (otherwise the caller uses ImageSharp).</summary>
    public static bool CanDecode(in PngHeader h, PngChunkMap map)
    {
        if (h.Interlace != 0 || h.Compression != 0 || h.FilterMethod != 0 || map.IhdrCount != 1 || map.Idat.Count == 0)
        {
            return false;
        }

        if (h.ColorType == 3 && (map.PlteOffset < 0 || map.PlteLength < 3))
        {
            return false;
        }

        // A row (with its filter byte) must fit in one array.
        return h.RowBytes(h.Width) + 1 <= Array.MaxLength - 64;
    }

    /// <summary>
    /// Bytes of filtered scanlines (each with its filter byte) the image data must inflate to: every row of the
    /// image, or of each non-empty Adam7 pass.
    /// </summary>
    public static long ImageDataBytes(in PngHeader h)
    {
        if (h.Interlace == 0)
        {
            return (h.RowBytes(h.Width) + 1) * h.Height;
        }

        long total = 0;
        for (int p = 0; p < Adam7.Passes; p++)
        {
            var (w, rows) = Adam7.PassSize(p, h.Width, h.Height);
            total += w == 0 || rows == 0 ? 0 : (h.RowBytes(w) + 1) * rows;
        }

        return total;
    }

    /// <summary>Decode; the caller has checked <see cref="CanDecode"/>, the pixel limit, and the chunk structure.</summary>
    /// <returns>An image rented from <see cref="PixelPool.Shared"/>, every pixel written.</returns>
    public static ImageArray Decode(string name, byte[] file, in PngHeader h, PngChunkMap map)
    {
        CheckCrc(name, file, 8, "IHDR");
        if (h.ColorType == 3)
        {
            CheckCrc(name, file, map.PlteOffset, "PLTE");
        }

        foreach (var (offset, _) in map.Idat)
        {
            CheckCrc(name, file, offset, "IDAT");
        }

        int width = h.Width;
        int height = h.Height;
        int stride = (int)h.RowBytes(h.Width);
        int rowBytes = stride + 1;
        int bpp = Math.Max(1, h.BitsPerPixel / 8);
        long expected = (long)rowBytes * height;
        var converter = new PngRowConverter(h, h.ColorType == 3 ? file.AsSpan(map.PlteOffset + 8, map.PlteLength) : default);

        // Deflate expands at most 1032:1. Image data that cannot hold every row is counted and refused before
        // the image (up to the pixel limit, 400 MB at 1e8 pixels) is allocated for a file of a few bytes.
        long compressed = 0;
        foreach (var (_, length) in map.Idat)
        {
            compressed += length;
        }

        if ((compressed * 1032) + 1032 < expected)
        {
            long have = CountInflated(name, file, map, expected);
            throw new ImageDecodeException(name, $"truncated PNG: the image data holds {have} of the {expected} bytes its {width} x {height} header needs");
        }

        int blockRows = Math.Clamp(BlockBytes / rowBytes, 1, height);
        var block = ArrayPool<byte>.Shared.Rent(blockRows * rowBytes);
        var prior = ArrayPool<byte>.Shared.Rent(stride);
        // Every pixel is written: the image can come from the pixel pool (the runner gives inputs back too).
        var result = ImageArray.Rent(height, width);
        var data = result.Data;
        long got = 0;
        bool done = false;
        try
        {
            Array.Clear(prior, 0, stride); // the row above the first row is all zeros
            using var z = new ZLibStream(new IdatStream(file, map.Idat), CompressionMode.Decompress);
            for (int y0 = 0; y0 < height; y0 += blockRows)
            {
                int rows = Math.Min(blockRows, height - y0);
                int want = rows * rowBytes;
                int n = z.ReadAtLeast(block.AsSpan(0, want), want, throwOnEndOfStream: false);
                got += n;
                if (n < want)
                {
                    throw new ImageDecodeException(name, $"truncated PNG: the image data holds {got} of the {expected} bytes its {width} x {height} header needs");
                }

                for (int r = 0; r < rows; r++)
                {
                    var line = block.AsSpan(r * rowBytes, rowBytes);
                    var cur = line[1..];
                    ReadOnlySpan<byte> up = r == 0 ? prior.AsSpan(0, stride) : block.AsSpan(((r - 1) * rowBytes) + 1, stride);
                    if (bpp == 1 && line[0] == 3 && r + 1 < rows && block[(r + 1) * rowBytes] == 3)
                    {
                        // Two Average rows: their two serial chains run side by side.
                        var next = block.AsSpan(((r + 1) * rowBytes) + 1, stride);
                        PngFilters.Average1Pair(cur, next, up);
                        converter.Convert(cur, data.AsSpan((y0 + r) * width, width));
                        converter.Convert(next, data.AsSpan((y0 + r + 1) * width, width));
                        r++;
                        continue;
                    }

                    if (!PngFilters.Unfilter(line[0], cur, up, bpp))
                    {
                        throw new ImageDecodeException(name, $"corrupt PNG: row {y0 + r} has filter type {line[0]}; PNG defines types 0 to 4");
                    }

                    converter.Convert(cur, data.AsSpan((y0 + r) * width, width));
                }

                block.AsSpan(((rows - 1) * rowBytes) + 1, stride).CopyTo(prior);
            }

            // Let zlib read the stream's end: a wrong Adler-32 there is damaged data. Extra data is ignored.
            Span<byte> tail = stackalloc byte[64];
            _ = z.Read(tail);
            done = true;
        }
        catch (InvalidDataException ex)
        {
            throw new ImageDecodeException(name, $"corrupt PNG: the compressed image data is damaged ({ex.Message})", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
            ArrayPool<byte>.Shared.Return(prior);
            if (!done)
            {
                PixelPool.Shared.Return(result); // a refused file's half-written image was never seen by anyone
            }
        }

        return result;
    }

    /// <summary>How many bytes the IDAT data inflates to (at most <paramref name="limit"/>), in a small buffer.</summary>
    private static long CountInflated(string name, byte[] file, PngChunkMap map, long limit)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        long got = 0;
        try
        {
            using var z = new ZLibStream(new IdatStream(file, map.Idat), CompressionMode.Decompress);
            int n;
            while (got < limit && (n = z.Read(buffer, 0, buffer.Length)) > 0)
            {
                got += n;
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ImageDecodeException(name, $"corrupt PNG: the compressed image data is damaged ({ex.Message})", ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return got;
    }

    /// <summary>A chunk's CRC-32 (over its type and data) must match the 4 bytes after its data.</summary>
    private static void CheckCrc(string name, byte[] file, int offset, string type)
    {
        int len = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset));
        uint stored = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset + 8 + len));
        if (Crc32.Compute(file.AsSpan(offset + 4, len + 4)) != stored)
        {
            throw new ImageDecodeException(name, $"corrupt PNG: the {type} chunk at byte {offset} fails its CRC check (the file is damaged)");
        }
    }

}

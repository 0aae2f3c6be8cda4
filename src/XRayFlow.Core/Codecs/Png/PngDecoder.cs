using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// XRayFlow's PNG decoder: PNGs of colour types 0 (grey 1/2/4/8/16), 2 (RGB 8/16), 3 (palette 1/2/4/8), 4 (grey +
/// alpha 8/16) and 6 (RGBA 8/16), compression and filter method 0, not interlaced or Adam7-interlaced.
/// Inflate is System.IO.Compression.ZLibStream (the runtime's native zlib-ng); the five scanline filters are
/// undone here and each row converted straight to float32 (<see cref="PngRowConverter"/>); an Adam7 pass's rows
/// are converted the same way and placed at their pixels. <see cref="CanDecode"/> is false for what PNG does not
/// define (another compression, filter or interlace method, a second IHDR, a palette image without a PLTE before
/// its image data): <see cref="PngReader"/> refuses those.
/// <para>The values are exactly those of the ImageSharp path (<see cref="ImageSharpPngDecoder"/>), tested bit for
/// bit on every kind and on the generator's own values; tRNS and all other ancillary chunks are ignored.</para>
/// <para>Refusals (each an <see cref="ImageDecodeException"/> naming the file): a CRC mismatch in IHDR, PLTE or
/// IDAT (the chunks ImageSharp 2.1 checks; like ImageSharp, a bad CRC on IEND or an ancillary chunk is
/// ignored); damaged zlib data, including a wrong Adler-32 checksum when the stream ends with the image
/// (ImageSharp ignores the checksum; libpng refuses it); less image data than the header needs; an unknown
/// filter type on a row; a palette index past the last PLTE entry (libpng refuses it; ImageSharp 2.1 took the
/// last entry). Extra image data after the last row is ignored, as ImageSharp and libpng do.</para>
/// <para>Memory: one float32 image (rows x cols, already checked against the pixel limit; rented from
/// <see cref="PixelPool.Shared"/>, every pixel written) plus a pooled block of at most about 64 KB of rows (or
/// one row if a row is longer), never a buffer sized from unchecked lengths. Inflation is bounded by the
/// declared pixel count: at most the bytes of the rows the header declares (<see cref="ImageDataBytes"/>) are
/// inflated, and image data too short to hold them even at deflate's largest ratio (1032:1) is counted and
/// refused before the image is rented.</para>
/// <para>Also accepted, unlike ImageSharp 2.1 (which throws on them): a first IDAT that is empty or 1 byte long
/// (the zlib stream is the concatenation of the IDATs).</para>
/// </summary>
internal static class PngDecoder
{
    /// <summary>Rows are inflated this many bytes at a time (rounded to whole rows): large enough for zlib-ng's fast loop, small enough for L2.</summary>
    private const int BlockBytes = 64 * 1024;

    /// <summary>Whether this decoder decodes the PNG; <see cref="WhyNot"/> says why not.</summary>
    public static bool CanDecode(in PngHeader h, PngChunkMap map) => WhyNot(h, map) is null;

    /// <summary>Why <see cref="CanDecode"/> is false (a reason for a message), or null when it is true.</summary>
    public static string? WhyNot(in PngHeader h, PngChunkMap map)
    {
        if (h.Compression != 0 || h.FilterMethod != 0)
        {
            return $"compression method {h.Compression} and filter method {h.FilterMethod} are not defined (PNG defines only method 0 for both)";
        }

        if (h.Interlace > 1)
        {
            return $"interlace method {h.Interlace} is not defined (PNG defines 0, none, and 1, Adam7)";
        }

        if (map.IhdrCount != 1)
        {
            return "the file has more than one IHDR chunk";
        }

        if (map.Idat.Count == 0)
        {
            return "no image data (IDAT chunk)";
        }

        if (h.ColorType == 3 && (map.PlteOffset < 0 || map.PlteLength < 3))
        {
            return "a palette image (colour type 3) needs a PLTE chunk with at least one entry before its image data";
        }

        // A row (with its filter byte) must fit in one array.
        return h.RowBytes(h.Width) + 1 <= Array.MaxLength - 64 ? null : $"one row of {h.Width} pixels takes {h.RowBytes(h.Width)} bytes, too many for one buffer";
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

        long expected = ImageDataBytes(h);
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
            throw new ImageDecodeException(name, $"truncated PNG: the image data holds {have} of the {expected} bytes its {h.Width} x {h.Height} header needs");
        }

        // Every pixel is written: the image can come from the pixel pool (the runner gives inputs back too).
        var result = ImageArray.Rent(h.Height, h.Width);
        bool done = false;
        try
        {
            using var z = new ZLibStream(new IdatStream(file, map.Idat), CompressionMode.Decompress);
            var rows = new RowReader(name, h, z, converter, expected);
            if (h.Interlace == 0)
            {
                rows.Pass(result.Data, h.Width, h.Height, 0, 1, 0, 1);
            }
            else
            {
                for (int p = 0; p < Adam7.Passes; p++)
                {
                    var (w, ph) = Adam7.PassSize(p, h.Width, h.Height);
                    if (w > 0 && ph > 0)
                    {
                        rows.Pass(result.Data, (int)w, (int)ph, Adam7.X0[p], Adam7.DX[p], Adam7.Y0[p], Adam7.DY[p]);
                    }
                }
            }

            // Let zlib read the stream's end: a wrong Adler-32 there is damaged data. Extra data is ignored.
            Span<byte> tail = stackalloc byte[64];
            _ = z.Read(tail);
            done = true;
        }
        catch (Exception ex) when (InflateFailure.Is(ex))
        {
            throw new ImageDecodeException(name, $"corrupt PNG: the compressed image data is damaged ({ex.Message})", ex);
        }
        finally
        {
            if (!done)
            {
                PixelPool.Shared.Return(result); // a refused file's half-written image was never seen by anyone
            }
        }

        return result;
    }

    /// <summary>
    /// Inflates, unfilters and converts the rows of the image or of one Adam7 pass (a small image of its own, its
    /// first row filtered against zeros), in blocks of about <see cref="BlockBytes"/>, never inflating more than
    /// the rows the header declares.
    /// </summary>
    private sealed class RowReader(string name, PngHeader h, ZLibStream z, PngRowConverter converter, long expected)
    {
        private long _got;

        /// <summary>
        /// The rows of a <paramref name="width"/> x <paramref name="height"/> pass whose pixel (j, k) is image pixel
        /// (<paramref name="y0"/> + j * <paramref name="dy"/>, <paramref name="x0"/> + k * <paramref name="dx"/>).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Pass(float[] data, int width, int height, int x0, int dx, int y0, int dy)
        {
            int stride = (int)h.RowBytes(width);
            int rowBytes = stride + 1;
            int bpp = Math.Max(1, h.BitsPerPixel / 8);
            int imageWidth = h.Width;
            int blockRows = Math.Clamp(BlockBytes / rowBytes, 1, height);
            var block = ArrayPool<byte>.Shared.Rent(blockRows * rowBytes);
            var prior = ArrayPool<byte>.Shared.Rent(stride);
            var scratch = dx == 1 ? null : ArrayPool<float>.Shared.Rent(width);
            try
            {
                Array.Clear(prior, 0, stride); // the row above the first row is all zeros
                for (int j0 = 0; j0 < height; j0 += blockRows)
                {
                    int rows = Math.Min(blockRows, height - j0);
                    int want = rows * rowBytes;
                    int n = z.ReadAtLeast(block.AsSpan(0, want), want, throwOnEndOfStream: false);
                    _got += n;
                    if (n < want)
                    {
                        throw new ImageDecodeException(name, $"truncated PNG: the image data holds {_got} of the {expected} bytes its {h.Width} x {h.Height} header needs");
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
                            Place(cur, data, j0 + r, width, x0, dx, y0, dy, imageWidth, scratch);
                            Place(next, data, j0 + r + 1, width, x0, dx, y0, dy, imageWidth, scratch);
                            r++;
                            continue;
                        }

                        if (!PngFilters.Unfilter(line[0], cur, up, bpp))
                        {
                            throw new ImageDecodeException(name, $"corrupt PNG: row {y0 + ((j0 + r) * dy)} has filter type {line[0]}; PNG defines types 0 to 4");
                        }

                        Place(cur, data, j0 + r, width, x0, dx, y0, dy, imageWidth, scratch);
                    }

                    block.AsSpan(((rows - 1) * rowBytes) + 1, stride).CopyTo(prior);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(block);
                ArrayPool<byte>.Shared.Return(prior);
                if (scratch is not null)
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
            }
        }

        /// <summary>Pass row <paramref name="j"/>'s pixels to their places in the image.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Place(ReadOnlySpan<byte> row, float[] data, int j, int width, int x0, int dx, int y0, int dy, int imageWidth, float[]? scratch)
        {
            int y = y0 + (j * dy);
            var target = scratch is null ? data.AsSpan(y * imageWidth, width) : scratch.AsSpan(0, width);
            if (!converter.TryConvert(row, target, out int bad))
            {
                throw new ImageDecodeException(name, $"corrupt PNG: row {y} uses palette index {bad}, but the palette (PLTE) has {converter.PaletteEntries} entries");
            }

            if (scratch is not null)
            {
                var dst = data.AsSpan(y * imageWidth, imageWidth);
                for (int k = 0, x = x0; k < width; k++, x += dx)
                {
                    dst[x] = scratch[k];
                }
            }
        }
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
        catch (Exception ex) when (InflateFailure.Is(ex))
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

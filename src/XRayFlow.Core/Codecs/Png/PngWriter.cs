using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.IO;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// Writes grey PNGs (8 or 16 bit) from float32 images, and 8-bit RGB PNGs from packed bytes (colormapped images).
/// <para>Value conversion (8-bit): NaN -> 0; otherwise round to the nearest integer, ties to EVEN
/// (numpy.rint: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2), then clip to 0..255 (-inf -> 0, +inf -> 255).
/// 16-bit: the same with 0..65535. Values are NOT rescaled: normalize first (op <c>normalize</c>) or use
/// an output's vmin/vmax.</para>
/// <para>The file: signature, IHDR (non-interlaced), one IDAT, IEND — no metadata chunks. The scanlines are
/// deflated as .NET's zlib (<see cref="ZLibStream"/>, zlib-ng 2.2) deflates them at a compression level 0-9 (at level 1
/// by <see cref="RleDeflate"/>, which writes zlib-ng's bytes faster, and zlib-ng itself where that declines): 0 stores; 1 (the
/// default, <see cref="DefaultCompression"/>) is zlib's run-length strategy (Z_RLE: matches at distance 1 only,
/// as OpenCV's default), the fastest, and on X-rays also smaller than levels 2-9; 2-9 are zlib's levels with
/// the full match search (smaller on images with repeated texture). Measured size against time in
/// docs/performance-runner.md. Each row's filter is chosen by libpng's adaptive heuristic (OpenCV 4.6 writes Sub on every row): the one of
/// the five whose bytes have the least sum of absolute values (<see cref="PngEncodeFilters"/>); level 0 writes
/// every row unfiltered. Readers see the same pixels at every level: PNG is lossless.</para>
/// </summary>
public static class PngWriter
{
    /// <summary>The compression level used when none is given: 1, run-length deflate (as OpenCV's default), see docs/performance-runner.md.</summary>
    public const int DefaultCompression = 1;

    /// <summary>The highest compression level (zlib's 9).</summary>
    public const int MaxCompression = 9;

    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static void Write(string path, ImageArray image, int bits = 8, int compression = DefaultCompression)
    {
        Validate(image, bits);
        ValidateCompression(compression);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, image, bits, compression);
    }

    /// <summary>Write a 2-D real image as a grey PNG of <paramref name="bits"/> (8 or 16) bits per pixel, deflated at <paramref name="compression"/> (0-9).</summary>
    /// <exception cref="ArgumentException">A stack, a complex array, bits other than 8/16, or a level outside 0-9.</exception>
    public static void Write(Stream stream, ImageArray image, int bits = 8, int compression = DefaultCompression)
        => Write(stream, image, bits, new Settings(compression));

    /// <summary>How a file is encoded: the level, the row-filter choice and zlib's strategy (the latter two for benchmarks and tests).</summary>
    internal readonly record struct Settings(int Compression, PngEncodeFilters.Choice? Filters = null, ZLibCompressionStrategy? Strategy = null, bool ZlibOnly = false)
    {
        public PngEncodeFilters.Choice Choice => Filters ?? (Compression == 0 ? PngEncodeFilters.Choice.None : PngEncodeFilters.Choice.Adaptive);

        /// <summary>Level 1 is zlib's run-length strategy (matches at distance 1 only), 2-9 the full match search.</summary>
        public ZLibCompressionStrategy ZStrategy => Strategy ?? (Compression == 1 ? ZLibCompressionStrategy.RunLengthEncoding : ZLibCompressionStrategy.Default);
    }

    internal static void Write(Stream stream, ImageArray image, int bits, Settings settings)
    {
        using var file = Encode(image, bits, settings);
        stream.Write(file.Span);
    }

    /// <summary>
    /// The whole PNG file of a 2-D real image (grey, <paramref name="bits"/> 8 or 16, deflated at
    /// <paramref name="compression"/> 0-9) in a pooled buffer: the same bytes <see cref="Write(Stream, ImageArray, int, int)"/>
    /// writes. Dispose it when its bytes are written.
    /// </summary>
    public static PooledBuffer Encode(ImageArray image, int bits = 8, int compression = DefaultCompression)
        => Encode(image, bits, new Settings(compression));

    internal static PooledBuffer Encode(ImageArray image, int bits, Settings settings)
    {
        Validate(image, bits);
        ValidateCompression(settings.Compression);
        int width = image.Cols, height = image.Rows;
        var src = image.Data;
        if (bits == 8)
        {
            return Encode(width, height, colorType: 0, bitDepth: 8, rowBytes: width, settings, (y, rows, block) => ToBytes(src.AsSpan(y * width, rows * width), block));
        }

        return Encode(width, height, colorType: 0, bitDepth: 16, rowBytes: 2 * width, settings, (y, rows, block) =>
        {
            var line = src.AsSpan(y * width, rows * width);
            for (int x = 0; x < line.Length; x++)
            {
                BinaryPrimitives.WriteUInt16BigEndian(block[(2 * x)..], ToUInt16(line[x]));
            }
        });
    }

    public static void WriteRgb(string path, byte[] rgb, int width, int height, int compression = DefaultCompression)
    {
        ValidateRgb(rgb, width, height);
        ValidateCompression(compression);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteRgb(stream, rgb, width, height, compression);
    }

    /// <summary>Write packed 8-bit RGB (r, g, b per pixel, rows top to bottom; length 3 x width x height), deflated at <paramref name="compression"/> (0-9).</summary>
    public static void WriteRgb(Stream stream, byte[] rgb, int width, int height, int compression = DefaultCompression)
    {
        using var file = EncodeRgb(rgb, width, height, compression);
        stream.Write(file.Span);
    }

    /// <summary>The whole PNG file of packed 8-bit RGB (see <see cref="WriteRgb(Stream, byte[], int, int, int)"/>) in a pooled buffer; dispose it when written.</summary>
    public static PooledBuffer EncodeRgb(byte[] rgb, int width, int height, int compression = DefaultCompression)
        => EncodeRgb(rgb, width, height, new Settings(compression));

    internal static PooledBuffer EncodeRgb(byte[] rgb, int width, int height, Settings settings)
    {
        ValidateRgb(rgb, width, height);
        ValidateCompression(settings.Compression);
        return Encode(width, height, colorType: 2, bitDepth: 8, rowBytes: 3 * width, settings, (y, rows, block) => rgb.AsSpan(3 * width * y, 3 * width * rows).CopyTo(block));
    }

    /// <summary>Writes the raw bytes of rows <paramref name="y"/> .. <paramref name="y"/> + <paramref name="rows"/> - 1 into <paramref name="block"/> (rows x rowBytes).</summary>
    private delegate void RowFiller(int y, int rows, Span<byte> block);

    /// <summary>
    /// Rows are converted this many bytes at a time (whole rows, at least one): one streaming pass over a block of
    /// the image instead of a row between two deflate calls (which read each row from L3 at its latency).
    /// </summary>
    private const int BlockBytes = 64 * 1024;

    /// <summary>Filtered rows up to this many bytes are gathered for <see cref="RleDeflate"/> at level 1; larger images stream through zlib-ng.</summary>
    private const long MaxRleBytes = 256L << 20;

    /// <summary>A whole non-interlaced PNG whose rows <paramref name="fill"/> produces (raw bytes, big-endian samples), in a pooled buffer.</summary>
    private static PooledBuffer Encode(int width, int height, byte colorType, byte bitDepth, int rowBytes, Settings settings, RowFiller fill)
    {
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = bitDepth;
        header[9] = colorType;
        header[10] = 0; // deflate
        header[11] = 0; // adaptive filtering (per-row filter bytes)
        header[12] = 0; // not interlaced

        // Signature, IHDR, then one IDAT whose length is patched in once the zlib stream is written; its CRC covers
        // "IDAT" and the stream. The first array rented holds half the raw rows (X-ray PNGs deflate to about 60%).
        var file = new PooledBuffer((int)Math.Min((((long)rowBytes + 1) * height / 2) + 128, 64L << 20));
        int blockRows = (int)Math.Clamp(BlockBytes / rowBytes, 1, height);
        byte[] block = ArrayPool<byte>.Shared.Rent(blockRows * rowBytes);
        byte[] prev = ArrayPool<byte>.Shared.Rent(rowBytes);
        byte[] line = ArrayPool<byte>.Shared.Rent(rowBytes + 1);
        byte[] scratch = ArrayPool<byte>.Shared.Rent(rowBytes);
        int bpp = (colorType == 2 ? 3 : 1) * bitDepth / 8;
        var choice = settings.Choice;
        try
        {
            file.Write(Signature);
            WriteChunk(file, "IHDR"u8, header);
            int idat = (int)file.Length;
            file.Write([0, 0, 0, 0]);
            file.Write("IDAT"u8);
            Array.Clear(prev, 0, rowBytes); // the row above the first is zero
            var options = new ZLibCompressionOptions { CompressionLevel = settings.Compression, CompressionStrategy = settings.ZStrategy };

            // Level 1 (zlib-ng's run-length strategy): the filtered rows are gathered and deflated by RleDeflate,
            // which writes zlib-ng's bytes without its per-position bookkeeping; where zlib-ng would store a block
            // (incompressible rows) it declines and zlib-ng deflates the rows, one per call, as below.
            long lineBytes = (long)rowBytes + 1;
            bool rle = !settings.ZlibOnly && settings.Compression == 1 && settings.ZStrategy == ZLibCompressionStrategy.RunLengthEncoding && lineBytes * height <= MaxRleBytes;
            byte[]? lines = rle ? ArrayPool<byte>.Shared.Rent((int)(lineBytes * height)) : null;
            try
            {
                using (var z = lines is null ? new ZLibStream(file, options, leaveOpen: true) : null)
                {
                    for (int y0 = 0; y0 < height; y0 += blockRows)
                    {
                        int rows = Math.Min(blockRows, height - y0);
                        fill(y0, rows, block.AsSpan(0, rows * rowBytes));
                        for (int r = 0; r < rows; r++)
                        {
                            var raw = block.AsSpan(r * rowBytes, rowBytes);
                            var above = r == 0 ? prev.AsSpan(0, rowBytes) : block.AsSpan((r - 1) * rowBytes, rowBytes);
                            var dst = lines is null ? line.AsSpan(0, rowBytes + 1) : lines.AsSpan((int)((y0 + r) * lineBytes), rowBytes + 1);
                            PngEncodeFilters.Choose(choice, raw, above, dst, scratch, bpp);
                            z?.Write(line, 0, rowBytes + 1);
                        }

                        block.AsSpan((rows - 1) * rowBytes, rowBytes).CopyTo(prev); // the row above the next block's first
                    }
                }

                if (lines is not null)
                {
                    var all = lines.AsSpan(0, (int)(lineBytes * height));
                    int written = RleDeflate.TryCompress(all, file.GetSpan((int)RleDeflate.MaxOutput(all.Length)));
                    if (written >= 0)
                    {
                        file.Advance(written);
                    }
                    else
                    {
                        using var z = new ZLibStream(file, options, leaveOpen: true);
                        for (int y = 0; y < height; y++)
                        {
                            z.Write(all.Slice((int)(y * lineBytes), rowBytes + 1));
                        }
                    }
                }
            }
            finally
            {
                if (lines is not null)
                {
                    ArrayPool<byte>.Shared.Return(lines);
                }
            }

            long dataLength = file.Length - idat - 8;
            if (dataLength > int.MaxValue)
            {
                throw new IOException($"the image data deflates to {dataLength} bytes, more than one PNG chunk holds (2^31 - 1)");
            }

            BinaryPrimitives.WriteInt32BigEndian(file.WrittenSpan[idat..], (int)dataLength);
            Span<byte> crc = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.Compute(file.Span[(idat + 4)..]));
            file.Write(crc);
            WriteChunk(file, "IEND"u8, []);
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(block);
            ArrayPool<byte>.Shared.Return(prev);
            ArrayPool<byte>.Shared.Return(line);
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> buffer = stackalloc byte[4 + 4 + data.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(buffer, data.Length);
        type.CopyTo(buffer[4..]);
        data.CopyTo(buffer[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[(8 + data.Length)..], Crc32.Compute(buffer[4..(8 + data.Length)]));
        stream.Write(buffer);
    }

    /// <summary>The 8-bit value a pixel is written as: NaN -> 0, round half to even, clip to 0..255.</summary>
    public static byte ToByte(float v)
    {
        if (float.IsNaN(v))
        {
            return 0;
        }

        float r = MathF.Round(v, MidpointRounding.ToEven);
        return r <= 0f ? (byte)0 : r >= 255f ? (byte)255 : (byte)r;
    }

    /// <summary>The 16-bit value a pixel is written as: NaN -> 0, round half to even, clip to 0..65535.</summary>
    public static ushort ToUInt16(float v)
    {
        if (float.IsNaN(v))
        {
            return 0;
        }

        float r = MathF.Round(v, MidpointRounding.ToEven);
        return r <= 0f ? (ushort)0 : r >= 65535f ? ushort.MaxValue : (ushort)r;
    }

    /// <summary><see cref="ToByte"/> of each value (SIMD: NaN masked to 0, clamped, rounded half to even; tested equal to the scalar for every length 1..80).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ToBytes(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var lo = Vector256<float>.Zero;
            var hi = Vector256.Create(255f);
            for (; k <= src.Length - (4 * Vector256<float>.Count); k += 4 * Vector256<float>.Count)
            {
                var i0 = Convert(Vector256.Create(src.Slice(k, 8)), lo, hi);
                var i1 = Convert(Vector256.Create(src.Slice(k + 8, 8)), lo, hi);
                var i2 = Convert(Vector256.Create(src.Slice(k + 16, 8)), lo, hi);
                var i3 = Convert(Vector256.Create(src.Slice(k + 24, 8)), lo, hi);
                var s01 = Vector256.Narrow(i0, i1); // 16 shorts, all 0..255: narrowing is exact
                var s23 = Vector256.Narrow(i2, i3);
                Vector256.Narrow(s01.AsUInt16(), s23.AsUInt16()).CopyTo(dst[k..]);
            }
        }

        for (; k < src.Length; k++)
        {
            dst[k] = ToByte(src[k]);
        }
    }

    private static Vector256<int> Convert(Vector256<float> v, Vector256<float> lo, Vector256<float> hi)
    {
        v &= Vector256.Equals(v, v); // NaN -> +0
        v = Vector256.Min(Vector256.Max(v, lo), hi); // clip first: the bounds are whole, so clip-then-round = round-then-clip
        return Vector256.ConvertToInt32(Vector256.Round(v)); // Round: half to even
    }

    private static void ValidateCompression(int compression)
    {
        if (compression is < 0 or > MaxCompression)
        {
            throw new ArgumentOutOfRangeException(nameof(compression), compression, $"PNG compression must be 0 to {MaxCompression}");
        }
    }

    private static void Validate(ImageArray image, int bits)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (bits is not (8 or 16))
        {
            throw new ArgumentException($"PNG bits must be 8 or 16, not {bits}", nameof(bits));
        }

        if (image.IsStack)
        {
            throw new ArgumentException($"a PNG holds one 2-D image; this array is a stack {image.ShapeText} (write .npy or .gif, or one PNG per frame)", nameof(image));
        }

        if (image.IsComplex)
        {
            throw new ArgumentException("a PNG cannot hold a complex array; take abs (or ifft2 part: real) first", nameof(image));
        }
    }

    private static void ValidateRgb(byte[] rgb, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (width < 1 || height < 1 || (long)width * height * 3 != rgb.Length)
        {
            throw new ArgumentException($"rgb has {rgb.Length} bytes; a {width} x {height} RGB image needs {(long)width * height * 3}", nameof(rgb));
        }
    }
}

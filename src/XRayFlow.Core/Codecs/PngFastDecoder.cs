using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs;

/// <summary>The IHDR fields of a PNG (already checked: width and height &gt; 0, a valid colour type / bit depth pair).</summary>
internal readonly record struct PngHeader(int Width, int Height, byte BitDepth, byte ColorType, byte Compression, byte FilterMethod, byte Interlace);

/// <summary>Where the chunks the decoders need are in the file, as found by <c>ImageReader.ScanPngChunks</c>.</summary>
internal sealed class PngChunkMap
{
    /// <summary>The IDAT chunks (all consecutive, in file order): offset of the chunk's length field, and its data length.</summary>
    public List<(int Offset, int Length)> Idat { get; } = [];

    /// <summary>Offset of the first PLTE chunk's length field, -1 when there is none before the image data.</summary>
    public int PlteOffset { get; set; } = -1;

    public int PlteLength { get; set; }

    /// <summary>Number of IHDR chunks (a second one is not valid PNG; ImageSharp accepts it, the fast path leaves it to ImageSharp).</summary>
    public int IhdrCount { get; set; }
}

/// <summary>
/// XRayFlow's own PNG decoder for the common case: non-interlaced PNGs of colour types 0 (grey 1/2/4/8/16),
/// 2 (RGB 8/16), 3 (palette 1/2/4/8), 4 (grey + alpha 8/16) and 6 (RGBA 8/16), compression and filter method 0.
/// Inflate is System.IO.Compression.ZLibStream (the runtime's native zlib-ng); the five scanline filters are
/// undone here and each row converted straight to float32. Anything else (Adam7 interlace, a second IHDR, a
/// palette image without a PLTE before its image data, unknown methods) is left to ImageSharp
/// (<see cref="CanDecode"/> is false), so the caller falls back to the previous path.
/// <para>The values are exactly those of the ImageSharp path (<c>ImageReader</c>'s class doc), tested bit for bit:
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
internal static class PngFastDecoder
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
        return RowBytes(h) + 1 <= Array.MaxLength - 64;
    }

    /// <summary>Bytes per scanline, without the filter byte.</summary>
    public static long RowBytes(in PngHeader h) => (((long)h.Width * h.BitDepth * Channels(h.ColorType)) + 7) / 8;

    public static int Channels(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

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
        int stride = (int)RowBytes(h);
        int rowBytes = stride + 1;
        int bpp = Math.Max(1, h.BitDepth * Channels(h.ColorType) / 8);
        long expected = (long)rowBytes * height;
        var converter = new RowConverter(h, h.ColorType == 3 ? file.AsSpan(map.PlteOffset + 8, map.PlteLength) : default);

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

    /// <summary>The data of the IDAT chunks as one stream, read in place from the file's bytes.</summary>
    private sealed class IdatStream(byte[] file, List<(int Offset, int Length)> chunks) : Stream
    {
        private int chunk;
        private int pos;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (chunk < chunks.Count && pos == chunks[chunk].Length)
            {
                chunk++;
                pos = 0;
            }

            if (chunk == chunks.Count || buffer.IsEmpty)
            {
                return 0;
            }

            var (offset, length) = chunks[chunk];
            int n = Math.Min(buffer.Length, length - pos);
            file.AsSpan(offset + 8 + pos, n).CopyTo(buffer);
            pos += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Unfiltered scanline bytes -&gt; float32 pixels, for one PNG kind.</summary>
    private readonly struct RowConverter
    {
        private readonly int colorType;
        private readonly int depth;
        private readonly float[]? lut; // palette luma by index (clamped to the last entry), or low-bit grey levels

        public RowConverter(in PngHeader h, ReadOnlySpan<byte> plte)
        {
            colorType = h.ColorType;
            depth = h.BitDepth;
            if (colorType == 3)
            {
                int entries = Math.Min(256, plte.Length / 3);
                lut = new float[256];
                for (int i = 0; i < 256; i++)
                {
                    int j = 3 * Math.Min(i, entries - 1);
                    lut[i] = ImageReader.Luma(plte[j], plte[j + 1], plte[j + 2]);
                }
            }
            else if (colorType == 0 && depth < 8)
            {
                int levels = 1 << depth;
                int factor = 255 / (levels - 1); // ImageSharp: byte(v * (255 / (2^depth - 1)))
                lut = new float[levels];
                for (int v = 0; v < levels; v++)
                {
                    lut[v] = (byte)(v * factor);
                }
            }
        }

        public void Convert(ReadOnlySpan<byte> src, Span<float> dst)
        {
            switch (colorType)
            {
                case 0 when depth == 8:
                    PngFilters.WidenBytes(src, dst);
                    break;
                case 0 when depth == 16:
                    PngFilters.WidenBigEndianU16(src, dst, 1);
                    break;
                case 0 or 3 when depth < 8:
                    Unpack(src, dst, depth, lut!);
                    break;
                case 3:
                    var l = lut!;
                    for (int x = 0; x < dst.Length; x++)
                    {
                        dst[x] = l[src[x]];
                    }

                    break;
                case 4 when depth == 8:
                    for (int x = 0; x < dst.Length; x++)
                    {
                        dst[x] = src[2 * x];
                    }

                    break;
                case 4:
                    PngFilters.WidenBigEndianU16(src, dst, 2);
                    break;
                case 2 or 6 when depth == 8:
                    {
                        int step = colorType == 2 ? 3 : 4;
                        for (int x = 0, i = 0; x < dst.Length; x++, i += step)
                        {
                            dst[x] = ImageReader.Luma(src[i], src[i + 1], src[i + 2]);
                        }

                        break;
                    }

                default: // 2 or 6, 16-bit
                    {
                        int step = colorType == 2 ? 6 : 8;
                        for (int x = 0, i = 0; x < dst.Length; x++, i += step)
                        {
                            dst[x] = ImageReader.Luma(
                                BinaryPrimitives.ReadUInt16BigEndian(src[i..]),
                                BinaryPrimitives.ReadUInt16BigEndian(src[(i + 2)..]),
                                BinaryPrimitives.ReadUInt16BigEndian(src[(i + 4)..]));
                        }

                        break;
                    }
            }
        }

        /// <summary>1/2/4-bit samples, most significant first, looked up in <paramref name="table"/>.</summary>
        private static void Unpack(ReadOnlySpan<byte> src, Span<float> dst, int depth, float[] table)
        {
            int perByte = 8 / depth;
            int mask = (1 << depth) - 1;
            int x = 0;
            for (int i = 0; x < dst.Length; i++)
            {
                int b = src[i];
                for (int k = 0; k < perByte && x < dst.Length; k++, x++)
                {
                    dst[x] = table[(b >> (8 - (depth * (k + 1)))) & mask];
                }
            }
        }
    }
}

/// <summary>
/// The PNG scanline filters, undone in place (PNG spec section 9). Scalar meaning, with x the byte index in
/// the row, bpp the bytes per complete pixel (1 for depths below 8), a = cur[x - bpp] (0 for x &lt; bpp),
/// b = up[x], c = up[x - bpp] (0 for x &lt; bpp), all arithmetic modulo 256:
/// 0 None: cur[x]; 1 Sub: cur[x] + a; 2 Up: cur[x] + b; 3 Average: cur[x] + floor((a + b) / 2);
/// 4 Paeth: cur[x] + the one of a, b, c closest to p = a + b - c (ties: a, then b, then c).
/// <see cref="UnfilterScalar"/> is that meaning written plainly; <see cref="Unfilter"/> is the fast version
/// (SIMD Up and Sub, register-carried Average and Paeth for bpp 1), tested equal for every length 1..64.
/// </summary>
internal static class PngFilters
{
    /// <summary>Undo filter <paramref name="filter"/> on <paramref name="cur"/>; false for an unknown filter type.</summary>
    public static bool Unfilter(byte filter, Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        switch (filter)
        {
            case 0:
                return true;
            case 1:
                Sub(cur, bpp);
                return true;
            case 2:
                Up(cur, up);
                return true;
            case 3:
                if (bpp == 1)
                {
                    Average1(cur, up);
                }
                else
                {
                    AverageN(cur, up, bpp);
                }

                return true;
            case 4:
                if (bpp == 1)
                {
                    Paeth1(cur, up);
                }
                else
                {
                    PaethN(cur, up, bpp);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>The filters exactly as the PNG spec writes them, one byte at a time (the test reference).</summary>
    public static bool UnfilterScalar(byte filter, Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        if (filter > 4)
        {
            return false;
        }

        for (int x = 0; x < cur.Length; x++)
        {
            int a = x >= bpp ? cur[x - bpp] : 0;
            int b = up[x];
            int c = x >= bpp ? up[x - bpp] : 0;
            int pred = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => PaethPredictor(a, b, c),
            };
            cur[x] = (byte)(cur[x] + pred);
        }

        return true;
    }

    /// <summary>The Paeth predictor of the PNG spec.</summary>
    public static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Up(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; x <= n - 32; x += 32)
            {
                (Vector256.LoadUnsafe(ref d, (nuint)x) + Vector256.LoadUnsafe(ref u, (nuint)x)).StoreUnsafe(ref d, (nuint)x);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; x <= n - 16; x += 16)
            {
                (Vector128.LoadUnsafe(ref d, (nuint)x) + Vector128.LoadUnsafe(ref u, (nuint)x)).StoreUnsafe(ref d, (nuint)x);
            }
        }

        for (; x < n; x++)
        {
            Unsafe.Add(ref d, x) += Unsafe.Add(ref u, x);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sub(Span<byte> cur, int bpp)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        if (bpp == 1)
        {
            int x = 0;
            if (Vector128.IsHardwareAccelerated)
            {
                // Prefix sum of 16 bytes in 4 shift-and-add steps, plus the running last byte.
                var carry = Vector128<byte>.Zero;
                for (; x <= n - 16; x += 16)
                {
                    var v = Vector128.LoadUnsafe(ref d, (nuint)x);
                    v += ShiftBytesUp(v, 1);
                    v += ShiftBytesUp(v, 2);
                    v += ShiftBytesUp(v, 4);
                    v += ShiftBytesUp(v, 8);
                    v += carry;
                    v.StoreUnsafe(ref d, (nuint)x);
                    carry = Vector128.Shuffle(v, Vector128.Create((byte)15));
                }
            }

            byte left = x > 0 ? Unsafe.Add(ref d, x - 1) : (byte)0;
            for (; x < n; x++)
            {
                left = (byte)(Unsafe.Add(ref d, x) + left);
                Unsafe.Add(ref d, x) = left;
            }

            return;
        }

        for (int x = bpp; x < n; x++)
        {
            Unsafe.Add(ref d, x) += Unsafe.Add(ref d, x - bpp);
        }
    }

    /// <summary>v moved <paramref name="k"/> bytes towards the higher lanes, zeros shifted in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> ShiftBytesUp(Vector128<byte> v, [ConstantExpected(Min = 1, Max = 15)] byte k)
        => Sse2.IsSupported
            ? Sse2.ShiftLeftLogical128BitLane(v, k)
            : Vector128.Shuffle(v, Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) - Vector128.Create(k));

    /// <summary>Average, 1 byte per pixel: a = ((a + b) &gt;&gt; 1 + raw) &amp; 255 carried in a register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Average1(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int a = 0;
        for (int x = 0; x < n; x++)
        {
            // (a + b) >> 1 + raw == (a + (b + 2 raw)) >> 1: one add, one shift, one mask on the carried chain.
            int w = Unsafe.Add(ref u, x) + (2 * Unsafe.Add(ref d, x));
            a = ((a + w) >> 1) & 0xFF;
            Unsafe.Add(ref d, x) = (byte)a;
        }
    }

    /// <summary>
    /// Average on two consecutive rows with 1 byte per pixel (<paramref name="cur1"/> right below
    /// <paramref name="cur0"/>): the same as <see cref="Unfilter"/> on one then the other, with both carried
    /// chains in one loop so the processor runs them side by side (row 1's pixel x needs row 0's pixel x only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Average1Pair(Span<byte> cur0, Span<byte> cur1, ReadOnlySpan<byte> up)
    {
        int n = cur0.Length;
        if (cur1.Length != n || up.Length < n)
        {
            throw new ArgumentException("the two rows and the row above must have one length");
        }

        ref byte d0 = ref MemoryMarshal.GetReference(cur0);
        ref byte d1 = ref MemoryMarshal.GetReference(cur1);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int a0 = 0;
        int a1 = 0;
        for (int x = 0; x < n; x++)
        {
            int w0 = Unsafe.Add(ref u, x) + (2 * Unsafe.Add(ref d0, x));
            int r1 = 2 * Unsafe.Add(ref d1, x);
            a0 = ((a0 + w0) >> 1) & 0xFF;
            Unsafe.Add(ref d0, x) = (byte)a0;
            a1 = ((a1 + (a0 + r1)) >> 1) & 0xFF;
            Unsafe.Add(ref d1, x) = (byte)a1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AverageN(Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        for (int x = 0; x < bpp && x < n; x++)
        {
            Unsafe.Add(ref d, x) += (byte)(Unsafe.Add(ref u, x) >> 1);
        }

        for (int x = bpp; x < n; x++)
        {
            Unsafe.Add(ref d, x) += (byte)((Unsafe.Add(ref d, x - bpp) + Unsafe.Add(ref u, x)) >> 1);
        }
    }

    /// <summary>Pixels per chunk of <see cref="Paeth1"/>: its bounds live on the stack at constant offsets.</summary>
    private const int PaethChunk = 256;

    /// <summary>Shorts per section of the <see cref="Paeth1"/> stack buffer (a chunk, plus room for the 16-byte loads at its end).</summary>
    private const int PaethSection = PaethChunk + 8;

    /// <summary>
    /// Paeth, 1 byte per pixel. With d = b - c and e = a - c (so pa = |d|, pb = |e|, pc = |e + d|) the choice
    /// depends on the carried left pixel a only through three comparisons with bounds that come from b and c:
    /// a is chosen unless L &lt; a &lt; H (L, H = c + min(d, -2d), c + max(d, -2d)); otherwise the result is
    /// on a's side of the midpoint c - d/2: b's side gives b, the other c (ties go to b), i.e. the high
    /// candidate when a &gt; T. The bounds and both candidate results (raw + b, raw + c) are computed 8 pixels
    /// at a time for a chunk of 256 pixels; the serial chain then keeps a in lane 0 of a vector: three compares
    /// and two blends per pixel, no branches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Paeth1(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        if (!Vector128.IsHardwareAccelerated)
        {
            Paeth1Scalar(cur, up);
            return;
        }

        // Sections: raw, L, H, T, low candidate, high candidate, result.
        short* buf = stackalloc short[7 * PaethSection];
        fixed (byte* curP = cur)
        fixed (byte* upP = up)
        {
            short left = 0; // a carried from chunk to chunk (as a scalar: a vector live across the tail's calls would be spilled inside the chain)
            for (int x0 = 0; x0 < n; x0 += PaethChunk)
            {
                int m = Math.Min(PaethChunk, n - x0);
                byte* d = curP + x0;
                byte* u = upP + x0;
                int i = 0;
                if (x0 == 0)
                {
                    PaethBounds(u[0], 0, d[0], buf, 0); // pixel 0 has c = 0
                    i = 1;
                }

                if (Vector256.IsHardwareAccelerated)
                {
                    for (; i <= m - 16; i += 16)
                    {
                        var b = Widen16(u + i);
                        var c = Widen16(u + i - 1);
                        var raw = Widen16(d + i);
                        var dd = b - c;
                        var m2d = Vector256<short>.Zero - (dd + dd);
                        var pos = Vector256.GreaterThan(dd, Vector256<short>.Zero);
                        var t = Select(pos, Vector256<short>.Zero - Vector256.ShiftRightArithmetic(dd, 1), Vector256.ShiftRightArithmetic(Vector256<short>.Zero - dd, 1) + Vector256<short>.One);
                        var byteMask = Vector256.Create((short)0xFF);
                        var rb = (raw + b) & byteMask;
                        var rc = (raw + c) & byteMask;
                        raw.Store(buf + i);
                        (c + Vector256.Min(dd, m2d)).Store(buf + PaethSection + i);
                        (c + Vector256.Max(dd, m2d)).Store(buf + (2 * PaethSection) + i);
                        (c + t - Vector256<short>.One).Store(buf + (3 * PaethSection) + i);
                        Select(pos, rc, rb).Store(buf + (4 * PaethSection) + i);
                        Select(pos, rb, rc).Store(buf + (5 * PaethSection) + i);
                    }
                }

                for (; i <= m - 8; i += 8)
                {
                    var b = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(u + i)).AsByte()).AsInt16();
                    var c = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(u + i - 1)).AsByte()).AsInt16();
                    var raw = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(d + i)).AsByte()).AsInt16();
                    var dd = b - c;
                    var m2d = Vector128<short>.Zero - (dd + dd);
                    var pos = Vector128.GreaterThan(dd, Vector128<short>.Zero);
                    var t = Select(pos, Vector128<short>.Zero - Vector128.ShiftRightArithmetic(dd, 1), Vector128.ShiftRightArithmetic(Vector128<short>.Zero - dd, 1) + Vector128<short>.One);
                    var byteMask = Vector128.Create((short)0xFF);
                    var rb = (raw + b) & byteMask;
                    var rc = (raw + c) & byteMask;
                    raw.Store(buf + i);
                    (c + Vector128.Min(dd, m2d)).Store(buf + PaethSection + i);
                    (c + Vector128.Max(dd, m2d)).Store(buf + (2 * PaethSection) + i);
                    (c + t - Vector128<short>.One).Store(buf + (3 * PaethSection) + i);
                    Select(pos, rc, rb).Store(buf + (4 * PaethSection) + i);
                    Select(pos, rb, rc).Store(buf + (5 * PaethSection) + i);
                }

                for (; i < m; i++)
                {
                    PaethBounds(u[i], u[i - 1], d[i], buf, i);
                }

                // The serial chain: lane 0 of each vector is pixel i (the other lanes are never used).
                var a = Vector128.CreateScalar(left);
                short* p = buf;
                for (i = 0; i < m; i++, p++)
                {
                    var ra = (a.AsByte() + Vector128.Load(p).AsByte()).AsInt16(); // (raw + a) & 255: bytes wrap, the high byte stays 0
                    var notA = Vector128.GreaterThan(a, Vector128.Load(p + PaethSection)) & Vector128.GreaterThan(Vector128.Load(p + (2 * PaethSection)), a);
                    var bc = Select(Vector128.GreaterThan(a, Vector128.Load(p + (3 * PaethSection))), Vector128.Load(p + (5 * PaethSection)), Vector128.Load(p + (4 * PaethSection)));
                    a = Select(notA, bc, ra);
                    a.Store(p + (6 * PaethSection));
                }

                left = a.ToScalar();

                short* o = buf + (6 * PaethSection);
                i = 0;
                for (; i <= m - 16; i += 16)
                {
                    Vector128.Narrow(Vector128.Load(o + i).AsUInt16(), Vector128.Load(o + i + 8).AsUInt16()).Store(d + i);
                }

                for (; i < m; i++)
                {
                    d[i] = (byte)o[i];
                }
            }
        }
    }

    /// <summary>The bounds of <see cref="Paeth1"/> for one pixel (scalar, for the first pixel and a chunk's tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PaethBounds(int b, int c, int raw, short* buf, int i)
    {
        int dd = b - c;
        int t = dd > 0 ? -(dd >> 1) : ((-dd) >> 1) + 1;
        short rb = (short)((raw + b) & 0xFF);
        short rc = (short)((raw + c) & 0xFF);
        buf[i] = (short)raw;
        buf[PaethSection + i] = (short)(c + Math.Min(dd, -2 * dd));
        buf[(2 * PaethSection) + i] = (short)(c + Math.Max(dd, -2 * dd));
        buf[(3 * PaethSection) + i] = (short)(c + t - 1);
        buf[(4 * PaethSection) + i] = dd > 0 ? rc : rb;
        buf[(5 * PaethSection) + i] = dd > 0 ? rb : rc;
    }

    /// <summary>16 bytes at <paramref name="p"/> widened to 16 shorts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<short> Widen16(byte* p)
        => Avx2.IsSupported ? Avx2.ConvertToVector256Int16(p) : Vector256.WidenLower(Vector256.Create(Vector128.Load(p), Vector128<byte>.Zero)).AsInt16();

    /// <summary>mask ? t : f per lane, mask lanes all ones or all zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Select(Vector256<short> mask, Vector256<short> t, Vector256<short> f)
        => Avx2.IsSupported ? Avx2.BlendVariable(f, t, mask) : Vector256.ConditionalSelect(mask, t, f);

    /// <summary>mask ? t : f per lane, mask lanes all ones or all zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Select(Vector128<short> mask, Vector128<short> t, Vector128<short> f)
        => Sse41.IsSupported ? Sse41.BlendVariable(f, t, mask) : Vector128.ConditionalSelect(mask, t, f);

    /// <summary>Paeth, 1 byte per pixel, without SIMD (the same derivation as <see cref="Paeth1"/>).</summary>
    private static void Paeth1Scalar(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int a = 0;
        int c = 0;
        for (int x = 0; x < n; x++)
        {
            int b = Unsafe.Add(ref u, x);
            a = (byte)(Unsafe.Add(ref d, x) + PaethPredictor(a, b, c));
            Unsafe.Add(ref d, x) = (byte)a;
            c = b;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PaethN(Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        for (int x = 0; x < bpp && x < n; x++)
        {
            Unsafe.Add(ref d, x) += Unsafe.Add(ref u, x); // a = c = 0: the predictor is b
        }

        for (int x = bpp; x < n; x++)
        {
            int a = Unsafe.Add(ref d, x - bpp);
            int b = Unsafe.Add(ref u, x);
            int c = Unsafe.Add(ref u, x - bpp);
            int pa = Math.Abs(b - c);
            int pb = Math.Abs(a - c);
            int pc = Math.Abs(a + b - c - c);
            int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
            Unsafe.Add(ref d, x) += (byte)pred;
        }
    }

    /// <summary>dst[x] = src[x] (0..255).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WidenBytes(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int n = dst.Length;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref float o = ref MemoryMarshal.GetReference(dst);
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; x <= n - 32; x += 32)
            {
                var v = Vector256.LoadUnsafe(ref s, (nuint)x);
                var (lo16, hi16) = Vector256.Widen(v);
                var (a, b) = Vector256.Widen(lo16);
                var (c, e) = Vector256.Widen(hi16);
                Vector256.ConvertToSingle(a.AsInt32()).StoreUnsafe(ref o, (nuint)x);
                Vector256.ConvertToSingle(b.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 8));
                Vector256.ConvertToSingle(c.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 16));
                Vector256.ConvertToSingle(e.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 24));
            }
        }

        for (; x < n; x++)
        {
            Unsafe.Add(ref o, x) = Unsafe.Add(ref s, x);
        }
    }

    /// <summary>dst[x] = the big-endian 16-bit sample at byte 2 * step * x (0..65535).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WidenBigEndianU16(ReadOnlySpan<byte> src, Span<float> dst, int step)
    {
        int n = dst.Length;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref float o = ref MemoryMarshal.GetReference(dst);
        int x = 0;
        if (step == 1 && Vector256.IsHardwareAccelerated)
        {
            for (; x <= n - 16; x += 16)
            {
                var v = Vector256.LoadUnsafe(ref s, (nuint)(2 * x)).AsUInt16();
                v = (v << 8) | (v >> 8);
                var (a, b) = Vector256.Widen(v);
                Vector256.ConvertToSingle(a.AsInt32()).StoreUnsafe(ref o, (nuint)x);
                Vector256.ConvertToSingle(b.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 8));
            }
        }

        for (; x < n; x++)
        {
            int i = 2 * step * x;
            Unsafe.Add(ref o, x) = (Unsafe.Add(ref s, i) << 8) | Unsafe.Add(ref s, i + 1);
        }
    }
}

/// <summary>CRC-32 (ISO-HDLC, the PNG/zlib polynomial 0xEDB88320 reflected): carry-less multiplication where the CPU has it, else slicing by 8.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Build();

    public static uint Compute(ReadOnlySpan<byte> data) => Compute(data, Pclmulqdq.IsSupported);

    /// <summary>The CRC, with carry-less multiplication or (<paramref name="fold"/> false, or no PCLMULQDQ) the tables only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static uint Compute(ReadOnlySpan<byte> data, bool fold)
    {
        uint crc = 0xFFFFFFFFu;
        var t = Table;
        int i = 0;
        ref byte p = ref MemoryMarshal.GetReference(data);
        if (fold && Pclmulqdq.IsSupported && data.Length >= 64)
        {
            i = data.Length & ~15;
            crc = Fold(ref p, i, crc);
        }

        for (; i <= data.Length - 8; i += 8)
        {
            uint lo = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
            uint hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 4));
            if (!BitConverter.IsLittleEndian)
            {
                lo = BinaryPrimitives.ReverseEndianness(lo);
                hi = BinaryPrimitives.ReverseEndianness(hi);
            }

            lo ^= crc;
            crc = t[(7 * 256) + (lo & 0xFF)] ^ t[(6 * 256) + ((lo >> 8) & 0xFF)] ^ t[(5 * 256) + ((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (lo >> 24)]
                ^ t[(3 * 256) + (hi & 0xFF)] ^ t[(2 * 256) + ((hi >> 8) & 0xFF)] ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
        }

        for (; i < data.Length; i++)
        {
            crc = t[(crc ^ Unsafe.Add(ref p, i)) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>
    /// The CRC register after <paramref name="length"/> bytes (a multiple of 16, at least 64) by carry-less
    /// multiplication: four 128-bit lanes folded 64 bytes at a time, then to one lane, then Barrett reduction
    /// (Intel, "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ", with the bit-reflected constants
    /// of the PNG/zlib polynomial, as in zlib-ng and Chromium's zlib).
    /// </summary>
    private static uint Fold(ref byte p, int length, uint crc)
    {
        var k1k2 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
        var k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        var k5k0 = Vector128.Create(0x0163cd6124UL, 0UL);
        var poly = Vector128.Create(0x01db710641UL, 0x01f7011641UL);
        var x1 = Vector128.LoadUnsafe(ref p).AsUInt64() ^ Vector128.CreateScalar(crc).AsUInt64();
        var x2 = Vector128.LoadUnsafe(ref p, 16).AsUInt64();
        var x3 = Vector128.LoadUnsafe(ref p, 32).AsUInt64();
        var x4 = Vector128.LoadUnsafe(ref p, 48).AsUInt64();
        int i = 64;
        for (; i + 64 <= length; i += 64)
        {
            x1 = Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)i).AsUInt64();
            x2 = Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 16)).AsUInt64();
            x3 = Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 32)).AsUInt64();
            x4 = Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 48)).AsUInt64();
        }

        x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ x2;
        x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ x3;
        x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ x4;
        for (; i + 16 <= length; i += 16)
        {
            x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)i).AsUInt64();
        }

        // 128 -> 64 bits.
        var low32 = Vector128.Create(0xFFFFFFFFu, 0, 0xFFFFFFFFu, 0).AsUInt64();
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x10);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & low32, k5k0, 0x00) ^ Sse2.ShiftRightLogical128BitLane(x1, 4);

        // Barrett reduction to 32 bits.
        var x2b = Pclmulqdq.CarrylessMultiply(x1 & low32, poly, 0x10);
        x2b = Pclmulqdq.CarrylessMultiply(x2b & low32, poly, 0x00);
        return (x1 ^ x2b).AsUInt32().GetElement(1);
    }

    private static uint[] Build()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            t[n] = c;
        }

        for (int s = 1; s < 8; s++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint prev = t[((s - 1) * 256) + n];
                t[(s * 256) + n] = t[prev & 0xFF] ^ (prev >> 8);
            }
        }

        return t;
    }
}

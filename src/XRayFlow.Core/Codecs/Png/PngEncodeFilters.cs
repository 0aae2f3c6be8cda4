using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// The PNG scanline filters applied (encoding; PNG spec section 9) and the per-row choice among them.
/// Scalar meaning, with x the byte index in the row, bpp the bytes per complete pixel, raw the row's bytes,
/// prior the row above's (zeros above the first row), a = raw[x - bpp] (0 for x &lt; bpp), b = prior[x],
/// c = prior[x - bpp] (0 for x &lt; bpp), all arithmetic modulo 256:
/// 0 None: raw[x]; 1 Sub: raw[x] - a; 2 Up: raw[x] - b; 3 Average: raw[x] - floor((a + b) / 2);
/// 4 Paeth: raw[x] - the one of a, b, c closest to p = a + b - c (ties: a, then b, then c).
/// The per-row choice (<see cref="Choose"/>) is libpng's heuristic: the filter whose output has the least sum
/// of absolute values, the bytes read as signed (ties: the lower filter number).
/// <see cref="FilterScalar"/> is that meaning written plainly; <see cref="Filter"/> is the SIMD version,
/// tested equal for every length 1..80 and bpp 1, 2, 3.
/// </summary>
internal static class PngEncodeFilters
{
    /// <summary>How the encoder picks each row's filter.</summary>
    public enum Choice
    {
        /// <summary>Filter 0 on every row (used for compression 0, where filtering buys nothing).</summary>
        None,

        /// <summary>Filter 2 (Up) on every row: the encoder's choice before issue 16.</summary>
        Up,

        /// <summary>Per row, the filter of least sum of absolute values (libpng's heuristic, as OpenCV writes).</summary>
        Adaptive,
    }

    /// <summary>Writes filter <paramref name="filter"/> of <paramref name="raw"/> into <paramref name="dst"/> (same length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Filter(byte filter, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prior, Span<byte> dst, int bpp)
    {
        int n = raw.Length;
        int head = Math.Min(bpp, n);
        switch (filter)
        {
            case 0:
                raw.CopyTo(dst);
                return;
            case 1:
                raw[..head].CopyTo(dst);
                if (n > bpp)
                {
                    System.Numerics.Tensors.TensorPrimitives.Subtract(raw[bpp..], raw[..(n - bpp)], dst[bpp..]);
                }

                return;
            case 2:
                System.Numerics.Tensors.TensorPrimitives.Subtract(raw, prior, dst);
                return;
            case 3:
                for (int x = 0; x < head; x++)
                {
                    dst[x] = (byte)(raw[x] - (prior[x] >> 1));
                }

                Average(raw, prior, dst, bpp, head);
                return;
            case 4:
                for (int x = 0; x < head; x++)
                {
                    dst[x] = (byte)(raw[x] - prior[x]); // a = c = 0: Paeth predicts b
                }

                Paeth(raw, prior, dst, bpp, head);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(filter), filter, "PNG filter types are 0..4");
        }
    }

    /// <summary>
    /// Filters <paramref name="raw"/> with the filter <paramref name="choice"/> picks, into <paramref name="line"/>
    /// (the filter byte, then the row: length raw + 1). <paramref name="scratch"/> holds a candidate row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Choose(Choice choice, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prior, Span<byte> line, Span<byte> scratch, int bpp)
    {
        int n = raw.Length;
        var best = line.Slice(1, n);
        if (choice == Choice.None)
        {
            line[0] = 0;
            raw.CopyTo(best);
            return;
        }

        if (choice == Choice.Up)
        {
            line[0] = 2;
            Filter(2, raw, prior, best, bpp);
            return;
        }

        var candidate = scratch[..n];
        line[0] = 0;
        raw.CopyTo(best);
        ulong bestSum = SumAbs(best);
        for (byte f = 1; f <= 4; f++)
        {
            Filter(f, raw, prior, candidate, bpp);
            ulong sum = SumAbs(candidate);
            if (sum < bestSum)
            {
                bestSum = sum;
                line[0] = f;
                candidate.CopyTo(best);
            }
        }
    }

    /// <summary>Sum over the bytes, each read as signed, of its absolute value (|-128| = 128).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ulong SumAbs(ReadOnlySpan<byte> row)
    {
        ulong total = 0;
        int x = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // |(sbyte)v| as a byte = min(v, 256 - v); 16-bit lane sums flushed every 64 vectors (64 x 2 x 255 < 65536).
            while (x <= row.Length - Vector128<byte>.Count)
            {
                var acc = Vector128<ushort>.Zero;
                for (int k = 0; k < 64 && x <= row.Length - Vector128<byte>.Count; k++, x += Vector128<byte>.Count)
                {
                    var v = Vector128.Create(row.Slice(x, Vector128<byte>.Count));
                    var abs = Vector128.Min(v, Vector128<byte>.Zero - v);
                    var (lo, hi) = Vector128.Widen(abs);
                    acc += lo + hi;
                }

                var (l, h) = Vector128.Widen(acc);
                total += Vector128.Sum(l + h);
            }
        }

        for (; x < row.Length; x++)
        {
            int s = (sbyte)row[x];
            total += (ulong)(s < 0 ? -s : s);
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Average(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prior, Span<byte> dst, int bpp, int x)
    {
        int n = raw.Length;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; x <= n - Vector128<byte>.Count; x += Vector128<byte>.Count)
            {
                var a = Vector128.Create(raw.Slice(x - bpp, Vector128<byte>.Count));
                var b = Vector128.Create(prior.Slice(x, Vector128<byte>.Count));
                var avg = (a & b) + ((a ^ b) >>> 1); // floor((a + b) / 2) without overflow
                (Vector128.Create(raw.Slice(x, Vector128<byte>.Count)) - avg).CopyTo(dst[x..]);
            }
        }

        for (; x < n; x++)
        {
            dst[x] = (byte)(raw[x] - ((raw[x - bpp] + prior[x]) >> 1));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Paeth(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prior, Span<byte> dst, int bpp, int x)
    {
        int n = raw.Length;
        if (Vector128.IsHardwareAccelerated)
        {
            for (; x <= n - Vector128<byte>.Count; x += Vector128<byte>.Count)
            {
                var (aLo, aHi) = Vector128.Widen(Vector128.Create(raw.Slice(x - bpp, Vector128<byte>.Count)));
                var (bLo, bHi) = Vector128.Widen(Vector128.Create(prior.Slice(x, Vector128<byte>.Count)));
                var (cLo, cHi) = Vector128.Widen(Vector128.Create(prior.Slice(x - bpp, Vector128<byte>.Count)));
                var predicted = Vector128.Narrow(
                    Predict(aLo.AsInt16(), bLo.AsInt16(), cLo.AsInt16()).AsUInt16(),
                    Predict(aHi.AsInt16(), bHi.AsInt16(), cHi.AsInt16()).AsUInt16());
                (Vector128.Create(raw.Slice(x, Vector128<byte>.Count)) - predicted).CopyTo(dst[x..]);
            }
        }

        for (; x < n; x++)
        {
            dst[x] = (byte)(raw[x] - PaethPredictor(raw[x - bpp], prior[x], prior[x - bpp]));
        }
    }

    private static Vector128<short> Predict(Vector128<short> a, Vector128<short> b, Vector128<short> c)
    {
        var pa = Vector128.Abs(b - c);     // |p - a|
        var pb = Vector128.Abs(a - c);     // |p - b|
        var pc = Vector128.Abs(a + b - c - c); // |p - c|
        var useA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
        var useB = Vector128.LessThanOrEqual(pb, pc);
        return Vector128.ConditionalSelect(useA, a, Vector128.ConditionalSelect(useB, b, c));
    }

    private static byte PaethPredictor(byte a, byte b, byte c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>The filters exactly as the PNG spec writes them, one byte at a time (the test reference).</summary>
    public static void FilterScalar(byte filter, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prior, Span<byte> dst, int bpp)
    {
        for (int x = 0; x < raw.Length; x++)
        {
            int a = x >= bpp ? raw[x - bpp] : 0;
            int b = prior[x];
            int c = x >= bpp ? prior[x - bpp] : 0;
            int predicted = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => PaethPredictor((byte)a, (byte)b, (byte)c),
                _ => throw new ArgumentOutOfRangeException(nameof(filter)),
            };
            dst[x] = (byte)(raw[x] - predicted);
        }
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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

        if (Avx2.IsSupported && n >= Vector256<byte>.Count + bpp)
        {
            byte f = LeastSumFilter(raw, prior, bpp);
            line[0] = f;
            Filter(f, raw, prior, best, bpp);
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

    /// <summary>
    /// The adaptive choice in one pass: each filter's sum of magnitudes (as <see cref="SumAbs"/> of its
    /// <see cref="Filter"/> output) accumulated 32 bytes at a time without writing any candidate row, then the least
    /// (ties: the lower number). Paeth's predictor is computed on bytes (<see cref="PredictBytes"/>). Tested equal to
    /// filtering each candidate and summing it, for every length and bpp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static byte LeastSumFilter(ReadOnlySpan<byte> raw, ReadOnlySpan<byte> prior, int bpp)
    {
        int n = raw.Length;
        int head = Math.Min(bpp, n);
        Span<ulong> sum = stackalloc ulong[5];
        for (int x = 0; x < head; x++)
        {
            // a = c = 0: Sub is the raw byte, Paeth predicts b.
            int r = raw[x], b = prior[x];
            sum[0] += Magnitude(r);
            sum[1] += Magnitude(r);
            sum[2] += Magnitude(r - b);
            sum[3] += Magnitude(r - (b >> 1));
            sum[4] += Magnitude(r - b);
        }

        int i = head;
        if (Avx2.IsSupported && n - head >= Vector256<byte>.Count)
        {
            var zero = Vector256<byte>.Zero;
            var all = Vector256<byte>.AllBitsSet;
            Vector256<ulong> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default;
            for (; ; i += Vector256<byte>.Count)
            {
                var keep = all;
                if (i > n - Vector256<byte>.Count)
                {
                    // The last, partial step: the vector ending at the row's end, its lanes already counted masked off.
                    keep = Vector256.GreaterThanOrEqual(Lanes, Vector256.Create((byte)(i - (n - Vector256<byte>.Count))));
                    i = n - Vector256<byte>.Count;
                }

                var v = Vector256.Create(raw.Slice(i, Vector256<byte>.Count));
                var a = Vector256.Create(raw.Slice(i - bpp, Vector256<byte>.Count));
                var b = Vector256.Create(prior.Slice(i, Vector256<byte>.Count));
                var c = Vector256.Create(prior.Slice(i - bpp, Vector256<byte>.Count));
                s0 += Avx2.SumAbsoluteDifferences(Abs(v) & keep, zero).AsUInt64();
                s1 += Avx2.SumAbsoluteDifferences(Abs(v - a) & keep, zero).AsUInt64();
                s2 += Avx2.SumAbsoluteDifferences(Abs(v - b) & keep, zero).AsUInt64();
                s3 += Avx2.SumAbsoluteDifferences(Abs(v - ((a & b) + ((a ^ b) >>> 1))) & keep, zero).AsUInt64();
                s4 += Avx2.SumAbsoluteDifferences(Abs(v - PredictBytes(a, b, c)) & keep, zero).AsUInt64();
                if (i == n - Vector256<byte>.Count)
                {
                    break;
                }
            }

            sum[0] += Vector256.Sum(s0);
            sum[1] += Vector256.Sum(s1);
            sum[2] += Vector256.Sum(s2);
            sum[3] += Vector256.Sum(s3);
            sum[4] += Vector256.Sum(s4);
            i = n;
        }

        for (; i < n; i++)
        {
            int r = raw[i], a = raw[i - bpp], b = prior[i], c = prior[i - bpp];
            sum[0] += Magnitude(r);
            sum[1] += Magnitude(r - a);
            sum[2] += Magnitude(r - b);
            sum[3] += Magnitude(r - ((a + b) >> 1));
            sum[4] += Magnitude(r - PaethPredictor((byte)a, (byte)b, (byte)c));
        }

        byte best = 0;
        for (byte f = 1; f <= 4; f++)
        {
            if (sum[f] < sum[best])
            {
                best = f;
            }
        }

        return best;

        static ulong Magnitude(int d)
        {
            int s = (sbyte)(byte)d;
            return (ulong)(s < 0 ? -s : s);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static Vector256<byte> Abs(Vector256<byte> d) => Vector256.Min(d, Vector256<byte>.Zero - d); // |(sbyte)d| as a byte
    }

    /// <summary>
    /// Paeth's predictor on unsigned bytes, no widening: pa = |b - c|, pb = |a - c|, and pc = |(b - c) + (a - c)| is
    /// pa + pb where b - c and a - c have the same sign (a zero has both) and |pa - pb| where not. The sum can pass
    /// 255; it is saturated there, which changes no comparison the predictor makes: pa and pb are at most 255, so
    /// "pa &lt;= pc" and "pb &lt;= pc" hold for the true pc and for 255 alike.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> PredictBytes(Vector256<byte> a, Vector256<byte> b, Vector256<byte> c)
    {
        var pa = Vector256.Max(b, c) - Vector256.Min(b, c);
        var pb = Vector256.Max(a, c) - Vector256.Min(a, c);
        var sameSign = ~(Vector256.GreaterThanOrEqual(b, c) ^ Vector256.GreaterThanOrEqual(a, c));
        var sum = pa + pb;
        var saturated = sum | Vector256.LessThan(sum, pa); // wrapped: 255
        var pc = Vector256.ConditionalSelect(sameSign, saturated, Vector256.Max(pa, pb) - Vector256.Min(pa, pb));
        var useA = Vector256.LessThanOrEqual(pa, pb) & Vector256.LessThanOrEqual(pa, pc);
        var useB = Vector256.LessThanOrEqual(pb, pc);
        return Vector256.ConditionalSelect(useA, a, Vector256.ConditionalSelect(useB, b, c));
    }

    /// <summary>0, 1, ..., 31: a lane's index.</summary>
    private static Vector256<byte> Lanes => Vector256.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31);

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
        if (Vector256.IsHardwareAccelerated && n - x >= Vector256<byte>.Count)
        {
            for (; ; x += Vector256<byte>.Count)
            {
                x = Math.Min(x, n - Vector256<byte>.Count); // the last step ends at the row's end
                var a = Vector256.Create(raw.Slice(x - bpp, Vector256<byte>.Count));
                var b = Vector256.Create(prior.Slice(x, Vector256<byte>.Count));
                (Vector256.Create(raw.Slice(x, Vector256<byte>.Count)) - ((a & b) + ((a ^ b) >>> 1))).CopyTo(dst[x..]);
                if (x == n - Vector256<byte>.Count)
                {
                    return;
                }
            }
        }

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
        if (Vector256.IsHardwareAccelerated && n - x >= Vector256<byte>.Count)
        {
            // 32 bytes at a time, the predictor on bytes; the last step ends at the row's end (it rewrites some bytes
            // with the same values: a filtered byte depends on raw and prior only).
            for (; ; x += Vector256<byte>.Count)
            {
                x = Math.Min(x, n - Vector256<byte>.Count);
                var a = Vector256.Create(raw.Slice(x - bpp, Vector256<byte>.Count));
                var b = Vector256.Create(prior.Slice(x, Vector256<byte>.Count));
                var c = Vector256.Create(prior.Slice(x - bpp, Vector256<byte>.Count));
                (Vector256.Create(raw.Slice(x, Vector256<byte>.Count)) - PredictBytes(a, b, c)).CopyTo(dst[x..]);
                if (x == n - Vector256<byte>.Count)
                {
                    return;
                }
            }
        }

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

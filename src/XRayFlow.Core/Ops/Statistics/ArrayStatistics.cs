using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// Histogram and summary statistics with NumPy/SciPy semantics, accumulated in double / long.
/// Each has a scalar reference (<c>...Scalar</c>) that DEFINES its meaning and a vectorised path that must give
/// bit-identical results (tests: Engine/StatisticsFastPathTests); the public entry point picks the vectorised
/// path when AVX2 is available.
/// </summary>
public static class ArrayStatistics
{
    /// <summary>
    /// The bin edges of scipy.ndimage.histogram: numpy.linspace(min, max, bins + 1) in double, i.e.
    /// edge[i] = i * ((max - min) / bins) + min, and edge[bins] = max exactly.
    /// </summary>
    public static double[] Edges(double min, double max, int bins)
    {
        var edges = new double[bins + 1];
        double step = (max - min) / bins;
        for (int i = 0; i <= bins; i++)
        {
            edges[i] = step == 0 ? min : (i * step) + min;
        }

        edges[bins] = max;
        return edges;
    }

    // ================================================================================ histogram

    /// <summary>
    /// scipy.ndimage.histogram(x, min, max, bins) = numpy.histogram(x, edges)[0]: bin i counts
    /// edge[i] &lt;= x &lt; edge[i+1] (compared in double), the last bin also counts x == max. Values below
    /// min, above max, and NaN are not counted. Meaning: <see cref="HistogramScalar"/>; with AVX2 and edges as
    /// <see cref="Edges"/> makes them, the same counts from a vectorised float bin estimate checked against
    /// float thresholds equivalent to the double edges (and <paramref name="threads"/> chunks counted in
    /// parallel and added).
    /// </summary>
    public static long[] Histogram(ReadOnlySpan<float> x, double[] edges, int threads = 1)
        => HistogramFast(x, edges, threads) ?? HistogramScalar(x, edges);

    /// <summary>The vectorised histogram, or null where it does not apply (no AVX2, or edges not linspace-made).</summary>
    internal static long[]? HistogramFast(ReadOnlySpan<float> x, double[] edges, int threads)
        => Avx2.IsSupported && LinearBins.TryCreate(edges, out var p) ? HistogramSimd(x, edges, p, threads) : null;

    /// <summary>The reference meaning of <see cref="Histogram"/>: one value at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static long[] HistogramScalar(ReadOnlySpan<float> x, double[] edges)
    {
        int bins = edges.Length - 1;
        var counts = new long[bins];
        var p = LinearBins.Of(edges);
        foreach (float f in x)
        {
            int b = BinOf(f, edges, p);
            if (b >= 0)
            {
                counts[b]++;
            }
        }

        return counts;
    }

    /// <summary>
    /// The bin of one value, or -1 when it is not counted: outside [edge[0], edge[bins]] or NaN. The estimate
    /// b = (int)((v - lo) / step) (clamped to the bins) can be one off near an edge: it is settled against the exact edges.
    /// </summary>
    private static int BinOf(float f, double[] edges, in LinearBins p)
    {
        double v = f;
        if (!(v >= p.Lo && v <= p.Hi))
        {
            return -1; // outside, or NaN
        }

        int bins = p.Bins;
        if (p.Inv == 0)
        {
            return bins - 1; // min == max: only x == max is inside, in the last bin
        }

        int b = (int)((v - p.Lo) * p.Inv);
        b = Math.Clamp(b, 0, bins - 1);
        while (b > 0 && v < edges[b])
        {
            b--;
        }

        while (b < bins - 1 && v >= edges[b + 1])
        {
            b++;
        }

        return b;
    }

    /// <summary>lo = edge[0], hi = edge[bins], step = (hi - lo) / bins, inv = 1 / step (0 when step is 0).</summary>
    private readonly record struct LinearBins(int Bins, double Lo, double Hi, double Step, double Inv)
    {
        public static LinearBins Of(double[] edges)
        {
            int bins = edges.Length - 1;
            double lo = edges[0], hi = edges[bins];
            double step = (hi - lo) / bins;
            return new LinearBins(bins, lo, hi, step, step > 0 ? 1.0 / step : 0);
        }

        /// <summary>
        /// True when the vectorised path applies: a positive step whose inverse is a finite float, and every edge
        /// but the last equal to i * step + lo (so the edges are non-decreasing and the estimate is good).
        /// </summary>
        public static bool TryCreate(double[] edges, out LinearBins p)
        {
            p = Of(edges);
            if (p.Bins < 1 || !(p.Step > 0) || !float.IsFinite((float)p.Inv) || !double.IsFinite(p.Lo) || !double.IsFinite(p.Hi) || p.Bins > (1 << 26))
            {
                return false;
            }

            for (int i = 0; i < p.Bins; i++)
            {
                if (edges[i] != (i * p.Step) + p.Lo)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private const int HistogramBlock = 1024;

    private static long[] HistogramSimd(ReadOnlySpan<float> x, double[] edges, LinearBins p, int threads)
    {
        int bins = p.Bins;

        // Four interleaved counters per bin (index b * 4 + lane) so that runs of equal values do not wait on
        // one counter; a spare bin `bins` takes the lanes that are not counted.
        int shift = bins <= (1 << 16) ? 2 : 0;
        int stride = 1 << shift;
        int parts = Math.Max(1, Math.Min(threads, x.Length / (1 << 17)));
        var counts = new long[bins];
        var thresholds = Thresholds(edges, p);
        var partial = SpanParts.Map(x, parts, 8, part =>
        {
            var c = new int[(bins + 1) << shift];
            HistogramChunk(part, edges, p, thresholds, c, shift);
            return c;
        });
        foreach (var c in partial)
        {
            Merge(c, counts, shift, stride);
        }

        return counts;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Merge(int[] c, long[] counts, int shift, int stride)
    {
        for (int b = 0; b < counts.Length; b++)
        {
            long s = 0;
            for (int l = 0; l < stride; l++)
            {
                s += c[(b << shift) + l];
            }

            counts[b] += s;
        }
    }

    /// <summary>
    /// The edges as float thresholds: t[i] = the smallest float f with (double)f &gt;= edge[i] (i &lt; bins), so that
    /// for every float v, v &gt;= t[i] exactly when (double)v &gt;= edge[i]; t[bins] = +inf; and t[bins + 1] = the
    /// largest float f with (double)f &lt;= max (v &lt;= it exactly when (double)v &lt;= max).
    /// </summary>
    private static float[] Thresholds(double[] edges, in LinearBins p)
    {
        var t = new float[p.Bins + 2];
        for (int i = 0; i < p.Bins; i++)
        {
            t[i] = SmallestFloatAtLeast(edges[i]);
        }

        t[p.Bins] = float.PositiveInfinity;
        float hi = (float)p.Hi;
        if ((double)hi > p.Hi)
        {
            hi = MathF.BitDecrement(hi);
        }
        else
        {
            while (hi < float.PositiveInfinity && (double)MathF.BitIncrement(hi) <= p.Hi)
            {
                hi = MathF.BitIncrement(hi);
            }
        }

        t[p.Bins + 1] = hi;
        return t;
    }

    private static float SmallestFloatAtLeast(double e)
    {
        float f = (float)e;
        if ((double)f < e)
        {
            return MathF.BitIncrement(f);
        }

        while (f > float.NegativeInfinity && (double)MathF.BitDecrement(f) >= e)
        {
            f = MathF.BitDecrement(f);
        }

        return f;
    }

    /// <summary>
    /// Counts a chunk into counters[bin &lt;&lt; shift | lane]. Eight values at a time in float: the estimate
    /// b = (int)(((float)v - lo) * inv) clamped to the bins stands when t[b] &lt;= v &lt; t[b + 1] (thresholds
    /// gathered; exact, see <see cref="Thresholds"/>): with non-decreasing edges that is the bin the scalar settle
    /// loops reach. Other values inside [min, max] are counted by <see cref="BinOf"/> itself, after the block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HistogramChunk(ReadOnlySpan<float> x, double[] edges, in LinearBins p, float[] thresholds, int[] counts, int shift)
    {
        int n = x.Length;
        int bins = p.Bins;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref int c0 = ref MemoryMarshal.GetArrayDataReference(counts);
        var lo = Vector256.Create((float)p.Lo);
        var inv = Vector256.Create((float)p.Inv);
        var first = Vector256.Create(thresholds[0]);
        var top = Vector256.Create(thresholds[bins + 1]);
        var last = Vector256.Create(bins - 1);
        var spare = Vector256.Create(bins);
        var lanes = shift == 0 ? Vector256<int>.Zero : Vector256.Create(0, 1, 2, 3, 0, 1, 2, 3);
        Span<int> idx = stackalloc int[HistogramBlock];
        Span<int> settle = stackalloc int[HistogramBlock / 8];
        ref int i0 = ref MemoryMarshal.GetReference(idx);
        ref int s0 = ref MemoryMarshal.GetReference(settle);
        fixed (float* t0 = thresholds)
        {
            int i = 0;
            while (n - i >= 8)
            {
                int len = Math.Min(HistogramBlock, n - i) & ~7;
                int settled = 0;
                for (int j = 0; j < len; j += 8)
                {
                    var v = Vector256.LoadUnsafe(ref x0, (nuint)(i + j));
                    var inside = Vector256.GreaterThanOrEqual(v, first) & Vector256.LessThanOrEqual(v, top);
                    var b = Avx.ConvertToVector256Int32WithTruncation((v - lo) * inv);
                    b = Vector256.Min(Vector256.Max(b, Vector256<int>.Zero), last);
                    // t[b] and t[b + 1] as one 8-byte gather per value (half the gathered elements of two float
                    // gathers), then split into the two vectors in lane order.
                    var g0 = Avx2.GatherVector256((double*)t0, b.GetLower(), 4).AsSingle();
                    var g1 = Avx2.GatherVector256((double*)t0, b.GetUpper(), 4).AsSingle();
                    var below = Avx2.Permute4x64(Avx.Shuffle(g0, g1, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
                    var above = Avx2.Permute4x64(Avx.Shuffle(g0, g1, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
                    var stands = Vector256.GreaterThanOrEqual(v, below) & Vector256.LessThan(v, above);
                    var counted = (inside & stands).AsInt32();
                    uint move = Vector256.AndNot(inside, stands).ExtractMostSignificantBits();
                    var bin = Vector256.ConditionalSelect(counted, b, spare);
                    (Vector256.ShiftLeft(bin, shift) | lanes).StoreUnsafe(ref i0, (nuint)j);
                    if (move != 0)
                    {
                        Unsafe.Add(ref s0, settled++) = (j << 8) | (int)move; // lanes to settle, done after the block
                    }
                }

                for (int j = 0; j < len; j += 4)
                {
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j))++;
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j + 1))++;
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j + 2))++;
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j + 3))++;
                }

                for (int t = 0; t < settled; t++)
                {
                    int e = Unsafe.Add(ref s0, t);
                    for (uint m = (uint)e & 0xFF; m != 0; m &= m - 1)
                    {
                        int k = BinOf(Unsafe.Add(ref x0, i + (e >> 8) + BitOperations.TrailingZeroCount(m)), edges, p);
                        Unsafe.Add(ref c0, k << shift)++;
                    }
                }

                i += len;
            }

            for (; i < n; i++)
            {
                int k = BinOf(Unsafe.Add(ref x0, i), edges, p);
                if (k >= 0)
                {
                    Unsafe.Add(ref c0, k << shift)++;
                }
            }
        }
    }

    // ================================================================================ summary

    /// <summary>Summary of all values, in double: min, max, mean, median, std (population, ddof = 0).</summary>
    public readonly record struct Summary(long Count, double Min, double Max, double Mean, double Median, double Std);

    private static readonly Summary Empty = new(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

    /// <summary>
    /// NumPy semantics on x.astype(float64), bit for bit (numpy 1.24): see <see cref="SummarizeScalar"/>.
    /// Vectorised with AVX2; <paramref name="threads"/> &gt; 1 splits the passes into parallel chunks with the same results.
    /// </summary>
    public static Summary Summarize(ReadOnlySpan<float> x, int threads = 1)
        => Avx2.IsSupported ? SummarizeFast(x, threads) : SummarizeScalar(x);

    /// <summary>The vectorised <see cref="Summarize"/> (needs AVX2).</summary>
    internal static Summary SummarizeFast(ReadOnlySpan<float> x, int threads)
    {
        int n = x.Length;
        if (n == 0)
        {
            return Empty;
        }

        // Pass 1: numpy's sum with the smallest and largest value, and the median's sampled window copied out
        // on the way (wasted if there is a NaN: rare, and then the whole summary is NaN).
        int parts = PartsFor(n, threads);
        int r2 = n / 2, r1 = (n & 1) == 1 ? r2 : r2 - 1;
        using var window = n > SmallSelect ? SampleWindow(x, r1, r2, 3, bounds: false) : null;
        var pass1 = RunPass(x, parts, false, 0, window);
        double sum = pass1.Sum;
        if (double.IsNaN(sum) && HasNaN(x))
        {
            return Empty with { Count = n };
        }

        double min = pass1.Min == 0 ? FirstZero(x) : pass1.Min;
        double max = pass1.Max == 0 ? FirstZero(x) : pass1.Max;
        double mean = sum / n;

        // Pass 2: numpy's sum of squares about the mean.
        double std = Math.Sqrt(RunPass(x, parts, true, mean, null).Sum / n);
        var middle = window is not null && window.Holds(r1, r2) ? window.Select(r1, r2, 1) : SelectPair(x, r1, r2, 0);

        return new Summary(n, min, max, mean, MeanOfMiddle(middle.Lower, middle.Upper, n), std);
    }

    private static int PartsFor(int n, int threads) => Math.Max(1, Math.Min(threads, n / (16 * NumpyBuffer)));

    private readonly record struct PassResult(double Sum, float Min, float Max);

    /// <summary>
    /// One pass over x: numpy's sum S(x) and the smallest and largest value, or with <paramref name="squares"/>
    /// S((x - mean)^2); and the window's count / copy when there is one. In <paramref name="parts"/> parallel ranges of
    /// whole 8192-value buffers: each buffer's pairwise sum is kept and the sums are added in order afterwards,
    /// so the result does not depend on the number of parts.
    /// </summary>
    private static unsafe PassResult RunPass(ReadOnlySpan<float> x, int parts, bool squares, double mean, Window? window)
    {
        int n = x.Length;
        int full = n / NumpyBuffer;
        var sums = new double[full];
        var mins = new float[parts];
        var maxs = new float[parts];
        var windows = new Window?[parts];
        int per = (full + parts - 1) / parts;
        fixed (float* px = x)
        {
            nint address = (nint)px;
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            void Part(int t)
            {
                var span = new ReadOnlySpan<float>((float*)address, n);
                ref float x0 = ref MemoryMarshal.GetReference(span);
                int c0 = Math.Min(t * per, full), c1 = Math.Min(c0 + per, full);
                var mn = Vector256.Create(float.PositiveInfinity);
                var mx = Vector256.Create(float.NegativeInfinity);
                var w = window is null ? null : t == 0 ? window : window.Part();
                for (int c = c0; c < c1; c++)
                {
                    ref float chunk = ref Unsafe.Add(ref x0, c * NumpyBuffer);
                    sums[c] = squares
                        ? FullBufferSimd<Square>(ref chunk, mean, ref mn, ref mx)
                        : FullBufferSimd<PlainMinMax>(ref chunk, 0, ref mn, ref mx);

                    // The window while the buffer is in the cache.
                    w?.Add(span.Slice(c * NumpyBuffer, NumpyBuffer));
                }

                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                for (int l = 0; l < 8; l++)
                {
                    lo = Math.Min(lo, mn[l]);
                    hi = Math.Max(hi, mx[l]);
                }

                mins[t] = lo;
                maxs[t] = hi;
                windows[t] = w;
            }

            if (parts == 1)
            {
                Part(0);
            }
            else
            {
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, Part);
            }
        }

        double s = 0.0;
        foreach (double c in sums)
        {
            s += c;
        }

        float min = mins.Min(), max = maxs.Max();
        int done = full * NumpyBuffer;
        if (done < n)
        {
            var tail = x[done..];
            ref float t0 = ref MemoryMarshal.GetReference(tail);
            if (!squares)
            {
                s += PairwiseSimd<Plain>(ref t0, tail.Length, 0);
                var (tlo, thi) = MinMaxSimd(tail);
                min = Math.Min(min, (float)tlo);
                max = Math.Max(max, (float)thi);
            }
            else
            {
                s += PairwiseSimd<Square>(ref t0, tail.Length, mean);
            }

            window?.Add(tail);
        }

        for (int t = 1; t < parts; t++)
        {
            window?.Merge(windows[t]!);
        }

        return new PassResult(s, min, max);
    }

    /// <summary>
    /// The reference meaning of <see cref="Summarize"/>, NumPy 1.24 on x.astype(float64):
    /// <list type="bullet">
    /// <item>any NaN makes every statistic NaN (as numpy's min/max/mean/median/std);</item>
    /// <item>min / max: the first value (in storage order) equal to the smallest / largest (this decides the
    /// sign of a zero extreme, where numpy's own choice depends on its SIMD code);</item>
    /// <item>mean = S(x) / n and std = sqrt(S((x - mean)^2) / n), where S is numpy's add.reduce: 0 plus the
    /// pairwise sums of consecutive 8192-value buffers (<see cref="NumpySumScalar"/>), so both equal numpy bit for bit;</item>
    /// <item>median: numpy.median, the mean (numpy's summation, so a zero median is +0) of the middle value or
    /// of the two middle values for an even count.</item>
    /// </list>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Summary SummarizeScalar(ReadOnlySpan<float> x)
    {
        long n = x.Length;
        if (n == 0)
        {
            return Empty;
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (float f in x)
        {
            if (float.IsNaN(f))
            {
                return Empty with { Count = n };
            }

            double v = f;
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }
        }

        double mean = NumpySumScalar(x, 0, false) / n;
        double std = Math.Sqrt(NumpySumScalar(x, mean, true) / n);
        return new Summary(n, min, max, mean, MedianScalar(x), std);
    }

    /// <summary>numpy.median of the values (NaN if any is NaN or there are none). Vectorised selection with AVX2.</summary>
    public static double Median(ReadOnlySpan<float> x) => Avx2.IsSupported ? MedianFast(x) : MedianScalar(x);

    /// <summary>The vectorised <see cref="Median"/> (needs AVX2).</summary>
    internal static double MedianFast(ReadOnlySpan<float> x)
    {
        if (x.Length == 0 || HasNaN(x))
        {
            return double.NaN;
        }

        var (a, b) = SelectMiddle(x);
        return MeanOfMiddle(a, b, x.Length);
    }

    /// <summary>
    /// The reference meaning of <see cref="Median"/>: numpy.median = mean of the middle value (odd count) or of
    /// the two middle values (even count) of the sorted values, by numpy's summation: (0 + lower + upper) / 2,
    /// so -0 medians are +0. Any NaN gives NaN. By quickselect on a copy.
    /// </summary>
    public static double MedianScalar(ReadOnlySpan<float> x)
    {
        if (x.Length == 0 || HasNaN(x))
        {
            return double.NaN;
        }

        var (a, b) = SelectPairQuick(x.ToArray(), x.Length / 2, (x.Length & 1) == 1);
        return MeanOfMiddle(a, b, x.Length);
    }

    /// <summary>numpy.mean of the one or two middle values: s = 0; s += lower; (s += upper); s / count.</summary>
    private static double MeanOfMiddle(float lower, float upper, int n)
    {
        double s = 0.0;
        s += lower;
        if ((n & 1) == 1)
        {
            return s / 1.0;
        }

        s += upper;
        return s / 2.0;
    }

    // -------------------------------------------------------------------------------- numpy summation

    /// <summary>numpy's buffer size: add.reduce sums each buffer of this many values pairwise, then adds the buffers in order.</summary>
    private const int NumpyBuffer = 8192;

    /// <summary>numpy's pairwise_sum: blocks of at most 128 summed in 8 interleaved accumulators.</summary>
    private const int PairwiseBlock = 128;

    /// <summary>
    /// The reference summation: numpy.add.reduce over t(x[i]) as float64, t(v) = v, or (v - mean)^2 when
    /// <paramref name="squares"/>: s = 0; for each consecutive buffer of 8192 values s += pairwise(buffer).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double NumpySumScalar(ReadOnlySpan<float> x, double mean, bool squares)
    {
        double s = 0.0;
        for (int c = 0; c < x.Length; c += NumpyBuffer)
        {
            s += PairwiseScalar(x.Slice(c, Math.Min(NumpyBuffer, x.Length - c)), mean, squares);
        }

        return s;
    }

    /// <summary>numpy's pairwise_sum (loops_utils.h.src), literally.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double PairwiseScalar(ReadOnlySpan<float> a, double mean, bool squares)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += Term(a[i], mean, squares);
            }

            return res;
        }

        if (n <= PairwiseBlock)
        {
            Span<double> r = stackalloc double[8];
            for (int j = 0; j < 8; j++)
            {
                r[j] = Term(a[j], mean, squares);
            }

            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int j = 0; j < 8; j++)
                {
                    r[j] += Term(a[i + j], mean, squares);
                }
            }

            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += Term(a[i], mean, squares);
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseScalar(a[..n2], mean, squares) + PairwiseScalar(a[n2..], mean, squares);
    }

    private static double Term(float f, double mean, bool squares)
    {
        double v = f;
        if (!squares)
        {
            return v;
        }

        double d = v - mean;
        return d * d;
    }

    private interface ITerm
    {
        /// <summary>Whether the pass also tracks the smallest and largest value.</summary>
        static virtual bool MinMax => false;

        static abstract Vector256<double> Of(Vector256<double> v, Vector256<double> mean);

        static abstract double Of(double v, double mean);
    }

    private readonly struct Plain : ITerm
    {
        public static Vector256<double> Of(Vector256<double> v, Vector256<double> mean) => v;

        public static double Of(double v, double mean) => v;
    }

    private readonly struct PlainMinMax : ITerm
    {
        public static bool MinMax => true;

        public static Vector256<double> Of(Vector256<double> v, Vector256<double> mean) => v;

        public static double Of(double v, double mean) => v;
    }

    private readonly struct Square : ITerm
    {
        public static Vector256<double> Of(Vector256<double> v, Vector256<double> mean)
        {
            var d = v - mean;
            return d * d;
        }

        public static double Of(double v, double mean)
        {
            double d = v - mean;
            return d * d;
        }
    }

    /// <summary>The same sum as <see cref="NumpySumScalar"/>, the 8 accumulators of a block as two 4-lane vectors.</summary>
    public static double NumpySumSimd(ReadOnlySpan<float> x, double mean, bool squares)
        => squares ? NumpySumSimd<Square>(x, mean) : NumpySumSimd<Plain>(x, mean);

    private static double NumpySumSimd<T>(ReadOnlySpan<float> x, double mean)
        where T : struct, ITerm
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        var mn = Vector256<float>.Zero;
        var mx = Vector256<float>.Zero;
        double s = 0.0;
        int c = 0;
        for (; c <= x.Length - NumpyBuffer; c += NumpyBuffer)
        {
            s += FullBufferSimd<T>(ref Unsafe.Add(ref x0, c), mean, ref mn, ref mx);
        }

        if (c < x.Length)
        {
            s += PairwiseSimd<T>(ref Unsafe.Add(ref x0, c), x.Length - c, mean);
        }

        return s;
    }

    /// <summary>
    /// pairwise(8192 values): the recursion halves down to 64 blocks of 128, so it is the 64 block sums added
    /// as a perfect binary tree. Four blocks are summed at a time (8 independent vector accumulators: the adds
    /// are not waiting on each other); each block's own 8 accumulators are exactly numpy's r[0..7].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double FullBufferSimd<T>(ref float a, double mean, ref Vector256<float> min, ref Vector256<float> max)
        where T : struct, ITerm
    {
        Span<double> block = stackalloc double[NumpyBuffer / PairwiseBlock];
        var m = Vector256.Create(mean);
        var mn = min;
        var mx = max;
        for (int b = 0; b < block.Length; b += 4)
        {
            ref float p = ref Unsafe.Add(ref a, b * PairwiseBlock);
            var v0 = Vector256.LoadUnsafe(ref p);
            var v1 = Vector256.LoadUnsafe(ref p, PairwiseBlock);
            var v2 = Vector256.LoadUnsafe(ref p, 2 * PairwiseBlock);
            var v3 = Vector256.LoadUnsafe(ref p, 3 * PairwiseBlock);
            if (T.MinMax)
            {
                mn = Avx.Min(Avx.Min(mn, v0), Avx.Min(v1, Avx.Min(v2, v3)));
                mx = Avx.Max(Avx.Max(mx, v0), Avx.Max(v1, Avx.Max(v2, v3)));
            }

            var (l0, h0) = Vector256.Widen(v0);
            var (l1, h1) = Vector256.Widen(v1);
            var (l2, h2) = Vector256.Widen(v2);
            var (l3, h3) = Vector256.Widen(v3);
            var a0 = T.Of(l0, m);
            var b0 = T.Of(h0, m);
            var a1 = T.Of(l1, m);
            var b1 = T.Of(h1, m);
            var a2 = T.Of(l2, m);
            var b2 = T.Of(h2, m);
            var a3 = T.Of(l3, m);
            var b3 = T.Of(h3, m);
            for (nuint i = 8; i < PairwiseBlock; i += 8)
            {
                v0 = Vector256.LoadUnsafe(ref p, i);
                v1 = Vector256.LoadUnsafe(ref p, i + PairwiseBlock);
                v2 = Vector256.LoadUnsafe(ref p, i + (2 * PairwiseBlock));
                v3 = Vector256.LoadUnsafe(ref p, i + (3 * PairwiseBlock));
                if (T.MinMax)
                {
                    mn = Avx.Min(Avx.Min(mn, v0), Avx.Min(v1, Avx.Min(v2, v3)));
                    mx = Avx.Max(Avx.Max(mx, v0), Avx.Max(v1, Avx.Max(v2, v3)));
                }

                (l0, h0) = Vector256.Widen(v0);
                (l1, h1) = Vector256.Widen(v1);
                (l2, h2) = Vector256.Widen(v2);
                (l3, h3) = Vector256.Widen(v3);
                a0 += T.Of(l0, m);
                b0 += T.Of(h0, m);
                a1 += T.Of(l1, m);
                b1 += T.Of(h1, m);
                a2 += T.Of(l2, m);
                b2 += T.Of(h2, m);
                a3 += T.Of(l3, m);
                b3 += T.Of(h3, m);
            }

            block[b] = Reduce8(a0, b0);
            block[b + 1] = Reduce8(a1, b1);
            block[b + 2] = Reduce8(a2, b2);
            block[b + 3] = Reduce8(a3, b3);
        }

        min = mn;
        max = mx;
        for (int w = block.Length; w > 1; w /= 2)
        {
            for (int i = 0; i < w / 2; i++)
            {
                block[i] = block[2 * i] + block[(2 * i) + 1];
            }
        }

        return block[0];
    }

    /// <summary>numpy's ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7])).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Reduce8(Vector256<double> r0, Vector256<double> r4)
        => ((r0[0] + r0[1]) + (r0[2] + r0[3])) + ((r4[0] + r4[1]) + (r4[2] + r4[3]));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double PairwiseSimd<T>(ref float a, int n, double mean)
        where T : struct, ITerm
    {
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += T.Of(Unsafe.Add(ref a, i), mean);
            }

            return res;
        }

        if (n <= PairwiseBlock)
        {
            var m = Vector256.Create(mean);
            var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref a));
            var r0 = T.Of(lo, m);
            var r4 = T.Of(hi, m);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref a, (nuint)i));
                r0 += T.Of(lo, m);
                r4 += T.Of(hi, m);
            }

            double res = Reduce8(r0, r4);
            for (; i < n; i++)
            {
                res += T.Of(Unsafe.Add(ref a, i), mean);
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSimd<T>(ref a, n2, mean) + PairwiseSimd<T>(ref Unsafe.Add(ref a, n2), n - n2, mean);
    }

    // -------------------------------------------------------------------------------- min, max, NaN

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static bool HasNaN(ReadOnlySpan<float> x)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float x0 = ref MemoryMarshal.GetReference(x);
            for (; i <= x.Length - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref x0, (nuint)i);
                if (!Vector256.EqualsAll(v, v))
                {
                    return true;
                }
            }
        }

        for (; i < x.Length; i++)
        {
            if (float.IsNaN(x[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first zero of x (+0 or -0) as double; called only when the minimum or maximum is zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double FirstZero(ReadOnlySpan<float> x)
    {
        foreach (float f in x)
        {
            if (f == 0)
            {
                return f;
            }
        }

        return 0;
    }

    /// <summary>Smallest and largest value of NaN-free x (the sign of a zero result is settled by the caller).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Min, double Max) MinMaxSimd(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        int i = 0;
        if (n >= 32)
        {
            var mn0 = Vector256.Create(float.PositiveInfinity);
            var mx0 = Vector256.Create(float.NegativeInfinity);
            var mn1 = mn0;
            var mx1 = mx0;
            for (; i <= n - 16; i += 16)
            {
                var v0 = Vector256.LoadUnsafe(ref x0, (nuint)i);
                var v1 = Vector256.LoadUnsafe(ref x0, (nuint)(i + 8));
                mn0 = Avx.Min(mn0, v0);
                mx0 = Avx.Max(mx0, v0);
                mn1 = Avx.Min(mn1, v1);
                mx1 = Avx.Max(mx1, v1);
            }

            mn0 = Avx.Min(mn0, mn1);
            mx0 = Avx.Max(mx0, mx1);
            for (int l = 0; l < 8; l++)
            {
                min = Math.Min(min, mn0[l]);
                max = Math.Max(max, mx0[l]);
            }
        }

        for (; i < n; i++)
        {
            float f = Unsafe.Add(ref x0, i);
            min = f < min ? f : min;
            max = f > max ? f : max;
        }

        return (min, max);
    }

    // -------------------------------------------------------------------------------- median selection

    /// <summary>
    /// The values of rank <paramref name="r1"/> and <paramref name="r2"/> (= r1 or r1 + 1; 0-based, ascending) of
    /// NaN-free x, as numpy.partition would place them: exact, by the sampled window (see SelectPair).
    /// </summary>
    internal static (float Lower, float Upper) SelectRanks(ReadOnlySpan<float> x, int r1, int r2)
    {
        if (r1 < 0 || r2 < r1 || r2 > r1 + 1 || r2 >= x.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(r1), "ranks r1 <= r2 <= r1 + 1 within the values");
        }

        return SelectPair(x, r1, r2, 0);
    }

    /// <summary>The middle value(s) of NaN-free x: (lower, upper) = the sorted values at n/2 - 1 and n/2 (both n/2 for an odd count).</summary>
    private static (float Lower, float Upper) SelectMiddle(ReadOnlySpan<float> x)
    {
        int r2 = x.Length / 2;
        int r1 = (x.Length & 1) == 1 ? r2 : r2 - 1;
        return SelectPair(x, r1, r2, 0);
    }

    /// <summary>(values at rank r1 and r2 = r1 or r1 + 1) by quickselect on a array the caller gives away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (float Lower, float Upper) SelectPairQuick(float[] a, int r2, bool same)
    {
        float upper = Select(a, 0, a.Length - 1, r2);
        if (same)
        {
            return (upper, upper);
        }

        // After selecting r2, every element left of it is <= a[r2]: the rank r2 - 1 value is their maximum.
        float lower = a[0];
        for (int i = 1; i < r2; i++)
        {
            if (a[i] > lower)
            {
                lower = a[i];
            }
        }

        return (lower, upper);
    }

    /// <summary>Up to this many values quickselect is as quick as sampling.</summary>
    private const int SmallSelect = 4096;

    /// <summary>
    /// Values of rank r1 and r2 (r2 = r1 or r1 + 1) of NaN-free x. Exact whatever the data; the sampling only
    /// decides the speed: a window [lo, hi] between two values of a fixed pseudo-random sample, 3 standard
    /// deviations of the sample quantile either side of the ranks, almost surely holds both. One vectorised
    /// pass counts the values below lo and copies those in the window; the ranks are then selected in the
    /// (about 10x smaller) copy the same way. If the window misses, a 9-sigma window is tried, then quickselect
    /// on a copy decides. Values are compared as floats (-0 == +0: the caller's mean makes a zero median +0).
    /// </summary>
    private static (float Lower, float Upper) SelectPair(ReadOnlySpan<float> x, int r1, int r2, int depth)
    {
        if (x.Length <= SmallSelect || depth >= 4)
        {
            return SelectPairQuick(x.ToArray(), r2, r1 == r2);
        }

        foreach (int sigmas in (ReadOnlySpan<int>)[3, 9])
        {
            using var window = SampleWindow(x, r1, r2, sigmas, bounds: true);
            window.Add(x);
            if (window.Holds(r1, r2))
            {
                return window.Select(r1, r2, depth + 1);
            }
        }

        return SelectPairQuick(x.ToArray(), r2, r1 == r2);
    }

    /// <summary>The window for ranks r1..r2 of x from a stratified sample of 1024 values (256 below 2^18 values), the given number of standard deviations wide.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Window SampleWindow(ReadOnlySpan<float> x, int r1, int r2, int sigmas, bool bounds)
    {
        int n = x.Length;
        int size = n >= (1 << 18) ? 1024 : 256;
        int margin = sigmas * (int)Math.Sqrt(size) / 2;
        var sample = new float[size];
        int stratum = n / size;
        ulong state = 0x9E3779B97F4A7C15UL;
        for (int i = 0; i < size; i++)
        {
            // One value from each of `size` equal strata, at a pseudo-random place in it (not a fixed column of an image).
            state = (state * 6364136223846793005UL) + 1442695040888963407UL;
            sample[i] = x[(i * stratum) + (int)(((state >> 32) * (ulong)stratum) >> 32)];
        }

        int a = (int)((long)r1 * size / n) - margin;
        int b = (int)((long)r2 * size / n) + margin;
        float lo = float.NegativeInfinity, hi = float.PositiveInfinity;
        if (a > 0)
        {
            lo = Select(sample, 0, size - 1, a);
        }

        if (b < size - 1)
        {
            hi = Select(sample, Math.Max(a, 0), size - 1, b);
        }

        long expected = ((long)n * (Math.Min(b, size) - Math.Max(a, 0) + 2) / size * 3 / 2) + Window.Block + 8;
        return new Window(lo, hi, bounds, (int)Math.Min(n + Window.Block + 8, expected));
    }

    /// <summary>
    /// Of the data added so far: the count below lo, the counts equal to lo and to hi, and a copy (in a pooled
    /// buffer) of the values strictly between. Ranks that fall on lo or hi are decided by the counts alone (an
    /// image of small integers needs no copy at all once the window is two values wide). Without
    /// <c>bounds</c> (less work per value, for the first pass over all the data): the count below lo and a
    /// copy of lo &lt;= x &lt;= hi.
    /// </summary>
    private sealed class Window(float lo, float hi, bool bounds, int capacity) : IDisposable
    {
        public const int Block = 4096;

        private float[] buffer = ArrayPool<float>.Shared.Rent(capacity);

        public float Lo { get; } = lo;

        public float Hi { get; } = hi;

        public int Below { get; private set; }

        public int AtLo { get; private set; }

        public int AtHi { get; private set; }

        public int Count { get; private set; }

        /// <summary>Values lo &lt;= x &lt;= hi (equal bounds counted once).</summary>
        private int Inside => AtLo + Count + (Lo == Hi ? 0 : AtHi);

        /// <summary>An empty window with the same bounds, for a parallel part (merged back with <see cref="Merge"/>).</summary>
        public Window Part() => new(Lo, Hi, bounds, Math.Max(buffer.Length / 2, Block + 8));

        public bool Holds(int r1, int r2) => r1 >= Below && r2 < Below + Inside;

        /// <summary>The values of rank r1, r2 = r1 or r1 + 1 of the whole data, which <see cref="Holds"/> says are in the window.</summary>
        public (float Lower, float Upper) Select(int r1, int r2, int depth)
        {
            if (Lo == Hi)
            {
                return (Lo, Lo);
            }

            int i1 = r1 - Below - AtLo, i2 = r2 - Below - AtLo; // ranks among the values strictly between (or copied)
            bool in1 = i1 >= 0 && i1 < Count, in2 = i2 >= 0 && i2 < Count;
            var between = buffer.AsSpan(0, Count);
            var (a, b) = in1 && in2 ? SelectPair(between, i1, i2, depth)
                : in1 ? SelectPair(between, i1, i1, depth)
                : in2 ? SelectPair(between, i2, i2, depth)
                : default;
            return (in1 ? a : i1 < 0 ? Lo : Hi, in2 ? (in1 ? b : a) : i2 < 0 ? Lo : Hi);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(ReadOnlySpan<float> x)
        {
            int i = 0;
            int count = Count;
            var counts = Vector256<int>.Zero;
            for (; i <= x.Length - Block; i += Block)
            {
                Reserve(count, Block + 8);
                counts += bounds
                    ? WindowBlock(x.Slice(i, Block), Lo, Hi, buffer, ref count)
                    : WindowBlockInclusive(x.Slice(i, Block), Lo, Hi, buffer, ref count);
            }

            int below = Below + counts[0], atLo = AtLo + counts[1], atHi = AtHi + counts[2];
            for (; i < x.Length; i++)
            {
                float f = x[i];
                below += f < Lo ? 1 : 0;
                if (!bounds)
                {
                    if (f >= Lo && f <= Hi)
                    {
                        Reserve(count, 1);
                        buffer[count++] = f;
                    }

                    continue;
                }

                atLo += f == Lo ? 1 : 0;
                atHi += f == Hi ? 1 : 0;
                if (f > Lo && f < Hi)
                {
                    Reserve(count, 1);
                    buffer[count++] = f;
                }
            }

            Count = count;
            Below = below;
            AtLo = atLo;
            AtHi = atHi;
        }

        public void Merge(Window other)
        {
            Reserve(Count, other.Count);
            Array.Copy(other.buffer, 0, buffer, Count, other.Count);
            Count += other.Count;
            Below += other.Below;
            AtLo += other.AtLo;
            AtHi += other.AtHi;
            other.Dispose();
        }

        public void Dispose()
        {
            if (buffer.Length > 0)
            {
                ArrayPool<float>.Shared.Return(buffer);
                buffer = [];
            }
        }

        private void Reserve(int count, int more)
        {
            if (count + more > buffer.Length)
            {
                var bigger = ArrayPool<float>.Shared.Rent(Math.Max(buffer.Length * 2, count + more));
                Array.Copy(buffer, bigger, count);
                ArrayPool<float>.Shared.Return(buffer);
                buffer = bigger;
            }
        }
    }

    /// <summary>
    /// Counts x &lt; lo, x == lo, x == hi (lanes 0, 1, 2 of the result) and appends lo &lt; x &lt; hi to buffer at
    /// count (length a multiple of 8; buffer has room for all of it plus 8).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<int> WindowBlock(ReadOnlySpan<float> x, float lo, float hi, float[] buffer, ref int count)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float b0 = ref MemoryMarshal.GetArrayDataReference(buffer);
        ref int perm0 = ref MemoryMarshal.GetArrayDataReference(CompressTable);
        var vlo = Vector256.Create(lo);
        var vhi = Vector256.Create(hi);
        var below = Vector256<int>.Zero;
        var atLo = Vector256<int>.Zero;
        var atHi = Vector256<int>.Zero;
        int c = count;
        for (int i = 0; i < x.Length; i += 8)
        {
            var v = Vector256.LoadUnsafe(ref x0, (nuint)i);
            below -= Vector256.LessThan(v, vlo).AsInt32();
            atLo -= Vector256.Equals(v, vlo).AsInt32();
            atHi -= Vector256.Equals(v, vhi).AsInt32();
            uint mask = (Vector256.GreaterThan(v, vlo) & Vector256.LessThan(v, vhi)).ExtractMostSignificantBits();
            Avx2.PermuteVar8x32(v, Vector256.LoadUnsafe(ref perm0, (nuint)(mask * 8))).StoreUnsafe(ref b0, (nuint)c);
            c += BitOperations.PopCount(mask);
        }

        count = c;
        return Vector256.Create(Vector256.Sum(below), Vector256.Sum(atLo), Vector256.Sum(atHi), 0, 0, 0, 0, 0);
    }

    /// <summary>Counts x &lt; lo (lane 0 of the result) and appends lo &lt;= x &lt;= hi to buffer at count (as <see cref="WindowBlock"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<int> WindowBlockInclusive(ReadOnlySpan<float> x, float lo, float hi, float[] buffer, ref int count)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float b0 = ref MemoryMarshal.GetArrayDataReference(buffer);
        ref int perm0 = ref MemoryMarshal.GetArrayDataReference(CompressTable);
        var vlo = Vector256.Create(lo);
        var vhi = Vector256.Create(hi);
        var below = Vector256<int>.Zero;
        int c = count;
        for (int i = 0; i < x.Length; i += 8)
        {
            var v = Vector256.LoadUnsafe(ref x0, (nuint)i);
            var lt = Vector256.LessThan(v, vlo);
            below -= lt.AsInt32();
            uint mask = Vector256.AndNot(Vector256.LessThanOrEqual(v, vhi), lt).ExtractMostSignificantBits();
            Avx2.PermuteVar8x32(v, Vector256.LoadUnsafe(ref perm0, (nuint)(mask * 8))).StoreUnsafe(ref b0, (nuint)c);
            c += BitOperations.PopCount(mask);
        }

        count = c;
        return Vector256.CreateScalar(Vector256.Sum(below));
    }

    /// <summary>For each 8-bit mask, the lanes whose bit is set, in order (then zeros): the permutation that packs them.</summary>
    private static readonly int[] CompressTable = BuildCompressTable();

    private static int[] BuildCompressTable()
    {
        var t = new int[256 * 8];
        for (int mask = 0; mask < 256; mask++)
        {
            int k = 0;
            for (int lane = 0; lane < 8; lane++)
            {
                if ((mask & (1 << lane)) != 0)
                {
                    t[(mask * 8) + k++] = lane;
                }
            }
        }

        return t;
    }

    /// <summary>
    /// Hoare-style quickselect (median-of-three pivot) of the k-th smallest in a[lo..hi]: afterwards a[k] is that
    /// value, with no larger one before it and no smaller one after it (within lo..hi).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float Select(float[] a, int lo, int hi, int k)
    {
        while (hi > lo)
        {
            if (hi - lo < 16)
            {
                Array.Sort(a, lo, hi - lo + 1);
                return a[k];
            }

            int m = lo + ((hi - lo) / 2);
            if (a[m] < a[lo])
            {
                (a[m], a[lo]) = (a[lo], a[m]);
            }

            if (a[hi] < a[lo])
            {
                (a[hi], a[lo]) = (a[lo], a[hi]);
            }

            if (a[hi] < a[m])
            {
                (a[hi], a[m]) = (a[m], a[hi]);
            }

            float pivot = a[m];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot)
                {
                    i++;
                }

                while (a[j] > pivot)
                {
                    j--;
                }

                if (i <= j)
                {
                    (a[i], a[j]) = (a[j], a[i]);
                    i++;
                    j--;
                }
            }

            if (k <= j)
            {
                hi = j;
            }
            else if (k >= i)
            {
                lo = i;
            }
            else
            {
                return a[k];
            }
        }

        return a[k];
    }
}

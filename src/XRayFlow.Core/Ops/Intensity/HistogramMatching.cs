using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// skimage.exposure.match_histograms(image, reference) (0.19: <c>_match_cumulative_cdf</c>) of one frame. Exact scalar
/// meaning:
/// <list type="number">
/// <item>the distinct values of the image, ascending, and their counts, as numpy.unique gives them (NaN after every
/// number, all NaNs one value; -0 and 0 one value, 0); the same for the reference;</item>
/// <item>each distinct value's quantile: the cumulative count divided by the number of pixels, in float64 (the counts
/// are exact integers);</item>
/// <item>each image quantile x mapped by numpy.interp(x, reference quantiles, reference values) in float64: the
/// reference value at the last quantile at or below x when x equals it or x is at or beyond the last, the first value
/// below the first quantile, else slope (x - xp[j]) + fp[j] with slope = (fp[j+1] - fp[j]) / (xp[j+1] - xp[j]) (NaN
/// retried from the right end, then fp[j] where fp[j] == fp[j+1]), numpy's arr_interp operation for operation;</item>
/// <item>every pixel takes its value's result, rounded to float32 (scikit-image returns float64 for an 8- or 16-bit
/// image and float32 for a float one: the same float32 numbers).</item>
/// </list>
/// The distinct values come from counting where every value is a whole number 0..65535 (an 8- or 16-bit image: the
/// same values and counts numpy.unique finds by sorting), else by counting the values' order-preserving 32-bit keys
/// in buckets of their top 16 bits where every bucket holds one key (<see cref="OneKeyBuckets"/>: a float image made
/// from an 8- or 16-bit one by a scale, as / 255, mostly does), else from a radix sort of the keys with their pixel
/// indices.
/// </summary>
public static class HistogramMatching
{
    /// <summary>
    /// Matches the histogram of source[at..at + n) to that of template[tAt..tAt + tn) into dst[at..at + n).
    /// <paramref name="sourceBins"/> / <paramref name="templateBins"/>: 256 or 65536 where every value is a whole
    /// number below it (counted), 0 for any values (sorted).
    /// </summary>
    public static void Apply(float[] source, int at, int n, int sourceBins, float[] template, int tAt, int tn, int templateBins, float[] dst, int threads = 1)
        => Apply(source, at, n, sourceBins, template, tAt, tn, templateBins, dst, threads, buckets: true);

    /// <summary>
    /// <see cref="Apply(float[], int, int, int, float[], int, int, int, float[], int)"/>; <paramref name="buckets"/>
    /// false sorts every float image, never counting it in <see cref="OneKeyBuckets"/> (the tests compare the two).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Apply(float[] source, int at, int n, int sourceBins, float[] template, int tAt, int tn, int templateBins, float[] dst, int threads, bool buckets)
    {
        using var knots = Quantiles(template.AsSpan(tAt, tn), templateBins, threads, buckets);
        if (sourceBins > 0)
        {
            var counts = Statistics.ImageHistogram.BinCount(source.AsSpan(at, n), sourceBins, threads);
            var lut = new float[sourceBins];
            long total = 0;
            int j = -1;
            for (int v = 0; v < sourceBins; v++)
            {
                if (counts[v] != 0)
                {
                    total += counts[v];
                    lut[v] = (float)Interp((double)total / n, knots, ref j);
                }
            }

            Elementwise.ElementwiseLoop.ForBlocks(n, threads, (start, length) =>
                ExposureCurves.Map(source.AsSpan(at + start, length), dst.AsSpan(at + start, length), lut));
            return;
        }

        if (buckets && OneKeyBuckets.Count(source.AsSpan(at, n), threads) is { } distinct)
        {
            // Every top-16-bit bucket of the keys holds one key: the buckets in order are numpy.unique's values.
            var lut = ArrayPool<float>.Shared.Rent(65536);
            try
            {
                using (distinct)
                {
                    long total = 0;
                    int j = -1;
                    for (int b = 0; b < 65536; b++)
                    {
                        if (distinct.Counts[b] != 0)
                        {
                            total += distinct.Counts[b];
                            lut[b] = (float)Interp((double)total / n, knots, ref j);
                        }
                    }
                }

                Elementwise.ElementwiseLoop.ForBlocks(n, threads, (start, length) =>
                    OneKeyBuckets.Map(source.AsSpan(at + start, length), dst.AsSpan(at + start, length), lut));
            }
            finally
            {
                ArrayPool<float>.Shared.Return(lut);
            }

            return;
        }

        var pairs = ArrayPool<ulong>.Shared.Rent(n);
        try
        {
            SortedPairs(source.AsSpan(at, n), pairs, threads);
            int parts = Parts(n, threads);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
            {
                // Each part takes the runs of one key that start in it; the value of a run depends only on where it ends.
                var (lo, hi) = HistogramEqualization.Slice(n, parts, t);
                int start = lo;
                while (start > 0 && start < n && pairs[start] >> 32 == pairs[start - 1] >> 32)
                {
                    start++;
                }

                int j = start < hi ? knots.Below((double)start / n) : -1; // where the merge starts: at or below the part's first x
                while (start < hi)
                {
                    ulong key = pairs[start] >> 32;
                    int end = start + 1;
                    while (end < n && pairs[end] >> 32 == key)
                    {
                        end++;
                    }

                    float value = (float)Interp((double)end / n, knots, ref j);
                    for (int k = start; k < end; k++)
                    {
                        dst[at + (int)(uint)pairs[k]] = value;
                    }

                    start = end;
                }
            });
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(pairs);
        }
    }

    /// <summary>The bins an image of this dtype is counted in: 256 / 65536 for 8- / 16-bit, 0 (sorted) for float.</summary>
    public static int BinsOf(SkimageDtype dtype) => dtype == SkimageDtype.Float32 ? 0 : (int)SkimageDtypes.Max(dtype) + 1;

    /// <summary>The reference's distinct values (float64) and their quantiles, in pooled arrays (or a sorted reference's kept ones).</summary>
    private sealed class Knots : IDisposable
    {
        private bool pooled;

        public Knots(int capacity) => (Xp, Fp, pooled) = (ArrayPool<double>.Shared.Rent(capacity), ArrayPool<double>.Shared.Rent(capacity), true);

        /// <summary>Knots made before (<see cref="SortedReference"/>'s): read only, not returned to the pool.</summary>
        public Knots(double[] xp, double[] fp, int count) => (Xp, Fp, Count) = (xp, fp, count);

        /// <summary>From now on the arrays are kept elsewhere, read only: Dispose leaves them (the collector takes them when no longer kept).</summary>
        public void Keep() => pooled = false;

        public double[] Xp { get; }

        public double[] Fp { get; }

        public int Count { get; private set; }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(double quantile, double value)
        {
            Xp[Count] = quantile;
            Fp[Count] = value;
            Count++;
        }

        /// <summary>The knots of sorted pairs: each run of one key ends at a quantile (its end / n) and has its value.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public unsafe void AddRuns(ulong[] pairs, int n)
        {
            fixed (ulong* p = pairs)
            fixed (double* x = Xp, f = Fp)
            {
                int c = Count;
                int k = 0;
                if (Avx512F.IsSupported && Avx512DQ.IsSupported && c == 0)
                {
                    // Eight pairs a step: the run ends among them (a key unlike the next pair's) compressed into the
                    // knots, their quantiles divided in vectors (each IEEE's quotient) and their values widened. A
                    // store writes 8 knots from c, at most 7 past the runs made so far: the knots hold the runs + 8.
                    var lane = Vector512.Create(1.0, 2, 3, 4, 5, 6, 7, 8);
                    var count = Vector512.Create((double)n);
                    for (; k <= n - 9; k += 8)
                    {
                        var keys = Vector512.ShiftRightLogical(Vector512.Load(p + k), 32);
                        var ends = ~Vector512.Equals(keys, Vector512.ShiftRightLogical(Vector512.Load(p + k + 1), 32)).AsDouble();
                        var quantiles = (Vector512.Create((double)k) + lane) / count;
                        var bits = Vector512.ConditionalSelect(
                            Vector512.Equals(keys & Vector512.Create(0x80000000ul), Vector512<ulong>.Zero),
                            ~keys & Vector512.Create(0xFFFFFFFFul),
                            keys & Vector512.Create(0x7FFFFFFFul));
                        // (NaN's key, the largest, is the last run, which ends at the last pair: the scalar loop's.)
                        var values = Avx512F.ConvertToVector512Double(Avx512F.ConvertToVector256UInt32(bits).AsSingle());
                        Avx512F.Compress(Vector512<double>.Zero, ends, quantiles).Store(x + c);
                        Avx512F.Compress(Vector512<double>.Zero, ends, values).Store(f + c);
                        c += BitOperations.PopCount(ends.AsUInt64().ExtractMostSignificantBits());
                    }
                }

                for (; k < n; k++)
                {
                    // Written at every pair and kept (c moved on) at a run's last: no branch on where runs end (the
                    // write past the last run stays within the 8 spare knots).
                    uint key = (uint)(p[k] >> 32);
                    uint next = k + 1 < n ? (uint)(p[k + 1] >> 32) : ~key;
                    x[c] = (double)(k + 1) / n;
                    f[c] = ValueOf(key);
                    c += key != next ? 1 : 0;
                }

                Count = c;
            }
        }

        /// <summary>The largest j with Xp[j] &lt;= x, -1 where there is none (the knots ascend strictly).</summary>
        public int Below(double x)
        {
            int i = Xp.AsSpan(0, Count).BinarySearch(x);
            return i >= 0 ? i : ~i - 1;
        }

        public void Dispose()
        {
            if (pooled)
            {
                ArrayPool<double>.Shared.Return(Xp);
                ArrayPool<double>.Shared.Return(Fp);
            }
        }
    }

    /// <summary>
    /// The last reference whose knots came from the sorting path, and its knots: a batch matches every file to one
    /// reference, read again for each item, and a reference with about one distinct value a pixel costs a sort (8-25 ms
    /// at 1024 x 1024) where comparing its values with the kept ones costs a read. Kept only when a sorted reference
    /// has the fingerprint of the one sorted before it (a batch's second file: keeping costs fresh memory, 20 MB at
    /// 1024 x 1024, which doubled the time of a call whose reference differs from the last), and for references of at
    /// most <see cref="MaxKeptReference"/> values. Used only when all the values are the same, bit for bit.
    /// (A weak reference was tried: the small record it points to went with the next gen-0 collection.)
    /// </summary>
    private sealed record SortedReference(float[] Values, double[] Xp, double[] Fp, int Count);

    /// <summary>The largest reference whose sorted knots are kept for the next image (4 Mpx: 16 MB of values, up to 64 MB of knots, held until another sorted reference replaces them).</summary>
    internal const int MaxKeptReference = 1 << 22;

    private static SortedReference? lastSorted;

    /// <summary>The fingerprint of the last reference sorted (0: none).</summary>
    private static ulong lastPrint;

    /// <summary>How many references the kept knots have served (for the tests).</summary>
    internal static long KeptKnotsUsed;

    /// <summary>The kept knots when the reference holds the same values (bit for bit) as the kept one, else null.</summary>
    private static Knots? KeptKnots(ReadOnlySpan<float> template)
    {
        var kept = Volatile.Read(ref lastSorted);
        if (kept is null || kept.Values.Length != template.Length
            || !System.Runtime.InteropServices.MemoryMarshal.AsBytes(template).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.AsBytes(kept.Values.AsSpan())))
        {
            return null;
        }

        Interlocked.Increment(ref KeptKnotsUsed);
        return new Knots(kept.Xp, kept.Fp, kept.Count);
    }

    /// <summary>
    /// Keeps a sorted reference's values (a copy) and its knots (their arrays, no longer returned to the pool) for the
    /// next image, when the reference sorted before it had the same fingerprint.
    /// </summary>
    private static void Keep(ReadOnlySpan<float> template, Knots knots)
    {
        ulong print = Fingerprint(template);
        if (Interlocked.Exchange(ref lastPrint, print) != print || template.Length > MaxKeptReference)
        {
            return;
        }

        knots.Keep();
        Volatile.Write(ref lastSorted, new SortedReference(template.ToArray(), knots.Xp, knots.Fp, knots.Count));
    }

    /// <summary>A cheap fingerprint of a reference: its length and the bits of its first and last 64 values and of 256 spread over it (never 0).</summary>
    private static ulong Fingerprint(ReadOnlySpan<float> v)
    {
        if (v.IsEmpty)
        {
            return 1;
        }

        ulong h = 0x9E3779B97F4A7C15UL ^ (ulong)v.Length;
        void Mix(float f) => h = (h ^ BitConverter.SingleToUInt32Bits(f)) * 0x100000001B3UL;
        for (int i = 0; i < Math.Min(64, v.Length); i++)
        {
            Mix(v[i]);
            Mix(v[v.Length - 1 - i]);
        }

        for (int k = 0; k < 256; k++)
        {
            Mix(v[(int)((long)k * v.Length / 256)]);
        }

        return h | 1;
    }

    /// <summary>How many runs of one key sorted pairs[0..n) hold (the distinct values: the knots' count, sized before they are made).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Runs(ulong[] pairs, int n)
    {
        int runs = n > 0 ? 1 : 0, k = 0;
        fixed (ulong* p = pairs)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= n - 9; k += 8)
                {
                    var keys = Vector512.ShiftRightLogical(Vector512.Load(p + k), 32);
                    var next = Vector512.ShiftRightLogical(Vector512.Load(p + k + 1), 32);
                    runs += 8 - BitOperations.PopCount(Vector512.Equals(keys, next).ExtractMostSignificantBits());
                }
            }

            for (; k < n - 1; k++)
            {
                runs += p[k] >> 32 != p[k + 1] >> 32 ? 1 : 0;
            }
        }

        return runs;
    }

    /// <summary>The reference's distinct values (float64) and their quantiles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Knots Quantiles(ReadOnlySpan<float> template, int bins, int threads, bool buckets)
    {
        int n = template.Length;
        if (bins > 0)
        {
            var counts = Statistics.ImageHistogram.BinCount(template, bins, threads);
            var knots = new Knots(bins);
            long total = 0;
            for (int v = 0; v < bins; v++)
            {
                if (counts[v] != 0)
                {
                    total += counts[v];
                    knots.Add((double)total / n, v);
                }
            }

            return knots;
        }

        if (buckets && KeptKnots(template) is { } keptKnots)
        {
            return keptKnots; // the reference of the image before, sorted then
        }

        if (buckets && OneKeyBuckets.Count(template, threads) is { } distinct)
        {
            using var _ = distinct;
            var knots = new Knots(65536);
            long total = 0;
            for (int b = 0; b < 65536; b++)
            {
                if (distinct.Counts[b] != 0)
                {
                    total += distinct.Counts[b];
                    knots.Add((double)total / n, ValueOf(distinct.Key(b)));
                }
            }

            return knots;
        }

        var pairs = ArrayPool<ulong>.Shared.Rent(n);
        try
        {
            SortedPairs(template, pairs, threads);
            var knots = new Knots(Runs(pairs, n) + 8); // + 8: AddRuns stores whole vectors past its last knot
            knots.AddRuns(pairs, n);
            if (buckets)
            {
                Keep(template, knots); // (the tests' sorting-only calls neither keep nor use kept knots)
            }

            return knots;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(pairs);
        }
    }

    /// <summary>numpy.interp(x, xp, fp) for ascending x in turn: <paramref name="j"/> carries the last xp index at or below the previous x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Interp(double x, double[] xp, double[] fp, ref int j) => Interp(x, xp, fp, xp.Length, ref j);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Interp(double x, Knots knots, ref int j) => Interp(x, knots.Xp, knots.Fp, knots.Count, ref j);

    /// <summary>numpy.interp(x, xp[..count], fp[..count]), as <see cref="Interp(double, double[], double[], ref int)"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Interp(double x, double[] xp, double[] fp, int count, ref int j)
    {
        int last = count - 1;
        while (j < last && xp[j + 1] <= x)
        {
            j++;
        }

        return NumpyInterp.Between(x, xp.AsSpan(0, count), fp.AsSpan(0, count), j);
    }

    /// <summary>
    /// The order-preserving key of a float32 (<see cref="FloatOrder.Key"/>), -0 as 0 and every NaN as the largest key (numpy.unique puts NaN last and makes all of them one).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint KeyOf(float v)
    {
        uint magnitude = BitConverter.SingleToUInt32Bits(v) & 0x7FFFFFFFu;
        uint key = magnitude == 0 ? 0x80000000u : FloatOrder.Key(v); // -0 is 0
        return magnitude > 0x7F800000u ? uint.MaxValue : key; // NaN
    }

    /// <summary>The float32 (as float64) of a key (the largest key is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double ValueOf(uint key)
    {
        if (key == uint.MaxValue)
        {
            return double.NaN;
        }

        uint bits = (key & 0x80000000u) != 0 ? key & 0x7FFFFFFFu : ~key;
        return BitConverter.UInt32BitsToSingle(bits);
    }

    /// <summary>
    /// pairs[i] = (key of values[i]) &lt;&lt; 32 | i for i &lt; n, sorted by key (the order of pixels of one key is not
    /// kept: they take one value). Made in parts on up to <paramref name="threads"/> threads: the pairs scattered by the
    /// top 16 bits of their keys (one counting pass with the keys' making, one scatter), then each bucket whose keys
    /// differ sorted by the low 16 bits within itself (two 8-bit counting passes there, in the caches; a few pairs by
    /// insertion).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SortedPairs(ReadOnlySpan<float> values, ulong[] pairs, int threads)
    {
        int n = values.Length;
        var tmp = ArrayPool<ulong>.Shared.Rent(n);
        int parts = Parts(n, threads);
        var counts = new int[parts][];
        try
        {
            for (int t = 0; t < parts; t++)
            {
                counts[t] = ArrayPool<int>.Shared.Rent(65536);
            }

            fixed (float* v = values)
            {
                float* p = v; // a span cannot enter the lambda; the array behind it stays fixed while it runs
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, t => Keys(p, tmp, counts[t], HistogramEqualization.Slice(n, parts, t)));
            }

            var starts = new int[65537];
            int sum = 0;
            for (int d = 0; d < 65536; d++)
            {
                starts[d] = sum;
                for (int t = 0; t < parts; t++)
                {
                    int c = counts[t][d];
                    counts[t][d] = sum;
                    sum += c;
                }
            }

            starts[65536] = n;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, t => Scatter(tmp, pairs, counts[t], 48, HistogramEqualization.Slice(n, parts, t)));

            // The buckets in parts of about n / parts pairs each.
            var firstBucket = new int[parts + 1];
            for (int t = 1; t < parts; t++)
            {
                int target = (int)((long)n * t / parts), b = firstBucket[t - 1];
                while (b < 65536 && starts[b + 1] <= target)
                {
                    b++;
                }

                firstBucket[t] = b;
            }

            firstBucket[parts] = 65536;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
            {
                for (int b = firstBucket[t]; b < firstBucket[t + 1]; b++)
                {
                    SortBucket(pairs, tmp, starts[b], starts[b + 1]);
                }
            });
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(tmp);
            foreach (var c in counts)
            {
                if (c is not null)
                {
                    ArrayPool<int>.Shared.Return(c);
                }
            }
        }
    }

    /// <summary>pairs[lo..hi) (one top-16-bit bucket) sorted by key, with tmp[lo..hi) as room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortBucket(ulong[] pairs, ulong[] tmp, int lo, int hi)
    {
        if (hi - lo < 2)
        {
            return;
        }

        ulong first = pairs[lo] >> 32;
        int i = lo + 1;
        while (i < hi && pairs[i] >> 32 == first)
        {
            i++;
        }

        if (i == hi)
        {
            return; // one key
        }

        if (hi - lo <= 32)
        {
            for (int k = lo + 1; k < hi; k++)
            {
                ulong v = pairs[k];
                int m = k - 1;
                while (m >= lo && pairs[m] >> 32 > v >> 32)
                {
                    pairs[m + 1] = pairs[m];
                    m--;
                }

                pairs[m + 1] = v;
            }

            return;
        }

        Span<int> count = stackalloc int[256];
        var (from, to) = (pairs, tmp);
        for (int shift = 32; shift <= 40; shift += 8)
        {
            count.Clear();
            for (int k = lo; k < hi; k++)
            {
                count[(int)(from[k] >> shift) & 0xFF]++;
            }

            int sum = lo;
            for (int d = 0; d < 256; d++)
            {
                int c = count[d];
                count[d] = sum;
                sum += c;
            }

            for (int k = lo; k < hi; k++)
            {
                ulong v = from[k];
                to[count[(int)(v >> shift) & 0xFF]++] = v;
            }

            (from, to) = (to, from);
        }
    }

    private static int Parts(int n, int threads) => Math.Clamp(threads, 1, Math.Max(1, n / 65536));

    /// <summary>The pairs of values[lo..hi), the top 16 bits of their keys counted.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Keys(float* values, ulong[] pairs, int[] counts, (int Start, int End) part)
    {
        Array.Clear(counts, 0, 65536);
        for (int i = part.Start; i < part.End; i++)
        {
            uint key = KeyOf(values[i]);
            pairs[i] = ((ulong)key << 32) | (uint)i;
            counts[key >> 16]++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Scatter(ulong[] src, ulong[] dst, int[] places, int shift, (int Start, int End) part)
    {
        for (int i = part.Start; i < part.End; i++)
        {
            ulong v = src[i];
            dst[places[(int)(v >> shift) & 0xFFFF]++] = v;
        }
    }
}

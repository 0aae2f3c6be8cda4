using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// skimage.filters' global thresholds (scikit-image 0.19.3) on all the values of an image (a stack: all frames
/// together), each with scikit-image's integer and float paths (<see cref="IntegerSource"/> decides; the histogram
/// is <see cref="ImageHistogram"/>). The arithmetic follows scikit-image's NumPy expressions in their dtypes, so an
/// integer-path threshold is the very bin center scikit-image picks (a whole number), and a float-path one the same
/// float32 value. Values that are NaN or infinite are refused (numpy.histogram refuses a non-finite range), except
/// by <see cref="Li"/>, which drops them as scikit-image does.
/// </summary>
public static class Thresholds
{
    /// <summary>
    /// threshold_otsu: the first bin center i that maximises w1[i]·w2[i+1]·(m1[i] − m2[i+1])², w1/w2 the counts up
    /// to i / from i+1 (float64 cumulative sums, from the start and from the end), m1/m2 the count-weighted mean
    /// centers of those classes. A constant image gives its value.
    /// </summary>
    public static double Otsu(ReadOnlySpan<float> x, int bits, int nbins, int threads = 1)
    {
        if (bits is 8 or 16 && !x.IsEmpty)
        {
            return IntegerLevel(x, bits, threads, static (counts, lo) => counts.Length == 1 ? 0 : Otsu(counts, null, lo)); // one value: itself
        }

        var h = ImageHistogram.Of(x, bits, nbins, threads);
        return h.Min == h.Max ? x[0] : Otsu(h);
    }

    /// <summary>A rule's bin index over the occupied counts, given the value of their first bin.</summary>
    private delegate int BinRule(ReadOnlySpan<long> counts, int lo);

    /// <summary>
    /// The integer path of a histogram threshold, straight from the pooled counts (no trimmed copy): bin i of the
    /// occupied range lo..hi is the value lo + i, so the level is lo + the rule's bin.
    /// </summary>
    private static double IntegerLevel(ReadOnlySpan<float> x, int bits, int threads, BinRule rule)
    {
        var full = ImageHistogram.BinCountPooled(x, 1 << bits, threads);
        try
        {
            var (lo, hi) = ImageHistogram.Occupied(full);
            return lo + rule(full.AsSpan(lo, hi - lo + 1), lo);
        }
        finally
        {
            ImageHistogram.ReturnCounts(full);
        }
    }

    /// <summary>Otsu's choice on a histogram (counts as float64, as skimage's _validate_image_histogram returns them).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Otsu(ImageHistogram h) => h.Centers[Otsu(h.Counts, h.Centers, 0)];

    /// <summary>Otsu's bin index over counts whose centers are <paramref name="centers"/>, or lo + i when null.</summary>
    private static int Otsu(ReadOnlySpan<long> counts, double[]? centers, int lo)
    {
        int n = counts.Length;
        var pool = System.Buffers.ArrayPool<double>.Shared; // 16-bit histograms have thousands of bins: no garbage per image
        double[] w1 = pool.Rent(n), w2 = pool.Rent(n), m1 = pool.Rent(n), m2 = pool.Rent(n);
        try
        {
            return OtsuBest(counts, centers, lo, w1, w2, m1, m2);
        }
        finally
        {
            pool.Return(w1);
            pool.Return(w2);
            pool.Return(m1);
            pool.Return(m2);
        }
    }

    /// <summary>Otsu's bin index, with the class weights and means in the given arrays (at least as long as counts).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int OtsuBest(ReadOnlySpan<long> counts, double[]? c, int lo, double[] w1, double[] w2, double[] m1, double[] m2)
    {
        int n = counts.Length;
        double s = 0, sw = 0;
        for (int i = 0; i < n; i++)
        {
            s += counts[i];
            sw += counts[i] * (c is null ? lo + i : c[i]);
            w1[i] = s;
            m1[i] = sw / s;
        }

        s = 0;
        sw = 0;
        for (int i = n - 1; i >= 0; i--)
        {
            s += counts[i];
            sw += counts[i] * (c is null ? lo + i : c[i]);
            w2[i] = s;
            m2[i] = sw / s;
        }

        return ArgMax(n - 1, i =>
        {
            double d = m1[i] - m2[i + 1];
            return w1[i] * w2[i + 1] * (d * d);
        });
    }

    /// <summary>
    /// threshold_yen, in float32 as scikit-image computes it: pmf = float32(counts) / float32(total),
    /// P1 = cumsum(pmf), P1sq = cumsum(pmf²), P2sq = the same from the end; the first bin center i maximising
    /// log((1 / (P1sq[i]·P2sq[i+1])) · (P1[i]·(1 − P1[i]))²). One bin gives its center.
    /// </summary>
    public static double Yen(ReadOnlySpan<float> x, int bits, int nbins, int threads = 1)
    {
        if (bits is 8 or 16 && !x.IsEmpty)
        {
            return IntegerLevel(x, bits, threads, static (counts, _) => Yen(counts));
        }

        return Yen(ImageHistogram.Of(x, bits, nbins, threads));
    }

    /// <summary>Yen's choice on a histogram.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Yen(ImageHistogram h) => h.Centers[Yen(h.Counts)];

    /// <summary>Yen's bin index over counts.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Yen(ReadOnlySpan<long> counts)
    {
        int n = counts.Length;
        if (n == 1)
        {
            return 0;
        }

        double total = 0;
        foreach (long k in counts)
        {
            total += k;
        }

        var pool = System.Buffers.ArrayPool<float>.Shared; // 16-bit histograms have thousands of bins: no garbage per image
        float[] pmf = pool.Rent(n), p1 = pool.Rent(n), p1sq = pool.Rent(n), p2sq = pool.Rent(n);
        try
        {
            return YenBest(counts, (float)total, n, pmf, p1, p1sq, p2sq);
        }
        finally
        {
            pool.Return(pmf);
            pool.Return(p1);
            pool.Return(p1sq);
            pool.Return(p2sq);
        }
    }

    /// <summary>Yen's bin index, with the scratch arrays given (at least n long).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int YenBest(ReadOnlySpan<long> counts, float t, int n, float[] pmf, float[] p1, float[] p1sq, float[] p2sq)
    {
        for (int i = 0; i < n; i++)
        {
            pmf[i] = (float)counts[i] / t;
        }

        float a = 0f, b = 0f;
        for (int i = 0; i < n; i++)
        {
            a += pmf[i];
            b += pmf[i] * pmf[i];
            p1[i] = a;
            p1sq[i] = b;
        }

        b = 0f;
        for (int i = n - 1; i >= 0; i--)
        {
            b += pmf[i] * pmf[i];
            p2sq[i] = b;
        }

        // The criterion before its log, into pmf (read no more). The first NaN (a negative value would log to NaN too)
        // is numpy.argmax's answer; otherwise the log is taken only near the largest value: NumPy's log is within
        // 4.14e-6 of ln for every positive float32 (NumpyLog32Tests, exhaustively), so a value below (1 - 2^-14) times
        // the largest (ln 6.1e-5 lower, over seven times both errors) logs below the largest's and cannot be the
        // first maximum (a log per bin, thousands for a 16-bit image, was 0.1 ms).
        int m = n - 1;
        float largest = 0f;
        for (int i = 0; i < m; i++)
        {
            float inv = 1f / (p1sq[i] * p2sq[i + 1]);
            float q = p1[i] * (1f - p1[i]);
            float v = inv * (q * q);
            if (!(v >= 0f))
            {
                return i;
            }

            pmf[i] = v;
            largest = MathF.Max(largest, v);
        }

        return FirstLargestLog(pmf.AsSpan(0, m), LogFloor(largest));
    }

    /// <summary>The smallest value whose NumPy log can reach that of <paramref name="largest"/>, less a margin (Yen's search above).</summary>
    internal static float LogFloor(float largest) => largest * (1f - (1f / 16384f));

    /// <summary>
    /// The first i maximising NumpyLog32.Log(v[i]) among values at or above <paramref name="floor"/> (no NaN in v; the
    /// caller chose the floor so that no value below it can log to the maximum).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static int FirstLargestLog(ReadOnlySpan<float> v, float floor)
    {
        int best = -1;
        float bestLog = float.NegativeInfinity;
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] >= floor)
            {
                float l = NumpyLog32.Log(v[i]);
                if (best < 0 || l > bestLog)
                {
                    best = i;
                    bestLog = l;
                }
            }
        }

        return best;
    }

    /// <summary>
    /// threshold_triangle: the histogram is flipped when its left tail (lowest occupied bin to the peak) is shorter
    /// than its right; with the peak height p and width w = peak − lowest normalised by sqrt(p² + w²) (float64), the
    /// bin lowest + k (k &lt; w) maximising p·k − w·hist[lowest + k] is the level (mapped back when flipped).
    /// </summary>
    /// <exception cref="ArgumentException">The image has one value (scikit-image fails: argmax of an empty sequence).</exception>
    public static double Triangle(ReadOnlySpan<float> x, int bits, int nbins, int threads = 1)
    {
        if (bits is 8 or 16 && !x.IsEmpty)
        {
            return IntegerLevel(x, bits, threads, static (counts, _) => Triangle(counts));
        }

        return Triangle(ImageHistogram.Of(x, bits, nbins, threads));
    }

    /// <summary>The triangle choice on a histogram.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double Triangle(ImageHistogram h) => h.Centers[Triangle(h.Counts)];

    /// <summary>The triangle choice's bin index over counts (the flipped histogram read backwards, not copied).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int Triangle(ReadOnlySpan<long> hist)
    {
        int n = hist.Length;
        int peak = 0;
        for (int i = 1; i < n; i++)
        {
            if (hist[i] > hist[peak])
            {
                peak = i;
            }
        }

        long peakHeight = hist[peak];
        int low = hist.IndexOfAnyExceptInRange(long.MinValue, 0);
        int high = hist.LastIndexOfAnyExceptInRange(long.MinValue, 0);
        bool flip = peak - low < high - peak;
        if (flip)
        {
            low = n - high - 1;
            peak = n - peak - 1;
        }

        long width = peak - low;
        if (width == 0)
        {
            throw new ArgumentException("the image has a single value: the triangle threshold is undefined (scikit-image fails on it too)");
        }

        double norm = Math.Sqrt((double)((peakHeight * peakHeight) + (width * width)));
        double p = peakHeight / norm;
        double w = width / norm;

        // The first i in [0, width) maximising p i - w hist[low + i] (of the flipped histogram when flipped), as ArgMax.
        int k = 0;
        double best = 0;
        for (int i = 0; i < width; i++)
        {
            double v = (p * i) - (w * hist[flip ? n - 1 - (i + low) : i + low]);
            if (double.IsNaN(v))
            {
                k = i;
                break;
            }

            if (i == 0 || v > best)
            {
                best = v;
                k = i;
            }
        }

        int level = k + low;
        return flip ? n - level - 1 : level;
    }

    /// <summary>
    /// threshold_isodata (scikit-image 0.19.3, the first threshold; return_all is not offered): over the histogram's bins
    /// i &lt; n − 1, with c = float32(counts), L = cumsum(c), H = L[−1] − L (float32), S = cumsum(c · center), the first
    /// center i where 0 &lt;= ((S[i] / L[i] + (S[−1] − S[i]) / H[i]) / 2) − center[i] &lt; the bin width. NumPy's
    /// dtypes: on the integer path the centers are int64, so c · center, S and the means are float64 (L and H stay
    /// float32) and the bin width is 1; on the float path everything is float32. One bin gives its center.
    /// </summary>
    /// <exception cref="ArgumentException">No bin meets the condition (scikit-image fails: index out of range).</exception>
    public static double Isodata(ReadOnlySpan<float> x, int bits, int nbins, int threads = 1)
    {
        if (bits is 8 or 16 && !x.IsEmpty)
        {
            return IntegerLevel(x, bits, threads, static (counts, lo) => IsodataInteger(counts, lo));
        }

        var h = ImageHistogram.Of(x, bits, nbins, threads);
        return h.Centers[IsodataFloat(h.Counts, h.Centers)];
    }

    /// <summary>Isodata's bin on the integer path: bin i is the whole number lo + i.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int IsodataInteger(ReadOnlySpan<long> counts, int lo)
    {
        int n = counts.Length;
        if (n == 1)
        {
            return 0;
        }

        // The totals first (the last elements of the two cumulative sums, in their order), then the running sums again.
        float below = 0f;
        double weighted = 0;
        for (int i = 0; i < n; i++)
        {
            float c = counts[i];
            below += c;
            weighted += (double)c * (lo + i);
        }

        float all = below;
        double allWeighted = weighted;
        below = 0f;
        weighted = 0;
        for (int i = 0; i < n - 1; i++)
        {
            float c = counts[i];
            below += c;
            weighted += (double)c * (lo + i);
            float above = all - below;
            double mean = ((weighted / below) + ((allWeighted - weighted) / above)) / 2.0;
            double distance = mean - (lo + i);
            if (distance >= 0 && distance < 1)
            {
                return i;
            }
        }

        throw NoIsodataLevel();
    }

    /// <summary>Isodata's bin on the float path (float32 counts, centers and sums).</summary>
    private static int IsodataFloat(ReadOnlySpan<long> counts, double[] centers)
    {
        int n = counts.Length;
        if (n == 1)
        {
            return 0;
        }

        float below = 0f, weighted = 0f;
        for (int i = 0; i < n; i++)
        {
            float c = counts[i];
            below += c;
            weighted += c * (float)centers[i];
        }

        float all = below, allWeighted = weighted, width = (float)centers[1] - (float)centers[0];
        below = 0f;
        weighted = 0f;
        for (int i = 0; i < n - 1; i++)
        {
            float c = counts[i];
            below += c;
            weighted += c * (float)centers[i];
            float above = all - below;
            float mean = ((weighted / below) + ((allWeighted - weighted) / above)) / 2f;
            float distance = mean - (float)centers[i];
            if (distance >= 0 && distance < width)
            {
                return i;
            }
        }

        throw NoIsodataLevel();
    }

    private static ArgumentException NoIsodataLevel()
        => new("no bin center lies within a bin width below the mean of its two classes' means: threshold_isodata is undefined here (scikit-image fails on it too)");

    /// <summary>The most smoothing passes threshold_minimum's max_num_iter may ask for (each a pass over up to 65536 bins).</summary>
    public const int MinimumMaxIterations = 100_000;

    /// <summary>
    /// threshold_minimum (scikit-image 0.19.3): the counts as float64 are smoothed by scipy.ndimage.uniform_filter1d
    /// of size 3 (mode reflect, SciPy's running sum: t = (x̃[−1] + x̃[0] + x̃[1]) / 3, then t += (x̃[i + 1] − x̃[i − 2]) / 3,
    /// in float64) until fewer than three local maxima remain (a maximum: where a rise or plateau first falls, plateaus
    /// included, as its find_local_maxima_idx); with exactly two, the threshold is the center of the first lowest
    /// smoothed bin between them (both included).
    /// </summary>
    /// <exception cref="ArgumentException">Not two maxima, or max_num_iter passes used up (scikit-image fails on both).</exception>
    public static double Minimum(ReadOnlySpan<float> x, int bits, int nbins, int maxIterations = 10000, int threads = 1, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxIterations, MinimumMaxIterations);
        if (bits is 8 or 16 && !x.IsEmpty)
        {
            return IntegerLevel(x, bits, threads, (counts, _) => MinimumBin(counts, maxIterations, cancel));
        }

        var h = ImageHistogram.Of(x, bits, nbins, threads);
        return h.Centers[MinimumBin(h.Counts, maxIterations, cancel)];
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int MinimumBin(ReadOnlySpan<long> counts, int maxIterations, CancellationToken cancel)
    {
        int n = counts.Length;
        var pool = System.Buffers.ArrayPool<double>.Shared;
        double[] a = pool.Rent(n), b = pool.Rent(n);
        try
        {
            for (int i = 0; i < n; i++)
            {
                a[i] = counts[i];
            }

            int counter, found = 0, first = -1, second = -1;
            bool settled = false;
            for (counter = 0; counter < maxIterations; counter++)
            {
                if ((counter & 1023) == 1023)
                {
                    cancel.ThrowIfCancellationRequested();
                }

                SmoothBy3(a, b, n);
                (a, b) = (b, a);
                (found, first, second) = LocalMaxima(a, n);
                if (found < 3)
                {
                    settled = true;
                    break;
                }
            }

            if (!settled)
            {
                counter = maxIterations - 1; // Python's loop variable keeps its last value
            }

            if (found != 2)
            {
                throw new ArgumentException($"the smoothed histogram has {(found < 2 ? found.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more than two")} maxima, not two: threshold_minimum is undefined here (scikit-image fails on it too)");
            }

            if (counter == maxIterations - 1)
            {
                throw new ArgumentException($"the histogram was smoothed max_num_iter ({maxIterations}) times without settling on two maxima (scikit-image fails on it too)");
            }

            int lowest = first;
            for (int i = first + 1; i <= second; i++)
            {
                if (a[i] < a[lowest])
                {
                    lowest = i;
                }
            }

            return lowest;
        }
        finally
        {
            pool.Return(a);
            pool.Return(b);
        }
    }

    /// <summary>
    /// scipy.ndimage.uniform_filter1d(src, 3) over src[0..n) (mode reflect: x̃[−1] = x[0], x̃[n] = x[n − 1]) into dst,
    /// SciPy's running sum in float64: t = ((0 + x̃[−1]) + x̃[0]) + x̃[1], then t += x̃[i + 1] − x̃[i − 2], each output
    /// t / 3 (SciPy 1.10's NI_UniformFilter1D, bit for bit: dividing each step's difference by 3 instead, as older
    /// SciPy did, moves the low bits, which decides a plateau's maximum and so the threshold).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SmoothBy3(double[] src, double[] dst, int n)
    {
        fixed (double* x = src, d = dst)
        {
            double t = 0;
            t += x[0];
            t += x[0];
            t += x[n > 1 ? 1 : 0];
            d[0] = t / 3;
            if (n == 1)
            {
                return;
            }

            t += x[n > 2 ? 2 : n - 1] - x[0]; // i = 1: x̃[i − 2] = x̃[−1]
            d[1] = t / 3;
            int i = 2;
            for (; i < n - 1; i++)
            {
                t += x[i + 1] - x[i - 2];
                d[i] = t / 3;
            }

            if (i == n - 1)
            {
                t += x[n - 1] - x[i - 2]; // x̃[n] = x[n − 1]
                d[i] = t / 3;
            }
        }
    }

    /// <summary>scikit-image's find_local_maxima_idx: how many maxima (counting stops at 3) and the first two.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (int Found, int First, int Second) LocalMaxima(double[] h, int n)
    {
        int found = 0, first = -1, second = -1;
        bool rising = true;
        for (int i = 0; i < n - 1 && found < 3; i++)
        {
            if (rising)
            {
                if (h[i + 1] < h[i])
                {
                    rising = false;
                    if (found == 0)
                    {
                        first = i;
                    }
                    else if (found == 1)
                    {
                        second = i;
                    }

                    found++;
                }
            }
            else if (h[i + 1] > h[i])
            {
                rising = true;
            }
        }

        return (found, first, second);
    }

    /// <summary>
    /// threshold_mean: numpy.mean of the image. Integer path: the exact sum / count in float64 (numpy's float64
    /// pairwise sum of whole numbers is exact); float path: numpy's float32 mean (<see cref="NumpySum32.Mean"/>).
    /// </summary>
    public static double Mean(ReadOnlySpan<float> x, int bits, int threads = 1)
    {
        if (x.IsEmpty)
        {
            return double.NaN;
        }

        if (bits is 8 or 16)
        {
            return WholeSum(x, threads) / x.Length;
        }

        return NumpySum32.Mean(x, threads);
    }

    /// <summary>
    /// threshold_li (tolerance and initial_guess as scikit-image's; null = its defaults): NaN values are dropped; a
    /// constant image gives its value; infinite values are dropped (nothing left: 0). With v = x − min, tolerance
    /// (default 0.5 on the integer path, half the smallest gap between distinct values on the float path) and
    /// t = mean(v) (or initial_guess − min), repeat t_next = (mean_back − mean_fore) / (log(mean_back) −
    /// log(mean_fore)) over v &gt; t (fore) and v &lt;= t (back) until |t_next − t| &lt;= tolerance (a mean_back of 0
    /// gives t_next = 0, as log(0) = -inf); the threshold is t_next + min. Integer path in float64 with exact class sums (scikit-image's means of whole
    /// numbers); float path in float32 as scikit-image computes it on a float32 array (each class's values in order,
    /// numpy's float32 pairwise mean; numpy's own float32 log, <see cref="NumpyLog32"/>).
    /// </summary>
    /// <exception cref="ArgumentException">initial_guess outside (min, max), as scikit-image.</exception>
    public static double Li(ReadOnlySpan<float> x, int bits, double? tolerance = null, double? initialGuess = null, int threads = 1, CancellationToken cancel = default)
    {
        if (x.IsEmpty)
        {
            return double.NaN;
        }

        if (bits is 8 or 16)
        {
            var counts = ImageHistogram.BinCountPooled(x, 1 << bits, threads);
            try
            {
                return LiInteger(counts, tolerance, initialGuess, cancel);
            }
            finally
            {
                ImageHistogram.ReturnCounts(counts);
            }
        }

        return LiFloat(x, tolerance, initialGuess, cancel);
    }

    /// <summary>
    /// The exact sum of whole numbers below 65536 (at most 2^31 of them: the sum stays below 2^53): float32 lane sums
    /// of at most 128 vectors (below 2^24, exact), added into a long.
    /// </summary>
    internal static double WholeSum(ReadOnlySpan<float> x, int threads)
    {
        return SpanParts.Map(x, Math.Max(1, Math.Min(threads, x.Length / (1 << 18))), 8, WholeSumChunk).Sum();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static long WholeSumChunk(ReadOnlySpan<float> x)
    {
        long total = 0;
        int i = 0;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        if (Vector256.IsHardwareAccelerated)
        {
            while (x.Length - i >= 32)
            {
                int len = Math.Min(128 * 8, x.Length - i) & ~31;
                var a = Vector256<float>.Zero;
                var b = Vector256<float>.Zero;
                var c = Vector256<float>.Zero;
                var d = Vector256<float>.Zero;
                for (int j = 0; j < len; j += 32)
                {
                    a += Vector256.LoadUnsafe(ref x0, (nuint)(i + j));
                    b += Vector256.LoadUnsafe(ref x0, (nuint)(i + j + 8));
                    c += Vector256.LoadUnsafe(ref x0, (nuint)(i + j + 16));
                    d += Vector256.LoadUnsafe(ref x0, (nuint)(i + j + 24));
                }

                // Each lane holds at most 32 values below 65536: exact in float32, and exact as int.
                total += Vector256.Sum(Vector256.ConvertToInt32(a) + Vector256.ConvertToInt32(b) + Vector256.ConvertToInt32(c) + Vector256.ConvertToInt32(d));
                i += len;
            }
        }

        for (; i < x.Length; i++)
        {
            total += (long)Unsafe.Add(ref x0, i);
        }

        return total;
    }

    /// <summary>The most iterations Li's loop makes before the image fails (scikit-image has no bound).</summary>
    public const int LiMaxIterations = 1000;

    /// <summary>
    /// The thresholds Li's iteration has taken. The iteration is a function of its current threshold alone (the classes
    /// split at it; the next threshold is made from their means), so a threshold met a second time, every step since
    /// having moved by more than the tolerance, repeats forever: scikit-image's loop never returns there (found by the
    /// differential fuzz on a smoothed float image: 117.718428 and 117.718482 in turn, 5.4e-5 apart, the tolerance
    /// 1.9e-6). Such an image fails, naming the cycle and a tolerance that stops it, as does one that has not settled
    /// in <see cref="LiMaxIterations"/> iterations; no value is made up.
    /// </summary>
    private sealed class LiPath(double offset, Func<double> tolerance)
    {
        /// <summary>The thresholds taken, in order, each with whether it was a float32 (a repeat is a repeat of both).</summary>
        private readonly List<(double Value, bool Is32)> _taken = [];

        /// <summary>Records a threshold (without the image's minimum, <c>offset</c>); throws when it was taken before or the iterations run out.</summary>
        /// <exception cref="ArgumentException">The iteration cycles, or has not settled in <see cref="LiMaxIterations"/> iterations.</exception>
        public void Visit(double current, bool is32)
        {
            int first = _taken.IndexOf((current, is32));
            if (first >= 0)
            {
                var cycle = _taken.GetRange(first, _taken.Count - first).ConvertAll(t => t.Value);
                double step = 0;
                for (int i = 0; i < cycle.Count; i++)
                {
                    step = Math.Max(step, Math.Abs(cycle[(i + 1) % cycle.Count] - cycle[i]));
                }

                string where = cycle.Count == 2
                    ? $"goes back and forth between {Text(Math.Min(cycle[0], cycle[1]) + offset)} and {Text(Math.Max(cycle[0], cycle[1]) + offset)} ({Short(step)} apart"
                    : $"cycles through {cycle.Count} values from {Text(cycle.Min() + offset)} to {Text(cycle.Max() + offset)} (in steps of up to {Short(step)}";
                throw new ArgumentException(
                    $"the threshold does not settle: from iteration {first + 1} on it {where}, more than the tolerance {Short(tolerance())}), "
                    + $"so scikit-image's loop never ends on this image; tolerance: {Short(RoundUp(step))} stops it");
            }

            if (_taken.Count >= LiMaxIterations)
            {
                throw new ArgumentException(
                    $"the threshold has not settled after {LiMaxIterations} iterations: it still moves by {Short(Math.Abs(current - _taken[^1].Value))}, "
                    + $"more than the tolerance {Short(tolerance())} (scikit-image has no bound; XRayFlow stops here)");
            }

            _taken.Add((current, is32));
        }

        private static string Text(double v) => v.ToString("G8", System.Globalization.CultureInfo.InvariantCulture);

        private static string Short(double v) => v.ToString("G3", System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>v rounded up to two significant digits (a tolerance at least v).</summary>
        private static double RoundUp(double v)
        {
            if (!(v > 0) || double.IsInfinity(v))
            {
                return v;
            }

            var inv = System.Globalization.CultureInfo.InvariantCulture;
            double unit = Math.Pow(10, Math.Floor(Math.Log10(v)) - 1);
            for (double k = Math.Ceiling(v / unit); ; k++)
            {
                double r = double.Parse((k * unit).ToString("G2", inv), inv);
                if (r >= v)
                {
                    return r;
                }
            }
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double LiInteger(long[] counts, double? tolerance, double? initialGuess, CancellationToken cancel)
    {
        var (lo, hi) = ImageHistogram.Occupied(counts);
        if (lo == hi)
        {
            return lo;
        }

        // v = x - min: whole numbers 0 .. hi - lo with counts[lo + v]; prefix sums give every class sum exactly.
        int m = hi - lo + 1;
        var pool = System.Buffers.ArrayPool<long>.Shared; // 16-bit images: thousands of sums, no garbage per image
        long[] n = pool.Rent(m + 1), s = pool.Rent(m + 1);
        try
        {
            return LiIterate(counts, lo, hi, n, s, tolerance, initialGuess, cancel);
        }
        finally
        {
            pool.Return(n);
            pool.Return(s);
        }
    }

    /// <summary>Li's iteration on the counts from lo to hi, with prefix counts and sums in n and s (at least hi - lo + 2 long).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double LiIterate(long[] counts, int lo, int hi, long[] n, long[] s, double? tolerance, double? initialGuess, CancellationToken cancel)
    {
        int m = hi - lo + 1;
        n[0] = 0;
        s[0] = 0;
        for (int v = 0; v < m; v++)
        {
            n[v + 1] = n[v] + counts[lo + v];
            s[v + 1] = s[v] + (counts[lo + v] * v);
        }

        double tol = tolerance is { } t0 && t0 != 0 ? t0 : 0.5;
        double next = initialGuess is { } g ? StartFrom(g, lo, hi - lo) : (double)s[m] / n[m];
        double current = -2 * tol;
        var path = new LiPath(lo, () => tol);
        while (Math.Abs(next - current) > tol)
        {
            cancel.ThrowIfCancellationRequested();
            current = next;
            path.Visit(current, is32: false);

            // v > current: the classes split at the first whole number above current.
            int split = current < 0 ? 0 : current >= m - 1 ? m : (int)Math.Floor(current) + 1;
            double meanFore = (double)(s[m] - s[split]) / (n[m] - n[split]);
            double meanBack = (double)s[split] / n[split];

            next = (meanBack - meanFore) / (Math.Log(meanBack) - Math.Log(meanFore));
        }

        return next + lo;
    }

    private static double StartFrom(double guess, double min, double range)
    {
        double t = guess - min;
        double max = min + range;
        return t > 0 && t < range
            ? t
            : throw new ArgumentException($"initial_guess {guess} is outside the image's range ({min}, {max}): threshold_li needs min < initial_guess < max");
    }

    /// <summary>
    /// Li's iteration on a float image, on one thread whatever the step's threads: its loop reads the image on one
    /// thread (<see cref="NumpySum32.ClassMeans"/>), and a first pass on two threads before it made the whole call slower,
    /// not faster (2026-12-07, `thresholds-cpu 31 2 LiFloat`, ten alternating pairs: medians 3.6 against 4.0 ms), likely
    /// because half the image then comes to this core from the other core's cache at every iteration.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double LiFloat(ReadOnlySpan<float> x, double? tolerance, double? initialGuess, CancellationToken cancel)
    {
        int finiteCount;
        float[] buffer;
        double? neighbourGap = null;
        float min, max;
        float? mean = null;
        if (AllFinite(x, out float lo, out float hi))
        {
            if (lo == hi)
            {
                return x[0]; // a constant image gives its value
            }

            finiteCount = x.Length;
            buffer = ArrayPool.Rent(finiteCount);
            min = lo;
            max = hi - lo;
            (neighbourGap, mean) = SubtractInto(x, lo, buffer); // float32, as image -= image_min
        }
        else
        {
            // Drop NaN; a constant image (infinities included) gives its value; then drop infinities.
            float first = float.NaN;
            bool allEqual = true;
            finiteCount = 0;
            foreach (float f in x)
            {
                if (float.IsNaN(f))
                {
                    continue;
                }

                if (float.IsNaN(first))
                {
                    first = f;
                }
                else if (f != first)
                {
                    allEqual = false;
                }

                finiteCount += float.IsFinite(f) ? 1 : 0;
            }

            if (float.IsNaN(first))
            {
                return double.NaN;
            }

            if (allEqual)
            {
                return first;
            }

            if (finiteCount == 0)
            {
                return 0.0;
            }

            buffer = ArrayPool.Rent(finiteCount);
            int k = 0;
            min = float.PositiveInfinity;
            foreach (float f in x)
            {
                if (float.IsFinite(f))
                {
                    buffer[k++] = f;
                    min = Math.Min(min, f);
                }
            }

            max = float.NegativeInfinity;
            for (int i = 0; i < finiteCount; i++)
            {
                buffer[i] -= min;
                max = Math.Max(max, buffer[i]);
            }
        }

        try
        {
            var v = buffer.AsSpan(0, finiteCount);
            if (max == 0)
            {
                return min; // only infinities besides one finite value: one value left
            }

            // tolerance: half the smallest gap between distinct values (float64 of a float32 gap). It decides only
            // when an iteration moves by little: an upper bound on the gap (two values in the data) settles most
            // comparisons; the exact gap (a sort) is taken only when the bound cannot.
            double? exactTolerance = tolerance is { } t0 && t0 != 0 ? t0 : null;
            // Two upper bounds, the cheaper first: gaps between neighbours in storage order (from the pass that
            // subtracted the minimum, or a pass of its own), then, only when an iteration moves by less, also the
            // gaps in a sorted sample. Every answer is d > the exact tolerance; the bounds only skip the sort.
            double boundTolerance = exactTolerance ?? (neighbourGap ?? NeighbourGap(v)) / 2;
            bool sampled = exactTolerance is not null;
            bool Continue(double d)
            {
                if (exactTolerance is { } e)
                {
                    return d > e;
                }

                if (d > boundTolerance)
                {
                    return true;
                }

                if (d == 0)
                {
                    return false;
                }

                if (!sampled)
                {
                    sampled = true;
                    boundTolerance = Math.Min(boundTolerance, SampleGap(buffer.AsSpan(0, finiteCount)) / 2);
                    if (d > boundTolerance)
                    {
                        return true;
                    }
                }

                exactTolerance = SmallestGap(buffer.AsSpan(0, finiteCount).ToArray()) / 2;
                return d > exactTolerance.Value;
            }

            // numpy's dtypes: t_next is float32 (the mean, then float32 arithmetic) or float64 (initial_guess);
            // t_curr starts as float64 -2 * tolerance; |t_next - t_curr| is float32 when both are float32.
            double next = initialGuess is { } g ? StartFrom(g, min, max) : mean ?? NumpySum32.Mean(v);
            bool nextIs32 = initialGuess is null;
            double current = -2 * (exactTolerance ?? 0);
            bool currentIs32 = false;
            var path = new LiPath(min, () => exactTolerance ??= SmallestGap(buffer.AsSpan(0, finiteCount).ToArray()) / 2);
            for (int iteration = 0; ; iteration++)
            {
                cancel.ThrowIfCancellationRequested();
                double d = nextIs32 && currentIs32 ? Math.Abs((float)next - (float)current) : Math.Abs(next - current);
                if (iteration > 0 && !Continue(d))
                {
                    break;
                }

                current = next;
                currentIs32 = nextIs32;
                path.Visit(current, currentIs32);
                // np.mean(image[foreground]) and np.mean(image[~foreground]): each class gathered in order, then
                // numpy's float32 pairwise mean (exact sums rounded once can settle Li elsewhere: 3e-4 relative).
                var (meanFore, meanBack) = NumpySum32.ClassMeans(v, (float)current);
                next = (meanBack - meanFore) / (NumpyLog32.Log(meanBack) - NumpyLog32.Log(meanFore));
                nextIs32 = true;
            }

            return nextIs32 ? (float)next + min : next + min;
        }
        finally
        {
            ArrayPool.Return(buffer);
        }
    }

    private static System.Buffers.ArrayPool<float> ArrayPool => System.Buffers.ArrayPool<float>.Shared;

    /// <summary>An upper bound on the smallest gap between distinct values: the smallest nonzero |v[i] − v[i−1]| (+inf when there is none).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double NeighbourGap(ReadOnlySpan<float> v)
    {
        float best = float.PositiveInfinity;
        int i = 1;
        ref float v0 = ref MemoryMarshal.GetReference(v);
        if (Vector256.IsHardwareAccelerated && v.Length > 9)
        {
            var inf = Vector256.Create(float.PositiveInfinity);
            var m = inf;
            for (; i <= v.Length - 8; i += 8)
            {
                var d = Vector256.Abs(Vector256.LoadUnsafe(ref v0, (nuint)i) - Vector256.LoadUnsafe(ref v0, (nuint)(i - 1)));
                m = Vector256.Min(m, Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), inf, d));
            }

            for (int l = 0; l < 8; l++)
            {
                best = Math.Min(best, m[l]);
            }
        }

        for (; i < v.Length; i++)
        {
            float d = Math.Abs(v[i] - v[i - 1]);
            if (d > 0 && d < best)
            {
                best = d;
            }
        }

        return best;
    }

    /// <summary>An upper bound on the smallest gap between distinct values: the smallest gap in a sorted sample of 4096 of them.</summary>
    private static double SampleGap(ReadOnlySpan<float> v)
    {
        int size = Math.Min(v.Length, 4096);
        var sample = new float[size];
        for (int k = 0; k < size; k++)
        {
            sample[k] = v[(int)((long)k * v.Length / size)];
        }

        return SmallestGap(sample);
    }

    /// <summary>
    /// True when no value is NaN or infinite; then the smallest and largest value (no values: true, +inf and -inf). One
    /// pass of <see cref="Extremes.NanMinMax(ReadOnlySpan{float})"/>: without NaN, nanmin and nanmax are IEEE's min and max.
    /// </summary>
    internal static bool AllFinite(ReadOnlySpan<float> x, out float min, out float max)
    {
        if (x.IsEmpty)
        {
            (min, max) = (float.PositiveInfinity, float.NegativeInfinity);
            return true;
        }

        (min, max, bool nan) = Extremes.NanMinMax(x);
        return !nan && float.IsFinite(min) && float.IsFinite(max);
    }

    /// <summary>
    /// dst[i] = x[i] - min in float32 (as image -= image_min), with <see cref="NeighbourGap"/> of dst and numpy.mean(dst)
    /// from the same pass: each of <see cref="NumpySum32"/>'s 8192-value buffers is summed right after it is written,
    /// while it is in cache, the sums added in order (<see cref="NumpySum32.Mean"/>'s bits). Three passes before
    /// (2026-12-07: subtracting 0.23-0.30 ms, the mean 0.10-0.19 ms after it). On one thread: Li's loop reads dst on
    /// this thread (see <see cref="LiFloat"/>).
    /// </summary>
    internal static (double Gap, float Mean) SubtractInto(ReadOnlySpan<float> x, float min, float[] dst)
    {
        int n = x.Length;
        float gap = float.PositiveInfinity, sum = 0f;
        for (int start = 0; start < n; start += NumpySum32.BufferLength)
        {
            int end = Math.Min(n, start + NumpySum32.BufferLength);
            gap = Math.Min(gap, SubtractRange(x, min, dst, start, end));
            sum += NumpySum32.BufferSum(dst.AsSpan(start, end - start));
        }

        return (gap, NumpySum32.MeanOf(sum, n));
    }

    /// <summary>dst[i] = x[i] - min for i in start..end; returns the smallest nonzero |dst[i] - dst[i - 1]| for i in max(start, 1)..end (+inf for none), each neighbour made again from x.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static float SubtractRange(ReadOnlySpan<float> x, float min, float[] dst, int start, int end)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float d0 = ref MemoryMarshal.GetArrayDataReference(dst);
        float best = float.PositiveInfinity;
        if (start == 0)
        {
            dst[0] = x[0] - min;
            start = 1;
        }

        int i = start;
        if (Vector256.IsHardwareAccelerated && end - start >= 8)
        {
            var m = Vector256.Create(min);
            var inf = Vector256.Create(float.PositiveInfinity);
            var gap = inf;
            for (; i <= end - 8; i += 8)
            {
                var cur = Vector256.LoadUnsafe(ref x0, (nuint)i) - m;
                var prev = Vector256.LoadUnsafe(ref x0, (nuint)(i - 1)) - m;
                cur.StoreUnsafe(ref d0, (nuint)i);
                var d = Vector256.Abs(cur - prev);
                gap = Vector256.Min(gap, Vector256.ConditionalSelect(Vector256.Equals(d, Vector256<float>.Zero), inf, d));
            }

            for (int l = 0; l < 8; l++)
            {
                best = Math.Min(best, gap[l]);
            }
        }

        for (; i < end; i++)
        {
            float cur = Unsafe.Add(ref x0, i) - min;
            dst[i] = cur;
            float d = Math.Abs(cur - (Unsafe.Add(ref x0, i - 1) - min));
            if (d > 0 && d < best)
            {
                best = d;
            }
        }

        return best;
    }

    /// <summary>np.min(np.diff(np.unique(v))) in float32: the smallest gap between distinct values (sorts v; +inf when they are all equal).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double SmallestGap(float[] v)
    {
        Array.Sort(v);
        float best = float.PositiveInfinity;
        for (int i = 1; i < v.Length; i++)
        {
            if (v[i] != v[i - 1])
            {
                best = Math.Min(best, v[i] - v[i - 1]);
            }
        }

        return best;
    }

    /// <summary>numpy.argmax over f(0..n-1): the first largest, or the first NaN.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int ArgMax(int n, Func<int, double> f)
    {
        if (n <= 0)
        {
            throw new ArgumentException("argmax of an empty sequence");
        }

        int best = 0;
        double bv = f(0);
        if (double.IsNaN(bv))
        {
            return 0;
        }

        for (int i = 1; i < n; i++)
        {
            double v = f(i);
            if (double.IsNaN(v))
            {
                return i;
            }

            if (v > bv)
            {
                bv = v;
                best = i;
            }
        }

        return best;
    }
}

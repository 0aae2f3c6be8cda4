namespace XRayFlow.Core.Ops.Kernels;

/// <summary>Histogram and summary statistics with NumPy/SciPy semantics, accumulated in double / long.</summary>
public static class Statistics
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

    /// <summary>
    /// scipy.ndimage.histogram(x, min, max, bins) = numpy.histogram(x, edges)[0]: bin i counts
    /// edge[i] &lt;= x &lt; edge[i+1] (compared in double), the last bin also counts x == max. Values below
    /// min, above max, and NaN are not counted.
    /// </summary>
    public static long[] Histogram(ReadOnlySpan<float> x, double[] edges)
    {
        int bins = edges.Length - 1;
        var counts = new long[bins];
        double lo = edges[0], hi = edges[bins];
        double step = (hi - lo) / bins;
        double inv = step > 0 ? 1.0 / step : 0;
        foreach (float f in x)
        {
            double v = f;
            if (!(v >= lo && v <= hi))
            {
                continue; // outside, or NaN
            }

            int b;
            if (inv == 0)
            {
                b = bins - 1; // min == max: only x == max is inside, in the last bin
            }
            else
            {
                b = (int)((v - lo) * inv);
                b = Math.Clamp(b, 0, bins - 1);

                // The estimate can be one off near an edge: settle it against the exact edges.
                while (b > 0 && v < edges[b])
                {
                    b--;
                }

                while (b < bins - 1 && v >= edges[b + 1])
                {
                    b++;
                }
            }

            counts[b]++;
        }

        return counts;
    }

    /// <summary>Summary of all values, in double: min, max, mean, median, std (population, ddof = 0).</summary>
    public readonly record struct Summary(long Count, double Min, double Max, double Mean, double Median, double Std);

    /// <summary>
    /// NumPy semantics on x.astype(float64): mean = sum / n; std = sqrt(sum((x - mean)^2) / n) (two passes);
    /// median = the middle value, or the mean of the two middle values for an even count. Any NaN makes every
    /// statistic NaN (as numpy's min/max/mean/median/std).
    /// </summary>
    public static Summary Summarize(ReadOnlySpan<float> x)
    {
        long n = x.Length;
        if (n == 0)
        {
            return new Summary(0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        bool nan = false;
        foreach (float f in x)
        {
            if (float.IsNaN(f))
            {
                nan = true;
                break;
            }

            double v = f;
            sum += v;
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }
        }

        if (nan)
        {
            return new Summary(n, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        }

        double mean = sum / n;
        double ss = 0;
        foreach (float f in x)
        {
            double d = f - mean;
            ss += d * d;
        }

        double std = Math.Sqrt(ss / n);
        return new Summary(n, min, max, mean, Median(x), std);
    }

    /// <summary>Median by selection (O(n) expected) on a copy.</summary>
    public static double Median(ReadOnlySpan<float> x)
    {
        var a = x.ToArray();
        int n = a.Length;
        int mid = n / 2;
        float upper = Select(a, 0, n - 1, mid);
        if ((n & 1) == 1)
        {
            return upper;
        }

        // After selecting mid, every element left of mid is <= a[mid]: the lower middle is their maximum.
        float lower = a[0];
        for (int i = 1; i < mid; i++)
        {
            if (a[i] > lower)
            {
                lower = a[i];
            }
        }

        return ((double)lower + upper) / 2.0;
    }

    /// <summary>Hoare-style quickselect (median-of-three pivot) of the k-th smallest in a[lo..hi].</summary>
    private static float Select(float[] a, int lo, int hi, int k)
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

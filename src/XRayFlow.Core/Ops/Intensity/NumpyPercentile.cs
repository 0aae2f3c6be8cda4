using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// numpy.percentile(a, q) with numpy 1.24's default method 'linear', of one frame, as numpy computes it for the
/// dtype scikit-image would see: the virtual index v = (n - 1) * (q / 100), i = floor(v) and i + 1 (both n - 1
/// when v &gt;= n - 1), g = v - i, a and b the i-th and (i + 1)-th smallest values, d = b - a in the array's dtype
/// (float32 rounding for float32 arrays, exact for integers), then a + d g when g &lt; 0.5, else b - d (1 - g), in
/// float64. NaN anywhere gives NaN.
/// </summary>
public static class NumpyPercentile
{
    /// <summary>The percentiles <paramref name="qs"/> (each 0..100) of <paramref name="values"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] Of(ReadOnlySpan<float> values, SkimageDtype dtype, IReadOnlyList<double> qs)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        var result = new double[qs.Count];
        int n = values.Length;
        if (dtype != SkimageDtype.Float32)
        {
            // One count per level: 256 for uint8 (tables of 65536 would be large-object allocations per call).
            int levels = dtype == SkimageDtype.UInt8 ? 256 : 65536;
            var counts = new int[levels];
            foreach (float v in values)
            {
                counts[(int)v]++;
            }

            var cum = new long[levels];
            long c = 0;
            for (int v = 0; v < counts.Length; v++)
            {
                c += counts[v];
                cum[v] = c;
            }

            double Kth(long k)
            {
                int lo = 0, hi = levels - 1;
                while (lo < hi)
                {
                    int mid = (lo + hi) >>> 1;
                    if (cum[mid] > k)
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid + 1;
                    }
                }

                return lo;
            }

            for (int j = 0; j < qs.Count; j++)
            {
                var (i, next, g) = Index(n, qs[j]);
                double a = Kth(i), b = Kth(next);
                result[j] = Lerp(a, b, b - a, g);
            }

            return result;
        }

        // The selection reorders a copy; a pooled one (exact length): a fresh 4 MB copy per call is a large-object
        // allocation whose page faults and collections cost more than the selection (median 15 ms vs 5 ms measured).
        if (Statistics.ArrayStatistics.HasNaN(values))
        {
            Array.Fill(result, double.NaN);
            return result;
        }

        var copy = PixelPool.Shared.Rent(values.Length);
        try
        {
            values.CopyTo(copy);
            for (int j = 0; j < qs.Count; j++)
            {
                var (i, next, g) = Index(n, qs[j]);
                float a = Select(copy, i);
                float b = next == i ? a : MinFrom(copy, next);
                result[j] = Lerp(a, b, b - a, g);
            }
        }
        finally
        {
            PixelPool.Shared.Return(copy);
        }

        return result;
    }

    private static (long I, long Next, double G) Index(int n, double q)
    {
        double v = (n - 1) * (q / 100);
        if (v >= n - 1)
        {
            return (n - 1, n - 1, v + 1);
        }

        double i = Math.Floor(Math.Max(v, 0));
        return ((long)i, (long)i + 1, v - i);
    }

    private static double Lerp(double a, double b, double d, double g) => g < 0.5 ? a + (d * g) : b - (d * (1 - g));

    /// <summary>The smallest value of a[from..] (after <see cref="Select"/> of from - 1, the next order statistic).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float MinFrom(float[] a, long from)
    {
        float m = float.PositiveInfinity;
        for (long k = from; k < a.Length; k++)
        {
            m = Math.Min(m, a[k]);
        }

        return m;
    }

    /// <summary>Rearranges <paramref name="a"/> so a[k] is its k-th smallest value, smaller ones before and larger after; returns a[k].</summary>
    private static float Select(float[] a, long k) => Statistics.ArrayStatistics.Select(a, 0, a.Length - 1, (int)k);
}

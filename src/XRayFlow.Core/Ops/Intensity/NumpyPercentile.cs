using System.Runtime.CompilerServices;

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
    public static double[] Of(ReadOnlySpan<float> values, SkimageDtype dtype, IReadOnlyList<double> qs, int threads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Length);
        var result = new double[qs.Count];
        int n = values.Length;
        if (dtype != SkimageDtype.Float32)
        {
            // One count per level: 256 for uint8, 65,536 for uint16, from the pool and made cumulative in place (two new
            // 512 KiB tables a call were large-object allocations: a 16-bit image's percentiles took 3.9 ms, most of it
            // the collector's).
            int levels = dtype == SkimageDtype.UInt8 ? 256 : 65536;
            var cum = Statistics.ImageHistogram.BinCountPooled(values, levels, threads); // numpy.bincount's kernel
            try
            {
                for (int v = 1; v < levels; v++)
                {
                    cum[v] += cum[v - 1];
                }

                return Read(cum, levels, n, qs, result);
            }
            finally
            {
                Statistics.ImageHistogram.ReturnCounts(cum);
            }
        }

        // The two order statistics each percentile reads, by the shared selection (a sampled window of candidates,
        // then a selection among them: no copy and reordering of the whole frame).
        if (Statistics.ArrayStatistics.HasNaN(values))
        {
            Array.Fill(result, double.NaN);
            return result;
        }

        for (int j = 0; j < qs.Count; j++)
        {
            var (i, next, g) = Statistics.Quantiles.Indexes(n, qs[j]);
            var (a, b) = Statistics.ArrayStatistics.SelectRanks(values, i, next);
            result[j] = Statistics.Quantiles.Lerp(a, b, g, float64: false); // the difference in float32, the array's dtype
        }

        return result;
    }

    /// <summary>The percentiles from cumulative counts of whole values 0 .. levels - 1 (n values in all): rank k is the first value whose cumulative count exceeds k.</summary>
    private static double[] Read(long[] cum, int levels, int n, IReadOnlyList<double> qs, double[] result)
    {
        float Kth(long k)
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
            var (i, next, g) = Statistics.Quantiles.Indexes(n, qs[j]);
            result[j] = Statistics.Quantiles.Lerp(Kth(i), Kth(next), g, float64: true); // whole values: an exact difference
        }

        return result;
    }
}

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// numpy.percentile(x, q) with its default 'linear' method, as NumPy 1.24 computes it over all values (a stack:
/// all frames together):
/// <code>
/// v = (n - 1) * (q / 100)                       (float64)
/// i = floor(v), j = i + 1; both n - 1 when v >= n - 1, both 0 when v &lt; 0
/// g = v - i                                      (i after that adjustment: n - 1 is numpy's index -1, so g = v + 1 there)
/// a, b = the values of rank i and j (ascending); d = b - a in the array's dtype
/// result = g >= 0.5 ? b - d * (1 - g) : a + d * g      (float64)
/// </code>
/// The array's dtype decides where d is rounded: float32 for the engine's pixels (numpy.percentile of the float32
/// array, or of the original uint8/uint16 array: the difference of whole numbers is exact either way), float64 for
/// <c>stats</c> (numpy on the float64 copy). Any NaN gives NaN; no values give NaN.
/// </summary>
public static class Quantiles
{
    /// <summary>numpy.percentile of <paramref name="x"/> at <paramref name="q"/> (0..100).</summary>
    /// <param name="x">The values.</param>
    /// <param name="q">The percentile, 0 to 100.</param>
    /// <param name="bits">8 or 16 when the values are known to be whole numbers (no NaN to look for), else 0.</param>
    /// <param name="float64">Round the difference d in float64 (numpy on a float64 array) instead of float32.</param>
    public static double Percentile(ReadOnlySpan<float> x, double q, int bits = 0, bool float64 = false)
    {
        if (!(q >= 0 && q <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(q), "percentiles must be in the range [0, 100]");
        }

        int n = x.Length;
        if (n == 0 || (bits == 0 && ArrayStatistics.HasNaN(x)))
        {
            return double.NaN;
        }

        var (i, j, g) = Indexes(n, q);
        var (a, b) = ArrayStatistics.SelectRanks(x, i, j);
        return Lerp(a, b, g, float64);
    }

    /// <summary>
    /// numpy.percentile of <paramref name="x"/> at each of <paramref name="qs"/> (as <see cref="Percentile"/>, one value
    /// each). An 8- or 16-bit image (<paramref name="bits"/>) with two or more percentiles is counted once and every rank
    /// read from the cumulative counts (<see cref="Intensity.NumpyPercentile"/>'s integer path, rescale_intensity's),
    /// where each percentile alone would be a selection pass over the values; its differences are exact, as float64's.
    /// </summary>
    public static double[] Percentiles(ReadOnlySpan<float> x, IReadOnlyList<double> qs, int bits = 0, bool float64 = false, int threads = 1)
    {
        foreach (double q in qs)
        {
            if (!(q >= 0 && q <= 100))
            {
                throw new ArgumentOutOfRangeException(nameof(qs), "percentiles must be in the range [0, 100]");
            }
        }

        if (bits is 8 or 16 && qs.Count >= 2 && !x.IsEmpty)
        {
            return Intensity.NumpyPercentile.Of(x, bits == 8 ? Intensity.SkimageDtype.UInt8 : Intensity.SkimageDtype.UInt16, qs, threads);
        }

        var result = new double[qs.Count];
        for (int k = 0; k < qs.Count; k++)
        {
            result[k] = Percentile(x, qs[k], bits, float64);
        }

        return result;
    }

    /// <summary>The ranks numpy reads for the percentile and its interpolation weight.</summary>
    internal static (int I, int J, double Gamma) Indexes(int n, double q)
    {
        double v = (n - 1) * (q / 100);
        double i = Math.Floor(v);
        double j = i + 1;
        double atI = i;
        if (v >= n - 1)
        {
            i = j = n - 1;
            atI = -1; // numpy's index -1
        }
        else if (v < 0)
        {
            i = j = atI = 0;
        }

        return ((int)i, (int)j, v - atI);
    }

    /// <summary>numpy's _lerp(a, b, g) with the difference rounded in the array's dtype.</summary>
    internal static double Lerp(float a, float b, double g, bool float64)
    {
        double d = float64 ? (double)b - a : b - a; // float32 subtraction unless float64
        return g >= 0.5 ? b - (d * (1 - g)) : a + (d * g);
    }
}

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
    /// <param name="method">numpy's <c>method</c> (<see cref="PercentileMethod"/>; default linear).</param>
    public static double Percentile(ReadOnlySpan<float> x, double q, int bits = 0, bool float64 = false, PercentileMethod method = PercentileMethod.Linear)
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

        if (method == PercentileMethod.Linear)
        {
            var (i, j, g) = Indexes(n, q);
            var (a, b) = ArrayStatistics.SelectRanks(x, i, j);
            return Lerp(a, b, g, float64);
        }

        var (ri, rj, gamma, discrete) = MethodIndexes(n, q, method);
        var (va, vb) = ArrayStatistics.SelectRanks(x, ri, rj);
        return discrete ? va : Lerp(va, vb, gamma, float64);
    }

    /// <summary>numpy.percentile's <c>method</c> names (numpy 1.22+), in the order of <see cref="PercentileMethod"/>.</summary>
    public static IReadOnlyList<string> MethodNames { get; } =
    [
        "inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull",
        "linear", "median_unbiased", "normal_unbiased", "lower", "higher", "midpoint", "nearest",
    ];

    /// <summary>The method of a name of <see cref="MethodNames"/>.</summary>
    public static PercentileMethod ParseMethod(string name)
    {
        for (int k = 0; k < MethodNames.Count; k++)
        {
            if (MethodNames[k] == name)
            {
                return (PercentileMethod)k;
            }
        }

        throw new ArgumentException($"'{name}' is not a percentile method; use one of {string.Join(", ", MethodNames)}");
    }

    /// <summary>
    /// The ranks numpy 1.24's <c>_quantile</c> reads for <paramref name="method"/> at q (0..100), in its float64
    /// operations (p = q / 100): a discrete method's one rank (the value itself is the answer: no interpolation), or a
    /// continuous method's two ranks and the interpolation weight as <c>_get_indexes</c> and <c>fix_gamma</c> give them.
    /// <code>
    /// inverted_cdf           v = n p - 1: floor(v) when v is whole, else floor(v) + 1; at least 0
    /// closest_observation    v = n p - 1 - 0.5: floor(v) when v is whole and floor(v) even, else floor(v) + 1; at least 0
    /// lower / higher / nearest   floor / ceil / round-half-even of (n - 1) p
    /// interpolated_inverted_cdf, hazen, weibull, median_unbiased, normal_unbiased
    ///                        v = n p + (alpha + p (1 - alpha - beta)) - 1, (alpha, beta) = (0, 1), (1/2, 1/2), (0, 0),
    ///                        (1/3, 1/3), (3/8, 3/8)
    /// averaged_inverted_cdf  v = n p - 1, weight 1/2 where v - i is 0, else 1
    /// midpoint               v = (floor((n - 1) p) + ceil((n - 1) p)) / 2, weight 0 where v is whole, else 1/2
    /// </code>
    /// then i = floor(v), j = i + 1; both n - 1 (numpy's -1) when v &gt;= n - 1, both 0 when v &lt; 0; weight v - i
    /// (i after that adjustment) unless the method fixes it.
    /// </summary>
    internal static (int I, int J, double Gamma, bool Discrete) MethodIndexes(int n, double q, PercentileMethod method)
    {
        double p = q / 100;
        static int AtLeastZero(double v) => (int)Math.Max(0, v);
        switch (method)
        {
            case PercentileMethod.InvertedCdf:
                {
                    double v = (n * p) - 1;
                    double prev = Math.Floor(v);
                    int k = AtLeastZero(v - prev == 0 ? prev : prev + 1);
                    return (k, k, 0, true);
                }

            case PercentileMethod.ClosestObservation:
                {
                    double v = ((n * p) - 1) - 0.5;
                    double prev = Math.Floor(v);
                    bool even = ((prev % 2) + 2) % 2 == 0; // numpy's floor(v) % 2 takes the divisor's sign
                    int k = AtLeastZero(v - prev == 0 && even ? prev : prev + 1);
                    return (k, k, 0, true);
                }

            case PercentileMethod.Lower:
            case PercentileMethod.Higher:
            case PercentileMethod.Nearest:
                {
                    double v = (n - 1) * p;
                    double r = method == PercentileMethod.Lower ? Math.Floor(v) : method == PercentileMethod.Higher ? Math.Ceiling(v) : Math.Round(v, MidpointRounding.ToEven);
                    int k = (int)r;
                    return (k, k, 0, true);
                }
        }

        double virtualIndex = method switch
        {
            PercentileMethod.InterpolatedInvertedCdf => HyndmanFan(n, p, 0, 1),
            PercentileMethod.Hazen => HyndmanFan(n, p, 0.5, 0.5),
            PercentileMethod.Weibull => HyndmanFan(n, p, 0, 0),
            PercentileMethod.MedianUnbiased => HyndmanFan(n, p, 1 / 3.0, 1 / 3.0),
            PercentileMethod.NormalUnbiased => HyndmanFan(n, p, 3 / 8.0, 3 / 8.0),
            PercentileMethod.AveragedInvertedCdf => (n * p) - 1,
            PercentileMethod.Midpoint => 0.5 * (Math.Floor((n - 1) * p) + Math.Ceiling((n - 1) * p)),
            _ => (n - 1) * p,
        };

        var (i, j, gamma) = NeighbourRanks(n, virtualIndex);
        gamma = method switch
        {
            PercentileMethod.AveragedInvertedCdf => gamma == 0 ? 0.5 : 1.0,
            PercentileMethod.Midpoint => virtualIndex % 1 == 0 ? 0.0 : 0.5,
            _ => gamma,
        };
        return (i, j, gamma, false);
    }

    /// <summary>numpy's _compute_virtual_index: n p + (alpha + p (1 - alpha - beta)) - 1, in that order.</summary>
    private static double HyndmanFan(int n, double p, double alpha, double beta) => ((n * p) + (alpha + (p * ((1 - alpha) - beta)))) - 1;

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
    internal static (int I, int J, double Gamma) Indexes(int n, double q) => NeighbourRanks(n, (n - 1) * (q / 100));

    /// <summary>
    /// numpy's _get_indexes and _get_gamma for a virtual index v: i = floor(v), j = i + 1; both n - 1 when v &gt;= n - 1
    /// (numpy's index -1, so the weight is v + 1), both 0 when v &lt; 0; the weight v - i after that adjustment.
    /// </summary>
    private static (int I, int J, double Gamma) NeighbourRanks(int n, double v)
    {
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

/// <summary>numpy.percentile's methods (numpy 1.22+), named in <see cref="Quantiles.MethodNames"/>.</summary>
public enum PercentileMethod
{
    InvertedCdf,
    AveragedInvertedCdf,
    ClosestObservation,
    InterpolatedInvertedCdf,
    Hazen,
    Weibull,
    Linear,
    MedianUnbiased,
    NormalUnbiased,
    Lower,
    Higher,
    Midpoint,
    Nearest,
}

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// numpy.interp(x, xp, fp) (numpy 1.24's arr_interp, left = fp[0], right = fp[-1]) once the interval is known, shared
/// by equalize_hist and match_histograms, which each find it their own way.
/// </summary>
internal static class NumpyInterp
{
    /// <summary>
    /// The value at a number x (not NaN) given j, the largest index with xp[j] &lt;= x (-1 when there is none): fp[0]
    /// below the first knot, fp[j] at a knot or from the last on, else slope (x - xp[j]) + fp[j] with the slope
    /// (fp[j+1] - fp[j]) / (xp[j+1] - xp[j]) (<paramref name="slopes"/>[j] when given: numpy's precomputed ones are the
    /// same quotients), retried from the right end when NaN, then fp[j] where fp[j] == fp[j+1].
    /// </summary>
    public static double Between(double x, ReadOnlySpan<double> xp, ReadOnlySpan<double> fp, int j, double[]? slopes = null)
    {
        if (j < 0)
        {
            return fp[0];
        }

        if (j >= xp.Length - 1 || xp[j] == x)
        {
            return fp[j];
        }

        double slope = slopes is null ? (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]) : slopes[j];
        double r = (slope * (x - xp[j])) + fp[j];
        if (double.IsNaN(r))
        {
            r = (slope * (x - xp[j + 1])) + fp[j + 1];
            if (double.IsNaN(r) && fp[j] == fp[j + 1])
            {
                r = fp[j];
            }
        }

        return r;
    }
}

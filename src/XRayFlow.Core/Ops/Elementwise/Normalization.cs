using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Elementwise;

/// <summary>
/// normalize, computed in double:
/// <list type="bullet">
/// <item>peak: s = max / max(x); out = (float)((double)x * s). If max(x) == 0 (e.g. an all-zero image) the
/// output is all zeros. A negative peak is used as is (the definition x * max / max(x)).</item>
/// <item>range: s = max / (max(x) - min(x)); out = (float)(((double)x - min(x)) * s). A constant image
/// (max(x) == min(x)) gives all zeros.</item>
/// </list>
/// NaN propagates as in NumPy: if any value is NaN, max(x) is NaN and every output is NaN. An infinite
/// extreme gives the IEEE result of the same formula (mostly 0 or NaN).
/// </summary>
public static class Normalization
{
    /// <summary>
    /// dst = normalize(src), block by block on up to <paramref name="threads"/> threads (the same bits for any count).
    /// <paramref name="known"/>: src's (min, max) as <see cref="Extremes.MinMax(ReadOnlySpan{float}, int)"/> gives
    /// them, when the caller has them (then src is read once, not twice).
    /// </summary>
    public static void Apply(float[] src, float[] dst, double max, string method, int threads = 1, (float Min, float Max)? known = null)
    {
        if (src.Length == 0)
        {
            return;
        }

        var (min, peak) = known ?? Extremes.MinMax(src, threads);
        double hi = peak;
        switch (method)
        {
            case "peak":
                if (hi == 0)
                {
                    Array.Clear(dst);
                    return;
                }

                ShiftScale(src, dst, 0.0, max / hi, threads);
                return;
            case "range":
                double lo = min;
                if (hi == lo)
                {
                    Array.Clear(dst);
                    return;
                }

                ShiftScale(src, dst, lo, max / (hi - lo), threads);
                return;
            default:
                throw new ArgumentException($"normalize method '{method}' is not peak or range", nameof(method));
        }
    }

    private static void ShiftScale(float[] src, float[] dst, double offset, double scale, int threads)
        => ElementwiseLoop.Invoke(src, dst, threads, new ShiftScaleOperator(offset, scale));
}

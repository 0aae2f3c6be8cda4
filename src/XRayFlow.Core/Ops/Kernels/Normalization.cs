using System.Numerics.Tensors;

namespace XRayFlow.Core.Ops.Kernels;

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
    public static void Apply(ReadOnlySpan<float> src, Span<float> dst, double max, string method)
    {
        if (src.Length == 0)
        {
            return;
        }

        double hi = TensorPrimitives.Max(src);
        switch (method)
        {
            case "peak":
                if (hi == 0)
                {
                    dst.Clear();
                    return;
                }

                PixelKernels.ShiftScale(src, dst, 0.0, max / hi);
                return;
            case "range":
                double lo = TensorPrimitives.Min(src);
                if (hi == lo)
                {
                    dst.Clear();
                    return;
                }

                PixelKernels.ShiftScale(src, dst, lo, max / (hi - lo));
                return;
            default:
                throw new ArgumentException($"normalize method '{method}' is not peak or range", nameof(method));
        }
    }
}

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
        => Apply(src.ToArray(), dst, max, method, 1);

    /// <summary>As <see cref="Apply(ReadOnlySpan{float}, Span{float}, double, string)"/>, block by block on up to <paramref name="threads"/> threads (same bits).</summary>
    public static void Apply(float[] src, Span<float> dst, double max, string method, int threads)
    {
        if (src.Length == 0)
        {
            return;
        }

        double hi = Reduce(src, threads, static x => TensorPrimitives.Max(x), Math.Max);
        switch (method)
        {
            case "peak":
                if (hi == 0)
                {
                    dst.Clear();
                    return;
                }

                ShiftScale(src, dst, 0.0, max / hi, threads);
                return;
            case "range":
                double lo = Reduce(src, threads, static x => TensorPrimitives.Min(x), Math.Min);
                if (hi == lo)
                {
                    dst.Clear();
                    return;
                }

                ShiftScale(src, dst, lo, max / (hi - lo), threads);
                return;
            default:
                throw new ArgumentException($"normalize method '{method}' is not peak or range", nameof(method));
        }
    }

    /// <summary>A min or max over blocks combined with Math.Min/Max (NaN in any block gives NaN, as TensorPrimitives).</summary>
    private static float Reduce(float[] src, int threads, Func<ReadOnlySpan<float>, float> part, Func<float, float, float> combine)
    {
        if (threads <= 1 || src.Length < 2 * PixelKernels.ParallelBlock)
        {
            return part(src);
        }

        float result = part(src.AsSpan(0, PixelKernels.ParallelBlock));
        var gate = new object();
        PixelKernels.ForBlocks(src.Length, threads, (start, length) =>
        {
            float v = part(src.AsSpan(start, length));
            lock (gate)
            {
                result = combine(result, v);
            }
        });
        return result;
    }

    private static unsafe void ShiftScale(float[] src, Span<float> dst, double offset, double scale, int threads)
    {
        fixed (float* d = dst)
        {
            nint p = (nint)d;
            int n = dst.Length;
            PixelKernels.ForBlocks(src.Length, threads, (start, length) =>
                PixelKernels.ShiftScale(src.AsSpan(start, length), new Span<float>((float*)p + start, Math.Min(length, n - start)), offset, scale));
        }
    }
}

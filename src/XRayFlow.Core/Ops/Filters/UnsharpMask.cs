using System.Numerics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// skimage.filters.unsharp_mask(image, radius, amount, preserve_range) (0.19) of a 2-D image, or of each frame of a
/// stack:
/// <list type="number">
/// <item>the values scikit-image starts from: with preserve_range the values as they are; without it img_as_float's,
/// which divides an 8- or 16-bit image (docs/integer-sources.md) by 255 or 65535 and leaves float values as they
/// are;</item>
/// <item>blurred = gaussian_filter(x, sigma = radius, mode reflect, truncate 4) (skimage.filters.gaussian's
/// defaults; float32 here, the project's Gaussian);</item>
/// <item>result = x + (x - blurred) * amount, each operation rounded to float32 as NumPy does on float32 arrays;</item>
/// <item>without preserve_range, clipped to [0, 1], or to [-1, 1] when some x is negative (NaN passes through, as
/// numpy.clip); with it, not clipped.</item>
/// </list>
/// An integer image without preserve_range is float64 in scikit-image; here float32, so results differ from it by
/// float32 rounding (about 1e-7 on [0, 1]).
/// </summary>
public static class UnsharpMask
{
    public static ImageArray Apply(ImageArray src, IReadOnlyList<double> radius, double amount, bool preserveRange, int threads)
    {
        var x = src;
        var dtype = preserveRange ? SkimageDtype.Float32 : SkimageDtypes.Of(src, threads);
        if (dtype is SkimageDtype.UInt8 or SkimageDtype.UInt16)
        {
            x = ImageArray.Rent(src);
            var table = Table(dtype == SkimageDtype.UInt8 ? 255 : 65535);
            var (from, to) = (src.Data, x.Data);
            ElementwiseLoop.ForBlocks(src.Length, threads, (start, length) =>
            {
                for (int k = start; k < start + length; k++)
                {
                    to[k] = table[(int)from[k]];
                }
            });
        }

        var dst = NdFilters.GaussianFilter(x, radius, mode: BoundaryMode.Reflect, truncate: 4.0, threads: threads);
        for (int f = 0; f < x.Frames; f++)
        {
            // numpy.any(x < 0) of the frame: its nanmin below 0 (NaN is not below 0, nor is -0).
            var op = preserveRange
                ? new SharpenOperator((float)amount, float.NegativeInfinity, float.PositiveInfinity)
                : new SharpenOperator((float)amount, Extremes.NanMinMax(x.Frame(f), threads).Min < 0 ? -1f : 0f, 1f);
            int at = f * x.FrameLength;
            var (image, result) = (x.Data, dst.Data);
            ElementwiseLoop.ForBlocks(x.FrameLength, threads, (start, length) =>
                ElementwiseLoop.Invoke(image.AsSpan(at + start, length), result.AsSpan(at + start, length), result.AsSpan(at + start, length), op));
        }

        if (!ReferenceEquals(x, src))
        {
            PixelPool.Shared.Return(x);
        }

        return dst;
    }

    /// <summary>img_as_float of each whole value 0..<paramref name="max"/>: numpy.multiply(v, 1. / max) in float64, rounded to float32.</summary>
    private static float[] Table(int max)
    {
        var table = new float[max + 1];
        double scale = 1.0 / max;
        for (int v = 0; v <= max; v++)
        {
            table[v] = (float)(v * scale);
        }

        return table;
    }
}

/// <summary>
/// unsharp_mask's last step for an image value x and its blurred value y: numpy.clip(x + (x - y) * amount, lo, hi),
/// each operation rounded to float32 (no fused multiply-add, as NumPy's three array operations), the clip as
/// <see cref="ClipOperator"/>'s (NaN stays NaN; infinite bounds do not clip).
/// </summary>
public readonly struct SharpenOperator(float amount, float lo, float hi) : IBinaryOperator
{
    public float Invoke(float x, float y) => new ClipOperator(lo, hi).Invoke(x + ((x - y) * amount));

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => new ClipOperator(lo, hi).Invoke(x + ((x - y) * new Vector<float>(amount)));

    public override string ToString() => $"Sharpen({amount}, [{lo}, {hi}])";
}

using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;
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
            InParts(src.Length, threads, (start, length) =>
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
            int at = f * x.FrameLength;
            float lo = preserveRange ? float.NegativeInfinity : AnyNegative(x.Frame(f)) ? -1f : 0f;
            float hi = preserveRange ? float.PositiveInfinity : 1f;
            var (image, result) = (x.Data, dst.Data);
            InParts(x.FrameLength, threads, (start, length) =>
                Sharpen(image.AsSpan(at + start, length), result.AsSpan(at + start, length), (float)amount, lo, hi));
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

    /// <summary>Runs <paramref name="part"/>(start, length) over [0, n) in parts on up to <paramref name="threads"/> threads (one part for small n).</summary>
    private static void InParts(int n, int threads, Action<int, int> part)
    {
        int parts = threads <= 1 || n < (1 << 16) ? 1 : threads * 2;
        if (parts == 1)
        {
            part(0, n);
            return;
        }

        int per = ((n / parts) + 63) & ~63;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = threads }, p =>
        {
            int start = Math.Min(n, p * per);
            int end = p == parts - 1 ? n : Math.Min(n, start + per);
            if (end > start)
            {
                part(start, end - start);
            }
        });
    }

    /// <summary>numpy.any(x &lt; 0): NaN is not below 0.</summary>
    internal static bool AnyNegative(ReadOnlySpan<float> x)
    {
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            ref float x0 = ref MemoryMarshal.GetReference(x);
            for (; k <= x.Length - 16; k += 16)
            {
                if (Vector512.LessThanAny(Vector512.LoadUnsafe(ref x0, (nuint)k), Vector512<float>.Zero))
                {
                    return true;
                }
            }
        }

        for (; k < x.Length; k++)
        {
            if (x[k] < 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// In place over <paramref name="blurred"/>: r = x + (x - blurred) * amount, each operation rounded to float32 (no
    /// fused multiply-add, as NumPy's three array operations), then numpy.clip(r, lo, hi) (NaN stays NaN; infinite
    /// bounds do not clip). 512- or 256-bit vectors where the machine has them, the same arithmetic lane by lane.
    /// </summary>
    /// <param name="width">The vector width to use (512, 256, or 1 for scalar); 0 = the widest the machine has (tests pick each).</param>
    internal static void Sharpen(ReadOnlySpan<float> x, Span<float> blurred, float amount, float lo, float hi, int width = 0)
    {
        int n = x.Length;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float b0 = ref MemoryMarshal.GetReference(blurred);
        int k = 0;
        if (width == 0)
        {
            width = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 1;
        }

        if (width == 512 && Vector512.IsHardwareAccelerated)
        {
            var a = Vector512.Create(amount);
            var low = Vector512.Create(lo);
            var high = Vector512.Create(hi);
            for (; k <= n - 16; k += 16)
            {
                var xv = Vector512.LoadUnsafe(ref x0, (nuint)k);
                var r = xv + ((xv - Vector512.LoadUnsafe(ref b0, (nuint)k)) * a);
                r = Vector512.ConditionalSelect(Vector512.LessThan(r, low), low, r);
                Vector512.ConditionalSelect(Vector512.GreaterThan(r, high), high, r).StoreUnsafe(ref b0, (nuint)k);
            }
        }
        else if (width == 256 && Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(amount);
            var low = Vector256.Create(lo);
            var high = Vector256.Create(hi);
            for (; k <= n - 8; k += 8)
            {
                var xv = Vector256.LoadUnsafe(ref x0, (nuint)k);
                var r = xv + ((xv - Vector256.LoadUnsafe(ref b0, (nuint)k)) * a);
                r = Vector256.ConditionalSelect(Vector256.LessThan(r, low), low, r);
                Vector256.ConditionalSelect(Vector256.GreaterThan(r, high), high, r).StoreUnsafe(ref b0, (nuint)k);
            }
        }

        for (; k < n; k++)
        {
            blurred[k] = SharpenOne(x[k], blurred[k], amount, lo, hi);
        }
    }

    /// <summary>The scalar meaning of <see cref="Sharpen"/> for one value.</summary>
    internal static float SharpenOne(float x, float blurred, float amount, float lo, float hi)
    {
        float r = x + ((x - blurred) * amount);
        return r < lo ? lo : r > hi ? hi : r;
    }
}

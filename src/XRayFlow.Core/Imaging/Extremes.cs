using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// The least and greatest value of a span, exactly as <see cref="TensorPrimitives.Min(ReadOnlySpan{float})"/> and
/// <see cref="TensorPrimitives.Max(ReadOnlySpan{float})"/> give them (IEEE 754-2019 minimum / maximum: -0 below +0; a
/// NaN anywhere gives NaN, the one TensorPrimitives returns), in one pass with four independent accumulators of each
/// kind, so a step does not wait for the last one (TensorPrimitives keeps one: about 2.5x slower here, and a min and a
/// max are two passes). Minimum and maximum do not depend on the order values are combined in, so any split of the
/// span gives the same result.
/// </summary>
public static class Extremes
{
    /// <summary>(min, max) of a non-empty span.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Min, float Max) MinMax(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("no values", nameof(x));
        }

        ref float x0 = ref MemoryMarshal.GetReference(x);
        int k = 0, n = x.Length;
        float lo = x0, hi = x0;
        if (Vector512.IsHardwareAccelerated && n >= 64)
        {
            var lo0 = Vector512.LoadUnsafe(ref x0);
            var (lo1, lo2, lo3, hi0, hi1, hi2, hi3) = (lo0, lo0, lo0, lo0, lo0, lo0, lo0);
            for (k = 0; k <= n - 64; k += 64)
            {
                var a = Vector512.LoadUnsafe(ref x0, (nuint)k);
                var b = Vector512.LoadUnsafe(ref x0, (nuint)k + 16);
                var c = Vector512.LoadUnsafe(ref x0, (nuint)k + 32);
                var d = Vector512.LoadUnsafe(ref x0, (nuint)k + 48);
                lo0 = Vector512.Min(lo0, a);
                hi0 = Vector512.Max(hi0, a);
                lo1 = Vector512.Min(lo1, b);
                hi1 = Vector512.Max(hi1, b);
                lo2 = Vector512.Min(lo2, c);
                hi2 = Vector512.Max(hi2, c);
                lo3 = Vector512.Min(lo3, d);
                hi3 = Vector512.Max(hi3, d);
            }

            var vlo = Vector512.Min(Vector512.Min(lo0, lo1), Vector512.Min(lo2, lo3));
            var vhi = Vector512.Max(Vector512.Max(hi0, hi1), Vector512.Max(hi2, hi3));
            for (int lane = 0; lane < 16; lane++)
            {
                lo = Math.Min(lo, vlo[lane]);
                hi = Math.Max(hi, vhi[lane]);
            }
        }

        for (; k < n; k++)
        {
            float v = Unsafe.Add(ref x0, k);
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }

        // A NaN somewhere: TensorPrimitives' own answer (which NaN it returns is its business).
        return float.IsNaN(lo) || float.IsNaN(hi) ? (TensorPrimitives.Min(x), TensorPrimitives.Max(x)) : (lo, hi);
    }

    /// <summary>(min, max) over up to <paramref name="threads"/> parts of 128K values or more (the same result for any count).</summary>
    public static (float Min, float Max) MinMax(ReadOnlySpan<float> x, int threads)
    {
        int parts = Math.Clamp(x.Length / (1 << 17), 1, Math.Max(1, threads));
        if (parts == 1)
        {
            return MinMax(x);
        }

        var each = SpanParts.Map(x, parts, 16, static part => part.IsEmpty ? (Min: float.PositiveInfinity, Max: float.NegativeInfinity) : MinMax(part));
        float lo = each[0].Min, hi = each[0].Max;
        foreach (var (a, b) in each)
        {
            lo = Math.Min(lo, a);
            hi = Math.Max(hi, b);
        }

        return (lo, hi);
    }
}

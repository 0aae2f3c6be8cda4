using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XRayFlow.Core.Ops.Kernels;

/// <summary>
/// Element-wise kernels of the engine ops. Each has a scalar reference (<c>...Scalar</c>) that DEFINES its
/// meaning and a vectorised path (<c>...Simd</c>) that must give bit-identical results (tested for every
/// length 1..64 with fixed seeds). The public entry point picks the vectorised path when hardware allows.
/// </summary>
public static class PixelKernels
{
    // ------------------------------------------------------------------------------------ hypot

    /// <summary>dst[k] = (float)sqrt(sum_i (double)src_i[k]^2): squares summed in double in input order (no overflow for float inputs), one rounding to float.</summary>
    public static void Hypot(IReadOnlyList<float[]> src, Span<float> dst)
    {
        if (Vector.IsHardwareAccelerated)
        {
            HypotSimd(src, dst);
        }
        else
        {
            HypotScalar(src, dst);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HypotScalar(IReadOnlyList<float[]> src, Span<float> dst)
    {
        for (int k = 0; k < dst.Length; k++)
        {
            double s = 0;
            for (int i = 0; i < src.Count; i++)
            {
                double v = src[i][k];
                s += v * v;
            }

            dst[k] = (float)Math.Sqrt(s);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void HypotSimd(IReadOnlyList<float[]> inputs, Span<float> dst)
    {
        // An array, not the interface: an interface call per vector costs more than the arithmetic.
        float[][] src = inputs as float[][] ?? [.. inputs];
        int w = Vector<float>.Count;
        int n = dst.Length;
        int k = 0;
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        for (; k <= n - w; k += w)
        {
            Vector<double> lo = Vector<double>.Zero, hi = Vector<double>.Zero;
            for (int i = 0; i < src.Length; i++)
            {
                var v = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(src[i]), (nuint)k);
                Vector.Widen(v, out var a, out var b);
                lo += a * a;
                hi += b * b;
            }

            Vector.Narrow(Vector.SquareRoot(lo), Vector.SquareRoot(hi)).StoreUnsafe(ref d0, (nuint)k);
        }

        for (; k < n; k++)
        {
            double s = 0;
            for (int i = 0; i < src.Length; i++)
            {
                double v = src[i][k];
                s += v * v;
            }

            dst[k] = (float)Math.Sqrt(s);
        }
    }

    // ----------------------------------------------------------------------------- affine (scale)

    /// <summary>dst[k] = (float)(((double)src[k] - offset) * scale), computed in double, one rounding.</summary>
    public static void ShiftScale(ReadOnlySpan<float> src, Span<float> dst, double offset, double scale)
    {
        if (Vector.IsHardwareAccelerated)
        {
            ShiftScaleSimd(src, dst, offset, scale);
        }
        else
        {
            ShiftScaleScalar(src, dst, offset, scale);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ShiftScaleScalar(ReadOnlySpan<float> src, Span<float> dst, double offset, double scale)
    {
        for (int k = 0; k < src.Length; k++)
        {
            dst[k] = (float)((src[k] - offset) * scale);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ShiftScaleSimd(ReadOnlySpan<float> src, Span<float> dst, double offset, double scale)
    {
        int w = Vector<float>.Count;
        int n = src.Length;
        int k = 0;
        var vo = new Vector<double>(offset);
        var vs = new Vector<double>(scale);
        ref float s0 = ref MemoryMarshal.GetReference(src);
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        for (; k <= n - w; k += w)
        {
            Vector.Widen(Vector.LoadUnsafe(ref s0, (nuint)k), out var a, out var b);
            Vector.Narrow((a - vo) * vs, (b - vo) * vs).StoreUnsafe(ref d0, (nuint)k);
        }

        for (; k < n; k++)
        {
            dst[k] = (float)((src[k] - offset) * scale);
        }
    }

    // ------------------------------------------------------------------------------------- clip

    /// <summary>
    /// numpy.clip: v = x &lt; lo ? lo : x; then v &gt; hi ? hi : v. NaN stays NaN; when lo &gt; hi every value
    /// becomes hi (as numpy). Omit a bound with -inf / +inf.
    /// </summary>
    public static void Clip(ReadOnlySpan<float> src, Span<float> dst, float lo, float hi)
    {
        if (Vector.IsHardwareAccelerated)
        {
            ClipSimd(src, dst, lo, hi);
        }
        else
        {
            ClipScalar(src, dst, lo, hi);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClipScalar(ReadOnlySpan<float> src, Span<float> dst, float lo, float hi)
    {
        for (int k = 0; k < src.Length; k++)
        {
            float v = src[k];
            v = v < lo ? lo : v;
            dst[k] = v > hi ? hi : v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ClipSimd(ReadOnlySpan<float> src, Span<float> dst, float lo, float hi)
    {
        int w = Vector<float>.Count;
        int n = src.Length;
        int k = 0;
        var vlo = new Vector<float>(lo);
        var vhi = new Vector<float>(hi);
        ref float s0 = ref MemoryMarshal.GetReference(src);
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        for (; k <= n - w; k += w)
        {
            var v = Vector.LoadUnsafe(ref s0, (nuint)k);
            v = Vector.ConditionalSelect(Vector.LessThan(v, vlo), vlo, v);
            v = Vector.ConditionalSelect(Vector.GreaterThan(v, vhi), vhi, v);
            v.StoreUnsafe(ref d0, (nuint)k);
        }

        for (; k < n; k++)
        {
            float v = src[k];
            v = v < lo ? lo : v;
            dst[k] = v > hi ? hi : v;
        }
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XRayFlow.Core.Ops.Elementwise;

/// <summary>
/// hypot of any number of arrays: dst[k] = (float)sqrt(sum_i (double)src_i[k]^2), squares summed in double in input
/// order (no overflow for float inputs), one rounding to float (<see cref="Scalar"/> is the meaning; the vector
/// path gives the same bits).
/// </summary>
public static class Hypot
{
    /// <summary>The whole arrays, block by block on up to <paramref name="threads"/> threads (same bits).</summary>
    public static void Apply(float[][] src, float[] dst, int threads)
        => ElementwiseLoop.ForBlocks(dst.Length, threads, (start, length) => Apply(src, start, dst.AsSpan(start, length)));

    /// <summary>dst[k] = hypot of src_i[start + k].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(float[][] src, int start, Span<float> dst)
    {
        int n = dst.Length;
        foreach (var a in src)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, start + n, nameof(src));
        }

        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            ref float d0 = ref MemoryMarshal.GetReference(dst);
            for (; k <= n - w; k += w)
            {
                Vector<double> lo = Vector<double>.Zero, hi = Vector<double>.Zero;
                for (int i = 0; i < src.Length; i++)
                {
                    var v = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(src[i]), (nuint)(start + k));
                    Vector.Widen(v, out var a, out var b);
                    lo += a * a;
                    hi += b * b;
                }

                Vector.Narrow(Vector.SquareRoot(lo), Vector.SquareRoot(hi)).StoreUnsafe(ref d0, (nuint)k);
            }
        }

        for (; k < n; k++)
        {
            dst[k] = At(src, start + k);
        }
    }

    /// <summary>The scalar meaning over whole spans (what the tests compare with).</summary>
    public static void Scalar(IReadOnlyList<float[]> src, Span<float> dst)
    {
        var arrays = src as float[][] ?? [.. src];
        for (int k = 0; k < dst.Length; k++)
        {
            dst[k] = At(arrays, k);
        }
    }

    private static float At(float[][] src, int k)
    {
        double s = 0;
        for (int i = 0; i < src.Length; i++)
        {
            double v = src[i][k];
            s += v * v;
        }

        return (float)Math.Sqrt(s);
    }
}

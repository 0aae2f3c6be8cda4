using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Elementwise;

/// <summary>
/// hypot of any number of arrays: dst[k] = (float)sqrt(sum_i (double)src_i[k]^2), squares summed in double in input
/// order (no overflow for float inputs), one rounding to float (<see cref="Scalar"/> is the meaning; the vector
/// path gives the same bits). As C's hypot and numpy.hypot, an infinite input gives +inf even beside a NaN; any
/// other NaN result is NumPy's NaN (<see cref="NaN"/>, 0x7FC00000) whatever NaNs the inputs hold, so a result's
/// bytes do not depend on the order in which the operations before it met NaNs of either sign (x86 keeps the first
/// operand's NaN, and the compiler may swap the operands of an addition): the fused gradient magnitude and the
/// three steps it replaces give the same bytes.
/// </summary>
public static class Hypot
{
    /// <summary>The NaN every NaN result is written as: NumPy's (quiet, sign clear, payload 0).</summary>
    public static readonly float NaN = BitConverter.Int32BitsToSingle(0x7FC00000);

    /// <summary>A result's special cases: +inf where an input was infinite, else NumPy's NaN where it is NaN, else itself.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Settle(float r, bool anyInfinite) => anyInfinite ? float.PositiveInfinity : float.IsNaN(r) ? NaN : r;

    /// <summary><see cref="Settle(float, bool)"/> for 16 results, <paramref name="infinite"/> all ones where an input was infinite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector512<float> Settle(Vector512<float> r, Vector512<float> infinite)
        => Vector512.ConditionalSelect(
            infinite,
            Vector512.Create(float.PositiveInfinity),
            Vector512.ConditionalSelect(Vector512.Equals(r, r), r, Vector512.Create(NaN)));

    /// <summary>The whole arrays, block by block on up to <paramref name="threads"/> threads (same bits).</summary>
    public static void Apply(float[][] src, float[] dst, int threads)
        => ElementwiseLoop.ForBlocks(dst.Length, threads, (start, length) => Apply(src, start, dst.AsSpan(start, length)));

    /// <summary>dst[k] = hypot of src_i[start + k].</summary>
    public static unsafe void Apply(float[][] src, int start, Span<float> dst)
    {
        int n = dst.Length;
        foreach (var a in src)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(a.Length, start + n, nameof(src));
        }

        var handles = new GCHandle[src.Length];
        Span<nint> pointers = src.Length <= 16 ? stackalloc nint[src.Length] : new nint[src.Length];
        try
        {
            for (int i = 0; i < src.Length; i++)
            {
                handles[i] = GCHandle.Alloc(src[i], GCHandleType.Pinned);
                pointers[i] = (nint)((float*)handles[i].AddrOfPinnedObject() + start);
            }

            fixed (float* d = dst)
            {
                Apply(pointers, d, n);
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                if (h.IsAllocated)
                {
                    h.Free();
                }
            }
        }
    }

    /// <summary>
    /// dst[k] = hypot of ((float*)src[i])[k] for k &lt; n: the one implementation (the arrays' overload and the
    /// fused row bands call it), vectors of squares widened to double, then the scalar tail, same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Apply(ReadOnlySpan<nint> src, float* dst, int n)
    {
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 16 values per step where the machine has 512-bit vectors (the double square roots dominate): the same
            // operations per value as the Vector<T> loop below, so the same bits.
            for (; k <= n - 16; k += 16)
            {
                Vector512<double> lo = Vector512<double>.Zero, hi = Vector512<double>.Zero;
                for (int i = 0; i < src.Length; i++)
                {
                    var v = Vector512.Load((float*)src[i] + k);
                    var (a, b) = Vector512.Widen(v);
                    lo += a * a;
                    hi += b * b;
                }

                var r = Vector512.Narrow(Vector512.Sqrt(lo), Vector512.Sqrt(hi));
                if (!Vector512.EqualsAll(r, r))
                {
                    // A NaN among the 16 (rare): the special cases, with the inputs' infinities.
                    var infinite = Vector512<float>.Zero;
                    for (int i = 0; i < src.Length; i++)
                    {
                        infinite |= Vector512.Equals(Vector512.Abs(Vector512.Load((float*)src[i] + k)), Vector512.Create(float.PositiveInfinity));
                    }

                    r = Settle(r, infinite);
                }

                r.Store(dst + k);
            }
        }

        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            for (; k <= n - w; k += w)
            {
                Vector<double> lo = Vector<double>.Zero, hi = Vector<double>.Zero;
                for (int i = 0; i < src.Length; i++)
                {
                    var v = Vector.Load((float*)src[i] + k);
                    Vector.Widen(v, out var a, out var b);
                    lo += a * a;
                    hi += b * b;
                }

                var r = Vector.Narrow(Vector.SquareRoot(lo), Vector.SquareRoot(hi));
                if (!Vector.EqualsAll(r, r))
                {
                    var infinite = Vector<int>.Zero;
                    for (int i = 0; i < src.Length; i++)
                    {
                        infinite |= Vector.Equals(Vector.Abs(Vector.Load((float*)src[i] + k)), new Vector<float>(float.PositiveInfinity));
                    }

                    r = Vector.ConditionalSelect(Vector.Equals(r, r), r, new Vector<float>(NaN));
                    r = Vector.ConditionalSelect(infinite, new Vector<float>(float.PositiveInfinity), r);
                }

                r.Store(dst + k);
            }
        }

        for (; k < n; k++)
        {
            double s = 0;
            bool infinite = false;
            for (int i = 0; i < src.Length; i++)
            {
                double v = ((float*)src[i])[k];
                infinite |= double.IsInfinity(v);
                s += v * v;
            }

            dst[k] = Settle((float)Math.Sqrt(s), infinite);
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
        bool infinite = false;
        for (int i = 0; i < src.Length; i++)
        {
            double v = src[i][k];
            infinite |= double.IsInfinity(v);
            s += v * v;
        }

        return Settle((float)Math.Sqrt(s), infinite);
    }
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XRayFlow.Core.Ops.Elementwise;

/// <summary>An element-wise function of one float32: its scalar meaning and the same on a vector, bit for bit.</summary>
public interface IUnaryOperator
{
    float Invoke(float x);

    Vector<float> Invoke(Vector<float> x);
}

/// <summary>An element-wise function of two float32 values: its scalar meaning and the same on vectors, bit for bit.</summary>
public interface IBinaryOperator
{
    float Invoke(float x, float y);

    Vector<float> Invoke(Vector<float> x, Vector<float> y);
}

/// <summary>
/// The one driver of the element-wise kernels (the shape of dotnet/runtime's TensorPrimitives: operator structs
/// and one loop). Each operator's scalar <c>Invoke</c> DEFINES its meaning; the vector loop must give the same bits
/// (tested for every length 1..64 with fixed seeds). Own loops rather than TensorPrimitives: jitted fully optimised
/// on the first call and written with ordinary stores (TensorPrimitives streams arrays over 256 KiB around the
/// cache, so the next step reads them back from memory). In place is allowed (dst may be x).
/// </summary>
public static class ElementwiseLoop
{
    /// <summary>
    /// Elements per block of the blocked kernels: 32768 floats = 128 KiB, so a block stays in L2 while a chain of
    /// steps works on it, and blocks are the unit of parallel work.
    /// </summary>
    public const int Block = 1 << 15;

    /// <summary>dst[k] = op(x[k]) for k in [0, dst.Length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Invoke<TOp>(ReadOnlySpan<float> x, Span<float> dst, TOp op)
        where TOp : struct, IUnaryOperator
    {
        int n = dst.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, n, nameof(x));
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            ref float s0 = ref MemoryMarshal.GetReference(x);
            ref float d0 = ref MemoryMarshal.GetReference(dst);
            for (; k <= n - w; k += w)
            {
                op.Invoke(Vector.LoadUnsafe(ref s0, (nuint)k)).StoreUnsafe(ref d0, (nuint)k);
            }
        }

        for (; k < n; k++)
        {
            dst[k] = op.Invoke(x[k]);
        }
    }

    /// <summary>dst[k] = op(x[k], y[k]) for k in [0, dst.Length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Invoke<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst, TOp op)
        where TOp : struct, IBinaryOperator
    {
        int n = dst.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, n, nameof(x));
        ArgumentOutOfRangeException.ThrowIfLessThan(y.Length, n, nameof(y));
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<float>.Count;
            ref float a0 = ref MemoryMarshal.GetReference(x);
            ref float b0 = ref MemoryMarshal.GetReference(y);
            ref float d0 = ref MemoryMarshal.GetReference(dst);
            for (; k <= n - w; k += w)
            {
                op.Invoke(Vector.LoadUnsafe(ref a0, (nuint)k), Vector.LoadUnsafe(ref b0, (nuint)k)).StoreUnsafe(ref d0, (nuint)k);
            }
        }

        for (; k < n; k++)
        {
            dst[k] = op.Invoke(x[k], y[k]);
        }
    }

    /// <summary>The scalar meaning alone: dst[k] = op(x[k]) (what the tests compare the vector loop with).</summary>
    public static void InvokeScalar<TOp>(ReadOnlySpan<float> x, Span<float> dst, TOp op)
        where TOp : struct, IUnaryOperator
    {
        for (int k = 0; k < dst.Length; k++)
        {
            dst[k] = op.Invoke(x[k]);
        }
    }

    /// <summary>The scalar meaning alone: dst[k] = op(x[k], y[k]).</summary>
    public static void InvokeScalar<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, Span<float> dst, TOp op)
        where TOp : struct, IBinaryOperator
    {
        for (int k = 0; k < dst.Length; k++)
        {
            dst[k] = op.Invoke(x[k], y[k]);
        }
    }

    /// <summary>dst = op(x) over whole arrays, block by block on up to <paramref name="threads"/> threads (the same bits).</summary>
    public static void Invoke<TOp>(float[] x, float[] dst, int threads, TOp op)
        where TOp : struct, IUnaryOperator
        => ForBlocks(dst.Length, threads, (start, length) => Invoke(x.AsSpan(start, length), dst.AsSpan(start, length), op));

    /// <summary>dst = op(x, y) over whole arrays, block by block on up to <paramref name="threads"/> threads (the same bits).</summary>
    public static void Invoke<TOp>(float[] x, float[] y, float[] dst, int threads, TOp op)
        where TOp : struct, IBinaryOperator
        => ForBlocks(dst.Length, threads, (start, length) => Invoke(x.AsSpan(start, length), y.AsSpan(start, length), dst.AsSpan(start, length), op));

    /// <summary>
    /// Runs <paramref name="body"/>(start, length) over [0, n) in blocks of <see cref="Block"/> elements, in order
    /// on one thread or on up to <paramref name="threads"/> threads. Element-wise kernels give the same bits whatever the blocking.
    /// </summary>
    public static void ForBlocks(int n, int threads, Action<int, int> body)
    {
        int blocks = (n + Block - 1) / Block;
        if (threads <= 1 || blocks < 4)
        {
            for (int start = 0; start < n; start += Block)
            {
                body(start, Math.Min(Block, n - start));
            }

            return;
        }

        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
        {
            int start = b * Block;
            body(start, Math.Min(Block, n - start));
        });
    }
}

/// <summary>An <see cref="IUnaryOperator"/> as a fusable block kernel.</summary>
public sealed class UnaryKernel<TOp>(TOp op) : IPointwiseKernel
    where TOp : struct, IUnaryOperator
{
    public TOp Operator { get; } = op;

    public void Apply(ReadOnlySpan<float> src, Span<float> dst) => ElementwiseLoop.Invoke(src, dst, Operator);
}

using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// numpy.sum / numpy.mean of a float32 array as NumPy 1.24 computes them, in float32: s = 0; for each
/// consecutive 8192-value buffer, s += pairwise(buffer), where pairwise is numpy's pairwise_sum (blocks of at most
/// 128 values summed in 8 interleaved float32 accumulators, larger runs halved at a multiple of 8); the mean is
/// float32(double(s) / n). <see cref="SumScalar"/> defines it; <see cref="Sum"/> keeps the 8 accumulators of a
/// block in one vector, which gives the same bits.
/// </summary>
public static class NumpySum32
{
    private const int Buffer = 8192;
    private const int PairwiseBlock = 128;

    /// <summary>numpy.mean of float32 values: float32(double(sum) / n) (NaN for no values).</summary>
    public static float Mean(ReadOnlySpan<float> x, int threads = 1) => x.IsEmpty ? float.NaN : (float)((double)Sum(x, threads) / x.Length);

    /// <summary>numpy.sum of float32 values, in float32 (the buffers' pairwise sums in parallel parts, added in order: the same bits).</summary>
    public static float Sum(ReadOnlySpan<float> x, int threads = 1)
    {
        if (!Vector256.IsHardwareAccelerated)
        {
            return SumScalar(x);
        }

        int buffers = (x.Length + Buffer - 1) / Buffer;
        int parts = Math.Max(1, Math.Min(threads, buffers / 16));
        float s = 0f;
        if (parts == 1)
        {
            ref float x0 = ref MemoryMarshal.GetReference(x);
            for (int c = 0; c < x.Length; c += Buffer)
            {
                s += PairwiseSimd(ref Unsafe.Add(ref x0, c), Math.Min(Buffer, x.Length - c));
            }

            return s;
        }

        var sums = new float[buffers];
        int per = (buffers + parts - 1) / parts;
        unsafe
        {
            fixed (float* p = x)
            {
                nint address = (nint)p;
                int length = x.Length;
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, t =>
                {
                    ref float a = ref Unsafe.AsRef<float>((float*)address);
                    for (int k = t * per; k < Math.Min(buffers, (t + 1) * per); k++)
                    {
                        int c = k * Buffer;
                        sums[k] = PairwiseSimd(ref Unsafe.Add(ref a, c), Math.Min(Buffer, length - c));
                    }
                });
            }
        }

        foreach (float b in sums)
        {
            s += b;
        }

        return s;
    }

    /// <summary>The reference meaning of <see cref="Sum"/>, numpy's loops literally.</summary>
    public static float SumScalar(ReadOnlySpan<float> x)
    {
        float s = 0f;
        for (int c = 0; c < x.Length; c += Buffer)
        {
            s += PairwiseScalar(x.Slice(c, Math.Min(Buffer, x.Length - c)));
        }

        return s;
    }

    private static float PairwiseScalar(ReadOnlySpan<float> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            float res = 0f;
            for (int i = 0; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        if (n <= PairwiseBlock)
        {
            Span<float> r = stackalloc float[8];
            a[..8].CopyTo(r);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int j = 0; j < 8; j++)
                {
                    r[j] += a[i + j];
                }
            }

            float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseScalar(a[..n2]) + PairwiseScalar(a[n2..]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float PairwiseSimd(ref float a, int n)
    {
        if (n == Buffer)
        {
            return PairwiseFullBuffer(ref a);
        }

        if (n < 8)
        {
            float res = 0f;
            for (int i = 0; i < n; i++)
            {
                res += Unsafe.Add(ref a, i);
            }

            return res;
        }

        if (n <= PairwiseBlock)
        {
            var r = Vector256.LoadUnsafe(ref a);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                r += Vector256.LoadUnsafe(ref a, (nuint)i);
            }

            float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += Unsafe.Add(ref a, i);
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSimd(ref a, n2) + PairwiseSimd(ref Unsafe.Add(ref a, n2), n - n2);
    }
    /// <summary>
    /// <see cref="PairwiseSimd"/> of a full 8192-value buffer: numpy's halving reaches 64 blocks of exactly 128 values,
    /// added in a balanced tree. Four blocks are summed at once (their 8 lanes each in one vector, so the four chains
    /// of 15 additions overlap), each block's lanes combined as ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)) by
    /// shuffles (addition commutes exactly), then the tree level by level: the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float PairwiseFullBuffer(ref float a)
    {
        const int blocks = Buffer / PairwiseBlock;
        Span<float> leaf = stackalloc float[blocks];
        for (int b = 0; b < blocks; b += 4)
        {
            ref float p = ref Unsafe.Add(ref a, b * PairwiseBlock);
            var r0 = Vector256.LoadUnsafe(ref p);
            var r1 = Vector256.LoadUnsafe(ref p, PairwiseBlock);
            var r2 = Vector256.LoadUnsafe(ref p, 2 * PairwiseBlock);
            var r3 = Vector256.LoadUnsafe(ref p, 3 * PairwiseBlock);
            for (nuint i = 8; i < PairwiseBlock; i += 8)
            {
                r0 += Vector256.LoadUnsafe(ref p, i);
                r1 += Vector256.LoadUnsafe(ref p, PairwiseBlock + i);
                r2 += Vector256.LoadUnsafe(ref p, (2 * PairwiseBlock) + i);
                r3 += Vector256.LoadUnsafe(ref p, (3 * PairwiseBlock) + i);
            }

            leaf[b] = Lanes(r0);
            leaf[b + 1] = Lanes(r1);
            leaf[b + 2] = Lanes(r2);
            leaf[b + 3] = Lanes(r3);
        }

        for (int width = blocks / 2; width >= 1; width /= 2)
        {
            for (int k = 0; k < width; k++)
            {
                leaf[k] = leaf[2 * k] + leaf[(2 * k) + 1];
            }
        }

        return leaf[0];
    }

    /// <summary>((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Lanes(Vector256<float> r)
    {
        var pairs = r + Vector256.Shuffle(r, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)); // lanes 0, 2, 4, 6: r0+r1, r2+r3, r4+r5, r6+r7
        var quads = pairs + Vector256.Shuffle(pairs, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)); // lane 0: (r0+r1)+(r2+r3); lane 4: (r4+r5)+(r6+r7)
        return quads.GetElement(0) + quads.GetElement(4);
    }

    /// <summary>
    /// numpy.mean(v[v &gt; t]) (<paramref name="above"/>) or numpy.mean(v[~(v &gt; t)]), NaN for an empty class: the
    /// <see cref="Mean"/> of the class gathered in order, without gathering it. The class's values are collected
    /// 8192 at a time (numpy's buffer) in a small scratch buffer and each full buffer's pairwise sum is added as it
    /// fills, while it is in cache; the same bits as <see cref="ClassMeanScalar"/> (tested for every length 1..80
    /// and across buffer seams).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float ClassMean(ReadOnlySpan<float> v, float t, bool above)
    {
        float[] scratch = System.Buffers.ArrayPool<float>.Shared.Rent(Buffer + 32); // a full buffer and up to two vectors past it
        try
        {
            float s = 0f;
            long n = 0;
            int nc = 0, i = 0;
            ref float v0 = ref MemoryMarshal.GetReference(v);
            ref float c0 = ref MemoryMarshal.GetArrayDataReference(scratch);
            if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported && Vector256.IsHardwareAccelerated)
            {
                var vt = Vector512.Create(t);
                var flip = above ? Vector512<float>.Zero : Vector512<float>.AllBitsSet;
                for (; i <= v.Length - 32; i += 32)
                {
                    // Two vectors a step, each compressed in a register and stored whole (a compressing store to
                    // memory is microcoded and slow on Zen 4; the lanes past the count are overwritten by the next
                    // store), and not stored at all when none of its values is kept: in a smooth image most vectors
                    // lie wholly on one side of t, and the 64-byte stores (most across two cache lines) were most of
                    // the time (Li of a smoothed X-ray: 0.17-0.19 -> 0.12-0.13 ms a class).
                    var x = Vector512.LoadUnsafe(ref v0, (nuint)i);
                    var y = Vector512.LoadUnsafe(ref v0, (nuint)(i + 16));
                    var keepX = Vector512.GreaterThan(x, vt) ^ flip;
                    var keepY = Vector512.GreaterThan(y, vt) ^ flip;
                    int keptX = System.Numerics.BitOperations.PopCount(Vector512.ExtractMostSignificantBits(keepX));
                    int keptY = System.Numerics.BitOperations.PopCount(Vector512.ExtractMostSignificantBits(keepY));
                    if (keptX != 0)
                    {
                        System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<float>.Zero, keepX, x).StoreUnsafe(ref c0, (nuint)nc);
                    }

                    if (keptY != 0)
                    {
                        System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<float>.Zero, keepY, y).StoreUnsafe(ref c0, (nuint)(nc + keptX));
                    }

                    nc += keptX + keptY;
                    if (nc >= Buffer)
                    {
                        s += PairwiseSimd(ref c0, Buffer);
                        n += Buffer;
                        nc -= Buffer;
                        for (int k = 0; k < nc; k++)
                        {
                            Unsafe.Add(ref c0, k) = Unsafe.Add(ref c0, Buffer + k);
                        }
                    }
                }
            }

            for (; i < v.Length; i++)
            {
                float f = Unsafe.Add(ref v0, i);
                if ((f > t) == above)
                {
                    Unsafe.Add(ref c0, nc++) = f;
                    if (nc == Buffer)
                    {
                        s += Vector256.IsHardwareAccelerated ? PairwiseSimd(ref c0, Buffer) : PairwiseScalar(scratch.AsSpan(0, Buffer));
                        n += Buffer;
                        nc = 0;
                    }
                }
            }

            if (nc > 0)
            {
                s += Vector256.IsHardwareAccelerated ? PairwiseSimd(ref c0, nc) : PairwiseScalar(scratch.AsSpan(0, nc));
                n += nc;
            }

            return n == 0 ? float.NaN : (float)((double)s / n);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>The meaning of <see cref="ClassMean"/>: the class gathered in order, then numpy's mean (<see cref="SumScalar"/>).</summary>
    public static float ClassMeanScalar(ReadOnlySpan<float> v, float t, bool above)
    {
        var gathered = new List<float>();
        foreach (float f in v)
        {
            if ((f > t) == above)
            {
                gathered.Add(f);
            }
        }

        return gathered.Count == 0 ? float.NaN : (float)((double)SumScalar(gathered.ToArray()) / gathered.Count);
    }
}

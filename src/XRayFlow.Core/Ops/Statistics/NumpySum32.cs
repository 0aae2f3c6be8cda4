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
    public static float Mean(ReadOnlySpan<float> x, int threads = 1) => x.IsEmpty ? float.NaN : MeanOf(Sum(x, threads), x.Length);

    /// <summary>numpy.mean from its float32 sum of <paramref name="count"/> values: the sum divided by the count, rounded to float32 once.</summary>
    internal static float MeanOf(float sum, long count) => (float)((double)sum / count);

    /// <summary>numpy.sum of float32 values, in float32 (the buffers' pairwise sums in parallel parts, added in order: the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // called once a row by pad's mean: thousands of calls an image
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

    /// <summary>numpy's buffer: a sum is the buffers' pairwise sums added in order.</summary>
    internal const int BufferLength = Buffer;

    /// <summary>The pairwise sum of one buffer (at most <see cref="BufferLength"/> values), as <see cref="Sum"/> adds it.</summary>
    internal static float BufferSum(ReadOnlySpan<float> buffer)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(buffer.Length, Buffer);
        return Vector256.IsHardwareAccelerated ? PairwiseSimd(ref MemoryMarshal.GetReference(buffer), buffer.Length) : PairwiseScalar(buffer);
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
    /// numpy.mean(v[v &gt; t]) (<paramref name="above"/>) or numpy.mean(v[~(v &gt; t)]), NaN for an empty class: one
    /// of <see cref="ClassMeans"/>'s two, gathering that class alone.
    /// </summary>
    public static float ClassMean(ReadOnlySpan<float> v, float t, bool above)
    {
        using var buffer = new ClassBuffer();
        Gather(v, t, above ? buffer : null, above ? null : buffer);
        return buffer.Mean();
    }

    /// <summary>
    /// (numpy.mean(v[v &gt; t]), numpy.mean(v[~(v &gt; t)])), NaN for an empty class: the <see cref="Mean"/> of each
    /// class gathered in order, without gathering it. The class's values are collected 8192 at a time (numpy's
    /// buffer) in a small scratch buffer and each full buffer's pairwise sum is added as it fills, while it is in
    /// cache: both classes in one read of v, on one thread. The same bits as <see cref="ClassMeanScalar"/> (tested
    /// for every length 1..80 and across buffer seams).
    /// </summary>
    /// <remarks>
    /// Two threads do not help here: the gathering is bound by reading v, and two threads reading one
    /// cache-resident frame read it at about one thread's rate on this project's machines. Li on a smoothed
    /// 1024 x 1024 X-ray, `thresholds-cpu 41 2 LiFloat`, wall medians in alternating runs (2026-12-07): one class a
    /// thread, each reading all of v (the two-thread path until then), 4.12-4.28 ms against 3.65-3.87 ms for both
    /// classes on one thread (six pairs), once a step of 32 values on one side of t is stored as loaded; the image cut
    /// in two parts, the second thread first counting the first part's classes to know where numpy's buffers fall in
    /// its part (the buffer that straddles the cut summed at the end), 4.76-4.95 ms against the one-class-a-thread
    /// path's 4.40-4.73 (five pairs, a slower minute).
    /// </remarks>
    public static (float Above, float NotAbove) ClassMeans(ReadOnlySpan<float> v, float t)
    {
        using var above = new ClassBuffer();
        using var below = new ClassBuffer();
        Gather(v, t, above, below);
        return (above.Mean(), below.Mean());
    }

    /// <summary>One class's values in numpy's 8192-value buffers: the full buffers' pairwise sums added in order, and the values of the buffer not yet full.</summary>
    private sealed class ClassBuffer : IDisposable
    {
        private float sum;
        private long summed;

        /// <summary>The buffer being filled: a full one and up to two vectors past it.</summary>
        public float[] Values { get; } = System.Buffers.ArrayPool<float>.Shared.Rent(Buffer + 32);

        /// <summary>How many of <see cref="Values"/> are filled.</summary>
        public int Count { get; set; }

        /// <summary>Adds the full buffer's sum (Count &gt;= 8192) and moves what lies past it to the front.</summary>
        public void Flush()
        {
            sum += Pairwise(Buffer);
            summed += Buffer;
            Count -= Buffer;
            Array.Copy(Values, Buffer, Values, 0, Count);
        }

        /// <summary>numpy's mean of the class: NaN for no values.</summary>
        public float Mean()
        {
            float s = sum;
            long n = summed;
            if (Count > 0)
            {
                s += Pairwise(Count);
                n += Count;
            }

            return n == 0 ? float.NaN : MeanOf(s, n);
        }

        public void Dispose() => System.Buffers.ArrayPool<float>.Shared.Return(Values);

        private float Pairwise(int n) => BufferSum(Values.AsSpan(0, n));
    }

    /// <summary>Sorts v's values into the classes' buffers, in order (a class whose buffer is null is not collected).</summary>
    private static void Gather(ReadOnlySpan<float> v, float t, ClassBuffer? above, ClassBuffer? below)
    {
        int i = 0;
        ref float v0 = ref MemoryMarshal.GetReference(v);
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            while (true)
            {
                Collect(ref v0, ref i, v.Length, t, above, below);
                if (above is { Count: >= Buffer })
                {
                    above.Flush();
                }
                else if (below is { Count: >= Buffer })
                {
                    below.Flush();
                }
                else
                {
                    break; // fewer than 32 values left
                }
            }
        }

        for (; i < v.Length; i++)
        {
            float f = Unsafe.Add(ref v0, i);
            if ((f > t ? above : below) is { } into)
            {
                into.Values[into.Count++] = f;
                if (into.Count == Buffer)
                {
                    into.Flush();
                }
            }
        }
    }

    /// <summary>
    /// Sorts v[i..] into the classes' buffers 32 values a step, until a buffer is full (8192 or more: up to 31 past
    /// it) or fewer than 32 values are left; advances i. Each vector is compressed in a register for a class and
    /// stored whole (a compressing store to memory is microcoded and slow on Zen 4; the lanes past the count are
    /// overwritten by the next store), and not stored where none of its values is in the class: in a smooth image
    /// most vectors lie wholly on one side of t. Where all 32 values of a step lie on one side (83-87% of the steps of
    /// a smoothed X-ray at Li's thresholds) they are stored as loaded, with no compress and one branch: both classes
    /// on one thread, `thresholds-cpu 41 1 LiFloat` 4.11-4.19 -> 3.54-3.60 ms in three alternating pairs (one class
    /// a thread: no change measured). No call inside, so the threshold and the counts stay in registers
    /// (with the buffer's sum called from this loop they were reloaded from the stack every step: one class of Li's
    /// iteration 0.17-0.19 -> 0.12-0.13 ms when the empty stores went, -> 0.085-0.11 with this loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Collect(ref float v0, ref int i, int length, float t, ClassBuffer? aboveBuffer, ClassBuffer? belowBuffer)
    {
        var vt = Vector512.Create(t);
        bool collectAbove = aboveBuffer is not null, collectBelow = belowBuffer is not null;
        int k = i, na = aboveBuffer?.Count ?? 0, nb = belowBuffer?.Count ?? 0;
        fixed (float* v = &v0, a = aboveBuffer?.Values, b = belowBuffer?.Values)
        {
            while (k <= length - 32 && na < Buffer && nb < Buffer)
            {
                var x = Vector512.Load(v + k);
                var y = Vector512.Load(v + k + 16);
                var aboveX = Vector512.GreaterThan(x, vt);
                var aboveY = Vector512.GreaterThan(y, vt);
                uint maskX = (uint)Vector512.ExtractMostSignificantBits(aboveX);
                uint maskY = (uint)Vector512.ExtractMostSignificantBits(aboveY);
                uint mask = maskX | (maskY << 16);
                if (mask == 0)
                {
                    if (collectBelow)
                    {
                        x.Store(b + nb);
                        y.Store(b + nb + 16);
                        nb += 32;
                    }

                    k += 32;
                    continue;
                }

                if (mask == uint.MaxValue)
                {
                    if (collectAbove)
                    {
                        x.Store(a + na);
                        y.Store(a + na + 16);
                        na += 32;
                    }

                    k += 32;
                    continue;
                }

                int keptX = System.Numerics.BitOperations.PopCount(maskX);
                int keptY = System.Numerics.BitOperations.PopCount(maskY);
                if (collectAbove)
                {
                    if (keptX != 0)
                    {
                        System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<float>.Zero, aboveX, x).Store(a + na);
                    }

                    if (keptY != 0)
                    {
                        System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<float>.Zero, aboveY, y).Store(a + na + keptX);
                    }

                    na += keptX + keptY;
                }

                if (collectBelow)
                {
                    if (keptX != 16)
                    {
                        System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<float>.Zero, System.Runtime.Intrinsics.X86.Avx512F.CompareNotGreaterThan(x, vt), x).Store(b + nb);
                    }

                    if (keptY != 16)
                    {
                        System.Runtime.Intrinsics.X86.Avx512F.Compress(Vector512<float>.Zero, System.Runtime.Intrinsics.X86.Avx512F.CompareNotGreaterThan(y, vt), y).Store(b + nb + 16 - keptX);
                    }

                    nb += 32 - keptX - keptY;
                }

                k += 32;
            }
        }

        i = k;
        if (aboveBuffer is not null)
        {
            aboveBuffer.Count = na;
        }

        if (belowBuffer is not null)
        {
            belowBuffer.Count = nb;
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

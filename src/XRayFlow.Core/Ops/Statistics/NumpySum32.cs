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
}

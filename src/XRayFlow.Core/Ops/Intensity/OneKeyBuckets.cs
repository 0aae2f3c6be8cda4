using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// numpy.unique's distinct values and counts of a float32 image by counting, where the image allows it. Exact scalar
/// meaning: each value's order-preserving key (<see cref="HistogramMatching.KeyOf"/>: -0 as 0, every NaN one key
/// after all numbers) falls in the bucket of its top 16 bits; when no bucket is met with two different keys, the
/// buckets that hold any value, in ascending order, are the distinct values in ascending order (keys order as the
/// values do) and their counts are the counts; else <see cref="Count"/> gives null and the caller sorts. A float image
/// made from an 8- or 16-bit one by a scale (/ 255, / 4095) mostly has one key a bucket (an 8-bit one always: its 256
/// values k / 255 differ in their top 16 bits); a filtered image has many keys a bucket and is refused within its
/// first values (a part stops at the first second key it meets, and the others at their next block).
/// </summary>
internal sealed class OneKeyBuckets : IDisposable
{
    private const int Buckets = 65536;
    private const int Block = 4096; // values a part counts between looks at the stop flag

    private readonly int[] low; // 1 + the low 16 bits of each bucket's key, 0 where it holds none

    private OneKeyBuckets(int[] counts, int[] low)
    {
        Counts = counts;
        this.low = low;
    }

    /// <summary>Values in each bucket (65,536, ascending keys): the first 65,536 entries of a pooled array, valid until <see cref="Dispose"/>.</summary>
    public int[] Counts { get; }

    /// <summary>The one key of bucket <paramref name="b"/> (meaningful where it counted a value).</summary>
    public uint Key(int b) => ((uint)b << 16) | (uint)(low[b] - 1);

    /// <summary>Gives the tables back to the pool.</summary>
    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(Counts);
        ArrayPool<int>.Shared.Return(low);
    }

    /// <summary>The buckets of <paramref name="values"/> on up to <paramref name="threads"/> threads, or null when a bucket holds two keys.</summary>
    public static unsafe OneKeyBuckets? Count(ReadOnlySpan<float> values, int threads)
    {
        int n = values.Length;
        int parts = Math.Clamp(threads, 1, Math.Max(1, n / 65536));
        var counts = new int[parts][];
        var spare = new int[parts][];
        var seen = new int[parts][];
        var stop = new int[1];
        bool kept = false;
        try
        {
            for (int t = 0; t < parts; t++)
            {
                counts[t] = ArrayPool<int>.Shared.Rent(Buckets);
                spare[t] = ArrayPool<int>.Shared.Rent(Buckets);
                seen[t] = ArrayPool<int>.Shared.Rent(Buckets);
            }

            fixed (float* v = values)
            {
                float* p = v; // a span cannot enter the lambda; the array behind it stays fixed while it runs
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, t =>
                {
                    var (start, end) = HistogramEqualization.Slice(n, parts, t);
                    fixed (int* c0 = counts[t], c1 = spare[t], s = seen[t])
                    {
                        new Span<int>(c0, Buckets).Clear();
                        new Span<int>(c1, Buckets).Clear();
                        new Span<int>(s, Buckets).Clear();
                        CountPart(p, start, end, c0, c1, s, ref stop[0]);
                    }
                });
            }

            if (stop[0] != 0)
            {
                return null;
            }

            // The parts' buckets joined into the first part's: a bucket seen by two parts must hold the same key in both.
            fixed (int* total = counts[0], low = seen[0])
            {
                for (int t = 0; t < parts; t++)
                {
                    fixed (int* c0 = counts[t], c1 = spare[t], s = seen[t])
                    {
                        if (!Join(total, low, t == 0 ? null : c0, c1, t == 0 ? null : s))
                        {
                            return null;
                        }
                    }
                }
            }

            kept = true;
            return new OneKeyBuckets(counts[0], seen[0]);
        }
        finally
        {
            for (int t = 0; t < parts; t++)
            {
                foreach (var a in new[] { t == 0 && kept ? null : counts[t], spare[t], t == 0 && kept ? null : seen[t] })
                {
                    if (a is not null)
                    {
                        ArrayPool<int>.Shared.Return(a);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Adds a part's counts (c0, when not null, and c1) to total and its keys (s, when not null) to low, 16 buckets at a
    /// time; false where a bucket holds different keys in the two.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool Join(int* total, int* low, int* c0, int* c1, int* s)
    {
        for (int b = 0; b < Buckets; b += 8)
        {
            var sum = Vector256.Load(total + b) + Vector256.Load(c1 + b);
            if (c0 is not null)
            {
                sum += Vector256.Load(c0 + b);
            }

            sum.Store(total + b);
            if (s is not null)
            {
                var a = Vector256.Load(low + b);
                var k = Vector256.Load(s + b);
                var both = ~Vector256.Equals(a, Vector256<int>.Zero) & ~Vector256.Equals(k, Vector256<int>.Zero);
                if ((both & ~Vector256.Equals(a, k)) != Vector256<int>.Zero)
                {
                    return false;
                }

                (a | k).Store(low + b); // where both are set they are equal
            }
        }

        return true;
    }

    /// <summary>
    /// Counts values[start..end) by bucket, alternately into c0 and c1 (a run of one bucket would wait on one counter);
    /// seen[b] is 1 + the low 16 bits of the bucket's key (0: none yet). Stops, raising <paramref name="stop"/>, at a
    /// second key in a bucket, and at its next block when another part raised it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CountPart(float* values, int start, int end, int* c0, int* c1, int* seen, ref int stop)
    {
        uint* keys = stackalloc uint[Block];
        for (int i = start; i < end;)
        {
            if (Volatile.Read(ref stop) != 0)
            {
                return;
            }

            int len = Math.Min(Block, end - i);
            KeysOf(values + i, keys, len);
            bool one = true;
            int k = 0;
            for (; k <= len - 16 && one; k += 16)
            {
                uint* q = keys + k;
                if (Vector256.Load(q) == Vector256.Create(*q) && Vector256.Load(q + 8) == Vector256.Create(*q))
                {
                    c0[*q >> 16] += 16; // 16 of one key (an X-ray's black border)
                    one = Add(c1, seen, q[0], 0); // 0 added: the key checked
                    continue;
                }

                // Neighbours apart (0, 4, 8, 12, 1, ...), alternately into the two tables.
                one = Add(c0, seen, q[0]) & Add(c1, seen, q[4]) & Add(c0, seen, q[8]) & Add(c1, seen, q[12])
                    & Add(c0, seen, q[1]) & Add(c1, seen, q[5]) & Add(c0, seen, q[9]) & Add(c1, seen, q[13])
                    & Add(c0, seen, q[2]) & Add(c1, seen, q[6]) & Add(c0, seen, q[10]) & Add(c1, seen, q[14])
                    & Add(c0, seen, q[3]) & Add(c1, seen, q[7]) & Add(c0, seen, q[11]) & Add(c1, seen, q[15]);
            }

            for (; k < len && one; k++)
            {
                one = Add(c0, seen, keys[k]);
            }

            if (!one)
            {
                Volatile.Write(ref stop, 1);
                return;
            }

            i += len;
        }
    }

    /// <summary>Counts <paramref name="key"/> (adds <paramref name="add"/>) in c; false when its bucket has another key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe bool Add(int* c, int* seen, uint key, int add = 1)
    {
        int b = (int)(key >> 16);
        int l = (int)(key & 0xFFFF) + 1;
        c[b] += add;
        int s = seen[b];
        if (s == l)
        {
            return true;
        }

        seen[b] = s == 0 ? l : s;
        return s == 0;
    }

    /// <summary>keys[k] = <see cref="HistogramMatching.KeyOf"/>(values[k]) for k &lt; n (eight at a time where AVX2 is there).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void KeysOf(float* values, uint* keys, int n)
    {
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; k <= n - 8; k += 8)
            {
                Keys(Vector256.Load((uint*)values + k)).Store(keys + k);
            }
        }

        for (; k < n; k++)
        {
            keys[k] = HistogramMatching.KeyOf(values[k]);
        }
    }

    /// <summary><see cref="HistogramMatching.KeyOf"/> of eight values' bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Keys(Vector256<uint> bits)
    {
        var magnitude = (bits & Vector256.Create(0x7FFFFFFFu)).AsInt32();
        var key = bits ^ (Vector256.ShiftRightArithmetic(bits.AsInt32(), 31).AsUInt32() | Vector256.Create(0x80000000u));
        key = Vector256.ConditionalSelect(Vector256.Equals(magnitude, Vector256<int>.Zero).AsUInt32(), Vector256.Create(0x80000000u), key); // -0 is 0
        return key | Vector256.GreaterThan(magnitude, Vector256.Create(0x7F800000)).AsUInt32(); // NaN: the largest key
    }

    /// <summary>dst[k] = table[key of src[k] &gt;&gt; 16]: each value's bucket's entry (a table of at least 65,536).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Map(ReadOnlySpan<float> src, Span<float> dst, float[] table)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        ArgumentOutOfRangeException.ThrowIfLessThan(table.Length, Buckets, nameof(table));
        int k = 0, n = src.Length;
        fixed (float* s = src, d = dst, t = table)
        {
            if (Avx2.IsSupported)
            {
                for (; k <= n - 8; k += 8)
                {
                    var b = Vector256.ShiftRightLogical(Keys(Vector256.Load((uint*)s + k)), 16).AsInt32();
                    Avx2.GatherVector256(t, b, 4).Store(d + k);
                }
            }

            for (; k < n; k++)
            {
                d[k] = t[HistogramMatching.KeyOf(s[k]) >> 16];
            }
        }
    }
}

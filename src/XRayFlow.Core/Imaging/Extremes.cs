using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// The least and greatest value of a span, exactly as <see cref="TensorPrimitives.Min(ReadOnlySpan{float})"/> and
/// <see cref="TensorPrimitives.Max(ReadOnlySpan{float})"/> give them (IEEE 754-2019 minimum / maximum: -0 below +0; a
/// NaN anywhere gives NaN, the one TensorPrimitives returns), in one pass (<see cref="NanMinMax(ReadOnlySpan{float})"/>;
/// TensorPrimitives keeps one accumulator: about 3x slower here, and a min and a max are two passes). Minimum and
/// maximum do not depend on the order values are combined in, so any split of the
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

        // Without a NaN, IEEE 754-2019 minimum and maximum are nanmin and nanmax: one pass of NanMinMax (x86's own min
        // and max, the zeros' signs settled from the bits), about 1.3x faster than four IEEE accumulators of each.
        var (lo, hi, hasNan) = NanMinMax(x);

        // A NaN somewhere: TensorPrimitives' own answer (which NaN it returns is its business).
        return hasNan ? (TensorPrimitives.Min(x), TensorPrimitives.Max(x)) : (lo, hi);
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

    /// <summary><see cref="NanMinMax(ReadOnlySpan{float})"/> of parts on up to <paramref name="threads"/> threads, combined.</summary>
    public static (float Min, float Max, bool HasNan) NanMinMax(ReadOnlySpan<float> x, int threads)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        bool nan = false;
        foreach (var (l, h, n) in SpanParts.Map(x, Math.Clamp(x.Length / (1 << 17), 1, Math.Max(1, threads)), 8, part => NanMinMax(part)))
        {
            nan |= n;
            if (!float.IsNaN(l))
            {
                lo = Math.Min(lo, l);
                hi = Math.Max(hi, h);
            }
        }

        return lo > hi ? (float.NaN, float.NaN, nan) : (lo, hi, nan);
    }

    /// <summary>
    /// (nanmin, nanmax, any NaN) in one pass: min and max NaN when every value is NaN. The meaning is the scalar loop
    /// (Math.Min / Math.Max over the non-NaN values: -0 below +0); SIMD with four independent accumulators of each kind
    /// (one accumulator made every step wait for the previous min and max: 0.14 ms for 1M values on two threads),
    /// min / max being order-free over non-NaN values; with AVX-512 the last 16 values are read again instead of a
    /// scalar tail (min and max do not mind a value seen twice), else the scalar loop for the tail.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (float Min, float Max, bool HasNan) NanMinMax(ReadOnlySpan<float> x)
    {
        int k = 0;
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        bool hasNan = false;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        if (Avx512F.IsSupported && x.Length >= 16)
        {
            // x86's min and max return their second operand where either is NaN or both are zeros: with the value first
            // a NaN leaves the accumulator as it was, and only a zero bound's sign is left to settle, from two integer
            // minima of the bits (the least signed is int.MinValue only for -0; the least unsigned is 0 only for +0).
            // A NaN is a value whose bits without the sign exceed +inf's. Seven operations per 16 values, where the
            // IEEE 754-2019 min and max (with NaN replaced by infinities first) took about twice as long.
            var lo0 = Vector512.Create(float.PositiveInfinity);
            var hi0 = Vector512.Create(float.NegativeInfinity);
            var (lo1, lo2, lo3, hi1, hi2, hi3) = (lo0, lo0, lo0, hi0, hi0, hi0);
            var signedLeast = Vector512.Create(int.MaxValue);
            var unsignedLeast = Vector512.Create(uint.MaxValue);
            var magnitude = Vector512<int>.Zero;
            var noSign = Vector512.Create(0x7FFFFFFF);
            for (; k <= x.Length - 64; k += 64)
            {
                var v0 = Vector512.LoadUnsafe(ref x0, (nuint)k);
                var v1 = Vector512.LoadUnsafe(ref x0, (nuint)(k + 16));
                var v2 = Vector512.LoadUnsafe(ref x0, (nuint)(k + 32));
                var v3 = Vector512.LoadUnsafe(ref x0, (nuint)(k + 48));
                lo0 = Avx512F.Min(v0, lo0);
                lo1 = Avx512F.Min(v1, lo1);
                lo2 = Avx512F.Min(v2, lo2);
                lo3 = Avx512F.Min(v3, lo3);
                hi0 = Avx512F.Max(v0, hi0);
                hi1 = Avx512F.Max(v1, hi1);
                hi2 = Avx512F.Max(v2, hi2);
                hi3 = Avx512F.Max(v3, hi3);
                var b01 = Vector512.Min(v0.AsInt32(), v1.AsInt32());
                var b23 = Vector512.Min(v2.AsInt32(), v3.AsInt32());
                signedLeast = Vector512.Min(signedLeast, Vector512.Min(b01, b23));
                var u01 = Vector512.Min(v0.AsUInt32(), v1.AsUInt32());
                var u23 = Vector512.Min(v2.AsUInt32(), v3.AsUInt32());
                unsignedLeast = Vector512.Min(unsignedLeast, Vector512.Min(u01, u23));
                var m01 = Vector512.Max(v0.AsInt32() & noSign, v1.AsInt32() & noSign);
                var m23 = Vector512.Max(v2.AsInt32() & noSign, v3.AsInt32() & noSign);
                magnitude = Vector512.Max(magnitude, Vector512.Max(m01, m23));
            }

            // Then 16 at a time, and the last 16 values once more where the length is not a multiple of 16: none of
            // these minima and maxima mind seeing a value twice, so short rows (a resampled row of 224) need no tail.
            var vlo = Avx512F.Min(Avx512F.Min(lo0, lo1), Avx512F.Min(lo2, lo3));
            var vhi = Avx512F.Max(Avx512F.Max(hi0, hi1), Avx512F.Max(hi2, hi3));
            for (; k < x.Length; k += 16)
            {
                var v = Vector512.LoadUnsafe(ref x0, (nuint)Math.Min(k, x.Length - 16));
                vlo = Avx512F.Min(v, vlo);
                vhi = Avx512F.Max(v, vhi);
                signedLeast = Vector512.Min(signedLeast, v.AsInt32());
                unsignedLeast = Vector512.Min(unsignedLeast, v.AsUInt32());
                magnitude = Vector512.Max(magnitude, v.AsInt32() & noSign);
            }

            // The lanes' least and greatest by halving (x86's min and max: no lane is NaN; a zero's sign is settled
            // below): the same values as Math.Min / Math.Max lane by lane, in a few vector steps instead of 32 scalar
            // ones (a 224-value row spent most of its call here).
            k = x.Length;
            lo = Least(Avx.Min(vlo.GetLower(), vlo.GetUpper()));
            hi = Greatest(Avx.Max(vhi.GetLower(), vhi.GetUpper()));

            if (lo == 0)
            {
                lo = Vector512.EqualsAny(signedLeast, Vector512.Create(int.MinValue)) ? -0f : 0f;
            }

            if (hi == 0)
            {
                hi = Vector512.EqualsAny(unsignedLeast, Vector512<uint>.Zero) ? 0f : -0f;
            }

            hasNan = Vector512.GreaterThanAny(magnitude, Vector512.Create(0x7F800000));
        }

        if (Vector256.IsHardwareAccelerated && k <= x.Length - 16)
        {
            var pinf = Vector256.Create(float.PositiveInfinity);
            var ninf = Vector256.Create(float.NegativeInfinity);
            Vector256<float> lo0 = pinf, lo1 = pinf, hi0 = ninf, hi1 = ninf;
            var nan = Vector256<float>.Zero;
            for (; k <= x.Length - 16; k += 16)
            {
                var v0 = Vector256.LoadUnsafe(ref x0, (nuint)k);
                var v1 = Vector256.LoadUnsafe(ref x0, (nuint)(k + 8));
                var ok0 = Vector256.Equals(v0, v0);
                var ok1 = Vector256.Equals(v1, v1);
                nan |= ~(ok0 & ok1);
                lo0 = Vector256.Min(lo0, Vector256.ConditionalSelect(ok0, v0, pinf));
                lo1 = Vector256.Min(lo1, Vector256.ConditionalSelect(ok1, v1, pinf));
                hi0 = Vector256.Max(hi0, Vector256.ConditionalSelect(ok0, v0, ninf));
                hi1 = Vector256.Max(hi1, Vector256.ConditionalSelect(ok1, v1, ninf));
            }

            var vlo = Vector256.Min(lo0, lo1);
            var vhi = Vector256.Max(hi0, hi1);
            for (int q = 0; q < Vector256<float>.Count; q++)
            {
                lo = Math.Min(lo, vlo[q]);
                hi = Math.Max(hi, vhi[q]);
            }

            hasNan |= nan != Vector256<float>.Zero;
        }

        for (; k < x.Length; k++)
        {
            float v = Unsafe.Add(ref x0, k);
            if (float.IsNaN(v))
            {
                hasNan = true;
            }
            else
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }
        }

        return lo > hi ? (float.NaN, float.NaN, hasNan) : (lo, hi, hasNan);
    }

    /// <summary>The least of 8 lanes, none NaN, by x86's min (which of two zeros it keeps is the caller's to settle).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Least(Vector256<float> v)
    {
        var m = Sse.Min(v.GetLower(), v.GetUpper());
        m = Sse.Min(m, Sse.Shuffle(m, m, 0b01_00_11_10));
        return Sse.Min(m, Sse.Shuffle(m, m, 0b10_11_00_01)).ToScalar();
    }

    /// <summary>The greatest of 8 lanes, none NaN, by x86's max (which of two zeros it keeps is the caller's to settle).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Greatest(Vector256<float> v)
    {
        var m = Sse.Max(v.GetLower(), v.GetUpper());
        m = Sse.Max(m, Sse.Shuffle(m, m, 0b01_00_11_10));
        return Sse.Max(m, Sse.Shuffle(m, m, 0b10_11_00_01)).ToScalar();
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// numpy.exp of float32 values as NumPy 1.24 computes it on x86-64 machines with AVX2 and FMA3 (or AVX-512F), where
/// scikit-image's float32 exps are taken (adjust_sigmoid on a float image): NumPy's own vector kernel (simd_exp_f32
/// in loops_exponent_log.dispatch.c.src), not the C library's expf, which it differs from in about 40% of values.
/// <list type="bullet">
/// <item>NaN gives NaN; x &gt;= 88.72283935546875 (0x42B17218) gives +infinity, x &lt;= -103.97208404541015625
/// (0xC2CFF1B5) gives 0.</item>
/// <item>Otherwise k = fma(x, log2(e), 1.5 2^23) - 1.5 2^23, x log2(e) rounded to an integer with one rounding
/// (NumPy's source writes a product and an addition; its compiler fuses them: a product rounded first moves k by one
/// next to (n + 1/2) ln 2 and changes the result there), y = fma(k, c2, fma(k, c1, x)) with c1 + c2 = -ln 2 (Cody and Waite), exp(y) = P(y) / Q(y), P of degree 5 and Q of
/// degree 2 by float32 fused multiply-adds, and the result is P / Q times 2^k rounded once (AVX-512's scalef).</item>
/// </list>
/// Equal to numpy.exp on all 2^32 float32 values, scalar and vector paths (checked once against NumPy 1.24 by hashing
/// chunks of results; tests/fixtures/numpy_exp32.json keeps 6,353 of them, the rounding of k's neighbourhoods among them).
/// </summary>
public static class NumpyExp32
{
    // NumPy's constants (npy_simd_data.h / the kernel's literals), as its C compiler rounds them to float32.
    private const float XMax = 88.72283935546875f; // 0x42B17218
    private const float XMin = -103.97208404541015625f; // 0xC2CFF1B5
    private const float Log2E = 1.442695040888963407359924681001892137f; // 0x3FB8AA3B
    private const float Magic = 12582912f; // 1.5 2^23, 0x4B400000: t = x log2(e) + Magic holds k in its low bits
    private const float C1 = -6.93145752e-1f; // -ln 2, high part (0xBF317200)
    private const float C2 = -1.42860677e-6f; // -ln 2, low part (0xB5BFBE8E)
    private const float P0 = 9.999999999980870924916e-01f; // 1 as a float32
    private const float P1 = 7.257664613233124478488e-01f;
    private const float P2 = 2.473615434895520810817e-01f;
    private const float P3 = 5.114512081637298353406e-02f;
    private const float P4 = 6.757896990527504603057e-03f;
    private const float P5 = 5.082762527590693718096e-04f;
    private const float Q0 = 1.000000000000000000000e+00f;
    private const float Q1 = -2.742335390411667452936e-01f;
    private const float Q2 = 2.159509375685829852307e-02f;
    private const int MagicBits = 0x4B400000;

    /// <summary>NumPy's float32 exp of one value: the meaning of the vector paths.</summary>
    public static float Exp(float x)
    {
        if (float.IsNaN(x))
        {
            return float.NaN;
        }

        if (x >= XMax)
        {
            return float.PositiveInfinity;
        }

        if (x <= XMin)
        {
            return 0f;
        }

        float k = MathF.FusedMultiplyAdd(x, Log2E, Magic) - Magic;
        float y = MathF.FusedMultiplyAdd(k, C1, x);
        y = MathF.FusedMultiplyAdd(k, C2, y);
        float num = MathF.FusedMultiplyAdd(P5, y, P4);
        num = MathF.FusedMultiplyAdd(num, y, P3);
        num = MathF.FusedMultiplyAdd(num, y, P2);
        num = MathF.FusedMultiplyAdd(num, y, P1);
        num = MathF.FusedMultiplyAdd(num, y, P0);
        float den = MathF.FusedMultiplyAdd(Q2, y, Q1);
        den = MathF.FusedMultiplyAdd(den, y, Q0);
        return (float)((double)(num / den) * Math.ScaleB(1.0, (int)k)); // the product exact in float64, rounded once
    }

    /// <summary>
    /// <see cref="Exp(float)"/> of 16 values. 2^k is applied in two exact-or-rounded-once steps: 2^(k >> 1) first (k
    /// in [-150, 128], so that factor is at least 2^-75 and the product of P / Q, in [0.7, 1.5), by it stays normal
    /// and exact), then 2^(k - (k >> 1)), the one rounding.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var nan = ~Vector512.Equals(x, x);
        var xs = Vector512.ConditionalSelect(nan, Vector512<float>.Zero, x);
        var over = Vector512.GreaterThanOrEqual(xs, Vector512.Create(XMax));
        var under = Vector512.LessThanOrEqual(xs, Vector512.Create(XMin));
        xs = Vector512.ConditionalSelect(over | under, Vector512<float>.Zero, xs);
        var magic = Vector512.Create(Magic);
        var t = Vector512.FusedMultiplyAdd(xs, Vector512.Create(Log2E), magic);
        var k = t - magic;
        var y = Vector512.FusedMultiplyAdd(k, Vector512.Create(C1), xs);
        y = Vector512.FusedMultiplyAdd(k, Vector512.Create(C2), y);
        var num = Vector512.FusedMultiplyAdd(Vector512.Create(P5), y, Vector512.Create(P4));
        num = Vector512.FusedMultiplyAdd(num, y, Vector512.Create(P3));
        num = Vector512.FusedMultiplyAdd(num, y, Vector512.Create(P2));
        num = Vector512.FusedMultiplyAdd(num, y, Vector512.Create(P1));
        num = Vector512.FusedMultiplyAdd(num, y, Vector512.Create(P0));
        var den = Vector512.FusedMultiplyAdd(Vector512.Create(Q2), y, Vector512.Create(Q1));
        den = Vector512.FusedMultiplyAdd(den, y, Vector512.Create(Q0));
        var ki = t.AsInt32() - Vector512.Create(MagicBits); // k, exactly (|k| < 2^22)
        var half = Vector512.ShiftRightArithmetic(ki, 1);
        var bias = Vector512.Create(127);
        var r = num / den * Vector512.ShiftLeft(half + bias, 23).AsSingle() * Vector512.ShiftLeft(ki - half + bias, 23).AsSingle();
        r = Vector512.ConditionalSelect(over, Vector512.Create(float.PositiveInfinity), r);
        r = Vector512.ConditionalSelect(under, Vector512<float>.Zero, r);
        return Vector512.ConditionalSelect(nan, Vector512.Create(float.NaN), r);
    }

    /// <summary><see cref="Exp(float)"/> of 8 values (as the 16-value one).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Exp(Vector256<float> x)
    {
        var nan = ~Vector256.Equals(x, x);
        var xs = Vector256.ConditionalSelect(nan, Vector256<float>.Zero, x);
        var over = Vector256.GreaterThanOrEqual(xs, Vector256.Create(XMax));
        var under = Vector256.LessThanOrEqual(xs, Vector256.Create(XMin));
        xs = Vector256.ConditionalSelect(over | under, Vector256<float>.Zero, xs);
        var magic = Vector256.Create(Magic);
        var t = Vector256.FusedMultiplyAdd(xs, Vector256.Create(Log2E), magic);
        var k = t - magic;
        var y = Vector256.FusedMultiplyAdd(k, Vector256.Create(C1), xs);
        y = Vector256.FusedMultiplyAdd(k, Vector256.Create(C2), y);
        var num = Vector256.FusedMultiplyAdd(Vector256.Create(P5), y, Vector256.Create(P4));
        num = Vector256.FusedMultiplyAdd(num, y, Vector256.Create(P3));
        num = Vector256.FusedMultiplyAdd(num, y, Vector256.Create(P2));
        num = Vector256.FusedMultiplyAdd(num, y, Vector256.Create(P1));
        num = Vector256.FusedMultiplyAdd(num, y, Vector256.Create(P0));
        var den = Vector256.FusedMultiplyAdd(Vector256.Create(Q2), y, Vector256.Create(Q1));
        den = Vector256.FusedMultiplyAdd(den, y, Vector256.Create(Q0));
        var ki = t.AsInt32() - Vector256.Create(MagicBits); // k, exactly (|k| < 2^22)
        var half = Vector256.ShiftRightArithmetic(ki, 1);
        var bias = Vector256.Create(127);
        var r = num / den * Vector256.ShiftLeft(half + bias, 23).AsSingle() * Vector256.ShiftLeft(ki - half + bias, 23).AsSingle();
        r = Vector256.ConditionalSelect(over, Vector256.Create(float.PositiveInfinity), r);
        r = Vector256.ConditionalSelect(under, Vector256<float>.Zero, r);
        return Vector256.ConditionalSelect(nan, Vector256.Create(float.NaN), r);
    }
}

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// numpy.log of float32 values as NumPy 1.24 computes it on every x86-64 machine with AVX2 and FMA3 (or AVX-512F),
/// which is where scikit-image's float32 logs are taken (threshold_yen's criterion, threshold_li's class means):
/// NumPy's own vector kernel (simd_log_FLOAT in loops_exponent_log.dispatch.c.src, used for arrays and scalars
/// alike), not the C library's logf. x = m 2^e with m in [0.5, 1) (denormals scaled by 2^100 first); when
/// m &lt;= sqrt(1/2), m = 2m and e = e − 1; with t = m − 1 the result is fma(e, ln 2, P(t) / Q(t)), P and Q its
/// degree-5 minimax polynomials evaluated by float32 fused multiply-adds. It is within 3.83 ulp of the true
/// logarithm and differs from the correctly rounded one for about one value in a few: enough to break a tie of
/// Yen's criterion the other way (32942.055f gives 10.402506f here, logf 10.402505f).
/// </summary>
public static class NumpyLog32
{
    private const float P0 = 0.000000000000000000000e+00f;
    private const float P1 = 9.999999999999998702752e-01f;
    private const float P2 = 2.112677543073053063722e+00f;
    private const float P3 = 1.480000633576506585156e+00f;
    private const float P4 = 3.808837741388407920751e-01f;
    private const float P5 = 2.589979117907922693523e-02f;
    private const float Q0 = 1.000000000000000000000e+00f;
    private const float Q1 = 2.612677543073109236779e+00f;
    private const float Q2 = 2.453006071784736363091e+00f;
    private const float Q3 = 9.864942958519418960339e-01f;
    private const float Q4 = 1.546476374983906719538e-01f;
    private const float Q5 = 5.875095403124574342950e-03f;
    private const float Ln2 = 0.693147180559945309417232121458176568f;
    private const float Sqrt1_2 = 0.707106781186547524400844362104849039f;
    private const float FltMin = 1.17549435e-38f;

    /// <summary>NumPy's float32 log of one value (NaN: NaN; negative: NaN; 0: −∞; +∞: +∞).</summary>
    public static float Log(float v)
    {
        if (float.IsNaN(v) || v < 0)
        {
            return float.NaN;
        }

        if (v == 0)
        {
            return float.NegativeInfinity;
        }

        if (float.IsPositiveInfinity(v))
        {
            return v;
        }

        bool denormal = v < FltMin;
        int bits = BitConverter.SingleToInt32Bits(denormal ? v * 1.2676506e30f : v); // 2^100
        float e = (float)((bits >> 23) - 0x7E) - (denormal ? 100f : 0f);
        float m = BitConverter.Int32BitsToSingle((bits & 0x7FFFFF) | (126 << 23));
        if (m <= Sqrt1_2)
        {
            m += m;
            e -= 1f;
        }

        float t = m - 1f;
        float num = MathF.FusedMultiplyAdd(P5, t, P4);
        num = MathF.FusedMultiplyAdd(num, t, P3);
        num = MathF.FusedMultiplyAdd(num, t, P2);
        num = MathF.FusedMultiplyAdd(num, t, P1);
        num = MathF.FusedMultiplyAdd(num, t, P0);
        float den = MathF.FusedMultiplyAdd(Q5, t, Q4);
        den = MathF.FusedMultiplyAdd(den, t, Q3);
        den = MathF.FusedMultiplyAdd(den, t, Q2);
        den = MathF.FusedMultiplyAdd(den, t, Q1);
        den = MathF.FusedMultiplyAdd(den, t, Q0);
        return MathF.FusedMultiplyAdd(e, Ln2, num / den);
    }
}

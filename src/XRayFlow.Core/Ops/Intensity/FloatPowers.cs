using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// x^gamma, log2 and 2^x of float32 values for adjust_gamma / adjust_log on float images, in float32 arithmetic
/// with the reduction carried in two floats, so a result is within an ulp of the correctly rounded value (NumPy's
/// own float32 power is up to ten ulps from it and its log2 one, measured on NumPy 1.24). Vectors of 16 (512-bit)
/// or 8 (256-bit) floats give the same bits as the scalar rule (<see cref="Pow(float, float)"/>, <see cref="Log2"/>,
/// <see cref="Exp2"/>), which is the meaning (every rounding below is float32, fma a fused multiply-add):
/// <list type="bullet">
/// <item>log2 t of a positive normal t: with b = bits(t) - 0x3F330000, k = b &gt;&gt; 23 (arithmetic), i = (b &gt;&gt;
/// 19) &amp; 15 and z = t / 2^k in [0.699, 1.398): r = fma(z, invc[i], -1), P(r) = fma(P1, r, fma(P1', r, r r Q))
/// with Q = P2 + r (P3 + r (P4 + r P5)) by fma, Pn = (-1)^(n+1) / (n ln 2), P1 + P1' = 1 / ln 2 in two floats; then
/// with s = k + hi[i], log2 t = s + (((k - s) + hi[i]) + (lo[i] + P(r))). invc[i] is the float nearest 1 / (the
/// middle of z's sixteenth), 1 for the sixteenth holding 1 (so log2 of values near 1 keeps its relative precision);
/// hi[i] + lo[i] = -log2(invc[i]) in two floats. |r| &lt;= 1/32: the series' remainder is below 2^-27 relative.</item>
/// <item>2^(yh + yl), |yl| tiny, yh in [-125, 127]: N = yh 32 rounded to an integer (ties to even, by adding
/// 1.5 2^23), f = (yh - N / 32) + yl (the difference exact), j = N &amp; 31, m = N &gt;&gt; 5, Q(f) = f (E1 + f (E2 + f
/// E3)), En = ln2^n / n!, and 2^y = (T[j] + fma(T[j], Q(f), U[j])) 2^m, T[j] + U[j] = 2^(j / 32) in two floats.</item>
/// <item>x^gamma of a positive normal x: y = gamma log2 x in two floats: s + e = hi[i] + (lo[i] + P(r)) and K + E =
/// k + s, each by Fast2Sum (the larger part is the first, or it is 0), yh = gamma K, yl = fma(gamma, K, -yh) +
/// gamma (E + e); then 2^(yh + yl) as above when yh is in [-125, 127]; a result outside float32's normal range (0, subnormal, infinity) takes the float64 rule
/// (<see cref="WideExp2"/>), correctly rounded.</item>
/// <item>Any other value (0, subnormal, negative, infinite, NaN), or an exponent beyond float32 (gamma above 3.4e38
/// becomes infinity when cast), is given to <see cref="MathF.Pow"/> / <see cref="MathF.Log2"/>, whose results there
/// are exact; 2^x for x outside [-125, 127] takes the float64 rule.</item>
/// </list>
/// The float64 rule (kept for the ends of the range): log2 by the atanh series of s = (m - 1) / (m + 1), 2^y by its
/// Taylor series, in float64, rounded once to float32.
/// </summary>
public static class FloatPowers
{
    private const double Ln2 = 0.6931471805599453094172321;
    private const double TwoOverLn2 = 2.8853900817779268147198494;
    private const double SmallestNormal = 1.1754943508222875e-38; // 2^-126
    private const double Largest = float.MaxValue;

    private const int Off = 0x3F330000;
    private const float Shifter = 12582912f; // 1.5 2^23: adding it rounds a float of magnitude below 2^22 to an integer
    private const int ShifterBits = 0x4B400000;
    private const float YLow = -125f, YHigh = 127f;

    private const float P1 = (float)(1 / Ln2), P1Low = (float)((1 / Ln2) - (double)(float)(1 / Ln2)), P2 = (float)(-1 / (2 * Ln2)), P3 = (float)(1 / (3 * Ln2)), P4 = (float)(-1 / (4 * Ln2)), P5 = (float)(1 / (5 * Ln2));
    private const float E1 = (float)Ln2, E2 = (float)(Ln2 * Ln2 / 2), E3 = (float)(Ln2 * Ln2 * Ln2 / 6);

    private static readonly float[] InvC = new float[16], LogHi = new float[16], LogLo = new float[16];
    private static readonly float[] ExpHi = new float[32], ExpLo = new float[32];

#pragma warning disable CA1810 // the tables are computed, not literals
    static FloatPowers()
    {
        for (int i = 0; i < 16; i++)
        {
            double lo = BitConverter.Int32BitsToSingle(Off + (i << 19)), hi = BitConverter.Int32BitsToSingle(Off + ((i + 1) << 19));
            float invc = lo <= 1 && 1 < hi ? 1f : (float)(2 / (lo + hi));
            double log = -Math.Log2(invc);
            InvC[i] = invc;
            LogHi[i] = (float)log;
            LogLo[i] = (float)(log - LogHi[i]);
        }

        for (int j = 0; j < 32; j++)
        {
            double t = Math.Pow(2, j / 32.0);
            ExpHi[j] = (float)t;
            ExpLo[j] = (float)(t - ExpHi[j]);
        }
    }
#pragma warning restore CA1810

    /// <summary>x^gamma (the rule in the class summary).</summary>
    public static float Pow(float x, float gamma)
    {
        if (!(x >= SmallestNormal && x <= Largest && float.IsFinite(gamma)))
        {
            return MathF.Pow(x, gamma);
        }

        var (yh, yl) = PowExponent(x, gamma);
        return yh >= YLow && yh <= YHigh ? Exp2Parts(yh, yl) : (float)PowDouble(x, gamma);
    }

    /// <summary>log2 t (the rule in the class summary).</summary>
    public static float Log2(float t)
    {
        if (!(t >= SmallestNormal && t <= Largest))
        {
            return MathF.Log2(t);
        }

        var (k, i, p) = LogParts(t);
        float sh = k + LogHi[i];
        return sh + (((k - sh) + LogHi[i]) + (LogLo[i] + p)); // Fast2Sum: |k| >= |hi| unless k = 0
    }

    /// <summary>2^x (the rule in the class summary).</summary>
    public static float Exp2(float x)
        => x >= YLow && x <= YHigh ? Exp2Parts(x, 0f) : WideExp2(x);

    /// <summary>2^x by the float64 rule: for x outside [-125, 127] (0, subnormals, infinity) and NaN.</summary>
    internal static float WideExp2(float x)
        => Math.Abs(x) <= Largest ? (float)Exp2Double(x) : MathF.Pow(2f, x);

    /// <summary>t = z 2^k as in the class summary: k, the table index and P(r).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float K, int I, float P) LogParts(float t)
    {
        int ix = BitConverter.SingleToInt32Bits(t);
        int b = ix - Off;
        int i = (b >> 19) & 15;
        float z = BitConverter.Int32BitsToSingle(ix - (b & unchecked((int)0xFF800000)));
        float r = MathF.FusedMultiplyAdd(z, InvC[i], -1f);
        float q = MathF.FusedMultiplyAdd(P5, r, P4);
        q = MathF.FusedMultiplyAdd(q, r, P3);
        q = MathF.FusedMultiplyAdd(q, r, P2);
        return (b >> 23, i, MathF.FusedMultiplyAdd(P1, r, MathF.FusedMultiplyAdd(P1Low, r, r * r * q)));
    }

    /// <summary>gamma log2 x as (high, low) floats.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (float Yh, float Yl) PowExponent(float x, float g)
    {
        var (k, i, p) = LogParts(x);
        float a = LogHi[i], c = LogLo[i] + p;
        float s = a + c, e = c - (s - a); // Fast2Sum: |hi| > |lo + P| unless hi = 0 (then exact)
        float kh = k + s, ke = s - (kh - k); // Fast2Sum: |k| >= 1 > |s| unless k = 0
        float yh = g * kh;
        return (yh, MathF.FusedMultiplyAdd(g, kh, -yh) + (g * (ke + e)));
    }

    /// <summary>2^(yh + yl) for yh in [-125, 127].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Exp2Parts(float yh, float yl)
    {
        float t = MathF.FusedMultiplyAdd(yh, 32f, Shifter);
        int n = BitConverter.SingleToInt32Bits(t) - ShifterBits;
        float f = MathF.FusedMultiplyAdd(t - Shifter, -1f / 32, yh) + yl;
        float q = MathF.FusedMultiplyAdd(E3, f, E2);
        q = MathF.FusedMultiplyAdd(q, f, E1) * f;
        float th = ExpHi[n & 31];
        float v = th + MathF.FusedMultiplyAdd(th, q, ExpLo[n & 31]);
        return BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(v) + ((n >> 5) << 23));
    }

    /// <summary>dst[k] = Pow(src[k], gamma) * gain in float32 (adjust_gamma of a float image).</summary>
    public static void Pow(ReadOnlySpan<float> src, Span<float> dst, float gamma, float gain)
        => Pow(src, dst, gamma, gain, Widest);

    /// <summary>dst[k] = Log2(1 + src[k]) * gain in float32 (adjust_log of a float image).</summary>
    public static void Log2OnePlus(ReadOnlySpan<float> src, Span<float> dst, float gain)
        => Log2OnePlus(src, dst, gain, Widest);

    /// <summary>dst[k] = (Exp2(src[k]) - 1) * gain in float32 (adjust_log with inv of a float image).</summary>
    public static void Exp2MinusOne(ReadOnlySpan<float> src, Span<float> dst, float gain)
        => Exp2MinusOne(src, dst, gain, Widest);

    /// <summary>The widest vector path this machine runs: 512, 256 or 0 bits (the scalar rule only).</summary>
    internal static int Widest => Avx512F.IsSupported ? 512 : Avx2.IsSupported && Fma.IsSupported ? 256 : 0;

    private enum Curve
    {
        Pow,
        Log,
        Exp,
    }

    /// <summary>As the public overload, through the vector path of <paramref name="bits"/> (tests compare every width).</summary>
    internal static void Pow(ReadOnlySpan<float> src, Span<float> dst, float gamma, float gain, int bits)
        => Run(Curve.Pow, src, dst, gamma, gain, float.IsFinite(gamma) ? bits : 0); // an infinite exponent: C's pow rules

    internal static void Log2OnePlus(ReadOnlySpan<float> src, Span<float> dst, float gain, int bits)
        => Run(Curve.Log, src, dst, 0, gain, bits);

    internal static void Exp2MinusOne(ReadOnlySpan<float> src, Span<float> dst, float gain, int bits)
        => Run(Curve.Exp, src, dst, 0, gain, bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Scalar1(Curve curve, float x, float g)
        => curve switch
        {
            Curve.Pow => Pow(x, g),
            Curve.Log => Log2(1f + x),
            _ => Exp2(x) - 1f,
        };

    private static unsafe void Run(Curve curve, ReadOnlySpan<float> src, Span<float> dst, float g, float gain, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, Widest);
        int n = src.Length, k = 0;
        fixed (float* s = src, d = dst)
        {
            if (bits == 512)
            {
                k = curve switch
                {
                    Curve.Pow => Vectors512<PowLanes>(s, d, n, g, gain),
                    Curve.Log => Vectors512<LogLanes>(s, d, n, g, gain),
                    _ => Vectors512<ExpLanes>(s, d, n, g, gain),
                };
            }
            else if (bits == 256)
            {
                k = curve switch
                {
                    Curve.Pow => Vectors256<PowLanes>(s, d, n, g, gain),
                    Curve.Log => Vectors256<LogLanes>(s, d, n, g, gain),
                    _ => Vectors256<ExpLanes>(s, d, n, g, gain),
                };
            }

            for (; k < n; k++)
            {
                d[k] = Scalar1(curve, s[k], g) * gain;
            }
        }
    }

    /// <summary>A curve's lanes: false when some lane must take the scalar rule (then the vector is done one by one).</summary>
    private interface ILanes
    {
        static abstract bool Lanes512(Vector512<float> x, float g, float atZero, in Tables512 t, out Vector512<float> result);

        static abstract bool Lanes256(Vector256<float> x, float g, float atZero, out Vector256<float> result);

        static abstract float Scalar(float x, float g);
    }

    /// <summary>The tables in registers: sixteen entries in one vector, thirty-two in two.</summary>
    private readonly struct Tables512
    {
        public readonly Vector512<float> InvC, LogHi, LogLo, ExpHi0, ExpHi1, ExpLo0, ExpLo1;

        private Tables512(bool unused)
        {
            InvC = Vector512.Create(FloatPowers.InvC);
            LogHi = Vector512.Create(FloatPowers.LogHi);
            LogLo = Vector512.Create(FloatPowers.LogLo);
            ExpHi0 = Vector512.Create(FloatPowers.ExpHi);
            ExpHi1 = Vector512.Create(new ReadOnlySpan<float>(FloatPowers.ExpHi, 16, 16));
            ExpLo0 = Vector512.Create(FloatPowers.ExpLo);
            ExpLo1 = Vector512.Create(new ReadOnlySpan<float>(FloatPowers.ExpLo, 16, 16));
        }

        public static Tables512 Load() => new(true);
    }

    private static unsafe int Vectors512<TC>(float* s, float* d, int n, float g, float gain)
        where TC : ILanes
    {
        float atZero = MathF.Pow(0f, g); // 0^gamma, what +0 lanes of a power take (the scalar rule's value)
        int k = 0;
        while (true)
        {
            k = Run512<TC>(s, d, k, n, g, gain, atZero);
            if (k > n - 16)
            {
                return k;
            }

            for (int j = k; j < k + 16; j++)
            {
                d[j] = TC.Scalar(s[j], g) * gain; // a lane the vectors leave to the scalar rule: the vector one by one
            }

            k += 16;
        }
    }

    /// <summary>
    /// Vectors of 16 from k on until one has a lane for the scalar rule (returns its k) or fewer than 16 are left. No
    /// call inside, so the loop's constants stay in registers (with the scalar rule called from this loop they were
    /// reloaded from the stack every vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Run512<TC>(float* s, float* d, int k, int n, float g, float gain, float atZero)
        where TC : ILanes
    {
        var tables = Tables512.Load();
        var vgain = Vector512.Create(gain);
        for (; k <= n - 16; k += 16)
        {
            if (!TC.Lanes512(Vector512.Load(s + k), g, atZero, tables, out var r))
            {
                return k;
            }

            (r * vgain).Store(d + k);
        }

        return k;
    }

    private static unsafe int Vectors256<TC>(float* s, float* d, int n, float g, float gain)
        where TC : ILanes
    {
        float atZero = MathF.Pow(0f, g);
        int k = 0;
        while (true)
        {
            k = Run256<TC>(s, d, k, n, g, gain, atZero);
            if (k > n - 8)
            {
                return k;
            }

            for (int j = k; j < k + 8; j++)
            {
                d[j] = TC.Scalar(s[j], g) * gain;
            }

            k += 8;
        }
    }

    /// <summary><see cref="Run512{TC}"/> eight at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Run256<TC>(float* s, float* d, int k, int n, float g, float gain, float atZero)
        where TC : ILanes
    {
        var vgain = Vector256.Create(gain);
        for (; k <= n - 8; k += 8)
        {
            if (!TC.Lanes256(Vector256.Load(s + k), g, atZero, out var r))
            {
                return k;
            }

            (r * vgain).Store(d + k);
        }

        return k;
    }

    // ---------------------------------------------------------------- 512-bit lanes (the scalar rule, 16 at a time)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Fma512(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Within512(Vector512<float> v, float low, float high)
        => (Vector512.GreaterThanOrEqual(v, Vector512.Create(low)) & Vector512.LessThanOrEqual(v, Vector512.Create(high))).AsUInt32() == Vector512<uint>.AllBitsSet;

    /// <summary>LogParts of 16 positive normal floats: k (as floats), index, P(r).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> LogParts512(Vector512<float> t, in Tables512 tb, out Vector512<float> k, out Vector512<int> i)
    {
        var ix = t.AsInt32();
        var b = ix - Vector512.Create(Off);
        i = Vector512.ShiftRightArithmetic(b, 19) & Vector512.Create(15);
        var z = (ix - (b & Vector512.Create(unchecked((int)0xFF800000)))).AsSingle();
        k = Vector512.ConvertToSingle(Vector512.ShiftRightArithmetic(b, 23));
        var r = Fma512(z, Avx512F.PermuteVar16x32(tb.InvC, i), Vector512.Create(-1f));
        var q = Fma512(Vector512.Create(P5), r, Vector512.Create(P4));
        q = Fma512(q, r, Vector512.Create(P3));
        q = Fma512(q, r, Vector512.Create(P2));
        return Fma512(Vector512.Create(P1), r, Fma512(Vector512.Create(P1Low), r, r * r * q));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Exp2Parts512(Vector512<float> yh, Vector512<float> yl, in Tables512 tb)
    {
        var shifter = Vector512.Create(Shifter);
        var t = Fma512(yh, Vector512.Create(32f), shifter);
        var n = t.AsInt32() - Vector512.Create(ShifterBits);
        var f = Fma512(t - shifter, Vector512.Create(-1f / 32), yh) + yl;
        var q = Fma512(Vector512.Create(E3), f, Vector512.Create(E2));
        q = Fma512(q, f, Vector512.Create(E1)) * f;
        var j = n & Vector512.Create(31);
        var th = Avx512F.PermuteVar16x32x2(tb.ExpHi0, j, tb.ExpHi1);
        var v = th + Fma512(th, q, Avx512F.PermuteVar16x32x2(tb.ExpLo0, j, tb.ExpLo1));
        return (v.AsInt32() + Vector512.ShiftLeft(Vector512.ShiftRightArithmetic(n, 5), 23)).AsSingle();
    }

    // ---------------------------------------------------------------- 256-bit lanes (tables by gathers)

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Fma256(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Within256(Vector256<float> v, float low, float high)
        => (Vector256.GreaterThanOrEqual(v, Vector256.Create(low)) & Vector256.LessThanOrEqual(v, Vector256.Create(high))).AsUInt32() == Vector256<uint>.AllBitsSet;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<float> Gather(float[] table, Vector256<int> i)
    {
        fixed (float* p = table)
        {
            return Avx2.GatherVector256(p, i, 4);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> LogParts256(Vector256<float> t, out Vector256<float> k, out Vector256<int> i)
    {
        var ix = t.AsInt32();
        var b = ix - Vector256.Create(Off);
        i = Vector256.ShiftRightArithmetic(b, 19) & Vector256.Create(15);
        var z = (ix - (b & Vector256.Create(unchecked((int)0xFF800000)))).AsSingle();
        k = Vector256.ConvertToSingle(Vector256.ShiftRightArithmetic(b, 23));
        var r = Fma256(z, Gather(InvC, i), Vector256.Create(-1f));
        var q = Fma256(Vector256.Create(P5), r, Vector256.Create(P4));
        q = Fma256(q, r, Vector256.Create(P3));
        q = Fma256(q, r, Vector256.Create(P2));
        return Fma256(Vector256.Create(P1), r, Fma256(Vector256.Create(P1Low), r, r * r * q));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Exp2Parts256(Vector256<float> yh, Vector256<float> yl)
    {
        var shifter = Vector256.Create(Shifter);
        var t = Fma256(yh, Vector256.Create(32f), shifter);
        var n = t.AsInt32() - Vector256.Create(ShifterBits);
        var f = Fma256(t - shifter, Vector256.Create(-1f / 32), yh) + yl;
        var q = Fma256(Vector256.Create(E3), f, Vector256.Create(E2));
        q = Fma256(q, f, Vector256.Create(E1)) * f;
        var j = n & Vector256.Create(31);
        var th = Gather(ExpHi, j);
        var v = th + Fma256(th, q, Gather(ExpLo, j));
        return (v.AsInt32() + Vector256.ShiftLeft(Vector256.ShiftRightArithmetic(n, 5), 23)).AsSingle();
    }

    // ---------------------------------------------------------------- the three curves

    private readonly struct PowLanes : ILanes
    {
        public static float Scalar(float x, float g) => Pow(x, g);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Lanes512(Vector512<float> x, float g, float atZero, in Tables512 tb, out Vector512<float> result)
        {
            // +0 lanes (an X-ray's black border) take the value the scalar rule gives them, 0^gamma.
            var zero = Vector512.Equals(x.AsUInt32(), Vector512<uint>.Zero).AsSingle();
            var xs = Vector512.ConditionalSelect(zero, Vector512.Create(1f), x);
            if (!Within512(xs, (float)SmallestNormal, float.MaxValue))
            {
                result = default;
                return false;
            }

            var p = LogParts512(xs, tb, out var k, out var i);
            var vg = Vector512.Create(g);
            var a = Avx512F.PermuteVar16x32(tb.LogHi, i);
            var c = Avx512F.PermuteVar16x32(tb.LogLo, i) + p;
            var s = a + c;
            var e = c - (s - a);
            var kh = k + s;
            var ke = s - (kh - k);
            var yh = vg * kh;
            if (!Within512(yh, YLow, YHigh))
            {
                result = default;
                return false;
            }

            var y = Exp2Parts512(yh, Fma512(vg, kh, -yh) + (vg * (ke + e)), tb);
            result = Vector512.ConditionalSelect(zero, Vector512.Create(atZero), y);
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Lanes256(Vector256<float> x, float g, float atZero, out Vector256<float> result)
        {
            var zero = Vector256.Equals(x.AsUInt32(), Vector256<uint>.Zero).AsSingle();
            var xs = Vector256.ConditionalSelect(zero, Vector256.Create(1f), x);
            if (!Within256(xs, (float)SmallestNormal, float.MaxValue))
            {
                result = default;
                return false;
            }

            var p = LogParts256(xs, out var k, out var i);
            var vg = Vector256.Create(g);
            var a = Gather(LogHi, i);
            var c = Gather(LogLo, i) + p;
            var s = a + c;
            var e = c - (s - a);
            var kh = k + s;
            var ke = s - (kh - k);
            var yh = vg * kh;
            if (!Within256(yh, YLow, YHigh))
            {
                result = default;
                return false;
            }

            var y = Exp2Parts256(yh, Fma256(vg, kh, -yh) + (vg * (ke + e)));
            result = Vector256.ConditionalSelect(zero, Vector256.Create(atZero), y);
            return true;
        }
    }

    private readonly struct LogLanes : ILanes
    {
        public static float Scalar(float x, float g) => Log2(1f + x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Lanes512(Vector512<float> x, float g, float atZero, in Tables512 tb, out Vector512<float> result)
        {
            var u = Vector512.Create(1f) + x;
            if (!Within512(u, (float)SmallestNormal, float.MaxValue))
            {
                result = default;
                return false;
            }

            var p = LogParts512(u, tb, out var k, out var i);
            var hi = Avx512F.PermuteVar16x32(tb.LogHi, i);
            var sh = k + hi;
            result = sh + (((k - sh) + hi) + (Avx512F.PermuteVar16x32(tb.LogLo, i) + p));
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Lanes256(Vector256<float> x, float g, float atZero, out Vector256<float> result)
        {
            var u = Vector256.Create(1f) + x;
            if (!Within256(u, (float)SmallestNormal, float.MaxValue))
            {
                result = default;
                return false;
            }

            var p = LogParts256(u, out var k, out var i);
            var hi = Gather(LogHi, i);
            var sh = k + hi;
            result = sh + (((k - sh) + hi) + (Gather(LogLo, i) + p));
            return true;
        }
    }

    private readonly struct ExpLanes : ILanes
    {
        public static float Scalar(float x, float g) => Exp2(x) - 1f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Lanes512(Vector512<float> x, float g, float atZero, in Tables512 tb, out Vector512<float> result)
        {
            if (!Within512(x, YLow, YHigh))
            {
                result = default;
                return false;
            }

            result = Exp2Parts512(x, Vector512<float>.Zero, tb) - Vector512.Create(1f);
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool Lanes256(Vector256<float> x, float g, float atZero, out Vector256<float> result)
        {
            if (!Within256(x, YLow, YHigh))
            {
                result = default;
                return false;
            }

            result = Exp2Parts256(x, Vector256<float>.Zero) - Vector256.Create(1f);
            return true;
        }
    }

    // ---------------------------------------------------------------- the float64 rule

    /// <summary>log2 x for a positive normal x, in float64 (the atanh series; below 4e-14 relative).</summary>
    private static double Log2Double(double x)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(x);
        ulong mantissa = bits & 0x000F_FFFF_FFFF_FFFF;
        bool big = (long)mantissa > 0x0006_A09E_667F_3BCD; // above sqrt(2)'s mantissa: m in [sqrt(1/2), 1)
        double m = BitConverter.UInt64BitsToDouble(mantissa | (big ? 0x3FE0_0000_0000_0000UL : 0x3FF0_0000_0000_0000UL));
        double e = (double)(long)(bits >> 52) - (big ? 1022 : 1023);
        double s = (m - 1) / (m + 1), z = s * s;
        double p = TwoOverLn2 / 15;
        foreach (int k in (ReadOnlySpan<int>)[13, 11, 9, 7, 5, 3, 1])
        {
            p = Math.FusedMultiplyAdd(p, z, TwoOverLn2 / k);
        }

        return Math.FusedMultiplyAdd(s, p, e);
    }

    /// <summary>2^y in float64 for a finite y, clamped to [-160, 160] (the Taylor series of 2^f, |f| &lt;= 1/2; below 7e-15).</summary>
    private static double Exp2Double(double y)
    {
        y = Math.Min(Math.Max(y, -160), 160);
        double n = Math.Round(y, MidpointRounding.ToEven), f = y - n;
        const double C1 = Ln2, C2 = C1 * Ln2 / 2, C3 = C2 * Ln2 / 3, C4 = C3 * Ln2 / 4, C5 = C4 * Ln2 / 5,
            C6 = C5 * Ln2 / 6, C7 = C6 * Ln2 / 7, C8 = C7 * Ln2 / 8, C9 = C8 * Ln2 / 9, C10 = C9 * Ln2 / 10,
            C11 = C10 * Ln2 / 11;
        double q = C11;
        foreach (double c in (ReadOnlySpan<double>)[C10, C9, C8, C7, C6, C5, C4, C3, C2, C1, 1])
        {
            q = Math.FusedMultiplyAdd(q, f, c);
        }

        return q * Math.ScaleB(1, (int)n); // 2^n exactly: |n| <= 160
    }

    /// <summary>x^gamma for a positive normal x, in float64: 2^(gamma log2 x).</summary>
    private static double PowDouble(float x, float gamma) => Exp2Double(gamma * Log2Double(x));
}

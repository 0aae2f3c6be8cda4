using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// x^gamma, log2 and 2^x of float32 values, computed in float64 and rounded once to float32, so a result is the
/// correctly rounded value except within about 1e-13 (relative) of a rounding tie; vectors of 8 (512-bit) or 4
/// (256-bit) doubles give the same bits as the scalar rule (<see cref="Pow(float, float)"/>, <see cref="Log2"/>,
/// <see cref="Exp2"/>), which is the meaning:
/// <list type="bullet">
/// <item>log2 t of a positive normal t: t = m 2^e with m in [sqrt(1/2), sqrt(2)), s = (m - 1) / (m + 1) (exact
/// numerator and denominator), log2 t = e + s P(s^2), P(z) = (2 / ln 2) sum_{k=0..7} z^k / (2k + 1) by Horner
/// with fused multiply-adds (|s| &lt;= 0.1716, so the series' remainder is below 4e-14 relative).</item>
/// <item>2^y: y clamped to [-160, 160] (beyond, the float32 result is 0 or infinity either way), n = y rounded to
/// the nearest integer (ties to even), f = y - n (exact, |f| &lt;= 1/2), 2^y = Q(f) 2^n, Q(f) = sum_{k=0..11}
/// (f ln 2)^k / k! by Horner with fused multiply-adds (remainder below 7e-15).</item>
/// <item>x^gamma of a positive normal x: 2^(gamma log2 x), gamma as a float32 (NumPy casts a Python float exponent
/// to the array's float32).</item>
/// <item>Any other value (0, subnormal, negative, infinite, NaN), or an exponent beyond float32 (gamma above 3.4e38
/// becomes infinity when cast), is given to <see cref="MathF.Pow"/> /
/// <see cref="MathF.Log2"/>, whose results there are exact.</item>
/// </list>
/// This replaces the C library's powf/log2f in adjust_gamma and adjust_log: the same values within an ulp (tested
/// against float64 references), four to ten times faster as vectors.
/// </summary>
public static class FloatPowers
{
    private const double Ln2 = 0.6931471805599453094172321;
    private const double TwoOverLn2 = 2.8853900817779268147198494;
    private const double SmallestNormal = 1.1754943508222875e-38; // 2^-126
    private const double Largest = float.MaxValue;

    /// <summary>x^gamma (the rule in the class summary).</summary>
    public static float Pow(float x, float gamma)
        => x >= SmallestNormal && x <= Largest && float.IsFinite(gamma) ? (float)PowCore<Scalar, double>(x, gamma) : MathF.Pow(x, gamma);

    /// <summary>log2 t (the rule in the class summary).</summary>
    public static float Log2(float t)
        => t >= SmallestNormal && t <= Largest ? (float)Log2Core<Scalar, double>(t) : MathF.Log2(t);

    /// <summary>2^x (the rule in the class summary).</summary>
    public static float Exp2(float x)
        => Math.Abs(x) <= Largest ? (float)Exp2Core<Scalar, double>(x) : MathF.Pow(2f, x);

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
    internal static int Widest => Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 0;

    /// <summary>As the public overload, through the vector path of <paramref name="bits"/> (tests compare every width).</summary>
    internal static void Pow(ReadOnlySpan<float> src, Span<float> dst, float gamma, float gain, int bits)
        => Run<PowCurve>(src, dst, gamma, gain, float.IsFinite(gamma) ? bits : 0); // an infinite exponent: C's pow rules

    internal static void Log2OnePlus(ReadOnlySpan<float> src, Span<float> dst, float gain, int bits)
        => Run<LogCurve>(src, dst, 0, gain, bits);

    internal static void Exp2MinusOne(ReadOnlySpan<float> src, Span<float> dst, float gain, int bits)
        => Run<ExpCurve>(src, dst, 0, gain, bits);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Run<TCurve>(ReadOnlySpan<float> src, Span<float> dst, float a, float gain, int bits)
        where TCurve : ICurve
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, Widest);
        int n = src.Length, k = 0;
        fixed (float* s = src, d = dst)
        {
            if (bits == 512)
            {
                k = Vectors<TCurve, V512, Vector512<double>>(s, d, n, a, gain);
            }
            else if (bits == 256)
            {
                k = Vectors<TCurve, V256, Vector256<double>>(s, d, n, a, gain);
            }

            for (; k < n; k++)
            {
                d[k] = (TCurve.Scalar(s[k], a) - TCurve.Subtract) * gain;
            }
        }
    }

    /// <summary>Whole vectors of floats; a vector holding a value outside the curve's range takes the scalar rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Vectors<TCurve, TWidth, T>(float* s, float* d, int n, float a, float gain)
        where TCurve : ICurve
        where TWidth : IWidth<T>
        where T : struct
    {
        int k = 0;
        var zero = TWidth.Splat(TCurve.TakesZero ? TCurve.AtZero(a) : 0);
        var one = TWidth.Splat(1);
        for (; k <= n - TWidth.Floats; k += TWidth.Floats)
        {
            TWidth.Load(s + k, TCurve.AddOne, out var lo, out var hi);
            if (TWidth.AllWithin(lo, hi, TCurve.Low, TCurve.High, TCurve.TakesZero))
            {
                if (TCurve.TakesZero)
                {
                    // +0 lanes (an X-ray's black border) take the value the scalar rule gives them, 0^gamma.
                    lo = TWidth.IfZero(lo, zero, TCurve.Lanes<TWidth, T>(TWidth.IfZero(lo, one, lo), a));
                    hi = TWidth.IfZero(hi, zero, TCurve.Lanes<TWidth, T>(TWidth.IfZero(hi, one, hi), a));
                }
                else
                {
                    lo = TCurve.Lanes<TWidth, T>(lo, a);
                    hi = TCurve.Lanes<TWidth, T>(hi, a);
                }

                TWidth.Store(lo, hi, TCurve.Subtract, gain, d + k);
            }
            else
            {
                for (int j = k; j < k + TWidth.Floats; j++)
                {
                    d[j] = (TCurve.Scalar(s[j], a) - TCurve.Subtract) * gain;
                }
            }
        }

        return k;
    }

    /// <summary>log2 x for positive normal x (float64 lanes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Log2Core<TL, T>(T x)
        where TL : ILanes<T>
        where T : struct
    {
        var e = TL.Decompose(x, out var m);
        var one = TL.Splat(1);
        var s = TL.Div(TL.Sub(m, one), TL.Add(m, one));
        var z = TL.Mul(s, s);
        var p = TL.Splat(TwoOverLn2 / 15);
        p = TL.Fma(p, z, TL.Splat(TwoOverLn2 / 13));
        p = TL.Fma(p, z, TL.Splat(TwoOverLn2 / 11));
        p = TL.Fma(p, z, TL.Splat(TwoOverLn2 / 9));
        p = TL.Fma(p, z, TL.Splat(TwoOverLn2 / 7));
        p = TL.Fma(p, z, TL.Splat(TwoOverLn2 / 5));
        p = TL.Fma(p, z, TL.Splat(TwoOverLn2 / 3));
        p = TL.Fma(p, z, TL.Splat(TwoOverLn2));
        return TL.Fma(s, p, e);
    }

    /// <summary>2^y in float64 for any finite y (clamped to [-160, 160]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Exp2Core<TL, T>(T y)
        where TL : ILanes<T>
        where T : struct
    {
        y = TL.Clamp(y, -160, 160);
        var n = TL.Round(y);
        var f = TL.Sub(y, n);
        const double C1 = Ln2, C2 = C1 * Ln2 / 2, C3 = C2 * Ln2 / 3, C4 = C3 * Ln2 / 4, C5 = C4 * Ln2 / 5,
            C6 = C5 * Ln2 / 6, C7 = C6 * Ln2 / 7, C8 = C7 * Ln2 / 8, C9 = C8 * Ln2 / 9, C10 = C9 * Ln2 / 10,
            C11 = C10 * Ln2 / 11;
        var q = TL.Splat(C11);
        q = TL.Fma(q, f, TL.Splat(C10));
        q = TL.Fma(q, f, TL.Splat(C9));
        q = TL.Fma(q, f, TL.Splat(C8));
        q = TL.Fma(q, f, TL.Splat(C7));
        q = TL.Fma(q, f, TL.Splat(C6));
        q = TL.Fma(q, f, TL.Splat(C5));
        q = TL.Fma(q, f, TL.Splat(C4));
        q = TL.Fma(q, f, TL.Splat(C3));
        q = TL.Fma(q, f, TL.Splat(C2));
        q = TL.Fma(q, f, TL.Splat(C1));
        q = TL.Fma(q, f, TL.Splat(1));
        return TL.Mul(q, TL.Pow2(n));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T PowCore<TL, T>(T x, float gamma)
        where TL : ILanes<T>
        where T : struct
        => Exp2Core<TL, T>(TL.Mul(TL.Splat(gamma), Log2Core<TL, T>(x)));

    /// <summary>A curve: its range of values for the lane path, its lane and scalar rules, what it subtracts after.</summary>
    private interface ICurve
    {
        static abstract bool AddOne { get; }

        /// <summary>Whether +0 lanes take the lane path too, given the scalar rule's value there (<see cref="AtZero"/>).</summary>
        static abstract bool TakesZero { get; }

        static abstract float AtZero(float a);

        static abstract double Low { get; }

        static abstract double High { get; }

        static abstract float Subtract { get; }

        static abstract float Scalar(float x, float a);

        static abstract T Lanes<TL, T>(T x, float a)
            where TL : ILanes<T>
            where T : struct;
    }

    private readonly struct PowCurve : ICurve
    {
        public static bool AddOne => false;

        public static bool TakesZero => true;

        public static float AtZero(float a) => MathF.Pow(0f, a);

        public static double Low => SmallestNormal;

        public static double High => Largest;

        public static float Subtract => 0f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Scalar(float x, float a) => Pow(x, a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Lanes<TL, T>(T x, float a)
            where TL : ILanes<T>
            where T : struct
            => PowCore<TL, T>(x, a);
    }

    private readonly struct LogCurve : ICurve
    {
        public static bool TakesZero => false;

        public static float AtZero(float a) => throw new NotSupportedException();

        public static bool AddOne => true;

        public static double Low => SmallestNormal;

        public static double High => Largest;

        public static float Subtract => 0f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Scalar(float x, float a) => Log2(1f + x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Lanes<TL, T>(T x, float a)
            where TL : ILanes<T>
            where T : struct
            => Log2Core<TL, T>(x);
    }

    private readonly struct ExpCurve : ICurve
    {
        public static bool TakesZero => false;

        public static float AtZero(float a) => throw new NotSupportedException();

        public static bool AddOne => false;

        public static double Low => -Largest;

        public static double High => Largest;

        public static float Subtract => 1f;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Scalar(float x, float a) => Exp2(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static T Lanes<TL, T>(T x, float a)
            where TL : ILanes<T>
            where T : struct
            => Exp2Core<TL, T>(x);
    }

    /// <summary>The float64 operations the rules use, on one value or a vector of them (identical IEEE operations).</summary>
    private interface ILanes<T>
        where T : struct
    {
        static abstract T Splat(double v);

        static abstract T Add(T a, T b);

        static abstract T Sub(T a, T b);

        static abstract T Mul(T a, T b);

        static abstract T Div(T a, T b);

        /// <summary>a * b + c, rounded once.</summary>
        static abstract T Fma(T a, T b, T c);

        /// <summary>To the nearest integer, ties to even.</summary>
        static abstract T Round(T a);

        static abstract T Clamp(T a, double low, double high);

        /// <summary>A positive normal x as m 2^e, m in [sqrt(1/2), sqrt(2)); returns e.</summary>
        static abstract T Decompose(T x, out T m);

        /// <summary>2^n for an integral n in [-1022, 1023].</summary>
        static abstract T Pow2(T n);

        /// <summary>Per lane: <paramref name="then"/> where <paramref name="test"/> is +0, else <paramref name="otherwise"/>.</summary>
        static abstract T IfZero(T test, T then, T otherwise);
    }

    /// <summary>Whole vectors: float32 loads widened to two vectors of float64, and the way back.</summary>
    private interface IWidth<T> : ILanes<T>
        where T : struct
    {
        static abstract int Floats { get; }

        static abstract unsafe void Load(float* p, bool addOne, out T lo, out T hi);

        /// <summary>Every lane in [low, high], or +0 where <paramref name="zeroToo"/>.</summary>
        static abstract bool AllWithin(T lo, T hi, double low, double high, bool zeroToo);

        /// <summary>p[k] = (float32(lanes) - subtract) * gain.</summary>
        static abstract unsafe void Store(T lo, T hi, float subtract, float gain, float* p);
    }

    // Bits of the float64 layout used by Decompose and Pow2.
    private const ulong MantissaMask = 0x000F_FFFF_FFFF_FFFF;
    private const long Sqrt2Mantissa = 0x0006_A09E_667F_3BCD; // sqrt(2) = 1.6A09E667F3BCD (hex) x 2^0
    private const ulong OneBits = 0x3FF0_0000_0000_0000;
    private const ulong HalfBits = 0x3FE0_0000_0000_0000;
    private const ulong MagicBits = 0x4330_0000_0000_0000; // 2^52: its low mantissa bits hold a small integer
    private const double Magic = 4503599627370496.0; // 2^52

    private readonly struct Scalar : ILanes<double>
    {
        public static double Splat(double v) => v;

        public static double Add(double a, double b) => a + b;

        public static double Sub(double a, double b) => a - b;

        public static double Mul(double a, double b) => a * b;

        public static double Div(double a, double b) => a / b;

        public static double Fma(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);

        public static double Round(double a) => Math.Round(a, MidpointRounding.ToEven);

        public static double Clamp(double a, double low, double high) => Math.Min(Math.Max(a, low), high);

        public static double Decompose(double x, out double m)
        {
            ulong bits = BitConverter.DoubleToUInt64Bits(x);
            ulong mantissa = bits & MantissaMask;
            bool big = (long)mantissa > Sqrt2Mantissa;
            m = BitConverter.UInt64BitsToDouble(mantissa | (big ? HalfBits : OneBits));
            double biased = BitConverter.UInt64BitsToDouble((bits >> 52) | MagicBits) - Magic;
            return biased - (big ? 1022 : 1023);
        }

        public static double Pow2(double n) => BitConverter.UInt64BitsToDouble(BitConverter.DoubleToUInt64Bits(n + (Magic + 1023)) << 52);

        public static double IfZero(double test, double then, double otherwise) => BitConverter.DoubleToUInt64Bits(test) == 0 ? then : otherwise;
    }

    private readonly struct V512 : IWidth<Vector512<double>>
    {
        public static int Floats => 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Splat(double v) => Vector512.Create(v);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Sub(Vector512<double> a, Vector512<double> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Mul(Vector512<double> a, Vector512<double> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Div(Vector512<double> a, Vector512<double> b) => a / b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Fma(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Round(Vector512<double> a) => Vector512.Round(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Clamp(Vector512<double> a, double low, double high)
            => Vector512.Min(Vector512.Max(a, Vector512.Create(low)), Vector512.Create(high));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Decompose(Vector512<double> x, out Vector512<double> m)
        {
            var bits = x.AsUInt64();
            var mantissa = bits & Vector512.Create(MantissaMask);
            var big = Vector512.GreaterThan(mantissa.AsInt64(), Vector512.Create(Sqrt2Mantissa)).AsUInt64();
            m = (mantissa | Vector512.ConditionalSelect(big, Vector512.Create(HalfBits), Vector512.Create(OneBits))).AsDouble();
            var biased = (Vector512.ShiftRightLogical(bits, 52) | Vector512.Create(MagicBits)).AsDouble() - Vector512.Create(Magic);
            return biased - Vector512.ConditionalSelect(big.AsDouble(), Vector512.Create(1022.0), Vector512.Create(1023.0));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Pow2(Vector512<double> n)
            => Vector512.ShiftLeft((n + Vector512.Create(Magic + 1023)).AsUInt64(), 52).AsDouble();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> IfZero(Vector512<double> test, Vector512<double> then, Vector512<double> otherwise)
            => Vector512.ConditionalSelect(Vector512.Equals(test.AsUInt64(), Vector512<ulong>.Zero).AsDouble(), then, otherwise);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Load(float* p, bool addOne, out Vector512<double> lo, out Vector512<double> hi)
        {
            var v = Vector512.Load(p);
            if (addOne)
            {
                v = Vector512.Create(1f) + v;
            }

            (lo, hi) = Vector512.Widen(v);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool AllWithin(Vector512<double> lo, Vector512<double> hi, double low, double high, bool zeroToo)
        {
            var l = Vector512.Create(low);
            var h = Vector512.Create(high);
            var inLo = Vector512.GreaterThanOrEqual(lo, l) & Vector512.LessThanOrEqual(lo, h);
            var inHi = Vector512.GreaterThanOrEqual(hi, l) & Vector512.LessThanOrEqual(hi, h);
            if (zeroToo)
            {
                inLo |= Vector512.Equals(lo.AsUInt64(), Vector512<ulong>.Zero).AsDouble();
                inHi |= Vector512.Equals(hi.AsUInt64(), Vector512<ulong>.Zero).AsDouble();
            }

            return (inLo & inHi).AsUInt64() == Vector512<ulong>.AllBitsSet;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(Vector512<double> lo, Vector512<double> hi, float subtract, float gain, float* p)
            => ((Vector512.Narrow(lo, hi) - Vector512.Create(subtract)) * Vector512.Create(gain)).Store(p);
    }

    private readonly struct V256 : IWidth<Vector256<double>>
    {
        public static int Floats => 8;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Splat(double v) => Vector256.Create(v);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Sub(Vector256<double> a, Vector256<double> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Mul(Vector256<double> a, Vector256<double> b) => a * b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Div(Vector256<double> a, Vector256<double> b) => a / b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Fma(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Round(Vector256<double> a) => Vector256.Round(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Clamp(Vector256<double> a, double low, double high)
            => Vector256.Min(Vector256.Max(a, Vector256.Create(low)), Vector256.Create(high));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Decompose(Vector256<double> x, out Vector256<double> m)
        {
            var bits = x.AsUInt64();
            var mantissa = bits & Vector256.Create(MantissaMask);
            var big = Vector256.GreaterThan(mantissa.AsInt64(), Vector256.Create(Sqrt2Mantissa)).AsUInt64();
            m = (mantissa | Vector256.ConditionalSelect(big, Vector256.Create(HalfBits), Vector256.Create(OneBits))).AsDouble();
            var biased = (Vector256.ShiftRightLogical(bits, 52) | Vector256.Create(MagicBits)).AsDouble() - Vector256.Create(Magic);
            return biased - Vector256.ConditionalSelect(big.AsDouble(), Vector256.Create(1022.0), Vector256.Create(1023.0));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Pow2(Vector256<double> n)
            => Vector256.ShiftLeft((n + Vector256.Create(Magic + 1023)).AsUInt64(), 52).AsDouble();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> IfZero(Vector256<double> test, Vector256<double> then, Vector256<double> otherwise)
            => Vector256.ConditionalSelect(Vector256.Equals(test.AsUInt64(), Vector256<ulong>.Zero).AsDouble(), then, otherwise);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Load(float* p, bool addOne, out Vector256<double> lo, out Vector256<double> hi)
        {
            var v = Vector256.Load(p);
            if (addOne)
            {
                v = Vector256.Create(1f) + v;
            }

            (lo, hi) = Vector256.Widen(v);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool AllWithin(Vector256<double> lo, Vector256<double> hi, double low, double high, bool zeroToo)
        {
            var l = Vector256.Create(low);
            var h = Vector256.Create(high);
            var inLo = Vector256.GreaterThanOrEqual(lo, l) & Vector256.LessThanOrEqual(lo, h);
            var inHi = Vector256.GreaterThanOrEqual(hi, l) & Vector256.LessThanOrEqual(hi, h);
            if (zeroToo)
            {
                inLo |= Vector256.Equals(lo.AsUInt64(), Vector256<ulong>.Zero).AsDouble();
                inHi |= Vector256.Equals(hi.AsUInt64(), Vector256<ulong>.Zero).AsDouble();
            }

            return (inLo & inHi).AsUInt64() == Vector256<ulong>.AllBitsSet;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static unsafe void Store(Vector256<double> lo, Vector256<double> hi, float subtract, float gain, float* p)
            => ((Vector256.Narrow(lo, hi) - Vector256.Create(subtract)) * Vector256.Create(gain)).Store(p);
    }
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// np.clip(x, Lo, Hi) with NaN kept (Lo &lt;= Hi, neither NaN): each value NaN ? x : min(max(x, Lo), Hi), with
/// IEEE 754-2019 maximum / minimum (+0 above -0). That is the meaning; the vector paths give its bits with fewer
/// instructions where they can (<see cref="Rule"/>).
/// </summary>
public readonly record struct ClipRange(float Lo, float Hi)
{
    /// <summary>
    /// How the vectors clip: x86's own max(Lo, x) then min(Hi, ·) return their second operand when either is NaN (x's
    /// NaN, bits kept, as the meaning) and differ from IEEE 754-2019 maximum / minimum only in the zero they return
    /// when both operands are zeros: max(+0, -0) gives -0 where IEEE gives +0, and min(-0, +0) gives +0 where IEEE
    /// gives -0. So they are the meaning's bits unless Lo is +0 or Hi is -0; with Lo +0 (an X-ray's darkest value) a
    /// -0 result can only come from x = -0 and is made +0; with Hi -0 the IEEE operations run.
    /// </summary>
    internal ClipRule Rule => float.IsNegative(Hi) && Hi == 0 ? ClipRule.Ieee : !float.IsNegative(Lo) && Lo == 0 ? ClipRule.NativeZeroLow : ClipRule.Native;

    /// <summary>dst[k] = clip(src[k]) (src and dst may be the same span); <paramref name="stream"/>: non-temporal stores.</summary>
    public unsafe void Apply(ReadOnlySpan<float> src, Span<float> dst, bool stream)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        fixed (float* s = src, d = dst)
        {
            switch (Rule)
            {
                case ClipRule.Native:
                    Run(new NativeClip(Lo, Hi), s, d, src.Length, stream);
                    break;
                case ClipRule.NativeZeroLow:
                    Run(new NativeZeroLowClip(Lo, Hi), s, d, src.Length, stream);
                    break;
                default:
                    Run(new IeeeClip(Lo, Hi), s, d, src.Length, stream);
                    break;
            }
        }
    }

    /// <summary>The scalar meaning of one value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float One(float x, float lo, float hi) => float.IsNaN(x) ? x : Math.Min(Math.Max(x, lo), hi); // Math.Max / Min: +0 above -0

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Run<TClip>(TClip clip, float* s, float* d, int n, bool stream)
        where TClip : struct, IClip
    {
        int k = 0;
        if (stream && Avx.IsSupported && n >= 64)
        {
            for (; k < n && ((nuint)(d + k) & 31) != 0; k++)
            {
                d[k] = clip.Apply(s[k]);
            }

            for (; k <= n - 8; k += 8)
            {
                Avx.StoreAlignedNonTemporal(d + k, clip.Apply(Avx.LoadVector256(s + k)));
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= n - 16; k += 16)
                {
                    clip.Apply(Vector512.Load(s + k)).Store(d + k);
                }
            }

            for (; k <= n - 8; k += 8)
            {
                clip.Apply(Vector256.Load(s + k)).Store(d + k);
            }
        }

        for (; k < n; k++)
        {
            d[k] = clip.Apply(s[k]);
        }
    }
}

/// <summary>Which instructions <see cref="ClipRange"/>'s vectors use (<see cref="ClipRange.Rule"/>).</summary>
internal enum ClipRule
{
    /// <summary>x86 max then min.</summary>
    Native,

    /// <summary>x86 max then min, a -0 result made +0 (Lo is +0).</summary>
    NativeZeroLow,

    /// <summary>IEEE 754-2019 maximum and minimum, NaN lanes kept (Hi is -0).</summary>
    Ieee,
}

/// <summary>One clip rule at each width (operator structs, so each loop is compiled for its rule).</summary>
internal interface IClip
{
    float Apply(float x);

    Vector256<float> Apply(Vector256<float> x);

    Vector512<float> Apply(Vector512<float> x);
}

/// <summary>No clip: the value as it is.</summary>
internal readonly struct NoClip : IClip
{
    public float Apply(float x) => x;

    public Vector256<float> Apply(Vector256<float> x) => x;

    public Vector512<float> Apply(Vector512<float> x) => x;
}

internal readonly struct NativeClip(float lo, float hi) : IClip
{
    public float Apply(float x) => ClipRange.One(x, lo, hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x) => Avx.Min(Vector256.Create(hi), Avx.Max(Vector256.Create(lo), x));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> x) => Avx512F.Min(Vector512.Create(hi), Avx512F.Max(Vector512.Create(lo), x));
}

internal readonly struct NativeZeroLowClip(float lo, float hi) : IClip
{
    public float Apply(float x) => ClipRange.One(x, lo, hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x)
    {
        var r = Avx.Min(Vector256.Create(hi), Avx.Max(Vector256.Create(lo), x)).AsInt32();
        return Vector256.AndNot(r, Vector256.Equals(r, Vector256.Create(int.MinValue))).AsSingle();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> x)
    {
        var r = Avx512F.Min(Vector512.Create(hi), Avx512F.Max(Vector512.Create(lo), x)).AsInt32();
        return Vector512.AndNot(r, Vector512.Equals(r, Vector512.Create(int.MinValue))).AsSingle();
    }
}

internal readonly struct IeeeClip(float lo, float hi) : IClip
{
    public float Apply(float x) => ClipRange.One(x, lo, hi);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Apply(Vector256<float> x)
        => Vector256.ConditionalSelect(Vector256.Equals(x, x), Vector256.Min(Vector256.Max(x, Vector256.Create(lo)), Vector256.Create(hi)), x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Apply(Vector512<float> x)
        => Vector512.ConditionalSelect(Vector512.Equals(x, x), Vector512.Min(Vector512.Max(x, Vector512.Create(lo)), Vector512.Create(hi)), x);
}

using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// np.clip(x, Lo, Hi) with NaN kept (Lo &lt;= Hi, neither NaN): each value NaN ? x : min(max(x, Lo), Hi), with
/// IEEE 754-2019 maximum / minimum (+0 above -0). The vector paths use the same two operations per value, so the
/// same bits.
/// </summary>
public readonly record struct ClipRange(float Lo, float Hi)
{
    /// <summary>dst[k] = clip(src[k]) (src and dst may be the same span); <paramref name="stream"/>: non-temporal stores.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public unsafe void Apply(ReadOnlySpan<float> src, Span<float> dst, bool stream)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dst.Length, src.Length, nameof(dst));
        int n = src.Length, k = 0;
        float lo = Lo, hi = Hi;
        fixed (float* s = src, d = dst)
        {
            if (stream && Avx.IsSupported && n >= 64)
            {
                for (; k < n && ((nuint)(d + k) & 31) != 0; k++)
                {
                    d[k] = One(s[k], lo, hi);
                }

                var vl = Vector256.Create(lo);
                var vh = Vector256.Create(hi);
                for (; k <= n - 8; k += 8)
                {
                    var v = Avx.LoadVector256(s + k);
                    Avx.StoreAlignedNonTemporal(d + k, Vector256.ConditionalSelect(Vector256.Equals(v, v), Vector256.Min(Vector256.Max(v, vl), vh), v));
                }
            }
            else if (Vector.IsHardwareAccelerated)
            {
                int l = Vector<float>.Count;
                var vl = new Vector<float>(lo);
                var vh = new Vector<float>(hi);
                for (; k <= n - l; k += l)
                {
                    var v = Vector.Load(s + k);
                    Vector.ConditionalSelect(Vector.Equals(v, v), Vector.Min(Vector.Max(v, vl), vh), v).Store(d + k);
                }
            }

            for (; k < n; k++)
            {
                d[k] = One(s[k], lo, hi);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float One(float x, float lo, float hi) => float.IsNaN(x) ? x : Math.Min(Math.Max(x, lo), hi); // as Vector.Max / Min: +0 above -0
}

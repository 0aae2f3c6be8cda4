using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// skimage.exposure.rescale_intensity (scikit-image 0.19.3) on one frame, given its resolved ranges:
/// c = clip(x, imin, imax); when imin != imax, out = (c - imin) / (imax - imin) * (omax - omin) + omin, else
/// out = clip(c, omin, omax); then cast to the output dtype. The arithmetic is that of the image's dtype: float64
/// for uint8 / uint16 images (NumPy promotes them with the Python float bounds), float32 for float32 ones (every
/// bound rounded to float32 first, (imax - imin) and (omax - omin) computed in float64 then rounded). An integer
/// output dtype (uint8, uint16) truncates towards zero (values lie in its range by construction; NaN gives 0).
/// </summary>
public static class IntensityRescale
{
    /// <summary>The dtype of the result: the image's own, an unsigned integer type, or float (kept as computed).</summary>
    public enum OutType
    {
        /// <summary>Float (float32 or float64): the computed values, rounded once to float32.</summary>
        Float,

        /// <summary>uint8: truncated.</summary>
        UInt8,

        /// <summary>uint16 (also uint10, uint12, uint14): truncated.</summary>
        UInt16,
    }

    /// <summary>The (min, max) of a dtype name, as scikit-image's DTYPE_RANGE: uint8, uint10, uint12, uint14, uint16, float (-1, 1).</summary>
    public static (double Lo, double Hi) DtypeRange(string name) => name switch
    {
        "uint8" => (0, 255),
        "uint10" => (0, 1023),
        "uint12" => (0, 4095),
        "uint14" => (0, 16383),
        "uint16" => (0, 65535),
        "float" => (-1, 1),
        _ => throw new ArgumentException($"unknown dtype name '{name}'", nameof(name)),
    };

    /// <summary>The (min, max) of the image's own dtype (its 'dtype' range): (0, 255), (0, 65535), float32 (-1, 1).</summary>
    public static (double Lo, double Hi) DtypeRange(SkimageDtype dtype) => dtype switch
    {
        SkimageDtype.UInt8 => (0, 255),
        SkimageDtype.UInt16 => (0, 65535),
        _ => (-1, 1),
    };

    /// <summary>The output dtype of a range word or list (_output_dtype): 'dtype' / 'image' keep the image's, a name gives its type, a list float.</summary>
    public static OutType OutputType(string? word, SkimageDtype dtype) => word switch
    {
        "dtype" or "image" => dtype switch
        {
            SkimageDtype.UInt8 => OutType.UInt8,
            SkimageDtype.UInt16 => OutType.UInt16,
            _ => OutType.Float,
        },
        "uint8" => OutType.UInt8,
        "uint10" or "uint12" or "uint14" or "uint16" => OutType.UInt16,
        _ => OutType.Float,
    };

    /// <summary>
    /// Rescales <paramref name="src"/> into <paramref name="dst"/> (see the class remarks), in parts on up to
    /// <paramref name="threads"/> threads (the same bits). <paramref name="tableLength"/>: an integer image's table
    /// length when the caller knows it (its largest value + 1), else found by a pass.
    /// </summary>
    public static void Apply(ReadOnlyMemory<float> src, Memory<float> dst, SkimageDtype dtype, double imin, double imax, double omin, double omax, OutType type, int threads, int? tableLength = null)
    {
        if (dst.Length != src.Length)
        {
            throw new ArgumentException("src and dst must have one length");
        }

        float[]? lut = dtype == SkimageDtype.Float32 ? null : Table(tableLength ?? ExposureCurves.TableLength(src.Span, dtype, threads), threads, imin, imax, omin, omax, type);
        Elementwise.ElementwiseLoop.ForBlocks(src.Length, threads, (start, length) =>
        {
            if (lut is not null)
            {
                ExposureCurves.Map(src.Span.Slice(start, length), dst.Span.Slice(start, length), lut);
            }
            else
            {
                Apply(src.Span.Slice(start, length), dst.Span.Slice(start, length), dtype, imin, imax, omin, omax, type);
            }
        });
    }

    /// <summary>Rescales <paramref name="src"/> into <paramref name="dst"/> (see the class remarks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Apply(ReadOnlySpan<float> src, Span<float> dst, SkimageDtype dtype, double imin, double imax, double omin, double omax, OutType type)
    {
        if (dst.Length != src.Length)
        {
            throw new ArgumentException("src and dst must have one length");
        }

        bool degenerate = imin == imax;
        if (dtype == SkimageDtype.Float32)
        {
            float lo = (float)imin, hi = (float)imax, olo = (float)omin, ohi = (float)omax;
            float span = (float)(imax - imin), ospan = (float)(omax - omin);
            int k = type == OutType.Float ? FloatVector(src, dst, lo, hi, span, olo, ohi, ospan, degenerate) : 0;
            FloatScalar(src[k..], dst[k..], lo, hi, span, olo, ohi, ospan, degenerate, type);
            return;
        }

        ExposureCurves.Map(src, dst, Table(ExposureCurves.TableLength(src, dtype, 1), 1, imin, imax, omin, omax, type));
    }

    /// <summary>Integer images: the result of every value 0 .. length - 1 (up to the image's largest: <see cref="ExposureCurves.TableLength"/>), in float64 arithmetic.</summary>
    private static float[] Table(int length, int threads, double imin, double imax, double omin, double omax, OutType type)
    {
        bool degenerate = imin == imax;
        return ExposureCurves.Table(length, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (v) =>
        {
            double c = Clip(v, imin, imax);
            double r = degenerate ? Clip(c, omin, omax) : ((c - imin) / (imax - imin) * (omax - omin)) + omin;
            return Cast(r, type);
        });
    }

    /// <summary>The float path, one value at a time: the exact meaning (float32 arithmetic, as NumPy on a float32 array).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void FloatScalar(ReadOnlySpan<float> src, Span<float> dst, float lo, float hi, float span, float olo, float ohi, float ospan, bool degenerate, OutType type)
    {
        for (int k = 0; k < src.Length; k++)
        {
            float c = Clip(src[k], lo, hi);
            float r = degenerate ? Clip(c, olo, ohi) : ((c - lo) / span * ospan) + olo;
            dst[k] = Cast(r, type);
        }
    }

    /// <summary>
    /// The float path for a float output, 16 values at a time (AVX-512) then 8, the same operations in the same order as
    /// <see cref="FloatScalar"/> (IEEE float32 per lane; NaN kept from x; bounds that are NaN go to the scalar
    /// loop): the same bits, tested for every length 1..80. Returns how many values it did.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int FloatVector(ReadOnlySpan<float> src, Span<float> dst, float lo, float hi, float span, float olo, float ohi, float ospan, bool degenerate)
    {
        if (!Vector256.IsHardwareAccelerated || float.IsNaN(lo) || float.IsNaN(hi) || float.IsNaN(olo) || float.IsNaN(ohi))
        {
            return 0;
        }

        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var wlo = Vector512.Create(lo);
            var whi = Vector512.Create(hi);
            var wspan = Vector512.Create(span);
            var wolo = Vector512.Create(olo);
            var wohi = Vector512.Create(ohi);
            var wospan = Vector512.Create(ospan);
            ref float s0 = ref MemoryMarshal.GetReference(src);
            ref float d0 = ref MemoryMarshal.GetReference(dst);
            if (Avx512F.IsSupported && !degenerate && !(BitConverter.SingleToInt32Bits(lo) == 0 && BitConverter.SingleToInt32Bits(olo) == int.MinValue))
            {
                // x86's max and min return their second operand where either is NaN or both are zeros: max(lo, x) then
                // min(hi, that) keep a NaN x as the IEEE path does, and differ from IEEE 754-2019 maximum and minimum
                // only in a zero's sign, where x is -0 and lo is +0 (c becomes -0, not +0), or c is +0 and hi is -0. The
                // second never shows (lo < hi = -0 makes lo nonzero, and c - lo is then the same for either zero); the
                // first carries c's sign to (c - lo) / span * ospan and is lost in + olo unless olo is -0, which takes
                // the IEEE loop below. Half the operations of the IEEE min and max (range and two fix-ups each).
                for (; k <= src.Length - Vector512<float>.Count; k += Vector512<float>.Count)
                {
                    var c = Avx512F.Min(whi, Avx512F.Max(wlo, Vector512.LoadUnsafe(ref s0, (nuint)k)));
                    (((c - wlo) / wspan * wospan) + wolo).StoreUnsafe(ref d0, (nuint)k);
                }
            }

            for (; k <= src.Length - Vector512<float>.Count; k += Vector512<float>.Count)
            {
                var x = Vector512.LoadUnsafe(ref s0, (nuint)k);
                var nan = ~Vector512.Equals(x, x);
                var c = Vector512.ConditionalSelect(nan, x, Vector512.Min(Vector512.Max(x, wlo), whi));
                var r = degenerate
                    ? Vector512.ConditionalSelect(nan, c, Vector512.Min(Vector512.Max(c, wolo), wohi))
                    : ((c - wlo) / wspan * wospan) + wolo;
                r.StoreUnsafe(ref d0, (nuint)k);
            }
        }

        var vlo = Vector256.Create(lo);
        var vhi = Vector256.Create(hi);
        var vspan = Vector256.Create(span);
        var volo = Vector256.Create(olo);
        var vohi = Vector256.Create(ohi);
        var vospan = Vector256.Create(ospan);
        for (; k <= src.Length - Vector256<float>.Count; k += Vector256<float>.Count)
        {
            var x = Vector256.Create(src.Slice(k, Vector256<float>.Count));
            var nan = ~Vector256.Equals(x, x);
            var c = Vector256.ConditionalSelect(nan, x, Vector256.Min(Vector256.Max(x, vlo), vhi));
            var r = degenerate
                ? Vector256.ConditionalSelect(nan, c, Vector256.Min(Vector256.Max(c, volo), vohi))
                : ((c - vlo) / vspan * vospan) + volo;
            r.CopyTo(dst.Slice(k, Vector256<float>.Count));
        }

        return k;
    }

    /// <summary>numpy.clip: max(lo, min(x, hi)) with NaN propagated from x or the bounds.</summary>
    private static double Clip(double x, double lo, double hi) => double.IsNaN(x) || double.IsNaN(lo) || double.IsNaN(hi) ? double.NaN : Math.Min(Math.Max(x, lo), hi);

    private static float Clip(float x, float lo, float hi) => float.IsNaN(x) || float.IsNaN(lo) || float.IsNaN(hi) ? float.NaN : Math.Min(Math.Max(x, lo), hi);

    private static float Cast(double r, OutType type) => type switch
    {
        OutType.UInt8 => double.IsNaN(r) ? 0f : (float)Math.Truncate(Math.Clamp(r, 0, 255)),
        OutType.UInt16 => double.IsNaN(r) ? 0f : (float)Math.Truncate(Math.Clamp(r, 0, 65535)),
        _ => (float)r,
    };
}

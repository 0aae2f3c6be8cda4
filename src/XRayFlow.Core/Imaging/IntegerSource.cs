using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// Which scikit-image path an array takes: scikit-image treats integer images (one histogram bin per integer
/// value, <c>img_as_uint</c>, dtype ranges) and float images differently, while XRayFlow holds every pixel as
/// float32. The rule (docs/integer-sources.md), for an op that must give what scikit-image gives:
/// <list type="number">
/// <item>An array as a loader returned it carries the sample type of its file: an 8- or 16-bit grey PNG, a grey
/// JPEG and a uint8/uint16 .npy are unsigned integers of 8 or 16 bits (scikit-image on the original
/// uint8/uint16 array); a float .npy is float (scikit-image on the float32 array, even when its values are whole).
/// The loader records it with <see cref="Record"/>; it belongs to that very array instance (a side table, so it
/// vanishes with the array), like <see cref="DicomDisplayInfo"/>.</item>
/// <item>Any other array (what an op computed, a colour image's luminance, DICOM modality values) is an integer
/// image when every value is a whole number in 0..65535: 8 bits when the largest is at most 255, else 16 bits.
/// Otherwise (a fraction, a negative value, NaN or infinity anywhere) it takes the float path, as the float32
/// array. A filter's result therefore takes the float path, and a crop or a clip of an 8-bit X-ray to whole
/// bounds stays an integer image.</item>
/// </list>
/// Ops that keep values unchanged (crop, flip, pad...) may call <see cref="Propagate"/> so that a 16-bit image
/// whose crop happens to hold only values up to 255 still counts as 16-bit.
/// </summary>
public static class IntegerSource
{
    private sealed class Bits(int value)
    {
        public int Value { get; } = value;
    }

    private static readonly ConditionalWeakTable<ImageArray, Bits> Table = new();

    /// <summary>The largest value of the integer path (uint16).</summary>
    public const float MaxValue = 65535f;

    /// <summary>
    /// Records what the file behind <paramref name="array"/> held: <paramref name="bits"/> 8 or 16 for unsigned
    /// integer samples, 0 for float samples. Returns the array (for the loader's return statement).
    /// </summary>
    public static ImageArray Record(ImageArray array, int bits)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (bits is not (0 or 8 or 16))
        {
            throw new ArgumentOutOfRangeException(nameof(bits), "bits is 8, 16 (unsigned integer samples) or 0 (float samples)");
        }

        Table.AddOrUpdate(array, new Bits(bits));
        return array;
    }

    /// <summary>What the loader recorded for this very array instance (8, 16 or 0 for float), if anything.</summary>
    public static bool TryGetRecorded(ImageArray array, out int bits)
    {
        if (Table.TryGetValue(array, out var b))
        {
            bits = b.Value;
            return true;
        }

        bits = 0;
        return false;
    }

    /// <summary>Copies what was recorded for <paramref name="from"/> (if anything) to <paramref name="to"/>: for ops that keep the values.</summary>
    public static void Propagate(ImageArray from, ImageArray to)
    {
        if (TryGetRecorded(from, out int bits))
        {
            Record(to, bits);
        }
    }

    /// <summary>
    /// The integer type scikit-image would see: 8 (uint8), 16 (uint16), or 0 for its float path. Recorded arrays
    /// answer from the record; others by <see cref="BitsOfValues"/> (one pass over the pixels).
    /// </summary>
    public static int BitsOf(ImageArray array, int threads = 1)
    {
        if (array.IsComplex)
        {
            return 0;
        }

        return TryGetRecorded(array, out int bits) ? bits : BitsOfValues(array.Data, threads);
    }

    /// <summary>True when scikit-image would see an integer image (<see cref="BitsOf"/> is 8 or 16).</summary>
    public static bool IsInteger(ImageArray array, int threads = 1) => BitsOf(array, threads) != 0;

    /// <summary>
    /// The value rule: 8 when every value is a whole number in 0..255, 16 when every value is a whole number in
    /// 0..65535 and one exceeds 255, 0 otherwise (or when there are no values).
    /// </summary>
    public static int BitsOfValues(ReadOnlySpan<float> x, int threads = 1)
    {
        if (x.IsEmpty)
        {
            return 0;
        }

        float max = WholeMax(x, threads);

        return max < 0 ? 0 : max <= 255f ? 8 : 16;
    }

    /// <summary>
    /// The single-span WholeMax over up to <paramref name="threads"/> parts of 256K values or more: -1 when any part
    /// holds a value that is not a whole number in 0..65535 (not the largest part's answer).
    /// </summary>
    internal static float WholeMax(ReadOnlySpan<float> x, int threads)
    {
        var maxima = SpanParts.Map(x, Math.Max(1, Math.Min(threads, x.Length / (1 << 18))), 8, WholeMax);
        return maxima.Min() < 0 ? -1 : maxima.Max();
    }

    /// <summary>The largest value when every value is a whole number in 0..65535 (0 for none); -1 otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float WholeMax(ReadOnlySpan<float> x)
    {
        int n = x.Length;
        int i = 0;
        float max = 0f;
        ref float x0 = ref MemoryMarshal.GetReference(x);
        if (Avx512F.IsSupported && n >= 64)
        {
            // 16 at a time, 4 vectors a step: a whole number in 0..65535 truncates to an integer that converts back to
            // it (a fraction, NaN or a value beyond int does not) and is at most 65535 as unsigned (a negative is not);
            // the largest is kept as an integer. -0 passes, as in the scalar rule, and counts as 0.
            var top = Vector512.Create((uint)MaxValue);
            var bad = Vector512<uint>.Zero;
            var mx = Vector512<uint>.Zero;
            for (; i <= n - 64; i += 64)
            {
                for (int q = 0; q < 64; q += 16)
                {
                    var v = Vector512.LoadUnsafe(ref x0, (nuint)(i + q));
                    var k = Avx512F.ConvertToVector512Int32WithTruncation(v).AsUInt32();
                    bad |= ~(Vector512.Equals(Avx512F.ConvertToVector512Single(k.AsInt32()), v).AsUInt32() & Vector512.LessThanOrEqual(k, top));
                    mx = Vector512.Max(mx, k);
                }

                if ((i & 1023) == 0 && bad != Vector512<uint>.Zero)
                {
                    return -1; // a float image fails in its first values: no need to read the rest
                }
            }

            if (bad != Vector512<uint>.Zero)
            {
                return -1;
            }

            for (int l = 0; l < Vector512<uint>.Count; l++)
            {
                max = Math.Max(max, mx[l]);
            }
        }

        if (Vector256.IsHardwareAccelerated && n - i >= 8)
        {
            var top = Vector256.Create(MaxValue);
            var zero = Vector256<float>.Zero;
            var bad = Vector256<float>.Zero;
            var mx = Vector256<float>.Zero;
            for (; i <= n - 8; i += 8)
            {
                var v = Vector256.LoadUnsafe(ref x0, (nuint)i);
                // A whole number in range equals its floor and lies in [0, 65535]; NaN fails every comparison.
                var good = Vector256.Equals(v, Vector256.Floor(v)) & Vector256.GreaterThanOrEqual(v, zero) & Vector256.LessThanOrEqual(v, top);
                bad |= ~good;
                mx = Vector256.Max(mx, v);
                if ((i & 1023) == 0 && bad != Vector256<float>.Zero)
                {
                    return -1; // a float image fails in its first values: no need to read the rest
                }
            }

            if (bad != Vector256<float>.Zero)
            {
                return -1;
            }

            for (int l = 0; l < 8; l++)
            {
                max = Math.Max(max, mx[l]);
            }
        }

        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref x0, i);
            if (!(v == MathF.Floor(v) && v >= 0f && v <= MaxValue))
            {
                return -1;
            }

            max = Math.Max(max, v);
        }

        return max;
    }
}

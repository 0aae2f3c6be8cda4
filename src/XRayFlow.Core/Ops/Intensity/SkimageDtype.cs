using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>The NumPy dtype scikit-image would see for an array, which picks its integer or its float path.</summary>
public enum SkimageDtype
{
    /// <summary>float32: the float path (histograms of nbins bins, dtype range (-1, 1)).</summary>
    Float32,

    /// <summary>uint8: one histogram bin per value, dtype range (0, 255), adjust_gamma's lookup table.</summary>
    UInt8,

    /// <summary>uint16: one histogram bin per value, dtype range (0, 65535).</summary>
    UInt16,
}

/// <summary>
/// Which scikit-image path an array of this family takes. XRayFlow holds every pixel as float32; scikit-image
/// treats uint8 / uint16 arrays and float arrays differently. The rule (docs/ops.md, "Integer and float images"):
/// the array is scikit-image's uint8 (or uint16) when its pixels are the values of an 8-bit (16-bit) image, and
/// float32 otherwise; see <see cref="Of"/>. One call per op run, for the whole array (a stack's frames share it).
/// </summary>
public static class SkimageDtypes
{
    /// <summary>
    /// The dtype for <paramref name="array"/>, by the shared rule of <see cref="IntegerSource.BitsOf"/>: what the
    /// loader recorded for the file's samples (an 8- or 16-bit PNG is uint8 / uint16 even when its values all lie
    /// in 0..255, a float .npy float32 even when they are whole; no pass over the pixels), else the values: every
    /// value a whole number in 0..255 -> uint8, in 0..65535 (one above 255) -> uint16, anything else (a fraction,
    /// a negative value, NaN, infinity) -> float32.
    /// </summary>
    public static SkimageDtype Of(ImageArray array, int threads = 1) => IntegerSource.BitsOf(array, threads) switch
    {
        8 => SkimageDtype.UInt8,
        16 => SkimageDtype.UInt16,
        _ => SkimageDtype.Float32,
    };

    /// <summary>The largest value of an unsigned integer dtype (255, 65535); 1 for float32 (scikit-image's dtype_limits with clip_negative).</summary>
    public static double Max(SkimageDtype dtype) => dtype switch
    {
        SkimageDtype.UInt8 => 255,
        SkimageDtype.UInt16 => 65535,
        _ => 1,
    };
}

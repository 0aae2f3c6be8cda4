using System.Runtime.CompilerServices;

namespace XRayFlow.Core.Imaging;

/// <summary>Unsigned keys that order as float32 values do, for radix sorts and sorted pairs.</summary>
public static class FloatOrder
{
    /// <summary>
    /// The key of <paramref name="v"/>: a negative value's bits all flipped, another's sign bit set, so keys compare as
    /// the values do (-inf lowest, +inf highest; -0 just below 0; a NaN's key lies beyond the infinity of its sign).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Key(float v)
    {
        uint bits = BitConverter.SingleToUInt32Bits(v);
        return bits ^ ((uint)((int)bits >> 31) | 0x80000000u);
    }
}

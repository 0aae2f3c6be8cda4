using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// The min and max a comparator network uses, as an operator struct (the network loops are generic over it, so each
/// choice compiles to its own loop).
/// </summary>
internal interface INetworkOrder
{
    /// <summary>The lesser of a and b, per lane.</summary>
    static abstract Vector<float> Min(Vector<float> a, Vector<float> b);

    /// <summary>The greater of a and b, per lane.</summary>
    static abstract Vector<float> Max(Vector<float> a, Vector<float> b);
}

/// <summary>
/// IEEE 754-2019 minimum and maximum (a NaN wins, -0 below +0): what the networks compute on any values. On x86 each
/// is three instructions (a range and two fix-ups).
/// </summary>
internal readonly struct IeeeOrder : INetworkOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Min(Vector<float> a, Vector<float> b) => Vector.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Max(Vector<float> a, Vector<float> b) => Vector.Max(a, b);
}

/// <summary>
/// The machine's own min and max (one instruction each): they differ from IEEE's only where a value is NaN or two
/// zeros of opposite sign meet, so on values with neither NaN nor -0 (<see cref="Applies"/>) a network gives the
/// same bits with them.
/// </summary>
internal readonly struct NativeOrder : INetworkOrder
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Min(Vector<float> a, Vector<float> b) => Vector.MinNative(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Max(Vector<float> a, Vector<float> b) => Vector.MaxNative(a, b);

    /// <summary>Whether no value of <paramref name="x"/> is NaN or -0 (then <see cref="NativeOrder"/> gives IEEE's bits), on up to <paramref name="threads"/> threads.</summary>
    public static bool Applies(ReadOnlySpan<float> x, int threads)
    {
        int parts = Math.Clamp(x.Length / (1 << 17), 1, Math.Max(1, threads));
        foreach (bool clean in SpanParts.Map(x, parts, 16, static part => Applies(part)))
        {
            if (!clean)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Whether no value is NaN or -0: on the bits rotated left by one, -0 is 1 and a NaN is above 0xFF000001 (its
    /// magnitude above +inf's, shifted, plus the sign), and every other value is neither.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Applies(ReadOnlySpan<float> x)
    {
        var bits = MemoryMarshal.Cast<float, uint>(x);
        int k = 0;
        if (Vector256.IsHardwareAccelerated && bits.Length >= Vector256<uint>.Count)
        {
            var bad = Vector256<uint>.Zero;
            var one = Vector256<uint>.One;
            var nanFloor = Vector256.Create(0xFF000001u);
            ref uint b0 = ref MemoryMarshal.GetReference(bits);
            for (; k <= bits.Length - Vector256<uint>.Count; k += Vector256<uint>.Count)
            {
                var u = Vector256.LoadUnsafe(ref b0, (nuint)k);
                var r = (u << 1) | (u >> 31);
                bad |= Vector256.Equals(r, one) | Vector256.GreaterThan(r, nanFloor);
            }

            if (bad != Vector256<uint>.Zero)
            {
                return false;
            }
        }

        for (; k < bits.Length; k++)
        {
            uint r = BitOperations.RotateLeft(bits[k], 1);
            if (r == 1 || r > 0xFF000001u)
            {
                return false;
            }
        }

        return true;
    }
}

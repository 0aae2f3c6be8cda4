using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// Decoded samples to the engine's float32 pixels: the one conversion every codec uses, so that a grey or
/// colour pixel means the same whatever file it came from.
/// <list type="bullet">
/// <item>Grey samples keep their integer value (0..255 for 8-bit, 0..65535 for 16-bit).</item>
/// <item>Colour is luminance <c>Y = 0.299 R + 0.587 G + 0.114 B</c> (ITU-R BT.601 luma weights), computed in
/// double on the integer channel values and NOT rounded, then stored as float32. Alpha is ignored.</item>
/// </list>
/// </summary>
public static class PixelConversion
{
    /// <summary>BT.601 luma weights used for every colour-to-grey conversion.</summary>
    public const double LumaR = 0.299;

    public const double LumaG = 0.587;

    public const double LumaB = 0.114;

    /// <summary>Y = 0.299 R + 0.587 G + 0.114 B in double, not rounded, then float32.</summary>
    public static float Luma(double r, double g, double b) => (float)((LumaR * r) + (LumaG * g) + (LumaB * b));

    /// <summary>dst[x] = the luma of the 8-bit R, G, B at byte <paramref name="step"/> * x (3 for RGB, 4 for RGBA).</summary>
    public static void LumaOfRgb8(ReadOnlySpan<byte> src, Span<float> dst, int step)
    {
        for (int x = 0, i = 0; x < dst.Length; x++, i += step)
        {
            dst[x] = Luma(src[i], src[i + 1], src[i + 2]);
        }
    }

    /// <summary>dst[x] = the luma of the big-endian 16-bit R, G, B at byte <paramref name="step"/> * x (6 for RGB, 8 for RGBA).</summary>
    public static void LumaOfRgb16BigEndian(ReadOnlySpan<byte> src, Span<float> dst, int step)
    {
        for (int x = 0, i = 0; x < dst.Length; x++, i += step)
        {
            dst[x] = Luma(
                BinaryPrimitives.ReadUInt16BigEndian(src[i..]),
                BinaryPrimitives.ReadUInt16BigEndian(src[(i + 2)..]),
                BinaryPrimitives.ReadUInt16BigEndian(src[(i + 4)..]));
        }
    }

    /// <summary>dst[x] = src[x] (0..255).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WidenBytes(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int n = dst.Length;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref float o = ref MemoryMarshal.GetReference(dst);
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; x <= n - 32; x += 32)
            {
                var v = Vector256.LoadUnsafe(ref s, (nuint)x);
                var (lo16, hi16) = Vector256.Widen(v);
                var (a, b) = Vector256.Widen(lo16);
                var (c, e) = Vector256.Widen(hi16);
                Vector256.ConvertToSingle(a.AsInt32()).StoreUnsafe(ref o, (nuint)x);
                Vector256.ConvertToSingle(b.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 8));
                Vector256.ConvertToSingle(c.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 16));
                Vector256.ConvertToSingle(e.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 24));
            }
        }

        for (; x < n; x++)
        {
            Unsafe.Add(ref o, x) = Unsafe.Add(ref s, x);
        }
    }

    /// <summary>dst[x] = the big-endian 16-bit sample at byte 2 * step * x (0..65535).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WidenBigEndianU16(ReadOnlySpan<byte> src, Span<float> dst, int step)
    {
        int n = dst.Length;
        ref byte s = ref MemoryMarshal.GetReference(src);
        ref float o = ref MemoryMarshal.GetReference(dst);
        int x = 0;
        if (step == 1 && Vector256.IsHardwareAccelerated)
        {
            for (; x <= n - 16; x += 16)
            {
                var v = Vector256.LoadUnsafe(ref s, (nuint)(2 * x)).AsUInt16();
                v = (v << 8) | (v >> 8);
                var (a, b) = Vector256.Widen(v);
                Vector256.ConvertToSingle(a.AsInt32()).StoreUnsafe(ref o, (nuint)x);
                Vector256.ConvertToSingle(b.AsInt32()).StoreUnsafe(ref o, (nuint)(x + 8));
            }
        }

        for (; x < n; x++)
        {
            int i = 2 * step * x;
            Unsafe.Add(ref o, x) = (Unsafe.Add(ref s, i) << 8) | Unsafe.Add(ref s, i + 1);
        }
    }
}

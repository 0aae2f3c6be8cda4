using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>CRC-32 (ISO-HDLC, the PNG/zlib polynomial 0xEDB88320 reflected): carry-less multiplication where the CPU has it, else slicing by 8.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = Build();

    public static uint Compute(ReadOnlySpan<byte> data) => Compute(data, Pclmulqdq.IsSupported);

    /// <summary>The CRC, with carry-less multiplication or (<paramref name="fold"/> false, or no PCLMULQDQ) the tables only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static uint Compute(ReadOnlySpan<byte> data, bool fold)
    {
        uint crc = 0xFFFFFFFFu;
        var t = Table;
        int i = 0;
        ref byte p = ref MemoryMarshal.GetReference(data);
        if (fold && Pclmulqdq.IsSupported && data.Length >= 64)
        {
            i = data.Length & ~15;
            crc = Fold(ref p, i, crc);
        }

        for (; i <= data.Length - 8; i += 8)
        {
            uint lo = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i));
            uint hi = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, i + 4));
            if (!BitConverter.IsLittleEndian)
            {
                lo = BinaryPrimitives.ReverseEndianness(lo);
                hi = BinaryPrimitives.ReverseEndianness(hi);
            }

            lo ^= crc;
            crc = t[(7 * 256) + (lo & 0xFF)] ^ t[(6 * 256) + ((lo >> 8) & 0xFF)] ^ t[(5 * 256) + ((lo >> 16) & 0xFF)] ^ t[(4 * 256) + (lo >> 24)]
                ^ t[(3 * 256) + (hi & 0xFF)] ^ t[(2 * 256) + ((hi >> 8) & 0xFF)] ^ t[256 + ((hi >> 16) & 0xFF)] ^ t[hi >> 24];
        }

        for (; i < data.Length; i++)
        {
            crc = t[(crc ^ Unsafe.Add(ref p, i)) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>
    /// The CRC register after <paramref name="length"/> bytes (a multiple of 16, at least 64) by carry-less
    /// multiplication: four 128-bit lanes folded 64 bytes at a time, then to one lane, then Barrett reduction
    /// (Intel, "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ", with the bit-reflected constants
    /// of the PNG/zlib polynomial, as in zlib-ng and Chromium's zlib).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Fold(ref byte p, int length, uint crc)
    {
        var k1k2 = Vector128.Create(0x0154442bd4UL, 0x01c6e41596UL);
        var k3k4 = Vector128.Create(0x01751997d0UL, 0x00ccaa009eUL);
        var k5k0 = Vector128.Create(0x0163cd6124UL, 0UL);
        var poly = Vector128.Create(0x01db710641UL, 0x01f7011641UL);
        var x1 = Vector128.LoadUnsafe(ref p).AsUInt64() ^ Vector128.CreateScalar(crc).AsUInt64();
        var x2 = Vector128.LoadUnsafe(ref p, 16).AsUInt64();
        var x3 = Vector128.LoadUnsafe(ref p, 32).AsUInt64();
        var x4 = Vector128.LoadUnsafe(ref p, 48).AsUInt64();
        int i = 64;
        for (; i + 64 <= length; i += 64)
        {
            x1 = Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)i).AsUInt64();
            x2 = Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x2, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 16)).AsUInt64();
            x3 = Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x3, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 32)).AsUInt64();
            x4 = Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x00) ^ Pclmulqdq.CarrylessMultiply(x4, k1k2, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)(i + 48)).AsUInt64();
        }

        x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ x2;
        x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ x3;
        x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ x4;
        for (; i + 16 <= length; i += 16)
        {
            x1 = Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x00) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x11) ^ Vector128.LoadUnsafe(ref p, (nuint)i).AsUInt64();
        }

        // 128 -> 64 bits.
        var low32 = Vector128.Create(0xFFFFFFFFu, 0, 0xFFFFFFFFu, 0).AsUInt64();
        x1 = Sse2.ShiftRightLogical128BitLane(x1, 8) ^ Pclmulqdq.CarrylessMultiply(x1, k3k4, 0x10);
        x1 = Pclmulqdq.CarrylessMultiply(x1 & low32, k5k0, 0x00) ^ Sse2.ShiftRightLogical128BitLane(x1, 4);

        // Barrett reduction to 32 bits.
        var x2b = Pclmulqdq.CarrylessMultiply(x1 & low32, poly, 0x10);
        x2b = Pclmulqdq.CarrylessMultiply(x2b & low32, poly, 0x00);
        return (x1 ^ x2b).AsUInt32().GetElement(1);
    }

    private static uint[] Build()
    {
        var t = new uint[8 * 256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            t[n] = c;
        }

        for (int s = 1; s < 8; s++)
        {
            for (int n = 0; n < 256; n++)
            {
                uint prev = t[((s - 1) * 256) + n];
                t[(s * 256) + n] = t[prev & 0xFF] ^ (prev >> 8);
            }
        }

        return t;
    }
}

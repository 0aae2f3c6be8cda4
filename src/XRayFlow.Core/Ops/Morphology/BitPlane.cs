using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Morphology;

/// <summary>
/// A binary frame packed 64 pixels to a word: bit t of data word k of row i is pixel (i, 64k + t). Each row is
/// <see cref="Stride"/> words: <see cref="Guard"/> guard words, <see cref="Words"/> data words, <see cref="Guard"/> guard
/// words. Guard words and the bits of the last data word beyond the last column hold the border bit (what a
/// structuring element reads outside the frame), so a shifted read never needs a bounds test; rows outside the frame
/// read <see cref="BorderRow"/>. The words are rented from the shared array pool (a 1024 x 1024 plane is 147 KB, a
/// large-object allocation every call otherwise: fresh pages and gen-2 collections cost more than the passes) and go
/// back on <see cref="Dispose"/>; <see cref="Bits"/> may be longer than <see cref="Length"/>.
/// </summary>
internal sealed class BitPlane : IDisposable
{
    private static readonly float[] Lut = BuildLut();

    public BitPlane(int rows, int cols, int guard)
    {
        Rows = rows;
        Cols = cols;
        Words = (cols + 63) / 64;
        Guard = guard;
        Stride = Words + (2 * guard);
        Length = checked(rows * Stride);
        Bits = ArrayPool<ulong>.Shared.Rent(Length);
        BorderRow = new ulong[Stride];
        LastMask = cols % 64 == 0 ? ~0UL : (1UL << (cols % 64)) - 1;
    }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>Data words per row.</summary>
    public int Words { get; }

    /// <summary>Guard words on each side of a row.</summary>
    public int Guard { get; }

    public int Stride { get; }

    public ulong[] Bits { get; private set; }

    /// <summary>The words of the plane: rows x <see cref="Stride"/> (the rented array may be longer).</summary>
    public int Length { get; }

    /// <summary>A row of border words (the rows above and below the frame).</summary>
    public ulong[] BorderRow { get; }

    /// <summary>The bits of the last data word that are pixels.</summary>
    public ulong LastMask { get; }

    /// <summary>0 or all ones: what the frame reads outside.</summary>
    public ulong Border { get; private set; }

    /// <summary>Index of data word 0 of row <paramref name="i"/> in <see cref="Bits"/>.</summary>
    public int Row(int i) => (i * Stride) + Guard;

    /// <summary>Sets the border bit: guard words, the last word's spare bits and <see cref="BorderRow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void SetBorder(bool border)
    {
        Border = border ? ~0UL : 0UL;
        BorderRow.AsSpan().Fill(Border);
        for (int i = 0; i < Rows; i++)
        {
            FixPadding(i);
        }
    }

    /// <summary>Writes the border into row i's guards and the last data word's spare bits.</summary>
    public void FixPadding(int i)
    {
        int s = i * Stride;
        Bits.AsSpan(s, Guard).Fill(Border);
        Bits.AsSpan(s + Guard + Words, Guard).Fill(Border);
        ref ulong last = ref Bits[s + Guard + Words - 1];
        last = (last & LastMask) | (Border & ~LastMask);
    }

    /// <summary>Complements every pixel and sets the border to <paramref name="border"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Invert(bool border)
    {
        for (int i = 0; i < Rows; i++)
        {
            var row = Bits.AsSpan(Row(i), Words);
            for (int k = 0; k < row.Length; k++)
            {
                row[k] = ~row[k];
            }
        }

        SetBorder(border);
    }

    public void CopyFrom(BitPlane other) => other.Bits.AsSpan(0, Length).CopyTo(Bits);

    /// <summary>Sets every word (data, guards) to 0.</summary>
    public void ClearAll() => Bits.AsSpan(0, Length).Clear();

    /// <summary>Returns the words to the pool; the plane must not be used afterwards.</summary>
    public void Dispose()
    {
        var bits = Bits;
        Bits = [];
        if (bits.Length > 0)
        {
            ArrayPool<ulong>.Shared.Return(bits);
        }
    }

    /// <summary>
    /// Packs rows [r0, r1) of a float frame: bit = (x != 0) (NaN counts as nonzero, as NumPy's), complemented when
    /// <paramref name="complement"/>. Spare bits and guards are left to <see cref="SetBorder"/> / <see cref="FixPadding"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(ReadOnlySpan<float> frame, int r0, int r1, bool complement)
    {
        ulong flip = complement ? ~0UL : 0UL;
        for (int i = r0; i < r1; i++)
        {
            var src = frame.Slice(i * Cols, Cols);
            var dst = Bits.AsSpan(Row(i), Words);
            PackRow(src, dst);
            for (int k = 0; k < dst.Length; k++)
            {
                dst[k] ^= flip;
            }
        }
    }

    /// <summary>One row: dst[k] bit t = src[64k + t] != 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackRow(ReadOnlySpan<float> src, Span<ulong> dst)
    {
        int cols = src.Length;
        int full = cols / 64;
        ref float s0 = ref MemoryMarshal.GetReference(src);
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var zero = Vector512<float>.Zero;
            for (; k < full; k++)
            {
                nuint b = (nuint)(k * 64);
                ulong w = ~Vector512.Equals(Vector512.LoadUnsafe(ref s0, b), zero).ExtractMostSignificantBits() & 0xFFFFUL;
                w |= (~Vector512.Equals(Vector512.LoadUnsafe(ref s0, b + 16), zero).ExtractMostSignificantBits() & 0xFFFFUL) << 16;
                w |= (~Vector512.Equals(Vector512.LoadUnsafe(ref s0, b + 32), zero).ExtractMostSignificantBits() & 0xFFFFUL) << 32;
                w |= (~Vector512.Equals(Vector512.LoadUnsafe(ref s0, b + 48), zero).ExtractMostSignificantBits() & 0xFFFFUL) << 48;
                dst[k] = w;
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            var zero = Vector256<float>.Zero;
            for (; k < full; k++)
            {
                nuint b = (nuint)(k * 64);
                ulong w = ~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b), zero).ExtractMostSignificantBits() & 0xFFUL;
                w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + 8), zero).ExtractMostSignificantBits() & 0xFF) << 8;
                w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + 16), zero).ExtractMostSignificantBits() & 0xFF) << 16;
                w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + 24), zero).ExtractMostSignificantBits() & 0xFF) << 24;
                w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + 32), zero).ExtractMostSignificantBits() & 0xFF) << 32;
                w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + 40), zero).ExtractMostSignificantBits() & 0xFF) << 40;
                w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + 48), zero).ExtractMostSignificantBits() & 0xFF) << 48;
                w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + 56), zero).ExtractMostSignificantBits() & 0xFF) << 56;
                dst[k] = w;
            }
        }

        for (; k < dst.Length; k++)
        {
            ulong w = 0;
            int n = Math.Min(64, cols - (k * 64));
            for (int t = 0; t < n; t++)
            {
                if (src[(k * 64) + t] != 0) // NaN != 0 is true
                {
                    w |= 1UL << t;
                }
            }

            dst[k] = w;
        }
    }

    /// <summary>Unpacks rows [r0, r1) into a float frame: 1 where the bit is set (clear, when <paramref name="complement"/>), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Unpack(Span<float> frame, int r0, int r1, bool complement)
    {
        ulong flip = complement ? ~0UL : 0UL;
        int full = Cols / 64;
        ref float lut = ref Lut[0];
        for (int i = r0; i < r1; i++)
        {
            var dst = frame.Slice(i * Cols, Cols);
            ref float d0 = ref MemoryMarshal.GetReference(dst);
            int rs = Row(i);
            int k = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                // 16 pixels a step: lane t is 1 where bit t of the 16 is set (1f AND NOT (bit clear)).
                var lanes = Vector512.Create(1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u, 2048u, 4096u, 8192u, 16384u, 32768u);
                var one = Vector512.Create(1f);
                for (; k < full; k++)
                {
                    ulong w = Bits[rs + k] ^ flip;
                    for (int j = 0; j < 4; j++)
                    {
                        var clear = Vector512.Equals(Vector512.Create((uint)(w >> (16 * j)) & 0xFFFFu) & lanes, Vector512<uint>.Zero);
                        Vector512.AndNot(one, clear.AsSingle()).StoreUnsafe(ref d0, (nuint)((k * 64) + (j * 16)));
                    }
                }
            }

            for (; k < full; k++)
            {
                ulong w = Bits[rs + k] ^ flip;
                for (int j = 0; j < 8; j++)
                {
                    int b = (int)((w >> (8 * j)) & 0xFF);
                    Vector256.LoadUnsafe(ref lut, (nuint)(b * 8)).StoreUnsafe(ref d0, (nuint)((k * 64) + (j * 8)));
                }
            }

            if (full < Words)
            {
                ulong w = Bits[rs + full] ^ flip;
                for (int c = full * 64; c < Cols; c++)
                {
                    dst[c] = ((w >> (c - (full * 64))) & 1) != 0 ? 1f : 0f;
                }
            }
        }
    }

    /// <summary>The pixel (i, j) (tests and the scalar reference).</summary>
    public bool Get(int i, int j) => ((Bits[Row(i) + (j >> 6)] >> (j & 63)) & 1) != 0;

    private static float[] BuildLut()
    {
        var lut = new float[256 * 8];
        for (int b = 0; b < 256; b++)
        {
            for (int j = 0; j < 8; j++)
            {
                lut[(b * 8) + j] = ((b >> j) & 1) != 0 ? 1f : 0f;
            }
        }

        return lut;
    }
}

/// <summary>Word-level helpers shared by the passes: shifted reads of a padded row.</summary>
internal static class BitRows
{
    /// <summary>
    /// dst[k] = (assign ? 0 : dst[k]) | src[q + k] &gt;&gt; r | src[q + k + 1] &lt;&lt; (64 - r), for k in [0, n): the bits of a padded
    /// row read 64q + r bits further on (q, r from the read's column offset and the guard).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void OrShifted(Span<ulong> dst, ReadOnlySpan<ulong> src, int q, int r, bool assign)
    {
        int n = dst.Length;
        ref ulong d0 = ref MemoryMarshal.GetReference(dst);
        ref ulong s0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(src), q);
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            if (r == 0)
            {
                for (; k <= n - 4; k += 4)
                {
                    var v = Vector256.LoadUnsafe(ref s0, (nuint)k);
                    (assign ? v : v | Vector256.LoadUnsafe(ref d0, (nuint)k)).StoreUnsafe(ref d0, (nuint)k);
                }
            }
            else
            {
                for (; k <= n - 4; k += 4)
                {
                    var v = Vector256.ShiftRightLogical(Vector256.LoadUnsafe(ref s0, (nuint)k), r)
                        | Vector256.ShiftLeft(Vector256.LoadUnsafe(ref s0, (nuint)(k + 1)), 64 - r);
                    (assign ? v : v | Vector256.LoadUnsafe(ref d0, (nuint)k)).StoreUnsafe(ref d0, (nuint)k);
                }
            }
        }

        for (; k < n; k++)
        {
            ulong v = r == 0 ? Unsafe.Add(ref s0, k) : (Unsafe.Add(ref s0, k) >> r) | (Unsafe.Add(ref s0, k + 1) << (64 - r));
            Unsafe.Add(ref d0, k) = assign ? v : v | Unsafe.Add(ref d0, k);
        }
    }
}

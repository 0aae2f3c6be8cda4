using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

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
        for (int k = 0; k < BorderRow.Length; k++)
        {
            BorderRow[k] = Border;
        }

        for (int i = 0; i < Rows; i++)
        {
            FixPadding(i);
        }
    }

    /// <summary>
    /// Writes the border into row i's guards and the last data word's spare bits. Plain loops over the few guard words:
    /// <c>Span&lt;ulong&gt;.Fill</c> is a generic helper the runtime does not precompile, so it ran as unoptimized code
    /// (58 µs a 1024-row plane, more than a whole 3 x 3 pass).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.AggressiveInlining)]
    public void FixPadding(int i)
    {
        var bits = Bits;
        int s = i * Stride;
        ulong border = Border;
        for (int g = 0; g < Guard; g++)
        {
            bits[s + g] = border;
            bits[s + Guard + Words + g] = border;
        }

        ref ulong last = ref bits[s + Guard + Words - 1];
        last = (last & LastMask) | (border & ~LastMask);
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

    /// <summary>Whether the pixels of the frame (not the guards, not the spare bits of each row's last word) equal <paramref name="other"/>'s.</summary>
    public bool SameBits(BitPlane other)
    {
        for (int i = 0; i < Rows; i++)
        {
            var a = Bits.AsSpan(Row(i), Words);
            var b = other.Bits.AsSpan(other.Row(i), Words);
            if (!a[..^1].SequenceEqual(b[..^1]) || ((a[^1] ^ b[^1]) & LastMask) != 0)
            {
                return false;
            }
        }

        return true;
    }

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
            PackedMask.PackRow(src, dst);
            for (int k = 0; k < dst.Length; k++)
            {
                dst[k] ^= flip;
            }
        }
    }

    /// <summary>
    /// Rows [r0, r1) from frame <paramref name="frame"/> of a packed mask (complemented when <paramref name="complement"/>).
    /// Spare bits and guards are left to <see cref="SetBorder"/> / <see cref="FixPadding"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(PackedMask mask, int frame, int r0, int r1, bool complement)
    {
        ulong flip = complement ? ~0UL : 0UL;
        for (int i = r0; i < r1; i++)
        {
            var src = mask.Row(frame, i);
            var dst = Bits.AsSpan(Row(i), Words);
            for (int k = 0; k < dst.Length; k++)
            {
                dst[k] = src[k] ^ flip;
            }
        }
    }

    /// <summary>Rows [r0, r1) into frame <paramref name="frame"/> of a packed mask (complemented when <paramref name="complement"/>), spare bits 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyTo(PackedMask mask, int frame, int r0, int r1, bool complement)
    {
        ulong flip = complement ? ~0UL : 0UL;
        for (int i = r0; i < r1; i++)
        {
            var src = Bits.AsSpan(Row(i), Words);
            var dst = mask.Row(frame, i);
            for (int k = 0; k < dst.Length; k++)
            {
                dst[k] = src[k] ^ flip;
            }

            dst[^1] &= LastMask;
        }
    }

    /// <summary>Unpacks rows [r0, r1) into a float frame: 1 where the bit is set (clear, when <paramref name="complement"/>), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Unpack(Span<float> frame, int r0, int r1, bool complement)
    {
        for (int i = r0; i < r1; i++)
        {
            PackedMask.UnpackRow(Bits.AsSpan(Row(i), Words), frame.Slice(i * Cols, Cols), complement);
        }
    }

    /// <summary>The pixel (i, j) (tests and the scalar reference).</summary>
    public bool Get(int i, int j) => ((Bits[Row(i) + (j >> 6)] >> (j & 63)) & 1) != 0;
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

using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// A 0/1 array kept as bits between the steps that work on bits (binary morphology): bit t of word k of row i of
/// frame f is pixel (f, i, 64k + t); each row is <see cref="WordsPerRow"/> words, frames follow each other, and the
/// bits beyond the last column are 0. An <see cref="ImageArray"/> made with <see cref="ImageArray.FromMask"/> carries
/// one instead of its float32 pixels, which are made (0f / 1f) once, when something reads them: a chain of mask
/// steps moves 1 bit a pixel where float32 moves 32 (docs/runner.md "Masks as bits").
/// The words are rented from the shared array pool and go back with <see cref="PixelPool.Return(ImageArray)"/>.
/// </summary>
public sealed class PackedMask
{
    private static readonly float[] Lut = BuildLut();

    private ulong[] _words;

    private PackedMask(int frames, int rows, int cols)
    {
        Frames = frames;
        Rows = rows;
        Cols = cols;
        WordsPerRow = (cols + 63) / 64;
        FrameWords = checked(rows * WordsPerRow);
        Length = checked(frames * FrameWords);
        _words = ArrayPool<ulong>.Shared.Rent(Length);
    }

    public int Frames { get; }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>Words per row: ceil(cols / 64).</summary>
    public int WordsPerRow { get; }

    /// <summary>Words per frame.</summary>
    public int FrameWords { get; }

    /// <summary>Words in all (the rented array may be longer).</summary>
    public int Length { get; }

    /// <summary>A mask of this shape whose words are UNDEFINED: the writer sets every word (spare bits 0).</summary>
    public static PackedMask Rent(int frames, int rows, int cols)
    {
        if (frames < 1 || rows < 1 || cols < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"shape ({frames}, {rows}, {cols}) has an empty axis");
        }

        return new PackedMask(frames, rows, cols);
    }

    /// <summary>The words of row <paramref name="row"/> of frame <paramref name="frame"/>.</summary>
    public Span<ulong> Row(int frame, int row) => _words.AsSpan((frame * FrameWords) + (row * WordsPerRow), WordsPerRow);

    /// <summary>Pixel (frame, row, col) (tests).</summary>
    public bool Get(int frame, int row, int col) => ((Row(frame, row)[col >> 6] >> (col & 63)) & 1) != 0;

    /// <summary>A new mask of every bit of <paramref name="source"/> flipped (NumPy's logical_not); spare bits stay 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PackedMask Complement(PackedMask source)
    {
        var mask = Rent(source.Frames, source.Rows, source.Cols);
        int spare = source.Cols & 63;
        ulong last = spare == 0 ? ~0UL : (1UL << spare) - 1;
        for (int f = 0; f < source.Frames; f++)
        {
            for (int i = 0; i < source.Rows; i++)
            {
                var from = source.Row(f, i);
                var to = mask.Row(f, i);
                for (int k = 0; k < to.Length; k++)
                {
                    to[k] = ~from[k];
                }

                to[^1] &= last;
            }
        }

        return mask;
    }

    /// <summary>Packs a float array: bit = (x != 0), NaN counting as nonzero (NumPy's truth value), as binary morphology reads its input.</summary>
    public static PackedMask Pack(ImageArray image)
    {
        var mask = Rent(image.Frames, image.Rows, image.Cols);
        var data = image.Data;
        for (int f = 0; f < image.Frames; f++)
        {
            for (int i = 0; i < image.Rows; i++)
            {
                PackRow(data.AsSpan((f * image.FrameLength) + (i * image.Cols), image.Cols), mask.Row(f, i));
            }
        }

        return mask;
    }

    /// <summary>One row: dst[k] bit t = src[64k + t] != 0 (NaN != 0); spare bits of the last word 0.</summary>
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
                ulong w = 0;
                for (int j = 0; j < 8; j++)
                {
                    w |= (ulong)(~Vector256.Equals(Vector256.LoadUnsafe(ref s0, b + (nuint)(8 * j)), zero).ExtractMostSignificantBits() & 0xFF) << (8 * j);
                }

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

    /// <summary>
    /// One row: dst[c] = 1f where bit c of <paramref name="src"/> (complemented when <paramref name="complement"/>)
    /// is set, else 0f, for c in [0, dst.Length).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void UnpackRow(ReadOnlySpan<ulong> src, Span<float> dst, bool complement)
    {
        ulong flip = complement ? ~0UL : 0UL;
        int cols = dst.Length;
        int full = cols / 64;
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // 16 pixels a step: lane t is 1 where bit t of the 16 is set (1f AND NOT (bit clear)).
            var lanes = Vector512.Create(1u, 2u, 4u, 8u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u, 2048u, 4096u, 8192u, 16384u, 32768u);
            var one = Vector512.Create(1f);
            for (; k < full; k++)
            {
                ulong w = src[k] ^ flip;
                for (int j = 0; j < 4; j++)
                {
                    var clear = Vector512.Equals(Vector512.Create((uint)(w >> (16 * j)) & 0xFFFFu) & lanes, Vector512<uint>.Zero);
                    Vector512.AndNot(one, clear.AsSingle()).StoreUnsafe(ref d0, (nuint)((k * 64) + (j * 16)));
                }
            }
        }

        ref float lut = ref Lut[0];
        for (; k < full; k++)
        {
            ulong w = src[k] ^ flip;
            for (int j = 0; j < 8; j++)
            {
                int b = (int)((w >> (8 * j)) & 0xFF);
                Vector256.LoadUnsafe(ref lut, (nuint)(b * 8)).StoreUnsafe(ref d0, (nuint)((k * 64) + (j * 8)));
            }
        }

        if (full * 64 < cols)
        {
            ulong w = src[full] ^ flip;
            for (int c = full * 64; c < cols; c++)
            {
                dst[c] = ((w >> (c - (full * 64))) & 1) != 0 ? 1f : 0f;
            }
        }
    }

    /// <summary>The float32 pixels (0f / 1f), C order, into <paramref name="dst"/>, rows in parts on <paramref name="threads"/> threads.</summary>
    public void Unpack(float[] dst, int threads)
    {
        int rows = Frames * Rows;
        int cols = Cols;
        int parts = threads <= 1 || (long)rows * cols < (1 << 16) ? 1 : Math.Min(rows, threads * 4);
        if (parts <= 1)
        {
            UnpackRows(dst, 0, rows);
            return;
        }

        int per = (rows + parts - 1) / parts;
        Parallel.For(0, (rows + per - 1) / per, new ParallelOptions { MaxDegreeOfParallelism = threads }, p => UnpackRows(dst, p * per, Math.Min(rows, (p + 1) * per)));
    }

    /// <summary>Gives the words back to the pool; the mask must not be read afterwards. A second call does nothing.</summary>
    public void Release()
    {
        var words = Interlocked.Exchange(ref _words, []);
        if (words.Length > 0)
        {
            ArrayPool<ulong>.Shared.Return(words);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void UnpackRows(float[] dst, int r0, int r1)
    {
        for (int r = r0; r < r1; r++)
        {
            UnpackRow(_words.AsSpan(r * WordsPerRow, WordsPerRow), dst.AsSpan(r * Cols, Cols), complement: false);
        }
    }

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

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Fourier;

/// <summary>
/// 2-D DFT over the last two axes of an <see cref="ImageArray"/> (frame by frame on a stack), with
/// numpy.fft.fft2 / ifft2 meaning (norm "backward": forward unscaled, inverse scaled by 1/(rows*cols)).
/// Rows are transformed first, then columns (via a blocked transpose so every 1-D transform is contiguous);
/// both passes run in parallel over rows.
/// </summary>
public static class Fft2D
{
    private const int ParallelThreshold = 1 << 14;
    private const int Tile = 32;

    /// <summary>fft2: a complex array of the same shape (input imaginary part used when present).</summary>
    public static ImageArray Forward(ImageArray src, int threads = 0)
    {
        var dst = ImageArray.LikeShape(src, complex: true);
        src.Data.CopyTo(dst.Data);
        src.Imag?.CopyTo(dst.Imag!, 0);
        Transform(dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: false, threads);
        return dst;
    }

    /// <summary>ifft2: a complex array of the same shape.</summary>
    public static ImageArray Inverse(ImageArray src, int threads = 0)
    {
        var dst = ImageArray.LikeShape(src, complex: true);
        src.Data.CopyTo(dst.Data);
        src.Imag?.CopyTo(dst.Imag!, 0);
        Transform(dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: true, threads);
        return dst;
    }

    /// <summary>In-place 2-D transform of every frame of split complex data.</summary>
    public static void Transform(float[] re, float[] im, int frames, int rows, int cols, bool inverse, int threads = 0)
    {
        if (threads <= 0)
        {
            threads = Environment.ProcessorCount;
        }

        int frameLen = rows * cols;
        bool parallel = threads > 1 && frameLen >= ParallelThreshold;
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        float[]? tRe = rows > 1 && cols > 1 ? new float[frameLen] : null;
        float[]? tIm = tRe is null ? null : new float[frameLen];
        for (int f = 0; f < frames; f++)
        {
            int off = f * frameLen;
            if (cols > 1)
            {
                RowPass(re, im, off, rows, cols, inverse, parallel, po);
            }

            if (rows > 1)
            {
                if (cols == 1)
                {
                    // A single column is contiguous.
                    RowPass(re, im, off, 1, rows, inverse, false, po);
                }
                else
                {
                    Transpose(re, off, tRe!, 0, rows, cols, parallel, po);
                    Transpose(im, off, tIm!, 0, rows, cols, parallel, po);
                    RowPass(tRe!, tIm!, 0, cols, rows, inverse, parallel, po);
                    Transpose(tRe!, 0, re, off, cols, rows, parallel, po);
                    Transpose(tIm!, 0, im, off, cols, rows, parallel, po);
                }
            }
        }
    }

    private static void RowPass(float[] re, float[] im, int off, int rows, int cols, bool inverse, bool parallel, ParallelOptions po)
    {
        var plan = FftPlan.Get(cols);
        if (!parallel || rows < 2)
        {
            for (int r = 0; r < rows; r++)
            {
                One(plan, re, im, off + (r * cols), cols, inverse);
            }

            return;
        }

        int chunks = Math.Min(rows, po.MaxDegreeOfParallelism * 4);
        Parallel.For(0, chunks, po, c =>
        {
            int r0 = (int)((long)rows * c / chunks), r1 = (int)((long)rows * (c + 1) / chunks);
            for (int r = r0; r < r1; r++)
            {
                One(plan, re, im, off + (r * cols), cols, inverse);
            }
        });
    }

    private static void One(FftPlan plan, float[] re, float[] im, int start, int n, bool inverse)
    {
        if (inverse)
        {
            plan.Inverse(re.AsSpan(start, n), im.AsSpan(start, n));
        }
        else
        {
            plan.Forward(re.AsSpan(start, n), im.AsSpan(start, n));
        }
    }

    /// <summary>dst (cols x rows) = transpose of src (rows x cols), in 32 x 32 tiles.</summary>
    internal static void Transpose(float[] src, int srcOff, float[] dst, int dstOff, int rows, int cols, bool parallel, ParallelOptions po)
    {
        int bands = (rows + Tile - 1) / Tile;
        void Band(int b)
        {
            int r0 = b * Tile, r1 = Math.Min(rows, r0 + Tile);
            for (int c0 = 0; c0 < cols; c0 += Tile)
            {
                int c1 = Math.Min(cols, c0 + Tile);
                for (int r = r0; r < r1; r++)
                {
                    int s = srcOff + (r * cols);
                    for (int c = c0; c < c1; c++)
                    {
                        dst[dstOff + (c * rows) + r] = src[s + c];
                    }
                }
            }
        }

        if (parallel && bands > 1)
        {
            Parallel.For(0, bands, po, Band);
        }
        else
        {
            for (int b = 0; b < bands; b++)
            {
                Band(b);
            }
        }
    }
}

using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Fourier;

/// <summary>
/// 2-D DFT over the last two axes of an <see cref="ImageArray"/> (frame by frame on a stack), with
/// numpy.fft.fft2 / ifft2 meaning (norm "backward": forward unscaled, inverse scaled by 1/(rows*cols)).
/// <para>Rows first: each row is a contiguous 1-D transform (<see cref="FftPlan"/>); for a real input two rows
/// are transformed at once as one complex row and separated by conjugate symmetry. Then columns: for a
/// power-of-two row count the column transforms run "vertically" in place, one butterfly on whole row
/// segments at a time (SIMD across columns), strip by strip; other row counts gather strips of columns into
/// contiguous buffers. The inverse is conj(F(conj(x))) / (rows*cols). Both passes run in parallel.</para>
/// </summary>
public static class Fft2D
{
    private const int ParallelThreshold = 1 << 14;
    private const int Strip = 32;

    [ThreadStatic]
    private static float[]? gatherRe;

    [ThreadStatic]
    private static float[]? gatherIm;

    /// <summary>fft2: a complex array of the same shape (input imaginary part used when present).</summary>
    public static ImageArray Forward(ImageArray src, int threads = 0)
    {
        var dst = ImageArray.Rent(src, complex: true);
        src.Data.CopyTo(dst.Data, 0);
        if (src.Imag is { } im)
        {
            im.CopyTo(dst.Imag!, 0);
        }
        else
        {
            Array.Clear(dst.Imag!);
        }

        Transform(dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: false, threads, realInput: src.Imag is null);
        return dst;
    }

    /// <summary>ifft2: a complex array of the same shape.</summary>
    public static ImageArray Inverse(ImageArray src, int threads = 0)
    {
        var dst = ImageArray.Rent(src, complex: true);
        src.Data.CopyTo(dst.Data, 0);
        if (src.Imag is { } im)
        {
            im.CopyTo(dst.Imag!, 0);
        }
        else
        {
            Array.Clear(dst.Imag!);
        }

        Transform(dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: true, threads, realInput: false);
        return dst;
    }

    /// <summary>
    /// In-place 2-D transform of every frame of split complex data. <paramref name="realInput"/> promises that
    /// <paramref name="im"/> is all zero (enables the two-rows-at-once real row pass).
    /// </summary>
    public static void Transform(float[] re, float[] im, int frames, int rows, int cols, bool inverse, int threads = 0, bool realInput = false)
    {
        if (threads <= 0)
        {
            threads = Environment.ProcessorCount;
        }

        int frameLen = rows * cols;
        bool parallel = threads > 1 && frameLen >= ParallelThreshold;
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        for (int f = 0; f < frames; f++)
        {
            int off = f * frameLen;
            var fre = re.AsSpan(off, frameLen);
            var fim = im.AsSpan(off, frameLen);
            if (inverse)
            {
                TensorPrimitives.Negate(fim, fim);
            }

            if (cols > 1)
            {
                if (realInput && !inverse && rows > 1)
                {
                    RealRowPass(re, im, off, rows, cols, parallel, po);
                }
                else
                {
                    RowPass(re, im, off, rows, cols, parallel, po);
                }
            }

            if (rows > 1)
            {
                // A real input's spectrum is Hermitian, X[r, c] = conj X[-r, -c]: transform only the
                // columns 0..cols/2 and mirror the others.
                bool half = realInput && !inverse && cols > 2;
                int colsToDo = half ? (cols / 2) + 1 : cols;
                if (cols == 1)
                {
                    FftPlan.Get(rows).Forward(fre, fim); // a single column is contiguous
                }
                else if (BitOperations.IsPow2(rows))
                {
                    ColumnPassPow2(re, im, off, rows, cols, colsToDo, parallel, po);
                }
                else
                {
                    ColumnPassGather(re, im, off, rows, cols, colsToDo, parallel, po);
                }

                if (half)
                {
                    MirrorHermitian(re, im, off, rows, cols, colsToDo, parallel, po);
                }
            }

            if (inverse)
            {
                float s = 1f / frameLen;
                TensorPrimitives.Multiply(fre, s, fre);
                TensorPrimitives.Multiply(fim, -s, fim);
            }
        }
    }

    private static void ForChunks(int count, bool parallel, ParallelOptions po, Action<int, int> body)
    {
        if (!parallel || count < 2)
        {
            body(0, count);
            return;
        }

        int chunks = Math.Min(count, po.MaxDegreeOfParallelism * 4);
        Parallel.For(0, chunks, po, c => body((int)((long)count * c / chunks), (int)((long)count * (c + 1) / chunks)));
    }

    private static void RowPass(float[] re, float[] im, int off, int rows, int cols, bool parallel, ParallelOptions po)
    {
        var plan = FftPlan.Get(cols);
        ForChunks(rows, parallel, po, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int s = off + (r * cols);
                plan.Forward(re.AsSpan(s, cols), im.AsSpan(s, cols));
            }
        });
    }

    /// <summary>
    /// Real rows, two at a time: z = x1 + i x2, Z = F(z); X1[k] = (Z[k] + conj Z[-k]) / 2 and
    /// X2[k] = (Z[k] - conj Z[-k]) / 2i. The imaginary parts on entry must be zero.
    /// </summary>
    private static void RealRowPass(float[] re, float[] im, int off, int rows, int cols, bool parallel, ParallelOptions po)
    {
        var plan = FftPlan.Get(cols);
        int pairs = rows / 2;
        ForChunks(pairs, parallel, po, (p0, p1) =>
        {
            for (int p = p0; p < p1; p++)
            {
                int a = off + (2 * p * cols);
                int b = a + cols;
                var ar = re.AsSpan(a, cols);
                var ai = im.AsSpan(a, cols);
                var br = re.AsSpan(b, cols);
                var bi = im.AsSpan(b, cols);
                br.CopyTo(ai);
                plan.Forward(ar, ai);
                for (int k = 0; k <= cols / 2; k++)
                {
                    int m = k == 0 ? 0 : cols - k;
                    float zr = ar[k], zi = ai[k], cr = ar[m], ci = -ai[m]; // Z[k], conj Z[-k]
                    float x1r = 0.5f * (zr + cr), x1i = 0.5f * (zi + ci);
                    float x2r = 0.5f * (zi - ci), x2i = -0.5f * (zr - cr);
                    if (m != k)
                    {
                        // X[-k] = conj X[k] for a real signal.
                        float wr = ar[m], wi = ai[m], vr = ar[k], vi = -ai[k]; // Z[-k], conj Z[k]
                        ar[m] = 0.5f * (wr + vr);
                        ai[m] = 0.5f * (wi + vi);
                        br[m] = 0.5f * (wi - vi);
                        bi[m] = -0.5f * (wr - vr);
                    }

                    ar[k] = x1r;
                    ai[k] = x1i;
                    br[k] = x2r;
                    bi[k] = x2i;
                }
            }
        });

        if ((rows & 1) == 1)
        {
            int s = off + ((rows - 1) * cols);
            plan.Forward(re.AsSpan(s, cols), im.AsSpan(s, cols));
        }
    }

    /// <summary>Column transforms for a power-of-two row count, in place, SIMD across the columns of a strip.</summary>
    /// <summary>Columns c &gt;= <paramref name="done"/> from X[r, c] = conj X[(rows - r) % rows, cols - c].</summary>
    private static void MirrorHermitian(float[] re, float[] im, int off, int rows, int cols, int done, bool parallel, ParallelOptions po)
    {
        ForChunks(rows, parallel, po, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                int dst = off + (r * cols);
                int src = off + ((r == 0 ? 0 : rows - r) * cols);
                for (int c = done; c < cols; c++)
                {
                    re[dst + c] = re[src + cols - c];
                    im[dst + c] = -im[src + cols - c];
                }
            }
        });
    }

    private static void ColumnPassPow2(float[] re, float[] im, int off, int rows, int cols, int colsToDo, bool parallel, ParallelOptions po)
    {
        var plan = FftPlan.Get(rows);
        int strips = (colsToDo + Strip - 1) / Strip;
        ForChunks(strips, parallel, po, (s0, s1) =>
        {
            for (int s = s0; s < s1; s++)
            {
                int c0 = s * Strip;
                VerticalFft(plan, re, im, off, rows, cols, c0, Math.Min(colsToDo, c0 + Strip));
            }
        });
    }

    private static void VerticalFft(FftPlan plan, float[] re, float[] im, int off, int rows, int cols, int c0, int c1)
    {
        int width = c1 - c0;
        var swapA = plan.swapA;
        var swapB = plan.swapB;
        for (int k = 0; k < swapA.Length; k++)
        {
            int a = off + (swapA[k] * cols) + c0, b = off + (swapB[k] * cols) + c0;
            var ra = re.AsSpan(a, width);
            var rb = re.AsSpan(b, width);
            var ia = im.AsSpan(a, width);
            var ib = im.AsSpan(b, width);
            for (int c = 0; c < width; c++)
            {
                (ra[c], rb[c]) = (rb[c], ra[c]);
                (ia[c], ib[c]) = (ib[c], ia[c]);
            }
        }

        int vw = Vector<float>.Count;
        ref float rr = ref MemoryMarshal.GetArrayDataReference(re);
        ref float ri = ref MemoryMarshal.GetArrayDataReference(im);
        for (int h = 1; h < rows; h <<= 1)
        {
            for (int s = 0; s < rows; s += 2 * h)
            {
                for (int j = 0; j < h; j++)
                {
                    float wr = plan.twRe[h + j], wi = plan.twIm[h + j];
                    int a = off + ((s + j) * cols) + c0;
                    int b = a + (h * cols);
                    int c = 0;
                    if (Vector.IsHardwareAccelerated)
                    {
                        var vwr = new Vector<float>(wr);
                        var vwi = new Vector<float>(wi);
                        for (; c <= width - vw; c += vw)
                        {
                            nuint ia = (nuint)(a + c), ib = (nuint)(b + c);
                            var br = Vector.LoadUnsafe(ref rr, ib);
                            var bi = Vector.LoadUnsafe(ref ri, ib);
                            var tr = (br * vwr) - (bi * vwi);
                            var ti = (br * vwi) + (bi * vwr);
                            var ar = Vector.LoadUnsafe(ref rr, ia);
                            var ai = Vector.LoadUnsafe(ref ri, ia);
                            (ar + tr).StoreUnsafe(ref rr, ia);
                            (ai + ti).StoreUnsafe(ref ri, ia);
                            (ar - tr).StoreUnsafe(ref rr, ib);
                            (ai - ti).StoreUnsafe(ref ri, ib);
                        }
                    }

                    for (; c < width; c++)
                    {
                        float br = re[b + c], bi = im[b + c];
                        float tr = (br * wr) - (bi * wi);
                        float ti = (br * wi) + (bi * wr);
                        float ar = re[a + c], ai = im[a + c];
                        re[a + c] = ar + tr;
                        im[a + c] = ai + ti;
                        re[b + c] = ar - tr;
                        im[b + c] = ai - ti;
                    }
                }
            }
        }
    }

    /// <summary>Column transforms for any row count: gather a strip of columns, transform each, scatter back.</summary>
    private static void ColumnPassGather(float[] re, float[] im, int off, int rows, int cols, int colsToDo, bool parallel, ParallelOptions po)
    {
        var plan = FftPlan.Get(rows);
        int strips = (colsToDo + Strip - 1) / Strip;
        ForChunks(strips, parallel, po, (s0, s1) =>
        {
            int need = Strip * rows;
            if (gatherRe is null || gatherRe.Length < need)
            {
                gatherRe = new float[need];
                gatherIm = new float[need];
            }

            var gr = gatherRe;
            var gi = gatherIm!;
            for (int s = s0; s < s1; s++)
            {
                int c0 = s * Strip, width = Math.Min(colsToDo, c0 + Strip) - c0;
                for (int r = 0; r < rows; r++)
                {
                    int src = off + (r * cols) + c0;
                    for (int c = 0; c < width; c++)
                    {
                        gr[(c * rows) + r] = re[src + c];
                        gi[(c * rows) + r] = im[src + c];
                    }
                }

                for (int c = 0; c < width; c++)
                {
                    plan.Forward(gr.AsSpan(c * rows, rows), gi.AsSpan(c * rows, rows));
                }

                for (int r = 0; r < rows; r++)
                {
                    int dst = off + (r * cols) + c0;
                    for (int c = 0; c < width; c++)
                    {
                        re[dst + c] = gr[(c * rows) + r];
                        im[dst + c] = gi[(c * rows) + r];
                    }
                }
            }
        });
    }
}

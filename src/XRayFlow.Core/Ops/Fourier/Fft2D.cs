using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Fourier;

/// <summary>
/// 2-D DFT over the last two axes of an <see cref="ImageArray"/> (frame by frame on a stack), with
/// numpy.fft.fft2 / ifft2 meaning (norm "backward": forward unscaled, inverse scaled by 1/(rows*cols)).
/// <para>Scalar meaning: X[u, v] = sum_{r, c} x[r, c] exp(-2 pi i (u r / rows + v c / cols)); ifft2 uses +i and
/// multiplies by 1/(rows*cols).</para>
/// <para>Rows first, then columns. A power-of-two side goes through <see cref="LaneFft"/> (8 transforms at once,
/// one per AVX2 lane): rows as transposed 8 x 8 blocks (a real input 16 rows at a time as 8 complex rows,
/// separated by conjugate symmetry), columns 32 adjacent ones per strip, the last pass fused with the store.
/// Other sides use <see cref="FftPlan"/> (Bluestein) per row, and gathered strips of columns. A real input's
/// spectrum is Hermitian: only columns 0..cols/2 are transformed, the rest mirrored. The inverse of a complex x
/// is swap(F(swap(x))) / N (swap exchanges the real and imaginary planes), of a real x conj(F(x)) / N; 1/N is
/// applied by the last store. Both passes run in parallel strips (bit-identical for any thread count).</para>
/// </summary>
public static unsafe partial class Fft2D
{
    private const int ParallelThreshold = 1 << 14;
    private const int Strip = 32;
    private const int ColumnGroups = 4;

    [ThreadStatic]
    private static float[]? gatherRe;

    [ThreadStatic]
    private static float[]? gatherIm;

    [ThreadStatic]
    private static float[]? laneBuf;

    /// <summary>fft2: a complex array of the same shape (input imaginary part used when present), times <paramref name="scale"/> (numpy's norm: 1, 1/sqrt(N) or 1/N).</summary>
    public static ImageArray Forward(ImageArray src, int threads = 0, float? scale = null)
    {
        var dst = ImageArray.Rent(src, complex: true);
        Run(src.Data, src.Imag, dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: false, threads, scale);
        return dst;
    }

    /// <summary>ifft2: a complex array of the same shape, times <paramref name="scale"/> (default 1/N, numpy's norm "backward").</summary>
    public static ImageArray Inverse(ImageArray src, int threads = 0, float? scale = null)
    {
        var dst = ImageArray.Rent(src, complex: true);
        Run(src.Data, src.Imag, dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: true, threads, scale);
        return dst;
    }

    /// <summary>
    /// numpy.fft's norm as the factor the transform is multiplied by, for N = rows x cols values: "backward" (the
    /// default) none forward and 1/N inverse (null: the transforms' own), "ortho" 1/sqrt(N) both ways, "forward" 1/N
    /// forward and none inverse; computed in float64, rounded once to float32.
    /// </summary>
    public static float? NormScale(string norm, long n, bool inverse) => norm switch
    {
        "backward" => null,
        "ortho" => (float)(1.0 / Math.Sqrt(n)),
        "forward" => inverse ? 1f : (float)(1.0 / n),
        _ => throw new ArgumentException($"norm '{norm}' is not backward, ortho or forward"),
    };

    /// <summary>fft2 into a caller-owned complex array of the same shape (no allocation).</summary>
    public static void Forward(ImageArray src, ImageArray dst, int threads = 0)
    {
        CheckDestination(src, dst);
        Run(src.Data, src.Imag, dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: false, threads);
    }

    /// <summary>ifft2 into a caller-owned complex array of the same shape (no allocation).</summary>
    public static void Inverse(ImageArray src, ImageArray dst, int threads = 0)
    {
        CheckDestination(src, dst);
        Run(src.Data, src.Imag, dst.Data, dst.Imag!, dst.Frames, dst.Rows, dst.Cols, inverse: true, threads);
    }

    private static void CheckDestination(ImageArray src, ImageArray dst)
    {
        if (!dst.IsComplex || dst.Frames != src.Frames || dst.Rows != src.Rows || dst.Cols != src.Cols)
        {
            throw new ArgumentException($"fft2 destination must be complex with the shape of the source ({src.Frames} x {src.Rows} x {src.Cols})");
        }
    }

    /// <summary>
    /// In-place 2-D transform of every frame of split complex data. <paramref name="realInput"/> promises that
    /// <paramref name="im"/> is all zero (enables the two-rows-at-once real row pass).
    /// </summary>
    public static void Transform(float[] re, float[] im, int frames, int rows, int cols, bool inverse, int threads = 0, bool realInput = false)
    {
        if (realInput)
        {
            // The imaginary part is zero: it is the output buffer only.
            Run(re, null, re, im, frames, rows, cols, inverse, threads);
        }
        else
        {
            Run(re, im, re, im, frames, rows, cols, inverse, threads);
        }
    }

    /// <summary>
    /// fft2 / ifft2 of (<paramref name="sRe"/>, <paramref name="sIm"/> or zeros) into (<paramref name="dRe"/>,
    /// <paramref name="dIm"/>); source and destination may be the same arrays.
    /// The inverse needs no extra sweeps: for a complex x, ifft2(x) = swap(fft2(swap(x))) / N, where swap exchanges
    /// the real and imaginary parts (swap(z) = i conj z), so it is the forward transform reading and writing the
    /// two planes the other way round, with 1/N applied as the last pass stores; for a real x,
    /// ifft2(x) = conj(fft2(x)) / N, the real-input forward transform with the scale (1/N, -1/N).
    /// </summary>
    private static void Run(float[] sRe, float[]? sIm, float[] dRe, float[] dIm, int frames, int rows, int cols, bool inverse, int threads, float? scale = null)
    {
        if (threads <= 0)
        {
            threads = Environment.ProcessorCount;
        }

        int frameLen = rows * cols;
        bool parallel = threads > 1 && frameLen >= ParallelThreshold;
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        bool real = sIm is null;
        float scaleRe = scale ?? 1f, scaleIm = scale ?? 1f;
        if (inverse)
        {
            scaleRe = scale ?? 1f / frameLen;
            scaleIm = real ? -scaleRe : scaleRe;
            if (!real)
            {
                (sRe, sIm) = (sIm!, sRe);
                (dRe, dIm) = (dIm, dRe);
            }
        }

        for (int f = 0; f < frames; f++)
        {
            TransformFrame(sRe, sIm, dRe, dIm, f * frameLen, rows, cols, scaleRe, scaleIm, parallel, po);
        }
    }

    /// <summary>One frame: forward 2-D DFT of (sRe, sIm or zeros) into (dRe, dIm), times (scaleRe + i scaleIm) per part.</summary>
    private static void TransformFrame(float[] sRe, float[]? sIm, float[] dRe, float[] dIm, int off, int rows, int cols, float scaleRe, float scaleIm, bool parallel, ParallelOptions po)
    {
        int frameLen = rows * cols;
        bool real = sIm is null;
        bool lanes = LaneFft.IsSupported;

        // A real input's spectrum is Hermitian, X[r, c] = conj X[-r, -c]: transform only the columns
        // 0..cols/2 and mirror the others.
        bool half = real && cols > 2;
        if (cols > 1 && lanes && BitOperations.IsPow2(cols))
        {
            LaneRowPass(sRe, sIm, dRe, dIm, off, rows, cols, parallel, po);
        }
        else
        {
            if (!ReferenceEquals(sRe, dRe))
            {
                Array.Copy(sRe, off, dRe, off, frameLen);
            }

            if (sIm is null)
            {
                Array.Clear(dIm, off, frameLen);
            }
            else if (!ReferenceEquals(sIm, dIm))
            {
                Array.Copy(sIm, off, dIm, off, frameLen);
            }

            if (cols > 1)
            {
                if (real && rows > 1)
                {
                    RealRowPass(dRe, dIm, off, rows, cols, parallel, po);
                }
                else
                {
                    RowPass(dRe, dIm, off, rows, cols, parallel, po);
                }
            }
        }

        bool scaled = false;
        if (rows > 1)
        {
            int colsToDo = half ? (cols / 2) + 1 : cols;
            if (lanes && BitOperations.IsPow2(rows))
            {
                LaneColumnPass(dRe, dIm, off, rows, cols, colsToDo, scaleRe, scaleIm, half, parallel, po);
                scaled = true;
                half = false; // mirrored strip by strip
            }
            else if (cols == 1)
            {
                FftPlan.Get(rows).Forward(dRe.AsSpan(off, frameLen), dIm.AsSpan(off, frameLen)); // a single column is contiguous
            }
            else if (BitOperations.IsPow2(rows))
            {
                ColumnPassPow2(dRe, dIm, off, rows, cols, colsToDo, parallel, po);
            }
            else
            {
                ColumnPassGather(dRe, dIm, off, rows, cols, colsToDo, parallel, po);
            }
        }

        if (half)
        {
            MirrorHermitian(dRe, dIm, off, rows, cols, (cols / 2) + 1, parallel, po);
        }

        if (!scaled && (scaleRe != 1f || scaleIm != 1f))
        {
            TensorPrimitives.Multiply(dRe.AsSpan(off, frameLen), scaleRe, dRe.AsSpan(off, frameLen));
            TensorPrimitives.Multiply(dIm.AsSpan(off, frameLen), scaleIm, dIm.AsSpan(off, frameLen));
        }
    }

    private static float[] LaneBuffer(int floats)
    {
        if (laneBuf is null || laneBuf.Length < floats)
        {
            laneBuf = GC.AllocateUninitializedArray<float>(floats, pinned: true);
        }

        return laneBuf;
    }

    /// <summary>
    /// Row transforms (cols a power of two) with the 8-lane kernel, (sRe, sIm) -> (dRe, dIm). A complex input
    /// goes 8 rows at a time (lane l = row r0 + l). A real input goes 16 rows at a time as 8 complex rows,
    /// z_l = x[r0 + l] + i x[r0 + 8 + l], separated after the transform by conjugate symmetry:
    /// X1[k] = (Z[k] + conj Z[-k]) / 2 and X2[k] = (Z[k] - conj Z[-k]) / 2i; only columns 0..cols/2 are written
    /// (the column pass needs no more, the Hermitian mirror supplies the rest).
    /// </summary>
    private static void LaneRowPass(float[] sRe, float[]? sIm, float[] dRe, float[] dIm, int off, int rows, int cols, bool parallel, ParallelOptions po)
    {
        var plan = FftPlan.Get(cols);
        bool real = sIm is null;
        int per = real ? 16 : 8;
        int strips = (rows + per - 1) / per;
        ForChunks(strips, parallel, po, (s0, s1) =>
        {
            var buf = LaneBuffer((cols + (cols / 2) + 1) * LaneFft.PointFloats);
            fixed (float* pb = buf)
            fixed (float* psr = sRe)
            fixed (float* psi = sIm)
            fixed (float* pdr = dRe)
            fixed (float* pdi = dIm)
            fixed (float* twr = plan.twRe)
            fixed (float* twi = plan.twIm)
            fixed (int* rev = plan.bitrev)
            {
                for (int s = s0; s < s1; s++)
                {
                    int r0 = s * per;
                    int cnt = Math.Min(per, rows - r0);
                    float* sr = psr + off + ((long)r0 * cols);
                    float* si = psi == null ? null : psi + off + ((long)r0 * cols);
                    float* dr = pdr + off + ((long)r0 * cols);
                    float* di = pdi + off + ((long)r0 * cols);
                    if (real)
                    {
                        // Lanes: real parts from rows 0..7 of the strip, imaginary parts from rows 8..15.
                        LoadRows(sr, cols, Math.Min(cnt, 8), pb, rev);
                        LoadRows(sr + (8L * cols), cols, cnt - 8, pb + 8, rev);
                        LaneFft.RunBlocked(pb, cols, twr, twi, stopBeforeLast: false);
                        SeparateRealPairs(pb, cols);
                        int outCols = (cols / 2) + 1;
                        float* x2 = pb + ((long)cols * LaneFft.PointFloats);
                        StoreRows(pb, dr, cols, Math.Min(cnt, 8), outCols);
                        StoreRows(pb + 8, di, cols, Math.Min(cnt, 8), outCols);
                        StoreRows(x2, dr + (8L * cols), cols, cnt - 8, outCols);
                        StoreRows(x2 + 8, di + (8L * cols), cols, cnt - 8, outCols);
                    }
                    else
                    {
                        LoadRows(sr, cols, cnt, pb, rev);
                        if (si == null)
                        {
                            LoadRows(null, cols, 0, pb + 8, rev);
                        }
                        else
                        {
                            LoadRows(si, cols, cnt, pb + 8, rev);
                        }

                        if (cnt == 8 && cols >= 32)
                        {
                            LaneFft.RunBlocked(pb, cols, twr, twi, stopBeforeLast: true);
                            LaneFft.LastPassTransposeStore(pb, cols, twr, twi, dr, di, cols);
                        }
                        else
                        {
                            LaneFft.RunBlocked(pb, cols, twr, twi, stopBeforeLast: false);
                            StoreRows(pb, dr, cols, cnt, cols);
                            StoreRows(pb + 8, di, cols, cnt, cols);
                        }
                    }
                }
            }
        });
    }

    /// <summary>
    /// One plane (real or imaginary, <paramref name="dst"/> = buf or buf + 8) of the lane points from
    /// <paramref name="count"/> rows (lane l = row l, missing lanes zero), point k at position bitrev(k).
    /// </summary>
    private static void LoadRows(float* src, int n, int count, float* dst, int* rev)
    {
        const int P = LaneFft.PointFloats;
        if (count == 8 && n >= 8)
        {
            for (int b = 0; b < n; b += 8)
            {
                LaneFft.Transpose8(src + b, n, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
                o0.Store(dst + (rev[b] * P));
                o1.Store(dst + (rev[b + 1] * P));
                o2.Store(dst + (rev[b + 2] * P));
                o3.Store(dst + (rev[b + 3] * P));
                o4.Store(dst + (rev[b + 4] * P));
                o5.Store(dst + (rev[b + 5] * P));
                o6.Store(dst + (rev[b + 6] * P));
                o7.Store(dst + (rev[b + 7] * P));
            }

            return;
        }

        for (int k = 0; k < n; k++)
        {
            float* p = dst + (rev[k] * P);
            for (int l = 0; l < 8; l++)
            {
                p[l] = l < count ? src[((long)l * n) + k] : 0f;
            }
        }
    }

    /// <summary>Points 0..<paramref name="outCols"/>-1 of one plane back into <paramref name="count"/> rows (lane l -> row l).</summary>
    private static void StoreRows(float* src, float* dst, int n, int count, int outCols)
    {
        const int P = LaneFft.PointFloats;
        if (count <= 0)
        {
            return;
        }

        int k = 0;
        if (count == 8 && n >= 8)
        {
            for (; k + 8 <= outCols; k += 8)
            {
                LaneFft.TransposeStore8(src + (k * P), dst + k, n);
            }
        }

        for (; k < outCols; k++)
        {
            float* p = src + (k * P);
            for (int l = 0; l < count; l++)
            {
                dst[((long)l * n) + k] = p[l];
            }
        }
    }

    /// <summary>
    /// After the transform of z = x1 + i x2 (8 lanes): X1[k] = (Z[k] + conj Z[-k]) / 2 in place at point k and
    /// X2[k] = (Z[k] - conj Z[-k]) / 2i at point n + k, for k = 0..n/2.
    /// </summary>
    private static void SeparateRealPairs(float* buf, int n)
    {
        const int P = LaneFft.PointFloats;
        var half = Vector256.Create(0.5f);
        float* x2 = buf + ((long)n * P);
        for (int k = 0; k <= n / 2; k++)
        {
            float* pk = buf + (k * P);
            float* pm = buf + (((n - k) & (n - 1)) * P);
            var zr = Vector256.Load(pk);
            var zi = Vector256.Load(pk + 8);
            var wr = Vector256.Load(pm);
            var wi = Vector256.Load(pm + 8);
            (half * (zr + wr)).Store(pk);
            (half * (zi - wi)).Store(pk + 8);
            (half * (zi + wi)).Store(x2 + (k * P));
            (half * (wr - zr)).Store(x2 + (k * P) + 8);
        }
    }

    /// <summary>
    /// Column transforms (rows a power of two) of columns 0..colsToDo-1 with the 8-lane kernel, in place,
    /// 8 adjacent columns at a time (lane l = column c0 + l, point k = row k), results times scaleRe / scaleIm.
    /// </summary>
    private static void LaneColumnPass(float[] re, float[] im, int off, int rows, int cols, int colsToDo, float scaleRe, float scaleIm, bool mirror, bool parallel, ParallelOptions po)
    {
        // ColumnGroups x 8 adjacent columns per strip: every row segment read or written is whole cache lines.
        const int G = ColumnGroups;
        var plan = FftPlan.Get(rows);
        int strips = (colsToDo + (8 * G) - 1) / (8 * G);
        ForChunks(strips, parallel, po, (s0, s1) =>
        {
            const int P = LaneFft.PointFloats;
            var buf = LaneBuffer(G * rows * P);
            var vsr = Vector256.Create(scaleRe);
            var vsi = Vector256.Create(scaleIm);
            fixed (float* pb = buf)
            fixed (float* pre = re)
            fixed (float* pim = im)
            fixed (float* twr = plan.twRe)
            fixed (float* twi = plan.twIm)
            fixed (int* rev = plan.bitrev)
            {
                for (int s = s0; s < s1; s++)
                {
                    int c0 = s * 8 * G;
                    int full = rows >= 16 ? Math.Min(G, (colsToDo - c0) / 8) : 0;
                    float* br = pre + off + c0;
                    float* bi = pim + off + c0;
                    if (full > 0)
                    {
                        // Rows read in order into bit-reversed points; the last pass fused with the (scaled) store.
                        LaneFft.LoadColumns(br, bi, cols, rows, full, rev, pb);
                        for (int g = 0; g < full; g++)
                        {
                            LaneFft.RunBlocked(pb + ((long)g * rows * P), rows, twr, twi, stopBeforeLast: true);
                        }

                        LaneFft.LastPassStore(pb, rows, full, twr, twi, br, bi, cols, vsr, vsi);
                    }

                    for (int cg = c0 + (8 * full); cg < Math.Min(colsToDo, c0 + (8 * G)); cg += 8)
                    {
                        ColumnGroupGeneric(pb, pre + off + cg, pim + off + cg, rows, cols, Math.Min(8, colsToDo - cg), rev, twr, twi, scaleRe, scaleIm);
                    }

                    if (mirror)
                    {
                        MirrorStrip(pre + off, pim + off, rows, cols, c0, Math.Min(colsToDo, c0 + (8 * G)));
                    }
                }
            }
        });
    }

    /// <summary>
    /// Hermitian mirror of the columns c0..c1-1 just transformed (still in cache): X[r, cols - c] = conj X[-r, c]
    /// for the columns c with 1 &lt;= c and cols - c &gt; cols / 2, i.e. every column a real input's half transform skipped.
    /// </summary>
    private static void MirrorStrip(float* re, float* im, int rows, int cols, int c0, int c1)
    {
        int last = cols - (cols / 2) - 1; // the largest c whose mirror cols - c lies beyond cols / 2
        var rev = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
        for (int r = 0; r < rows; r++)
        {
            float* sr = re + ((long)r * cols);
            float* si = im + ((long)r * cols);
            long t = (long)((rows - r) & (rows - 1)) * cols;
            float* tr = re + t;
            float* ti = im + t;
            for (int c = c0; c < c1; c += 8)
            {
                if (c >= 1 && c + 7 <= last)
                {
                    var vr = Avx2.PermuteVar8x32(Vector256.Load(sr + c), rev);
                    var vi = Avx2.PermuteVar8x32(Vector256.Load(si + c), rev);
                    vr.Store(tr + (cols - c - 7));
                    (-vi).Store(ti + (cols - c - 7));
                }
                else
                {
                    for (int k = Math.Max(c, 1); k < Math.Min(c + 8, Math.Min(c1, last + 1)); k++)
                    {
                        tr[cols - k] = sr[k];
                        ti[cols - k] = -si[k];
                    }
                }
            }
        }
    }

    /// <summary>Up to 8 columns (missing lanes zero) through <see cref="LaneFft.Run"/>, for short columns and the last partial group.</summary>
    private static void ColumnGroupGeneric(float* pb, float* br, float* bi, int rows, int cols, int w, int* rev, float* twr, float* twi, float scaleRe, float scaleIm)
    {
        const int P = LaneFft.PointFloats;
        for (int r = 0; r < rows; r++)
        {
            float* p = pb + (rev[r] * P);
            long o = (long)r * cols;
            for (int l = 0; l < 8; l++)
            {
                p[l] = l < w ? br[o + l] : 0f;
                p[l + 8] = l < w ? bi[o + l] : 0f;
            }
        }

        LaneFft.Run(pb, rows, twr, twi);
        for (int r = 0; r < rows; r++)
        {
            float* p = pb + (r * P);
            long o = (long)r * cols;
            for (int l = 0; l < w; l++)
            {
                br[o + l] = p[l] * scaleRe;
                bi[o + l] = p[l + 8] * scaleIm;
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

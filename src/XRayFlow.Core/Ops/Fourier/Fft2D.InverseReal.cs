using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Fourier;

public static unsafe partial class Fft2D
{
    /// <summary>
    /// The real part of ifft2, <c>Re(numpy.fft.ifft2(x))</c>, as a real array of the same shape.
    /// <para>Re(ifft2(X)) is the inverse transform of the Hermitian part H[u, v] = (X[u, v] + conj X[-u, -v]) / 2,
    /// whose inverse is real: a complex-to-real transform does half the work. Columns 0..cols/2 of H (formed as
    /// they are loaded) go through the inverse column pass into a half-width scratch; then each pair of rows
    /// a, b of that (each the half spectrum of a real row) is one complex row Z = G_a + i G_b extended by
    /// G[-k] = conj G[k], whose inverse is g_a + i g_b. The inverse is the forward kernel on swapped parts; 1/N is
    /// folded into the column store. Powers of two with rows &gt;= 16 and cols &gt;= 32 on AVX2; other shapes take
    /// the real part of <see cref="Inverse(ImageArray, int)"/>.</para>
    /// </summary>
    public static ImageArray InverseRealPart(ImageArray src, int threads = 0, float? scale = null)
    {
        int rows = src.Rows, cols = src.Cols;
        if (src.Imag is null || !LaneFft.IsSupported || !BitOperations.IsPow2(rows) || !BitOperations.IsPow2(cols) || rows < 16 || cols < 32)
        {
            var c = Inverse(src, threads, scale);
            PixelPool.Shared.Return(c.Imag);
            return c.IsStack ? ImageArray.Stack(c.Frames, rows, cols, c.Data) : new ImageArray(rows, cols, c.Data);
        }

        if (threads <= 0)
        {
            threads = Environment.ProcessorCount;
        }

        var dst = ImageArray.Rent(src);
        int frameLen = rows * cols;
        int hs = (cols / 2) + 8; // half-spectrum scratch row stride: columns 0..cols/2, padded to whole groups of 8
        var tRe = PixelPool.Shared.Rent(rows * hs);
        var tIm = PixelPool.Shared.Rent(rows * hs);
        bool parallel = threads > 1 && frameLen >= ParallelThreshold;
        var po = new ParallelOptions { MaxDegreeOfParallelism = threads };
        try
        {
            for (int f = 0; f < src.Frames; f++)
            {
                HermitianColumnPass(src.Data, src.Imag, f * frameLen, rows, cols, tRe, tIm, hs, scale ?? 1f / frameLen, parallel, po);
                RealRowsInverse(tRe, tIm, hs, rows, cols, dst.Data, f * frameLen, parallel, po);
            }
        }
        finally
        {
            PixelPool.Shared.Return(tRe);
            PixelPool.Shared.Return(tIm);
        }

        return dst;
    }

    /// <summary>
    /// Inverse column transforms of H = (X + conj X[-r, -c]) / 2 for the columns 0..hs-1 (rows a power of two),
    /// times <paramref name="scale"/>, into the scratch (tRe, tIm) of row stride <paramref name="hs"/>.
    /// </summary>
    private static void HermitianColumnPass(float[] xRe, float[] xIm, int off, int rows, int cols, float[] tRe, float[] tIm, int hs, float scale, bool parallel, ParallelOptions po)
    {
        const int G = ColumnGroups;
        var plan = FftPlan.Get(rows);
        int strips = (hs + (8 * G) - 1) / (8 * G);
        ForChunks(strips, parallel, po, (s0, s1) =>
        {
            const int P = LaneFft.PointFloats;
            var buf = LaneBuffer(G * rows * P);
            var vs = Vector256.Create(scale);
            var half = Vector256.Create(0.5f);
            var reverse = Vector256.Create(7, 6, 5, 4, 3, 2, 1, 0);
            fixed (float* pb = buf)
            fixed (float* pxr = xRe)
            fixed (float* pxi = xIm)
            fixed (float* ptr = tRe)
            fixed (float* pti = tIm)
            fixed (float* twr = plan.twRe)
            fixed (float* twi = plan.twIm)
            fixed (int* rev = plan.bitrev)
            {
                float* xr = pxr + off;
                float* xi = pxi + off;
                for (int s = s0; s < s1; s++)
                {
                    int c0 = s * 8 * G;
                    int groups = Math.Min(G, (hs - c0) / 8);
                    long gs = (long)rows * P;
                    for (int k = 0; k < rows; k++)
                    {
                        long ok = (long)k * cols;
                        long om = (long)((rows - k) & (rows - 1)) * cols;
                        float* p = pb + (rev[k] * P);

                        // Rows a page apart, one stream down and one up: prefetch a few rows ahead (never faults).
                        long pk = (long)(k + 8) * cols, pm = (long)((rows - k - 8) & (rows - 1)) * cols;
                        for (int g = 0; g < groups; g += 2)
                        {
                            Sse.Prefetch0(xr + pk + c0 + (8 * g));
                            Sse.Prefetch0(xi + pk + c0 + (8 * g));
                            Sse.Prefetch0(xr + pm + (cols - c0 - (8 * g) - 15));
                            Sse.Prefetch0(xi + pm + (cols - c0 - (8 * g) - 15));
                        }

                        for (int g = 0; g < groups; g++)
                        {
                            int cg = c0 + (8 * g);
                            float* q = p + (g * gs);
                            if (cg == 0)
                            {
                                for (int l = 0; l < 8; l++)
                                {
                                    int mc = (cols - l) & (cols - 1);
                                    q[l] = 0.5f * (xi[ok + l] - xi[om + mc]);     // swapped: lanes re <- Im H
                                    q[l + 8] = 0.5f * (xr[ok + l] + xr[om + mc]); // lanes im <- Re H
                                }
                            }
                            else
                            {
                                var ar = Vector256.Load(xr + ok + cg);
                                var ai = Vector256.Load(xi + ok + cg);
                                var br = Avx2.PermuteVar8x32(Vector256.Load(xr + om + (cols - cg - 7)), reverse);
                                var bi = Avx2.PermuteVar8x32(Vector256.Load(xi + om + (cols - cg - 7)), reverse);
                                (half * (ai - bi)).Store(q);
                                (half * (ar + br)).Store(q + 8);
                            }
                        }
                    }

                    for (int g = 0; g < groups; g++)
                    {
                        LaneFft.RunBlocked(pb + (g * gs), rows, twr, twi, stopBeforeLast: true);
                    }

                    // Swapped back: the kernel's real lanes are the inverse's imaginary part.
                    LaneFft.LastPassStore(pb, rows, groups, twr, twi, pti + c0, ptr + c0, hs, vs, vs);
                }
            }
        });
    }

    /// <summary>
    /// Rows of the half-spectrum scratch (each the half spectrum of a real row) to real rows, 16 at a time:
    /// lane l carries Z = G[r0 + l] + i G[r0 + 8 + l]; inverse by the forward kernel on swap(Z).
    /// </summary>
    private static void RealRowsInverse(float[] tRe, float[] tIm, int hs, int rows, int cols, float[] dst, int off, bool parallel, ParallelOptions po)
    {
        var plan = FftPlan.Get(cols);
        int strips = rows / 16;
        ForChunks(strips, parallel, po, (s0, s1) =>
        {
            const int P = LaneFft.PointFloats;
            var buf = LaneBuffer(cols * P);
            float* tmp = stackalloc float[4 * 8 * 8];
            fixed (float* pb = buf)
            fixed (float* ptr = tRe)
            fixed (float* pti = tIm)
            fixed (float* pd = dst)
            fixed (float* twr = plan.twRe)
            fixed (float* twi = plan.twIm)
            fixed (int* rev = plan.bitrev)
            {
                int hc = cols / 2;
                for (int s = s0; s < s1; s++)
                {
                    int r0 = s * 16;
                    float* ar = ptr + ((long)r0 * hs);
                    float* ai = pti + ((long)r0 * hs);
                    float* br = ar + (8L * hs);
                    float* bi = ai + (8L * hs);
                    for (int kb = 0; kb <= hc; kb += 8)
                    {
                        Transpose8To(ar + kb, hs, tmp);
                        Transpose8To(ai + kb, hs, tmp + 64);
                        Transpose8To(br + kb, hs, tmp + 128);
                        Transpose8To(bi + kb, hs, tmp + 192);
                        for (int q = 0; q < 8 && kb + q <= hc; q++)
                        {
                            int k = kb + q;
                            var gar = Vector256.Load(tmp + (q * 8));
                            var gai = Vector256.Load(tmp + 64 + (q * 8));
                            var gbr = Vector256.Load(tmp + 128 + (q * 8));
                            var gbi = Vector256.Load(tmp + 192 + (q * 8));
                            float* p = pb + (rev[k] * P);
                            if (k == 0 || k == hc)
                            {
                                // Self-conjugate bins: the Hermitian part keeps the real parts only.
                                gbr.Store(p);
                                gar.Store(p + 8);
                            }
                            else
                            {
                                // swap(Z[k]) = (Im Ga + Re Gb, Re Ga - Im Gb); swap(Z[-k]) = (Re Gb - Im Ga, Re Ga + Im Gb)
                                (gai + gbr).Store(p);
                                (gar - gbi).Store(p + 8);
                                float* m = pb + (rev[cols - k] * P);
                                (gbr - gai).Store(m);
                                (gar + gbi).Store(m + 8);
                            }
                        }
                    }

                    // The kernel's real lanes are Im z = row r0 + 8 + l, its imaginary lanes Re z = row r0 + l.
                    LaneFft.RunBlocked(pb, cols, twr, twi, stopBeforeLast: true);
                    float* d = pd + off + ((long)r0 * cols);
                    LaneFft.LastPassTransposeStore(pb, cols, twr, twi, d + (8L * cols), d, cols);
                }
            }
        });
    }

    /// <summary>8 x 8 block (rows <paramref name="stride"/> apart) transposed into 64 consecutive floats.</summary>
    private static void Transpose8To(float* src, nint stride, float* dst)
    {
        LaneFft.Transpose8(src, stride, out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        o0.Store(dst);
        o1.Store(dst + 8);
        o2.Store(dst + 16);
        o3.Store(dst + 24);
        o4.Store(dst + 32);
        o5.Store(dst + 40);
        o6.Store(dst + 48);
        o7.Store(dst + 56);
    }
}

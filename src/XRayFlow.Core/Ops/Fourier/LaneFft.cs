using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Ops.Fourier;

/// <summary>
/// Eight independent power-of-two DFTs at once, one per SIMD lane (AVX, 8 x float32).
/// <para>Scalar meaning, for every lane l separately: <c>X_l[k] = sum_j x_l[j] exp(-2 pi i j k / n)</c>, n a power
/// of two (numpy's sign, unscaled) — the same transform as <see cref="FftPlan.Forward"/> on lane l's n values.</para>
/// <para>Layout of the work buffer ("points"): point k occupies 16 floats, the 8 lanes' real parts at
/// <c>buf[16k .. 16k+7]</c> and their imaginary parts at <c>buf[16k+8 .. 16k+15]</c>. <see cref="Run"/> expects the
/// points in bit-reversed order (point k holds x[bitrev(k)]) and leaves X[k] at point k. It is radix-2
/// decimation in time with the stages fused pairwise into radix-4 passes (stages h and 2h in one sweep over the
/// buffer; one plain radix-2 stage first when log2 n is odd), so there are ceil(log2(n) / 2) passes. Every
/// butterfly works on 8 lanes with one broadcast twiddle: no shuffles, no gathers. Twiddles are FftPlan's
/// tables (exp(-i pi j / h) computed in double, stored float).</para>
/// <para>Fft2D feeds it 8 columns of an image (column pass: each point is a row segment) or 8 rows (row pass:
/// 8 x 8 blocks transposed on the way in and out).</para>
/// </summary>
internal static unsafe class LaneFft
{
    /// <summary>Floats per point: 8 real parts, then 8 imaginary parts.</summary>
    public const int PointFloats = 16;

    /// <summary>Whether the 8-lane kernels can run on this CPU (x86 AVX2); otherwise Fft2D uses FftPlan per line.</summary>
    public static bool IsSupported => Avx2.IsSupported;

    /// <summary>
    /// Loads 8 * <paramref name="groups"/> adjacent columns (row k at <paramref name="srcRe"/>/<paramref name="srcIm"/>
    /// + k * <paramref name="stride"/>) into <paramref name="groups"/> point buffers of n points each (group g at
    /// <paramref name="buf"/> + g * n * 16), row k to point bitrev(k). The rows are read in order (streams the
    /// hardware prefetcher follows); the scattered writes stay in cache.
    /// </summary>
    public static void LoadColumns(float* srcRe, float* srcIm, nint stride, int n, int groups, int* rev, float* buf)
    {
        long gs = (long)n * PointFloats;
        for (int k = 0; k < n; k++)
        {
            float* sr = srcRe + (k * stride);
            float* si = srcIm + (k * stride);
            float* p = buf + (rev[k] * PointFloats);

            // The rows are a page apart: prefetch a few rows ahead (a prefetch never faults, so past the end is harmless).
            for (int g = 0; g < groups; g += 2)
            {
                Sse.Prefetch0(sr + (PrefetchRows * stride) + (8 * g));
                Sse.Prefetch0(si + (PrefetchRows * stride) + (8 * g));
            }

            for (int g = 0; g < groups; g++)
            {
                Vector256.Load(sr + (8 * g)).Store(p + (g * gs));
                Vector256.Load(si + (8 * g)).Store(p + (g * gs) + 8);
            }
        }
    }

    /// <summary>
    /// In place: <paramref name="n"/> points in bit-reversed order in, the DFT of each lane in natural order out.
    /// <paramref name="twRe"/>/<paramref name="twIm"/> are <see cref="FftPlan"/>'s twiddles for length n.
    /// </summary>
    public static void Run(float* buf, int n, float* twRe, float* twIm)
    {
        if (n < 2)
        {
            return;
        }

        FirstPass(buf, n);
        Passes(buf, n, twRe, twIm, FirstSpan(n), n);
    }

    /// <summary>The first pass alone (in place on bit-reversed points, n &gt;= 2): stage 1, or stages 1 and 2 fused.</summary>
    public static void FirstPass(float* buf, int n)
    {
        if ((BitOperations.Log2((uint)n) & 1) == 1)
        {
            // Stage h = 1 alone (twiddle 1).
            for (int k = 0; k < n; k += 2)
            {
                float* p = buf + (k * PointFloats);
                var ar = Vector256.Load(p);
                var ai = Vector256.Load(p + 8);
                var br = Vector256.Load(p + 16);
                var bi = Vector256.Load(p + 24);
                (ar + br).Store(p);
                (ai + bi).Store(p + 8);
                (ar - br).Store(p + 16);
                (ai - bi).Store(p + 24);
            }

        }
        else
        {
            // Stages 1 and 2 fused; their twiddles are 1, 1 and -i.
            for (int k = 0; k < n; k += 4)
            {
                float* p = buf + (k * PointFloats);
                var ar = Vector256.Load(p);
                var ai = Vector256.Load(p + 8);
                var br = Vector256.Load(p + 16);
                var bi = Vector256.Load(p + 24);
                var cr = Vector256.Load(p + 32);
                var ci = Vector256.Load(p + 40);
                var dr = Vector256.Load(p + 48);
                var di = Vector256.Load(p + 56);
                var a1r = ar + br;
                var a1i = ai + bi;
                var b1r = ar - br;
                var b1i = ai - bi;
                var c1r = cr + dr;
                var c1i = ci + di;
                var d1r = cr - dr;
                var d1i = ci - di;

                // u = -i * d1 = (d1i, -d1r)
                (a1r + c1r).Store(p);
                (a1i + c1i).Store(p + 8);
                (a1r - c1r).Store(p + 32);
                (a1i - c1i).Store(p + 40);
                (b1r + d1i).Store(p + 16);
                (b1i - d1r).Store(p + 24);
                (b1r - d1i).Store(p + 48);
                (b1i + d1r).Store(p + 56);
            }

        }
    }

    /// <summary>Points per cache block: 256 points x 64 bytes = 16 KB, half of a typical L1 data cache.</summary>
    private const int BlockPoints = 256;

    /// <summary>How many rows ahead <see cref="LoadColumns"/> prefetches.</summary>
    private const int PrefetchRows = 8;

    /// <summary>
    /// The same transform as <see cref="Run"/>, cache-blocked: the stages 1 .. B/2 run block by block on B
    /// contiguous points (each block a complete DIT sub-transform, B &lt;= 256 so it stays in L1), then the
    /// remaining stages as radix-4 passes over all n points. B has the parity of log2 n so that the remaining
    /// stages pair up. With <paramref name="stopBeforeLast"/> (n &gt;= 8) the last pass (stages n/4 and n/2) is left
    /// to <see cref="LastPassStore"/> or the caller.
    /// </summary>
    public static void RunBlocked(float* buf, int n, float* twRe, float* twIm, bool stopBeforeLast)
    {
        if (n < 2)
        {
            return;
        }

        int logN = BitOperations.Log2((uint)n);
        int b = Math.Min(n, (logN & 1) == 1 ? BlockPoints / 2 : BlockPoints);
        if (stopBeforeLast)
        {
            b = Math.Min(b, n / 4);
        }

        for (int o = 0; o < n; o += b)
        {
            float* blk = buf + ((long)o * PointFloats);
            if (b >= 2)
            {
                FirstPass(blk, b);
                Passes(blk, b, twRe, twIm, FirstSpan(b), b);
            }
        }

        Passes(buf, n, twRe, twIm, b, stopBeforeLast ? n / 4 : n);
    }

    /// <summary>The half-width after the first pass: 2 when log2 n is odd (one radix-2 stage), else 4.</summary>
    public static int FirstSpan(int n) => (BitOperations.Log2((uint)n) & 1) == 1 ? 2 : 4;

    /// <summary>Radix-4 passes (stages h and 2h) for h = <paramref name="h0"/>, 4 h0, ... while h &lt; <paramref name="hEnd"/>.</summary>
    public static void Passes(float* buf, int n, float* twRe, float* twIm, int h0, int hEnd)
    {
        for (int h = h0; h < hEnd; h <<= 2)
        {
            // Stages h and 2h: for the group at s and j < h, a, b, c, d = x[s + j + {0, h, 2h, 3h}];
            // stage h: (a, b) and (c, d) with w1 = exp(-i pi j / h); stage 2h: (a', c') with
            // w2 = exp(-i pi j / 2h) and (b', d') with w2 * (-i).
            int step = 4 * h;
            int hf = h * PointFloats;
            for (int j = 0; j < h; j++)
            {
                var w1r = Vector256.Create(twRe[h + j]);
                var w1i = Vector256.Create(twIm[h + j]);
                var w2r = Vector256.Create(twRe[(2 * h) + j]);
                var w2i = Vector256.Create(twIm[(2 * h) + j]);
                for (int s = j; s < n; s += step)
                {
                    float* pa = buf + (s * PointFloats);
                    float* pb = pa + hf;
                    float* pc = pb + hf;
                    float* pd = pc + hf;
                    Butterfly(pa, hf, w1r, w1i, w2r, w2i, out var a1r, out var a1i, out var b1r, out var b1i, out var tcr, out var tci, out var tvr, out var tvi);

                    // u = -i * (w2 d1) = (tvi, -tvr)
                    (a1r + tcr).Store(pa);
                    (a1i + tci).Store(pa + 8);
                    (a1r - tcr).Store(pc);
                    (a1i - tci).Store(pc + 8);
                    (b1r + tvi).Store(pb);
                    (b1i - tvr).Store(pb + 8);
                    (b1r - tvi).Store(pd);
                    (b1i + tvr).Store(pd + 8);
                }
            }
        }
    }


    /// <summary>
    /// The last radix-4 pass (h = n/4) reading the points from <paramref name="buf"/> and writing point k, times
    /// (scaleRe, scaleIm) per part, to <paramref name="dstRe"/>/<paramref name="dstIm"/> + k * <paramref name="stride"/>.
    /// </summary>
    public static void LastPassStore(float* buf, int n, int groups, float* twRe, float* twIm, float* dstRe, float* dstIm, nint stride, Vector256<float> sr, Vector256<float> si)
    {
        int h = n / 4;
        int hf = h * PointFloats;
        nint hs = h * stride;
        for (int j = 0; j < h; j++)
        {
            var w1r = Vector256.Create(twRe[h + j]);
            var w1i = Vector256.Create(twIm[h + j]);
            var w2r = Vector256.Create(twRe[(2 * h) + j]);
            var w2i = Vector256.Create(twIm[(2 * h) + j]);
            for (int g = 0; g < groups; g++)
            {
                float* pa = buf + (((long)g * n * PointFloats) + (j * PointFloats));
                Butterfly(pa, hf, w1r, w1i, w2r, w2i, out var a1r, out var a1i, out var b1r, out var b1i, out var tcr, out var tci, out var tvr, out var tvi);
                nint o = (j * stride) + (8 * g);
                ((a1r + tcr) * sr).Store(dstRe + o);
                ((a1i + tci) * si).Store(dstIm + o);
                ((a1r - tcr) * sr).Store(dstRe + o + (2 * hs));
                ((a1i - tci) * si).Store(dstIm + o + (2 * hs));
                ((b1r + tvi) * sr).Store(dstRe + o + hs);
                ((b1i - tvr) * si).Store(dstIm + o + hs);
                ((b1r - tvi) * sr).Store(dstRe + o + (3 * hs));
                ((b1i + tvr) * si).Store(dstIm + o + (3 * hs));
            }
        }
    }

    /// <summary>
    /// The last radix-4 pass (h = n/4, n &gt;= 32) fused with the way back to 8 rows: 8 butterflies at a time into
    /// a 32-point scratch, then 8 x 8 transposes to the rows <paramref name="dstRe"/>/<paramref name="dstIm"/> +
    /// l * <paramref name="stride"/> (lane l = row l), columns j..j+7 of each quarter.
    /// </summary>
    public static void LastPassTransposeStore(float* buf, int n, float* twRe, float* twIm, float* dstRe, float* dstIm, nint stride)
    {
        int h = n / 4;
        int hf = h * PointFloats;
        float* tmp = stackalloc float[32 * PointFloats];
        for (int j0 = 0; j0 < h; j0 += 8)
        {
            for (int t = 0; t < 8; t++)
            {
                int j = j0 + t;
                var w1r = Vector256.Create(twRe[h + j]);
                var w1i = Vector256.Create(twIm[h + j]);
                var w2r = Vector256.Create(twRe[(2 * h) + j]);
                var w2i = Vector256.Create(twIm[(2 * h) + j]);
                float* pa = buf + (j * PointFloats);
                Butterfly(pa, hf, w1r, w1i, w2r, w2i, out var a1r, out var a1i, out var b1r, out var b1i, out var tcr, out var tci, out var tvr, out var tvi);

                // Quarter q of the output (point j + q h) goes to scratch point 8 q + t.
                float* o = tmp + (t * PointFloats);
                (a1r + tcr).Store(o);
                (a1i + tci).Store(o + 8);
                (b1r + tvi).Store(o + (8 * PointFloats));
                (b1i - tvr).Store(o + (8 * PointFloats) + 8);
                (a1r - tcr).Store(o + (16 * PointFloats));
                (a1i - tci).Store(o + (16 * PointFloats) + 8);
                (b1r - tvi).Store(o + (24 * PointFloats));
                (b1i + tvr).Store(o + (24 * PointFloats) + 8);
            }

            for (int q = 0; q < 4; q++)
            {
                float* src = tmp + (q * 8 * PointFloats);
                nint col = j0 + (q * h);
                TransposeStore8(src, dstRe + col, stride);
                TransposeStore8(src + 8, dstIm + col, stride);
            }
        }
    }

    /// <summary>One plane of 8 consecutive points (16 floats apart) to 8 rows: row l, column c gets point c's lane l.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void TransposeStore8(float* p, float* d, nint stride)
    {
        const int P = PointFloats;
        Transpose.InRegisters(
            Vector256.Load(p), Vector256.Load(p + P), Vector256.Load(p + (2 * P)), Vector256.Load(p + (3 * P)),
            Vector256.Load(p + (4 * P)), Vector256.Load(p + (5 * P)), Vector256.Load(p + (6 * P)), Vector256.Load(p + (7 * P)),
            out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        o0.Store(d);
        o1.Store(d + stride);
        o2.Store(d + (2 * stride));
        o3.Store(d + (3 * stride));
        o4.Store(d + (4 * stride));
        o5.Store(d + (5 * stride));
        o6.Store(d + (6 * stride));
        o7.Store(d + (7 * stride));
    }

    /// <summary>
    /// The first pass fused with the bit-reversed load, for n &gt;= 4: point k of the bit-reversed order is
    /// x[bitrev(k)], read from <paramref name="srcRe"/>/<paramref name="srcIm"/> + bitrev(k) * <paramref name="stride"/>.
    /// With log2 n even it is stages 1 and 2 (points 4i..4i+3 = x[r], x[r + n/2], x[r + n/4], x[r + 3n/4],
    /// r = bitrev(4i)); odd, stage 1 (points 2i, 2i+1 = x[r], x[r + n/2]).
    /// </summary>
    public static void FirstPassLoad(float* srcRe, float* srcIm, nint stride, int n, int groups, int* rev, float* buf)
    {
        if (FirstSpan(n) == 2)
        {
            nint half = (n / 2) * stride;
            for (int k = 0; k < n; k += 2)
            {
                for (int g = 0; g < groups; g++)
                {
                nint o = (rev[k] * stride) + (8 * g);
                var ar = Vector256.Load(srcRe + o);
                var ai = Vector256.Load(srcIm + o);
                var br = Vector256.Load(srcRe + o + half);
                var bi = Vector256.Load(srcIm + o + half);
                float* p = buf + (((long)g * n * PointFloats) + (k * PointFloats));
                (ar + br).Store(p);
                (ai + bi).Store(p + 8);
                (ar - br).Store(p + 16);
                (ai - bi).Store(p + 24);
                }
            }

            return;
        }

        nint q = (n / 4) * stride;
        for (int k = 0; k < n; k += 4)
        {
            for (int g = 0; g < groups; g++)
            {
            nint o = (rev[k] * stride) + (8 * g);
            var ar = Vector256.Load(srcRe + o);
            var ai = Vector256.Load(srcIm + o);
            var br = Vector256.Load(srcRe + o + (2 * q));
            var bi = Vector256.Load(srcIm + o + (2 * q));
            var cr = Vector256.Load(srcRe + o + q);
            var ci = Vector256.Load(srcIm + o + q);
            var dr = Vector256.Load(srcRe + o + (3 * q));
            var di = Vector256.Load(srcIm + o + (3 * q));
            var a1r = ar + br;
            var a1i = ai + bi;
            var b1r = ar - br;
            var b1i = ai - bi;
            var c1r = cr + dr;
            var c1i = ci + di;
            var d1r = cr - dr;
            var d1i = ci - di;
            float* p = buf + (((long)g * n * PointFloats) + (k * PointFloats));
            (a1r + c1r).Store(p);
            (a1i + c1i).Store(p + 8);
            (a1r - c1r).Store(p + 32);
            (a1i - c1i).Store(p + 40);
            (b1r + d1i).Store(p + 16);
            (b1i - d1r).Store(p + 24);
            (b1r - d1i).Store(p + 48);
            (b1i + d1r).Store(p + 56);
            }
        }
    }

    /// <summary>
    /// The radix-4 butterfly on the points a, b, c, d at <paramref name="pa"/> + {0, 1, 2, 3} x <paramref name="hf"/>:
    /// stage h gives a1, b1 = a ± w1 b and c1, d1 = c ± w1 d; stage 2h multiplies c1 and d1 by w2 (tc, tv).
    /// The outputs are a1 + tc, b1 - i tv, a1 - tc, b1 + i tv — each caller stores them where its pass needs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Butterfly(
        float* pa, int hf, Vector256<float> w1r, Vector256<float> w1i, Vector256<float> w2r, Vector256<float> w2i,
        out Vector256<float> a1r, out Vector256<float> a1i, out Vector256<float> b1r, out Vector256<float> b1i,
        out Vector256<float> tcr, out Vector256<float> tci, out Vector256<float> tvr, out Vector256<float> tvi)
    {
        float* pb = pa + hf;
        float* pc = pb + hf;
        float* pd = pc + hf;
        Mul(Vector256.Load(pb), Vector256.Load(pb + 8), w1r, w1i, out var tbr, out var tbi);
        Mul(Vector256.Load(pd), Vector256.Load(pd + 8), w1r, w1i, out var tdr, out var tdi);
        var ar = Vector256.Load(pa);
        var ai = Vector256.Load(pa + 8);
        var cr = Vector256.Load(pc);
        var ci = Vector256.Load(pc + 8);
        a1r = ar + tbr;
        a1i = ai + tbi;
        b1r = ar - tbr;
        b1i = ai - tbi;
        Mul(cr + tdr, ci + tdi, w2r, w2i, out tcr, out tci);
        Mul(cr - tdr, ci - tdi, w2r, w2i, out tvr, out tvi);
    }

    /// <summary>(ar + i ai)(wr + i wi), with fused multiply-adds where the CPU has them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Mul(Vector256<float> ar, Vector256<float> ai, Vector256<float> wr, Vector256<float> wi, out Vector256<float> re, out Vector256<float> im)
    {
        if (Fma.IsSupported)
        {
            re = Fma.MultiplyAddNegated(ai, wi, ar * wr);
            im = Fma.MultiplyAdd(ai, wr, ar * wi);
        }
        else
        {
            re = (ar * wr) - (ai * wi);
            im = (ar * wi) + (ai * wr);
        }
    }

    /// <summary>
    /// Transposes the 8 x 8 block whose rows start at <paramref name="src"/> + r * <paramref name="srcStride"/>:
    /// <paramref name="dst"/>[q] receives column q (lane l = row l).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Transpose8(float* src, nint srcStride, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + srcStride);
        var r2 = Avx.LoadVector256(src + (2 * srcStride));
        var r3 = Avx.LoadVector256(src + (3 * srcStride));
        var r4 = Avx.LoadVector256(src + (4 * srcStride));
        var r5 = Avx.LoadVector256(src + (5 * srcStride));
        var r6 = Avx.LoadVector256(src + (6 * srcStride));
        var r7 = Avx.LoadVector256(src + (7 * srcStride));
        Transpose.InRegisters(r0, r1, r2, r3, r4, r5, r6, r7, out o0, out o1, out o2, out o3, out o4, out o5, out o6, out o7);
    }

}

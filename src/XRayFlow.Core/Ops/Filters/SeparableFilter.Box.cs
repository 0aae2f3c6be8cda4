using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>The box (uniform_filter) path of <see cref="SeparableFilter"/>.</summary>
public static partial class SeparableFilter
{
    /// <summary>
    /// Box kernels (<see cref="Kernel1D.IsBox"/>, L weights of 1/L) on one or both axes, axis 0 first as
    /// SciPy's uniform_filter does, both passes fused per row. Each axis must be at least as long as its
    /// kernel (shorter axes go to <see cref="FoldedPass"/>). The scalar meaning, pass by pass, with x̃ the
    /// line extended by <see cref="Boundary.Map"/> (cval outside in constant mode, for the intermediate too):
    /// <list type="bullet">
    /// <item>Axis 0, as SciPy: a running sum in double down each column, <c>S_0 = Σ_{k&lt;L} x̃[k − Before]</c>,
    /// <c>S_{i+1} = S_i + (x̃[i + L − Before] − x̃[i − Before])</c>, <c>mid[i] = (float)(S_i · (1/L))</c>
    /// (restarted from a fresh sum at the first row of each chunk of rows).</item>
    /// <item>Axis 1: <c>out[j] = fl32(T_L(j) · fl32(1/L))</c> where <c>T_L(j)</c> is the float32 sum of the L
    /// values <c>x̃[j − Before .. j − Before + L)</c> taken by doubling (see <see cref="BoxSumLine"/>).</item>
    /// </list>
    /// Error against the double sum <see cref="Reference"/> computes, u = 2⁻²⁴: axis 0 is within one float32
    /// rounding of it (the double drift, ~rows · 2⁻⁵³ · max|x̃|, is negligible); axis 1 is within
    /// <c>(D + 2) · u · max|x̃|</c> (+ O(u²)) with <c>D = ⌊log2 L⌋ + popcount(L) − 1</c> the depth of the
    /// summation tree: D adds, the scaling and the reference's own rounding. For L ≤ 64 that is ≤ 12u ≈ 7.2e-7
    /// of max|x̃|, independent of the line length (no running-sum drift). Both passes together stay within
    /// (D + 6)·u·max|x̃| of <see cref="Reference"/> (also our intermediate's rounding, the reference's, and its
    /// float32 weight 1/L where axis 0 scales by the double 1/L); BoxFilterTests asserts exactly that.
    /// </summary>
    private static unsafe bool ApplyBox(
        float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols,
        Kernel1D? axis0, Kernel1D? axis1, BoundaryMode mode, float cval, int threads)
    {
        // The column running sum restarts in every chunk (L0 rows of set-up), so chunks are at least
        // 2·L0 rows; up to 8 of them let an idle core take over work on a shared machine. The chunks depend
        // on the frame and the kernel only, so the result is the same bits whatever the thread count.
        int l0 = axis0?.Length ?? 1;
        long pixels = (long)rows * cols;
        int chunks = pixels < 100_000 ? 1 : Math.Clamp(rows / Math.Max(32, 2 * l0), 1, 8);
        int chunkRows = (rows + chunks - 1) / chunks;
        chunks = (rows + chunkRows - 1) / chunkRows;
        fixed (float* ps = src, pd = dst)
        {
            var job = new BoxJob(ps + srcOffset, pd + dstOffset, rows, cols, axis0, axis1, mode, cval, chunkRows);
            if (chunks == 1 || threads == 1)
            {
                for (int c = 0; c < chunks; c++)
                {
                    job.Run(c);
                }
            }
            else
            {
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, job.Run);
            }

            return job.SawNonFinite;
        }
    }

    /// <summary>
    /// scipy.ndimage.uniform_filter of one frame (box kernels, axis 0 first, null where SciPy skips an axis of size 1):
    /// <see cref="ApplyBox"/> (or, with an axis shorter than its box, the folded passes), and where the frame holds NaN
    /// or an infinity, <see cref="RunningMean"/> instead, SciPy's own arithmetic: its running mean carries a NaN or an
    /// infinity from the first window that holds it to the end of the line (NaN; an infinity is infinite while in the
    /// window, then inf - inf), where the box sums keep it to the windows that hold it. ApplyBox finds such a value
    /// without a pass of its own (a column's running sum keeps it to the end of its chunk; rows without an axis-0 box
    /// are checked as their sums are written); the short-axis paths, for small frames, check the output.
    /// </summary>
    internal static void ApplyUniform(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols, Kernel1D? axis0, Kernel1D? axis1, BoundaryMode mode, float cval, int threads)
    {
        bool short0 = axis0 is not null && rows < axis0.Length;
        bool short1 = axis1 is not null && cols < axis1.Length;
        bool nonFinite;
        if ((axis0 is null && axis1 is null) || short0 || short1)
        {
            Apply(src, srcOffset, dst, dstOffset, rows, cols, axis0, axis1, mode, cval, axis1First: false, threads);
            nonFinite = !NonFinite.AllFinite(dst.AsSpan(dstOffset, rows * cols));
        }
        else
        {
            CheckFrame(src, srcOffset, rows, cols);
            CheckFrame(dst, dstOffset, rows, cols);
            nonFinite = ApplyBox(src, srcOffset, dst, dstOffset, rows, cols, axis0, axis1, mode, cval, threads <= 0 ? Environment.ProcessorCount : threads);
        }

        if (nonFinite)
        {
            RunningMean(src, srcOffset, dst, dstOffset, rows, cols, axis0, axis1, mode, cval);
        }
    }

    /// <summary>
    /// SciPy's uniform_filter1d along each axis with a box (axis 0 first), each pass stored as float32: along a line of n
    /// values extended by <see cref="Boundary.Map"/> (cval outside in constant mode), t = Σ_{k&lt;L} x̃[k − B],
    /// out[0] = t / L, then t += x̃[i − 1 + L − B] − x̃[i − 1 − B] and out[i] = t / L, in double (SciPy 1.10's
    /// NI_UniformFilter1D, bit for bit).
    /// </summary>
    internal static void RunningMean(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols, Kernel1D? axis0, Kernel1D? axis1, BoundaryMode mode, float cval)
    {
        var current = src.AsSpan(srcOffset, rows * cols).ToArray();
        foreach (var (axis, k) in new[] { (0, axis0), (1, axis1) })
        {
            if (k is null)
            {
                continue;
            }

            int n = axis == 0 ? rows : cols, lines = axis == 0 ? cols : rows, stride = axis == 0 ? cols : 1;
            int size = k.Length, before = k.Before;
            var next = new float[current.Length];
            for (int line = 0; line < lines; line++)
            {
                int start = axis == 0 ? line : line * cols;
                double At(long t)
                {
                    int m = Boundary.Map(t, n, mode);
                    return m < 0 ? cval : current[start + (m * stride)];
                }

                double t = 0;
                for (int q = 0; q < size; q++)
                {
                    t += At(q - before);
                }

                next[start] = (float)(t / size);
                for (int i = 1; i < n; i++)
                {
                    t += At(i - 1L + size - before) - At(i - 1L - before);
                    next[start + (i * stride)] = (float)(t / size);
                }
            }

            current = next;
        }

        current.CopyTo(dst, dstOffset);
    }

    /// <summary>
    /// One line along axis 1: <c>out[i] = fl32(T_L(i) · scale)</c> for i &lt; n, <c>T_L(i)</c> the float32 sum of
    /// <c>p[i .. i + L)</c> by doubling. With <c>W_1 = p</c> and <c>W_{2m}[i] = fl32(W_m[i] + W_m[i + m])</c>
    /// (the sums of 2m consecutive values), the set bits b₁ &lt; b₂ &lt; … of L each contribute one window:
    /// <c>T_L(i) = (…((W_{2^b₁}[i] + W_{2^b₂}[i + 2^b₁]) + W_{2^b₃}[i + 2^b₁ + 2^b₂]) + …)</c>, added left to right in
    /// float32 (e.g. L = 3: p[i] + (p[i+1] + p[i+2]); L = 21: (p[i] + W_4[i+1]) + W_16[i+5]). Every input goes
    /// through at most D = ⌊log2 L⌋ + popcount(L) − 1 float32 adds, so <c>|T_L(i) − Σ p| ≤ γ_D · Σ|p|</c>
    /// (γ_D = D·u / (1 − D·u)), whatever n.
    /// <para>
    /// How it is evaluated (the tree, hence every bit of the result, is the same): passes over the line
    /// replace W_m by W_{4m} (or W_{2m}) in place, adding the windows of the low bits to <paramref name="sums"/>
    /// on the way, until at most 8·m of the box is left; that rest is summed straight from W_m (≤ 8 loads per
    /// vector). So L ≤ 8 reads the line once; 9 ≤ L ≤ 35 takes one pass (W_2 or W_4 into sums, p kept for the
    /// low windows) and a final sweep; O(log L) per value.
    /// </para>
    /// <para>
    /// p holds the n + L − 1 values of the padded line and is overwritten; it must have room for
    /// n + L + 3·Vector&lt;float&gt;.Count floats, the ones past n + L − 1 finite (zero them once).
    /// sums is scratch of n + L + 3·Vector&lt;float&gt;.Count floats, finite (zero them once). outRow must not
    /// overlap p or sums.
    /// </para>
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void BoxSumLine(float* p, int n, int length, float* sums, float* outRow, float scale)
    {
        int w = Vector<float>.Count;
        int m = 1;        // p[i] holds W_m[i], the sum of the m inputs from i
        int offset = 0;   // sums[i] holds the left-to-right sum of the windows [i, i + offset) taken so far
        bool have = false;
        int bits = length; // the windows still to take: bits · m inputs
        if (bits > 8 && bits < 36)
        {
            // 9 ≤ L ≤ 35: one pass, out of place into sums (W_2 for L < 16, else W_4); the low windows (W_1, W_2)
            // are read from the intact p in the final sweep, which then adds the ≤ 8 windows from sums.
            bool radix4 = bits >= 16;
            int step = radix4 ? 4 : 2;
            int count = n + length - step;
            for (int i = 0; i < count; i += w)
            {
                var pair = Vector.Load(p + i) + Vector.Load(p + i + 1);
                Vector.Store(radix4 ? pair + (Vector.Load(p + i + 2) + Vector.Load(p + i + 3)) : pair, sums + i);
            }

            int low = bits & (step - 1);
            float* rest = sums + low;
            switch (bits >> (radix4 ? 2 : 1))
            {
                case 2: LowRestSweep<Rest2>(p, low, rest, n, step, outRow, scale); break;
                case 3: LowRestSweep<Rest3>(p, low, rest, n, step, outRow, scale); break;
                case 4: LowRestSweep<Rest4>(p, low, rest, n, step, outRow, scale); break;
                case 5: LowRestSweep<Rest5>(p, low, rest, n, step, outRow, scale); break;
                case 6: LowRestSweep<Rest6>(p, low, rest, n, step, outRow, scale); break;
                case 7: LowRestSweep<Rest7>(p, low, rest, n, step, outRow, scale); break;
                default: LowRestSweep<Rest8>(p, low, rest, n, step, outRow, scale); break;
            }

            return;
        }

        while (bits > 8)
        {
            bool radix4 = bits >= 16;
            int step = radix4 ? 4 : 2;
            int count = n + length - (step * m); // the new W is read on [0, count) later
            int low = bits & (step - 1);         // the windows below the new level: W_m (bit 0), W_2m (bit 1)
            int m2 = 2 * m;
            int m3 = 3 * m;
            int i = 0;
            if (low != 0)
            {
                // sums (+)= the low windows in order, fused with the new level in place (all loads first).
                int o0 = offset;
                int o1 = offset + ((low & 1) != 0 ? m : 0);
                for (; i < n; i += w)
                {
                    var x0 = Vector.Load(p + i);
                    var x1 = Vector.Load(p + i + m);
                    var next = radix4 ? (x0 + x1) + (Vector.Load(p + i + m2) + Vector.Load(p + i + m3)) : x0 + x1;
                    var acc = Vector.Load(sums + i);
                    bool first = !have;
                    if ((low & 1) != 0)
                    {
                        acc = first ? Vector.Load(p + i + o0) : acc + Vector.Load(p + i + o0);
                        first = false;
                    }

                    if ((low & 2) != 0)
                    {
                        var t = Vector.Load(p + i + o1) + Vector.Load(p + i + o1 + m);
                        acc = first ? t : acc + t;
                    }

                    Vector.Store(acc, sums + i);
                    Vector.Store(next, p + i);
                }

                have = true;
                offset += low * m;
            }

            if (radix4)
            {
                for (; i < count; i += w)
                {
                    Vector.Store((Vector.Load(p + i) + Vector.Load(p + i + m)) + (Vector.Load(p + i + m2) + Vector.Load(p + i + m3)), p + i);
                }
            }
            else
            {
                for (; i < count; i += w)
                {
                    Vector.Store(Vector.Load(p + i) + Vector.Load(p + i + m), p + i);
                }
            }

            m *= step;
            bits >>= radix4 ? 2 : 1;
        }

        // The rest, 1 ≤ bits ≤ 8 windows of W_m from p + offset, summed straight (one loop per case).
        float* q = p + offset;
        switch (bits)
        {
            case 1: RestSweep<Rest1>(q, n, m, sums, have, outRow, scale); break;
            case 2: RestSweep<Rest2>(q, n, m, sums, have, outRow, scale); break;
            case 3: RestSweep<Rest3>(q, n, m, sums, have, outRow, scale); break;
            case 4: RestSweep<Rest4>(q, n, m, sums, have, outRow, scale); break;
            case 5: RestSweep<Rest5>(q, n, m, sums, have, outRow, scale); break;
            case 6: RestSweep<Rest6>(q, n, m, sums, have, outRow, scale); break;
            case 7: RestSweep<Rest7>(q, n, m, sums, have, outRow, scale); break;
            default: RestSweep<Rest8>(q, n, m, sums, have, outRow, scale); break;
        }
    }

    /// <summary>
    /// out[j] = (the left-to-right sum of sums[j] (if <paramref name="have"/>) and the windows of
    /// <typeparamref name="T"/> at q + j) · scale; the last vector overlaps (the sweep only reads q and sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RestSweep<T>(float* q, int n, int m, float* sums, bool have, float* outRow, float scale)
        where T : struct, IRest
    {
        int w = Vector<float>.Count;
        var s = new Vector<float>(scale);
        if (n < w)
        {
            // A short line: one vector (lanes past n read the finite slack), n values kept.
            var v = (have ? T.After(Vector.Load(sums), q, m) : T.Windows(q, m)) * s;
            for (int t = 0; t < n; t++)
            {
                outRow[t] = v[t];
            }

            return;
        }

        int j = 0;
        if (have)
        {
            for (; j <= n - w; j += w)
            {
                Vector.Store(T.After(Vector.Load(sums + j), q + j, m) * s, outRow + j);
            }

            if (j < n)
            {
                j = n - w;
                Vector.Store(T.After(Vector.Load(sums + j), q + j, m) * s, outRow + j);
            }
        }
        else
        {
            for (; j <= n - w; j += w)
            {
                Vector.Store(T.Windows(q + j, m) * s, outRow + j);
            }

            if (j < n)
            {
                j = n - w;
                Vector.Store(T.Windows(q + j, m) * s, outRow + j);
            }
        }
    }

    /// <summary>
    /// out[j] = (the left-to-right sum of the low windows at p + j — none, W_1, W_2, or W_1 then W_2 for
    /// <paramref name="low"/> = 0..3 — and the windows of <typeparamref name="T"/> at q + j) · scale.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LowRestSweep<T>(float* p, int low, float* q, int n, int m, float* outRow, float scale)
        where T : struct, IRest
    {
        int w = Vector<float>.Count;
        var s = new Vector<float>(scale);
        if (n < w)
        {
            // A short line: one vector (lanes past n read the finite slack), n values kept.
            var v = LowRest<T>(p, low, q, m) * s;
            for (int t = 0; t < n; t++)
            {
                outRow[t] = v[t];
            }

            return;
        }

        int j = 0;
        for (; j <= n - w; j += w)
        {
            Vector.Store(LowRest<T>(p + j, low, q + j, m) * s, outRow + j);
        }

        if (j < n)
        {
            j = n - w;
            Vector.Store(LowRest<T>(p + j, low, q + j, m) * s, outRow + j);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector<float> LowRest<T>(float* p, int low, float* q, int m)
        where T : struct, IRest => low switch
    {
        0 => T.Windows(q, m),
        1 => T.After(Vector.Load(p), q, m),
        2 => T.After(Vector.Load(p) + Vector.Load(p + 1), q, m),
        _ => T.After(Vector.Load(p) + (Vector.Load(p + 1) + Vector.Load(p + 2)), q, m),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector<float> Pair2(float* x, int m) => Vector.Load(x) + Vector.Load(x + m);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector<float> Pair4(float* x, int m) => Pair2(x, m) + Pair2(x + (2 * m), m);

    /// <summary>
    /// The last 1..8 windows of a box, for B = the number in the name: <see cref="Windows"/> is their
    /// left-to-right sum, <see cref="After"/> the same sum started from acc (acc + first + second …), where
    /// the windows are those of the set bits of B in increasing order, each a pairwise sum of the W_m values m
    /// apart from where the previous one ended (x for the first). Written out so each case is one loop.
    /// </summary>
    private unsafe interface IRest
    {
        static abstract Vector<float> Windows(float* x, int m);

        static abstract Vector<float> After(Vector<float> acc, float* x, int m);
    }

    private unsafe struct Rest1 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => Vector.Load(x);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => acc + Vector.Load(x);
    }

    private unsafe struct Rest2 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => Pair2(x, m);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => acc + Pair2(x, m);
    }

    private unsafe struct Rest3 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => Vector.Load(x) + Pair2(x + m, m);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => (acc + Vector.Load(x)) + Pair2(x + m, m);
    }

    private unsafe struct Rest4 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => Pair4(x, m);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => acc + Pair4(x, m);
    }

    private unsafe struct Rest5 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => Vector.Load(x) + Pair4(x + m, m);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => (acc + Vector.Load(x)) + Pair4(x + m, m);
    }

    private unsafe struct Rest6 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => Pair2(x, m) + Pair4(x + (2 * m), m);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => (acc + Pair2(x, m)) + Pair4(x + (2 * m), m);
    }

    private unsafe struct Rest7 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => (Vector.Load(x) + Pair2(x + m, m)) + Pair4(x + (3 * m), m);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => ((acc + Vector.Load(x)) + Pair2(x + m, m)) + Pair4(x + (3 * m), m);
    }

    private unsafe struct Rest8 : IRest
    {
        public static Vector<float> Windows(float* x, int m) => Pair4(x, m) + Pair4(x + (4 * m), m);

        public static Vector<float> After(Vector<float> acc, float* x, int m) => acc + (Pair4(x, m) + Pair4(x + (4 * m), m));
    }

    /// <summary>
    /// One row of the axis-0 running sum: <c>mid[j] = (float)(acc[j] · scale)</c>, then (if <paramref name="add"/>
    /// is not null) <c>acc[j] += (double)add[j] − (double)sub[j]</c>; vectorised along the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void ColumnStep(double* acc, float* mid, int cols, double scale, float* add, float* sub)
    {
        int w = Vector<float>.Count;
        int dw = Vector<double>.Count;
        var s = new Vector<double>(scale);
        int j = 0;
        if (add is null)
        {
            for (; j <= cols - w; j += w)
            {
                Vector.Store(Vector.Narrow(Vector.Load(acc + j) * s, Vector.Load(acc + j + dw) * s), mid + j);
            }

            for (; j < cols; j++)
            {
                mid[j] = (float)(acc[j] * scale);
            }

            return;
        }

        for (; j <= cols - w; j += w)
        {
            var a0 = Vector.Load(acc + j);
            var a1 = Vector.Load(acc + j + dw);
            Vector.Store(Vector.Narrow(a0 * s, a1 * s), mid + j);
            Vector.Widen(Vector.Load(add + j), out var n0, out var n1);
            Vector.Widen(Vector.Load(sub + j), out var o0, out var o1);
            Vector.Store(a0 + (n0 - o0), acc + j);
            Vector.Store(a1 + (n1 - o1), acc + j + dw);
        }

        for (; j < cols; j++)
        {
            double a = acc[j];
            mid[j] = (float)(a * scale);
            acc[j] = a + ((double)add[j] - sub[j]);
        }
    }

    /// <summary>acc[j] += (double)row[j], vectorised.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void AddRow(double* acc, float* row, int cols)
    {
        int w = Vector<float>.Count;
        int dw = Vector<double>.Count;
        int j = 0;
        for (; j <= cols - w; j += w)
        {
            Vector.Widen(Vector.Load(row + j), out var lo, out var hi);
            Vector.Store(Vector.Load(acc + j) + lo, acc + j);
            Vector.Store(Vector.Load(acc + j + dw) + hi, acc + j + dw);
        }

        for (; j < cols; j++)
        {
            acc[j] += row[j];
        }
    }

    /// <summary>The per-chunk work of <see cref="ApplyBox"/> (pointers stay pinned by the caller).</summary>
    private sealed unsafe class BoxJob
    {
        private readonly float* src;
        private readonly float* dst;
        private readonly int rows;
        private readonly int cols;
        private readonly Kernel1D? k0;
        private readonly Kernel1D? k1;
        private readonly BoundaryMode mode;
        private readonly float cval;
        private readonly int chunkRows;

        /// <summary>For the axis-1 padding: the in-row index each padded position reads (-1: cval).</summary>
        private readonly int[] pad;

        private int sawNonFinite;

        /// <summary>Whether a chunk met NaN or an infinity (a column's running sum at the chunk's end, or a written row).</summary>
        public bool SawNonFinite => Volatile.Read(ref sawNonFinite) != 0;

        public BoxJob(float* src, float* dst, int rows, int cols, Kernel1D? k0, Kernel1D? k1, BoundaryMode mode, float cval, int chunkRows)
        {
            this.src = src;
            this.dst = dst;
            this.rows = rows;
            this.cols = cols;
            this.k0 = k0;
            this.k1 = k1;
            this.mode = mode;
            this.cval = cval;
            this.chunkRows = chunkRows;
            int before = k1?.Before ?? 0;
            int after = k1?.After ?? 0;
            pad = new int[before + after];
            for (int t = 0; t < before; t++)
            {
                pad[t] = Boundary.Map(t - before, cols, mode);
            }

            for (int t = 0; t < after; t++)
            {
                pad[before + t] = Boundary.Map(cols + t, cols, mode);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int chunk)
        {
            int r0 = chunk * chunkRows;
            int r1 = Math.Min(rows, r0 + chunkRows);
            if (r0 >= r1)
            {
                return;
            }

            int w = Vector<float>.Count;
            int l1 = k1?.Length ?? 0;
            int lineLen = k1 is null ? 0 : cols + l1 + (3 * w);
            int sumLen = k1 is null ? 0 : cols + l1 + (3 * w);
            int cvalLen = k0 is not null && mode == BoundaryMode.Constant ? cols : 0;
            float[] floats = ArrayPool<float>.Shared.Rent(Math.Max(1, lineLen + sumLen + cvalLen));
            double[] doubles = ArrayPool<double>.Shared.Rent(k0 is null ? 1 : cols);
            try
            {
                fixed (float* fp = floats)
                fixed (double* acc = doubles)
                {
                    float* line = fp;
                    float* sums = line + lineLen;
                    float* cvalRow = sums + sumLen;
                    new Span<float>(fp, lineLen + sumLen).Clear();
                    new Span<float>(cvalRow, cvalLen).Fill(cval);
                    int before1 = k1?.Before ?? 0;
                    int before0 = k0?.Before ?? 0;
                    int l0 = k0?.Length ?? 0;
                    double scale0 = 1.0 / l0;
                    float scale1 = (float)(1.0 / l1);
                    if (k0 is not null)
                    {
                        new Span<double>(acc, cols).Clear();
                        for (int k = 0; k < l0; k++)
                        {
                            AddRow(acc, RowAt(r0 + k - before0, cvalRow), cols);
                        }
                    }

                    for (int i = r0; i < r1; i++)
                    {
                        float* outRow = dst + ((long)i * cols);
                        float* mid = k1 is null ? outRow : line + before1;
                        if (k0 is null)
                        {
                            Buffer.MemoryCopy(src + ((long)i * cols), mid, (long)cols * sizeof(float), (long)cols * sizeof(float));
                        }
                        else if (i + 1 < r1)
                        {
                            ColumnStep(acc, mid, cols, scale0, RowAt(i + l0 - before0, cvalRow), RowAt(i - before0, cvalRow));
                        }
                        else
                        {
                            ColumnStep(acc, mid, cols, scale0, null, null);
                        }

                        if (k1 is not null)
                        {
                            for (int t = 0; t < before1; t++)
                            {
                                int m = pad[t];
                                line[t] = m < 0 ? cval : mid[m];
                            }

                            float* tail = mid + cols;
                            for (int t = before1; t < pad.Length; t++)
                            {
                                int m = pad[t];
                                tail[t - before1] = m < 0 ? cval : mid[m];
                            }

                            BoxSumLine(line, cols, l1, sums, outRow, scale1);
                            if (k0 is null)
                            {
                                Check(new ReadOnlySpan<float>(outRow, cols));
                            }
                        }
                    }

                    // A NaN or an infinity that entered a column's running sum stays in it (NaN, or inf until it
                    // leaves as inf - inf): the sums at the chunk's end tell whether the chunk read one.
                    if (k0 is not null)
                    {
                        Check(new ReadOnlySpan<double>(acc, cols));
                    }
                }
            }
            finally
            {
                ArrayPool<double>.Shared.Return(doubles);
                ArrayPool<float>.Shared.Return(floats);
            }
        }

        private void Check<T>(ReadOnlySpan<T> values)
            where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        {
            if (!NonFinite.AllFinite(values))
            {
                Volatile.Write(ref sawNonFinite, 1);
            }
        }

        private float* RowAt(long t, float* cvalRow)
        {
            int m = Boundary.Map(t, rows, mode);
            return m < 0 ? cvalRow : src + ((long)m * cols);
        }
    }
}

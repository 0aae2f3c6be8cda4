using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// SciPy's <c>gaussian_filter1d</c> (order 0) as Canny needs it: the kernel of <c>_gaussian_kernel1d</c>
/// (exp(-0.5 / sigma^2 * x^2) normalised by NumPy's pairwise sum, radius int(truncate * sigma + 0.5)) applied with
/// the symmetric loop of <c>NI_Correlate1D</c>: out = x[0] w[0] + sum over j = -r..-1 of (x[j] + x[-j]) w[j], in double,
/// stored in the array's type. Kept for Canny rather than the shared <see cref="SeparableFilter"/> (float32 weights,
/// another summation order), because Canny's non-maximum suppression keeps exact ties that only SciPy's own
/// arithmetic reproduces.
/// </summary>
internal static class CannyGaussian
{
    public static double[] Kernel(double sigma, double truncate)
    {
        int radius = (int)((truncate * sigma) + 0.5);
        double sigma2 = sigma * sigma;
        double a = -0.5 / sigma2;
        var phi = new double[(2 * radius) + 1];
        for (int i = 0; i < phi.Length; i++)
        {
            double x = i - radius;
            phi[i] = Math.Exp(a * (x * x));
        }

        double sum = PairwiseSum(phi, 0, phi.Length);
        for (int i = 0; i < phi.Length; i++)
        {
            phi[i] /= sum;
        }

        return phi;
    }

    /// <summary>NumPy's pairwise summation (numpy/core/src/umath/loops_utils.h, PW_BLOCKSIZE 128, 8 accumulators).</summary>
    internal static double PairwiseSum(double[] a, int start, int n)
    {
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += a[start + i];
            }

            return res;
        }

        if (n <= 128)
        {
            var r = new double[8];
            for (int j = 0; j < 8; j++)
            {
                r[j] = a[start + j];
            }

            int i;
            for (i = 8; i < n - (n % 8); i += 8)
            {
                for (int j = 0; j < 8; j++)
                {
                    r[j] += a[start + i + j];
                }
            }

            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += a[start + i];
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a, start, n2) + PairwiseSum(a, start + n2, n - n2);
    }

    /// <summary>
    /// One pass along <paramref name="axis"/> over a frame held in doubles. With <paramref name="toFloat"/> every
    /// result is rounded to float32 (SciPy's output array for a float32 input). Each output element is computed
    /// exactly as <c>NI_Correlate1D</c>'s symmetric loop does (x[0] w[0], then + (x[j] + x[-j]) w[j] for j = -r..-1,
    /// in double); rows are processed as vectors of doubles (lane-wise IEEE arithmetic, no fused multiply-add), so
    /// the result is the same whatever the vector width or the number of threads. <paramref name="length"/>: the
    /// frame's rows x cols values at the start of a longer (pooled) array; by default the whole array.
    /// </summary>
    public static void Correlate1D(double[] data, int rows, int cols, int axis, double[] w, BoundaryMode mode, double cval, bool toFloat, int threads = 1, int length = -1)
    {
        int n = length < 0 ? data.Length : length; // a pooled array may be longer than the frame
        var output = System.Buffers.ArrayPool<double>.Shared.Rent(Math.Max(1, n));
        Correlate1D(data, output, rows, cols, axis, w, mode, cval, toFloat, threads);
        output.AsSpan(0, n).CopyTo(data);
        System.Buffers.ArrayPool<double>.Shared.Return(output);
    }

    /// <summary>
    /// <see cref="Correlate1D(double[], int, int, int, double[], BoundaryMode, double, bool, int, int)"/> from
    /// <paramref name="data"/> into <paramref name="output"/> (rows x cols at the start of each; distinct arrays). The
    /// ops that smooth a whole frame use <see cref="ScipyGaussian"/>'s bands; this pass is the reference they are
    /// tested against and what one-axis callers use.
    /// </summary>
    public static unsafe void Correlate1D(double[] data, double[] output, int rows, int cols, int axis, double[] w, BoundaryMode mode, double cval, bool toFloat, int threads = 1)
    {
        if (ReferenceEquals(data, output))
        {
            throw new ArgumentException("output must not be the input array", nameof(output));
        }

        if ((long)rows * cols > data.Length || (long)rows * cols > output.Length)
        {
            throw new ArgumentException("the arrays do not hold rows x cols");
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        if (axis == 0)
        {
            var constantRow = new double[cols];
            constantRow.AsSpan().Fill(cval);
            Parallel.For(0, rows, options, t =>
            {
                fixed (double* d = data, constant = constantRow, o = output)
                {
                    RowAxis0(d, cols, rows, cols, t, constant, w, mode, o + ((long)t * cols), toFloat);
                }
            });
        }
        else
        {
            int radius = w.Length / 2;
            Parallel.For(0, rows, options, () => new double[cols + (2 * radius)], (t, _, ext) =>
            {
                fixed (double* o = output)
                {
                    RowAxis1(data.AsSpan(t * cols, cols), ext, w, mode, cval, o + ((long)t * cols), toFloat);
                }

                return ext;
            }, _ => { });
        }
    }

    /// <summary>
    /// Output row <paramref name="t"/> of the axis-0 pass into <paramref name="o"/> (cols values): input row t times
    /// the centre weight, then the pairs (row t + j, row t - j) for j = -r..-1, rows outside the frame mapped by the
    /// mode (<paramref name="constant"/>: a row of cval, for the constant modes).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void RowAxis0(double* d, int dataStride, int rows, int cols, int t, double* constant, double[] w, BoundaryMode mode, double* o, bool toFloat)
    {
        int radius = w.Length / 2;
        nint[]? rented = w.Length > MaxStackTaps ? System.Buffers.ArrayPool<nint>.Shared.Rent(w.Length) : null;
        nint* onStack = stackalloc nint[rented is null ? w.Length : 1];
        fixed (nint* onHeap = rented)
        {
            var p = (double**)(rented is null ? onStack : onHeap);
            RowPointers(p, d, dataStride, rows, t, constant, radius, mode);
            Taps(p, w, o, cols, toFloat);
        }

        if (rented is not null)
        {
            System.Buffers.ArrayPool<nint>.Shared.Return(rented);
        }
    }

    /// <summary>Kernels up to this many taps keep their row pointers on the stack (8 KiB); longer ones (sigma 1000 at truncate 100 has 200,001) in a pooled array.</summary>
    private const int MaxStackTaps = 1024;

    /// <summary>
    /// The 2r + 1 rows output row <paramref name="t"/> of the axis-0 pass reads, in <see cref="Taps(double**, double[], double*, int, bool)"/>'s
    /// order: row t, then rows t + j and t - j for j = -r..-1 (mapped by the mode; <paramref name="constant"/> for a
    /// row outside under the constant modes).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void RowPointers(double** p, double* d, int dataStride, int rows, int t, double* constant, int radius, BoundaryMode mode)
    {
        p[0] = d + ((long)t * dataStride);
        for (int j = -radius; j < 0; j++)
        {
            int a = Boundary.Map(t + j, rows, mode), b = Boundary.Map(t - j, rows, mode);
            int q = 2 * (j + radius);
            p[q + 1] = a < 0 ? constant : d + ((long)a * dataStride);
            p[q + 2] = b < 0 ? constant : d + ((long)b * dataStride);
        }
    }

    /// <summary>
    /// The axis-1 pass of one row <paramref name="line"/> into <paramref name="o"/>: the line extended by the mode into
    /// <paramref name="ext"/> (at least cols + 2r values), then the same taps along it.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void RowAxis1(ReadOnlySpan<double> line, double[] ext, double[] w, BoundaryMode mode, double cval, double* o, bool toFloat)
    {
        int radius = w.Length / 2, cols = line.Length;
        for (int k = -radius; k < cols + radius; k++)
        {
            if (k == 0 && cols > 0)
            {
                line.CopyTo(ext.AsSpan(radius, cols)); // inside the row every index maps to itself
                k = cols - 1;
                continue;
            }

            int m = Boundary.Map(k, cols, mode);
            ext[k + radius] = m < 0 ? cval : line[m];
        }

        fixed (double* e = ext)
        {
            TapsStrided(e + radius, 1, w, o, 0, cols, toFloat); // the taps one value apart along the extended line
        }
    }

    /// <summary>The most values (2r + cols) a row may hold for <see cref="RowsAxis1Eight"/> (its transposed rows: 8 doubles each).</summary>
    public const int MaxEightWide = 1 << 16;

    /// <summary>
    /// <see cref="RowAxis1"/> of eight rows at once (row q at lines + q * lineStride into to + q * toStride): the rows
    /// extended by the mode and transposed into <paramref name="t"/> (value k of row q at t[8 (k + r) + q], so each
    /// column is one 64-byte-aligned vector of the eight rows), the taps run down the columns with aligned loads (a row's
    /// shifted loads in <see cref="Taps(double**, double[], double*, int, int, bool)"/> mostly straddle two cache lines),
    /// into <paramref name="o"/> (column i at o[8 i]), then transposed back. Each value's operations and their order are
    /// RowAxis1's: x w[r], then + (left + right) w[r + j] for j = -r..-1, rounded to float32 when asked. t holds
    /// 8 (cols + 2r) doubles and o 8 cols, both 64-byte aligned; AVX-512 only.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void RowsAxis1Eight(double* lines, long lineStride, int cols, double[] w, BoundaryMode mode, double cval, double* t, double* o, double* to, long toStride, bool toFloat)
    {
        int radius = w.Length / 2;
        double* c0 = t + (8L * radius);
        int c = 0;
        for (; c <= cols - 8; c += 8)
        {
            Transpose8(lines + c, lineStride, c0 + (8L * c), 8);
        }

        for (; c < cols; c++)
        {
            for (int q = 0; q < 8; q++)
            {
                c0[(8L * c) + q] = lines[(q * lineStride) + c];
            }
        }

        var fill = System.Runtime.Intrinsics.Vector512.Create(cval);
        for (int k = -radius; k < cols + radius; k++)
        {
            if (k == 0)
            {
                k = cols - 1; // inside the row every index maps to itself
                continue;
            }

            int m = Boundary.Map(k, cols, mode);
            (m < 0 ? fill : System.Runtime.Intrinsics.Vector512.Load(c0 + (8L * m))).Store(c0 + (8L * k));
        }

        // Value q of column i is at 8 i + q: the columns are one run of 8 cols values, a tap 8 values away.
        TapsStrided(c0, 8, w, o, 0, 8 * cols, toFloat);

        c = 0;
        for (; c <= cols - 8; c += 8)
        {
            Transpose8(o + (8L * c), 8, to + c, toStride);
        }

        for (; c < cols; c++)
        {
            for (int q = 0; q < 8; q++)
            {
                to[(q * toStride) + c] = o[(8L * c) + q];
            }
        }
    }

    /// <summary>
    /// <see cref="Taps{TRows}"/> for values from..n-1 whose taps lie at a fixed step: acc[i] = centre[i] w[r], then +
    /// (centre[i + j step] + centre[i - j step]) w[r + j] for j = -r..-1 (the table of tap pointers measured slower where
    /// the step is known: axis 1 at sigma 3.2 on one thread 1.56-1.99 against 1.30 ms, two alternating pairs, 12:10).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void TapsStrided(double* centre, long step, double[] w, double* acc, int from, int n, bool toFloat)
        => Taps(new StridedRows(centre, step), w, acc, from, n, toFloat);

    /// <summary>The 8 x 8 doubles at src (rows srcStride apart) transposed into dst (rows dstStride apart).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Transpose8(double* src, long srcStride, double* dst, long dstStride)
    {
        var r0 = System.Runtime.Intrinsics.Vector512.Load(src);
        var r1 = System.Runtime.Intrinsics.Vector512.Load(src + srcStride);
        var r2 = System.Runtime.Intrinsics.Vector512.Load(src + (2 * srcStride));
        var r3 = System.Runtime.Intrinsics.Vector512.Load(src + (3 * srcStride));
        var r4 = System.Runtime.Intrinsics.Vector512.Load(src + (4 * srcStride));
        var r5 = System.Runtime.Intrinsics.Vector512.Load(src + (5 * srcStride));
        var r6 = System.Runtime.Intrinsics.Vector512.Load(src + (6 * srcStride));
        var r7 = System.Runtime.Intrinsics.Vector512.Load(src + (7 * srcStride));

        // Pairs of rows interleaved, then pairs of pairs, then halves: element (q, k) to (k, q).
        var t0 = Avx512F.UnpackLow(r0, r1);
        var t1 = Avx512F.UnpackHigh(r0, r1);
        var t2 = Avx512F.UnpackLow(r2, r3);
        var t3 = Avx512F.UnpackHigh(r2, r3);
        var t4 = Avx512F.UnpackLow(r4, r5);
        var t5 = Avx512F.UnpackHigh(r4, r5);
        var t6 = Avx512F.UnpackLow(r6, r7);
        var t7 = Avx512F.UnpackHigh(r6, r7);
        var i0 = System.Runtime.Intrinsics.Vector512.Create(0L, 1, 8, 9, 4, 5, 12, 13);
        var i1 = System.Runtime.Intrinsics.Vector512.Create(2L, 3, 10, 11, 6, 7, 14, 15);
        var u0 = Avx512F.PermuteVar8x64x2(t0, i0, t2);
        var u1 = Avx512F.PermuteVar8x64x2(t1, i0, t3);
        var u2 = Avx512F.PermuteVar8x64x2(t0, i1, t2);
        var u3 = Avx512F.PermuteVar8x64x2(t1, i1, t3);
        var u4 = Avx512F.PermuteVar8x64x2(t4, i0, t6);
        var u5 = Avx512F.PermuteVar8x64x2(t5, i0, t7);
        var u6 = Avx512F.PermuteVar8x64x2(t4, i1, t6);
        var u7 = Avx512F.PermuteVar8x64x2(t5, i1, t7);
        var j0 = System.Runtime.Intrinsics.Vector512.Create(0L, 1, 2, 3, 8, 9, 10, 11);
        var j1 = System.Runtime.Intrinsics.Vector512.Create(4L, 5, 6, 7, 12, 13, 14, 15);
        Avx512F.PermuteVar8x64x2(u0, j0, u4).Store(dst);
        Avx512F.PermuteVar8x64x2(u1, j0, u5).Store(dst + dstStride);
        Avx512F.PermuteVar8x64x2(u2, j0, u6).Store(dst + (2 * dstStride));
        Avx512F.PermuteVar8x64x2(u3, j0, u7).Store(dst + (3 * dstStride));
        Avx512F.PermuteVar8x64x2(u0, j1, u4).Store(dst + (4 * dstStride));
        Avx512F.PermuteVar8x64x2(u1, j1, u5).Store(dst + (5 * dstStride));
        Avx512F.PermuteVar8x64x2(u2, j1, u6).Store(dst + (6 * dstStride));
        Avx512F.PermuteVar8x64x2(u3, j1, u7).Store(dst + (7 * dstStride));
    }

    /// <summary>
    /// <see cref="Taps{TRows}"/> over a table of tap rows: p[0] the centre row, p[2 (j + r) + 1] and p[2 (j + r) + 2] those
    /// of taps j and -j (rows the mode maps near the frame's edge).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Taps(double** p, double[] w, double* acc, int n, bool toFloat) => Taps(new TableRows(p, w.Length / 2), w, acc, 0, n, toFloat);

    /// <summary><see cref="Taps(double**, double[], double*, int, bool)"/> for the values from..n-1 only: a strip of columns.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Taps(double** p, double[] w, double* acc, int from, int n, bool toFloat) => Taps(new TableRows(p, w.Length / 2), w, acc, from, n, toFloat);

    /// <summary>Where value i's taps are: its centre, and the pair of taps j and -j (j = -r..-1).</summary>
    private unsafe interface ITapRows
    {
        double* Centre(int i);

        double* Near(int j, int i);

        double* Far(int j, int i);
    }

    /// <summary>Taps a fixed step apart along one line (the operator of <see cref="TapsStrided"/>).</summary>
    private readonly unsafe struct StridedRows(double* centre, long step) : ITapRows
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public double* Centre(int i) => centre + i;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public double* Near(int j, int i) => centre + i + (j * step);

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public double* Far(int j, int i) => centre + i - (j * step);
    }

    /// <summary>Taps in rows of their own, through a table of row pointers (the operator of <see cref="Taps(double**, double[], double*, int, bool)"/>).</summary>
    private readonly unsafe struct TableRows(double** p, int radius) : ITapRows
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public double* Centre(int i) => p[0] + i;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public double* Near(int j, int i) => p[(2 * (j + radius)) + 1] + i;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public double* Far(int j, int i) => p[(2 * (j + radius)) + 2] + i;
    }

    /// <summary>
    /// acc[i] = x[i] w[r], then acc[i] += (a_j[i] + b_j[i]) w[r + j] for j = -r..-1 (x, a_j and b_j where
    /// <typeparamref name="TRows"/> says: one driver for both ways of finding the taps), for the values from..n-1, each
    /// value's sum kept in a register across the taps (NI_Correlate1D's operations in its order; the passes over the
    /// whole row per tap they replace gave the same bits), rounded to float32 when asked.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Taps<TRows>(TRows rows, double[] w, double* acc, int from, int n, bool toFloat)
        where TRows : struct, ITapRows
    {
        int radius = w.Length / 2, i = from;
        fixed (double* w0 = w)
        {
            if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
            {
                // Four vectors at a time: four independent sums hide the add's latency (one sum per tap chain was
                // bound by it); each value's operations and their order are those of the loop below.
                var wc = System.Runtime.Intrinsics.Vector512.Create(w0[radius]);
                for (; i <= n - 32; i += 32)
                {
                    double* x = rows.Centre(i);
                    var s0 = System.Runtime.Intrinsics.Vector512.Load(x) * wc;
                    var s1 = System.Runtime.Intrinsics.Vector512.Load(x + 8) * wc;
                    var s2 = System.Runtime.Intrinsics.Vector512.Load(x + 16) * wc;
                    var s3 = System.Runtime.Intrinsics.Vector512.Load(x + 24) * wc;
                    for (int j = -radius; j < 0; j++)
                    {
                        double* a = rows.Near(j, i), b = rows.Far(j, i);
                        var wj = System.Runtime.Intrinsics.Vector512.Create(w0[radius + j]);
                        s0 += (System.Runtime.Intrinsics.Vector512.Load(a) + System.Runtime.Intrinsics.Vector512.Load(b)) * wj;
                        s1 += (System.Runtime.Intrinsics.Vector512.Load(a + 8) + System.Runtime.Intrinsics.Vector512.Load(b + 8)) * wj;
                        s2 += (System.Runtime.Intrinsics.Vector512.Load(a + 16) + System.Runtime.Intrinsics.Vector512.Load(b + 16)) * wj;
                        s3 += (System.Runtime.Intrinsics.Vector512.Load(a + 24) + System.Runtime.Intrinsics.Vector512.Load(b + 24)) * wj;
                    }

                    if (toFloat)
                    {
                        s0 = System.Runtime.Intrinsics.Vector512.WidenLower(System.Runtime.Intrinsics.Vector512.Narrow(s0, s0));
                        s1 = System.Runtime.Intrinsics.Vector512.WidenLower(System.Runtime.Intrinsics.Vector512.Narrow(s1, s1));
                        s2 = System.Runtime.Intrinsics.Vector512.WidenLower(System.Runtime.Intrinsics.Vector512.Narrow(s2, s2));
                        s3 = System.Runtime.Intrinsics.Vector512.WidenLower(System.Runtime.Intrinsics.Vector512.Narrow(s3, s3));
                    }

                    s0.Store(acc + i);
                    s1.Store(acc + i + 8);
                    s2.Store(acc + i + 16);
                    s3.Store(acc + i + 24);
                }

                for (; i <= n - 8; i += 8)
                {
                    var sum = System.Runtime.Intrinsics.Vector512.Load(rows.Centre(i)) * wc;
                    for (int j = -radius; j < 0; j++)
                    {
                        sum += (System.Runtime.Intrinsics.Vector512.Load(rows.Near(j, i)) + System.Runtime.Intrinsics.Vector512.Load(rows.Far(j, i))) * System.Runtime.Intrinsics.Vector512.Create(w0[radius + j]);
                    }

                    if (toFloat)
                    {
                        sum = System.Runtime.Intrinsics.Vector512.WidenLower(System.Runtime.Intrinsics.Vector512.Narrow(sum, sum));
                    }

                    sum.Store(acc + i);
                }
            }
            else if (System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            {
                for (; i <= n - 4; i += 4)
                {
                    var sum = System.Runtime.Intrinsics.Vector256.Load(rows.Centre(i)) * System.Runtime.Intrinsics.Vector256.Create(w0[radius]);
                    for (int j = -radius; j < 0; j++)
                    {
                        sum += (System.Runtime.Intrinsics.Vector256.Load(rows.Near(j, i)) + System.Runtime.Intrinsics.Vector256.Load(rows.Far(j, i))) * System.Runtime.Intrinsics.Vector256.Create(w0[radius + j]);
                    }

                    if (toFloat)
                    {
                        sum = System.Runtime.Intrinsics.Vector256.WidenLower(System.Runtime.Intrinsics.Vector256.Narrow(sum, sum));
                    }

                    sum.Store(acc + i);
                }
            }

            for (; i < n; i++)
            {
                double sum = *rows.Centre(i) * w0[radius];
                for (int j = -radius; j < 0; j++)
                {
                    sum += (*rows.Near(j, i) + *rows.Far(j, i)) * w0[radius + j];
                }

                acc[i] = toFloat ? (float)sum : sum;
            }
        }
    }
}

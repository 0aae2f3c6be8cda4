using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// scipy.ndimage.correlate / convolve (1.10) of a 2-D image with a k0 x k1 matrix of weights, or of each frame of a
/// stack. The exact scalar meaning, SciPy's NI_Correlate:
/// <code>
/// taps   = the cells (a, b) of the weights, rows first, with |w[a, b]| > DBL_EPSILON (smaller and NaN weights are
///          skipped, so 0 x inf never makes a NaN)
/// out[i, j] = (float)(0.0 + w[a0, b0] * x_ext(i + a0 - c0, j + b0 - c1) + w[a1, b1] * ... )   over the taps in order,
///          every product and sum in float64 (no fused multiply-add); c0 = k0 // 2 + origin0, c1 = k1 // 2 + origin1
/// </code>
/// x_ext extends the frame under the boundary mode (<see cref="Boundary.Map"/>); where mode constant reads outside,
/// the product is w * cval with cval the float64 the recipe wrote (not rounded to float32). convolve is correlate
/// with the weights reversed on both axes and each origin o made -o, and -o - 1 on an axis of even length (SciPy's
/// _correlate_or_convolve).
/// <para>
/// correlate1d / convolve1d (<see cref="Line"/>) are SciPy's NI_Correlate1D along one axis, the weights a 1 x k (or
/// k x 1) matrix with every weight a tap (0 x inf is NaN there): with c = k // 2, a kernel of odd length whose weights
/// satisfy |w[c + m] - w[c - m]| &lt;= DBL_EPSILON for every m is summed
/// <c>w[c] * x[c] + (x[c - m] + x[c + m]) * w[c - m]</c> for m = c down to 1; with |w[c + m] + w[c - m]| &lt;=
/// DBL_EPSILON, <c>w[c] * x[c] + (x[c - m] - x[c + m]) * w[c - m]</c>; any other as
/// <c>w[k-1] * x[k-1] + w[0] * x[0] + ... + w[k-2] * x[k-2]</c> (x[t] the sample tap t reads; the first product is
/// the start, not added to 0.0, so -0 stays -0).
/// </para>
/// <para>
/// The fast path (<see cref="Apply"/>) keeps, per block of rows, a ring of k0 rows extended to k1 - 1 more columns
/// and widened to float64 once, and sums 8 (512-bit) or 4 (256-bit) outputs per vector, eight vectors at a time, in
/// the terms' order: the same operations as the scalar meaning (<see cref="Reference"/>), so the same bits (tests
/// compare every width, every length 1..70 and every mode).
/// </para>
/// </summary>
public static class Correlate
{
    /// <summary>The weights scipy skips: |w| &lt;= DBL_EPSILON (and NaN, which compares false).</summary>
    public const double Epsilon = 2.220446049250313e-16;

    /// <summary>The widest vector path this machine runs: 512, 256 or 0 bits (the scalar meaning only).</summary>
    internal static int Widest => Avx512F.IsSupported ? 512 : Avx.IsSupported ? 256 : 0;

    /// <summary>The weights and origin that correlate uses for <paramref name="convolve"/> (SciPy's reversal).</summary>
    public static (double[][] Weights, int O0, int O1) Oriented(double[][] weights, IReadOnlyList<int>? origin, bool convolve)
    {
        int o0 = origin is { Count: > 0 } ? origin[0] : 0;
        int o1 = origin is { Count: > 1 } ? origin[1] : o0;
        if (!convolve)
        {
            return (weights, o0, o1);
        }

        int k0 = weights.Length, k1 = weights[0].Length;
        var reversed = new double[k0][];
        for (int a = 0; a < k0; a++)
        {
            reversed[a] = new double[k1];
            for (int b = 0; b < k1; b++)
            {
                reversed[a][b] = weights[k0 - 1 - a][k1 - 1 - b];
            }
        }

        return (reversed, -o0 - ((k0 & 1) == 0 ? 1 : 0), -o1 - ((k1 & 1) == 0 ? 1 : 0));
    }

    /// <summary>The taps SciPy's correlate sums, rows first: every weight with |w| &gt; DBL_EPSILON (NaN is skipped too).</summary>
    public static (int A, int B, double W)[] Taps(double[][] weights)
    {
        var taps = new List<(int, int, double)>();
        for (int a = 0; a < weights.Length; a++)
        {
            for (int b = 0; b < weights[a].Length; b++)
            {
                if (Math.Abs(weights[a][b]) > Epsilon)
                {
                    taps.Add((a, b, weights[a][b]));
                }
            }
        }

        return [.. taps];
    }

    /// <summary>correlate (or convolve) of each frame, on up to <paramref name="threads"/> threads.</summary>
    public static ImageArray Apply(ImageArray src, double[][] weights, IReadOnlyList<int>? origin, BoundaryMode mode, double cval, bool convolve, int threads)
        => Apply(src, weights, origin, mode, cval, convolve, line: false, threads, Widest);

    /// <summary>correlate1d (or convolve1d) along <paramref name="axis"/> (the class summary gives SciPy's order of terms).</summary>
    public static ImageArray Line(ImageArray src, IReadOnlyList<double> weights, int axis, int origin, BoundaryMode mode, double cval, bool convolve, int threads)
        => Apply(src, LineMatrix(weights, axis), LineOrigin(origin, axis), mode, cval, convolve, line: true, threads, Widest);

    /// <summary>A 1-D kernel as a matrix: one row (axis 1) or one column (axis 0).</summary>
    public static double[][] LineMatrix(IReadOnlyList<double> weights, int axis)
        => NdFilters.NormalizeAxis(axis) == 0 ? [.. weights.Select(w => new[] { w })] : [[.. weights]];

    /// <summary>A 1-D origin as a per-axis origin.</summary>
    public static int[] LineOrigin(int origin, int axis) => NdFilters.NormalizeAxis(axis) == 0 ? [origin, 0] : [0, origin];

    /// <summary>
    /// The terms a correlation sums, in order, and how: correlate's taps from 0.0, or correlate1d's (oriented weights
    /// of one row or one column) in NI_Correlate1D's order, pairs for symmetric and antisymmetric kernels.
    /// </summary>
    internal static Plan PlanOf(double[][] w, bool line)
    {
        if (!line)
        {
            var taps = Taps(w);
            return new Plan([.. taps.Select(t => (t.A, t.B))], [], [.. taps.Select(t => t.W)], Summation.FromZero);
        }

        bool column = w[0].Length == 1 && w.Length > 1;
        double[] v = column ? [.. w.Select(r => r[0])] : w[0];
        (int, int) At(int k) => column ? (k, 0) : (0, k);
        int n = v.Length, c = n / 2;
        var how = Summation.Symmetric;
        if (n % 2 == 1)
        {
            for (int m = 1; m <= c && how == Summation.Symmetric; m++)
            {
                how = Math.Abs(v[c + m] - v[c - m]) > Epsilon ? Summation.Antisymmetric : how;
            }

            for (int m = 1; m <= c && how == Summation.Antisymmetric; m++)
            {
                how = Math.Abs(v[c + m] + v[c - m]) > Epsilon ? Summation.FirstAssigned : how;
            }
        }
        else
        {
            how = Summation.FirstAssigned;
        }

        if (how == Summation.FirstAssigned)
        {
            int[] order = [n - 1, .. Enumerable.Range(0, n - 1)];
            return new Plan([.. order.Select(At)], [], [.. order.Select(k => v[k])], how);
        }

        int[] left = [c, .. Enumerable.Range(0, c)]; // the centre, then c - m for m = c down to 1
        return new Plan([.. left.Select(At)], [(0, 0), .. left.Skip(1).Select(k => At((2 * c) - k))], [.. left.Select(k => v[k])], how);
    }

    /// <summary>As the public overloads, through the vector path of <paramref name="bits"/> (tests compare every width).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ImageArray Apply(ImageArray src, double[][] weights, IReadOnlyList<int>? origin, BoundaryMode mode, double cval, bool convolve, bool line, int threads, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, Widest);
        var (w, o0, o1) = Oriented(weights, origin, convolve);
        int k0 = w.Length, k1 = w[0].Length;
        int c0 = (k0 / 2) + o0, c1 = (k1 / 2) + o1;
        if (c0 < 0 || c0 >= k0 || c1 < 0 || c1 >= k1)
        {
            throw new ArgumentOutOfRangeException(nameof(origin), $"origin ({o0}, {o1}) is outside the weights' {k0} x {k1} window");
        }

        var plan = PlanOf(w, line);
        var dst = ImageArray.Rent(src);
        int rows = src.Rows, cols = src.Cols, wide = cols + k1 - 1;
        var colMap = new int[wide];
        for (int u = 0; u < wide; u++)
        {
            colMap[u] = Boundary.Map((long)u - c1, cols, mode);
        }

        var cancel = StepCancellation.Current;
        for (int f = 0; f < src.Frames; f++)
        {
            var frame = src.Data.AsMemory(f * src.FrameLength, src.FrameLength);
            var output = dst.Data.AsMemory(f * src.FrameLength, src.FrameLength);
            RowBlocks.Run(rows, threads, (long)cols * Math.Max(1, plan.W.Length), (r0, r1) =>
                Rows(frame.Span, output.Span, rows, cols, k0, c0, c1, plan, colMap, mode, cval, r0, r1, bits), cancel);
        }

        return dst;
    }

    /// <summary>The scalar meaning, for tests: every output from <see cref="Boundary.Map"/> and the terms in order.</summary>
    public static float[] Reference(ReadOnlySpan<float> frame, int rows, int cols, double[][] weights, IReadOnlyList<int>? origin, BoundaryMode mode, double cval, bool convolve, bool line = false)
    {
        var (w, o0, o1) = Oriented(weights, origin, convolve);
        int c0 = (w.Length / 2) + o0, c1 = (w[0].Length / 2) + o1;
        var plan = PlanOf(w, line);
        var result = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double Sample((int A, int B) t, ReadOnlySpan<float> f)
                {
                    int r = Boundary.Map((long)i + t.A - c0, rows, mode);
                    int c = Boundary.Map((long)j + t.B - c1, cols, mode);
                    return r < 0 || c < 0 ? cval : f[(r * cols) + c];
                }

                if (plan.W.Length == 0)
                {
                    continue; // every weight skipped: 0
                }

                double sum = plan.How == Summation.FromZero ? 0.0 + (plan.W[0] * Sample(plan.First[0], frame)) : plan.W[0] * Sample(plan.First[0], frame);
                for (int t = 1; t < plan.W.Length; t++)
                {
                    sum += plan.How switch
                    {
                        Summation.Symmetric => (Sample(plan.First[t], frame) + Sample(plan.Second[t], frame)) * plan.W[t],
                        Summation.Antisymmetric => (Sample(plan.First[t], frame) - Sample(plan.Second[t], frame)) * plan.W[t],
                        _ => plan.W[t] * Sample(plan.First[t], frame),
                    };
                }

                result[(i * cols) + j] = (float)sum;
            }
        }

        return result;
    }

    /// <summary>How a plan's terms are summed.</summary>
    internal enum Summation
    {
        /// <summary>0.0 + w0 x0 + w1 x1 + ... (correlate).</summary>
        FromZero,

        /// <summary>w0 x0 + w1 x1 + ... (correlate1d's general kernel).</summary>
        FirstAssigned,

        /// <summary>w0 x0 + (x1 + x1') w1 + ... (correlate1d's symmetric kernel).</summary>
        Symmetric,

        /// <summary>w0 x0 + (x1 - x1') w1 + ... (correlate1d's antisymmetric kernel).</summary>
        Antisymmetric,
    }

    /// <summary>The terms in order: the tap (row, column) each reads, the pair's second tap (pairs only), the weight.</summary>
    internal sealed record Plan((int A, int B)[] First, (int A, int B)[] Second, double[] W, Summation How);

    /// <summary>
    /// Output rows [r0, r1): input row t (extended on both sides, widened to float64) lives in ring slot t mod k0 and
    /// is made when first needed; output row i reads rows i - c0 .. i - c0 + k0 - 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows(ReadOnlySpan<float> frame, Span<float> output, int rows, int cols, int k0, int c0, int c1, Plan plan, int[] colMap, BoundaryMode mode, double cval, int r0, int r1, int bits)
    {
        int wide = colMap.Length, n = plan.W.Length;
        bool pairs = plan.How is Summation.Symmetric or Summation.Antisymmetric;
        double[] ring = ArrayPool<double>.Shared.Rent(checked(k0 * wide));
        var first = new long[n]; // a term's start in the ring for the current output row
        var second = new long[n];
        try
        {
            long made = (long)r0 - c0; // the next input row to make
            fixed (double* rp = ring, wp = plan.W)
            fixed (long* op = first, sp = second)
            fixed (float* fp = frame, dp = output)
            {
                for (int i = r0; i < r1; i++)
                {
                    long last = (long)i - c0 + k0 - 1;
                    for (; made <= last; made++)
                    {
                        Extend(fp, rows, cols, made, c1, colMap, mode, cval, rp + (PositiveMod(made, k0) * wide));
                    }

                    for (int t = 0; t < n; t++)
                    {
                        op[t] = (PositiveMod((long)i - c0 + plan.First[t].A, k0) * wide) + plan.First[t].B;
                        sp[t] = pairs ? (PositiveMod((long)i - c0 + plan.Second[t].A, k0) * wide) + plan.Second[t].B : 0;
                    }

                    float* d = dp + ((long)i * cols);
                    if (n == 0)
                    {
                        new Span<float>(d, cols).Clear(); // every weight skipped
                        continue;
                    }

                    double start = plan.How == Summation.FromZero ? 0.0 : -0.0;
                    int j = (bits, plan.How) switch
                    {
                        (512, Summation.Symmetric) => Sums<Lanes512, Vector512<double>, PairSum>(rp, op, sp, wp, n, start, d, cols),
                        (512, Summation.Antisymmetric) => Sums<Lanes512, Vector512<double>, PairDifference>(rp, op, sp, wp, n, start, d, cols),
                        (512, _) => Sums<Lanes512, Vector512<double>, Product>(rp, op, sp, wp, n, start, d, cols),
                        (256, Summation.Symmetric) => Sums<Lanes256, Vector256<double>, PairSum>(rp, op, sp, wp, n, start, d, cols),
                        (256, Summation.Antisymmetric) => Sums<Lanes256, Vector256<double>, PairDifference>(rp, op, sp, wp, n, start, d, cols),
                        (256, _) => Sums<Lanes256, Vector256<double>, Product>(rp, op, sp, wp, n, start, d, cols),
                        _ => 0,
                    };
                    for (; j < cols; j++)
                    {
                        double sum = plan.How == Summation.FromZero ? 0.0 + (wp[0] * rp[op[0] + j]) : wp[0] * rp[op[0] + j];
                        for (int t = 1; t < n; t++)
                        {
                            sum += plan.How switch
                            {
                                Summation.Symmetric => (rp[op[t] + j] + rp[sp[t] + j]) * wp[t],
                                Summation.Antisymmetric => (rp[op[t] + j] - rp[sp[t] + j]) * wp[t],
                                _ => wp[t] * rp[op[t] + j],
                            };
                        }

                        d[j] = (float)sum;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(ring);
        }
    }

    /// <summary>Input row <paramref name="t"/> (any integer) as the taps see it, float64: <paramref name="left"/> (c1) columns before it and k1 - 1 - c1 after.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Extend(float* frame, int rows, int cols, long t, int left, int[] colMap, BoundaryMode mode, double cval, double* to)
    {
        int wide = colMap.Length;
        int r = Boundary.Map(t, rows, mode);
        if (r < 0)
        {
            new Span<double>(to, wide).Fill(cval);
            return;
        }

        float* row = frame + ((long)r * cols);
        for (int u = 0; u < left; u++) // the columns before the row's first
        {
            to[u] = colMap[u] < 0 ? cval : row[colMap[u]];
        }

        Widen(row, to + left, cols);
        for (int u = left + cols; u < wide; u++)
        {
            to[u] = colMap[u] < 0 ? cval : row[colMap[u]];
        }
    }

    /// <summary>to[k] = (double)from[k], k &lt; n.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Widen(float* from, double* to, int n)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; k <= n - Vector<float>.Count; k += Vector<float>.Count)
            {
                Vector.Widen(Vector.Load(from + k), out Vector<double> lo, out Vector<double> hi);
                lo.Store(to + k);
                hi.Store(to + k + Vector<double>.Count);
            }
        }

        for (; k < n; k++)
        {
            to[k] = from[k];
        }
    }

    /// <summary>
    /// Outputs of one row in vectors, eight at a time, then one at a time: each lane starts from
    /// <paramref name="start"/> + its first product (-0 + p is p for every p: correlate1d's first term; +0 + p is
    /// correlate's 0.0 + p) and adds the other terms in order as <typeparamref name="TK"/> makes them (each operation
    /// rounded); returns the first column left to the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Sums<TL, TV, TK>(double* ring, long* first, long* second, double* weights, int n, double start, float* d, int cols)
        where TL : struct, ILanes<TV>
        where TV : struct
        where TK : struct, ITerm
    {
        int count = TL.Count, j = 0;
        var from = TL.Broadcast(start);
        for (; j <= cols - (8 * count); j += 8 * count)
        {
            var w0 = TL.Broadcast(weights[0]);
            double* p0 = ring + first[0] + j;
            TV s0 = TL.AddProduct(from, w0, p0), s1 = TL.AddProduct(from, w0, p0 + count), s2 = TL.AddProduct(from, w0, p0 + (2 * count)), s3 = TL.AddProduct(from, w0, p0 + (3 * count));
            TV s4 = TL.AddProduct(from, w0, p0 + (4 * count)), s5 = TL.AddProduct(from, w0, p0 + (5 * count)), s6 = TL.AddProduct(from, w0, p0 + (6 * count)), s7 = TL.AddProduct(from, w0, p0 + (7 * count));
            for (int t = 1; t < n; t++)
            {
                var w = TL.Broadcast(weights[t]);
                double* p = ring + first[t] + j, q = ring + second[t] + j;
                s0 = TK.Add<TL, TV>(s0, w, p, q);
                s1 = TK.Add<TL, TV>(s1, w, p + count, q + count);
                s2 = TK.Add<TL, TV>(s2, w, p + (2 * count), q + (2 * count));
                s3 = TK.Add<TL, TV>(s3, w, p + (3 * count), q + (3 * count));
                s4 = TK.Add<TL, TV>(s4, w, p + (4 * count), q + (4 * count));
                s5 = TK.Add<TL, TV>(s5, w, p + (5 * count), q + (5 * count));
                s6 = TK.Add<TL, TV>(s6, w, p + (6 * count), q + (6 * count));
                s7 = TK.Add<TL, TV>(s7, w, p + (7 * count), q + (7 * count));
            }

            Store8<TL, TV>(d + j, count, s0, s1, s2, s3, s4, s5, s6, s7);
        }

        for (; j <= cols - count; j += count)
        {
            TV s = TL.AddProduct(from, TL.Broadcast(weights[0]), ring + first[0] + j);
            for (int t = 1; t < n; t++)
            {
                s = TK.Add<TL, TV>(s, TL.Broadcast(weights[t]), ring + first[t] + j, ring + second[t] + j);
            }

            TL.StoreSingle(s, d + j);
        }

        return j;
    }

    /// <summary>How a term after the first is added: s + w * x[p], s + (x[p] + x[q]) * w or s + (x[p] - x[q]) * w.</summary>
    private unsafe interface ITerm
    {
        static abstract TV Add<TL, TV>(TV s, TV w, double* p, double* q)
            where TL : struct, ILanes<TV>
            where TV : struct;
    }

    private readonly unsafe struct Product : ITerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Add<TL, TV>(TV s, TV w, double* p, double* q)
            where TL : struct, ILanes<TV>
            where TV : struct => TL.AddProduct(s, w, p);
    }

    private readonly unsafe struct PairSum : ITerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Add<TL, TV>(TV s, TV w, double* p, double* q)
            where TL : struct, ILanes<TV>
            where TV : struct => TL.AddPairProduct(s, w, p, q, subtract: false);
    }

    private readonly unsafe struct PairDifference : ITerm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TV Add<TL, TV>(TV s, TV w, double* p, double* q)
            where TL : struct, ILanes<TV>
            where TV : struct => TL.AddPairProduct(s, w, p, q, subtract: true);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store8<TL, TV>(float* d, int count, TV s0, TV s1, TV s2, TV s3, TV s4, TV s5, TV s6, TV s7)
        where TL : struct, ILanes<TV>
        where TV : struct
    {
        TL.StoreSingle(s0, d);
        TL.StoreSingle(s1, d + count);
        TL.StoreSingle(s2, d + (2 * count));
        TL.StoreSingle(s3, d + (3 * count));
        TL.StoreSingle(s4, d + (4 * count));
        TL.StoreSingle(s5, d + (5 * count));
        TL.StoreSingle(s6, d + (6 * count));
        TL.StoreSingle(s7, d + (7 * count));
    }

    private static long PositiveMod(long a, int p)
    {
        long r = a % p;
        return r < 0 ? r + p : r;
    }

    /// <summary>A vector width's float64 lanes: s + w * x[p] (or s + (x[p] +- x[q]) * w), each operation rounded, and the lanes stored as float32.</summary>
    private unsafe interface ILanes<TV>
        where TV : struct
    {
        static abstract int Count { get; }

        static abstract TV Broadcast(double w);

        static abstract TV AddProduct(TV s, TV w, double* p);

        static abstract TV AddPairProduct(TV s, TV w, double* p, double* q, bool subtract);

        static abstract void StoreSingle(TV s, float* d);
    }

    private readonly unsafe struct Lanes512 : ILanes<Vector512<double>>
    {
        public static int Count => 8;

        public static Vector512<double> Broadcast(double w) => Vector512.Create(w);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> AddProduct(Vector512<double> s, Vector512<double> w, double* p) => Avx512F.Add(s, Avx512F.Multiply(w, Vector512.Load(p)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> AddPairProduct(Vector512<double> s, Vector512<double> w, double* p, double* q, bool subtract)
            => Avx512F.Add(s, Avx512F.Multiply(subtract ? Avx512F.Subtract(Vector512.Load(p), Vector512.Load(q)) : Avx512F.Add(Vector512.Load(p), Vector512.Load(q)), w));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreSingle(Vector512<double> s, float* d) => Avx512F.ConvertToVector256Single(s).Store(d);
    }

    private readonly unsafe struct Lanes256 : ILanes<Vector256<double>>
    {
        public static int Count => 4;

        public static Vector256<double> Broadcast(double w) => Vector256.Create(w);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> AddProduct(Vector256<double> s, Vector256<double> w, double* p) => Avx.Add(s, Avx.Multiply(w, Vector256.Load(p)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> AddPairProduct(Vector256<double> s, Vector256<double> w, double* p, double* q, bool subtract)
            => Avx.Add(s, Avx.Multiply(subtract ? Avx.Subtract(Vector256.Load(p), Vector256.Load(q)) : Avx.Add(Vector256.Load(p), Vector256.Load(q)), w));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreSingle(Vector256<double> s, float* d) => Avx.ConvertToVector128Single(s).Store(d);
    }
}

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
/// The fast path (<see cref="Apply"/>) keeps, per block of rows, a ring of k0 rows extended to k1 - 1 more columns
/// and widened to float64 once, and sums 8 (512-bit) or 4 (256-bit) outputs per vector, four vectors at a time, in
/// the taps' order: the same operations as the scalar meaning (<see cref="Reference"/>), so the same bits (tests
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

    /// <summary>The taps SciPy sums, rows first: (row, column, weight) of every weight with |w| &gt; DBL_EPSILON.</summary>
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
        => Apply(src, weights, origin, mode, cval, convolve, threads, Widest);

    /// <summary>As the public overload, through the vector path of <paramref name="bits"/> (tests compare every width).</summary>
    internal static ImageArray Apply(ImageArray src, double[][] weights, IReadOnlyList<int>? origin, BoundaryMode mode, double cval, bool convolve, int threads, int bits)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, Widest);
        var (w, o0, o1) = Oriented(weights, origin, convolve);
        int k0 = w.Length, k1 = w[0].Length;
        int c0 = (k0 / 2) + o0, c1 = (k1 / 2) + o1;
        if (c0 < 0 || c0 >= k0 || c1 < 0 || c1 >= k1)
        {
            throw new ArgumentOutOfRangeException(nameof(origin), $"origin ({o0}, {o1}) is outside the weights' {k0} x {k1} window");
        }

        var taps = Taps(w);
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
            RowBlocks.Run(rows, threads, (long)cols * Math.Max(1, taps.Length), (r0, r1) =>
                Rows(frame.Span, output.Span, rows, cols, k0, c0, c1, taps, colMap, mode, cval, r0, r1, bits), cancel);
        }

        return dst;
    }

    /// <summary>The scalar meaning, for tests: every output from <see cref="Boundary.Map"/> and the taps in order.</summary>
    public static float[] Reference(ReadOnlySpan<float> frame, int rows, int cols, double[][] weights, IReadOnlyList<int>? origin, BoundaryMode mode, double cval, bool convolve)
    {
        var (w, o0, o1) = Oriented(weights, origin, convolve);
        int c0 = (w.Length / 2) + o0, c1 = (w[0].Length / 2) + o1;
        var taps = Taps(w);
        var result = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0.0;
                foreach (var (a, b, wt) in taps)
                {
                    int r = Boundary.Map((long)i + a - c0, rows, mode);
                    int c = Boundary.Map((long)j + b - c1, cols, mode);
                    double v = r < 0 || c < 0 ? cval : frame[(r * cols) + c];
                    sum += wt * v;
                }

                result[(i * cols) + j] = (float)sum;
            }
        }

        return result;
    }

    /// <summary>
    /// Output rows [r0, r1): input row t (extended on both sides, widened to float64) lives in ring slot t mod k0 and
    /// is made when first needed; output row i reads rows i - c0 .. i - c0 + k0 - 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Rows(ReadOnlySpan<float> frame, Span<float> output, int rows, int cols, int k0, int c0, int c1, (int A, int B, double W)[] taps, int[] colMap, BoundaryMode mode, double cval, int r0, int r1, int bits)
    {
        int wide = colMap.Length, n = taps.Length;
        double[] ring = ArrayPool<double>.Shared.Rent(checked(k0 * wide));
        var offsets = new long[n]; // a tap's start in the ring for the current output row
        var weights = new double[n];
        for (int t = 0; t < n; t++)
        {
            weights[t] = taps[t].W;
        }

        try
        {
            long made = (long)r0 - c0; // the next input row to make
            fixed (double* rp = ring, wp = weights)
            fixed (long* op = offsets)
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
                        op[t] = (PositiveMod((long)i - c0 + taps[t].A, k0) * wide) + taps[t].B;
                    }

                    float* d = dp + ((long)i * cols);
                    int j = bits switch
                    {
                        512 => Sums<Lanes512, Vector512<double>>(rp, op, wp, n, d, cols),
                        256 => Sums<Lanes256, Vector256<double>>(rp, op, wp, n, d, cols),
                        _ => 0,
                    };
                    for (; j < cols; j++)
                    {
                        double sum = 0.0;
                        for (int t = 0; t < n; t++)
                        {
                            sum += wp[t] * rp[op[t] + j];
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
    /// Outputs of one row in vectors, four at a time, then one at a time: each lane sums the taps in order from 0.0
    /// (a product, then a sum: two roundings); returns the first column left to the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int Sums<TL, TV>(double* ring, long* offsets, double* weights, int n, float* d, int cols)
        where TL : struct, ILanes<TV>
        where TV : struct
    {
        int count = TL.Count, j = 0;
        for (; j <= cols - (8 * count); j += 8 * count)
        {
            TV s0 = TL.Zero, s1 = TL.Zero, s2 = TL.Zero, s3 = TL.Zero, s4 = TL.Zero, s5 = TL.Zero, s6 = TL.Zero, s7 = TL.Zero;
            for (int t = 0; t < n; t++)
            {
                var w = TL.Broadcast(weights[t]);
                double* p = ring + offsets[t] + j;
                s0 = TL.AddProduct(s0, w, p);
                s1 = TL.AddProduct(s1, w, p + count);
                s2 = TL.AddProduct(s2, w, p + (2 * count));
                s3 = TL.AddProduct(s3, w, p + (3 * count));
                s4 = TL.AddProduct(s4, w, p + (4 * count));
                s5 = TL.AddProduct(s5, w, p + (5 * count));
                s6 = TL.AddProduct(s6, w, p + (6 * count));
                s7 = TL.AddProduct(s7, w, p + (7 * count));
            }

            TL.StoreSingle(s0, d + j);
            TL.StoreSingle(s1, d + j + count);
            TL.StoreSingle(s2, d + j + (2 * count));
            TL.StoreSingle(s3, d + j + (3 * count));
            TL.StoreSingle(s4, d + j + (4 * count));
            TL.StoreSingle(s5, d + j + (5 * count));
            TL.StoreSingle(s6, d + j + (6 * count));
            TL.StoreSingle(s7, d + j + (7 * count));
        }

        for (; j <= cols - count; j += count)
        {
            TV s = TL.Zero;
            for (int t = 0; t < n; t++)
            {
                s = TL.AddProduct(s, TL.Broadcast(weights[t]), ring + offsets[t] + j);
            }

            TL.StoreSingle(s, d + j);
        }

        return j;
    }

    private static long PositiveMod(long a, int p)
    {
        long r = a % p;
        return r < 0 ? r + p : r;
    }

    /// <summary>A vector width's float64 lanes: s + w * x[p] with two roundings, and the lanes stored as float32.</summary>
    private unsafe interface ILanes<TV>
        where TV : struct
    {
        static abstract int Count { get; }

        static abstract TV Zero { get; }

        static abstract TV Broadcast(double w);

        static abstract TV AddProduct(TV s, TV w, double* p);

        static abstract void StoreSingle(TV s, float* d);
    }

    private readonly unsafe struct Lanes512 : ILanes<Vector512<double>>
    {
        public static int Count => 8;

        public static Vector512<double> Zero => Vector512<double>.Zero;

        public static Vector512<double> Broadcast(double w) => Vector512.Create(w);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> AddProduct(Vector512<double> s, Vector512<double> w, double* p) => Avx512F.Add(s, Avx512F.Multiply(w, Vector512.Load(p)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreSingle(Vector512<double> s, float* d) => Avx512F.ConvertToVector256Single(s).Store(d);
    }

    private readonly unsafe struct Lanes256 : ILanes<Vector256<double>>
    {
        public static int Count => 4;

        public static Vector256<double> Zero => Vector256<double>.Zero;

        public static Vector256<double> Broadcast(double w) => Vector256.Create(w);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> AddProduct(Vector256<double> s, Vector256<double> w, double* p) => Avx.Add(s, Avx.Multiply(w, Vector256.Load(p)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void StoreSingle(Vector256<double> s, float* d) => Avx.ConvertToVector128Single(s).Store(d);
    }
}

using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>Which of scikit-image's Hessian ridge filters (skimage.filters, 0.19) <see cref="RidgeFilters"/> computes.</summary>
public enum RidgeFilter
{
    /// <summary>frangi: vesselness.</summary>
    Frangi,

    /// <summary>hessian: frangi, then every value &lt;= 0 set to 1 (the "hybrid Hessian" filter).</summary>
    Hessian,

    /// <summary>sato: tubeness.</summary>
    Sato,

    /// <summary>meijering: neuriteness.</summary>
    Meijering,
}

/// <summary>
/// scikit-image 0.19's ridge filters (skimage/filters/ridges.py) of a 2-D image, or of each frame of a stack. Exact
/// scalar meaning, for each sigma s of <c>sigmas</c>, in the precision P scikit-image computes in:
/// <list type="number">
/// <item>the start image: an 8- or 16-bit image (docs/integer-sources.md) is scikit-image's uint8 / uint16, computed in
/// float64: frangi and hessian invert it for black ridges (max - x) and divide by max (img_as_float: x * (1 / max));
/// sato divides by max and inverts for white ridges; meijering takes the values as they are (astype(float)) and
/// inverts for black ridges as a float (1 - x). A float image is computed in float32, each filter inverting as a
/// float (1 - x, rounded to float32) where it inverts;</item>
/// <item>G = scipy.ndimage.gaussian_filter(start, s, mode, cval, truncate 4) as SciPy computes it for an array of P
/// (<see cref="ScipyGaussian"/>: float64 sums, each pass stored in P). Not the project's own Gaussian, whose
/// float32 sums differ from SciPy's in the last bit: second differences of the smoothed image magnify that (the
/// Hessian of a smooth image is a small difference of large values), so only SciPy's own bits give its eigenvalues;</item>
/// <item>numpy.gradient along each axis (central differences (f[i+1] - f[i-1]) / 2 inside, one-sided f[1] - f[0]
/// and f[n-1] - f[n-2] at the ends), then the Hessian from the gradients as hessian_matrix(order='rc') makes it:
/// M00 = gradient of dG/dcol along the columns, M01 = its gradient along the rows, M11 = gradient of dG/drow along
/// the rows; each multiplied by s^2 (rounded to P);</item>
/// <item>the eigenvalues l1 = (M00 + M11) / 2 + sqrt(4 M01^2 + (M00 - M11)^2) / 2 and l2 = ... - ..., each operation
/// rounded to P;</item>
/// <item>per filter (|a| sorting as numpy's argsort of two: l2 first only when |l2| &lt; |l1|, or |l1| is NaN and |l2|
/// is not; lam1 the first, lam2 the second):
/// frangi / hessian: rb = (lam1 / d)^2 with d = |lam2| (1e-10 where it is 0), rg = lam1^2 + lam2^2,
/// v = exp(-rb / (2 beta^2)) * (1 - exp(-rg / (2 gamma^2))), 0 where lam2 &gt; 0;
/// sato: l1 where l1 &gt; 0 and neither eigenvalue is NaN, else 0;
/// meijering: a = lam2 * alpha + lam2, then v = a / min(a) (min over the frame, NaN if any is; 1e-10 where it is 0)
/// where a &lt; 0, else 0;</item>
/// <item>the maximum over the sigmas in order (numpy's maximum: NaN wins); hessian then sets values &lt;= 0 to 1;
/// the result rounded to float32; every NaN a measure makes is NumPy's NaN (0x7FC00000).</item>
/// </list>
/// exp is <see cref="ExpKernel"/>'s float64 exponential (the same bits in every lane and width), rounded to float32 for
/// a float32 image: so e^x correctly rounded there but for arguments within a few float64 ulps of a float32 midpoint
/// (.NET's float32 vector exp missed the correctly rounded value in 57% of a million random trials and gave
/// exp(0) = 1.0000001, so 1 - exp(-0) would be negative on flat ground). NumPy's exp is its own (its float32 one is
/// not correctly rounded either, and both differ between CPUs), so results match scikit-image to float rounding, not
/// bit for bit. Each side needs at least 2 pixels (numpy.gradient raises otherwise). Memory: 36 (a float image) to 56 (an 8- or 16-bit one) bytes a pixel
/// besides the input and output (the start image, the smoothed image and both gradients in float64 or float32; the
/// Gaussian's axis-0 pass is made in bands of 32 rows per thread, not as a whole frame).
/// </summary>
public static class RidgeFilters
{
    /// <summary>Applies <paramref name="filter"/> to every frame of <paramref name="src"/>.</summary>
    public static ImageArray Apply(ImageArray src, RidgeFilter filter, IReadOnlyList<double> sigmas, double alpha, double beta, double gamma, bool blackRidges, BoundaryMode mode, double cval, int threads)
        => Apply(src, filter, sigmas, alpha, beta, gamma, blackRidges, mode, cval, threads, vectors: true);

    /// <summary>The same; <paramref name="vectors"/> false runs the per-pixel scalar meaning only (tests compare the two).</summary>
    internal static ImageArray Apply(ImageArray src, RidgeFilter filter, IReadOnlyList<double> sigmas, double alpha, double beta, double gamma, bool blackRidges, BoundaryMode mode, double cval, int threads, bool vectors)
    {
        if (src.Rows < 2 || src.Cols < 2)
        {
            throw new ArgumentException($"{filter.ToString().ToLowerInvariant()} needs at least 2 pixels on each axis (numpy.gradient), not {src.Rows} x {src.Cols}");
        }

        var dtype = SkimageDtypes.Of(src, threads);
        var dst = ImageArray.Rent(src);
        for (int f = 0; f < src.Frames; f++)
        {
            if (dtype == SkimageDtype.Float32)
            {
                Frame<float>(src, f, dst, 1, filter, sigmas, alpha, beta, gamma, blackRidges, mode, cval, threads, vectors);
            }
            else
            {
                Frame<double>(src, f, dst, SkimageDtypes.Max(dtype), filter, sigmas, alpha, beta, gamma, blackRidges, mode, cval, threads, vectors);
            }
        }

        return dst;
    }

    /// <summary>Whether the filter inverts its image before smoothing (frangi, hessian and meijering for black ridges, sato for white ones).</summary>
    private static bool Inverts(RidgeFilter filter, bool blackRidges) => filter == RidgeFilter.Sato ? !blackRidges : blackRidges;

    /// <summary>
    /// One frame in precision T (float for a float image, double for an 8- or 16-bit one of largest value
    /// <paramref name="max"/>): the start image, each sigma's values merged into acc, then hessian's last step and the
    /// rounding to float32 into <paramref name="dst"/>'s frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Frame<T>(ImageArray src, int f, ImageArray dst, double max, RidgeFilter filter, IReadOnlyList<double> sigmas, double alpha, double beta, double gamma, bool blackRidges, BoundaryMode mode, double cval, int threads, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int rows = src.Rows, cols = src.Cols, n = src.FrameLength;
        int stride = ScipyGaussian.Stride(cols);
        bool single = typeof(T) == typeof(float);
        var start = ArrayPool<double>.Shared.Rent(checked(rows * stride));
        var smooth = ArrayPool<double>.Shared.Rent(n);
        var g = ArrayPool<T>.Shared.Rent(n);
        var acc = ArrayPool<T>.Shared.Rent(n);
        var scratch = new Scratch<T>(n);
        try
        {
            float[] pixels = src.Data;
            int offset = f * n;
            bool invert = Inverts(filter, blackRidges);
            double? top = single ? null : max;
            ScipyGaussian.ForRuns(rows, threads, (first, end) => Start(pixels.AsSpan(offset, n), start, first, end, cols, stride, filter, invert, top));
            var k = Constants<T>.Of(filter, alpha, beta, gamma);
            for (int i = 0; i < sigmas.Count; i++)
            {
                double s = sigmas[i];
                if (g is double[] direct)
                {
                    ScipyGaussian.Apply(start, stride, direct, rows, cols, s, s, mode, cval, 4.0, toFloat: false, threads); // G itself
                }
                else
                {
                    ScipyGaussian.Apply(start, stride, smooth, rows, cols, s, s, mode, cval, 4.0, toFloat: single, threads);
                    var narrow = (float[])(object)g;
                    ScipyGaussian.ForRuns(rows, threads, (first, end) => Narrow(smooth, narrow, first * cols, end * cols)); // exact: already rounded to float32
                }

                Scale(g, rows, cols, T.CreateTruncating(s * s), k, scratch, acc, 0, first: i == 0, threads, vectors);
            }

            var to = dst.Frame(f);
            for (int j = 0; j < n; j++)
            {
                T v = acc[j];
                to[j] = float.CreateTruncating(filter == RidgeFilter.Hessian && v <= T.Zero ? T.One : v);
            }
        }
        finally
        {
            scratch.Return();
            ArrayPool<double>.Shared.Return(start);
            ArrayPool<double>.Shared.Return(smooth);
            ArrayPool<T>.Shared.Return(g);
            ArrayPool<T>.Shared.Return(acc);
        }
    }

    /// <summary>
    /// Rows firstRow..endRow-1 of the image the filter smooths, in rows of <paramref name="stride"/>: a float image (no <paramref name="max"/>) as
    /// float32, inverted as numpy.subtract(1, x, dtype=float32); an integer one in float64: meijering's as it is
    /// (astype(float)) or 1 - x, the others' (max - x where inverted) * (1 / max), img_as_float's numpy.multiply.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Start(ReadOnlySpan<float> from, double[] start, int firstRow, int endRow, int cols, int stride, RidgeFilter filter, bool invert, double? max)
    {
        for (int r = firstRow; r < endRow; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                float x = from[(r * cols) + c];
                start[(r * stride) + c] = max is not { } top ? (invert ? 1f - x : x)
                    : filter == RidgeFilter.Meijering ? (invert ? 1.0 - x : x)
                    : (invert ? top - x : x) * (1.0 / top);
            }
        }
    }

    /// <summary>to[k] = (float)from[k] for k in from..end-1 (values already float32's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Narrow(double[] from, float[] to, int start, int end)
    {
        int k = start;
        if (Vector.IsHardwareAccelerated)
        {
            for (int w = Vector<double>.Count; k <= end - (2 * w); k += 2 * w)
            {
                Vector.Narrow(new Vector<double>(from, k), new Vector<double>(from, k + w)).CopyTo(to, k);
            }
        }

        for (; k < end; k++)
        {
            to[k] = (float)from[k];
        }
    }

    /// <summary>The two gradients of G and the values of one sigma, kept per frame.</summary>
    private readonly struct Scratch<T>(int n)
    {
        public readonly T[] Rows = ArrayPool<T>.Shared.Rent(n);
        public readonly T[] Cols = ArrayPool<T>.Shared.Rent(n);
        public readonly T[] Values = ArrayPool<T>.Shared.Rent(n);

        public void Return()
        {
            ArrayPool<T>.Shared.Return(Rows);
            ArrayPool<T>.Shared.Return(Cols);
            ArrayPool<T>.Shared.Return(Values);
        }
    }

    /// <summary>One sigma's scale: gradients of <paramref name="g"/>, each pixel's value, merged into acc[at..] (the first sigma's values are stored).</summary>
    private static void Scale<T>(T[] g, int rows, int cols, T s2, in Constants<T> k, Scratch<T> scratch, T[] acc, int at, bool first, int threads, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (gr, gc, values) = (scratch.Rows, scratch.Cols, scratch.Values);
        var kk = k;
        var cancel = StepCancellation.Current;
        RowBlocks.Run(rows, threads, (long)cols * 4, (r0, r1) => Gradients(g, gr, gc, rows, cols, r0, r1, vectors), cancel);
        RowBlocks.Run(rows, threads, (long)cols * 16, (r0, r1) => Values(gr, gc, values, rows, cols, r0, r1, s2, kk, vectors), cancel);
        if (kk.Filter == RidgeFilter.Meijering)
        {
            Neuriteness(values, rows * cols, vectors);
        }

        RowBlocks.Run(rows, threads, (long)cols, (r0, r1) => Merge(values, acc, at, r0 * cols, (r1 - r0) * cols, first, vectors), cancel);
    }

    /// <summary>numpy.gradient of g along the rows (into gr) and along the columns (into gc), rows r0..r1 - 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Gradients<T>(T[] g, T[] gr, T[] gc, int rows, int cols, int r0, int r1, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (T* pg = g, pr = gr, pc = gc)
        {
            for (int r = r0; r < r1; r++)
            {
                T* row = pg + ((long)r * cols);
                AxisZero(pg, pr, rows, cols, r, vectors);
                T* outc = pc + ((long)r * cols);
                outc[0] = row[1] - row[0];
                outc[cols - 1] = row[cols - 1] - row[cols - 2];
                Difference(row + 2, row, outc + 1, cols - 2, half: true, vectors);
            }
        }
    }

    /// <summary>Row r of numpy.gradient along axis 0 of a rows x cols frame.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void AxisZero<T>(T* src, T* dst, int rows, int cols, int r, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long c = cols;
        if (r == 0)
        {
            Difference(src + c, src, dst, cols, half: false, vectors);
        }
        else if (r == rows - 1)
        {
            Difference(src + (r * c), src + ((r - 1) * c), dst + (r * c), cols, half: false, vectors);
        }
        else
        {
            Difference(src + ((r + 1) * c), src + ((r - 1) * c), dst + (r * c), cols, half: true, vectors);
        }
    }

    /// <summary>dst[i] = a[i] - b[i], divided by 2 when <paramref name="half"/>, each operation rounded to T.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Difference<T>(T* a, T* b, T* dst, int n, bool half, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int i = 0;
        T two = T.One + T.One;
        if (vectors && Vector.IsHardwareAccelerated)
        {
            var vtwo = new Vector<T>(two);
            for (; i <= n - Vector<T>.Count; i += Vector<T>.Count)
            {
                var d = Vector.Load(a + i) - Vector.Load(b + i);
                Vector.Store(half ? d / vtwo : d, dst + i);
            }
        }

        for (; i < n; i++)
        {
            T d = a[i] - b[i];
            dst[i] = half ? d / two : d;
        }
    }

    /// <summary>Each pixel's value of rows r0..r1 - 1 from the gradients (the Hessian, its eigenvalues, the filter's measure).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Values<T>(T[] gr, T[] gc, T[] values, int rows, int cols, int r0, int r1, T s2, Constants<T> k, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var m = ArrayPool<T>.Shared.Rent(3 * cols);
        fixed (T* pr = gr, pc = gc, pv = values, pm = m)
        {
            T* m00 = pm, m01 = pm + cols, m11 = pm + (2 * cols);
            for (int r = r0; r < r1; r++)
            {
                T* rowc = pc + ((long)r * cols);
                m00[0] = rowc[1] - rowc[0];
                m00[cols - 1] = rowc[cols - 1] - rowc[cols - 2];
                Difference(rowc + 2, rowc, m00 + 1, cols - 2, half: true, vectors);
                AxisZero(pc, m01 - ((long)r * cols), rows, cols, r, vectors);
                AxisZero(pr, m11 - ((long)r * cols), rows, cols, r, vectors);
                T* outRow = pv + ((long)r * cols);
                int c = 0;
                if (vectors && Vector.IsHardwareAccelerated)
                {
                    for (; c <= cols - Vector<T>.Count; c += Vector<T>.Count)
                    {
                        Vector.Store(Measure(Vector.Load(m00 + c), Vector.Load(m01 + c), Vector.Load(m11 + c), s2, k), outRow + c);
                    }
                }

                for (; c < cols; c++)
                {
                    outRow[c] = Measure(m00[c], m01[c], m11[c], s2, k);
                }
            }
        }

        ArrayPool<T>.Shared.Return(m);
    }

    /// <summary>The scalar meaning of one pixel's value for one sigma (meijering: its a = lam2 * alpha + lam2).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Measure<T>(T m00, T m01, T m11, T s2, in Constants<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T v = Raw(m00, m01, m11, s2, k);
        return T.IsNaN(v) ? NumpyNaN<T>() : v;
    }

    /// <summary>
    /// NumPy's NaN (0x7FC00000 / 0x7FF8000000000000), which every NaN a measure makes is written as: which of two NaN
    /// operands an operation returns is the order the JIT puts a commutative operation's operands in, which differs
    /// between scalar and vector code (and NumPy's own choice is no better defined).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T NumpyNaN<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            float f = BitConverter.Int32BitsToSingle(0x7FC00000);
            return Unsafe.As<float, T>(ref f);
        }

        double d = BitConverter.Int64BitsToDouble(0x7FF8000000000000);
        return Unsafe.As<double, T>(ref d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Raw<T>(T m00, T m01, T m11, T s2, in Constants<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        m00 = s2 * m00;
        m01 = s2 * m01;
        m11 = s2 * m11;
        T two = T.One + T.One;
        T h = (m00 + m11) / two;
        T d = m00 - m11;
        T q = T.Sqrt((k.Four * (m01 * m01)) + (d * d)) / two;
        T l1 = h + q, l2 = h - q;
        if (k.Filter == RidgeFilter.Sato)
        {
            return l1 > T.Zero && !T.IsNaN(l2) ? l1 : T.Zero;
        }

        T a1 = T.Abs(l1), a2 = T.Abs(l2);
        bool swap = a2 < a1 || (T.IsNaN(a1) && !T.IsNaN(a2));
        T lam1 = swap ? l2 : l1, lam2 = swap ? l1 : l2;
        if (k.Filter == RidgeFilter.Meijering)
        {
            return (lam2 * k.Alpha) + lam2;
        }

        T den = T.Abs(lam2);
        if (den == T.Zero)
        {
            den = k.Tiny;
        }

        T rb = lam1 / den;
        rb *= rb;
        T rg = (lam1 * lam1) + (lam2 * lam2);
        T v = Exp(-rb / k.BetaSq) * (T.One - Exp(-rg / k.GammaSq));
        return lam2 > T.Zero ? T.Zero : v;
    }

    /// <summary><see cref="Measure{T}(T, T, T, T, in Constants{T})"/> on each lane (the same bits).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static Vector<T> Measure<T>(Vector<T> m00, Vector<T> m01, Vector<T> m11, T s2, in Constants<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var v = Raw(m00, m01, m11, s2, k);
        return Vector.ConditionalSelect(Vector.IsNaN(v), new Vector<T>(NumpyNaN<T>()), v);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Raw<T>(Vector<T> m00, Vector<T> m01, Vector<T> m11, T s2, in Constants<T> k)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var vs2 = new Vector<T>(s2);
        m00 = vs2 * m00;
        m01 = vs2 * m01;
        m11 = vs2 * m11;
        var two = new Vector<T>(T.One + T.One);
        var h = (m00 + m11) / two;
        var d = m00 - m11;
        var q = Vector.SquareRoot((new Vector<T>(k.Four) * (m01 * m01)) + (d * d)) / two;
        Vector<T> l1 = h + q, l2 = h - q;
        if (k.Filter == RidgeFilter.Sato)
        {
            return Vector.ConditionalSelect(Vector.GreaterThan(l1, Vector<T>.Zero) & ~Vector.IsNaN(l2), l1, Vector<T>.Zero);
        }

        Vector<T> a1 = Vector.Abs(l1), a2 = Vector.Abs(l2);
        var swap = Vector.LessThan(a2, a1) | (Vector.IsNaN(a1) & ~Vector.IsNaN(a2));
        Vector<T> lam1 = Vector.ConditionalSelect(swap, l2, l1), lam2 = Vector.ConditionalSelect(swap, l1, l2);
        if (k.Filter == RidgeFilter.Meijering)
        {
            return (lam2 * new Vector<T>(k.Alpha)) + lam2;
        }

        var den = Vector.Abs(lam2);
        den = Vector.ConditionalSelect(Vector.Equals(den, Vector<T>.Zero), new Vector<T>(k.Tiny), den);
        var rb = lam1 / den;
        rb *= rb;
        var rg = (lam1 * lam1) + (lam2 * lam2);
        var v = Exp(-rb / new Vector<T>(k.BetaSq)) * (Vector<T>.One - Exp(-rg / new Vector<T>(k.GammaSq)));
        return Vector.ConditionalSelect(Vector.GreaterThan(lam2, Vector<T>.Zero), Vector<T>.Zero, v);
    }

    /// <summary>The exponential: <see cref="ExpKernel.Exp(double)"/>, of a float32 argument rounded to float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static T Exp<T>(T x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            float e = (float)ExpKernel.Exp((float)(object)x);
            return Unsafe.As<float, T>(ref e);
        }

        double d = ExpKernel.Exp((double)(object)x);
        return Unsafe.As<double, T>(ref d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<T> Exp<T>(Vector<T> x)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float))
        {
            Vector.Widen(x.As<T, float>(), out var low, out var high);
            return Vector.Narrow(ExpKernel.Exp(low), ExpKernel.Exp(high)).As<float, T>();
        }

        return ExpKernel.Exp(x.As<T, double>()).As<double, T>();
    }

    /// <summary>meijering's last step over a frame of a values: a / min(a) where a &lt; 0, else 0 (min NaN when any a is NaN; 1e-10 where it is 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Neuriteness<T>(T[] a, int n, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        T min = a[0];
        for (int i = 1; i < n && !T.IsNaN(min); i++)
        {
            T v = a[i];
            if (T.IsNaN(v) || v < min)
            {
                min = v;
            }
        }

        T den = min == T.Zero ? T.CreateChecked(1e-10) : min;
        int k = 0;
        if (vectors && Vector.IsHardwareAccelerated)
        {
            var vden = new Vector<T>(den);
            for (; k <= n - Vector<T>.Count; k += Vector<T>.Count)
            {
                var x = new Vector<T>(a.AsSpan(k));
                Vector.ConditionalSelect(Vector.LessThan(x, Vector<T>.Zero), x / vden, Vector<T>.Zero).CopyTo(a.AsSpan(k));
            }
        }

        for (; k < n; k++)
        {
            a[k] = a[k] < T.Zero ? a[k] / den : T.Zero;
        }
    }

    /// <summary>acc[at + i] = v[i] for the first sigma, else numpy.maximum(acc, v): acc where acc &gt;= v or acc is NaN, else v.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Merge<T>(T[] v, T[] acc, int at, int start, int length, bool first, bool vectors)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var from = v.AsSpan(start, length);
        var to = acc.AsSpan(at + start, length);
        if (first)
        {
            from.CopyTo(to);
            return;
        }

        int i = 0;
        if (vectors && Vector.IsHardwareAccelerated)
        {
            for (; i <= length - Vector<T>.Count; i += Vector<T>.Count)
            {
                var a = new Vector<T>(to[i..]);
                var b = new Vector<T>(from[i..]);
                Vector.ConditionalSelect(Vector.GreaterThanOrEqual(a, b) | Vector.IsNaN(a), a, b).CopyTo(to[i..]);
            }
        }

        for (; i < length; i++)
        {
            T a = to[i], b = from[i];
            to[i] = a >= b || T.IsNaN(a) ? a : b;
        }
    }

    /// <summary>A filter's constants in the precision it computes in (NumPy rounds a Python float to the array's type).</summary>
    internal readonly record struct Constants<T>(RidgeFilter Filter, T Alpha, T BetaSq, T GammaSq, T Four, T Tiny)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        public static Constants<T> Of(RidgeFilter filter, double alpha, double beta, double gamma)
            => new(filter, T.CreateChecked(alpha), T.CreateChecked(2 * (beta * beta)), T.CreateChecked(2 * (gamma * gamma)), T.CreateChecked(4), T.CreateChecked(1e-10));
    }
}

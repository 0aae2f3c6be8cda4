using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// The scipy.ndimage filters on an <see cref="ImageArray"/>: same names, parameters, defaults and
/// meaning as SciPy, float32 in and out. Axis 0 is rows, axis 1 columns (negative axes count from the
/// end). On a stack every op applies frame by frame and axes refer to the 2-D frame. Per-axis arguments
/// take one value (all axes) or two (axis 0, axis 1). Linear filters of a complex array filter the real
/// and imaginary parts separately (cval applies to the real part), as SciPy does.
/// <c>threads</c> bounds the parallelism (0 = all cores).
/// </summary>
public static class NdFilters
{
    /// <summary>SciPy skips an axis whose sigma is not above this (sigma 0 = no smoothing there, order ignored).</summary>
    public const double SigmaSkip = 1e-15;

    /// <summary>scipy.ndimage.gaussian_filter(input, sigma, order, mode=mode, cval=cval, truncate=truncate, radius=radius).</summary>
    public static ImageArray GaussianFilter(ImageArray src, IReadOnlyList<double> sigma, IReadOnlyList<int>? order = null, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, double truncate = 4.0, IReadOnlyList<int>? radius = null, int threads = 0)
    {
        var (k0, k1) = GaussianKernels(sigma, order, truncate, radius);
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SeparableFilter.Apply(data, offset, dst, dstOffset, rows, cols, k0, k1, mode, c, axis1First: false, threads));
    }

    /// <summary>
    /// <see cref="GaussianFilter"/> where only the rows r with <paramref name="rowsNeeded"/>[r] (one flag per row of a
    /// frame, the same for every frame) must be right: the others may be left undefined (a resampler that reads only
    /// some rows, as resize's order 0 and 1 do). The needed rows have the same bits as the whole filter's.
    /// </summary>
    internal static ImageArray GaussianFilterRows(ImageArray src, IReadOnlyList<double> sigma, BoundaryMode mode, float cval, bool[] rowsNeeded, int threads)
    {
        var (k0, k1) = GaussianKernels(sigma, null, 4.0, null);
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SeparableFilter.Apply(data, offset, dst, dstOffset, rows, cols, k0, k1, mode, c, axis1First: false, threads, rowsNeeded));
    }

    /// <summary>gaussian_filter's two kernels (axis 0, axis 1; null where SciPy skips the axis).</summary>
    public static (Kernel1D? K0, Kernel1D? K1) GaussianKernels(IReadOnlyList<double> sigma, IReadOnlyList<int>? order, double truncate, IReadOnlyList<int>? radius)
    {
        var s = PerAxis(sigma, nameof(sigma));
        var o = PerAxis(order ?? [0], nameof(order));
        var r = radius is null ? null : PerAxis(radius, nameof(radius));
        return (GaussianKernel(s[0], o[0], truncate, r?[0]), GaussianKernel(s[1], o[1], truncate, r?[1]));
    }

    /// <summary>gaussian_filter as a row-band kernel (<see cref="SeparableFilter.Band"/>), or null.</summary>
    public static IRowBandKernel? GaussianFilterBand(IReadOnlyList<double> sigma, IReadOnlyList<int>? order, BoundaryMode mode, float cval, double truncate, IReadOnlyList<int>? radius)
    {
        var (k0, k1) = GaussianKernels(sigma, order, truncate, radius);
        return SeparableFilter.Band(k0, k1, mode, cval, axis1First: false);
    }

    /// <summary>gaussian_laplace's two derivative pairs (A = d²/d0², B = d²/d1²).</summary>
    private static ((Kernel1D? K0, Kernel1D? K1) A, (Kernel1D? K0, Kernel1D? K1) B) LaplacePairs(IReadOnlyList<double> sigma, double truncate)
    {
        var s = PerAxis(sigma, nameof(sigma));
        return ((GaussianKernel(s[0], 2, truncate, null), GaussianKernel(s[1], 0, truncate, null)),
                (GaussianKernel(s[0], 0, truncate, null), GaussianKernel(s[1], 2, truncate, null)));
    }

    /// <summary>gaussian_gradient_magnitude's two derivative pairs (A = d/d0, B = d/d1).</summary>
    private static ((Kernel1D? K0, Kernel1D? K1) A, (Kernel1D? K0, Kernel1D? K1) B) GradientPairs(IReadOnlyList<double> sigma, double truncate)
    {
        var s = PerAxis(sigma, nameof(sigma));
        return ((GaussianKernel(s[0], 1, truncate, null), GaussianKernel(s[1], 0, truncate, null)),
                (GaussianKernel(s[0], 0, truncate, null), GaussianKernel(s[1], 1, truncate, null)));
    }

    private static readonly Kernel1D SecondDifference = new([1.0, -2.0, 1.0]);

    /// <summary>gaussian_laplace as a row-band kernel (<see cref="SeparableFilter.PairBand"/>), or null.</summary>
    public static IRowBandKernel? GaussianLaplaceBand(IReadOnlyList<double> sigma, BoundaryMode mode, float cval, double truncate)
    {
        var (a, b) = LaplacePairs(sigma, truncate);
        return SeparableFilter.PairBand(a.K0, a.K1, b.K0, b.K1, mode, cval, PairCombine.Sum);
    }

    /// <summary>gaussian_gradient_magnitude as a row-band kernel, or null.</summary>
    public static IRowBandKernel? GaussianGradientMagnitudeBand(IReadOnlyList<double> sigma, BoundaryMode mode, float cval, double truncate)
    {
        var (a, b) = GradientPairs(sigma, truncate);
        return SeparableFilter.PairBand(a.K0, a.K1, b.K0, b.K1, mode, cval, PairCombine.Hypot);
    }

    /// <summary>laplace as a row-band kernel, or null.</summary>
    public static IRowBandKernel? LaplaceBand(BoundaryMode mode, float cval)
        => SeparableFilter.PairBand(SecondDifference, null, null, SecondDifference, mode, cval, PairCombine.Sum);

    /// <summary>sobel (smoothing [1, 2, 1]) or prewitt ([1, 1, 1]) as a row-band kernel, or null.</summary>
    public static IRowBandKernel? GradientBand(int axis, bool sobel, BoundaryMode mode, float cval)
    {
        var (k0, k1, axis1First) = GradientKernels(axis, sobel ? [1, 2, 1] : [1, 1, 1]);
        return SeparableFilter.Band(k0, k1, mode, cval, axis1First) is { } strips
            ? new GradientBand(strips, NormalizeAxis(axis), sobel ? 2f : 1f, mode, cval)
            : null;
    }

    /// <summary>scipy.ndimage.gaussian_laplace: Σ over axes of the Gaussian's second derivative along that axis.</summary>
    public static ImageArray GaussianLaplace(ImageArray src, IReadOnlyList<double> sigma, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, double truncate = 4.0, int threads = 0)
    {
        var (d0, d1) = LaplacePairs(sigma, truncate);
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SumOfTwo(data, offset, dst, dstOffset, rows, cols, d0, d1, mode, c, threads, magnitude: false));
    }

    /// <summary>scipy.ndimage.gaussian_gradient_magnitude: sqrt(Σ over axes of the Gaussian's first derivative along that axis, squared).</summary>
    public static ImageArray GaussianGradientMagnitude(ImageArray src, IReadOnlyList<double> sigma, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, double truncate = 4.0, int threads = 0)
    {
        RealOnly(src, nameof(GaussianGradientMagnitude));
        var (d0, d1) = GradientPairs(sigma, truncate);
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SumOfTwo(data, offset, dst, dstOffset, rows, cols, d0, d1, mode, c, threads, magnitude: true));
    }

    /// <summary>scipy.ndimage.sobel: [-1, 0, 1] along <paramref name="axis"/> first, then [1, 2, 1] along the other axis.</summary>
    public static ImageArray Sobel(ImageArray src, int axis = -1, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, int threads = 0)
        => Gradient(src, axis, [1, 2, 1], mode, cval, threads);

    /// <summary>scipy.ndimage.prewitt: [-1, 0, 1] along <paramref name="axis"/> first, then [1, 1, 1] along the other axis.</summary>
    public static ImageArray Prewitt(ImageArray src, int axis = -1, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, int threads = 0)
        => Gradient(src, axis, [1, 1, 1], mode, cval, threads);

    /// <summary>scipy.ndimage.laplace: Σ over axes of correlate1d(input, [1, -2, 1], axis).</summary>
    public static ImageArray Laplace(ImageArray src, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, int threads = 0)
    {
        var d2 = SecondDifference;
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SumOfTwo(data, offset, dst, dstOffset, rows, cols, (d2, null), (null, d2), mode, c, threads, magnitude: false));
    }

    /// <summary>scipy.ndimage.uniform_filter(input, size, mode=mode, cval=cval, origin=origin): the mean over a size0 x size1 box.</summary>
    public static ImageArray UniformFilter(ImageArray src, IReadOnlyList<int>? size = null, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, IReadOnlyList<int>? origin = null, int threads = 0)
    {
        var z = PerAxis(size ?? [3], nameof(size));
        var o = PerAxis(origin ?? [0], nameof(origin));
        if (z[0] < 1 || z[1] < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "size must be >= 1");
        }

        // SciPy skips axes of size 1 (and so ignores their origin).
        var k0 = z[0] > 1 ? Kernel1D.Uniform(z[0], o[0]) : null;
        var k1 = z[1] > 1 ? Kernel1D.Uniform(z[1], o[1]) : null;
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SeparableFilter.ApplyUniform(data, offset, dst, dstOffset, rows, cols, k0, k1, mode, c, threads));
    }

    /// <summary>
    /// scipy.ndimage.uniform_filter1d(input, size, axis, mode=mode, cval=cval, origin=origin): uniform_filter's pass along
    /// one axis, size 1 included (uniform_filter skips such an axis; uniform_filter1d runs its running mean, which
    /// carries a NaN or an infinity along the line).
    /// </summary>
    public static ImageArray UniformFilter1D(ImageArray src, int size, int axis, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, int origin = 0, int threads = 0)
    {
        var kernel = Kernel1D.Uniform(size, origin);
        var (k0, k1) = NormalizeAxis(axis) == 0 ? (kernel, (Kernel1D?)null) : (null, kernel);
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SeparableFilter.ApplyUniform(data, offset, dst, dstOffset, rows, cols, k0, k1, mode, c, threads));
    }

    /// <summary>scipy.ndimage.median_filter(input, size, mode=mode, cval=cval, origin=origin) with a rectangular footprint.</summary>
    public static ImageArray MedianFilter(ImageArray src, IReadOnlyList<int>? size = null, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, IReadOnlyList<int>? origin = null, int threads = 0)
    {
        RealOnly(src, nameof(MedianFilter));
        var z = PerAxis(size ?? [3], nameof(size));
        var o = PerAxis(origin ?? [0], nameof(origin));
        var dst = ImageArray.Rent(src);
        for (int f = 0; f < src.Frames; f++)
        {
            Filters.MedianFilter.Apply(src.Data, f * src.FrameLength, dst.Data, f * src.FrameLength, src.Rows, src.Cols, z[0], z[1], o[0], o[1], mode, cval, threads);
        }

        return dst;
    }

    /// <summary>
    /// A 1-D kernel along <paramref name="axis"/> as the separable filters run it: one pass of the separable driver
    /// (float32 taps, the Gaussians' tolerance). gaussian_filter1d is this with its kernel; correlate1d with arbitrary
    /// weights sums in float64 (<see cref="Correlate.Line"/>).
    /// </summary>
    public static ImageArray AlongAxis(ImageArray src, Kernel1D kernel, int axis, BoundaryMode mode = BoundaryMode.Reflect, float cval = 0f, int threads = 0)
    {
        int a = NormalizeAxis(axis);
        var (k0, k1) = a == 0 ? (kernel, (Kernel1D?)null) : (null, kernel);
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SeparableFilter.Apply(data, offset, dst, dstOffset, rows, cols, k0, k1, mode, c, axis1First: false, threads));
    }

    /// <summary>An axis argument of a 2-D frame (-2..1) as 0 or 1.</summary>
    public static int NormalizeAxis(int axis) => axis switch
    {
        0 or -2 => 0,
        1 or -1 => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(axis), $"axis {axis} is out of range for a 2-D image (use 0, 1, -1 or -2)"),
    };

    /// <summary>One value for every axis, or one per axis (axis 0, axis 1).</summary>
    public static T[] PerAxis<T>(IReadOnlyList<T> values, string name) => values.Count switch
    {
        1 => [values[0], values[0]],
        2 => [values[0], values[1]],
        _ => throw new ArgumentException($"{name} needs one value or one per axis of the 2-D frame (2), got {values.Count}", name),
    };

    /// <summary>gaussian_filter1d's kernel, or null when SciPy skips the axis (sigma ≤ 1e-15).</summary>
    public static Kernel1D? GaussianKernel(double sigma, int order, double truncate, int? radius)
        => sigma > SigmaSkip ? Kernel1D.Gaussian(sigma, order, truncate, radius) : null;

    private delegate void FrameFilter(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols, float cval);

    private static ImageArray Gradient(ImageArray src, int axis, double[] smooth, BoundaryMode mode, float cval, int threads)
    {
        var (k0, k1, axis1First) = GradientKernels(axis, smooth);
        return Linear(src, cval, (data, offset, dst, dstOffset, rows, cols, c) =>
            SeparableFilter.Apply(data, offset, dst, dstOffset, rows, cols, k0, k1, mode, c, axis1First, threads));
    }

    /// <summary>sobel/prewitt's kernels: [-1, 0, 1] along the axis (passed first), the smoothing across it.</summary>
    private static (Kernel1D K0, Kernel1D K1, bool Axis1First) GradientKernels(int axis, double[] smooth)
    {
        int a = NormalizeAxis(axis);
        var derivative = new Kernel1D([-1.0, 0.0, 1.0]);
        var smoothing = new Kernel1D(smooth);
        return a == 0 ? (derivative, smoothing, false) : (smoothing, derivative, true);
    }

    /// <summary>Runs a linear frame filter on every frame, and on the imaginary part (cval 0) when complex.</summary>
    private static ImageArray Linear(ImageArray src, float cval, FrameFilter filter)
    {
        var dst = ImageArray.Rent(src, src.IsComplex);
        for (int f = 0; f < src.Frames; f++)
        {
            int offset = f * src.FrameLength;
            filter(src.Data, offset, dst.Data, offset, src.Rows, src.Cols, cval);
            if (src.Imag is { } im)
            {
                filter(im, offset, dst.Imag!, offset, src.Rows, src.Cols, 0f);
            }
        }

        return dst;
    }

    /// <summary>dst = A(src) + B(src), or sqrt(A² + B²) when <paramref name="magnitude"/>, with A and B separable.</summary>
    private static void SumOfTwo(
        float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols,
        (Kernel1D? K0, Kernel1D? K1) a, (Kernel1D? K0, Kernel1D? K1) b, BoundaryMode mode, float cval,
        int threads, bool magnitude)
    {
        SeparableFilter.ApplyPair(src, srcOffset, dst, dstOffset, rows, cols, a.K0, a.K1, b.K0, b.K1, mode, cval, magnitude ? PairCombine.Hypot : PairCombine.Sum, threads);
    }

    private static void RealOnly(ImageArray src, string op)
    {
        if (src.IsComplex)
        {
            throw new ArgumentException($"{op} does not accept a complex array (take abs, real or imag first)", nameof(src));
        }
    }
}

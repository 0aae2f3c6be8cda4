using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// scipy.ndimage.gaussian_filter (order 0) as SciPy computes it for a float32 or a float64 array, bit for bit: for
/// each axis in order whose sigma is above 1e-15, <see cref="CannyGaussian"/>'s kernel (radius int(truncate * sigma
/// + 0.5)) and NI_Correlate1D's symmetric loop in float64, the pass stored in the array's type (rounded to float32
/// for a float32 array). The project's own float32 Gaussian (<see cref="SeparableFilter"/>) is faster and within
/// float rounding of it; the ops that take differences of smoothed values (the ridge filters' Hessian,
/// difference_of_gaussians) use this one, since a difference magnifies that last bit.
/// </summary>
internal static class ScipyGaussian
{
    /// <summary>
    /// The frame in <paramref name="src"/> (rows x cols in rows of <paramref name="stride"/>) smoothed into
    /// <paramref name="dst"/> (rows x cols, packed), through <paramref name="pass"/> (rows x cols) when both axes
    /// are smoothed; an axis whose sigma is at or below 1e-15 is skipped (a copy when both are).
    /// </summary>
    public static void Apply(double[] src, int stride, double[] pass, double[] dst, int rows, int cols, double sigma0, double sigma1, BoundaryMode mode, double cval, double truncate, bool toFloat, int threads)
    {
        bool axis0 = sigma0 > 1e-15, axis1 = sigma1 > 1e-15;
        if (axis0)
        {
            CannyGaussian.Correlate1D(src, stride, axis1 ? pass : dst, cols, rows, cols, 0, CannyGaussian.Kernel(sigma0, truncate), mode, cval, toFloat, threads);
        }

        if (axis1)
        {
            var (from, fromStride) = axis0 ? (pass, cols) : (src, stride);
            CannyGaussian.Correlate1D(from, fromStride, dst, cols, rows, cols, 1, CannyGaussian.Kernel(sigma1, truncate), mode, cval, toFloat, threads);
        }

        if (!axis0 && !axis1)
        {
            for (int r = 0; r < rows; r++)
            {
                src.AsSpan(r * stride, cols).CopyTo(dst.AsSpan(r * cols));
            }
        }
    }

    /// <summary>
    /// A row stride for a frame whose axis-0 pass reads a window of rows: a row of a multiple of 64 doubles (4 KiB
    /// multiples) gets 8 more, so the window's rows do not all fall in the same L1 sets (as Canny's).
    /// </summary>
    public static int Stride(int cols) => cols % 64 == 0 ? cols + 8 : cols;
}

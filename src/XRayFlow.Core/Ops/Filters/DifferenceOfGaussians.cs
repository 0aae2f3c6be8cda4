using System.Buffers;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// skimage.filters.difference_of_gaussians(image, low_sigma, high_sigma, mode, cval, truncate) (0.19) of a 2-D image,
/// or of each frame of a stack. Exact scalar meaning:
/// <list type="number">
/// <item>the image as img_as_float gives it: an 8- or 16-bit image (docs/integer-sources.md) divided by 255 / 65535
/// in float64 (numpy.multiply(x, 1. / max)), a float image as its float32 values;</item>
/// <item>high_sigma, when not given, is low_sigma * 1.6 in float64 (per axis);</item>
/// <item>im1 and im2: scipy.ndimage.gaussian_filter of that image with the low and the high sigma per axis, as SciPy
/// computes it for a float64 or a float32 array (<see cref="ScipyGaussian"/>);</item>
/// <item>im1 - im2 in that precision, rounded to float32.</item>
/// </list>
/// The same bits as scikit-image for a float image (SciPy's own sums, float32 subtraction); for an 8- or 16-bit one,
/// scikit-image's float64 result rounded to float32.
/// </summary>
public static class DifferenceOfGaussians
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static ImageArray Apply(ImageArray src, IReadOnlyList<double> low, IReadOnlyList<double>? high, BoundaryMode mode, double cval, double truncate, int threads)
    {
        var (l0, l1) = (low[0], low[^1]);
        var (h0, h1) = high is null ? (l0 * 1.6, l1 * 1.6) : (high[0], high[^1]);
        var dtype = SkimageDtypes.Of(src, threads);
        bool single = dtype == SkimageDtype.Float32;
        double scale = 1.0 / SkimageDtypes.Max(dtype);
        int rows = src.Rows, cols = src.Cols, n = src.FrameLength, stride = ScipyGaussian.Stride(cols);
        var dst = ImageArray.Rent(src);
        var start = ArrayPool<double>.Shared.Rent(rows * stride);
        var pass = ArrayPool<double>.Shared.Rent(n);
        var im1 = ArrayPool<double>.Shared.Rent(n);
        var im2 = ArrayPool<double>.Shared.Rent(n);
        try
        {
            for (int f = 0; f < src.Frames; f++)
            {
                var from = src.Frame(f);
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < cols; c++)
                    {
                        float x = from[(r * cols) + c];
                        start[(r * stride) + c] = single ? x : x * scale;
                    }
                }

                ScipyGaussian.Apply(start, stride, pass, im1, rows, cols, l0, l1, mode, cval, truncate, toFloat: single, threads);
                ScipyGaussian.Apply(start, stride, pass, im2, rows, cols, h0, h1, mode, cval, truncate, toFloat: single, threads);
                var to = dst.Frame(f);
                for (int k = 0; k < n; k++)
                {
                    to[k] = single ? (float)im1[k] - (float)im2[k] : (float)(im1[k] - im2[k]);
                }
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(start);
            ArrayPool<double>.Shared.Return(pass);
            ArrayPool<double>.Shared.Return(im1);
            ArrayPool<double>.Shared.Return(im2);
        }

        return dst;
    }
}

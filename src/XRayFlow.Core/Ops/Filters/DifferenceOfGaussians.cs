using System.Buffers;
using System.Numerics;
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
    public static ImageArray Apply(ImageArray src, IReadOnlyList<double> low, IReadOnlyList<double>? high, BoundaryMode mode, double cval, double truncate, int threads)
    {
        var (l0, l1) = (low[0], low[^1]);
        var (h0, h1) = high is null ? (l0 * 1.6, l1 * 1.6) : (high[0], high[^1]);
        var dtype = SkimageDtypes.Of(src, threads);
        bool single = dtype == SkimageDtype.Float32;
        double scale = 1.0 / SkimageDtypes.Max(dtype);
        int rows = src.Rows, cols = src.Cols, n = src.FrameLength, stride = ScipyGaussian.Stride(cols);
        var dst = ImageArray.Rent(src);
        var start = ArrayPool<double>.Shared.Rent(checked(rows * stride));
        var im1 = new ScipyGaussian.Smoothing(l0, l1, truncate, mode, cval, single, cols);
        var im2 = new ScipyGaussian.Smoothing(h0, h1, truncate, mode, cval, single, cols);
        try
        {
            for (int f = 0; f < src.Frames; f++)
            {
                float[] from = src.Data, to = dst.Data;
                int offset = f * n;
                ScipyGaussian.ForRuns(rows, threads, (first, end) => ScipyGaussian.Widen(from.AsSpan(offset, n), start, first, end, cols, stride, single ? null : scale));
                ScipyGaussian.ForRuns(rows, threads, (first, end) => Difference(start, stride, rows, cols, first, end, im1, im2, to, offset, single));
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(start);
        }

        return dst;
    }

    /// <summary>Rows first..end of im1 - im2, a band of each Gaussian at a time in the thread's own rows.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Difference(double[] start, int stride, int rows, int cols, int first, int end, ScipyGaussian.Smoothing im1, ScipyGaussian.Smoothing im2, float[] to, int offset, bool single)
    {
        const int band = ScipyGaussian.Smoothing.Band;
        var s1 = im1.RentScratch();
        var s2 = im2.RentScratch();
        var a = ArrayPool<double>.Shared.Rent(Math.Max(1, band * cols));
        var b = ArrayPool<double>.Shared.Rent(Math.Max(1, band * cols));
        try
        {
            fixed (double* s = start, pa = a, pb = b)
            {
                for (int b0 = first; b0 < end; b0 += band)
                {
                    int b1 = Math.Min(end, b0 + band);
                    im1.Rows(s, stride, rows, b0, b1, s1, pa, cols);
                    im2.Rows(s, stride, rows, b0, b1, s2, pb, cols);
                    var rowsOut = to.AsSpan(offset + (b0 * cols), (b1 - b0) * cols);
                    int k = 0;
                    if (Vector.IsHardwareAccelerated)
                    {
                        int lanes = Vector<double>.Count;
                        for (; k <= rowsOut.Length - (2 * lanes); k += 2 * lanes)
                        {
                            Vector<double> a0 = Vector.Load(pa + k), a1 = Vector.Load(pa + k + lanes), b0v = Vector.Load(pb + k), b1v = Vector.Load(pb + k + lanes);
                            var d = single ? Vector.Narrow(a0, a1) - Vector.Narrow(b0v, b1v) : Vector.Narrow(a0 - b0v, a1 - b1v);
                            d.CopyTo(rowsOut[k..]);
                        }
                    }

                    for (; k < rowsOut.Length; k++)
                    {
                        rowsOut[k] = single ? (float)pa[k] - (float)pb[k] : (float)(pa[k] - pb[k]);
                    }
                }
            }
        }
        finally
        {
            ScipyGaussian.Smoothing.Return(s1);
            ScipyGaussian.Smoothing.Return(s2);
            ArrayPool<double>.Shared.Return(a);
            ArrayPool<double>.Shared.Return(b);
        }
    }
}

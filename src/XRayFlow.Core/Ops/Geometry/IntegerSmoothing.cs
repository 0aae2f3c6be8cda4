using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// scipy.ndimage.gaussian_filter (1.10) of a uint8 / uint16 array into an array of its own dtype, as
/// skimage.transform.resize (0.19) runs its anti-aliasing at order 0 on an integer image (it converts to float only
/// for orders above 0). Each axis pass (axis 0, then axis 1; an axis whose sigma is at most 1e-15 is skipped) is
/// computed in float64 and stored as the integer type, so the second pass reads the first one's integers:
/// <code>
/// r = int(4 sigma + 0.5);  phi[x] = exp((-0.5 / sigma²) · x²), x = -r..r;  w = phi / sum(phi)
///     (exp the C library's; the sum in NumPy's pairwise order: <see cref="CannyGaussian.Kernel"/>)
/// acc = line[i] · w[0];  for k = r .. 1:  acc += (line[i - k] + line[i + k]) · w[k]      (ndimage's symmetric loop)
/// out[i] = (dtype) acc    C's cast: truncated toward zero; a value beyond the type wraps through a 32-bit int
/// </code>
/// with the line extended by the mode (<see cref="Boundary.Map"/>) and cval a float64: <see cref="CannyGaussian.Correlate1D"/>,
/// the same double arithmetic Canny's smoothing needs, then the cast after each pass. The truncation is where this
/// differs from the float path: a smoothed 110.99999999999999 is 110. SciPy's weights come from NumPy's exp: on a
/// machine where NumPy uses its AVX-512 kernels (Intel SVML) that exp differs from the C library's in the last bit for
/// about a quarter of the arguments, and values that land within about 1e-13 of a whole number truncate the other
/// way (1.7% of the pixels of the sample X-rays, by one level); elsewhere NumPy's exp is the C library's, and the
/// fixtures (made with NumPy's AVX-512 kernels switched off) match bit for bit.
/// </summary>
internal static class IntegerSmoothing
{
    /// <summary>The smoothed frames (values whole numbers of the dtype), in a pooled array.</summary>
    public static ImageArray GaussianFilter(ImageArray src, double[] sigma, BoundaryMode mode, double cval, bool uint16, int threads)
    {
        var dst = ImageArray.Rent(src);
        int rows = src.Rows, cols = src.Cols;
        for (int f = 0; f < src.Frames; f++)
        {
            var frame = src.Frame(f);
            var data = new double[frame.Length];
            for (int k = 0; k < data.Length; k++)
            {
                data[k] = frame[k];
            }

            for (int axis = 0; axis < 2; axis++)
            {
                if (sigma[axis] > NdFilters.SigmaSkip)
                {
                    CannyGaussian.Correlate1D(data, rows, cols, axis, CannyGaussian.Kernel(sigma[axis], 4.0), mode, cval, toFloat: false, threads);
                    for (int k = 0; k < data.Length; k++)
                    {
                        data[k] = Cast(data[k], uint16);
                    }
                }
            }

            var output = dst.Data.AsSpan(f * dst.FrameLength, dst.FrameLength);
            for (int k = 0; k < data.Length; k++)
            {
                output[k] = (float)data[k];
            }
        }

        return dst;
    }

    /// <summary>C's (npy_ubyte) / (npy_uint16) of a double on x86-64: truncated to a 32-bit int, then its low bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Cast(double v, bool uint16) => uint16 ? unchecked((ushort)(int)v) : unchecked((byte)(int)v);
}

namespace XRayFlow.Core.Kernels;

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

    public static void Correlate1D(float[] data, int rows, int cols, int axis, double[] w, BoundaryMode mode, double cval)
    {
        int len = axis == 0 ? rows : cols;
        int lines = axis == 0 ? cols : rows;
        int radius = w.Length / 2;
        var ext = new double[len + (2 * radius)];
        for (int l = 0; l < lines; l++)
        {
            for (int t = -radius; t < len + radius; t++)
            {
                int src = Boundary.Map(t, len, mode);
                ext[t + radius] = src < 0 ? cval : data[axis == 0 ? (src * cols) + l : (l * cols) + src];
            }

            for (int t = 0; t < len; t++)
            {
                data[axis == 0 ? (t * cols) + l : (l * cols) + t] = (float)Apply(ext, t + radius, w, radius);
            }
        }
    }

    public static void Correlate1D(double[] data, int rows, int cols, int axis, double[] w, BoundaryMode mode, double cval)
    {
        int len = axis == 0 ? rows : cols;
        int lines = axis == 0 ? cols : rows;
        int radius = w.Length / 2;
        var ext = new double[len + (2 * radius)];
        for (int l = 0; l < lines; l++)
        {
            for (int t = -radius; t < len + radius; t++)
            {
                int src = Boundary.Map(t, len, mode);
                ext[t + radius] = src < 0 ? cval : data[axis == 0 ? (src * cols) + l : (l * cols) + src];
            }

            for (int t = 0; t < len; t++)
            {
                data[axis == 0 ? (t * cols) + l : (l * cols) + t] = Apply(ext, t + radius, w, radius);
            }
        }
    }

    private static double Apply(double[] ext, int centre, double[] w, int radius)
    {
        double acc = ext[centre] * w[radius];
        for (int j = -radius; j < 0; j++)
        {
            acc += (ext[centre + j] + ext[centre - j]) * w[radius + j];
        }

        return acc;
    }
}

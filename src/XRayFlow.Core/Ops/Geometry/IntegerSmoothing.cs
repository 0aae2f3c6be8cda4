using System.Numerics;
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
///     (exp the C library's; the sum in NumPy's pairwise order: <see cref="PairwiseSum"/>)
/// acc = line[i] · w[0];  for k = r .. 1:  acc += (line[i - k] + line[i + k]) · w[k]      (ndimage's symmetric loop)
/// out[i] = (dtype) acc    C's cast: truncated toward zero; a value beyond the type wraps through a 32-bit int
/// </code>
/// with the line extended by the mode (<see cref="Boundary.Map"/>) and cval a float64. The truncation is where this
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
        var w0 = sigma[0] > NdFilters.SigmaSkip ? Weights(sigma[0]) : null;
        var w1 = sigma[1] > NdFilters.SigmaSkip ? Weights(sigma[1]) : null;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        for (int f = 0; f < src.Frames; f++)
        {
            var input = src.Data.AsMemory(f * src.FrameLength, src.FrameLength);
            var output = dst.Data.AsMemory(f * dst.FrameLength, dst.FrameLength);
            input.CopyTo(output);
            if (w0 is not null)
            {
                // Axis 0: each output row from whole input rows (vectors along the row), then cast.
                var x = new double[input.Length];
                var span = input.Span;
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = span[k];
                }

                var cvalRow = new double[cols];
                cvalRow.AsSpan().Fill(cval);
                Parallel.For(0, rows, options, i => DownColumns(x, cvalRow, rows, cols, i, w0, mode, uint16, output.Span.Slice(i * cols, cols)));
            }

            if (w1 is not null)
            {
                Parallel.For(0, rows, options, () => new double[cols + (2 * (w1.Length - 1))], (i, _, line) =>
                {
                    AlongRow(output.Span.Slice(i * cols, cols), w1, mode, cval, uint16, line);
                    return line;
                }, _ => { });
            }
        }

        return dst;
    }

    /// <summary>w[k] = phi[k] / sum(phi) for k = 0..r (the kernel is symmetric: phi[-k] = phi[k] bit for bit).</summary>
    internal static double[] Weights(double sigma)
    {
        int r = (int)((4.0 * sigma) + 0.5);
        double sigma2 = sigma * sigma;
        var phi = new double[(2 * r) + 1];
        for (int k = 0; k < phi.Length; k++)
        {
            long x = k - r;
            phi[k] = Math.Exp(-0.5 / sigma2 * (double)(x * x));
        }

        double sum = PairwiseSum(phi);
        var w = new double[r + 1];
        for (int k = 0; k <= r; k++)
        {
            w[k] = phi[r + k] / sum;
        }

        return w;
    }

    /// <summary>
    /// numpy.add.reduce of a contiguous float64 array (its pairwise_sum): fewer than 8 values one after another from
    /// 0.0; up to 128 values in eight running sums (value i into sum i mod 8) combined as ((s0 + s1) + (s2 + s3)) +
    /// ((s4 + s5) + (s6 + s7)), then the last n mod 8 values one after another; more, the two halves (the first
    /// n / 2 rounded down to a multiple of 8) summed so and added.
    /// </summary>
    internal static double PairwiseSum(ReadOnlySpan<double> a)
    {
        int n = a.Length;
        if (n < 8)
        {
            double res = 0.0;
            for (int i = 0; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        if (n <= 128)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i = 8;
            for (; i < n - (n % 8); i += 8)
            {
                for (int j = 0; j < 8; j++)
                {
                    r[j] += a[i + j];
                }
            }

            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++)
            {
                res += a[i];
            }

            return res;
        }

        int n2 = n / 2;
        n2 -= n2 % 8;
        return PairwiseSum(a[..n2]) + PairwiseSum(a[n2..]);
    }

    /// <summary>C's (npy_ubyte) / (npy_uint16) of a double on x86-64: truncated to a 32-bit int, then its low bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static float Cast(double v, bool uint16) => uint16 ? unchecked((ushort)(int)v) : unchecked((byte)(int)v);

    /// <summary>Output row i of the axis-0 pass: whole rows of x (rows x cols, float64; the cval row for the constant) combined value by value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DownColumns(double[] x, double[] cvalRow, int rows, int cols, int i, double[] w, BoundaryMode mode, bool uint16, Span<float> dst)
    {
        var acc = new double[cols];
        var row = x.AsSpan(i * cols, cols);
        for (int j = 0; j < cols; j++)
        {
            acc[j] = row[j] * w[0];
        }

        for (int k = w.Length - 1; k >= 1; k--)
        {
            int ma = Boundary.Map(i - k, rows, mode), mb = Boundary.Map(i + k, rows, mode);
            ReadOnlySpan<double> above = ma < 0 ? cvalRow : x.AsSpan(ma * cols, cols);
            ReadOnlySpan<double> below = mb < 0 ? cvalRow : x.AsSpan(mb * cols, cols);
            var vw = new Vector<double>(w[k]);
            int j = 0, l = Vector<double>.Count;
            for (; j <= cols - l; j += l)
            {
                var sum = new Vector<double>(above[j..]) + new Vector<double>(below[j..]);
                (new Vector<double>(acc, j) + (sum * vw)).CopyTo(acc, j);
            }

            for (; j < cols; j++)
            {
                acc[j] += (above[j] + below[j]) * w[k];
            }
        }

        for (int j = 0; j < cols; j++)
        {
            dst[j] = Cast(acc[j], uint16);
        }
    }

    /// <summary>The axis-1 pass of one row in place: the row extended into <paramref name="line"/>, then each value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AlongRow(Span<float> row, double[] w, BoundaryMode mode, double cval, bool uint16, double[] line)
    {
        int n = row.Length, r = w.Length - 1;
        for (int t = -r; t < n + r; t++)
        {
            int m = Boundary.Map(t, n, mode);
            line[t + r] = m < 0 ? cval : row[m];
        }

        for (int j = 0; j < n; j++)
        {
            int c = j + r;
            double acc = line[c] * w[0];
            for (int k = r; k >= 1; k--)
            {
                acc += (line[c - k] + line[c + k]) * w[k];
            }

            row[j] = Cast(acc, uint16);
        }
    }
}

using System.Numerics;
using System.Runtime.InteropServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

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

    /// <summary>
    /// One pass along <paramref name="axis"/> over a frame held in doubles. With <paramref name="toFloat"/> every
    /// result is rounded to float32 (SciPy's output array for a float32 input). Each output element is computed
    /// exactly as <c>NI_Correlate1D</c>'s symmetric loop does (x[0] w[0], then + (x[j] + x[-j]) w[j] for j = -r..-1,
    /// in double); rows are processed as vectors of doubles (lane-wise IEEE arithmetic, no fused multiply-add), so
    /// the result is the same whatever the vector width or the number of threads.
    /// </summary>
    public static void Correlate1D(double[] data, int rows, int cols, int axis, double[] w, BoundaryMode mode, double cval, bool toFloat, int threads = 1)
    {
        int radius = w.Length / 2;
        var output = new double[data.Length];
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
        if (axis == 0)
        {
            var constantRow = new double[cols];
            constantRow.AsSpan().Fill(cval);
            ReadOnlySpan<double> Row(int t)
            {
                int m = Boundary.Map(t, rows, mode);
                return m < 0 ? constantRow : data.AsSpan(m * cols, cols);
            }

            Parallel.For(0, rows, options, t =>
            {
                var acc = output.AsSpan(t * cols, cols);
                Scale(data.AsSpan(t * cols, cols), w[radius], acc);
                for (int j = -radius; j < 0; j++)
                {
                    AddPair(Row(t + j), Row(t - j), w[radius + j], acc);
                }

                if (toFloat)
                {
                    RoundToFloat(acc);
                }
            });
        }
        else
        {
            Parallel.For(0, rows, options, () => new double[cols + (2 * radius)], (t, _, ext) =>
            {
                var line = data.AsSpan(t * cols, cols);
                for (int k = -radius; k < cols + radius; k++)
                {
                    int m = Boundary.Map(k, cols, mode);
                    ext[k + radius] = m < 0 ? cval : line[m];
                }

                var acc = output.AsSpan(t * cols, cols);
                Scale(ext.AsSpan(radius, cols), w[radius], acc);
                for (int j = -radius; j < 0; j++)
                {
                    AddPair(ext.AsSpan(radius + j, cols), ext.AsSpan(radius - j, cols), w[radius + j], acc);
                }

                if (toFloat)
                {
                    RoundToFloat(acc);
                }

                return ext;
            }, _ => { });
        }

        output.CopyTo(data, 0);
    }

    private static void Scale(ReadOnlySpan<double> x, double w, Span<double> acc)
    {
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var va = MemoryMarshal.Cast<double, Vector<double>>(acc);
        var vw = new Vector<double>(w);
        for (int i = 0; i < va.Length; i++)
        {
            va[i] = vx[i] * vw;
        }

        for (int i = va.Length * Vector<double>.Count; i < acc.Length; i++)
        {
            acc[i] = x[i] * w;
        }
    }

    /// <summary>acc += (a + b) * w, element by element.</summary>
    private static void AddPair(ReadOnlySpan<double> a, ReadOnlySpan<double> b, double w, Span<double> acc)
    {
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        var vacc = MemoryMarshal.Cast<double, Vector<double>>(acc);
        var vw = new Vector<double>(w);
        for (int i = 0; i < vacc.Length; i++)
        {
            vacc[i] += (va[i] + vb[i]) * vw;
        }

        for (int i = vacc.Length * Vector<double>.Count; i < acc.Length; i++)
        {
            acc[i] += (a[i] + b[i]) * w;
        }
    }

    private static void RoundToFloat(Span<double> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)values[i];
        }
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// ScipyGaussian's banded passes (axis 0 in strips of columns with prefetching, axis 1 eight rows at a time down
/// transposed columns and the band's last rows one by one, vectors of 8 and 32 doubles) against NI_Correlate1D's loop written out one value at a time: the same bits for every width 1..70
/// (the strips' and vectors' tails), heights around the band of 32 rows, every mode, skipped axes, float32 rounding,
/// a padded row stride and one or two threads.
/// </summary>
public class ScipyGaussianTests
{
    public static TheoryData<BoundaryMode, bool> Modes()
    {
        var data = new TheoryData<BoundaryMode, bool>();
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            data.Add(mode, false);
            data.Add(mode, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void EveryWidthEqualsTheScalarLoop(BoundaryMode mode, bool toFloat)
    {
        var random = new Random(20261206 + ((int)mode * 2) + (toFloat ? 1 : 0));
        for (int cols = 1; cols <= 70; cols++)
        {
            int rows = 1 + random.Next(40);
            Check(random, rows, cols, 1.3 + random.NextDouble(), 0.7 + random.NextDouble(), mode, toFloat, threads: 1 + (cols % 2));
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(31, 130)]
    [InlineData(32, 64)]
    [InlineData(33, 65)]
    [InlineData(97, 129)]
    [InlineData(150, 7)]
    public void HeightsAroundTheBandEqualTheScalarLoop(int rows, int cols)
    {
        var random = new Random(rows * 1000 + cols);
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            Check(random, rows, cols, 3.2, 2.0, mode, toFloat: true, threads: 2);
            Check(random, rows, cols, 0.5, 9.0, mode, toFloat: false, threads: 1);
        }
    }

    [Theory]
    [InlineData(0.0, 2.0)]
    [InlineData(2.0, 0.0)]
    [InlineData(0.0, 0.0)]
    [InlineData(1e-16, 1.5)]
    public void ASkippedAxisIsLeftAsItIs(double sigma0, double sigma1)
    {
        var random = new Random(7);
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            Check(random, 45, 66, sigma0, sigma1, mode, toFloat: true, threads: 2);
            Check(random, 45, 66, sigma0, sigma1, mode, toFloat: false, threads: 1);
        }
    }

    [Fact]
    public void KernelsLongerThanTheStackHoldsEqualTheScalarLoop()
    {
        // Sigma 300 at truncate 4: 2,401 taps, whose row pointers go to a pooled array (1,024 stay on the stack).
        var random = new Random(11);
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            Check(random, 21, 35, 300.0, 280.0, mode, toFloat: true, threads: 2);
        }
    }

    [Fact]
    public void TheKernelIsSciPysForSigmaTwo()
    {
        // scipy.ndimage._filters._gaussian_kernel1d(2.0, 0, 8) (SciPy 1.10.1), printed with repr: the centre weight,
        // its neighbour and the last (NumPy's exp may differ from Math.Exp in the last bit: relative 1e-15).
        var w = CannyGaussian.Kernel(2.0, 4.0);
        Assert.Equal(17, w.Length);
        Assert.Equal(0.199474647864745, w[8], 0.199474647864745 * 1e-15);
        Assert.Equal(0.17603575888479034, w[7], 0.17603575888479034 * 1e-15);
        Assert.Equal(6.691628957263553e-05, w[0], 6.691628957263553e-05 * 1e-15);
        Assert.Equal(w[7], w[9]);
    }

    private static void Check(Random random, int rows, int cols, double sigma0, double sigma1, BoundaryMode mode, bool toFloat, int threads)
    {
        int stride = cols + random.Next(3);
        var src = new double[(rows * stride) + 5];
        for (int i = 0; i < src.Length; i++)
        {
            double v = (random.NextDouble() * 200) - 50;
            src[i] = toFloat ? (float)v : v;
        }

        double cval = toFloat ? 3.5f : 3.25;
        var got = new double[rows * cols];
        ScipyGaussian.Apply(src, stride, got, rows, cols, sigma0, sigma1, mode, cval, 4.0, toFloat, threads);

        var expected = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            Array.Copy(src, r * stride, expected, r * cols, cols);
        }

        if (sigma0 > 1e-15)
        {
            expected = Pass(expected, rows, cols, 0, CannyGaussian.Kernel(sigma0, 4.0), mode, cval, toFloat);
        }

        if (sigma1 > 1e-15)
        {
            expected = Pass(expected, rows, cols, 1, CannyGaussian.Kernel(sigma1, 4.0), mode, cval, toFloat);
        }

        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.DoubleToInt64Bits(expected[i]) != BitConverter.DoubleToInt64Bits(got[i]))
            {
                Assert.Fail($"{rows} x {cols}, sigmas {sigma0} / {sigma1}, {mode}, toFloat {toFloat}, {threads} threads: value {i} is {got[i]:R}, the scalar loop gives {expected[i]:R}");
            }
        }
    }

    /// <summary>NI_Correlate1D's symmetric loop, one value at a time: x[0] w[r], then + (x[j] + x[-j]) w[r + j] for j = -r..-1.</summary>
    private static double[] Pass(double[] x, int rows, int cols, int axis, double[] w, BoundaryMode mode, double cval, bool toFloat)
    {
        int radius = w.Length / 2, n = axis == 0 ? rows : cols;
        var y = new double[x.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int at = axis == 0 ? r : c;
                double Value(int k)
                {
                    int m = Boundary.Map(k, n, mode);
                    return m < 0 ? cval : axis == 0 ? x[(m * cols) + c] : x[(r * cols) + m];
                }

                double sum = Value(at) * w[radius];
                for (int j = -radius; j < 0; j++)
                {
                    sum += (Value(at + j) + Value(at - j)) * w[radius + j];
                }

                y[(r * cols) + c] = toFloat ? (float)sum : sum;
            }
        }

        return y;
    }
}

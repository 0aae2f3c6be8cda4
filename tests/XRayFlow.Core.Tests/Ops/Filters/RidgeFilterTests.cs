using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// The ridge filters (RidgeFilters: frangi, hessian, sato, meijering): the vector path gives the scalar meaning's bits
/// for every frame width 2..40, every boundary mode, both precisions (float images in float32, 8- and 16-bit ones in
/// float64), NaN and infinities, 1 or 2 threads; the per-pixel measure by hand; the refusal of a frame numpy.gradient
/// refuses. Against scikit-image: tests/fixtures/ops (frangi, hessian, sato, meijering).
/// </summary>
public class RidgeFilterTests
{
    private static readonly BoundaryMode[] Modes = Enum.GetValues<BoundaryMode>();

    private static readonly RidgeFilter[] Filters = Enum.GetValues<RidgeFilter>();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheVectorPathIsTheScalarMeaningForEveryWidthModeAndFilter(bool integer)
    {
        var random = new Random(integer ? 20261207 : 20261208);
        int cases = 0, nonzero = 0;
        for (int cols = 2; cols <= 40; cols++)
        {
            foreach (var mode in Modes)
            {
                var filter = Filters[(cols + (int)mode) % Filters.Length];
                int rows = 2 + random.Next(12);
                var image = Image(random, rows, cols, integer, specials: !integer && cols % 3 == 0);
                double[] sigmas = cols % 4 == 0 ? [0.0, 1.5] : [1.0, 2.0 + random.NextDouble()];
                bool black = cols % 2 == 0;
                double cval = cols % 5 == 0 ? 0.1 : 2.0;
                var expected = RidgeFilters.Apply(image, filter, sigmas, 0.5, 0.5, integer ? 0.05 : 15, black, mode, cval, threads: 1, vectors: false);
                var got = RidgeFilters.Apply(image, filter, sigmas, 0.5, 0.5, integer ? 0.05 : 15, black, mode, cval, threads: 1 + (cols % 2), vectors: true);
                AssertSameBits(expected.Data, got.Data, rows * cols, $"{filter} {rows} x {cols}, {mode}, black {black}, integer {integer}");
                cases++;
                nonzero += expected.Data.Take(rows * cols).Any(v => v != 0) ? 1 : 0;
            }
        }

        Assert.True(nonzero > cases * 9 / 10, $"{nonzero} of {cases} frames hold a value other than 0"); // the comparisons compared something
    }

    [Fact]
    public void TheVectorMeasureIsTheScalarOneOnSpecialValues()
    {
        float[] specials = [0f, -0f, 1f, -2.5f, 1e-30f, -1e-20f, 3e30f, float.NaN, -float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        int n = System.Numerics.Vector<float>.Count;
        foreach (var filter in Filters)
        {
            var k32 = RidgeFilters.Constants<float>.Of(filter, 0.5, 0.5, 15);
            var k64 = RidgeFilters.Constants<double>.Of(filter, 0.5, 0.5, 15);
            foreach (float a in specials)
            {
                foreach (float b in specials)
                {
                    foreach (float c in specials)
                    {
                        var got = RidgeFilters.Measure(new System.Numerics.Vector<float>(a), new System.Numerics.Vector<float>(b), new System.Numerics.Vector<float>(c), 4f, k32);
                        float want = RidgeFilters.Measure(a, b, c, 4f, k32);
                        Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got[n - 1]), $"{filter} float ({a}, {b}, {c}): {want:R} ({BitConverter.SingleToInt32Bits(want):X8}) against the lane's {got[0]:R} ({BitConverter.SingleToInt32Bits(got[0]):X8})");
                        var got64 = RidgeFilters.Measure(new System.Numerics.Vector<double>(a), new System.Numerics.Vector<double>(b), new System.Numerics.Vector<double>(c), 4.0, k64);
                        double want64 = RidgeFilters.Measure((double)a, b, c, 4.0, k64);
                        Assert.True(BitConverter.DoubleToInt64Bits(want64) == BitConverter.DoubleToInt64Bits(got64[0]), $"{filter} double ({a}, {b}, {c}): {want64:R} against the lane's {got64[0]:R}");
                    }
                }
            }
        }
    }

    [Fact]
    public void ALargeFrameOnTwoThreadsIsTheScalarMeaning()
    {
        var random = new Random(11);
        var image = Image(random, 97, 131, integer: false, specials: false);
        foreach (var filter in Filters)
        {
            var expected = RidgeFilters.Apply(image, filter, [1.0, 3.0], 0.5, 0.5, 15, true, BoundaryMode.Reflect, 0, threads: 1, vectors: false);
            var got = RidgeFilters.Apply(image, filter, [1.0, 3.0], 0.5, 0.5, 15, true, BoundaryMode.Reflect, 0, threads: 2, vectors: true);
            AssertSameBits(expected.Data, got.Data, 97 * 131, $"{filter} 97 x 131");
        }
    }

    [Fact]
    public void TheMeasureIsScikitImagesFormulaByHand()
    {
        // Hessian [[-2, 0], [0, 0]] at scale 1: eigenvalues l1 = -1 + 1 = 0, l2 = -1 - 1 = -2; by |.|: lam1 = 0, lam2 = -2.
        var frangi = RidgeFilters.Constants<double>.Of(RidgeFilter.Frangi, 0.5, 0.5, 15);
        Assert.Equal(1 - RidgeFilters.Exp(-4.0 / 450), RidgeFilters.Measure(-2.0, 0.0, 0.0, 1.0, frangi)); // exp(-0 / 0.5) (1 - exp(-(0 + 4) / 450))
        Assert.Equal(0.0, RidgeFilters.Measure(-2.0, 0.0, 0.0, 1.0, RidgeFilters.Constants<double>.Of(RidgeFilter.Sato, 0.5, 0.5, 15))); // larger eigenvalue 0: not > 0
        Assert.Equal(-3.0, RidgeFilters.Measure(-2.0, 0.0, 0.0, 1.0, RidgeFilters.Constants<double>.Of(RidgeFilter.Meijering, 0.5, 0.5, 15))); // -2 * 0.5 + -2

        // [[2, 0], [0, 0]]: l1 = 2, l2 = 0; frangi's lam2 = 2 > 0 is background (0), sato keeps 2.
        Assert.Equal(0.0, RidgeFilters.Measure(2.0, 0.0, 0.0, 1.0, frangi));
        Assert.Equal(2.0, RidgeFilters.Measure(2.0, 0.0, 0.0, 1.0, RidgeFilters.Constants<double>.Of(RidgeFilter.Sato, 0.5, 0.5, 15)));

        // [[1, 3], [3, 1]] at scale 2 (s^2 = 4 multiplies each element): [[4, 12], [12, 4]], eigenvalues 16 and -8;
        // |.| order: lam1 = -8, lam2 = 16 > 0: background for frangi; meijering 16 * 0.5 + 16 = 24.
        Assert.Equal(0.0, RidgeFilters.Measure(1.0, 3.0, 1.0, 4.0, frangi));
        Assert.Equal(24.0, RidgeFilters.Measure(1.0, 3.0, 1.0, 4.0, RidgeFilters.Constants<double>.Of(RidgeFilter.Meijering, 0.5, 0.5, 15)));

        // A flat frame: every eigenvalue 0, d = |0| -> 1e-10, rb = 0, rg = 0: exp(0) (1 - exp(0)) = 0.
        Assert.Equal(0f, RidgeFilters.Measure(0f, 0f, 0f, 1f, RidgeFilters.Constants<float>.Of(RidgeFilter.Frangi, 0.5, 0.5, 15)));
    }

    [Fact]
    public void HessianSetsFrangisZerosToOne()
    {
        var image = Image(new Random(5), 20, 23, integer: false, specials: false);
        var frangi = RidgeFilters.Apply(image, RidgeFilter.Frangi, [1.0, 2.0], 0.5, 0.5, 15, true, BoundaryMode.Reflect, 0, threads: 1);
        var hessian = RidgeFilters.Apply(image, RidgeFilter.Hessian, [1.0, 2.0], 0.5, 0.5, 15, true, BoundaryMode.Reflect, 0, threads: 1);
        Assert.Contains(frangi.Data.Take(20 * 23), v => v == 0f);
        Assert.Contains(frangi.Data.Take(20 * 23), v => v > 0f);
        for (int i = 0; i < 20 * 23; i++)
        {
            Assert.Equal(frangi.Data[i] <= 0f ? 1f : frangi.Data[i], hessian.Data[i]);
        }
    }

    [Fact]
    public void MeijeringsStrongestRidgeIsOne()
    {
        var image = Image(new Random(6), 25, 31, integer: true, specials: false);
        var got = RidgeFilters.Apply(image, RidgeFilter.Meijering, [1.0, 2.0], 0.5, 0.5, 15, true, BoundaryMode.Nearest, 0, threads: 1);
        Assert.Equal(1f, got.Data.Take(25 * 31).Max());
        Assert.True(got.Data.Take(25 * 31).Min() >= 0f);
    }

    [Theory]
    [InlineData(1, 9)]
    [InlineData(7, 1)]
    public void AFrameNumpysGradientRefusesIsRefused(int rows, int cols)
    {
        var image = new ImageArray(rows, cols, new float[rows * cols]);
        var e = Assert.Throws<ArgumentException>(() => RidgeFilters.Apply(image, RidgeFilter.Sato, [1.0], 0.5, 0.5, 15, true, BoundaryMode.Reflect, 0, threads: 1));
        Assert.Contains("at least 2 pixels on each axis", e.Message);
    }

    /// <summary>An 8-bit frame (whole values 0..255: the float64 path) or a float one (fractions, and NaN / inf / -0 when asked).</summary>
    private static ImageArray Image(Random random, int rows, int cols, bool integer, bool specials)
    {
        var data = new float[rows * cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = integer ? random.Next(256) : (float)((random.NextDouble() * 200) - 50);
        }

        if (specials)
        {
            data[random.Next(data.Length)] = float.NaN;
            data[random.Next(data.Length)] = float.PositiveInfinity;
            data[random.Next(data.Length)] = -0f;
        }

        return new ImageArray(rows, cols, data);
    }

    private static void AssertSameBits(float[] expected, float[] got, int n, string what)
    {
        for (int i = 0; i < n; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(got[i]))
            {
                Assert.Fail($"{what}: value {i}: expected {expected[i]:R} ({BitConverter.SingleToInt32Bits(expected[i]):X8}), got {got[i]:R} ({BitConverter.SingleToInt32Bits(got[i]):X8})");
            }
        }
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// difference_of_gaussians (DifferenceOfGaussians): the default high sigma is 1.6 x low per axis; 1 and 2 threads
/// give the same bits on frames large enough to share out (float and 8-bit); a zero low sigma leaves the image as it
/// is before the subtraction; the float path's result is exactly the difference of SciPy's two float32 Gaussians.
/// Against scikit-image: tests/fixtures/ops (difference_of_gaussians).
/// </summary>
public class DifferenceOfGaussiansTests
{
    [Fact]
    public void TheHighSigmaDefaultsToOnePointSixTimesTheLow()
    {
        var image = Frame(new Random(1), 40, 37, whole: false);
        var implicitHigh = DifferenceOfGaussians.Apply(image, [1.5, 2.5], null, BoundaryMode.Nearest, 0, 4.0, threads: 1);
        var explicitHigh = DifferenceOfGaussians.Apply(image, [1.5, 2.5], [1.5 * 1.6, 2.5 * 1.6], BoundaryMode.Nearest, 0, 4.0, threads: 1);
        Assert.Equal(explicitHigh.Data.Take(40 * 37), implicitHigh.Data.Take(40 * 37));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneAndTwoThreadsGiveTheSameBits(bool whole)
    {
        var image = Frame(new Random(whole ? 2 : 3), 300, 257, whole);
        var one = DifferenceOfGaussians.Apply(image, [2.0], [5.0], BoundaryMode.Reflect, 0, 4.0, threads: 1);
        var two = DifferenceOfGaussians.Apply(image, [2.0], [5.0], BoundaryMode.Reflect, 0, 4.0, threads: 2);
        Assert.Equal(one.Data.Take(300 * 257), two.Data.Take(300 * 257));
        Assert.Contains(one.Data.Take(300 * 257), v => v < 0);
        Assert.Contains(one.Data.Take(300 * 257), v => v > 0);
    }

    [Fact]
    public void AFloatImageIsTheDifferenceOfSciPysFloat32Gaussians()
    {
        // A zero low sigma leaves the image itself: image - gaussian(image, high), each float32.
        var image = Frame(new Random(4), 23, 31, whole: false);
        var got = DifferenceOfGaussians.Apply(image, [0.0], [1.7], BoundaryMode.Mirror, 0, 4.0, threads: 1);
        var start = image.Data.Select(v => (double)v).ToArray();
        var smooth = new double[start.Length];
        ScipyGaussian.Apply(start, 31, smooth, 23, 31, 1.7, 1.7, BoundaryMode.Mirror, 0, 4.0, toFloat: true, threads: 1);
        for (int i = 0; i < start.Length; i++)
        {
            Assert.Equal(image.Data[i] - (float)smooth[i], got.Data[i]);
        }
    }

    private static ImageArray Frame(Random random, int rows, int cols, bool whole)
    {
        var data = new float[rows * cols];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = whole ? random.Next(256) : (float)(random.NextDouble() * 100);
        }

        return new ImageArray(rows, cols, data);
    }
}

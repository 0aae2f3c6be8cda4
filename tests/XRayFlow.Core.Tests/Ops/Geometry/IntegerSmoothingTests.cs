using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>
/// The parts of <see cref="IntegerSmoothing"/> (and the kernel sum it shares with Canny's smoothing) that the op fixtures (resize at order 0 on uint8 / uint16 images, in
/// tests/fixtures/opcases/geometry.py) reach only through a truncation: the weights' sum in NumPy's order and C's cast.
/// </summary>
public class IntegerSmoothingTests
{
    /// <summary>
    /// numpy.sum(a) of a = ((k · 7919) mod 1000 − 500) / 7 / (1, 1000, 1e6)[k mod 3], as NumPy 1.24.2 gives it
    /// (float.hex). The lengths reach each branch: sequential under 8, eight sums up to 128, halves beyond (split at a
    /// multiple of 8: 300 and 1001 differ when split at n / 2; 9..129 differ from a sequential sum).
    /// </summary>
    [Theory]
    [InlineData(5, "-0x1.1508ada209114p+5")]
    [InlineData(9, "-0x1.051c4bc9a6e50p+5")]
    [InlineData(100, "-0x1.71b02c00b3c26p+5")]
    [InlineData(129, "-0x1.0942b2d7d2f79p+7")]
    [InlineData(300, "-0x1.e5af67650dde4p+6")]
    [InlineData(1001, "-0x1.0e963c450bfffp+6")]
    public void PairwiseSumIsNumpysSum(int n, string numpy)
    {
        double[] d = [1.0, 1000.0, 1e6];
        var a = new double[n];
        for (int k = 0; k < n; k++)
        {
            a[k] = (((k * 7919L) % 1000) - 500) / 7.0 / d[k % 3];
        }

        Assert.Equal(Hex(numpy), XRayFlow.Core.Ops.Filters.CannyGaussian.PairwiseSum(a, 0, a.Length));
    }

    [Theory]
    [InlineData(110.99999999999999, false, 110f)]
    [InlineData(255.9, false, 255f)]
    [InlineData(-30.4, false, 226f)]
    [InlineData(300.7, false, 44f)]
    [InlineData(-0.5, false, 0f)]
    [InlineData(65535.99, true, 65535f)]
    [InlineData(70000.2, true, 4464f)]
    [InlineData(-1.5, true, 65535f)]
    public void CastTruncatesTowardZeroAndWrapsLikeC(double v, bool uint16, float want)
        => Assert.Equal(want, IntegerSmoothing.Cast(v, uint16));

    /// <summary>C99 hexadecimal float ("-0x1.8p+1") to a double.</summary>
    private static double Hex(string s)
    {
        bool negative = s.StartsWith('-');
        var body = s.TrimStart('-')[2..];
        int p = body.IndexOf('p');
        var parts = body[..p].Split('.');
        long mantissa = Convert.ToInt64(parts[0] + parts[1], 16);
        int exponent = int.Parse(body[(p + 1)..], System.Globalization.CultureInfo.InvariantCulture) - (4 * parts[1].Length);
        double value = Math.ScaleB(mantissa, exponent);
        return negative ? -value : value;
    }
}

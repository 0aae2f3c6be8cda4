using System.Numerics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Imaging;

/// <summary>
/// ExpKernel: every vector lane gives the scalar meaning's bits (random arguments across the whole range, the range's
/// edges, NaN, infinities, signed zeros), the result is within 2 units in the last place of Math.Exp, and the special
/// values are as documented.
/// </summary>
public class ExpKernelTests
{
    [Fact]
    public void EveryLaneIsTheScalarMeaning()
    {
        var random = new Random(20261206);
        var values = new List<double> { 0.0, -0.0, 1.0, -1.0, -708.0, -708.0000001, -707.9999999, 709.0, 709.0000001, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, -double.Epsilon, 0.5 * Math.Log(2), -0.5 * Math.Log(2), double.MaxValue, double.MinValue };
        for (int i = 0; i < 100_000; i++)
        {
            values.Add(random.Next(4) switch
            {
                0 => (random.NextDouble() * 1500) - 750,
                1 => -random.NextDouble() * 30,
                2 => (random.NextDouble() - 0.5) * 1e-6,
                _ => -random.NextDouble() * 1e-12,
            });
        }

        int n = Vector<double>.Count;
        var lanes = new double[n];
        for (int i = 0; i + n <= values.Count; i += n)
        {
            values.CopyTo(i, lanes, 0, n);
            var got = ExpKernel.Exp(new Vector<double>(lanes));
            for (int j = 0; j < n; j++)
            {
                double want = ExpKernel.Exp(lanes[j]);
                Assert.True(BitConverter.DoubleToInt64Bits(want) == BitConverter.DoubleToInt64Bits(got[j]), $"exp({lanes[j]:R}): lane {got[j]:R}, scalar {want:R}");
            }
        }
    }

    [Fact]
    public void ItIsWithinTwoUlpsOfMathExp()
    {
        var random = new Random(7);
        for (int i = 0; i < 1_000_000; i++)
        {
            double x = i % 2 == 0 ? -random.NextDouble() * 30 : (random.NextDouble() * 1400) - 700;
            double want = Math.Exp(x), got = ExpKernel.Exp(x);
            double ulp = Math.BitIncrement(want) - want;
            Assert.True(Math.Abs(got - want) <= 2 * ulp, $"exp({x:R}) = {got:R}, Math.Exp {want:R}");
        }
    }

    [Fact]
    public void TheSpecialValuesAreAsDocumented()
    {
        Assert.Equal(1.0, ExpKernel.Exp(0.0));
        Assert.Equal(1.0, ExpKernel.Exp(-0.0));
        Assert.Equal(0.0, ExpKernel.Exp(double.NegativeInfinity));
        Assert.Equal(0.0, ExpKernel.Exp(-708.5)); // below e^-708: 0, where the C library gives a subnormal
        Assert.True(ExpKernel.Exp(-708.0) > 0);
        Assert.Equal(double.PositiveInfinity, ExpKernel.Exp(709.5));
        Assert.Equal(double.PositiveInfinity, ExpKernel.Exp(double.PositiveInfinity));
        Assert.True(double.IsNaN(ExpKernel.Exp(double.NaN)));
        Assert.Equal(Math.E, ExpKernel.Exp(1.0), 15);
        Assert.Equal(1f, (float)ExpKernel.Exp(-1e-9)); // e^-1e-9 rounds to 1 in float32, as the correctly rounded value does
        Assert.Equal(0.99999994f, (float)ExpKernel.Exp(-5e-8));
    }
}

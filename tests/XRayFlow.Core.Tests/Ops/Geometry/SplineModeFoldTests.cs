using System.Runtime.Intrinsics;
using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>SplineModes.Fold (four coordinates within a period: mirror, reflect, wrap, grid-wrap) against SplineModes.Map, value for value.</summary>
public class SplineModeFoldTests
{
    [Theory]
    [InlineData(SplineMode.Mirror)]
    [InlineData(SplineMode.Reflect)]
    [InlineData(SplineMode.Wrap)]
    [InlineData(SplineMode.GridWrap)]
    public void FoldGivesMapsValuesWithinAPeriod(SplineMode mode)
    {
        var rng = new Random(11 + (int)mode);
        for (int n = 2; n <= 40; n++)
        {
            double s = mode switch
            {
                SplineMode.Mirror => (2.0 * n) - 2,
                SplineMode.Reflect => 2.0 * n,
                SplineMode.Wrap => n - 1.0,
                _ => n,
            };
            double below = Math.BitDecrement(s);

            // The branch points of Map's formulas and their neighbours, then random values across the period.
            var values = new List<double> { -below, -n - 0.5, -1 - n, Math.BitIncrement(-1.0 - n), -n, Math.BitDecrement(-n), Math.BitIncrement(-n), 1 - n, Math.BitIncrement(1.0 - n), -1, -0.5, -1e-15, -2e-15, -5e-16, -double.Epsilon, -0.0, 0, 0.25, n - 1, Math.BitIncrement(n - 1.0), n - 0.5, n, Math.BitDecrement(n), n + 0.5, below };
            values.RemoveAll(v => !(Math.Abs(v) < s)); // (small n: some branch points lie a period away)
            for (int k = 0; k < 400; k++)
            {
                values.Add(((rng.NextDouble() * 2) - 1) * below);
            }

            for (int k = 0; k + 4 <= values.Count; k += 4)
            {
                var x = Vector256.Create(values[k], values[k + 1], values[k + 2], values[k + 3]);
                Assert.True(SplineModes.WithinPeriod(x, n, mode));
                var got = SplineModes.Fold(x, n, mode);
                for (int l = 0; l < 4; l++)
                {
                    double want = SplineModes.Map(x[l], n, mode);
                    Assert.True(BitConverter.DoubleToInt64Bits(want) == BitConverter.DoubleToInt64Bits(got[l]), $"{mode} n {n}: Map({x[l]:R}) = {want:R}, Fold gives {got[l]:R}");
                }
            }

            Assert.False(SplineModes.WithinPeriod(Vector256.Create(0, 0, 0, s), n, mode));
            Assert.False(SplineModes.WithinPeriod(Vector256.Create(-s, 0, 0, 0), n, mode));
            Assert.False(SplineModes.WithinPeriod(Vector256.Create(double.NaN, 0, 0, 0), n, mode));
        }

        Assert.False(SplineModes.WithinPeriod(Vector256<double>.Zero, 1, mode));
        Assert.False(SplineModes.WithinPeriod(Vector256<double>.Zero, 5, SplineMode.Nearest));
        Assert.False(SplineModes.WithinPeriod(Vector256<double>.Zero, 5, SplineMode.Constant));
    }
}

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Imaging;

/// <summary>The vector loops of <see cref="NonFinite"/> against the scalar meaning, for every length 0..40 and every position.</summary>
public class NonFiniteTests
{
    [Fact]
    public void EveryLengthAndPositionGivesTheScalarAnswer()
    {
        var rng = new Random(17);
        int checkedCases = 0;
        for (int n = 0; n <= 40; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2e6) - 1e6)).ToArray();
            x[..Math.Min(n, 2)].AsSpan().Fill(-0f);
            Assert.True(NonFinite.AllFinite<float>(x));
            Assert.True(NonFinite.AllFinite<double>(x.Select(v => (double)v).ToArray()));
            Assert.False(NonFinite.AnyInfinity(x));
            for (int at = 0; at < n; at++)
            {
                foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue })
                {
                    var y = (float[])x.Clone();
                    y[at] = bad;
                    Assert.Equal(y.All(float.IsFinite), NonFinite.AllFinite<float>(y));
                    Assert.Equal(y.All(float.IsFinite), NonFinite.AllFinite<double>(y.Select(v => (double)v).ToArray()));
                    Assert.Equal(y.Any(float.IsInfinity), NonFinite.AnyInfinity(y));
                    checkedCases++;
                }
            }
        }

        Assert.Equal(4 * 820, checkedCases);
    }
}

using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Core.Tests.Ops.Statistics;

/// <summary>Several percentiles of an 8- or 16-bit image read from one count: each the selection path's value, bit for bit.</summary>
public class QuantilesTests
{
    [Theory]
    [InlineData(8, 1)]
    [InlineData(8, 2)]
    [InlineData(8, 7)]
    [InlineData(8, 100_001)]
    [InlineData(16, 3)]
    [InlineData(16, 65_537)]
    public void CountedPercentilesAreTheSelectedOnes(int bits, int n)
    {
        var random = new Random(bits + n);
        int top = bits == 8 ? 256 : 4096 + random.Next(60_000);
        var x = Enumerable.Range(0, n).Select(_ => (float)random.Next(top)).ToArray();
        double[] qs = [0, 0.5, 1, 2.5, 25, 33.3, 50, 75, 90, 99, 99.9, 100, (random.NextDouble() * 100)];
        foreach (bool float64 in new[] { true, false })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var counted = Quantiles.Percentiles(x, qs, bits, float64, threads);
                var selected = qs.Select(q => Quantiles.Percentile(x, q, 0, float64)).ToArray();
                Assert.Equal(selected.Select(BitConverter.DoubleToInt64Bits), counted.Select(BitConverter.DoubleToInt64Bits));
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Quantiles.Percentiles(x, [50, 100.5], bits));
    }
}

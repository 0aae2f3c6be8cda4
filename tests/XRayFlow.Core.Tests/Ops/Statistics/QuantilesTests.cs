using System.Text.Json;
using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Core.Tests.Ops.Statistics;

/// <summary>
/// Several percentiles of an 8- or 16-bit image read from one count: each the selection path's value, bit for bit; and
/// numpy.percentile's methods on small arrays (tests/fixtures/gen_percentile_methods.py).
/// </summary>
public class QuantilesTests
{
    [Fact]
    public void EveryMethodReadsNumpysRanksWithNumpysWeights()
    {
        // 13 methods x n = 1..12, 20, 33 x q where the methods' virtual indexes are whole numbers, halves and neither:
        // numpy's value exactly (values k * 1.5 + 0.25, given in a scrambled order: the ranks come from the selection).
        using var doc = JsonDocument.Parse(File.ReadAllText(PictureFixtures.Fixture("percentile_methods.json")));
        int checkedValues = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var method = Quantiles.ParseMethod(c.GetProperty("method").GetString()!);
            int n = c.GetProperty("n").GetInt32();
            var x = Enumerable.Range(0, n).Select(k => ((n - 1 - ((k + 3) % n)) * 1.5f) + 0.25f).ToArray();
            var qs = c.GetProperty("q").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var expected = c.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int k = 0; k < qs.Length; k++)
            {
                double actual = Quantiles.Percentile(x, qs[k], method: method);
                Assert.True(BitConverter.DoubleToInt64Bits(expected[k]) == BitConverter.DoubleToInt64Bits(actual), $"{c.GetProperty("method").GetString()} n {n} q {qs[k]:R}: numpy {expected[k]:R}, ours {actual:R}");
                checkedValues++;
            }
        }

        Assert.Equal(6266, checkedValues);
    }

    [Fact]
    public void MethodsKeepInfinitiesThatNumpyTakesAndRefuseUnknownNames()
    {
        float[] x = [float.NegativeInfinity, 1f, 2f, float.PositiveInfinity];
        Assert.Equal(float.PositiveInfinity, Quantiles.Percentile(x, 100, method: PercentileMethod.Nearest)); // numpy: take, no interpolation
        Assert.Equal(float.NegativeInfinity, Quantiles.Percentile(x, 0, method: PercentileMethod.InvertedCdf));
        Assert.True(double.IsNaN(Quantiles.Percentile(x, 100, method: PercentileMethod.Linear))); // numpy: inf - inf in _lerp
        Assert.True(double.IsNaN(Quantiles.Percentile([1f, float.NaN], 0, method: PercentileMethod.Lower)));
        Assert.Throws<ArgumentException>(() => Quantiles.ParseMethod("linearr"));
    }

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

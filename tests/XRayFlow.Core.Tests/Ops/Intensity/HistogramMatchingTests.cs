using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>
/// match_histograms' kernel (HistogramMatching): the counting path (8- and 16-bit images) gives the sorting path's
/// bits; 1 and 2 threads agree on frames large enough to be cut into parts (random values with ties, NaN, signed zeros,
/// infinities, and few distinct values); the keys order floats as numpy.sort does; numpy.interp by hand. Against
/// scikit-image: tests/fixtures/ops (match_histograms).
/// </summary>
public class HistogramMatchingTests
{
    [Theory]
    [InlineData(256)]
    [InlineData(65536)]
    public void CountingGivesTheSortingPathsBits(int bins)
    {
        var random = new Random(bins);
        var source = Values(random, 300 * 250, () => random.Next(bins == 256 ? 200 : 4000));
        var template = Values(random, 170 * 90, () => random.Next(bins == 256 ? 256 : 60000));
        var counted = new float[source.Length];
        var sorted = new float[source.Length];
        HistogramMatching.Apply(source, 0, source.Length, bins, template, 0, template.Length, bins, counted, threads: 2);
        HistogramMatching.Apply(source, 0, source.Length, 0, template, 0, template.Length, 0, sorted, threads: 2);
        Assert.Equal(sorted, counted);
        Assert.True(counted.Distinct().Count() > 100);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneAndTwoThreadsGiveTheSameBits(bool fewValues)
    {
        var random = new Random(fewValues ? 3 : 4);
        float[] specials = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity];
        Func<float> draw = fewValues ? () => random.Next(37) / 255f : () => (float)((random.NextDouble() * 500) - 100);
        var source = Values(random, 512 * 400, () => random.Next(1000) == 0 ? specials[random.Next(specials.Length)] : draw());
        var template = Values(random, 390 * 410, () => random.Next(1000) == 0 ? specials[random.Next(specials.Length)] : draw());
        var one = new float[source.Length];
        var two = new float[source.Length];
        HistogramMatching.Apply(source, 0, source.Length, 0, template, 0, template.Length, 0, one, threads: 1);
        HistogramMatching.Apply(source, 0, source.Length, 0, template, 0, template.Length, 0, two, threads: 2);
        for (int i = 0; i < one.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(one[i]) == BitConverter.SingleToInt32Bits(two[i]), $"pixel {i}: {one[i]:R} on one thread, {two[i]:R} on two");
        }

        // Equal values take one value; a larger value never a smaller one (NaN sources aside).
        var order = Enumerable.Range(0, source.Length).Where(i => !float.IsNaN(source[i])).OrderBy(i => source[i]).ToArray();
        for (int k = 1; k < order.Length; k++)
        {
            float a = one[order[k - 1]], b = one[order[k]];
            Assert.True(source[order[k - 1]] == source[order[k]] ? BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b) || (a == b) : a <= b || float.IsNaN(a) || float.IsNaN(b));
        }
    }

    [Fact]
    public void KeysOrderFloatsAsNumpySorts()
    {
        float[] values = [float.NegativeInfinity, -3.3e38f, -1f, -float.Epsilon, 0f, float.Epsilon, 1e-30f, 1f, 2f, 3.4e38f, float.PositiveInfinity];
        for (int i = 1; i < values.Length; i++)
        {
            Assert.True(HistogramMatching.KeyOf(values[i - 1]) < HistogramMatching.KeyOf(values[i]), $"{values[i - 1]} before {values[i]}");
        }

        Assert.Equal(HistogramMatching.KeyOf(0f), HistogramMatching.KeyOf(-0f)); // numpy.unique: one value
        Assert.Equal(uint.MaxValue, HistogramMatching.KeyOf(float.NaN)); // after every number, all NaNs one value
        Assert.Equal(uint.MaxValue, HistogramMatching.KeyOf(BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001))));
        Assert.True(HistogramMatching.KeyOf(float.PositiveInfinity) < uint.MaxValue);
    }

    [Fact]
    public void InterpIsNumpysByHand()
    {
        double[] xp = [0.25, 0.5, 1.0];
        double[] fp = [10, 20, 40];
        int j = -1;
        Assert.Equal(10, HistogramMatching.Interp(0.1, xp, fp, ref j)); // below the first quantile: fp[0]
        Assert.Equal(10, HistogramMatching.Interp(0.25, xp, fp, ref j)); // at a quantile: its value
        Assert.Equal(16, HistogramMatching.Interp(0.4, xp, fp, ref j)); // 40 (0.4 - 0.25) + 10
        Assert.Equal(30, HistogramMatching.Interp(0.75, xp, fp, ref j)); // 40 (0.75 - 0.5) + 20
        Assert.Equal(40, HistogramMatching.Interp(1.0, xp, fp, ref j)); // the last
        int k = -1;
        double[] withNan = [1, double.NaN];
        Assert.True(double.IsNaN(HistogramMatching.Interp(0.75, [0.5, 1.0], withNan, ref k))); // NaN both ways, fp[j] != fp[j+1]
    }

    private static float[] Values(Random random, int n, Func<float> draw)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = draw();
        }

        return a;
    }
}

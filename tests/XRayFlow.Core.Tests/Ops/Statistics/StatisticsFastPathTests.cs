using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Core.Ops.Statistics;
using static XRayFlow.Core.Tests.TestSupport.EngineFixtures;

namespace XRayFlow.Core.Tests.Ops.Statistics;

/// <summary>
/// The vectorised histogram / stats / median against their scalar references (which define the meaning),
/// bit for bit, on every length 1..64 and larger ones, with adversarial values (fixed seeds); and the stats
/// against NumPy 1.24 exactly (tests/fixtures/gen_stats_numpy.py).
/// </summary>
public class StatisticsFastPathTests
{
    private static readonly int[] LargeLengths = [65, 127, 1000, 4095, 4097, 8191, 8192, 8193, 20000, 3 * 8192, (5 * 8192) + 13, 70001];

    private static IEnumerable<int> Lengths() => Enumerable.Range(1, 64).Concat(LargeLengths);

    // -------------------------------------------------------------------------------- histogram

    /// <summary>(min, max, bins) of the cases: the op's default, odd bin counts, tiny and negative ranges, many bins.</summary>
    public static TheoryData<double, double, int> HistogramParams() => new()
    {
        { 0, 255, 256 },
        { 10, 200, 17 },
        { 0, 1, 10 },
        { -0.15, 1.05, 7 },
        { 0, 1, 1 },
        { -3.7, 12.9, 300 },
        { 1, 1.000001, 299 },
        { -1e6, -999999.5, 3 },
        { 0.1, 0.7, 3 },
        { -5, 5, 70000 },
        { 0, 255, 2 },
    };

    /// <summary>Values where the bin is decided in the last bit: every edge as the floats nearest it and one ulp either side, plus the limits.</summary>
    private static float[] Adversarial(double[] edges)
    {
        var v = new List<float> { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.MaxValue, float.MinValue, float.Epsilon };
        foreach (double e in edges.Length > 400 ? edges.Where((_, i) => i % 97 == 0 || i > edges.Length - 4) : edges)
        {
            float f = (float)e;
            v.AddRange([f, MathF.BitIncrement(f), MathF.BitDecrement(f), MathF.BitIncrement(MathF.BitIncrement(f)), MathF.BitDecrement(MathF.BitDecrement(f))]);
        }

        double lo = edges[0], hi = edges[^1];
        v.AddRange([(float)(lo - 1), (float)(hi + 1), (float)(lo - (hi - lo)), (float)(hi + (hi - lo))]);
        return [.. v];
    }

    private static float[] Mixed(Random rng, int n, double lo, double hi, float[] special)
    {
        var x = new float[n];
        double width = hi - lo;
        for (int i = 0; i < n; i++)
        {
            x[i] = rng.Next(4) switch
            {
                0 => special[rng.Next(special.Length)],
                1 => rng.Next(0, 256),
                _ => (float)(lo - (0.1 * width) + (rng.NextDouble() * 1.2 * width)),
            };
        }

        return x;
    }

    [Theory]
    [MemberData(nameof(HistogramParams))]
    public void HistogramFastPathEqualsTheScalarMeaningOnEveryLength(double min, double max, int bins)
    {
        Assert.True(Avx2.IsSupported, "the fast path needs AVX2; these tests are meant to run where it exists");
        var edges = ArrayStatistics.Edges(min, max, bins);
        var special = Adversarial(edges);
        var rng = new Random(bins * 7919);
        foreach (int n in Lengths())
        {
            var x = Mixed(rng, n, min, max, special);
            var fast = ArrayStatistics.HistogramFast(x, edges, 1);
            Assert.NotNull(fast);
            Assert.True(ArrayStatistics.HistogramScalar(x, edges).SequenceEqual(fast), $"n = {n}");
        }

        // Only the adversarial values, each many times (runs of one value), and in two parallel parts.
        var runs = Enumerable.Range(0, 300_000).Select(i => special[(i / 37) % special.Length]).ToArray();
        Assert.Equal(ArrayStatistics.HistogramScalar(runs, edges), ArrayStatistics.HistogramFast(runs, edges, 2));
        var mixed = Mixed(rng, 300_001, min, max, special);
        Assert.Equal(ArrayStatistics.HistogramScalar(mixed, edges), ArrayStatistics.HistogramFast(mixed, edges, 2));
    }

    [Fact]
    public void HistogramOfRandomRangesAndBinCounts()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            double lo = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-3, 7));
            double hi = lo + (rng.NextDouble() * Math.Pow(10, rng.Next(-6, 6)));
            int bins = rng.Next(1, 301);
            var edges = ArrayStatistics.Edges(lo, hi, bins);
            var x = Mixed(rng, rng.Next(1, 3000), lo, hi, Adversarial(edges));
            var fast = ArrayStatistics.HistogramFast(x, edges, 1) ?? ArrayStatistics.HistogramScalar(x, edges);
            Assert.True(ArrayStatistics.HistogramScalar(x, edges).SequenceEqual(fast), $"trial {trial}: [{lo}, {hi}] / {bins}");
        }
    }

    [Fact]
    public void HistogramWithMinEqualMaxOrForeignEdgesUsesTheScalarMeaning()
    {
        var x = new float[] { 0.1f, 0.1f, 0.2f, float.NaN, 0.099999994f };
        var same = ArrayStatistics.Edges(0.1, 0.1, 3);
        Assert.Null(ArrayStatistics.HistogramFast(x, same, 1));
        Assert.Equal([0L, 0L, 0L], ArrayStatistics.Histogram(x, same)); // (float)0.1 != 0.1: nothing is inside
        var foreign = new double[] { 0, 0.15, 1 }; // not linspace edges
        Assert.Null(ArrayStatistics.HistogramFast(x, foreign, 1));
        Assert.Equal([3L, 1L], ArrayStatistics.Histogram(x, foreign));
    }

    // -------------------------------------------------------------------------------- stats

    private static void AssertSameBits(double expected, double actual, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}");
            return;
        }

        Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{what}: expected {expected:R}, got {actual:R}");
    }

    private static void AssertSameSummary(ArrayStatistics.Summary expected, ArrayStatistics.Summary actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        AssertSameBits(expected.Min, actual.Min, what + " min");
        AssertSameBits(expected.Max, actual.Max, what + " max");
        AssertSameBits(expected.Mean, actual.Mean, what + " mean");
        AssertSameBits(expected.Median, actual.Median, what + " median");
        AssertSameBits(expected.Std, actual.Std, what + " std");
    }

    /// <summary>Arrays of length n of several kinds: wide-range floats, small integers (many ties), signed zeros, infinities, sorted, constant.</summary>
    private static IEnumerable<(string Kind, float[] X)> StatsInputs(Random rng, int n)
    {
        float Wide() => (float)(Math.Exp((rng.NextDouble() - 0.5) * 30) * (rng.Next(2) == 0 ? -1 : 1));
        yield return ("wide", Enumerable.Range(0, n).Select(_ => Wide()).ToArray());
        yield return ("bytes", Enumerable.Range(0, n).Select(_ => (float)rng.Next(0, 256)).ToArray());
        yield return ("zeros", Enumerable.Range(0, n).Select(_ => rng.Next(3) switch { 0 => 0f, 1 => -0f, _ => (float)rng.Next(-2, 3) }).ToArray());
        yield return ("signed zeros only", Enumerable.Range(0, n).Select(_ => rng.Next(2) == 0 ? 0f : -0f).ToArray());
        yield return ("infinities", Enumerable.Range(0, n).Select(_ => rng.Next(4) switch { 0 => float.PositiveInfinity, 1 => float.NegativeInfinity, _ => Wide() }).ToArray());
        yield return ("one infinity", Enumerable.Range(0, n).Select(i => i == n / 3 ? float.PositiveInfinity : rng.Next(0, 10)).ToArray());
        yield return ("sorted", Enumerable.Range(0, n).Select(i => (float)(i * 0.37)).ToArray());
        yield return ("reversed", Enumerable.Range(0, n).Select(i => (float)(-i * 1.5)).ToArray());
        yield return ("constant", Enumerable.Repeat(-7.25f, n).ToArray());
        var withNaN = Enumerable.Range(0, n).Select(_ => Wide()).ToArray();
        withNaN[rng.Next(n)] = float.NaN;
        yield return ("one NaN", withNaN);
    }

    [Fact]
    public void StatsFastPathEqualsTheScalarMeaningBitForBit()
    {
        Assert.True(Avx2.IsSupported, "the fast path needs AVX2; these tests are meant to run where it exists");
        var rng = new Random(5);
        foreach (int n in Lengths())
        {
            foreach (var (kind, x) in StatsInputs(rng, n))
            {
                var expected = ArrayStatistics.SummarizeScalar(x);
                AssertSameSummary(expected, ArrayStatistics.SummarizeFast(x, 1), $"{kind} n={n}");
                AssertSameBits(expected.Median, ArrayStatistics.MedianFast(x), $"{kind} n={n} Median");
            }
        }
    }

    [Fact]
    public void StatsFastPathOnLargeInputsAndTwoThreads()
    {
        var rng = new Random(6);
        foreach (int n in new[] { 300_000, 1 << 20, (1 << 20) + 7 })
        {
            foreach (var (kind, x) in StatsInputs(rng, n).Where(k => k.Kind is "wide" or "bytes" or "zeros" or "infinities" or "one NaN"))
            {
                var expected = ArrayStatistics.SummarizeScalar(x);
                AssertSameSummary(expected, ArrayStatistics.SummarizeFast(x, 1), $"{kind} n={n}");
                AssertSameSummary(expected, ArrayStatistics.SummarizeFast(x, 2), $"{kind} n={n} threads=2");
            }
        }
    }

    [Fact]
    public void MedianSelectionEqualsSortingOnAwkwardDistributions()
    {
        // Distributions that make the sampled window miss or hold everything: a few huge outliers, two values,
        // half the values equal to the median, a step in the middle, a sorted ramp with a period equal to the sample stride.
        var rng = new Random(8);
        foreach (int n in new[] { 4097, 10_000, 65_537, 200_000, 524_288 })
        {
            var cases = new Dictionary<string, float[]>
            {
                ["two values"] = Enumerable.Range(0, n).Select(_ => rng.Next(2) == 0 ? 1f : 2f).ToArray(),
                ["half ties"] = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? 5f : (float)rng.NextDouble() * 10).ToArray(),
                ["outliers"] = Enumerable.Range(0, n).Select(i => i % 1000 == 0 ? 1e30f : (float)rng.NextDouble()).ToArray(),
                ["step"] = Enumerable.Range(0, n).Select(i => i < n / 2 ? -1f : 1f).ToArray(),
                ["periodic"] = Enumerable.Range(0, n).Select(i => (float)(i % 1024)).ToArray(),
                ["skewed"] = Enumerable.Range(0, n).Select(_ => (float)Math.Pow(rng.NextDouble(), 40)).ToArray(),
            };
            foreach (var (kind, x) in cases)
            {
                var sorted = x.OrderBy(f => f).ToArray();
                double expected = (n & 1) == 1 ? 0.0 + sorted[n / 2] : ((0.0 + sorted[(n / 2) - 1]) + sorted[n / 2]) / 2;
                AssertSameBits(expected, ArrayStatistics.MedianFast(x), $"{kind} n={n}");
                AssertSameBits(expected, ArrayStatistics.MedianScalar(x), $"{kind} n={n} scalar");
            }
        }
    }

    [Fact]
    public void MedianOfNegativeZerosIsPositiveZeroAsNumpy()
    {
        AssertSameBits(0.0, ArrayStatistics.Median([-0f]), "[-0]");
        AssertSameBits(0.0, ArrayStatistics.Median([-0f, -0f]), "[-0, -0]");
        AssertSameBits(0.0, ArrayStatistics.MedianScalar([-0f, 1f, -0f]), "[-0, 1, -0] scalar");
        Assert.True(double.IsNaN(ArrayStatistics.Median([float.NegativeInfinity, float.PositiveInfinity])));
        Assert.Equal(double.PositiveInfinity, ArrayStatistics.Median([float.PositiveInfinity, float.PositiveInfinity, 1f]));
        Assert.True(double.IsNaN(ArrayStatistics.Median([])));
    }

    [Fact]
    public void ZeroExtremesKeepTheSignOfTheFirstZero()
    {
        var x = Enumerable.Range(0, 100).Select(i => i < 40 ? 1f : (i % 2 == 0 ? -0f : 0f)).ToArray();
        AssertSameBits(-0.0, ArrayStatistics.Summarize(x).Min, "min"); // first zero (index 40) is -0
        x[40] = 0f;
        AssertSameBits(0.0, ArrayStatistics.Summarize(x).Min, "min after");
        var y = x.Select(v => -v).ToArray(); // all <= 0: max is the first zero
        AssertSameBits(-0.0, ArrayStatistics.Summarize(y).Max, "max");
    }

    [Fact]
    public void NumpySumFastEqualsScalarOnEveryLength()
    {
        var rng = new Random(9);
        foreach (int n in Lengths().Concat([100_000, 3 * 8192 * 5]))
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)(Math.Exp((rng.NextDouble() - 0.5) * 40) * (rng.Next(2) == 0 ? -1 : 1))).ToArray();
            double mean = rng.NextDouble() * 100;
            AssertSameBits(ArrayStatistics.NumpySumScalar(x, 0, false), ArrayStatistics.NumpySumSimd(x, 0, false), $"sum n={n}");
            AssertSameBits(ArrayStatistics.NumpySumScalar(x, mean, true), ArrayStatistics.NumpySumSimd(x, mean, true), $"squares n={n}");
        }
    }

    // -------------------------------------------------------------------------------- numpy, exactly

    private static JsonElement NumpyCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_("stats", "cases.json")));
        return doc.RootElement.Clone();
    }

    public static TheoryData<string> NumpyInputs()
    {
        var d = new TheoryData<string>();
        foreach (var c in NumpyCases().GetProperty("stats").EnumerateArray())
        {
            d.Add(c.GetProperty("input").GetString()!);
        }

        return d;
    }

    private static double Bits(JsonElement c, string name) => BitConverter.Int64BitsToDouble(c.GetProperty(name).GetInt64());

    [Theory]
    [MemberData(nameof(NumpyInputs))]
    public void StatsEqualNumpyBitForBit(string input)
    {
        var c = NumpyCases().GetProperty("stats").EnumerateArray().Single(e => e.GetProperty("input").GetString() == input);
        var x = input == "sample_xray"
            ? ImageReader.Read(Path.Combine(RepoRoot, "pipelines", "samples", "00000011_000.png"))
            : Npy("stats", input + ".npy");
        foreach (var (how, s) in new[] { ("fast", ArrayStatistics.Summarize(x.Data)), ("scalar", ArrayStatistics.SummarizeScalar(x.Data)), ("2 threads", ArrayStatistics.Summarize(x.Data, 2)) })
        {
            Assert.Equal(c.GetProperty("count").GetInt64(), s.Count);
            AssertSameBits(Bits(c, "min"), s.Min, $"{input} {how} min");
            AssertSameBits(Bits(c, "max"), s.Max, $"{input} {how} max");
            AssertSameBits(Bits(c, "mean"), s.Mean, $"{input} {how} mean");
            AssertSameBits(Bits(c, "median"), s.Median, $"{input} {how} median");
            AssertSameBits(Bits(c, "std"), s.Std, $"{input} {how} std");
        }
    }

    [Fact]
    public void SampleHistogramEqualsScipy()
    {
        var expected = NumpyCases().GetProperty("sample_xray_histogram_0_255_256").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var x = ImageReader.Read(Path.Combine(RepoRoot, "pipelines", "samples", "00000011_000.png"));
        var edges = ArrayStatistics.Edges(0, 255, 256);
        Assert.Equal(expected, ArrayStatistics.Histogram(x.Data, edges));
        Assert.Equal(expected, ArrayStatistics.Histogram(x.Data, edges, 2));
        Assert.Equal(expected, ArrayStatistics.HistogramScalar(x.Data, edges));
        Assert.Equal(expected, (long[])OpRunner.Table("histogram", x)["counts"]!);
    }
}

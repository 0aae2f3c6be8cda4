using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>
/// match_histograms' kernel (HistogramMatching): the counting path (8- and 16-bit images) and the bucket counting of
/// float images (OneKeyBuckets) give the sorting path's bits; 1 and 2 threads agree on frames large enough to be cut into parts (random values with ties, NaN, signed zeros,
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

    [Theory]
    [InlineData(1, 255, false)] // an 8-bit image / 255: one key a bucket
    [InlineData(2, 255, true)] // with NaN, signed zeros and infinities
    [InlineData(3, 4095, false)] // a 12-bit image / 4095: most top-16-bit buckets hold several keys
    [InlineData(4, 37, true)]
    public void BucketCountingGivesTheSortingPathsBits(int seed, int levels, bool specials)
    {
        var random = new Random(seed);
        float[] special = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001))];
        float Draw() => specials && random.Next(500) == 0 ? special[random.Next(special.Length)] : random.Next(levels + 1) / (float)levels;
        foreach (int threads in new[] { 1, 2 })
        {
            foreach (var (rows, cols) in new[] { (1, 1), (1, 9), (300, 250), (512, 400) })
            {
                var source = Values(random, rows * cols, Draw);
                var template = Values(random, (rows * 7 % 390) + 1 + cols, Draw);
                var counted = new float[source.Length];
                var sorted = new float[source.Length];
                HistogramMatching.Apply(source, 0, source.Length, 0, template, 0, template.Length, 0, counted, threads, buckets: true);
                HistogramMatching.Apply(source, 0, source.Length, 0, template, 0, template.Length, 0, sorted, threads, buckets: false);
                for (int i = 0; i < sorted.Length; i++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(sorted[i]) == BitConverter.SingleToInt32Bits(counted[i]), $"{rows} x {cols}, {threads} thread(s), pixel {i} ({source[i]:R}): sorted {sorted[i]:R}, counted {counted[i]:R}");
                }
            }
        }
    }

    [Theory]
    [InlineData(11, 1, 1)]
    [InlineData(12, 1, 9)]
    [InlineData(13, 7, 3)]
    [InlineData(14, 300, 250)]
    [InlineData(15, 512, 400)]
    public void SortingPathIsUniqueAndInterpByHand(int seed, int rows, int cols)
    {
        // numpy.unique of both images (keys sorted, runs counted), the quantiles in float64, numpy.interp in ascending
        // order: every pixel's bits, on continuous values with ties, NaNs of both signs, infinities and signed zeros.
        var random = new Random(seed);
        float[] special = [float.NaN, -float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon];
        float Draw() => random.Next(50) switch
        {
            0 => special[random.Next(special.Length)],
            < 10 => random.Next(20), // ties
            _ => (float)((random.NextDouble() * 3000) - 1000),
        };
        var source = Values(random, rows * cols, Draw);
        var template = Values(random, (rows * 5 % 311) + cols + 2, Draw);
        var tkeys = template.Select(HistogramMatching.KeyOf).GroupBy(k => k).OrderBy(g => g.Key).ToArray();
        var xp = new double[tkeys.Length];
        var fp = new double[tkeys.Length];
        long total = 0;
        for (int i = 0; i < tkeys.Length; i++)
        {
            total += tkeys[i].Count();
            xp[i] = (double)total / template.Length;
            fp[i] = HistogramMatching.ValueOf(tkeys[i].Key);
        }

        var valueOf = new Dictionary<uint, float>();
        total = 0;
        int j = -1;
        foreach (var g in source.Select(HistogramMatching.KeyOf).GroupBy(k => k).OrderBy(g => g.Key))
        {
            total += g.Count();
            valueOf[g.Key] = (float)HistogramMatching.Interp((double)total / source.Length, xp, fp, ref j);
        }

        foreach (int threads in new[] { 1, 2 })
        {
            var dst = new float[source.Length];
            HistogramMatching.Apply(source, 0, source.Length, 0, template, 0, template.Length, 0, dst, threads, buckets: false);
            for (int i = 0; i < source.Length; i++)
            {
                float expected = valueOf[HistogramMatching.KeyOf(source[i])];
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(dst[i]), $"{threads} thread(s), pixel {i} ({source[i]:R}): {dst[i]:R}, by hand {expected:R}");
            }
        }
    }

    [Fact]
    public void AReferenceSortedBeforeIsNotSortedAgain()
    {
        // A batch reads its one reference again for every item: a continuous reference's knots are kept when it is
        // sorted a second time in a row (its fingerprint the last one's), and the next reference with the same bits
        // (another array) takes them; one changed bit sorts again. Every result is the sorting path's (which neither
        // keeps nor uses kept knots).
        var random = new Random(21);
        var reference = Values(random, 3000, () => (float)((random.NextDouble() * 3000) - 1000));
        var sources = Enumerable.Range(0, 4).Select(_ => Values(random, 2500, () => (float)(random.NextDouble() * 500))).ToArray();
        float[] Matched(float[] source, float[] template, bool buckets)
        {
            var dst = new float[source.Length];
            HistogramMatching.Apply(source, 0, source.Length, 0, template, 0, template.Length, 0, dst, 2, buckets);
            return dst;
        }

        long used = HistogramMatching.KeptKnotsUsed;
        var first = Matched(sources[0], reference, buckets: true);
        var second = Matched(sources[1], (float[])reference.Clone(), buckets: true);
        Assert.Equal(used, HistogramMatching.KeptKnotsUsed); // sorted twice, then kept
        var third = Matched(sources[2], (float[])reference.Clone(), buckets: true);
        Assert.Equal(used + 1, HistogramMatching.KeptKnotsUsed);
        var changed = (float[])reference.Clone();
        changed[1234] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(changed[1234]) + 1);
        var other = Matched(sources[3], changed, buckets: true);
        Assert.Equal(used + 1, HistogramMatching.KeptKnotsUsed);

        Assert.Equal(Bits(Matched(sources[0], reference, buckets: false)), Bits(first));
        Assert.Equal(Bits(Matched(sources[1], reference, buckets: false)), Bits(second));
        Assert.Equal(Bits(Matched(sources[2], reference, buckets: false)), Bits(third));
        Assert.Equal(Bits(Matched(sources[3], changed, buckets: false)), Bits(other));
        Assert.NotEqual(Bits(Matched(sources[3], reference, buckets: false)), Bits(other));
        static int[] Bits(float[] v) => [.. v.Select(BitConverter.SingleToInt32Bits)];
    }

    [Fact]
    public void BucketsCountOnlyWhereEachHoldsOneKey()
    {
        // k / 255: 256 buckets, one key each, counted as numpy.unique counts (NaN's bucket last, -0 with 0).
        var random = new Random(7);
        var values = Values(random, 200_000, () => random.Next(256) / 255f);
        values[5] = -0f;
        values[6] = float.NaN;
        values[7] = BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)); // another NaN: the same key
        using var buckets = OneKeyBuckets.Count(values, threads: 2);
        Assert.NotNull(buckets);
        var expected = values.Select(HistogramMatching.KeyOf).GroupBy(k => k).OrderBy(g => g.Key).ToArray();
        var got = Enumerable.Range(0, 65536).Where(b => buckets.Counts[b] != 0).ToArray();
        Assert.Equal(expected.Select(g => g.Key), got.Select(buckets.Key));
        Assert.Equal(expected.Select(g => g.Count()), got.Select(b => buckets.Counts[b]));
        Assert.Equal(uint.MaxValue, buckets.Key(got[^1]));

        // Two keys in one bucket (1 and its next float), in one part or in two: refused.
        var mixed = (float[])values.Clone();
        mixed[^1] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1f) + 1);
        Assert.Null(OneKeyBuckets.Count(mixed, threads: 1));
        Assert.Null(OneKeyBuckets.Count(mixed, threads: 2));
        mixed = [.. Enumerable.Repeat(1f, 100_000), .. Enumerable.Repeat(BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1f) + 1), 100_000)];
        Assert.Null(OneKeyBuckets.Count(mixed, threads: 2)); // each part alone holds one key
        using var one = OneKeyBuckets.Count(mixed.AsSpan(0, 100_000), threads: 2);
        Assert.Equal(100_000, one?.Counts[(int)(HistogramMatching.KeyOf(1f) >> 16)]);
    }

    [Fact]
    public void BucketMapTakesEachValuesBucketsEntry()
    {
        var random = new Random(8);
        float[] special = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, float.MaxValue];
        var table = Values(random, 65536, () => (float)random.NextDouble());
        for (int n = 0; n <= 40; n++)
        {
            var src = Values(random, n, () => random.Next(4) == 0 ? special[random.Next(special.Length)] : (float)((random.NextDouble() - 0.5) * 1e6));
            var dst = new float[n];
            OneKeyBuckets.Map(src, dst, table);
            for (int k = 0; k < n; k++)
            {
                Assert.Equal(table[HistogramMatching.KeyOf(src[k]) >> 16], dst[k]);
            }
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

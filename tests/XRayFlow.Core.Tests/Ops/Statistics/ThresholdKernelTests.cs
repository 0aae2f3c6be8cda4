using System.Text;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Core.Tests.Ops.Statistics;

/// <summary>
/// The kernels behind the thresholds and percentile (their scikit-image / NumPy numbers are in the op fixtures):
/// vectorised paths against their scalar meaning for every length, the integer-source rule, the loaders' records.
/// </summary>
public class ThresholdKernelTests
{
    [Fact]
    public void BinCountEqualsScalarForEveryLengthAndThreadCount()
    {
        var rng = new Random(11);
        foreach (int bins in new[] { 100, 256, 4096, 65536 })
        {
            foreach (int n in Lengths())
            {
                var x = Enumerable.Range(0, n).Select(_ => (float)(rng.Next(4) == 0 ? bins - 1 : rng.Next(bins))).ToArray();
                var slow = ImageHistogram.BinCountScalar(x, bins);
                Assert.Equal(slow, ImageHistogram.BinCountFast(x, bins, 1));
                Assert.Equal(slow, ImageHistogram.BinCountFast(x, bins, 2));
            }
        }
    }

    [Fact]
    public void BinCountOfRunsAndPairsEqualsScalar()
    {
        // 8-bit counts take whole 32-value runs of one value at once and count other values in pairs: runs of every
        // length around 32 at every offset, a run broken by one value, long runs of one pair (more than 65,535 of the
        // same pair: int counters), an image like an X-ray (black border, smooth body).
        var rng = new Random(13);
        var cases = new List<float[]>();
        for (int run = 28; run <= 70; run++)
        {
            for (int offset = 0; offset < 34; offset += 3)
            {
                var x = Enumerable.Range(0, 200).Select(_ => (float)rng.Next(256)).ToArray();
                Array.Fill(x, 7f, offset, Math.Min(run, 200 - offset));
                cases.Add(x);
            }
        }

        var sprinkled = Enumerable.Range(0, 100_000).Select(k => k % 97 == 0 ? 1f : 0f).ToArray();
        var pairsOnly = Enumerable.Range(0, 400_000).Select(k => k % 2 == 0 ? 3f : 250f).ToArray();
        var xray = Enumerable.Range(0, 1 << 18).Select(k => (k & 511) < 40 ? 0f : (float)(100 + ((k >> 9) % 100) + rng.Next(3))).ToArray();
        cases.AddRange([sprinkled, pairsOnly, xray, [.. Enumerable.Repeat(255f, 70_000)]]);
        foreach (var x in cases)
        {
            var slow = ImageHistogram.BinCountScalar(x, 256);
            Assert.Equal(slow, ImageHistogram.BinCountFast(x, 256, 1));
            Assert.Equal(slow, ImageHistogram.BinCountFast(x, 256, 2));
        }

        // 16-bit counts take 16-value runs at once: the same runs scaled into 0..65535, and a 16-bit X-ray-like image.
        foreach (var x in cases.Select(c => c.Select(v => v * 257f).ToArray()).Append([.. xray.Select(v => v == 0 ? 0f : (v * 16f) + (v % 7))]))
        {
            var slow = ImageHistogram.BinCountScalar(x, 65536);
            Assert.Equal(slow, ImageHistogram.BinCountFast(x, 65536, 1));
            Assert.Equal(slow, ImageHistogram.BinCountFast(x, 65536, 2));
        }
    }

    [Fact]
    public void OccupiedFindsTheFirstAndLastCountedBinsAsTheScalarScan()
    {
        static (int, int) Scan(long[] c)
        {
            int lo = 0, hi = c.Length - 1;
            while (lo < hi && c[lo] == 0)
            {
                lo++;
            }

            while (hi > lo && c[hi] == 0)
            {
                hi--;
            }

            return (lo, hi);
        }

        var rng = new Random(21);
        foreach (int n in new[] { 1, 2, 3, 7, 8, 9, 255, 256, 4097, 65536 })
        {
            Assert.Equal(Scan(new long[n]), ImageHistogram.Occupied(new long[n])); // none counted: the last bin twice
            for (int trial = 0; trial < 20; trial++)
            {
                var c = new long[n];
                int a = rng.Next(n), b = rng.Next(n);
                c[a] = 1 + rng.Next(5);
                c[b] = 1 + rng.Next(5);
                if (trial % 2 == 0 && n > 2)
                {
                    c[rng.Next(n)] = 3; // a third one anywhere
                }

                Assert.Equal(Scan(c), ImageHistogram.Occupied(c));
            }
        }
    }

    [Fact]
    public void PooledCountsStartFromZeroEveryTime()
    {
        // ImageHistogram.Of and threshold_li count into pooled arrays given back after use: counting images one
        // after another (the pool hands the same array back) gives each image its own counts.
        var rng = new Random(16);
        for (int round = 0; round < 6; round++)
        {
            foreach (int bits in new[] { 8, 16 })
            {
                int top = (1 << bits) - 1;
                var x = Enumerable.Range(0, 300_000).Select(_ => (float)rng.Next(round * 7, top + 1)).ToArray();
                var full = ImageHistogram.BinCountScalar(x, 1 << bits);
                var h = ImageHistogram.Of(x, bits, 256, threads: 2);
                int lo = Array.FindIndex(full, c => c != 0);
                Assert.Equal(full.AsSpan(lo, h.Bins).ToArray(), h.Counts);
                Assert.Equal(full.Sum(), h.Counts.Sum());
            }
        }
    }

    [Fact]
    public void PooledScratchLeavesNoTraceInTheThresholds()
    {
        // Otsu's class arrays and Li's prefix sums come from the shared pools: a threshold computed right after the
        // pool was handed arrays full of other numbers (as another image would leave them) is the same threshold.
        var rng = new Random(17);
        var x = Enumerable.Range(0, 200_000).Select(_ => (float)(rng.Next(3000) + (rng.Next(4) == 0 ? 20000 : 100))).ToArray();
        foreach (var threshold in new Func<double>[] { () => Thresholds.Otsu(x, 16, 256, 1), () => Thresholds.Yen(x, 16, 256, 1), () => Thresholds.Li(x, 16, threads: 1) })
        {
            double first = threshold();
            for (int size = 4096; size <= 32768; size *= 2)
            {
                var longs = System.Buffers.ArrayPool<long>.Shared.Rent(size);
                var doubles = System.Buffers.ArrayPool<double>.Shared.Rent(size);
                Array.Fill(longs, 12345L);
                Array.Fill(doubles, -7.5);
                System.Buffers.ArrayPool<long>.Shared.Return(longs);
                System.Buffers.ArrayPool<double>.Shared.Return(doubles);
            }

            Assert.Equal(first, threshold());
        }
    }

    [Fact]
    public void IntegerOtsuYenAndTriangleFromTheCountsEqualTheHistogramRecordPath()
    {
        // Otsu, Yen and triangle on 8- and 16-bit images read the pooled counts directly (bin i of the occupied range is the
        // value lo + i): the same thresholds as through the trimmed ImageHistogram, for narrow, wide, offset,
        // two-valued and constant images.
        var rng = new Random(18);
        foreach (int bits in new[] { 8, 16 })
        {
            int top = (1 << bits) - 1;
            foreach (var (low, span) in new[] { (0, top + 1), (100, 3), (37, 60), (50, 150), (bits == 8 ? 10 : 1000, bits == 8 ? 240 : 30000), (top - 1, 2), (5, 1) })
            {
                // Two overlapping lumps (a dark one and a bright one) filling the range, as an X-ray's background and body.
                var lumps = Enumerable.Range(0, 5000).Select(k => (float)(low + Math.Min(span - 1, (rng.Next(span) + rng.Next(span) + (k % 3 == 0 ? 0 : rng.Next(span))) / (k % 3 == 0 ? 2 : 3) + (k % 3 == 0 ? 0 : span / 4)))).ToArray();
                foreach (var x in new[] { lumps, [.. lumps.Select(v => (2 * low) + span - 1 - v)] }) // and mirrored: the triangle flips
                {
                    var h = ImageHistogram.Of(x, bits, 256);
                    Assert.Equal(h.Min == h.Max ? x[0] : Thresholds.Otsu(h), Thresholds.Otsu(x, bits, 256));
                    Assert.Equal(Thresholds.Yen(h), Thresholds.Yen(x, bits, 256));
                    if (h.Min == h.Max)
                    {
                        Assert.Throws<ArgumentException>(() => Thresholds.Triangle(x, bits, 256));
                    }
                    else
                    {
                        Assert.Equal(TriangleByTheRecord(h), Thresholds.Triangle(x, bits, 256));
                        Assert.Equal(TriangleByTheRecord(h), Thresholds.Triangle(h));
                    }
                }
            }
        }
    }

    /// <summary>threshold_triangle as scikit-image writes it: the histogram reversed by a copy when flipped, then argmax.</summary>
    private static double TriangleByTheRecord(ImageHistogram h)
    {
        long[] hist = h.Counts;
        int n = hist.Length;
        int peak = Array.IndexOf(hist, hist.Max());
        long peakHeight = hist[peak];
        int low = Array.FindIndex(hist, v => v > 0), high = Array.FindLastIndex(hist, v => v > 0);
        bool flip = peak - low < high - peak;
        if (flip)
        {
            hist = [.. hist.Reverse()];
            low = n - high - 1;
            peak = n - peak - 1;
        }

        long width = peak - low;
        double norm = Math.Sqrt((double)((peakHeight * peakHeight) + (width * width)));
        double p = peakHeight / norm, w = width / norm;
        var values = Enumerable.Range(0, (int)width).Select(i => (p * i) - (w * hist[i + low])).ToList();
        int level = values.IndexOf(values.Max()) + low;
        return h.Centers[flip ? n - level - 1 : level];
    }

    [Fact]
    public void ARefusedValueLeavesNothingBehindForTheNextCount()
    {
        // The pair counters belong to the thread and are reused: a count stopped by a bad value after counting earlier
        // blocks must not leak those pairs into the next count on the same thread.
        // The same for the 16-bit word tables (two per thread, cleared only over the range a chunk spans).
        var rng = new Random(14);
        foreach (int bins in new[] { 256, 65536 })
        {
            var good = Enumerable.Range(0, 5000).Select(_ => (float)rng.Next(bins)).ToArray();
            var bad = (float[])good.Clone();
            bad[4500] = 0.5f;
            var expected = ImageHistogram.BinCountScalar(good, bins);
            for (int k = 0; k < 3; k++)
            {
                Assert.Throws<ArgumentException>(() => ImageHistogram.BinCountFast(bad, bins, 1));
                Assert.Equal(expected, ImageHistogram.BinCountFast(good, bins, 1));
            }
        }
    }

    [Fact]
    public void WordCountsOfImagesWithDifferentRangesLeaveNothingBehind()
    {
        // 16-bit counts fold and clear only the range of values a chunk spans: images one after another with disjoint
        // ranges, runs of one value, values only in a short tail, on 1 and 2 threads, each equal to the scalar count.
        var rng = new Random(31);
        var images = new List<float[]>
        {
            Enumerable.Range(0, 300_000).Select(_ => (float)rng.Next(1000, 2001)).ToArray(),
            Enumerable.Range(0, 300_000).Select(i => (float)(30000 + ((i / 40) % 11))).ToArray(), // runs of 40
            Enumerable.Range(0, 300_000).Select(_ => (float)rng.Next(65536)).ToArray(),
            new[] { 65535f, 3f, 7f }, // tail only
            Enumerable.Range(0, 70).Select(i => i < 64 ? 500f : 65000f).ToArray(), // a run, then a tail far above it
            Enumerable.Range(0, 300_000).Select(_ => (float)rng.Next(1000, 1003)).ToArray(),
        };
        for (int round = 0; round < 2; round++)
        {
            foreach (var x in images)
            {
                var expected = ImageHistogram.BinCountScalar(x, 65536);
                Assert.Equal(expected, ImageHistogram.BinCountFast(x, 65536, 1));
                Assert.Equal(expected, ImageHistogram.BinCountFast(x, 65536, 2));
                Assert.Equal(ImageHistogram.BinCountScalar(x.Select(v => v % 4096).ToArray(), 4096), ImageHistogram.BinCountFast(x.Select(v => v % 4096).ToArray(), 4096, 2));
            }
        }
    }

    [Theory]
    [InlineData(0.5f)]
    [InlineData(-1f)]
    [InlineData(256f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(2147483520f)] // a whole number in int range, far above the bins
    [InlineData(1e10f)] // beyond int: truncation gives int.MinValue
    [InlineData(-2147483648f)]
    public void BinCountRefusesValuesThatAreNotBins(float bad)
    {
        foreach (int at in new[] { 0, 5, 1000, 1029 })
        {
            var x = new float[1030];
            x[at] = bad;
            Assert.Throws<ArgumentException>(() => ImageHistogram.BinCountFast(x, 256, 2));
            Assert.Throws<ArgumentException>(() => ImageHistogram.BinCountScalar(x, 256));
        }
    }

    [Theory]
    [InlineData(65536f)]
    [InlineData(-0.5f)]
    [InlineData(100.25f)]
    [InlineData(2147483520f)]
    [InlineData(1e10f)]
    [InlineData(float.NaN)]
    public void SixteenBitCountsRefuseValuesThatAreNotBins(float bad)
    {
        foreach (int at in new[] { 0, 63, 64, 1000, 1029 })
        {
            var x = Enumerable.Range(0, 1030).Select(k => (float)(k * 61 % 65536)).ToArray();
            x[at] = bad;
            Assert.Throws<ArgumentException>(() => ImageHistogram.BinCountFast(x, 65536, 1));
            Assert.Throws<ArgumentException>(() => ImageHistogram.BinCountScalar(x, 65536));
        }
    }

    [Fact]
    public void FloatHistogramEqualsScalarForEveryLength()
    {
        var rng = new Random(12);
        foreach (int nbins in new[] { 256, 17, 1, 5000 })
        {
            foreach (int n in Lengths())
            {
                // Values on and near the edges as well as anywhere.
                float lo = (float)rng.NextDouble() * 10, hi = lo + 1 + ((float)rng.NextDouble() * 100);
                var x = Enumerable.Range(0, n).Select(k => k % 5 == 0 ? (k % 2 == 0 ? lo : hi) : lo + ((hi - lo) * (float)rng.NextDouble())).ToArray();
                var (min, max) = ImageHistogram.FiniteMinMax(x);
                var bins = ImageHistogram.FloatBins.Create(min, max, nbins);
                var slow = ImageHistogram.FloatCountsScalar(x, bins);
                Assert.Equal(slow, ImageHistogram.FloatCountsFast(x, bins, 2));
                Assert.Equal(n, slow.Sum());
            }
        }
    }

    [Fact]
    public void FloatHistogramOfAConstantImageWidensTheRangeAsNumpy()
    {
        var h = ImageHistogram.Of(Enumerable.Repeat(3.5f, 35).ToArray(), 0, 256);
        Assert.Equal(35, h.Counts[128]); // numpy.histogram: range [3.0, 4.0], the value in bin 128
        Assert.Equal(3.001953125, h.Centers[0]);
    }

    [Fact]
    public void FloatHistogramRefusesNonFiniteValues()
    {
        Assert.Throws<ArgumentException>(() => ImageHistogram.Of([1f, float.NaN, 3f], 0, 256));
        Assert.Throws<ArgumentException>(() => ImageHistogram.Of([1f, float.PositiveInfinity], 0, 256));
    }

    /// <summary>
    /// Finite values whose range overflows float32 (max - min = inf): numpy's bin estimate is NaN and it fails
    /// (IndexError); the vector count read outside the edges and crashed the process (AccessViolationException),
    /// taking a whole batch with it. Refused with the reason, for every length (the scalar and the vector paths).
    /// </summary>
    [Fact]
    public void FloatHistogramRefusesARangeWiderThanFloat32()
    {
        foreach (int n in Lengths().Where(n => n >= 2))
        {
            var x = new float[n];
            x[0] = -2e38f;
            x[n - 1] = 2e38f;
            var e = Assert.Throws<ArgumentException>(() => ImageHistogram.Of(x, 0, 256));
            Assert.Equal("the values span -2E+38 to 2E+38, a range wider than float32 holds (max - min overflows): numpy.histogram fails on it too; rescale the values first", e.Message);
        }

        // The widest range that fits is counted: -1e38 .. 2e38 is 3e38.
        var wide = new float[64];
        wide[0] = -1e38f;
        wide[63] = 2e38f;
        var h = ImageHistogram.Of(wide, 0, 256);
        Assert.Equal(64, h.Counts.Sum());
        Assert.Equal(62, h.Counts[85]); // the zeros: (0 + 1e38) / 3e38 * 256 = 85.3
        Assert.Equal(1, h.Counts[0]);
        Assert.Equal(1, h.Counts[255]);
    }

    [Fact]
    public void NumpyFloat32SumEqualsScalarForEveryLength()
    {
        var rng = new Random(13);
        foreach (int n in Lengths().Concat([8191, 8192, 8193, 16384 + 77, 100_003]))
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 255)).ToArray();
            Assert.Equal(NumpySum32.SumScalar(x), NumpySum32.Sum(x));
        }
    }

    [Fact]
    public void ClassMeanEqualsTheGatheredClassMeanForEveryLengthAndThreshold()
    {
        // Values of mixed magnitude, so that another order of additions changes the low bits.
        var rng = new Random(29);
        foreach (int n in Lengths().Concat([8191, 8192, 8193, 8192 + 15, 16384 + 16, 3 * 8192 + 77, 100_003]))
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)(Math.Pow(10, (rng.NextDouble() * 6) - 2) * (rng.Next(2) == 0 ? 1 : 0.37))).ToArray();
            foreach (float t in new[] { -1f, 0.05f, 1f, 30f, 1e5f, x[rng.Next(n)] })
            {
                foreach (bool above in new[] { true, false })
                {
                    float expected = NumpySum32.ClassMeanScalar(x, t, above);
                    Assert.True(expected.Equals(NumpySum32.ClassMean(x, t, above)), $"n {n}, t {t}, above {above}");
                }
            }
        }
    }

    [Fact]
    public void IsodataAndMinimumFailWhereScikitImageFails()
    {
        // A constant float image: numpy's histogram spreads [v - 0.5, v + 0.5] over nbins bins, one of them full; every
        // class mean is 0 / 0 on one side, so no bin qualifies (scikit-image: index out of range).
        var constant = Enumerable.Repeat(3.5f, 35).ToArray();
        var e = Assert.Throws<ArgumentException>(() => Thresholds.Isodata(constant, 0, 256));
        Assert.Contains("threshold_isodata is undefined", e.Message);

        // One value on the integer path: one bin, no maximum to smooth towards (scikit-image: 'Unable to find two maxima').
        var level = Enumerable.Repeat(9f, 35).ToArray();
        e = Assert.Throws<ArgumentException>(() => Thresholds.Minimum(level, 8, 256));
        Assert.Contains("0 maxima, not two", e.Message);
        Assert.Equal(9, Thresholds.Isodata(level, 8, 256)); // one bin: its center
    }

    [Fact]
    public void LiFailsWhereScikitImagesLoopNeverEnds()
    {
        // A smoothed random 600 x 600 float frame, drawn as the differential fuzz draws them (one of its frames found
        // this): Li's float32 iteration alternates between two thresholds 5 ulps apart, more than its tolerance (half
        // the smallest gap between values, 7.6e-6). scikit-image 0.19.3 on the same values (this generator's frame
        // written to a file) loops forever between 105.6968 and 105.69684; with tolerance 3.9e-5 it returns 105.69684.
        var rng = new Random(17);
        var noise = new float[600 * 600];
        for (int i = 0; i < noise.Length; i++)
        {
            noise[i] = (float)rng.NextDouble();
        }

        var s = NdFilters.GaussianFilter(new ImageArray(600, 600, noise), [2.5, 2.5], threads: 1).Data;
        float lo = s.Min(), hi = s.Max();
        var x = s.Select(v => ((v - lo) / (hi - lo) * 216f) + 3.5f).ToArray();

        foreach (int threads in new[] { 1, 2 })
        {
            var e = Assert.Throws<ArgumentException>(() => Thresholds.Li(x, 0, threads: threads));
            Assert.Equal(
                "the threshold does not settle: from iteration 22 on it goes back and forth between 105.6968 and 105.69684 (3.81E-05 apart, "
                + "more than the tolerance 7.63E-06), so scikit-image's loop never ends on this image; tolerance: 3.9E-05 stops it",
                e.Message);
            Assert.Equal(105.69683837890625, Thresholds.Li(x, 0, tolerance: 3.9e-5, threads: threads));
        }
    }

    [Fact]
    public void MinimumSmoothsAsSciPysRunningSumDoesBitForBit()
    {
        // The histogram of a smoothed 586 x 714 uint8 frame (intensity-large fuzz, seed 46004), its values 54..209
        // with these counts. After four passes of uniform_filter1d the last bins hold 0.7819, 0.7901, 0.7901: whether
        // the second of the equal-looking two is below the first (a maximum there, so two maxima: 77 and 154) is a
        // matter of the last bit, which follows SciPy 1.10's arithmetic (a running sum of the counts, each output
        // the sum / 3). scikit-image 0.19.3 / SciPy 1.10.1 on this frame and on these values in any order: 207;
        // dividing each step's difference by 3 (older SciPy) gave 55.
        int[] counts =
        [
            2, 0, 1, 2, 1, 1, 2, 1, 1, 3, 7, 4, 8, 10, 8, 9, 13, 13, 15, 19, 33, 33, 38, 51, 82, 73, 105, 133, 171, 167, 213, 253, 320,
            343, 405, 492, 527, 650, 696, 767, 868, 1014, 1187, 1299, 1490, 1746, 1829, 2045, 2375, 2548, 2703, 3019, 3341, 3561, 3803,
            4189, 4609, 4930, 5118, 5506, 5823, 6213, 6383, 6864, 7110, 7472, 7646, 7883, 8375, 8532, 8838, 8910, 9178, 9344, 9491,
            9422, 9446, 9486, 9494, 9473, 9372, 9371, 9273, 9105, 8805, 8547, 8353, 8153, 7931, 7577, 7376, 7044, 6837, 6478, 6265,
            5904, 5516, 5152, 4791, 4535, 4131, 3879, 3602, 3353, 3002, 2814, 2511, 2355, 2165, 1950, 1735, 1519, 1419, 1263, 1134,
            974, 900, 754, 610, 568, 466, 434, 366, 284, 233, 233, 191, 145, 117, 109, 99, 82, 65, 47, 46, 43, 47, 32, 28, 25, 15, 6,
            5, 7, 8, 2, 4, 0, 1, 2, 0, 1, 0, 2, 0, 1,
        ];
        var x = counts.SelectMany((c, i) => Enumerable.Repeat(54f + i, c)).ToArray();
        Assert.Equal(418_404, x.Length);
        Assert.Equal(207, Thresholds.Minimum(x, 8, 256));
        Assert.Equal(207, Thresholds.Minimum(x, 8, 256, threads: 2));
    }

    [Fact]
    public void MinimumGivesUpAsScikitImagesLoopDoes()
    {
        // Two well-separated modes of float values, with a third small bump that smoothing has to flatten first.
        var rng = new Random(43);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x = Enumerable.Range(0, 3000).Select(k => (float)(k < 1400 ? 40 + (8 * Normal()) : k < 2900 ? 160 + (15 * Normal()) : 100 + Normal())).ToArray();
        double t = Thresholds.Minimum(x, 0, 256);
        Assert.InRange(t, 60, 140);

        // The fewest passes that succeed, m: the histogram settled at pass m - 2 (0-based). With m - 1 passes it
        // settles on the last one, which scikit-image still refuses ('Maximum iteration reached': Python's loop
        // variable ends on max_num_iter - 1 either way); with fewer it never comes down to two maxima.
        int m = Enumerable.Range(1, 10000).First(k =>
        {
            try
            {
                Thresholds.Minimum(x, 0, 256, k);
                return true;
            }
            catch (ArgumentException)
            {
                return false;
            }
        });
        Assert.True(m >= 3, $"settled after {m} passes: the bump should take more than one");
        Assert.Equal(t, Thresholds.Minimum(x, 0, 256, m));
        var e = Assert.Throws<ArgumentException>(() => Thresholds.Minimum(x, 0, 256, m - 1));
        Assert.Contains("smoothed max_num_iter", e.Message);
        e = Assert.Throws<ArgumentException>(() => Thresholds.Minimum(x, 0, 256, m - 2));
        Assert.Contains("more than two", e.Message);
    }

    [Fact]
    public void ClassMeanOfLongRunsOnEachSideEqualsTheGatheredClassMean()
    {
        // A smooth signal: long runs of whole vectors on one side of t (which ClassMean does not store) between vectors
        // split by it, across buffer seams; magnitudes mixed by a second wave so the order of additions shows.
        var rng = new Random(37);
        foreach (int n in new[] { 31, 32, 33, 47, 64, 100, 8191, 8192, 8193, 8192 + 31, 16384 + 33, 3 * 8192 + 77, 100_003 })
        {
            int period = 16 + rng.Next(400);
            var x = Enumerable.Range(0, n).Select(k => (float)((Math.Sin(k * Math.PI / period) * 100) + (Math.Cos(k / 3.1) * 0.001) + 100.5)).ToArray();
            foreach (float t in new[] { 0f, 100.5f, 180f, 199f, 250f, x[rng.Next(n)] })
            {
                foreach (bool above in new[] { true, false })
                {
                    float expected = NumpySum32.ClassMeanScalar(x, t, above);
                    Assert.True(expected.Equals(NumpySum32.ClassMean(x, t, above)), $"n {n}, period {period}, t {t}, above {above}: {expected} vs {NumpySum32.ClassMean(x, t, above)}");
                }
            }
        }
    }

    [Fact]
    public void ClassMeansEqualTheGatheredClassMeans()
    {
        // Both classes from one read: on mixed magnitudes
        // (another order of additions changes the low bits) and on a smooth signal (runs of whole vectors on one side
        // of t), with thresholds that put everything in one class, and where a class fills whole buffers exactly.
        var rng = new Random(41);
        foreach (int n in new[] { 32, 95, 8192 + 64, 65_536, 70_001, 9 * 8192 })
        {
            var mixed = Enumerable.Range(0, n).Select(_ => (float)(Math.Pow(10, (rng.NextDouble() * 6) - 2) * (rng.Next(2) == 0 ? 1 : 0.37))).ToArray();
            int period = 16 + rng.Next(400);
            var smooth = Enumerable.Range(0, n).Select(k => (float)((Math.Sin(k * Math.PI / period) * 100) + (Math.Cos(k / 3.1) * 0.001) + 100.5)).ToArray();
            var sorted = mixed.Order().ToArray();
            foreach (var (x, thresholds) in new[] { (mixed, new[] { -1f, 1f, 1e5f, sorted[n - Math.Min(n, 8192)], sorted[Math.Min(n, 8192) - 1] }), (smooth, new[] { 0f, 100.5f, 199f }) })
            {
                foreach (float t in thresholds)
                {
                    var expected = (NumpySum32.ClassMeanScalar(x, t, true), NumpySum32.ClassMeanScalar(x, t, false));
                    var got = NumpySum32.ClassMeans(x, t);
                    Assert.True(expected.Equals(got), $"n {n}, t {t}: {expected} vs {got}");
                }
            }
        }
    }

    [Fact]
    public void SubtractIntoGivesTheDifferencesTheirSmallestGapAndNumpysMean()
    {
        // Li's first pass: dst = x - min in float32, the smallest nonzero gap between neighbours of dst, and
        // numpy.mean(dst), each buffer summed as it is written: against the three computed one after the other, for
        // every length 1..80 and across buffer seams (runs of equal values make zero gaps, which do not count).
        var rng = new Random(61);
        foreach (int n in Enumerable.Range(1, 80).Concat([8191, 8192, 8193, 16 * 8192, (16 * 8192) + 9, (40 * 8192) + 3]))
        {
            var x = Enumerable.Range(0, n).Select(k => k % 7 == 3 ? 2.5f : (float)((rng.NextDouble() * 1000) - 300)).ToArray();
            float min = x.Min();
            var expected = x.Select(f => f - min).ToArray();
            float gap = float.PositiveInfinity;
            for (int i = 1; i < n; i++)
            {
                float d = Math.Abs(expected[i] - expected[i - 1]);
                gap = d > 0 ? Math.Min(gap, d) : gap;
            }

            var dst = new float[n + 3];
            var (gotGap, gotMean) = Thresholds.SubtractInto(x, min, dst);
            Assert.Equal(expected, dst.Take(n));
            Assert.Equal(new float[3], dst.Skip(n));
            Assert.Equal((double)gap, gotGap);
            float mean = (float)((double)NumpySum32.SumScalar(expected) / n);
            Assert.True(mean.Equals(gotMean), $"n {n}: {mean} vs {gotMean}");
        }
    }

    [Fact]
    public void ClassMeanAddsTheBuffersOfTheGatheredClassNotOfTheImage()
    {
        // numpy.mean(v[~(v > t)]) buffers the gathered class: 10,000 values of which every other one is kept give
        // one buffer of 5,000, not the kept values of the image's buffers of 8,192 and 1,808. Values of both signs
        // and many magnitudes make the two orders of additions differ.
        var rng = new Random(31);
        var x = Enumerable.Range(0, 10_000).Select(k => k % 2 == 0 ? (float)((rng.Next(2) == 0 ? 1 : -1) * Math.Pow(10, rng.NextDouble() * 7)) : 2e9f).ToArray();
        var kept = x.Where(f => !(f > 1e9f)).ToArray();
        Assert.Equal(5000, kept.Length);
        Assert.Equal(NumpySum32.Mean(kept), NumpySum32.ClassMean(x, 1e9f, above: false));

        // What buffering by the image's positions would give: a different float, so the assertion above tells the
        // two apart.
        float byImage = NumpySum32.Sum(x.Take(8192).Where(f => !(f > 1e9f)).ToArray()) + NumpySum32.Sum(x.Skip(8192).Where(f => !(f > 1e9f)).ToArray());
        Assert.NotEqual(NumpySum32.Sum(kept), byImage);
    }

    [Fact]
    public void NumpyFloat32SumHasNumpysValues()
    {
        // numpy 1.24: np.sum(np.arange(1, 20001, dtype=np.float32) / 7) and np.mean of it (float32 pairwise sums).
        var x = Enumerable.Range(1, 20000).Select(k => k / 7f).ToArray();
        Assert.Equal(28572858f, NumpySum32.Sum(x));
        Assert.Equal(1428.643f, NumpySum32.Mean(x));
    }

    [Theory]
    // numpy 1.24 on x86-64 with AVX2/FMA3 or AVX-512F: np.log(np.float32(x)); logf (the correctly rounded float64 log)
    // gives 10.402505f, 1.7615787f and -14.020352f for the first three, one float32 ulp away.
    [InlineData(32942.055f, 10.402506f)]
    [InlineData(5.8216205f, 1.7615786f)]
    [InlineData(8.1477583e-07f, -14.020353f)]
    [InlineData(1f, 0f)]
    [InlineData(1e-45f, -103.27893f)]
    [InlineData(3e-41f, -93.307365f)]
    [InlineData(3.4028235e38f, 88.72284f)]
    [InlineData(0f, float.NegativeInfinity)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity)]
    public void NumpyFloat32LogHasNumpysValues(float x, float log)
    {
        Assert.Equal(log, NumpyLog32.Log(x));
    }

    [Fact]
    public void NumpyFloat32LogIsWithinItsBoundOfTheNaturalLog()
    {
        // Yen's search takes logs only near the largest criterion, relying on |Log(x) - ln x| <= 4.14e-6 for every
        // positive float32 (a sweep of all 2^31 of them found 4.1310e-6, at the denormal 1.33395e-40). Every 61st bit
        // pattern here, and each power of two's neighbours.
        double worst = 0;
        for (uint b = 1; b < 0x7F800000u; b += 61)
        {
            float x = BitConverter.UInt32BitsToSingle(b);
            worst = Math.Max(worst, Math.Abs(NumpyLog32.Log(x) - Math.Log(x)));
        }

        for (uint e = 0; e < 255; e++)
        {
            foreach (uint b in new[] { (e << 23) - 1, e << 23, (e << 23) + 1 })
            {
                float x = BitConverter.UInt32BitsToSingle(b);
                if (b != 0 && b < 0x7F800000u)
                {
                    worst = Math.Max(worst, Math.Abs(NumpyLog32.Log(x) - Math.Log(x)));
                }
            }
        }

        Assert.InRange(worst, 1e-7, 4.14e-6);
    }

    [Fact]
    public void TheLargestLogAmongValuesNearTheLargestIsTheFirstLargestLogOfAll()
    {
        // Runs of values a few ulps apart, whose logs tie or reverse (NumPy's log is not monotonic to the ulp), at
        // many scales; the floor Yen uses must give numpy.argmax(np.log(v)) exactly.
        var rng = new Random(61);
        int tiesBroken = 0;
        for (int trial = 0; trial < 20000; trial++)
        {
            int n = rng.Next(1, 40);
            float top = MathF.Pow(2f, rng.Next(-140, 120)) * (1f + (float)rng.NextDouble());
            var v = new float[n];
            for (int i = 0; i < n; i++)
            {
                v[i] = rng.Next(3) switch
                {
                    0 => top * (float)rng.NextDouble(),
                    1 => BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(top) - rng.Next(0, 6)),
                    _ => rng.Next(50) == 0 ? 0f : BitConverter.Int32BitsToSingle(Math.Max(0, BitConverter.SingleToInt32Bits(top) - rng.Next(0, 400))),
                };
            }

            int all = 0;
            for (int i = 1; i < n; i++)
            {
                if (NumpyLog32.Log(v[i]) > NumpyLog32.Log(v[all]))
                {
                    all = i;
                }
            }

            int largest = Array.IndexOf(v, v.Max());
            tiesBroken += largest != all ? 1 : 0;
            Assert.Equal(all, Thresholds.FirstLargestLog(v, Thresholds.LogFloor(v.Max())));
        }

        Assert.True(tiesBroken > 5000, $"only {tiesBroken} trials where the first largest log is not at the first largest value");
    }

    [Fact]
    public void NumpyFloat32LogOfNegativeOrNaNIsNaN()
    {
        Assert.True(float.IsNaN(NumpyLog32.Log(-1f)));
        Assert.True(float.IsNaN(NumpyLog32.Log(float.NaN)));
    }

    [Theory]
    [InlineData(new float[] { 0, 255, 17 }, 8)]
    [InlineData(new float[] { 0, 256, 17 }, 16)]
    [InlineData(new float[] { 0, 65535 }, 16)]
    [InlineData(new float[] { 0, 65536 }, 0)]
    [InlineData(new float[] { 3, 4.5f }, 0)]
    [InlineData(new float[] { -1, 4 }, 0)]
    [InlineData(new float[] { 2, float.NaN }, 0)]
    [InlineData(new float[] { 2, float.PositiveInfinity }, 0)]
    [InlineData(new float[] { 0 }, 8)]
    public void TheValueRuleNamesTheIntegerType(float[] values, int bits)
    {
        foreach (int pad in new[] { 0, 7, 40, 300_000, 600_000 }) // 600,000: two parts on two threads
        {
            var x = new float[values.Length + pad];
            values.CopyTo(x, pad);
            Assert.Equal(bits, IntegerSource.BitsOfValues(x, threads: 2));
        }
    }

    [Fact]
    public void WholeMaxEqualsTheScalarRuleForEveryLengthAndValue()
    {
        // The vector paths (16- and 8-wide) against the rule value by value: lengths across both loops and the tail,
        // one value that is not a whole number in 0..65535 (or a large whole one, or -0) at every position.
        var rng = new Random(15);
        float[] odd = [0.5f, -1f, 65536f, 65535.5f, float.NaN, float.PositiveInfinity, 2147483520f, 1e10f, -2147483648f, -0f, 65535f];
        for (int n = 0; n <= 200; n++)
        {
            for (int trial = 0; trial < 6; trial++)
            {
                var x = Enumerable.Range(0, n).Select(_ => (float)rng.Next(trial % 2 == 0 ? 256 : 65536)).ToArray();
                if (n > 0 && trial > 1)
                {
                    x[rng.Next(n)] = odd[rng.Next(odd.Length)];
                }

                float want = 0f;
                foreach (float v in x)
                {
                    if (!(v == MathF.Floor(v) && v >= 0f && v <= 65535f))
                    {
                        want = -1;
                        break;
                    }

                    want = Math.Max(want, v);
                }

                Assert.Equal(BitConverter.SingleToInt32Bits(want), BitConverter.SingleToInt32Bits(IntegerSource.WholeMax(x)));
            }
        }
    }

    [Fact]
    public void ARecordBelongsToItsArrayAndWinsOverTheValues()
    {
        var whole = new ImageArray(2, 2, [0, 1, 2, 3]);
        Assert.Equal(8, IntegerSource.BitsOf(whole));
        IntegerSource.Record(whole, 0); // float samples that happen to be whole numbers
        Assert.Equal(0, IntegerSource.BitsOf(whole));
        Assert.False(IntegerSource.IsInteger(whole));
        var copy = whole.Clone();
        Assert.Equal(8, IntegerSource.BitsOf(copy)); // a new array: the value rule
        IntegerSource.Propagate(whole, copy);
        Assert.Equal(0, IntegerSource.BitsOf(copy));
        Assert.Throws<ArgumentOutOfRangeException>(() => IntegerSource.Record(copy, 12));
    }

    [Fact]
    public void LoadersRecordTheFilesSampleType()
    {
        string dir = Path.Combine(EngineFixtures.RepoRoot, "tests", "fixtures", "ops", "inputs");
        Assert.Equal(8, Recorded(ImageReader.Read(Path.Combine(dir, "xray8_64.png"))));
        Assert.Equal(16, Recorded(ImageReader.Read(Path.Combine(dir, "xray16_64.png"))));
        Assert.Equal(16, Recorded(ImageReader.Read(Path.Combine(dir, "xray16_small.png")))); // 16-bit even when every value is below 256
        Assert.Equal(0, Recorded(ImageReader.Read(Path.Combine(dir, "xray64f_whole.npy")))); // float32 whole numbers: float
        Assert.Equal(8, IntegerSource.BitsOf(ImageReader.Read(Path.Combine(dir, "xray64f_whole.npy")).Clone()));
        Assert.Equal(8, Recorded(ImageReader.ReadStack([Path.Combine(dir, "xray8_64.png"), Path.Combine(dir, "xray8_64.png")])));
        Assert.Null(RecordedOrNull(ImageReader.ReadStack([Path.Combine(dir, "xray8_64.png"), Path.Combine(dir, "xray16_64.png")]))); // frames of two types

        // A uint16 and a uint8 .npy.
        Assert.Equal(16, Recorded(XRayFlow.Core.Codecs.Npy.NpyReader.Read(new MemoryStream(NpyBytes("<u2", 2, [1, 0, 255, 1])), "u2.npy")));
        Assert.Equal(8, Recorded(XRayFlow.Core.Codecs.Npy.NpyReader.Read(new MemoryStream(NpyBytes("|u1", 1, [7, 200])), "u1.npy")));
        Assert.Null(RecordedOrNull(XRayFlow.Core.Codecs.Npy.NpyReader.Read(new MemoryStream(NpyBytes("<i2", 2, [1, 0, 255, 255])), "i2.npy")));
    }

    private static int Recorded(ImageArray a) => RecordedOrNull(a) ?? throw new Xunit.Sdk.XunitException("nothing recorded");

    private static int? RecordedOrNull(ImageArray a) => IntegerSource.TryGetRecorded(a, out int bits) ? bits : null;

    /// <summary>A 1 x n .npy of the given dtype and raw little-endian sample bytes.</summary>
    private static byte[] NpyBytes(string descr, int size, byte[] data)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': (1, {data.Length / size}), }}";
        header = header.PadRight(118 - 1) + "\n";
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        ms.Write(BitConverter.GetBytes((ushort)header.Length));
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.Write(data);
        return ms.ToArray();
    }

    private static IEnumerable<int> Lengths() => Enumerable.Range(1, 70).Concat([1023, 1024, 1025, 4100, 300_001]);

    [Fact]
    public void MinMaxScansEqualTheScalarLoopForEveryLengthAndZeroSign()
    {
        // FiniteMinMax (histograms) and AllFinite (thresholds): lengths 0..300 cross the 32-value and 8-value loops and
        // the tail; -0 / +0 ties and a lone extreme at every position, the zero's sign compared as bits; a NaN or an
        // infinity anywhere is found.
        var rng = new Random(33);
        for (int n = 0; n <= 300; n++)
        {
            for (int trial = 0; trial < 3; trial++)
            {
                var x = new float[n];
                for (int k = 0; k < n; k++)
                {
                    x[k] = trial == 0 ? (rng.Next(2) == 0 ? 0f : -0f) : (float)(rng.NextDouble() * 10);
                }

                if (trial == 2 && n > 0)
                {
                    x[rng.Next(n)] = -3f;
                    x[rng.Next(n)] = 13f;
                }

                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                foreach (float v in x)
                {
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                }

                Assert.True(Thresholds.AllFinite(x, out float alo, out float ahi));
                Assert.Equal(BitConverter.SingleToInt32Bits(lo), BitConverter.SingleToInt32Bits(alo));
                Assert.Equal(BitConverter.SingleToInt32Bits(hi), BitConverter.SingleToInt32Bits(ahi));
                if (n > 0)
                {
                    var (flo, fhi) = ImageHistogram.FiniteMinMax(x);
                    Assert.Equal(BitConverter.SingleToInt32Bits(lo), BitConverter.SingleToInt32Bits(flo));
                    Assert.Equal(BitConverter.SingleToInt32Bits(hi), BitConverter.SingleToInt32Bits(fhi));
                    var bad = (float[])x.Clone();
                    bad[rng.Next(n)] = trial == 1 ? float.PositiveInfinity : float.NaN;
                    Assert.False(Thresholds.AllFinite(bad, out _, out _));
                    Assert.Throws<ArgumentException>(() => ImageHistogram.FiniteMinMax(bad));
                }
            }
        }
    }

    [Fact]
    public void FiniteMinMaxInPartsEqualsOnePassAndStillRefusesNaN()
    {
        var random = new Random(21);
        var x = Enumerable.Range(0, 400_000).Select(_ => (float)(random.NextDouble() * 10 - 3)).ToArray();
        x[399_999] = 40f;
        x[3] = -7f;
        Assert.Equal(ImageHistogram.FiniteMinMax(x), ImageHistogram.FiniteMinMax(x, 2));
        Assert.Equal((-7f, 40f), ImageHistogram.FiniteMinMax(x, 3));
        x[300_000] = float.NaN; // in the last part
        var e = Assert.Throws<ArgumentException>(() => ImageHistogram.FiniteMinMax(x, 2));
        Assert.Contains("not finite", e.Message);
        x[300_000] = 0;
        x[5] = float.PositiveInfinity;
        Assert.Throws<ArgumentException>(() => ImageHistogram.FiniteMinMax(x, 2));
    }
}

using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>equalize_adapthist's clip_histogram and maps: the vector paths give the scalar rules' integers.</summary>
public class ClaheClipTests
{
    [Fact]
    public void VectorClipGivesTheScalarHistogramForEveryLength()
    {
        // (Without 512-bit hardware .NET runs the Vector512 code in software: the comparison still holds.)
        var random = new Random(20261205);
        int strideOne = 0, strided = 0;
        for (int n = 1; n <= 300; n++)
        {
            for (int trial = 0; trial < 16; trial++)
            {
                // A region's counts: mostly small, some spikes (the peaks of a smooth X-ray tile), some empty bins;
                // or (trials 12-15) half the bins a little over a limit of 8, a quarter just under it, a quarter far
                // under: no even share, the excess outlasts a stride-1 pass and a quarter of the bins reach the limit
                // in it, so the count of bins left under the limit decides the next stride.
                var hist = new long[n];
                long total = 0;
                bool near = trial >= 12;
                for (int i = 0; i < n; i++)
                {
                    double u = random.NextDouble();
                    hist[i] = near
                        ? (u < 0.5 ? random.Next(9, 11) : u < 0.75 ? 7 : random.Next(0, 3))
                        : (u < 0.2 ? 0 : u < 0.85 ? random.Next(0, 12) : random.Next(12, 400));
                    total += hist[i];
                }

                long clip = near ? 8 : trial switch
                {
                    0 => 1,
                    1 => Math.Max(1, total / n),
                    2 => total + 1,
                    _ => random.Next(1, 60),
                };
                var scalar = (long[])hist.Clone();
                Clahe.ClipHistogramScalar(scalar, clip);
                var vector = (long[])hist.Clone();
                Clahe.ClipHistogramVector(vector, clip);
                Assert.True(scalar.AsSpan().SequenceEqual(vector), $"n {n}, clip {clip}, trial {trial}: [{string.Join(", ", vector)}] vs [{string.Join(", ", scalar)}]");
                Assert.All(scalar, v => Assert.True(v <= Math.Max(clip, 0) || clip > total));
                (Steps(hist, clip) == 1 ? ref strideOne : ref strided)++;
            }
        }

        // Both kinds of one-by-one pass were met (stride 1 runs by vectors, wider strides one by one).
        Assert.True(strideOne > 100 && strided > 100, $"stride 1: {strideOne}, wider: {strided}");
    }

    [Fact]
    public void ASpikedRegionClipsAsScikitImageDoes()
    {
        // 1024 pixels in 7 bins of 256, clip 10 (clip_limit 0.01 of a 32 x 32 region). scikit-image 0.19.3's
        // clip_histogram gives 249 bins of 4 and the 7 of 10: 1066 in all (its one-by-one passes hand out whole
        // strides, so more than the excess).
        var hist = new long[256];
        for (int i = 0; i < 1024; i++)
        {
            hist[100 + (i % 7)]++;
        }

        Clahe.ClipHistogram(hist, 10);
        Assert.Equal(1066, hist.Sum());
        Assert.Equal(7, hist.Count(v => v == 10));
        Assert.Equal(249, hist.Count(v => v == 4));
        Assert.All(hist.AsSpan(100, 7).ToArray(), v => Assert.Equal(10, v));
    }

    [Fact]
    public void MapsAreTheScalarRulesForEveryLength()
    {
        // int(min(cumsum * scale, 16383)) with scale = 16383 / (k0 k1): regions of 1 .. 4096^2 pixels, counts that
        // fill them (the top reached, the clip to 16383 where a clipped histogram's total exceeds the region).
        var random = new Random(5);
        for (int n = 1; n <= 300; n++)
        {
            foreach (long pixels in new long[] { 1, 3, 1024, 16_129, 4096L * 4096 })
            {
                double scale = 16383.0 / pixels;
                var hist = new long[n];
                for (int i = 0; i < n; i++)
                {
                    hist[i] = random.NextInt64(0, (2 * pixels / n) + 2);
                }

                var map = new int[n];
                Clahe.MapOf((long[])hist.Clone(), scale, map);
                long cum = 0;
                for (int i = 0; i < n; i++)
                {
                    cum += hist[i];
                    Assert.Equal((int)Math.Min(cum * scale, 16383), map[i]);
                }
            }
        }
    }

    /// <summary>The first one-by-one pass's stride for this histogram (after the cut and the even share), 0 if none.</summary>
    private static long Steps(long[] source, long clip)
    {
        var h = (long[])source.Clone();
        long excess = 0;
        for (int i = 0; i < h.Length; i++)
        {
            if (h[i] > clip)
            {
                excess += h[i] - clip;
                h[i] = clip;
            }
        }

        long share = excess / h.Length, upper = clip - share;
        for (int i = 0; i < h.Length; i++)
        {
            if (h[i] < upper)
            {
                h[i] += share;
                excess -= share;
            }
            else if (h[i] < clip)
            {
                excess += h[i] - clip;
                h[i] = clip;
            }
        }

        long under = h.Count(v => v < clip);
        return excess <= 0 ? 0 : Math.Max(1, under / excess);
    }

    [Fact]
    public void BinTablesGiveTheScalarLevelOfEveryValue()
    {
        // The vector table against To14Bit value by value: uint8 (scale 257) and 16-bit / rescaled float ranges
        // (scale 1), every nbins of scikit-image's common choices and odd ones, ranges of every length mod 8, a
        // constant image (lo = hi), the whole 16-bit range.
        var random = new Random(51205);
        var ranges = new List<(int Lo, int Hi, int Scale)> { (0, 255, 257), (3, 250, 257), (7, 7, 257), (0, 65535, 1), (1, 65534, 1), (40000, 40000, 1) };
        for (int k = 0; k < 60; k++)
        {
            int lo = random.Next(65536), hi = Math.Min(65535, lo + random.Next(0, 3000));
            ranges.Add((lo, hi, 1));
        }

        int checkedValues = 0;
        foreach (var (lo, hi, scale) in ranges)
        {
            foreach (int nbins in new[] { 1, 2, 3, 7, 100, 128, 256, 1000, 4096, 16384 })
            {
                var table = Clahe.BinTable(lo, hi, scale, nbins, hi + 1);
                int binSize = 1 + (Clahe.GrayLevels / nbins);
                for (int v = lo; v <= hi; v++)
                {
                    int want = Clahe.To14Bit(v * scale, lo * scale, hi * scale) / binSize;
                    Assert.True(want == table[v], $"lo {lo} hi {hi} scale {scale} nbins {nbins} v {v}: {table[v]} vs {want}");
                    checkedValues++;
                }
            }
        }

        Assert.True(checkedValues > 1_000_000, $"{checkedValues}");
    }
}

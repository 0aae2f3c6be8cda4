using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Core.Tests.Ops.Statistics;

/// <summary>
/// threshold_multiotsu's kernel beyond the fixtures (tests/fixtures/ops: scikit-image 0.19.3 on 8-bit, 16-bit and float
/// inputs for 2-5 classes): the images scikit-image refuses, exactly `classes` values, the bound on choices, and the
/// search against scikit-image's recursion written out as nested loops for three classes.
/// </summary>
public class MultiOtsuTests
{
    [Fact]
    public void FewerValuesThanClassesIsRefusedAsScikitImageDoes()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MultiOtsu.Thresholds([5, 0, 7], [10.0, 11, 12], classes: 3));
        Assert.Contains("only 2 different values", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExactlyClassesValuesGiveTheOccupiedBinsButTheLast()
    {
        // scikit-image: thresh_idx = np.where(prob > 0)[0][:-1] (no search).
        Assert.Equal([10.0, 13.0], MultiOtsu.Thresholds([5, 0, 0, 7, 0, 1], [10.0, 11, 12, 13, 14, 15], classes: 3));
    }

    [Fact]
    public void TooManyChoicesAreRefusedWithTheWayOut()
    {
        var counts = new long[65536];
        Array.Fill(counts, 1);
        var centers = Enumerable.Range(0, 65536).Select(i => (double)i).ToArray();
        Assert.Equal(65535.0 * 65534 / 2, MultiOtsu.Choices(65536, 2));
        var e = Assert.Throws<InvalidOperationException>(() => MultiOtsu.Thresholds(counts, centers, classes: 4));
        Assert.Contains("rescale_intensity", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSearchIsScikitImagesRecursionForThreeClasses()
    {
        // scikit-image's _set_thresh_indices_lut for two thresholds: i in [0, n - 2), j in [i + 1, n - 1), the first
        // strictly larger sigma kept, sums in float32 as H(0, i) + H(j + 1, n - 1) + H(i + 1, j).
        var random = new Random(5);
        // Up to 300 bins: the vectorised row maxima's whole vectors and tails; small counts make equal sigmas likely.
        for (int trial = 0; trial < 80; trial++)
        {
            int n = 4 + random.Next(trial < 40 ? 60 : 300);
            var counts = Enumerable.Range(0, n).Select(_ => (long)(random.Next(4) == 0 ? 0 : random.Next(1, trial % 2 == 0 ? 5 : 1000))).ToArray();
            counts[0] = 1;
            counts[^1] = 1;
            var centers = Enumerable.Range(0, n).Select(i => i * 1.5).ToArray();
            if (counts.Count(c => c > 0) <= 3)
            {
                continue;
            }

            var best = ByHandMany(counts, 2);
            Assert.Equal([centers[best[0]], centers[best[1]]], MultiOtsu.Thresholds(counts, centers, classes: 3));
        }
    }

    [Theory]
    [InlineData(2, 30)]
    [InlineData(4, 31)]
    [InlineData(5, 32)]
    [InlineData(6, 33)]
    public void TheSearchIsScikitImagesRecursionForMoreClasses(int classes, int seed)
    {
        // scikit-image's _set_thresh_indices_lut for classes - 1 thresholds, written out as nested choices in order:
        // sigma = H(0, t0) + H(tm-1 + 1, n - 1), then + H(tk + 1, tk+1) for each k, in float32; the first strictly
        // larger kept. Bins up to 70 (5 and 6 classes) and 160 (4): every vector length and tail of the last index.
        var random = new Random(seed);
        for (int trial = 0; trial < 400; trial++)
        {
            int n = classes + 2 + random.Next(classes == 4 ? 160 : 70 - (classes * 6));
            var counts = Enumerable.Range(0, n).Select(_ => (long)(random.Next(4) == 0 ? 0 : random.Next(1, trial % 3 == 0 ? 3 : trial % 3 == 1 ? 5 : 1000))).ToArray();
            counts[0] = 1;
            counts[^1] = 1;
            if (counts.Count(c => c > 0) <= classes)
            {
                continue;
            }

            var centers = Enumerable.Range(0, n).Select(i => i * 1.5).ToArray();
            var best = ByHandMany(counts, classes - 1);
            Assert.Equal(best.Select(i => centers[i]), MultiOtsu.Thresholds(counts, centers, classes));
        }
    }

    private static int[] ByHandMany(long[] counts, int m)
    {
        int n = counts.Length;
        double total = counts.Sum();
        var prob = counts.Select(c => (float)(c / total)).ToArray();
        var p = new float[n];
        var s = new float[n];
        p[0] = s[0] = prob[0];
        for (int i = 1; i < n; i++)
        {
            p[i] = p[i - 1] + prob[i];
            s[i] = s[i - 1] + (i * prob[i]);
        }

        float H(int i, int j) => i == 0
            ? (j >= 1 && p[j] > 0 ? s[j] * s[j] / p[j] : 0f)
            : (p[j] - p[i - 1] > 0 ? (s[j] - s[i - 1]) * (s[j] - s[i - 1]) / (p[j] - p[i - 1]) : 0f);

        float max = 0;
        var best = new int[m];
        var t = new int[m];
        void Choose(int k, int from)
        {
            for (t[k] = from; t[k] <= n - 1 - m + k; t[k]++)
            {
                if (k < m - 1)
                {
                    Choose(k + 1, t[k] + 1);
                    continue;
                }

                float sigma = H(0, t[0]) + H(t[m - 1] + 1, n - 1);
                for (int q = 0; q < m - 1; q++)
                {
                    sigma += H(t[q] + 1, t[q + 1]);
                }

                if (sigma > max)
                {
                    max = sigma;
                    t.CopyTo(best, 0);
                }
            }
        }

        Choose(0, 0);
        return best;
    }
}

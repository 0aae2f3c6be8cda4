using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Measure;

namespace XRayFlow.Core.Tests.Ops.Measure;

/// <summary>
/// The Measure kernels against their scalar meanings on random images larger than the SciPy fixtures (so the parallel
/// row blocks and the vector paths run): labelling against a flood fill numbered in raster order, for every structure,
/// on 1 and 2 threads; the distance transform against brute force for every width 1..40 and on a large image; the
/// vector run search against x != 0 for every length 1..200; the refusals.
/// </summary>
public class MeasureKernelTests
{
    private static readonly Neighbours[] Structures =
    [
        Neighbours.Cross,
        Neighbours.Square,
        new(true, false, true, false),
        new(false, true, false, false),
        new(false, false, false, true),
        new(true, false, false, false),
        new(false, false, true, true),
        new(false, false, false, false),
    ];

    private static ImageArray RandomMask(int rows, int cols, double density, int seed)
    {
        var rng = new Random(seed);
        var a = new ImageArray(rows, cols);
        for (int k = 0; k < a.Length; k++)
        {
            a.Data[k] = rng.NextDouble() < density ? 1f : 0f;
        }

        return a;
    }

    /// <summary>Flood fill from each unlabelled foreground pixel in raster order, through the structure's 8 offsets (symmetric).</summary>
    private static float[] FloodFill(ImageArray a, Neighbours nb)
    {
        var offsets = new List<(int Dr, int Dc)>();
        if (nb.NorthWest) { offsets.Add((-1, -1)); offsets.Add((1, 1)); }
        if (nb.North) { offsets.Add((-1, 0)); offsets.Add((1, 0)); }
        if (nb.NorthEast) { offsets.Add((-1, 1)); offsets.Add((1, -1)); }
        if (nb.West) { offsets.Add((0, -1)); offsets.Add((0, 1)); }
        var labels = new float[a.Length];
        int next = 0;
        var stack = new Stack<(int R, int C)>();
        for (int r = 0; r < a.Rows; r++)
        {
            for (int c = 0; c < a.Cols; c++)
            {
                if (a[r, c] == 0 || labels[(r * a.Cols) + c] != 0)
                {
                    continue;
                }

                labels[(r * a.Cols) + c] = ++next;
                stack.Push((r, c));
                while (stack.Count > 0)
                {
                    var (pr, pc) = stack.Pop();
                    foreach (var (dr, dc) in offsets)
                    {
                        int qr = pr + dr, qc = pc + dc;
                        if (qr >= 0 && qr < a.Rows && qc >= 0 && qc < a.Cols && a[qr, qc] != 0 && labels[(qr * a.Cols) + qc] == 0)
                        {
                            labels[(qr * a.Cols) + qc] = next;
                            stack.Push((qr, qc));
                        }
                    }
                }
            }
        }

        return labels;
    }

    [Fact]
    public void LabelEqualsAFloodFillNumberedInRasterOrder()
    {
        int seed = 1;
        foreach (var (rows, cols) in new[] { (1, 1), (1, 37), (37, 1), (5, 64), (64, 5), (17, 65), (700, 400), (300, 1000) })
        {
            foreach (double density in new[] { 0.2, 0.5, 0.8 })
            {
                var mask = RandomMask(rows, cols, density, seed++);
                foreach (var nb in Structures)
                {
                    var want = FloodFill(mask, nb);
                    foreach (int threads in new[] { 1, 2 })
                    {
                        var (got, count) = Components.Label(mask, nb, threads);
                        Assert.Equal(want, got.Data);
                        Assert.Equal(want.Length == 0 ? 0 : want.Max(), count);

                        // The mask held as bits (as a binary step leaves it): its words are the runs' source.
                        var bits = AsBits(mask);
                        var (fromBits, bitsCount) = Components.Label(bits, nb, threads);
                        Assert.Equal(want, fromBits.Data);
                        Assert.Equal(count, bitsCount);
                        Assert.NotNull(bits.Mask); // read as bits
                    }
                }
            }
        }
    }

    [Fact]
    public void ComponentFiltersOfAMaskHeldAsBitsEqualTheFloatPathAndStayBits()
    {
        int seed = 40;
        foreach (var (rows, cols) in new[] { (1, 1), (1, 130), (130, 1), (9, 63), (9, 64), (9, 65), (33, 200), (300, 517) })
        {
            foreach (double density in new[] { 0.3, 0.6 })
            {
                var mask = RandomMask(rows, cols, density, seed++);
                foreach (var nb in new[] { Neighbours.Cross, Neighbours.Square })
                {
                    foreach (int minSize in new[] { 0, 1, 2, 5, 40 })
                    {
                        var want = Components.RemoveSmallObjects(mask, minSize, nb, 2, "remove_small_objects");
                        var got = Components.RemoveSmallObjects(AsBits(mask), minSize, nb, 2, "remove_small_objects");
                        Assert.NotNull(got.Mask);
                        Assert.Equal(want.Data, got.Data);
                    }

                    foreach (int n in new[] { 1, 2, 7, 10_000 })
                    {
                        var want = Components.KeepLargest(mask, n, nb, 2, "keep_largest");
                        var got = Components.KeepLargest(AsBits(mask), n, nb, 2, "keep_largest");
                        Assert.NotNull(got.Mask);
                        Assert.Equal(want.Data, got.Data);
                    }
                }
            }
        }

        // A stack: frame by frame, as the float path.
        var stack = ImageArray.StackOf([RandomMask(20, 70, 0.5, 1), RandomMask(20, 70, 0.4, 2)]);
        Assert.Equal(Components.KeepLargest(stack, 2, Neighbours.Cross, 2, "keep_largest").Data, Components.KeepLargest(AsBits(stack), 2, Neighbours.Cross, 2, "keep_largest").Data);
        Assert.Equal(Components.Label(stack, Neighbours.Square, 2).Labels.Data, Components.Label(AsBits(stack), Neighbours.Square, 2).Labels.Data);
    }

    [Fact]
    public void SetBitsSetsExactlyTheRange()
    {
        for (int from = 0; from < 200; from += 3)
        {
            for (int to = from + 1; to <= 200; to += 5)
            {
                var words = new ulong[4];
                RunLabels.SetBits(words, from, to);
                for (int k = 0; k < 256; k++)
                {
                    Assert.Equal(k >= from && k < to, ((words[k >> 6] >> (k & 63)) & 1) != 0);
                }
            }
        }
    }

    private static ImageArray AsBits(ImageArray x) => ImageArray.FromMask(PackedMask.Pack(x), x.IsStack);

    [Fact]
    public void LabelNumbersAStackAcrossItsFrames()
    {
        var a = RandomMask(30, 20, 0.5, 7);
        var b = RandomMask(30, 20, 0.5, 8);
        var stack = ImageArray.StackOf([a, b]);
        var (got, count) = Components.Label(stack, Neighbours.Cross, 2);
        var fa = FloodFill(a, Neighbours.Cross);
        var fb = FloodFill(b, Neighbours.Cross);
        float na = fa.Max();
        Assert.Equal(fa, got.Frame(0).ToArray());
        Assert.Equal(fb.Select(v => v == 0 ? 0 : v + na), got.Frame(1).ToArray());
        Assert.Equal(na + fb.Max(), count);
    }

    [Fact]
    public void LabelRefusesMoreComponentsThanTheLimit()
    {
        var checker = new ImageArray(10, 10);
        for (int k = 0; k < 100; k++)
        {
            checker.Data[k] = ((k / 10) + (k % 10)) % 2;
        }

        var e = Assert.Throws<LabelException>(() => Components.Label(checker, Neighbours.Cross, 1, maxCount: 49));
        Assert.Contains("more than 49 components (50 so far)", e.Message, StringComparison.Ordinal);
        Assert.Equal(50, Components.Label(checker, Neighbours.Cross, 1, maxCount: 50).Count);
        Assert.Equal(1, Components.Label(checker, Neighbours.Square, 1, maxCount: 50).Count);
    }

    /// <summary>sqrt(min over zeros ((i - i0) s0)^2 + ((j - j0) s1)^2), by brute force.</summary>
    private static double BruteForce(ImageArray a, int i, int j, double s0, double s1)
    {
        if (a[i, j] == 0)
        {
            return 0;
        }

        double best = double.PositiveInfinity;
        for (int r = 0; r < a.Rows; r++)
        {
            for (int c = 0; c < a.Cols; c++)
            {
                if (a[r, c] == 0)
                {
                    double dy = (i - r) * s0, dx = (j - c) * s1;
                    best = Math.Min(best, (dy * dy) + (dx * dx));
                }
            }
        }

        if (double.IsPositiveInfinity(best))
        {
            double dy = (i + 1) * s0, dx = j * s1;
            best = (dy * dy) + (dx * dx); // SciPy's answer without zeros: the distance to (-1, 0)
        }

        return Math.Sqrt(best);
    }

    [Fact]
    public void DistanceTransformEqualsBruteForceForEveryWidth()
    {
        int seed = 100;
        for (int cols = 1; cols <= 40; cols++)
        {
            foreach (int rows in new[] { 1, 3, 11 })
            {
                foreach (double density in new[] { 0.6, 0.95, 1.0 })
                {
                    var a = RandomMask(rows, cols, density, seed++);
                    foreach (var (s0, s1) in new[] { (1.0, 1.0), (2.0, 0.5) })
                    {
                        var d = DistanceTransform.Edt(a, s0, s1, 1);
                        for (int i = 0; i < rows; i++)
                        {
                            for (int j = 0; j < cols; j++)
                            {
                                Assert.Equal((float)BruteForce(a, i, j, s0, s1), d[i, j]);
                            }
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void DistanceTransformOfALargeImageIsExactOnOneAndTwoThreads()
    {
        var a = RandomMask(400, 520, 0.998, 9);
        var one = DistanceTransform.Edt(a, 1, 1, 1);
        var two = DistanceTransform.Edt(a, 1, 1, 2);
        Assert.Equal(one.Data, two.Data);
        var rng = new Random(3);
        for (int t = 0; t < 300; t++)
        {
            int i = rng.Next(a.Rows), j = rng.Next(a.Cols);
            Assert.Equal((float)BruteForce(a, i, j, 1, 1), one[i, j]);
        }
    }

    [Fact]
    public void ComponentFiltersRefuseValuesThatAreNeitherAMaskNorLabels()
    {
        var a = new ImageArray(3, 4);
        a[1, 2] = 0.5f;
        var e = Assert.Throws<LabelException>(() => Components.RemoveSmallObjects(a, 5, Neighbours.Cross, 1, "remove_small_objects"));
        Assert.Equal("remove_small_objects takes a mask (0 and 1) or a label image (whole numbers 0 to 16777216); the pixel at row 1, column 2 is 0.5", e.Message);
        a[1, 2] = -3;
        Assert.Throws<LabelException>(() => Components.KeepLargest(a, 1, Neighbours.Cross, 1, "keep_largest"));
        a[1, 2] = (1 << 24) + 2;
        Assert.Throws<LabelException>(() => RegionProps.Measure(a, null, "regionprops"));
    }

    [Fact]
    public void KeepLargestBreaksTiesTowardsTheEarlierComponent()
    {
        // Three components of 2 pixels: rows 0, 2 and 4; n = 2 keeps the first two in raster order.
        var a = new ImageArray(5, 3);
        a[0, 0] = a[0, 1] = a[2, 1] = a[2, 2] = a[4, 0] = a[4, 2] = 1;
        a[4, 1] = 1;
        a[4, 2] = 0;
        var kept = Components.KeepLargest(a, 2, Neighbours.Cross, 1, "keep_largest");
        Assert.Equal(new float[] { 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0 }, kept.Data);
    }

    [Fact]
    public void ClassifyFindsTheFirstOtherValueAtEveryPositionOfEveryLength()
    {
        // The 0/1 scan runs 8 values at a time: every length 1..40, the odd value at every position.
        var rng = new Random(11);
        for (int n = 1; n <= 40; n++)
        {
            var a = new ImageArray(1, n);
            for (int k = 0; k < n; k++)
            {
                a.Data[k] = rng.Next(2);
            }

            bool anyOne = a.Data.Contains(1f);
            Assert.Equal(new Components.LabelKind(true, anyOne ? 1 : 0), Components.Classify(a, "op"));
            for (int p = 0; p < n; p++)
            {
                float keep = a.Data[p];
                a.Data[p] = 3;
                Assert.Equal(new Components.LabelKind(false, 3), Components.Classify(a, "op"));
                a.Data[p] = 0.5f;
                var e = Assert.Throws<LabelException>(() => Components.Classify(a, "op"));
                Assert.EndsWith($"the pixel at row 0, column {p} is 0.5", e.Message);
                a.Data[p] = keep;
            }
        }
    }

    [Fact]
    public void ClassifyScansLabelImagesAndFindsTheFirstBadValueAtEveryPositionOfEveryLength()
    {
        // Labels 0..5 (and -0, 2^24) run 8 values at a time too: every length 1..40, a bad value (fraction, NaN, negative,
        // above 2^24, infinity) at every position is the one named; without one, the largest label and not a mask.
        var rng = new Random(12);
        float[] bad = [0.5f, float.NaN, -1f, (float)(Components.MaxLabel + 2), float.PositiveInfinity, 2.25f];
        for (int n = 1; n <= 40; n++)
        {
            var a = new ImageArray(1, n);
            for (int k = 0; k < n; k++)
            {
                a.Data[k] = rng.Next(6) switch { 0 => -0f, 1 => 0f, 2 => 1f, _ => rng.Next(2, 6) };
            }

            float largest = a.Data.Max();
            bool binary = a.Data.All(v => v == 0 || v == 1);
            Assert.Equal(new Components.LabelKind(binary, (int)largest), Components.Classify(a, "op"));
            for (int p = 0; p < n; p++)
            {
                float keep = a.Data[p];
                a.Data[p] = Components.MaxLabel;
                Assert.Equal(new Components.LabelKind(false, Components.MaxLabel), Components.Classify(a, "op"));
                foreach (float b in bad)
                {
                    a.Data[p] = b;
                    var e = Assert.Throws<LabelException>(() => Components.Classify(a, "op"));
                    Assert.EndsWith($"the pixel at row 0, column {p} is {b.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}", e.Message);
                }

                a.Data[p] = keep;
            }
        }
    }

    [Theory]
    [InlineData(6)] // dense index
    [InlineData(5_000_000)] // labels far above 4 x the pixel count: the sparse index
    public void RegionTableEqualsPixelByPixelSumsForRunsOfEveryLength(int labelScale)
    {
        // Runs of 1..20 equal labels (found 8 values at a time by RunEnd) and zeros, rows of 1..40 columns, an intensity
        // image with NaN-free values: each region's area, bbox, centroid, moments (through Eccentricity) and intensity
        // columns against sums taken pixel by pixel.
        var rng = new Random(13 + labelScale);
        for (int cols = 1; cols <= 40; cols += 3)
        {
            int rows = 1 + rng.Next(9);
            var a = new ImageArray(rows, cols);
            var intensity = new ImageArray(rows, cols);
            for (int k = 0; k < a.Length;)
            {
                float v = rng.Next(3) == 0 ? 0 : (1 + rng.Next(5)) * (labelScale > 6 ? labelScale / 7 : 1);
                for (int run = 1 + rng.Next(20); run > 0 && k < a.Length; run--)
                {
                    intensity.Data[k] = (float)(rng.NextDouble() * 100);
                    a.Data[k++] = v;
                }
            }

            var t = RegionProps.Measure(a, intensity, "regionprops");
            var labels = a.Data.Where(v => v != 0).Distinct().OrderBy(v => v).ToArray();
            Assert.Equal(labels.Select(v => (long)v), t.Label);
            for (int q = 0; q < labels.Length; q++)
            {
                long n = 0, sr = 0, sc = 0, srr = 0, scc = 0, src = 0;
                long r0 = long.MaxValue, c0 = long.MaxValue, r1 = -1, c1 = -1;
                double si = 0, lo = double.PositiveInfinity, hi = double.NegativeInfinity;
                for (int r = 0; r < rows; r++)
                {
                    for (int c = 0; c < cols; c++)
                    {
                        if (a.Data[(r * cols) + c] != labels[q])
                        {
                            continue;
                        }

                        n++;
                        sr += r;
                        sc += c;
                        srr += (long)r * r;
                        scc += (long)c * c;
                        src += (long)r * c;
                        (r0, c0, r1, c1) = (Math.Min(r0, r), Math.Min(c0, c), Math.Max(r1, r), Math.Max(c1, c));
                        float x = intensity.Data[(r * cols) + c];
                        si += x;
                        (lo, hi) = (Math.Min(lo, x), Math.Max(hi, x));
                    }
                }

                Assert.Equal(n, t.Area[q]);
                Assert.Equal([r0, c0, r1 + 1, c1 + 1], new[] { t.Bbox[0][q], t.Bbox[1][q], t.Bbox[2][q], t.Bbox[3][q] });
                Assert.Equal((double)sr / n, t.Centroid0[q]);
                Assert.Equal((double)sc / n, t.Centroid1[q]);
                Assert.Equal(RegionProps.Eccentricity(n, sr, sc, srr, scc, src), t.Eccentricity[q]);
                Assert.Equal(si / n, t.MeanIntensity![q], 1e-9);
                Assert.Equal(lo, t.MinIntensity![q]);
                Assert.Equal(hi, t.MaxIntensity![q]);
            }
        }
    }

    [Fact]
    public void RegionPerimetersEqualTheScalarRuleForEveryWidth()
    {
        // The border pixels of inside rows are found 8 columns at a time: widths 1..40, touching regions.
        var rng = new Random(5);
        for (int cols = 1; cols <= 40; cols++)
        {
            foreach (int rows in new[] { 1, 2, 3, 6 })
            {
                var a = new ImageArray(rows, cols);
                for (int k = 0; k < a.Length; k++)
                {
                    a.Data[k] = rng.NextDouble() < 0.6 ? (k % 7 < 4 ? 1 : 1 + rng.Next(3)) : 0;
                }

                var t = RegionProps.Measure(a, null, "regionprops");
                for (int q = 0; q < t.Label.Length; q++)
                {
                    Assert.Equal(ScalarPerimeter(a, t.Label[q]), t.Perimeter![q], 9); // the sums differ in order only
                }
            }
        }
    }

    [Theory]
    // skimage.segmentation.clear_border(a, bgval=7.5, mask=m) on a ring of 1s around 0s with a 2 in the middle:
    // inside = rows/cols 1..3; then also the centre outside; then also the corner (1, 1) outside. The background is
    // cleared only when a background pixel lies outside the mask (label 0 among the border's labels).
    [InlineData(-1, "7.5 7.5 7.5 7.5 7.5 | 7.5 0 0 0 7.5 | 7.5 0 2 0 7.5 | 7.5 0 0 0 7.5 | 7.5 7.5 7.5 7.5 7.5")]
    [InlineData(12, "7.5 7.5 7.5 7.5 7.5 | 7.5 0 0 0 7.5 | 7.5 0 7.5 0 7.5 | 7.5 0 0 0 7.5 | 7.5 7.5 7.5 7.5 7.5")]
    [InlineData(6, "7.5 7.5 7.5 7.5 7.5 | 7.5 7.5 7.5 7.5 7.5 | 7.5 7.5 2 7.5 7.5 | 7.5 7.5 7.5 7.5 7.5 | 7.5 7.5 7.5 7.5 7.5")]
    public void ClearBorderWithAMaskClearsWhatReachesOutsideIt(int alsoOutside, string expected)
    {
        var a = new ImageArray(5, 5);
        var mask = new ImageArray(5, 5);
        for (int k = 0; k < 25; k++)
        {
            int r = k / 5, c = k % 5;
            a.Data[k] = r is 0 or 4 || c is 0 or 4 ? 1 : k == 12 ? 2 : 0;
            mask.Data[k] = r is > 0 and < 4 && c is > 0 and < 4 && k != alsoOutside ? 1 : 0;
        }

        var got = Components.ClearBorder(a, 7, 7.5f, 2, mask); // buffer_size is not used with a mask (skimage ignores it)
        var want = expected.Replace("|", " ", StringComparison.Ordinal).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(want, got.Data);
    }

    [Fact]
    public void ClearBorderSkipsFractionalBackgroundLikeTheScalarRuleForEveryWidth()
    {
        // Values that truncate to 0 (|x| < 1, -0) are background, skipped 8 at a time; NaN and 1.5 are objects.
        float[] values = [0, 0, 0, 0.25f, -0.75f, -0f, 1, 1, 2, 1.5f, float.NaN];
        var rng = new Random(9);
        for (int cols = 1; cols <= 40; cols++)
        {
            foreach (int rows in new[] { 1, 4, 9 })
            {
                var a = new ImageArray(rows, cols);
                for (int k = 0; k < a.Length;)
                {
                    // Runs of 1..12 equal values: long runs are extended 8 values at a time.
                    float v = values[rng.Next(values.Length)];
                    for (int run = 1 + rng.Next(12); run > 0 && k < a.Length; run--)
                    {
                        a.Data[k++] = v;
                    }
                }

                foreach (int buffer in new[] { 0, 1 })
                {
                    var got = Components.ClearBorder(a, buffer, 7.5f, 2);
                    var want = ScalarClearBorder(a, buffer, 7.5f);
                    for (int k = 0; k < a.Length; k++)
                    {
                        Assert.True(got.Data[k].Equals(want[k]), $"{rows} x {cols}, buffer {buffer}, pixel {k}: {got.Data[k]} vs {want[k]}");
                    }
                }
            }
        }
    }

    /// <summary>skimage's perimeter (neighbourhood 4) of one label, pixel by pixel.</summary>
    private static double ScalarPerimeter(ImageArray a, long label)
    {
        bool In(int r, int c) => r >= 0 && r < a.Rows && c >= 0 && c < a.Cols && a[r, c] == label;
        bool Border(int r, int c) => In(r, c) && !(In(r - 1, c) && In(r + 1, c) && In(r, c - 1) && In(r, c + 1));
        double p = 0;
        for (int r = 0; r < a.Rows; r++)
        {
            for (int c = 0; c < a.Cols; c++)
            {
                if (!Border(r, c))
                {
                    continue;
                }

                int code = 1 + (2 * ((Border(r - 1, c) ? 1 : 0) + (Border(r + 1, c) ? 1 : 0) + (Border(r, c - 1) ? 1 : 0) + (Border(r, c + 1) ? 1 : 0)))
                    + (10 * ((Border(r - 1, c - 1) ? 1 : 0) + (Border(r - 1, c + 1) ? 1 : 0) + (Border(r + 1, c - 1) ? 1 : 0) + (Border(r + 1, c + 1) ? 1 : 0)));
                p += code switch
                {
                    5 or 7 or 15 or 17 or 25 or 27 => 1,
                    21 or 33 => Math.Sqrt(2),
                    13 or 23 => (1 + Math.Sqrt(2)) / 2,
                    _ => 0,
                };
            }
        }

        return p;
    }

    /// <summary>
    /// clear_border by flood fill: objects are 8-connected pixels of equal int64 keys (NumPy's cast), keys 0 background;
    /// an object with a pixel within buffer + 1 of the edge, and the background when it reaches that band, become bgval.
    /// </summary>
    private static float[] ScalarClearBorder(ImageArray a, int buffer, float bgval)
    {
        int rows = a.Rows, cols = a.Cols, ext = buffer + 1;
        long Key(int r, int c) => RunLabels.Key(a[r, c]);
        bool InBand(int r, int c) => r < ext || r >= rows - ext || c < ext || c >= cols - ext;
        var outData = (float[])a.Data.Clone();
        var seen = new bool[a.Length];
        bool backgroundInBand = false;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                if (Key(r, c) == 0)
                {
                    backgroundInBand |= InBand(r, c);
                    continue;
                }

                if (seen[(r * cols) + c])
                {
                    continue;
                }

                var members = new List<int>();
                var stack = new Stack<(int, int)>();
                seen[(r * cols) + c] = true;
                stack.Push((r, c));
                bool touches = false;
                while (stack.Count > 0)
                {
                    var (pr, pc) = stack.Pop();
                    members.Add((pr * cols) + pc);
                    touches |= InBand(pr, pc);
                    for (int dr = -1; dr <= 1; dr++)
                    {
                        for (int dc = -1; dc <= 1; dc++)
                        {
                            int qr = pr + dr, qc = pc + dc;
                            if (qr >= 0 && qr < rows && qc >= 0 && qc < cols && !seen[(qr * cols) + qc] && Key(qr, qc) == Key(r, c))
                            {
                                seen[(qr * cols) + qc] = true;
                                stack.Push((qr, qc));
                            }
                        }
                    }
                }

                if (touches)
                {
                    members.ForEach(k => outData[k] = bgval);
                }
            }
        }

        if (backgroundInBand)
        {
            for (int k = 0; k < a.Length; k++)
            {
                if (RunLabels.Key(a.Data[k]) == 0)
                {
                    outData[k] = bgval;
                }
            }
        }

        return outData;
    }
}

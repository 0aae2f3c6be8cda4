using System.Text.Json;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Core.Ops;
using Xunit.Abstractions;

namespace XRayFlow.Core.Tests.Ops.Filters;

public class CannyTests(ITestOutputHelper output)
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(PictureFixtures.Fixture("canny/cases.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    /// <summary>Agreement with skimage 0.19 (tests/fixtures/canny/gen_canny.py): at least 99.9% of the edge pixels (union of both maps) identical.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScikitImage(string name)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PictureFixtures.Fixture("canny/cases.json")));
        int size = doc.RootElement.GetProperty("size").GetInt32();
        var c = doc.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var (pixels, _, cols) = PictureFixtures.LoadGrey(PictureFixtures.Sample(c.GetProperty("sample").GetString()!));
        int r0 = c.GetProperty("row0").GetInt32(), c0 = c.GetProperty("col0").GetInt32();
        bool unit = c.GetProperty("scale").GetString() == "unit";
        var crop = new float[size * size];
        for (int r = 0; r < size; r++)
        {
            for (int q = 0; q < size; q++)
            {
                float v = pixels[((r0 + r) * cols) + c0 + q];
                crop[(r * size) + q] = unit ? v / 255f : v;
            }
        }

        double? low = c.GetProperty("low").ValueKind == JsonValueKind.Null ? null : c.GetProperty("low").GetDouble();
        double? high = c.GetProperty("high").ValueKind == JsonValueKind.Null ? null : c.GetProperty("high").GetDouble();
        var mask = c.TryGetProperty("mask", out var m) && m.ValueKind == JsonValueKind.String ? FixtureMask(m.GetString()!, pixels, cols, r0, c0, size) : null;
        var edges = new float[size * size];
        Canny.Detect(crop, size, size, edges, c.GetProperty("sigma").GetDouble(), low, high,
            c.GetProperty("use_quantiles").GetBoolean(), Boundary.Parse(c.GetProperty("mode").GetString()!), mask: mask);

        var packed = File.ReadAllBytes(PictureFixtures.Fixture("canny/" + c.GetProperty("file").GetString()));
        int union = 0, differ = 0, expectedCount = 0, actualCount = 0;
        for (int k = 0; k < size * size; k++)
        {
            bool expected = ((packed[k >> 3] >> (7 - (k & 7))) & 1) == 1;
            Assert.True(edges[k] is 0f or 1f);
            bool actual = edges[k] == 1f;
            expectedCount += expected ? 1 : 0;
            actualCount += actual ? 1 : 0;
            union += expected || actual ? 1 : 0;
            differ += expected != actual ? 1 : 0;
        }

        Assert.Equal(c.GetProperty("edge_pixels").GetInt32(), expectedCount);
        double agreement = union == 0 ? 1.0 : 1.0 - ((double)differ / union);
        output.WriteLine($"{name}: skimage {expectedCount} edge pixels, ours {actualCount}, {differ} differ, agreement {agreement:P3}");
        Assert.True(expectedCount > 50, "the case should have edges to compare");
        Assert.True(agreement >= 0.999, $"{name}: {differ} of {union} edge pixels differ ({agreement:P3})");
    }

    /// <summary>A case's mask as gen_canny.py describes it: 'gtV' the crop's 8-bit values above V, 'diskR' the pixels within R of the centre.</summary>
    private static float[] FixtureMask(string kind, byte[] pixels, int cols, int r0, int c0, int size)
    {
        var mask = new float[size * size];
        for (int r = 0; r < size; r++)
        {
            for (int q = 0; q < size; q++)
            {
                bool inside = kind.StartsWith("gt", StringComparison.Ordinal)
                    ? pixels[((r0 + r) * cols) + c0 + q] > int.Parse(kind[2..], System.Globalization.CultureInfo.InvariantCulture)
                    : ((r - 127.5) * (r - 127.5)) + ((q - 127.5) * (q - 127.5)) <= Math.Pow(double.Parse(kind[4..], System.Globalization.CultureInfo.InvariantCulture), 2);
                mask[(r * size) + q] = inside ? 1f : 0f;
            }
        }

        return mask;
    }

    [Fact]
    public void StepEdgeGivesOneThinLineAwayFromTheBorder()
    {
        // a vertical step 0 -> 1 at column 16 of a 32 x 32 image: one edge column, borders never edges
        const int n = 32;
        var img = new float[n * n];
        for (int r = 0; r < n; r++)
        {
            for (int c = 16; c < n; c++)
            {
                img[(r * n) + c] = 1f;
            }
        }

        var edges = new float[n * n];
        Canny.Detect(img, n, n, edges, sigma: 1.0);
        for (int r = 0; r < n; r++)
        {
            Assert.Equal(0f, edges[r * n]);
            Assert.Equal(0f, edges[(r * n) + n - 1]);
        }

        // skimage 0.19 gives the two columns either side of the step (equal magnitudes, NMS keeps ties), rows 1..30
        Assert.Equal(60f, edges.Sum());
        for (int r = 1; r < n - 1; r++)
        {
            Assert.Equal(1f, edges[(r * n) + 15]);
            Assert.Equal(1f, edges[(r * n) + 16]);
        }
    }

    /// <summary>Synthetic 32 x 32 shapes with exact ties (skimage 0.19 edge maps, numpy.packbits as hex, sigma 1, defaults).</summary>
    [Theory]
    [InlineData("disk", 66, "0000000000000000000000000000000000000000000ff00000300c000060060000c00300018001800100008001000080010000800100008001000080010000800100008001000080010000800180018000c003000060060000300c00000ff0000000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("diag", 59, "0000000000000002000000060000000c000000180000003000000060000000c000000180000003000000060000000c000000180000003000000060000000c000000180000003000000060000000c000000180000003000000060000000c000000180000003000000060000000c00000018000000300000006000000000000000")]
    [InlineData("ramp", 37, "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000020000000200000002000000020000000200000002000000060000000400000004000000040000000400000004000000040000000400000004000000040000000c00003ff8000fe00000000000")]
    public void SyntheticShapesMatchScikitImageExactly(string shape, int expectedCount, string packedHex)
    {
        // numpy: y, x = mgrid[0:32, 0:32]; disk ((x-15.5)^2 + (y-14)^2 < 90), diag (x + y > 31), ramp (x*y/961), float32
        const int n = 32;
        var img = new float[n * n];
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                img[(y * n) + x] = shape switch
                {
                    "disk" => ((x - 15.5) * (x - 15.5)) + ((y - 14.0) * (y - 14.0)) < 90 ? 1f : 0f,
                    "diag" => x + y > 31 ? 1f : 0f,
                    _ => (float)(x * y / 961.0),
                };
            }
        }

        var edges = new float[n * n];
        Canny.Detect(img, n, n, edges);
        var packed = Convert.FromHexString(packedHex);
        for (int k = 0; k < n * n; k++)
        {
            bool expected = ((packed[k >> 3] >> (7 - (k & 7))) & 1) == 1;
            Assert.True(expected == (edges[k] == 1f), $"{shape}: pixel ({k / n}, {k % n}) expected {(expected ? "edge" : "none")}");
        }

        Assert.Equal(expectedCount, (int)edges.Sum());
    }

    /// <summary>Every boundary mode.</summary>
    public static TheoryData<BoundaryMode> Modes() => new(Enum.GetValues<BoundaryMode>());

    [Theory]
    [MemberData(nameof(Modes))]
    public void FastPathGivesTheReferencesEdgesForEveryShapeSigmaAndThreshold(BoundaryMode mode)
    {
        // Shapes narrower and wider than the kernel's radius and than a vector, sigmas from none to 3.3, absolute and
        // quantile thresholds, cval 0 and not: the pooled, vectorised Detect against the one-value-at-a-time reference.
        var rng = new Random(20261205 + (int)mode);
        foreach (var (rows, cols) in new[] { (1, 1), (1, 29), (29, 1), (5, 7), (12, 13), (37, 53), (64, 64), (100, 3), (19, 130) })
        {
            var img = new float[rows * cols];
            for (int k = 0; k < img.Length; k++)
            {
                // Smooth ramps and blocks with noise: edges in every direction, exact ties in places.
                img[k] = ((k / cols) * 3 % 17) + ((k % cols) / 5 * 4) + (rng.Next(4) == 0 ? rng.Next(40) : 0);
            }

            foreach (double sigma in new[] { 0.0, 0.5, 1.0, 2.0, 3.3 })
            {
                foreach (var (low, high, quantiles, cval) in new (double?, double?, bool, double)[] { (null, null, false, 0), (3, 9, false, 2.5), (0.5, 0.9, true, 0) })
                {
                    var fast = new float[img.Length];
                    var reference = new float[img.Length];
                    Canny.Detect(img, rows, cols, fast, sigma, low, high, quantiles, mode, cval, threads: 2);
                    Canny.DetectReference(img, rows, cols, reference, sigma, low, high, quantiles, mode, cval, threads: 2);
                    Assert.True(fast.AsSpan().SequenceEqual(reference), $"{rows}x{cols} sigma {sigma} {mode} thresholds {low}/{high} quantiles {quantiles} cval {cval}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void FastPathWithAMaskGivesTheReferencesEdges(BoundaryMode mode)
    {
        // Masks of blobs with holes, scattered pixels, one column, NaN as "in" (numpy's astype(bool)), none and all:
        // the fast path (masked copy, smoothed mask, erosion applied to the suppression) against the reference.
        var rng = new Random(20261206 + (int)mode);
        foreach (var (rows, cols) in new[] { (1, 1), (3, 3), (1, 29), (29, 1), (12, 13), (37, 53), (64, 64), (19, 130) })
        {
            var img = new float[rows * cols];
            for (int k = 0; k < img.Length; k++)
            {
                img[k] = ((k / cols) * 3 % 17) + ((k % cols) / 5 * 4) + (rng.Next(4) == 0 ? rng.Next(40) : 0);
            }

            foreach (int kind in new[] { 0, 1, 2, 3, 4 })
            {
                var mask = new float[img.Length];
                for (int k = 0; k < mask.Length; k++)
                {
                    int r = k / cols, c = k % cols;
                    mask[k] = kind switch
                    {
                        0 => (((r - (rows / 2.0)) * (r - (rows / 2.0))) + ((c - (cols / 3.0)) * (c - (cols / 3.0))) < rows * cols / 3.0) && (r + c) % 7 != 0 ? 1f : 0f,
                        1 => rng.Next(5) == 0 ? 0f : rng.Next(3) == 0 ? float.NaN : 2.5f,
                        2 => c == cols / 2 ? 1f : 0f,
                        3 => 0f,
                        _ => 1f,
                    };
                }

                foreach (double sigma in new[] { 0.0, 1.0, 2.5 })
                {
                    foreach (var (low, high, quantiles, cval) in new (double?, double?, bool, double)[] { (3, 9, false, 2.5), (0.5, 0.9, true, 0) })
                    {
                        var fast = new float[img.Length];
                        var reference = new float[img.Length];
                        Canny.Detect(img, rows, cols, fast, sigma, low, high, quantiles, mode, cval, threads: 2, mask: mask);
                        Canny.DetectReference(img, rows, cols, reference, sigma, low, high, quantiles, mode, cval, mask: mask);
                        string what = $"{rows}x{cols} mask {kind} sigma {sigma} {mode} thresholds {low}/{high} quantiles {quantiles} cval {cval}";
                        Assert.True(fast.AsSpan().SequenceEqual(reference), what);
                        if (kind == 3)
                        {
                            Assert.True(fast.All(v => v == 0f), what + ": an empty mask has no edges");
                        }

                        if (kind == 4)
                        {
                            // A mask of ones is skimage's no-mask case (its erosion is the border ring, its smoothing gaussian(ones)).
                            var unmasked = new float[img.Length];
                            Canny.Detect(img, rows, cols, unmasked, sigma, low, high, quantiles, mode, cval, threads: 2);
                            Assert.True(fast.AsSpan().SequenceEqual(unmasked), what + ": ones against no mask");
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void CorrelateEqualsNiCorrelate1DValueByValue(BoundaryMode mode)
    {
        // NI_Correlate1D's symmetric loop written out per value (x[i] w[r], then + (x[i + j] + x[i - j]) w[r + j] for
        // j = -r..-1, the line extended by the mode), against the row-vector kernel: both axes, radii 0..9 (longer and
        // shorter than the line), rounded to float32 or not, widths around a vector.
        var rng = new Random(41 + (int)mode);
        foreach (var (rows, cols) in new[] { (1, 1), (3, 17), (17, 3), (9, 9), (6, 33) })
        {
            foreach (double sigma in new[] { 0.2, 0.7, 1.3, 2.2 })
            {
                var w = CannyGaussian.Kernel(sigma, 4.0);
                int radius = w.Length / 2;
                foreach (int axis in new[] { 0, 1 })
                {
                    foreach (bool toFloat in new[] { false, true })
                    {
                        var x = Enumerable.Range(0, rows * cols).Select(_ => (rng.NextDouble() * 200) - 50).ToArray();
                        var want = new double[x.Length];
                        int n = axis == 0 ? rows : cols;
                        for (int r = 0; r < rows; r++)
                        {
                            for (int c = 0; c < cols; c++)
                            {
                                int i = axis == 0 ? r : c;
                                double At(int k)
                                {
                                    int m = Boundary.Map(k, n, mode);
                                    return m < 0 ? 1.5 : axis == 0 ? x[(m * cols) + c] : x[(r * cols) + m];
                                }

                                double sum = At(i) * w[radius];
                                for (int j = -radius; j < 0; j++)
                                {
                                    sum += (At(i + j) + At(i - j)) * w[radius + j];
                                }

                                want[(r * cols) + c] = toFloat ? (float)sum : sum;
                            }
                        }

                        var got = (double[])x.Clone();
                        CannyGaussian.Correlate1D(got, rows, cols, axis, w, mode, 1.5, toFloat, threads: 2);
                        for (int k = 0; k < x.Length; k++)
                        {
                            Assert.True(BitConverter.DoubleToInt64Bits(want[k]) == BitConverter.DoubleToInt64Bits(got[k]), $"{rows}x{cols} axis {axis} sigma {sigma} toFloat {toFloat} at {k}: {want[k]} vs {got[k]}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void VectorNonMaximumSuppressionEqualsThePixelByPixelOne()
    {
        // Gradients from -2..2 (zeros, ties between |i| and |j|, pixels in two octants) and plain random ones, every
        // width 1..40 (8-pixel blocks and the rest of a row), against LocalMaxima.
        var rng = new Random(31);
        for (int cols = 1; cols <= 40; cols++)
        {
            foreach (int rows in new[] { 1, 3, 7 })
            {
                foreach (bool small in new[] { true, false })
                {
                    int n = rows * cols;
                    var gi = new float[n];
                    var gj = new float[n];
                    var mag = new float[n];
                    for (int k = 0; k < n; k++)
                    {
                        gi[k] = small ? rng.Next(-2, 3) : (float)((rng.NextDouble() * 20) - 10);
                        gj[k] = small ? rng.Next(-2, 3) : (float)((rng.NextDouble() * 20) - 10);
                        mag[k] = (float)Math.Sqrt(((double)gi[k] * gi[k]) + ((double)gj[k] * gj[k]));
                    }

                    var want = Canny.LocalMaxima(gi, gj, mag, rows, cols);
                    var got = new bool[n + 5];
                    got.AsSpan().Fill(true); // cleared by the kernel
                    Canny.LocalMaximaFast(gi, gj, mag, rows, cols, got);
                    Assert.True(want.AsSpan().SequenceEqual(got.AsSpan(0, n)), $"{rows}x{cols} small {small}");
                }
            }
        }
    }

    [Fact]
    public void FastPathGivesTheReferencesEdgesOnASample()
    {
        var (bytes, rows, cols) = PictureFixtures.LoadGrey(PictureFixtures.Sample("00000011_001.png"));
        var pixels = bytes.Select(b => (float)b).ToArray();
        var fast = new float[pixels.Length];
        var reference = new float[pixels.Length];
        Canny.Detect(pixels, rows, cols, fast, 2, 7.65, 20.4, threads: 2);
        Canny.DetectReference(pixels, rows, cols, reference, 2, 7.65, 20.4, threads: 2);
        Assert.True(fast.AsSpan().SequenceEqual(reference));
        Assert.True(fast.Count(v => v == 1) > 10_000, "the sample has edges");
    }

    [Fact]
    public void ThreadsDoNotChangeTheResult()
    {
        var (pixels, rows, cols) = PictureFixtures.LoadGrey(PictureFixtures.Sample("00000011_004.png"));
        var img = pixels.Select(b => b / 255f).ToArray();
        var one = new float[img.Length];
        var two = new float[img.Length];
        Canny.Detect(img, rows, cols, one, sigma: 2.0, threads: 1);
        Canny.Detect(img, rows, cols, two, sigma: 2.0, threads: 2);
        Assert.True(one.Sum() > 1000);
        Assert.Equal(one, two);
    }

    [Fact]
    public void FlatImageHasNoEdges()
    {
        var img = new float[20 * 20];
        Array.Fill(img, 7f);
        var edges = new float[img.Length];
        Canny.Detect(img, 20, 20, edges, sigma: 2.0, mode: BoundaryMode.Reflect);
        Assert.All(edges, e => Assert.Equal(0f, e));
    }

    [Fact]
    public void LowAboveHighIsRejected()
    {
        var img = new float[9];
        Assert.Throws<ArgumentException>(() => Canny.Detect(img, 3, 3, new float[9], lowThreshold: 0.5, highThreshold: 0.2));
    }

    [Fact]
    public void OpExplainsThresholdsBelowTheDefaultHigh()
    {
        var ctx = new OpContext
        {
            StepId = "edges",
            Inputs = [new ArrayValue(new ImageArray(8, 8))],
            Params = new Dictionary<string, object?> { ["sigma"] = 1.0, ["low_threshold"] = 25.5, ["high_threshold"] = null, ["use_quantiles"] = false, ["mode"] = "constant", ["cval"] = 0.0 },
        };
        var e = Assert.ThrowsAny<InvalidOperationException>(() => OpRegistry.Get("canny").Invoke(ctx));
        Assert.Contains("step 'edges'", e.Message);
        Assert.Contains("0.2, the default", e.Message);
    }

    [Fact]
    public void GaussianKernelIsScipys()
    {
        // scipy.ndimage._filters._gaussian_kernel1d(1.0, 0, 4): radius int(4 * 1 + 0.5) = 4
        var k = CannyGaussian.Kernel(1.0, 4.0);
        Assert.Equal(9, k.Length);
        Assert.Equal(0.39894346935609776, k[4], 15);
        Assert.Equal(0.24197144565660073, k[3], 15);
        Assert.Equal(0.00013383062461474175, k[0], 15);
        Assert.Equal(1.0, k.Sum(), 14);
    }

    [Fact]
    public void OpTakesAMaskAsItsSecondInputFrameByFrame()
    {
        var stack = ImageArray.Stack(2, 16, 16);
        var mask = ImageArray.Stack(2, 16, 16);
        for (int f = 0; f < 2; f++)
        {
            for (int r = 0; r < 16; r++)
            {
                for (int c = 0; c < 16; c++)
                {
                    stack.Data[(f * 256) + (r * 16) + c] = c >= 8 ? 1f : 0f; // both frames: a step at column 8
                    mask.Data[(f * 256) + (r * 16) + c] = f == 0 || c < 6 ? 1f : 0f; // frame 1: only left of the step
                }
            }
        }

        var op = OpRegistry.Get("canny");
        var parameters = new Dictionary<string, object?> { ["sigma"] = 1.0, ["low_threshold"] = null, ["high_threshold"] = null, ["use_quantiles"] = false, ["mode"] = "constant", ["cval"] = 0.0 };
        var masked = ((ArrayValue)op.Invoke(new OpContext { StepId = "edges", Inputs = [new ArrayValue(stack), new ArrayValue(mask)], Params = parameters })).Array;
        var plain = ((ArrayValue)op.Invoke(new OpContext { StepId = "edges", Inputs = [new ArrayValue(stack)], Params = parameters })).Array;
        Assert.True(plain.Frame(0).ToArray().Sum() > 8);
        Assert.True(masked.Frame(0).SequenceEqual(plain.Frame(0)), "a mask of ones changes nothing");
        Assert.Equal(plain.Frame(0).ToArray(), plain.Frame(1).ToArray());
        Assert.Equal(0f, masked.Frame(1).ToArray().Sum()); // the step lies outside frame 1's eroded mask
    }

    [Fact]
    public void OpRunsPerFrameOfAStack()
    {
        var stack = ImageArray.Stack(2, 16, 16);
        for (int r = 0; r < 16; r++)
        {
            for (int c = 8; c < 16; c++)
            {
                stack.Data[(r * 16) + c] = 1f; // frame 0: a step; frame 1: flat
            }
        }

        var op = OpRegistry.Get("canny");
        var ctx = new OpContext
        {
            StepId = "edges",
            Inputs = [new ArrayValue(stack)],
            Params = new Dictionary<string, object?> { ["sigma"] = 1.0, ["low_threshold"] = null, ["high_threshold"] = null, ["use_quantiles"] = false, ["mode"] = "constant", ["cval"] = 0.0 },
        };
        var result = ((ArrayValue)op.Invoke(ctx)).Array;
        Assert.True(result.SameShape(stack));
        Assert.True(result.Frame(0).ToArray().Sum() > 8);
        Assert.Equal(0f, result.Frame(1).ToArray().Sum());
    }
}

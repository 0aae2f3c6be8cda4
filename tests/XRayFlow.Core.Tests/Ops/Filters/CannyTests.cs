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
        var edges = new float[size * size];
        Canny.Detect(crop, size, size, edges, c.GetProperty("sigma").GetDouble(), low, high,
            c.GetProperty("use_quantiles").GetBoolean(), Boundary.Parse(c.GetProperty("mode").GetString()!));

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

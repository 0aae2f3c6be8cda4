using System.Text.Json;
using Xunit.Abstractions;
using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Pipeline.Tests.Rendering;

public class ColormapTests
{
    private static readonly Lazy<JsonDocument> Reference = new(() =>
        JsonDocument.Parse(File.ReadAllText(RenderingFixtures.Fixture("colormaps/matplotlib-256.json"))));

    public static TheoryData<string> AllNames() => new(Colormaps.Names);

    [Fact]
    public void FifteenMapsAndTheirReversedVariantsAreKnown()
    {
        Assert.Equal(15, Colormaps.BaseNames.Count);
        Assert.Equal(30, Colormaps.Names.Count);
        Assert.All(Colormaps.BaseNames, n => Assert.Contains(n + "_r", Colormaps.Names));
        Assert.All(["RdBu", "seismic", "coolwarm", "bwr"], n => Assert.Contains(n, Colormaps.BaseNames));
        Assert.Equal(Colormaps.Names.Order(StringComparer.Ordinal), Reference.Value.RootElement.GetProperty("maps").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.False(Colormaps.TryGet("Gray", out _));
        Assert.True(Colormaps.TryGet("grey", out var grey));
        Assert.Equal("gray", grey.Name);
        Assert.True(Colormaps.TryGet("grey_r", out var greyR));
        Assert.Equal("gray_r", greyR.Name);
        Assert.False(Colormaps.TryGet("gray_r_r", out _));
    }

    /// <summary>
    /// matplotlib's <c>_r</c> (Colormap.reversed()): a listed map's 256 entries in reverse order; a segmented or
    /// functional map sampled again at 1 - x, which is the table reversed but for a level here and there (1 - i / 255
    /// and (255 - i) / 255 differ in the last bit). Which of the two each map is: LookupTableMatchesMatplotlib.
    /// </summary>
    [Theory]
    [MemberData(nameof(AllNames))]
    public void ReversedVariantIsTheTableReversedUpToALevel(string name)
    {
        if (name.EndsWith("_r", StringComparison.Ordinal))
        {
            return;
        }

        var lut = Colormaps.Get(name).Lut.ToArray();
        var rev = Colormaps.Get(name + "_r").Lut.ToArray();
        int moved = 0;
        for (int i = 0; i < 256; i++)
        {
            for (int ch = 0; ch < 3; ch++)
            {
                int diff = Math.Abs(lut[(3 * (255 - i)) + ch] - rev[(3 * i) + ch]);
                Assert.True(diff <= 1, $"{name}_r entry {i}: {diff} levels from the table reversed");
                moved += diff;
            }
        }

        Assert.InRange(moved, 0, 24);
        Assert.NotEqual(lut, rev);
    }

    /// <summary>Each table (the 30 names, _r included) equal to matplotlib 3.6's colormap(linspace(0, 1, 256)) rounded to 0..255 (tests/fixtures/colormaps/gen_colormap_reference.py).</summary>
    [Theory]
    [MemberData(nameof(AllNames))]
    public void LookupTableMatchesMatplotlib(string name)
    {
        Assert.True(Colormaps.TryGet(name, out var cmap));
        var expected = Reference.Value.RootElement.GetProperty("maps").GetProperty(name);
        Assert.Equal(256, expected.GetArrayLength());
        var lut = cmap.Lut.ToArray();
        Assert.Equal(768, lut.Length);
        int worst = 0, exact = 0;
        int i = 0;
        foreach (var rgb in expected.EnumerateArray())
        {
            for (int ch = 0; ch < 3; ch++)
            {
                int diff = Math.Abs(lut[(3 * i) + ch] - rgb[ch].GetInt32());
                worst = Math.Max(worst, diff);
                exact += diff == 0 ? 1 : 0;
            }

            i++;
        }

        Assert.True(worst <= 1, $"{name}: a channel differs by {worst}");
        // both are round(lut * 255), and every one of the 30 tables is matplotlib's to the level. A segmented map's _r is
        // sampled from its reversed segment data at 1 - x, as matplotlib does: its table reversed was 1 off in up to
        // 19 channels (jet_r; bone_r, CMRmap_r, terrain_r and seismic_r too).
        Assert.True(exact == 768, $"{name}: only {exact} of 768 channels exact");
    }

    [Fact]
    public void GrayIsTheIdentityOn0To255()
    {
        var data = Enumerable.Range(0, 256).Select(v => (float)v).ToArray();
        var rgb = new byte[256 * 3];
        Colormaps.Gray.Apply(data, 0, 255, rgb);
        for (int v = 0; v < 256; v++)
        {
            Assert.Equal((byte)v, rgb[3 * v]);
            Assert.Equal((byte)v, rgb[(3 * v) + 2]);
        }

        Assert.True(Colormaps.Gray.IsGrey);
        Assert.False(Colormaps.Get("jet").IsGrey);
    }

    [Fact]
    public void MatplotlibIndexRule()
    {
        // int(x * 256) with x = (v - vmin) / (vmax - vmin); x == 1 -> 255; under/over clamp; NaN -> -1 (bad)
        Assert.Equal(0, Colormap.IndexOf(0.0, 0, 1));
        Assert.Equal(127, Colormap.IndexOf(0.4999, 0, 1));
        Assert.Equal(128, Colormap.IndexOf(0.5, 0, 1));
        Assert.Equal(255, Colormap.IndexOf(1.0, 0, 1));
        Assert.Equal(255, Colormap.IndexOf(7.0, 0, 1));
        Assert.Equal(0, Colormap.IndexOf(-3.0, 0, 1));
        Assert.Equal(-1, Colormap.IndexOf(double.NaN, 0, 1));
        Assert.Equal(0, Colormap.IndexOf(5.0, 5, 5)); // matplotlib's Normalize maps all to 0 when vmin == vmax
        Assert.Equal(0, Colormap.IndexOf(9.0, 5, 5));
    }

    [Fact]
    public void ApplyAutoscalesLikeImshowAndPaintsBadBlack()
    {
        var hot = Colormaps.Get("hot");
        float[] data = [2f, float.NaN, 4f, 3f];
        var rgb = new byte[12];
        hot.Apply(data, rgb);
        var lut = hot.Lut;
        Assert.Equal(lut[..3].ToArray(), rgb[..3]);            // min -> first colour
        Assert.Equal(new byte[] { 0, 0, 0 }, rgb[3..6]);        // NaN
        Assert.Equal(lut[765..768].ToArray(), rgb[6..9]);       // max -> last colour
        Assert.Equal(lut[384..387].ToArray(), rgb[9..12]);      // middle -> entry 128
        Assert.Equal((2.0, 4.0), Colormap.AutoRange(data));
    }

    [Fact]
    public void InfinitiesAreBadLikeNaNAsImshowMasksThemNotTheOverOrUnderColour()
    {
        // matplotlib 3.6: imshow of [[inf, -inf, nan, 0 .. 1]] through viridis leaves all three transparent (bad) and
        // autoscales to the finite values; cmap(norm(inf)) alone would give the over colour, but imshow masks first.
        var viridis = Colormaps.Get("viridis");
        float[] data = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, 0.5f, 1f];
        Assert.Equal((0.5, 1.0), Colormap.AutoRange(data));
        var rgb = new byte[15];
        viridis.Apply(data, rgb);
        Assert.Equal(new byte[9], rgb[..9]);
        Assert.Equal(viridis.Lut[..3].ToArray(), rgb[9..12]);
        Assert.Equal(viridis.Lut[765..768].ToArray(), rgb[12..15]);
        Assert.Equal(-1, Colormap.LevelOf(double.PositiveInfinity, 0, 1, 65536));
        Assert.Equal(-1, Colormap.LevelOf(double.NegativeInfinity, 0, 1, 256));
        var indices = new byte[5];
        Colormap.Indices(data, 0.5, 1.0, indices, badIndex: 7);
        Assert.Equal(new byte[] { 7, 7, 7, 0, 255 }, indices);
    }

    [Fact]
    public void WithoutAFiniteValueTheRangeIsZeroToOneAsAPngsLimits()
        => Assert.Equal((0.0, 1.0), Colormap.AutoRange([float.NaN, float.PositiveInfinity]));

    [Fact]
    public void ConstantImageTakesTheFirstColour()
    {
        var viridis = Colormaps.Get("viridis");
        var rgb = new byte[9];
        viridis.Apply([7f, 7f, 7f], rgb);
        Assert.Equal([68, 1, 84, 68, 1, 84, 68, 1, 84], rgb); // viridis(0) = (0.267004, 0.004874, 0.329415) * 255, truncated
    }

    [Fact]
    public void VminAboveVmaxIsRejected()
        => Assert.Throws<ArgumentException>(() => Colormaps.Gray.Apply([1f], 2, 1, new byte[3]));
}

public class ColormapBindingTests
{
    [Fact]
    public void BinderAcceptsExactlyTheRenderableColormaps()
        => Assert.Equal([.. Colormaps.Names, LabelColors.Name], XRayFlow.Pipeline.Binding.RecipeBinder.Colormaps);
}

public class ColormapIndexTests(ITestOutputHelper output)
{
    /// <summary>matplotlib's value -> index rule on float32 values (tests/fixtures/colormaps/gen_index_cases.py).</summary>
    [Fact]
    public void IndexRuleMatchesMatplotlib()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RenderingFixtures.Fixture("colormaps/index_cases.json")));
        int total = 0, same = 0;
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            double vmin = c.GetProperty("vmin").GetDouble(), vmax = c.GetProperty("vmax").GetDouble();
            var values = c.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            var expected = c.GetProperty("indices").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            for (int k = 0; k < values.Length; k++)
            {
                int actual = Colormap.IndexOf(values[k], vmin, vmax);
                total++;
                same += actual == expected[k] ? 1 : 0;
            }
        }

        output.WriteLine($"{same} of {total} indices identical to matplotlib");
        Assert.Equal(total, same);
    }
}

using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Ops;

/// <summary>
/// The window filters' parameters as a recipe meets them: what SciPy warns about is a located warning at validate time.
/// </summary>
public class FilterRecipeTests
{
    private static string Recipe(string op, string paramLines) =>
        $"xrayflow: 1\ninputs:\n  img: image\nsteps:\n  - id: f\n    op: {op}\n    in: img\n{paramLines}outputs:\n  f: f.npy\n";

    [Theory]
    [InlineData("maximum_filter", "")]
    [InlineData("minimum_filter", "")]
    [InlineData("percentile_filter", "    percentile: 50\n")]
    [InlineData("rank_filter", "    rank: 1\n")]
    public void ASizeBesideAFootprintIsAWarningAtTheSize(string op, string more)
    {
        // scipy.ndimage.maximum_filter(x, size=5, footprint=fp) warns "ignoring size because footprint is set"; the
        // step took the footprint without a word.
        var r = RecipeLoader.LoadText(Recipe(op, more + "    size: 5\n    footprint: [[1, 0, 1]]\n"), "r.yaml");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF1063", 8 + (more.Length > 0 ? 1 : 0), 11), (d.Code, d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains("size is ignored", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    footprint: [[1, 0, 1]]\n")]
    [InlineData("    size: 5\n")]
    [InlineData("")]
    public void ASizeOrAFootprintAloneIsQuiet(string paramLines)
    {
        var r = RecipeLoader.LoadText(Recipe("maximum_filter", paramLines), "r.yaml");
        Assert.Empty(r.Diagnostics);
    }
}

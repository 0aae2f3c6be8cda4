using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Ops;

/// <summary>
/// The geometry ops' parameters as a recipe meets them: what numpy refuses is a located error at validate time.
/// </summary>
public class GeometryRecipeTests
{
    private static string Recipe(string op, string paramLines) =>
        $"xrayflow: 1\ninputs:\n  img: image\nsteps:\n  - id: g\n    op: {op}\n    in: img\n{paramLines}outputs:\n  g: g.npy\n";

    [Theory]
    [InlineData("edge")]
    [InlineData("reflect")]
    [InlineData("symmetric")]
    [InlineData("wrap")]
    public void PadConstantValuesWithAnotherModeAreRefusedAtTheValues(string mode)
    {
        // numpy.pad(x, 1, mode='edge', constant_values=3) raises "unsupported keyword arguments for mode 'edge'";
        // the step used to run and ignore the values.
        var r = RecipeLoader.LoadText(Recipe("pad", $"    pad_width: 1\n    mode: {mode}\n    constant_values: 3\n"), "r.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF1062", 10, 22), (d.Code, d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains($"mode '{mode}'", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    pad_width: 1\n    constant_values: [[1, 2], [3, 4]]\n")]
    [InlineData("    pad_width: 1\n    mode: constant\n    constant_values: 3\n")]
    [InlineData("    pad_width: 1\n    mode: edge\n")]
    [InlineData("    pad_width: 1\n")]
    public void PadConstantValuesWithModeConstantOrNoneAtAllAreAccepted(string paramLines)
    {
        var r = RecipeLoader.LoadText(Recipe("pad", paramLines), "r.yaml");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
    }
}

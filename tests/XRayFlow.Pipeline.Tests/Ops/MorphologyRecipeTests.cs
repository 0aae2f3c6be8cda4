using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Tests.Ops;

/// <summary>
/// The morphology ops' bad input as a recipe meets it: located errors at validate time (structure cells, words,
/// iterations, a mask of another shape), what is accepted as SciPy accepts it (even structures), and the item that
/// fails alone, naming its step, when an until-stable run can never settle.
/// </summary>
public class MorphologyRecipeTests
{
    private static string Recipe(string op, string paramLines, int inputs = 1) =>
        "xrayflow: 1\ninputs:\n  img: image\n" + (inputs > 1 ? "  mask: image\n" : string.Empty)
        + $"steps:\n  - id: m\n    op: {op}\n    in: {(inputs > 1 ? "[img, mask]" : "img")}\n{paramLines}outputs:\n  m: m.npy\n";

    [Fact]
    public void NegativeIterationsAreRefusedWhereTheyAreWritten()
    {
        var r = RecipeLoader.LoadText(Recipe("binary_erosion", "    iterations: -1\n"), "r.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF1040", 8, 17), (d.Code, d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains(">= 0", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StructureCellsOtherThanZeroAndOneAreRefusedAtTheStructure()
    {
        var r = RecipeLoader.LoadText(Recipe("binary_dilation", "    structure: [[0, 1, 0], [1, 2, 1], [0, 1, 0]]\n"), "r.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF1040", 8), (d.Code, d.Location!.Value.Line)); // 2 is outside 0..1: the cell itself
        r = RecipeLoader.LoadText(Recipe("binary_dilation", "    structure: [[0, 1, 0], [1, 0.5, 1], [0, 1, 0]]\n"), "r.yaml");
        d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF1062", 8), (d.Code, d.Location!.Value.Line));
        Assert.Contains("0.5", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownShapeWordSuggestsTheKnownOnes()
    {
        var r = RecipeLoader.LoadText(Recipe("binary_closing", "    structure: disc\n    radius: 3\n"), "r.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("XRF1041", d.Code);
        Assert.Equal(8, d.Location!.Value.Line);
        Assert.Contains("disk", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EvenStructuresAndWordsBindAsSciPyAcceptsThem()
    {
        foreach (var lines in new[] { "    structure: [[1, 1], [1, 1]]\n    origin: -1\n", "    structure: square\n    radius: 4\n", "    connectivity: 2\n    iterations: 0\n", "    structure: [[1, 0, 1, 1]]\n" })
        {
            var r = RecipeLoader.LoadText(Recipe("binary_opening", lines), "r.yaml");
            Assert.True(!r.HasErrors, lines + string.Join("\n", r.Diagnostics));
        }

        var grey = RecipeLoader.LoadText(Recipe("grey_closing", "    footprint: disk\n    radius: 2\n    mode: nearest\n"), "r.yaml");
        Assert.True(!grey.HasErrors, string.Join("\n", grey.Diagnostics));
    }

    [Fact]
    public void AMaskOfAnotherShapeIsRefusedBeforeTheRun()
    {
        var loaded = RecipeLoader.LoadText(Recipe("binary_dilation", "    iterations: 2\n", inputs: 2), "r.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        var plan = Planner.Create(loaded.Recipe!, new Dictionary<string, Core.Ops.ValueInfo> { ["img"] = Core.Ops.ValueInfo.Of(new ImageArray(4, 5)), ["mask"] = Core.Ops.ValueInfo.Of(new ImageArray(5, 4)) });
        Assert.True(plan.HasErrors);
    }

    [Fact]
    public void AnUntilStableRunThatNeverSettlesFailsItsItemNamingTheStep()
    {
        // SciPy's binary_erosion(x, [[1, 0, 1]], iterations=0, border_value=1) loops forever on 1 0 1 0 1.
        var loaded = RecipeLoader.LoadText(Recipe("binary_erosion", "    structure: [[1, 0, 1]]\n    iterations: 0\n    border_value: 1\n"), "r.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        var exec = new PlanExecutor(Planner.Create(loaded.Recipe!), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1);
        var ex = Assert.Throws<StepFailedException>(() => exec.Run(new Dictionary<string, ImageArray> { ["img"] = new(1, 5, [1, 0, 1, 0, 1]) }));
        Assert.Equal("m", ex.StepId);
        Assert.Contains("flips between two states forever", ex.Message, StringComparison.Ordinal);

        // The same step on an input that settles runs.
        var ok = new PlanExecutor(Planner.Create(loaded.Recipe!), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1)
            .Run(new Dictionary<string, ImageArray> { ["img"] = new(1, 5, [1, 1, 1, 1, 1]) });
        Assert.NotEmpty(ok);
    }
}

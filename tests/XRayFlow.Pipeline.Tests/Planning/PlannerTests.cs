using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Tests.Execution;

namespace XRayFlow.Pipeline.Tests.Planning;

public class PlannerTests
{
    private const string Branches = """
        xrayflow: 1
        name: branches
        inputs:
          img: image
        steps:
          - id: b1
            op: blur
          - id: b2
            op: blur
            in: img
          - id: b1_again
            op: blur
            in: img
          - id: b3
            op: blur
            in: img
            passes: 2
          - id: sum
            op: add
            in: [b1, b2]
          - id: lonely
            op: scale
            in: img
            factor: 3
        outputs:
          sum: sum.npy
          again: {from: b1_again, path: again.npy}
          three: {from: b3, path: three.npy}
        """;

    [Fact]
    public void IdenticalStepsAreComputedOnce()
    {
        var plan = Planner.Create(RunKit.Load(Branches));
        Assert.Equal(["b1", "b3", "sum"], plan.Nodes.Select(n => n.Id));
        Assert.Equal(["b2", "b1_again"], plan.Node("b1")!.MergedIds);
        Assert.Equal("b1", plan.Resolve("b2"));
        Assert.Equal("b1", plan.Resolve("b1_again"));
        Assert.Equal("b3", plan.Resolve("b3")); // other params: not merged
        Assert.Equal(["b1", "b1"], plan.Node("sum")!.Sources);
    }

    [Fact]
    public void StepsReachingNoOutputAreSkippedWithAWarningAtTheStep()
    {
        var plan = Planner.Create(RunKit.Load(Branches, "r.yaml"));
        Assert.Equal(["lonely"], plan.Skipped);
        var d = Assert.Single(plan.Diagnostics);
        Assert.Equal("r.yaml:21:5: warning XRF5001: step 'lonely' reaches no output and is skipped", d.ToString());
    }

    [Fact]
    public void MergingCanBeTurnedOff()
    {
        var plan = Planner.Create(RunKit.Load(Branches), options: new PlanOptions { MergeIdenticalSteps = false });
        Assert.Equal(["b1", "b2", "b1_again", "b3", "sum"], plan.Nodes.Select(n => n.Id));
    }

    [Fact]
    public void Levels()
    {
        var plan = Planner.Create(RunKit.Load(Branches));
        Assert.Equal([1, 1, 2], plan.Nodes.Select(n => n.Level));
    }

    private const string Chain = """
        xrayflow: 1
        name: chain
        inputs:
          img: image
        steps:
          - id: b
            op: blur
          - id: a
            op: abs
          - id: s
            op: scale
            factor: 2
          - id: o
            op: offset
            value: -1
          - id: b2
            op: blur
        outputs:
          out: {from: b2, path: out.npy}
        """;

    [Fact]
    public void ElementwiseChainsAreFused()
    {
        var plan = Planner.Create(RunKit.Load(Chain));
        var chain = Assert.Single(plan.FusedChains);
        Assert.Equal(["a", "s", "o"], chain.NodeIds);
        Assert.Equal(-1, plan.Node("b")!.Chain);
        Assert.Equal(0, plan.Node("s")!.Chain);
        Assert.Equal(0, plan.Node("o")!.Chain);
    }

    [Fact]
    public void AChainBreaksWhereAnIntermediateIsAnOutputOrReadTwice()
    {
        string yaml = Chain.Replace("out: {from: b2, path: out.npy}", "out: {from: b2, path: out.npy}\n  mid: {from: s, path: s.npy}", StringComparison.Ordinal);
        var plan = Planner.Create(RunKit.Load(yaml));
        Assert.Equal(["a", "s"], Assert.Single(plan.FusedChains).NodeIds);
        Assert.Equal(-1, plan.Node("o")!.Chain);

        var unfused = Planner.Create(RunKit.Load(Chain), options: new PlanOptions { FuseElementwise = false });
        Assert.Empty(unfused.FusedChains);
    }

    [Fact]
    public void ShapesFollowTheInputs()
    {
        var shapes = new Dictionary<string, ValueInfo> { ["img"] = new(ValueKind.Image, 1, 4, 5) };
        var plan = Planner.Create(RunKit.Load(Chain), shapes);
        Assert.Equal("4x5 float32", plan.Node("b2")!.Shape.ToString());
        Assert.False(plan.HasErrors);
    }

    [Fact]
    public void PrintsTextDotAndMermaidWithShapes()
    {
        var shapes = new Dictionary<string, ValueInfo> { ["img"] = new(ValueKind.Image, 1, 1024, 1024) };
        var plan = Planner.Create(RunKit.Load(Chain), shapes);
        string text = PlanPrinter.Text(plan);
        Assert.Contains("img (image): 1024x1024 float32\n", text, StringComparison.Ordinal);
        Assert.Contains("3. s = scale(a) factor=2 -> 1024x1024 float32  level 3  [fused chain 1]", text, StringComparison.Ordinal);
        Assert.Contains("chain 1: a -> s -> o", text, StringComparison.Ordinal);
        Assert.Contains("5. b2 = blur(o) -> 1024x1024 float32  level 5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("buffer", text, StringComparison.Ordinal);

        string dot = PlanPrinter.Dot(plan);
        Assert.StartsWith("digraph \"chain\" {", dot, StringComparison.Ordinal);
        Assert.Contains("\"img\" -> \"b\" [label=\"1024x1024 float32\"];", dot, StringComparison.Ordinal);
        Assert.Contains("subgraph \"cluster_fused_1\"", dot, StringComparison.Ordinal);
        Assert.Contains("\"b2\" -> \"out:out\"", dot, StringComparison.Ordinal);

        string mermaid = PlanPrinter.Mermaid(plan);
        Assert.StartsWith("flowchart TD\n", mermaid, StringComparison.Ordinal);
        Assert.Contains("-->|\"1024x1024 float32\"|", mermaid, StringComparison.Ordinal);
        Assert.Contains("subgraph fused1", mermaid, StringComparison.Ordinal);
    }

    [Fact]
    public void AListWithStepReferencesPrintsItsItems()
    {
        // It printed "in_range=System.Object[]".
        var loaded = RecipeLoader.LoadText(
            "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - {id: p1, op: percentile, in: xray, q: 1}\n"
            + "  - {id: r, op: rescale_intensity, in: xray, in_range: [${p1}, 250.5]}\noutputs:\n  r: r.npy\n",
            "recipe.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        string text = PlanPrinter.Text(Planner.Create(loaded.Recipe!));
        Assert.Contains("r = rescale_intensity(xray) in_range=[${p1}, 250.5] -> ", text, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownShapesPrintAsQuestionMarks()
    {
        var plan = Planner.Create(RunKit.Load(Chain));
        Assert.Contains("img (image): ?", PlanPrinter.Text(plan), StringComparison.Ordinal);
        Assert.Contains("[label=\"?\"]", PlanPrinter.Dot(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void TablesHaveTheTableShape()
    {
        var plan = Planner.Create(RunKit.Load("""
            xrayflow: 1
            name: t
            inputs:
              img: image
            steps:
              - op: stats
            outputs:
              stats: s.json
            """), new Dictionary<string, ValueInfo> { ["img"] = new(ValueKind.Image, 1, 2, 2) });
        Assert.Equal("table", plan.Node("stats")!.Shape.ToString());
    }

    [Fact]
    [Covers("XRF1069")]
    public void KnownShapesThatAStepCannotTakeAreErrorsAtTheParameter()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: d
            inputs:
              img: image
            steps:
              - op: downsample
                factor: 8
            outputs:
              downsample: d.npy
            """);
        var plan = Planner.Create(recipe, new Dictionary<string, ValueInfo> { ["img"] = new(ValueKind.Image, 1, 6, 40) });
        Assert.True(plan.HasErrors);
        Assert.Equal("recipe.yaml:7:13: error XRF1069: step 'downsample': factor 8 is larger than the image (6 x 40)", Assert.Single(plan.Diagnostics).ToString());
        Assert.False(Planner.Create(recipe, new Dictionary<string, ValueInfo> { ["img"] = new(ValueKind.Image, 1, 8, 40) }).HasErrors);
    }

    [Fact]
    public void AStepWhoseOutputWouldExceedMaxPixelsIsRefusedWithKnownShapes()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: z
            inputs:
              img: image
            steps:
              - op: zoom
                zoom: 3
            outputs:
              zoom: z.npy
            """);
        var shapes = new Dictionary<string, ValueInfo> { ["img"] = new(ValueKind.Image, 1, 1000, 1000) };
        var plan = Planner.Create(recipe, shapes, new PlanOptions { MaxPixels = 8_999_999 });
        Assert.Equal("recipe.yaml:6:5: error XRF1069: step 'zoom': zoom would make an array of 3000x3000 float32 (9000000 pixels), more than --max-pixels 8999999", Assert.Single(plan.Diagnostics).ToString());
        Assert.False(Planner.Create(recipe, shapes, new PlanOptions { MaxPixels = 9_000_000 }).HasErrors);

        // The default is the bound on every image read (1e8): 12000 x 12000 is 1.44e8.
        shapes["img"] = new(ValueKind.Image, 1, 4000, 4000);
        Assert.Contains("more than --max-pixels 100000000", Assert.Single(Planner.Create(recipe, shapes).Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScalarParametersAreSourcesOfTheStepThatReadsThem()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: s
            inputs:
              img: image
            steps:
              - op: stats
              - op: clip
                in: img
                min: ${stats.mean}
            outputs:
              clip: c.npy
            """);
        var clip = recipe.Steps[1];
        Assert.Equal(new ScalarRef("stats", "mean", new Core.Diagnostics.SourceLocation("recipe.yaml", 9, 10)), clip.Params["min"]);
        Assert.Equal(["stats"], clip.ParamSources);
        var plan = Planner.Create(recipe);
        Assert.Equal(["stats", "clip"], plan.Nodes.Select(n => n.Id));
        Assert.Equal(["img", "stats"], plan.Node("clip")!.Sources);
        Assert.Equal(2, plan.Node("clip")!.Level);
    }

    [Fact]
    public void ExpressionStepsReadingTheSameValuesUnderOtherVariableNamesAreNotMerged()
    {
        // The same expression and the same sources in the same order, but `a` and `b` name them the other way round:
        // img - g and g - img.
        var plan = Planner.Create(RunKit.Load("""
            xrayflow: 1
            name: vars
            inputs:
              img: image
            steps:
              - id: g
                op: gaussian_filter
                in: img
                sigma: 1
              - id: d1
                op: map
                in: {a: img, b: g}
                expr: "a - b"
              - id: d2
                op: map
                in: {b: img, a: g}
                expr: "a - b"
            outputs:
              d1: d1.npy
              d2: d2.npy
            """));
        Assert.Equal(["g", "d1", "d2"], plan.Nodes.Select(n => n.Id));
        Assert.Equal("d2", plan.Resolve("d2"));
        Assert.Empty(plan.Node("d1")!.MergedIds);
    }

    [Fact]
    public void StepsThatDifferOnlyInABooleanParameterAreNotMerged()
    {
        var plan = Planner.Create(RunKit.Load("""
            xrayflow: 1
            name: bools
            inputs:
              img: image
            steps:
              - {id: grown, op: rotate, in: img, angle: 30, reshape: true}
              - {id: kept, op: rotate, in: img, angle: 30, reshape: false}
            outputs:
              grown: g.npy
              kept: k.npy
            """), new Dictionary<string, ValueInfo> { ["img"] = new(ValueKind.Image, 1, 10, 20) });
        Assert.Equal(["grown", "kept"], plan.Nodes.Select(n => n.Id));
        Assert.Equal("kept", plan.Resolve("kept"));
        Assert.Equal("10x20 float32", plan.Node("kept")!.Shape.ToString());
        Assert.NotEqual(plan.Node("kept")!.Shape.ToString(), plan.Node("grown")!.Shape.ToString());
    }

    [Fact]
    [Covers("XRF1069")]
    public void KnownStacksWithOtherFrameCountsCannotBeCombined()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: frames
            inputs:
              a: stack
              b: stack
            steps:
              - op: add
                in: [a, b]
            outputs:
              add: s.npy
            """);
        var shapes = new Dictionary<string, ValueInfo> { ["a"] = new(ValueKind.Stack, 2, 4, 5), ["b"] = new(ValueKind.Stack, 3, 4, 5) };
        var d = Assert.Single(Planner.Create(recipe, shapes).Diagnostics);
        Assert.Equal("XRF1069", d.Code);
        Assert.Contains("the inputs must have one shape; they are ", d.Message, StringComparison.Ordinal);
        shapes["b"] = new(ValueKind.Stack, 2, 4, 5);
        Assert.Empty(Planner.Create(recipe, shapes).Diagnostics);
    }
}

using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>
/// Scalar steps (thresholds, percentile) and stats' percentile fields at validate time: what binds, and the located
/// XRF1xxx errors for an image where a number is needed and a number where an image is needed.
/// </summary>
public class ScalarKindTests
{
    private const string Head = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n";

    private static RecipeLoadResult Load(string steps, string outputs = "") => RecipeLoader.LoadText(Head + steps + outputs, "recipe.yaml");

    private static Diagnostic Single(RecipeLoadResult r, DiagnosticDescriptor code)
    {
        var d = r.Diagnostics.Where(x => x.Code == code.Code).ToList();
        Assert.True(d.Count == 1, $"expected one {code.Code}:\n{string.Join("\n", r.Diagnostics)}");
        return d[0];
    }

    [Fact]
    public void ThresholdsAndPercentileAreScalarsThatLaterStepsRead()
    {
        var r = Load(
            "  - id: otsu\n    op: threshold_otsu\n    in: xray\n"
            + "  - id: p99\n    op: percentile\n    in: xray\n    q: 99\n"
            + "  - id: mask\n    op: where\n    in: {x: xray, t: otsu}\n    cond: \"x > t\"\n    then: x\n    else: 0\n"
            + "  - id: clipped\n    op: clip\n    in: xray\n    max: ${p99}\n",
            "outputs:\n  otsu: otsu.json\n  p99: p99.json\n  mask: mask.npy\n  clipped: clipped.npy\n");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var steps = r.Recipe!.Steps.ToDictionary(s => s.Id);
        Assert.Equal(ValueKind.Scalar, steps["otsu"].OutputKind);
        Assert.Equal(ValueKind.Scalar, steps["p99"].OutputKind);
        Assert.Equal(new ScalarRef("p99", null, new SourceLocation("recipe.yaml", 21, 10)), steps["clipped"].Params["max"]);
        Assert.Equal(new[] { "p99" }, steps["clipped"].ParamSources);
    }

    [Fact]
    public void AnImageWhereANumberIsNeededIsALocatedError()
    {
        var r = Load("  - op: gaussian_filter\n    in: xray\n    sigma: 2\n  - op: clip\n    in: xray\n    max: ${gaussian_filter}\n");
        var d = Single(r, DiagnosticCodes.NotAScalar);
        Assert.Equal((10, 10), (d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains("an image", d.Message, StringComparison.Ordinal);

        r = Load("  - op: clip\n    in: xray\n    max: ${xray}\n");
        d = Single(r, DiagnosticCodes.NotAScalar);
        Assert.Equal(7, d.Location!.Value.Line);
        Assert.Contains("an input", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AStepsNumberInAMatrixCellIsRefusedAsComputedPerImage()
    {
        // A matrix (pad_width, footprint, affine_transform's matrix) is known before the run; `${step}` in a cell
        // was reported as an unknown param ("declare it under 'params'; did you mean ...?") though the step exists.
        var r = Load("  - id: p50\n    op: percentile\n    in: xray\n    q: 50\n  - op: pad\n    in: xray\n    pad_width: [[${p50}, 1], [0, 2]]\n");
        var d = Single(r, DiagnosticCodes.ScalarNotAllowedHere);
        Assert.Equal((11, 18), (d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains("'pad_width' of op 'pad'", d.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(r.Diagnostics, x => x.Code == DiagnosticCodes.UnknownParamRef.Code);

        r = Load("  - id: p50\n    op: percentile\n    in: xray\n    q: 50\n  - op: maximum_filter\n    in: xray\n    footprint: ${p50}\n");
        Single(r, DiagnosticCodes.ScalarNotAllowedHere);
        Assert.DoesNotContain(r.Diagnostics, x => x.Code == DiagnosticCodes.UnknownParamRef.Code);
    }

    [Fact]
    public void ANumberWhereAnImageIsNeededIsALocatedError()
    {
        var r = Load("  - id: otsu\n    op: threshold_otsu\n    in: xray\n  - op: gaussian_filter\n    in: otsu\n    sigma: 2\n");
        var d = Single(r, DiagnosticCodes.ScalarNotAccepted);
        Assert.Equal((9, 9), (d.Location!.Value.Line, d.Location.Value.Column));

        // Without `in`, the step after a scalar step takes the scalar: the same error, at the step.
        r = Load("  - id: otsu\n    op: threshold_otsu\n  - op: gaussian_filter\n    sigma: 2\n");
        Assert.True(r.Diagnostics.Any(x => x.Code == DiagnosticCodes.ScalarNotAccepted.Code), string.Join("\n", r.Diagnostics));

        // A threshold of a threshold: a scalar is not an image.
        r = Load("  - id: otsu\n    op: threshold_otsu\n    in: xray\n  - op: percentile\n    in: otsu\n    q: 50\n");
        Single(r, DiagnosticCodes.ScalarNotAccepted);
    }

    [Fact]
    public void AMapOverScalarsOnlyIsAScalarLaterStepsRead()
    {
        // Names after a '.', digits of numbers, and an image input elsewhere are not per-pixel built-ins.
        var r = Load(
            "  - id: otsu\n    op: threshold_otsu\n    in: xray\n"
            + "  - id: p99\n    op: percentile\n    in: xray\n    q: 99\n"
            + "  - id: m\n    op: map\n    in: {a: otsu, b: p99}\n    expr: \"MathF.Min(a, b) + MathF.E * 0x1F + 1e-3f + float.MaxValue * 0\"\n"
            + "  - id: withImage\n    op: map\n    in: {a: otsu, x: xray}\n    expr: \"x > a ? i : j\"\n"
            + "  - id: clipped\n    op: clip\n    in: xray\n    max: ${m}\n",
            "outputs:\n  m: m.json\n  clipped: clipped.npy\n");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Empty(r.Diagnostics);
        var steps = r.Recipe!.Steps.ToDictionary(s => s.Id);
        Assert.Equal(ValueKind.Scalar, steps["m"].OutputKind);
        Assert.Equal(ValueKind.Image, steps["withImage"].OutputKind);
        Assert.Equal(new[] { "m" }, steps["clipped"].ParamSources);

        // The per-pixel built-ins in such a step: one located error per expression, naming the first.
        r = Load("  - id: otsu\n    op: threshold_otsu\n    in: xray\n  - op: map\n    in: {a: otsu}\n    expr: \"a + i + rows\"\n");
        var d = Single(r, DiagnosticCodes.PixelVariableWithoutPixels);
        Assert.Equal((10, 16), (d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Equal("step 'map': 'i' is the row index, but every input of this step is a scalar, so it computes one number and has no pixels; give it an image input, or leave 'i' out", d.Message);
    }

    [Fact]
    public void ARefusedScalarInputIsReportedOnceNotAgainAtTheOutputs()
    {
        // The step that refuses its input makes nothing: its output and a later step's are not judged as scalars
        // (it used to add "XRF1050 cannot write a scalar ('g') as .npy" under the XRF1065).
        var r = Load(
            "  - id: t\n    op: threshold_otsu\n    in: xray\n  - id: g\n    op: gaussian_filter\n    in: t\n    sigma: 2\n  - id: h\n    op: abs\n    in: g\n",
            "outputs:\n  g: g.npy\n  h: h.png\n");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("recipe.yaml:10:9: error XRF1065: op 'gaussian_filter' works on arrays; 't' is a scalar: use it as ${t} in a numeric parameter, or as a variable of an expression's `in` map", d.ToString());
    }

    [Fact]
    public void SpacesInsideTheBracesOfAReferenceAreAllowed()
    {
        // `${ p1 }` was refused as a string (XRF1039 "must be a number; found string '${ p1 }'").
        var r = RecipeLoader.LoadText(
            "xrayflow: 1\nparams:\n  lo: 30\n  t: 3\ninputs:\n  xray: image\nsteps:\n"
            + "  - {id: p1, op: percentile, in: xray, q: 1}\n"
            + "  - {id: st, op: stats, in: xray, percentiles: [99]}\n"
            + "  - {id: c, op: clip, in: xray, min: ${ p1 }, max: \"${\tst.p99  }\"}\n"
            + "  - {id: c2, op: clip, in: xray, min: \"${ lo }\"}\n"
            + "  - {id: r, op: rescale_intensity, in: xray, in_range: [${ p1 }, ${st.p99 }]}\n",
            "recipe.yaml");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var steps = r.Recipe!.Steps.ToDictionary(s => s.Id);
        Assert.Equal(new ScalarRef("p1", null, new SourceLocation("recipe.yaml", 10, 38)), steps["c"].Params["min"]);
        Assert.Equal(new ScalarRef("st", "p99", new SourceLocation("recipe.yaml", 10, 53)), steps["c"].Params["max"]);
        Assert.Equal(30.0, steps["c2"].Params["min"]);
        var range = Assert.IsType<object?[]>(steps["r"].Params["in_range"]);
        Assert.Equal(["p1", "st"], range.Cast<ScalarRef>().Select(x => x.Step));

        // Inside an expression the error names the param without the spaces.
        r = Load("  - op: where\n    cond: \"x > ${ t }\"\n    then: x\n    else: 0\n");
        Assert.Contains(r.Diagnostics, d => d.Code == DiagnosticCodes.PartialParamRef.Code && d.Message.StartsWith("'${t}' must be the whole value", StringComparison.Ordinal));

        // Not inside the name.
        r = Load("  - {id: p1, op: percentile, in: xray, q: 1}\n  - {op: clip, in: xray, min: \"${p 1}\"}\n");
        Assert.True(r.HasErrors);
    }

    [Fact]
    public void AScalarIsWrittenAsJsonOnly()
    {
        var r = Load("  - id: otsu\n    op: threshold_otsu\n    in: xray\n", "outputs:\n  otsu: otsu.npy\n");
        var d = Single(r, DiagnosticCodes.OutputKindMismatch);
        Assert.Contains("write a scalar as .json", d.Message, StringComparison.Ordinal);
        Assert.Equal(9, d.Location!.Value.Line);
    }

    [Fact]
    public void StatsPercentilesAreFieldsWhenAsked()
    {
        var r = Load("  - id: stats\n    op: stats\n    in: xray\n    percentiles: [1, 2.5, 99]\n  - op: clip\n    in: xray\n    min: ${stats.p1}\n    max: ${stats.p99}\n");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        var clip = r.Recipe!.Steps[1];
        Assert.Equal(new ScalarRef("stats", "p99", new SourceLocation("recipe.yaml", 12, 10)), clip.Params["max"]);

        r = Load("  - id: stats\n    op: stats\n    in: xray\n    percentiles: [2.5]\n  - op: clip\n    in: xray\n    max: ${stats.p2_5}\n");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));

        // Not asked for: the error lists the fields the step has.
        r = Load("  - id: stats\n    op: stats\n    in: xray\n  - op: clip\n    in: xray\n    max: ${stats.p99}\n");
        var d = Single(r, DiagnosticCodes.NotAScalar);
        Assert.Equal((10, 10), (d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains("count, min, max, mean, median, std", d.Message, StringComparison.Ordinal);

        // A near miss: did you mean.
        r = Load("  - id: stats\n    op: stats\n    in: xray\n    percentiles: [99]\n  - op: clip\n    in: xray\n    max: ${stats.p98}\n");
        d = Single(r, DiagnosticCodes.NotAScalar);
        Assert.Contains("p99", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StatsPercentilesAreCheckedAtTheirValue()
    {
        var r = Load("  - op: stats\n    in: xray\n    percentiles: [1, 101]\n");
        Assert.True(r.HasErrors);
        Assert.Equal(7, r.Diagnostics.First(d => d.Severity == Severity.Error).Location!.Value.Line);

        r = Load("  - op: percentile\n    in: xray\n    q: -1\n");
        Assert.True(r.HasErrors);
        Assert.Equal(7, r.Diagnostics.First(d => d.Severity == Severity.Error).Location!.Value.Line);

        r = Load("  - op: percentile\n    in: xray\n");
        Assert.True(r.HasErrors, "q is required");
    }

    [Fact]
    public void StatsFieldNamesFollowThePercentile()
    {
        Assert.Equal(new[] { "p1", "p2_5", "p50", "p99_9", "p0", "p100", "p33_3" }, Core.Ops.Statistics.StatisticsOps.PercentileFields([1, 2.5, 50, 99.9, 0, 100, 33.3]));
        var stats = OpRegistry.Get("stats");
        Assert.Equal(stats.Fields, stats.FieldsFor(new Dictionary<string, object?> { ["percentiles"] = null }));
        Assert.Equal(stats.Fields.Append("p99"), stats.FieldsFor(new Dictionary<string, object?> { ["percentiles"] = new[] { 99.0 } }));
    }

    [Fact]
    public void AnExpressionOpTakesAScalarOnlyUnderAVariableName()
    {
        // Mutation-tested: map and where took a scalar step as a plain input too (not only in their `in` map), and a
        // field of a step with a one-letter id lost its hint; each mutant passed every test.
        var plain = Load("  - id: otsu\n    op: threshold_otsu\n    in: xray\n  - id: m\n    op: map\n    in: otsu\n    expr: \"x\"\n");
        Assert.Equal("recipe.yaml:10:9: error XRF1065: op 'map' works on arrays; 'otsu' is a scalar: use it as ${otsu} in a numeric parameter, or as a variable of an expression's `in` map",
            Single(plain, DiagnosticCodes.ScalarNotAccepted).ToString());
        var named = Load("  - id: otsu\n    op: threshold_otsu\n    in: xray\n  - id: m\n    op: map\n    in: {x: xray, t: otsu}\n    expr: \"x - t\"\n");
        Assert.False(named.HasErrors, string.Join("\n", named.Diagnostics));

        var field = Load("  - id: s\n    op: stats\n    in: xray\n    percentiles: [1]\n  - id: m\n    op: abs\n    in: s.p1\n");
        Assert.Contains("it names a field of step 's', and `in` takes whole steps or inputs", Single(field, DiagnosticCodes.UnknownReference).Message, StringComparison.Ordinal);
    }
}

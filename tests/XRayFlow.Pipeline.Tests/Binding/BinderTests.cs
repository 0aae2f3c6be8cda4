using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Binding;

public class BinderTests
{
    private const string Head = "xrayflow: 1\ninputs:\n  xray: image\n";

    /// <summary>The recipe's errors are <paramref name="error"/> alone, or none when it is null (warnings aside).</summary>
    private static void AssertErrors(string? error, RecipeLoadResult r)
        => Assert.Equal(error is null ? [] : [error], r.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()));

    private static BoundRecipe Bind(string text, IReadOnlyDictionary<string, string>? set = null)
    {
        var r = TestOps.Load(text, set);
        Assert.True(r.Recipe is not null, string.Join("\n", r.Diagnostics));
        return r.Recipe!;
    }

    [Theory]
    [InlineData("axis: 1.0", "recipe.yaml:7:11: error XRF1039: parameter 'axis' of op 'prewitt' must be a whole number; found number 1.0")]
    [InlineData("axis: ${p}", "recipe.yaml:7:11: error XRF1039: parameter 'axis' of op 'prewitt' must be a whole number; found number 0.5 (from ${p})")]
    [InlineData("axis: \"1\"", "recipe.yaml:7:11: error XRF1039: parameter 'axis' of op 'prewitt' must be a whole number; found string '1'")]
    // 1e400 is a number too large for a double; it was described as the string '1e400'.
    [InlineData("cval: 1e400", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found number 1e400, beyond the largest number a recipe can hold (about 1.8e308)")]
    [InlineData("cval: -2E+999", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found number -2E+999, beyond the largest number a recipe can hold (about 1.8e308)")]
    // YAML's NaN and infinities were described as strings ("found string '.nan'"), as if the reader had not seen them.
    [InlineData("cval: .nan", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found .nan, YAML's not-a-number: a recipe's numbers are finite")]
    [InlineData("cval: -.Inf", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found -.Inf, YAML's infinity: a recipe's numbers are finite")]
    [InlineData("cval: \".nan\"", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found string '.nan'")]
    [InlineData("cval: +-.inf", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found string '+-.inf'")]
    [InlineData("cval: .nanx", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found string '.nanx'")]
    [InlineData("mode: ~", "recipe.yaml:7:11: error XRF1039: parameter 'mode' of op 'prewitt' must be one of reflect, mirror, nearest, wrap, constant, grid-mirror, grid-wrap, grid-constant; found nothing (null)")]
    // A `|` or `>` block is text (its line break is part of the value), so a reference alone in one is no number.
    [InlineData("cval: |\n      ${p}", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found string '${p}\\x0a' (a | or > block is text; write the reference as the whole plain value: cval: ${p})")]
    [InlineData("cval: >-\n      ${ p }", "recipe.yaml:7:11: error XRF1039: parameter 'cval' of op 'prewitt' must be a number; found string '${ p }' (a | or > block is text; write the reference as the whole plain value: cval: ${ p })")]
    public void WrongTypeMessagesQuoteWhatWasWritten(string param, string expected)
    {
        var r = TestOps.Load("xrayflow: 1\nparams:\n  p: 0.5\ninputs: {xray: image}\nsteps:\n  - op: prewitt\n    " + param + "\n");
        Assert.Equal(expected, Assert.Single(r.Diagnostics).ToString());
    }

    // A matrix parameter that is not a footprint says how its own values are written (the message gave every matrix
    // a footprint's example, [[0, 1, 0], ...], which is no pad_width), and an empty list is called one.
    [Theory]
    [InlineData("pad", "pad_width: []", "recipe.yaml:5:36: error XRF1039: parameter 'pad_width' of op 'pad' must be n, [before, after], [[n0], [n1]] or [[before0, after0], [before1, after1]] (whole numbers); found an empty list")]
    [InlineData("pad", "pad_width: [[1, 2], []]", "recipe.yaml:5:45: error XRF1039: parameter 'pad_width' of op 'pad' must be n, [before, after], [[n0], [n1]] or [[before0, after0], [before1, after1]] (whole numbers); found an empty list")]
    [InlineData("pad", "pad_width: 1, constant_values: [a, 2]", "recipe.yaml:5:57: error XRF1039: parameter 'constant_values' of op 'pad' must be v, [before, after], [[v0], [v1]] or [[before0, after0], [before1, after1]]; found string 'a'")]
    [InlineData("affine_transform", "matrix: {a: 1}", "recipe.yaml:5:46: error XRF1039: parameter 'matrix' of op 'affine_transform' must be a 2 x 2 matrix [[a, b], [c, d]], a 2 x 3 one whose last column is the offset, or a homogeneous 3 x 3 one; found a map")]
    [InlineData("maximum_filter", "footprint: []", "recipe.yaml:5:47: error XRF1039: parameter 'footprint' of op 'maximum_filter' must be a matrix: a list of rows of numbers, e.g. [[0, 1, 0], [1, 1, 1], [0, 1, 0]]; found an empty list")]
    public void AMatrixParameterSaysHowItsValuesAreWritten(string op, string param, string expected)
    {
        var r = TestOps.Load(Head + "steps:\n  - {op: " + op + ", in: xray, " + param + "}\n");
        Assert.Equal(expected, Assert.Single(r.Diagnostics).ToString());
    }

    [Theory]
    [InlineData("2", "recipe.yaml:1:11: error XRF1021: unsupported language version '2'; this xrayflow supports: 1")]
    [InlineData("1.0", "recipe.yaml:1:11: error XRF1021: unsupported language version '1.0'; this xrayflow supports: 1")]
    // A quoted "1" is a string, as everywhere in a recipe; the message said "unsupported language version '1';
    // this xrayflow supports: 1", which names no difference.
    [InlineData("\"1\"", "recipe.yaml:1:11: error XRF1021: unsupported language version \"1\" (quoted, so a string: write the number unquoted, xrayflow: 1); this xrayflow supports: 1")]
    [InlineData("'1'", "recipe.yaml:1:11: error XRF1021: unsupported language version \"1\" (quoted, so a string: write the number unquoted, xrayflow: 1); this xrayflow supports: 1")]
    [InlineData("\"v1\"", "recipe.yaml:1:11: error XRF1021: unsupported language version string 'v1'; this xrayflow supports: 1")]
    [InlineData("[1]", "recipe.yaml:1:11: error XRF1021: unsupported language version a list; this xrayflow supports: 1")]
    public void AnUnsupportedVersionSaysWhatWasWritten(string version, string expected)
    {
        var r = TestOps.Load("xrayflow: " + version + "\ninputs: {xray: image}\nsteps:\n  - op: abs\noutputs:\n  abs: a.npy\n");
        Assert.Equal(expected, Assert.Single(r.Diagnostics).ToString());
    }

    [Fact]
    public void NumberAndBooleanParamsAreExpressionValuesAndTextIsNot()
    {
        var r = TestOps.Load(Head + "params:\n  k: 2\n  on: true\n  note: hi\nsteps:\n  - op: map\n    expr: \"x * k + on + i\"\n  - op: map\n    in: xray\n    expr: \"x + note\"\n");
        Assert.Equal(
            "recipe.yaml:13:16: error XRF1077: step 'map_2': param 'note' is text ('hi'), but an expression reads params as numbers (text would be NaN in every pixel); give the param a number, or use a number here",
            Assert.Single(r.Diagnostics).ToString());

        // A text param named like the step's own pixel variable is not read by the expression (the compiler refuses the name).
        r = TestOps.Load(Head + "params:\n  x: hi\nsteps:\n  - op: map\n    expr: \"x + 1\"\n");
        Assert.DoesNotContain(r.Diagnostics, d => d.Code == "XRF1077");
    }

    [Theory]
    [InlineData("sig: [1, 2]", "sigma: ${sig}", "", "recipe.yaml:5:8: error XRF1045: param 'sig' must be a number, true/false or a string; found a list")]
    [InlineData("sig: ~", "sigma: [${sig}, 1]", "", "recipe.yaml:5:8: error XRF1045: param 'sig' must be a number, true/false or a string; found nothing (null)")]
    [InlineData("sig: [1, 2]", "sigma: ${sig}", "sig=3", "recipe.yaml:5:8: error XRF1045: param 'sig' must be a number, true/false or a string; found a list")]
    // Its uses and --set on it were reported again as "unknown param '${sig}'; declare it under 'params'" and
    // "the recipe has no param 'sig'", though it is declared, one line above.
    public void ARefusedParamIsReportedOnceAtItsDeclaration(string param, string use, string set, string expected)
    {
        var overrides = set.Length == 0 ? null : new Dictionary<string, string> { [set.Split('=')[0]] = set.Split('=')[1] };
        var r = TestOps.Load(Head + "params:\n  " + param + "\nsteps:\n  - op: gaussian_filter\n    " + use + "\n", overrides);
        Assert.Equal(expected, Assert.Single(r.Diagnostics).ToString());
    }

    [Fact]
    public void ARefusedParamInsideAStringParameterIsNotReportedAgain()
    {
        var r = TestOps.Load(Head + "params:\n  n: [3]\nsteps:\n  - op: threshold\n    level: 1\n    label: \"mask_${n}\"\n");
        Assert.Equal("recipe.yaml:5:6: error XRF1045: param 'n' must be a number, true/false or a string; found a list", Assert.Single(r.Diagnostics).ToString());
    }

    [Fact]
    public void DefaultIdsNumberRepeatedOps()
    {
        var recipe = Bind(Head + "steps:\n  - op: abs\n  - op: abs\n    id: named\n  - op: abs\n  - op: prewitt\n  - op: abs\n");
        Assert.Equal(["abs", "named", "abs_2", "prewitt", "abs_3"], recipe.Steps.Select(s => s.Id));
        Assert.Equal(["xray"], recipe.Steps[0].Inputs.Select(i => i.Source));
        Assert.Equal(["abs_2"], recipe.Steps[3].Inputs.Select(i => i.Source));
    }

    [Theory]
    // The contract: "default: the op name, then op_2, op_3 ... when repeated". An explicit id that took the name a
    // default would get is skipped, so a repeated op never collides with an earlier step (it was XRF1028).
    [InlineData("  - op: abs\n    id: abs\n  - op: abs\n", "abs,abs_2")]
    [InlineData("  - op: abs\n  - op: abs\n    id: abs_2\n  - op: abs\n  - op: abs\n", "abs,abs_2,abs_3,abs_4")]
    [InlineData("  - op: map\n    id: abs\n    expr: x\n  - op: abs\n  - op: abs\n", "abs,abs_2,abs_3")]
    [InlineData("  - op: abs\n  - op: abs\n    id: abs_2\n  - op: abs\n    id: abs_3\n  - op: abs\n", "abs,abs_2,abs_3,abs_4")] // two taken in a row
    public void DefaultIdsSkipTheIdsOfEarlierSteps(string steps, string ids)
    {
        var recipe = Bind(Head + "steps:\n" + steps);
        Assert.Equal(ids.Split(','), recipe.Steps.Select(s => s.Id));
    }

    [Theory]
    // Mutation-tested: the percentile bound (p0 to p100) and a matrix's row count could be widened and every test passed.
    [InlineData("in_range: [p2, p101]", "recipe.yaml:5:61: error XRF1040: parameter 'in_range' of op 'rescale_intensity' must be a percentile from p0 to p100; found p101")]
    [InlineData("in_range: [p100.5, p2]", "recipe.yaml:5:57: error XRF1040: parameter 'in_range' of op 'rescale_intensity' must be a percentile from p0 to p100; found p100.5")]
    [InlineData("in_range: [p0, p100]", null)]
    public void PercentileItemsStayFromP0ToP100(string param, string? error)
    {
        var r = TestOps.Load(Head + "steps:\n  - {id: r, op: rescale_intensity, in: xray, " + param + "}\n");
        AssertErrors(error, r);
    }

    [Theory]
    [InlineData("[[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]]", "4 x 3")]
    [InlineData("[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]", "3 x 4")]
    public void AnAffineMatrixHasAtMostThreeRowsAndColumns(string matrix, string found)
    {
        var r = TestOps.Load(Head + "steps:\n  - op: affine_transform\n    in: xray\n    matrix: " + matrix + "\n");
        var d = Assert.Single(r.Diagnostics, d => d.IsError);
        Assert.Contains("at most 3 rows and columns", d.Message, StringComparison.Ordinal);
        Assert.Contains(found, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADefaultIdStillCollidesWithAnInputOrALaterExplicitId()
    {
        var input = TestOps.Load("xrayflow: 1\ninputs:\n  abs: image\nsteps:\n  - op: abs\n");
        Assert.Equal("recipe.yaml:5:5: error XRF1028: the name 'abs' is already used by an input on line 3", Assert.Single(input.Diagnostics).ToString());
        var later = TestOps.Load(Head + "steps:\n  - op: abs\n  - op: abs\n    id: abs\n");
        Assert.Equal("recipe.yaml:7:9: error XRF1028: the name 'abs' is already used by a step on line 5", Assert.Single(later.Diagnostics).ToString());
    }

    [Theory]
    [Covers("XRF1076")]
    // A scalar step in an expression is read through the `in` map; `${p90}` there used to say "unknown param
    // '${p90}'; declare it under 'params'" (a whole value) or "write the param's name (p90) directly" (inside the
    // text), advice that then failed with XRF3004, since p90 is a step, not a param.
    [InlineData("    cond: \"x > ${p90}\"\n    then: x\n    else: 0\n", "recipe.yaml:8:16: error XRF1076: '${p90}' names step 'p90', whose value exists only when the recipe runs, so an expression cannot take it as `${...}`; list it in this step's `in` map under a variable name (in: {x: ..., p90: p90}) and write p90")]
    [InlineData("    cond: \"x > 3\"\n    then: x\n    else: ${p90}\n", "recipe.yaml:10:11: error XRF1076: '${p90}' names step 'p90', whose value exists only when the recipe runs, so an expression cannot take it as `${...}`; list it in this step's `in` map under a variable name (in: {x: ..., p90: p90}) and write p90")]
    public void AStepReferenceInAnExpressionPointsAtTheInMap(string paramsText, string expected)
    {
        var r = TestOps.Load(Head + "steps:\n  - {id: p90, op: percentile, in: xray, q: 90}\n  - op: where\n    in: xray\n" + paramsText);
        Assert.Equal(expected, Assert.Single(r.Diagnostics).ToString());
    }

    [Fact]
    public void AParamReferenceInAnExpressionKeepsItsAdvice()
    {
        // A param named like a step is still a param: `${p}` in an expression is XRF1044 (write p).
        var r = TestOps.Load(Head + "params:\n  abs: 2\nsteps:\n  - op: abs\n  - op: map\n    expr: \"x * ${abs}\"\n");
        Assert.Equal("XRF1044", Assert.Single(r.Diagnostics).Code);
    }

    [Fact]
    public void InMapKeysBecomeVariableNames()
    {
        var recipe = Bind(Head + "steps:\n  - op: abs\n  - op: map\n    in: {a: xray, y: abs}\n    expr: \"a - y\"\n");
        var step = recipe.Steps[1];
        Assert.Equal([("xray", "a"), ("abs", "y")], step.Inputs.Select(i => (i.Source, i.VariableName!)));
        Assert.Equal(new SourceLocation("recipe.yaml", 7, 13), step.Inputs[0].Location);
    }

    [Fact]
    public void SetOverridesAParamAndItsUses()
    {
        const string text = Head + "params:\n  s: 2\n  t: 100\n  m: nearest\nsteps:\n  - op: gaussian_filter\n    sigma: ${s}\n    mode: ${m}\n  - op: where\n    cond: ${t}\n    then: x\n    else: 0\n";
        var plain = Bind(text);
        var set = Bind(text, new Dictionary<string, string> { ["s"] = "0.5", ["m"] = "wrap" });
        Assert.Equal(new[] { 2.0 }, (double[])plain.Steps[0].Params["sigma"]!);
        Assert.Equal(new[] { 0.5 }, (double[])set.Steps[0].Params["sigma"]!);
        Assert.Equal("wrap", set.Steps[0].Params["mode"]);
        Assert.Equal(0.5, set.Params.Single(p => p.Name == "s").Value);
        Assert.Equal(100.0, ((ExpressionValue)set.Steps[1].Params["cond"]!).Number);
        Assert.NotEqual(plain.CanonicalText, set.CanonicalText);
    }

    [Fact]
    public void SetValueIsCheckedAgainstTheParametersThatUseIt()
    {
        var r = TestOps.Load(Head + "params:\n  s: 2\nsteps:\n  - op: gaussian_filter\n    sigma: ${s}\n", new Dictionary<string, string> { ["s"] = "-3" });
        var d = Assert.Single(r.Diagnostics);
        // The number is not written at the location: the message says where it came from (noticed by the recipes
        // walk-through: "found -3" at `sigma: ${s}` did not say that --set gave it).
        Assert.Equal("recipe.yaml:8:12: error XRF1040: parameter 'sigma' of op 'gaussian_filter' must be >= 0 and <= 1000; found -3 (from ${s}, given by --set s=-3)", d.ToString());
        var declared = Assert.Single(TestOps.Load(Head + "params:\n  s: -3\nsteps:\n  - op: gaussian_filter\n    sigma: ${s}\n").Diagnostics);
        Assert.Equal("recipe.yaml:8:12: error XRF1040: parameter 'sigma' of op 'gaussian_filter' must be >= 0 and <= 1000; found -3 (from ${s})", declared.ToString());
    }

    [Fact]
    public void CanonicalTextIgnoresCommentsOrderQuotingAndNumberSpelling()
    {
        var a = Bind(Head + "steps:\n  - op: gaussian_filter\n    sigma: 2\n    mode: nearest\noutputs:\n  gaussian_filter: out.npy\n");
        var b = Bind("# a comment\ninputs: {xray: image}\nxrayflow: 1\nname: recipe\ndescription: not part of the meaning\nsteps:\n  - mode: \"nearest\"   # quoted\n    sigma: 2.0\n    op: gaussian_filter\n    truncate: 4\noutputs:\n  gaussian_filter: {path: 'out.npy'}\n");
        Assert.Equal(a.CanonicalText, b.CanonicalText);
        var c = Bind(Head + "steps:\n  - op: gaussian_filter\n    sigma: 2.5\n    mode: nearest\noutputs:\n  gaussian_filter: out.npy\n");
        Assert.NotEqual(a.CanonicalText, c.CanonicalText);
        Assert.Contains("\"sigma\":[2]", a.CanonicalText);
        Assert.Contains("\"truncate\":4", a.CanonicalText);
    }

    [Fact]
    public void DefaultInputPathIsRelativeToTheRecipeFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"xrayflow-lang-{Guid.NewGuid():N}", "recipes");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "r.yaml");
            File.WriteAllText(path, "xrayflow: 1\ninputs:\n  xray: {kind: stack, default: ../images/*.png}\nsteps: []\n");
            var r = RecipeLoader.Load(path);
            var input = Assert.Single(r.Recipe!.Inputs);
            Assert.Equal(InputKind.Stack, input.Kind);
            Assert.Equal("../images/*.png", input.DefaultPathText);
            Assert.Equal(Path.GetFullPath(Path.Combine(dir, "..", "images", "*.png")), input.DefaultPath);
            Assert.Equal("r", r.Recipe.Name); // the file stem
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(dir)!, true);
        }
    }

    [Fact]
    public void FourierGaussianAfterFft2HasNoWarning()
    {
        var r = TestOps.Load(Head + "steps:\n  - op: fft2\n  - op: fourier_gaussian\n    sigma: 3\n  - op: ifft2\n  - op: fourier_gaussian\n    sigma: 1\n");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF1058", 9), (d.Code, d.Location!.Value.Line)); // only the one after ifft2
        Assert.NotNull(r.Recipe); // warnings do not stop binding
    }

    [Fact]
    public void ValueKindsFlowThroughSteps()
    {
        var recipe = Bind("xrayflow: 1\ninputs:\n  frames: stack\nsteps:\n  - op: gaussian_filter\n    sigma: 1\n  - op: montage\n  - op: histogram\n    in: montage\n  - op: stats\n    in: frames\n  - op: merge_tables\n    in: [histogram, stats]\noutputs:\n"
            + "  anim: {from: gaussian_filter, path: \"{stem}.gif\", duration_ms: 200}\n  montage: m.png\n  hist: {from: histogram, path: h.png}\n  stats: s.json\n  merged: {from: merge_tables, path: all.json}\n  raw: {from: frames, path: frames.npy}\n");
        Assert.Equal([ValueKind.Stack, ValueKind.Image, ValueKind.Table, ValueKind.Table, ValueKind.Table], recipe.Steps.Select(s => s.OutputKind));
        var anim = recipe.Outputs[0];
        Assert.Equal((OutputFormat.Gif, 200, 0), (anim.Format, anim.Options["duration_ms"], anim.Options["loop"]));
        Assert.Equal(OutputFormat.Png, recipe.Outputs[2].Format); // a histogram renders as a plot
        Assert.Equal("frames", recipe.Outputs[5].From);
    }

    [Fact]
    public void FigurePanelsBind()
    {
        var recipe = Bind(Head + "steps:\n  - op: abs\noutputs:\n  compare:\n    path: \"{stem}_compare.png\"\n    title: Before and after\n    columns: 2\n    panels:\n      - {from: xray, title: Original, colormap: gray}\n      - {from: abs, title: Abs, vmin: 0, vmax: 255}\n");
        var o = Assert.Single(recipe.Outputs);
        Assert.Equal("xray", o.From);
        Assert.Equal((2, "Before and after"), (o.Options["columns"], o.Options["title"]));
        Assert.Equal([("xray", "Original"), ("abs", "Abs")], o.Panels!.Select(p => (p.From, p.Title!)));
        Assert.Equal("gray", o.Panels![0].Options["colormap"]);
        Assert.Equal((0.0, 255.0), (o.Panels[1].Options["vmin"], o.Panels[1].Options["vmax"]));
    }

    /// <summary>
    /// compare.yaml titles its mask panels "Mask (> 150, ...)" while `--set threshold=120` changes the masks, and a
    /// `${threshold}` written in a title was drawn as those characters (validate said ok). A title (a figure's, a
    /// panel's, a histogram plot's) now takes params as a longer string parameter does: each `${name}` is replaced
    /// by the value (after --set), and an unknown name is the same error as there.
    /// </summary>
    [Fact]
    public void AParamInATitleIsReplacedByItsValue()
    {
        const string text = "xrayflow: 1\nparams:\n  threshold: 150\ninputs:\n  xray: image\nsteps:\n  - op: abs\n  - {id: h, op: histogram, in: xray}\n"
            + "outputs:\n  fig:\n    path: f.png\n    title: \"Above ${threshold}\"\n    panels:\n      - {from: abs, title: \"Mask (> ${ threshold }, noisy)\"}\n"
            + "  plot: {from: h, path: h.png, title: \"Counts (${threshold})\"}\n";
        var recipe = Bind(text, new Dictionary<string, string> { ["threshold"] = "120" });
        Assert.Equal("Above 120", recipe.Outputs[0].Options["title"]);
        Assert.Equal("Mask (> 120, noisy)", recipe.Outputs[0].Panels![0].Title);
        Assert.Equal("Counts (120)", recipe.Outputs[1].Options["title"]);
        Assert.Equal("Mask (> 150, noisy)", Bind(text).Outputs[0].Panels![0].Title);

        var r = TestOps.Load(text.Replace("(> ${ threshold }", "(> ${treshold}", StringComparison.Ordinal));
        Assert.Equal(["recipe.yaml:14:37: error XRF1043: unknown param '${treshold}'; declare it under 'params'; did you mean 'threshold'?"], r.Diagnostics.Select(d => d.ToString()));
    }

    /// <summary>
    /// preprocess-for-training says "another size: --set size=256", and --set size=256 wrote its 256 x 256 array to
    /// {stem}_224.npy: `{stem}_${size}.npy` was refused as an unknown placeholder '{size}'. A `${name}` in an output
    /// path is now replaced by the param's value (after --set), and the path is checked after that (a value that
    /// leaves --out is refused as a path that does).
    /// </summary>
    [Fact]
    public void AParamInAnOutputPathIsReplacedByItsValue()
    {
        const string text = "xrayflow: 1\nparams:\n  size: 224\n  dir: sized\ninputs:\n  xray: image\nsteps:\n  - op: abs\n"
            + "outputs:\n  abs: \"${dir}/{stem}_${ size }.npy\"\n";
        Assert.Equal("sized/{stem}_224.npy", Bind(text).Outputs[0].PathTemplate);
        Assert.Equal("sized/{stem}_256.npy", Bind(text, new Dictionary<string, string> { ["size"] = "256" }).Outputs[0].PathTemplate);

        var escapes = TestOps.Load(text, new Dictionary<string, string> { ["dir"] = "../up" });
        Assert.Equal("XRF1051", Assert.Single(escapes.Diagnostics).Code);
        var unknown = TestOps.Load(text.Replace("${ size }", "${sise}", StringComparison.Ordinal));
        Assert.Equal(["recipe.yaml:10:23: error XRF1043: unknown param '${sise}'; declare it under 'params'; did you mean 'size'?"], unknown.Diagnostics.Select(d => d.ToString()));

        // {size} without the $ was "the only placeholder is {stem}", which did not say how to use the param.
        var braces = TestOps.Load(text.Replace("${ size }", "{size}", StringComparison.Ordinal));
        Assert.Equal(["recipe.yaml:10:23: error XRF1052: unknown placeholder '{size}' in output path; the placeholders are {stem} and {relstem}; write ${size} for the value of param 'size'"], braces.Diagnostics.Select(d => d.ToString()));
        Assert.Equal("recipe.yaml:10:23: error XRF1052: unknown placeholder '{width}' in output path; the placeholders are {stem} and {relstem}", Assert.Single(TestOps.Load(text.Replace("${ size }", "{width}", StringComparison.Ordinal)).Diagnostics).ToString());
        Assert.Equal("sized/{relstem}_224.npy", Bind(text.Replace("{stem}", "{relstem}", StringComparison.Ordinal)).Outputs[0].PathTemplate);
    }

    /// <summary>A title that is only `${name}` is the value as text (it was read as the param's number and refused: "must be a string; found number 150").</summary>
    [Fact]
    public void ATitleThatIsOnlyAParamIsItsValueAsText()
    {
        const string text = "xrayflow: 1\nparams:\n  threshold: 150\ninputs:\n  xray: image\nsteps:\n  - op: abs\n  - {id: h, op: histogram, in: xray}\n"
            + "outputs:\n  fig:\n    path: f.png\n    title: ${threshold}\n    panels:\n      - {from: abs, title: \"${threshold}\"}\n"
            + "  plot: {from: h, path: h.png, title: \"${threshold}\"}\n";
        var recipe = Bind(text, new Dictionary<string, string> { ["threshold"] = "120" });
        Assert.Equal("120", recipe.Outputs[0].Options["title"]);
        Assert.Equal("120", recipe.Outputs[0].Panels![0].Title);
        Assert.Equal("120", recipe.Outputs[1].Options["title"]);

        // A number written as a title is still not text.
        var r = TestOps.Load(text.Replace("title: ${threshold}\n    panels", "title: 150\n    panels", StringComparison.Ordinal));
        Assert.Equal(["XRF1055"], r.Diagnostics.Select(d => d.Code));
    }

    /// <summary>
    /// window without center and width takes the DICOM header's, which only an input carries: after a step it
    /// failed every image at run time while validate said ok (found by a black-box audit). Right after the input,
    /// or with both given, it binds.
    /// </summary>
    [Fact]
    public void AWindowFromTheHeaderAfterAStepIsAnError()
    {
        const string head = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - {id: g, op: gaussian_filter, in: xray, sigma: 1}\n";
        var r = TestOps.Load(head + "  - {id: w, op: window, in: g, center: 40}\n");
        Assert.Equal(["recipe.yaml:6:17: error XRF1062: step 'w': without width the window is the DICOM header's, which only an input read from a file carries, and 'g' is a step's output (other ops drop the header): give center and width, or put window right after the DICOM input"],
            r.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()));
        Assert.Contains("without center and width the window", Assert.Single(TestOps.Load(head + "  - {id: w, op: window, in: g}\n").Diagnostics, d => d.IsError).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestOps.Load(head + "  - {id: w, op: window, in: xray}\n").Diagnostics, d => d.IsError);
        Assert.DoesNotContain(TestOps.Load(head + "  - {id: w, op: window, in: g, center: 40, width: 400}\n").Diagnostics, d => d.IsError);
    }

    [Fact]
    public void FigurePanelOfAStackIsAnError()
    {
        var r = TestOps.Load("xrayflow: 1\ninputs:\n  f: stack\nsteps: []\noutputs:\n  c: {path: c.png, panels: [{from: f}]}\n");
        Assert.Equal(["recipe.yaml:6:36: error XRF1050: output 'c': cannot write a stack ('f') as .png; tile its frames into one image with the 'montage' op, or write it as .gif"], r.Diagnostics.Select(d => d.ToString()));
    }

    /// <summary>
    /// What a figure panel, an overlay or a picture cannot show is refused when the recipe is checked (it passed
    /// validate and failed every image at run time): a table or a complex array as a panel, a complex overlay, and
    /// literal bounds with vmin above vmax, and a complex array as its own .png (which showed the real part alone
    /// with a colormap, and failed at run time without one). A histogram table as its own .png stays allowed.
    /// </summary>
    [Fact]
    public void PanelsOverlaysAndBoundsNoPictureCanShowAreErrors()
    {
        var r = TestOps.Load("""
            xrayflow: 1
            inputs:
              xray: image
            steps:
              - {id: h, op: histogram, in: xray}
              - {id: f, op: fft2, in: xray}
              - {id: s, op: gaussian_filter, in: xray, sigma: 1}
            outputs:
              fig: {path: fig.png, panels: [{from: h}, {from: f}, {from: s, vmin: 3, vmax: -1}, {from: s, vmin: 2, vmax: 2}]}
              ov: {from: s, path: ov.png, overlay: {from: f}}
              p: {from: s, path: p.png, colormap: gray, vmin: 3, vmax: -1.5}
              hp: {from: h, path: h.png}
              fp: {from: f, path: f.png}
            """);
        Assert.Equal(
        [
            "recipe.yaml:9:40: error XRF1050: output 'fig': cannot write a table ('h') as a figure panel; a panel shows an image; write the table as its own .png plot, .json or .csv",
            "recipe.yaml:9:51: error XRF1050: output 'fig': cannot write a complex array ('f') as a figure panel; a panel shows real values: take 'abs' of it first",
            "recipe.yaml:9:80: error XRF1055: output option 'vmax' must be a number at or above vmin (3); found -1",
            "recipe.yaml:10:47: error XRF1050: output 'ov': cannot write a complex array ('f') as an overlay; an overlay outlines the regions of a real image (a mask or a label image): take 'abs' of it first",
            "recipe.yaml:11:60: error XRF1055: output option 'vmax' must be a number at or above vmin (3); found -1.5",
            "recipe.yaml:13:3: error XRF1050: output 'fp': cannot write a complex array ('f') as .png; a picture shows real values: take 'abs' of it (or 'ifft2' with part: real) first, or write it as .npy (complex64)",
        ], r.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()));
    }

    /// <summary>Options a .png output would silently ignore are refused: a figure's arrangement on a plain picture, a plain picture's on a figure, 16 bits in colour, a range beside labels.</summary>
    [Fact]
    public void PictureOptionsThatWouldBeIgnoredAreErrors()
    {
        var r = TestOps.Load("""
            xrayflow: 1
            inputs:
              xray: image
            steps:
              - {id: s, op: gaussian_filter, in: xray, sigma: 1}
            outputs:
              a: {from: s, path: a.png, panel_size: 100, columns: 3}
              b: {path: b.png, panels: [{from: s}], bits: 16, colormap: gray, vmin: 0, vmax: 1}
              c: {from: s, path: c.png, bits: 16, colormap: viridis}
              d: {from: s, path: d.png, colormap: labels, vmin: 0}
              e: {path: e.png, panels: [{from: s, colormap: labels, colorbar: true}]}
              ok: {from: s, path: ok.png, bits: 16, compression: 9}
            """);
        Assert.Equal(
        [
            "recipe.yaml:7:29: error XRF1026: unknown key 'panel_size' in a .png output without panels; columns and panel_size arrange a figure's panels",
            "recipe.yaml:7:46: error XRF1026: unknown key 'columns' in a .png output without panels; columns and panel_size arrange a figure's panels",
            "recipe.yaml:8:41: error XRF1026: unknown key 'bits' in a figure output; colormap, vmin and vmax go on each panel, and a figure is 8-bit RGB",
            "recipe.yaml:8:51: error XRF1026: unknown key 'colormap' in a figure output; colormap, vmin and vmax go on each panel, and a figure is 8-bit RGB",
            "recipe.yaml:8:67: error XRF1026: unknown key 'vmin' in a figure output; colormap, vmin and vmax go on each panel, and a figure is 8-bit RGB",
            "recipe.yaml:8:76: error XRF1026: unknown key 'vmax' in a figure output; colormap, vmin and vmax go on each panel, and a figure is 8-bit RGB",
            "recipe.yaml:9:35: error XRF1055: output option 'bits' must be 8 with a colormap or an overlay (colours are 8-bit RGB); found 16",
            "recipe.yaml:10:47: error XRF1026: unknown key 'vmin' in a picture with colormap: labels; labels get one colour each, without a range",
            "recipe.yaml:11:57: error XRF1026: unknown key 'colorbar' in a picture with colormap: labels; labels get one colour each, without a range",
        ], r.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()));
    }

    /// <summary>Title characters the shipped font cannot draw (CJK, emoji, a line break) are a warning naming them; drawable ones are not.</summary>
    [Fact]
    [Covers("XRF1075")]
    public void TitleCharactersTheFontLacksAreAWarning()
    {
        var r = TestOps.Load("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - {id: s, op: gaussian_filter, in: xray, sigma: 1}\noutputs:\n  fig: {path: fig.png, title: \"中文 é µ →\", panels: [{from: s, title: \"one\\ntwo 🙂\"}, {from: s, title: \"Sobel (edges) - grayscale α² ✓\"}]}\n");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal(
        [
            "recipe.yaml:7:31: warning XRF1075: the title has the characters '中' (U+4E2D), '文' (U+6587) that the figure font (DejaVu Sans, shipped) cannot draw: each is drawn as an empty box",
            "recipe.yaml:7:69: warning XRF1075: a panel's title has the characters U+000A (a control character), '🙂' (U+1F642) that the figure font (DejaVu Sans, shipped) cannot draw: each is drawn as an empty box",
        ], r.Diagnostics.Select(d => d.ToString()));
    }

    /// <summary>Two references users write that cannot work say why: a step's own id as its parameter, a step's field as an `in` variable.</summary>
    [Fact]
    public void ASelfReferenceAndAFieldInAnInMapSayWhy()
    {
        var r = TestOps.Load("""
            xrayflow: 1
            inputs:
              xray: image
            steps:
              - {id: st, op: stats, in: xray, percentiles: [1, 99]}
              - {id: f, op: clip, in: xray, max: "${f}"}
              - {id: m, op: where, in: {x: xray, t: st.p1}, cond: "x > t", then: "x", else: 0}
            outputs:
              f: f.npy
              m: m.npy
            """);
        Assert.Equal(
        [
            "recipe.yaml:6:39: error XRF1043: unknown param '${f}'; declare it under 'params' (or a number an earlier step computes); 'f' is this step itself, whose value does not exist yet",
            "recipe.yaml:7:41: error XRF1030: unknown name 'st.p1': not an input or an earlier step; it names a field of step 'st', and `in` takes whole steps or inputs: use ${st.p1} as a parameter value, or a step that computes that number (percentile, threshold_*)",
        ], r.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()));
    }

    /// <summary>An empty or non-list `panels` is one error, without a second one about the output's own name as its source.</summary>
    [Theory]
    [InlineData("[]", "an empty list")]
    [InlineData("{from: s}", "a map")]
    public void ABadPanelsListIsOneError(string panels, string found)
    {
        var r = TestOps.Load("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - {id: s, op: gaussian_filter, in: xray, sigma: 1}\noutputs:\n  fig: {path: fig.png, panels: " + panels + "}\n");
        var d = Assert.Single(r.Diagnostics, x => x.IsError);
        Assert.Equal($"recipe.yaml:7:32: error XRF1023: 'panels' of output 'fig' must be a non-empty list of {{from, title, ...}}; found {found}", d.ToString());
    }

    [Fact]
    public void TestsSectionBinds()
    {
        string digest = "sha256:" + new string('A', 64);
        var recipe = Bind(Head + "steps:\n  - op: abs\noutputs:\n  abs: abs.npy\n  png: {from: abs, path: a.png}\ntests:\n  - name: sample0\n    inputs: {xray: samples/a.png}\n    expect:\n      abs: {npy: ref/abs.npy, tolerance: 1e-3}\n      png: \"" + digest + "\"\n  - inputs: {xray: b.png}\n    expect:\n      png: {digest: \"" + digest + "\"}\n");
        Assert.Equal(2, recipe.Tests.Count);
        var t = recipe.Tests[0];
        Assert.Equal("sample0", t.Name);
        Assert.Equal(Path.GetFullPath("samples/a.png"), t.Inputs["xray"]);
        Assert.Equal("sha256:" + new string('a', 64), t.ExpectedDigests["png"]);
        Assert.Equal(1e-3, t.Tolerance);
        Assert.Equal(Path.GetFullPath("ref/abs.npy"), t.Expectations[0].NpyPath);
        Assert.Equal("test_2", recipe.Tests[1].Name);
        Assert.Equal("sha256:" + new string('a', 64), recipe.Tests[1].ExpectedDigests["png"]);
    }

    [Fact]
    public void AllProblemsAreReportedInOnePassSortedByLocation()
    {
        var r = TestOps.Load("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gausian_filter\n    sigma: 2\n  - op: gaussian_filter\n    sigma: 2\n    mode: relfect\n  - op: abs\n    in: nope\noutputs:\n  x: {from: abs, path: ../x.npy}\nbogus: 1\n");
        Assert.Equal(["5:9 XRF1003", "9:11 XRF1041", "11:9 XRF1030", "13:24 XRF1051", "14:1 XRF1022"], r.Diagnostics.Select(d => $"{d.Location!.Value.Line}:{d.Location.Value.Column} {d.Code}"));
        Assert.Null(r.Recipe);
    }

    [Fact]
    public void Yaml11WordsAsKeysAreFine()
    {
        var recipe = Bind(Head + "steps:\n  - op: abs\n  - op: map\n    in: {x: xray, y: abs}\n    expr: \"x + y\"\n");
        Assert.Equal(["x", "y"], recipe.Steps[1].Inputs.Select(i => i.VariableName!));
    }

    [Fact]
    public void BlockScalarExpressionStartsOnItsFirstContentLine()
    {
        var recipe = Bind(Head + "steps:\n  - op: map\n    expr: |\n      x * 2\n");
        var e = (ExpressionValue)recipe.Steps[0].Params["expr"]!;
        Assert.Equal("x * 2\n", e.Text);
        Assert.Equal(new SourceLocation("recipe.yaml", 7, 7), e.Location);
    }

    [Fact]
    public void ExpressionFromAStringParamPointsAtTheParam()
    {
        var recipe = Bind(Head + "params:\n  rule: \"x > 3\"\nsteps:\n  - op: where\n    cond: ${rule}\n    then: x\n    else: 0\n");
        var e = (ExpressionValue)recipe.Steps[0].Params["cond"]!;
        Assert.Equal(("x > 3", new SourceLocation("recipe.yaml", 5, 10)), (e.Text, e.Location));
    }

    [Fact]
    public void DefaultsFillEveryDeclaredParameter()
    {
        var step = Bind(Head + "steps:\n  - op: gaussian_filter\n    sigma: [1, 2]\n").Steps[0];
        Assert.Equal(["cval", "mode", "order", "radius", "sigma", "truncate"], step.Params.Keys.Order());
        Assert.Null(step.Params["radius"]);
        Assert.Equal(new[] { 0 }, (int[])step.Params["order"]!);
        Assert.Equal(4.0, step.Params["truncate"]);
        Assert.Equal(new[] { 1.0, 2.0 }, (double[])step.Params["sigma"]!);
    }

    [Fact]
    public void StringParamSubstitutesParamsInside()
    {
        var step = Bind(Head + "params:\n  n: 3\nsteps:\n  - op: threshold\n    level: 1\n    label: \"mask_${n}\"\n").Steps[0];
        Assert.Equal("mask_3", step.Params["label"]);
    }

    [Fact]
    public void LoadingRealRegistryNeverThrows()
    {
        var r = RecipeLoader.LoadText("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: abs\noutputs:\n  abs: a.npy\n", "r.yaml");
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Same(OpRegistry.Get("abs"), r.Recipe!.Steps[0].Op);
    }

    /// <summary>
    /// match_histograms takes a stack and its one reference image (its InputSpec mixes kinds); other ops of several
    /// arrays still want one kind (XRF1037); a stack as the reference of an image, or of a stack of other frames, is
    /// refused where the shapes are known (a stack of as many frames is matched frame for frame).
    /// </summary>
    [Fact]
    public void AStackMatchesOneReferenceImageWhereOnlyThatOpMixesKinds()
    {
        var ok = TestOps.Load("xrayflow: 1\ninputs:\n  f: stack\n  r: image\nsteps:\n  - op: match_histograms\n    in: [f, r]\noutputs:\n  match_histograms: m.npy\n");
        Assert.False(ok.HasErrors, string.Join("\n", ok.Diagnostics));
        var mixed = TestOps.Load("xrayflow: 1\ninputs:\n  f: stack\n  r: image\nsteps:\n  - op: add\n    in: [f, r]\noutputs:\n  add: m.npy\n");
        Assert.Equal(["XRF1037"], mixed.Diagnostics.Select(d => d.Code));
        string[] Problems(Core.Ops.ValueInfo image, Core.Ops.ValueInfo reference)
        {
            var info = new Core.Ops.InferContext { StepId = "m", Params = new Dictionary<string, object?>(), Inputs = [image, reference] };
            OpRegistry.Get("match_histograms").Shape!(info);
            return info.Problems.Select(p => p.Message).ToArray();
        }

        var image = new Core.Ops.ValueInfo(Core.Ops.ValueKind.Image, 1, 20, 30);
        var stack3 = new Core.Ops.ValueInfo(Core.Ops.ValueKind.Stack, 3, 20, 30);
        Assert.Contains("reference (its second input) is a stack and the image is not", Assert.Single(Problems(image, stack3)), StringComparison.Ordinal);
        Assert.Contains("has 3 frames and the image stack 4", Assert.Single(Problems(stack3 with { Frames = 4 }, stack3)), StringComparison.Ordinal);
        Assert.Empty(Problems(stack3, stack3 with { Rows = 7 }));
        Assert.Empty(Problems(stack3, image with { Cols = 99 }));
    }

    // ---------------------------------------------------------------- from surviving mutants of the binder

    [Fact]
    public void ADuplicateKeyNamesTheLineOfTheFirst()
    {
        var r = TestOps.Load("xrayflow: 1\nname: a\ninputs:\n  xray: image\nname: b\n");
        Assert.Equal("recipe.yaml:5:1: error XRF1006: duplicate key 'name' (first written on line 2)", Assert.Single(r.Diagnostics, d => d.Code == "XRF1006").ToString());
    }

    [Fact]
    public void AMissingVersionIsReportedAtTheFirstKey()
    {
        var r = TestOps.Load("# a recipe\n\nname: a\n");
        Assert.Equal("recipe.yaml:3:1", Assert.Single(r.Diagnostics, d => d.Code == "XRF1020").Location!.ToString());
    }

    [Theory]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("FALSE", false)]
    public void ABooleanParamTakesTheSpellingsOfYaml12FromSet(string text, bool expected)
    {
        var recipe = Bind(Head + "params:\n  on: false\nsteps:\n  - op: abs\n", new Dictionary<string, string> { ["on"] = text });
        Assert.Equal(expected, Assert.Single(recipe.Params, p => p.Name == "on").Value);
    }

    [Fact]
    public void AListTakesNoMoreValuesThanItsMost()
    {
        var r = TestOps.Load(Head + "steps:\n  - {id: r, op: rescale_intensity, in: xray, in_range: [1, 2, 3]}\n");
        var d = Assert.Single(r.Diagnostics, d => d.IsError);
        Assert.Contains("parameter 'in_range' of op 'rescale_intensity'", d.Message, StringComparison.Ordinal);
        Assert.Contains("found 3 values", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vmin: 5, vmax: 4.5", "recipe.yaml:7:37: error XRF1055: output option 'vmax' must be a number at or above vmin (5); found 4.5")]
    [InlineData("vmin: 5, vmax: 5", null)]
    public void VminAboveVmaxIsRefused(string options, string? error)
    {
        var r = TestOps.Load(Head + "steps:\n  - op: abs\noutputs:\n  abs: {path: a.png, " + options + "}\n");
        AssertErrors(error, r);
    }

    [Fact]
    public void AOneCharacterDefaultIsAPathInTheRecipesFolder()
    {
        var recipe = TestOps.Load("xrayflow: 1\ninputs:\n  xray: {kind: image, default: a}\nsteps:\n  - op: abs\n", path: "/recipes/r.yaml").Recipe!;
        Assert.Equal("/recipes/a", Assert.Single(recipe.Inputs).DefaultPath);
    }
}

using System.Reflection;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>
/// One annotated recipe per diagnostic: the marked span is where the diagnostic must point, and the
/// recipe must produce exactly the marked diagnostics (no more, no fewer) unless a case allows extras.
/// </summary>
public class DiagnosticSpanTests
{
    private const string Head = "xrayflow: 1\ninputs:\n  xray: image\n";

    /// <summary>(code, annotated recipe, --set overrides as "a=b;c=d" or "", other codes allowed besides the marked ones).</summary>
    public static TheoryData<string, string, string, string> Cases => new()
    {
        { "XRF1001", "xrayflow: 1\ninputs:\n  xray: image\nsteps: [|]|]\n", "", "" },
        { "XRF1001", "xrayflow: 1\ninputs:\n  xray: image\n  [|bad|]\n  y: image\n", "", "" },
        // A tab in the indentation is located at the tab (YamlDotNet says line 1 or the enclosing scalar's start).
        { "XRF1001", Head + "steps:\n[|\t|]- op: abs\n", "", "" },
        { "XRF1001", "xrayflow: 1\ninputs:\n[|\t|]xray: image\nsteps:\n  - op: abs\n", "", "" },
        { "XRF1001", Head + "steps:\n  - op: abs\n\noutputs:\n[|\t|]abs: a.npy\n", "", "" },
        { "XRF1001", Head + "steps:\n  - op: abs\n[|\t|]id: q\n", "", "" },
        { "XRF1001", Head + "steps:\n  - op: gaussian_filter\n    sigma: 1\n [|\t|]\noutputs:\n  gaussian_filter: a.npy\n", "", "" },
        // An error that is not about a tab stays where the parser puts it, even with a tab-indented line after it.
        { "XRF1001", "xrayflow: 1[|:|] 2\ndescription: \"a\n\tb\"\n", "", "" },
        { "XRF1003", Head + "steps:\n  - op: [|gausian_filter|]\n    sigma: 2\n", "", "" },
        { "XRF1003", Head + "steps:\n  - op: [|frobnicate|]\n", "", "" },
        { "XRF1004", "[||]", "", "" },
        { "XRF1004", "[||]# only a comment\n", "", "" },
        { "XRF1005", Head + "steps:\n  - op: gaussian_filter\n    sigma: [|&s|] 2\n", "", "" },
        { "XRF1005", Head + "params:\n  s: [|&s|] 2\nsteps:\n  - op: gaussian_filter\n    sigma: [|*s|]\n", "", "XRF1005,XRF1042" },
        { "XRF1005", Head + "steps:\n  - op: gaussian_filter\n    sigma: 2\n    [|<<|]: {truncate: 3}\n", "", "" },
        { "XRF1006", Head + "steps:\n  - op: gaussian_filter\n    sigma: 2\n    [|sigma|]: 3\n", "", "" },
        { "XRF1007", Head + "steps: []\ndescription: " + new string('[', 63) + "«[»" + new string(']', 64) + "\n", "", "" },
        { "XRF1007", Head + "steps: []\ndescription: " + string.Concat(Enumerable.Repeat("{a: ", 63)) + "[|{|]a: 1" + new string('}', 64) + "\n", "", "" },
        { "XRF1008", Head + "steps: []\n[|---|]\nxrayflow: 1\n", "", "" },
        { "XRF1009", Head + "steps:\n  - op: gaussian_filter\n    sigma: [|!!float|] 2\n", "", "" },
        { "XRF1010", Head + "steps:\n  - op: threshold\n    level: 3\n    invert: [|yes|]\n", "", "" },
        { "XRF1010", Head + "steps:\n  - op: threshold\n    level: 3\n    label: [|Off|]\n", "", "" },
        { "XRF1011", Head + "steps:\n  - op: gaussian_filter\n    sigma: [|010|]\n", "", "" },
        { "XRF1011", Head + "steps:\n  - op: prewitt\n    axis: [|0x1F|]\n", "", "" },
        { "XRF1011", Head + "steps:\n  - op: prewitt\n    axis: [|0o17|]\n", "", "" },
        { "XRF1020", "[|inputs|]:\n  xray: image\nsteps: []\n", "", "" },
        { "XRF1021", "xrayflow: [|2|]\ninputs:\n  xray: image\nsteps: []\n", "", "" },
        { "XRF1022", Head + "steps: []\n[|descripton|]: x\n", "", "" },
        { "XRF1023", Head + "steps: [|hello|]\n", "", "" },
        { "XRF1023", "[|- a|]\n- b\n", "", "" },
        { "XRF1024", "xrayflow: 1\ninputs:\n  xray: [|imgae|]\nsteps: []\n", "", "" },
        { "XRF1025", Head + "steps:\n  - [|sigma|]: 2\n", "", "" },
        { "XRF1025", "xrayflow: 1\ninputs:\n  xray: image\n", "", "" },
        { "XRF1026", "xrayflow: 1\ninputs:\n  xray: {kind: image, [|defualt|]: a.png}\nsteps: []\n", "", "" },
        { "XRF1027", Head + "steps:\n  - op: abs\n    id: [|2nd|]\n", "", "" },
        { "XRF1027", "xrayflow: 1\ninputs:\n  [|my-image|]: image\nsteps: []\n", "", "" },
        { "XRF1028", Head + "steps:\n  - op: abs\n    id: blur\n  - op: abs\n    id: [|blur|]\n", "", "" },
        { "XRF1028", Head + "steps:\n  - op: abs\n    id: [|xray|]\n", "", "" },
        { "XRF1029", "xrayflow: 1\n[|inputs|]: {}\nsteps: []\n", "", "" },
        { "XRF1030", Head + "steps:\n  - op: abs\n    in: [|xary|]\n", "", "" },
        { "XRF1031", Head + "steps:\n  - op: abs\n    in: [|later|]\n  - op: abs\n    id: later\n", "", "" },
        { "XRF1032", "xrayflow: 1\ninputs:\n  a: image\n  b: image\nsteps:\n  - [|op|]: abs\n", "", "" },
        { "XRF1033", Head + "steps:\n  - op: hypot\n    in: [|xray|]\n", "", "" },
        { "XRF1033", Head + "steps:\n  - op: abs\n    in: «[xray, xray]»\n", "", "" },
        { "XRF1034", Head + "steps:\n  - op: abs\n    in: [|{|]a: xray}\n", "", "" },
        { "XRF1035", Head + "steps:\n  - op: montage\n    in: [|xray|]\n", "", "" },
        { "XRF1036", Head + "steps:\n  - op: stats\n    id: st\n  - op: abs\n    in: [|st|]\n", "", "" },
        { "XRF1037", "xrayflow: 1\ninputs:\n  a: image\n  b: stack\nsteps:\n  - op: hypot\n    in: [a, [|b|]]\n", "", "" },
        { "XRF1038", Head + "steps:\n  - op: gaussian_filter\n    sigma: 2\n    [|sigmaa|]: 2\n", "", "" },
        { "XRF1039", Head + "steps:\n  - op: gaussian_filter\n    sigma: [|\"two\"|]\n", "", "" },
        { "XRF1039", Head + "steps:\n  - op: prewitt\n    axis: [|1.5|]\n", "", "" },
        { "XRF1039", Head + "steps:\n  - op: threshold\n    level: [|true|]\n", "", "" },
        { "XRF1039", Head + "steps:\n  - op: gaussian_filter\n    sigma: [1, [|x|]]\n", "", "" },
        { "XRF1039", Head + "steps:\n  - op: where\n    cond: [|{a: 1}|]\n    then: x\n    else: 0\n", "", "" },
        { "XRF1040", Head + "steps:\n  - op: gaussian_filter\n    sigma: 2\n    truncate: [|-1|]\n", "", "" },
        { "XRF1040", Head + "steps:\n  - op: gaussian_filter\n    sigma: [2, [|-1|]]\n", "", "" },
        { "XRF1040", Head + "params:\n  ax: 7\nsteps:\n  - op: prewitt\n    axis: [|${ax}|]\n", "", "" },
        { "XRF1041", Head + "steps:\n  - op: gaussian_filter\n    sigma: 2\n    mode: [|relfect|]\n", "", "" },
        { "XRF1042", Head + "steps:\n  - [|op|]: gaussian_filter\n", "", "" },
        { "XRF1043", Head + "params:\n  sig: 2\nsteps:\n  - op: gaussian_filter\n    sigma: [|${sigm}|]\n", "", "" },
        { "XRF1043", Head + "steps:\n  - op: threshold\n    level: 1\n    label: \"mask_[|${what}|]\"\n", "", "" },
        { "XRF1043", Head + "steps:\n  - op: threshold\n    level: 1\n    label: \"mask\\x5F[|${what}|]\"\n", "", "" },
        { "XRF1044", Head + "params:\n  t: 3\nsteps:\n  - op: where\n    cond: \"x\\t> [|${t}|]\"\n    then: x\n    else: 0\n", "", "" },
        { "XRF1044", Head + "params:\n  t: 3\nsteps:\n  - op: where\n    cond: >\n      x >\n      [|${t}|]\n    then: x\n    else: 0\n", "", "" },
        { "XRF1044", Head + "params:\n  t: 3\nsteps:\n  - op: where\n    cond: \"x > [|${t}|]\"\n    then: x\n    else: 0\n", "", "" },
        { "XRF1076", Head + "steps:\n  - {id: p90, op: percentile, in: xray, q: 90}\n  - op: where\n    in: xray\n    cond: \"x > [|${p90}|]\"\n    then: x\n    else: 0\n", "", "" },
        { "XRF1076", Head + "steps:\n  - {id: p90, op: percentile, in: xray, q: 90}\n  - op: where\n    in: xray\n    cond: \"x > 3\"\n    then: x\n    else: [|${p90}|]\n", "", "" },
        { "XRF1076", Head + "steps:\n  - {id: st, op: stats, in: xray}\n  - op: map\n    in: xray\n    expr: \"x - [|${st.mean}|]\"\n", "", "" },
        { "XRF1045", Head + "steps: []\nparams:\n  t: [|[1, 2]|]\n", "", "" },
        { "XRF1047", Head + "steps: []\nparams:\n  [|t|]: 5\n", "t=abc", "" },
        { "XRF1047", Head + "steps: []\nparams:\n  [|flag|]: true\n", "flag=1", "" },
        { "XRF1048", Head + "steps:\n  - op: abs\noutputs:\n  [|absolute|]: out.npy\n", "", "" },
        { "XRF1048", Head + "steps:\n  - op: abs\noutputs:\n  o: {from: [|ab|], path: o.npy}\n", "", "" },
        { "XRF1049", Head + "steps:\n  - op: abs\noutputs:\n  abs: [|out.tif|]\n", "", "" },
        { "XRF1050", "xrayflow: 1\ninputs:\n  frames: stack\nsteps:\n  - op: abs\noutputs:\n  [|f|]: {from: abs, path: f.png}\n", "", "" },
        { "XRF1050", Head + "steps:\n  - op: abs\noutputs:\n  [|f|]: {from: abs, path: f.gif}\n", "", "" },
        { "XRF1050", Head + "steps:\n  - op: abs\noutputs:\n  [|f|]: {from: abs, path: f.json}\n", "", "" },
        { "XRF1050", Head + "steps:\n  - op: stats\noutputs:\n  [|f|]: {from: stats, path: f.npy}\n", "", "" },
        { "XRF1050", Head + "steps:\n  - op: stats\noutputs:\n  [|f|]: {from: stats, path: f.png}\n", "", "" },
        { "XRF1051", Head + "steps:\n  - op: abs\noutputs:\n  abs: [|../out.npy|]\n", "", "" },
        { "XRF1051", Head + "steps:\n  - op: abs\noutputs:\n  abs: [|/tmp/out.npy|]\n", "", "" },
        { "XRF1051", Head + "steps:\n  - op: abs\noutputs:\n  abs: [|a/../../out.npy|]\n", "", "" },
        { "XRF1052", Head + "steps:\n  - op: abs\noutputs:\n  abs: \"a_[|{name}|].npy\"\n", "", "" },
        // After YAML escapes, '' or folded lines the value is shorter than its text: the marked text is still where it points.
        { "XRF1052", Head + "steps:\n  - op: abs\noutputs:\n  abs: \"\\x61\\u005F[|{name}|].npy\"\n", "", "" },
        { "XRF1052", Head + "steps:\n  - op: abs\noutputs:\n  abs: 'it''s_[|{name}|].npy'\n", "", "" },
        { "XRF1052", Head + "steps:\n  - op: abs\noutputs:\n  abs: \"a\\t\n    b_[|{name}|].npy\"\n", "", "" },
        { "XRF1053", Head + "steps:\n  - op: abs\noutputs:\n  abs: o.npy\n  b: {from: abs, path: [|./o.npy|]}\n", "", "" },
        { "XRF1054", Head + "steps:\n  - op: abs\noutputs:\n  o: {from: abs, path: o.png, colormap: [|virdis|]}\n", "", "" },
        { "XRF1055", Head + "steps:\n  - op: abs\noutputs:\n  o: {from: abs, path: o.png, bits: [|12|]}\n", "", "" },
        { "XRF1055", Head + "steps:\n  - op: abs\noutputs:\n  o: {from: abs, path: o.png, compression: [|10|]}\n", "", "" },
        { "XRF1055", Head + "steps:\n  - op: abs\noutputs:\n  o: {from: abs, path: o.png, compression: [|1.5|]}\n", "", "" },
        { "XRF1026", Head + "steps:\n  - op: abs\noutputs:\n  o: {from: abs, path: o.npy, [|compression|]: 1}\n", "", "" },
        { "XRF1055", "xrayflow: 1\ninputs:\n  f: stack\nsteps:\n  - op: abs\noutputs:\n  o: {from: abs, path: o.gif, duration_ms: [|0|]}\n", "", "" },
        { "XRF1026", Head + "steps:\n  - op: abs\noutputs:\n  o: {from: abs, path: o.npy, [|bits|]: 16}\n", "", "" },
        { "XRF1056", Head + "steps:\n  - op: abs\noutputs:\n  abs: o.npy\ntests:\n  - inputs: {[|xry|]: a.png}\n    expect: {abs: \"sha256:" + new string('a', 64) + "\"}\n", "", "" },
        { "XRF1056", Head + "steps:\n  - op: abs\noutputs:\n  abs: o.npy\ntests:\n  - inputs: {xray: a.png}\n    expect: {[|ab|]: \"sha256:" + new string('a', 64) + "\"}\n", "", "" },
        { "XRF1057", Head + "steps:\n  - op: abs\noutputs:\n  abs: o.npy\ntests:\n  - inputs: {xray: a.png}\n    expect: {abs: [|\"md5:1234\"|]}\n", "", "" },
        { "XRF1058", Head + "steps:\n  - op: [|fourier_gaussian|]\n    sigma: 3\n", "", "" },
        { "XRF1061", Head + "steps:\n  - op: gaussian_filter\n    sigma: «[1, 2, 3]»\n", "", "" },
        { "XRF1060", Head + "steps:\n  - op: map\n    in: {[|i|]: xray}\n    expr: i\n", "", "" },
        { "XRF1060", Head + "params:\n  t: 1\nsteps:\n  - op: map\n    in: {a: xray, [|t|]: xray}\n    expr: a\n", "", "" },
        { "XRF1060", Head + "steps:\n  - op: threshold_otsu\n    id: t\n  - op: map\n    in: {[|int|]: t, b: xray, [|float|]: xray, [|MathF|]: t, [|__k|]: t}\n    expr: \"int + b\"\n", "", "" },
        { "XRF1059", Head + "name: [|\"\"|]\nsteps: []\n", "", "" },
        { "XRF1062", Head + "steps:\n  - op: [|clip|]\n", "", "" },
        { "XRF1062", Head + "steps:\n  - op: canny\n    low_threshold: [|0.5|]\n", "", "" },
        { "XRF1062", Head + "steps:\n  - op: uniform_filter\n    size: 3\n    origin: [|2|]\n", "", "" },
        { "XRF1063", Head + "steps:\n  - op: warns\n    level: [|11|]\n", "", "" },
        { "XRF1064", Head + "steps:\n  - op: fft2\n  - op: gaussian_filter\n    in: [|fft2|]\n    sigma: 1\n", "", "" },
        { "XRF1065", Head + "steps:\n  - op: scalar_of\n  - op: abs\n    in: [|scalar_of|]\n", "", "" },
        { "XRF1066", Head + "steps:\n  - op: abs\n  - op: clip\n    in: xray\n    min: [|${abs}|]\n", "", "" },
        { "XRF1066", Head + "steps:\n  - op: stats\n  - op: clip\n    in: xray\n    min: [|${stats.mode}|]\n", "", "" },
        { "XRF1067", Head + "steps:\n  - op: scalar_of\n  - op: gaussian_filter\n    in: xray\n    sigma: 1\n    mode: [|${scalar_of}|]\n", "", "" },
        { "XRF1068", Head + "steps:\n  - op: box_of\n    box: [|[1, 2]|]\n", "", "" },
        { "XRF1073", Head + "steps:\n  - op: abs\n    accept: [XRF1058, [|XRF1003|]]\n", "", "" },
        { "XRF1074", Head + "steps:\n  - op: threshold_otsu\n    id: t\n  - op: map\n    in: {a: t}\n    expr: \"a + [|i|] + rows\"\n", "", "" },
        { "XRF1074", Head + "steps:\n  - op: threshold_otsu\n    id: t\n  - op: where\n    in: {x: t}\n    cond: \"x > MathF.E\"\n    then: \"x * [|@j|]\"\n    else: \"[|\\\\u0063ols|] + 1e-3f\"\n", "", "" },
        { "XRF1074", Head + "steps:\n  - op: threshold_otsu\n    id: t\n  - op: map\n    in: {a: t}\n    expr: \"a\\t+ \\u0028[|i|])\"\n", "", "" },
        { "XRF1074", Head + "steps:\n  - op: threshold_otsu\n    id: t\n  - op: map\n    in: {a: t}\n    expr: >\n      a +\n      [|j|]\n", "", "" },
        { "XRF1074", Head + "steps:\n  - op: threshold_otsu\n    id: t\n  - op: map\n    in: {a: t}\n    expr: |\n      a +\n        MathF.Max([|rows|], 1)\n", "", "" },
        // A text param in an expression was NaN in every pixel, silently; a member named like it (Math.name) is no use.
        { "XRF1077", Head + "params:\n  label: hi\nsteps:\n  - op: map\n    expr: \"x + [|label|]\"\n", "", "" },
        { "XRF1077", Head + "params:\n  label: hi\n  k: 2\nsteps:\n  - op: where\n    cond: \"x > k\"\n    then: \"MathF.E * [|label|] + label\"\n    else: \"[|@label|]\"\n", "", "" },
        { "XRF1077", Head + "params:\n  lo: \"3\"\nsteps:\n  - op: map\n    expr: >\n      x +\n      [|lo|]\n", "", "" },
        // An `in` that is, or holds, something other than a name is that one error, not also a wrong input count.
        { "XRF1023", Head + "steps:\n  - op: abs\n    in: [|~|]\n", "", "" },
        { "XRF1023", Head + "steps:\n  - op: hypot\n    in: [xray, [|[xray]|]]\n", "", "" },
        { "XRF1023", Head + "steps:\n  - op: map\n    in: {a: xray, b: [||]}\n    expr: a\n", "", "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DiagnosticPointsAtTheMarkedSpan(string code, string annotated, string set, string alsoAllowed)
    {
        var text = AnnotatedText.Parse(annotated);
        var overrides = set.Length == 0
            ? null
            : set.Split(';').Select(kv => kv.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);
        var result = TestOps.Load(text.Text, overrides);

        var expected = text.Spans.Select(s => $"{code} at {s.Line}:{s.Column}").ToList();
        var actual = result.Diagnostics.Where(d => d.Code == code).Select(d => $"{d.Code} at {d.Location?.Line}:{d.Location?.Column}").ToList();
        if (text.Spans.Count == 0)
        {
            expected = [$"{code} at 1:1"]; // a case without markers: the diagnostic is at the top of the file
        }

        Assert.True(expected.SequenceEqual(actual), $"expected {string.Join(", ", expected)}\nactual diagnostics:\n{string.Join("\n", result.Diagnostics)}");
        var allowed = alsoAllowed.Split(',', StringSplitOptions.RemoveEmptyEntries).Append(code).ToHashSet();
        var unexpected = result.Diagnostics.Where(d => !allowed.Contains(d.Code)).ToList();
        Assert.True(unexpected.Count == 0, "unexpected diagnostics:\n" + string.Join("\n", unexpected));
        Assert.All(result.Diagnostics.Where(d => d.Code == code), d => Assert.Equal(DiagnosticCodes.All.Single(x => x.Code == code).Severity, d.Severity));
        if (result.Diagnostics.Any(d => d.IsError))
        {
            Assert.Null(result.Recipe);
        }
    }

    [Fact]
    [Covers("XRF1002")]
    public void RecipeOverOneMebibyteIsRefusedBeforeReading()
    {
        string path = Path.Combine(Path.GetTempPath(), $"xrayflow-big-{Guid.NewGuid():N}.yaml");
        try
        {
            File.WriteAllText(path, "xrayflow: 1\n# " + new string('a', 1024 * 1024) + "\n");
            var r = RecipeLoader.Load(path);
            var d = Assert.Single(r.Diagnostics);
            Assert.Equal($"{path}:1:1: error XRF1002: the recipe is 1048591 bytes; recipes are limited to 1 MiB (1048576 bytes)", d.ToString());

            var t = TestOps.Load("xrayflow: 1\n# " + new string('a', 1024 * 1024));
            Assert.Equal("XRF1002", Assert.Single(t.Diagnostics).Code);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RecipeOfExactlyOneMebibyteIsRead()
    {
        string text = "xrayflow: 1\n# ";
        text += new string('a', (int)YamlTreeReader.MaxBytes - text.Length);
        Assert.DoesNotContain(TestOps.Load(text).Diagnostics, d => d.Code == "XRF1002");
        var d = Assert.Single(TestOps.Load(text + "a").Diagnostics);
        Assert.Equal("recipe.yaml:1:1: error XRF1002: the recipe is 1048577 bytes; recipes are limited to 1 MiB (1048576 bytes)", d.ToString());
    }

    /// <summary>Lookalikes of what the reader refuses are plain YAML: a quoted '&lt;&lt;' is an ordinary key, '!' is
    /// no tag (the non-specific one), and yes/no are YAML 1.1 booleans only as values, never as keys.</summary>
    [Theory]
    [InlineData("\"<<\": 1\n", "<<")]
    [InlineData("'<<': 1\n", "<<")]
    [InlineData("k: ! x\n", "k")]
    [InlineData("yes: 1\n", "yes")]
    [InlineData("Off: 1\n", "Off")]
    public void LookalikesOfRefusedYamlAreNotDiagnosed(string yaml, string key)
    {
        var bag = new DiagnosticBag();
        var root = Assert.IsType<YamlMapping>(YamlTreeReader.Read(yaml, "t.yaml", bag));
        Assert.True(bag.Count == 0, string.Join("\n", bag));
        Assert.Equal(key, Assert.Single(root.Entries).Key.Value);
    }

    [Fact]
    [Covers("XRF1012")]
    public void MissingRecipeFileIsADiagnostic()
    {
        var r = RecipeLoader.Load("/nonexistent/dir/recipe.yaml");
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("xrayflow: error XRF1012: cannot read the recipe: /nonexistent/dir/recipe.yaml: no such file", d.ToString());
        Assert.Null(r.Recipe);
    }

    [Fact]
    [Covers("XRF1046")]
    public void UnknownSetParamHasNoLocationAndSuggests()
    {
        var r = TestOps.Load(Head + "params:\n  threshold: 150\nsteps: []\n", new Dictionary<string, string> { ["treshold"] = "3" });
        var d = Assert.Single(r.Diagnostics);
        Assert.Null(d.Location);
        Assert.Equal("xrayflow: error XRF1046: --set treshold: the recipe has no param 'treshold'; did you mean 'threshold'?", d.ToString());
    }

    [Fact]
    public void EveryRecipeCodeHasATest()
    {
        var covered = Cases.Select(row => (string)row[0]).ToHashSet();
        foreach (var m in typeof(DiagnosticSpanTests).Assembly.GetTypes().SelectMany(t => t.GetMethods()))
        {
            foreach (var a in m.GetCustomAttributes<CoversAttribute>())
            {
                covered.Add(a.Code);
            }
        }

        var missing = DiagnosticCodes.All.Where(d => d.Code.StartsWith("XRF1", StringComparison.Ordinal) && !covered.Contains(d.Code)).Select(d => d.Code).ToList();
        Assert.True(missing.Count == 0, "diagnostic codes without a test: " + string.Join(", ", missing));
    }
}

using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>The canonical text (the manifest's recipe hash, which --resume trusts) holds every value of a list parameter.</summary>
public class CanonicalTextTests
{
    private static string Canonical(string text)
    {
        var r = TestOps.Load(text);
        Assert.True(r.Recipe is not null, string.Join("\n", r.Diagnostics));
        return r.Recipe!.CanonicalText;
    }

    [Fact]
    public void AListWithAStepValueIsWrittenItemByItem()
    {
        const string recipe = "xrayflow: 1\ninputs: {xray: image}\nsteps:\n  - op: stats\n  - op: gaussian_filter\n    in: xray\n    sigma: [\"${stats.max}\", SECOND]\n";
        string one = Canonical(recipe.Replace("SECOND", "1", StringComparison.Ordinal));
        string five = Canonical(recipe.Replace("SECOND", "5", StringComparison.Ordinal));

        // It used to be "sigma":"System.Object[]" whatever the list held: a changed sigma kept the hash, and --resume kept stale outputs.
        Assert.Contains("\"sigma\":[\"${stats.max}\",1]", one);
        Assert.Contains("\"sigma\":[\"${stats.max}\",5]", five);
    }

    [Fact]
    public void NumberListsAreUnchanged()
    {
        string text = Canonical("xrayflow: 1\ninputs: {xray: image}\nsteps:\n  - op: gaussian_filter\n    sigma: [1, 2.5]\n    order: [0, 1]\n");
        Assert.Contains("\"order\":[0,1]", text);
        Assert.Contains("\"sigma\":[1,2.5]", text);
    }

    [Fact]
    public void AMatrixIsWrittenRowByRow()
    {
        // No registry op takes a matrix yet (maximum_filter's footprint will): the writer is given one directly.
        var bound = TestOps.Load("xrayflow: 1\ninputs: {xray: image}\nsteps:\n  - op: abs\n").Recipe!;
        var step = bound.Steps[0] with { Params = new Dictionary<string, object?> { ["footprint"] = new[] { new[] { 0.0, 1 }, [1.5, 0] } } };
        string text = CanonicalWriter.Write(bound with { Steps = [step] });
        Assert.Contains("\"params\":{\"footprint\":[[0,1],[1.5,0]]}", text);
    }

    private const string Base = """
        xrayflow: 1
        name: canon
        inputs:
          xray: {kind: image, default: samples/a.png}
          ref: image
          frames: stack
        steps:
          - id: m
            op: map
            in: {x: xray, y: ref}
            expr: "x - y"
          - id: g
            op: gaussian_filter
            in: m
            sigma: 2
        outputs:
          g: "{stem}_g.npy"
          fig: {path: "{stem}_fig.png", panels: [{from: g, title: "Smoothed"}]}
        """;

    /// <summary>One change of meaning each: every one must change the canonical text (and so the manifest's recipe hash).</summary>
    public static TheoryData<string, string, string> Changes => new()
    {
        { "an input's default", "default: samples/a.png", "default: samples/b.png" },
        { "an input's kind", "frames: stack", "frames: image" },
        { "an output's path", "g: \"{stem}_g.npy\"", "g: \"{stem}_h.npy\"" },
        { "a panel's title", "title: \"Smoothed\"", "title: \"Gaussian\"" },
        { "an expression variable's name", "in: {x: xray, y: ref}\n    expr: \"x - y\"", "in: {a: xray, y: ref}\n    expr: \"a - y\"" },
        { "two expression variables swapped", "in: {x: xray, y: ref}", "in: {y: xray, x: ref}" },
        { "which value an expression variable names", "in: {x: xray, y: ref}", "in: {x: xray, y: xray}" },
        { "a parameter", "sigma: 2", "sigma: 3" },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void EveryChangeOfMeaningChangesTheCanonicalText(string what, string before, string after)
    {
        // Mutation-tested: the writer could drop an input's default or kind, an output's path, a panel's title or the
        // variable names of `in:` and every test still passed; a changed recipe then kept its hash, which --resume and
        // verify trust.
        Assert.Contains(before, Base, StringComparison.Ordinal);
        string changed = Base.Replace(before, after, StringComparison.Ordinal);
        Assert.True(Canonical(Base) != Canonical(changed), what);
    }

    [Fact]
    public void CommentsKeyOrderAndQuotingDoNotChangeIt()
    {
        string same = Base.Replace("xrayflow: 1\n", "# a comment\nxrayflow: 1\n", StringComparison.Ordinal)
            .Replace("    sigma: 2", "    sigma: 2   # the tutorial's", StringComparison.Ordinal)
            .Replace("{kind: image, default: samples/a.png}", "{default: 'samples/a.png', kind: image}", StringComparison.Ordinal);
        Assert.NotEqual(Base, same);
        Assert.Equal(Canonical(Base), Canonical(same));
    }

    [Fact]
    public void ItSaysWhatTheRecipeSays()
    {
        string text = Canonical(Base);
        Assert.Contains("{\"default\":\"samples/a.png\",\"kind\":\"image\",\"name\":\"xray\"}", text, StringComparison.Ordinal);
        Assert.Contains("{\"kind\":\"stack\",\"name\":\"frames\"}", text, StringComparison.Ordinal);
        Assert.Contains("\"in\":[\"x=xray\",\"y=ref\"]", text, StringComparison.Ordinal);
        Assert.Contains("\"path\":\"{stem}_g.npy\"", text, StringComparison.Ordinal);
        Assert.Contains("\"title\":\"Smoothed\"", text, StringComparison.Ordinal);
    }
}

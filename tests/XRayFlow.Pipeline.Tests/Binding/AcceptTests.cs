using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Tests.Execution;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>
/// Issue 17, "The first run": a step acknowledges a warning with `accept: [XRF1058]` (a language extension); the
/// warning stays for every other step, and a code that cannot be accepted is refused at the code.
/// </summary>
public sealed class AcceptTests
{
    private const string Head = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n";

    private const string Smooth = "  - id: smooth\n    op: fourier_gaussian\n    in: xray\n    sigma: 0.05\n";

    [Fact]
    public void Without_accept_fourier_gaussian_on_an_image_warns()
    {
        var r = RecipeLoader.LoadText(Head + Smooth, "r.yaml");

        Assert.Equal("XRF1058", Assert.Single(r.Diagnostics).Code);
    }

    [Theory]
    [InlineData("    accept: [XRF1058]\n")]
    [InlineData("    accept: XRF1058\n")]
    [InlineData("    accept:\n      - XRF1058   # the tutorial does it on purpose\n")]
    public void Accept_acknowledges_the_warning_for_that_step_only(string accept)
    {
        string other = "  - id: again\n    op: fourier_gaussian\n    in: xray\n    sigma: 0.05\n";
        var r = RecipeLoader.LoadText(Head + Smooth + accept + other, "r.yaml");

        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("XRF1058", d.Code);
        Assert.StartsWith("step 'again':", d.Message, StringComparison.Ordinal);
        Assert.Equal(["XRF1058"], r.Recipe!.Steps[0].Accepted);
        Assert.Empty(r.Recipe.Steps[1].Accepted);
    }

    [Theory]
    [InlineData("[XRF9999]", "r.yaml:9:14: error XRF1073: accept: 'XRF9999' is not a diagnostic code; a step accepts only the warnings of its own checks (XRF1058, XRF1063, XRF5001)")]
    [InlineData("[xrf1058]", "r.yaml:9:14: error XRF1073: accept: 'xrf1058' is not a diagnostic code; did you mean 'XRF1058'?; a step accepts only the warnings of its own checks (XRF1058, XRF1063, XRF5001)")]
    [InlineData("[XRF1003]", "r.yaml:9:14: error XRF1073: accept: 'XRF1003' is an error, and an error cannot be accepted; a step accepts only the warnings of its own checks (XRF1058, XRF1063, XRF5001)")]
    [InlineData("[XRF1058, XRF3011]", "r.yaml:9:23: error XRF1073: accept: 'XRF3011' is not a warning a step reports; a step accepts only the warnings of its own checks (XRF1058, XRF1063, XRF5001)")]
    [InlineData("{XRF1058: yes}", "r.yaml:9:13: error XRF1023: 'accept' must be a list of warning codes, e.g. [XRF1058]; found a map")]
    [InlineData("[]", "r.yaml:9:13: error XRF1023: 'accept' must be a list of warning codes, e.g. [XRF1058]; found an empty list")]
    public void A_code_that_cannot_be_accepted_is_refused_at_the_code(string accept, string expected)
    {
        var r = RecipeLoader.LoadText(Head + Smooth + "    accept: " + accept + "\n", "r.yaml");

        Assert.Contains(expected, r.Diagnostics.Select(d => d.ToString()));
        Assert.Null(r.Recipe);
    }

    [Fact]
    public void Accept_works_on_an_op_rule_warning_and_on_an_unused_step()
    {
        const string Outputs = "outputs:\n  kept: kept.npy\n";
        string steps = "  - id: kept\n    op: abs\n    in: xray\n  - id: unused\n    op: sobel\n    in: xray\n";
        var warned = Planner.Create(RunKit.Load(Head + steps + Outputs));
        Assert.Equal(["XRF5001"], warned.Diagnostics.Select(d => d.Code));

        var accepted = Planner.Create(RunKit.Load(Head + steps + "    accept: [XRF5001]   # kept to inspect with plan\n" + Outputs));
        Assert.Empty(accepted.Diagnostics);

        var rule = TestOps.Load(Head + "  - op: warns\n    level: 11\n    accept: [XRF1063]\n");
        Assert.Empty(rule.Diagnostics);
    }

    /// <summary>The shipped recipes that reproduce the tutorial's Fourier-Gaussian on purpose say so, and nothing else warns.</summary>
    [Theory]
    [InlineData("compare")]
    [InlineData("tutorial-canny")]
    [InlineData("canny-comparison")]
    public void Shipped_tutorial_recipes_acknowledge_XRF1058_with_a_reason(string name)
    {
        string path = Path.Combine(TestPaths.Root, "pipelines", name + ".yaml");
        var r = RecipeLoader.Load(path);

        Assert.Empty(r.Diagnostics);
        string text = File.ReadAllText(path);
        int at = text.IndexOf("accept: [XRF1058]", StringComparison.Ordinal);
        Assert.True(at > 0);
        Assert.Contains("On purpose", text[..at], StringComparison.Ordinal); // the comment that says why
        Assert.Contains(r.Recipe!.Steps, s => s.Op.Name == "fourier_gaussian" && s.Accepted.Contains("XRF1058"));
    }
}

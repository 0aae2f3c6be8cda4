using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>Params that expressions could never see, and paths no file system can hold (issue 18).</summary>
public class ReservedNameAndPathTests
{
    private const string Body = "inputs:\n  xray: image\nsteps:\n  - op: abs\n";

    [Theory]
    [Covers("XRF1070")]
    [InlineData("i", "the row index")]
    [InlineData("j", "the column index")]
    [InlineData("rows", "the number of rows")]
    [InlineData("cols", "the number of columns")]
    public void AParamNamedLikeABuiltInIsRefusedWhereItIsDeclared(string name, string builtIn)
    {
        // Before: the param bound, expressions saw the built-in instead, and --set had no effect.
        var r = TestOps.Load($"xrayflow: 1\nparams:\n  {name}: 3\n" + Body, new Dictionary<string, string> { [name] = "99" });
        var d = Assert.Single(r.Diagnostics, x => x.IsError);
        Assert.Equal("XRF1070", d.Code);
        Assert.Equal(new SourceLocation("recipe.yaml", 3, 3), d.Location);
        Assert.Contains(builtIn, d.Message, StringComparison.Ordinal);
        Assert.Null(r.Recipe);
    }

    [Fact]
    public void ParamsThatOnlyStartLikeABuiltInStillBind()
    {
        var r = TestOps.Load("xrayflow: 1\nparams:\n  rows2: 3\n  index: 1\n" + Body);
        Assert.DoesNotContain(r.Diagnostics, d => d.IsError);
        Assert.Equal(["rows2", "index"], r.Recipe!.Params.Select(p => p.Name));
    }

    [Theory]
    [Covers("XRF1071")]
    [InlineData("xrayflow: 1\ninputs:\n  xray: {kind: image, default: \"a\\0b.png\"}\nsteps:\n  - op: abs\n", 3, 32)]
    [InlineData("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: abs\noutputs:\n  abs: a.npy\ntests:\n  - name: t\n    inputs: {xray: \"x\\0.png\"}\n    expect: {abs: {npy: r.npy}}\n", 10, 20)]
    [InlineData("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: abs\noutputs:\n  abs: a.npy\ntests:\n  - name: t\n    inputs: {xray: x.png}\n    expect: {abs: {npy: \"r\\0.npy\"}}\n", 11, 25)]
    public void APathHoldingANulIsADiagnosticNotACrash(string yaml, int line, int column)
    {
        // Before: Path.GetFullPath threw ArgumentException in the binder: exit 70 from `validate`.
        var r = TestOps.Load(yaml);
        var d = Assert.Single(r.Diagnostics, x => x.IsError);
        Assert.Equal("XRF1071", d.Code);
        Assert.Equal(new SourceLocation("recipe.yaml", line, column), d.Location);
    }

    [Fact]
    [Covers("XRF1072")]
    public void TheStepCountIsBounded()
    {
        string steps = string.Concat(Enumerable.Repeat("  - op: abs\n", XRayFlow.Pipeline.Binding.StepsBinder.MaxSteps + 1));
        var r = TestOps.Load("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n" + steps);
        var d = Assert.Single(r.Diagnostics, x => x.IsError);
        Assert.Equal("XRF1072", d.Code);
        Assert.Equal(new SourceLocation("recipe.yaml", 5, 3), d.Location);
    }
}

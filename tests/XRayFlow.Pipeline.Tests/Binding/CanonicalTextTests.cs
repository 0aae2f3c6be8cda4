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
}

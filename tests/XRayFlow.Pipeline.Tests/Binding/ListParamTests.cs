using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>List parameters keep their element type: whole numbers bind to int[], numbers to double[].</summary>
public class ListParamTests
{
    private const string Head = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n";

    private static BoundStep BindOne(string step)
    {
        var r = TestOps.Load(Head + step);
        Assert.True(r.Recipe is not null, string.Join("\n", r.Diagnostics));
        return r.Recipe!.Steps[0];
    }

    [Fact]
    public void WholeNumberPerAxisListIsAnIntArray()
    {
        // Bound through one conditional expression, each item used to be widened to double: an InvalidCastException (exit 70).
        var step = BindOne("  - op: gaussian_filter\n    sigma: [1, 2]\n    order: [0, 1]\n");
        Assert.Equal(new[] { 0, 1 }, Assert.IsType<int[]>(step.Params["order"]));
        Assert.Equal(new[] { 1.0, 2.0 }, Assert.IsType<double[]>(step.Params["sigma"]));
    }

    [Fact]
    public void WholeNumberListIsAnIntArray()
    {
        var step = BindOne("  - op: box_of\n    box: [1, 2, 30, 40]\n");
        Assert.Equal(new[] { 1, 2, 30, 40 }, Assert.IsType<int[]>(step.Params["box"]));
    }

    [Fact]
    public void AFractionInAWholeNumberListIsAnError()
    {
        var r = TestOps.Load(Head + "  - op: box_of\n    box: [1, 2.5, 3, 4]\n");
        Assert.Equal("recipe.yaml:6:14: error XRF1039: parameter 'box' of op 'box_of' must be a list of 4 whole numbers; found number 2.5", Assert.Single(r.Diagnostics).ToString());
    }
}

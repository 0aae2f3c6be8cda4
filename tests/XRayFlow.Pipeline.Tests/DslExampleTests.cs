using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests;

public class DslExampleTests
{
    private static RecipeLoadResult LoadExample() => TestOps.Load(File.ReadAllText(Path.Combine(TestPaths.Fixtures, "recipes", "tutorial-canny.yaml")), path: "tutorial-canny.yaml");

    [Fact]
    public void BindsWithOnlyTheFourierGaussianWarning()
    {
        var r = LoadExample();
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("tutorial-canny.yaml:11:9: warning XRF1058: step 'smooth': fourier_gaussian multiplies its input by a Gaussian's transfer function, so it expects a Fourier transform, but 'xray' is not the output of fft2; to smooth an image use fft2 -> fourier_gaussian -> ifft2, or gaussian_filter", d.ToString());
        Assert.False(r.HasErrors);
        Assert.NotNull(r.Recipe);
    }

    [Fact]
    public void BindsStepsInputsAndDefaults()
    {
        var recipe = LoadExample().Recipe!;
        Assert.Equal("tutorial-canny", recipe.Name);
        Assert.Equal(1, recipe.Version);
        Assert.Equal(150.0, Assert.Single(recipe.Params).Value);
        var input = Assert.Single(recipe.Inputs);
        Assert.Equal(("xray", InputKind.Image), (input.Name, input.Kind));
        Assert.Equal(["smooth", "gx", "gy", "magnitude", "edges", "bright"], recipe.Steps.Select(s => s.Id));
        Assert.Equal(["xray"], recipe.Steps[0].Inputs.Select(i => i.Source));
        Assert.Equal(["smooth"], recipe.Steps[1].Inputs.Select(i => i.Source)); // no `in`: the previous step
        Assert.Equal(["gx", "gy"], recipe.Steps[3].Inputs.Select(i => i.Source));
        Assert.Equal(["magnitude"], recipe.Steps[4].Inputs.Select(i => i.Source));
        Assert.Equal(new[] { 0.05 }, (double[])recipe.Steps[0].Params["sigma"]!);
        Assert.Equal(0, recipe.Steps[1].Params["axis"]);
        Assert.Equal("reflect", recipe.Steps[1].Params["mode"]); // default filled
        Assert.Equal(255.0, recipe.Steps[4].Params["max"]);
        Assert.Equal("peak", recipe.Steps[4].Params["method"]);
        var cond = Assert.IsType<ExpressionValue>(recipe.Steps[5].Params["cond"]);
        Assert.Equal("x > threshold", cond.Text);
        Assert.Equal(new XRayFlow.Core.Diagnostics.SourceLocation("tutorial-canny.yaml", 31, 12), cond.Location); // inside the quotes
        Assert.Equal(0.0, ((ExpressionValue)recipe.Steps[5].Params["else"]!).Number);
        Assert.Equal("x", ((ExpressionValue)recipe.Steps[5].Params["then"]!).Text);
    }

    [Fact]
    public void CrlfLineEndsGiveTheSameResult()
    {
        var text = File.ReadAllText(Path.Combine(TestPaths.Fixtures, "recipes", "tutorial-canny.yaml")).ReplaceLineEndings("\r\n");
        var r = TestOps.Load(text, path: "tutorial-canny.yaml");
        Assert.Equal(LoadExample().Diagnostics.Select(d => d.ToString()), r.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(LoadExample().Recipe!.CanonicalText, r.Recipe!.CanonicalText);
    }

    [Fact]
    public void BindsOutputs()
    {
        var outputs = LoadExample().Recipe!.Outputs;
        Assert.Equal(["edges", "edges_png", "mask"], outputs.Select(o => o.Name));
        Assert.Equal(("edges", "edges.npy", OutputFormat.Npy), (outputs[0].From, outputs[0].PathTemplate, outputs[0].Format));
        Assert.Equal(("edges", "{stem}_canny.png", OutputFormat.Png), (outputs[1].From, outputs[1].PathTemplate, outputs[1].Format));
        Assert.Equal("nipy_spectral", outputs[1].Options["colormap"]);
        Assert.Equal(8, outputs[1].Options["bits"]);
        Assert.Equal(("bright", "{stem}_mask.png"), (outputs[2].From, outputs[2].PathTemplate));
    }
}

using XRayFlow.Core.Imaging;

namespace XRayFlow.Packaging.Tests;

/// <summary>The library facade (src/XRayFlow.Api) in process: values, tables, figures, and every user error as data.</summary>
public sealed class LibraryApiTests
{
    private const string Sobel = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - id: gx\n    op: sobel\n    axis: 0\noutputs:\n  gx: gx.npy\n";

    private static ImageArray Ramp(int rows, int cols)
    {
        var a = new ImageArray(rows, cols);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                a[r, c] = (r * r) + c;
            }
        }

        return a;
    }

    [Fact]
    public void Array_output_has_scipy_values()
    {
        // sobel axis 0 of x[r, c] = r^2 + c, mode reflect: (x[r+1] - x[r-1]) * (1 + 2 + 1) inside = 16 r.
        var result = Recipe.Parse(Sobel).Run(new() { ["xray"] = Ramp(6, 5) });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var gx = result["gx"];
        Assert.Equal(RecipeValueKind.Array, gx.Kind);
        Assert.Equal([6, 5], gx.Shape);
        Assert.Equal(16f * 2, gx.Array![2, 3]);
        Assert.Equal(16f * 4, gx.Array![4, 0]);
        Assert.Equal(4f * 1, gx.Array![0, 1]);  // reflect: x[-1] = x[0], so (1 - 0) * 4
    }

    [Fact]
    public void Pixels_and_image_inputs_give_the_same_result()
    {
        var image = Ramp(7, 9);
        var recipe = Recipe.Parse(Sobel);
        var a = recipe.Run(new() { ["xray"] = image });
        var b = recipe.Run(new() { ["xray"] = RecipeInput.FromPixels((float[])image.Data.Clone(), 7, 9) });
        Assert.Equal(a["gx"].Data, b["gx"].Data);
        Assert.Throws<ArgumentException>(() => RecipeInput.FromPixels(new float[10], 3, 4));
        Assert.Throws<ArgumentException>(() => RecipeInput.FromPixels(new float[10], 10));
        var empty = Assert.Throws<ArgumentException>(() => RecipeInput.FromPixels([], 0, 5));  // said "shape (1, 0, 5)", parameter 'rows'
        Assert.Equal(("shape", "shape (0, 5) has an empty axis (Parameter 'shape')"), (empty.ParamName, empty.Message));
        var e = Assert.Throws<ArgumentNullException>(() => recipe.Run(new() { ["xray"] = null! })); // was a NullReferenceException
        Assert.Contains("'xray'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_output_that_is_an_input_array_is_a_copy()
    {
        // `from: xray` gave back the caller's own array: reusing the input buffer for the next frame changed the result
        // kept from this one ("Output arrays belong to the caller"; RecipeValue.Array: "the run holds no reference to it").
        var recipe = Recipe.Parse("xrayflow: 1\ninputs:\n  xray: image\n  frames: stack\nsteps:\n  - id: gx\n    op: sobel\n    in: xray\n    axis: 0\noutputs:\n  original: {from: xray, path: x.npy}\n  frames: {from: frames, path: f.npy}\n  gx: gx.npy\n");
        float[] pixels = Ramp(4, 5).Data;
        float[] frames = Ramp(6, 5).Data;
        var result = recipe.Run(new() { ["xray"] = RecipeInput.FromPixels(pixels, 4, 5), ["frames"] = RecipeInput.FromPixels(frames, 3, 2, 5) });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal(Ramp(4, 5).Data, result["original"].Data);
        Assert.NotSame(pixels, result["original"].Data);
        Assert.NotSame(frames, result["frames"].Data);
        Array.Fill(pixels, -1f);
        Array.Fill(frames, -1f);
        Assert.Equal(Ramp(4, 5).Data, result["original"].Data);
        Assert.Equal(Ramp(6, 5).Data, result["frames"].Data);
    }

    [Fact]
    public void Two_outputs_of_one_step_are_two_arrays()
    {
        // Both outputs were one float[]: changing the caller's copy of one changed the other.
        var recipe = Recipe.Parse("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - id: gx\n    op: sobel\n    in: xray\n    axis: 0\noutputs:\n  a: {from: gx, path: a.npy}\n  b: {from: gx, path: b.png}\n");
        var result = recipe.Run(new() { ["xray"] = RecipeInput.FromPixels(Ramp(4, 5).Data, 4, 5) });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        float[] b = (float[])result["b"].Data.Clone();
        Assert.Equal(result["a"].Data, b);
        Assert.NotSame(result["a"].Data, result["b"].Data);
        Array.Fill(result["a"].Data, 7f);
        Assert.Equal(b, result["b"].Data);
    }

    [Fact]
    public void Tables_and_figures_come_back_as_values()
    {
        var inspect = Recipe.Load(Repo.Path("pipelines", "inspect.yaml")).Run(new() { ["xray"] = Ramp(4, 4) });
        var stats = inspect["stats"];
        Assert.Equal(RecipeValueKind.Table, stats.Kind);
        Assert.Equal(9.0 + 3.0, Convert.ToDouble(stats.Table!["max"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Throws<InvalidOperationException>(() => stats.Data);

        var compare = Recipe.Load(Repo.Path("pipelines", "compare.yaml")).Run(new() { ["xray"] = Ramp(32, 32) });
        Assert.True(compare.Succeeded, string.Join("\n", compare.Diagnostics));
        var figure = compare["compare"];
        Assert.Equal(RecipeValueKind.Figure, figure.Kind);
        Assert.Equal(9, figure.Panels.Count);
        Assert.Equal("xray", figure.Panels[0].From);
        Assert.Equal(Ramp(32, 32).Data, figure.Panels[0].Data);
        Assert.DoesNotContain(compare.Diagnostics, d => d.Code == "XRF1058"); // compare.yaml accepts it on purpose (accept: [XRF1058])

        var warned = Recipe.Parse("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: fourier_gaussian\n    sigma: 0.05\noutputs:\n  fourier_gaussian: f.npy\n", "warn.yaml")
            .Run(new() { ["xray"] = Ramp(8, 8) });
        Assert.True(warned.Succeeded, string.Join("\n", warned.Diagnostics));
        Assert.Contains(warned.Diagnostics, d => d.Code == "XRF1058" && d.Severity == DiagnosticSeverity.Warning && d.Line == 5);
    }

    [Fact]
    public void A_one_number_output_is_the_table_run_writes()
    {
        // otsu-mask.yaml's `otsu` output is threshold_otsu's number; `xrayflow run` writes it as {"value": 126} for this crop
        // (skimage.filters.threshold_otsu, pipelines/otsu-mask.yaml's test). It threw InvalidOperationException here.
        var result = Recipe.Load(Repo.Path("pipelines", "otsu-mask.yaml")).Run(new() { ["xray"] = Repo.Path("pipelines", "samples", "tests", "xray_crop64.png") });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var otsu = result["otsu"];
        Assert.Equal(RecipeValueKind.Table, otsu.Kind);
        Assert.Equal(["value"], otsu.Table!.Keys);
        Assert.Equal(126.0, Convert.ToDouble(otsu.Table["value"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Invalid_recipe_is_data_with_places()
    {
        var recipe = Recipe.Parse("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gausian_filter\n    sigma: 1\noutputs:\n  o: {from: gausian_filter, path: o.npy}\n", "bad.yaml");
        Assert.False(recipe.IsValid);
        var d = Assert.Single(recipe.Diagnostics, x => x.Code == "XRF1003");
        Assert.Equal(("bad.yaml", 5, 9, DiagnosticSeverity.Error), (d.File, d.Line, d.Column, d.Severity));
        Assert.StartsWith("bad.yaml:5:9: error XRF1003: ", d.ToString(), StringComparison.Ordinal);
        var result = recipe.Run(new() { ["xray"] = Ramp(3, 3) });
        Assert.False(result.Succeeded);
        Assert.Empty(result.Outputs);
        Assert.Throws<KeyNotFoundException>(() => result["o"]);
    }

    [Fact]
    public void An_expression_that_does_not_compile_makes_the_recipe_invalid()
    {
        // `xrayflow validate` refuses it (exit 2); IsValid said true and only Run reported the error.
        var recipe = Recipe.Parse("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: where\n    cond: \"y > 1\"\n    then: x\n    else: 0\noutputs:\n  o: {from: where, path: o.npy}\n", "expr.yaml");
        Assert.False(recipe.IsValid);
        var d = Assert.Single(recipe.Diagnostics);
        Assert.Equal(("XRF3004", "expr.yaml", 6, 12, DiagnosticSeverity.Error), (d.Code, d.File, d.Line, d.Column, d.Severity));
        Assert.Equal(["XRF3004"], recipe.Run(new() { ["xray"] = Ramp(3, 3) }).Diagnostics.Select(x => x.Code));
        var warned = Recipe.Parse("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: fourier_gaussian\n    sigma: 0.05\noutputs:\n  fourier_gaussian: f.npy\n");
        Assert.True(warned.IsValid);  // a warning does not make it invalid
        Assert.Contains(warned.Diagnostics, x => x.Code == "XRF1058" && !x.IsError);
    }

    [Fact]
    public void Input_mistakes_are_diagnostics_not_exceptions()
    {
        var recipe = Recipe.Parse(Sobel);
        Assert.Equal(["XRF2002"], recipe.Run().Diagnostics.Select(d => d.Code));                                    // no input, no default
        Assert.Contains("XRF2003", recipe.Run(new() { ["xray"] = Ramp(3, 3), ["ray"] = Ramp(3, 3) }).Diagnostics.Select(d => d.Code));
        Assert.Equal(["XRF2012"], recipe.Run(new() { ["xray"] = ImageArray.Stack(2, 3, 3) }).Diagnostics.Select(d => d.Code)); // a stack for an image
        Assert.Equal(["XRF2005"], recipe.Run(new() { ["xray"] = "/nonexistent/x.png" }).Diagnostics.Select(d => d.Code));
        var many = Assert.Single(recipe.Run(new() { ["xray"] = Repo.Path("pipelines", "samples", "*.png") }).Diagnostics); // was XRF2012, a failed input
        Assert.Equal(("XRF2061", 3, 3), (many.Code, many.Line, many.Column));
        Assert.Contains("9 files match", many.Message, StringComparison.Ordinal);
        Assert.Equal(["XRF1046"], Recipe.Parse(Sobel, set: new Dictionary<string, object> { ["nope"] = 1 }).Diagnostics.Select(d => d.Code));    // unknown param
    }

    [Fact]
    public void Params_override_like_set_and_expressions_compile()
    {
        var yaml = "xrayflow: 1\nparams:\n  threshold: 150\ninputs:\n  xray: image\nsteps:\n  - id: bright\n    op: where\n    cond: \"x > threshold\"\n    then: \"x\"\n    else: 0\noutputs:\n  bright: b.npy\n";
        var image = Ramp(5, 20);
        Assert.Equal(["XRF1047"], Recipe.Parse(yaml, set: new Dictionary<string, object> { ["threshold"] = true }).Diagnostics.Select(d => d.Code));
        var low = Recipe.Parse(yaml, set: new Dictionary<string, object> { ["threshold"] = 10 });
        Assert.Equal(10.0, Convert.ToDouble(low.Params["threshold"], System.Globalization.CultureInfo.InvariantCulture));
        var bright = low.Run(new() { ["xray"] = image })["bright"].Data;
        Assert.Equal(image.Data.Select(v => v > 10 ? v : 0f), bright);
    }

    [Fact]
    public void A_run_cancelled_during_its_last_step_throws()
    {
        // The run returned Succeeded after the token was cancelled during its one step (a 50 ms timeout on an 8 s
        // recipe: the result 8 s later, no OperationCanceledException). The step must still be running when the
        // timer fires, on a loaded machine too (a 600 x 600 image, about 0.5 s, once finished before a late timer):
        // 2000 x 2000 is seconds of work, and the median filter stops at its next strip once cancelled. Values that are
        // not 8- or 12-bit levels: on levels a 15 x 15 median runs a sliding histogram, 0.2 s here, and in a cold
        // process the 30 ms timer fired after that (seen on CI); and one NaN, since other values without one are ranked
        // for a histogram too (about 0.5 s).
        var recipe = Recipe.Parse("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - id: m\n    op: median_filter\n    size: 15\noutputs:\n  m: m.npy\n");
        Assert.True(recipe.IsValid);
        var image = new ImageArray(2000, 2000);
        var random = new Random(5);
        for (int i = 0; i < image.Data.Length; i++)
        {
            image.Data[i] = (float)(random.NextDouble() * 255);
        }

        image.Data[777] = float.NaN;
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(30);
        Assert.ThrowsAny<OperationCanceledException>(() => recipe.Run(new() { ["xray"] = image }, new RunOptions { Threads = 1, Cancellation = cts.Token }));
    }

    [Fact]
    public void Version_and_commit_are_known()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+", Recipe.Version);
        Assert.Equal(1, Recipe.LanguageVersion);
    }
}

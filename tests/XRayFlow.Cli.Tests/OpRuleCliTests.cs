namespace XRayFlow.Cli.Tests;

/// <summary>`validate` refuses what `run` would refuse: an op's own rules are checked at bind time, located.</summary>
public class OpRuleCliTests
{
    [Fact]
    public void ValidateRefusesClipWithoutBoundsAndRunRefusesItTheSameWay()
    {
        string dir = CliKit.TempDir();
        string recipe = Path.Combine(dir, "clip.yaml");
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: clip\noutputs:\n  clip: c.npy\n");
        var validate = CliKit.Run("validate", recipe);
        Assert.Equal(2, validate.Exit);
        Assert.Equal($"{recipe}:5:9: error XRF1062: step 'clip': clip needs min, max or both", validate.Err.Trim());

        var samples = CliKit.CopySamples(Path.Combine(dir, "in"), 1);
        var run = CliKit.Run("run", recipe, "--input", $"xray={samples[0]}", "--out", Path.Combine(dir, "out"));
        Assert.Equal(2, run.Exit);
        Assert.Contains("XRF1062", run.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "out", "c.npy")));
    }

    [Fact]
    public void ScalarStepValuesReachLaterParametersPerImage()
    {
        string dir = CliKit.TempDir();
        string recipe = Path.Combine(dir, "s.yaml");
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: stats\n  - op: clip\n    in: xray\n    min: ${stats.mean}\noutputs:\n  clip: \"{stem}.npy\"\n");
        var samples = CliKit.CopySamples(Path.Combine(dir, "in"), 2);
        var run = CliKit.Run("run", recipe, "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"));
        Assert.True(run.Exit == 0, run.Err);
        foreach (var sample in samples)
        {
            var input = Core.Codecs.ImageReader.Read(sample).Data;
            double mean = input.Average(v => (double)v);
            var clipped = Core.Codecs.ImageReader.Read(Path.Combine(dir, "out", Path.GetFileNameWithoutExtension(sample) + ".npy")).Data;
            Assert.Equal(input.Select(v => Math.Max(v, (float)mean)), clipped);
        }
    }

    [Fact]
    public void ValidateRefusesAStepTheDefaultInputsShapeCannotTake()
    {
        string dir = CliKit.TempDir();
        File.Copy(Path.Combine(CliKit.Root, "pipelines", "samples", "tests", "xray_crop64.png"), Path.Combine(dir, "crop.png"));
        string recipe = Path.Combine(dir, "d.yaml");
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: {kind: image, default: crop.png}\nsteps:\n  - op: downsample\n    factor: 100\n  - op: downsample\n    id: ok\n    in: xray\n    factor: 4\noutputs:\n  downsample: d.npy\n  ok: ok.npy\n");
        var validate = CliKit.Run("validate", recipe);
        Assert.Equal(2, validate.Exit);
        Assert.Equal($"{recipe}:6:13: error XRF1069: step 'downsample': factor 100 is larger than the image (64 x 64)", validate.Err.Trim());
    }

    [Fact]
    public void AZoomBeyondMaxPixelsFailsThatItemAloneBeforeItRuns()
    {
        string dir = CliKit.TempDir();
        var samples = CliKit.CopySamples(Path.Combine(dir, "in"), 1);
        File.Copy(Path.Combine(CliKit.Root, "pipelines", "samples", "tests", "xray_crop64.png"), Path.Combine(dir, "in", "crop.png"));
        string recipe = Path.Combine(dir, "z.yaml");
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: zoom\n    zoom: 3\noutputs:\n  zoom: \"{stem}.npy\"\n");

        // 1024 x 1024 -> 3072 x 3072 (9.4e6 pixels) fails; the 64 x 64 crop (192 x 192) is made.
        var run = CliKit.Run("run", recipe, "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"), "--max-pixels", "4000000");
        Assert.Equal(1, run.Exit);
        Assert.Contains("step 'zoom': zoom would make an array of 3072x3072 float32 (9437184 pixels), more than --max-pixels 4000000", run.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "out", Path.GetFileNameWithoutExtension(samples[0]) + ".npy")));
        Assert.Equal(192 * 192, Core.Codecs.ImageReader.Read(Path.Combine(dir, "out", "crop.npy")).Data.Length);

        // Without --max-pixels the bound is the default on every image read, 1e8: zoom 12 of 1024 x 1024 is 1.5e8.
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: {kind: image, default: in/" + Path.GetFileName(samples[0]) + "}\nsteps:\n  - op: zoom\n    zoom: 12\noutputs:\n  zoom: z.npy\n");
        var validate = CliKit.Run("validate", recipe);
        Assert.Equal(2, validate.Exit);
        Assert.Equal($"{recipe}:5:5: error XRF1069: step 'zoom': zoom would make an array of 12288x12288 float32 (150994944 pixels), more than --max-pixels 100000000", validate.Err.Trim());

        // validate and plan take the bound run will be given.
        Assert.Equal(0, CliKit.Run("validate", recipe, "--max-pixels", "150994944").Exit);
        var plan = CliKit.Run("plan", recipe, "--max-pixels", "150994943");
        Assert.Contains("more than --max-pixels 150994943", plan.Err, StringComparison.Ordinal);
        Assert.Equal(2, plan.Exit); // the plan is printed, and its error is the exit code's too
        Assert.Contains("zoom = zoom(xray)", plan.Out, StringComparison.Ordinal);

        // Beyond what a geometry step may make at all, the step's shape is unknown in the plan, not the input's.
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: {kind: image, default: in/" + Path.GetFileName(samples[0]) + "}\nsteps:\n  - op: zoom\n    zoom: 50\noutputs:\n  zoom: z.npy\n");
        var huge = CliKit.Run("plan", recipe);
        Assert.Equal(2, huge.Exit);
        Assert.Contains("step 'zoom': the output would be 51200 x 51200 = 2621440000 pixels", huge.Err, StringComparison.Ordinal);
        Assert.Contains("-> ?", huge.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("-> 1024x1024", huge.Out, StringComparison.Ordinal);
        Assert.Equal(2, CliKit.Run("validate", recipe, "--max-pixels", "0").Exit);
    }

    [Fact]
    public void WorkBeyondTheBoundIsRefusedBeforeItStarts()
    {
        // Before: median_filter size 2147483647 aborted the process; size 100000 took 5.4 GB and ran for ever.
        string dir = CliKit.TempDir();
        var samples = CliKit.CopySamples(Path.Combine(dir, "in"), 1);
        string recipe = Path.Combine(dir, "m.yaml");
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: median_filter\n    size: 4000\noutputs:\n  median_filter: m.npy\n");
        var run = CliKit.Run("run", recipe, "--input", $"xray={samples[0]}", "--out", Path.Combine(dir, "out"));

        // One file: its header gives the shape, so the step is refused before the image is read, located (exit 2).
        Assert.Equal(2, run.Exit);
        Assert.Contains("m.yaml:5:5: error XRF1069: step 'median_filter': median_filter would do about 1.7e13 pixel visits on 1024x1024 float32, more than the 1e11 one step may do", run.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));

        // A batch: each item may have its own shape, so each fails on its own once read (exit 1).
        CliKit.CopySamples(Path.Combine(dir, "batch"), 2);
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: median_filter\n    size: 4000\noutputs:\n  median_filter: \"{stem}.npy\"\n");
        var batch = CliKit.Run("run", recipe, "--input", $"xray={Path.Combine(dir, "batch")}/*.png", "--out", Path.Combine(dir, "out2"));
        Assert.Equal(1, batch.Exit);
        Assert.Contains("median_filter would do about 1.7e13 pixel visits on 1024x1024 float32, more than the 1e11 one step may do", batch.Err + batch.Out, StringComparison.Ordinal);

        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: median_filter\n    size: 2147483647\noutputs:\n  median_filter: m.npy\n");
        var validate = CliKit.Run("validate", recipe);
        Assert.Equal(2, validate.Exit);
        Assert.Contains("error XRF1040: parameter 'size' of op 'median_filter' must be >= 1 and <= 4096", validate.Err, StringComparison.Ordinal);
    }
}

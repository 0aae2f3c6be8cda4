using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>A long chain of element-wise steps costs linear time and a linear manifest (issue 18: the old manifest listed the whole chain at every step).</summary>
public class LongChainTests
{
    [Fact]
    public void AFourThousandStepChainFusesIntoOneAndTheManifestStaysLinear()
    {
        string dir = RunKit.TempDir();
        var images = RunKit.CopySamples(Directory.CreateDirectory(Path.Combine(dir, "in")).FullName, 1);
        string steps = string.Concat(Enumerable.Range(0, 4000).Select(k => k % 2 == 0 ? "  - op: abs\n" : "  - op: multiply\n    value: -1\n"));
        var recipe = RunKit.LoadFile(dir, "xrayflow: 1\nname: long\ninputs:\n  xray: image\nsteps:\n" + steps + "outputs:\n  out: {from: multiply_2000, path: out.npy}\n");
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = images[0] }, OutDir = Path.Combine(dir, "out"), Threads = 2 });
        Assert.True(result.ExitCode == 0, string.Join("\n", result.Diagnostics));
        Assert.Single(result.Plan!.FusedChains);
        long bytes = new FileInfo(Path.Combine(dir, "out", "manifest.json")).Length;
        Assert.True(bytes < 600_000, $"manifest.json is {bytes} bytes for 4000 steps"); // about 100 bytes a step; it was 140 MB
        var manifest = ManifestJson.Read(Path.Combine(dir, "out", "manifest.json"));
        Assert.All(manifest.Items[0].Steps, s => Assert.Equal(1, s.Chain));

        // -x negated 2000 times after abs each time: |x| * -1 ... ends with -|x| (the last step is a multiply).
        var input = Core.Codecs.ImageReader.Read(images[0]).Data;
        var output = Core.Codecs.ImageReader.Read(Path.Combine(dir, "out", "out.npy")).Data;
        Assert.Equal(input.Select(v => -MathF.Abs(v)), output);
    }
}

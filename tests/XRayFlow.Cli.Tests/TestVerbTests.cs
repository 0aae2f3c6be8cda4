using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;

namespace XRayFlow.Cli.Tests;

/// <summary>`xrayflow test RECIPE...`: runs recipes' own `tests:` sections; exit 0 all pass, 1 some failed, 2 invalid.</summary>
public sealed class TestVerbTests : IDisposable
{
    private readonly string _dir = CliKit.TempDir();

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static string Shipped(string name) => Path.Combine(CliKit.Root, "pipelines", name + ".yaml");

    /// <summary>
    /// Every shipped recipe's own `tests:` pass (`xrayflow test pipelines/*.yaml`, as docs/tutorial.md runs it); a
    /// recipe without tests is skipped. Three digests had gone stale unnoticed when only some recipes were run here.
    /// </summary>
    [Fact]
    public void EveryShippedRecipesTestsPass()
    {
        var recipes = Directory.GetFiles(Path.Combine(CliKit.Root, "pipelines"), "*.yaml").Order(StringComparer.Ordinal).ToArray();
        Assert.True(recipes.Length >= 15, $"{recipes.Length} shipped recipes");
        var r = CliKit.Run(["test", .. recipes]);
        Assert.True(r.Exit == 0, r.Out + r.Err);
        var summary = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Matches(@"^\d+ passed, 0 failed", summary);
        Assert.DoesNotContain("FAIL ", r.Out, StringComparison.Ordinal);
        foreach (var name in new[] { "lung-fields", "ct-lung-mask", "preprocess-for-training", "otsu-mask", "percentile-mask", "xray-classes", "ridges", "harmonize" })
        {
            Assert.Contains($"PASS {name}/", r.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ShippedRecipesProveThemselves()
    {
        var r = CliKit.Run("test", Shipped("sobel"), Shipped("tutorial-canny"), Shipped("histogram"), Shipped("inspect"));
        Assert.True(r.Exit == 0, r.Out + r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["PASS sobel/crop64 (1 output)", "PASS tutorial-canny/crop64 (1 output)", "PASS histogram/crop64 (1 output)", "PASS inspect/crop64 (1 output)", "4 passed, 0 failed"],
            lines);
    }

    /// <summary>
    /// validate warns (XRF7002, at the path) about each file a test names that `xrayflow test` could not read: it
    /// said ok, and only `xrayflow test` found them (noticed by the dsl-v1 walk-through). The recipe itself runs, so
    /// they are warnings, exit 0.
    /// </summary>
    [Fact]
    public void ValidateWarnsAboutTestFilesThatAreNotThere()
    {
        File.Copy(Path.Combine(CliKit.Root, "pipelines", "samples", "tests", "xray_crop64.png"), Path.Combine(_dir, "x.png"));
        Directory.CreateDirectory(Path.Combine(_dir, "ref"));
        Assert.Equal(0, mkfifo(Path.Combine(_dir, "ref", "pipe.npy"), 0b110_100_100));
        string recipe = Path.Combine(_dir, "r.yaml");
        File.WriteAllText(recipe, HalfRecipe + """
              - name: t1
                inputs: {xray: missing.png}
                expect:
                  half: {npy: ref/missing.npy}
              - name: t2
                inputs: {xray: ../x.png}
                expect:
                  half: {npy: ref/pipe.npy}
              - name: t3
                inputs: {xray: x.png}
                expect:
                  half: "sha256:0000000000000000000000000000000000000000000000000000000000000000"
            """);
        var r = CliKit.Run("validate", recipe);
        Assert.True(r.Exit == 0, r.Err);
        string tail = "; `xrayflow test` cannot run this test until it is";
        Assert.Equal(
            [
                $"{recipe}:11:20: warning XRF7002: test 't1': input 'xray' ({Path.Combine(_dir, "missing.png")}) is not there{tail}",
                $"{recipe}:13:13: warning XRF7002: test 't1': the reference of output 'half' ({Path.Combine(_dir, "ref", "missing.npy")}) is not there{tail}",
                $"{recipe}:15:20: warning XRF7002: test 't2': input 'xray' ({Path.GetFullPath(Path.Combine(_dir, "..", "x.png"))}) is outside the recipe's folder {_dir}{tail}",
                $"{recipe}:17:13: warning XRF7002: test 't2': the reference of output 'half' ({Path.Combine(_dir, "ref", "pipe.npy")}) is a FIFO (named pipe), not a regular file{tail}",
            ],
            r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains("XRF7002", StringComparison.Ordinal)));

        // With the files there, no warning.
        File.Delete(Path.Combine(_dir, "ref", "pipe.npy"));
        var clean = recipe.Replace("r.yaml", "clean.yaml", StringComparison.Ordinal);
        File.WriteAllText(clean, File.ReadAllText(recipe).Replace("missing.png", "x.png", StringComparison.Ordinal).Replace("../x.png", "x.png", StringComparison.Ordinal)
            .Replace("ref/missing.npy", "ref/r.npy", StringComparison.Ordinal).Replace("ref/pipe.npy", "ref/r.npy", StringComparison.Ordinal));
        NpyWriter.Write(Path.Combine(_dir, "ref", "r.npy"), new XRayFlow.Core.Imaging.ImageArray(1, 1));
        var ok = CliKit.Run("validate", clean);
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.DoesNotContain("XRF7002", ok.Err, StringComparison.Ordinal);
    }

    /// <summary>A test's input file that is not there is reported at the path the test wrote, naming the test (it was at the input's declaration, naming neither).</summary>
    [Fact]
    public void ATestsMissingInputIsReportedAtItsPath()
    {
        File.Copy(Path.Combine(CliKit.Root, "pipelines", "samples", "tests", "xray_crop64.png"), Path.Combine(_dir, "x.png"));
        string recipe = Path.Combine(_dir, "r.yaml");
        File.WriteAllText(recipe, HalfRecipe + """
              - name: t1
                inputs: {xray: missing.png}
                expect:
                  half: "sha256:0000000000000000000000000000000000000000000000000000000000000000"
            """);
        var r = CliKit.Run("test", recipe);
        Assert.Equal(2, r.Exit);
        Assert.Contains($"{recipe}:11:20: error XRF2005: test 't1': input 'xray': file '{Path.Combine(_dir, "missing.png")}' does not exist", r.Err, StringComparison.Ordinal);
    }

    /// <summary>A recipe beside x.png that halves it, up to and with its `tests:` key (the tests' own lines follow).</summary>
    private const string HalfRecipe = """
        xrayflow: 1
        name: tv
        inputs:
          xray: {kind: image, default: x.png}
        steps:
          - {id: half, op: multiply, in: xray, value: 0.5}
        outputs:
          half: "{stem}_half.npy"
        tests:

        """;

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);

    [Fact]
    public void AnArrayBeyondItsToleranceFailsWithExit1()
    {
        // The SciPy reference made 0.1% larger: far beyond tolerance 1e-4 of the peak.
        var reference = NpyReader.Read(Path.Combine(CliKit.Root, "pipelines", "samples", "tests", "sobel_crop64.npy"));
        for (int k = 0; k < reference.Length; k++)
        {
            reference.Data[k] *= 1.001f;
        }

        NpyWriter.Write(Path.Combine(_dir, "off.npy"), reference);
        string recipe = WriteRecipe("scaled", """
              sobel: {npy: off.npy, tolerance: 1e-4}
            """);
        var r = CliKit.Run("test", recipe);
        Assert.True(r.Exit == 1, r.Out + r.Err);
        Assert.StartsWith("FAIL sobel-copy/scaled: output 'sobel': max |diff| ", r.Out, StringComparison.Ordinal);
        Assert.Contains("> tolerance 0.0001 x peak", r.Out, StringComparison.Ordinal);
        Assert.EndsWith("0 passed, 1 failed\n", r.Out, StringComparison.Ordinal);

        // The same reference passes with a tolerance that covers 0.1%.
        var loose = CliKit.Run("test", WriteRecipe("loose", """
              sobel: {npy: off.npy, tolerance: 2e-3}
            """));
        Assert.True(loose.Exit == 0, loose.Out + loose.Err);
    }

    [Fact]
    public void AWrongDigestFailsAndNamesBothDigests()
    {
        string wrong = "sha256:" + new string('0', 64);
        string recipe = WriteRecipe("digest", $"""
              sobel_gray: "{wrong}"
            """);
        var r = CliKit.Run("test", recipe);
        Assert.True(r.Exit == 1, r.Out + r.Err);
        Assert.Matches(@"^FAIL sobel-copy/digest: output 'sobel_gray': digest sha256:[0-9a-f]{64} differs from the expected sha256:0{64}\n", r.Out);
    }

    [Fact]
    public void MixedPassAndFailIsExit1WithOneLinePerCase()
    {
        var bad = NpyReader.Read(Path.Combine(CliKit.Root, "pipelines", "samples", "tests", "sobel_crop64.npy"));
        bad.Data[100] += 10; // a 64 x 64 crop: row 1, column 36
        NpyWriter.Write(Path.Combine(_dir, "bad.npy"), bad);
        string recipe = WriteRecipe("bad", """
              sobel: {npy: bad.npy}
            """);
        var r = CliKit.Run("test", Shipped("sobel"), recipe);
        Assert.True(r.Exit == 1, r.Out + r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal("PASS sobel/crop64 (1 output)", lines[0]);
        Assert.StartsWith("FAIL sobel-copy/bad: output 'sobel': max |diff| 10 at [row 1, column 36]", lines[1], StringComparison.Ordinal);
        Assert.Equal("1 passed, 1 failed", lines[2]);
    }

    [Fact]
    public void ARecipeWithoutTestsAloneIsInvalid()
    {
        var r = CliKit.Run("test", Shipped("compare"));
        Assert.Equal(2, r.Exit);
        Assert.Contains("error XRF7001: recipe 'compare' has no `tests:` section", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void RecipesWithoutTestsAreSkippedBesideOnesWithTests()
    {
        var r = CliKit.Run("test", Shipped("compare"), Shipped("sobel"));
        Assert.True(r.Exit == 0, r.Out + r.Err);
        Assert.Equal("SKIP compare (no `tests:` section)\nPASS sobel/crop64 (1 output)\n1 passed, 0 failed, 1 skipped (no tests)\n", r.Out);
    }

    [Fact]
    public void MissingRecipeOrMissingTestInputIsExit2()
    {
        var missing = CliKit.Run("test", Path.Combine(_dir, "nope.yaml"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("XRF2010", missing.Err, StringComparison.Ordinal);

        string recipe = WriteRecipe("noinput", """
              sobel: {npy: off.npy}
            """, input: "no-such-crop.png");
        var r = CliKit.Run("test", recipe);
        Assert.Equal(2, r.Exit);
        Assert.Contains("XRF2005", r.Err, StringComparison.Ordinal);
        Assert.StartsWith("FAIL sobel-copy/noinput: cannot run: input 'xray': file '", r.Out, StringComparison.Ordinal);
    }

    private static string Indent(string lines) => string.Join("\n", lines.Trim().Split('\n').Select(l => "      " + l.Trim()));

    /// <summary>A copy of the shipped sobel recipe in the temp folder, with one test named <paramref name="test"/>.</summary>
    private string WriteRecipe(string test, string expect, string input = "crop.png")
    {
        File.Copy(Path.Combine(CliKit.Root, "pipelines", "samples", "tests", "xray_crop64.png"), Path.Combine(_dir, "crop.png"), overwrite: true);
        string text = File.ReadAllText(Shipped("sobel"));
        text = text[..text.IndexOf("tests:", StringComparison.Ordinal)]
            .Replace("name: sobel", "name: sobel-copy", StringComparison.Ordinal)
            .Replace("default: samples/00000011_001.png", "default: crop.png", StringComparison.Ordinal);
        text += $"""
            tests:
              - name: {test}
                inputs: {"{"}xray: {input}{"}"}
                expect:
            {Indent(expect)}

            """;
        string path = Path.Combine(_dir, test + ".yaml");
        File.WriteAllText(path, text);
        return path;
    }
}

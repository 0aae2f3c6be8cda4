using System.Text.Json;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;

namespace XRayFlow.Cli.Tests;

public class CliTests
{
    private static string P(string dir, params string[] parts) => Path.Combine([dir, .. parts]);

    [Fact]
    public void HelpListsEveryVerbAndExitsZero()
    {
        var r = CliKit.Run("--help");
        Assert.Equal(0, r.Exit);
        foreach (var verb in new[] { "run", "validate", "plan", "ops", "schema", "info", "verify", "test" })
        {
            Assert.Contains($"    {verb} ", r.Out, StringComparison.Ordinal);
        }

        var run = CliKit.Run("run", "--help");
        Assert.Equal(0, run.Exit);
        Assert.Contains("--input <NAME=PATH>", run.Out, StringComparison.Ordinal);
        Assert.Contains("--profile <FILE>", run.Out, StringComparison.Ordinal);
        Assert.Contains("xrayflow run pipelines/tutorial-canny.yaml", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateOkIsZeroAndErrorsAreCompilerStyleWithExitTwo()
    {
        string dir = CliKit.Project();
        var ok = CliKit.Run("validate", P(dir, "recipe.yaml"));
        Assert.Equal(0, ok.Exit);
        Assert.Equal(string.Empty, ok.Err);

        File.WriteAllText(P(dir, "bad.yaml"), CliKit.Sobel.Replace("op: abs", "op: abss", StringComparison.Ordinal));
        var bad = CliKit.Run("validate", P(dir, "bad.yaml"));
        Assert.Equal(2, bad.Exit);
        string line = Assert.Single(bad.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^.*bad\.yaml:14:\d+: error XRF1\d{3}: .*'abss'.*'abs'", line);
        Assert.DoesNotContain("   at ", bad.Err, StringComparison.Ordinal);
    }

    /// <summary>
    /// dsl-v1: diagnostics go to stderr "one per line, compiler style". A line break in what a diagnostic quotes (a
    /// quoted "gauss\nian" op, id or enum value) is written as \x0a: it split one diagnostic over two lines, the
    /// second without a location.
    /// </summary>
    [Fact]
    public void ADiagnosticQuotingALineBreakStaysOneLine()
    {
        string dir = CliKit.Project();
        File.WriteAllText(P(dir, "nl.yaml"), "xrayflow: 1\ninputs: {xray: image}\nsteps:\n  - op: \"gauss\\nian\"\n  - {id: \"a\\u2028b\", op: abs}\n  - {op: sobel, mode: \"re\\r\\nflect\"}\n");
        var v = CliKit.Run("validate", P(dir, "nl.yaml"));
        Assert.Equal(2, v.Exit);
        var lines = v.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.All(lines, line => Assert.Matches(@"^.*nl\.yaml:\d+:\d+: error XRF1\d{3}: ", line));
        Assert.Contains("'gauss\\x0aian'", lines[0], StringComparison.Ordinal);
        Assert.Contains("'a\\u2028b'", lines[1], StringComparison.Ordinal);
        Assert.Contains("'re\\x0d\\x0aflect'", lines[2], StringComparison.Ordinal);
    }

    /// <summary>
    /// A `default:` path run would refuse (missing, outside the recipe's folder) is refused by validate too, at the
    /// input's line, with run's code; an input without a default is fine until a run lacks its --input.
    /// </summary>
    [Fact]
    public void ValidateRefusesTheDefaultPathsRunWouldRefuse()
    {
        string dir = CliKit.Project();
        const string Default = "default: images/00000011_000.png";
        Assert.Contains(Default, CliKit.Sobel, StringComparison.Ordinal);
        foreach (var (path, code) in new[] { ("images/nothere.png", "XRF2005"), ("../outside.png", "XRF2024") })
        {
            File.Copy(P(dir, "images", "00000011_000.png"), P(Path.GetDirectoryName(dir)!, "outside.png"), overwrite: true);
            File.WriteAllText(P(dir, "bad.yaml"), CliKit.Sobel.Replace(Default, "default: " + path, StringComparison.Ordinal));
            var v = CliKit.Run("validate", P(dir, "bad.yaml"));
            Assert.Equal(2, v.Exit);
            string line = Assert.Single(v.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Matches(@"bad\.yaml:\d+:\d+: error " + code + ": input 'xray'", line);
            var run = CliKit.Run("run", P(dir, "bad.yaml"), "--out", P(dir, "out"), "--dry-run");
            Assert.Equal(2, run.Exit);
            Assert.Contains(code, run.Err, StringComparison.Ordinal);
        }

        File.WriteAllText(P(dir, "none.yaml"), CliKit.Sobel.Replace(", " + Default, string.Empty, StringComparison.Ordinal));
        Assert.DoesNotContain("default:", File.ReadAllText(P(dir, "none.yaml")), StringComparison.Ordinal);
        var none = CliKit.Run("validate", P(dir, "none.yaml"));
        Assert.True(none.Exit == 0, none.Err);
    }

    /// <summary>
    /// A failed item accounts for the files at its output paths: those it wrote before failing are listed under it
    /// in the manifest (complete, with their hashes), and those an earlier run left are named in its reason (and
    /// left in place).
    /// </summary>
    [Fact]
    public void AFailedItemListsWhatItWroteAndNamesWhatAnEarlierRunLeft()
    {
        string dir = CliKit.Project();
        string outDir = P(dir, "out");
        Directory.CreateDirectory(P(outDir, "npy", "00000011_000_gy.npy")); // the second output cannot be written
        var partial = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", outDir);
        Assert.Equal(1, partial.Exit);
        var item = JsonDocument.Parse(File.ReadAllText(P(outDir, "manifest.json"))).RootElement.GetProperty("items")[0];
        Assert.Equal("failed", item.GetProperty("status").GetString());
        var written = Assert.Single(item.GetProperty("outputs").EnumerateArray());
        Assert.Equal("00000011_000_ax.png", written.GetProperty("path").GetString());
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(P(outDir, "00000011_000_ax.png")))), written.GetProperty("sha256").GetString());
        Assert.DoesNotContain("earlier run", item.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Both outputs written by a good run; then the input breaks: the item fails and says what is left.
        Directory.Delete(P(outDir, "npy", "00000011_000_gy.npy"));
        Assert.Equal(0, CliKit.Run("run", P(dir, "recipe.yaml"), "--out", outDir).Exit);
        string image = P(dir, "images", "00000011_000.png");
        File.WriteAllBytes(image, File.ReadAllBytes(image)[..200]);
        var broken = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", outDir);
        Assert.Equal(1, broken.Exit);
        item = JsonDocument.Parse(File.ReadAllText(P(outDir, "manifest.json"))).RootElement.GetProperty("items")[0];
        Assert.Equal("failed", item.GetProperty("status").GetString());
        Assert.Empty(item.GetProperty("outputs").EnumerateArray());
        Assert.EndsWith("(left in place from an earlier run, not made by this one: 00000011_000_ax.png, npy/00000011_000_gy.npy)", item.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(File.Exists(P(outDir, "00000011_000_ax.png")));
    }

    [Fact]
    public void RunWithOnlyTheRecipeUsesItsDefaultsAndWritesOutputsAndManifest()
    {
        string dir = CliKit.Project();
        string outDir = P(dir, "out");
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", outDir);
        Assert.True(r.Exit == 0, r.Err);
        Assert.Contains("1 of 1 input(s) done", r.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(P(outDir, "00000011_000_ax.png")));
        Assert.True(File.Exists(P(outDir, "npy", "00000011_000_gy.npy")));
        Assert.True(File.Exists(P(outDir, "manifest.json")));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));

        // gy = scipy.ndimage.sobel(x, axis=1) on the sample: check one interior pixel by hand.
        var x = ImageReader.Read(P(dir, "images", "00000011_000.png"));
        var gy = NpyReader.Read(P(outDir, "npy", "00000011_000_gy.npy"));
        int r0 = 500, c0 = 600;
        float Px(int rr, int cc) => x[rr, cc];
        float expected = (Px(r0 - 1, c0 + 1) - Px(r0 - 1, c0 - 1)) + (2 * (Px(r0, c0 + 1) - Px(r0, c0 - 1))) + (Px(r0 + 1, c0 + 1) - Px(r0 + 1, c0 - 1));
        Assert.Equal(expected, gy[r0, c0]);
    }

    [Fact]
    public void ABatchWithCorruptFilesExitsOneAndNamesEachFailure()
    {
        string dir = CliKit.Project(samples: 3);
        string images = P(dir, "images");
        var good = File.ReadAllBytes(P(images, "00000011_000.png"));
        File.WriteAllBytes(P(images, "truncated.png"), good[..(good.Length / 2)]);
        File.WriteAllBytes(P(images, "empty.png"), []);
        File.WriteAllText(P(images, "notes.png"), "just text, not an image\n");

        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={images}/*.png", "--out", P(dir, "out"), "--threads", "2");
        Assert.Equal(1, r.Exit);
        Assert.Contains("3 of 6 input(s) done, 3 failed", r.Out, StringComparison.Ordinal);
        foreach (var name in new[] { "truncated.png", "empty.png", "notes.png" })
        {
            Assert.Contains($"xrayflow: error XRF2012: {name}: failed: ", r.Err, StringComparison.Ordinal);
            Assert.False(File.Exists(P(dir, "out", Path.GetFileNameWithoutExtension(name) + "_ax.png")));
        }

        for (int i = 0; i < 3; i++)
        {
            Assert.True(File.Exists(P(dir, "out", $"00000011_00{i}_ax.png")));
        }

        Assert.Contains("[6/6]", r.Out, StringComparison.Ordinal); // plain progress lines when not on a terminal
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void EachFailureIsNamedOnce()
    {
        // The failures were listed twice: as XRF2012 lines and again under "N input(s) failed:" with the same text.
        string dir = CliKit.Project(samples: 2);
        File.WriteAllText(P(dir, "images", "notes.png"), "just text\n");
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", P(dir, "out"));
        Assert.Equal(1, r.Exit);
        Assert.Single(r.Err.Split('\n'), l => l.Contains("notes.png", StringComparison.Ordinal));
        Assert.Contains("xrayflow: error XRF2012: notes.png: failed: ", r.Err, StringComparison.Ordinal);
        Assert.Contains("2 of 3 input(s) done, 1 failed;", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxFailuresStopsTheBatchAndResumeRunsTheRest()
    {
        string dir = CliKit.Project(samples: 3);
        string images = P(dir, "images");
        File.WriteAllText(P(images, "00000000_broken_a.png"), "not a png"); // sorted first: the first two items fail
        File.WriteAllText(P(images, "00000000_broken_b.png"), "not a png");
        string outDir = P(dir, "out");
        string[] run = ["run", P(dir, "recipe.yaml"), "--input", $"xray={images}/*.png", "--out", outDir];

        var r = CliKit.Run([.. run, "--threads", "1", "--max-failures", "1", "--report"]);
        Assert.Equal(1, r.Exit);
        Assert.Contains("0 of 5 input(s) done, 1 failed, 4 not run;", r.Out, StringComparison.Ordinal);
        Assert.Contains("error XRF2012: 00000000_broken_a.png: failed: ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("00000000_broken_b.png", r.Err + r.Out, StringComparison.Ordinal);
        Assert.Contains("error XRF2062: the run stopped after 1 failed input(s) (--max-failures 1): 4 of its 5 input(s) not run;", r.Err, StringComparison.Ordinal);
        Assert.True(r.Err.IndexOf("XRF2012", StringComparison.Ordinal) < r.Err.IndexOf("XRF2062", StringComparison.Ordinal), r.Err); // the stop after the failures
        var manifest = XRayFlow.Pipeline.Running.ManifestJson.Read(P(outDir, "manifest.json"));
        Assert.Equal(["00000000_broken_a.png"], manifest.Items.Select(i => i.Name));
        Assert.Empty(Directory.GetFiles(outDir, "00000011_*", SearchOption.AllDirectories));
        Assert.Contains("0 of 5 inputs done, <a href=\"#failures\">1 failed</a>, 4 not run (the run stopped after 1 failure: <code>--max-failures 1</code>;",
            File.ReadAllText(P(outDir, "report.html")), StringComparison.Ordinal);

        // Two item threads: those running when the limit is reached finish, so at most 2 + 2 - 1 fail; the counts add up.
        var json = CliKit.Run([.. run, "--threads", "2", "--max-failures", "2", "--json"]);
        Assert.Equal(1, json.Exit);
        using (var doc = System.Text.Json.JsonDocument.Parse(json.Out))
        {
            var root = doc.RootElement;
            int done = root.GetProperty("done").GetInt32(), failed = root.GetProperty("failed").GetInt32(), notRun = root.GetProperty("notRun").GetInt32();
            Assert.Equal(5, root.GetProperty("items").GetInt32());
            Assert.Equal(5, done + failed + notRun);
            Assert.Equal(2, failed); // only two inputs can fail: stopped after both, or all five ran
            Assert.Equal(notRun > 0, json.Err.Contains("XRF2062", StringComparison.Ordinal));
        }

        // --resume without the limit runs what was not run (and the failed ones again); nothing was lost.
        var rest = CliKit.Run([.. run, "--resume"]);
        Assert.Equal(1, rest.Exit);
        Assert.Contains("3 of 5 input(s) done", rest.Out, StringComparison.Ordinal);
        Assert.Contains(", 2 failed;", rest.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("not run", rest.Out, StringComparison.Ordinal);
        Assert.Equal(5, XRayFlow.Pipeline.Running.ManifestJson.Read(P(outDir, "manifest.json")).Items.Count);

        var zero = CliKit.Run([.. run, "--max-failures", "0"]);
        Assert.Equal(2, zero.Exit);
        Assert.Contains("error XRF2021: --max-failures: must be 1 or more", zero.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void CollidingOutputsInABatchExitTwoBeforeAnyWork()
    {
        string dir = CliKit.Project(CliKit.Sobel.Replace("npy/{stem}_gy.npy", "gy.npy", StringComparison.Ordinal), samples: 2);
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", P(dir, "out"));
        Assert.Equal(2, r.Exit);
        Assert.Contains("error XRF2008: outputs collide: 'gy.npy'", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(P(dir, "out")));
    }

    [Fact]
    public void AnOutputPathLeavingOutIsRefusedWithExitTwo()
    {
        string dir = CliKit.Project(CliKit.Sobel.Replace("npy/{stem}_gy.npy", "../../{stem}_gy.npy", StringComparison.Ordinal));
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", P(dir, "out"));
        Assert.Equal(2, r.Exit);
        Assert.Contains("error XRF", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(P(dir, "..", "00000011_000_gy.npy")));
    }

    [Theory]
    [InlineData(new[] { "run" }, "XRF2001")]
    [InlineData(new[] { "run", "RECIPE", "--bogus" }, "XRF2001")]
    [InlineData(new[] { "frobnicate" }, "XRF2001")]
    [InlineData(new[] { "run", "RECIPE", "--set", "novalue" }, "XRF2004")]
    [InlineData(new[] { "run", "RECIPE", "--threads", "0" }, "XRF2021")]
    [InlineData(new[] { "run", "RECIPE", "--input", "nope=x.png" }, "XRF2003")]
    [InlineData(new[] { "run", "missing.yaml" }, "XRF2010")]
    [InlineData(new[] { "plan", "RECIPE", "--format", "svg" }, "XRF2021")]
    [InlineData(new[] { "ops", "sobell" }, "XRF2016")]
    public void CommandLineMistakesExitTwoWithOneDiagnostic(string[] args, string code)
    {
        string dir = CliKit.Project();
        var r = CliKit.Run(args.Select(a => a == "RECIPE" ? P(dir, "recipe.yaml") : a == "missing.yaml" ? P(dir, a) : a).ToArray());
        Assert.Equal(2, r.Exit);
        Assert.Contains($"error {code}: ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void ARecipePathThatIsAFolderSaysSo()
    {
        string dir = CliKit.Project();
        foreach (var verb in new[] { "run", "validate", "plan", "test" })
        {
            var r = CliKit.Run(verb, dir);
            Assert.Equal(2, r.Exit);
            Assert.Equal($"xrayflow: error XRF2010: recipe file '{dir}' is a folder, not a recipe file: give the .yaml file", r.Err.Trim());
        }

        Assert.Contains($"recipe file '{P(dir, "gone.yaml")}' does not exist", CliKit.Run("run", P(dir, "gone.yaml")).Err, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanPrintsTextDotAndMermaidWithShapesFromTheInputHeader()
    {
        string dir = CliKit.Project();
        var text = CliKit.Run("plan", P(dir, "recipe.yaml"));
        Assert.Equal(0, text.Exit);
        Assert.Contains("xray (image): 1024x1024 float32", text.Out, StringComparison.Ordinal);
        Assert.Contains("gy = sobel(xray) axis=1 -> 1024x1024 float32  level 1", text.Out, StringComparison.Ordinal);

        var dot = CliKit.Run("plan", P(dir, "recipe.yaml"), "--format", "dot");
        Assert.Equal(0, dot.Exit);
        Assert.Contains("\"xray\" -> \"gx\" [label=\"1024x1024 float32\"];", dot.Out, StringComparison.Ordinal);

        var mermaid = CliKit.Run("plan", P(dir, "recipe.yaml"), "--format", "mermaid");
        Assert.Equal(0, mermaid.Exit);
        Assert.StartsWith("flowchart TD", mermaid.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanRefusesAGivenInputFileAsRunDoes()
    {
        // A mistyped --input showed the plan with unknown shapes ("?") and exit 0; run refused it (exit 2).
        string dir = CliKit.Project();
        foreach (var (given, code, text) in new[]
        {
            ("xray=" + P(dir, "nope.png"), "XRF2005", $"input 'xray': file '{P(dir, "nope.png")}' does not exist"),
            ("xray=" + P(dir, "none*.png"), "XRF2006", $"input 'xray': no file matches '{P(dir, "none*.png")}'"),
            ("xray=/dev/null", "XRF2023", "input 'xray': '/dev/null' is a character device, not a regular file"),
        })
        {
            var plan = CliKit.Run("plan", P(dir, "recipe.yaml"), "--input", given);
            var run = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", given, "--out", P(dir, "out"));
            Assert.Equal((2, 2), (plan.Exit, run.Exit));
            Assert.Equal($"xrayflow: error {code}: {text}", plan.Err.Trim());
            Assert.Contains($"error {code}: {text}", run.Err, StringComparison.Ordinal);
            Assert.Equal(string.Empty, plan.Out);
        }

        // An input not given keeps its default; one that exists but whose header is unreadable stays unknown, and
        // a warning says why (it said nothing).
        File.WriteAllBytes(P(dir, "empty.png"), []);
        var unknown = CliKit.Run("plan", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "empty.png"));
        Assert.Equal(0, unknown.Exit);
        Assert.Contains("xray (image): ?", unknown.Out, StringComparison.Ordinal);
        Assert.Equal($"xrayflow: warning XRF2063: input 'xray': '{P(dir, "empty.png")}' has no readable image header (the file is empty): its shape is unknown ('?'), and `run` would fail it", unknown.Err.Trim());
        var json = CliKit.Run("plan", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "empty.png"), "--json");
        Assert.Contains("\"code\": \"XRF2063\"", json.Out, StringComparison.Ordinal);

        // validate says it of a recipe's default, at the input's line (the recipe stays valid: exit 0).
        File.WriteAllText(P(dir, "images", "00000011_000.png"), "not a png");
        var validate = CliKit.Run("validate", P(dir, "recipe.yaml"));
        Assert.Equal(0, validate.Exit);
        Assert.Matches(@"recipe\.yaml:\d+:\d+: warning XRF2063: input 'xray': '[^']*00000011_000\.png' has no readable image header \(the file is named \.png but is not a PNG file: it looks like a text file;", validate.Err);
    }

    [Fact]
    public void OpsListsTheCatalogueAndOneOpsParameters()
    {
        var all = CliKit.Run("ops");
        Assert.Equal(0, all.Exit);
        Assert.Contains("sobel", all.Out, StringComparison.Ordinal);
        Assert.Contains("abs", all.Out, StringComparison.Ordinal);

        var one = CliKit.Run("ops", "sobel");
        Assert.Equal(0, one.Exit);
        Assert.Contains("reference: scipy.ndimage.sobel", one.Out, StringComparison.Ordinal);
        // The parameter facts wrap to the width (100 columns off a terminal): one block per parameter when a table would not fit.
        Assert.Matches(@"mode: enum; one of reflect \| ", one.Out);
    }

    [Fact]
    public void InfoPrintsShapeAndStatistics()
    {
        string dir = CliKit.Project();
        var x = ImageReader.Read(P(dir, "images", "00000011_000.png"));
        var r = CliKit.Run("info", P(dir, "images", "00000011_000.png"));
        Assert.Equal(0, r.Exit);
        Assert.Contains("shape:  (1024, 1024)", r.Out, StringComparison.Ordinal);
        Assert.Contains("stored: PNG, 8-bit grey", r.Out, StringComparison.Ordinal);
        Assert.Contains($"max:    {x.Data.Max():G9}", r.Out, StringComparison.Ordinal);
        var sorted = x.Data.Order().ToArray();
        double median = (sorted[(sorted.Length / 2) - 1] + (double)sorted[sorted.Length / 2]) / 2;
        Assert.Contains($"median: {median.ToString("G9", System.Globalization.CultureInfo.InvariantCulture)}", r.Out, StringComparison.Ordinal);

        File.WriteAllText(P(dir, "fake.png"), "nope");
        var bad = CliKit.Run("info", P(dir, "fake.png"));
        Assert.Equal(1, bad.Exit);
        Assert.Contains("error XRF2022: cannot read image", bad.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyRoundTripThenTamper()
    {
        string dir = CliKit.Project(samples: 2);
        string outDir = P(dir, "out");
        Assert.Equal(0, CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", outDir).Exit);
        var same = CliKit.Run("verify", P(outDir, "manifest.json"));
        Assert.True(same.Exit == 0, same.Err);
        Assert.Contains(": same (4 output(s) re-computed and identical)", same.Out, StringComparison.Ordinal);

        File.WriteAllBytes(P(outDir, "00000011_001_ax.png"), File.ReadAllBytes(P(outDir, "00000011_000_ax.png")));
        var differs = CliKit.Run("verify", P(outDir, "manifest.json"));
        Assert.Equal(1, differs.Exit);
        Assert.Contains("error XRF2015: 00000011_001_ax.png: changed since the run", differs.Err, StringComparison.Ordinal);

        Assert.Equal(2, CliKit.Run("verify", P(dir, "nothing.json")).Exit);
    }

    [Fact]
    public void ResumeSkipsCompleteInputs()
    {
        string dir = CliKit.Project(samples: 2);
        string[] args = ["run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", P(dir, "out")];
        Assert.Equal(0, CliKit.Run(args).Exit);
        var again = CliKit.Run([.. args, "--resume"]);
        Assert.Equal(0, again.Exit);
        Assert.Contains("2 of 2 input(s) done (2 already complete, skipped)", again.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ProfileWritesStepsWithOneTimePerRepeat()
    {
        string dir = CliKit.Project();
        string profile = P(dir, "profile.json");
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", P(dir, "out"), "--profile", profile, "--repeat", "4");
        Assert.Equal(0, r.Exit);
        using var doc = JsonDocument.Parse(File.ReadAllText(profile));
        var steps = doc.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["gx", "gy", "ax"], steps.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(["sobel", "sobel", "abs"], steps.Select(s => s.GetProperty("op").GetString()));
        Assert.All(steps, s => Assert.Equal(4, s.GetProperty("ms").GetArrayLength()));
    }

    [Theory]
    [InlineData("00000011_000_ax.png", "is where the run writes output ax;")]
    [InlineData("npy/00000011_000_gy.npy", "is where the run writes output gy;")]
    [InlineData("manifest.json", "is where the run writes the run's manifest (manifest.json);")]
    [InlineData("npy", "is where the run writes the folder of output gy;")]
    public void ProfileOnAFileTheRunWritesIsRefusedBeforeAnyWork(string underOut, string why)
    {
        // --profile is written last: on an output it replaced the image with the JSON, on manifest.json the
        // manifest, and the run exited 0. Now it is exit 2 with nothing written, --dry-run included.
        string dir = CliKit.Project();
        string outDir = P(dir, "out");
        string profile = P(outDir, underOut);
        foreach (var dry in new[] { true, false })
        {
            string[] args = ["run", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "images", "00000011_000.png"), "--out", outDir, "--profile", profile];
            var r = CliKit.Run(dry ? [.. args, "--dry-run"] : args);
            Assert.Equal(2, r.Exit);
            Assert.Equal($"xrayflow: error XRF2051: --profile '{profile}' {why} give --profile a path the run does not write\n", r.Err);
            Assert.False(Directory.Exists(outDir));
        }

        var ok = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", outDir, "--profile", P(outDir, "profile.json"), "-q");
        Assert.Equal(0, ok.Exit);
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(File.ReadAllText(P(outDir, "profile.json"))).RootElement.GetProperty("steps").ValueKind);
        Assert.Equal(1024, ImageReader.Read(P(outDir, "00000011_000_ax.png")).Shape[^1]);
    }

    [Fact]
    public void OutputNamesUpTo255BytesAreWrittenAndLongerOnesRefusedBeforeAnyWorkNamingTheItem()
    {
        // {stem}_ax.png of a 225-byte stem is 232 bytes: a valid name whose temporary name was too long (the item
        // failed); a 250-byte stem makes 257, which no file system takes: --dry-run said fine, the run failed late.
        string dir = CliKit.Project();
        Directory.CreateDirectory(P(dir, "long"));
        Directory.CreateDirectory(P(dir, "longer"));
        string ok = new string('b', 225), over = new string('b', 250);
        File.Copy(P(dir, "images", "00000011_000.png"), P(dir, "long", ok + ".png"));
        File.Copy(P(dir, "images", "00000011_000.png"), P(dir, "longer", over + ".png"));

        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "long"), "--out", P(dir, "out"), "-q");
        Assert.Equal(0, r.Exit);
        Assert.Equal(string.Empty, r.Err);
        Assert.Equal(1024, ImageReader.Read(P(dir, "out", ok + "_ax.png")).Shape[^1]);
        Assert.Equal([ok + "_ax.png", "manifest.json"], Directory.GetFiles(P(dir, "out")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        foreach (var dry in new[] { true, false })
        {
            string[] args = ["run", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "longer"), "--out", P(dir, "out2")];
            var bad = CliKit.Run(dry ? [.. args, "--dry-run"] : args);
            Assert.Equal(2, bad.Exit);
            Assert.Contains($"error XRF2052: '{over}.png' (output ax): the name '{over}_ax.png' is 257 bytes long; a file or folder name can have at most 255 bytes", bad.Err, StringComparison.Ordinal);
            Assert.False(Directory.Exists(P(dir, "out2")));
        }

        // Counted in bytes, not characters: 83 three-byte characters make a 253-byte input name and a 256-byte output
        // name of only 90 characters (a mutant that skipped names under 128 characters passed every test).
        string wide = string.Concat(Enumerable.Repeat("\u5B57", 84));
        Directory.CreateDirectory(P(dir, "wide"));
        File.Copy(P(dir, "images", "00000011_000.png"), P(dir, "wide", wide[..^1] + ".png"));
        var w = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "wide"), "--out", P(dir, "out3"), "--dry-run");
        Assert.Equal(2, w.Exit);
        Assert.Contains($"error XRF2052: '{wide[..^1]}.png' (output ax): the name '{wide[..^1]}_ax.png' is 256 bytes long;", w.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void RepeatWithoutProfileIsRefusedBeforeAnyWork()
    {
        // --repeat only times the plan for --profile; without it the repeats ran and their times were thrown away.
        string dir = CliKit.Project();
        foreach (var dry in new[] { false, true })
        {
            string[] args = ["run", P(dir, "recipe.yaml"), "--out", P(dir, "out"), "--repeat", "3"];
            var r = CliKit.Run(dry ? [.. args, "--dry-run"] : args);
            Assert.Equal(2, r.Exit);
            Assert.Equal("xrayflow: error XRF2021: --repeat: times the plan for --profile, which is not given: add --profile FILE.json, or drop --repeat\n", r.Err);
            Assert.False(Directory.Exists(P(dir, "out")));
        }

        var ok = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", P(dir, "out"), "--repeat", "1", "-q");
        Assert.Equal(0, ok.Exit);
        Assert.True(File.Exists(P(dir, "out", "manifest.json")));
    }

    [Fact]
    public void PlanJsonLevelsStartAtOneAsDocsCliJsonSays()
    {
        // docs/cli-json.md showed "level": 0 for a first step; the planner numbers levels from 1.
        string dir = CliKit.Project();
        var r = CliKit.Run("plan", P(dir, "recipe.yaml"), "--json");
        Assert.Equal(0, r.Exit);
        var steps = JsonDocument.Parse(r.Out).RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal([("gx", 1), ("gy", 1), ("ax", 2)], steps.Select(s => (s.GetProperty("id").GetString(), s.GetProperty("level").GetInt32())).OrderBy(t => t.Item1 == "ax").ThenBy(t => t.Item1));
        Assert.Contains("\"level\": 1, \"chain\"", File.ReadAllText(P(CliKit.Root, "docs", "cli-json.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void TestVerbRunsARecipesTestsSection()
    {
        string dir = CliKit.Project();
        var ok = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", P(dir, "ref"));
        Assert.Equal(0, ok.Exit);
        string digest = Manifest(P(dir, "ref")).Item2;
        File.WriteAllText(P(dir, "tested.yaml"), CliKit.Sobel + $"\ntests:\n  - name: sample\n    inputs: {{xray: images/00000011_000.png}}\n    expect:\n      ax: \"sha256:{digest}\"\n");
        var pass = CliKit.Run("test", P(dir, "tested.yaml"));
        Assert.True(pass.Exit == 0, pass.Err + pass.Out);
        Assert.Contains("PASS sobel-test/sample (1 output)", pass.Out, StringComparison.Ordinal);

        File.WriteAllText(P(dir, "wrong.yaml"), CliKit.Sobel + "\ntests:\n  - name: sample\n    inputs: {xray: images/00000011_000.png}\n    expect:\n      ax: \"sha256:" + new string('0', 64) + "\"\n");
        var fail = CliKit.Run("test", P(dir, "wrong.yaml"));
        Assert.Equal(1, fail.Exit);
        Assert.Contains("FAIL sobel-test/sample", fail.Out, StringComparison.Ordinal);

        Assert.Equal(2, CliKit.Run("test", P(dir, "recipe.yaml")).Exit); // no tests: section
    }

    private static (string, string) Manifest(string outDir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(P(outDir, "manifest.json")));
        var o = doc.RootElement.GetProperty("items")[0].GetProperty("outputs")[0];
        return (o.GetProperty("path").GetString()!, o.GetProperty("sha256").GetString()!);
    }

    [Fact]
    public void RealProcessExitCodesAndNoStackTraces()
    {
        string dir = CliKit.Project();
        var ok = CliKit.RunProcess(dir, "run", "recipe.yaml");
        Assert.True(ok.Exit == 0, ok.Err);
        Assert.True(File.Exists(P(dir, "out", "sobel-test", "00000011_000_ax.png"))); // --out defaults to out/<recipe name>

        var invalid = CliKit.RunProcess(dir, "run", "recipe.yaml", "--set", "x");
        Assert.Equal(2, invalid.Exit);
        Assert.Equal("xrayflow: error XRF2004: --set 'x' is not NAME=VALUE\n", invalid.Err);

        File.WriteAllBytes(P(dir, "images", "00000011_000.png"), [0x89, 0x50, 0x4E, 0x47]);
        var failed = CliKit.RunProcess(dir, "run", "recipe.yaml");
        Assert.Equal(1, failed.Exit);
        Assert.DoesNotContain("   at ", failed.Err, StringComparison.Ordinal);
    }
}

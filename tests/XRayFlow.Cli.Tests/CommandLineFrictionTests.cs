using System.Diagnostics;
using System.Text.Json;
using XRayFlow.Cli.Commands;
using XRayFlow.Cli.Output;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Catalog;

namespace XRayFlow.Cli.Tests;

/// <summary>Issue 17, "Command line": the friction points a first-hour SciPy user met, each reproduced.</summary>
public class CommandLineFrictionTests
{
    private static string P(string dir, params string[] parts) => Path.Combine([dir, .. parts]);

    private static JsonElement Json(CliKit.Result r)
    {
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement.Clone();
        Assert.Equal(1, root.GetProperty("version").GetInt32());
        return root;
    }

    private static CliKit.Result RunWide(int width, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CliApp.Run(args, new CliHost { Out = stdout, Err = stderr, Interactive = false, Width = width });
        return new CliKit.Result(exit, stdout.ToString(), stderr.ToString());
    }

    // ----- --json, several files -----

    [Fact]
    public void InfoTakesSeveralFilesAndPrintsJsonWithTheStatisticsOfEach()
    {
        string dir = CliKit.Project(samples: 2);
        string a = P(dir, "images", "00000011_000.png"), b = P(dir, "images", "00000011_001.png");
        var text = CliKit.Run("info", a, b);
        Assert.Equal(0, text.Exit);
        Assert.Equal(2, text.Out.Split('\n').Count(l => l.StartsWith("file:", StringComparison.Ordinal)));

        var r = CliKit.Run("info", a, b, P(dir, "missing.png"), "--json");
        Assert.Equal(2, r.Exit); // the missing file; the others are still described
        var files = Json(r).GetProperty("files");
        Assert.Equal(3, files.GetArrayLength());
        var first = files[0];
        Assert.Equal(a, first.GetProperty("file").GetString());
        Assert.Equal([1024, 1024], first.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()));
        var pixels = Core.Codecs.ImageReader.Read(a).Data;
        Assert.Equal(pixels.Max(), first.GetProperty("statistics").GetProperty("max").GetDouble());
        Assert.Equal(pixels.Min(), first.GetProperty("statistics").GetProperty("min").GetDouble());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("error").ValueKind);
        Assert.Equal("no such file", files[2].GetProperty("error").GetString());
        Assert.Equal(JsonValueKind.Null, files[2].GetProperty("statistics").ValueKind);
    }

    [Fact]
    public void ValidateTakesSeveralFilesChecksThemAllAndPrintsJson()
    {
        string dir = CliKit.Project();
        File.WriteAllText(P(dir, "bad.yaml"), CliKit.Sobel.Replace("op: abs", "op: abss", StringComparison.Ordinal));
        var text = CliKit.Run("validate", P(dir, "bad.yaml"), P(dir, "recipe.yaml"));
        Assert.Equal(2, text.Exit);
        Assert.Contains("recipe.yaml: ok", text.Out, StringComparison.Ordinal); // checked after the bad one

        var r = CliKit.Run("validate", P(dir, "recipe.yaml"), P(dir, "bad.yaml"), "--json");
        Assert.Equal(2, r.Exit);
        var root = Json(r);
        Assert.False(root.GetProperty("ok").GetBoolean());
        var files = root.GetProperty("files");
        Assert.True(files[0].GetProperty("ok").GetBoolean());
        Assert.Equal(0, files[0].GetProperty("diagnostics").GetArrayLength());
        Assert.False(files[1].GetProperty("ok").GetBoolean());
        var d = files[1].GetProperty("diagnostics")[0];
        Assert.StartsWith("XRF1", d.GetProperty("code").GetString(), StringComparison.Ordinal);
        Assert.Equal("error", d.GetProperty("severity").GetString());
        Assert.Equal(14, d.GetProperty("line").GetInt32());
        Assert.Contains("'abs'", d.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void OpsJsonListsEveryOpOfTheRegistryWithItsParameters()
    {
        var r = CliKit.Run("ops", "--json");
        Assert.Equal(0, r.Exit);
        var ops = Json(r).GetProperty("ops");
        Assert.Equal(OpRegistry.All.Select(o => o.Name), ops.EnumerateArray().Select(o => o.GetProperty("name").GetString()));

        var one = Json(CliKit.Run("ops", "gaussian_filter", "--json")).GetProperty("op");
        Assert.Equal("scipy.ndimage.gaussian_filter", one.GetProperty("reference").GetString());
        var sigma = one.GetProperty("params").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "sigma");
        Assert.True(sigma.GetProperty("required").GetBoolean());
        var mode = one.GetProperty("params").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "mode");
        Assert.Contains("reflect", mode.GetProperty("allowed").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal("reflect", mode.GetProperty("default").GetString());
    }

    [Fact]
    public void PlanJsonGivesTheStepsInOrderWithTheirSourcesAndShapes()
    {
        string dir = CliKit.Project();
        var r = CliKit.Run("plan", P(dir, "recipe.yaml"), "--json");
        Assert.Equal(0, r.Exit);
        var root = Json(r);
        Assert.Equal("sobel-test", root.GetProperty("recipe").GetString());
        var steps = root.GetProperty("steps").EnumerateArray().ToList();
        // Run order: gx and ax form a row-band group (gx is read by ax alone), moved next to its last step ax.
        Assert.Equal(["gy", "gx", "ax"], steps.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("sobel", steps[0].GetProperty("op").GetString());
        Assert.Equal(["gx"], steps[2].GetProperty("in").EnumerateArray().Select(x => x.GetString()));
        var group = Assert.Single(root.GetProperty("fused").EnumerateArray());
        Assert.Equal("row-bands", group.GetProperty("kind").GetString());
        Assert.Equal(["gx", "ax"], group.GetProperty("steps").EnumerateArray().Select(x => x.GetString()));
        Assert.Equal((1, 1), (group.GetProperty("halo_before").GetInt32(), group.GetProperty("halo_after").GetInt32()));
        Assert.Empty(group.GetProperty("one_pass").EnumerateArray()); // gx and ax are no gradient pair
        Assert.Equal(["gx", "gy", "ax"], Json(CliKit.Run("plan", P(dir, "recipe.yaml"), "--json", "--no-fuse")).GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(["ax", "gy"], root.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()).Order());
        Assert.Equal(r.Out, CliKit.Run("plan", P(dir, "recipe.yaml"), "--format", "json").Out);
    }

    [Fact]
    public void PlanSaysWhichGradientPairsRunInOnePass()
    {
        string dir = CliKit.Project();
        File.WriteAllText(P(dir, "pair.yaml"), """
            xrayflow: 1
            name: pair
            inputs:
              xray: image
            steps:
              - id: gy
                op: prewitt
                axis: 1
              - id: gx
                op: prewitt
                in: xray
                axis: 0
              - id: m
                op: hypot
                in: [gy, gx]
            outputs:
              m: m.npy
            """);
        var group = Assert.Single(Json(CliKit.Run("plan", P(dir, "pair.yaml"), "--json")).GetProperty("fused").EnumerateArray());
        var pair = Assert.Single(group.GetProperty("one_pass").EnumerateArray());
        Assert.Equal(["gy", "gx", "m"], pair.EnumerateArray().Select(x => x.GetString()));
        Assert.Contains("gy, gx and m in one pass", CliKit.Run("plan", P(dir, "pair.yaml")).Out);
        Assert.DoesNotContain("one pass", CliKit.Run("plan", P(dir, "pair.yaml"), "--no-fuse").Out);
    }

    [Fact]
    public void RunJsonSummarisesTheBatchWithItsFailures()
    {
        string dir = CliKit.Project(samples: 2);
        File.WriteAllText(P(dir, "images", "broken.png"), "not a png");
        string outDir = P(dir, "out");
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", outDir, "--json");
        Assert.Equal(1, r.Exit);
        var root = Json(r); // stdout is the document alone: no progress lines
        Assert.Equal(1, root.GetProperty("exit").GetInt32());
        Assert.Equal(3, root.GetProperty("items").GetInt32());
        Assert.Equal(2, root.GetProperty("done").GetInt32());
        Assert.Equal(1, root.GetProperty("failed").GetInt32());
        Assert.Equal("broken.png", root.GetProperty("failures")[0].GetProperty("name").GetString());
        Assert.Equal(Path.GetFullPath(P(outDir, "manifest.json")), root.GetProperty("manifest").GetString());
        Assert.Contains("error XRF2012", r.Err, StringComparison.Ordinal);

        var invalid = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "xray=nothing/*.png", "--out", outDir, "--json");
        Assert.Equal(2, invalid.Exit);
        Assert.Equal("XRF2006", Json(invalid).GetProperty("diagnostics")[0].GetProperty("code").GetString());
    }

    // ----- ops fit the terminal -----

    [Fact]
    public void OpsPagesFitEightyColumnsWithoutBreakingAWord()
    {
        var table = RunWide(80, "ops");
        Assert.All(table.Out.Split('\n'), line => Assert.True(line.Length <= 80 || !line.TrimStart().Contains(' ', StringComparison.Ordinal), line));
        foreach (var op in OpRegistry.All)
        {
            var r = RunWide(80, "ops", op.Name);
            Assert.Equal(0, r.Exit);
            foreach (var line in r.Out.Split('\n'))
            {
                // Longer only when one word alone is longer than the line.
                Assert.True(line.Length <= 80 || !line.Trim().Contains(' ', StringComparison.Ordinal), $"{op.Name}: {line.Length} columns: {line}");
            }

            // No word was cut: every doc text appears, word after word, in the page's words.
            string words = string.Join(' ', r.Out.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
            foreach (var p in op.Params.Where(p => p.Doc.Length > 0))
            {
                Assert.Contains(string.Join(' ', p.Doc.Split(' ', StringSplitOptions.RemoveEmptyEntries)), words, StringComparison.Ordinal);
            }

            Assert.Contains(string.Join(' ', op.Summary.Split(' ', StringSplitOptions.RemoveEmptyEntries)), words, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AWideTerminalGetsTheParameterTable()
    {
        string page = OpDocs.Describe(OpRegistry.Get("sobel"), 160);
        Assert.Contains("name  ", page, StringComparison.Ordinal);
        Assert.Matches(@"\n    axis\s+int\s", page);
    }

    // ----- progress, --quiet, --dry-run -----

    [Fact]
    public void TheProgressLabelShowsCountCurrentFileAndRate()
    {
        Assert.Equal("sobel 12/450 00000011_003.png 3.0 images/s", RunOutput.ProgressLabel("sobel", 12, 450, "00000011_003.png", 4.0));
        Assert.Equal("sobel 300/450 x.png 25 images/s", RunOutput.ProgressLabel("sobel", 300, 450, "x.png", 12.0));
        Assert.Equal("sobel 0/450", RunOutput.ProgressLabel("sobel", 0, 450, null, 0));
        string label = RunOutput.ProgressLabel("r", 1, 2, "a\u001b[2Jvery-long-name-of-an-image-file-from-a-scanner.png", 1);
        Assert.DoesNotContain('\u001b', label);
        Assert.Contains("...", label, StringComparison.Ordinal);
    }

    private const string WarningRecipe = """
        xrayflow: 1
        name: warned
        inputs:
          xray: {kind: image, default: images/00000011_000.png}
        steps:
          - id: smooth
            op: fourier_gaussian
            sigma: 0.05
        outputs:
          smooth: "{stem}_smooth.npy"
        """;

    [Fact]
    public void QuietPrintsErrorsOnly()
    {
        string dir = CliKit.Project(WarningRecipe);
        var loud = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", P(dir, "out1"));
        Assert.Equal(0, loud.Exit);
        Assert.Contains("warning XRF1058", loud.Err, StringComparison.Ordinal);
        Assert.Contains("1 of 1 input(s) done", loud.Out, StringComparison.Ordinal);

        var quiet = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", P(dir, "out2"), "--quiet");
        Assert.Equal(0, quiet.Exit);
        Assert.Equal(string.Empty, quiet.Out);
        Assert.Equal(string.Empty, quiet.Err);
        Assert.True(File.Exists(P(dir, "out2", "00000011_000_smooth.npy")));

        var error = CliKit.Run("run", P(dir, "recipe.yaml"), "--out", P(dir, "out3"), "-q", "--input", "xray=missing.png");
        Assert.Equal(2, error.Exit);
        Assert.Contains("error XRF2005", error.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void DryRunResolvesInputsAndOutputPathsAndTouchesNothing()
    {
        string dir = CliKit.Project(samples: 3);
        string outDir = P(dir, "out");
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", outDir, "--shard", "1/3", "--dry-run");
        Assert.True(r.Exit == 0, r.Err);
        Assert.False(Directory.Exists(outDir));
        Assert.Contains("1 of 3 input(s), shard 1 of 3", r.Out, StringComparison.Ordinal);
        Assert.Contains($"xray <- {P(dir, "images", "00000011_001.png")}", r.Out, StringComparison.Ordinal);
        Assert.Contains($"ax -> {P(outDir, "00000011_001_ax.png")}", r.Out, StringComparison.Ordinal);
        Assert.Contains($"gy -> {P(outDir, "npy", "00000011_001_gy.npy")}", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("00000011_000", r.Out, StringComparison.Ordinal);

        var json = Json(CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", outDir, "--dry-run", "--json"));
        Assert.True(json.GetProperty("dryRun").GetBoolean());
        Assert.Equal(3, json.GetProperty("items").GetArrayLength());
        Assert.Equal(2, json.GetProperty("items")[0].GetProperty("outputs").GetArrayLength());
        Assert.False(Directory.Exists(outDir));

        Assert.Equal(JsonValueKind.Null, json.GetProperty("report").ValueKind);

        // A dry run still refuses what the run would refuse (exit 2).
        var bad = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "xray=nothing/*.png", "--out", outDir, "--dry-run");
        Assert.Equal(2, bad.Exit);
    }

    [Fact]
    public void DryRunWithReportSaysWhereThePageGoes()
    {
        // It listed every output and the manifest, but not report.html.
        string dir = CliKit.Project(samples: 2);
        string outDir = P(dir, "out");
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", outDir, "--shard", "1/2", "--report", "--dry-run");
        Assert.True(r.Exit == 0, r.Err);
        Assert.EndsWith($"  manifest -> {P(outDir, "manifest.shard-0001-of-0002.json")}\n  report -> {P(outDir, "report.shard-0001-of-0002.html")}\n", r.Out, StringComparison.Ordinal);

        var json = Json(CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", outDir, "--report", "--dry-run", "--json"));
        Assert.Equal(P(outDir, "report.html"), json.GetProperty("report").GetString());
        Assert.False(Directory.Exists(outDir));
    }

    // ----- init, test --update -----

    [Fact]
    public void InitWritesARecipeWhoseTestPassesAfterUpdateAndNeverOverwrites()
    {
        string dir = CliKit.TempDir();
        var r = CliKit.Run("init", "lungs", "--dir", dir);
        Assert.True(r.Exit == 0, r.Err);
        string recipe = P(dir, "lungs.yaml");
        string text = File.ReadAllText(recipe);
        Assert.StartsWith("# yaml-language-server: $schema=xrayflow.schema.json\n", text, StringComparison.Ordinal);
        Assert.Contains("\ntests:\n", text, StringComparison.Ordinal);
        Assert.True(File.Exists(P(dir, "tests", "lungs.png")));
        Assert.Equal(XRayFlow.Pipeline.Schema.SchemaGenerator.Generate(), File.ReadAllText(P(dir, "xrayflow.schema.json")));
        Assert.Equal(0, CliKit.Run("validate", recipe).Exit);

        // The placeholder digest fails the test; --update writes the real one; then it passes.
        var before = CliKit.Run("test", recipe);
        Assert.Equal(1, before.Exit);
        var update = CliKit.Run("test", "--update", recipe);
        Assert.True(update.Exit == 0, update.Out + update.Err);
        Assert.Contains("UPDATE ", update.Out, StringComparison.Ordinal);
        Assert.Equal(0, CliKit.Run("test", recipe).Exit);
        string updated = File.ReadAllText(recipe);
        Assert.DoesNotContain(InitCommand.PlaceholderDigest, updated, StringComparison.Ordinal);

        // Again: refused, nothing replaced.
        var again = CliKit.Run("init", "lungs", "--dir", dir);
        Assert.Equal(2, again.Exit);
        Assert.Contains("error XRF2050", again.Err, StringComparison.Ordinal);
        Assert.Equal(updated, File.ReadAllText(recipe));
        Assert.Equal(2, CliKit.Run("init", "../escape", "--dir", dir).Exit);
    }

    [Fact]
    public void TestUpdateChangesOnlyTheDigestsThatDifferAndKeepsComments()
    {
        string dir = CliKit.TempDir();
        Assert.Equal(0, CliKit.Run("init", "keep", "--dir", dir).Exit);
        string recipe = P(dir, "keep.yaml");
        Assert.Equal(0, CliKit.Run("test", "--update", recipe).Exit);
        string good = File.ReadAllText(recipe);
        string digest = System.Text.RegularExpressions.Regex.Match(good, "sha256:[0-9a-f]{64}").Value;

        // A second, wrong expectation in the mapping form, with comments and CRLF line ends around it.
        string wrong = "sha256:" + new string('a', 64);
        string edited = good.Replace(
            "      edges: \"" + digest + "\"\n",
            "      edges: \"" + digest + "\"   # right already\n      edges_png: {digest: " + wrong + "}   # stale: was 8-bit\n",
            StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal);
        File.WriteAllText(recipe, edited);
        Assert.Equal(1, CliKit.Run("test", recipe).Exit);

        var update = CliKit.Run("test", "--accept", recipe);
        Assert.True(update.Exit == 0, update.Out + update.Err);
        string after = File.ReadAllText(recipe);
        string newDigest = System.Text.RegularExpressions.Regex.Matches(after, "sha256:[0-9a-f]{64}")[1].Value;
        Assert.NotEqual(wrong, newDigest);
        Assert.Equal(edited.Replace(wrong, newDigest, StringComparison.Ordinal), after); // nothing else changed
        Assert.Single(update.Out.Split('\n'), l => l.StartsWith("UPDATE ", StringComparison.Ordinal));
    }

    // ----- completion -----

    [Fact]
    public void BashCompletionParsesAndCompletesVerbsOptionsAndOps()
    {
        var r = CliKit.Run("completion", "bash");
        Assert.Equal(0, r.Exit);
        string script = P(CliKit.TempDir(), "xrayflow.bash");
        File.WriteAllText(script, r.Out);
        Assert.Equal(string.Empty, Bash($"bash -n '{script}' && echo ok").Err);

        string probe = $$"""
            source '{{script}}'
            declare -F _xrayflow
            complete -p xrayflow
            c() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _xrayflow; echo "${COMPREPLY[*]}"; }
            c xrayflow va
            c xrayflow ops gaussian_f
            c xrayflow run pipelines/x.yaml --dry
            c xrayflow plan r.yaml --format m
            c xrayflow completion z
            """;
        var lines = Bash(probe).Out.Split('\n');
        Assert.Equal("_xrayflow", lines[0]);
        Assert.Contains("-F _xrayflow", lines[1], StringComparison.Ordinal);
        Assert.Equal("validate", lines[2]);
        Assert.Equal("gaussian_filter gaussian_filter1d", lines[3]); // every op the word begins
        Assert.Equal("--dry-run", lines[4]);
        Assert.Equal("mermaid", lines[5]);
        Assert.Equal("zsh", lines[6]);
    }

    [Fact]
    public void EveryShellScriptNamesEveryVerbAndEveryOptionOfItsHelp()
    {
        var help = CliKit.Run("--help").Out;
        var verbs = CliApp.Verbs.Select(v => v.Name).ToList();
        foreach (var verb in verbs)
        {
            Assert.Contains($"    {verb} ", help, StringComparison.Ordinal);
        }

        foreach (var shell in new[] { "bash", "zsh", "fish" })
        {
            string script = CliKit.Run("completion", shell).Out;
            foreach (var verb in verbs)
            {
                Assert.Contains(verb, script, StringComparison.Ordinal);
                var options = System.Text.RegularExpressions.Regex.Matches(CliKit.Run(verb, "--help").Out, @"\s--([a-z][a-z-]+)").Select(m => m.Groups[1].Value).Distinct();
                foreach (var o in options)
                {
                    Assert.True(script.Contains("--" + o, StringComparison.Ordinal) || script.Contains("-l " + o, StringComparison.Ordinal), $"{shell}: {verb} --{o}");
                }
            }

            Assert.Contains("gaussian_laplace", script, StringComparison.Ordinal);
        }

        Assert.Equal(2, CliKit.Run("completion", "tcsh").Exit);
    }

    private static CliKit.Result Bash(string script)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        p.StandardInput.Write(script);
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromSeconds(30)), "bash did not finish");
        p.WaitForExit();
        return new CliKit.Result(p.ExitCode, o.Result, e.Result);
    }

    // ----- diagnostics on a terminal -----

    [Fact]
    public void OnATerminalADiagnosticShowsItsSourceLineWithACaretInColour()
    {
        var d = DiagnosticCodes.UnknownOpName.Create(new SourceLocation("recipe.yaml", 14, 9), "abss", "; did you mean 'abs'?");
        string[] source = ["", "", "", "", "", "", "", "", "", "", "", "", "", "    op: abss  # typo", ""];
        string styled = DiagnosticRenderer.Render(d, terminal: true, (_, n) => source[n - 1]);
        Assert.Contains("\u001b[1;31merror[XRF2016]", styled, StringComparison.Ordinal);
        string plain = System.Text.RegularExpressions.Regex.Replace(styled, "\u001b\\[[0-9;]*m", string.Empty);
        Assert.Equal(
            "error[XRF2016]: no op named 'abss'; did you mean 'abs'?\n  --> recipe.yaml:14:9\n   |\n14 |     op: abss  # typo\n   |         ^^^^\n",
            plain);

        // Not a terminal: the one line scripts and editors parse.
        Assert.Equal(d + "\n", DiagnosticRenderer.Render(d, terminal: false));

        // What comes from the file cannot drive the terminal; no location, or no readable line: no snippet.
        string hostile = DiagnosticRenderer.Render(d, terminal: true, (_, _) => "    op: \u001b[2Jabss");
        Assert.DoesNotContain("\u001b[2J", hostile, StringComparison.Ordinal);
        Assert.DoesNotContain(" | ", DiagnosticRenderer.Render(d, terminal: true, (_, _) => null), StringComparison.Ordinal);
        Assert.Equal(2, DiagnosticRenderer.Render(DiagnosticCodes.BadCommandLine.Create(null, "x"), terminal: true).Split('\n').Length);
    }

    [Fact]
    public void AStyledHostReadsTheRealRecipeLine()
    {
        string dir = CliKit.Project();
        File.WriteAllText(P(dir, "bad.yaml"), CliKit.Sobel.Replace("op: abs", "op: abss", StringComparison.Ordinal));
        var err = new StringWriter();
        int exit = CliApp.Run(["validate", P(dir, "bad.yaml")], new CliHost { Out = new StringWriter(), Err = err, Styled = true });
        Assert.Equal(2, exit);
        string plain = System.Text.RegularExpressions.Regex.Replace(err.ToString(), "\u001b\\[[0-9;]*m", string.Empty);
        Assert.Contains("14 |     op: abss\n   |         ^^^^\n", plain, StringComparison.Ordinal);
    }

    // ----- verify, test failures, help -----

    [Fact]
    public void VerifyPassesAfterACommentOnlyEditAndNotesTheFileHash()
    {
        string dir = CliKit.Project();
        string recipe = P(dir, "recipe.yaml");
        Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out")).Exit);
        File.WriteAllText(recipe, "# reviewed by the radiology team\n" + File.ReadAllText(recipe).Replace("op: abs", "op: abs   # |gx|", StringComparison.Ordinal));
        var r = CliKit.Run("verify", P(dir, "out", "manifest.json"));
        Assert.True(r.Exit == 0, r.Out + r.Err);
        Assert.Contains("note: the recipe file changed since the run (file sha256 ", r.Out, StringComparison.Ordinal);
        Assert.Contains(": same (", r.Out, StringComparison.Ordinal);

        File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("axis: 1", "axis: 0", StringComparison.Ordinal));
        var changed = CliKit.Run("verify", P(dir, "out", "manifest.json"));
        Assert.Equal(2, changed.Exit);
        Assert.Contains("error XRF2014", changed.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void ATestFailureNamesRowAndColumn()
    {
        float[] reference = new float[6 * 5];
        float[] actual = (float[])reference.Clone();
        actual[(3 * 5) + 2] = 1;
        string why = XRayFlow.Pipeline.Testing.RecipeSelfTest.CompareArrays("output 'x'", actual, reference, 0, [6, 5])!;
        Assert.Contains("at [row 3, column 2]", why, StringComparison.Ordinal);
        actual[(3 * 5) + 2] = float.NaN;
        Assert.Contains("[row 3, column 2] is nan", XRayFlow.Pipeline.Testing.RecipeSelfTest.CompareArrays("x", actual, reference, 0, [6, 5]), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("[frame 1, row 0, column 3]", XRayFlow.Pipeline.Testing.RecipeSelfTest.Place(23, [2, 4, 5]));
        Assert.Equal("element 7", XRayFlow.Pipeline.Testing.RecipeSelfTest.Place(7, null));
    }

    [Fact]
    public void HelpExamplesQuoteGlobs()
    {
        foreach (var verb in CliApp.Verbs.Select(v => v.Name))
        {
            string help = CliKit.Run(verb, "--help").Out;
            foreach (var word in help.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).Where(w => w.Contains("/*", StringComparison.Ordinal) || w.Contains("*.", StringComparison.Ordinal)))
            {
                Assert.True(word.StartsWith('\'') || word.StartsWith('"') || word.Contains("'", StringComparison.Ordinal), $"{verb}: unquoted glob {word}");
            }
        }

        Assert.Contains("--input 'xray=images/*.png'", CliKit.Run("run", "--help").Out, StringComparison.Ordinal);
    }

    // ----- an option without its value -----

    [Theory]
    [InlineData("run", "--profile")]
    [InlineData("run", "--out")]
    [InlineData("run", "--input")]
    [InlineData("plan", "--format")]
    [InlineData("arrays", "--out")]
    public void AnOptionGivenLastWithoutItsValueIsRefusedNotBoundToAPlaceholder(string verb, string option)
    {
        // Spectre.Console.Cli binds such an option to "__default_command": --profile wrote a file of that name,
        // --out made a folder of it, --format said "'__default_command' is not text, dot, mermaid or json".
        string dir = CliKit.Project();
        string[] args = verb == "run"
            ? [verb, P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "images", "00000011_000.png"), "--out", P(dir, "out"), option]
            : [verb, P(dir, "recipe.yaml"), option];
        var r = CliKit.Run(args);
        Assert.Equal(2, r.Exit);
        Assert.Contains($"XRF2001: option {option} needs a value (see xrayflow ", r.Err);
        Assert.DoesNotContain(MissingValueCheck.Placeholder, r.Err + r.Out);
        Assert.False(File.Exists(MissingValueCheck.Placeholder) || Directory.Exists(MissingValueCheck.Placeholder));
        Assert.False(Directory.Exists(P(dir, "out")), "nothing is run");
    }

    // ----- a number option given something else -----

    /// <summary>Every option of every verb that takes a number (read from the settings types, `watch` too).</summary>
    public static TheoryData<string, string> NumberOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var (verb, settings) in CliApp.Verbs.Select(v => (v.Name, v.Settings)).Append(("watch", typeof(WatchCommand.Settings))))
        {
            foreach (var p in settings.GetProperties())
            {
                var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                if ((type == typeof(int) || type == typeof(long)) && p.GetCustomAttributes(typeof(Spectre.Console.Cli.CommandOptionAttribute), false) is [Spectre.Console.Cli.CommandOptionAttribute o])
                {
                    data.Add(verb, "--" + o.LongNames[0]);
                }
            }
        }

        return data;
    }

    [Fact]
    public void TheNumberOptionsAreTheOnesTheIssueNamedAndMore()
    {
        var all = NumberOptions().Select(row => $"{row[0]} {row[1]}").ToHashSet();
        Assert.Superset(new HashSet<string> { "run --max-pixels", "run --threads", "run --repeat", "run --shards", "plan --max-pixels", "merge --shards", "watch --port" }, all);
    }

    [Theory]
    [MemberData(nameof(NumberOptions))]
    public void ANumberOptionGivenOtherTextNamesTheOptionAndTheKindNotADotNetType(string verb, string option)
    {
        // Was `XRF2001: Failed to convert 'abc' to Nullable`1.` (or `to Int32.`), naming neither the option nor what it takes.
        foreach (var (value, why) in new[] { ("abc", "is not a whole number"), ("1e8", "is not a whole number"), ("2.5", "is not a whole number") })
        {
            var r = CliKit.Run(verb, "x.yaml", option, value);
            Assert.Equal(2, r.Exit);
            Assert.Equal($"xrayflow: error XRF2001: option {option}: '{value}' {why} (see xrayflow {verb} --help)\n", r.Err);
            Assert.Equal(string.Empty, r.Out);
        }

        var eq = CliKit.Run(verb, "x.yaml", option + "=x");
        Assert.Equal($"xrayflow: error XRF2001: option {option}: 'x' is not a whole number (see xrayflow {verb} --help)\n", eq.Err);
    }

    [Fact]
    public void AWholeNumberTooLargeForItsOptionSaysTheRange()
    {
        var r = CliKit.Run("run", "x.yaml", "-j", "99999999999");
        Assert.Equal(2, r.Exit);
        Assert.Equal("xrayflow: error XRF2001: option -j: '99999999999' is out of range: a whole number from -2147483648 to 2147483647 (see xrayflow run --help)\n", r.Err);
    }

    // ----- --json when the command is refused (exit 2) -----

    [Theory]
    [InlineData("--threads 0", null, "XRF2021", "--threads: must be 1 or more")]
    [InlineData("--shard 3/2", null, "XRF2021", "--shard: '3/2': the shard number must be 0 to 1 (shards are numbered from 0)")]
    [InlineData("--max-pixels 0", null, "XRF2021", "--max-pixels: must be 1 or more")]
    [InlineData("--set nothing=1", null, "XRF1046", "--set nothing: the recipe has no param 'nothing'")]
    [InlineData("--set nothing", null, "XRF2004", "--set 'nothing' is not NAME=VALUE")]
    [InlineData("--input nope=x.png", "sobel-test", "XRF2003", "--input names 'nope', which the recipe does not declare (its inputs: xray)")]
    [InlineData("--threads abc", null, "XRF2001", "option --threads: 'abc' is not a whole number (see xrayflow run --help)")]
    [InlineData("--out", null, "XRF2001", "option --out needs a value (see xrayflow --help)")]
    [InlineData("@unknown-op", null, "XRF1003", "unknown op 'abss'; did you mean 'abs'?")]
    public void RunJsonRefusedPrintsTheExitTwoDocument(string given, string? recipe, string code, string message)
    {
        // These printed nothing on stdout, though docs/cli-json.md promises exactly one JSON object.
        string dir = CliKit.Project();
        File.WriteAllText(P(dir, "bad.yaml"), CliKit.Sobel.Replace("op: abs", "op: abss", StringComparison.Ordinal));
        string[] args = given == "@unknown-op"
            ? ["run", P(dir, "bad.yaml"), "--json"]
            : ["run", P(dir, "recipe.yaml"), "--json", .. given.Split(' ')];
        var r = CliKit.Run(args);
        Assert.Equal(2, r.Exit);
        var root = Json(r);
        Assert.Equal(["version", "recipe", "exit", "diagnostics"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(recipe, root.GetProperty("recipe").GetString());
        Assert.Equal(2, root.GetProperty("exit").GetInt32());
        var d = root.GetProperty("diagnostics")[0];
        Assert.Equal(code, d.GetProperty("code").GetString());
        Assert.Equal("error", d.GetProperty("severity").GetString());
        Assert.Equal(message, d.GetProperty("message").GetString());
        Assert.Contains($"{code}: {message}", r.Err, StringComparison.Ordinal); // stderr as before
        Assert.False(Directory.Exists(P(dir, "out")));
    }

    [Theory]
    [InlineData("unknown-op", "--json", "XRF1003", "unknown op 'abss'; did you mean 'abs'?", 14)]
    [InlineData("bad-yaml", "--json", "XRF1001", null, 3)]
    [InlineData("bad-yaml", "--format json", "XRF1001", null, 3)]
    [InlineData("good", "--json --max-pixels 0", "XRF2021", "--max-pixels: must be 1 or more", null)]
    [InlineData("good", "--json --input nope=x.png", "XRF2003", "--input names 'nope', which the recipe does not declare (its inputs: xray)", null)]
    public void PlanJsonWithoutAPlanPrintsTheExitTwoDocument(string which, string given, string code, string? message, int? line)
    {
        string dir = CliKit.Project();
        File.WriteAllText(P(dir, "unknown-op.yaml"), CliKit.Sobel.Replace("op: abs", "op: abss", StringComparison.Ordinal));
        File.WriteAllText(P(dir, "bad-yaml.yaml"), "xrayflow: 1\nsteps: [\n");
        string path = which == "good" ? P(dir, "recipe.yaml") : P(dir, which + ".yaml");
        var r = CliKit.Run(["plan", path, .. given.Split(' ')]);
        Assert.Equal(2, r.Exit);
        var root = Json(r);
        Assert.Equal(["version", "recipe", "path", "exit", "diagnostics"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(given.Contains("--input", StringComparison.Ordinal) ? "sobel-test" : null, root.GetProperty("recipe").GetString());
        Assert.Equal(path, root.GetProperty("path").GetString());
        Assert.Equal(2, root.GetProperty("exit").GetInt32());
        var d = root.GetProperty("diagnostics")[0];
        Assert.Equal(code, d.GetProperty("code").GetString());
        if (message is not null)
        {
            Assert.Equal(message, d.GetProperty("message").GetString());
        }

        if (line is not null)
        {
            Assert.Equal(path, d.GetProperty("file").GetString());
            Assert.Equal(line, d.GetProperty("line").GetInt32());
        }
    }

    [Fact]
    public void ValidateJsonWithARefusedOptionMarksEveryFileNotOk()
    {
        string dir = CliKit.Project();
        var r = CliKit.Run("validate", P(dir, "recipe.yaml"), "--json", "--max-pixels", "0");
        Assert.Equal(2, r.Exit);
        var root = Json(r);
        Assert.False(root.GetProperty("ok").GetBoolean());
        var file = Assert.Single(root.GetProperty("files").EnumerateArray());
        Assert.Equal(P(dir, "recipe.yaml"), file.GetProperty("file").GetString());
        Assert.False(file.GetProperty("ok").GetBoolean());
        Assert.Equal("--max-pixels: must be 1 or more", file.GetProperty("diagnostics")[0].GetProperty("message").GetString());
    }

    [Fact]
    public void OpsJsonForAnUnknownOpPrintsANullOpAndTheDiagnostic()
    {
        var r = CliKit.Run("ops", "sobell", "--json");
        Assert.Equal(2, r.Exit);
        var root = Json(r);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("op").ValueKind);
        var d = Assert.Single(root.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("XRF2016", d.GetProperty("code").GetString());
        Assert.Equal("no op named 'sobell'; did you mean 'sobel'?", d.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("validate", "ok,files,diagnostics")]
    [InlineData("info", "files,diagnostics")]
    [InlineData("ops", "op,diagnostics")]
    public void JsonWhenTheCommandLineDoesNotParseIsStillOneDocument(string verb, string fields)
    {
        // These printed nothing on stdout (only run and plan did), though docs/cli-json.md promises one JSON object.
        string dir = CliKit.Project();
        var r = CliKit.Run(verb, P(dir, "recipe.yaml"), "--json", "--bogus");
        Assert.Equal(2, r.Exit);
        var root = Json(r);
        Assert.Equal(["version", .. fields.Split(',')], root.EnumerateObject().Select(p => p.Name));
        if (verb != "ops")
        {
            Assert.Equal(0, root.GetProperty("files").GetArrayLength());
        }

        if (verb == "validate")
        {
            Assert.False(root.GetProperty("ok").GetBoolean());
        }

        var d = Assert.Single(root.GetProperty("diagnostics").EnumerateArray());
        Assert.Equal("XRF2001", d.GetProperty("code").GetString());
        Assert.Equal("Unknown option 'bogus'. (see xrayflow --help)", d.GetProperty("message").GetString());
        Assert.Contains("XRF2001: Unknown option 'bogus'.", r.Err, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Execution;

public class RunnerTests
{
    /// <summary>A two-step, two-output recipe (a PNG and an .npy in a subfolder); also the batch of DeferredCommitTests.</summary>
    internal const string Recipe = """
        xrayflow: 1
        name: batch
        inputs:
          xray: image
        steps:
          - id: smooth
            op: blur
          - id: bright
            op: scale
            factor: 0.5
        outputs:
          png: {from: bright, path: "{stem}_half.png"}
          raw: {from: smooth, path: "npy/{stem}.npy"}
        """;

    internal static (string Dir, string Images, string Out) Batch(int samples, bool corrupt)
    {
        string dir = RunKit.TempDir();
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        var files = RunKit.CopySamples(images, samples);
        if (corrupt)
        {
            var bytes = File.ReadAllBytes(files[0]);
            File.WriteAllBytes(Path.Combine(images, "truncated.png"), bytes[..(bytes.Length / 3)]);
            File.WriteAllBytes(Path.Combine(images, "empty.png"), []);
            File.WriteAllText(Path.Combine(images, "text.png"), "this is not a PNG\n");
        }

        return (dir, images, Path.Combine(dir, "out"));
    }

    [Fact]
    public void ABatchWithCorruptFilesFinishesTheGoodOnesAndNamesEachFailure()
    {
        var (dir, images, outDir) = Batch(2, corrupt: true);
        var recipe = RunKit.LoadFile(dir, Recipe);
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") }, OutDir = outDir, Threads = 2 });

        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        var items = result.Manifest!.Items;
        Assert.Equal(["00000011_000.png", "00000011_001.png", "empty.png", "text.png", "truncated.png"], items.Select(i => i.Name));
        Assert.Equal(["ok", "ok", "failed", "failed", "failed"], items.Select(i => i.Status));
        Assert.All(result.Failures, f => Assert.Contains(f.Name.Replace(".png", string.Empty, StringComparison.Ordinal), f.Error!, StringComparison.Ordinal));
        Assert.Contains("empty", items[2].Error!, StringComparison.Ordinal);

        // The good ones are complete and right: half of the sample, rounded.
        var sample = ImageReader.Read(Path.Combine(images, "00000011_001.png"));
        var half = ImageReader.Read(Path.Combine(outDir, "00000011_001_half.png"));
        int expectedAt = (int)MathF.Round(sample.Data[500_000] * 0.5f, MidpointRounding.ToEven);
        Assert.Equal(expectedAt, (int)half.Data[500_000]);
        Assert.True(File.Exists(Path.Combine(outDir, "npy", "00000011_000.npy")));
        Assert.False(File.Exists(Path.Combine(outDir, "truncated_half.png")));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void ManifestRecordsHashesParamsStepsAndStatus()
    {
        var (dir, images, outDir) = Batch(1, corrupt: false);
        var recipe = RunKit.LoadFile(dir, Recipe);
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "00000011_000.png") }, OutDir = outDir, Threads = 1 });
        Assert.Equal(ExitCodes.Success, result.ExitCode);

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")));
        var root = doc.RootElement;
        Assert.Equal("../recipe.yaml", root.GetProperty("recipe").GetProperty("path").GetString());
        Assert.Equal(Manifest.Sha256OfText(recipe.CanonicalText), root.GetProperty("recipe").GetProperty("canonical_sha256").GetString());
        Assert.Equal(Manifest.Sha256OfFile(Path.Combine(dir, "recipe.yaml")), root.GetProperty("recipe").GetProperty("file_sha256").GetString());
        var item = root.GetProperty("items")[0];
        Assert.Equal("ok", item.GetProperty("status").GetString());
        Assert.Equal(Manifest.Sha256OfFile(Path.Combine(images, "00000011_000.png")), item.GetProperty("inputs")[0].GetProperty("sha256").GetString());
        var outputs = item.GetProperty("outputs").EnumerateArray().ToList();
        Assert.Equal(["00000011_000_half.png", "npy/00000011_000.npy"], outputs.Select(o => o.GetProperty("path").GetString()));
        Assert.Equal(Manifest.Sha256OfFile(Path.Combine(outDir, "00000011_000_half.png")), outputs[0].GetProperty("sha256").GetString());
        Assert.Equal(["smooth", "bright"], item.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
    }

    [Fact]
    public void VerifySaysSameThenReportsATamperedOutputAndRefusesAChangedRecipe()
    {
        var (dir, images, outDir) = Batch(2, corrupt: false);
        var recipe = RunKit.LoadFile(dir, Recipe);
        var run = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") }, OutDir = outDir, Threads = 2 });
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string manifest = Path.Combine(outDir, "manifest.json");

        var same = ManifestVerifier.Verify(manifest, RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.Success, same.ExitCode);
        Assert.Equal(4, same.Checked);
        Assert.Empty(same.Diagnostics);

        var bytes = File.ReadAllBytes(Path.Combine(outDir, "npy", "00000011_001.npy"));
        bytes[^1] ^= 0x40;
        File.WriteAllBytes(Path.Combine(outDir, "npy", "00000011_001.npy"), bytes);
        var tampered = ManifestVerifier.Verify(manifest, RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.SomeFailed, tampered.ExitCode);
        var d = Assert.Single(tampered.Diagnostics);
        Assert.StartsWith("xrayflow: error XRF2015: npy/00000011_001.npy: changed since the run", d.ToString(), StringComparison.Ordinal);

        // A comment-only edit keeps the canonical recipe: still the same run (the file hash is only noted).
        File.WriteAllBytes(Path.Combine(outDir, "npy", "00000011_001.npy"), bytes.Select((b, i) => i == bytes.Length - 1 ? (byte)(b ^ 0x40) : b).ToArray());
        File.AppendAllText(Path.Combine(dir, "recipe.yaml"), "# edited\n");
        var commented = ManifestVerifier.Verify(manifest, RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.Success, commented.ExitCode);
        Assert.Contains("canonical form is the same", commented.RecipeFileNote, StringComparison.Ordinal);

        // A real change is refused.
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), File.ReadAllText(Path.Combine(dir, "recipe.yaml")).Replace("factor: 0.5", "factor: 0.25", StringComparison.Ordinal));
        var changed = ManifestVerifier.Verify(manifest, RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.Invalid, changed.ExitCode);
        Assert.Equal("XRF2014", Assert.Single(changed.Diagnostics).Code);
        Assert.Null(changed.RecipeFileNote);
    }

    [Theory]
    [InlineData("one file of the folder")]
    [InlineData("every file of the folder")]
    [InlineData("the folder")]
    [InlineData("the single input")]
    public void VerifyReportsRecordedInputsThatAreGoneAsDifferences(string gone)
    {
        // Found with `verify out/manifest.json` after deleting the inputs of `run ... --input xray=vin`: one file of
        // three gone was a difference (exit 1), all three gone was exit 2 "no file matches ... quote a glob", the
        // folder gone exit 2 "'vin' is not among the input files the manifest records", a single input gone exit 2.
        var (dir, images, outDir) = Batch(2, corrupt: false);
        var recipe = RunKit.LoadFile(dir, Recipe);
        string input = gone == "the single input" ? Path.Combine(images, "00000011_000.png") : images;
        var run = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = input }, OutDir = outDir, Threads = 2 });
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var files = run.Manifest!.Items.SelectMany(i => i.Inputs).Select(f => f.Path).ToList();
        switch (gone)
        {
            case "one file of the folder": File.Delete(files[1]); break;
            case "the folder": Directory.Delete(images, recursive: true); break;
            default: files.ForEach(File.Delete); break;
        }

        var v = ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 2);

        Assert.True(v.ExitCode == ExitCodes.SomeFailed, string.Join("\n", v.Diagnostics));
        Assert.All(v.Diagnostics, d => Assert.Equal("XRF2015", d.Code));
        if (gone == "one file of the folder")
        {
            Assert.Equal("00000011_001.png: this input no longer exists among the recorded inputs", Assert.Single(v.Diagnostics).Message);
        }
        else
        {
            Assert.Equal(files.Select(f => $"{f}: input file missing (the manifest records it; the run cannot be repeated without it)"), v.Diagnostics.Select(d => d.Message));
        }
    }

    [Fact]
    public void AnOutputOverAFileTheRunReadsIsRefusedBeforeAnyWork()
    {
        // Found by `run r.yaml --out loop` where r.yaml reads samples/a.png and writes "samples/{stem}.png": exit 0,
        // and the original X-ray was replaced by its blurred copy (verify and --resume then never agree again).
        var (dir, images, _) = Batch(2, corrupt: false);
        var recipe = RunKit.LoadFile(dir, Recipe.Replace("\"npy/{stem}.npy\"", "\"images/{stem}.png\"", StringComparison.Ordinal));
        var original = File.ReadAllBytes(Path.Combine(images, "00000011_001.png"));
        foreach (bool dry in new[] { true, false })
        {
            var r = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") }, OutDir = dir, Threads = 2, DryRun = dry });

            Assert.Equal(ExitCodes.Invalid, r.ExitCode);
            var d = Assert.Single(r.Diagnostics);
            Assert.Equal("XRF2053", d.Code);
            Assert.Equal("'00000011_000.png' (output raw) would replace 'images/00000011_000.png', a file the run reads (input 'xray'); an output never replaces an input: give the output another path or --out", d.Message);
            Assert.Equal(original, File.ReadAllBytes(Path.Combine(images, "00000011_001.png")));
            Assert.False(File.Exists(Path.Combine(dir, "manifest.json")));
        }
    }

    [Fact]
    public void VerifyOfAMissingOrBrokenManifestIsInvalid()
    {
        string dir = RunKit.TempDir();
        Assert.Equal(ExitCodes.Invalid, ManifestVerifier.Verify(Path.Combine(dir, "nope.json"), RunKit.Loader, null, 1).ExitCode);
        File.WriteAllText(Path.Combine(dir, "m.json"), "{\"xrayflow_version\": 1");
        var r = ManifestVerifier.Verify(Path.Combine(dir, "m.json"), RunKit.Loader, null, 1);
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal("XRF2013", Assert.Single(r.Diagnostics).Code);
    }

    /// <summary>A batch of <paramref name="samples"/> samples run once through <see cref="Recipe"/> (two threads), and the request that ran it.</summary>
    private static (string Dir, string Images, string Out, RunRequest Request) RanBatch(int samples)
    {
        var (dir, images, outDir) = Batch(samples, corrupt: false);
        var request = new RunRequest { Recipe = RunKit.LoadFile(dir, Recipe), Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") }, OutDir = outDir, Threads = 2 };
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(request).ExitCode);
        return (dir, images, outDir, request);
    }

    [Fact]
    public void ResumeSkipsCompleteItemsAndRedoesChangedOnes()
    {
        var (dir, images, outDir, request) = RanBatch(3);

        File.Delete(Path.Combine(outDir, "00000011_002_half.png")); // an incomplete item
        var resumed = RecipeRunner.Run(request with { Resume = true });
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Equal(["resumed", "resumed", "ok"], resumed.Manifest!.Items.Select(i => i.Status));
        Assert.True(File.Exists(Path.Combine(outDir, "00000011_002_half.png")));

        var again = RecipeRunner.Run(request);
        Assert.Equal(["ok", "ok", "ok"], again.Manifest!.Items.Select(i => i.Status)); // without --resume, everything runs
    }

    [Fact]
    public void ResumeRedoesAnItemWhoseInputBytesChangedOrThatFailed()
    {
        // Mutation-tested: --resume kept an item whose input file had new bytes, and (the same) one recorded as failed.
        var (dir, images, outDir, request) = RanBatch(3);

        File.Copy(Path.Combine(images, "00000011_000.png"), Path.Combine(images, "00000011_001.png"), overwrite: true); // same name, other bytes
        string manifest = Path.Combine(outDir, "manifest.json");
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifest))!;
        json["items"]![2]!["status"] = "failed"; // its outputs are all there and intact: still not finished work
        json["items"]![2]!["error"] = "failed in the earlier run";
        File.WriteAllText(manifest, json.ToJsonString());

        var resumed = RecipeRunner.Run(request with { Resume = true });
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Equal(["resumed", "ok", "ok"], resumed.Manifest!.Items.Select(i => i.Status));
        Assert.Equal(File.ReadAllBytes(Path.Combine(outDir, "00000011_000_half.png")), File.ReadAllBytes(Path.Combine(outDir, "00000011_001_half.png")));
    }

    [Fact]
    public void ResumeRedoesAnItemWhoseOutputIsNowASymbolicLink()
    {
        // Mutation-tested: an output replaced by a link to a file with the recorded bytes was kept (its hash read
        // through the link). Outputs never go through links: the item runs again and a regular file replaces the link.
        var (dir, images, outDir, request) = RanBatch(2);
        string output = Path.Combine(outDir, "00000011_001_half.png");
        string elsewhere = Path.Combine(dir, "elsewhere.png");
        File.Move(output, elsewhere);
        File.CreateSymbolicLink(output, elsewhere);

        var resumed = RecipeRunner.Run(request with { Resume = true });
        Assert.Equal(["resumed", "ok"], resumed.Manifest!.Items.Select(i => i.Status));
        Assert.Null(new FileInfo(output).LinkTarget);
        Assert.Equal(File.ReadAllBytes(elsewhere), File.ReadAllBytes(output));
    }

    [Fact]
    public void ResumeRedoesAStackThatLostAFrame()
    {
        // Mutation-tested: with one frame fewer, every remaining frame still had its recorded bytes, and the stack was kept.
        string dir = RunKit.TempDir();
        string frames = Path.Combine(dir, "frames");
        RunKit.CopySamples(frames, 3);
        var recipe = RunKit.LoadFile(dir, "xrayflow: 1\nname: frames\ninputs:\n  frames: stack\nsteps:\n  - op: abs\noutputs:\n  abs: all.npy\n");
        var request = new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["frames"] = Path.Combine(frames, "*.png") }, OutDir = Path.Combine(dir, "out"), Threads = 2 };
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(request).ExitCode);
        Assert.Equal("resumed", Assert.Single(RecipeRunner.Run(request with { Resume = true }).Manifest!.Items).Status);

        File.Delete(Directory.GetFiles(frames).Order(StringComparer.Ordinal).Last());
        var resumed = RecipeRunner.Run(request with { Resume = true });
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        var item = Assert.Single(resumed.Manifest!.Items);
        Assert.Equal(("ok", 2), (item.Status, item.Inputs.Count));
        Assert.Equal(2, NpyReader.Read(Path.Combine(dir, "out", "all.npy")).Frames);
    }

    [Theory]
    [InlineData("changed", "was written by another recipe, or another version of this one (its steps, params, inputs or outputs differ)")]
    [InlineData("broken", "cannot be read (")]
    [InlineData("none", null)]
    public void ResumeSaysWhenTheEarlierManifestCannotBeUsed(string earlier, string? why)
    {
        // Both ran everything again without a word: a user who edited the recipe, or whose manifest was cut short,
        // saw --resume redo hours of work as if it had been ignored.
        var (dir, images, outDir, request) = RanBatch(2);
        string manifest = Path.Combine(outDir, "manifest.json");
        if (earlier == "changed")
        {
            request = request with { Recipe = RunKit.LoadFile(dir, Recipe.Replace("factor: 0.5", "factor: 0.25", StringComparison.Ordinal)) };
        }
        else if (earlier == "broken")
        {
            File.WriteAllText(manifest, File.ReadAllText(manifest)[..100]);
        }
        else
        {
            File.Delete(manifest);
        }

        var resumed = RecipeRunner.Run(request with { Resume = true });

        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Equal(["ok", "ok"], resumed.Manifest!.Items.Select(i => i.Status));
        if (why is null)
        {
            Assert.Empty(resumed.Diagnostics);
            return;
        }

        var d = Assert.Single(resumed.Diagnostics);
        Assert.Equal("XRF2060", d.Code);
        Assert.Equal(Core.Diagnostics.Severity.Warning, d.Severity);
        Assert.StartsWith($"--resume: '{manifest}' {why}", d.Message, StringComparison.Ordinal);
        Assert.EndsWith(": no earlier work is reused, every input runs again", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CollidingBatchOutputsAreAnErrorBeforeAnyWork()
    {
        var (dir, images, outDir) = Batch(2, corrupt: false);
        var recipe = RunKit.LoadFile(dir, Recipe.Replace("npy/{stem}.npy", "smooth.npy", StringComparison.Ordinal));
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") }, OutDir = outDir });
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF2008", d.Code);
        Assert.EndsWith("'smooth.npy' would be written for '00000011_000.png' (output raw) and for '00000011_001.png' (output raw) (put {stem} in the output path)", d.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>
    /// A plan error that holds whatever the inputs (a resize to a fixed shape over the bound) refuses the run before any
    /// work (exit 2), dry run included, instead of failing each item with it.
    /// </summary>
    [Fact]
    public void APlanErrorOfEveryItemRefusesTheRunBeforeAnyWork()
    {
        var (dir, images, outDir) = Batch(2, corrupt: false);
        var recipe = RunKit.LoadFile(dir, Recipe.Replace("  - id: bright\n", "  - id: big\n    op: resize\n    in: smooth\n    output_shape: [20000, 20000]\n  - id: bright\n", StringComparison.Ordinal));
        Assert.Contains(recipe.Steps, st => st.Id == "big");
        foreach (bool dry in new[] { false, true })
        {
            var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") }, OutDir = outDir, DryRun = dry });
            Assert.Equal(ExitCodes.Invalid, result.ExitCode);
            var d = Assert.Single(result.Diagnostics, x => x.IsError);
            Assert.Equal("XRF1069", d.Code);
            Assert.Null(result.Manifest);
            Assert.False(Directory.Exists(outDir));
        }
    }

    /// <summary>A folder entry that is not there (a dangling link) fails alone when read, as a corrupt file does; a single named missing file still refuses the run.</summary>
    [Fact]
    public void ADanglingLinkInABatchFailsAlone()
    {
        var (dir, images, outDir) = Batch(2, corrupt: false);
        File.CreateSymbolicLink(Path.Combine(images, "broken.png"), Path.Combine(dir, "gone", "x.png"));
        var recipe = RunKit.LoadFile(dir, Recipe);
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = images }, OutDir = outDir });
        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        Assert.Equal(["00000011_000.png: ok", "00000011_001.png: ok", "broken.png: failed"], result.Manifest!.Items.Select(i => $"{i.Name}: {i.Status}").Order(StringComparer.Ordinal));
        Assert.EndsWith("broken.png: the file does not exist (a link whose target is gone, or removed since the batch was listed)", result.Manifest.Items.Single(i => i.Name == "broken.png").Error, StringComparison.Ordinal);

        var single = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "broken.png") }, OutDir = Path.Combine(dir, "out2") });
        Assert.Equal(ExitCodes.Invalid, single.ExitCode);
        Assert.Equal("XRF2005", Assert.Single(single.Diagnostics).Code);
    }

    /// <summary>Two inputs of one stem (a.png and a.npy in one folder): the path has {stem} already, so the hint names them.</summary>
    [Fact]
    public void InputsSharingAStemAreNamedWhenTheirOutputsCollide()
    {
        var (dir, images, outDir) = Batch(1, corrupt: false);
        File.Move(Path.Combine(images, "00000011_000.png"), Path.Combine(images, "a.png"));
        Core.Codecs.Npy.NpyWriter.Write(Path.Combine(images, "a.npy"), new Core.Imaging.ImageArray(2, 3, [1, 2, 3, 4, 5, 6]));
        var recipe = RunKit.LoadFile(dir, Recipe);
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = images }, OutDir = outDir });
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var d = result.Diagnostics.First(x => x.Code == "XRF2008");
        Assert.EndsWith("(the inputs 'a.npy' and 'a.png' have one stem, 'a': rename one, or run them as separate batches)", d.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("put {stem}", d.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void AStemThatLeavesTheOutputFolderIsRefused()
    {
        string dir = RunKit.TempDir();
        var recipe = RunKit.LoadFile(dir, Recipe);
        string nested = Path.Combine(dir, "a");
        Directory.CreateDirectory(nested);
        File.Copy(Path.Combine(TestPaths.Root, "pipelines", "samples", "00000011_000.png"), Path.Combine(nested, "x.png"));
        var escaping = recipe with { Outputs = [recipe.Outputs[0] with { PathTemplate = "../{stem}.png" }] };
        var result = RecipeRunner.Run(new RunRequest { Recipe = escaping, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(nested, "x.png") }, OutDir = Path.Combine(dir, "out") });
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal("XRF2009", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void CommandLineProblemsAreInvalidAndRunNothing()
    {
        string dir = RunKit.TempDir();
        var recipe = RunKit.LoadFile(dir, Recipe);
        string outDir = Path.Combine(dir, "out");
        RunResult Run(Dictionary<string, string> inputs) => RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = inputs, OutDir = outDir });

        Assert.Equal("XRF2002", Assert.Single(Run([]).Diagnostics).Code);
        Assert.Equal("XRF2005", Assert.Single(Run(new() { ["xray"] = Path.Combine(dir, "missing.png") }).Diagnostics).Code);
        Assert.Equal("XRF2006", Assert.Single(Run(new() { ["xray"] = Path.Combine(dir, "*.nothing") }).Diagnostics).Code);
        Assert.Contains(Run(new() { ["nope"] = "x.png" }).Diagnostics, d => d.Code == "XRF2003");
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void DefaultInputPathsAreRelativeToTheRecipe()
    {
        string dir = RunKit.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "samples"));
        RunKit.CopySamples(Path.Combine(dir, "samples"), 1);
        var recipe = RunKit.LoadFile(dir, Recipe.Replace("xray: image", "xray: {kind: image, default: samples/00000011_000.png}", StringComparison.Ordinal));
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, OutDir = Path.Combine(dir, "out") });
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "out", "00000011_000_half.png")));
    }

    [Fact]
    public void ProfileHasOneEntryPerStepWithOneTimePerRepeat()
    {
        var (dir, images, outDir) = Batch(1, corrupt: false);
        var recipe = RunKit.LoadFile(dir, Recipe);
        string profile = Path.Combine(dir, "profile.json");
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "00000011_000.png") }, OutDir = outDir, Repeat = 3, ProfilePath = profile });
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        using var doc = JsonDocument.Parse(File.ReadAllText(profile));
        var steps = doc.RootElement.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(["smooth", "bright"], steps.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal(["blur", "scale"], steps.Select(s => s.GetProperty("op").GetString()));
        Assert.All(steps, s => Assert.Equal(3, s.GetProperty("ms").GetArrayLength()));
        Assert.All(steps, s => Assert.All(s.GetProperty("ms").EnumerateArray(), m => Assert.True(m.GetDouble() >= 0)));
    }

    [Fact]
    public void AStackGlobLoadsOneArraySortedByName()
    {
        string dir = RunKit.TempDir();
        string frames = Path.Combine(dir, "frames");
        Directory.CreateDirectory(frames);
        RunKit.CopySamples(frames, 3);
        var recipe = RunKit.LoadFile(dir, """
            xrayflow: 1
            name: stack
            inputs:
              frames: stack
            steps:
              - op: scale
                factor: 1
            outputs:
              scale: all.npy
            """);
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["frames"] = Path.Combine(frames, "*.png") }, OutDir = Path.Combine(dir, "out") });
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var all = NpyReader.Read(Path.Combine(dir, "out", "all.npy"));
        Assert.Equal((3, 1024, 1024, true), (all.Frames, all.Rows, all.Cols, all.IsStack));
        var second = ImageReader.Read(Path.Combine(frames, "00000011_001.png"));
        Assert.Equal(second.Data, all.Frame(1).ToArray());
    }

    [Fact]
    public void MaxPixelsFailsTheLargeInputOnly()
    {
        var (dir, images, outDir) = Batch(1, corrupt: false);
        File.WriteAllBytes(Path.Combine(images, "small.png"), File.ReadAllBytes(Path.Combine(TestPaths.Root, "tests", "fixtures", "engine", "codecs", "grey8.png")));
        var recipe = RunKit.LoadFile(dir, Recipe);
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") }, OutDir = outDir, MaxPixels = 10_000 });
        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        Assert.Equal(["failed", "ok"], result.Manifest!.Items.Select(i => i.Status));
        Assert.Contains("1048576", result.Manifest.Items[0].Error!, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoGlobbedImageInputsAreRefused()
    {
        var (dir, images, outDir) = Batch(2, corrupt: false);
        var recipe = RunKit.LoadFile(dir, """
            xrayflow: 1
            name: two
            inputs:
              a: image
              b: image
            steps:
              - op: add
                in: [a, b]
            outputs:
              add: "{stem}.npy"
            """);
        var glob = Path.Combine(images, "*.png");
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["a"] = glob, ["b"] = glob }, OutDir = outDir });
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Equal("XRF2007", Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void ExpressionsWithoutACompilerOrWithErrorsAreInvalidBeforeAnyPixelWork()
    {
        var (dir, images, outDir) = Batch(1, corrupt: false);
        var recipe = RunKit.LoadFile(dir, """
            xrayflow: 1
            name: e
            inputs:
              xray: image
            steps:
              - op: where
                cond: "x > File.Length"
                then: x
                else: 0
            outputs:
              where: w.npy
            """);
        var inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "00000011_000.png") };
        var none = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = inputs, OutDir = outDir });
        Assert.Equal(ExitCodes.Invalid, none.ExitCode);
        Assert.Equal("XRF2011", Assert.Single(none.Diagnostics).Code);

        var bad = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = inputs, OutDir = outDir, CompilerFactory = () => new FakeCompiler() });
        Assert.Equal(ExitCodes.Invalid, bad.ExitCode);
        var d = Assert.Single(bad.Diagnostics);
        Assert.Equal("XRF3001", d.Code);
        Assert.Equal(new Core.Diagnostics.SourceLocation(Path.Combine(dir, "recipe.yaml"), 7, 12), d.Location);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void AnOutputThatCannotBeWrittenFailsItsItemAndNamesTheFile()
    {
        var (dir, images, outDir) = Batch(1, corrupt: false);
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "npy"), "a file where the output folder should be");
        var recipe = RunKit.LoadFile(dir, Recipe);
        var result = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "00000011_000.png") }, OutDir = outDir });
        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        Assert.StartsWith("cannot write output 'npy/00000011_000.npy': ", Assert.Single(result.Failures).Error, StringComparison.Ordinal);
    }
}

using System.Runtime.InteropServices;
using CsCheck;
using System.Text.Json.Nodes;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Running;
using XRayFlow.Pipeline.Testing;
using XRayFlow.Tests.Shared;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Issue 18, the runner's share: special files, paths that leave the folders the user chose, manifests as
/// untrusted input, ordinary mistakes that used to be exit 70, two runs into one folder, exact paths.
/// Each test failed (or hung: hence the time limits) before its fix.
/// </summary>
public class RunnerHardeningTests
{
    private const string Recipe = """
        xrayflow: 1
        name: h
        inputs:
          xray: image
        steps:
          - id: smooth
            op: blur
          - id: half
            op: scale
            factor: 0.5
        outputs:
          half: "{stem}_half.npy"
          raw: {from: smooth, path: "npy/{stem}.npy"}
        """;

    private static string Small => Path.Combine(TestPaths.Fixtures, "engine", "codecs", "grey8.png");

    private static (string Dir, string Image, string Out) Project(string? name = null)
    {
        string dir = RunKit.TempDir();
        string image = Path.Combine(dir, name ?? "x.png");
        File.Copy(Small, image);
        return (dir, image, Path.Combine(dir, "out"));
    }

    private static RunRequest Request(BoundRecipe recipe, string outDir, params (string Name, string Path)[] inputs)
        => new() { Recipe = recipe, OutDir = outDir, Threads = 2, Inputs = inputs.ToDictionary(i => i.Name, i => i.Path) };

    /// <summary>Runs <paramref name="f"/> with a time limit: a hang (a FIFO, /dev/zero) fails the test instead of stalling the suite.</summary>
    private static T Within<T>(Func<T> f, int seconds = 30)
    {
        var task = Task.Run(f);
        bool finished = Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(seconds))).GetAwaiter().GetResult() == task;
        Assert.True(finished, $"still running after {seconds} s (a hang on a special file?)");
        return task.GetAwaiter().GetResult();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    private static string Fifo(string path)
    {
        Assert.Equal(0, mkfifo(path, 0b110_100_100));
        return path;
    }

    private static void Symlink(string link, string target) => File.CreateSymbolicLink(link, target);

    // ------------------------------------------------------------------ special files

    [Fact]
    public void InputsThatAreNotRegularFilesAreRefusedBeforeAnyWork()
    {
        var (dir, image, outDir) = Project();
        var recipe = RunKit.LoadFile(dir, Recipe);
        string fifo = Fifo(Path.Combine(dir, "pipe.png"));
        foreach (var (path, kind) in new[] { ("/dev/zero", "a character device"), (fifo, "a FIFO (named pipe)") })
        {
            var r = Within(() => RecipeRunner.Run(Request(recipe, outDir, ("xray", path))));
            Assert.Equal(ExitCodes.Invalid, r.ExitCode);
            var d = Assert.Single(r.Diagnostics);
            Assert.Equal("XRF2023", d.Code);
            Assert.Equal($"input 'xray': '{path}' is {kind}, not a regular file", d.Message);
        }

        // A folder is read as its images (issue 17), each checked as any file: the FIFO among them is refused.
        var folder = Within(() => RecipeRunner.Run(Request(recipe, outDir, ("xray", dir))));
        Assert.Equal(ExitCodes.Invalid, folder.ExitCode);
        Assert.Equal($"input 'xray': '{fifo}' is a FIFO (named pipe), not a regular file", Assert.Single(folder.Diagnostics).Message);

        // A glob that matches a FIFO beside a good file: refused as a whole, nothing read or written.
        var batch = Within(() => RecipeRunner.Run(Request(recipe, outDir, ("xray", Path.Combine(dir, "*.png")))));
        Assert.Equal(ExitCodes.Invalid, batch.ExitCode);
        Assert.Equal("XRF2023", Assert.Single(batch.Diagnostics).Code);
        Assert.False(Directory.Exists(outDir));
        Assert.True(File.Exists(image));
    }

    [Fact]
    public void ARecipeThatIsADeviceOrAFifoIsRefusedWithoutReadingIt()
    {
        string fifo = Fifo(Path.Combine(RunKit.TempDir(), "recipe.yaml"));
        foreach (var path in new[] { "/dev/zero", fifo })
        {
            var r = Within(() => RecipeLoader.Load(path));
            var d = Assert.Single(r.Diagnostics);
            Assert.Equal("XRF1012", d.Code);
            Assert.EndsWith("not a regular file", d.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AManifestThatIsADeviceOrAFifoIsRefusedWithoutReadingIt()
    {
        string fifo = Fifo(Path.Combine(RunKit.TempDir(), "manifest.json"));
        foreach (var path in new[] { "/dev/zero", fifo })
        {
            var r = Within(() => ManifestVerifier.Verify(path, RunKit.Loader, null, 1));
            Assert.Equal(ExitCodes.Invalid, r.ExitCode);
            Assert.Contains("not a regular file", Assert.Single(r.Diagnostics).Message, StringComparison.Ordinal);
        }
    }

    // ------------------------------------------------------------------ a shared recipe's own paths

    [Fact]
    public void DefaultPathsStayInsideTheRecipesFolderAfterLinksAreResolved()
    {
        string outside = RunKit.TempDir();
        string secret = Path.Combine(outside, "secret.png");
        File.WriteAllText(secret, "SECRET-BYTES not an image\n");
        File.Copy(Small, Path.Combine(outside, "good.png"));
        var (dir, _, outDir) = Project();
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        Symlink(Path.Combine(dir, "sub", "link.png"), secret);
        Symlink(Path.Combine(dir, "away"), outside);
        string rel = Path.GetRelativePath(dir, secret);
        // A folder beside the recipe's whose name starts with the recipe folder's (a mutant comparing the bare prefix passed).
        string sibling = Path.TrimEndingDirectorySeparator(dir) + "-beside";
        Directory.CreateDirectory(sibling);
        File.WriteAllText(Path.Combine(sibling, "secret.png"), "SECRET-BYTES not an image\n");
        string besideRel = "../" + Path.GetFileName(sibling) + "/secret.png";
        // A link whose target is relative (`..` resolved from the link's folder; a mutant that ignored `..` passed).
        Symlink(Path.Combine(dir, "sub", "relative.png"), Path.GetRelativePath(Path.Combine(dir, "sub"), secret));
        foreach (var def in new[] { secret, rel, "sub/link.png", "away/secret.png", "away/*.png", Path.Combine(outside, "*.png"), besideRel, "sub/relative.png" })
        {
            var recipe = RunKit.LoadFile(dir, Recipe.Replace("xray: image", $"xray: {{kind: image, default: \"{def}\"}}", StringComparison.Ordinal));
            var r = RecipeRunner.Run(Request(recipe, outDir));
            Assert.Equal(ExitCodes.Invalid, r.ExitCode);
            var d = Assert.Single(r.Diagnostics);
            Assert.Equal("XRF2024", d.Code);
            Assert.Contains($"'{def}' is outside the recipe's folder", d.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("SECRET", d.Message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(outDir));

        // Inside the folder (also through a link that stays inside): fine. --input stays free.
        Symlink(Path.Combine(dir, "sub", "inside.png"), Path.Combine(dir, "x.png"));
        var ok = RunKit.LoadFile(dir, Recipe.Replace("xray: image", "xray: {kind: image, default: sub/inside.png}", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(ok, outDir)).ExitCode);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(ok, Path.Combine(dir, "out2"), ("xray", Path.Combine(outside, "good.png")))).ExitCode);
    }

    [Fact]
    public void ARecipesTestsReadOnlyFilesInsideItsFolder()
    {
        string outside = RunKit.TempDir();
        File.Copy(Small, Path.Combine(outside, "y.png"));
        var (dir, _, _) = Project();
        string rel = Path.GetRelativePath(dir, Path.Combine(outside, "y.png"));
        string tests = $"\ntests:\n  - name: t\n    inputs: {{xray: \"{rel}\"}}\n    expect: {{half: \"sha256:{new string('0', 64)}\"}}\n";
        var r = SelfTest(RunKit.LoadFile(dir, Recipe + tests));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal("XRF2024", Assert.Single(r.Diagnostics).Code);

        string npyOutside = $"\ntests:\n  - name: t\n    inputs: {{xray: x.png}}\n    expect: {{half: {{npy: \"{Path.Combine(outside, "r.npy")}\"}}}}\n";
        var n = SelfTest(RunKit.LoadFile(dir, Recipe + npyOutside));
        Assert.Equal(ExitCodes.Invalid, n.ExitCode);
        Assert.Equal("XRF2024", Assert.Single(n.Diagnostics).Code);

        string fifo = Fifo(Path.Combine(dir, "pipe.png"));
        string fifoTest = $"\ntests:\n  - name: t\n    inputs: {{xray: {Path.GetFileName(fifo)}}}\n    expect: {{half: \"sha256:{new string('0', 64)}\"}}\n";
        var f = Within(() => SelfTest(RunKit.LoadFile(dir, Recipe + fifoTest)));
        Assert.Equal(ExitCodes.Invalid, f.ExitCode);
        Assert.Equal("XRF2023", Assert.Single(f.Diagnostics).Code);
    }

    private static SelfTestResult SelfTest(BoundRecipe recipe) => RecipeSelfTest.Run(recipe, null, 1);

    // ------------------------------------------------------------------ manifests are untrusted

    private static (string Manifest, string Dir, string Images) Verified()
    {
        string dir = RunKit.TempDir();
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        File.Copy(Small, Path.Combine(images, "a.png"));
        File.Copy(Small, Path.Combine(images, "b.png"));
        var recipe = RunKit.LoadFile(dir, Recipe);
        var run = RecipeRunner.Run(Request(recipe, Path.Combine(dir, "out"), ("xray", Path.Combine(images, "*.png"))));
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        string manifest = Path.Combine(dir, "out", "manifest.json");
        Assert.Equal(ExitCodes.Success, ManifestVerifier.Verify(manifest, RunKit.Loader, null, 1).ExitCode);
        return (manifest, dir, images);
    }

    private static VerifyResult Tampered(string manifest, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(manifest))!;
        edit(node);
        File.WriteAllText(manifest, node.ToJsonString());
        return Within(() => ManifestVerifier.Verify(manifest, RunKit.Loader, null, 1));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../etc/passwd")]
    [InlineData("npy/../../recipe.yaml")]
    [InlineData("")]
    [InlineData("./a_half.npy")]
    public void VerifyRefusesAnOutputPathOutsideTheManifestsFolder(string path)
    {
        var (manifest, _, _) = Verified();
        var r = Tampered(manifest, m => m["items"]![0]!["outputs"]![0]!["path"] = path);
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("XRF2013", d.Code);
        Assert.Contains("items[0].outputs[0].path must be a path relative to the manifest's folder, inside it", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyRefusesAnOutputThatGoesThroughASymbolicLink()
    {
        var (manifest, dir, _) = Verified();
        string outDir = Path.GetDirectoryName(manifest)!;
        string elsewhere = RunKit.TempDir();
        Directory.Move(Path.Combine(outDir, "npy"), Path.Combine(elsewhere, "npy"));
        Symlink(Path.Combine(outDir, "npy"), Path.Combine(elsewhere, "npy"));
        var r = Within(() => ManifestVerifier.Verify(manifest, RunKit.Loader, null, 1));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.All(r.Diagnostics, d => Assert.Contains("goes through the symbolic link 'npy'", d.Message, StringComparison.Ordinal));

        // An output file replaced by a link to a device: refused too, never read.
        Directory.Delete(Path.Combine(outDir, "npy"));
        Directory.Move(Path.Combine(elsewhere, "npy"), Path.Combine(outDir, "npy"));
        File.Delete(Path.Combine(outDir, "a_half.npy"));
        Symlink(Path.Combine(outDir, "a_half.npy"), "/dev/zero");
        var dev = Within(() => ManifestVerifier.Verify(manifest, RunKit.Loader, null, 1));
        Assert.Equal(ExitCodes.Invalid, dev.ExitCode);
        Assert.Contains("goes through the symbolic link 'a_half.npy'", Assert.Single(dev.Diagnostics).Message, StringComparison.Ordinal);
        _ = dir;
    }

    public static TheoryData<string, string> BadFields => new()
    {
        { "$.items[0].name", "items[0].name must be a string, found null" },
        { "$.items[0].outputs[0].sha256", "items[0].outputs[0].sha256 must be a string, found null" },
        { "$.items[0].inputs[0].path", "items[0].inputs[0].path must be a string, found null" },
        { "$.recipe.path", "recipe.path must be a string, found null" },
        { "$.inputs.xray", "inputs.xray must be a string, found null" },
        { "$.items", "items must be a list, found null" },
        { "$.threads", "threads must be a whole number >= 1" },
        { "$.items[0].status", "items[0].status must be a string, found null" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public void VerifyRefusesNullFieldsWithExitTwo(string field, string message)
    {
        // Before: GetString()! gave null and the verifier threw later (exit 70).
        var (manifest, _, _) = Verified();
        var r = Tampered(manifest, m => Set(m, field, null));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Contains(message, Assert.Single(r.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$.items[0].name")]
    [InlineData("$.items[0].outputs[0].path")]
    [InlineData("$.set.x")]
    [InlineData("$.recipe.absolute_path")]
    public void VerifyRefusesANulInAnyStringWithExitTwo(string field)
    {
        var (manifest, _, _) = Verified();
        var r = Tampered(manifest, m => Set(m, field, JsonValue.Create("a\0b")));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Contains("holds a NUL character", Assert.Single(r.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyRefusesDuplicatesAndBadHashesWithExitTwo()
    {
        var (manifest, _, _) = Verified();
        string text = File.ReadAllText(manifest);
        File.WriteAllText(manifest, text.Replace("\"threads\": 2,", "\"threads\": 2, \"threads\": 3,", StringComparison.Ordinal));
        var dup = ManifestVerifier.Verify(manifest, RunKit.Loader, null, 1);
        Assert.Equal(ExitCodes.Invalid, dup.ExitCode);
        Assert.Contains("threads is written twice", Assert.Single(dup.Diagnostics).Message, StringComparison.Ordinal);

        File.WriteAllText(manifest, text);
        var hash = Tampered(manifest, m => m["items"]![1]!["outputs"]![0]!["sha256"] = "ABC");
        Assert.Equal(ExitCodes.Invalid, hash.ExitCode);
        Assert.Contains("items[1].outputs[0].sha256 must be a SHA-256", Assert.Single(hash.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyReadsOnlyTheRecordedInputFiles()
    {
        var (manifest, dir, images) = Verified();

        // A binding re-pointed at another folder: nothing there was recorded, so nothing there is read.
        string other = RunKit.TempDir();
        Fifo(Path.Combine(other, "pipe.png"));
        File.Copy(Small, Path.Combine(other, "c.png"));
        string glob = Path.Combine(other, "*.png");
        var r = Tampered(manifest, m => m["inputs"]!["xray"] = glob);
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal("XRF2006", Assert.Single(r.Diagnostics).Code); // no recorded file matches it

        // A literal binding to a file no item records: refused.
        var lit = Tampered(manifest, m => m["inputs"]!["xray"] = "/etc/passwd");
        Assert.Equal(ExitCodes.Invalid, lit.ExitCode);
        var d = Assert.Single(lit.Diagnostics);
        Assert.Equal("XRF2029", d.Code);

        // The recorded glob, with a new file (and a FIFO) in the folder: reported as new, not read.
        var back = Tampered(manifest, m => m["inputs"]!["xray"] = Path.Combine(images, "*.png"));
        Assert.Equal(ExitCodes.Success, back.ExitCode);
        File.Copy(Small, Path.Combine(images, "c.png"));
        Fifo(Path.Combine(images, "d.png"));
        var grown = Within(() => ManifestVerifier.Verify(manifest, RunKit.Loader, null, 1));
        Assert.Equal(ExitCodes.SomeFailed, grown.ExitCode);
        Assert.Equal(
            [$"{Path.Combine(images, "c.png")}: a new input that the recorded run did not have (not read: verify reads only the recorded files)", $"{Path.Combine(images, "d.png")}: a new input that the recorded run did not have (not read: verify reads only the recorded files)"],
            grown.Diagnostics.Select(x => x.Message));
        _ = dir;
    }

    [Fact]
    public void MutatedManifestsNeverMakeVerifyThrow()
    {
        var (manifest, _, _) = Verified();
        string valid = File.ReadAllText(manifest);
        int seconds = FuzzReport.Seconds;
        const string alphabet = " \n{}[],:\"\\0123456789.-nultrfa/*?\u0000";
        var counts = new int[3];
        var edit = Gen.Select(Gen.Int[0, valid.Length], Gen.Int[0, 6], Gen.Char[alphabet].Array[0, 4]);
        edit.Array[1, 3].Sample(
            edits =>
            {
                string text = valid;
                foreach (var (at, delete, insert) in edits)
                {
                    int start = Math.Min(at, text.Length);
                    text = text.Remove(start, Math.Min(delete, text.Length - start)).Insert(start, new string(insert));
                }

                string copy = Path.Combine(Path.GetDirectoryName(manifest)!, $"m-{Guid.NewGuid():N}.json");
                File.WriteAllText(copy, text);
                try
                {
                    var r = ManifestVerifier.Verify(copy, RunKit.Loader, null, 1);
                    Assert.InRange(r.ExitCode, 0, 2);
                    Interlocked.Increment(ref counts[r.ExitCode]);
                }
                finally
                {
                    File.Delete(copy);
                }
            },
            iter: seconds > 0 ? -1 : 150,
            time: seconds,
            threads: 1,
            seed: seconds > 0 ? null : "0N0XIzNsQ0O2");
        Assert.True(counts[2] > 0, "some mutations must be refused");
        if (seconds > 0)
        {
            string summary = $"verify fuzz: {counts.Sum()} manifests in {seconds} s, exit 0: {counts[0]}, 1: {counts[1]}, 2: {counts[2]}, 0 exceptions";
            Console.WriteLine(summary);
            FuzzReport.Write("verify", [summary]);
        }
    }

    private static void Set(JsonNode root, string path, JsonNode? value)
    {
        // $.a.b[0].c
        var parts = path[2..].Replace("[", ".[", StringComparison.Ordinal).Split('.');
        JsonNode node = root;
        for (int k = 0; k < parts.Length - 1; k++)
        {
            node = parts[k].StartsWith('[') ? node[int.Parse(parts[k][1..^1], System.Globalization.CultureInfo.InvariantCulture)]! : node[parts[k]]!;
        }

        string last = parts[^1];
        if (last.StartsWith('['))
        {
            node[int.Parse(last[1..^1], System.Globalization.CultureInfo.InvariantCulture)] = value;
        }
        else
        {
            node[last] = value;
        }
    }

    // ------------------------------------------------------------------ --out

    [Fact]
    public void ADirectoryLinkInsideOutCannotSendAnOutputElsewhere()
    {
        var (dir, image, outDir) = Project();
        string elsewhere = RunKit.TempDir();
        Directory.CreateDirectory(outDir);
        Symlink(Path.Combine(outDir, "npy"), elsewhere);
        var recipe = RunKit.LoadFile(dir, Recipe);
        var r = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("XRF2030", d.Code);
        Assert.Equal("output 'raw': path 'npy/x.npy' goes through 'npy', a symbolic link under --out; outputs never follow links (they could land outside --out)", d.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));

        // At write time too (a link planted after the check): the folder walk refuses it.
        var ex = Assert.Throws<IOException>(() => OutputPaths.CreateFolders(Path.GetFullPath(outDir), Path.Combine(Path.GetFullPath(outDir), "npy", "deeper", "x.npy")));
        Assert.Contains("'npy' is a symbolic link, not a folder", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere));
    }

    [Fact]
    public void AnOutFolderThatCannotBeOneIsExitTwoBeforeAnyWork()
    {
        var (dir, image, _) = Project();
        var recipe = RunKit.LoadFile(dir, Recipe);
        string file = Path.Combine(dir, "a-file");
        File.WriteAllText(file, "x");
        var cases = new Dictionary<string, string>
        {
            [file] = $"--out: '{file}' is a regular file, not a folder",
            [""] = "--out: must name a folder, not ''",
            ["/dev/null"] = "--out: '/dev/null' is a character device, not a folder",
            ["a\0b"] = "--out: holds a NUL character, which no path can hold",
            [Path.Combine(file, "sub")] = $"--out: '{file}' is a regular file, not a folder",
        };
        foreach (var (outDir, message) in cases)
        {
            var r = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)));
            Assert.Equal(ExitCodes.Invalid, r.ExitCode);
            var d = Assert.Single(r.Diagnostics);
            Assert.Equal(("XRF2021", message), (d.Code, d.Message));
        }

        // A folder that cannot be written (root writes anywhere, so only checked as another user).
        if (!OperatingSystem.IsWindows() && UntrustedFile.CurrentUser() is not (0 or -1))
        {
            string locked = Path.Combine(dir, "read-only");
            Directory.CreateDirectory(locked);
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var ro = RecipeRunner.Run(Request(recipe, locked, ("xray", image)));
            Assert.Equal(ExitCodes.Invalid, ro.ExitCode);
            Assert.StartsWith($"--out: cannot write into '{locked}'", Assert.Single(ro.Diagnostics).Message, StringComparison.Ordinal);
        }

        // A folder that exists but cannot be written (procfs): exit 2, found when the lock file is written.
        var proc = RecipeRunner.Run(Request(recipe, "/proc/self", ("xray", image)));
        Assert.Equal(ExitCodes.Invalid, proc.ExitCode);
        Assert.StartsWith("--out: cannot write into '/proc/self'", Assert.Single(proc.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AProfilePathThatIsAFolderIsExitTwoBeforeAnyOutputIsWritten()
    {
        // Before: the outputs were written, then writing the profile threw (exit 70).
        var (dir, image, outDir) = Project();
        var recipe = RunKit.LoadFile(dir, Recipe);
        var r = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)) with { ProfilePath = dir });
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal(("XRF2021", $"--profile: '{dir}' is a directory, not a file"), (r.Diagnostics[0].Code, r.Diagnostics[0].Message));
        Assert.False(Directory.Exists(outDir));

        var dev = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)) with { ProfilePath = "/dev/null" });
        Assert.Equal(ExitCodes.Invalid, dev.ExitCode);
    }

    [Fact]
    public void ANulInAnOutputPathIsExitTwo()
    {
        var (dir, image, outDir) = Project();
        var recipe = RunKit.LoadFile(dir, Recipe.Replace("\"{stem}_half.npy\"", "\"{stem}\\0_half.npy\"", StringComparison.Ordinal));
        var r = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal("XRF2025", Assert.Single(r.Diagnostics).Code);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void ADiskFullWhileWritingTheManifestIsExitOneAndResumeCompletesTheRun()
    {
        string dir = RunKit.TempDir();
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        File.Copy(Small, Path.Combine(images, "a.png"));
        File.Copy(Small, Path.Combine(images, "b.png"));
        string outDir = Path.Combine(dir, "out");
        var recipe = RunKit.LoadFile(dir, Recipe);
        var request = Request(recipe, outDir, ("xray", Path.Combine(images, "*.png")));
        var full = RecipeRunner.Run(request with
        {
            WriteFile = (path, bytes) => throw new IOException("No space left on device"),
            ProfilePath = Path.Combine(dir, "profile.json"),
        });
        Assert.Equal(ExitCodes.SomeFailed, full.ExitCode);
        Assert.Equal(["XRF2027", "XRF2028"], full.Diagnostics.Select(d => d.Code));
        Assert.Contains("No space left on device; the outputs already written are complete: run again with --resume", full.Diagnostics[0].Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, "manifest.json")));
        Assert.True(File.Exists(Path.Combine(outDir, "a_half.npy")));
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(outDir, ".xrayflow.lock")));

        var resumed = RecipeRunner.Run(request with { Resume = true });
        Assert.Equal(ExitCodes.Success, resumed.ExitCode);
        Assert.Equal(ExitCodes.Success, ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 1).ExitCode);
    }

    // ------------------------------------------------------------------ two runs, one folder

    [Fact]
    public void ASecondRunIntoALockedOutFolderIsExitTwoNamingTheHolder()
    {
        var (dir, image, outDir) = Project();
        var recipe = RunKit.LoadFile(dir, Recipe);
        RunResult? second = null;
        var first = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)) with
        {
            // While the first run holds the folder (it is locked before any item starts), try a second.
            Progress = new OnStart(() => second = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)))),
        });
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.NotNull(second);
        Assert.Equal(ExitCodes.Invalid, second.ExitCode);
        var d = Assert.Single(second.Diagnostics);
        Assert.Equal("XRF2026", d.Code);
        Assert.Equal($"--out '{outDir}' is in use by another xrayflow run (process {Environment.ProcessId}); wait for it to finish or choose another folder", d.Message);

        // Released at the end: the lock file is gone and the next run goes ahead.
        Assert.False(File.Exists(Path.Combine(outDir, ".xrayflow.lock")));
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, outDir, ("xray", image))).ExitCode);

        // A stale lock file from a killed run (no process holds the lock) does not block.
        File.WriteAllText(Path.Combine(outDir, ".xrayflow.lock"), "999999\n");
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, outDir, ("xray", image))).ExitCode);
    }

    private sealed class OnStart(Action action) : IRunProgress
    {
        public void Started(int items) => action();

        public void ItemFinished(ManifestItem item)
        {
        }
    }

    // ------------------------------------------------------------------ exact paths, bounded repeat, stale temporaries

    [Fact]
    public void AStemHoldingABackslashIsRecordedExactlyAsWritten()
    {
        var (dir, image, outDir) = Project("a\\b.png");
        var recipe = RunKit.LoadFile(dir, Recipe);
        var r = RecipeRunner.Run(Request(recipe, outDir, ("xray", image)));
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.True(File.Exists(Path.Combine(outDir, "a\\b_half.npy")));
        Assert.Equal(["a\\b_half.npy", "npy/a\\b.npy"], r.Manifest!.Items[0].Outputs.Select(o => o.Path));
        var v = ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 1);
        Assert.True(v.ExitCode == ExitCodes.Success, string.Join("\n", v.Diagnostics));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(RunRequest.MaxRepeat + 1)]
    [InlineData(int.MaxValue)]
    public void RepeatIsBounded(int repeat)
    {
        var (dir, image, outDir) = Project();
        var recipe = RunKit.LoadFile(dir, Recipe);
        var r = Within(() => RecipeRunner.Run(Request(recipe, outDir, ("xray", image)) with { Repeat = repeat }), 10);
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal(("XRF2021", "--repeat: must be 1 to 10000"), (r.Diagnostics[0].Code, r.Diagnostics[0].Message));
    }

    [Fact]
    public void ARunRemovesTheTemporariesAKilledRunLeftInItsFolder()
    {
        var (dir, image, outDir) = Project();
        Directory.CreateDirectory(Path.Combine(outDir, "npy", "deep"));
        string hex = new('a', 32);
        string[] stale = [Path.Combine(outDir, $".x_half.npy.{hex}.tmp"), Path.Combine(outDir, "npy", "deep", $".x.npy.{Guid.NewGuid():N}.tmp")];
        string[] kept = [Path.Combine(outDir, "notes.tmp"), Path.Combine(outDir, ".short.tmp"), Path.Combine(outDir, $"visible.{hex}.tmp")];
        foreach (var f in stale.Concat(kept))
        {
            File.WriteAllText(f, "partial");
        }

        var recipe = RunKit.LoadFile(dir, Recipe);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, outDir, ("xray", image)) with { Resume = true }).ExitCode);
        Assert.All(stale, f => Assert.False(File.Exists(f), f));
        Assert.All(kept, f => Assert.True(File.Exists(f), f));
    }

    [Fact]
    public void InputFilesAreHashedWithABoundAndOnlyWhenRegular()
    {
        string dir = RunKit.TempDir();
        string fifo = Fifo(Path.Combine(dir, "p"));
        Assert.Throws<UntrustedFileException>(() => Within(() => Manifest.Sha256OfFile(fifo)));
        Assert.Throws<UntrustedFileException>(() => Manifest.Sha256OfFile("/dev/zero"));
        string file = Path.Combine(dir, "f");
        File.WriteAllBytes(file, new byte[100]);
        Assert.Throws<UntrustedFileException>(() => Manifest.Sha256OfFile(file, maxBytes: 99));
        Assert.Equal(64, Manifest.Sha256OfFile(file, maxBytes: 100).Length);
    }

    // ------------------------------------------------------------------ shapes known from headers

    [Fact]
    public void AStepItsOneInputsShapeMakesImpossibleIsRefusedBeforeAnyWork()
    {
        // A run of one item reads its file's header (5 x 7) before any work: a crop box outside the image is refused
        // located in the recipe (exit 2, XRF1069, nothing written), as `plan --input` refuses it. Before, the image was
        // read and the item failed (exit 1). A batch keeps the check per item: each file may have its own shape.
        const string text = """
            xrayflow: 1
            name: c
            inputs:
              xray: image
            steps:
              - id: cut
                op: crop
                box: [2, 3, 4, 4]
            outputs:
              cut: "{stem}_cut.npy"
            """;
        var (dir, image, outDir) = Project();
        var recipe = RunKit.LoadFile(dir, text);
        var d = RefusedBeforeAnyWork(RecipeRunner.Run(Request(recipe, outDir, ("xray", image))), 8, outDir);
        Assert.Contains("the crop box [2, 3, 4, 4] (rows 2..5, columns 3..6) is outside the 5 x 7 image", d.Message, StringComparison.Ordinal);

        File.Copy(image, Path.Combine(dir, "y.png"));
        var batch = RecipeRunner.Run(Request(recipe, outDir, ("xray", Path.Combine(dir, "*.png"))));
        Assert.Equal(ExitCodes.SomeFailed, batch.ExitCode);
        Assert.Equal(2, batch.Failures.Count);
        Assert.All(batch.Failures, f => Assert.Contains("is outside the 5 x 7 image", f.Error, StringComparison.Ordinal));

        // A box that fits runs.
        var fits = RecipeRunner.Run(Request(RunKit.LoadFile(dir, text.Replace("[2, 3, 4, 4]", "[1, 3, 4, 4]", StringComparison.Ordinal)), Path.Combine(dir, "out2"), ("xray", image)));
        Assert.Equal(ExitCodes.Success, fits.ExitCode);
    }

    [Fact]
    public void AComplexInputKnownFromItsHeaderIsRefusedBeforeAnyWork()
    {
        // A complex64 .npy for a real op: plan showed the input complex and the step real, and the one item then
        // failed (exit 1). Its header says so before any work: refused located in the recipe (exit 2, XRF1069).
        const string text = """
            xrayflow: 1
            name: c
            inputs:
              xray: image
            steps:
              - id: g
                op: gaussian_filter
                sigma: 1
            outputs:
              g: "{stem}_g.npy"
            """;
        var (dir, _, outDir) = Project();
        string npy = Path.Combine(dir, "c.npy");
        XRayFlow.Core.Codecs.Npy.NpyWriter.Write(npy, new XRayFlow.Core.Imaging.ImageArray(2, 3, new float[6], new float[6]));
        var recipe = RunKit.LoadFile(dir, text);
        var d = RefusedBeforeAnyWork(RecipeRunner.Run(Request(recipe, outDir, ("xray", npy))), 6, outDir);
        Assert.Equal("step 'g': gaussian_filter takes a real array; input 1 is complex (use abs, or ifft2 with part: real|imag|abs)", d.Message);

        // abs takes it: the same file runs.
        var abs = RecipeRunner.Run(Request(RunKit.LoadFile(dir, text.Replace("op: gaussian_filter\n    sigma: 1", "op: abs", StringComparison.Ordinal)), Path.Combine(dir, "out2"), ("xray", npy)));
        Assert.Equal(ExitCodes.Success, abs.ExitCode);
    }

    /// <summary>A run refused on its input's header: exit 2, one error (XRF1069) at <paramref name="line"/> of the recipe, no output folder.</summary>
    private static XRayFlow.Core.Diagnostics.Diagnostic RefusedBeforeAnyWork(RunResult run, int line, string outDir)
    {
        Assert.Equal(ExitCodes.Invalid, run.ExitCode);
        var d = Assert.Single(run.Diagnostics, x => x.Severity == XRayFlow.Core.Diagnostics.Severity.Error);
        Assert.Equal("XRF1069", d.Code);
        Assert.Equal(line, d.Location?.Line);
        Assert.False(Directory.Exists(outDir));
        return d;
    }
}

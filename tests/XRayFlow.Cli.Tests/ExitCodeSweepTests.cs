using System.Runtime.InteropServices;
using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Cli.Tests;

/// <summary>
/// Issue 18: every XRF2xxx situation, fed to a real `xrayflow` process, ends with its documented exit code
/// (2 before any work, 1 when the run started) and its code on stderr: never 70 (a bug), never a signal,
/// never a hang, never a stack trace.
/// </summary>
public sealed class ExitCodeSweepTests
{
    private static string P(string dir, params string[] parts) => Path.Combine([dir, .. parts]);

    private const string NoDefault = """
        xrayflow: 1
        name: plain
        inputs:
          xray: image
        steps:
          - id: ax
            op: abs
        outputs:
          ax: "{stem}_ax.npy"
        """;

    /// <summary>Codes no command line can reach, and where each is tested instead.</summary>
    private static readonly Dictionary<string, string> Unreachable = new()
    {
        ["XRF2011"] = "the CLI always has the Roslyn compiler; RunnerTests.ExpressionsWithoutACompiler... covers it in-process",
        ["XRF2017"] = "every verb is implemented",
        ["XRF2018"] = "the internal-error code itself: what this sweep asserts never happens",
        ["XRF2019"] = "the decoders refuse an image or stack over --max-pixels first, with their own reason (the sweep's --max-pixels case, an XRF2012 line)",
        ["XRF2027"] = "a full disk while manifest.json is written: fault-injected in RunnerHardeningTests.ADiskFullWhileWritingTheManifest...",
    };

    /// <summary>Warnings: they change no exit code; where each is tested.</summary>
    private static readonly Dictionary<string, string> Warnings = new()
    {
        ["XRF2060"] = "--resume over a manifest it cannot use: RunnerTests.ResumeSaysWhenTheEarlierManifestCannotBeUsed",
        ["XRF2064"] = "verify of a run stopped by --max-failures: ShardTests.VerifyOfARunStoppedByMaxFailuresChecksWhatItRanAndSaysWhatItDidNot",
        ["XRF2063"] = "plan or validate of an input whose file has no readable header: CliTests.PlanRefusesAGivenInputFileAsRunDoes",
    };

    /// <summary>Codes whose message is the reason of a failed input (an XRF2012 line), not a line of their own.</summary>
    private static readonly Dictionary<string, string> Inside = new()
    {
        ["XRF2020"] = "cannot write output 'npy/00000011_000_gy.npy': ",
    };

    /// <summary>(code, expected exit, set-up returning the working folder and the arguments).</summary>
    public static TheoryData<string, int, string> Situations => new()
    {
        { "XRF2001", 2, "unknown verb" },
        { "XRF2002", 2, "input without a file" },
        { "XRF2003", 2, "unknown --input name" },
        { "XRF2004", 2, "--set without =" },
        { "XRF2005", 2, "missing input file" },
        { "XRF2006", 2, "glob without match" },
        { "XRF2007", 2, "two globbed image inputs" },
        { "XRF2008", 2, "colliding batch outputs" },
        { "XRF2009", 2, "a stem of '..'" },
        { "XRF2010", 2, "missing recipe" },
        { "XRF2012", 1, "a corrupt input in a batch" },
        { "XRF2013", 2, "verify /dev/zero" },
        { "XRF2014", 2, "verify after the recipe changed" },
        { "XRF2015", 1, "verify after an output changed" },
        { "XRF2016", 2, "ops with a typo" },
        { "XRF2012", 1, "--max-pixels below each image's of a batch" },
        { "XRF1069", 2, "--max-pixels below a stack's" },
        { "XRF2020", 1, "a file where an output folder goes" },
        { "XRF2021", 2, "--threads 0" },
        { "XRF2021", 2, "--out naming a file" },
        { "XRF2021", 2, "--out ''" },
        { "XRF2021", 2, "--out /dev/null" },
        { "XRF2021", 2, "--out /proc/self" },
        { "XRF2021", 2, "--profile naming a folder" },
        { "XRF2021", 2, "--repeat 2147483647" },
        { "XRF2021", 2, "plan --format svg" },
        { "XRF2022", 1, "info on a text file" },
        { "XRF2023", 2, "--input /dev/zero" },
        { "XRF2024", 2, "a default outside the recipe's folder" },
        { "XRF2025", 2, "a NUL in an output path" },
        { "XRF2026", 2, "--out held by another run" },
        { "XRF2028", 1, "--profile that cannot be written" },
        { "XRF2029", 2, "verify with an unrecorded input" },
        { "XRF2030", 2, "a link to a folder under --out" },
        { "XRF1012", 2, "validate /dev/zero" },
        { "XRF2031", 2, "an --input list naming a file twice" },
        { "XRF2032", 1, "merge with a shard missing" },
        { "XRF2033", 1, "merge with a shard of another --set" },
        { "XRF2034", 1, "merge with an output claimed twice" },
        { "XRF2035", 2, "merge of a folder without shards" },
        { "XRF2021", 2, "--shard 4/4" },
        { "XRF2021", 2, "--shard auto outside a scheduler" },
        { "XRF2036", 2, "--input given twice" },
        { "XRF2037", 2, "--out holding another recipe's manifest" },
        { "XRF2050", 2, "init over an existing recipe" },
        { "XRF2051", 2, "--profile naming the manifest" },
        { "XRF2052", 2, "an output name over 255 bytes" },
        { "XRF2053", 2, "an output over its own input" },
        { "XRF2061", 2, "arrays with a glob of several files for an image input" },
        { "XRF2062", 1, "--max-failures 1 on a batch whose first input is corrupt" },
        { "XRF2021", 2, "completion for an unknown shell" },
        { "XRF2038", 1, "a folder where report.html goes" },
        { "XRF2039", 2, "watch on a port another program holds" },
        { "XRF2021", 2, "watch --out a file" },
    };

    [Fact]
    public void EveryXrf2CodeHasASituationOrAReason()
    {
        var covered = Situations.Select(row => (string)row[0]).ToHashSet();
        var missing = DiagnosticCodes.All.Select(d => d.Code).Where(c => c.StartsWith("XRF2", StringComparison.Ordinal) && !covered.Contains(c) && !Unreachable.ContainsKey(c) && !Warnings.ContainsKey(c)).ToList();
        Assert.True(missing.Count == 0, "XRF2 codes without a situation in the sweep: " + string.Join(", ", missing));
    }

    [Theory]
    [MemberData(nameof(Situations))]
    public void TheProcessExitsWithItsDocumentedCodeNever70(string code, int exit, string situation)
    {
        string dir = CliKit.Project();
        using var holder = situation == "--out held by another run" ? Hold(P(dir, "out")) : null;
        using var taken = situation == "watch on a port another program holds" ? new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0) : null;
        taken?.Start();
        string[] args = taken is null ? Arrange(situation, dir)
            : ["watch", "recipe.yaml", "--port", ((System.Net.IPEndPoint)taken.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var r = CliKit.RunProcess(dir, TimeSpan.FromSeconds(60), args);
        string all = r.Out + r.Err;
        Assert.True(r.Exit == exit, $"{situation}: exit {r.Exit}, expected {exit}\n{all}");
        if (Inside.TryGetValue(code, out var text))
        {
            // A per-input failure: its reason is the message of the code, inside the XRF2012 line.
            Assert.Contains("error XRF2012: ", r.Err, StringComparison.Ordinal);
            Assert.Contains(text, r.Err, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains($"error {code}: ", r.Err, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("XRF2018", all, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
    }

    private static string[] Arrange(string situation, string dir)
    {
        string recipe = P(dir, "recipe.yaml");
        string image = P(dir, "images", "00000011_000.png");
        switch (situation)
        {
            case "unknown verb": return ["frobnicate"];
            case "input without a file":
                File.WriteAllText(recipe, NoDefault);
                return ["run", "recipe.yaml"];
            case "unknown --input name": return ["run", "recipe.yaml", "--input", "nope=x.png"];
            case "--set without =": return ["run", "recipe.yaml", "--set", "x"];
            case "missing input file": return ["run", "recipe.yaml", "--input", "xray=missing.png"];
            case "glob without match": return ["run", "recipe.yaml", "--input", "xray=images/*.nothing"];
            case "arrays with a glob of several files for an image input":
                CliKit.CopySamples(P(dir, "more"), 2);
                return ["arrays", "recipe.yaml", "--input", "xray=more/*.png", "--out", "values"];
            case "two globbed image inputs":
                File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  a: image\n  b: image\nsteps:\n  - op: add\n    in: [a, b]\noutputs:\n  add: \"{stem}.npy\"\n");
                return ["run", "recipe.yaml", "--input", "a=images/*.png", "--input", "b=images/*.png"];
            case "colliding batch outputs":
                CliKit.CopySamples(P(dir, "more"), 2);
                File.WriteAllText(recipe, NoDefault.Replace("{stem}_ax.npy", "ax.npy", StringComparison.Ordinal));
                return ["run", "recipe.yaml", "--input", "xray=more/*.png"];
            case "a stem of '..'":
                File.Copy(image, P(dir, "images", "...png"));
                File.WriteAllText(recipe, NoDefault.Replace("\"{stem}_ax.npy\"", "\"{stem}/ax.npy\"", StringComparison.Ordinal));
                return ["run", "recipe.yaml", "--input", "xray=images/...png"];
            case "missing recipe": return ["run", "missing.yaml"];
            case "a corrupt input in a batch":
                File.WriteAllText(P(dir, "images", "broken.png"), "not a png");
                return ["run", "recipe.yaml", "--input", "xray=images/*.png"];
            case "--max-failures 1 on a batch whose first input is corrupt":
                File.WriteAllText(P(dir, "images", "00000000_broken.png"), "not a png");
                return ["run", "recipe.yaml", "--input", "xray=images/*.png", "--threads", "1", "--max-failures", "1"];
            case "verify /dev/zero": return ["verify", "/dev/zero"];
            case "verify after the recipe changed":
                Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out")).Exit);
                // A real change (a comment-only edit verifies: VerifyTests); the canonical form then differs.
                File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("axis: 1", "axis: 0", StringComparison.Ordinal));
                return ["verify", "out/manifest.json"];
            case "verify after an output changed":
                Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out")).Exit);
                File.WriteAllBytes(P(dir, "out", "npy", "00000011_000_gy.npy"), [1, 2, 3]);
                return ["verify", "out/manifest.json"];
            case "ops with a typo": return ["ops", "sobell"];
            case "init over an existing recipe": return ["init", "recipe"];
            case "completion for an unknown shell": return ["completion", "tcsh"];
            case "--max-pixels below each image's of a batch":
                // Several items: each may have its own shape, so each fails on its own once read (exit 1).
                CliKit.CopySamples(P(dir, "frames"), 2);
                File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: abs\noutputs:\n  abs: \"{stem}.npy\"\n");
                return ["run", "recipe.yaml", "--input", "xray=frames/*.png", "--max-pixels", "1000000"];
            case "--max-pixels below a stack's":
                // One item: its files' headers give the shape, so the step is refused before any work (exit 2).

                CliKit.CopySamples(P(dir, "frames"), 2);
                File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  frames: stack\nsteps:\n  - op: abs\noutputs:\n  abs: all.npy\n");
                return ["run", "recipe.yaml", "--input", "frames=frames/*.png", "--max-pixels", "1500000"];
            case "a file where an output folder goes":
                Directory.CreateDirectory(P(dir, "out"));
                File.WriteAllText(P(dir, "out", "npy"), "a file");
                return ["run", "recipe.yaml", "--out", "out"];
            case "--threads 0": return ["run", "recipe.yaml", "--threads", "0"];
            case "--out naming a file": return ["run", "recipe.yaml", "--out", "recipe.yaml"];
            case "--out ''": return ["run", "recipe.yaml", "--out", string.Empty];
            case "--out /dev/null": return ["run", "recipe.yaml", "--out", "/dev/null"];
            case "--out /proc/self": return ["run", "recipe.yaml", "--out", "/proc/self"];
            case "an output name over 255 bytes":
                File.Copy(image, P(dir, new string('x', 250) + ".png"));
                return ["run", "recipe.yaml", "--input", "xray=" + new string('x', 250) + ".png"];
            case "watch --out a file":
                // Found with `watch r.yaml --out /dev/null`: it served "the recipe has 1 error(s)" until Ctrl+C, though no save can fix --out.
                File.WriteAllText(P(dir, "afile"), "x");
                return ["watch", "recipe.yaml", "--out", "afile"];
            case "an output over its own input":
                File.WriteAllText(recipe, NoDefault.Replace("\"{stem}_ax.npy\"", "\"images/{stem}.png\"", StringComparison.Ordinal));
                return ["run", "recipe.yaml", "--input", "xray=images/00000011_000.png", "--out", "."];
            case "--profile naming the manifest": return ["run", "recipe.yaml", "--out", "out", "--profile", "out/manifest.json"];
            case "--profile naming a folder": return ["run", "recipe.yaml", "--profile", "images"];
            case "--repeat 2147483647": return ["run", "recipe.yaml", "--profile", "p.json", "--repeat", "2147483647"];
            case "plan --format svg": return ["plan", "recipe.yaml", "--format", "svg"];
            case "info on a text file":
                File.WriteAllText(P(dir, "fake.png"), "nope");
                return ["info", "fake.png"];
            case "--input /dev/zero": return ["run", "recipe.yaml", "--input", "xray=/dev/zero"];
            case "a default outside the recipe's folder":
                File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("default: images/00000011_000.png", "default: /etc/hostname", StringComparison.Ordinal));
                return ["run", "recipe.yaml"];
            case "a NUL in an output path":
                File.WriteAllText(recipe, NoDefault.Replace("{stem}_ax.npy", "{stem}\\0_ax.npy", StringComparison.Ordinal));
                return ["validate", "recipe.yaml"];
            case "--out held by another run": return ["run", "recipe.yaml", "--out", "out"];
            case "a folder where report.html goes":
                Directory.CreateDirectory(P(dir, "out", "report.html"));
                return ["run", "recipe.yaml", "--out", "out", "--report"];
            case "--profile that cannot be written": return ["run", "recipe.yaml", "--profile", "/proc/self/profile.json"];
            case "verify with an unrecorded input":
                Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out")).Exit);
                string m = P(dir, "out", "manifest.json");
                File.WriteAllText(m, File.ReadAllText(m).Replace($"\"xray\": \"{image}\"", "\"xray\": \"/etc/hostname\"", StringComparison.Ordinal));
                return ["verify", "out/manifest.json"];
            case "a link to a folder under --out":
                Directory.CreateDirectory(P(dir, "out"));
                Directory.CreateDirectory(P(dir, "elsewhere"));
                File.CreateSymbolicLink(P(dir, "out", "npy"), P(dir, "elsewhere"));
                return ["run", "recipe.yaml", "--out", "out"];
            case "validate /dev/zero": return ["validate", "/dev/zero"];
            case "an --input list naming a file twice":
                File.WriteAllText(P(dir, "list.txt"), "images/00000011_000.png\n./images/00000011_000.png\n");
                return ["run", "recipe.yaml", "--input", "xray=@list.txt"];
            case "merge with a shard missing":
                Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out"), "--shard", "0/2").Exit);
                return ["merge", "out"];
            case "merge with a shard of another --set":
                File.WriteAllText(recipe, File.ReadAllText(recipe).Replace("axis: 0", "axis: ${ax}", StringComparison.Ordinal).Replace("inputs:", "params:\n  ax: 0\ninputs:", StringComparison.Ordinal));
                Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out"), "--shard", "0/2").Exit);
                Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out"), "--shard", "1/2", "--set", "ax=1").Exit);
                return ["merge", "out"];
            case "merge with an output claimed twice":
                CliKit.CopySamples(P(dir, "two"), 2);
                Assert.Equal(0, CliKit.Run("run", recipe, "--input", "xray=" + P(dir, "two", "*.png"), "--out", P(dir, "out"), "--shard", "0/2").Exit);
                Assert.Equal(0, CliKit.Run("run", recipe, "--input", "xray=" + P(dir, "two", "*.png"), "--out", P(dir, "out"), "--shard", "1/2").Exit);
                string m1 = P(dir, "out", "manifest.shard-0001-of-0002.json");
                File.WriteAllText(m1, File.ReadAllText(m1).Replace("00000011_001_ax.png", "00000011_000_ax.png", StringComparison.Ordinal));
                return ["merge", "out"];
            case "merge of a folder without shards": return ["merge", "images"];
            case "--shard 4/4": return ["run", "recipe.yaml", "--shard", "4/4"];
            case "--shard auto outside a scheduler": return ["run", "recipe.yaml", "--shard", "auto"];
            case "--input given twice": return ["run", "recipe.yaml", "--input", "xray=images/00000011_000.png", "--input", "xray=images/*.png"];
            case "--out holding another recipe's manifest":
                Assert.Equal(0, CliKit.Run("run", recipe, "--out", P(dir, "out")).Exit);
                File.WriteAllText(P(dir, "other.yaml"), File.ReadAllText(recipe).Replace("name: sobel-test", "name: other", StringComparison.Ordinal));
                return ["run", "other.yaml", "--out", "out"];
            default: throw new ArgumentException(situation);
        }
    }

    /// <summary>Holds --out as a run does (flock on the folder, the holder's pid in .xrayflow.lock) until disposed.</summary>
    private static FolderHold Hold(string folder)
    {
        Directory.CreateDirectory(folder);
        int fd = open(folder, 0);
        Assert.True(fd >= 0);
        Assert.Equal(0, flock(fd, 2 | 4));
        File.WriteAllText(Path.Combine(folder, ".xrayflow.lock"), $"{Environment.ProcessId}\n");
        return new FolderHold(fd);
    }

    private sealed class FolderHold(int fd) : IDisposable
    {
        public void Dispose() => close(fd);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [DllImport("libc")]
    private static extern int close(int fd);
}

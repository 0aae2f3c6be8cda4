using System.Text.Json.Nodes;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Running;
using XRayFlow.Pipeline.Running.Sharding;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Issue 14: a batch cut into deterministic shards (`--shard I/N`, or `auto` from Slurm / Kubernetes), run into
/// one shared --out, and merged into one manifest.json equal to a single run's; `--input NAME=@list.txt`.
/// </summary>
public class ShardTests
{
    private const string Recipe = """
        xrayflow: 1
        name: shards
        inputs:
          xray: image
        params:
          factor: 0.5
        steps:
          - id: smooth
            op: blur
          - id: half
            op: scale
            factor: ${factor}
        outputs:
          half: "{stem}_half.npy"
          raw: {from: smooth, path: "png/{stem}.png"}
        """;

    /// <summary>A folder with the recipe and <paramref name="count"/> small distinct PNGs (img_000.png...), plus corrupt ones.</summary>
    private static (string Dir, string Glob, string Out, BoundRecipe Recipe) Batch(int count, params string[] corrupt)
    {
        string dir = RunKit.TempDir();
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(1000 + k);
            var a = new ImageArray(6, 7);
            for (int p = 0; p < a.Length; p++)
            {
                a.Data[p] = rng.Next(256);
            }

            PngWriter.Write(Path.Combine(images, $"img_{k:000}.png"), a);
        }

        foreach (var name in corrupt)
        {
            File.WriteAllText(Path.Combine(images, name), "not a PNG\n");
        }

        return (dir, Path.Combine(images, "*.png"), Path.Combine(dir, "out"), RunKit.LoadFile(dir, Recipe));
    }

    private static RunRequest Request(BoundRecipe recipe, string glob, string outDir, Shard? shard = null)
        => new() { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = glob }, OutDir = outDir, Threads = 2, Shard = shard };

    /// <summary>What must be equal between a merged and a single run: per item its name, status, error, input and output hashes.</summary>
    private static List<string> Facts(Manifest m) => m.Items.Select(i =>
        $"{i.Name}|{i.Stem}|{(i.Succeeded ? "ok" : "failed")}|{i.Error}|{string.Join(",", i.Inputs.Select(f => $"{f.Input}={f.Path}:{f.Sha256}"))}|{string.Join(",", i.Outputs.Select(o => $"{o.Output}={o.Path}:{o.Sha256}"))}").ToList();

    // ------------------------------------------------------------------ the shares

    [Fact]
    public void SharesAreContiguousBlocksThatCoverTheBatchOnceWithSizesWithinOne()
    {
        for (int total = 0; total <= 130; total++)
        {
            for (int count = 1; count <= 70; count++)
            {
                long next = 0;
                long min = long.MaxValue, max = 0;
                for (int i = 0; i < count; i++)
                {
                    var (start, length) = new Shard(i, count).Block(total);
                    Assert.Equal(next, start);
                    next = start + length;
                    min = Math.Min(min, length);
                    max = Math.Max(max, length);
                }

                Assert.Equal(total, next);
                Assert.True(max - min <= 1, $"{total} items in {count} shards: sizes {min}..{max}");
            }
        }

        // ChestX-ray14 on 64 tasks: 1751 or 1752 images each; the arithmetic does not overflow at the bounds.
        Assert.Equal((0, 1751), new Shard(0, 64).Block(112_120));
        Assert.Equal((110_368, 1752), new Shard(63, 64).Block(112_120));
        var (lastStart, lastLength) = new Shard(Shard.MaxCount - 1, Shard.MaxCount).Block(long.MaxValue);
        Assert.Equal(long.MaxValue, lastStart + lastLength);
        Assert.InRange(lastLength, long.MaxValue / Shard.MaxCount, (long.MaxValue / Shard.MaxCount) + 1);
    }

    [Theory]
    [InlineData("0/1", 0, 1, "shard-0000-of-0001")]
    [InlineData("3/64", 3, 64, "shard-0003-of-0064")]
    [InlineData("9999/10000", 9999, 10000, "shard-09999-of-10000")]
    [InlineData("12345/100000", 12345, 100000, "shard-012345-of-100000")]
    public void ShardSpecsParseAndNameTheirManifest(string text, int index, int count, string tag)
    {
        var s = Shard.Parse(text, out var problem);
        Assert.Null(problem);
        Assert.Equal((index, count, tag), (s!.Index, s.Count, s.Tag));
        Assert.Equal($"manifest.{tag}.json", s.ManifestFileName);
        Assert.Equal(s, Shard.FromManifestFileName(s.ManifestFileName));
        Assert.Equal(text, s.ToString());
    }

    [Theory]
    [InlineData("4/4", "'4/4': the shard number must be 0 to 3 (shards are numbered from 0)")]
    [InlineData("0/0", "'0/0': the number of shards must be 1 to 100000")]
    [InlineData("0/100001", "'0/100001': the number of shards must be 1 to 100000")]
    [InlineData("-1/4", "'-1/4' is not I/N (the 0-based shard number, a slash, the number of shards: 3/64) or auto")]
    [InlineData("1 / 4", "'1 / 4' is not I/N (the 0-based shard number, a slash, the number of shards: 3/64) or auto")]
    [InlineData("１/４", "'１/４' is not I/N (the 0-based shard number, a slash, the number of shards: 3/64) or auto")]
    [InlineData("99999999999/4", "'99999999999/4' is not I/N (the 0-based shard number, a slash, the number of shards: 3/64) or auto")]
    public void BadShardSpecsSayWhy(string text, string why)
    {
        Assert.Null(Shard.Parse(text, out var problem));
        Assert.Equal(why, problem);
    }

    [Theory]
    [InlineData("manifest.shard-3-of-64.json")]
    [InlineData("manifest.shard-00003-of-0064.json")]
    [InlineData("manifest.shard-0064-of-0064.json")]
    [InlineData("manifest.shard-0000-of-0000.json")]
    [InlineData("manifest.json")]
    [InlineData("manifest.shard-0001-of-0002.json.tmp")]
    public void OnlyTheOneSpellingOfAShardManifestNamesAShard(string name) => Assert.Null(Shard.FromManifestFileName(name));

    // ------------------------------------------------------------------ --shard auto: the environment

    private static Shard? Auto(int? shards, params (string Name, string Value)[] env)
    {
        var map = env.ToDictionary(e => e.Name, e => e.Value);
        var s = ShardSelection.Resolve("auto", shards, n => map.GetValueOrDefault(n), out var problem);
        Assert.True(problem is null, problem?.Message);
        return s;
    }

    private static string AutoProblem(int? shards, params (string Name, string Value)[] env)
    {
        var map = env.ToDictionary(e => e.Name, e => e.Value);
        Assert.Null(ShardSelection.Resolve("auto", shards, n => map.GetValueOrDefault(n), out var problem));
        Assert.NotNull(problem);
        Assert.Equal("XRF2021", problem.Code);
        return problem.Message;
    }

    [Fact]
    public void KubernetesIndexedJobsGiveTheIndexAndXrayflowShardsOrShardsGivesTheCount()
    {
        Assert.Equal(new Shard(3, 64), Auto(null, ("JOB_COMPLETION_INDEX", "3"), ("XRAYFLOW_SHARDS", "64")));
        Assert.Equal(new Shard(0, 1), Auto(null, ("JOB_COMPLETION_INDEX", "0"), ("XRAYFLOW_SHARDS", "1")));
        Assert.Equal(new Shard(63, 64), Auto(64, ("JOB_COMPLETION_INDEX", "63")));
        Assert.Equal(new Shard(5, 8), Auto(8, ("JOB_COMPLETION_INDEX", "5"), ("XRAYFLOW_SHARDS", "64"))); // --shards wins

        Assert.Equal("--shard auto: JOB_COMPLETION_INDEX=3 (a Kubernetes Indexed Job) but no shard count: give --shards N or set XRAYFLOW_SHARDS=N, N being the Job's completions (Kubernetes does not pass it)", AutoProblem(null, ("JOB_COMPLETION_INDEX", "3")));
        Assert.Equal("--shard auto: JOB_COMPLETION_INDEX=64 is not a shard number 0 to 63 (XRAYFLOW_SHARDS 64); set the Job's completions to 64 (or XRAYFLOW_SHARDS to the completions)", AutoProblem(null, ("JOB_COMPLETION_INDEX", "64"), ("XRAYFLOW_SHARDS", "64")));
        Assert.Equal("--shard auto: JOB_COMPLETION_INDEX='-1' is not an index", AutoProblem(4, ("JOB_COMPLETION_INDEX", "-1")));
        Assert.Equal("--shard auto: XRAYFLOW_SHARDS='0' must be a whole number, 1 to 100000", AutoProblem(null, ("JOB_COMPLETION_INDEX", "0"), ("XRAYFLOW_SHARDS", "0")));
        Assert.Equal("--shard auto: XRAYFLOW_SHARDS='sixty' must be a whole number, 1 to 100000", AutoProblem(null, ("JOB_COMPLETION_INDEX", "0"), ("XRAYFLOW_SHARDS", "sixty")));
        Assert.Equal("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard I/N", AutoProblem(4));
    }

    [Fact]
    public void EveryKubernetesIndexRunsItsShareAndTheMergeEqualsOneRun()
    {
        // The sharding contract, through the Kubernetes variables: completions 5 over 13 inputs (2 corrupt).
        var (dir, glob, outDir, recipe) = Batch(11, "b_bad.png", "img_005x.png");
        for (int index = 0; index < 5; index++)
        {
            var env = new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture), ["XRAYFLOW_SHARDS"] = "5" };
            var shard = ShardSelection.Resolve("auto", null, n => env.GetValueOrDefault(n), out var problem);
            Assert.Null(problem);
            var r = RecipeRunner.Run(Request(recipe, glob, outDir, shard));
            Assert.Equal(new Shard(index, 5).Block(13).Length, r.Manifest!.Items.Count);
            Assert.Equal(r.Manifest.Items.Any(i => !i.Succeeded) ? ExitCodes.SomeFailed : ExitCodes.Success, r.ExitCode);
            Assert.Equal(new Shard(index, 5).ManifestFileName, r.ManifestFileName);
        }

        var merged = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, merged.ExitCode); // two inputs failed, each once
        Assert.Empty(merged.Diagnostics);
        Assert.Equal(["b_bad.png", "img_005x.png"], merged.Manifest!.Items.Where(i => !i.Succeeded).Select(i => i.Name));

        var single = RecipeRunner.Run(Request(recipe, glob, Path.Combine(dir, "single")));
        Assert.Equal(Facts(single.Manifest!), Facts(merged.Manifest));
        var onDisk = ManifestJson.Read(Path.Combine(outDir, "manifest.json"));
        Assert.Equal(Facts(single.Manifest!), Facts(onDisk));
        Assert.Null(onDisk.Shard);
        var v = ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 2);
        Assert.True(v.ExitCode == ExitCodes.Success, string.Join("\n", v.Diagnostics));
        Assert.Equal(11 * 2, v.Checked);
    }

    [Fact]
    public void SlurmArraysGiveTheShareFromTaskIdMinusMinAndTheCount()
    {
        (string, string)[] Array(int id, int min, int max, int count, int step = 1) =>
        [
            ("SLURM_JOB_ID", "77"), ("SLURM_ARRAY_JOB_ID", "77"), ("SLURM_ARRAY_TASK_ID", $"{id}"), ("SLURM_ARRAY_TASK_MIN", $"{min}"),
            ("SLURM_ARRAY_TASK_MAX", $"{max}"), ("SLURM_ARRAY_TASK_COUNT", $"{count}"), ("SLURM_ARRAY_TASK_STEP", $"{step}"),
        ];

        Assert.Equal(new Shard(3, 64), Auto(null, Array(3, 0, 63, 64)));
        Assert.Equal(new Shard(0, 64), Auto(null, Array(1, 1, 64, 64))); // --array=1-64
        Assert.Equal(new Shard(63, 64), Auto(null, Array(64, 1, 64, 64)));
        Assert.Equal(new Shard(2, 4), Auto(null, Array(8, 0, 12, 4, 4))); // --array=0-12:4
        Assert.Equal(new Shard(0, 1), Auto(null, Array(5, 5, 5, 1))); // --array=5

        // Gaps (--array=1,3,7): refused unless the count is given; then the task ids are the shard numbers.
        Assert.Equal("--shard auto: this Slurm array has gaps (task ids 1 to 7, but 3 task(s); this is task 3), so it cannot tell how many shards there are: give --shards N or set XRAYFLOW_SHARDS=N (the task ids are then the shard numbers, 0 to N-1)", AutoProblem(null, Array(3, 1, 7, 3)));
        Assert.Contains("has gaps (task ids 0 to 12 step 4, but 3 task(s); this is task 4)", AutoProblem(null, Array(4, 0, 12, 3, 4)), StringComparison.Ordinal);
        // A task id outside its array's own range or step (variables set by hand, or mixed from two arrays): no share
        // is guessed for it (it was shard 4 of 4 past the last, or between two).
        Assert.Contains("has gaps (task ids 0 to 3, but 4 task(s); this is task 4)", AutoProblem(null, Array(4, 0, 3, 4)), StringComparison.Ordinal);
        Assert.Contains("this is task 6)", AutoProblem(null, Array(6, 0, 12, 4, 4)), StringComparison.Ordinal);
        Assert.Equal(new Shard(3, 8), Auto(null, [.. Array(3, 1, 7, 3), ("XRAYFLOW_SHARDS", "8")]));
        Assert.Equal(new Shard(7, 8), Auto(8, Array(7, 1, 7, 3)));
        Assert.Equal(new Shard(2, 4), Auto(4, Array(2, 2, 2, 1))); // a rerun of shard 2 alone: --array=2 with XRAYFLOW_SHARDS=4
        Assert.Equal("--shard auto: SLURM_ARRAY_TASK_ID=64 is not a shard number 0 to 63 (XRAYFLOW_SHARDS 64); with a shard count given, the array's task ids are the shard numbers: submit --array=0-63 (or a list of those to rerun)", AutoProblem(null, [.. Array(64, 1, 64, 64), ("XRAYFLOW_SHARDS", "64")]));

        Assert.Equal("--shard auto: Slurm job 77 is not a job array (no SLURM_ARRAY_TASK_ID): submit it with sbatch --array=0-63, or give --shard I/N", AutoProblem(null, ("SLURM_JOB_ID", "77")));
        Assert.Equal("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not (Slurm older than 17.11?); give --shards N or set XRAYFLOW_SHARDS=N", AutoProblem(null, ("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0")));
        Assert.Contains("the Slurm array variables are not numbers", AutoProblem(null, [.. Array(1, 0, 3, 4)[..5], ("SLURM_ARRAY_TASK_COUNT", "4x")]), StringComparison.Ordinal);

        // Slurm is read before Kubernetes when both are set.
        Assert.Equal(new Shard(1, 4), Auto(null, [.. Array(1, 0, 3, 4), ("JOB_COMPLETION_INDEX", "3")]));
    }

    [Fact]
    public void TheThreadBudgetDefaultsToSlurmCpusPerTask()
    {
        Assert.Equal(6, ShardSelection.SlurmThreads(n => n == "SLURM_CPUS_PER_TASK" ? "6" : null, out var p1));
        Assert.Null(p1);
        Assert.Null(ShardSelection.SlurmThreads(_ => null, out var p2));
        Assert.Null(p2);
        Assert.Null(ShardSelection.SlurmThreads(n => n == "SLURM_CPUS_PER_TASK" ? "0" : null, out var p3));
        Assert.Equal("--threads: SLURM_CPUS_PER_TASK='0' (the default of --threads under Slurm) is not a number of CPUs; give --threads N", p3!.Message);
    }

    [Fact]
    public void ShardOptionsThatDisagreeAreRefused()
    {
        Assert.Null(ShardSelection.Resolve(null, null, _ => "3", out var none));
        Assert.Null(none);
        ShardSelection.Resolve(null, 4, _ => null, out var alone);
        Assert.Equal("--shards: gives the number of shards for --shard auto; give --shard auto as well (or --shard I/N alone)", alone!.Message);
        ShardSelection.Resolve("1/4", 8, _ => null, out var disagree);
        Assert.Equal("--shard: 1/4 and --shards 8 disagree on the number of shards", disagree!.Message);
        Assert.Equal(new Shard(1, 4), ShardSelection.Resolve("1/4", 4, _ => null, out _));
        ShardSelection.Resolve("auto", 0, _ => null, out var zero);
        Assert.Equal("--shards: must be 1 to 100000", zero!.Message);
    }

    // ------------------------------------------------------------------ from mutation testing: bounds and defaults

    [Fact]
    public void AShardIsRefusedOutsideItsBoundsAndAManifestNameBeyondThemIsNoShard()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shard(0, Shard.MaxCount + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shard(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shard(-1, 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Shard(4, 4));
        Assert.Equal("shard-099999-of-100000", new Shard(Shard.MaxCount - 1, Shard.MaxCount).Tag);

        // A file named for more shards than any split may have is not a shard manifest (merge lists the folder: no exception).
        Assert.Null(Shard.FromManifestFileName("manifest.shard-000000-of-100001.json"));
        Assert.Equal(new Shard(99_999, 100_000), Shard.FromManifestFileName("manifest.shard-099999-of-100000.json"));
    }

    [Fact]
    public void AutoReadsTheSlurmArrayDefaultsAndBoundsAsSlurmSetsThem()
    {
        // SLURM_ARRAY_TASK_STEP is unset for a plain range (a step of 1), SLURM_ARRAY_TASK_MAX falls back to the MIN.
        Assert.Equal(new Shard(3, 64), Auto(null, ("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "63"), ("SLURM_ARRAY_TASK_COUNT", "64")));
        Assert.Equal(new Shard(0, 1), Auto(null, ("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "5"), ("SLURM_ARRAY_TASK_COUNT", "1")));

        // An array of exactly MaxCount tasks is MaxCount shards; one more task is refused.
        Assert.Equal(new Shard(99_999, 100_000), Auto(null, ("SLURM_ARRAY_TASK_ID", "99999"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "99999"), ("SLURM_ARRAY_TASK_COUNT", "100000")));
        Assert.Equal("--shard auto: the Slurm array has 100001 tasks, more than 100000 shards", AutoProblem(null, ("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "100000"), ("SLURM_ARRAY_TASK_COUNT", "100001")));

        // A step or a count of 0 is no array (not a division by zero).
        Assert.Equal("--shard auto: the Slurm array variables are not numbers (SLURM_ARRAY_TASK_MIN='0', SLURM_ARRAY_TASK_MAX='3', SLURM_ARRAY_TASK_STEP='0', SLURM_ARRAY_TASK_COUNT='4')",
            AutoProblem(null, ("SLURM_ARRAY_TASK_ID", "1"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "3"), ("SLURM_ARRAY_TASK_STEP", "0"), ("SLURM_ARRAY_TASK_COUNT", "4")));
        Assert.Equal("--shard auto: the Slurm array variables are not numbers (SLURM_ARRAY_TASK_MIN='0', SLURM_ARRAY_TASK_MAX='0', SLURM_ARRAY_TASK_STEP='1', SLURM_ARRAY_TASK_COUNT='0')",
            AutoProblem(null, ("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "0"), ("SLURM_ARRAY_TASK_COUNT", "0")));

        // The first variable missing is named.
        Assert.Equal("--shard auto: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not (Slurm older than 17.11?); give --shards N or set XRAYFLOW_SHARDS=N", AutoProblem(null, ("SLURM_ARRAY_TASK_ID", "1")));

        // A job that is no array is told the array its count gives.
        Assert.Equal("--shard auto: Slurm job 9 is not a job array (no SLURM_ARRAY_TASK_ID): submit it with sbatch --array=0-7, or give --shard I/N", AutoProblem(null, ("SLURM_JOB_ID", "9"), ("XRAYFLOW_SHARDS", "8")));
    }

    [Fact]
    public void AutoNumbersMayHaveBlanksAroundButNotBeyondTheirBounds()
    {
        Assert.Equal(new Shard(3, 64), Auto(null, ("JOB_COMPLETION_INDEX", " 3\n"), ("XRAYFLOW_SHARDS", "64 ")));
        Assert.Equal(new Shard(0, 100_000), Auto(null, ("JOB_COMPLETION_INDEX", "0"), ("XRAYFLOW_SHARDS", "100000")));
        Assert.Equal("--shard auto: XRAYFLOW_SHARDS='100001' must be a whole number, 1 to 100000", AutoProblem(null, ("JOB_COMPLETION_INDEX", "0"), ("XRAYFLOW_SHARDS", "100001")));
        Assert.Equal("--shard auto: JOB_COMPLETION_INDEX='4611686018427387905' is not an index", AutoProblem(4, ("JOB_COMPLETION_INDEX", "4611686018427387905"))); // 2^62 + 1

        Assert.Equal(1 << 20, ShardSelection.SlurmThreads(n => n == "SLURM_CPUS_PER_TASK" ? "1048576" : null, out var most));
        Assert.Null(most);
        Assert.Null(ShardSelection.SlurmThreads(n => n == "SLURM_CPUS_PER_TASK" ? "1048577" : null, out var tooMany));
        Assert.Equal("--threads: SLURM_CPUS_PER_TASK='1048577' (the default of --threads under Slurm) is not a number of CPUs; give --threads N", tooMany!.Message);
    }

    // ------------------------------------------------------------------ runs into one shared --out

    [Fact]
    public void ShardsRunAtOnceIntoOneFolderAndMergeIntoWhatOneRunWrites()
    {
        var (dir, glob, outDir, recipe) = Batch(23, "c_broken.png");
        var results = new RunResult[4];
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => results[i] = RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 4))));
        Assert.All(results, r => Assert.True(r.ExitCode is ExitCodes.Success or ExitCodes.SomeFailed, string.Join("\n", r.Diagnostics)));
        Assert.Equal([6, 6, 6, 6], results.Select(r => r.Manifest!.Items.Count));
        Assert.Equal(["c_broken.png", "img_000.png", "img_001.png", "img_002.png", "img_003.png", "img_004.png"], results[0].Manifest!.Items.Select(i => i.Name));
        Assert.False(File.Exists(Path.Combine(outDir, "manifest.json")));

        // Each shard's manifest records which shard of which batch it is.
        var m2 = ManifestJson.Read(Path.Combine(outDir, "manifest.shard-0002-of-0004.json"));
        Assert.Equal(new ManifestShard(2, 4, 24, m2.Shard!.ListSha256), m2.Shard);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.shard-0002-of-0004.json")))!;
        Assert.Equal(2, (int)json["shard"]!["index"]!);
        Assert.Equal(24, (long)json["shard"]!["inputs_total"]!);

        var merged = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, merged.ExitCode);
        Assert.Equal([0], merged.FailedIn);
        var single = RecipeRunner.Run(Request(recipe, glob, Path.Combine(dir, "single")));
        Assert.Equal(Facts(single.Manifest!), Facts(merged.Manifest!));

        // The same bytes as manifest.json a single run writes, but for the step times and the threads.
        static JsonNode Stable(string path)
        {
            var n = JsonNode.Parse(File.ReadAllText(path))!;
            n["threads"] = 0;
            foreach (var it in n["items"]!.AsArray())
            {
                it!["steps"] = new JsonArray();
            }

            return n;
        }

        Assert.Equal(Stable(Path.Combine(dir, "single", "manifest.json")).ToJsonString(), Stable(Path.Combine(outDir, "manifest.json")).ToJsonString());

        // The shards' lock files are gone once merged; merging again writes the same manifest.
        Assert.Empty(Directory.GetFiles(outDir, ".xrayflow*"));
        byte[] first = File.ReadAllBytes(Path.Combine(outDir, "manifest.json"));
        Assert.Equal(ExitCodes.SomeFailed, ShardMerger.Merge(outDir, null).ExitCode);
        Assert.Equal(first, File.ReadAllBytes(Path.Combine(outDir, "manifest.json")));
    }

    [Fact]
    public void MoreShardsThanInputsLeavesSomeShardsEmptyAndTheMergeWhole()
    {
        var (_, glob, outDir, recipe) = Batch(3);
        for (int i = 0; i < 5; i++)
        {
            var r = RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 5)));
            Assert.Equal(ExitCodes.Success, r.ExitCode);
            Assert.Equal(new Shard(i, 5).Block(3).Length, r.Manifest!.Items.Count);
        }

        var merged = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.Success, merged.ExitCode);
        Assert.Equal(["img_000.png", "img_001.png", "img_002.png"], merged.Manifest!.Items.Select(i => i.Name));
    }

    [Fact]
    public void OutputsThatCollideAnywhereInTheBatchAreRefusedByEveryShardBeforeAnyWork()
    {
        var (_, glob, outDir, _) = Batch(4);
        var recipe = RunKit.Load(Recipe.Replace("\"{stem}_half.npy\"", "\"half.npy\"", StringComparison.Ordinal), Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(glob))!, "recipe.yaml"));
        for (int i = 0; i < 4; i++)
        {
            // Each shard holds one input, so no shard collides with itself: the check is over the whole batch.
            var r = RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 4)));
            Assert.Equal(ExitCodes.Invalid, r.ExitCode);
            Assert.Equal("XRF2008", Assert.Single(r.Diagnostics).Code);
            Assert.Contains("outputs collide: 'half.npy' would be written for 'img_000.png' (output half) and for 'img_001.png' (output half)", r.Diagnostics[0].Message, StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(outDir));

        // An output named like a shard manifest at the top of --out would be taken for one by merge.
        var (dir, _, _, _) = Batch(0);
        for (int k = 0; k < 4; k++)
        {
            File.Copy(Path.Combine(TestPaths.Fixtures, "engine", "codecs", "grey8.png"), Path.Combine(dir, "images", $"{3000 + k}.png"));
        }

        var named = RunKit.LoadFile(dir, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - id: st\n    op: stats\noutputs:\n  st: \"manifest.shard-{stem}-of-0004.json\"\n");
        var clash = RecipeRunner.Run(Request(named, Path.Combine(dir, "images", "*.png"), Path.Combine(dir, "out"), new Shard(0, 4)));
        Assert.Equal(ExitCodes.Invalid, clash.ExitCode);
        var d = Assert.Single(clash.Diagnostics);
        Assert.Equal(("XRF2008", "outputs collide: 'manifest.shard-3000-of-0004.json' would be written for '3000.png' (output st) and for the shards' manifests (merge would take it for one: give the output another name)"), (d.Code, d.Message));
    }

    // ------------------------------------------------------------------ merge: what it refuses

    [Fact]
    public void MergeNamesMissingShardsWritesNothingAndListsThemForSbatch()
    {
        var (_, glob, outDir, recipe) = Batch(10);
        foreach (int i in new[] { 0, 2, 6, 7 })
        {
            Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 8))).ExitCode);
        }

        var r = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, r.ExitCode);
        Assert.Null(r.Manifest);
        Assert.Equal([1, 3, 4, 5], r.Rerun);
        Assert.Equal("1,3-5", ShardMerger.ArrayList(r.Rerun));
        Assert.Equal(
            ["shard 1 of 8 did not finish: 'manifest.shard-0001-of-0008.json' is missing", "shard 3 of 8 did not finish: 'manifest.shard-0003-of-0008.json' is missing", "shard 4 of 8 did not finish: 'manifest.shard-0004-of-0008.json' is missing", "shard 5 of 8 did not finish: 'manifest.shard-0005-of-0008.json' is missing"],
            r.Diagnostics.Select(d => d.Message));
        Assert.All(r.Diagnostics, d => Assert.Equal("XRF2032", d.Code));
        Assert.False(File.Exists(Path.Combine(outDir, "manifest.json")));

        // The missing ones run (by hand here; sbatch --array=1,3-5 on a cluster): now it merges.
        foreach (int i in r.Rerun)
        {
            Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 8)) with { Resume = true }).ExitCode);
        }

        Assert.Equal(ExitCodes.Success, ShardMerger.Merge(outDir, null).ExitCode);
    }

    [Theory]
    [InlineData(0, 1, 2, 3, 4, 5, 6, 7, 9, "0-7,9")]
    [InlineData(3, "3")]
    [InlineData(3, 4, "3,4")]
    [InlineData(1, 3, 5, 6, 7, 10, 11, "1,3,5-7,10,11")]
    public void RerunListsAreSlurmArraySyntax(params object[] args)
    {
        var shards = args[..^1].Cast<int>().ToList();
        Assert.Equal((string)args[^1], ShardMerger.ArrayList(shards));
    }

    /// <summary>A shard another recipe file wrote into the folder is named as that, not as an edit of this recipe.</summary>
    [Fact]
    public void MergeNamesAShardOfAnotherRecipe()
    {
        var (dir, glob, outDir, recipe) = Batch(6);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 3))).ExitCode);
        }

        var other = RunKit.LoadFile(dir, Recipe.Replace("name: shards", "name: shards-other", StringComparison.Ordinal), "other.yaml");
        // --force: without it the run refuses a folder holding another recipe's shards (XRF2037).
        Assert.Equal(ExitCodes.Invalid, RecipeRunner.Run(Request(other, glob, outDir, new Shard(2, 3))).ExitCode);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(other, glob, outDir, new Shard(2, 3)) with { Force = true }).ExitCode);
        var r = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, r.ExitCode);
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal("XRF2033", d.Code);
        Assert.Equal("shard 2 of 3 ('manifest.shard-0002-of-0003.json'): ran recipe 'shards-other' (../other.yaml); the other shards ran 'shards' (../recipe.yaml): shards of different runs in one folder", d.Message);
    }

    [Fact]
    public void MergeRefusesShardsOfAnotherRecipeVersionOrBatchNamingEach()
    {
        var (dir, glob, outDir, recipe) = Batch(9);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 3))).ExitCode);
        }

        // Shard 1 ran with --set factor=0.25; shard 2 saw one more file; shard 0 stays as it was.
        var other = RunKit.LoadFile(dir, Recipe, set: new Dictionary<string, string> { ["factor"] = "0.25" });
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(other, glob, outDir, new Shard(1, 3)) with { Set = [new("factor", "0.25")] }).ExitCode);
        File.Copy(Path.Combine(Path.GetDirectoryName(glob)!, "img_000.png"), Path.Combine(Path.GetDirectoryName(glob)!, "img_100.png"));
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(2, 3))).ExitCode);
        File.Delete(Path.Combine(Path.GetDirectoryName(glob)!, "img_100.png"));

        // Two of three differ from each other, so the reference is the first shard among equals: shard 0.
        var r = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, r.ExitCode);
        Assert.Equal([1, 2], r.Rerun);
        Assert.All(r.Diagnostics, d => Assert.Equal("XRF2033", d.Code));
        Assert.Equal("shard 1 of 3 ('manifest.shard-0001-of-0003.json'): ran with params {factor: 0.25}; the other shards with {factor: 0.5}", r.Diagnostics[0].Message);
        Assert.StartsWith("shard 2 of 3 ('manifest.shard-0002-of-0003.json'): listed another batch (10 input(s), names sha256 ", r.Diagnostics[1].Message, StringComparison.Ordinal);
        Assert.EndsWith("the other shards 9, " + ManifestJson.Read(Path.Combine(outDir, "manifest.shard-0000-of-0003.json")).Shard!.ListSha256[..12] + "): files were added, removed or renamed while the shards ran, and each shard's share moved", r.Diagnostics[1].Message, StringComparison.Ordinal);

        // Another xrayflow version, a manifest that is not JSON, one of another shard.
        string m0 = Path.Combine(outDir, "manifest.shard-0000-of-0003.json");
        File.WriteAllText(m0, File.ReadAllText(m0).Replace($"\"xrayflow_version\": \"{Manifest.CurrentVersion}\"", "\"xrayflow_version\": \"0.0.1\"", StringComparison.Ordinal));
        Assert.Contains(ShardMerger.Merge(outDir, null).Diagnostics, d => d.Message.StartsWith("shard 0 of 3 ('manifest.shard-0000-of-0003.json'): ran xrayflow 0.0.1; the other shards ran", StringComparison.Ordinal)
            || d.Message.Contains("ran xrayflow " + Manifest.CurrentVersion + "; the other shards ran 0.0.1", StringComparison.Ordinal));
        File.WriteAllText(m0, "{\"xrayflow_version\": ");
        Assert.Contains(ShardMerger.Merge(outDir, null).Diagnostics, d => d.Message == "shard 0 of 3 ('manifest.shard-0000-of-0003.json'): cannot be read: not valid JSON (line 1, byte 22)");
        File.Copy(Path.Combine(outDir, "manifest.shard-0001-of-0003.json"), m0, overwrite: true);
        Assert.Contains(ShardMerger.Merge(outDir, null).Diagnostics, d => d.Message == "shard 0 of 3 ('manifest.shard-0000-of-0003.json'): records shard 1 of 3, not this one");
        // The right index of another split (a mutant comparing only the index passed every test).
        var node = JsonNode.Parse(File.ReadAllText(m0))!;
        node["shard"]!["index"] = 0;
        node["shard"]!["count"] = 4;
        File.WriteAllText(m0, node.ToJsonString());
        Assert.Contains(ShardMerger.Merge(outDir, null).Diagnostics, d => d.Message == "shard 0 of 3 ('manifest.shard-0000-of-0003.json'): records shard 0 of 4, not this one");
        Assert.Null(ShardMerger.Merge(outDir, null).Manifest);
        Assert.False(File.Exists(Path.Combine(outDir, "manifest.json")));
    }

    [Fact]
    public void AShardKilledMidwayIsIncompleteAndItsResumeRunsOnlyWhatIsLeft()
    {
        var (_, glob, outDir, recipe) = Batch(8);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(0, 2))).ExitCode);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 2))).ExitCode);

        // What a kill leaves: the progressive manifest with the first items, and the rest of the outputs missing.
        string path = Path.Combine(outDir, "manifest.shard-0001-of-0002.json");
        var m = ManifestJson.Read(path);
        File.WriteAllBytes(path, ManifestJson.Write(m with { Items = m.Items.Take(1).ToList() }));
        File.Delete(Path.Combine(outDir, "img_006_half.npy"));
        var r = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, r.ExitCode);
        Assert.Equal("shard 1 of 2 ('manifest.shard-0001-of-0002.json'): records 1 of its 4 input(s): it stopped before the end (run it again; with --resume it does only the unfinished ones)", Assert.Single(r.Diagnostics).Message);
        Assert.Equal([1], r.Rerun);

        // More items than its block (an edited manifest; mutation-tested: `<` in place of `!=` merged it) is not a
        // shard of this split either, and not one that stopped early.
        File.WriteAllBytes(path, ManifestJson.Write(m with { Items = [.. m.Items, m.Items[0] with { Name = "extra.png", Stem = "extra" }] }));
        var more = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, more.ExitCode);
        Assert.Equal("shard 1 of 2 ('manifest.shard-0001-of-0002.json'): records 5 input(s), more than the 4 of its block: it is not a manifest this split of the batch wrote (run the shard again)", Assert.Single(more.Diagnostics).Message);
        Assert.Equal([1], more.Rerun);
        File.WriteAllBytes(path, ManifestJson.Write(m with { Items = m.Items.Take(1).ToList() }));

        var again = RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 2)) with { Resume = true });
        Assert.Equal(["resumed", "ok", "ok", "ok"], again.Manifest!.Items.Select(i => i.Status));
        Assert.Equal(ExitCodes.Success, ShardMerger.Merge(outDir, null).ExitCode);

        // After the merge a shard whose own manifest is gone resumes from manifest.json: nothing to redo.
        File.Delete(path);
        var fromMerged = RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 2)) with { Resume = true });
        Assert.Equal(["resumed", "resumed", "resumed", "resumed"], fromMerged.Manifest!.Items.Select(i => i.Status));
    }

    [Fact]
    public void MergeRefusesAnOutputOrInputClaimedTwiceAndTwoSplitsInOneFolder()
    {
        var (_, glob, outDir, recipe) = Batch(4);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(0, 2))).ExitCode);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 2))).ExitCode);

        // An edited manifest: shard 1 claims shard 0's output.
        string path = Path.Combine(outDir, "manifest.shard-0001-of-0002.json");
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"img_002_half.npy\"", "\"img_000_half.npy\"", StringComparison.Ordinal));
        var r = ShardMerger.Merge(outDir, null);
        Assert.Equal(ExitCodes.SomeFailed, r.ExitCode);
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF2034", "output 'img_000_half.npy' is claimed twice: by 'img_000.png' in shard 0 and by 'img_002.png' in shard 1"), (d.Code, d.Message));
        Assert.Equal([0, 1], r.Rerun);

        // An edited manifest: shard 1 claims shard 0's input (under its name).
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 2))).ExitCode);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"name\": \"img_002.png\"", "\"name\": \"img_001.png\"", StringComparison.Ordinal));
        Assert.Equal("shard 1 of 2 ('manifest.shard-0001-of-0002.json'): records input 'img_001.png', which an earlier shard records too", Assert.Single(ShardMerger.Merge(outDir, null).Diagnostics).Message);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"name\": \"img_001.png\"", "\"name\": \"img_009.png\"", StringComparison.Ordinal));
        var renamed = ShardMerger.Merge(outDir, null);
        Assert.Equal(2, renamed.Diagnostics.Count);
        Assert.All(renamed.Diagnostics, x => Assert.EndsWith("the shards' inputs together are not the batch they listed (a manifest edited, or renamed from another run?)", x.Message, StringComparison.Ordinal));

        // A second split into the same folder: merge does not guess; --shards chooses.
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 2))).ExitCode);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(i, 3))).ExitCode);
        }

        var two = ShardMerger.Merge(outDir, null);
        Assert.Equal(5, two.Diagnostics.Count);
        Assert.All(two.Diagnostics, x => Assert.EndsWith("this folder holds shards of 2 splittings (2 shards, 3 shards): give --shards N to merge one, and remove the other's manifests", x.Message, StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Success, ShardMerger.Merge(outDir, 3).ExitCode);
        Assert.Equal(ExitCodes.Success, ShardMerger.Merge(outDir, 2).ExitCode);
        Assert.Equal(ExitCodes.SomeFailed, ShardMerger.Merge(outDir, 4).ExitCode);
    }

    [Fact]
    public void MergeOfAFolderWithoutShardsIsExitTwo()
    {
        string dir = RunKit.TempDir();
        var r = ShardMerger.Merge(dir, null);
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal(("XRF2035", $"'{dir}' holds no shard manifest (manifest.shard-NNNN-of-NNNN.json); run `xrayflow run ... --shard I/N --out {dir}` first"), (r.Diagnostics[0].Code, r.Diagnostics[0].Message));
        Assert.Equal($"OUT_DIR: '{dir}/nope' does not exist", ShardMerger.Merge(Path.Combine(dir, "nope"), null).Diagnostics[0].Message);
        Assert.Equal("OUT_DIR: '/dev/null' is a character device, not a folder", ShardMerger.Merge("/dev/null", null).Diagnostics[0].Message);
        File.WriteAllText(Path.Combine(dir, "manifest.shard-0000-of-0001.json"), "{}");
        Assert.Equal(ExitCodes.SomeFailed, ShardMerger.Merge(dir, null).ExitCode);
    }

    // ------------------------------------------------------------------ the lock: shared between shards, exclusive per shard

    private sealed class OnStart(Action action) : IRunProgress
    {
        public void Started(int items) => action();

        public void ItemFinished(ManifestItem item)
        {
        }
    }

    [Fact]
    public void ShardsShareTheFolderButEachShardAWholeRunAndMergeTakeItAlone()
    {
        var (_, glob, outDir, recipe) = Batch(6);
        var inside = new List<(string What, RunResult? Run, MergeResult? Merge)>();
        var first = RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(0, 3)) with
        {
            // While shard 0 holds its lock: another shard runs; shard 0 again, a whole run and merge are refused.
            Progress = new OnStart(() =>
            {
                inside.Add(("shard 1", RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 3))), null));
                inside.Add(("shard 0 again", RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(0, 3))), null));
                inside.Add(("whole run", RecipeRunner.Run(Request(recipe, glob, outDir)), null));
                inside.Add(("merge", null, ShardMerger.Merge(outDir, null)));
            }),
        });
        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.Success, inside[0].Run!.ExitCode);

        var again = Assert.Single(inside[1].Run!.Diagnostics);
        Assert.Equal(ExitCodes.Invalid, inside[1].Run!.ExitCode);
        Assert.Equal($"--out '{outDir}' is in use by another xrayflow run (process {Environment.ProcessId} on {Environment.MachineName}, running shard-0000-of-0003); wait for it to finish or choose another folder", again.Message);

        var whole = Assert.Single(inside[2].Run!.Diagnostics);
        Assert.Equal(("XRF2026", $"--out '{outDir}' is in use by another xrayflow run (another process, or shard runs (--shard) writing into it); wait for it to finish or choose another folder"), (whole.Code, whole.Message));
        Assert.Equal(ExitCodes.Invalid, inside[3].Merge!.ExitCode);
        Assert.Equal("XRF2026", Assert.Single(inside[3].Merge!.Diagnostics).Code);

        // And a shard cannot start while a whole run holds the folder.
        RunResult? during = null;
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, Path.Combine(outDir, "whole")) with
        {
            Progress = new OnStart(() => during = RecipeRunner.Run(Request(recipe, glob, Path.Combine(outDir, "whole"), new Shard(2, 3)))),
        }).ExitCode);
        Assert.Equal(ExitCodes.Invalid, during!.ExitCode);
        Assert.Equal($"--out '{Path.Combine(outDir, "whole")}' is in use by another xrayflow run (process {Environment.ProcessId}); wait for it to finish or choose another folder", Assert.Single(during.Diagnostics).Message);

        // Released: shard 2 goes ahead, and the merge.
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(2, 3))).ExitCode);
        Assert.Equal(ExitCodes.Success, ShardMerger.Merge(outDir, null).ExitCode);
    }

    [Fact]
    public void AShardRemovesOnlyItsOwnStaleTemporaries()
    {
        var (_, glob, outDir, recipe) = Batch(4);
        Directory.CreateDirectory(Path.Combine(outDir, "png"));
        string hex = new('b', 32);
        string[] mine = [Path.Combine(outDir, $".img_000_half.npy.{hex}.tmp"), Path.Combine(outDir, "png", $".img_001.png.{hex}.tmp"), Path.Combine(outDir, $".manifest.shard-0000-of-0002.json.{hex}.tmp")];
        string[] theirs = [Path.Combine(outDir, $".img_002_half.npy.{hex}.tmp"), Path.Combine(outDir, "png", $".img_003.png.{hex}.tmp"), Path.Combine(outDir, $".manifest.shard-0001-of-0002.json.{hex}.tmp")];
        foreach (var f in mine.Concat(theirs))
        {
            File.WriteAllText(f, "partial");
        }

        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(0, 2))).ExitCode);
        Assert.All(mine, f => Assert.False(File.Exists(f), f));
        Assert.All(theirs, f => Assert.True(File.Exists(f), f));

        // Merge holds the folder alone: every stale temporary goes.
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 2))).ExitCode);
        Assert.Equal(ExitCodes.Success, ShardMerger.Merge(outDir, null).ExitCode);
        Assert.Empty(Directory.GetFiles(outDir, "*.tmp", SearchOption.AllDirectories));
    }

    // ------------------------------------------------------------------ --input NAME=@list.txt

    [Fact]
    public void VerifyOfOneShardsManifestChecksItsBlockAndNotTheOtherShardsInputs()
    {
        // Found by `xrayflow verify out/manifest.shard-0001-of-0004.json` (otsu-mask over the nine samples): exit 1,
        // "differs (7 difference(s))", every input of the other shards "a new input that the recorded run did not have".
        var (_, glob, outDir, recipe) = Batch(7);
        var r = RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 3)));
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        string shardManifest = Path.Combine(outDir, new Shard(1, 3).ManifestFileName);

        var v = ManifestVerifier.Verify(shardManifest, RunKit.Loader, null, 2);
        Assert.True(v.ExitCode == ExitCodes.Success, string.Join("\n", v.Diagnostics));
        Assert.Empty(v.Diagnostics); // its whole block ran: no "input(s) were not run" warning
        Assert.Equal(2 * 2, v.Checked);

        // A file added to the batch moves the blocks: that is a difference, named once.
        File.Copy(Path.Combine(Path.GetDirectoryName(glob)!, "img_000.png"), Path.Combine(Path.GetDirectoryName(glob)!, "img_000a.png"));
        var grown = ManifestVerifier.Verify(shardManifest, RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.SomeFailed, grown.ExitCode);
        var d = Assert.Single(grown.Diagnostics);
        Assert.StartsWith("the batch: it now lists 8 input(s)", d.Message, StringComparison.Ordinal);
        Assert.Contains("not the 7 (names sha256", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyOfARunStoppedByMaxFailuresChecksWhatItRanAndSaysWhatItDidNot()
    {
        // Found by `xrayflow verify` after `run --max-failures 1`: every input not run was "a new input that the
        // recorded run did not have" (exit 1), though the batch was the one the run was given.
        var (dir, glob, outDir, recipe) = Batch(5, "a_bad.png", "b_bad.png"); // sorted first: the run stops at once
        var stopped = RecipeRunner.Run(Request(recipe, glob, outDir) with { Threads = 1, MaxFailures = 1 });
        Assert.Equal(ExitCodes.SomeFailed, stopped.ExitCode);
        Assert.Equal((1, 6), (stopped.Manifest!.Items.Count, stopped.NotRun));
        Assert.Contains(stopped.Diagnostics, d => d.Code == "XRF2062");
        var onDisk = ManifestJson.Read(Path.Combine(outDir, "manifest.json"));
        Assert.Equal(new ManifestBatch(7, ShardRun.ListSha256(InputResolver.Resolve(recipe, Request(recipe, glob, outDir).Inputs, new(), new(), null).All)), onDisk.Batch);

        var v = ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 2);
        Assert.True(v.ExitCode == ExitCodes.Success, string.Join("\n", v.Diagnostics));
        var warning = Assert.Single(v.Diagnostics);
        Assert.Equal(("XRF2064", false), (warning.Code, warning.IsError));
        Assert.Contains("a run that stopped before the end: 6 of its 7 input(s) were not run", warning.Message, StringComparison.Ordinal);

        // A shard stopped the same way: its block's other inputs are not run, not new.
        var shard = RecipeRunner.Run(Request(recipe, glob, Path.Combine(dir, "shards"), new Shard(0, 2)) with { Threads = 1, MaxFailures = 1 });
        Assert.Equal((1, 2), (shard.Manifest!.Items.Count, shard.NotRun)); // its block: a_bad, b_bad, img_000
        var vs = ManifestVerifier.Verify(Path.Combine(dir, "shards", new Shard(0, 2).ManifestFileName), RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.Success, vs.ExitCode);
        Assert.Contains("2 of its 3 input(s) were not run", Assert.Single(vs.Diagnostics).Message, StringComparison.Ordinal);

        // A file added since: the batch is another one, and its files are differences again (exit 1).
        File.Copy(Path.Combine(Path.GetDirectoryName(glob)!, "img_000.png"), Path.Combine(Path.GetDirectoryName(glob)!, "img_000a.png"));
        var grown = ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.SomeFailed, grown.ExitCode);
        Assert.Equal(7, grown.Differences);
        Assert.DoesNotContain(grown.Diagnostics, d => d.Code == "XRF2064");

        // A whole run records its batch too, and verifies without a warning; a run of one input records none.
        var whole = RecipeRunner.Run(Request(recipe, glob, Path.Combine(dir, "whole")));
        Assert.Equal(8, whole.Manifest!.Batch!.Total);
        var vw = ManifestVerifier.Verify(Path.Combine(dir, "whole", "manifest.json"), RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.Success, vw.ExitCode);
        Assert.DoesNotContain(vw.Diagnostics, d => d.Code == "XRF2064");
        var one = RecipeRunner.Run(Request(recipe, Path.Combine(Path.GetDirectoryName(glob)!, "img_001.png"), Path.Combine(dir, "one")));
        Assert.Null(one.Manifest!.Batch);
    }

    [Fact]
    public void VerifyOfAShardManifestWithMoreShardsThanABatchMayHaveIsADifferenceNotACrash()
    {
        // Mutation testing: with the bound off by one, `new Shard(1, 100001)` threw out of verify.
        var (_, glob, outDir, recipe) = Batch(7);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, glob, outDir, new Shard(1, 3))).ExitCode);
        string shardManifest = Path.Combine(outDir, new Shard(1, 3).ManifestFileName);
        string text = File.ReadAllText(shardManifest);
        File.WriteAllText(shardManifest, text.Replace("\"count\": 3,", $"\"count\": {Shard.MaxCount + 1},", StringComparison.Ordinal));
        Assert.NotEqual(text, File.ReadAllText(shardManifest));

        var v = ManifestVerifier.Verify(shardManifest, RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.SomeFailed, v.ExitCode);
        Assert.Equal("the batch: the manifest records shard 1 of 100001, more than the 100000 shards a batch may be cut into", Assert.Single(v.Diagnostics).Message);
    }

    [Fact]
    public void VerifySaysAnInputThatFailedInTheRunSucceedsNow()
    {
        // Mutation testing: a check of `succeeded in the run, fails now` only passed with the other way round unseen.
        var (dir, glob, outDir, recipe) = Batch(2, "c_bad.png");
        var r = RecipeRunner.Run(Request(recipe, glob, outDir));
        var bad = Assert.Single(r.Manifest!.Items, i => !i.Succeeded);
        Assert.Equal("c_bad", bad.Stem);
        string manifest = Path.Combine(outDir, "manifest.json");
        var same = ManifestVerifier.Verify(manifest, RunKit.Loader, null, 2);
        Assert.True(same.ExitCode == ExitCodes.Success, string.Join("\n", same.Diagnostics));

        File.Copy(Path.Combine(dir, "images", "img_000.png"), Path.Combine(dir, "images", "c_bad.png"), overwrite: true);
        var v = ManifestVerifier.Verify(manifest, RunKit.Loader, null, 2);
        Assert.Equal(ExitCodes.SomeFailed, v.ExitCode);
        Assert.Contains(v.Diagnostics, d => d.Message == $"{bad.Name}: failed in the run, succeeds now");
    }

    [Fact]
    public void AListNamesTheBatchRelativeToItsFolderSortedWhateverItsOrder()
    {
        var (dir, glob, outDir, recipe) = Batch(5);
        Directory.CreateDirectory(Path.Combine(dir, "more"));
        File.Copy(Path.Combine(dir, "images", "img_000.png"), Path.Combine(dir, "more", "extra.png"));
        Directory.CreateDirectory(Path.Combine(dir, "lists"));
        string list = Path.Combine(dir, "lists", "batch.txt");
        File.WriteAllText(list, "\uFEFF../images/img_003.png\r\n\r\n../images/img_001.png\n" + Path.Combine(dir, "more", "extra.png") + "\n../images/./img_000.png\n");
        var r = RecipeRunner.Run(Request(recipe, "@" + list, outDir));
        Assert.True(r.ExitCode == ExitCodes.Success, string.Join("\n", r.Diagnostics));
        Assert.Equal(["../images/img_000.png", "../images/img_001.png", "../images/img_003.png", "../more/extra.png"], r.Manifest!.Items.Select(i => i.Name));
        Assert.Equal(["img_000", "img_001", "img_003", "extra"], r.Manifest.Items.Select(i => i.Stem));
        Assert.Equal(Path.Combine(dir, "images", "img_001.png"), r.Manifest.Items[1].Inputs[0].Path);
        Assert.Equal("@" + list, r.Manifest.InputBindings[0].Value);

        // verify re-reads the list and only the files the manifest records.
        var v = ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 1);
        Assert.True(v.ExitCode == ExitCodes.Success, string.Join("\n", v.Diagnostics));
        File.AppendAllText(list, "../images/img_004.png\n");
        var grown = ManifestVerifier.Verify(Path.Combine(outDir, "manifest.json"), RunKit.Loader, null, 1);
        Assert.Equal(ExitCodes.SomeFailed, grown.ExitCode);
        Assert.Equal($"{Path.Combine(dir, "images", "img_004.png")}: a new input that the recorded run did not have (not read: verify reads only the recorded files)", Assert.Single(grown.Diagnostics).Message);

        // Shards of a list are the same whatever order the list is in.
        string reversed = Path.Combine(dir, "lists", "reversed.txt");
        File.WriteAllLines(reversed, File.ReadAllLines(list).Where(l => l.Length > 0).Select(l => l.TrimStart('\uFEFF')).Reverse());
        for (int i = 0; i < 3; i++)
        {
            var a = RecipeRunner.Run(Request(recipe, "@" + list, Path.Combine(dir, "a"), new Shard(i, 3)));
            var b = RecipeRunner.Run(Request(recipe, "@" + reversed, Path.Combine(dir, "b"), new Shard(i, 3)));
            Assert.Equal(a.Manifest!.Items.Select(x => x.Name), b.Manifest!.Items.Select(x => x.Name));
            Assert.Equal(a.Manifest.Shard!.ListSha256, b.Manifest.Shard!.ListSha256);
        }
    }

    [Theory]
    [InlineData("a.png\nb.png\n./a.png\n", 3, "'./a.png' is listed twice (first on line 1); each file is one batch item")]
    [InlineData("a.png\nb\0.png\n", 2, "the line holds a NUL character, which no path can hold")]
    [InlineData("a.png\n\xff.png\n", 2, "the line is not valid UTF-8")]
    [InlineData("\n\r\n\n", 0, "names no file (one path per line)")]
    public void ABadListIsExitTwoAtItsLine(string text, int line, string why)
    {
        var (dir, _, outDir, recipe) = Batch(0);
        File.WriteAllBytes(Path.Combine(dir, "a.png"), File.ReadAllBytes(Path.Combine(TestPaths.Fixtures, "engine", "codecs", "grey8.png")));
        File.Copy(Path.Combine(dir, "a.png"), Path.Combine(dir, "b.png"));
        string list = Path.Combine(dir, "list.txt");
        File.WriteAllBytes(list, text.Select(c => (byte)c).ToArray());
        var r = RecipeRunner.Run(Request(recipe, "@" + list, outDir));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(("XRF2031", $"input 'xray': list '{list}': {why}"), (d.Code, d.Message));
        Assert.Equal(line == 0 ? null : new SourceLocation(list, line, 1), d.Location);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void AListIsARegularFileOfBoundedSizeAndItsFilesAreChecked()
    {
        var (dir, _, outDir, recipe) = Batch(2);
        string Code(string value) => Assert.Single(RecipeRunner.Run(Request(recipe, value, outDir)).Diagnostics).Code;
        Assert.Equal("XRF2005", Code("@" + Path.Combine(dir, "none.txt")));
        Assert.Equal("XRF2023", Code("@" + dir));
        Assert.Equal("XRF2023", Code("@/dev/zero"));
        File.WriteAllText(Path.Combine(dir, "missing.txt"), "images/img_000.png\nimages/gone.png\n");
        Assert.Equal("input 'xray': file '" + Path.Combine(dir, "images", "gone.png") + "' does not exist", Assert.Single(RecipeRunner.Run(Request(recipe, "@" + Path.Combine(dir, "missing.txt"), outDir)).Diagnostics).Message);
        File.WriteAllText(Path.Combine(dir, "long.txt"), new string('a', InputList.MaxLineBytes + 1) + "\n");
        Assert.Equal($"input 'xray': list '{Path.Combine(dir, "long.txt")}': the line is 4097 bytes long, more than a path can be (4096)", RecipeRunner.Run(Request(recipe, "@" + Path.Combine(dir, "long.txt"), outDir)).Diagnostics[0].Message);
        using (var big = File.Create(Path.Combine(dir, "big.txt")))
        {
            big.SetLength(InputList.MaxBytes + 1);
        }

        Assert.Contains("more than the 67108864 bytes this file may have", RecipeRunner.Run(Request(recipe, "@" + Path.Combine(dir, "big.txt"), outDir)).Diagnostics[0].Message, StringComparison.Ordinal);

        // A file whose name starts with '@' is given as ./@name.
        File.Copy(Path.Combine(dir, "images", "img_000.png"), Path.Combine(dir, "@at.png"));
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, Path.Combine(dir, "@at.png"), outDir)).ExitCode);
    }

    [Fact]
    public void AShardStatsOnlyItsOwnFiles()
    {
        // A list naming a file that does not exist fails only the shard whose block holds it, before any work.
        var (dir, _, outDir, recipe) = Batch(6);
        string list = Path.Combine(dir, "list.txt");
        File.WriteAllLines(list, Enumerable.Range(0, 6).Select(k => $"images/img_{k:000}.png").Append("images/img_999.png"));
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(recipe, "@" + list, outDir, new Shard(0, 2))).ExitCode);
        var r = RecipeRunner.Run(Request(recipe, "@" + list, outDir, new Shard(1, 2)));
        Assert.Equal(ExitCodes.Invalid, r.ExitCode);
        Assert.Equal("XRF2005", Assert.Single(r.Diagnostics).Code);
    }
}

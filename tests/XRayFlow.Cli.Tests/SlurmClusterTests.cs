using System.Security.Cryptography;
using System.Text.Json.Nodes;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;
using Xunit.Abstractions;

namespace XRayFlow.Cli.Tests;

/// <summary>
/// Issue 14 on the real engine: a batch sharded over a Slurm job array (`sbatch --wait --array=0-3`, each task
/// running `xrayflow run ... --shard auto --resume` into one shared --out) on a single-node cluster started
/// for the test, merged and verified, against one process running the same batch.
/// </summary>
public sealed class SlurmClusterTests(ITestOutputHelper output)
{
    private const string Recipe = """
        xrayflow: 1
        name: slurm-edges
        inputs:
          xray: image
        steps:
          - id: smooth
            op: gaussian_filter
            sigma: 1.5
          - id: edges
            op: sobel
            in: smooth
            axis: 1
        outputs:
          edges: "{stem}_edges.png"
          raw: {from: edges, path: "npy/{stem}.npy"}
        """;

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(6);

    /// <summary>Per item what must be the same however the batch ran: name, success, error, input and output hashes.</summary>
    private static List<string> Facts(JsonNode manifest) => manifest["items"]!.AsArray().Select(i =>
        $"{i!["name"]}|{((string)i["status"]! == "failed" ? "failed" : "ok")}|{i["error"]}|{i["inputs"]!.ToJsonString()}|{i["outputs"]!.ToJsonString()}").ToList();

    private static JsonNode Json(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>SHA-256 of every output file under <paramref name="outDir"/> (not the manifests, not hidden files).</summary>
    private static SortedDictionary<string, string> Outputs(string outDir) => new(
        Directory.GetFiles(outDir, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith("manifest", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith('.'))
            .ToDictionary(f => Path.GetRelativePath(outDir, f), f => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(f)))),
        StringComparer.Ordinal);

    [SlurmFact]
    public void AJobArrayOfFourShardsMergesIntoWhatOneProcessComputes()
    {
        string dir = CliKit.TempDir();
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);

        // 64 small images, and 3 corrupt ones among them (text, a truncated PNG, an empty file).
        for (int k = 0; k < 64; k++)
        {
            var rng = new Random(7000 + k);
            var a = new ImageArray(24, 32);
            for (int p = 0; p < a.Length; p++)
            {
                a.Data[p] = (float)Math.Clamp(((p % 32) * 6) + (k * 2) + rng.Next(-20, 21), 0, 255);
            }

            PngWriter.Write(Path.Combine(images, $"scan_{k:000}.png"), a);
        }

        string[] corrupt = ["scan_010b.png", "scan_031b.png", "scan_050b.png"];
        File.WriteAllText(Path.Combine(images, corrupt[0]), "not an image\n");
        File.WriteAllBytes(Path.Combine(images, corrupt[1]), File.ReadAllBytes(Path.Combine(images, "scan_031.png"))[..60]);
        File.WriteAllBytes(Path.Combine(images, corrupt[2]), []);
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), Recipe);
        string glob = Path.Combine(images, "*.png");
        string outDir = Path.Combine(dir, "out");

        // The job: one xrayflow process per array task, its share from the Slurm variables.
        string dotnet = Environment.ProcessPath is { } host && Path.GetFileName(host) == "dotnet" ? host : "dotnet";
        string dll = Path.Combine(AppContext.BaseDirectory, "xrayflow.dll");
        string job = Path.Combine(dir, "job.sh");
        File.WriteAllText(job, $"""
            #!/bin/bash
            #SBATCH --cpus-per-task=1
            #SBATCH --time=10
            exec '{dotnet}' '{dll}' run '{Path.Combine(dir, "recipe.yaml")}' --input 'xray={glob}' --out '{outDir}' --shard auto --resume

            """);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine($"{clock.Elapsed.TotalSeconds,6:F1} s  {what}");
        using var cluster = SlurmCluster.Start(Path.Combine(dir, "slurm"));
        Phase("cluster up (munged, slurmctld, slurmd; node idle)");
        string Why(string what, (int Exit, string Out, string Err) r) => $"{what}: exit {r.Exit}\n{r.Out}\n{r.Err}\n{TaskLogs()}\n{cluster.Logs()}";
        string TaskLogs() => string.Join("\n", Directory.GetFiles(dir, "task-*.out").Order(StringComparer.Ordinal).Select(f => $"--- {Path.GetFileName(f)}:\n{File.ReadAllText(f)}"));

        var array = cluster.Sbatch(Limit, "--wait", "--array=0-3", "--chdir", dir, "-o", Path.Combine(dir, "task-%a.out"), job);
        Assert.True(array.Exit == 1, Why("sbatch --wait --array=0-3 (3 tasks hold a corrupt input each: exit 1)", array));
        Phase("sbatch --wait --array=0-3");
        for (int i = 0; i < 4; i++)
        {
            var m = Json(Path.Combine(outDir, $"manifest.shard-000{i}-of-0004.json"));
            Assert.Equal(1, (int)m["threads"]!); // --threads from SLURM_CPUS_PER_TASK (the node has more CPUs)
            Assert.Equal(i, (int)m["shard"]!["index"]!);
            Assert.Equal(67, (int)m["shard"]!["inputs_total"]!);
        }

        // Each corrupt file is named in exactly one task's log (the shard that holds it), and fails alone there.
        var logs = Directory.GetFiles(dir, "task-*.out").ToDictionary(f => Path.GetFileName(f), File.ReadAllText);
        Assert.Equal(4, logs.Count);
        foreach (var name in corrupt)
        {
            var holder = Assert.Single(logs, l => l.Value.Contains(name, StringComparison.Ordinal));
            Assert.Matches(@"xrayflow: shard [0-3] of 4: 1[0-9] of 1[0-9] input\(s\) done, 1 failed", holder.Value);
        }

        // One process over the same batch.
        var single = CliKit.RunProcess(dir, Limit, "run", "recipe.yaml", "--input", "xray=" + glob, "--out", "single", "--threads", "2");
        Assert.Equal(1, single.Exit);
        Phase("one process over the batch");

        var merged = CliKit.RunProcess(dir, Limit, "merge", outDir);
        Assert.True(merged.Exit == 1, Why("merge (3 failed inputs: exit 1)", (merged.Exit, merged.Out, merged.Err)));
        Assert.StartsWith("xrayflow: merged 4 shard(s): 64 of 67 input(s) done, 3 failed; ", merged.Out, StringComparison.Ordinal);
        foreach (var name in corrupt)
        {
            Assert.Single(merged.Err.Split('\n'), l => l.Contains(name, StringComparison.Ordinal));
        }

        var mergedManifest = Json(Path.Combine(outDir, "manifest.json"));
        Assert.Equal(Facts(Json(Path.Combine(dir, "single", "manifest.json"))), Facts(mergedManifest));
        Assert.Equal(corrupt, mergedManifest["items"]!.AsArray().Where(i => (string)i!["status"]! == "failed").Select(i => (string)i!["name"]!));
        Assert.Equal(Outputs(Path.Combine(dir, "single")), Outputs(outDir));
        Assert.Equal(64 * 2, Outputs(outDir).Count);

        var verify = CliKit.RunProcess(dir, Limit, "verify", Path.Combine(outDir, "manifest.json"));
        Assert.True(verify.Exit == 0, Why("verify", (verify.Exit, verify.Out, verify.Err)));
        Assert.EndsWith(": same (128 output(s) re-computed and identical)\n", verify.Out, StringComparison.Ordinal);
        Phase("merge, verify");

        // Rerunning one task (the one with scan_031b.png) changes nothing: its finished inputs are kept, the
        // corrupt one fails again the same way, and the merge is the same.
        var before = Outputs(outDir);
        var rerun = cluster.Sbatch(Limit, "--wait", "--array=2", "--export=ALL,XRAYFLOW_SHARDS=4", "--chdir", dir, "-o", Path.Combine(dir, "rerun-%a.out"), job);
        Assert.True(rerun.Exit == 1, Why("sbatch --array=2", rerun));
        Phase("sbatch --wait --array=2 (a rerun)");
        var shard2 = Json(Path.Combine(outDir, "manifest.shard-0002-of-0004.json"))["items"]!.AsArray();
        Assert.Equal(16, shard2.Count(i => (string)i!["status"]! == "resumed"));
        Assert.Equal("scan_031b.png", (string)Assert.Single(shard2, i => (string)i!["status"]! == "failed")!["name"]!);
        Assert.Equal(1, CliKit.RunProcess(dir, Limit, "merge", outDir).Exit);
        Assert.Equal(before, Outputs(outDir));
        Assert.Equal(Facts(mergedManifest), Facts(Json(Path.Combine(outDir, "manifest.json"))));

        // A shard that left no manifest: merge exits 1, names it, and gives the array to rerun.
        File.Delete(Path.Combine(outDir, "manifest.shard-0003-of-0004.json"));
        var missing = CliKit.RunProcess(dir, Limit, "merge", outDir);
        Assert.Equal(1, missing.Exit);
        Assert.Contains("error XRF2032: shard 3 of 4 did not finish: 'manifest.shard-0003-of-0004.json' is missing", missing.Err, StringComparison.Ordinal);
        Assert.Contains("sbatch --array=3 --export=ALL,XRAYFLOW_SHARDS=4 JOB_SCRIPT", missing.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("shard 0 of 4", missing.Err, StringComparison.Ordinal);

        // ... and that rerun (as merge says) completes it.
        var fix = cluster.Sbatch(Limit, "--wait", "--array=3", "--export=ALL,XRAYFLOW_SHARDS=4", "--chdir", dir, "-o", Path.Combine(dir, "fix-%a.out"), job);
        Assert.True(fix.Exit == 1, Why("sbatch --array=3", fix));
        Phase("sbatch --wait --array=3 (the missing shard)");
        Assert.Equal(1, CliKit.RunProcess(dir, Limit, "merge", outDir).Exit);
        Assert.Equal(Facts(mergedManifest), Facts(Json(Path.Combine(outDir, "manifest.json"))));
        Assert.Equal(before, Outputs(outDir));
    }
}

using System.Text.Json.Nodes;

namespace XRayFlow.Cli.Tests;

/// <summary>Issue 14 on the command line: `run --shard`, `--shards`, the scheduler's variables, `merge`, `--input NAME=@list`.</summary>
public sealed class ShardCliTests
{
    private static string P(string dir, params string[] parts) => Path.Combine([dir, .. parts]);

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public void KubernetesIndexesRunTheirSharesAndMergeJoinsThemForVerify()
    {
        string dir = CliKit.Project(samples: 3);
        var shards = new List<CliKit.Result>();
        for (int i = 0; i < 3; i++)
        {
            // What an Indexed Job's pod sees: its index, and the count from the Job's env.
            shards.Add(CliKit.RunProcess(dir, Limit, new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = $"{i}", ["XRAYFLOW_SHARDS"] = "3" }, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", "out", "--shard", "auto"));
        }

        Assert.All(shards, r => Assert.True(r.Exit == 0, r.Out + r.Err));
        Assert.Contains("xrayflow: shard 1 of 3: 1 of 1 input(s) done; outputs and manifest.shard-0001-of-0003.json in out", shards[1].Out, StringComparison.Ordinal);

        // Before the last shard's manifest exists merge says which to run again, as Slurm and by hand.
        File.Move(P(dir, "out", "manifest.shard-0002-of-0003.json"), P(dir, "held.json"));
        var missing = CliKit.RunProcess(dir, Limit, "merge", "out");
        Assert.Equal(1, missing.Exit);
        Assert.Equal(
            """
            xrayflow: error XRF2032: shard 2 of 3 did not finish: 'manifest.shard-0002-of-0003.json' is missing
            xrayflow: not merged: 1 of 3 shard(s) to run again: 2
              Slurm: sbatch --array=2 --export=ALL,XRAYFLOW_SHARDS=3 JOB_SCRIPT   (the job runs `xrayflow run ... --shard auto --resume`)
              by hand: xrayflow run ... --resume --shard I/3 for I in 2; then xrayflow merge out

            """,
            missing.Err);
        Assert.False(File.Exists(P(dir, "out", "manifest.json")));

        File.Move(P(dir, "held.json"), P(dir, "out", "manifest.shard-0002-of-0003.json"));
        var merged = CliKit.RunProcess(dir, Limit, "merge", "out");
        Assert.True(merged.Exit == 0, merged.Out + merged.Err);
        Assert.Equal("xrayflow: merged 3 shard(s): 3 of 3 input(s) done; out/manifest.json written (check it with xrayflow verify out/manifest.json)\n", merged.Out);
        var verify = CliKit.RunProcess(dir, Limit, "verify", "out/manifest.json");
        Assert.True(verify.Exit == 0, verify.Out + verify.Err);
        Assert.Equal("out/manifest.json: same (6 output(s) re-computed and identical)\n", verify.Out);
    }

    [Fact]
    public void UnderSlurmTheArrayGivesTheShardAndCpusPerTaskTheThreads()
    {
        string dir = CliKit.Project(samples: 4);
        var env = new Dictionary<string, string>
        {
            ["SLURM_JOB_ID"] = "41", ["SLURM_ARRAY_JOB_ID"] = "40", ["SLURM_ARRAY_TASK_ID"] = "2", ["SLURM_ARRAY_TASK_MIN"] = "1",
            ["SLURM_ARRAY_TASK_MAX"] = "4", ["SLURM_ARRAY_TASK_COUNT"] = "4", ["SLURM_ARRAY_TASK_STEP"] = "1", ["SLURM_CPUS_PER_TASK"] = "3",
        };
        var r = CliKit.RunProcess(dir, Limit, env, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", "out", "--shard", "auto");
        Assert.True(r.Exit == 0, r.Out + r.Err);
        var m = JsonNode.Parse(File.ReadAllText(P(dir, "out", "manifest.shard-0001-of-0004.json")))!;
        Assert.Equal(3, (int)m["threads"]!);
        Assert.Equal("00000011_001.png", (string)m["items"]![0]!["name"]!);

        // --threads wins; an array with gaps needs the count.
        var explicitThreads = CliKit.RunProcess(dir, Limit, env, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", "out", "--shard", "auto", "--threads", "1");
        Assert.Equal(1, (int)JsonNode.Parse(File.ReadAllText(P(dir, "out", "manifest.shard-0001-of-0004.json")))!["threads"]!);
        Assert.Equal(0, explicitThreads.Exit);
        env["SLURM_ARRAY_TASK_COUNT"] = "3";
        var gaps = CliKit.RunProcess(dir, Limit, env, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", "out", "--shard", "auto");
        Assert.Equal(2, gaps.Exit);
        Assert.Equal("xrayflow: error XRF2021: --shard auto: this Slurm array has gaps (task ids 1 to 4, but 3 task(s); this is task 2), so it cannot tell how many shards there are: give --shards N or set XRAYFLOW_SHARDS=N (the task ids are then the shard numbers, 0 to N-1)\n", gaps.Err);
        var counted = CliKit.RunProcess(dir, Limit, env, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", "out", "--shard", "auto", "--shards", "4");
        Assert.True(counted.Exit == 0, counted.Err);
        Assert.Contains("shard 2 of 4", counted.Out, StringComparison.Ordinal);
        env["SLURM_CPUS_PER_TASK"] = "many";
        var badCpus = CliKit.RunProcess(dir, Limit, env, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", "out", "--shard", "auto", "--shards", "4");
        Assert.Equal(2, badCpus.Exit);
        Assert.Equal("xrayflow: error XRF2021: --threads: SLURM_CPUS_PER_TASK='many' (the default of --threads under Slurm) is not a number of CPUs; give --threads N\n", badCpus.Err);
    }

    [Theory]
    [InlineData("--shard|4/4", "--shard: '4/4': the shard number must be 0 to 3 (shards are numbered from 0)")]
    [InlineData("--shard|3-of-4", "--shard: '3-of-4' is not I/N (the 0-based shard number, a slash, the number of shards: 3/64) or auto")]
    [InlineData("--shards|4", "--shards: gives the number of shards for --shard auto; give --shard auto as well (or --shard I/N alone)")]
    [InlineData("--shard|1/4|--shards|8", "--shard: 1/4 and --shards 8 disagree on the number of shards")]
    [InlineData("--shard|auto|--shards|0", "--shards: must be 1 to 100000")]
    public void BadShardOptionsAreExitTwoBeforeAnyWork(string options, string message)
    {
        string dir = CliKit.Project();
        var r = CliKit.Run(["run", P(dir, "recipe.yaml"), "--out", P(dir, "out"), .. options.Split('|')]);
        Assert.Equal(2, r.Exit);
        Assert.Equal($"xrayflow: error XRF2021: {message}\n", r.Err);
        Assert.False(Directory.Exists(P(dir, "out")));
    }

    [Fact]
    public void MergeNamesEachFailedInputOnceWithItsShard()
    {
        string dir = CliKit.Project(samples: 3);
        File.WriteAllText(P(dir, "images", "broken.png"), "not a png");
        for (int i = 0; i < 2; i++)
        {
            CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "images", "*.png"), "--out", P(dir, "out"), "--shard", $"{i}/2");
        }

        var r = CliKit.Run("merge", P(dir, "out"));
        Assert.Equal(1, r.Exit);
        Assert.StartsWith("xrayflow: merged 2 shard(s): 3 of 4 input(s) done, 1 failed; ", r.Out, StringComparison.Ordinal);
        // Sorted by ordinal path, broken.png comes after the three samples: the second block of two, shard 1.
        Assert.StartsWith("xrayflow: 1 input(s) failed (in shard(s) 1):\n  broken.png: ", r.Err, StringComparison.Ordinal);
        Assert.Single(r.Err.Split('\n'), l => l.Contains("broken.png", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCommandsMergePrintsQuoteAFolderWithSpacesAndShellCharacters()
    {
        // Found by `merge 'sp dir/it'\''s $HOME & <x>'` with a shard missing: it printed
        // "then xrayflow merge sp dir/it's $HOME & <x>", which a pasting user's shell splits, expands and backgrounds.
        string dir = CliKit.Project(samples: 2);
        const string Out = "sp dir/it's $HOME & <x>";
        var shard = CliKit.RunProcess(dir, Limit, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", Out, "--shard", "0/2");
        Assert.True(shard.Exit == 0, shard.Out + shard.Err);

        var missing = CliKit.RunProcess(dir, Limit, "merge", Out);
        Assert.Equal(1, missing.Exit);
        Assert.EndsWith("; then xrayflow merge 'sp dir/it'\\''s $HOME & <x>'\n", missing.Err, StringComparison.Ordinal);

        Assert.Equal(0, CliKit.RunProcess(dir, Limit, "run", "recipe.yaml", "--input", "xray=images/*.png", "--out", Out, "--shard", "1/2").Exit);
        var merged = CliKit.RunProcess(dir, Limit, "merge", Out);
        Assert.True(merged.Exit == 0, merged.Out + merged.Err);
        Assert.EndsWith("(check it with xrayflow verify 'sp dir/it'\\''s $HOME & <x>/manifest.json')\n", merged.Out, StringComparison.Ordinal);

        // init's next steps too.
        var init = CliKit.RunProcess(dir, Limit, "init", "lungs", "--dir", "my recipes");
        Assert.True(init.Exit == 0, init.Out + init.Err);
        Assert.Contains("  xrayflow test --update 'my recipes/lungs.yaml'   #", init.Out, StringComparison.Ordinal);
        Assert.Contains("  xrayflow run 'my recipes/lungs.yaml' --input", init.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void AListFileIsABatchAndTheHelpListsMerge()
    {
        string dir = CliKit.Project(samples: 3);
        File.WriteAllText(P(dir, "images", "list.txt"), "00000011_002.png\n00000011_000.png\n");
        var r = CliKit.RunProcess(dir, Limit, "run", "recipe.yaml", "--input", "xray=@images/list.txt", "--out", "out");
        Assert.True(r.Exit == 0, r.Out + r.Err);
        Assert.Equal(["00000011_000.png", "00000011_002.png"], JsonNode.Parse(File.ReadAllText(P(dir, "out", "manifest.json")))!["items"]!.AsArray().Select(i => (string)i!["name"]!));
        Assert.Equal(0, CliKit.RunProcess(dir, Limit, "verify", "out/manifest.json").Exit);

        var help = CliKit.Run("--help");
        Assert.Contains("merge", help.Out, StringComparison.Ordinal);
        Assert.Contains("--shard <I/N|AUTO>", CliKit.Run("run", "--help").Out, StringComparison.Ordinal); // Spectre shows value names in capitals
    }
}

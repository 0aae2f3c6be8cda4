using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;
using XRayFlow.Cli.Output;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;
using XRayFlow.Pipeline.Running.Sharding;

namespace XRayFlow.Cli.Commands;

[Description("Merge the manifests of a sharded run (run --shard I/N into one --out) into one manifest.json.")]
public sealed class MergeCommand(CliHost host) : Command<MergeCommand.Settings>
{
    public sealed class Settings : CheckedSettings
    {
        [CommandArgument(0, "<OUT_DIR>")]
        [Description("The --out folder the shards wrote into.")]
        public string Out { get; init; } = string.Empty;

        [CommandOption("--shards <N>")]
        [Description("Merge the split into N shards (needed only when the folder holds manifests of several splits).")]
        public int? Shards { get; init; }

        public override IEnumerable<Diagnostic> Problems()
            => Shards is < 1 or > Shard.MaxCount ? [DiagnosticCodes.BadOptionValue.Create(null, "--shards", $"must be 1 to {Shard.MaxCount}")] : [];
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var result = ShardMerger.Merge(settings.Out, settings.Shards);
        host.Report(result.Diagnostics);
        string manifest = Path.Combine(settings.Out, Manifest.FileName);
        if (result.Rerun.Count > 0)
        {
            // The scheduler lines that run exactly those shards again (the task ids are the shard numbers).
            string list = ShardMerger.ArrayList(result.Rerun);
            host.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: not merged: {result.Rerun.Count} of {result.Count} shard(s) to run again: {list}"));
            host.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  Slurm: sbatch --array={list} --export=ALL,{ShardSelection.ShardsVariable}={result.Count} JOB_SCRIPT   (the job runs `xrayflow run ... --shard auto --resume`)"));
            host.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  by hand: xrayflow run ... --resume --shard I/{result.Count} for I in {list}; then xrayflow merge {ShellWord.Quote(settings.Out)}"));
            return result.ExitCode;
        }

        if (result.Manifest is not { } merged)
        {
            return result.ExitCode;
        }

        var failed = merged.Items.Where(i => !i.Succeeded).ToList();
        host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: merged {result.Count} shard(s): {merged.Items.Count - failed.Count} of {merged.Items.Count} input(s) done{(failed.Count > 0 ? $", {failed.Count} failed" : string.Empty)}; {manifest} written (check it with xrayflow verify {ShellWord.Quote(manifest)})"));
        if (failed.Count > 0)
        {
            host.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: {failed.Count} input(s) failed (in shard(s) {ShardMerger.ArrayList(result.FailedIn)}):"));
            foreach (var f in failed)
            {
                host.Err.WriteLine($"  {f.Name}: {f.Error}");
            }
        }

        return result.ExitCode;
    }
}

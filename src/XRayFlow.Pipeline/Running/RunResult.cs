using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Running;

/// <summary>The result of a run: exit code, diagnostics (problems found before any work), and what happened per item.</summary>
public sealed record RunResult(int ExitCode, IReadOnlyList<Diagnostic> Diagnostics, Manifest? Manifest, Plan? Plan)
{
    public IReadOnlyList<ManifestItem> Failures => Manifest?.Items.Where(i => !i.Succeeded).ToList() ?? [];

    /// <summary>Files a glob matched that <see cref="InputRules.OnlyFiles"/> kept out of the run (never read).</summary>
    public IReadOnlyList<string> NotRead { get; init; } = [];

    /// <summary>The manifest the run wrote: `manifest.json`, or the shard's own (`manifest.shard-0003-of-0064.json`).</summary>
    public string ManifestFileName { get; init; } = Running.Manifest.FileName;

    /// <summary>Items of this run (or shard) never started because <see cref="RunRequest.MaxFailures"/> items had failed (not in the manifest).</summary>
    public int NotRun { get; init; }

    /// <summary>Items of this run (or shard): those in the manifest and those <see cref="NotRun"/>.</summary>
    public int Total => (Manifest?.Items.Count ?? 0) + NotRun;

    /// <summary>What a <see cref="RunRequest.DryRun"/> would do (null for a real run).</summary>
    public DryRunReport? DryRun { get; init; }
}

/// <summary>A dry run's resolution: the items this run (or shard) would compute, each with its output files, and the manifest it would write.</summary>
/// <param name="Items">The items, in run order (a shard's block only).</param>
/// <param name="Targets">Each item's outputs.</param>
/// <param name="Total">Items of the whole batch (all shards).</param>
/// <param name="ManifestPath">The manifest the run would write.</param>
public sealed record DryRunReport(IReadOnlyList<RunItem> Items, IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> Targets, long Total, string ManifestPath);

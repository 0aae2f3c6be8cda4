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
}

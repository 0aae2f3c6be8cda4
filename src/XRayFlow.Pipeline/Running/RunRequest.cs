using XRayFlow.Core.Expressions;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Running;

/// <summary>What to run and how.</summary>
public sealed record RunRequest
{
    public required BoundRecipe Recipe { get; init; }

    /// <summary>Input name -> path or glob from the command line (relative to the working folder).</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Which files the run may read besides regular-files-only (a recipe's `tests:`, a manifest's recorded files).</summary>
    public InputRules InputRules { get; init; } = new();

    /// <summary>The --set overrides as given (recorded in the manifest for `verify`).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Set { get; init; } = [];

    public string OutDir { get; init; } = "out";

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Replace a manifest that another recipe wrote into --out (refused by default: XRF2037).</summary>
    public bool Force { get; init; }

    /// <summary>Skip items whose outputs and manifest entry from an earlier run are complete.</summary>
    public bool Resume { get; init; }

    /// <summary>An input with more pixels fails (protects memory); null = no limit.</summary>
    public long? MaxPixels { get; init; }

    /// <summary>
    /// Stop starting new items once this many have failed (`--max-failures`), or null to run every item. The items
    /// already running finish; those not started are left out of the manifest, so `--resume` runs them later.
    /// </summary>
    public int? MaxFailures { get; init; }

    /// <summary>Read .dcm inputs that lack the 128-byte DICOM preamble and 'DICM' (refused by default).</summary>
    public bool DicomWithoutPreamble { get; init; }

    /// <summary>The largest <see cref="Repeat"/>: --profile keeps one time per step and repeat.</summary>
    public const int MaxRepeat = 10_000;

    /// <summary>Runs of the plan per item (for --profile), 1 to <see cref="MaxRepeat"/>; outputs are written once.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Where to write per-step timings (`{"steps": [{"id", "op", "ms": [...]}]}`), or null.</summary>
    public string? ProfilePath { get; init; }

    /// <summary>Creates the expression compiler (only called when the recipe has expressions).</summary>
    public Func<IExpressionCompiler>? CompilerFactory { get; init; }

    public IRunProgress? Progress { get; init; }

    /// <summary>Check and resolve everything (inputs, shard, output paths, expressions, plan), then stop: no folder is created, nothing is read or written (`run --dry-run`).</summary>
    public bool DryRun { get; init; }

    public PlanOptions PlanOptions { get; init; } = new();

    public CancellationToken Cancellation { get; init; }

    /// <summary>Run only this shard of the batch (`--shard I/N`), writing its own manifest into the shared --out; null = the whole batch.</summary>
    public Sharding.Shard? Shard { get; init; }

    /// <summary>Write `report.html` into --out (pictures and numbers of every step: Reporting/), or null for none.</summary>
    public Reporting.ReportOptions? Report { get; init; }

    /// <summary>The observer each item's executor run reports its values to (set by the runner for --report), or null.</summary>
    internal Func<RunItem, Execution.IValueObserver?>? Observe { get; init; }

    /// <summary>Writes manifest.json and the profile (atomically); a test replaces it to simulate a full disk.</summary>
    internal Action<string, byte[]> WriteFile { get; init; } = AtomicFile.WriteAllBytes;
}

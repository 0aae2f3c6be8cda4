using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>What `--report` adds to a run's report.html (see <see cref="RunReport"/>).</summary>
public sealed record ReportOptions
{
    /// <summary>The report's file name in --out.</summary>
    public const string FileName = "report.html";

    /// <summary>The report of one shard of a batch (`run --shard I/N --report`): "report.shard-0003-of-0064.html", next to its manifest; else <see cref="FileName"/>.</summary>
    public static string FileNameFor(Running.Sharding.Shard? shard) => shard is null ? FileName : $"report.{shard.Tag}.html";

    /// <summary>Warnings found while loading the recipe (the runner sees only its own): shown at the top.</summary>
    public IReadOnlyList<Diagnostic> RecipeDiagnostics { get; init; } = [];

    /// <summary>
    /// A script the page runs (the live preview's, `xrayflow watch`); it may then also talk to the page's own origin.
    /// Null for the static file, whose content policy allows no script and no network at all.
    /// </summary>
    public string? LiveScript { get; init; }
}

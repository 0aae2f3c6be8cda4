namespace XRayFlow.Snapshots.Tests;

/// <summary>Where the suite finds the recipes, its small inputs and the committed verified files (in the source tree).</summary>
internal static class SnapshotPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "XRayFlow.sln")) && Directory.Exists(Path.Combine(d.FullName, "pipelines")))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException("no folder with XRayFlow.sln and pipelines/ above " + AppContext.BaseDirectory);
    });

    public static string RepoRoot => Root.Value;

    public static string Pipelines => Path.Combine(RepoRoot, "pipelines");

    public static string Project => Path.Combine(RepoRoot, "tests", "XRayFlow.Snapshots.Tests");

    /// <summary>Mirrors pipelines/: a recipe's `default:` path P is replaced by Inputs/P (tests/fixtures/gen_snapshot_inputs.py).</summary>
    public static string Inputs => Path.Combine(Project, "Inputs");

    /// <summary>Snapshots/&lt;recipe file stem&gt;/&lt;output file&gt;.verified.&lt;ext&gt;.</summary>
    public static string Snapshots => Path.Combine(Project, "Snapshots");

    /// <summary>Every recipe in pipelines/ (top level, *.yaml), by file stem, sorted.</summary>
    public static IReadOnlyList<string> Recipes() => Directory.EnumerateFiles(Pipelines, "*.yaml")
        .Select(f => Path.GetFileNameWithoutExtension(f))
        .OrderBy(n => n, StringComparer.Ordinal)
        .ToList();
}

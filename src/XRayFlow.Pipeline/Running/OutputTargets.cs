using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running;

/// <summary>Where one output of one item is written.</summary>
/// <param name="Output">The recipe's output.</param>
/// <param name="FullPath">The absolute path of the file, inside --out.</param>
/// <param name="RecordedPath">The path relative to --out, as the manifest records it.</param>
public sealed record OutputTarget(BoundOutput Output, string FullPath, string RecordedPath);

/// <summary>Resolves every output path of every item and checks them before any work: inside --out, no two the same.</summary>
public static class OutputTargets
{
    /// <summary>
    /// The targets of each item. Reports XRF2025 for a path holding a NUL, XRF2009 for one that is absolute or
    /// leaves --out (after `{stem}` substitution), XRF2030 for one that goes through a symbolic link already
    /// under --out, and XRF2008 for two outputs (or an output and manifest.json) on one path.
    /// </summary>
    /// <param name="recipe">The recipe whose outputs to place.</param>
    /// <param name="items">The run's items (their stems).</param>
    /// <param name="outDir">The --out folder.</param>
    /// <param name="diagnostics">Where problems go.</param>
    /// <param name="onDisk">Also look at the folders already under --out (XRF2030 for a symbolic link); false for `validate`, which has no --out.</param>
    public static IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> Check(BoundRecipe recipe, IReadOnlyList<RunItem> items, string outDir, DiagnosticBag diagnostics, bool onDisk = true)
    {
        var resolved = new Dictionary<RunItem, IReadOnlyList<OutputTarget>>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var bad = new HashSet<string>(StringComparer.Ordinal);
        string root = Path.GetFullPath(outDir);
        string manifestFull = Path.GetFullPath(Path.Combine(outDir, Manifest.FileName));
        foreach (var item in items)
        {
            var list = new List<OutputTarget>();
            foreach (var output in recipe.Outputs)
            {
                string expanded = OutputPaths.Expand(output.PathTemplate, item.Stem);
                if (expanded.Contains('\0'))
                {
                    if (bad.Add(output.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputPathHasNul, output.Location, output.Name, expanded);
                    }

                    continue;
                }

                string? full = OutputPaths.Resolve(outDir, output.PathTemplate, item.Stem);
                if (full is null)
                {
                    if (bad.Add(output.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputOutsideOut, output.Location, output.Name, expanded);
                    }

                    continue;
                }

                if (onDisk && OutputPaths.LinkedFolder(root, full) is { } link)
                {
                    if (bad.Add(output.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputThroughLink, output.Location, output.Name, expanded, link);
                    }

                    continue;
                }

                string who = items.Count > 1 ? $"'{item.Name}' (output {output.Name})" : $"output {output.Name}";
                if (full == manifestFull)
                {
                    diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Manifest.FileName, who, "the run's manifest");
                }
                else if (owner.TryGetValue(full, out var first))
                {
                    if (reported.Add(full))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Path.GetRelativePath(root, full), first, who);
                    }
                }
                else
                {
                    owner[full] = who;
                }

                list.Add(new OutputTarget(output, full, Recorded(root, full)));
            }

            resolved[item] = list;
        }

        // A batch's combined tables (CombinedCsv) must not land on an item's output either.
        foreach (var output in CombinedCsv.Outputs(recipe, items.Count))
        {
            string who = $"the combined table of output {output.Name}";
            if (CombinedCsv.PathOf(outDir, output) is not { } full)
            {
                continue;
            }

            if (owner.TryGetValue(full, out var first) || full == manifestFull)
            {
                diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Path.GetRelativePath(root, full), first ?? "the run's manifest", who);
            }
            else
            {
                owner[full] = who;
            }
        }

        return resolved;
    }

    /// <summary>
    /// The path of <paramref name="full"/> relative to <paramref name="root"/>, with '/' between folders: on
    /// Windows its '\\' separators become '/'; elsewhere '\\' is an ordinary character of a name and is kept.
    /// </summary>
    internal static string Recorded(string root, string full)
    {
        string rel = Path.GetRelativePath(root, full);
        return Path.DirectorySeparatorChar == '/' ? rel : rel.Replace(Path.DirectorySeparatorChar, '/');
    }
}

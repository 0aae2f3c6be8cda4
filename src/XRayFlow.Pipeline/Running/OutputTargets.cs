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
    /// under --out, XRF2052 for a file or folder name over 255 bytes, and XRF2008 for two outputs (or an output
    /// and manifest.json) on one path.
    /// </summary>
    /// <param name="recipe">The recipe whose outputs to place.</param>
    /// <param name="items">The run's items (their stems).</param>
    /// <param name="outDir">The --out folder.</param>
    /// <param name="diagnostics">Where problems go.</param>
    /// <param name="onDisk">Also look at the folders already under --out (XRF2030 for a symbolic link); false for `validate`, which has no --out.</param>
    public static IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> Check(BoundRecipe recipe, IReadOnlyList<RunItem> items, string outDir, DiagnosticBag diagnostics, bool onDisk = true)
    {
        var resolved = new Dictionary<RunItem, IReadOnlyList<OutputTarget>>(items.Count, ReferenceEqualityComparer.Instance);
        string root = Path.GetFullPath(outDir);
        string rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        List<OutputTarget>? list = null;
        Place(recipe, items, outDir, diagnostics, onDisk, (item, output, full) =>
        {
            if (output is null)
            {
                list = new List<OutputTarget>(recipe.Outputs.Count);
                resolved[item] = list;
            }
            else
            {
                list!.Add(new OutputTarget(output, full!, RecordedUnder(rootWithSep, full!)));
            }
        });
        return resolved;
    }

    /// <summary>
    /// The checks of <see cref="Check"/> without keeping the targets: <paramref name="each"/> sees each item once with
    /// (item, null, null) and then (item, output, full path) for each output placed (a batch of 120,000 items is
    /// checked in one pass, no table of targets kept; `--shard` checks the whole batch this way).
    /// </summary>
    internal static void Place(BoundRecipe recipe, IReadOnlyList<RunItem> items, string outDir, DiagnosticBag diagnostics, bool onDisk, Action<RunItem, BoundOutput?, string?> each)
    {
        int outputs = recipe.Outputs.Count;
        string root = Path.GetFullPath(outDir);
        string rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        // A claimant is item x outputs + output: the pair back, its path, its name in a message.
        (RunItem Item, BoundOutput Output) Of(long claimant) => (items[(int)(claimant / outputs)], recipe.Outputs[(int)(claimant % outputs)]);
        string PathOf(long claimant)
        {
            var (item, output) = Of(claimant);
            return OutputPaths.ResolveUnder(root, rootWithSep, output.PathTemplate, OutputPaths.Expand(output.PathTemplate, item.Stem, item.RelStem))!;
        }

        var owner = new PathClaims(PathOf, (int)Math.Min(1 << 28, (long)items.Count * outputs + 8));
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var bad = new HashSet<string>(StringComparer.Ordinal);
        string manifestFull = Path.GetFullPath(Path.Combine(outDir, Manifest.FileName));
        bool many = items.Count > 1;
        string Who(long claimant)
        {
            var (item, output) = Of(claimant);
            return many ? $"'{item.Name}' (output {output.Name})" : $"output {output.Name}";
        }

        // What would set two claimants of one path apart: {stem} where the path lacks it; where both paths have it,
        // {relstem} for one name in two sub-folders of a recursive glob (ward1/a.png, ward2/a.png); else the two
        // inputs share a stem (a.png and a.npy in one folder), which only renaming or separate runs fix.
        string Hint(long first, long claimant)
        {
            var (a, oa) = Of(first);
            var (b, ob) = Of(claimant);
            if (!OutputPaths.HasItemPlaceholder(oa.PathTemplate) || !OutputPaths.HasItemPlaceholder(ob.PathTemplate))
            {
                return " (put {stem} in the output path)";
            }

            if (a.Name == b.Name || a.Stem != b.Stem)
            {
                return string.Empty;
            }

            return a.RelStem != b.RelStem
                ? $" (the inputs '{a.Name}' and '{b.Name}' have one stem, '{a.Stem}': write {{relstem}} for it to keep their sub-folders, '{a.RelStem}' and '{b.RelStem}')"
                : $" (the inputs '{a.Name}' and '{b.Name}' have one stem, '{a.Stem}': rename one, or run them as separate batches)";
        }

        for (int i = 0; i < items.Count; i++)
        {
            var item = items[i];
            each(item, null, null);
            for (int o = 0; o < outputs; o++)
            {
                var output = recipe.Outputs[o];
                long claimant = ((long)i * outputs) + o;
                string expanded = OutputPaths.Expand(output.PathTemplate, item.Stem, item.RelStem);
                if (expanded.Contains('\0'))
                {
                    if (bad.Add(output.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputPathHasNul, output.Location, output.Name, expanded);
                    }

                    continue;
                }

                string? full = OutputPaths.ResolveUnder(root, rootWithSep, output.PathTemplate, expanded);
                if (full is null)
                {
                    if (bad.Add(output.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputOutsideOut, output.Location, output.Name, expanded);
                    }

                    continue;
                }

                if (LongestName(full[rootWithSep.Length..]) is { } tooLong)
                {
                    if (bad.Add(output.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputNameTooLong, output.Location, $"'{item.Name}' (output {output.Name})", tooLong,
                            System.Text.Encoding.UTF8.GetByteCount(tooLong), AtomicFile.MaxNameBytes);
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

                if (full == manifestFull)
                {
                    diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Manifest.FileName, Who(claimant), "the run's manifest", " (the run's record: give the output another name)");
                }
                else if (!owner.TryClaim(full, claimant, out long first))
                {
                    if (reported.Add(full))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Path.GetRelativePath(root, full), Who(first), Who(claimant), Hint(first, claimant));
                    }
                }

                each(item, output, full);
            }
        }

        // A batch's combined tables (CombinedCsv) must not land on an item's output, the manifest or each other.
        var combined = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var output in CombinedCsv.Outputs(recipe, items.Count))
        {
            string who = $"the combined table of output {output.Name}";
            if (CombinedCsv.PathOf(outDir, output) is not { } full)
            {
                continue;
            }

            string? first = owner.TryGet(full, out long o) ? Who(o)
                : combined.TryGetValue(full, out var c) ? c
                : full == manifestFull ? "the run's manifest" : null;
            if (first is not null)
            {
                diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Path.GetRelativePath(root, full), first, who, " (a batch's combined table is written at its output's path with {stem} -> batch)");
            }
            else
            {
                combined[full] = who;
            }
        }
    }

    /// <summary>
    /// XRF2053 when an output of <paramref name="targets"/> would be written over a file the run reads: an input
    /// file of any item of <paramref name="all"/> (with --shard, the files of the shard's block: the batch's other
    /// items carry only their names). Without it the run read the input, then wrote over it: the original image
    /// was gone, and verify and --resume could never agree with the manifest again.
    /// </summary>
    public static void CheckInputs(IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets, IReadOnlyList<RunItem> all, DiagnosticBag diagnostics)
    {
        var read = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in all)
        {
            foreach (var (input, files) in item.Files)
            {
                foreach (var f in files)
                {
                    read.TryAdd(Path.GetFullPath(f), input);
                }
            }
        }

        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (item, list) in targets)
        {
            foreach (var t in list)
            {
                if (read.TryGetValue(t.FullPath, out var input) && reported.Add(t.Output.Name))
                {
                    string who = targets.Count > 1 ? $"'{item.Name}' (output {t.Output.Name})" : $"output {t.Output.Name}";
                    diagnostics.Report(DiagnosticCodes.OutputOverInput, t.Output.Location, who, t.RecordedPath, input);
                }
            }
        }
    }

    /// <summary>
    /// XRF2051 when --profile names a file the run writes into --out, or a folder it writes one in: an output of
    /// any item of <paramref name="all"/> (the whole batch, with --shard), the manifest (<paramref name="manifestName"/>
    /// and manifest.json, which `merge` writes), a combined table, the report (<paramref name="reportName"/>, with
    /// --report) or the lock file. The profile is written last, so without this it replaced that file and the run
    /// still exited 0.
    /// </summary>
    public static void CheckProfile(string profilePath, BoundRecipe recipe, IReadOnlyList<RunItem> all, string outDir, string manifestName, string? reportName, DiagnosticBag diagnostics)
    {
        string profile = Path.TrimEndingDirectorySeparator(Path.GetFullPath(profilePath));
        string below = profile + Path.DirectorySeparatorChar;
        string root = Path.GetFullPath(outDir);
        string rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!profile.StartsWith(rootWithSep, StringComparison.Ordinal) && profile != root)
        {
            return; // outside --out: nothing of the run is there
        }

        bool Report(string full, string what)
        {
            if (full == profile)
            {
                diagnostics.Report(DiagnosticCodes.ProfileOverRunFile, null, profilePath, what);
                return true;
            }

            if (full.StartsWith(below, StringComparison.Ordinal))
            {
                diagnostics.Report(DiagnosticCodes.ProfileOverRunFile, null, profilePath, $"the folder of {what}");
                return true;
            }

            return false;
        }

        if (profile == root)
        {
            diagnostics.Report(DiagnosticCodes.ProfileOverRunFile, null, profilePath, "the --out folder");
            return;
        }

        var own = new List<(string Name, string What)>
        {
            (manifestName, $"the run's manifest ({manifestName})"),
            (Manifest.FileName, $"the run's manifest ({Manifest.FileName})"),
            (OutputFolderLock.FileName, $"the lock of --out ({OutputFolderLock.FileName})"),
        };
        if (reportName is not null)
        {
            own.Add((reportName, $"the run's report ({reportName})"));
        }

        foreach (var (name, what) in own)
        {
            if (Report(Path.GetFullPath(Path.Combine(outDir, name)), what))
            {
                return;
            }
        }

        foreach (var output in CombinedCsv.Outputs(recipe, all.Count))
        {
            if (CombinedCsv.PathOf(outDir, output) is { } full && Report(full, $"the combined table of output {output.Name}"))
            {
                return;
            }
        }

        foreach (var item in all)
        {
            foreach (var output in recipe.Outputs)
            {
                string expanded = OutputPaths.Expand(output.PathTemplate, item.Stem, item.RelStem);
                if (OutputPaths.ResolveUnder(root, rootWithSep, output.PathTemplate, expanded) is { } full
                    && Report(full, all.Count > 1 ? $"output {output.Name} of '{item.Name}'" : $"output {output.Name}"))
                {
                    return;
                }
            }
        }
    }

    /// <summary>The first file or folder name of the relative path <paramref name="relative"/> longer than <see cref="AtomicFile.MaxNameBytes"/> UTF-8 bytes, or null.</summary>
    private static string? LongestName(string relative)
    {
        foreach (var name in relative.Split(Path.DirectorySeparatorChar))
        {
            if (name.Length * 3 > AtomicFile.MaxNameBytes && System.Text.Encoding.UTF8.GetByteCount(name) > AtomicFile.MaxNameBytes)
            {
                return name;
            }
        }

        return null;
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

    /// <summary><see cref="Recorded"/> for a <paramref name="full"/> path already known to start with <paramref name="rootWithSep"/>.</summary>
    private static string RecordedUnder(string rootWithSep, string full)
    {
        string rel = full[rootWithSep.Length..];
        return Path.DirectorySeparatorChar == '/' ? rel : rel.Replace(Path.DirectorySeparatorChar, '/');
    }
}

using System.Text;
using System.Text.Json;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// A batch's combined tables: for each table output (`.csv`, or `.json` of a table: stats, histogram, regionprops)
/// whose path has `{stem}`, in a run of more than one item, one more `.csv` file beside the per-item ones: the path with
/// `{stem}` replaced by `batch` and the extension by `.csv` (`{stem}_regions.csv` -> `batch_regions.csv`,
/// `{stem}_stats.json` -> `batch_stats.csv`), holding every succeeded item's rows in item order under one header (the
/// columns of all items, in order of first appearance; a column an item lacks is empty). Each item's rows start with
/// its name (<see cref="TableCsv.ItemColumn"/>); a stats or histogram table is one row per item. A `.json` output whose
/// step also has a `.csv` output gets no combined table of its own (the `.csv` one has the same rows). Written at the
/// end of the run from the per-item files (so items kept by --resume are included), atomically; a `.json` item's
/// values come back as written there (NaN and infinities, null in JSON, are empty fields). A shard writes none: its
/// manifest records them and `merge` writes them for the whole batch (<see cref="WriteMerged"/>).
/// </summary>
internal static class CombinedCsv
{
    /// <summary>What replaces `{stem}` in the combined file's path.</summary>
    public const string Stem = "batch";

    /// <summary>The largest per-item file read back.</summary>
    public const long MaxItemBytes = 256L << 20;

    /// <summary>The outputs that get a combined table in a run of <paramref name="itemCount"/> items.</summary>
    public static IEnumerable<BoundOutput> Outputs(BoundRecipe recipe, int itemCount)
    {
        if (itemCount <= 1)
        {
            return [];
        }

        var tables = recipe.Outputs.Where(o => o.Panels is null
            && OutputPaths.HasItemPlaceholder(o.PathTemplate)
            && (o.Format == OutputFormat.Csv || (o.Format == OutputFormat.Json && recipe.Steps.Any(s => s.Id == o.From && s.OutputKind == ValueKind.Table))))
            .ToList();
        var withCsv = tables.Where(o => o.Format == OutputFormat.Csv).Select(o => o.From).ToHashSet(StringComparer.Ordinal);
        return tables.Where(o => o.Format == OutputFormat.Csv || !withCsv.Contains(o.From)).ToList();
    }

    /// <summary>The combined file of <paramref name="output"/> under <paramref name="outDir"/> (null when it would leave it).</summary>
    public static string? PathOf(string outDir, BoundOutput output)
        => OutputPaths.Resolve(outDir, output.PathTemplate, Stem) is { } full ? Path.ChangeExtension(full, ".csv") : null;

    /// <summary>The combined tables of a batch of <paramref name="itemCount"/> items as a shard's manifest records them (output name -> path relative to --out).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Recorded(BoundRecipe recipe, string outDir, int itemCount)
        => Outputs(recipe, itemCount)
            .Select(o => PathOf(outDir, o) is { } full ? new KeyValuePair<string, string>(o.Name, OutputTargets.Recorded(Path.GetFullPath(outDir), full)) : default)
            .Where(kv => kv.Key is not null)
            .ToList();

    /// <summary>
    /// `merge`: the combined tables the shards recorded, from the merged items' per-item files (succeeded items, in
    /// batch order). The recorded paths are untrusted: each must be a `.csv` inside --out that is no item's output
    /// and not the manifest, and each per-item file is read only when no folder on its way is a symbolic link (nor
    /// the file itself). Problems are reported (XRF2020); false when one table was not written.
    /// </summary>
    public static bool WriteMerged(string outDir, IReadOnlyList<KeyValuePair<string, string>> combined, IReadOnlyList<ManifestItem> items, DiagnosticBag diagnostics)
    {
        string root = Path.GetFullPath(outDir);
        var claimed = items.SelectMany(i => i.Outputs).Select(o => o.Path).ToHashSet(StringComparer.Ordinal);
        bool ok = true;
        foreach (var (name, recorded) in combined)
        {
            try
            {
                if (OutputPaths.Resolve(root, recorded, Stem) is not { } full || !full.EndsWith(".csv", StringComparison.Ordinal)
                    || claimed.Contains(recorded) || recorded == Manifest.FileName)
                {
                    throw new InvalidDataException("the shards' manifests record it as a combined table, but it is not a .csv path inside the folder apart from the outputs and the manifest");
                }

                var files = new List<(string File, string? Sha256)>();
                OutputFormat? format = null;
                foreach (var item in items.Where(i => i.Succeeded))
                {
                    if (item.Outputs.FirstOrDefault(o => o.Output == name) is not { } o || OutputPaths.Resolve(root, o.Path, Stem) is not { } file)
                    {
                        continue;
                    }

                    // The per-item file is read back, so it must be inside the folder for real: a folder on the way
                    // that is a symbolic link (planted beside shard manifests someone shared) would let the merged
                    // table copy a file from anywhere (the file itself is opened without following a link).
                    if (OutputPaths.LinkedFolder(root, file) is { } link)
                    {
                        throw new InvalidDataException($"the table of '{item.Name}', '{o.Path}', goes through the symbolic link '{link}'; merge reads only files inside the folder");
                    }

                    format ??= file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? OutputFormat.Json : OutputFormat.Csv;
                    files.Add((file, o.Sha256));
                }

                if (files.Count == 0)
                {
                    continue;
                }

                string text = Combine(files, format!.Value, root);
                OutputPaths.CreateFolders(root, full);
                AtomicFile.WriteAllText(full, text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                diagnostics.Report(DiagnosticCodes.OutputWriteFailed, null, recorded, e.Message);
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Writes the combined tables; false (with XRF2020 reported) when one could not be written.</summary>
    public static bool Write(RunRequest request, IReadOnlyList<RunItem> items, IReadOnlyList<ManifestItem?> results,
        IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets, DiagnosticBag diagnostics)
    {
        bool ok = true;
        foreach (var output in Outputs(request.Recipe, items.Count))
        {
            if (PathOf(request.OutDir, output) is not { } path)
            {
                continue; // reported by OutputTargets
            }

            string shown = OutputTargets.Recorded(Path.GetFullPath(request.OutDir), path);
            try
            {
                var files = new List<(string File, string? Sha256)>();
                for (int i = 0; i < items.Count; i++)
                {
                    if (results[i] is { Succeeded: true } && targets[items[i]].FirstOrDefault(t => t.Output.Name == output.Name) is { } t)
                    {
                        files.Add((t.FullPath, null)); // written by this run, or checked by --resume: not hashed again
                    }
                }

                if (files.Count == 0)
                {
                    continue;
                }

                string text = Combine(files, output.Format, request.OutDir);
                OutputPaths.CreateFolders(Path.GetFullPath(request.OutDir), path);
                AtomicFile.WriteAllText(path, text);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                diagnostics.Report(DiagnosticCodes.OutputWriteFailed, null, shown, e.Message);
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>The per-item tables under one header.</summary>
    /// <exception cref="InvalidDataException">A per-item file is not a CSV table.</exception>
    /// <summary>The combined CSV of the per-item tables; each file's bytes must hash to what its item recorded (when given: merge's files, which others may have touched).</summary>
    private static string Combine(IReadOnlyList<(string File, string? Sha256)> files, OutputFormat format, string outDir)
    {
        var header = new List<string>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var tables = new List<(List<string> Header, List<List<string>> Rows)>();
        foreach (var (file, sha256) in files)
        {
            var bytes = UntrustedFile.ReadAllBytes(file, MaxItemBytes, followLinks: false);
            if (sha256 is not null && !string.Equals(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)), sha256, StringComparison.Ordinal))
            {
                // What a shard recorded is what is joined: a file changed or copied over since (xrayflow verify names it).
                throw new InvalidDataException($"'{Path.GetRelativePath(outDir, file)}' is not the file its shard recorded (its SHA-256 differs): rerun that item's shard, or see xrayflow verify");
            }

            string text = format == OutputFormat.Json ? CsvOfJson(bytes, Path.GetRelativePath(outDir, file)) : Encoding.UTF8.GetString(bytes);
            var lines = TableCsv.Parse(text);
            if (lines is not { Count: > 0 })
            {
                throw new InvalidDataException($"'{Path.GetRelativePath(outDir, file)}' is not a table written by xrayflow (empty, or broken quoting)");
            }

            foreach (var column in lines[0])
            {
                if (index.TryAdd(column, header.Count))
                {
                    header.Add(column);
                }
            }

            tables.Add((lines[0], lines.Skip(1).ToList()));
        }

        var sb = new StringBuilder();
        TableCsv.AppendLine(sb, header);
        foreach (var (columns, rows) in tables)
        {
            foreach (var row in rows)
            {
                var cells = new string[header.Count];
                Array.Fill(cells, string.Empty);
                for (int c = 0; c < Math.Min(columns.Count, row.Count); c++)
                {
                    cells[index[columns[c]]] = row[c];
                }

                TableCsv.AppendLine(sb, cells);
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The CSV of a per-item `.json` table as <see cref="OutputWriter.Json"/> wrote it: an object whose first field
    /// names the item, then the table's fields (numbers, strings, booleans, null, or flat lists of them).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not such a table.</exception>
    private static string CsvOfJson(byte[] bytes, string shown)
    {
        InvalidDataException NotATable(string why) => new($"'{shown}' is not a table written by xrayflow ({why})");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw NotATable(e.Message);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw NotATable("not a JSON object");
            }

            string? item = null;
            var fields = new List<KeyValuePair<string, object>>();
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (item is null && p.Name == TableCsv.ItemColumn && p.Value.ValueKind == JsonValueKind.String)
                {
                    item = p.Value.GetString();
                    continue;
                }

                object? v = p.Value.ValueKind == JsonValueKind.Array
                    ? p.Value.EnumerateArray().Select(e => Scalar(e) ?? throw NotATable($"'{p.Name}' holds a nested value")).Select(o => o == DBNull.Value ? null : o).ToList()
                    : Scalar(p.Value) ?? throw NotATable($"'{p.Name}' is a nested value");
                fields.Add(new(p.Name, v == DBNull.Value ? null! : v));
            }

            return TableCsv.Write(new TableValue(fields), item ?? throw NotATable($"no '{TableCsv.ItemColumn}' field naming the item"));
        }
    }

    /// <summary>A JSON scalar as a table value (null as DBNull), or null for an object or array.</summary>
    private static object? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetDouble(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => DBNull.Value,
        _ => null,
    };
}

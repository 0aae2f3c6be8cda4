using System.Globalization;
using System.Text;
using System.Text.Json;
using XRayFlow.Cli.Output;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Text;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Running;
using XRayFlow.Pipeline.Running.Sharding;

namespace XRayFlow.Cli.Commands;

/// <summary>What `xrayflow run` prints besides diagnostics: the progress label, the --dry-run listing and the --json summary (docs/cli-json.md).</summary>
internal static class RunOutput
{
    /// <summary>
    /// The progress bar's label: `recipe 12/450 00000011_003 3.4 images/s` (the item just finished, the rate over the
    /// run so far; no rate before the first item or in the first 10 ms).
    /// </summary>
    public static string ProgressLabel(string recipe, int done, int total, string? current, double seconds)
    {
        var sb = new StringBuilder();
        sb.Append(Printable.Escape(recipe)).Append(' ').Append(done.ToString(CultureInfo.InvariantCulture)).Append('/').Append(total.ToString(CultureInfo.InvariantCulture));
        if (current is not null)
        {
            string name = Printable.Escape(current);
            sb.Append(' ').Append(name.Length > 32 ? "..." + name[^29..] : name);
        }

        if (done > 0 && seconds >= 0.01)
        {
            double rate = done / seconds;
            sb.Append(' ').Append(rate.ToString(rate >= 10 ? "F0" : "F1", CultureInfo.InvariantCulture)).Append(" images/s");
        }

        return sb.ToString();
    }

    /// <summary>--dry-run: each item with its input files and output paths, then the manifest; nothing was read or written.</summary>
    public static string DryRunText(BoundRecipe recipe, DryRunReport dry, Shard? shard, IReadOnlyList<string> notRead, string? report = null)
    {
        var sb = new StringBuilder();
        string ofShard = shard is null ? string.Empty : $", shard {shard.Index} of {shard.Count}";
        sb.Append(CultureInfo.InvariantCulture, $"xrayflow: dry run of '{recipe.Name}': {dry.Items.Count} of {dry.Total} input(s){ofShard}; nothing read, written or created\n");
        foreach (var item in dry.Items)
        {
            sb.Append("  ").Append(item.Name).Append('\n');
            foreach (var (input, files) in item.Files)
            {
                foreach (var f in files)
                {
                    sb.Append("    ").Append(input).Append(" <- ").Append(f).Append('\n');
                }
            }

            if (dry.Targets.TryGetValue(item, out var targets))
            {
                foreach (var t in targets)
                {
                    sb.Append("    ").Append(t.Output.Name).Append(" -> ").Append(t.FullPath).Append('\n');
                }
            }
        }

        foreach (var f in notRead)
        {
            sb.Append("  not read (not among the files the run may read): ").Append(f).Append('\n');
        }

        sb.Append("  manifest -> ").Append(Path.GetFullPath(dry.ManifestPath)).Append('\n');
        if (report is not null)
        {
            sb.Append("  report -> ").Append(Path.GetFullPath(report)).Append('\n');
        }

        return sb.ToString();
    }

    public static string DryRunJson(BoundRecipe recipe, DryRunReport dry, Shard? shard, IReadOnlyList<string> notRead, string? report = null) => CliJson.Document(w =>
    {
        w.WriteString("recipe", recipe.Name);
        w.WriteBoolean("dryRun", true);
        w.WriteNumber("exit", ExitCodes.Success);
        Shard(w, shard);
        w.WriteNumber("total", dry.Total);
        w.WriteStartArray("items");
        foreach (var item in dry.Items)
        {
            w.WriteStartObject();
            w.WriteString("name", item.Name);
            w.WriteStartObject("inputs");
            foreach (var (input, files) in item.Files)
            {
                CliJson.Strings(w, input, files);
            }

            w.WriteEndObject();
            w.WriteStartArray("outputs");
            foreach (var t in dry.Targets.TryGetValue(item, out var targets) ? targets : [])
            {
                w.WriteStartObject();
                w.WriteString("output", t.Output.Name);
                w.WriteString("path", t.FullPath);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        CliJson.Strings(w, "notRead", notRead);
        w.WriteString("manifest", Path.GetFullPath(dry.ManifestPath));
        CliJson.StringOrNull(w, "report", report is null ? null : Path.GetFullPath(report));
    });

    /// <summary>`run --json` when nothing ran (exit 2): the diagnostics that refused it; <paramref name="recipe"/> null when the recipe was not loaded.</summary>
    public static string InvalidJson(string? recipe, IReadOnlyList<Diagnostic> diagnostics) => CliJson.Document(w =>
    {
        CliJson.StringOrNull(w, "recipe", recipe);
        w.WriteNumber("exit", ExitCodes.Invalid);
        CliJson.Diagnostics(w, "diagnostics", diagnostics);
    });

    /// <summary>`run --json` after a run: counts, each failure, the output folder and manifest, the diagnostics.</summary>
    public static string SummaryJson(RunResult result, string outDir, Shard? shard, string? profile) => CliJson.Document(w =>
    {
        var items = result.Manifest!.Items;
        w.WriteString("recipe", result.Manifest.RecipeName);
        w.WriteNumber("exit", result.ExitCode);
        Shard(w, shard);
        w.WriteNumber("items", result.Total);
        w.WriteNumber("done", items.Count(i => i.Succeeded));
        w.WriteNumber("resumed", items.Count(i => i.Status == "resumed"));
        w.WriteNumber("failed", items.Count(i => !i.Succeeded));
        w.WriteNumber("notRun", result.NotRun);
        w.WriteStartArray("failures");
        foreach (var f in result.Failures)
        {
            w.WriteStartObject();
            w.WriteString("name", f.Name);
            w.WriteString("error", f.Error ?? string.Empty);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("out", Path.GetFullPath(outDir));
        w.WriteString("manifest", Path.GetFullPath(Path.Combine(outDir, result.ManifestFileName)));
        CliJson.StringOrNull(w, "profile", profile is null ? null : Path.GetFullPath(profile));
        CliJson.Diagnostics(w, "diagnostics", result.Diagnostics);
    });

    private static void Shard(Utf8JsonWriter w, Shard? shard)
    {
        if (shard is null)
        {
            w.WriteNull("shard");
            return;
        }

        w.WriteStartObject("shard");
        w.WriteNumber("index", shard.Index);
        w.WriteNumber("count", shard.Count);
        w.WriteEndObject();
    }
}

using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>The runner's door to the report: checks its path before the run, writes it after.</summary>
public static class RunReport
{
    /// <summary>XRF2008 when an output would be written where the report goes, or below it (`report.html/...` in --out).</summary>
    public static void CheckCollisions(IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets, string outDir, string fileName, DiagnosticBag diagnostics)
    {
        string reportFull = Path.GetFullPath(Path.Combine(outDir, fileName));
        foreach (var (item, list) in targets)
        {
            foreach (var t in list.Where(t => t.FullPath == reportFull || t.FullPath.StartsWith(reportFull + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                string who = targets.Count > 1 ? $"'{item.Name}' (output {t.Output.Name})" : $"output {t.Output.Name}";
                diagnostics.Report(DiagnosticCodes.OutputCollision, t.Output.Location, t.RecordedPath, who, $"the run's report (--report writes {fileName})", " (give the output another name)");
                return;
            }
        }
    }

    /// <summary>
    /// Renders and writes report.html (atomically) into --out; false with XRF2038 when it cannot be written. Its warnings
    /// are the recipe's, then the run's so far (<paramref name="diagnostics"/>: the expressions', the plan's, an unusable
    /// --resume manifest), as stderr shows them.
    /// </summary>
    internal static bool TryWrite(RunRequest request, Plan plan, Manifest manifest, int notRun, ReportCollector collector, TimeSpan elapsed, DiagnosticBag diagnostics)
    {
        string path = Path.Combine(request.OutDir, ReportOptions.FileNameFor(request.Shard));
        var options = request.Report ?? new ReportOptions();
        var data = new ReportData(plan, manifest, collector, RecipeText(request.Recipe.Path), elapsed, manifest.Threads,
            [.. options.RecipeDiagnostics, .. diagnostics.Where(d => d.Severity == Severity.Warning)], options) { NotRun = notRun, MaxFailures = request.MaxFailures };
        try
        {
            request.WriteFile(path, Encoding.UTF8.GetBytes(ReportPage.Render(data)));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(DiagnosticCodes.ReportWriteFailed, null, path, e.Message);
            return false;
        }
    }

    /// <summary>
    /// The page a live preview shows before its first good run: the report's frame (style, the live script of
    /// <paramref name="options"/>) around a line saying so; the script fills in the diagnostics.
    /// </summary>
    public static string WaitingPage(string title, ReportOptions options)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"")
            .Append(options.LiveScript is null ? ReportPage.StaticPolicy : ReportPage.LivePolicy).Append("\">\n<title>").Append(Html.E(title)).Append(": xrayflow report</title>\n<style>")
            .Append(ReportStyle.Css).Append("</style></head>\n<body>\n<div id=\"xrf-live\" hidden></div>\n<main id=\"xrf-main\"><header><h1>").Append(Html.E(title))
            .Append("</h1></header>\n<p class=\"note\">No successful run yet: the pictures appear here after the first valid run.</p></main>\n");
        if (options.LiveScript is { } script)
        {
            sb.Append("<script>").Append(script).Append("</script>\n");
        }

        sb.Append("</body></html>\n");
        return sb.ToString();
    }

    /// <summary>The recipe file's text as the loader reads it (at most 1 MiB, UTF-8), or null when it cannot be read now.</summary>
    public static string? RecipeText(string path)
    {
        try
        {
            return Encoding.UTF8.GetString(UntrustedFile.ReadAllBytes(path, YamlTreeReader.MaxBytes));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Everything a report page shows.</summary>
internal sealed record ReportData(Plan Plan, Manifest Manifest, ReportCollector Collector, string? RecipeText, TimeSpan Elapsed, int Threads, IReadOnlyList<Diagnostic> Diagnostics, ReportOptions Options)
{
    /// <summary>Items of the run never started: it stopped after <see cref="MaxFailures"/> failures (`--max-failures`).</summary>
    public int NotRun { get; init; }

    public int? MaxFailures { get; init; }
}

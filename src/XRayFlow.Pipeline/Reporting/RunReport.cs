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
    /// <summary>XRF2008 when an output would be written where the report goes (`report.html` in --out).</summary>
    public static void CheckCollisions(IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets, string outDir, DiagnosticBag diagnostics)
    {
        string reportFull = Path.GetFullPath(Path.Combine(outDir, ReportOptions.FileName));
        foreach (var (item, list) in targets)
        {
            foreach (var t in list.Where(t => t.FullPath == reportFull))
            {
                string who = targets.Count > 1 ? $"'{item.Name}' (output {t.Output.Name})" : $"output {t.Output.Name}";
                diagnostics.Report(DiagnosticCodes.OutputCollision, t.Output.Location, ReportOptions.FileName, who, "the run's report (--report)");
                return;
            }
        }
    }

    /// <summary>Renders and writes report.html (atomically) into --out; false with XRF2036 when it cannot be written.</summary>
    internal static bool TryWrite(RunRequest request, Plan plan, Manifest manifest, ReportCollector collector, TimeSpan elapsed, DiagnosticBag diagnostics)
    {
        string path = Path.Combine(request.OutDir, ReportOptions.FileName);
        var options = request.Report ?? new ReportOptions();
        var data = new ReportData(plan, manifest, collector, RecipeText(request.Recipe.Path), elapsed, manifest.Threads,
            [.. options.RecipeDiagnostics, .. plan.Diagnostics], options);
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

    /// <summary>The recipe file's text as the loader reads it (at most 1 MiB, UTF-8), or null when it cannot be read now.</summary>
    internal static string? RecipeText(string path)
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
internal sealed record ReportData(Plan Plan, Manifest Manifest, ReportCollector Collector, string? RecipeText, TimeSpan Elapsed, int Threads, IReadOnlyList<Diagnostic> Diagnostics, ReportOptions Options);

using XRayFlow.Core.Diagnostics;

namespace XRayFlow;

/// <summary>How serious a <see cref="RecipeDiagnostic"/> is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Nothing was run (invalid recipe or inputs), or the run failed.</summary>
    Error,

    /// <summary>The recipe runs, but probably not as meant (for example XRF1058, fourier_gaussian on an image).</summary>
    Warning,

    /// <summary>For information only.</summary>
    Info,
}

/// <summary>
/// One problem, as data: a stable code (<c>XRF####</c>, each with one message text; README "Exit codes" and
/// docs/recipe-language.md list them), a severity, where (recipe file, 1-based line and column, when there is a
/// place), and the message.
/// </summary>
/// <param name="Code">The stable code, e.g. <c>XRF1003</c> (unknown op).</param>
/// <param name="Severity">Error, warning or info.</param>
/// <param name="File">The recipe file as given to <see cref="Recipe.Load"/>, or null when the problem has no place.</param>
/// <param name="Line">1-based line in <paramref name="File"/>, or 0.</param>
/// <param name="Column">1-based column in <paramref name="File"/>, or 0.</param>
/// <param name="Message">The message text.</param>
public sealed record RecipeDiagnostic(string Code, DiagnosticSeverity Severity, string? File, int Line, int Column, string Message)
{
    /// <summary>True for <see cref="DiagnosticSeverity.Error"/>.</summary>
    public bool IsError => Severity == DiagnosticSeverity.Error;

    /// <summary>Compiler style, as the command line prints it: <c>path:line:col: error XRF1003: message</c>.</summary>
    public override string ToString()
    {
        string sev = Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Warning => "warning",
            _ => "info",
        };
        return File is null ? $"xrayflow: {sev} {Code}: {Message}" : $"{File}:{Line}:{Column}: {sev} {Code}: {Message}";
    }

    internal static RecipeDiagnostic From(Diagnostic d) => new(
        d.Code,
        d.Severity switch
        {
            XRayFlow.Core.Diagnostics.Severity.Error => DiagnosticSeverity.Error,
            XRayFlow.Core.Diagnostics.Severity.Warning => DiagnosticSeverity.Warning,
            _ => DiagnosticSeverity.Info,
        },
        d.Location?.File,
        d.Location?.Line ?? 0,
        d.Location?.Column ?? 0,
        d.Message);

    internal static IReadOnlyList<RecipeDiagnostic> From(IEnumerable<Diagnostic> ds) => ds.Select(From).ToList();
}

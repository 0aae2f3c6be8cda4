namespace XRayFlow.Core.Diagnostics;

/// <summary>
/// Every diagnostic code and its one message text. Codes are stable: never renumber or reuse one.
/// Ranges: XRF1xxx recipe syntax and binding, XRF2xxx command line and runs, XRF3xxx inline
/// expressions, XRF4xxx inputs and codecs, XRF5xxx planning and outputs.
/// Each area appends only inside its own section.
/// </summary>
public static class DiagnosticCodes
{
    // ===== XRF1xxx: recipe syntax and binding =====================================================
    public static readonly DiagnosticDescriptor YamlSyntax = new("XRF1001", Severity.Error, "invalid YAML: {0}");

    // ===== end XRF1xxx =============================================================================


    // ===== XRF2xxx: command line and runs ==========================================================
    public static readonly DiagnosticDescriptor BadCommandLine = new("XRF2001", Severity.Error, "{0}");

    public static readonly DiagnosticDescriptor InputNotBound = new("XRF2002", Severity.Error, "input '{0}' has no file: give --input {0}=PATH (or a `default:` path in the recipe)");
    public static readonly DiagnosticDescriptor UnknownInputName = new("XRF2003", Severity.Error, "--input names '{0}', which the recipe does not declare (its inputs: {1})");
    public static readonly DiagnosticDescriptor NotNameValue = new("XRF2004", Severity.Error, "{0} '{1}' is not NAME=VALUE");
    public static readonly DiagnosticDescriptor InputFileMissing = new("XRF2005", Severity.Error, "input '{0}': file '{1}' does not exist");
    public static readonly DiagnosticDescriptor GlobNoMatch = new("XRF2006", Severity.Error, "input '{0}': no file matches '{1}'");
    public static readonly DiagnosticDescriptor TwoBatchInputs = new("XRF2007", Severity.Error, "only one image input may be a glob (a batch); '{0}' and '{1}' both are");
    public static readonly DiagnosticDescriptor OutputCollision = new("XRF2008", Severity.Error, "outputs collide: '{0}' would be written for {1} and for {2} (put {{stem}} in the output path)");
    public static readonly DiagnosticDescriptor OutputOutsideOut = new("XRF2009", Severity.Error, "output '{0}': path '{1}' is absolute or leaves the output folder");
    public static readonly DiagnosticDescriptor RecipeFileMissing = new("XRF2010", Severity.Error, "recipe file '{0}' does not exist");
    public static readonly DiagnosticDescriptor NoExpressionCompiler = new("XRF2011", Severity.Error, "step '{0}' has inline expressions but no expression compiler is available");
    public static readonly DiagnosticDescriptor InputFailed = new("XRF2012", Severity.Error, "{0}: failed: {1}");
    public static readonly DiagnosticDescriptor ManifestUnreadable = new("XRF2013", Severity.Error, "cannot read manifest '{0}': {1}");
    public static readonly DiagnosticDescriptor RecipeChanged = new("XRF2014", Severity.Error, "recipe '{0}' changed since the run (sha256 {1}; the manifest says {2})");
    public static readonly DiagnosticDescriptor VerifyDifference = new("XRF2015", Severity.Error, "{0}: {1}");
    public static readonly DiagnosticDescriptor UnknownOpName = new("XRF2016", Severity.Error, "no op named '{0}'{1}");
    public static readonly DiagnosticDescriptor NotImplemented = new("XRF2017", Severity.Error, "'{0}' is not implemented yet");
    public static readonly DiagnosticDescriptor InternalError = new("XRF2018", Severity.Error, "internal error: {0} (this is a bug in xrayflow; please report it)");
    public static readonly DiagnosticDescriptor TooManyPixels = new("XRF2019", Severity.Error, "{0} has {1} pixels, more than --max-pixels {2}");
    public static readonly DiagnosticDescriptor OutputWriteFailed = new("XRF2020", Severity.Error, "cannot write output '{0}': {1}");
    public static readonly DiagnosticDescriptor BadOptionValue = new("XRF2021", Severity.Error, "{0}: {1}");
    public static readonly DiagnosticDescriptor ImageUnreadable = new("XRF2022", Severity.Error, "cannot read image '{0}': {1}");

    // ===== end XRF2xxx =============================================================================


    // ===== XRF3xxx: inline C# expressions ==========================================================
    public static readonly DiagnosticDescriptor ExpressionSyntax = new("XRF3001", Severity.Error, "{0}");

    // ===== end XRF3xxx =============================================================================


    // ===== XRF4xxx: inputs and codecs ==============================================================
    public static readonly DiagnosticDescriptor InputUnreadable = new("XRF4001", Severity.Error, "cannot read input '{0}': {1}");

    // ===== end XRF4xxx =============================================================================


    // ===== XRF5xxx: planning and outputs ===========================================================
    public static readonly DiagnosticDescriptor UnusedStep = new("XRF5001", Severity.Warning, "step '{0}' reaches no output and is skipped");

    // ===== end XRF5xxx =============================================================================

    /// <summary>All descriptors, found by reflection once (for docs and for the each-code-has-a-test check).</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
        typeof(DiagnosticCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Code, StringComparer.Ordinal)
            .ToList();
}

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

    // ===== end XRF2xxx =============================================================================


    // ===== XRF3xxx: inline C# expressions ==========================================================
    public static readonly DiagnosticDescriptor ExpressionSyntax = new("XRF3001", Severity.Error, "not a single C# expression: {0}");
    public static readonly DiagnosticDescriptor ExpressionForbiddenConstruct = new("XRF3002", Severity.Error, "{0} is not allowed in an expression: {1}");
    public static readonly DiagnosticDescriptor ExpressionForbiddenSymbol = new("XRF3003", Severity.Error, "'{0}' is not allowed in an expression: only the step's variables, Math/MathF members and numeric constants may be used");
    public static readonly DiagnosticDescriptor ExpressionUnknownName = new("XRF3004", Severity.Error, "unknown name '{0}' in expression{1}; the variables here are {2}");
    public static readonly DiagnosticDescriptor ExpressionType = new("XRF3005", Severity.Error, "'{0}' must be {1}, but this expression is of type {2}");
    public static readonly DiagnosticDescriptor ExpressionTooLong = new("XRF3006", Severity.Error, "expression is {0} bytes long; the limit is {1} bytes");
    public static readonly DiagnosticDescriptor ExpressionTooDeep = new("XRF3007", Severity.Error, "expression nests deeper than {0} levels");
    public static readonly DiagnosticDescriptor ExpressionCompile = new("XRF3008", Severity.Error, "C# {0}: {1}");
    public static readonly DiagnosticDescriptor ExpressionBadVariable = new("XRF3009", Severity.Error, "'{0}' cannot name an expression variable: {1}");
    public static readonly DiagnosticDescriptor ExpressionStepShape = new("XRF3010", Severity.Error, "step '{0}': {1}");

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

namespace XRayFlow.Core.Diagnostics;

public enum Severity
{
    Error,
    Warning,
    Info,
}

/// <summary>A 1-based line and column in a file (a recipe, usually).</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";

    /// <summary>The location <paramref name="columns"/> characters to the right on the same line.</summary>
    public SourceLocation Shift(int columns) => this with { Column = Column + columns };
}

/// <summary>
/// A user-facing problem as a value: a stable code, a severity, where, and the message.
/// Built only through <see cref="DiagnosticDescriptor.Create"/>, so each code has one text.
/// </summary>
public sealed record Diagnostic(string Code, Severity Severity, SourceLocation? Location, string Message)
{
    public bool IsError => Severity == Severity.Error;

    /// <summary>
    /// Compiler style, one line: <c>path:line:col: error XRF1003: message</c>. A line break in the text (a quoted
    /// "gauss\nian" op name, a file name) is written as its escape (<c>\x0a</c>), so a diagnostic is always one line.
    /// </summary>
    public override string ToString()
    {
        string sev = Severity switch
        {
            Severity.Error => "error",
            Severity.Warning => "warning",
            _ => "info",
        };
        string line = Location is { } loc ? $"{loc}: {sev} {Code}: {Message}" : $"xrayflow: {sev} {Code}: {Message}";
        return line.AsSpan().IndexOfAny(LineBreaks) < 0 ? line : OneLine(line);
    }

    private static readonly System.Buffers.SearchValues<char> LineBreaks = System.Buffers.SearchValues.Create("\r\n\u0085\u2028\u2029");

    private static string OneLine(string text)
    {
        var sb = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            sb.Append(LineBreaks.Contains(c) ? Text.Printable.Escape(c.ToString()) : c.ToString());
        }

        return sb.ToString();
    }
}

/// <summary>A code, its severity and its one message format (string.Format placeholders).</summary>
public sealed record DiagnosticDescriptor(string Code, Severity Severity, string Format)
{
    public Diagnostic Create(SourceLocation? location, params object?[] args)
        => new(Code, Severity, location, args.Length == 0 ? Format : string.Format(System.Globalization.CultureInfo.InvariantCulture, Format, args));
}

using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Cli;

/// <summary>Loads and binds a recipe: the bound recipe (null on errors) and all diagnostics.</summary>
public delegate (BoundRecipe? Recipe, IReadOnlyList<Diagnostic> Diagnostics) RecipeLoad(string path, IReadOnlyDictionary<string, string> setOverrides);

/// <summary>
/// What the commands talk to: output streams, whether a person watches a terminal, and the recipe loader and
/// expression compiler (replaceable so tests run the CLI in-process).
/// </summary>
public sealed class CliHost
{
    public required TextWriter Out { get; init; }

    public required TextWriter Err { get; init; }

    /// <summary>A terminal is attached (progress bar) rather than a pipe, a file or CI (plain lines).</summary>
    public bool Interactive { get; init; }

    /// <summary>
    /// Diagnostics in colour with the source line and a caret (stderr is a terminal, TERM is not dumb, NO_COLOR is not
    /// set); else the plain one-line form scripts parse (<see cref="Output.DiagnosticRenderer"/>).
    /// </summary>
    public bool Styled { get; init; }

    /// <summary>Columns of the terminal (80 when not a terminal), for tables that wrap between words.</summary>
    public int Width { get; init; } = 100;

    public RecipeLoad LoadRecipe { get; init; } = LangBridge.Load;

    /// <summary>Creates the expression compiler; called only when a recipe has inline expressions.</summary>
    public Func<IExpressionCompiler>? CompilerFactory { get; init; } = LangBridge.CreateCompiler;

    public CancellationToken Cancellation { get; init; }

    /// <summary>The streams as given, for Spectre.Console's own drawing (help, the progress bar), which writes escape sequences on purpose.</summary>
    internal TextWriter RawOut { get; private init; } = TextWriter.Null;

    /// <inheritdoc cref="RawOut"/>
    internal TextWriter RawErr { get; private init; } = TextWriter.Null;

    /// <summary>This host with <see cref="Out"/> and <see cref="Err"/> showing control characters as \xNN (what the commands print to).</summary>
    internal CliHost WithPrintableOutput() => Copy(new PrintableWriter(Out), new PrintableWriter(Err), Out, Err, OnlyErrors);

    public static CliHost FromConsole(CancellationToken cancellation) => new()
    {
        Out = Console.Out,
        Err = Console.Error,
        Interactive = !Console.IsOutputRedirected && !Console.IsErrorRedirected
            && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
            && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb"),
        Cancellation = cancellation,
        Width = ConsoleWidth(),
        Styled = !Console.IsErrorRedirected
            && Environment.GetEnvironmentVariable("TERM") is not (null or "dumb")
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR")),
    };

    private static int ConsoleWidth()
    {
        try
        {
            return Console.IsOutputRedirected ? 100 : Math.Max(40, Console.WindowWidth);
        }
        catch (IOException)
        {
            return 100;
        }
    }

    /// <summary>Warnings and notes are not reported (`--quiet`).</summary>
    internal bool OnlyErrors { get; private init; }

    /// <summary>This host reporting errors only (`run --quiet`).</summary>
    internal CliHost ErrorsOnly() => Copy(Out, Err, RawOut, RawErr, onlyErrors: true);

    /// <summary>This host with other streams (and <paramref name="onlyErrors"/>): every other property kept.</summary>
    private CliHost Copy(TextWriter output, TextWriter error, TextWriter rawOut, TextWriter rawErr, bool onlyErrors) => new()
    {
        Out = output,
        Err = error,
        RawOut = rawOut,
        RawErr = rawErr,
        Interactive = Interactive,
        LoadRecipe = LoadRecipe,
        CompilerFactory = CompilerFactory,
        Cancellation = Cancellation,
        Width = Width,
        Styled = Styled,
        OnlyErrors = onlyErrors,
    };

    public void Report(Diagnostic d)
    {
        if (OnlyErrors && !d.IsError)
        {
            return;
        }

        if (Styled)
        {
            // The renderer escapes what it takes from the file and the message; its colour codes go out raw.
            (RawErr == TextWriter.Null ? Err : RawErr).Write(Output.DiagnosticRenderer.Render(d, terminal: true));
        }
        else
        {
            Err.WriteLine(d.ToString());
        }
    }

    public void Report(IEnumerable<Diagnostic> ds)
    {
        foreach (var d in ds)
        {
            Report(d);
        }
    }
}

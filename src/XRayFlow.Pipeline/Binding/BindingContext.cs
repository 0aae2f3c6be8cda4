using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// What the section binders share while one recipe is bound: the file, the op table, the diagnostics, the
/// recipe params (after `--set`) and the names steps and outputs can read (inputs, then steps in file order).
/// </summary>
internal sealed partial class BindingContext
{
    public BindingContext(string file, IReadOnlyDictionary<string, OpDefinition> ops, DiagnosticBag diagnostics)
    {
        File = file;
        Ops = ops;
        Diagnostics = diagnostics;
    }

    /// <summary>The recipe file as given (named in every location).</summary>
    public string File { get; }

    /// <summary>The id of the step being bound (null outside steps): a reference to it is to itself, which no value can be.</summary>
    public string? CurrentStep { get; set; }

    /// <summary>The folder relative `default:` and test paths are resolved against: the recipe file's own.</summary>
    public string Folder => Path.GetDirectoryName(Path.GetFullPath(File)) ?? Directory.GetCurrentDirectory();

    public IReadOnlyDictionary<string, OpDefinition> Ops { get; }

    public DiagnosticBag Diagnostics { get; }

    /// <summary>The recipe params by name, values after `--set`.</summary>
    public Dictionary<string, ParamSymbol> Params { get; } = new(StringComparer.Ordinal);

    /// <summary>Params declared with a value that was refused (already reported): a `${name}` of one is not reported again as unknown.</summary>
    public HashSet<string> RefusedParams { get; } = new(StringComparer.Ordinal);

    /// <summary>The inputs and the steps bound so far, by name.</summary>
    public Dictionary<string, Symbol> Symbols { get; } = new(StringComparer.Ordinal);

    public SourceLocation FileStart => new(File, 1, 1);

    public int ErrorCount => Diagnostics.Count(d => d.IsError);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    /// <summary>The scalar's text, or null after reporting that <paramref name="what"/> must be a string.</summary>
    public string? ReadText(YamlNode node, string what)
    {
        if (node is YamlScalar s && !s.IsNull)
        {
            return s.Value;
        }

        Diagnostics.ReportWrongNodeType(node.Start, what, "a string", node.Describe());
        return null;
    }

    /// <summary>A path the recipe writes (`default:`, a test's input, an `npy:` reference): text without a NUL (XRF1071), which no path can hold.</summary>
    public string? ReadPath(YamlNode node, string what)
    {
        string? text = ReadText(node, what);
        if (text is not null && text.Contains('\0'))
        {
            Diagnostics.ReportPathHasNul(node.Start, what);
            return null;
        }

        return text;
    }

    /// <summary>True when <paramref name="name"/> is an identifier; else reports it as an invalid <paramref name="what"/>.</summary>
    public bool CheckIdentifier(YamlScalar name, string what)
    {
        if (Identifier().IsMatch(name.Value))
        {
            return true;
        }

        Diagnostics.ReportInvalidName(name.Start, name.Value, what);
        return false;
    }
}

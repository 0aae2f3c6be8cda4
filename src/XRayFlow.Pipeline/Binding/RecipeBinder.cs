using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// Binds a recipe tree against an op table, section by section (version, params, inputs, steps, outputs, tests;
/// each a small binder sharing one <see cref="BindingContext"/>): resolves names, checks every step's inputs and
/// parameters, tracks value kinds (image / stack / table / scalar), checks outputs and the `tests:` section, and
/// reports ALL problems in one pass. Produces a <see cref="BoundRecipe"/> only when there is no error.
/// </summary>
internal sealed class RecipeBinder
{
    /// <summary>Language versions this binder accepts.</summary>
    public static readonly IReadOnlyList<int> SupportedVersions = [1];

    public static readonly IReadOnlyList<string> TopLevelKeys = ["xrayflow", "name", "description", "params", "inputs", "steps", "outputs", "tests"];

    /// <summary>Colormaps a .png / .gif output or a figure panel may name (matplotlib names, then `labels`: skimage's label2rgb).</summary>
    public static readonly IReadOnlyList<string> Colormaps = [.. Outputs.Rendering.Colormaps.Names, "labels"];

    /// <summary>Values a per-axis parameter may list: filters are 2-D (a stack is filtered frame by frame).</summary>
    public const int MaxAxes = 2;

    /// <summary>Keys of a step that are not op parameters.</summary>
    public static readonly IReadOnlyList<string> StepKeys = ["op", "id", "in", "accept"];

    /// <summary>
    /// The warnings a step can acknowledge with `accept: [code, ...]` (a language extension): those of its own op's
    /// checks (XRF1058, XRF1063) and "reaches no output" (XRF5001). The warning is then not reported for that step.
    /// </summary>
    public static readonly IReadOnlyList<Core.Diagnostics.DiagnosticDescriptor> AcceptableWarnings =
        [Core.Diagnostics.DiagnosticCodes.FourierGaussianOnSpatial, Core.Diagnostics.DiagnosticCodes.OpRuleWarning, Core.Diagnostics.DiagnosticCodes.UnusedStep];

    internal static readonly IReadOnlyList<string> PngOptions = ["bits", "colormap", "vmin", "vmax", "compression", "overlay"];
    internal static readonly IReadOnlyList<string> FigureOptions = ["panels", "columns", "title", "panel_size"];
    internal static readonly IReadOnlyList<string> GifOptions = ["duration_ms", "loop", "colormap", "vmin", "vmax"];
    internal static readonly IReadOnlyList<string> PanelKeys = ["from", "title", "colormap", "vmin", "vmax", "colorbar"];

    private readonly BindingContext _c;
    private readonly IReadOnlyDictionary<string, string> _overrides;

    private RecipeBinder(string file, IReadOnlyDictionary<string, OpDefinition> ops, IReadOnlyDictionary<string, string>? overrides, DiagnosticBag diagnostics)
    {
        _c = new BindingContext(file, ops, diagnostics);
        _overrides = overrides ?? new Dictionary<string, string>();
    }

    /// <summary>Bind <paramref name="root"/>; returns null when any error was reported (all of them are in <paramref name="diagnostics"/>).</summary>
    public static BoundRecipe? Bind(YamlNode root, string file, IReadOnlyDictionary<string, OpDefinition> ops, IReadOnlyDictionary<string, string>? overrides, DiagnosticBag diagnostics)
        => new RecipeBinder(file, ops, overrides, diagnostics).BindRecipe(root);

    /// <summary>A parameter's range in words ("&gt;= 0 and &lt;= 1"), for messages and the schema.</summary>
    internal static string RangeText(ParamSpec spec) => ParamText.Range(spec);

    /// <summary>What a parameter's value must be ("a number", "one of a, b"...), for messages.</summary>
    internal static string ExpectedText(ParamSpec spec) => ParamText.Expected(spec);

    private BoundRecipe? BindRecipe(YamlNode root)
    {
        if (root is not YamlMapping map)
        {
            _c.Diagnostics.ReportWrongNodeType(root.Start, "a recipe", "a map of keys (xrayflow, inputs, steps, outputs, ...)", root.Describe());
            return null;
        }

        foreach (var e in map.Entries.Where(e => !TopLevelKeys.Contains(e.Key.Value)))
        {
            _c.Diagnostics.ReportUnknownTopLevelKey(e.Key.Start, e.Key.Value, DidYouMean.Suffix(e.Key.Value, TopLevelKeys));
        }

        int version = BindVersion(map);
        string name = BindName(map);
        string? description = map.Find("description") is { } descEntry ? _c.ReadText(descEntry.Value, "'description'") : null;

        var parameters = new ParamsBinder(_c).Bind(map.Find("params"), _overrides);
        var inputs = new InputsBinder(_c).Bind(map.Find("inputs"));
        var steps = new StepsBinder(_c, inputs).Bind(map.Find("steps"));
        var outputs = new OutputsBinder(_c).Bind(map.Find("outputs"));
        var tests = new TestsBinder(_c, inputs, outputs).Bind(map.Find("tests"));
        if (_c.Diagnostics.HasErrors)
        {
            return null;
        }

        var recipe = new BoundRecipe
        {
            Path = _c.File,
            Name = name,
            Description = description,
            Version = version,
            Params = parameters,
            Inputs = inputs,
            Steps = steps,
            Outputs = outputs,
            Tests = tests,
            CanonicalText = string.Empty,
        };
        return recipe with { CanonicalText = CanonicalWriter.Write(recipe) };
    }

    private int BindVersion(YamlMapping map)
    {
        var entry = map.Find("xrayflow");
        if (entry is null)
        {
            _c.Diagnostics.ReportMissingVersion(map.Entries.Count > 0 ? map.Entries[0].Key.Start : _c.FileStart);
            return 1;
        }

        if (entry.Value is YamlScalar s && s.TryGetInteger(out long v) && SupportedVersions.Contains((int)v))
        {
            return (int)v;
        }

        string found = entry.Value switch
        {
            YamlScalar { IsPlain: true } plain => $"'{plain.Value}'",

            // A quoted "1" is a string, as everywhere in a recipe: say so, or the message reads "'1' ... supports: 1".
            YamlScalar { Style: ScalarStyle.Quoted } quoted when ScalarText.TryParseInteger(quoted.Value, out long q) && SupportedVersions.Contains((int)q)
                => $"\"{quoted.Value}\" (quoted, so a string: write the number unquoted, xrayflow: {q})",
            YamlScalar other => other.Describe(),
            var node => node.Describe(),
        };
        _c.Diagnostics.ReportUnsupportedVersion(entry.Value.Start, found, string.Join(", ", SupportedVersions));
        return 1;
    }

    /// <summary>The recipe's `name`, or the file name without its extension.</summary>
    private string BindName(YamlMapping map)
    {
        if (map.Find("name") is not { } entry || _c.ReadText(entry.Value, "'name'") is not { } name)
        {
            return Path.GetFileNameWithoutExtension(_c.File);
        }

        if (name.Trim().Length == 0)
        {
            _c.Diagnostics.ReportEmptyName(entry.Value.Start, "'name'");
        }

        return name;
    }
}

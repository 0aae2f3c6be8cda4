using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Binding;

/// <summary>Kinds of recipe input.</summary>
public enum InputKind
{
    /// <summary>One 2-D image; a glob runs the recipe once per file (batch).</summary>
    Image,

    /// <summary>N frames as one N x H x W array; a glob loads the files sorted by name.</summary>
    Stack,
}

/// <summary>Output formats, picked by the path's extension.</summary>
public enum OutputFormat
{
    Npy,
    Png,
    Gif,
    Json,
}

/// <summary>A recipe after binding: every name resolved, every parameter typed and checked, defaults filled.</summary>
public sealed record BoundRecipe
{
    /// <summary>The recipe file as given on the command line.</summary>
    public required string Path { get; init; }

    public required string Name { get; init; }

    public string? Description { get; init; }

    public required int Version { get; init; }

    /// <summary>Named constants after `--set` overrides, in declaration order.</summary>
    public required IReadOnlyList<BoundParam> Params { get; init; }

    public required IReadOnlyList<BoundInput> Inputs { get; init; }

    /// <summary>Steps in file order.</summary>
    public required IReadOnlyList<BoundStep> Steps { get; init; }

    public required IReadOnlyList<BoundOutput> Outputs { get; init; }

    /// <summary>The recipe's own `tests:` section, if any.</summary>
    public IReadOnlyList<RecipeTest> Tests { get; init; } = [];

    /// <summary>A canonical text of the recipe's meaning (for the manifest's recipe hash).</summary>
    public required string CanonicalText { get; init; }
}

/// <summary>A recipe param (number, bool or string) after overrides.</summary>
public sealed record BoundParam(string Name, object Value, SourceLocation Location);

public sealed record BoundInput(string Name, InputKind Kind, string? DefaultPath, SourceLocation Location);

/// <summary>A reference from a step to an input or an earlier step.</summary>
/// <param name="Source">The input or step id referred to.</param>
/// <param name="VariableName">For `in` maps: the key (an expression variable name); otherwise null.</param>
/// <param name="Location">Where the reference is written.</param>
public sealed record StepInputRef(string Source, string? VariableName, SourceLocation Location);

public sealed record BoundStep
{
    public required string Id { get; init; }

    public required OpDefinition Op { get; init; }

    public required IReadOnlyList<StepInputRef> Inputs { get; init; }

    /// <summary>Every declared parameter of the op, bound (double, int, bool, string, double[], int[], ExpressionValue) or its default.</summary>
    public required IReadOnlyDictionary<string, object?> Params { get; init; }

    /// <summary>Location of the step's `- ` item (its first key).</summary>
    public required SourceLocation Location { get; init; }
}

public sealed record BoundOutput
{
    public required string Name { get; init; }

    /// <summary>A step id or input name (for a figure: the first panel's source).</summary>
    public required string From { get; init; }

    /// <summary>
    /// Extension to dsl-v1: a `.png` output may be a figure, `{path: f.png, panels: [{from: a, title: "..",
    /// colormap: gray}, ...], columns: 3, title: ".."}`; null for a plain output.
    /// </summary>
    public IReadOnlyList<BoundPanel>? Panels { get; init; }

    /// <summary>Relative path, may contain {stem}.</summary>
    public required string PathTemplate { get; init; }

    public required OutputFormat Format { get; init; }

    /// <summary>Format options: bits, colormap, vmin, vmax, duration_ms, title...</summary>
    public IReadOnlyDictionary<string, object?> Options { get; init; } = new Dictionary<string, object?>();

    public required SourceLocation Location { get; init; }
}

/// <summary>One panel of a figure output: a source, a title and display options (colormap, vmin, vmax).</summary>
public sealed record BoundPanel(string From, string? Title, IReadOnlyDictionary<string, object?> Options, SourceLocation Location);

/// <summary>One case of a recipe's `tests:` section.</summary>
public sealed record RecipeTest(string Name, IReadOnlyDictionary<string, string> Inputs, IReadOnlyDictionary<string, string> ExpectedDigests, double Tolerance, SourceLocation Location);

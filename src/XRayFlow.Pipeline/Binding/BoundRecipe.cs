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

    /// <summary>A table as comma-separated values (one row per region, or one row of scalars).</summary>
    Csv,
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

/// <summary>A recipe input.</summary>
/// <param name="Name">The input's name (what steps and `--input NAME=PATH` refer to).</param>
/// <param name="Kind">image or stack.</param>
/// <param name="DefaultPath">
/// The `default:` path resolved against the RECIPE FILE's folder (absolute), or null. A relative default is
/// therefore independent of the working directory the CLI runs in.
/// </param>
/// <param name="Location">Where the input's name is written.</param>
public sealed record BoundInput(string Name, InputKind Kind, string? DefaultPath, SourceLocation Location)
{
    /// <summary>The `default:` text exactly as the recipe wrote it (may contain a glob), or null.</summary>
    public string? DefaultPathText { get; init; }
}

/// <summary>A reference from a step to an input or an earlier step.</summary>
/// <param name="Source">The input or step id referred to.</param>
/// <param name="VariableName">For `in` maps: the key (an expression variable name); otherwise null.</param>
/// <param name="Location">Where the reference is written.</param>
public sealed record StepInputRef(string Source, string? VariableName, SourceLocation Location);

public sealed record BoundStep
{
    /// <summary>What the step produces: an image, a stack, a table or a scalar (tracked through the steps by the binder).</summary>
    public ValueKind OutputKind => Info.Kind;

    /// <summary>What the binder knows of the output (kind, complex, Fourier domain; shapes are the planner's).</summary>
    public ValueInfo Info { get; init; } = ValueInfo.Image;

    public required string Id { get; init; }

    public required OpDefinition Op { get; init; }

    public required IReadOnlyList<StepInputRef> Inputs { get; init; }

    /// <summary>What the binder knows of each input (same order as <see cref="Inputs"/>).</summary>
    public IReadOnlyList<ValueInfo> InputInfos { get; init; } = [];

    /// <summary>
    /// Every declared parameter of the op, bound (double, int, bool, string, double[], int[], double[][],
    /// ExpressionValue) or its default; a `${step}` value is a <see cref="ScalarRef"/> (or an object?[] list holding
    /// some), resolved by the executor per item.
    /// </summary>
    public required IReadOnlyDictionary<string, object?> Params { get; init; }

    /// <summary>The scalar steps the parameters read (`${step}`), in order of first use: the step runs after them.</summary>
    public IReadOnlyList<string> ParamSources { get; init; } = [];

    /// <summary>Where each parameter the recipe wrote is written (its value).</summary>
    public IReadOnlyDictionary<string, SourceLocation> ParamLocations { get; init; } = new Dictionary<string, SourceLocation>();

    /// <summary>Location of the step's `- ` item (its first key).</summary>
    public required SourceLocation Location { get; init; }

    /// <summary>The warning codes the step acknowledges with `accept:` (not reported for it).</summary>
    public IReadOnlySet<string> Accepted { get; init; } = new HashSet<string>();
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
/// <param name="Name">The test's name (default: test_1, test_2, ... in file order).</param>
/// <param name="Inputs">Input name -> path, resolved against the recipe file's folder.</param>
/// <param name="ExpectedDigests">Output name -> "sha256:&lt;64 lowercase hex&gt;" for the exact-digest expectations.</param>
/// <param name="Tolerance">The largest tolerance among the `npy` expectations (0 when there are none).</param>
/// <param name="Location">Where the test's list item starts.</param>
public sealed record RecipeTest(string Name, IReadOnlyDictionary<string, string> Inputs, IReadOnlyDictionary<string, string> ExpectedDigests, double Tolerance, SourceLocation Location)
{
    /// <summary>Every expectation in file order (digest or reference .npy with a tolerance).</summary>
    public IReadOnlyList<RecipeTestExpectation> Expectations { get; init; } = [];

    /// <summary>Where each input's path is written (input name -> the path's location).</summary>
    public IReadOnlyDictionary<string, SourceLocation> InputLocations { get; init; } = new Dictionary<string, SourceLocation>();
}

/// <summary>
/// One expected output of a recipe test: either an exact digest of the written file
/// (`output: "sha256:..."` or `{digest: "sha256:..."}`), or a reference array
/// (`{npy: path, tolerance: 1e-4}`: max |actual - reference| &lt;= tolerance * max |reference|).
/// </summary>
/// <param name="Output">The recipe output's name.</param>
/// <param name="Digest">"sha256:&lt;hex&gt;" (lowercase) or null.</param>
/// <param name="NpyPath">Reference .npy resolved against the recipe file's folder, or null.</param>
/// <param name="Tolerance">Relative tolerance for <paramref name="NpyPath"/> (default 1e-4).</param>
/// <param name="Location">Where the expectation is written.</param>
public sealed record RecipeTestExpectation(string Output, string? Digest, string? NpyPath, double Tolerance, SourceLocation Location);

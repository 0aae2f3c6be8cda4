using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Core.Ops;

/// <summary>The type of an op parameter as a recipe writes it.</summary>
public enum ParamType
{
    /// <summary>A number (bound as double).</summary>
    Float,

    /// <summary>A whole number (bound as int).</summary>
    Int,

    /// <summary>true / false (bound as bool).</summary>
    Bool,

    /// <summary>Free text (bound as string).</summary>
    String,

    /// <summary>One of <see cref="ParamSpec.Allowed"/> (bound as string).</summary>
    Enum,

    /// <summary>A number, or a list with one number per axis, as SciPy's sigma (bound as double[]).</summary>
    FloatPerAxis,

    /// <summary>A whole number, or one per axis, as SciPy's order / size (bound as int[]).</summary>
    IntPerAxis,

    /// <summary>An inline C# expression string, or a plain number (bound as <see cref="ExpressionValue"/>).</summary>
    Expression,
}

/// <summary>One declared parameter: the single source of validation, schema, docs and `xrayflow ops`.</summary>
public sealed record ParamSpec(string Name, ParamType Type, string Doc)
{
    public object? Default { get; init; }

    /// <summary>A recipe must give it (no default).</summary>
    public bool Required { get; init; }

    public double? Min { get; init; }

    public double? Max { get; init; }

    /// <summary>When true, <see cref="Min"/> itself is not allowed (e.g. sigma &gt; 0).</summary>
    public bool MinExclusive { get; init; }

    public IReadOnlyList<string>? Allowed { get; init; }

    /// <summary>For <see cref="ParamType.Expression"/>: true when the expression is a condition (bool).</summary>
    public bool IsCondition { get; init; }
}

/// <summary>How many inputs an op takes and in which forms (`in: a`, `in: [a, b]`, `in: {a: gx}`).</summary>
/// <param name="Min">Fewest inputs.</param>
/// <param name="Max">Most inputs.</param>
/// <param name="AllowsMap">`in` may be a map of variable names (expression ops).</param>
/// <param name="Doc">One line for the catalogue.</param>
/// <param name="RequiresStack">The (first) input must be a stack (N x H x W).</param>
/// <param name="AcceptsTables">Inputs may be tables (statistics, histograms) instead of arrays.</param>
public sealed record InputSpec(int Min, int Max, bool AllowsMap = false, string Doc = "", bool RequiresStack = false, bool AcceptsTables = false)
{
    public static InputSpec One { get; } = new(1, 1, Doc: "one array");

    public static InputSpec TwoOrMore { get; } = new(2, int.MaxValue, Doc: "two or more arrays of one shape");

    public static InputSpec Two { get; } = new(2, 2, Doc: "two arrays of one shape");

    public static InputSpec Named { get; } = new(1, int.MaxValue, AllowsMap: true, Doc: "arrays of one shape; a map names them for expressions");
}

/// <summary>What an op produces.</summary>
public enum OutputKind
{
    /// <summary>An array of the first input's shape (image stays image, stack stays stack).</summary>
    SameAsInput,

    /// <summary>A table of scalars (statistics, histogram).</summary>
    Table,

    /// <summary>One 2-D image whatever the input (e.g. a montage of a stack's frames).</summary>
    Image,
}

/// <summary>
/// One op, declared once. Validation, the JSON Schema, `xrayflow ops`, the README catalogue and the
/// registry-wide tests all come from these declarations.
/// </summary>
public sealed class OpDefinition
{
    public required string Name { get; init; }

    /// <summary>One line: what the op computes.</summary>
    public required string Summary { get; init; }

    /// <summary>The SciPy/NumPy/skimage function whose meaning it has, if any (e.g. scipy.ndimage.sobel).</summary>
    public string? Reference { get; init; }

    public required InputSpec Inputs { get; init; }

    public IReadOnlyList<ParamSpec> Params { get; init; } = [];

    public OutputKind Output { get; init; } = OutputKind.SameAsInput;

    /// <summary>Pointwise: out[k] depends only on in[k] (a candidate for fusion).</summary>
    public bool IsElementwise { get; init; }

    /// <summary>Category for the catalogue: filter, fourier, arithmetic, statistics, expression, display.</summary>
    public string Category { get; init; } = "filter";

    /// <summary>Runs the op. Called only with bound, validated parameters.</summary>
    public required Func<OpContext, Value> Execute { get; init; }

    public ParamSpec? FindParam(string name) => Params.FirstOrDefault(p => p.Name == name);
}

/// <summary>An expression parameter's bound value: a C# text, or a plain number.</summary>
public sealed record ExpressionValue(string? Text, double? Number, SourceLocation? Location)
{
    public bool IsNumber => Number.HasValue;

    public override string ToString() => Text ?? Number!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Everything an op's Execute sees.</summary>
public sealed class OpContext
{
    public required string StepId { get; init; }

    public required IReadOnlyList<Value> Inputs { get; init; }

    /// <summary>Variable names of the inputs for expression ops (`x` when a single unnamed input).</summary>
    public IReadOnlyList<string> InputNames { get; init; } = [];

    /// <summary>Bound parameter values, defaults filled in: double, int, bool, string, double[], int[] or ExpressionValue.</summary>
    public required IReadOnlyDictionary<string, object?> Params { get; init; }

    /// <summary>The step's compiled expressions, when the op has expression parameters given as text.</summary>
    public IExpressionKernel? Kernel { get; init; }

    /// <summary>Current values of the recipe's params, in the order the kernel was compiled with.</summary>
    public double[] RecipeParams { get; init; } = [];

    /// <summary>Degree of parallelism for this step (1 = single thread).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public CancellationToken Cancellation { get; init; }

    public Imaging.ImageArray Array(int index = 0) => Inputs[index] is ArrayValue a
        ? a.Array
        : throw new InvalidOperationException($"step '{StepId}': input {index} is a table, not an array");

    public T Get<T>(string name) => Params.TryGetValue(name, out var v) && v is T t
        ? t
        : throw new InvalidOperationException($"step '{StepId}': parameter '{name}' is not bound as {typeof(T).Name}");

    public double Float(string name) => Params.TryGetValue(name, out var v) ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : throw Missing(name);

    public int Int(string name) => Params.TryGetValue(name, out var v) ? Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture) : throw Missing(name);

    public string Text(string name) => Params.TryGetValue(name, out var v) && v is string s ? s : throw Missing(name);

    public bool Has(string name) => Params.TryGetValue(name, out var v) && v is not null;

    private InvalidOperationException Missing(string name) => new($"step '{StepId}': parameter '{name}' is not bound");
}

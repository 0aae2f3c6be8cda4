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

    /// <summary>A list of numbers of <see cref="ParamSpec.MinCount"/>..<see cref="ParamSpec.MaxCount"/> items (bound as double[]).</summary>
    FloatList,

    /// <summary>A list of whole numbers of <see cref="ParamSpec.MinCount"/>..<see cref="ParamSpec.MaxCount"/> items (bound as int[]).</summary>
    IntList,

    /// <summary>
    /// A matrix written as a list of rows (`[[0, 1, 0], [1, 1, 1], [0, 1, 0]]`), rows of one length; a flat list is
    /// one row and a number a 1 x 1 matrix (bound as double[][], rows first). <see cref="ParamSpec.MaxCount"/>
    /// bounds rows and columns each.
    /// </summary>
    Matrix,

    /// <summary>
    /// A list of <see cref="ParamSpec.Allowed"/> words, each kept once in the order first written (regionprops'
    /// `properties: [label, area]`); one word is a list of one (bound as string[]).
    /// </summary>
    EnumList,
}

/// <summary>One declared parameter: the single source of validation, schema, docs and `xrayflow ops`.</summary>
public sealed record ParamSpec(string Name, ParamType Type, string Doc)
{
    public object? Default { get; init; }

    /// <summary>A recipe must give it (no default).</summary>
    public bool Required { get; init; }

    /// <summary>Smallest value (of each number, for lists and matrices).</summary>
    public double? Min { get; init; }

    /// <summary>Largest value (of each number, for lists and matrices). Every size-like parameter has one.</summary>
    public double? Max { get; init; }

    /// <summary>When true, <see cref="Min"/> itself is not allowed (e.g. sigma &gt; 0).</summary>
    public bool MinExclusive { get; init; }

    /// <summary>For <see cref="ParamType.Enum"/> and <see cref="ParamType.EnumList"/>: the values allowed.</summary>
    public IReadOnlyList<string>? Allowed { get; init; }

    /// <summary>
    /// For <see cref="ParamType.Enum"/>: older documented spellings still accepted (as written, quoted), each bound as
    /// the allowed value it maps to; never offered by the schema, the docs or an error message.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Aliases { get; init; }

    /// <summary>
    /// For the other types: words a recipe may write instead of a value (e.g. rescale_intensity's
    /// `in_range: image | dtype | [lo, hi]`, or `structure: cross | square | disk | [[...]]`); bound as the string.
    /// </summary>
    public IReadOnlyList<string>? Words { get; init; }

    /// <summary>
    /// For list parameters: items may also be written `pN` (N from 0 to 100), the Nth percentile of the op's input,
    /// computed by the op per image; such items bind as <see cref="Percentile"/> (rescale_intensity's `in_range: [p2, p98]`).
    /// </summary>
    public bool PercentileItems { get; init; }

    /// <summary>
    /// For <see cref="ParamType.Matrix"/>: how a value is written, for messages, when it is not the plain "list of rows"
    /// of a footprint (pad_width's `n, [before, after] or [[before0, after0], [before1, after1]]`).
    /// </summary>
    public string? Form { get; init; }

    /// <summary>For lists: fewest items (default 1).</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>For lists: most items; for matrices, most rows and most columns.</summary>
    public int MaxCount { get; init; } = int.MaxValue;

    /// <summary>For <see cref="ParamType.Expression"/>: true when the expression is a condition (bool).</summary>
    public bool IsCondition { get; init; }

    /// <summary>Numeric parameters may take a scalar step's value, `${step}`, resolved per item when the step has run.</summary>
    public bool IsNumeric => Type is ParamType.Float or ParamType.Int or ParamType.FloatPerAxis or ParamType.IntPerAxis or ParamType.FloatList or ParamType.IntList;

    /// <summary>Whole-number types.</summary>
    public bool IsWhole => Type is ParamType.Int or ParamType.IntPerAxis or ParamType.IntList;
}

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

/// <summary>What flows along an edge of the graph: an array, a table of scalars (stats, histograms) or one number.</summary>
public abstract record Value
{
    /// <summary>The number named <paramref name="field"/> that this value carries (a table's field, an array's attribute), or null.</summary>
    public virtual double? Field(string field) => null;
}

/// <summary>An array, with optional named numbers computed with it (e.g. label's `count`).</summary>
public sealed record ArrayValue(ImageArray Array) : Value
{
    /// <summary>Numbers the op computed with the array (declared as the op's <see cref="OpDefinition.Fields"/>).</summary>
    public IReadOnlyDictionary<string, double> Attributes { get; init; } = Empty;

    private static readonly IReadOnlyDictionary<string, double> Empty = new Dictionary<string, double>();

    public override double? Field(string field) => Attributes.TryGetValue(field, out var v) ? v : null;

    /// <summary>
    /// The array's least and greatest value exactly as <see cref="XRayFlow.Core.Imaging.Extremes.MinMax(ReadOnlySpan{float}, int)"/> gives
    /// them, when whoever made this value found them while writing the array (a fused group, for a step that
    /// <see cref="OpDefinition.ReadsExtremes"/>); null otherwise, and never set where a value is NaN (which NaN
    /// MinMax returns is its own business). True while the array is unchanged, which holds for the life of a value:
    /// a step that writes into its input's array returns a new value, and only when nothing else reads the old one.
    /// </summary>
    public (float Min, float Max)? Extremes { get; init; }
}

/// <summary>
/// Scalars and small vectors: statistics, histogram counts. Values are double, long, string,
/// double[] or long[]; the key order is kept so JSON outputs are stable.
/// </summary>
public sealed record TableValue(IReadOnlyList<KeyValuePair<string, object>> Fields) : Value
{
    public object? this[string key] => Fields.FirstOrDefault(f => f.Key == key).Value;

    public override double? Field(string field) => this[field] switch
    {
        double d => d,
        long l => l,
        int i => i,
        float f => f,
        _ => null,
    };
}

/// <summary>One number (a threshold, a percentile), computed per image.</summary>
public sealed record ScalarValue(double Number) : Value;

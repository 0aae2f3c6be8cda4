using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

/// <summary>What flows along an edge of the graph: an array, or a table of scalars (stats, histograms).</summary>
public abstract record Value;

public sealed record ArrayValue(ImageArray Array) : Value;

/// <summary>
/// Scalars and small vectors: statistics, histogram counts. Values are double, long, string,
/// double[] or long[]; the key order is kept so JSON outputs are stable.
/// </summary>
public sealed record TableValue(IReadOnlyList<KeyValuePair<string, object>> Fields) : Value
{
    public object? this[string key] => Fields.FirstOrDefault(f => f.Key == key).Value;
}

using System.Globalization;

namespace XRayFlow.Core.Ops;

/// <summary>
/// A step's bound parameters (every declared parameter: its value, its default, or null), read by name with the
/// declared types: double, int, bool, string, double[], int[], double[][], <see cref="ExpressionValue"/>.
/// Reading a parameter whose value is still a <see cref="ScalarRef"/> (known only when a scalar step has run)
/// throws <see cref="DeferredParameterException"/>: rules and shape inference then wait for the run.
/// </summary>
public class ParamValues
{
    public required string StepId { get; init; }

    /// <summary>Every declared parameter by name: its bound value, its default, or null.</summary>
    public required IReadOnlyDictionary<string, object?> Params { get; init; }

    /// <summary>The parameter has a value (given or defaulted).</summary>
    public bool Has(string name) => Params.TryGetValue(name, out var v) && v is not null;

    /// <summary>The parameter's value is (or holds) a `${step}` reference not yet resolved.</summary>
    public bool IsDeferred(string name) => Params.TryGetValue(name, out var v) && IsDeferredValue(v);

    public static bool IsDeferredValue(object? v) => v switch
    {
        ScalarRef => true,
        object?[] items => items.Any(i => i is ScalarRef),
        _ => false,
    };

    public T Get<T>(string name) => Read(name) is T t
        ? t
        : throw new InvalidOperationException($"step '{StepId}': parameter '{name}' is not bound as {typeof(T).Name}");

    public double Float(string name) => Convert.ToDouble(Read(name) ?? throw Missing(name), CultureInfo.InvariantCulture);

    public double? FloatOrNull(string name) => Has(name) ? Float(name) : null;

    public int Int(string name) => Convert.ToInt32(Read(name) ?? throw Missing(name), CultureInfo.InvariantCulture);

    public bool Bool(string name) => Read(name) is bool b ? b : throw Missing(name);

    public string Text(string name) => Read(name) is string s ? s : throw Missing(name);

    /// <summary>A per-axis or list number parameter as doubles (a scalar becomes a one-element list); null when unbound.</summary>
    public double[]? Doubles(string name) => Read(name) switch
    {
        null => null,
        double[] a => a,
        int[] a => a.Select(x => (double)x).ToArray(),
        string => null,
        var v => [Convert.ToDouble(v, CultureInfo.InvariantCulture)],
    };

    /// <summary>A per-axis or list whole-number parameter (a scalar becomes a one-element list); null when unbound.</summary>
    public int[]? Ints(string name) => Read(name) switch
    {
        null => null,
        int[] a => a,
        double[] a => a.Select(x => checked((int)x)).ToArray(),
        string => null,
        var v => [Convert.ToInt32(v, CultureInfo.InvariantCulture)],
    };

    /// <summary>A matrix parameter (rows of numbers); null when unbound or given as a word.</summary>
    public double[][]? Matrix(string name) => Read(name) as double[][];

    /// <summary>A <see cref="ParamType.EnumList"/> parameter's words, in order; null when unbound.</summary>
    public string[]? WordList(string name) => Read(name) switch
    {
        null => null,
        string[] a => a,
        string w => [w],
        _ => null,
    };

    /// <summary>The word a <see cref="ParamSpec.Words"/> parameter was given as, or null when it holds a value.</summary>
    public string? Word(string name) => Read(name) as string;

    private object? Read(string name)
    {
        if (!Params.TryGetValue(name, out var v))
        {
            return null;
        }

        return IsDeferredValue(v) ? throw new DeferredParameterException(name) : v;
    }

    private InvalidOperationException Missing(string name) => new($"step '{StepId}': parameter '{name}' is not bound");
}

/// <summary>A parameter is `${step}` of a scalar step that has not run yet (at bind or plan time).</summary>
public sealed class DeferredParameterException(string name) : Exception($"parameter '{name}' is known only when the run computes it")
{
    public string Name { get; } = name;
}

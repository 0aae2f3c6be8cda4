using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>How a parameter's type, range and list length read in messages and in the schema.</summary>
internal static class ParamText
{
    /// <summary>"&gt;= 0 and &lt;= 1", "&gt; 0", "any number"...</summary>
    public static string Range(ParamSpec spec)
    {
        string lo = spec.Min is { } min ? $"{(spec.MinExclusive ? ">" : ">=")} {ScalarText.FormatNumber(min)}" : string.Empty;
        string hi = spec.Max is { } max ? $"<= {ScalarText.FormatNumber(max)}" : string.Empty;
        return (lo.Length > 0, hi.Length > 0) switch
        {
            (true, true) => $"{lo} and {hi}",
            (true, false) => lo,
            (false, true) => hi,
            _ => "any number",
        };
    }

    /// <summary>What a value of the parameter must be: "a number", "one of a, b", "a list of 4 values"...</summary>
    public static string Expected(ParamSpec spec) => spec.Type switch
    {
        ParamType.Float => "a number",
        ParamType.Int => "a whole number",
        ParamType.Bool => "true or false",
        ParamType.String => "a string",
        ParamType.Enum => $"one of {string.Join(", ", spec.Allowed ?? [])}",
        ParamType.FloatPerAxis => "a number or a list of numbers (one per axis)",
        ParamType.IntPerAxis => "a whole number or a list of whole numbers (one per axis)",
        ParamType.FloatList => $"a list of {Count(spec)}" + (spec.PercentileItems ? " (numbers or percentiles pN)" : string.Empty),
        ParamType.IntList => $"a list of {Count(spec).Replace("values", "whole numbers", StringComparison.Ordinal)}",
        ParamType.Matrix => spec.Form ?? "a matrix: a list of rows of numbers, e.g. [[0, 1, 0], [1, 1, 1], [0, 1, 0]]",
        ParamType.Expression => "a C# expression (a string) or a number",
        ParamType.EnumList => $"a list of {Count(spec).Replace("values", "words", StringComparison.Ordinal)} from {string.Join(", ", spec.Allowed ?? [])}",
        _ => spec.Type.ToString(),
    };

    /// <summary>How many values a list parameter takes: "4 values", "2 or more values", "1 to 3 values".</summary>
    public static string Count(ParamSpec spec) => spec.MinCount == spec.MaxCount
        ? $"{spec.MinCount} values"
        : spec.MaxCount == int.MaxValue ? $"{spec.MinCount} or more values" : $"{spec.MinCount} to {spec.MaxCount} values";
}

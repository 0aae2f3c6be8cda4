using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>A scalar after `${name}` substitution: the value (null, a number, a bool, a string or a <see cref="ScalarRef"/>), where it was written, and whether it came from a `${...}`.</summary>
internal readonly record struct RawScalar(object? Value, YamlScalar Node, bool FromParam)
{
    /// <summary>What was found, for "must be X; found Y" messages.</summary>
    public string Describe() => Value switch
    {
        null => "nothing (null)",
        double d => FromParam ? $"number {ScalarText.FormatNumber(d)} (from {Node.Value})" : $"number {Node.Value}",
        bool b => b ? "boolean true" : "boolean false",
        string s when !FromParam && s == Node.Value && Node.IsPlain && (ScalarText.IsOutOfRangeNumber(s) || ScalarText.IsYamlSpecialFloat(s)) => Node.Describe(),
        string s => $"string '{s}'",
        ScalarRef r => $"{r} (a number computed per image)",
        _ => Value.ToString() ?? "?",
    };
}

using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Syntax;

/// <summary>How a scalar was written: plain, quoted ('..' or ".."), or a block scalar (| or &gt;).</summary>
public enum ScalarStyle
{
    Plain,
    Quoted,
    Block,
}

/// <summary>A node of a recipe's YAML tree; every node knows where it starts (1-based line and column).</summary>
public abstract class YamlNode
{
    protected YamlNode(SourceLocation start) => Start = start;

    public SourceLocation Start { get; }

    /// <summary>A short word for messages: "a map", "a list", "a number", "a string", ...</summary>
    public abstract string Describe();
}

/// <summary>A scalar, with the text as written and the location of its first content character.</summary>
public sealed class YamlScalar : YamlNode
{
    public YamlScalar(string value, ScalarStyle style, SourceLocation start, SourceLocation contentStart, bool isKey, SourceMap? map = null)
        : base(start)
    {
        Value = value;
        Style = style;
        ContentStart = contentStart;
        IsKey = isKey;
        Map = map ?? SourceMap.AsWritten(value, contentStart);
    }

    /// <summary>The scalar's value (after YAML unescaping / folding).</summary>
    public string Value { get; }

    public ScalarStyle Style { get; }

    /// <summary>
    /// Where the first character of <see cref="Value"/> stands: the node start for a plain scalar, one
    /// column after the opening quote for a quoted one, the first content line's indentation for a block.
    /// </summary>
    public SourceLocation ContentStart { get; }

    /// <summary>
    /// Where each character of <see cref="Value"/> stands in the recipe, escapes and folded lines included: every
    /// location inside the value (an expression's error, a `${name}`, a `{placeholder}`) is <c>Map.Locate(index)</c>.
    /// </summary>
    public SourceMap Map { get; }

    /// <summary>The location of character <paramref name="index"/> of <see cref="Value"/> (its length: just after the last one).</summary>
    public SourceLocation Locate(int index) => Map.Locate(index);

    public bool IsKey { get; }

    public bool IsPlain => Style == ScalarStyle.Plain;

    /// <summary>A plain `~`, `null`, or empty value.</summary>
    public bool IsNull => IsPlain && (Value.Length == 0 || Value is "~" or "null" or "Null" or "NULL");

    /// <summary>A plain true/false (YAML 1.2 core schema spellings).</summary>
    public bool TryGetBool(out bool value)
    {
        value = false;
        if (!IsPlain)
        {
            return false;
        }

        switch (Value)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                return true;
            default:
                return false;
        }
    }

    /// <summary>A plain decimal number (YAML 1.2 core schema, decimal only).</summary>
    public bool TryGetNumber(out double value)
    {
        value = 0;
        return IsPlain && ScalarText.TryParseNumber(Value, out value);
    }

    /// <summary>A plain whole decimal number.</summary>
    public bool TryGetInteger(out long value)
    {
        value = 0;
        return IsPlain && ScalarText.TryParseInteger(Value, out value);
    }

    public override string Describe()
    {
        if (IsNull)
        {
            return "nothing (null)";
        }

        if (TryGetBool(out _))
        {
            return $"boolean {Value}";
        }

        if (TryGetNumber(out _))
        {
            return $"number {Value}";
        }

        if (IsPlain && ScalarText.IsOutOfRangeNumber(Value))
        {
            return $"number {Value}, beyond the largest number a recipe can hold (about 1.8e308)";
        }

        if (IsPlain && ScalarText.IsYamlSpecialFloat(Value))
        {
            return $"{Value}, YAML's {(Value.EndsWith("nan", StringComparison.OrdinalIgnoreCase) ? "not-a-number" : "infinity")}: a recipe's numbers are finite";
        }

        return $"string '{Value}'";
    }

    public override string ToString() => Value;
}

/// <summary>A key: value pair of a mapping.</summary>
public sealed record YamlEntry(YamlScalar Key, YamlNode Value);

public sealed class YamlMapping : YamlNode
{
    public YamlMapping(IReadOnlyList<YamlEntry> entries, SourceLocation start)
        : base(start) => Entries = entries;

    /// <summary>Entries in file order; keys are unique (duplicates are refused while reading).</summary>
    public IReadOnlyList<YamlEntry> Entries { get; }

    public YamlEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key.Value == key);

    public YamlNode? this[string key] => Find(key)?.Value;

    public override string Describe() => "a map";
}

public sealed class YamlSequence : YamlNode
{
    public YamlSequence(IReadOnlyList<YamlNode> items, SourceLocation start)
        : base(start) => Items = items;

    public IReadOnlyList<YamlNode> Items { get; }

    public override string Describe() => Items.Count == 0 ? "an empty list" : "a list";
}

/// <summary>Number spellings the recipe language accepts (YAML 1.2 core, decimal only).</summary>
public static class ScalarText
{
    private static readonly System.Text.RegularExpressions.Regex Decimal =
        new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex Whole =
        new(@"^[-+]?[0-9]+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex AmbiguousNumber =
        new(@"^[-+]?(0[0-9][0-9_]*(\.[0-9]*)?([eE][-+]?[0-9]+)?|0[oO][0-7_]+|0[xX][0-9a-fA-F_]+|0[bB][01_]+)$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly HashSet<string> Yaml11Booleans = new(StringComparer.OrdinalIgnoreCase)
    {
        "yes", "no", "on", "off", "y", "n",
    };

    public static bool TryParseNumber(string text, out double value)
    {
        value = 0;
        return Decimal.IsMatch(text) && !AmbiguousNumber.IsMatch(text)
            && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>A decimal number too large for a double (1e400): not a number to a recipe, but not text either.</summary>
    public static bool IsOutOfRangeNumber(string text)
        => Decimal.IsMatch(text) && !AmbiguousNumber.IsMatch(text)
            && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double value)
            && !double.IsFinite(value);

    public static bool TryParseInteger(string text, out long value)
    {
        value = 0;
        return Whole.IsMatch(text) && !AmbiguousNumber.IsMatch(text)
            && long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out value);
    }

    /// <summary>.nan, .inf, -.Inf, +.INF ...: YAML 1.2's core-schema spellings of NaN and the infinities, which a recipe does not take.</summary>
    public static bool IsYamlSpecialFloat(string text)
        => text is ".nan" or ".NaN" or ".NAN"
            || (text.TrimStart('+', '-') is ".inf" or ".Inf" or ".INF" && text.Length - text.TrimStart('+', '-').Length <= 1);

    /// <summary>010, 0o17, 0x1F, 0b101: read differently by YAML 1.1 and 1.2 readers.</summary>
    public static bool IsAmbiguousNumber(string text) => AmbiguousNumber.IsMatch(text);

    /// <summary>yes/no/on/off/y/n in any case: booleans to YAML 1.1 readers, strings to YAML 1.2.</summary>
    public static bool IsYaml11Boolean(string text) => Yaml11Booleans.Contains(text);

    /// <summary>A number as the canonical text uses it: shortest round-trip, invariant culture.</summary>
    public static string FormatNumber(double value)
        => value == Math.Floor(value) && Math.Abs(value) < 1e15
            ? ((long)value).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : RoundTrip.Format(value);
}

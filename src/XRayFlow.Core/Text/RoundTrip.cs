using System.Globalization;
using System.Text.Json;

namespace XRayFlow.Core.Text;

/// <summary>
/// A double as the shortest decimal text that reads back as the same double (invariant culture, as "R" spells
/// it: <c>0.5</c>, <c>2.9802322387695312E-08</c>): how every number XRayFlow writes for a user (JSON, CSV, messages,
/// canonical recipes, cache keys) is spelled, so a value written is the value computed, bit for bit.
/// </summary>
/// <remarks>
/// Not <c>ToString("R")</c> alone: .NET 10's shortest formatting gives a string one double too low for some exact
/// powers of two (its Dragon4 fallback takes a power of two's margins as equal: dotnet/runtime pull request 131131,
/// merged upstream in July 2026; the 10.0.12 runtime has it): 2^-25 comes out as <c>2.980232238769531E-08</c>,
/// which reads back as 2^-25 - 2^-78, and 2^-958 likewise. <see cref="Utf8JsonWriter"/>'s
/// <c>WriteNumberValue(double)</c> shares that code. Only a double whose significand bits are all zero can be
/// affected, so only those are read back to check; where the check fails, the shortest of 15, 16 and 17 significant
/// digits ("G15" to "G17") that reads back is taken (17 always does).
/// </remarks>
public static class RoundTrip
{
    /// <summary>The shortest text of <paramref name="value"/> that reads back as it (NaN and infinities as "R" spells them).</summary>
    public static string Format(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        if ((BitConverter.DoubleToInt64Bits(value) & 0x000F_FFFF_FFFF_FFFF) != 0 || !double.IsFinite(value) || ReadsBack(text, value))
        {
            return text;
        }

        for (int digits = 15; digits < 17; digits++)
        {
            string shorter = value.ToString("G" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (ReadsBack(shorter, value))
            {
                return shorter;
            }
        }

        return value.ToString("G17", CultureInfo.InvariantCulture);
    }

    /// <summary>A JSON property holding <paramref name="value"/> as <see cref="Format"/> spells it (finite values only).</summary>
    public static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WritePropertyName(name);
        WriteNumberValue(writer, value);
    }

    /// <summary>A JSON number holding <paramref name="value"/> as <see cref="Format"/> spells it (finite values only).</summary>
    public static void WriteNumberValue(Utf8JsonWriter writer, double value)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity");
        }

        writer.WriteRawValue(Format(value), skipInputValidation: true);
    }

    private static bool ReadsBack(string text, double value)
        => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double back)
            && BitConverter.DoubleToInt64Bits(back) == BitConverter.DoubleToInt64Bits(value);
}

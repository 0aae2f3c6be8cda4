using System.Globalization;
using System.Reflection;
using Spectre.Console.Cli;

namespace XRayFlow.Cli.Commands;

/// <summary>
/// Says which option a value the parser could not convert belongs to. Spectre.Console.Cli 0.57 reports
/// `Failed to convert 'abc' to Nullable`1.`: a .NET type name and no option. When it does, <see cref="CliApp"/>
/// asks <see cref="Explain"/> for `option --max-pixels: 'abc' is not a whole number` instead (XRF2001, exit 2).
/// </summary>
internal static class NumberOptionCheck
{
    /// <summary>The settings of every verb, `watch` included (it is not in <see cref="CliApp.Verbs"/>).</summary>
    private static Type? SettingsOf(string verb)
        => verb == "watch" ? typeof(WatchCommand.Settings) : CliApp.Verbs.FirstOrDefault(v => v.Name == verb)?.Settings;

    /// <summary>
    /// The first value of a numeric option in <paramref name="args"/> (`--name VALUE`, `--name=VALUE`, `-n VALUE`)
    /// that is not a number of the option's kind, as `option --name: 'VALUE' is not a whole number`; null when
    /// every such value reads (the parser's message is then kept).
    /// </summary>
    public static string? Explain(IReadOnlyList<string> args)
    {
        if (args.Count == 0 || SettingsOf(args[0]) is not { } settings)
        {
            return null;
        }

        var options = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var p in settings.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<CommandOptionAttribute>() is { } o)
            {
                var type = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
                if (type == typeof(int) || type == typeof(long) || type == typeof(double))
                {
                    foreach (var name in o.LongNames.Select(n => "--" + n).Concat(o.ShortNames.Select(n => "-" + n)))
                    {
                        options[name] = type;
                    }
                }
            }
        }

        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            int eq = arg.IndexOfAny(['=', ':']);
            string name = eq > 0 ? arg[..eq] : arg;
            if (!options.TryGetValue(name, out var type))
            {
                continue;
            }

            string? value = eq > 0 ? arg[(eq + 1)..] : i + 1 < args.Count ? args[i + 1] : null;
            if (value is not null && Problem(value, type) is { } why)
            {
                return $"option {name}: '{value}' {why}";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="value"/> is not a <paramref name="type"/> (as the parser reads it, in the invariant culture), or null.</summary>
    internal static string? Problem(string value, Type type)
    {
        const NumberStyles whole = NumberStyles.Integer;
        var c = CultureInfo.InvariantCulture;
        if (type == typeof(int))
        {
            return int.TryParse(value, whole, c, out _) ? null
                : decimal.TryParse(value, whole, c, out _) ? $"is out of range: a whole number from {int.MinValue} to {int.MaxValue}"
                : "is not a whole number";
        }

        if (type == typeof(long))
        {
            return long.TryParse(value, whole, c, out _) ? null
                : decimal.TryParse(value, whole, c, out _) ? $"is out of range: a whole number from {long.MinValue} to {long.MaxValue}"
                : "is not a whole number";
        }

        return double.TryParse(value, NumberStyles.Float, c, out _) ? null : "is not a number";
    }
}

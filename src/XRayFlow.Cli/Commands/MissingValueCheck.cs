using System.Collections;
using System.Reflection;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Cli.Commands;

/// <summary>
/// Refuses an option that takes a value but was given none (<c>xrayflow run r.yaml --profile</c>). Spectre.Console.Cli
/// 0.57 binds such an option to its internal command name "__default_command" instead of refusing it, so without this
/// check `--profile` wrote a file of that name and `--out` made a folder of it. Every command's options are checked
/// after binding (by <see cref="CheckedSettings"/> before its own checks, and here before the command runs): XRF2001, exit 2.
/// </summary>
internal sealed class MissingValueCheck : ICommandInterceptor
{
    /// <summary>What the parser binds to a value-taking option given without a value.</summary>
    internal const string Placeholder = "__default_command";

    public void Intercept(CommandContext context, CommandSettings settings)
    {
        if (Find(settings) is string name)
        {
            throw Refusal(name, context.Name, settings as CheckedSettings);
        }
    }

    /// <summary>The first option of <paramref name="settings"/> bound without a value (as written: --name), or null.</summary>
    internal static string? Find(CommandSettings settings)
    {
        foreach (var property in settings.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var option = property.GetCustomAttribute<CommandOptionAttribute>();
            if (option is not null && HasPlaceholder(property.GetValue(settings)))
            {
                return option.LongNames.Count > 0 ? "--" + option.LongNames[0] : "-" + option.ShortNames[0];
            }
        }

        return null;
    }

    /// <summary>XRF2001 for an option given without its value.</summary>
    internal static InvalidSettingsException Refusal(string option, string? command, CheckedSettings? settings)
        => new([DiagnosticCodes.BadCommandLine.Create(null, $"option {option} needs a value (see xrayflow {(command is null ? "" : command + " ")}--help)")]) { Settings = settings };

    private static bool HasPlaceholder(object? value) => value switch
    {
        string s => s == Placeholder,
        IEnumerable items => items.Cast<object?>().Any(v => v is string s && s == Placeholder),
        _ => false,
    };
}

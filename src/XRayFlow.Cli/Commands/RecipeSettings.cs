using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Cli.Commands;

/// <summary>The settings of every command that reads one recipe: its path and the --set overrides.</summary>
public class RecipeSettings : CheckedSettings
{
    [CommandArgument(0, "<RECIPE>")]
    [Description("The recipe file (YAML, `xrayflow: 1`).")]
    public string Recipe { get; init; } = string.Empty;

    [CommandOption("--set <NAME=VALUE>")]
    [Description("Override a recipe param (repeatable), checked like the recipe: --set threshold=120.")]
    public string[] Set { get; init; } = [];

    /// <summary>The --set pairs, in order (valid once <see cref="CheckedSettings.Validate"/> passed).</summary>
    public List<KeyValuePair<string, string>> SetPairs() => CommandHelpers.Pairs(Set, "--set", new DiagnosticBag());

    public override IEnumerable<Diagnostic> Problems()
    {
        var bag = new DiagnosticBag();
        CommandHelpers.Pairs(Set, "--set", bag);
        return bag.ToSortedList();
    }
}

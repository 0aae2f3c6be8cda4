using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Cli.Commands;

internal static class CommandHelpers
{
    /// <summary>XRF2010 for a recipe path that is not a file: missing, or a folder (a user pointing at the recipe's folder).</summary>
    internal static Core.Diagnostics.Diagnostic RecipeFileMissing(string path)
        => DiagnosticCodes.RecipeFileMissing.Create(null, path, Directory.Exists(path) ? "is a folder, not a recipe file: give the .yaml file" : "does not exist");

    /// <summary>NAME=VALUE pairs in order; reports XRF2004 for one without `=`.</summary>
    public static List<KeyValuePair<string, string>> Pairs(IEnumerable<string> values, string option, DiagnosticBag bag)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var v in values)
        {
            int eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                bag.Report(DiagnosticCodes.NotNameValue, null, option, v);
                continue;
            }

            list.Add(new(v[..eq].Trim(), v[(eq + 1)..]));
        }

        return list;
    }

    /// <summary>Loads the recipe (with --set), reporting every diagnostic; null when it has errors.</summary>
    public static BoundRecipe? Load(CliHost host, RecipeSettings settings, out List<KeyValuePair<string, string>> sets)
        => Load(host, settings.Recipe, settings.Set, out sets, out _);

    /// <summary>As <see cref="Load(CliHost, RecipeSettings, out List{KeyValuePair{string, string}})"/> for one path; <paramref name="reported"/> is every diagnostic reported (for --json).</summary>
    public static BoundRecipe? Load(CliHost host, string path, IEnumerable<string> setValues, out List<KeyValuePair<string, string>> sets, out List<Diagnostic> reported)
    {
        var bag = new DiagnosticBag();
        sets = Pairs(setValues, "--set", bag);
        if (bag.HasErrors)
        {
            reported = [.. bag.ToSortedList()];
            host.Report(reported);
            return null;
        }

        if (!File.Exists(path))
        {
            reported = [RecipeFileMissing(path)];
            host.Report(reported);
            return null;
        }

        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in sets)
        {
            dict[k] = v;
        }

        var (recipe, diagnostics) = host.LoadRecipe(path, dict);
        reported = [.. diagnostics];
        host.Report(diagnostics);
        return diagnostics.Any(d => d.IsError) ? null : recipe;
    }

    /// <summary>`--input NAME=PATH` values; a bare PATH binds the recipe's only input.</summary>
    public static Dictionary<string, string> Inputs(BoundRecipe recipe, IEnumerable<string> values, DiagnosticBag bag)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            int eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && recipe.Inputs.Any(i => i.Name == v[..eq]))
            {
                if (result.TryGetValue(v[..eq], out string? earlier))
                {
                    bag.Report(DiagnosticCodes.InputGivenTwice, null, v[..eq], earlier, v[(eq + 1)..]);
                }

                result[v[..eq]] = v[(eq + 1)..];
            }
            else if (eq > 0 && !v[..eq].Contains('/', StringComparison.Ordinal) && !v[..eq].Contains('.', StringComparison.Ordinal))
            {
                bag.Report(DiagnosticCodes.UnknownInputName, null, v[..eq], string.Join(", ", recipe.Inputs.Select(i => i.Name)));
            }
            else if (recipe.Inputs.Count == 1)
            {
                if (result.TryGetValue(recipe.Inputs[0].Name, out string? earlier))
                {
                    bag.Report(DiagnosticCodes.InputGivenTwice, null, recipe.Inputs[0].Name, earlier, v);
                }

                result[recipe.Inputs[0].Name] = v;
            }
            else
            {
                bag.Report(DiagnosticCodes.NotNameValue, null, "--input", v);
            }
        }

        return result;
    }
}

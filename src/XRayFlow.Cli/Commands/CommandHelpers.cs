using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Cli.Commands;

internal static class CommandHelpers
{
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
        => Load(host, settings, out sets, out _);

    /// <summary>As <see cref="Load(CliHost, RecipeSettings, out List{KeyValuePair{string, string}})"/>, also giving the loader's diagnostics (warnings the report shows).</summary>
    public static BoundRecipe? Load(CliHost host, RecipeSettings settings, out List<KeyValuePair<string, string>> sets, out IReadOnlyList<Diagnostic> loaded)
    {
        loaded = [];
        var bag = new DiagnosticBag();
        sets = Pairs(settings.Set, "--set", bag);
        if (bag.HasErrors)
        {
            host.Report(bag.ToSortedList());
            return null;
        }

        if (!File.Exists(settings.Recipe))
        {
            host.Report(DiagnosticCodes.RecipeFileMissing.Create(null, settings.Recipe));
            return null;
        }

        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in sets)
        {
            dict[k] = v;
        }

        var (recipe, diagnostics) = host.LoadRecipe(settings.Recipe, dict);
        host.Report(diagnostics);
        loaded = diagnostics;
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
                result[v[..eq]] = v[(eq + 1)..];
            }
            else if (eq > 0 && !v[..eq].Contains('/', StringComparison.Ordinal) && !v[..eq].Contains('.', StringComparison.Ordinal))
            {
                bag.Report(DiagnosticCodes.UnknownInputName, null, v[..eq], string.Join(", ", recipe.Inputs.Select(i => i.Name)));
            }
            else if (recipe.Inputs.Count == 1)
            {
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

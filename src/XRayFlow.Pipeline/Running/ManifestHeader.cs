using System.Text;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Running;

/// <summary>The part of a manifest known before any item runs: the recipe, params, --set, input bindings, threads.</summary>
internal static class ManifestHeader
{
    public static Manifest Create(RunRequest request, string manifestPath, string recipeSha, int threads)
    {
        var recipe = request.Recipe;
        string recipeFull = Path.GetFullPath(recipe.Path);
        string manifestDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        string rel = Path.GetRelativePath(manifestDir, recipeFull);
        var bindings = new List<KeyValuePair<string, string>>();
        string recipeDir = Path.GetDirectoryName(recipeFull)!;
        foreach (var input in recipe.Inputs)
        {
            string? p = request.Inputs.TryGetValue(input.Name, out var g) ? (InputList.IsList(g) ? "@" + Path.GetFullPath(g[1..]) : Path.GetFullPath(g))
                : input.DefaultPath is { } d ? Path.GetFullPath(Path.Combine(recipeDir, d)) : null;
            if (p is not null)
            {
                bindings.Add(new(input.Name, p));
            }
        }

        return new Manifest
        {
            Version = Manifest.CurrentVersion,
            RecipeName = recipe.Name,
            RecipePath = Path.DirectorySeparatorChar == '/' ? rel : rel.Replace(Path.DirectorySeparatorChar, '/'),
            RecipeAbsolutePath = recipeFull,
            RecipeFileSha256 = RecipeFileSha(recipeFull),
            RecipeSha256 = recipeSha,
            Params = recipe.Params.Select(p => new KeyValuePair<string, string>(p.Name, ParamJson(p.Value))).ToList(),
            Set = request.Set,
            InputBindings = bindings,
            Threads = threads,
            Items = [],
        };
    }

    /// <summary>SHA-256 of the recipe file (at most 1 MiB, as the loader reads), or empty when there is none (a recipe loaded from text).</summary>
    private static string RecipeFileSha(string path)
    {
        try
        {
            return File.Exists(path) ? Manifest.Sha256OfFile(path, YamlTreeReader.MaxBytes) : string.Empty;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty; // replaced since it was loaded: verify will refuse the run's recipe
        }
    }

    private static string ParamJson(object value)
    {
        var sb = new StringBuilder();
        JsonText.AppendValue(sb, value);
        return sb.ToString();
    }
}

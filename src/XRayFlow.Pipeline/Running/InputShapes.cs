using XRayFlow.Core.IO;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Running;

/// <summary>Input shapes for `xrayflow plan`, from file headers only (no pixel is decoded).</summary>
public static class InputShapes
{
    /// <summary>
    /// The shape of each input whose file (the first of a glob) can be identified: from <paramref name="given"/>
    /// (input name -> path or glob), else the recipe's `default:`. Inputs without a readable file are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, ValueInfo> FromHeaders(BoundRecipe recipe, IReadOnlyDictionary<string, string> given)
    {
        var shapes = new Dictionary<string, ValueInfo>(StringComparer.Ordinal);
        string? recipeRoot = null;
        foreach (var input in recipe.Inputs)
        {
            bool fromRecipe = !given.TryGetValue(input.Name, out var g);
            string? path = fromRecipe ? input.DefaultPath : g;
            if (path is null)
            {
                continue;
            }

            var files = InputResolver.IsGlob(path) ? InputResolver.Expand(path)
                : InputResolver.IsFolder(path) ? InputResolver.FolderImages(path).Select(f => f.Path).ToList() : [path];
            if (files.Count == 0 || UntrustedFile.Stat(files[0]).Kind != FileKind.Regular
                || (fromRecipe && !PathConfinement.IsInside(recipeRoot ??= PathConfinement.RealPath(Path.GetDirectoryName(Path.GetFullPath(recipe.Path)) ?? "."), PathConfinement.RealPath(files[0]))))
            {
                continue; // no file, not a regular file (a FIFO would block), or a default outside the recipe's folder
            }

            if (ImageIO.Identify(files[0]) is not { } s)
            {
                continue;
            }

            if (input.Kind == InputKind.Stack && !(s.IsStack && files.Count == 1))
            {
                s = s with { Frames = files.Count, Kind = ValueKind.Stack };
            }

            shapes[input.Name] = s;
        }

        return shapes;
    }
}

using XRayFlow.Core.Diagnostics;
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
    /// (input name -> path or glob), else the recipe's `default:`. Inputs without a readable file are left out;
    /// for those whose (first) file is a regular file without a readable image header, warning XRF2063 with the
    /// reason goes into <paramref name="warnings"/> when given (`plan` and `validate` say why the shape is '?'), at
    /// the input in the recipe when the file is its `default:`.
    /// </summary>
    public static IReadOnlyDictionary<string, ValueInfo> FromHeaders(BoundRecipe recipe, IReadOnlyDictionary<string, string> given,
        DiagnosticBag? warnings = null)
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

            if (ImageIO.Identify(files[0], out string? why) is not { } s)
            {
                warnings?.Report(DiagnosticCodes.InputHeaderUnreadable, fromRecipe ? input.Location : null, input.Name, files[0], why ?? "no image header");
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

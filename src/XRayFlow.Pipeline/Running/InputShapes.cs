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
    /// those whose (first) file is a regular file without a readable image header are added to
    /// <paramref name="unreadable"/> when given, with the reason (`plan` and `validate` say why the shape is '?').
    /// </summary>
    public static IReadOnlyDictionary<string, ValueInfo> FromHeaders(BoundRecipe recipe, IReadOnlyDictionary<string, string> given,
        ICollection<UnreadableInput>? unreadable = null)
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
                unreadable?.Add(new UnreadableInput(input, files[0], why ?? "no image header", fromRecipe));
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

/// <summary>An input whose file exists but has no readable image header (<see cref="InputShapes.FromHeaders"/>): the file and why.</summary>
/// <param name="FromRecipe">The file is the input's `default:` (the warning points at the input in the recipe), not one given.</param>
public sealed record UnreadableInput(BoundInput Input, string Path, string Why, bool FromRecipe)
{
    /// <summary>XRF2063, a warning: the shape is unknown, and `run` would fail this input.</summary>
    public Core.Diagnostics.Diagnostic ToDiagnostic()
        => Core.Diagnostics.DiagnosticCodes.InputHeaderUnreadable.Create(FromRecipe ? Input.Location : null, Input.Name, Path, Why);
}

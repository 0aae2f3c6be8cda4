using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Testing;

/// <summary>
/// The files a recipe's `tests:` entries name, checked once for both users: `xrayflow test` refuses them before a
/// run (XRF2024 / XRF2023 / XRF2005) and `xrayflow validate` warns (XRF7002). A test's files stay inside the
/// recipe's folder and are regular files; a path with glob characters is left to the run, which says what it matched.
/// </summary>
internal static class TestFiles
{
    /// <summary>What is wrong with a test's file.</summary>
    public enum Problem
    {
        None,
        Outside,
        NotRegular,
        Missing,
    }

    /// <summary>The recipe's folder, links resolved: where its tests' files must be.</summary>
    public static string Root(BoundRecipe recipe) => PathConfinement.RealPath(Path.GetDirectoryName(Path.GetFullPath(recipe.Path)) ?? ".");

    /// <summary>The problem with <paramref name="path"/> (and its kind, for a file that is not regular).</summary>
    public static (Problem Problem, FileKind Kind) Check(string path, string root)
    {
        if (path.IndexOfAny(['*', '?', '[']) >= 0)
        {
            return (Problem.None, FileKind.Regular);
        }

        if (!PathConfinement.IsInside(root, PathConfinement.RealPath(path)))
        {
            return (Problem.Outside, FileKind.Regular);
        }

        var kind = UntrustedFile.Stat(path).Kind;
        return kind switch
        {
            FileKind.Regular => (Problem.None, kind),
            FileKind.Missing => (Problem.Missing, kind),
            _ => (Problem.NotRegular, kind),
        };
    }

    /// <summary>Each file of <paramref name="test"/> (inputs, then reference .npy files) with what it is and where it is written.</summary>
    public static IEnumerable<(string What, string Input, string Path, Core.Diagnostics.SourceLocation Location)> Of(RecipeTest test)
    {
        foreach (var (input, path) in test.Inputs)
        {
            yield return ($"input '{input}'", input, path, test.InputLocations.TryGetValue(input, out var at) ? at : test.Location);
        }

        foreach (var e in test.Expectations)
        {
            if (e.NpyPath is { } npy)
            {
                yield return ($"the reference of output '{e.Output}'", string.Empty, npy, e.Location);
            }
        }
    }
}

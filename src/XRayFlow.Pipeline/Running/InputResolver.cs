using System.Text;
using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Running;

/// <summary>Binds recipe inputs to files: `--input` values, recipe defaults, globs (batch or stack).</summary>
public static class InputResolver
{
    public static bool IsGlob(string path) => path.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>Files matching a glob whose wildcards are in the last path segment, sorted by name (ordinal).</summary>
    public static IReadOnlyList<string> Expand(string pattern)
    {
        string dir = Path.GetDirectoryName(pattern) is { Length: > 0 } d ? d : ".";
        string filePattern = Path.GetFileName(pattern);
        if (!Directory.Exists(dir))
        {
            return [];
        }

        var regex = new Regex("^" + GlobToRegex(filePattern) + "$", RegexOptions.CultureInvariant);
        return Directory.EnumerateFiles(dir)
            .Where(f => regex.IsMatch(Path.GetFileName(f)))
            .Select(f => Path.GetDirectoryName(pattern) is { Length: > 0 } ? f : Path.GetFileName(f))
            .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
            .ToList();
    }

    private static string GlobToRegex(string glob)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < glob.Length; i++)
        {
            char c = glob[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    int close = glob.IndexOf(']', i + 1);
                    if (close > i + 1)
                    {
                        string set = glob[(i + 1)..close];
                        sb.Append('[').Append(set.StartsWith('!') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                        i = close;
                    }
                    else
                    {
                        sb.Append(Regex.Escape("["));
                    }

                    break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// The items of a run: one per file of a glob on an image input (a batch), else one. Paths given on the
    /// command line are relative to the working folder; recipe `default:` paths to the recipe's folder.
    /// </summary>
    public static IReadOnlyList<RunItem> Resolve(BoundRecipe recipe, IReadOnlyDictionary<string, string> given, DiagnosticBag diagnostics)
    {
        foreach (var name in given.Keys)
        {
            if (recipe.Inputs.All(i => i.Name != name))
            {
                diagnostics.Report(DiagnosticCodes.UnknownInputName, null, name, string.Join(", ", recipe.Inputs.Select(i => i.Name)));
            }
        }

        string recipeDir = Path.GetDirectoryName(Path.GetFullPath(recipe.Path)) ?? ".";
        var fixedFiles = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        string? batchInput = null;
        IReadOnlyList<string> batchFiles = [];
        foreach (var input in recipe.Inputs)
        {
            string? path = given.TryGetValue(input.Name, out var g) ? g
                : input.DefaultPath is { } def ? (Path.IsPathRooted(def) ? def : Path.Combine(recipeDir, def))
                : null;
            if (path is null)
            {
                diagnostics.Report(DiagnosticCodes.InputNotBound, input.Location, input.Name);
                continue;
            }

            if (IsGlob(path))
            {
                var files = Expand(path);
                if (files.Count == 0)
                {
                    diagnostics.Report(DiagnosticCodes.GlobNoMatch, null, input.Name, path);
                    continue;
                }

                if (input.Kind == InputKind.Stack)
                {
                    fixedFiles[input.Name] = files;
                }
                else if (batchInput is not null)
                {
                    diagnostics.Report(DiagnosticCodes.TwoBatchInputs, input.Location, batchInput, input.Name);
                }
                else
                {
                    batchInput = input.Name;
                    batchFiles = files;
                }
            }
            else if (!File.Exists(path))
            {
                diagnostics.Report(DiagnosticCodes.InputFileMissing, null, input.Name, path);
            }
            else
            {
                fixedFiles[input.Name] = [path];
            }
        }

        if (diagnostics.HasErrors)
        {
            return [];
        }

        if (batchInput is null)
        {
            string stem = StemOf(recipe, fixedFiles);
            return [new RunItem(stem, stem, fixedFiles)];
        }

        return batchFiles.Select(f =>
        {
            var files = new Dictionary<string, IReadOnlyList<string>>(fixedFiles, StringComparer.Ordinal) { [batchInput] = [f] };
            string stem = Path.GetFileNameWithoutExtension(f);
            return new RunItem(Path.GetFileName(f), stem, files);
        }).ToList();
    }

    private static string StemOf(BoundRecipe recipe, Dictionary<string, IReadOnlyList<string>> files)
    {
        var first = recipe.Inputs.FirstOrDefault(i => i.Kind == InputKind.Image && files.ContainsKey(i.Name))
            ?? recipe.Inputs.FirstOrDefault(i => files.ContainsKey(i.Name));
        if (first is null)
        {
            return recipe.Name;
        }

        var list = files[first.Name];
        if (first.Kind == InputKind.Stack && list.Count > 1)
        {
            // A stack of several files: name it after their folder.
            return Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(list[0]))) is { Length: > 0 } folder ? folder : recipe.Name;
        }

        return Path.GetFileNameWithoutExtension(list[0]);
    }
}

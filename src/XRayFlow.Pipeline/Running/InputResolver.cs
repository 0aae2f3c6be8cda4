using System.Text;
using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Running;

/// <summary>Which files a run may read, besides "regular files only".</summary>
public sealed record InputRules
{
    /// <summary>The given paths come from the recipe itself (its `tests:`): kept inside its folder like `default:` paths.</summary>
    public bool GivenFromRecipe { get; init; }

    /// <summary>Only these absolute paths may be read (`verify`: the files the manifest records); null = any.</summary>
    public IReadOnlySet<string>? OnlyFiles { get; init; }
}

/// <summary>What <see cref="InputResolver.Resolve(BoundRecipe, IReadOnlyDictionary{string, string}, DiagnosticBag, InputRules?, Sharding.Shard?)"/> found.</summary>
/// <param name="Items">The items to run (this shard's block of the batch, or all of them).</param>
/// <param name="All">Every item of the batch in order (outside the block: name and stem only, no files).</param>
/// <param name="Start">The index in <paramref name="All"/> of the first of <paramref name="Items"/>.</param>
/// <param name="Total">How many items the whole batch has.</param>
/// <param name="NotRead">Files a glob or list named that <see cref="InputRules.OnlyFiles"/> kept out (never read).</param>
public sealed record ResolvedInputs(IReadOnlyList<RunItem> Items, IReadOnlyList<RunItem> All, long Start, long Total, IReadOnlyList<string> NotRead);

/// <summary>Binds recipe inputs to files: `--input` values (a path, a glob, or `@list.txt`), recipe defaults, globs (batch or stack).</summary>
public static class InputResolver
{
    public static bool IsGlob(string path) => path.IndexOfAny(['*', '?', '[']) >= 0;

    /// <summary>The file names a folder given as an input contributes (`--input xray=images/`): its images, by extension.</summary>
    public static readonly IReadOnlyList<string> ImageExtensions = [".png", ".jpg", ".jpeg", ".npy", ".dcm"];

    /// <summary>How deep a `**` glob descends below its base folder.</summary>
    public const int MaxGlobDepth = 32;

    /// <summary>True for a path that names an existing folder (followed through links): the folder's images are the input.</summary>
    public static bool IsFolder(string path) => !IsGlob(path) && path.Length > 0 && Directory.Exists(path);

    /// <summary>Files matching a glob, sorted by their path below the glob's base folder (ordinal).</summary>
    public static IReadOnlyList<string> Expand(string pattern) => ExpandNamed(pattern).Select(f => f.Path).ToList();

    /// <summary>
    /// A glob's files, each with its name: its path below the glob's base folder (the folder part before the
    /// first wildcard), with '/' separators, sorted by that name (ordinal). Wildcards may stand in any segment:
    /// `*` and `?` within one segment, `**` for any number of folders (at most <see cref="MaxGlobDepth"/>), so
    /// `images/*.png` names `a.png`, and `images/**/*.png` and `images/*/*.png` name `ward1/a.png`. Folders
    /// reached through a symbolic link are not entered (no cycles, nothing outside the tree).
    /// </summary>
    public static IReadOnlyList<(string Path, string Name)> ExpandNamed(string pattern)
    {
        string[] segments = pattern.Split(Path.DirectorySeparatorChar == '/' ? ['/'] : ['/', Path.DirectorySeparatorChar]);
        int first = Array.FindIndex(segments, IsGlob);
        if (first < 0)
        {
            return [];
        }

        string baseDir = first == 0 ? string.Empty : string.Join('/', segments[..first]);
        if (first > 0 && baseDir.Length == 0)
        {
            baseDir = "/"; // a pattern such as /*.png
        }

        var rest = segments[first..].Where(s => s.Length > 0).ToArray();
        Regex regex;
        try
        {
            regex = new Regex("^" + PathRegex(rest) + "$", RegexOptions.CultureInvariant);
        }
        catch (ArgumentException)
        {
            return []; // a set such as [z-a] matches nothing
        }

        int depth = rest.Contains("**") ? MaxGlobDepth : rest.Length - 1;
        string root = baseDir.Length == 0 ? "." : baseDir;
        if (!Directory.Exists(root))
        {
            return [];
        }

        var found = new List<(string Path, string Name)>();
        Walk(root, string.Empty, depth, regex, baseDir.Length == 0, found);
        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return found;
    }

    private static void Walk(string dir, string prefix, int depth, Regex regex, bool relative, List<(string Path, string Name)> found)
    {
        try
        {
            foreach (string f in Directory.EnumerateFiles(dir))
            {
                string name = prefix + Path.GetFileName(f);
                if (regex.IsMatch(name))
                {
                    found.Add((relative ? name.Replace('/', Path.DirectorySeparatorChar) : f, name));
                }
            }

            if (depth <= 0)
            {
                return;
            }

            foreach (string d in Directory.EnumerateDirectories(dir))
            {
                if (new DirectoryInfo(d).LinkTarget is null)
                {
                    Walk(d, prefix + Path.GetFileName(d) + "/", depth - 1, regex, relative, found);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // an unreadable folder: none of its files match (XRF2006 names the pattern when nothing does)
        }
    }

    /// <summary>The regular expression of a glob's segments joined by '/': `**` is any number of folders.</summary>
    private static string PathRegex(string[] segments)
    {
        var sb = new StringBuilder();
        for (int k = 0; k < segments.Length; k++)
        {
            bool last = k == segments.Length - 1;
            if (segments[k] == "**")
            {
                sb.Append(last ? ".*" : "(?:[^/]+/)*");
                continue;
            }

            sb.Append(GlobToRegex(segments[k]));
            if (!last)
            {
                sb.Append('/');
            }
        }

        return sb.ToString();
    }

    /// <summary>The folder part of a glob before its first wildcard ("." when the first segment has one).</summary>
    public static string GlobBase(string pattern)
    {
        string[] segments = pattern.Split(Path.DirectorySeparatorChar == '/' ? ['/'] : ['/', Path.DirectorySeparatorChar]);
        int first = Array.FindIndex(segments, IsGlob);
        string dir = first <= 0 ? "." : string.Join('/', segments[..first]);
        return dir.Length == 0 ? "/" : dir;
    }

    /// <summary>A folder's images (<see cref="ImageExtensions"/>, any case), not its sub-folders, sorted by name (ordinal).</summary>
    public static IReadOnlyList<(string Path, string Name)> FolderImages(string dir)
    {
        try
        {
            return Directory.EnumerateFiles(dir)
                .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .Select(f => (Path: f, Name: Path.GetFileName(f)))
                .OrderBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// For a folder that gives no image: how many files it holds under other names, and the glob that takes them
    /// (DICOM files are often named without an extension: IM000001, as PS3.10 file IDs are). Empty when it holds none.
    /// </summary>
    private static string OtherFilesHint(string dir)
    {
        int others;
        try
        {
            others = Directory.EnumerateFiles(dir).Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }

        return others == 0 ? string.Empty
            : $"'; it holds {others} file(s) with other names (DICOM files often have no extension): to read them, quote a glob such as '{dir.TrimEnd('/')}/*";
    }

    /// <summary>
    /// An item's {relstem}: its name without the extension, keeping the sub-folders a recursive glob went through
    /// (`ward1/a.png` -> `ward1/a`), so that two `a.png` in different folders can write different outputs. Its
    /// {stem} is the file's name without extension (`a`), as dsl-v1 says.
    /// </summary>
    public static string StemOfName(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? Path.GetFileNameWithoutExtension(name) : name[..(slash + 1)] + Path.GetFileNameWithoutExtension(name[(slash + 1)..]);
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
    /// Every file must be a regular file (XRF2023); `default:` paths, and given paths when
    /// <see cref="InputRules.GivenFromRecipe"/>, must lead inside the recipe's folder after links are
    /// resolved (XRF2024).
    /// </summary>
    public static IReadOnlyList<RunItem> Resolve(BoundRecipe recipe, IReadOnlyDictionary<string, string> given, DiagnosticBag diagnostics, InputRules? rules = null)
        => Resolve(recipe, given, diagnostics, rules, out _);

    /// <summary>As <see cref="Resolve(BoundRecipe, IReadOnlyDictionary{string, string}, DiagnosticBag, InputRules?)"/>; <paramref name="leftOut"/> lists the files a glob matched that <see cref="InputRules.OnlyFiles"/> does not admit (never read).</summary>
    public static IReadOnlyList<RunItem> Resolve(BoundRecipe recipe, IReadOnlyDictionary<string, string> given, DiagnosticBag diagnostics, InputRules? rules, out IReadOnlyList<string> leftOut)
    {
        var resolved = Resolve(recipe, given, diagnostics, rules, shard: null);
        leftOut = resolved.NotRead;
        return resolved.Items;
    }

    /// <summary>
    /// The items of a run or of one shard of it (<paramref name="shard"/>): the batch's files are listed and
    /// sorted (a glob by file name, an `@list` by path relative to the list's folder, both ordinal), the
    /// shard's contiguous block is taken, and only the block's files are checked (stat) and become items.
    /// <see cref="ResolvedInputs.All"/> still names every item of the batch (for the output-collision check
    /// every shard makes over the whole batch).
    /// </summary>
    public static ResolvedInputs Resolve(BoundRecipe recipe, IReadOnlyDictionary<string, string> given, DiagnosticBag diagnostics, InputRules? rules, Sharding.Shard? shard)
    {
        rules ??= new InputRules();
        var skipped = new List<string>();
        foreach (var name in given.Keys)
        {
            if (recipe.Inputs.All(i => i.Name != name))
            {
                diagnostics.Report(DiagnosticCodes.UnknownInputName, null, name, string.Join(", ", recipe.Inputs.Select(i => i.Name)));
            }
        }

        string recipeDir = Path.GetDirectoryName(Path.GetFullPath(recipe.Path)) ?? ".";
        string? recipeRoot = null;
        var fixedFiles = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        string? batchInput = null;
        IReadOnlyList<string> batchFiles = [];
        IReadOnlyList<string>? batchNames = null;
        long batchStart = 0;
        long batchTotal = 0;
        IReadOnlyList<string> allNames = [];
        bool stemsFromNames = false;
        foreach (var input in recipe.Inputs)
        {
            bool fromRecipe;
            string? path;
            string shown;
            if (given.TryGetValue(input.Name, out var g))
            {
                (path, shown, fromRecipe) = (g, g, rules.GivenFromRecipe);
            }
            else if (input.DefaultPath is { } def)
            {
                (path, shown, fromRecipe) = (Path.IsPathRooted(def) ? def : Path.Combine(recipeDir, def), input.DefaultPathText ?? def, true);
            }
            else
            {
                diagnostics.Report(DiagnosticCodes.InputNotBound, input.Location, input.Name);
                continue;
            }

            string? root = fromRecipe ? recipeRoot ??= PathConfinement.RealPath(recipeDir) : null;
            bool list = !fromRecipe && InputList.IsList(path);
            bool folder = !list && IsFolder(path);
            bool glob = list || folder || IsGlob(path);
            IReadOnlyList<string> files;
            IReadOnlyList<string>? names = null;
            if (list)
            {
                if (InputList.Read(input.Name, path, diagnostics) is not { } entries)
                {
                    continue;
                }

                if (rules.OnlyFiles is { } only)
                {
                    skipped.AddRange(entries.Where(e => !only.Contains(e.FullPath)).Select(e => e.FullPath));
                    entries = entries.Where(e => only.Contains(e.FullPath)).ToList();
                }

                files = entries.Select(e => e.FullPath).ToList();
                names = entries.Select(e => e.Name).ToList();
                if (files.Count == 0)
                {
                    diagnostics.Report(DiagnosticCodes.GlobNoMatch, null, input.Name, path);
                    continue;
                }
            }
            else if (glob)
            {
                if (root is not null && !PathConfinement.IsInside(root, PathConfinement.RealPath(Path.GetFullPath(folder ? path : GlobBase(path)))))
                {
                    diagnostics.Report(DiagnosticCodes.PathOutsideRecipeFolder, input.Location, $"input '{input.Name}'", shown, root);
                    continue;
                }

                // A folder: its images (sorted, not its sub-folders); a glob: its files, named by their path below its base.
                var named = folder ? FolderImages(path) : ExpandNamed(path);
                if (rules.OnlyFiles is { } only)
                {
                    skipped.AddRange(named.Where(f => !only.Contains(Path.GetFullPath(f.Path))).Select(f => f.Path));
                    named = named.Where(f => only.Contains(Path.GetFullPath(f.Path))).ToList();
                }

                names = named.Select(f => f.Name).ToList();
                files = named.Select(f => f.Path).ToList();

                if (files.Count == 0)
                {
                    diagnostics.Report(DiagnosticCodes.GlobNoMatch, null, input.Name, folder ? $"{path}', a folder: it gives its {string.Join(", ", ImageExtensions)} files (not its sub-folders); for those, quote a glob such as '{path.TrimEnd('/')}/**/*.png{OtherFilesHint(path)}" : path);
                    continue;
                }
            }
            else
            {
                if (rules.OnlyFiles is { } only && !only.Contains(Path.GetFullPath(path)))
                {
                    diagnostics.Report(DiagnosticCodes.InputNotRecorded, null, input.Name, path);
                    continue;
                }

                files = [path];
            }

            // A batch (a glob or a list on an image input): a shard checks and runs only its block of it.
            bool batch = glob && input.Kind != InputKind.Stack && batchInput is null;
            long start = 0;
            long total = files.Count;
            IReadOnlyList<string> all = [];
            if (batch)
            {
                all = names ?? files.Select(f => Path.GetFileName(f)).ToList();
                if (shard is not null)
                {
                    (start, long length) = shard.Block(files.Count);
                    files = Slice(files, start, length);
                    names = names is null ? null : Slice(names, start, length);
                }
            }

            if (!CheckFiles(input, files, glob ? null : shown, root, diagnostics, expanded: glob && !list))
            {
                continue;
            }

            if (!glob)
            {
                fixedFiles[input.Name] = files;
            }
            else if (input.Kind == InputKind.Stack)
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
                batchNames = names;
                stemsFromNames = !list;
                batchStart = start;
                batchTotal = total;
                allNames = all;
            }
        }

        if (diagnostics.HasErrors)
        {
            return new ResolvedInputs([], [], 0, 0, skipped);
        }

        if (batchInput is null)
        {
            // One item: one shard (the last) runs it, the others nothing.
            string stem = StemOf(recipe, fixedFiles);
            var single = new RunItem(stem, stem, fixedFiles);
            return new ResolvedInputs(shard is null || shard.Block(1).Length == 1 ? [single] : [], [single], shard?.Block(1).Start ?? 0, 1, skipped);
        }

        var items = new List<RunItem>(batchFiles.Count);
        for (int k = 0; k < batchFiles.Count; k++)
        {
            string f = batchFiles[k];
            var files = new Dictionary<string, IReadOnlyList<string>>(fixedFiles, StringComparer.Ordinal) { [batchInput] = [f] };
            string name = batchNames?[k] ?? Path.GetFileName(f);
            items.Add(BatchItem(name, stemsFromNames ? StemOfName(name) : Path.GetFileNameWithoutExtension(f), files));
        }

        if (shard is null)
        {
            return new ResolvedInputs(items, items, 0, batchTotal, skipped);
        }

        // The whole batch by name and stem only (no files): enough to place every output.
        var none = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var everyone = new RunItem[allNames.Count];
        for (int k = 0; k < everyone.Length; k++)
        {
            everyone[k] = k >= batchStart && k - batchStart < items.Count ? items[(int)(k - batchStart)] : BatchItem(allNames[k], stemsFromNames ? StemOfName(allNames[k]) : Path.GetFileNameWithoutExtension(allNames[k]), none);
        }

        return new ResolvedInputs(items, everyone, batchStart, batchTotal, skipped);
    }

    /// <summary>A batch item: its {stem} the last part of <paramref name="relStem"/> (a file's name without extension), its {relstem} that.</summary>
    private static RunItem BatchItem(string name, string relStem, IReadOnlyDictionary<string, IReadOnlyList<string>> files)
        => new(name, relStem[(relStem.LastIndexOf('/') + 1)..], files) { RelStem = relStem };

    private static IReadOnlyList<string> Slice(IReadOnlyList<string> list, long start, long length)
    {
        var part = new string[length];
        for (long k = 0; k < length; k++)
        {
            part[k] = list[(int)(start + k)];
        }

        return part;
    }

    /// <summary>
    /// Each file exists (XRF2005; with <paramref name="expanded"/>, a glob's or folder's missing entry, such as a
    /// dangling link, is left to fail alone as its item is read), is a regular file (XRF2023: a FIFO would block, /dev/zero never ends) and,
    /// with a <paramref name="root"/>, leads inside it after links are resolved (XRF2024).
    /// <paramref name="shown"/> is how the recipe or command line wrote a single path (null for a glob's files).
    /// </summary>
    private static bool CheckFiles(BoundInput input, IReadOnlyList<string> files, string? shown, string? root, DiagnosticBag diagnostics, bool expanded = false)
    {
        bool ok = true;
        foreach (var f in files)
        {
            if (root is not null && !PathConfinement.IsInside(root, PathConfinement.RealPath(f)))
            {
                diagnostics.Report(DiagnosticCodes.PathOutsideRecipeFolder, input.Location, $"input '{input.Name}'", shown ?? f, root);
                ok = false;
                continue;
            }

            var kind = UntrustedFile.Stat(f).Kind;
            if (kind == FileKind.Missing && expanded)
            {
                // A glob's or folder's entry that is not there (a link whose target is gone, a file removed since
                // the listing): that item fails alone when it is read, as a corrupt file does; the batch goes on.
                // A file named on the command line or in an @list is still refused before any work.
                continue;
            }

            if (kind == FileKind.Missing)
            {
                // Located at the input when the path is the recipe's own (its default:); a command-line path has no line.
                diagnostics.Report(DiagnosticCodes.InputFileMissing, root is not null ? input.Location : null, input.Name, f);
                ok = false;
            }
            else if (kind != FileKind.Regular)
            {
                diagnostics.Report(DiagnosticCodes.InputNotRegularFile, root is not null ? input.Location : null, $"input '{input.Name}'", f, UntrustedFile.Describe(kind));
                ok = false;
            }
        }

        return ok;
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

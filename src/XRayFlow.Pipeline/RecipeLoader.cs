using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline;

/// <summary>A loaded recipe: the bound recipe (null when any error) and every diagnostic, sorted by location.</summary>
public sealed record RecipeLoadResult(BoundRecipe? Recipe, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.IsError);
}

/// <summary>
/// Reads and binds a recipe: YAML with locations (<see cref="YamlTreeReader"/>) then binding against the
/// op registry (<see cref="RecipeBinder"/>). Never throws for user mistakes and never runs anything.
/// </summary>
public static class RecipeLoader
{
    /// <summary>Load the recipe file at <paramref name="path"/> (refused before reading when over 1 MiB).</summary>
    /// <param name="path">The recipe file; diagnostics name it as given.</param>
    /// <param name="setOverrides">`--set name=value` pairs (the value text is parsed by the param's declared type).</param>
    public static RecipeLoadResult Load(string path, IReadOnlyDictionary<string, string>? setOverrides = null)
        => Load(path, setOverrides, OpsByName());

    /// <summary>Load recipe text; <paramref name="displayPath"/> names it in diagnostics and anchors relative default paths.</summary>
    public static RecipeLoadResult LoadText(string text, string displayPath, IReadOnlyDictionary<string, string>? setOverrides = null)
        => LoadText(text, displayPath, setOverrides, OpsByName());

    /// <summary>Test hook: load against an explicit op table instead of <see cref="OpRegistry"/>.</summary>
    internal static RecipeLoadResult Load(string path, IReadOnlyDictionary<string, string>? setOverrides, IReadOnlyDictionary<string, OpDefinition> ops)
    {
        // A recipe may come from anywhere: only a regular file is opened (a FIFO would block, /dev/zero never
        // ends), and never more than 1 MiB is read, whatever length the file system reports.
        string text;
        try
        {
            var facts = UntrustedFile.Stat(path);
            if (facts.Kind == FileKind.Missing)
            {
                return Fail(bag => bag.ReportRecipeUnreadable($"{path}: no such file"));
            }

            if (facts.Kind != FileKind.Regular)
            {
                return Fail(bag => bag.ReportRecipeUnreadable($"{path}: it is {UntrustedFile.Describe(facts.Kind)}, not a regular file"));
            }

            if (facts.Length > YamlTreeReader.MaxBytes)
            {
                return Fail(bag => bag.ReportRecipeTooLarge(new SourceLocation(path, 1, 1), facts.Length));
            }

            byte[] bytes;
            try
            {
                bytes = UntrustedFile.ReadAllBytes(path, YamlTreeReader.MaxBytes);
            }
            catch (UntrustedFileException)
            {
                // It grew past the bound while being read.
                return Fail(bag => bag.ReportRecipeTooLarge(new SourceLocation(path, 1, 1), UntrustedFile.Stat(path).Length));
            }

            using var reader = new StreamReader(new MemoryStream(bytes), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            text = reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return Fail(bag => bag.ReportRecipeUnreadable($"{path}: {e.Message}"));
        }

        return LoadText(text, path, setOverrides, ops);
    }

    /// <summary>Test hook: load text against an explicit op table.</summary>
    internal static RecipeLoadResult LoadText(string text, string displayPath, IReadOnlyDictionary<string, string>? setOverrides, IReadOnlyDictionary<string, OpDefinition> ops)
    {
        var bag = new DiagnosticBag();
        var root = YamlTreeReader.Read(text, displayPath, bag);
        BoundRecipe? recipe = null;
        if (root is not null)
        {
            recipe = RecipeBinder.Bind(root, displayPath, ops, setOverrides, bag);
        }

        return new RecipeLoadResult(bag.HasErrors ? null : recipe, bag.ToSortedList());
    }

    /// <summary>A load refused before any text was read: the one diagnostic <paramref name="report"/> puts in a new bag.</summary>
    private static RecipeLoadResult Fail(Action<DiagnosticBag> report)
    {
        var bag = new DiagnosticBag();
        report(bag);
        return new RecipeLoadResult(null, bag.ToSortedList());
    }

    private static IReadOnlyDictionary<string, OpDefinition> OpsByName()
        => OpRegistry.All.ToDictionary(o => o.Name, StringComparer.Ordinal);
}

namespace XRayFlow.Pipeline.Running;

/// <summary>One execution of the recipe: the files bound to each input, and the `{stem}` of its outputs.</summary>
/// <param name="Name">The item's name in summaries and the manifest (the batch file's name, with the sub-folders a recursive glob went through; or the stem).</param>
/// <param name="Stem">The `{stem}` of output paths: the input file's name without extension (dsl-v1).</param>
/// <param name="Files">Input name -> the files it reads (one for an image, the sorted frames for a stack).</param>
public sealed record RunItem(string Name, string Stem, IReadOnlyDictionary<string, IReadOnlyList<string>> Files)
{
    /// <summary>
    /// The `{relstem}` of output paths: the name without extension, keeping the sub-folders below the glob's base
    /// (`ward1/a.png` -> `ward1/a`); the stem where there are none.
    /// </summary>
    public string RelStem { get; init; } = Stem;
}

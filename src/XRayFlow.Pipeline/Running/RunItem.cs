namespace XRayFlow.Pipeline.Running;

/// <summary>One execution of the recipe: the files bound to each input, and the `{stem}` of its outputs.</summary>
/// <param name="Name">The item's name in summaries and the manifest (the batch file's stem, or the stem).</param>
/// <param name="Stem">The `{stem}` of output paths.</param>
/// <param name="Files">Input name -> the files it reads (one for an image, the sorted frames for a stack).</param>
public sealed record RunItem(string Name, string Stem, IReadOnlyDictionary<string, IReadOnlyList<string>> Files);

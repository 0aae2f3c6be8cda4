namespace XRayFlow.Core.Codecs;

/// <summary>What a file is, from its header (<see cref="ImageReader.Describe"/>).</summary>
/// <param name="Format">The format the reader uses for it.</param>
/// <param name="StoredAs">How it stores its samples, e.g. "PNG, 8-bit grey" (escaped for a terminal).</param>
public sealed record ImageFileDescription(ImageFileFormat Format, string StoredAs);

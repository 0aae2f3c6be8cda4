namespace XRayFlow.Core.Codecs;

/// <summary>What a file's header says, without decoding pixels.</summary>
/// <param name="Format">The content format.</param>
/// <param name="Frames">1 for an image, N for a stack.</param>
/// <param name="Rows">Height.</param>
/// <param name="Cols">Width.</param>
/// <param name="IsStack">A 3-D array (a .npy of rank 3).</param>
/// <param name="IsComplex">A complex .npy.</param>
public sealed record ImageHeader(ImageFileFormat Format, int Frames, int Rows, int Cols, bool IsStack, bool IsComplex);

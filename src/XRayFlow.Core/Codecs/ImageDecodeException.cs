namespace XRayFlow.Core.Codecs;

/// <summary>
/// An input file could not be read (truncated, empty, mislabelled, unsupported). The message names the
/// file and the reason in the user's words; the runner turns it into a per-input failure.
/// </summary>
public sealed class ImageDecodeException(string path, string reason, Exception? inner = null)
    : Exception($"{path}: {reason}", inner)
{
    public string Path { get; } = path;

    public string Reason { get; } = reason;
}

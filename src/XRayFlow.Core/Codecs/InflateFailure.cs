namespace XRayFlow.Core.Codecs;

/// <summary>
/// What .NET's zlib streams throw for data they cannot inflate: InvalidDataException for zlib's Z_DATA_ERROR, and
/// System.IO.Compression.ZLibException (an IOException, not public) for its other errors, which crafted data can
/// also reach (the PNG fuzz found one: "The underlying compression routine returned an unexpected error code").
/// Every inflate of untrusted bytes catches both, so such a file is refused with a reason, never an internal error.
/// </summary>
internal static class InflateFailure
{
    /// <summary>True for the exceptions an inflate of damaged data throws.</summary>
    public static bool Is(Exception ex)
        => ex is InvalidDataException || (ex is IOException && ex.GetType().FullName == "System.IO.Compression.ZLibException");
}

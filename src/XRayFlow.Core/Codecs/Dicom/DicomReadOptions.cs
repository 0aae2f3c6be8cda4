namespace XRayFlow.Core.Codecs.Dicom;

/// <summary>Limits and leniencies of the DICOM reader. The defaults refuse anything suspicious.</summary>
public sealed record DicomReadOptions
{
    public static DicomReadOptions Default { get; } = new();

    /// <summary>
    /// Read a file that lacks the 128-byte preamble and "DICM" (as pydicom's force=True): a file meta group at
    /// offset 0 is used when present; otherwise the transfer syntax is guessed (Explicit VR Little Endian when
    /// bytes 4-5 are a valid VR, else Implicit VR Little Endian).
    /// </summary>
    public bool AllowMissingPreamble { get; init; }

    /// <summary>Largest file (or stream) read, in bytes. Default 1 GiB.</summary>
    public long MaxFileBytes { get; init; } = 1L << 30;

    /// <summary>Largest inflated size of a Deflated Explicit VR Little Endian dataset (zip-bomb guard). Default 1 GiB.</summary>
    public long MaxInflatedBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Largest inflated part of a Deflated Explicit VR Little Endian dataset before its Pixel Data element (zip-bomb
    /// guard: after it, inflation stops at the pixel bytes the header declares). Default 64 MiB.
    /// </summary>
    public long MaxInflatedHeaderBytes { get; init; } = 64L << 20;

    /// <summary>Deepest nesting of undefined-length sequences (sequence in item in sequence ...). Default 64.</summary>
    public int MaxSequenceDepth { get; init; } = 64;

    /// <summary>Most pixels (frames x rows x columns) decoded into one image. Default and ceiling: (2^31 - 1) / 3.</summary>
    public long MaxPixels { get; init; } = int.MaxValue / 3;
}

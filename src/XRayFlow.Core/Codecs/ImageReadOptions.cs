namespace XRayFlow.Core.Codecs;

/// <summary>Limits applied while reading an input file, checked before any pixel buffer is allocated.</summary>
public sealed record ImageReadOptions
{
    public static ImageReadOptions Default { get; } = new();

    /// <summary>Largest number of pixels (rows x cols, or frames x rows x cols for a stack) a file may declare.</summary>
    public long MaxPixels { get; init; } = 100_000_000;

    /// <summary>
    /// Read a DICOM file that lacks the 128-byte preamble and "DICM" (only files named .dcm reach the DICOM
    /// reader without the preamble). Off by default: such a file is refused with a message naming this option.
    /// </summary>
    public bool DicomWithoutPreamble { get; init; }
}

/// <summary>What a file's first bytes say it is.</summary>
public enum ImageFileFormat
{
    Unknown,
    Png,
    Jpeg,
    Npy,
    Dicom,
}

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

    /// <summary>
    /// Refuses a header that declares an empty image, more pixels than <see cref="MaxPixels"/>, or (when
    /// <see cref="MaxPixels"/> is raised past it) more pixels than one image array holds (<see cref="Array.MaxLength"/>).
    /// Dimensions are at most 2^32 - 1 (PNG's IHDR), so the product is computed without overflow.
    /// </summary>
    internal void CheckPixels(string name, long rows, long cols)
    {
        if (rows <= 0 || cols <= 0)
        {
            throw new ImageDecodeException(name, $"the header declares an empty image ({rows} x {cols})");
        }

        var pixels = (UInt128)(ulong)rows * (ulong)cols;
        if (pixels > (UInt128)(ulong)Math.Max(0, MaxPixels))
        {
            throw new ImageDecodeException(name, $"the image is {rows} x {cols} = {pixels} pixels, more than the limit of {MaxPixels}");
        }

        if (pixels > (UInt128)(ulong)Array.MaxLength)
        {
            throw new ImageDecodeException(name, $"the image is {rows} x {cols} = {pixels} pixels, more than one image array holds ({Array.MaxLength})");
        }
    }
}

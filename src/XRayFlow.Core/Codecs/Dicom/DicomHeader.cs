using System.Globalization;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Codecs.Dicom;

/// <summary>
/// The header fields XRayFlow reads from a DICOM file (top-level elements of the dataset only; elements
/// inside sequences are skipped). A field the file lacks is null. Multi-valued fields (Window Center and
/// Window Width may carry several windows separated by '\') keep their full text in the *Text properties;
/// the numeric property is the FIRST value, which is the window the reader and the `window` op use.
/// </summary>
public sealed class DicomHeader
{
    public required DicomTransferSyntax TransferSyntax { get; init; }

    /// <summary>True when the file had the 128-byte preamble followed by "DICM".</summary>
    public bool HasPreamble { get; init; }

    /// <summary>(0008,0016) SOP Class UID.</summary>
    public string? SopClassUid { get; init; }

    /// <summary>(0008,0060) Modality, e.g. CT, MR, CR, DX.</summary>
    public string? Modality { get; init; }

    /// <summary>(0028,0010) Rows.</summary>
    public int? Rows { get; init; }

    /// <summary>(0028,0011) Columns.</summary>
    public int? Columns { get; init; }

    /// <summary>(0028,0008) Number of Frames (IS); null when absent (one frame).</summary>
    public int? NumberOfFrames { get; init; }

    /// <summary>Frames in the pixel data: Number of Frames, or 1 when absent, empty or 0 (as the decoder reads it).</summary>
    public int Frames => NumberOfFrames is null or 0 ? 1 : NumberOfFrames.Value;

    /// <summary>(0028,0002) Samples per Pixel.</summary>
    public int? SamplesPerPixel { get; init; }

    /// <summary>(0028,0004) Photometric Interpretation (MONOCHROME1, MONOCHROME2, RGB, ...).</summary>
    public string? Photometric { get; init; }

    /// <summary>(0028,0006) Planar Configuration (0 = interleaved samples, 1 = by plane).</summary>
    public int? PlanarConfiguration { get; init; }

    /// <summary>(0028,0100) Bits Allocated.</summary>
    public int? BitsAllocated { get; init; }

    /// <summary>(0028,0101) Bits Stored.</summary>
    public int? BitsStored { get; init; }

    /// <summary>(0028,0102) High Bit.</summary>
    public int? HighBit { get; init; }

    /// <summary>(0028,0103) Pixel Representation (0 unsigned, 1 two's complement).</summary>
    public int? PixelRepresentation { get; init; }

    /// <summary>(0028,1053) Rescale Slope; 1 when absent.</summary>
    public double RescaleSlope { get; init; } = 1.0;

    /// <summary>(0028,1052) Rescale Intercept; 0 when absent.</summary>
    public double RescaleIntercept { get; init; }

    /// <summary>True when the file carries Rescale Slope or Rescale Intercept.</summary>
    public bool HasRescale { get; init; }

    /// <summary>(0028,1054) Rescale Type (HU for CT, US = unspecified).</summary>
    public string? RescaleType { get; init; }

    /// <summary>First value of (0028,1050) Window Center, when present and numeric.</summary>
    public double? WindowCenter { get; init; }

    /// <summary>First value of (0028,1051) Window Width, when present and numeric.</summary>
    public double? WindowWidth { get; init; }

    /// <summary>(0028,1050) as written (all values).</summary>
    public string? WindowCenterText { get; init; }

    /// <summary>(0028,1051) as written (all values).</summary>
    public string? WindowWidthText { get; init; }

    /// <summary>(0028,1056) VOI LUT Function (LINEAR, LINEAR_EXACT, SIGMOID); XRayFlow's window op is LINEAR.</summary>
    public string? VoiLutFunction { get; init; }

    /// <summary>The pixel data is encapsulated (undefined length, fragments).</summary>
    public bool PixelDataEncapsulated { get; init; }

    /// <summary>Bytes of native pixel data, or of all fragments when encapsulated; null without Pixel Data.</summary>
    public long? PixelDataLength { get; init; }

    /// <summary>The fields a user checks first, in a fixed order, as text (for `xrayflow info`).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> DisplayFields()
    {
        static string N(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "(absent)";
        static string D(double v) => RoundTrip.Format(v);
        string pr = PixelRepresentation switch
        {
            0 => "0 (unsigned)",
            1 => "1 (signed)",
            null => "(absent)",
            var v => v.Value.ToString(CultureInfo.InvariantCulture),
        };
        string window = WindowCenterText is null && WindowWidthText is null
            ? "(absent)"
            : $"center {WindowCenterText ?? "(absent)"}, width {WindowWidthText ?? "(absent)"}";
        return
        [
            new("modality", Modality ?? "(absent)"),
            new("rows", N(Rows)),
            new("columns", N(Columns)),
            new("frames", Frames.ToString(CultureInfo.InvariantCulture)),
            new("samples per pixel", N(SamplesPerPixel)),
            new("bits allocated", N(BitsAllocated)),
            new("bits stored", N(BitsStored)),
            new("high bit", N(HighBit)),
            new("pixel representation", pr),
            new("photometric interpretation", Photometric ?? "(absent)"),
            new("rescale slope", D(RescaleSlope) + (HasRescale ? string.Empty : " (default)")),
            new("rescale intercept", D(RescaleIntercept) + (HasRescale ? string.Empty : " (default)")),
            new("rescale type", RescaleType ?? "(absent)"),
            new("window center/width", window),
            new("transfer syntax", $"{TransferSyntax.Uid} ({TransferSyntax.Name})"),
        ];
    }
}

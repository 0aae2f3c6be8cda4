using System.Runtime.CompilerServices;
using XRayFlow.Core.Codecs.Dicom;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// Display facts of a DICOM image that ImageArray itself does not carry: the header's VOI window and the
/// photometric interpretation. The DICOM loader attaches them to the exact ImageArray instance it returns
/// (a side table keyed by reference: <see cref="ConditionalWeakTable{TKey,TValue}"/>, so they vanish with the
/// array). Any op that produces a new array drops them: the `window` op must therefore come first after a
/// DICOM input to use the header's window (or be given center and width explicitly).
/// </summary>
/// <param name="WindowCenter">First value of Window Center (0028,1050), in modality units; null when absent.</param>
/// <param name="WindowWidth">First value of Window Width (0028,1051); null when absent.</param>
/// <param name="Photometric">Photometric Interpretation; MONOCHROME1 displays inverted.</param>
/// <param name="Source">The file it came from (for messages).</param>
public sealed record DicomDisplayInfo(double? WindowCenter, double? WindowWidth, string Photometric, string Source)
{
    private static readonly ConditionalWeakTable<ImageArray, DicomDisplayInfo> Table = new();

    /// <summary>MONOCHROME1: the minimum value is white.</summary>
    public bool IsInverted => Photometric == "MONOCHROME1";

    public static DicomDisplayInfo From(DicomHeader header, string source)
        => new(header.WindowCenter, header.WindowWidth, header.Photometric ?? "MONOCHROME2", source);

    /// <summary>Attaches (or replaces) the display facts of an array.</summary>
    public static void Attach(ImageArray array, DicomDisplayInfo info) => Table.AddOrUpdate(array, info);

    /// <summary>The display facts attached to this very array instance, if any.</summary>
    public static bool TryGet(ImageArray array, out DicomDisplayInfo? info) => Table.TryGetValue(array, out info);
}

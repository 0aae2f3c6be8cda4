namespace XRayFlow.Core.Codecs.Dicom;

/// <summary>How a transfer syntax encodes the dataset and the pixel data.</summary>
public enum TransferSyntaxEncoding
{
    /// <summary>Native (uncompressed) pixel data: XRayFlow decodes it.</summary>
    Native,

    /// <summary>RLE Lossless (PS3.5 Annex G): XRayFlow decodes it.</summary>
    Rle,

    /// <summary>Encapsulated with a codec XRayFlow does not carry (JPEG, JPEG-LS, JPEG 2000, HTJ2K, MPEG, ...).</summary>
    UnsupportedCodec,
}

/// <summary>One transfer syntax: UID, the standard's name (PS3.6 Table A-1) and how to read it.</summary>
public sealed record DicomTransferSyntax(
    string Uid,
    string Name,
    bool ExplicitVr,
    bool LittleEndian,
    bool Deflated,
    TransferSyntaxEncoding Encoding)
{
    public const string ImplicitVrLittleEndianUid = "1.2.840.10008.1.2";
    public const string ExplicitVrLittleEndianUid = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVrLittleEndianUid = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVrBigEndianUid = "1.2.840.10008.1.2.2";
    public const string RleLosslessUid = "1.2.840.10008.1.2.5";

    private static readonly Dictionary<string, DicomTransferSyntax> Known = Build();

    /// <summary>True when XRayFlow decodes the pixel data of this syntax.</summary>
    public bool PixelsSupported => Encoding != TransferSyntaxEncoding.UnsupportedCodec;

    /// <summary>"UID - Name" as pydicom prints it (e.g. "1.2.840.10008.1.2.4.51 - JPEG Extended (Process 2 and 4)").</summary>
    public string Display => $"{Uid} - {Name}";

    public static IReadOnlyCollection<DicomTransferSyntax> All => Known.Values;

    /// <summary>The syntax for a UID; unknown UIDs get Name "unknown transfer syntax" and are read as Explicit VR LE
    /// with encapsulated pixels that are refused.</summary>
    public static DicomTransferSyntax Lookup(string uid)
        => Known.TryGetValue(uid, out var ts)
            ? ts
            : new DicomTransferSyntax(uid, "unknown transfer syntax", true, true, false, TransferSyntaxEncoding.UnsupportedCodec);

    public static bool IsKnown(string uid) => Known.ContainsKey(uid);

    private static Dictionary<string, DicomTransferSyntax> Build()
    {
        var list = new List<DicomTransferSyntax>
        {
            new(ImplicitVrLittleEndianUid, "Implicit VR Little Endian", false, true, false, TransferSyntaxEncoding.Native),
            new(ExplicitVrLittleEndianUid, "Explicit VR Little Endian", true, true, false, TransferSyntaxEncoding.Native),
            new(DeflatedExplicitVrLittleEndianUid, "Deflated Explicit VR Little Endian", true, true, true, TransferSyntaxEncoding.Native),
            new(ExplicitVrBigEndianUid, "Explicit VR Big Endian", true, false, false, TransferSyntaxEncoding.Native),
            new(RleLosslessUid, "RLE Lossless", true, true, false, TransferSyntaxEncoding.Rle),
        };

        void Codec(string uid, string name) => list.Add(new(uid, name, true, true, false, TransferSyntaxEncoding.UnsupportedCodec));

        Codec("1.2.840.10008.1.2.1.98", "Encapsulated Uncompressed Explicit VR Little Endian");
        Codec("1.2.840.10008.1.2.4.50", "JPEG Baseline (Process 1)");
        Codec("1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4)");
        Codec("1.2.840.10008.1.2.4.52", "JPEG Extended (Process 3 and 5)");
        Codec("1.2.840.10008.1.2.4.53", "JPEG Spectral Selection, Non-Hierarchical (Process 6 and 8)");
        Codec("1.2.840.10008.1.2.4.54", "JPEG Spectral Selection, Non-Hierarchical (Process 7 and 9)");
        Codec("1.2.840.10008.1.2.4.55", "JPEG Full Progression, Non-Hierarchical (Process 10 and 12)");
        Codec("1.2.840.10008.1.2.4.56", "JPEG Full Progression, Non-Hierarchical (Process 11 and 13)");
        Codec("1.2.840.10008.1.2.4.57", "JPEG Lossless, Non-Hierarchical (Process 14)");
        Codec("1.2.840.10008.1.2.4.58", "JPEG Lossless, Non-Hierarchical (Process 15)");
        Codec("1.2.840.10008.1.2.4.59", "JPEG Extended, Hierarchical (Process 16 and 18)");
        Codec("1.2.840.10008.1.2.4.60", "JPEG Extended, Hierarchical (Process 17 and 19)");
        Codec("1.2.840.10008.1.2.4.61", "JPEG Spectral Selection, Hierarchical (Process 20 and 22)");
        Codec("1.2.840.10008.1.2.4.62", "JPEG Spectral Selection, Hierarchical (Process 21 and 23)");
        Codec("1.2.840.10008.1.2.4.63", "JPEG Full Progression, Hierarchical (Process 24 and 26)");
        Codec("1.2.840.10008.1.2.4.64", "JPEG Full Progression, Hierarchical (Process 25 and 27)");
        Codec("1.2.840.10008.1.2.4.65", "JPEG Lossless, Hierarchical (Process 28)");
        Codec("1.2.840.10008.1.2.4.66", "JPEG Lossless, Hierarchical (Process 29)");
        Codec("1.2.840.10008.1.2.4.70", "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14 [Selection Value 1])");
        Codec("1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression");
        Codec("1.2.840.10008.1.2.4.81", "JPEG-LS Lossy (Near-Lossless) Image Compression");
        Codec("1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)");
        Codec("1.2.840.10008.1.2.4.91", "JPEG 2000 Image Compression");
        Codec("1.2.840.10008.1.2.4.92", "JPEG 2000 Part 2 Multi-component Image Compression (Lossless Only)");
        Codec("1.2.840.10008.1.2.4.93", "JPEG 2000 Part 2 Multi-component Image Compression");
        Codec("1.2.840.10008.1.2.4.94", "JPIP Referenced");
        Codec("1.2.840.10008.1.2.4.95", "JPIP Referenced Deflate");
        Codec("1.2.840.10008.1.2.4.100", "MPEG2 Main Profile / Main Level");
        Codec("1.2.840.10008.1.2.4.100.1", "Fragmentable MPEG2 Main Profile / Main Level");
        Codec("1.2.840.10008.1.2.4.101", "MPEG2 Main Profile / High Level");
        Codec("1.2.840.10008.1.2.4.101.1", "Fragmentable MPEG2 Main Profile / High Level");
        Codec("1.2.840.10008.1.2.4.102", "MPEG-4 AVC/H.264 High Profile / Level 4.1");
        Codec("1.2.840.10008.1.2.4.102.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.1");
        Codec("1.2.840.10008.1.2.4.103", "MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1");
        Codec("1.2.840.10008.1.2.4.103.1", "Fragmentable MPEG-4 AVC/H.264 BD-compatible High Profile / Level 4.1");
        Codec("1.2.840.10008.1.2.4.104", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video");
        Codec("1.2.840.10008.1.2.4.104.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 2D Video");
        Codec("1.2.840.10008.1.2.4.105", "MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video");
        Codec("1.2.840.10008.1.2.4.105.1", "Fragmentable MPEG-4 AVC/H.264 High Profile / Level 4.2 For 3D Video");
        Codec("1.2.840.10008.1.2.4.106", "MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2");
        Codec("1.2.840.10008.1.2.4.106.1", "Fragmentable MPEG-4 AVC/H.264 Stereo High Profile / Level 4.2");
        Codec("1.2.840.10008.1.2.4.107", "HEVC/H.265 Main Profile / Level 5.1");
        Codec("1.2.840.10008.1.2.4.108", "HEVC/H.265 Main 10 Profile / Level 5.1");
        Codec("1.2.840.10008.1.2.4.110", "JPEG XL Lossless");
        Codec("1.2.840.10008.1.2.4.111", "JPEG XL JPEG Recompression");
        Codec("1.2.840.10008.1.2.4.112", "JPEG XL");
        Codec("1.2.840.10008.1.2.4.201", "High-Throughput JPEG 2000 Image Compression (Lossless Only)");
        Codec("1.2.840.10008.1.2.4.202", "High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)");
        Codec("1.2.840.10008.1.2.4.203", "High-Throughput JPEG 2000 Image Compression");
        Codec("1.2.840.10008.1.2.4.204", "JPIP HTJ2K Referenced");
        Codec("1.2.840.10008.1.2.4.205", "JPIP HTJ2K Referenced Deflate");
        Codec("1.2.840.10008.1.2.6.1", "RFC 2557 MIME encapsulation");
        Codec("1.2.840.10008.1.2.6.2", "XML Encoding");
        Codec("1.2.840.10008.1.2.7.1", "SMPTE ST 2110-20 Uncompressed Progressive Active Video");
        Codec("1.2.840.10008.1.2.7.2", "SMPTE ST 2110-20 Uncompressed Interlaced Active Video");
        Codec("1.2.840.10008.1.2.7.3", "SMPTE ST 2110-30 PCM Digital Audio");
        Codec("1.2.840.10008.1.2.8.1", "Deflated Image Frame Compression");
        return list.ToDictionary(t => t.Uid, StringComparer.Ordinal);
    }
}

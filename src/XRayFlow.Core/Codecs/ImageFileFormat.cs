namespace XRayFlow.Core.Codecs;

/// <summary>What a file's first bytes say it is.</summary>
public enum ImageFileFormat
{
    Unknown,
    Png,
    Jpeg,
    Npy,
    Dicom,
}

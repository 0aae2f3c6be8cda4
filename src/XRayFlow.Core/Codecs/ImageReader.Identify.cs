using System.Buffers.Binary;

namespace XRayFlow.Core.Codecs;

/// <summary>What a file's header says, without decoding pixels.</summary>
/// <param name="Format">The content format.</param>
/// <param name="Frames">1 for an image, N for a stack.</param>
/// <param name="Rows">Height.</param>
/// <param name="Cols">Width.</param>
/// <param name="IsStack">A 3-D array (a .npy of rank 3).</param>
/// <param name="IsComplex">A complex .npy.</param>
public sealed record ImageHeader(ImageFileFormat Format, int Frames, int Rows, int Cols, bool IsStack, bool IsComplex);

public static partial class ImageReader
{
    /// <summary>
    /// The shape a file declares, from its header only (PNG IHDR, JPEG frame header, .npy header). Null when
    /// the file is missing, unreadable or of an unknown format. A DICOM file (with its preamble) gives its
    /// header's rows, columns and frames (a multi-frame file is a stack).
    /// Never throws for a bad file: <see cref="Read(string, ImageReadOptions?)"/> reports the reason.
    /// </summary>
    public static ImageHeader? Identify(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            var head = new byte[(int)Math.Min(132, stream.Length)];
            stream.ReadExactly(head);
            stream.Position = 0;
            switch (DetectFormat(head))
            {
                case ImageFileFormat.Png when head.Length >= 24:
                    long w = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16));
                    long h = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20));
                    return w is > 0 and <= int.MaxValue && h is > 0 and <= int.MaxValue
                        ? new ImageHeader(ImageFileFormat.Png, 1, (int)h, (int)w, false, false)
                        : null;
                case ImageFileFormat.Jpeg:
                    var info = ImageSharpSetup.JpegDecoder.Identify(ImageSharpSetup.Configuration, stream, CancellationToken.None);
                    return info is null ? null : new ImageHeader(ImageFileFormat.Jpeg, 1, info.Height, info.Width, false, false);
                case ImageFileFormat.Npy:
                    var (rank, shape, complex) = Npy.ReadShape(stream, path);
                    return rank == 2
                        ? new ImageHeader(ImageFileFormat.Npy, 1, (int)shape[0], (int)shape[1], false, complex)
                        : new ImageHeader(ImageFileFormat.Npy, (int)shape[0], (int)shape[1], (int)shape[2], true, complex);
                case ImageFileFormat.Dicom when head.Length >= 132:
                    var dicom = Dicom.DicomReader.ReadHeader(path);
                    return dicom.Rows is > 0 && dicom.Columns is > 0
                        ? new ImageHeader(ImageFileFormat.Dicom, dicom.Frames, dicom.Rows.Value, dicom.Columns.Value, dicom.NumberOfFrames is > 1, false)
                        : null;
                default:
                    return null;
            }
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            return null;
        }
    }
}

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs;

public static partial class ImageReader
{
    // ============================== DICOM hook ==============================
    // ImageReader.Read sends here every file with 'DICM' at byte 128, and every file named .dcm whose
    // first bytes match no other format. The DICOM helper replaces this body with a call to its
    // DicomReader (modality values = stored x RescaleSlope + RescaleIntercept; several frames -> a stack),
    // honouring options.MaxPixels before allocating, and throwing ImageDecodeException for bad files.
    private static ImageArray ReadDicom(Stream stream, string name, ImageReadOptions options)
    {
        _ = stream;
        _ = options;
        throw new ImageDecodeException(name, "DICOM files are not supported yet");
    }
}

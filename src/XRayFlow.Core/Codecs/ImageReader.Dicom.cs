using XRayFlow.Core.Codecs.Dicom;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs;

public static partial class ImageReader
{
    // ImageReader.Read sends here every file with 'DICM' at byte 128, and every file named .dcm whose first
    // bytes match no other format (read only with ImageReadOptions.DicomWithoutPreamble).
    // Result: modality values (stored x Rescale Slope + Rescale Intercept); a stack when Number of Frames > 1;
    // the header's window and photometric interpretation attached as DicomDisplayInfo (for the `window` op).
    private static ImageArray ReadDicom(Stream stream, string name, ImageReadOptions options)
    {
        var dicomOptions = new DicomReadOptions
        {
            AllowMissingPreamble = options.DicomWithoutPreamble,
            MaxPixels = options.MaxPixels,
        };
        var file = DicomReader.Parse(stream, name, dicomOptions);
        var image = DicomReader.Decode(file, dicomOptions);
        var array = image.Modality;
        DicomDisplayInfo.Attach(array, DicomDisplayInfo.From(file.Header, name));
        return array;
    }
}

using XRayFlow.Core.Codecs.Dicom;
using XRayFlow.Core.Codecs.Jpeg;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// Reads an input file into an <see cref="ImageArray"/>, choosing the codec by the file's CONTENT (magic bytes),
/// never by its name alone: PNG (<see cref="PngReader"/>), JPEG (<see cref="JpegReader"/>), NumPy .npy
/// (<see cref="NpyReader"/>; a 3-D array is a stack) and DICOM (<see cref="DicomReader"/>: <c>'DICM'</c> at byte
/// 128, or a <c>.dcm</c> name). Every codec converts its samples with <see cref="PixelConversion"/>.
/// Dimensions are read from the header and checked against <see cref="ImageReadOptions.MaxPixels"/> before
/// decoding. Any unreadable file (missing, empty, truncated, corrupt, mislabelled, unsupported) throws
/// <see cref="ImageDecodeException"/> with a reason; a partially decoded image is never returned.
/// </summary>
public static class ImageReader
{
    /// <summary>Read one file (a regular file only): a 2-D image, or a stack for a 3-D .npy (or multi-frame DICOM).</summary>
    /// <exception cref="ImageDecodeException">The file cannot be read; the reason says why.</exception>
    public static ImageArray Read(string path, ImageReadOptions? options = null)
    {
        using var input = CodecInput.OpenFile(path);
        return Read(input, options ?? ImageReadOptions.Default);
    }

    /// <summary>Read from a stream (its position to its end); <paramref name="name"/> is used in messages (and for the .dcm hint).</summary>
    public static ImageArray Read(Stream stream, string name, ImageReadOptions? options = null)
    {
        using var input = CodecInput.FromStream(stream, name);
        return Read(input, options ?? ImageReadOptions.Default);
    }

    private static ImageArray Read(CodecInput input, ImageReadOptions options)
    {
        if (input.Length == 0)
        {
            throw new ImageDecodeException(input.Name, "the file is empty");
        }

        return input.Format switch
        {
            ImageFileFormat.Png => PngReader.Read(input, options),
            ImageFileFormat.Jpeg => JpegReader.Read(input, options),
            ImageFileFormat.Npy => NpyReader.Read(input, options),
            ImageFileFormat.Dicom => DicomReader.ReadImage(input, options),
            _ => throw new ImageDecodeException(input.Name, DescribeUnknown(input.Head, Path.GetExtension(input.Name).ToLowerInvariant())),
        };
    }

    /// <summary>
    /// Read 2-D images (in the order given: the caller sorts) into one stack N x H x W.
    /// All files must have the same shape; a file that is itself a stack is refused.
    /// </summary>
    /// <exception cref="ImageDecodeException">A file cannot be read, or its shape differs from the first file's.</exception>
    public static ImageArray ReadStack(IReadOnlyList<string> paths, ImageReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("a stack needs at least one file", nameof(paths));
        }

        options ??= ImageReadOptions.Default;
        ImageArray? result = null;
        string firstPath = paths[0];
        int? bits = null; // what every frame's file recorded (IntegerSource), -1 when they differ or one has none
        for (int n = 0; n < paths.Count; n++)
        {
            var img = Read(paths[n], options);
            if (img.IsStack && paths.Count == 1)
            {
                return img; // one multi-frame file (DICOM, 3-D .npy) is the stack itself
            }

            if (img.IsStack)
            {
                throw new ImageDecodeException(paths[n], $"is a stack of shape {img.ShapeText}; a stack input is built from 2-D images");
            }

            if (result is null)
            {
                if ((long)paths.Count * img.Length > options.MaxPixels)
                {
                    throw new ImageDecodeException(paths[n], $"a stack of {paths.Count} images of shape {img.ShapeText} has more than the limit of {options.MaxPixels} pixels");
                }

                if ((long)paths.Count * img.Length > Array.MaxLength)
                {
                    throw new ImageDecodeException(paths[n], $"a stack of {paths.Count} images of shape {img.ShapeText} has more pixels than one image array holds ({Array.MaxLength})");
                }

                result = ImageArray.Stack(paths.Count, img.Rows, img.Cols);
                if (DicomDisplayInfo.TryGet(img, out var display))
                {
                    DicomDisplayInfo.Attach(result, display!); // a DICOM series keeps the first file's window
                }
            }
            else if (img.Rows != result.Rows || img.Cols != result.Cols)
            {
                throw new ImageDecodeException(paths[n], $"has shape {img.ShapeText} but the first file of the stack ({firstPath}) has shape ({result.Rows}, {result.Cols}); all frames of a stack must have one shape");
            }

            int frameBits = IntegerSource.TryGetRecorded(img, out int b) ? b : -1;
            bits = bits is null || bits == frameBits ? frameBits : -1;
            img.Data.CopyTo(result.Frame(n));
        }

        return bits >= 0 ? IntegerSource.Record(result!, bits.Value) : result!;
    }

    /// <summary>The format the first bytes of a file announce (at least 132 bytes are needed to see DICOM).</summary>
    public static ImageFileFormat DetectFormat(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PngReader.Signature))
        {
            return ImageFileFormat.Png;
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return ImageFileFormat.Jpeg;
        }

        if (head.StartsWith(NpyReader.Magic))
        {
            return ImageFileFormat.Npy;
        }

        if (DicomReader.HasDicomPreamble(head))
        {
            return ImageFileFormat.Dicom;
        }

        return ImageFileFormat.Unknown;
    }

    /// <summary>
    /// The format the reader uses for a file: <see cref="DetectFormat(ReadOnlySpan{byte})"/>, and DICOM for a file
    /// named .dcm that matches no format (a DICOM file without the 128-byte preamble: the DICOM reader decides).
    /// </summary>
    public static ImageFileFormat DetectFormat(ReadOnlySpan<byte> head, string name)
    {
        var format = DetectFormat(head);
        return format == ImageFileFormat.Unknown && Path.GetExtension(name).Equals(".dcm", StringComparison.OrdinalIgnoreCase)
            ? ImageFileFormat.Dicom
            : format;
    }

    /// <summary>
    /// The shape a file declares, from its header only (PNG IHDR, JPEG frame header, .npy header). Null when
    /// the file is missing, unreadable or of an unknown format. A DICOM file (with its preamble) gives its
    /// header's rows, columns and frames (a multi-frame file is a stack).
    /// Never throws for a bad file: <see cref="Read(string, ImageReadOptions?)"/> reports the reason.
    /// </summary>
    public static ImageHeader? Identify(string path) => Identify(path, out _);

    /// <summary>
    /// <see cref="Identify(string)"/>, and when there is no header, why (<paramref name="why"/>: "the file is empty",
    /// the reader's reason for a file of no known format or a refused header, or that the header is cut short); never throws.
    /// </summary>
    public static ImageHeader? Identify(string path, out string? why)
    {
        why = null;
        try
        {
            using var input = CodecInput.OpenFile(path);
            if (input.Length == 0)
            {
                why = "the file is empty";
                return null;
            }

            const string Damaged = "its header is cut short or damaged";
            switch (DetectFormat(input.Head))
            {
                case ImageFileFormat.Png:
                    if (PngReader.Shape(input) is var (h, w))
                    {
                        return new ImageHeader(ImageFileFormat.Png, 1, h, w, false, false);
                    }

                    why = Damaged;
                    return null;
                case ImageFileFormat.Jpeg:
                    if (JpegReader.Shape(input) is var (jh, jw))
                    {
                        return new ImageHeader(ImageFileFormat.Jpeg, 1, jh, jw, false, false);
                    }

                    why = Damaged;
                    return null;
                case ImageFileFormat.Npy:
                    var (rank, shape, complex) = NpyReader.ReadShape(input);
                    return rank == 2
                        ? new ImageHeader(ImageFileFormat.Npy, 1, (int)shape[0], (int)shape[1], false, complex)
                        : new ImageHeader(ImageFileFormat.Npy, (int)shape[0], (int)shape[1], (int)shape[2], true, complex);
                case ImageFileFormat.Dicom:
                    var dicom = DicomReader.Parse(input, DicomReadOptions.Default).Header;
                    if (dicom.NumberOfFrames is < 0)
                    {
                        why = $"its DICOM header gives Number of Frames (0028,0008) {dicom.NumberOfFrames}"; // the decoder refuses it too
                        return null;
                    }

                    if (dicom.Rows is > 0 && dicom.Columns is > 0)
                    {
                        return new ImageHeader(ImageFileFormat.Dicom, dicom.Frames, dicom.Rows.Value, dicom.Columns.Value, dicom.NumberOfFrames is > 1, false);
                    }

                    why = "its DICOM header gives no Rows (0028,0010) or Columns (0028,0011)";
                    return null;
                default:
                    why = input.Format == ImageFileFormat.Dicom
                        ? "a .dcm file without the 128-byte DICOM preamble and 'DICM' (`run --dicom-without-preamble` reads it)"
                        : DescribeUnknown(input.Head, Path.GetExtension(input.Name).ToLowerInvariant());
                    return null;
            }
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            why = ex is ImageDecodeException d ? d.Reason : ex.Message;
            return null;
        }
    }

    /// <summary>
    /// What a file is, from its header only, as the reader sees it (<see cref="DetectFormat(ReadOnlySpan{byte}, string)"/>):
    /// its format and how it stores its samples ("PNG, 8-bit grey", "JPEG, 8-bit grey, baseline", "npy, &lt;f8",
    /// "DICOM, 16-bit MONOCHROME2"), escaped for a terminal. Null when the file is missing, unreadable, not a
    /// regular file or of no known format. Never throws for a bad file.
    /// </summary>
    public static ImageFileDescription? Describe(string path)
    {
        try
        {
            using var input = CodecInput.OpenFile(path);
            var format = input.Format;
            string? stored = format switch
            {
                ImageFileFormat.Png => PngReader.Describe(input),
                ImageFileFormat.Jpeg => JpegReader.Describe(input),
                ImageFileFormat.Npy => NpyReader.Describe(input),
                ImageFileFormat.Dicom => DicomReader.Describe(input),
                _ => null,
            };
            return stored is null ? null : new ImageFileDescription(format, Text.Printable.Escape(stored));
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            return null;
        }
    }

    /// <summary>
    /// Why a file matches no format. It never quotes the file's bytes (a recipe may name any file, and a message
    /// reaches the terminal and the manifest): it says only whether the start looks like text.
    /// </summary>
    private static string DescribeUnknown(byte[] head, string ext)
    {
        string named = ext switch
        {
            ".png" => "the file is named .png but is not a PNG file",
            ".jpg" or ".jpeg" => $"the file is named {ext} but is not a JPEG file",
            ".npy" => "the file is named .npy but is not a NumPy .npy file",
            _ => "unrecognised file format",
        };

        bool text = head.Length > 0 && head.Take(64).All(b => b is 9 or 10 or 13 || (b >= 32 && b < 127));
        string what = text ? "it looks like a text file" : "its first bytes are not the signature of any format XRayFlow reads";
        return $"{named}: {what}; XRayFlow reads PNG, JPEG, NumPy .npy and DICOM files";
    }
}

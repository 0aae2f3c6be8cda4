using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Execution;

/// <summary>
/// The runner's one door to the codecs (reading inputs, writing PNG/NPY/GIF bytes). Kept small so the
/// codec library can change under it without touching the runner.
/// </summary>
public static class ImageIO
{
    /// <summary>Decode one image file (PNG, JPEG, npy, DICOM). Throws <see cref="ImageDecodeException"/> for bad files.</summary>
    public static ImageArray Read(string path, long? maxPixels = null, bool dicomWithoutPreamble = false)
        => ImageReader.Read(path, Options(maxPixels, dicomWithoutPreamble));

    /// <summary>Decode several files, sorted by the caller, into one N x H x W stack.</summary>
    public static ImageArray ReadStack(IReadOnlyList<string> paths, long? maxPixels = null, bool dicomWithoutPreamble = false)
        => ImageReader.ReadStack(paths, Options(maxPixels, dicomWithoutPreamble));

    private static ImageReadOptions Options(long? maxPixels, bool dicomWithoutPreamble)
        => new()
        {
            MaxPixels = maxPixels ?? ImageReadOptions.Default.MaxPixels,
            DicomWithoutPreamble = dicomWithoutPreamble,
        };

    /// <summary>The shape from the file header only (no pixel decode), or unknown and why (<see cref="ImageReader.Identify(string, out string?)"/>).</summary>
    public static ValueInfo? Identify(string path, out string? why)
        => ImageReader.Identify(path, out why) is { } h ? new ValueInfo(h.IsStack ? ValueKind.Stack : ValueKind.Image, h.Frames, h.Rows, h.Cols, h.IsComplex) : null;

    /// <summary>A grey PNG: values rounded half to even and clipped to the depth (<see cref="PngWriter"/>), deflated at <paramref name="compression"/> (0-9).</summary>
    public static void WritePng(Stream stream, ImageArray image, int bits, int compression = PngWriter.DefaultCompression) => PngWriter.Write(stream, image, bits, compression);

    /// <summary>Interleaved 8-bit RGB, rows x cols x 3.</summary>
    public static void WritePngRgb(Stream stream, byte[] rgb, int rows, int cols, int compression = PngWriter.DefaultCompression) => PngWriter.WriteRgb(stream, rgb, cols, rows, compression);

    public static void WriteNpy(Stream stream, ImageArray array) => NpyWriter.Write(stream, array);
}

using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// The one ImageSharp <see cref="SixLabors.ImageSharp.Configuration"/> of XRayFlow. It registers ONLY
/// PNG (decode and encode), JPEG (decode and encode) and a GIF encoder (animations of stacks; no GIF
/// decoder). TIFF, BMP, TGA, WebP and PBM are deliberately absent (ImageSharp 2.1.x TIFF decoder
/// advisory; smaller attack surface). Every ImageSharp call in the project must pass this configuration,
/// never <c>Configuration.Default</c>.
/// </summary>
public static class ImageSharpSetup
{
    /// <summary>PNG decoder that skips all metadata (tEXt/zTXt/iTXt, eXIf, ...): compressed text chunks are a memory bomb.</summary>
    public static PngDecoder PngDecoder { get; } = new() { IgnoreMetadata = true };

    /// <summary>JPEG decoder that skips EXIF/ICC/IPTC/XMP metadata.</summary>
    public static JpegDecoder JpegDecoder { get; } = new() { IgnoreMetadata = true };

    // Declared after the decoders: static initializers run in textual order.
    public static Configuration Configuration { get; } = Create();

    private static Configuration Create()
    {
        var config = new Configuration(new PngConfigurationModule(), new JpegConfigurationModule());
        config.ImageFormatsManager.AddImageFormat(GifFormat.Instance);
        config.ImageFormatsManager.SetEncoder(GifFormat.Instance, new GifEncoder());
        config.ImageFormatsManager.SetDecoder(PngFormat.Instance, PngDecoder);
        config.ImageFormatsManager.SetDecoder(JpegFormat.Instance, JpegDecoder);
        return config;
    }
}

using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Png;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// The one ImageSharp <see cref="SixLabors.ImageSharp.Configuration"/> of XRayFlow. ImageSharp decodes no input
/// file: PNG inputs go through XRayFlow's own decoder and JPEG inputs through libjpeg-turbo (SkiaSharp). It
/// registers ONLY a GIF encoder (animations of stacks) and PNG, whose decoder is the independent reference the
/// PNG tests and benchmarks compare with (<see cref="Png.ImageSharpPngDecoder"/>). JPEG, TIFF, BMP, TGA, WebP
/// and PBM are deliberately absent (ImageSharp 2.1.x advisories for crafted files; smaller attack surface).
/// Every ImageSharp call in the project must pass this configuration, never <c>Configuration.Default</c>.
/// </summary>
public static class ImageSharpSetup
{
    /// <summary>PNG decoder that skips all metadata (tEXt/zTXt/iTXt, eXIf, ...): compressed text chunks are a memory bomb.</summary>
    public static PngDecoder PngDecoder { get; } = new() { IgnoreMetadata = true };

    // Declared after the decoder: static initializers run in textual order.
    public static Configuration Configuration { get; } = Create();

    private static Configuration Create()
    {
        var config = new Configuration(new PngConfigurationModule());
        config.ImageFormatsManager.AddImageFormat(GifFormat.Instance);
        config.ImageFormatsManager.SetEncoder(GifFormat.Instance, new GifEncoder());
        config.ImageFormatsManager.SetDecoder(PngFormat.Instance, PngDecoder);
        return config;
    }
}

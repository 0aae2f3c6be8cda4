using SkiaSharp;
using XRayFlow.Core.Codecs.Png;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// A drawn picture (a figure, a histogram plot) as a PNG written by the same writer as every other .png output:
/// 8-bit RGB (a figure is opaque: its canvas is cleared to an opaque background first; a pixel that were not
/// opaque would be composited over white), deflated at the output's <c>compression</c> level 0-9. SkiaSharp's own
/// encoder wrote RGBA at a fixed level, so `compression:` on a figure was silently ignored.
/// </summary>
internal static class SurfacePng
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static byte[] Encode(SKSurface surface, int width, int height, int compression)
    {
        ArgumentNullException.ThrowIfNull(surface);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        if (!surface.ReadPixels(info, bitmap.GetPixels(), bitmap.RowBytes, 0, 0))
        {
            throw new InvalidOperationException($"SkiaSharp could not read the {width} x {height} picture back");
        }

        var rgba = bitmap.GetPixelSpan();
        int stride = bitmap.RowBytes;
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            var row = rgba.Slice(y * stride, width * 4);
            int o = y * width * 3;
            for (int x = 0; x < width; x++)
            {
                int a = row[(4 * x) + 3];
                for (int ch = 0; ch < 3; ch++)
                {
                    int c = row[(4 * x) + ch];
                    rgb[o + (3 * x) + ch] = a == 255 ? (byte)c : (byte)(((c * a) + (255 * (255 - a)) + 127) / 255);
                }
            }
        }

        using var ms = new MemoryStream();
        PngWriter.WriteRgb(ms, rgb, width, height, compression);
        return ms.ToArray();
    }
}

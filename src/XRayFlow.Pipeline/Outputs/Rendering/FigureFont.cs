using SkiaSharp;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// The one typeface of every figure: DejaVu Sans (matplotlib's default font), shipped inside this assembly
/// (Fonts/DejaVuSans.ttf, licence in Fonts/LICENSE-DejaVu.txt) and loaded from that stream, so figures look
/// the same on machines without fontconfig or any installed font.
/// </summary>
public static class FigureFont
{
    internal const string ResourceName = "XRayFlow.Pipeline.Fonts.DejaVuSans.ttf";

    private static readonly Lazy<SKTypeface> Face = new(Load);

    public static SKTypeface Typeface => Face.Value;

    /// <summary>
    /// A font of that size in pixels, unhinted: DejaVu's TrueType hinting snaps thin horizontal stems to whole
    /// pixel rows, which drew '-' as a 2-row black block at title sizes (heavier than every letter). Unhinted
    /// outlines keep their true thickness, like matplotlib's Agg text.
    /// </summary>
    public static SKFont Create(float sizePx) => new(Typeface, sizePx) { Subpixel = true, Edging = SKFontEdging.Antialias, Hinting = SKFontHinting.None };

    private static SKTypeface Load()
    {
        using var stream = typeof(FigureFont).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded font '{ResourceName}' is missing from {typeof(FigureFont).Assembly.GetName().Name}");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"embedded font '{ResourceName}' could not be loaded by SkiaSharp");
    }
}

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

    /// <summary>
    /// The characters of <paramref name="text"/> the typeface has no glyph for (a control character such as a line
    /// break or a tab, CJK, emoji), described as "'中' (U+4E2D), U+000A (a control character)", or null when it can draw all of them.
    /// </summary>
    public static string? Missing(string text)
    {
        var missing = new List<string>();
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Typeface.ContainsGlyph(rune.Value))
            {
                string item = System.Text.Rune.IsControl(rune) ? $"U+{rune.Value:X4} (a control character)" : $"'{rune}' (U+{rune.Value:X4})";
                if (!missing.Contains(item))
                {
                    missing.Add(item);
                }
            }
        }

        return missing.Count == 0 ? null : (missing.Count == 1 ? "the character " : "the characters ") + string.Join(", ", missing);
    }

    private static SKTypeface Load()
    {
        using var stream = typeof(FigureFont).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded font '{ResourceName}' is missing from {typeof(FigureFont).Assembly.GetName().Name}");
        using var data = SKData.Create(stream);
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException($"embedded font '{ResourceName}' could not be loaded by SkiaSharp");
    }
}

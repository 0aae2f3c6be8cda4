using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SkiaSharp;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// One panel of a figure: a 2-D image shown like matplotlib's <c>imshow(image, cmap, vmin, vmax)</c> with the
/// axis off. <paramref name="Colormap"/> null means gray; <paramref name="Vmin"/>/<paramref name="Vmax"/> null mean the
/// image's own finite min/max (imshow's autoscaling). NaN and infinite pixels are "bad" (imshow masks them) and show the figure's background.
/// </summary>
public sealed record FigurePanel(ImageArray Image, string? Title = null, Colormap? Colormap = null, double? Vmin = null, double? Vmax = null, bool ColorBar = false);

/// <summary>Sizes of a figure, in pixels (defaults: matplotlib's font sizes at 100 dpi).</summary>
public sealed record FigureStyle
{
    /// <summary>The longest side of each panel's image box.</summary>
    public int PanelSize { get; init; } = 300;

    /// <summary>Panel titles (12 pt at 100 dpi); a title wider than its panel is drawn smaller to fit.</summary>
    public float TitleSize { get; init; } = 16.7f;

    /// <summary>The figure's own title (suptitle).</summary>
    public float SuptitleSize { get; init; } = 20f;

    /// <summary>Colour bar tick labels (10 pt at 100 dpi).</summary>
    public float TickSize { get; init; } = 13.9f;

    /// <summary>Space around the figure and between panels.</summary>
    public int Margin { get; init; } = 20;

    public SKColor Background { get; init; } = SKColors.White;
}

/// <summary>
/// Draws a grid of image panels, like <c>plt.subplots(nrows, ncols)</c> + <c>imshow</c> + <c>set_title</c> +
/// <c>axis("off")</c>: panels fill the grid row by row, each image fitted (aspect kept) into a square box with its
/// title centred above it, an optional colour bar at its right, white background, PNG out.
/// Images are resampled with bilinear + mipmaps when shrunk and nearest-neighbour when enlarged (the look of
/// matplotlib's default 'antialiased' interpolation).
/// </summary>
public static class FigureRenderer
{
    private const int ColorBarGap = 10;
    private const int ColorBarWidth = 16;
    private const int TickLength = 5;

    public static byte[] Render(IReadOnlyList<FigurePanel> panels, int columns, string? title = null, FigureStyle? style = null, int compression = XRayFlow.Core.Codecs.Png.PngWriter.DefaultCompression)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0)
        {
            throw new ArgumentException("a figure needs at least one panel", nameof(panels));
        }

        if (columns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), "columns must be at least 1");
        }

        style ??= new FigureStyle();
        foreach (var p in panels)
        {
            if (p.Image.IsStack)
            {
                throw new ArgumentException($"panel '{p.Title}' is a stack {p.Image.ShapeText}; a panel shows one 2-D image (montage the stack first)", nameof(panels));
            }

            if (p.Image.IsComplex)
            {
                throw new ArgumentException($"panel '{p.Title}' is complex; take abs (or real/imag) first", nameof(panels));
            }
        }

        int cols = Math.Min(columns, panels.Count);
        int rows = (panels.Count + cols - 1) / cols;
        using var titleFont = FigureFont.Create(style.TitleSize);
        using var tickFont = FigureFont.Create(style.TickSize);
        using var supFont = FigureFont.Create(style.SuptitleSize);

        bool anyBar = panels.Any(p => p.ColorBar);
        int barSpace = anyBar ? ColorBarGap + ColorBarWidth + TickLength + 4 + (int)Math.Ceiling(tickFont.MeasureText("-0.000e+00")) : 0;
        int titleHeight = panels.Any(p => !string.IsNullOrEmpty(p.Title)) ? (int)Math.Ceiling(style.TitleSize * 1.5) : 0;
        int cellW = style.PanelSize + barSpace;
        int cellH = style.PanelSize + titleHeight;
        int supHeight = string.IsNullOrEmpty(title) ? 0 : (int)Math.Ceiling(style.SuptitleSize * 1.8);
        int width = (2 * style.Margin) + (cols * cellW) + ((cols - 1) * style.Margin);
        int height = (2 * style.Margin) + supHeight + (rows * cellH) + ((rows - 1) * style.Margin);

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width} x {height} surface");
        var canvas = surface.Canvas;
        canvas.Clear(style.Background);
        using var textPaint = new SKPaint { Color = SKColors.Black, IsAntialias = true };

        if (!string.IsNullOrEmpty(title))
        {
            canvas.DrawText(title, width / 2f, style.Margin + style.SuptitleSize, SKTextAlign.Center, supFont, textPaint);
        }

        for (int i = 0; i < panels.Count; i++)
        {
            var panel = panels[i];
            int x0 = style.Margin + ((i % cols) * (cellW + style.Margin));
            int y0 = style.Margin + supHeight + ((i / cols) * (cellH + style.Margin));
            var img = panel.Image;

            // the image box: aspect kept, longest side = PanelSize, centred in the square, under the title
            double scale = (double)style.PanelSize / Math.Max(img.Rows, img.Cols);
            // (at least one pixel each way: a 1 x 256 ramp at panel_size 120 would be 0.47 pixels tall and not drawn)
            float w = Math.Max(1f, (float)(img.Cols * scale)), h = Math.Max(1f, (float)(img.Rows * scale));
            float left = x0 + ((style.PanelSize - w) / 2f);
            float top = y0 + titleHeight + ((style.PanelSize - h) / 2f);
            var dest = new SKRect(left, top, left + w, top + h);

            var cmap = panel.Colormap ?? Colormaps.Gray;
            var (autoMin, autoMax) = Colormap.AutoRange(img.Data);
            double vmin = panel.Vmin ?? autoMin, vmax = panel.Vmax ?? autoMax;
            if (vmin > vmax)
            {
                throw new ArgumentException($"panel '{panel.Title}': vmin ({vmin}) is above vmax ({vmax})", nameof(panels));
            }

            using (var skImage = ToSkImage(img, cmap, vmin, vmax))
            {
                var sampling = scale < 1.0
                    ? new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear)
                    : new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None);
                canvas.DrawImage(skImage, dest, sampling);
            }

            if (!string.IsNullOrEmpty(panel.Title))
            {
                DrawFittedTitle(canvas, panel.Title, x0 + (style.PanelSize / 2f), top - (style.TitleSize * 0.45f), style.PanelSize + style.Margin - 4, style.TitleSize, textPaint);
            }

            if (panel.ColorBar)
            {
                DrawColorBar(canvas, cmap, vmin, vmax, new SKRect(left + w + ColorBarGap, top, left + w + ColorBarGap + ColorBarWidth, top + h), tickFont, textPaint);
            }
        }

        return SurfacePng.Encode(surface, width, height, compression);
    }

    /// <summary>The image through its colormap as an RGBA SKImage (NaN transparent).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static SKImage ToSkImage(ImageArray img, Colormap cmap, double vmin, double vmax)
    {
        // RGBA straight from the colormap (NaN transparent), in a pooled buffer: SkiaSharp copies the pixels.
        int n = img.FrameLength;
        uint[] pixels = ArrayPool<uint>.Shared.Rent(n);
        try
        {
            cmap.ApplyRgba(img.Data.AsSpan(0, n), vmin, vmax, pixels);
            var info = new SKImageInfo(img.Cols, img.Rows, SKColorType.Rgba8888, SKAlphaType.Premul);
            return SKImage.FromPixelCopy(info, MemoryMarshal.AsBytes(pixels.AsSpan(0, n)), img.Cols * 4)
                ?? throw new InvalidOperationException("SkiaSharp could not wrap the panel's pixels");
        }
        finally
        {
            ArrayPool<uint>.Shared.Return(pixels);
        }
    }

    private static void DrawFittedTitle(SKCanvas canvas, string text, float centreX, float baseline, float maxWidth, float size, SKPaint paint)
    {
        using var font = FigureFont.Create(size);
        float measured = font.MeasureText(text);
        if (measured > maxWidth)
        {
            font.Size = Math.Max(8f, size * maxWidth / measured);
        }

        canvas.DrawText(text, centreX, baseline, SKTextAlign.Center, font, paint);
    }

    private static void DrawColorBar(SKCanvas canvas, Colormap cmap, double vmin, double vmax, SKRect bar, SKFont font, SKPaint textPaint)
    {
        // 256 bands from vmin (bottom) to vmax (top)
        var lut = cmap.Lut;
        float bandH = bar.Height / Colormaps.Size;
        using var band = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill };
        for (int i = 0; i < Colormaps.Size; i++)
        {
            band.Color = new SKColor(lut[3 * i], lut[(3 * i) + 1], lut[(3 * i) + 2]);
            float yTop = bar.Bottom - ((i + 1) * bandH);
            canvas.DrawRect(new SKRect(bar.Left, yTop, bar.Right, yTop + bandH + 0.5f), band);
        }

        using var line = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = true };
        canvas.DrawRect(bar, line);
        if (!(vmax > vmin))
        {
            canvas.DrawText(PlotMath.Labels([vmin], 1).Labels[0], bar.Right + TickLength + 3, bar.Bottom + (font.Size * 0.35f), SKTextAlign.Left, font, textPaint);
            return;
        }

        var (ticks, step) = PlotMath.NiceTicks(vmin, vmax, 6);
        var (labels, offset) = PlotMath.Labels(ticks, step);
        for (int t = 0; t < ticks.Length; t++)
        {
            float y = bar.Bottom - (float)((ticks[t] - vmin) / (vmax - vmin) * bar.Height);
            canvas.DrawLine(bar.Right, y, bar.Right + TickLength, y, line);
            canvas.DrawText(labels[t], bar.Right + TickLength + 3, y + (font.Size * 0.35f), SKTextAlign.Left, font, textPaint);
        }

        if (offset is not null)
        {
            canvas.DrawText(offset, bar.Left, bar.Top - 4, SKTextAlign.Left, font, textPaint);
        }
    }
}

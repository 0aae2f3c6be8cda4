using SkiaSharp;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Pipeline.Tests.Rendering;

public class FigureRendererTests
{
    [Fact]
    public void SkiaNativeLibraryAndEmbeddedFontLoad()
    {
        using var bitmap = new SKBitmap(4, 4);
        Assert.Equal(4, bitmap.Width);
        var face = FigureFont.Typeface;
        Assert.Equal("DejaVu Sans", face.FamilyName);
        using var font = FigureFont.Create(20);
        Assert.InRange(font.MeasureText("Original"), 60f, 120f); // real glyph advances, not an empty fallback face
        Assert.True(face.GetGlyphs("Ag").All(g => g != 0));
    }

    [Fact]
    public void NinePanelFigureHasTheGridSizeAndNonBlankPanels()
    {
        var xray = RenderingFixtures.Half(RenderingFixtures.Sample(1));
        string[] maps = ["gray", "bone", "hot", "CMRmap", "prism", "nipy_spectral", "terrain", "viridis", "jet"];
        var panels = maps.Select(m => new FigurePanel(xray, $"X-ray - {m}", Colormaps.Get(m))).ToList();
        var style = new FigureStyle { PanelSize = 200 };
        var png = FigureRenderer.Render(panels, 3, "Colormaps", style);
        RenderingFixtures.Keep("figure-3x3.png", png);

        using var bmp = SKBitmap.Decode(png);
        int titleH = (int)Math.Ceiling(16.7 * 1.5), supH = (int)Math.Ceiling(20 * 1.8);
        Assert.Equal((2 * 20) + (3 * 200) + (2 * 20), bmp.Width);
        Assert.Equal((2 * 20) + supH + (3 * (200 + titleH)) + (2 * 20), bmp.Height);

        // each panel's image box is far from white and not one flat colour; the margins are white
        for (int i = 0; i < 9; i++)
        {
            int x0 = 20 + ((i % 3) * 220), y0 = 20 + supH + ((i / 3) * (200 + titleH + 20)) + titleH;
            var (mean, distinct) = Stats(bmp, x0 + 20, y0 + 20, 160, 160);
            Assert.True(mean < 250, $"panel {i} ({maps[i]}) is blank (mean {mean})");
            Assert.True(distinct > 20, $"panel {i} ({maps[i]}) has {distinct} colours");
            var title = Stats(bmp, x0, y0 - titleH, 200, titleH);
            Assert.True(title.Mean < 254.5, $"panel {i} has no title ink");
        }

        Assert.Equal(SKColors.White, bmp.GetPixel(5, 5));
        Assert.Equal(SKColors.White, bmp.GetPixel(bmp.Width - 3, bmp.Height - 3));
    }

    [Fact]
    public void PanelUsesItsColormapAndRange()
    {
        // a left-to-right ramp 0..1 through hot with vmin 0, vmax 1: the left edge is hot(0), the right hot(1)
        var ramp = new ImageArray(64, 256);
        for (int r = 0; r < 64; r++)
        {
            for (int c = 0; c < 256; c++)
            {
                ramp[r, c] = c / 255f;
            }
        }

        var hot = Colormaps.Get("hot");
        var png = FigureRenderer.Render([new FigurePanel(ramp, null, hot, 0, 1, ColorBar: true)], 1, null, new FigureStyle { PanelSize = 256 });
        RenderingFixtures.Keep("figure-colorbar.png", png);
        using var bmp = SKBitmap.Decode(png);
        int top = 20 + ((256 - 64) / 2);
        var left = bmp.GetPixel(20, top + 32);
        var right = bmp.GetPixel(20 + 255, top + 32);
        var lut = hot.Lut;
        Assert.Equal(new SKColor(lut[0], lut[1], lut[2]), left);
        Assert.Equal(new SKColor(lut[765], lut[766], lut[767]), right);

        // the colour bar to the right of the image, as tall as it (64 px for 256 colours): near hot(1) at its top, near hot(0) at its bottom
        int barX = 20 + 256 + 10 + 8;
        Assert.True(NearEntry(bmp.GetPixel(barX, top + 2), hot, 240, 255), "colour bar top");
        Assert.True(NearEntry(bmp.GetPixel(barX, top + 64 - 3), hot, 0, 15), "colour bar bottom");
    }

    /// <summary>An image whose short side scales below a pixel (1 x 256 at panel_size 120) still shows one row of it.</summary>
    [Fact]
    public void AnImageThinnerThanAPixelStillShows()
    {
        var ramp = new ImageArray(1, 256);
        for (int c = 0; c < 256; c++)
        {
            ramp[0, c] = c / 255f;
        }

        var hot = Colormaps.Get("hot");
        var png = FigureRenderer.Render([new FigurePanel(ramp, null, hot, 0, 1)], 1, null, new FigureStyle { PanelSize = 120 });
        using var bmp = SKBitmap.Decode(png);
        int coloured = 0;
        for (int y = 0; y < bmp.Height; y++)
        {
            for (int x = 0; x < bmp.Width; x++)
            {
                var p = bmp.GetPixel(x, y);
                coloured += p.Red != p.Green || p.Green != p.Blue ? 1 : 0; // hot's inner colours are not grey
            }
        }

        Assert.InRange(coloured, 60, 400);
    }

    private static bool NearEntry(SKColor c, Colormap cmap, int from, int to)
    {
        var lut = cmap.Lut;
        for (int i = from; i <= to; i++)
        {
            if (c == new SKColor(lut[3 * i], lut[(3 * i) + 1], lut[(3 * i) + 2]))
            {
                return true;
            }
        }

        return false;
    }

    [Theory]
    [InlineData(16.7f)] // panel titles
    [InlineData(20f)] // suptitle
    [InlineData(13f)]
    public void HyphenInATitleIsAThinStrokeNotABlock(float size)
    {
        // DejaVu's hinting instructions snapped '-' to whole pixel rows (a 5 x 2 black block at 16.7 px, far
        // heavier than the letters); unhinted, it keeps its true thickness (~0.08 em) like matplotlib's Agg text.
        var png = FigureRenderer.Render([new FigurePanel(new ImageArray(4, 4), "-")], 1, null, new FigureStyle { PanelSize = 100, TitleSize = size });
        using var bmp = SKBitmap.Decode(png);
        int titleH = (int)Math.Ceiling(size * 1.5);
        int minX = int.MaxValue, maxX = -1, minY = int.MaxValue, maxY = -1;
        double thickest = 0; // the most ink in one column = the stroke's thickness in pixels
        for (int x = 0; x < bmp.Width; x++)
        {
            double column = 0;
            for (int y = 20; y < 20 + titleH; y++)
            {
                double v = (255 - bmp.GetPixel(x, y).Red) / 255.0;
                if (v > 0.02)
                {
                    column += v;
                    (minX, maxX, minY, maxY) = (Math.Min(minX, x), Math.Max(maxX, x), Math.Min(minY, y), Math.Max(maxY, y));
                }
            }

            thickest = Math.Max(thickest, column);
        }

        Assert.True(maxX >= 0, "no hyphen ink in the title band");
        int inkW = maxX - minX + 1, inkH = maxY - minY + 1;
        double expected = 166.0 / 2048 * size; // DejaVu Sans hyphen: 166 of 2048 font units thick
        Assert.InRange(thickest, 0.7 * expected, 1.15 * expected);
        Assert.True(inkH <= 3, $"hyphen spans {inkH} rows");
        Assert.True(inkW >= 3 * thickest, $"hyphen is {inkW} wide and {thickest:F2} thick: not a horizontal stroke");
    }

    [Fact]
    public void StacksAndBadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => FigureRenderer.Render([new FigurePanel(ImageArray.Stack(2, 4, 4))], 1));
        Assert.Throws<ArgumentException>(() => FigureRenderer.Render([], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FigureRenderer.Render([new FigurePanel(new ImageArray(4, 4))], 0));
    }

    private static (double Mean, int Distinct) Stats(SKBitmap bmp, int x0, int y0, int w, int h)
    {
        double sum = 0;
        var seen = new HashSet<uint>();
        for (int y = y0; y < y0 + h; y++)
        {
            for (int x = x0; x < x0 + w; x++)
            {
                var p = bmp.GetPixel(x, y);
                sum += (p.Red + p.Green + p.Blue) / 3.0;
                seen.Add((uint)p);
            }
        }

        return (sum / (w * h), seen.Count);
    }

    [Theory]
    [InlineData("gray")]
    [InlineData("hot")]
    [InlineData("nipy_spectral")]
    public void PanelPixelsAreTheColormapsRgbWithNaNAndInfinitiesTransparent(string name)
    {
        // ToSkImage's RGBA (ApplyRgba) against the RGB path: same colours, alpha 255, NaN and the infinities transparent
        // black (imshow masks them as invalid); finite values outside vmin..vmax take the end colours.
        var cmap = Colormaps.Get(name);
        float[] data = [float.NaN, float.NegativeInfinity, -5, 0, 0.3f, 1, 7.25f, 9.999f, 10, 12, float.PositiveInfinity, float.NaN];
        var rgb = new byte[data.Length * 3];
        cmap.Apply(data, 0, 10, rgb);
        var pixels = new uint[data.Length];
        cmap.ApplyRgba(data, 0, 10, pixels);
        for (int k = 0; k < data.Length; k++)
        {
            uint want = !float.IsFinite(data[k]) ? 0u : rgb[3 * k] | ((uint)rgb[(3 * k) + 1] << 8) | ((uint)rgb[(3 * k) + 2] << 16) | 0xFF000000u;
            Assert.Equal(want, pixels[k]);
        }
    }
}

using SkiaSharp;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Pipeline.Tests.Rendering;

public class HistogramPlotTests
{
    [Fact]
    public void PlotsTheSampleHistogramWithAxesAndCurve()
    {
        var xray = RenderingFixtures.Sample(0);
        var counts = new long[256];
        foreach (float v in xray.Data)
        {
            counts[(int)v]++;
        }

        var edges = Enumerable.Range(0, 257).Select(i => (double)i).ToArray();
        var table = new TableValue([new("counts", counts), new("edges", edges)]);
        var png = HistogramPlot.Render(table, "Pixel intensity distribution", "pixel value", "count");
        RenderingFixtures.Keep("histogram.png", png);

        using var bmp = SKBitmap.Decode(png);
        Assert.Equal(640, bmp.Width);
        Assert.Equal(480, bmp.Height);

        // the axes box: black frame lines at 12.5% / 90% of the width
        int axL = (int)(640 * 0.125), axR = (int)(640 * 0.9);
        Assert.True(IsDark(bmp.GetPixel(axL, 240)), "left spine");
        Assert.True(IsDark(bmp.GetPixel(axR, 240)), "right spine");

        // the curve's blue (C0) shows inside the box, in many columns
        int blueColumns = 0;
        for (int x = axL + 2; x < axR - 2; x++)
        {
            for (int y = (int)(480 * 0.12) + 2; y < (int)(480 * 0.89) - 2; y++)
            {
                var p = bmp.GetPixel(x, y);
                if (p.Blue > 150 && p.Red < 100)
                {
                    blueColumns++;
                    break;
                }
            }
        }

        Assert.True(blueColumns > 300, $"curve in {blueColumns} columns");

        // tick labels and title: dark ink under the axes and above it
        Assert.True(Ink(bmp, axL, (int)(480 * 0.89) + 6, axR - axL, 20) > 50, "x tick labels");
        Assert.True(Ink(bmp, axL, 20, axR - axL, (int)(480 * 0.12) - 22) > 50, "title");
        Assert.True(Ink(bmp, 0, (int)(480 * 0.12), axL - 6, 300) > 50, "y tick labels and label");
    }

    [Fact]
    public void RejectsMismatchedEdges()
        => Assert.Throws<ArgumentException>(() => HistogramPlot.Render([0.0, 1.0], [1L, 2L], "t", "x", "y"));

    [Fact]
    public void TableWithoutEdgesUsesBinIndex()
    {
        var png = HistogramPlot.Render(new TableValue([new("hist", new long[] { 1, 5, 3 })]), "t", "bin", "count");
        using var bmp = SKBitmap.Decode(png);
        Assert.Equal(640, bmp.Width);
    }

    [Fact]
    public void NiceTicks()
    {
        var (ticks, step) = PlotMath.NiceTicks(-12.75, 267.75, 9);
        Assert.Equal(50, step);
        Assert.Equal([0.0, 50, 100, 150, 200, 250], ticks);
        var (labels, offset) = PlotMath.Labels([0, 2.5, 5], 2.5);
        Assert.Equal(["0.0", "2.5", "5.0"], labels);
        Assert.Null(offset);
        var big = PlotMath.Labels([0, 1e6, 2e6], 1e6);
        Assert.Equal("1e6", big.Offset);
        Assert.Equal(["0", "1", "2"], big.Labels);
    }

    /// <summary>
    /// Colour bars of tiny or narrow ranges keep distinct labels (they all read "0" before): below 1e-5 an exponent is
    /// factored out, as matplotlib does; a narrow range far from zero gets the decimals its step needs.
    /// </summary>
    [Fact]
    public void TinyAndNarrowRangesKeepDistinctLabels()
    {
        var (ticks, step) = PlotMath.NiceTicks(1e-7, 4e-7, 6);
        var tiny = PlotMath.Labels(ticks, step);
        Assert.Equal("1e-7", tiny.Offset);
        Assert.Equal(["1", "2", "3", "4"], tiny.Labels);

        var (nt, ns) = PlotMath.NiceTicks(-1e-6, 1e-6, 6);
        var symmetric = PlotMath.Labels(nt, ns);
        Assert.Equal("1e-6", symmetric.Offset);
        Assert.Equal(nt.Length, symmetric.Labels.Distinct().Count());

        var (wt, ws) = PlotMath.NiceTicks(0.1, 0.1000001, 6);
        var narrow = PlotMath.Labels(wt, ws);
        Assert.Null(narrow.Offset);
        Assert.Equal(wt.Length, narrow.Labels.Distinct().Count());
        Assert.Equal("0.10000000", narrow.Labels[0]);
    }

    private static bool IsDark(SKColor c) => c.Red < 100 && c.Green < 100 && c.Blue < 100;

    private static int Ink(SKBitmap bmp, int x0, int y0, int w, int h)
    {
        int n = 0;
        for (int y = y0; y < y0 + h; y++)
        {
            for (int x = x0; x < x0 + w; x++)
            {
                n += IsDark(bmp.GetPixel(x, y)) ? 1 : 0;
            }
        }

        return n;
    }
}

using SkiaSharp;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// A line plot of a histogram, like the tutorial's <c>plt.plot(hist); plt.title(...)</c>: counts (y) against the
/// left edge of each bin (x), matplotlib's default look at 100 dpi: 640 x 480 pixels, axes box at
/// left 12.5%, right 90%, bottom 11%, top 88% of the figure, data limits widened by 5% on each side, outward
/// ticks with round values (1, 2, 2.5, 5 x 10^k), line colour C0 (#1f77b4), DejaVu Sans.
/// </summary>
public static class HistogramPlot
{
    private static readonly SKColor LineColor = new(0x1f, 0x77, 0xb4);

    /// <summary>
    /// Plots a histogram table: the counts are the table's long[] (or double[]) field named "counts" / "hist"
    /// (else the first long[] field); the edges are the double[] field named "edges" / "bin_edges"
    /// (else the first double[] field one longer than the counts); without edges x is the bin index 0..n-1.
    /// </summary>
    public static byte[] Render(TableValue histogram, string title, string xLabel, string yLabel, int width = 640, int height = 480, int compression = XRayFlow.Core.Codecs.Png.PngWriter.DefaultCompression)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        var counts = FindCounts(histogram) ?? throw new ArgumentException("the table has no counts (a long[] field such as 'counts')", nameof(histogram));
        var edges = FindEdges(histogram, counts.Length) ?? Enumerable.Range(0, counts.Length + 1).Select(i => (double)i).ToArray();
        return Render(edges, counts, title, xLabel, yLabel, width, height, compression);
    }

    /// <summary>Plots counts[i] at x = edges[i] (edges has one more value than counts, as numpy.histogram returns).</summary>
    public static byte[] Render(double[] edges, long[] counts, string title, string xLabel, string yLabel, int width = 640, int height = 480, int compression = XRayFlow.Core.Codecs.Png.PngWriter.DefaultCompression)
        => Render(edges, counts.Select(c => (double)c).ToArray(), title, xLabel, yLabel, width, height, compression);

    public static byte[] Render(double[] edges, double[] counts, string title, string xLabel, string yLabel, int width = 640, int height = 480, int compression = XRayFlow.Core.Codecs.Png.PngWriter.DefaultCompression)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(counts);
        if (counts.Length == 0 || edges.Length != counts.Length + 1)
        {
            throw new ArgumentException($"a histogram needs n >= 1 counts and n + 1 edges; got {counts.Length} counts and {edges.Length} edges");
        }

        var xs = edges.AsSpan(0, counts.Length).ToArray();
        double xMin = xs.Min(), xMax = xs.Max(), yMin = counts.Min(), yMax = counts.Max();
        (xMin, xMax) = Widen(xMin, xMax);
        (yMin, yMax) = Widen(yMin, yMax);

        // the box on pixel centres, so its 1-pixel lines are crisp (matplotlib snaps them too)
        float axL = MathF.Floor(width * 0.125f) + 0.5f, axR = MathF.Floor(width * 0.9f) + 0.5f, axT = MathF.Floor(height * 0.12f) + 0.5f, axB = MathF.Floor(height * 0.89f) + 0.5f;
        float Px(double x) => axL + (float)((x - xMin) / (xMax - xMin) * (axR - axL));
        float Py(double y) => axB - (float)((y - yMin) / (yMax - yMin) * (axB - axT));

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width} x {height} surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        using var text = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var axis = new SKPaint { Color = SKColors.Black, Style = SKPaintStyle.Stroke, StrokeWidth = 1f, IsAntialias = false };
        using var tickFont = FigureFont.Create(13.9f);
        using var labelFont = FigureFont.Create(13.9f);
        using var titleFont = FigureFont.Create(16.7f);

        // the curve, clipped to the axes box
        using (var path = new SKPath())
        {
            path.MoveTo(Px(xs[0]), Py(counts[0]));
            for (int i = 1; i < xs.Length; i++)
            {
                path.LineTo(Px(xs[i]), Py(counts[i]));
            }

            using var curve = new SKPaint { Color = LineColor, Style = SKPaintStyle.Stroke, StrokeWidth = 2.1f, IsAntialias = true, StrokeJoin = SKStrokeJoin.Round, StrokeCap = SKStrokeCap.Square };
            canvas.Save();
            canvas.ClipRect(new SKRect(axL, axT, axR, axB));
            canvas.DrawPath(path, curve);
            canvas.Restore();
        }

        canvas.DrawRect(new SKRect(axL, axT, axR, axB), axis);

        // x ticks
        var (xt, xStep) = PlotMath.NiceTicks(xMin, xMax, 9);
        var (xl, xOff) = PlotMath.Labels(xt, xStep);
        for (int i = 0; i < xt.Length; i++)
        {
            float x = MathF.Floor(Px(xt[i])) + 0.5f;
            canvas.DrawLine(x, axB, x, axB + 5, axis);
            canvas.DrawText(xl[i], x, axB + 7 + tickFont.Size, SKTextAlign.Center, tickFont, text);
        }

        if (xOff is not null)
        {
            canvas.DrawText(xOff, axR, axB + 10 + (2 * tickFont.Size), SKTextAlign.Right, tickFont, text);
        }

        // y ticks
        var (yt, yStep) = PlotMath.NiceTicks(yMin, yMax, 8);
        var (yl, yOff) = PlotMath.Labels(yt, yStep);
        float widest = 0;
        for (int i = 0; i < yt.Length; i++)
        {
            float y = MathF.Floor(Py(yt[i])) + 0.5f;
            canvas.DrawLine(axL - 5, y, axL, y, axis);
            canvas.DrawText(yl[i], axL - 8, y + (tickFont.Size * 0.35f), SKTextAlign.Right, tickFont, text);
            widest = Math.Max(widest, tickFont.MeasureText(yl[i]));
        }

        if (yOff is not null)
        {
            canvas.DrawText(yOff, axL, axT - 4, SKTextAlign.Left, tickFont, text);
        }

        // labels and title
        if (!string.IsNullOrEmpty(xLabel))
        {
            canvas.DrawText(xLabel, (axL + axR) / 2, axB + 12 + (2 * tickFont.Size) + 4, SKTextAlign.Center, labelFont, text);
        }

        if (!string.IsNullOrEmpty(yLabel))
        {
            float yx = Math.Max(labelFont.Size, axL - 8 - widest - 8);
            canvas.Save();
            canvas.RotateDegrees(-90, yx, (axT + axB) / 2);
            canvas.DrawText(yLabel, yx, (axT + axB) / 2, SKTextAlign.Center, labelFont, text);
            canvas.Restore();
        }

        if (!string.IsNullOrEmpty(title))
        {
            canvas.DrawText(title, (axL + axR) / 2, axT - 8, SKTextAlign.Center, titleFont, text);
        }

        return SurfacePng.Encode(surface, width, height, compression);
    }

    private static (double Lo, double Hi) Widen(double lo, double hi)
    {
        if (hi > lo)
        {
            double m = 0.05 * (hi - lo);
            return (lo - m, hi + m);
        }

        double d = lo == 0 ? 1 : Math.Abs(lo) * 0.05;
        return (lo - d, hi + d);
    }

    private static double[]? FindCounts(TableValue t)
    {
        foreach (var key in new[] { "counts", "hist" })
        {
            switch (t[key])
            {
                case long[] l: return l.Select(v => (double)v).ToArray();
                case double[] d: return d;
            }
        }

        return t.Fields.Select(f => f.Value).OfType<long[]>().Select(l => l.Select(v => (double)v).ToArray()).FirstOrDefault();
    }

    private static double[]? FindEdges(TableValue t, int n)
    {
        foreach (var key in new[] { "edges", "bin_edges" })
        {
            if (t[key] is double[] d && d.Length == n + 1)
            {
                return d;
            }
        }

        return t.Fields.Select(f => f.Value).OfType<double[]>().FirstOrDefault(d => d.Length == n + 1);
    }
}

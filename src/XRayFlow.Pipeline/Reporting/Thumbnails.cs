using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>How a value is pictured: a colormap and the data range it spans (null: the value's finite min / max, as imshow).</summary>
internal sealed record Display(Colormap Colormap, double? Vmin = null, double? Vmax = null)
{
    public static Display Grey { get; } = new(Colormaps.Gray);

    /// <summary>The range for <paramref name="s"/>: the given limits, else its finite min and max (0..1 when it has none).</summary>
    public (double Vmin, double Vmax) Range(ValueSummary s)
    {
        double lo = Vmin ?? (double.IsNaN(s.Min) ? 0 : s.Min);
        double hi = Vmax ?? (double.IsNaN(s.Max) ? 1 : s.Max);
        return lo <= hi ? (lo, hi) : (lo, lo);
    }

    public string Describe(ValueSummary s)
    {
        var (lo, hi) = Range(s);
        return $"{Colormap.Name}, {Html.N(lo)} to {Html.N(hi)}";
    }
}

/// <summary>Thumbnails as PNG data URIs (grey PNGs for grey colormaps, RGB otherwise).</summary>
internal static class Thumbnails
{
    /// <summary>A summary's thumbnail through <paramref name="display"/>, <paramref name="shrink"/> times smaller (box means), as a data: URI.</summary>
    public static string DataUri(ValueSummary s, Display display, int shrink = 1)
        => "data:image/png;base64," + Convert.ToBase64String(Png(s, display, shrink));

    public static byte[] Png(ValueSummary s, Display display, int shrink = 1)
    {
        var (data, rows, cols) = Shrink(s.Thumb, s.ThumbRows, s.ThumbCols, Math.Max(1, shrink));
        var (vmin, vmax) = display.Range(s);
        var rgb = new byte[data.Length * 3];
        display.Colormap.Apply(data, vmin, vmax, rgb);
        using var ms = new MemoryStream();
        if (display.Colormap.IsGrey)
        {
            var grey = new ImageArray(rows, cols);
            for (int k = 0; k < data.Length; k++)
            {
                grey.Data[k] = rgb[3 * k];
            }

            PngWriter.Write(ms, grey, 8);
        }
        else
        {
            PngWriter.WriteRgb(ms, rgb, cols, rows);
        }

        return ms.ToArray();
    }

    /// <summary>Box means of f x f cells (NaN cells left out; a cell of only NaN stays NaN).</summary>
    internal static (float[] Data, int Rows, int Cols) Shrink(float[] data, int rows, int cols, int f)
    {
        if (f == 1 || rows == 0 || cols == 0)
        {
            return (data, rows, cols);
        }

        int r2 = (rows + f - 1) / f, c2 = (cols + f - 1) / f;
        var sum = new double[r2 * c2];
        var count = new int[r2 * c2];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                float v = data[(r * cols) + c];
                if (!float.IsNaN(v))
                {
                    int k = ((r / f) * c2) + (c / f);
                    sum[k] += v;
                    count[k]++;
                }
            }
        }

        var result = new float[r2 * c2];
        for (int k = 0; k < result.Length; k++)
        {
            result[k] = count[k] > 0 ? (float)(sum[k] / count[k]) : float.NaN;
        }

        return (result, r2, c2);
    }
}

using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Outputs;

/// <summary>
/// The output writers' door to the picture library (colormaps, figures, histogram plots). Until that library
/// is merged only the `gray` colormap is available here; the rest report a clear error.
/// </summary>
public static class Rendering
{
    /// <summary>imshow's mapping: t = (x - vmin) / (vmax - vmin), LUT index floor(t * 256) clipped to 0..255; NaN black.</summary>
    public static byte[] Colorize(string colormap, float[] data, double vmin, double vmax)
    {
        if (colormap is not ("gray" or "grey" or "Greys_r"))
        {
            throw new OutputException(colormap, $"colormap '{colormap}' is not available in this build");
        }

        var rgb = new byte[data.Length * 3];
        double span = vmax - vmin;
        for (int k = 0; k < data.Length; k++)
        {
            float v = data[k];
            byte g = 0;
            if (!float.IsNaN(v))
            {
                double t = span > 0 ? (v - vmin) / span : 0;
                g = (byte)Math.Clamp((int)Math.Floor(t * 256), 0, 255);
            }

            rgb[3 * k] = rgb[(3 * k) + 1] = rgb[(3 * k) + 2] = g;
        }

        return rgb;
    }

    public static byte[] Figure(BoundOutput output, Func<string, Value> valueOf)
        => throw new OutputException(output.Name, "figures (panels) are not available in this build");

    public static byte[] HistogramPlot(BoundOutput output, TableValue table)
        => throw new OutputException(output.Name, "a .png of a table (histogram plot) is not available in this build");
}

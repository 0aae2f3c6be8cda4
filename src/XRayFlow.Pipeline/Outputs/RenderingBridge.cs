using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Pipeline.Outputs;

/// <summary>
/// The output writers' door to the picture library (colormaps, figures, histogram plots). Figures and
/// histogram plots report a clear error until that part of the library is merged.
/// </summary>
public static class RenderingBridge
{
    /// <summary>imshow's mapping through a matplotlib colormap (see <see cref="Colormap"/>): RGB bytes, 3 per value.</summary>
    public static byte[] Colorize(string colormap, float[] data, double vmin, double vmax)
    {
        if (!Colormaps.TryGet(colormap, out var map))
        {
            throw new OutputException(colormap, $"no colormap named '{colormap}' (known: {string.Join(", ", Colormaps.Names)})");
        }

        var rgb = new byte[data.Length * 3];
        map.Apply(data, vmin, vmax, rgb);
        return rgb;
    }

    public static byte[] Figure(BoundOutput output, Func<string, Value> valueOf)
        => throw new OutputException(output.Name, "figures (panels) are not available in this build");

    public static byte[] HistogramPlot(BoundOutput output, TableValue table)
        => throw new OutputException(output.Name, "a .png of a table (histogram plot) is not available in this build");
}

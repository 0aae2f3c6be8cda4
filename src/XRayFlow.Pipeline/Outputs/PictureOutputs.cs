using System.Globalization;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs.Rendering;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Outputs;

/// <summary>
/// The output writers' door to the picture library (Outputs/Rendering: colormaps, figures,
/// histogram plots, animated GIFs).
/// </summary>
public static class PictureOutputs
{
    /// <summary>
    /// imshow's mapping through a matplotlib colormap: t = (x - vmin) / (vmax - vmin), LUT index floor(t * 256) clipped
    /// to 0..255; NaN and the infinities black (imshow masks them as invalid). The `labels` colormap is skimage's label2rgb instead (<see cref="LabelColors"/>; no vmin/vmax).
    /// </summary>
    public static byte[] Colorize(string colormap, float[] data, double vmin, double vmax)
    {
        if (colormap == LabelColors.Name)
        {
            return LabelColors.Colorize(data);
        }

        var cmap = Map(colormap, colormap);
        if (vmin > vmax)
        {
            throw new OutputException(colormap, $"vmin ({vmin.ToString(CultureInfo.InvariantCulture)}) is above vmax ({vmax.ToString(CultureInfo.InvariantCulture)})");
        }

        var rgb = new byte[data.Length * 3];
        cmap.Apply(data, vmin, vmax, rgb);
        return rgb;
    }

    /// <summary>A figure output: its panels in a grid (`columns`, default all in one row), optional `title`.</summary>
    public static byte[] Figure(BoundOutput output, Func<string, Value> valueOf)
    {
        var panels = new List<FigurePanel>();
        foreach (var p in output.Panels ?? [])
        {
            if (valueOf(p.From) is not ArrayValue { Array: var array })
            {
                throw new OutputException(output.Name, $"panel '{p.From}' is a table; a figure panel shows an image");
            }

            if (array.IsStack && array.Frames != 1)
            {
                throw new OutputException(output.Name, $"panel '{p.From}' is a stack {array.ShapeText}; montage it first (op montage)");
            }

            if (array.IsComplex)
            {
                throw new OutputException(output.Name, $"panel '{p.From}' is complex; take abs first");
            }

            var image = array.IsStack ? array.FrameImage(0) : array;
            if (p.Options.TryGetValue("colormap", out var lc) && lc is LabelColors.Name)
            {
                // label2rgb through a lookup table of its colours: each pixel's slot as the value, 0..255.
                panels.Add(new FigurePanel(new ImageArray(image.Rows, image.Cols, LabelColors.SlotValues(image.Data)), p.Title, LabelColors.Lookup, 0, 255));
                continue;
            }

            var cmap = p.Options.TryGetValue("colormap", out var c) && c is string name ? Map(output.Name, name) : Colormaps.Gray;
            panels.Add(new FigurePanel(image, p.Title, cmap, Number(p.Options, "vmin"), Number(p.Options, "vmax"), p.Options.TryGetValue("colorbar", out var bar) && bar is true));
        }

        if (panels.Count == 0)
        {
            throw new OutputException(output.Name, "a figure needs at least one panel");
        }

        int columns = output.Options.TryGetValue("columns", out var col) && col is not null ? Convert.ToInt32(col, CultureInfo.InvariantCulture) : panels.Count;
        string? title = output.Options.TryGetValue("title", out var t) ? t as string : null;
        try
        {
            var style = output.Options.TryGetValue("panel_size", out var ps) && ps is not null
                ? new FigureStyle { PanelSize = Convert.ToInt32(ps, CultureInfo.InvariantCulture) }
                : null;
            return FigureRenderer.Render(panels, columns, title, style, Compression(output));
        }
        catch (ArgumentException e)
        {
            throw new OutputException(output.Name, ExceptionText.Message(e));
        }
    }

    /// <summary>A .png of a histogram table: a line plot of the counts, titled with the output's `title` option (default: the output's name).</summary>
    public static byte[] HistogramPlot(BoundOutput output, TableValue table)
    {
        try
        {
            string title = output.Options.TryGetValue("title", out var t) && t is string text ? text : output.Name;
            return Rendering.HistogramPlot.Render(table, title, "value", "count", compression: Compression(output));
        }
        catch (ArgumentException e)
        {
            throw new OutputException(output.Name, ExceptionText.Message(e));
        }
    }

    /// <summary>
    /// A .gif of a stack. Without a colormap or vmin/vmax the values are rounded (halves to even), clipped to 0..255 and
    /// stored as exact grey levels; with one, they go through it (the gray colormap when only vmin/vmax are given) with
    /// vmin/vmax (default: the stack's finite min/max).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static byte[] Gif(BoundOutput output, ImageArray stack, int durationMs, int loop)
    {
        using var ms = new MemoryStream();
        try
        {
            if (output.Options.TryGetValue("colormap", out var lc) && lc is LabelColors.Name)
            {
                var slots = ImageArray.Stack(stack.Frames, stack.Rows, stack.Cols, LabelColors.SlotValues(stack.Data));
                GifWriter.Write(ms, slots, durationMs, loop, LabelColors.Lookup, 0, 255);
            }
            else if (output.Options.TryGetValue("colormap", out var c) && c is string name)
            {
                GifWriter.Write(ms, stack, durationMs, loop, Map(output.Name, name), Number(output.Options, "vmin"), Number(output.Options, "vmax"));
            }
            else if (OutputWriter.HasLimits(output))
            {
                // Grey levels as imshow with the gray colormap maps them (the missing limit: the stack's finite min / max).
                GifWriter.Write(ms, stack, durationMs, loop, Colormaps.Gray, Number(output.Options, "vmin"), Number(output.Options, "vmax"));
            }
            else
            {
                var grey = ImageArray.LikeShape(stack);
                for (int k = 0; k < stack.Length; k++)
                {
                    float v = stack.Data[k];
                    grey.Data[k] = float.IsNaN(v) ? 0f : Math.Clamp(MathF.Round(v, MidpointRounding.ToEven), 0f, 255f);
                }

                GifWriter.Write(ms, grey, durationMs, loop, Colormaps.Gray, 0, 255);
            }
        }
        catch (ArgumentException e)
        {
            throw new OutputException(output.Name, ExceptionText.Message(e));
        }

        return ms.ToArray();
    }

    /// <summary>
    /// A .png with an `overlay`: the picture (grey levels rounded and clipped to 0..255, mapped by vmin/vmax when given,
    /// or through its `colormap` with vmin/vmax) as RGB, with the overlay source's outlines drawn over it (<see cref="Outline"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] Overlay(BoundOutput output, ImageArray frame, OverlayOption overlay, Func<string, Value>? valueOf)
    {
        if (output.Options.TryGetValue("bits", out var bits) && bits is 16)
        {
            throw new OutputException(output.Name, "a picture with an overlay is 8-bit RGB; remove bits: 16");
        }

        if (valueOf?.Invoke(overlay.From) is not ArrayValue { Array: var labels })
        {
            throw new OutputException(output.Name, $"the overlay's '{overlay.From}' is not an image");
        }

        if (labels.IsStack && labels.Frames == 1)
        {
            labels = labels.FrameImage(0);
        }

        if (labels.IsStack || labels.Rows != frame.Rows || labels.Cols != frame.Cols || labels.IsComplex)
        {
            throw new OutputException(output.Name, $"the overlay's '{overlay.From}' has shape {labels.ShapeText}{(labels.IsComplex ? " (complex)" : string.Empty)}, the picture {frame.ShapeText}; an overlay outlines a real image of the picture's shape");
        }

        byte[] rgb;
        if (output.Options.TryGetValue("colormap", out var c) && c is string name)
        {
            var (vmin, vmax) = OutputWriter.Limits(output, frame.Data);
            rgb = Colorize(name, frame.Data, vmin, vmax);
        }
        else
        {
            float[] grey;
            if (OutputWriter.HasLimits(output))
            {
                var (vmin, vmax) = OutputWriter.Limits(output, frame.Data);
                grey = OutputWriter.GreyLevels(output.Name, frame, vmin, vmax, 256).Data;
            }
            else
            {
                grey = OutputWriter.RoundClip(frame, 255f).Data;
            }

            rgb = new byte[grey.Length * 3];
            for (int k = 0; k < grey.Length; k++)
            {
                rgb[3 * k] = rgb[(3 * k) + 1] = rgb[(3 * k) + 2] = (byte)grey[k];
            }
        }

        Outline.Draw(rgb, labels, overlay.Color == LabelColors.Name ? null : Outline.Parse(overlay.Color));
        return rgb;
    }

    private static Colormap Map(string output, string name)
        => Colormaps.TryGet(name, out var cmap)
            ? cmap
            : throw new OutputException(output, $"unknown colormap '{name}' (one of: {string.Join(", ", Colormaps.Names)})");

    /// <summary>The output's `compression` (0-9), or the PNG writer's default.</summary>
    private static int Compression(BoundOutput output)
        => output.Options.TryGetValue("compression", out var c) && c is not null ? Convert.ToInt32(c, CultureInfo.InvariantCulture) : XRayFlow.Core.Codecs.Png.PngWriter.DefaultCompression;

    private static double? Number(IReadOnlyDictionary<string, object?> options, string key)
        => options.TryGetValue(key, out var v) && v is not null ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : null;
}

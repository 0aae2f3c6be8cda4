using System.Globalization;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// The `overlay` of a .png output: the outlines of a mask's or a label image's regions drawn in a colour over the picture.
/// Outline pixels are skimage.segmentation.find_boundaries(labels, connectivity=1, mode='inner', background=0): pixels
/// whose value is not 0 and that have a 4-neighbour inside the image with another value (a region's own pixels along
/// its edge; the image's edge is not an outline). Each outline pixel takes the colour, or with `color: labels` its
/// label's colour from the `labels` colormap.
/// </summary>
public static class Outline
{
    /// <summary>Colour names an overlay takes (matplotlib's colours of these names), besides `#rrggbb` and `labels`.</summary>
    public static IReadOnlyDictionary<string, (byte R, byte G, byte B)> Named { get; } = new Dictionary<string, (byte, byte, byte)>(StringComparer.Ordinal)
    {
        ["red"] = (255, 0, 0),
        ["lime"] = (0, 255, 0),
        ["green"] = (0, 128, 0),
        ["blue"] = (0, 0, 255),
        ["yellow"] = (255, 255, 0),
        ["cyan"] = (0, 255, 255),
        ["magenta"] = (255, 0, 255),
        ["orange"] = (255, 165, 0),
        ["white"] = (255, 255, 255),
        ["black"] = (0, 0, 0),
    };

    /// <summary>The colour of a name or `#rrggbb`, or null when it is neither.</summary>
    public static (byte R, byte G, byte B)? Parse(string text)
    {
        if (Named.TryGetValue(text, out var c))
        {
            return c;
        }

        if (text.Length == 7 && text[0] == '#' && int.TryParse(text.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int rgb))
        {
            return ((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb);
        }

        return null;
    }

    /// <summary>find_boundaries(labels, connectivity=1, mode='inner'): true on the outline pixels of a 2-D image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool[] Inner(ImageArray labels)
    {
        int rows = labels.Rows, cols = labels.Cols;
        var d = labels.Data;
        var edge = new bool[d.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                int k = (r * cols) + c;
                float v = d[k];
                if (v == 0)
                {
                    continue;
                }

                edge[k] = (r > 0 && !Same(d[k - cols], v)) || (r < rows - 1 && !Same(d[k + cols], v))
                    || (c > 0 && !Same(d[k - 1], v)) || (c < cols - 1 && !Same(d[k + 1], v));
            }
        }

        return edge;
    }

    private static bool Same(float a, float b) => a == b || (float.IsNaN(a) && float.IsNaN(b));

    /// <summary>Paints the outline of <paramref name="labels"/> over <paramref name="rgb"/> (3 bytes per pixel, same shape); null colour = each label's `labels` colour.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Draw(Span<byte> rgb, ImageArray labels, (byte R, byte G, byte B)? color)
    {
        var edge = Inner(labels);
        byte[]? slots = color is null ? LabelColors.Slots(labels.Data) : null;
        for (int k = 0; k < edge.Length; k++)
        {
            if (!edge[k])
            {
                continue;
            }

            var (r, g, b) = color ?? LabelColors.Palette[Math.Max(1, (int)slots![k]) - 1];
            rgb[3 * k] = r;
            rgb[(3 * k) + 1] = g;
            rgb[(3 * k) + 2] = b;
        }
    }
}

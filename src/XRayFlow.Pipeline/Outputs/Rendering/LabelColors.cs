using System.Runtime.CompilerServices;
namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// The `labels` colormap: skimage.color.label2rgb(labels, bg_label=0) (0.19) with its default colours. Values are taken
/// as whole numbers (truncated toward zero, as skimage's cast to int); 0 is the background, black; the other distinct
/// values, in ascending order, take red, blue, yellow, magenta, green, indigo, darkorange, cyan, pink, yellowgreen and
/// again from red (label2rgb's rank of each label among all labels); NaN is black. So consecutive labels 1, 2, 3 ... are
/// red, blue, yellow ..., and neighbouring components of `label` differ in colour.
/// </summary>
public static class LabelColors
{
    /// <summary>The colormap's name in recipes.</summary>
    public const string Name = "labels";

    /// <summary>skimage's DEFAULT_COLORS as bytes (matplotlib's named colours: red, blue, yellow, magenta, green, indigo, darkorange, cyan, pink, yellowgreen).</summary>
    public static IReadOnlyList<(byte R, byte G, byte B)> Palette { get; } =
    [
        (255, 0, 0), (0, 0, 255), (255, 255, 0), (255, 0, 255), (0, 128, 0),
        (75, 0, 130), (255, 140, 0), (0, 255, 255), (255, 192, 203), (154, 205, 50),
    ];

    /// <summary>
    /// Each value's palette slot: 0 for the background (and NaN), else 1 + (rank - 1) mod 10 where rank is the value's
    /// place (from 1) among the distinct nonzero whole values of <paramref name="data"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte[] Slots(ReadOnlySpan<float> data)
    {
        // Labels from `label` span a short range: ranks from a table over it (a dictionary lookup a pixel: 29 ms for a
        // 1024 x 1024 label image, 8 now); any other spread of values takes the dictionary.
        long lo = long.MaxValue, hi = long.MinValue;
        foreach (float v in data)
        {
            if (Key(v) is long k and not 0)
            {
                lo = Math.Min(lo, k);
                hi = Math.Max(hi, k);
            }
        }

        if (lo > hi)
        {
            return new byte[data.Length]; // background (and NaN) only
        }

        if (hi - lo < 1 << 22)
        {
            var table = new byte[hi - lo + 1];
            foreach (float v in data)
            {
                if (Key(v) is long k and not 0)
                {
                    table[k - lo] = 1;
                }
            }

            for (int t = 0, r = 0; t < table.Length; t++)
            {
                if (table[t] != 0)
                {
                    table[t] = (byte)(1 + (r++ % Palette.Count));
                }
            }

            var ranked = new byte[data.Length];
            for (int i = 0; i < data.Length; i++)
            {
                ranked[i] = Key(data[i]) is long k and not 0 ? table[k - lo] : (byte)0;
            }

            return ranked;
        }

        var distinct = new HashSet<long>();
        foreach (float v in data)
        {
            if (Key(v) is long k and not 0)
            {
                distinct.Add(k);
            }
        }

        var sorted = distinct.ToArray();
        Array.Sort(sorted);
        var rank = new Dictionary<long, byte>(sorted.Length);
        for (int i = 0; i < sorted.Length; i++)
        {
            rank[sorted[i]] = (byte)(1 + (i % Palette.Count));
        }

        var slots = new byte[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            slots[i] = Key(data[i]) is long k and not 0 ? rank[k] : (byte)0;
        }

        return slots;
    }

    /// <summary>RGB bytes (3 per value) of label2rgb.</summary>
    public static byte[] Colorize(ReadOnlySpan<float> data)
    {
        var slots = Slots(data);
        var rgb = new byte[data.Length * 3];
        for (int i = 0; i < slots.Length; i++)
        {
            if (slots[i] != 0)
            {
                var (r, g, b) = Palette[slots[i] - 1];
                rgb[3 * i] = r;
                rgb[(3 * i) + 1] = g;
                rgb[(3 * i) + 2] = b;
            }
        }

        return rgb;
    }

    /// <summary>
    /// A 256-entry lookup colormap holding black then the palette (entry s is slot s), for paths that index a colormap
    /// (GIF frames, figure panels): feed it the slots as values with vmin 0 and vmax 255 (entry floor(s * 256 / 255) = s).
    /// </summary>
    public static Colormap Lookup { get; } = BuildLookup();

    /// <summary>The slots as float values for <see cref="Lookup"/>.</summary>
    public static float[] SlotValues(ReadOnlySpan<float> data) => Array.ConvertAll(Slots(data), s => (float)s);

    private static Colormap BuildLookup()
    {
        var table = new double[Colormaps.Size * 3];
        for (int s = 1; s <= Palette.Count; s++)
        {
            table[3 * s] = Palette[s - 1].R / 255.0;
            table[(3 * s) + 1] = Palette[s - 1].G / 255.0;
            table[(3 * s) + 2] = Palette[s - 1].B / 255.0;
        }

        return new Colormap(Name, table);
    }

    /// <summary>The whole label of a value (truncated toward zero), or null for NaN and values beyond the long range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long? Key(float v) => float.IsNaN(v) || Math.Abs(v) >= 9.2e18f ? null : (long)v;
}

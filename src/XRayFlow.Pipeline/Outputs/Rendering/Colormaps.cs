using System.Runtime.CompilerServices;
namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>
/// The colormaps a recipe may name (matplotlib's names and meanings, matplotlib 3.6). Each is built from
/// matplotlib's own definition: segment data sampled like <c>colors._create_lookup_table</c> for the
/// LinearSegmentedColormaps (gray, bone, hot, jet, CMRmap, nipy_spectral, terrain), the functional
/// definition for prism, the 256 listed colours for viridis, inferno and magma; the diverging RdBu, seismic,
/// coolwarm and bwr are LinearSegmentedColormaps too. Every map also exists reversed as <c>name_r</c>
/// (matplotlib's <c>Colormap.reversed()</c>): its lookup table is the base table in reverse order.
/// </summary>
public static class Colormaps
{
    /// <summary>Number of entries of every lookup table (matplotlib's default N).</summary>
    public const int Size = 256;

    private static readonly Lazy<IReadOnlyDictionary<string, Colormap>> ByName = new(Build);

    /// <summary>The suffix of a reversed map (matplotlib's <c>_r</c>).</summary>
    public const string ReversedSuffix = "_r";

    /// <summary>The maps with a definition of their own, in a stable order.</summary>
    public static IReadOnlyList<string> BaseNames { get; } =
        ["gray", "bone", "hot", "CMRmap", "prism", "nipy_spectral", "terrain", "viridis", "inferno", "magma", "jet", "RdBu", "seismic", "coolwarm", "bwr"];

    /// <summary>Every name, in a stable order: the base maps, then each one's reversed <c>_r</c> variant.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. BaseNames, .. BaseNames.Select(n => n + ReversedSuffix)];

    /// <summary>Looks a colormap up by its matplotlib name (case-sensitive, as matplotlib; "grey" is an alias of gray).</summary>
    public static bool TryGet(string name, out Colormap colormap)
    {
        if (name is "grey" or "grey_r")
        {
            name = "gray" + name[4..];
        }

        return ByName.Value.TryGetValue(name, out colormap!);
    }

    /// <summary>The colormap of that name, or an exception (for callers that validated the name already).</summary>
    public static Colormap Get(string name) => TryGet(name, out var c)
        ? c
        : throw new KeyNotFoundException($"no colormap named '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>The grey ramp (lut[i] = i), the default for grey images.</summary>
    public static Colormap Gray => Get("gray");

    private static Dictionary<string, Colormap> Build()
    {
        var map = new Dictionary<string, Colormap>(StringComparer.Ordinal);
        foreach (var name in BaseNames)
        {
            // The reversed map as matplotlib's Colormap.reversed() makes it: a listed map's colours in reverse order; a
            // segmented map's segment data reversed ((1 - x, y1, y0), last row first) and sampled again; a functional
            // one (prism) called at 1 - x. Sampling again is not the table reversed: 1 - i / 255 and (255 - i) / 255
            // differ in the last bit, which moves a rounded level by one in a few entries of bone, CMRmap, terrain, jet
            // and seismic.
            double[] table, reversed;
            if (ColormapData.Segments.TryGetValue(name, out var seg))
            {
                table = Sample(seg);
                reversed = Sample([.. seg.Select(ReverseSegments)]);
            }
            else if (ColormapData.Listed.TryGetValue(name, out var listed))
            {
                table = (double[])listed.Clone();
                reversed = Reverse(table);
            }
            else if (name == "prism")
            {
                table = Prism(Size, reversed: false);
                reversed = Prism(Size, reversed: true);
            }
            else
            {
                throw new InvalidOperationException($"colormap '{name}' has no definition");
            }

            map[name] = new Colormap(name, table);
            map[name + ReversedSuffix] = new Colormap(name + ReversedSuffix, reversed);
        }

        return map;
    }

    /// <summary>The RGB table (3 values per entry) of segment data per channel.</summary>
    private static double[] Sample(double[][][] seg)
    {
        var table = new double[Size * 3];
        for (int ch = 0; ch < 3; ch++)
        {
            var lut = CreateLookupTable(Size, seg[ch]);
            for (int i = 0; i < Size; i++)
            {
                table[(i * 3) + ch] = lut[i];
            }
        }

        return table;
    }

    /// <summary>matplotlib's LinearSegmentedColormap.reversed() of one channel's rows (x, y0, y1): (1 - x, y1, y0), last row first.</summary>
    internal static double[][] ReverseSegments(double[][] rows)
        => [.. rows.Reverse().Select(r => new[] { 1.0 - r[0], r[2], r[1] })];

    /// <summary>The RGB table (3 values per entry) with its entries in reverse order.</summary>
    private static double[] Reverse(double[] table)
    {
        var reversed = new double[table.Length];
        int n = table.Length / 3;
        for (int i = 0; i < n; i++)
        {
            Array.Copy(table, 3 * (n - 1 - i), reversed, 3 * i, 3);
        }

        return reversed;
    }

    /// <summary>
    /// matplotlib's <c>colors._create_lookup_table(N, data, gamma=1)</c> for segment data rows (x, y0, y1):
    /// x is sampled at N equidistant points of [0, 1]; between x[i-1] and x[i] the value runs linearly
    /// from y1[i-1] to y0[i]; the first entry is y1[0], the last y0[-1]; the result is clipped to [0, 1].
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static double[] CreateLookupTable(int n, double[][] rows)
    {
        var lut = new double[n];
        if (n == 1)
        {
            lut[0] = Math.Clamp(rows[^1][1], 0.0, 1.0);
            return lut;
        }

        int m = rows.Length;
        var x = new double[m];
        for (int k = 0; k < m; k++)
        {
            x[k] = rows[k][0] * (n - 1);
        }

        double step = 1.0 / (n - 1); // numpy.linspace: arange(n) * step, last = stop
        lut[0] = rows[0][2];
        lut[n - 1] = rows[m - 1][1];
        for (int i = 1; i < n - 1; i++)
        {
            double xind = (n - 1) * (i * step);

            // numpy.searchsorted(x, xind, side='left'): first k with x[k] >= xind
            int ind = 0;
            while (ind < m && x[ind] < xind)
            {
                ind++;
            }

            double distance = (xind - x[ind - 1]) / (x[ind] - x[ind - 1]);
            lut[i] = (distance * (rows[ind][1] - rows[ind - 1][2])) + rows[ind - 1][2];
        }

        for (int i = 0; i < n; i++)
        {
            lut[i] = Math.Clamp(lut[i], 0.0, 1.0);
        }

        return lut;
    }

    /// <summary>matplotlib's functional prism (_cm._prism_red/green/blue), sampled at linspace(0, 1, n) (reversed: at 1 - those), clipped.</summary>
    private static double[] Prism(int n, bool reversed)
    {
        var table = new double[n * 3];
        double step = 1.0 / (n - 1);
        for (int i = 0; i < n; i++)
        {
            double x = i == n - 1 ? 1.0 : i * step;
            x = reversed ? 1.0 - x : x;
            table[(i * 3) + 0] = Math.Clamp((0.75 * Math.Sin(((x * 20.9) + 0.25) * Math.PI)) + 0.67, 0.0, 1.0);
            table[(i * 3) + 1] = Math.Clamp((0.75 * Math.Sin(((x * 20.9) - 0.25) * Math.PI)) + 0.33, 0.0, 1.0);
            table[(i * 3) + 2] = Math.Clamp(-1.1 * Math.Sin(x * 20.9 * Math.PI), 0.0, 1.0);
        }

        return table;
    }
}

/// <summary>
/// One colormap: a 256-entry table of RGB colours and matplotlib's rule for mapping data to it
/// (Normalize then <c>Colormap.__call__</c>):
/// <list type="bullet">
/// <item>x = (v - vmin) / (vmax - vmin); when vmin == vmax every value maps to x = 0 (matplotlib's Normalize
/// fills the result with 0), so the whole image takes the first colour.</item>
/// <item>index = floor(x * 256); x == 1 gives 255; x &lt; 0 takes the "under" colour and index &gt; 255 the
/// "over" colour, which by default are the first and last entries (so the index is clamped to 0..255).</item>
/// <item>NaN and +-infinity are "bad" (imshow masks invalid values before the colormap sees them, so an infinity is
/// neither the over nor the under colour): transparent in matplotlib; here RGB (0, 0, 0) (a figure draws it on its
/// background).</item>
/// </list>
/// Bytes are <c>round(lut * 255)</c> (as the reference tables, matplotlib-256.json): so gray is the identity on 0..255
/// and 8-bit grey data survives a round trip through a PNG or GIF unchanged. matplotlib's own
/// <c>to_rgba(bytes=True)</c> truncates instead (gray 33 becomes 32 there); the two never differ by more than 1.
/// The normalisation is computed in double (matplotlib keeps float32 data in float32), so a value lying
/// within float32 rounding of a bin edge may land one entry away.
/// </summary>
public sealed class Colormap
{
    private readonly byte[] lut;
    private readonly uint[] rgba;
    private readonly double[] table;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal Colormap(string name, double[] table)
    {
        if (table.Length != Colormaps.Size * 3)
        {
            throw new ArgumentException($"colormap '{name}' has {table.Length} values, needs {Colormaps.Size * 3}", nameof(table));
        }

        Name = name;
        this.table = table;
        lut = new byte[table.Length];
        for (int k = 0; k < table.Length; k++)
        {
            lut[k] = (byte)Math.Round(table[k] * 255.0, MidpointRounding.ToEven);
        }

        rgba = new uint[Colormaps.Size];
        for (int i = 0; i < rgba.Length; i++)
        {
            rgba[i] = lut[3 * i] | ((uint)lut[(3 * i) + 1] << 8) | ((uint)lut[(3 * i) + 2] << 16) | 0xFF000000u;
        }
    }

    public string Name { get; }

    /// <summary>256 x RGB bytes, entry i at [3i, 3i + 1, 3i + 2].</summary>
    public ReadOnlySpan<byte> Lut => lut;

    /// <summary>256 x RGB in 0..1 (matplotlib's <c>_lut</c> without alpha), entry i at [3i, 3i + 1, 3i + 2].</summary>
    public ReadOnlySpan<double> Table => table;

    /// <summary>True when every entry has R == G == B (a grey ramp: gray, and the like).</summary>
    public bool IsGrey
    {
        get
        {
            for (int i = 0; i < Colormaps.Size; i++)
            {
                if (lut[3 * i] != lut[(3 * i) + 1] || lut[3 * i] != lut[(3 * i) + 2])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>
    /// imshow's default range: the smallest and largest finite value (NaN and the infinities ignored); (0, 1) when there
    /// is none, as a .png's limits (<c>OutputWriter.Limits</c>): every value is then "bad", and one limit given stays valid.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Min, double Max) AutoRange(ReadOnlySpan<float> data)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (float v in data)
        {
            if (float.IsFinite(v))
            {
                if (v < min)
                {
                    min = v;
                }

                if (v > max)
                {
                    max = v;
                }
            }
        }

        return min <= max ? (min, max) : (0.0, 1.0);
    }

    /// <summary>The lookup-table index of one value (see the class remarks), or -1 for NaN and the infinities (bad).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int IndexOf(double value, double vmin, double vmax) => LevelOf(value, vmin, vmax, Colormaps.Size);

    /// <summary>
    /// imshow's normalisation into <paramref name="levels"/> steps: t = (value - vmin) / (vmax - vmin) (0 when vmin ==
    /// vmax), level floor(t * levels) clipped to 0..levels - 1; -1 for NaN and +-infinity, which imshow masks as invalid
    /// (its "bad" colour, not the over / under one). With 256 levels, the colormap table's index.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int LevelOf(double value, double vmin, double vmax, int levels)
    {
        if (!double.IsFinite(value))
        {
            return -1;
        }

        double x = vmin == vmax ? 0.0 : (value - vmin) / (vmax - vmin);
        x *= levels;
        if (x < 0)
        {
            return 0; // under -> first colour
        }

        if (x >= levels - 1)
        {
            return levels - 1; // x == 1 and over -> last colour
        }

        return (int)x;
    }

    /// <summary>
    /// As <see cref="Apply(ReadOnlySpan{float}, double, double, Span{byte})"/> into RGBA pixels (R in the lowest byte:
    /// bytes R, G, B, A in memory on a little-endian machine), alpha 255; NaN and the infinities become 0 (transparent black: imshow's
    /// "bad" colour, shown as the figure's background).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ApplyRgba(ReadOnlySpan<float> data, double vmin, double vmax, Span<uint> pixels)
    {
        if (pixels.Length < data.Length)
        {
            throw new ArgumentException($"pixels has {pixels.Length} entries, needs {data.Length}", nameof(pixels));
        }

        if (!(vmin <= vmax))
        {
            throw new ArgumentException($"vmin ({vmin}) must be less or equal to vmax ({vmax})", nameof(vmin));
        }

        var colours = rgba;
        for (int k = 0; k < data.Length; k++)
        {
            int i = IndexOf(data[k], vmin, vmax);
            pixels[k] = i < 0 ? 0u : colours[i];
        }
    }

    /// <summary>Maps data to RGB bytes (3 per value) with vmin/vmax taken from the data, as imshow does by default.</summary>
    public void Apply(ReadOnlySpan<float> data, Span<byte> rgb)
    {
        var (min, max) = AutoRange(data);
        Apply(data, min, max, rgb);
    }

    /// <summary>Maps data to RGB bytes (3 per value); see the class remarks for the exact rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Apply(ReadOnlySpan<float> data, double vmin, double vmax, Span<byte> rgb)
    {
        if (rgb.Length < data.Length * 3)
        {
            throw new ArgumentException($"rgb has {rgb.Length} bytes, needs {data.Length * 3}", nameof(rgb));
        }

        if (!(vmin <= vmax))
        {
            throw new ArgumentException($"vmin ({vmin}) must be less or equal to vmax ({vmax})", nameof(vmin));
        }

        for (int k = 0; k < data.Length; k++)
        {
            int i = IndexOf(data[k], vmin, vmax);
            if (i < 0)
            {
                rgb[3 * k] = rgb[(3 * k) + 1] = rgb[(3 * k) + 2] = 0;
                continue;
            }

            rgb[3 * k] = lut[3 * i];
            rgb[(3 * k) + 1] = lut[(3 * i) + 1];
            rgb[(3 * k) + 2] = lut[(3 * i) + 2];
        }
    }

    /// <summary>Maps data to lookup-table indices (0..255; NaN and the infinities -> <paramref name="badIndex"/>), for palette images such as GIF frames.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Indices(ReadOnlySpan<float> data, double vmin, double vmax, Span<byte> indices, byte badIndex = 0)
    {
        for (int k = 0; k < data.Length; k++)
        {
            int i = IndexOf(data[k], vmin, vmax);
            indices[k] = i < 0 ? badIndex : (byte)i;
        }
    }
}

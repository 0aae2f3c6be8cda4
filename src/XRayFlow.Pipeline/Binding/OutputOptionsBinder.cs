using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>One option of a .png / .gif output or of a figure panel: bits (8|16), compression (0-9), colormap, vmin, vmax, duration_ms, loop, columns, title.</summary>
internal sealed class OutputOptionsBinder(BindingContext context, ScalarReader reader)
{
    private readonly BindingContext _c = context;
    private readonly ScalarReader _reader = reader;

    /// <summary>The option's value (an int, a double or a string), or null when an error was reported.</summary>
    public object? Bind(YamlEntry k)
    {
        var s = k.Value as YamlScalar;
        var raw = s is null ? null : _reader.Read(s);
        if (s is not null && raw is null)
        {
            return null; // reported
        }

        string key = k.Key.Value;
        object? value = raw?.Value;
        if (key == "title" && s is not null && (value is string || s.Value.Contains("${", StringComparison.Ordinal)))
        {
            // A title that is only `${p}` was read as the param's number; it is text, as in a longer title.
            value = TitleText(value as string ?? s.Value, s);
            if (value is null)
            {
                return null; // an unknown `${name}`, reported
            }
        }

        if (key == "colormap" && value is string name)
        {
            return BindColormap(k, name);
        }

        (object? Value, string? Expected) outcome = key switch
        {
            "bits" => (value is double b && (b == 8 || b == 16) ? (int)b : null, "8 or 16"),
            "colormap" => (null, "a colormap name"),
            "vmin" or "vmax" => (value is double v ? v : null, "a number"),
            "duration_ms" or "columns" => (WholeAtLeast(value, 1), "a whole number >= 1"),
            "loop" => (WholeAtLeast(value, 0), "a whole number >= 0 (0 = forever)"),
            "title" => (value as string, "a string"),
            "colorbar" => (value as bool?, "true or false"),
            "panel_size" => (WholeAtLeast(value, MinPanelSize) is int px && px <= MaxPanelSize ? px : null, $"a whole number of pixels from {MinPanelSize} to {MaxPanelSize}"),
            "compression" => (WholeAtLeast(value, 0) is int level && level <= XRayFlow.Core.Codecs.Png.PngWriter.MaxCompression ? level : null, "a whole number from 0 (store) to 9"),
            _ => (null, null),
        };
        if (outcome is { Value: null, Expected: { } expected })
        {
            _c.Diagnostics.ReportBadOutputOption(k.Value.Start, key, expected, raw?.Describe() ?? k.Value.Describe());
        }
        else if (key == "title" && outcome.Value is string title && Outputs.Rendering.FigureFont.Missing(title) is { } missing)
        {
            _c.Diagnostics.ReportGlyphMissing(k.Value.Start, "the title", missing);
        }

        return outcome.Value;
    }

    /// <summary>
    /// A title's text (a figure's, a panel's, a histogram plot's) with each `${name}` replaced by the param's value
    /// (after --set), as in a longer string parameter of a step; null when a name is no param (reported). It was
    /// drawn as written, so compare.yaml's "Mask (> 150, ...)" stayed 150 under --set threshold=120.
    /// </summary>
    public string? TitleText(string text, YamlScalar s) => _reader.SubstituteInText(text, s);

    /// <summary>
    /// False (reported at vmax) when both vmin and vmax were given and vmin is above vmax, which no picture can show;
    /// their values are known here (numbers or params), so this is refused when the recipe is checked, not per image.
    /// </summary>
    public bool CheckRange(IReadOnlyDictionary<string, object?> options, IEnumerable<YamlEntry> entries)
    {
        if (options.TryGetValue("vmin", out var lo) && lo is double vmin && options.TryGetValue("vmax", out var hi) && hi is double vmax && vmin > vmax)
        {
            var at = entries.Last(e => e.Key.Value == "vmax");
            _c.Diagnostics.ReportBadOutputOption(at.Value.Start, "vmax", $"a number at or above vmin ({vmin.ToString(System.Globalization.CultureInfo.InvariantCulture)})", vmax.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return false;
        }

        return true;
    }

    /// <summary>
    /// False (each reported) where a .png output's options would be silently ignored: a figure's arrangement
    /// (columns, panel_size) on a plain picture (a title is a histogram plot's too); a plain picture's bits, colormap, vmin and vmax on a figure
    /// (each panel takes its own; a figure is 8-bit RGB); bits: 16 with a colormap or an overlay (colours are 8-bit
    /// RGB); vmin, vmax or colorbar with colormap: labels (a colour per label, no range). Figure panels are checked
    /// for the last with <paramref name="options"/> their own.
    /// </summary>
    public bool CheckPicture(YamlMapping map, IReadOnlyDictionary<string, object?> options, bool figure)
    {
        bool ok = true;
        foreach (string key in figure ? new[] { "bits", "colormap", "vmin", "vmax" } : ["columns", "panel_size"])
        {
            if (map.Find(key) is { } entry)
            {
                _c.Diagnostics.ReportUnknownKey(entry.Key.Start, key, figure ? "a figure output" : "a .png output without panels",
                    figure ? "; colormap, vmin and vmax go on each panel, and a figure is 8-bit RGB" : "; columns and panel_size arrange a figure's panels");
                ok = false;
            }
        }

        if (!figure && options.TryGetValue("bits", out var bits) && bits is 16 && (options.ContainsKey("colormap") || options.ContainsKey("overlay")))
        {
            _c.Diagnostics.ReportBadOutputOption(map.Find("bits")!.Value.Start, "bits", "8 with a colormap or an overlay (colours are 8-bit RGB)", "16");
            ok = false;
        }

        return ok && CheckLabels(map, options);
    }

    /// <summary>False (reported) for vmin, vmax or colorbar beside colormap: labels, which colours each label without a range.</summary>
    public bool CheckLabels(YamlMapping map, IReadOnlyDictionary<string, object?> options)
    {
        if (!(options.TryGetValue("colormap", out var c) && c is "labels"))
        {
            return true;
        }

        bool ok = true;
        foreach (string key in new[] { "vmin", "vmax", "colorbar" })
        {
            if (map.Find(key) is { } entry)
            {
                _c.Diagnostics.ReportUnknownKey(entry.Key.Start, key, "a picture with colormap: labels", "; labels get one colour each, without a range");
                ok = false;
            }
        }

        return ok;
    }

    private string? BindColormap(YamlEntry k, string name)
    {
        if (RecipeBinder.Colormaps.Contains(name))
        {
            return name;
        }

        _c.Diagnostics.ReportUnknownColormap(k.Value.Start, name, string.Join(", ", RecipeBinder.Colormaps), DidYouMean.Suffix(name, RecipeBinder.Colormaps));
        return null;
    }

    /// <summary>Bounds of a figure's `panel_size` (the longest side of each panel's image box, pixels).</summary>
    public const int MinPanelSize = 16;

    /// <inheritdoc cref="MinPanelSize"/>
    public const int MaxPanelSize = 4096;

    /// <summary>The value as an int when it is a whole number from <paramref name="min"/> to int.MaxValue, else null.</summary>
    private static object? WholeAtLeast(object? value, int min)
        => value is double d && d == Math.Floor(d) && d >= min && d <= int.MaxValue ? (int)d : null;
}

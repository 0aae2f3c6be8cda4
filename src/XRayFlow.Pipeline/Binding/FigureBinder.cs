using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>A figure output's `panels:` (a .png of several images side by side): each panel {from, title, colormap, vmin, vmax}.</summary>
internal sealed class FigureBinder(BindingContext context, OutputOptionsBinder options, OutputSources sources)
{
    private readonly BindingContext _c = context;
    private readonly OutputOptionsBinder _options = options;
    private readonly OutputSources _sources = sources;

    /// <summary>The bound panels (those without errors); <paramref name="ok"/> is cleared when any panel has one.</summary>
    public List<BoundPanel> Bind(string output, YamlSequence panels, OutputFormat? format, ref bool ok)
    {
        var bound = new List<BoundPanel>();
        foreach (var item in panels.Items)
        {
            if (BindPanel(output, item, format) is { } panel)
            {
                bound.Add(panel);
            }
            else
            {
                ok = false;
            }
        }

        return bound;
    }

    private BoundPanel? BindPanel(string output, YamlNode item, OutputFormat? format)
    {
        if (item is not YamlMapping pm)
        {
            _c.Diagnostics.ReportWrongNodeType(item.Start, $"a panel of output '{output}'", "a map {from, title, colormap, vmin, vmax}", item.Describe());
            return null;
        }

        var panel = ReadKeys(pm);
        if (panel.From is null)
        {
            if (pm.Find("from") is null)
            {
                _c.Diagnostics.ReportMissingKey(pm.Start, $"a panel of output '{output}'", "from");
            }

            return null;
        }

        // A panel shows an image: not a table (which a .png output of its own may plot) nor a complex array. Said
        // of the panel before the output's own format check, which would speak of a .png.
        if (_c.Symbols.TryGetValue(panel.From.Value, out var sym) && sym.Info is { } info && (info.IsTable || info.IsComplex))
        {
            _c.Diagnostics.ReportOutputKindMismatch(panel.From.Start, output, info.IsTable ? $"a table ('{sym.Name}')" : $"a complex array ('{sym.Name}')", "a figure panel",
                info.IsTable ? "a panel shows an image; write the table as its own .png plot, .json or .csv" : "a panel shows real values: take 'abs' of it first");
            return null;
        }

        if (!_sources.Check(output, panel.From, format, panel.From.Start))
        {
            return null;
        }

        return panel.Ok ? new BoundPanel(panel.From.Value, panel.Title, panel.Options, pm.Start) : null;
    }

    private sealed record PanelKeys(YamlScalar? From, string? Title, Dictionary<string, object?> Options, bool Ok);

    private PanelKeys ReadKeys(YamlMapping pm)
    {
        bool ok = true;
        string? title = null;
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        YamlScalar? from = null;
        foreach (var k in pm.Entries)
        {
            switch (k.Key.Value)
            {
                case "from" when k.Value is YamlScalar fs && !fs.IsNull:
                    from = fs;
                    break;
                case "from":
                    _c.Diagnostics.ReportWrongNodeType(k.Value.Start, "'from' of a panel", "the name of a step or an input", k.Value.Describe());
                    ok = false;
                    break;
                case "title":
                    title = _c.ReadText(k.Value, "a panel's title");
                    if (title is not null)
                    {
                        title = _options.TitleText(title, (YamlScalar)k.Value);
                    }

                    ok &= title is not null;
                    if (title is not null && Outputs.Rendering.FigureFont.Missing(title) is { } missing)
                    {
                        _c.Diagnostics.ReportGlyphMissing(k.Value.Start, "a panel's title", missing);
                    }

                    break;
                case "colormap" or "vmin" or "vmax" or "colorbar":
                    if (_options.Bind(k) is { } v)
                    {
                        options[k.Key.Value] = v;
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                default:
                    _c.Diagnostics.ReportUnknownKey(k.Key.Start, k.Key.Value, "a panel", DidYouMean.Suffix(k.Key.Value, RecipeBinder.PanelKeys));
                    ok = false;
                    break;
            }
        }

        ok &= _options.CheckRange(options, pm.Entries);
        ok &= _options.CheckLabels(pm, options);
        return new PanelKeys(from, title, options, ok);
    }
}

using System.Text.RegularExpressions;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// The `outputs:` section: `name: path` (the step or input called name) or `name: {from, path, options...}`, or a
/// figure `{path, panels, ...}`. Checks the path (relative, inside --out, {stem} only, a known extension), the
/// format's options, what the source holds against the format, and that no two outputs write one path.
/// </summary>
internal sealed partial class OutputsBinder
{
    private readonly BindingContext _c;
    private readonly OutputOptionsBinder _options;
    private readonly OutputSources _sources;
    private readonly FigureBinder _figures;
    private readonly OverlayBinder _overlay;
    private readonly ScalarReader _reader;

    public OutputsBinder(BindingContext context)
    {
        _c = context;
        _reader = new ScalarReader(context);
        _options = new OutputOptionsBinder(context, _reader);
        _sources = new OutputSources(context);
        _figures = new FigureBinder(context, _options, _sources);
        _overlay = new OverlayBinder(context);
    }

    /// <summary>An output's nodes as written: the path, `from`, `panels` and the other keys (format options).</summary>
    private sealed record OutputNodes(YamlScalar? Path, YamlScalar? From, YamlSequence? Panels, List<YamlEntry> Options, bool Ok);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex OutputName();

    /// <summary>A `{placeholder}` of an output path; a `${name}` (a param, replaced first) is not one.</summary>
    [GeneratedRegex(@"(?<!\$)\{([^{}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    public List<BoundOutput> Bind(YamlEntry? entry)
    {
        var outputs = new List<BoundOutput>();
        if (entry is null || entry.Value is YamlScalar { IsNull: true })
        {
            return outputs;
        }

        if (entry.Value is not YamlMapping map)
        {
            _c.Diagnostics.ReportWrongNodeType(entry.Value.Start, "'outputs'", "a map of name: path or name: {from, path, ...}", entry.Value.Describe());
            return outputs;
        }

        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in map.Entries)
        {
            string name = e.Key.Value;
            if (!OutputName().IsMatch(name))
            {
                _c.Diagnostics.ReportInvalidName(e.Key.Start, name, "output name");
            }

            if (BindOutput(name, e) is { } output)
            {
                CheckPathUnique(output, e, paths);
                outputs.Add(output);
            }
        }

        return outputs;
    }

    /// <summary>Two outputs writing one path (compared without case, `.` segments and doubled separators) are an error.</summary>
    private void CheckPathUnique(BoundOutput output, YamlEntry e, Dictionary<string, string> paths)
    {
        string key = string.Join('/', output.PathTemplate.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."));
        if (paths.TryGetValue(key, out var other))
        {
            var pathNode = e.Value is YamlMapping om ? om["path"] ?? e.Value : e.Value;
            _c.Diagnostics.ReportDuplicateOutputPath(pathNode.Start, other, output.Name, output.PathTemplate);
        }
        else
        {
            paths[key] = output.Name;
        }
    }

    private BoundOutput? BindOutput(string name, YamlEntry e)
    {
        if (ReadNodes(name, e.Value) is not { Path: { } pathNode } nodes)
        {
            return null;
        }

        bool ok = nodes.Ok;
        var format = BindPath(name, pathNode, out string path, ref ok);
        var options = BindOptions(name, nodes.Options, format, ref ok);
        if (nodes.Panels is not null && format is not (OutputFormat.Png or null))
        {
            var panelsKey = ((YamlMapping)e.Value).Find("panels")!.Key;
            _c.Diagnostics.ReportUnknownKey(panelsKey.Start, "panels", $"a .{format.Value.ToString().ToLowerInvariant()} output", "; figure panels need a .png path");
            ok = false;
        }

        if (nodes.Panels is not null && ((YamlMapping)e.Value).Find("overlay") is { } overlayEntry)
        {
            _c.Diagnostics.ReportUnknownKey(overlayEntry.Key.Start, "overlay", "a figure output", "; an overlay goes on a plain .png output");
            ok = false;
        }

        if (format == OutputFormat.Png && e.Value is YamlMapping pictureMap)
        {
            ok &= _options.CheckPicture(pictureMap, options, figure: nodes.Panels is not null);
        }

        AddDefaults(options, format);
        List<BoundPanel>? panels = null;
        string from;
        if (nodes.Panels is not null)
        {
            panels = BindFigure(name, e, nodes, format, ref ok);
            from = panels.Count > 0 ? panels[0].From : string.Empty;
        }
        else if (e.Value is YamlMapping withPanels && withPanels.Find("panels") is not null)
        {
            from = string.Empty; // a 'panels' that is not a non-empty list (reported): the output has no source of its own to check
        }
        else
        {
            var source = nodes.From ?? e.Key;
            from = source.Value;
            ok &= _sources.Check(name, source, format, e.Key.Start);
        }

        if (!ok || format is null)
        {
            return null;
        }

        return new BoundOutput
        {
            Name = name,
            From = from,
            Panels = panels,
            PathTemplate = path,
            Format = format.Value,
            Options = options,
            Location = e.Key.Start,
        };
    }

    /// <summary>The output's nodes, or null (reported) when the output is neither a path nor a map.</summary>
    private OutputNodes? ReadNodes(string name, YamlNode node)
    {
        switch (node)
        {
            case YamlScalar s when !s.IsNull:
                return new OutputNodes(s, null, null, [], true);
            case YamlMapping m:
                return ReadMap(name, m);
            default:
                _c.Diagnostics.ReportWrongNodeType(node.Start, $"output '{name}'", "a path or a map {from, path, ...}", node.Describe());
                return null;
        }
    }

    private OutputNodes ReadMap(string name, YamlMapping m)
    {
        YamlScalar? path = null;
        YamlScalar? from = null;
        YamlSequence? panels = null;
        var options = new List<YamlEntry>();
        bool ok = true;
        foreach (var k in m.Entries)
        {
            switch (k.Key.Value)
            {
                case "path":
                    path = NonNullScalar(k, $"the path of output '{name}'", "a string", ref ok) ?? path;
                    break;
                case "from":
                    from = NonNullScalar(k, $"'from' of output '{name}'", "the name of a step or an input", ref ok) ?? from;
                    break;
                case "panels" when k.Value is YamlSequence pl && pl.Items.Count > 0:
                    panels = pl;
                    break;
                case "panels":
                    _c.Diagnostics.ReportWrongNodeType(k.Value.Start, $"'panels' of output '{name}'", "a non-empty list of {from, title, ...}", k.Value.Describe());
                    ok = false;
                    break;
                default:
                    options.Add(k);
                    break;
            }
        }

        if (path is null && ok)
        {
            _c.Diagnostics.ReportMissingKey(m.Start, $"output '{name}'", "path");
            ok = false;
        }

        return new OutputNodes(path, from, panels, options, ok);
    }

    private YamlScalar? NonNullScalar(YamlEntry k, string what, string expected, ref bool ok)
    {
        if (k.Value is YamlScalar s && !s.IsNull)
        {
            return s;
        }

        _c.Diagnostics.ReportWrongNodeType(k.Value.Start, what, expected, k.Value.Describe());
        ok = false;
        return null;
    }

    /// <summary>The format the path's extension names (null when unknown or the path is bad: reported).</summary>
    private OutputFormat? BindPath(string name, YamlScalar pathNode, out string path, ref bool ok)
    {
        path = pathNode.Value;
        if (path.Trim().Length == 0)
        {
            _c.Diagnostics.ReportEmptyName(pathNode.Start, $"the path of output '{name}'");
            ok = false;
            return null;
        }

        // `${name}` takes the param's value (after --set), as in a string parameter or a title: a recipe's
        // "--set size=256" wrote its 256 x 256 array to {stem}_224.npy. The path is checked after the values.
        bool placeholders = CheckPlaceholders(pathNode);
        if (_reader.SubstituteInText(path, pathNode) is not { } substituted)
        {
            ok = false;
            return null;
        }

        path = substituted;
        ok &= placeholders & CheckOutputPath(pathNode, path);
        OutputFormat? format = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".npy" => OutputFormat.Npy,
            ".png" => OutputFormat.Png,
            ".gif" => OutputFormat.Gif,
            ".json" => OutputFormat.Json,
            ".csv" => OutputFormat.Csv,
            _ => null,
        };
        if (format is null)
        {
            _c.Diagnostics.ReportUnknownOutputFormat(pathNode.Start, path);
            ok = false;
        }

        return format;
    }

    /// <summary>No placeholder but {stem} and {relstem} in the path as written (located there; a `${name}` is a param, not one).</summary>
    private bool CheckPlaceholders(YamlScalar node)
    {
        bool ok = true;
        foreach (Match m in Placeholder().Matches(node.Value))
        {
            if (!Outputs.OutputPaths.IsPlaceholder(m.Groups[1].Value))
            {
                string name = m.Groups[1].Value.Trim(' ', '\t');
                _c.Diagnostics.ReportUnknownPlaceholder(node.Locate(m.Index), m.Groups[1].Value,
                    _c.Params.ContainsKey(name) ? $"; write ${{{name}}} for the value of param '{name}'" : string.Empty);
                ok = false;
            }
        }

        return ok;
    }

    /// <summary>Relative and inside the output folder, once params are replaced (<paramref name="path"/>).</summary>
    private bool CheckOutputPath(YamlScalar node, string path)
    {
        bool ok = true;
        if (IsAbsolute(path) || LeavesFolder(path))
        {
            _c.Diagnostics.ReportOutputPathEscapes(node.Start, path);
            ok = false;
        }

        return ok;
    }

    private static bool IsAbsolute(string path)
        => path.StartsWith('/') || path.StartsWith('\\') || path.StartsWith('~')
            || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':');

    /// <summary>True when a `..` segment climbs above the folder the path starts in.</summary>
    private static bool LeavesFolder(string path)
    {
        int depth = 0;
        foreach (string segment in path.Split('/', '\\'))
        {
            if (segment == "..")
            {
                if (--depth < 0)
                {
                    return true;
                }
            }
            else if (segment is not ("." or ""))
            {
                depth++;
            }
        }

        return false;
    }

    /// <summary>The options the format takes (others are reported); none are bound when the format is unknown.</summary>
    private Dictionary<string, object?> BindOptions(string name, List<YamlEntry> nodes, OutputFormat? format, ref bool ok)
    {
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (format is null)
        {
            return options;
        }

        IReadOnlyList<string> allowed = format switch
        {
            OutputFormat.Png => [.. RecipeBinder.PngOptions, .. RecipeBinder.FigureOptions],
            OutputFormat.Gif => RecipeBinder.GifOptions,
            _ => [],
        };
        foreach (var k in nodes)
        {
            if (!allowed.Contains(k.Key.Value))
            {
                string where = $"a .{format.Value.ToString().ToLowerInvariant()} output";
                _c.Diagnostics.ReportUnknownKey(k.Key.Start, k.Key.Value, where, DidYouMean.Suffix(k.Key.Value, allowed.Concat(["from", "path"])));
                ok = false;
            }
            else if ((k.Key.Value == "overlay" ? _overlay.Bind(name, k) : _options.Bind(k)) is { } v)
            {
                options[k.Key.Value] = v;
            }
            else
            {
                ok = false;
            }
        }

        ok &= _options.CheckRange(options, nodes);
        return options;
    }

    private static void AddDefaults(Dictionary<string, object?> options, OutputFormat? format)
    {
        if (format == OutputFormat.Png)
        {
            options.TryAdd("bits", 8);
        }
        else if (format == OutputFormat.Gif)
        {
            options.TryAdd("duration_ms", 1000);
            options.TryAdd("loop", 0);
        }
    }

    /// <summary>A figure takes its sources from its panels; a `from` beside them is reported.</summary>
    private List<BoundPanel> BindFigure(string name, YamlEntry e, OutputNodes nodes, OutputFormat? format, ref bool ok)
    {
        if (nodes.From is not null)
        {
            var fromKey = ((YamlMapping)e.Value).Find("from")!.Key;
            _c.Diagnostics.ReportUnknownKey(fromKey.Start, "from", "a figure output", "; a figure takes its sources from 'panels'");
            ok = false;
        }

        return _figures.Bind(name, nodes.Panels!, format, ref ok);
    }
}

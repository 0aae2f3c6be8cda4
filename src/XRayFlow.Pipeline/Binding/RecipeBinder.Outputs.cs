using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

internal sealed partial class RecipeBinder
{
    private void BindOutputs(YamlEntry? entry)
    {
        if (entry is null || entry.Value is YamlScalar { IsNull: true })
        {
            return;
        }

        if (entry.Value is not YamlMapping map)
        {
            _d.Report(DiagnosticCodes.WrongNodeType, entry.Value.Start, "'outputs'", "a map of name: path or name: {from, path, ...}", entry.Value.Describe());
            return;
        }

        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in map.Entries)
        {
            string name = e.Key.Value;
            if (!OutputName().IsMatch(name))
            {
                _d.Report(DiagnosticCodes.InvalidName, e.Key.Start, name, "output name");
            }

            if (BindOutput(name, e) is not { } output)
            {
                continue;
            }

            string key = NormalizePath(output.PathTemplate);
            if (paths.TryGetValue(key, out var other))
            {
                var pathNode = e.Value is YamlMapping om ? om["path"] ?? e.Value : e.Value;
                _d.Report(DiagnosticCodes.DuplicateOutputPath, pathNode.Start, other, name, output.PathTemplate);
            }
            else
            {
                paths[key] = name;
            }

            _outputs.Add(output);
        }
    }

    private static string NormalizePath(string path)
        => string.Join('/', path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != "."));

    private BoundOutput? BindOutput(string name, YamlEntry e)
    {
        YamlScalar? pathNode = null;
        YamlScalar? fromNode = null;
        YamlSequence? panelsNode = null;
        var optionNodes = new List<YamlEntry>();
        bool ok = true;
        switch (e.Value)
        {
            case YamlScalar s when !s.IsNull:
                pathNode = s;
                break;
            case YamlMapping m:
                foreach (var k in m.Entries)
                {
                    switch (k.Key.Value)
                    {
                        case "path":
                            if (k.Value is YamlScalar ps && !ps.IsNull)
                            {
                                pathNode = ps;
                            }
                            else
                            {
                                _d.Report(DiagnosticCodes.WrongNodeType, k.Value.Start, $"the path of output '{name}'", "a string", k.Value.Describe());
                                ok = false;
                            }

                            break;
                        case "from":
                            if (k.Value is YamlScalar fs && !fs.IsNull)
                            {
                                fromNode = fs;
                            }
                            else
                            {
                                _d.Report(DiagnosticCodes.WrongNodeType, k.Value.Start, $"'from' of output '{name}'", "the name of a step or an input", k.Value.Describe());
                                ok = false;
                            }

                            break;
                        case "panels":
                            if (k.Value is YamlSequence pl && pl.Items.Count > 0)
                            {
                                panelsNode = pl;
                            }
                            else
                            {
                                _d.Report(DiagnosticCodes.WrongNodeType, k.Value.Start, $"'panels' of output '{name}'", "a non-empty list of {from, title, ...}", k.Value.Describe());
                                ok = false;
                            }

                            break;
                        default:
                            optionNodes.Add(k);
                            break;
                    }
                }

                if (pathNode is null && ok)
                {
                    _d.Report(DiagnosticCodes.MissingKey, m.Start, $"output '{name}'", "path");
                    ok = false;
                }

                break;
            default:
                _d.Report(DiagnosticCodes.WrongNodeType, e.Value.Start, $"output '{name}'", "a path or a map {from, path, ...}", e.Value.Describe());
                return null;
        }

        if (pathNode is null)
        {
            return null;
        }

        // The path: relative, inside --out, {stem} only, a known extension.
        string path = pathNode.Value;
        OutputFormat? format = null;
        if (path.Trim().Length == 0)
        {
            _d.Report(DiagnosticCodes.EmptyName, pathNode.Start, $"the path of output '{name}'");
            ok = false;
        }
        else
        {
            ok &= CheckOutputPath(pathNode);
            format = Path.GetExtension(path).ToLowerInvariant() switch
            {
                ".npy" => OutputFormat.Npy,
                ".png" => OutputFormat.Png,
                ".gif" => OutputFormat.Gif,
                ".json" => OutputFormat.Json,
                _ => null,
            };
            if (format is null)
            {
                _d.Report(DiagnosticCodes.UnknownOutputFormat, pathNode.Start, path);
                ok = false;
            }
        }

        // Options.
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        IReadOnlyList<string> allowed = format switch
        {
            OutputFormat.Png => [.. PngOptions, .. FigureOptions],
            OutputFormat.Gif => GifOptions,
            _ => [],
        };
        foreach (var k in optionNodes)
        {
            if (format is null)
            {
                continue;
            }

            if (!allowed.Contains(k.Key.Value))
            {
                string where = $"a .{format.Value.ToString().ToLowerInvariant()} output";
                var candidates = allowed.Concat(["from", "path"]);
                _d.Report(DiagnosticCodes.UnknownKey, k.Key.Start, k.Key.Value, where, DidYouMean.Suffix(k.Key.Value, candidates));
                ok = false;
                continue;
            }

            if (BindOption(k) is { } v)
            {
                options[k.Key.Value] = v;
            }
            else
            {
                ok = false;
            }
        }

        if (panelsNode is not null && format is not (OutputFormat.Png or null))
        {
            var panelsKey = ((YamlMapping)e.Value).Find("panels")!.Key;
            _d.Report(DiagnosticCodes.UnknownKey, panelsKey.Start, "panels", $"a .{format.Value.ToString().ToLowerInvariant()} output", "; figure panels need a .png path");
            ok = false;
        }

        if (format == OutputFormat.Png)
        {
            options.TryAdd("bits", 8);
        }
        else if (format == OutputFormat.Gif)
        {
            options.TryAdd("duration_ms", 1000);
            options.TryAdd("loop", 0);
        }

        // Sources and kinds.
        List<BoundPanel>? panels = null;
        string from;
        if (panelsNode is not null)
        {
            if (fromNode is not null)
            {
                _d.Report(DiagnosticCodes.UnknownKey, ((YamlMapping)e.Value).Find("from")!.Key.Start, "from", "a figure output", "; a figure takes its sources from 'panels'");
                ok = false;
            }

            panels = [];
            foreach (var item in panelsNode.Items)
            {
                if (BindPanel(name, item, format) is { } panel)
                {
                    panels.Add(panel);
                }
                else
                {
                    ok = false;
                }
            }

            from = panels.Count > 0 ? panels[0].From : string.Empty;
        }
        else
        {
            var sourceNode = fromNode ?? e.Key;
            from = sourceNode.Value;
            if (!_symbols.TryGetValue(from, out var sym))
            {
                _d.Report(DiagnosticCodes.UnknownOutputSource, sourceNode.Start, name, from, DidYouMean.Suffix(from, _symbols.Keys));
                ok = false;
            }
            else if (format is { } f)
            {
                ok &= CheckOutputKind(name, sym, f, e.Key.Start);
            }
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

    private BoundPanel? BindPanel(string output, YamlNode item, OutputFormat? format)
    {
        if (item is not YamlMapping pm)
        {
            _d.Report(DiagnosticCodes.WrongNodeType, item.Start, $"a panel of output '{output}'", "a map {from, title, colormap, vmin, vmax}", item.Describe());
            return null;
        }

        bool ok = true;
        string? title = null;
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        YamlScalar? fromNode = null;
        foreach (var k in pm.Entries)
        {
            switch (k.Key.Value)
            {
                case "from":
                    if (k.Value is YamlScalar fs && !fs.IsNull)
                    {
                        fromNode = fs;
                    }
                    else
                    {
                        _d.Report(DiagnosticCodes.WrongNodeType, k.Value.Start, "'from' of a panel", "the name of a step or an input", k.Value.Describe());
                        ok = false;
                    }

                    break;
                case "title":
                    title = ReadText(k.Value, "a panel's title");
                    ok &= title is not null;
                    break;
                case "colormap" or "vmin" or "vmax":
                    if (BindOption(k) is { } v)
                    {
                        options[k.Key.Value] = v;
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                default:
                    _d.Report(DiagnosticCodes.UnknownKey, k.Key.Start, k.Key.Value, "a panel", DidYouMean.Suffix(k.Key.Value, PanelKeys));
                    ok = false;
                    break;
            }
        }

        if (fromNode is null)
        {
            if (pm.Find("from") is null)
            {
                _d.Report(DiagnosticCodes.MissingKey, pm.Start, $"a panel of output '{output}'", "from");
            }

            return null;
        }

        if (!_symbols.TryGetValue(fromNode.Value, out var sym))
        {
            _d.Report(DiagnosticCodes.UnknownOutputSource, fromNode.Start, output, fromNode.Value, DidYouMean.Suffix(fromNode.Value, _symbols.Keys));
            return null;
        }

        if (format is { } f && !CheckOutputKind(output, sym, f, fromNode.Start))
        {
            return null;
        }

        return ok ? new BoundPanel(fromNode.Value, title, options, pm.Start) : null;
    }

    /// <summary>.npy: an array; .gif: a stack; .json: a table; .png: an image, or a histogram table (rendered as a plot).</summary>
    private bool CheckOutputKind(string output, Symbol sym, OutputFormat format, SourceLocation location)
    {
        if (sym.Value is not { } kind)
        {
            return true; // unknown (an earlier error); nothing more to say
        }

        string? hint = (format, kind) switch
        {
            (OutputFormat.Npy, ValueKind.Table) => "write a table as .json",
            (OutputFormat.Gif, ValueKind.Image) => "a .gif animates a stack; write an image as .png or .npy",
            (OutputFormat.Gif, ValueKind.Table) => "write a table as .json",
            (OutputFormat.Json, ValueKind.Image or ValueKind.Stack) => "a .json output holds statistics or a histogram: add a 'stats' or 'histogram' step, or write the array as .npy",
            (OutputFormat.Npy or OutputFormat.Gif or OutputFormat.Png, ValueKind.Scalar) => "write a scalar as .json",
            (OutputFormat.Png, ValueKind.Stack) => "tile its frames into one image with the 'montage' op, or write it as .gif",
            (OutputFormat.Png, ValueKind.Table) when sym.Op?.Plot is null or TablePlot.None => "only a histogram renders as a .png plot; write the table as .json",
            _ => null,
        };
        if (hint is null)
        {
            return true;
        }

        _d.Report(DiagnosticCodes.OutputKindMismatch, location, output, Article(kind) + $" ('{sym.Name}')", "." + format.ToString().ToLowerInvariant(), hint);
        return false;
    }

    private bool CheckOutputPath(YamlScalar node)
    {
        string path = node.Value;
        bool ok = true;
        foreach (System.Text.RegularExpressions.Match m in Placeholder().Matches(path))
        {
            if (m.Groups[1].Value != "stem")
            {
                _d.Report(DiagnosticCodes.UnknownPlaceholder, node.ContentStart.Shift(m.Index), m.Groups[1].Value);
                ok = false;
            }
        }

        bool absolute = path.StartsWith('/') || path.StartsWith('\\') || path.StartsWith('~')
            || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':');
        int depth = 0;
        bool escapes = false;
        foreach (string segment in path.Split('/', '\\'))
        {
            if (segment == "..")
            {
                depth--;
                escapes |= depth < 0;
            }
            else if (segment is not ("." or ""))
            {
                depth++;
            }
        }

        if (absolute || escapes)
        {
            _d.Report(DiagnosticCodes.OutputPathEscapes, node.Start, path);
            ok = false;
        }

        return ok;
    }

    /// <summary>bits (8|16), colormap, vmin, vmax, duration_ms, loop, columns, title.</summary>
    private object? BindOption(YamlEntry k)
    {
        string key = k.Key.Value;
        var s = k.Value as YamlScalar;
        var raw = s is null ? null : ReadRaw(s);
        if (s is not null && raw is null)
        {
            return null; // reported
        }

        string found = raw?.Describe() ?? k.Value.Describe();
        switch (key)
        {
            case "bits":
                if (raw?.Value is double b && (b == 8 || b == 16))
                {
                    return (int)b;
                }

                _d.Report(DiagnosticCodes.BadOutputOption, k.Value.Start, key, "8 or 16", found);
                return null;
            case "colormap":
                if (raw?.Value is string cm)
                {
                    if (Colormaps.Contains(cm))
                    {
                        return cm;
                    }

                    _d.Report(DiagnosticCodes.UnknownColormap, k.Value.Start, cm, string.Join(", ", Colormaps), DidYouMean.Suffix(cm, Colormaps));
                    return null;
                }

                _d.Report(DiagnosticCodes.BadOutputOption, k.Value.Start, key, "a colormap name", found);
                return null;
            case "vmin" or "vmax":
                if (raw?.Value is double v)
                {
                    return v;
                }

                _d.Report(DiagnosticCodes.BadOutputOption, k.Value.Start, key, "a number", found);
                return null;
            case "duration_ms" or "columns":
                if (raw?.Value is double ms && ms == Math.Floor(ms) && ms >= 1 && ms <= int.MaxValue)
                {
                    return (int)ms;
                }

                _d.Report(DiagnosticCodes.BadOutputOption, k.Value.Start, key, "a whole number >= 1", found);
                return null;
            case "loop":
                if (raw?.Value is double l && l == Math.Floor(l) && l >= 0 && l <= int.MaxValue)
                {
                    return (int)l;
                }

                _d.Report(DiagnosticCodes.BadOutputOption, k.Value.Start, key, "a whole number >= 0 (0 = forever)", found);
                return null;
            case "title":
                if (raw?.Value is string t)
                {
                    return t;
                }

                _d.Report(DiagnosticCodes.BadOutputOption, k.Value.Start, key, "a string", found);
                return null;
            default:
                return null;
        }
    }

    // ---------------------------------------------------------------- tests

    private static readonly IReadOnlyList<string> TestKeys = ["name", "inputs", "expect"];

    private void BindTests(YamlEntry? entry)
    {
        if (entry is null || entry.Value is YamlScalar { IsNull: true })
        {
            return;
        }

        if (entry.Value is not YamlSequence seq)
        {
            _d.Report(DiagnosticCodes.WrongNodeType, entry.Value.Start, "'tests'", "a list of {name, inputs, expect}", entry.Value.Describe());
            return;
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(_file)) ?? Directory.GetCurrentDirectory();
        var outputNames = _outputs.Select(o => o.Name).ToList();
        int index = 0;
        foreach (var item in seq.Items)
        {
            index++;
            if (item is not YamlMapping m)
            {
                _d.Report(DiagnosticCodes.WrongNodeType, item.Start, $"test {index}", "a map {name, inputs, expect}", item.Describe());
                continue;
            }

            string name = $"test_{index}";
            var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
            var digests = new Dictionary<string, string>(StringComparer.Ordinal);
            var expectations = new List<RecipeTestExpectation>();
            foreach (var k in m.Entries)
            {
                if (!TestKeys.Contains(k.Key.Value))
                {
                    _d.Report(DiagnosticCodes.UnknownKey, k.Key.Start, k.Key.Value, "a test", DidYouMean.Suffix(k.Key.Value, TestKeys));
                }
            }

            if (m.Find("name") is { } ne && ReadText(ne.Value, "a test's name") is { } n)
            {
                name = n;
            }

            if (m.Find("inputs") is { } ie)
            {
                if (ie.Value is YamlMapping im)
                {
                    foreach (var i in im.Entries)
                    {
                        if (_inputs.All(x => x.Name != i.Key.Value))
                        {
                            _d.Report(DiagnosticCodes.TestUnknownName, i.Key.Start, name, "input", i.Key.Value, DidYouMean.Suffix(i.Key.Value, _inputs.Select(x => x.Name)));
                        }
                        else if (ReadPath(i.Value, $"the path of test input '{i.Key.Value}'") is { } p)
                        {
                            inputs[i.Key.Value] = Path.GetFullPath(Path.Combine(folder, p));
                        }
                    }
                }
                else
                {
                    _d.Report(DiagnosticCodes.WrongNodeType, ie.Value.Start, $"the inputs of test '{name}'", "a map of input: path", ie.Value.Describe());
                }
            }

            if (m.Find("expect") is not { } ee)
            {
                _d.Report(DiagnosticCodes.MissingKey, m.Start, $"test '{name}'", "expect");
            }
            else if (ee.Value is not YamlMapping em)
            {
                _d.Report(DiagnosticCodes.WrongNodeType, ee.Value.Start, $"'expect' of test '{name}'", "a map of output: digest", ee.Value.Describe());
            }
            else
            {
                foreach (var x in em.Entries)
                {
                    string output = x.Key.Value;
                    if (!outputNames.Contains(output))
                    {
                        _d.Report(DiagnosticCodes.TestUnknownName, x.Key.Start, name, "output", output, DidYouMean.Suffix(output, outputNames));
                        continue;
                    }

                    if (BindExpectation(output, x.Value, folder) is { } exp)
                    {
                        expectations.Add(exp);
                        if (exp.Digest is { } dg)
                        {
                            digests[output] = dg;
                        }
                    }
                }
            }

            double tolerance = expectations.Where(x => x.NpyPath is not null).Select(x => x.Tolerance).DefaultIfEmpty(0).Max();
            _tests.Add(new RecipeTest(name, inputs, digests, tolerance, m.Start) { Expectations = expectations });
        }
    }

    private RecipeTestExpectation? BindExpectation(string output, YamlNode node, string folder)
    {
        if (node is YamlScalar s && !s.IsNull)
        {
            return CheckDigest(s) is { } d ? new RecipeTestExpectation(output, d, null, 0, s.Start) : null;
        }

        if (node is not YamlMapping m)
        {
            _d.Report(DiagnosticCodes.WrongNodeType, node.Start, $"the expectation of output '{output}'", "\"sha256:...\" or {digest} or {npy, tolerance}", node.Describe());
            return null;
        }

        string? digest = null;
        string? npy = null;
        double tolerance = 1e-4;
        bool ok = true;
        foreach (var k in m.Entries)
        {
            switch (k.Key.Value)
            {
                case "digest":
                    if (k.Value is YamlScalar ds && !ds.IsNull)
                    {
                        digest = CheckDigest(ds);
                        ok &= digest is not null;
                    }
                    else
                    {
                        _d.Report(DiagnosticCodes.WrongNodeType, k.Value.Start, "'digest'", "\"sha256:<hex>\"", k.Value.Describe());
                        ok = false;
                    }

                    break;
                case "npy":
                    if (ReadPath(k.Value, "'npy'") is { } p)
                    {
                        npy = Path.GetFullPath(Path.Combine(folder, p));
                    }
                    else
                    {
                        ok = false;
                    }

                    break;
                case "tolerance":
                    if (k.Value is YamlScalar ts && ts.TryGetNumber(out double t) && t >= 0)
                    {
                        tolerance = t;
                    }
                    else
                    {
                        _d.Report(DiagnosticCodes.WrongNodeType, k.Value.Start, "'tolerance'", "a number >= 0", k.Value.Describe());
                        ok = false;
                    }

                    break;
                default:
                    _d.Report(DiagnosticCodes.UnknownKey, k.Key.Start, k.Key.Value, $"the expectation of output '{output}'", DidYouMean.Suffix(k.Key.Value, ["digest", "npy", "tolerance"]));
                    ok = false;
                    break;
            }
        }

        if (digest is null && npy is null && ok)
        {
            _d.Report(DiagnosticCodes.MissingKey, m.Start, $"the expectation of output '{output}'", "digest' or 'npy");
            return null;
        }

        return ok ? new RecipeTestExpectation(output, digest, npy, npy is null ? 0 : tolerance, m.Start) : null;
    }

    private string? CheckDigest(YamlScalar s)
    {
        if (Digest().IsMatch(s.Value))
        {
            return s.Value.ToLowerInvariant();
        }

        _d.Report(DiagnosticCodes.BadDigest, s.Start, s.Value);
        return null;
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// Binds a recipe tree against an op table: resolves names, checks every step's inputs and parameters,
/// tracks value kinds (image / stack / table), checks outputs and the `tests:` section, and reports ALL
/// problems in one pass. Produces a <see cref="BoundRecipe"/> only when there is no error.
/// </summary>
internal sealed partial class RecipeBinder
{
    /// <summary>Language versions this binder accepts.</summary>
    public static readonly IReadOnlyList<int> SupportedVersions = [1];

    public static readonly IReadOnlyList<string> TopLevelKeys = ["xrayflow", "name", "description", "params", "inputs", "steps", "outputs", "tests"];

    /// <summary>Colormaps a .png / .gif output or a figure panel may name (matplotlib names).</summary>
    public static readonly IReadOnlyList<string> Colormaps = ["gray", "bone", "hot", "CMRmap", "prism", "nipy_spectral", "terrain", "viridis", "inferno", "magma", "jet"];

    /// <summary>Values a per-axis parameter may list: filters are 2-D (a stack is filtered frame by frame).</summary>
    public const int MaxAxes = 2;

    /// <summary>Keys of a step that are not op parameters.</summary>
    public static readonly IReadOnlyList<string> StepKeys = ["op", "id", "in"];

    internal static readonly IReadOnlyList<string> PngOptions = ["bits", "colormap", "vmin", "vmax"];
    internal static readonly IReadOnlyList<string> FigureOptions = ["panels", "columns", "title"];
    internal static readonly IReadOnlyList<string> GifOptions = ["duration_ms", "loop", "colormap", "vmin", "vmax"];
    internal static readonly IReadOnlyList<string> PanelKeys = ["from", "title", "colormap", "vmin", "vmax"];

    private readonly string _file;
    private readonly IReadOnlyDictionary<string, OpDefinition> _ops;
    private readonly IReadOnlyDictionary<string, string> _overrides;
    private readonly DiagnosticBag _d;

    private readonly List<BoundParam> _params = [];
    private readonly Dictionary<string, ParamSymbol> _paramSymbols = new(StringComparer.Ordinal);
    private readonly List<BoundInput> _inputs = [];
    private readonly Dictionary<string, Symbol> _symbols = new(StringComparer.Ordinal);
    private readonly List<BoundStep> _steps = [];
    private readonly List<BoundOutput> _outputs = [];
    private readonly List<RecipeTest> _tests = [];

    private RecipeBinder(string file, IReadOnlyDictionary<string, OpDefinition> ops, IReadOnlyDictionary<string, string>? overrides, DiagnosticBag diagnostics)
    {
        _file = file;
        _ops = ops;
        _overrides = overrides ?? new Dictionary<string, string>();
        _d = diagnostics;
    }

    private enum SymbolKind
    {
        Input,
        Step,
    }

    /// <summary>A name a step or output can read: an input or a step, with what it holds.</summary>
    private sealed record Symbol(string Name, SymbolKind Kind, ValueKind? Value, int Line, string? Op, bool FrequencyDomain);

    private sealed record ParamSymbol(string Name, object Value, YamlScalar Node, SourceLocation Location);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex OutputName();

    [GeneratedRegex(@"^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$", RegexOptions.CultureInvariant)]
    private static partial Regex WholeParamRef();

    [GeneratedRegex(@"\$\{([^{}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex AnyParamRef();

    [GeneratedRegex(@"\{([^{}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex("^sha256:[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Digest();

    /// <summary>Bind <paramref name="root"/>; returns null when any error was reported (all of them are in <paramref name="diagnostics"/>).</summary>
    public static BoundRecipe? Bind(YamlNode root, string file, IReadOnlyDictionary<string, OpDefinition> ops, IReadOnlyDictionary<string, string>? overrides, DiagnosticBag diagnostics)
        => new RecipeBinder(file, ops, overrides, diagnostics).BindRecipe(root);

    private SourceLocation FileStart => new(_file, 1, 1);

    private BoundRecipe? BindRecipe(YamlNode root)
    {
        if (root is not YamlMapping map)
        {
            _d.Report(DiagnosticCodes.WrongNodeType, root.Start, "a recipe", "a map of keys (xrayflow, inputs, steps, outputs, ...)", root.Describe());
            return null;
        }

        foreach (var e in map.Entries)
        {
            if (!TopLevelKeys.Contains(e.Key.Value))
            {
                _d.Report(DiagnosticCodes.UnknownTopLevelKey, e.Key.Start, e.Key.Value, DidYouMean.Suffix(e.Key.Value, TopLevelKeys));
            }
        }

        int version = BindVersion(map);
        string name = Path.GetFileNameWithoutExtension(_file);
        if (map.Find("name") is { } nameEntry && ReadText(nameEntry.Value, "'name'") is { } n)
        {
            if (n.Trim().Length == 0)
            {
                _d.Report(DiagnosticCodes.EmptyName, nameEntry.Value.Start, "'name'");
            }

            name = n;
        }

        string? description = map.Find("description") is { } descEntry ? ReadText(descEntry.Value, "'description'") : null;

        BindParams(map.Find("params"));
        BindInputs(map.Find("inputs"));
        BindSteps(map.Find("steps"));
        BindOutputs(map.Find("outputs"));
        BindTests(map.Find("tests"));

        if (_d.HasErrors)
        {
            return null;
        }

        var recipe = new BoundRecipe
        {
            Path = _file,
            Name = name,
            Description = description,
            Version = version,
            Params = _params,
            Inputs = _inputs,
            Steps = _steps,
            Outputs = _outputs,
            Tests = _tests,
            CanonicalText = string.Empty,
        };
        return recipe with { CanonicalText = CanonicalWriter.Write(recipe) };
    }

    // ---------------------------------------------------------------- version, params, inputs

    private int BindVersion(YamlMapping map)
    {
        var entry = map.Find("xrayflow");
        if (entry is null)
        {
            _d.Report(DiagnosticCodes.MissingVersion, map.Entries.Count > 0 ? map.Entries[0].Key.Start : FileStart);
            return 1;
        }

        if (entry.Value is YamlScalar s && s.TryGetInteger(out long v) && SupportedVersions.Contains((int)v))
        {
            return (int)v;
        }

        string found = entry.Value is YamlScalar sc ? sc.Value : entry.Value.Describe();
        _d.Report(DiagnosticCodes.UnsupportedVersion, entry.Value.Start, found, string.Join(", ", SupportedVersions));
        return 1;
    }

    private void BindParams(YamlEntry? entry)
    {
        if (entry is not null && entry.Value is not YamlScalar { IsNull: true })
        {
            if (entry.Value is not YamlMapping map)
            {
                _d.Report(DiagnosticCodes.WrongNodeType, entry.Value.Start, "'params'", "a map of name: value", entry.Value.Describe());
            }
            else
            {
                foreach (var e in map.Entries)
                {
                    string pname = e.Key.Value;
                    CheckIdentifier(e.Key, "param name");
                    CheckReservedParamName(e.Key);
                    if (e.Value is not YamlScalar s || s.IsNull)
                    {
                        _d.Report(DiagnosticCodes.BadParamDeclaration, e.Value.Start, pname, e.Value.Describe());
                        continue;
                    }

                    object value = s.TryGetNumber(out double num) ? num : s.TryGetBool(out bool b) ? b : s.Value;
                    if (value is string && s.IsPlain && (ScalarText.IsAmbiguousNumber(s.Value) || ScalarText.IsYaml11Boolean(s.Value)))
                    {
                        continue; // already reported by the reader
                    }

                    var location = e.Key.Start;
                    _paramSymbols[pname] = new ParamSymbol(pname, value, s, location);
                }
            }
        }

        foreach (var (key, text) in _overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (!_paramSymbols.TryGetValue(key, out var p))
            {
                _d.Report(DiagnosticCodes.UnknownSetParam, null, key, DidYouMean.Suffix(key, _paramSymbols.Keys));
                continue;
            }

            object? parsed = p.Value switch
            {
                double => ScalarText.TryParseNumber(text.Trim(), out double dv) ? dv : null,
                bool => text.Trim() switch
                {
                    "true" or "True" or "TRUE" => true,
                    "false" or "False" or "FALSE" => false,
                    _ => null,
                },
                _ => text,
            };
            if (parsed is null)
            {
                _d.Report(DiagnosticCodes.BadSetValue, p.Location, key, text, p.Value is double ? "a number" : "true or false");
                continue;
            }

            _paramSymbols[key] = p with { Value = parsed };
        }

        foreach (var p in _paramSymbols.Values.OrderBy(p => p.Location.Line))
        {
            _params.Add(new BoundParam(p.Name, p.Value, p.Location));
        }
    }

    /// <summary>i, j, rows and cols are built-ins of every expression: a param of that name would never be seen (XRF1070).</summary>
    private void CheckReservedParamName(YamlScalar key)
    {
        string? builtIn = key.Value switch
        {
            "i" => "the row index",
            "j" => "the column index",
            "rows" => "the number of rows",
            "cols" => "the number of columns",
            _ => null,
        };
        if (builtIn is not null)
        {
            _d.Report(DiagnosticCodes.ReservedParamName, key.Start, key.Value, builtIn);
        }
    }

    private void BindInputs(YamlEntry? entry)
    {
        if (entry is null || entry.Value is YamlScalar { IsNull: true } || entry.Value is YamlMapping { Entries.Count: 0 })
        {
            _d.Report(DiagnosticCodes.NoInputs, entry?.Key.Start ?? FileStart);
            return;
        }

        if (entry.Value is not YamlMapping map)
        {
            _d.Report(DiagnosticCodes.WrongNodeType, entry.Value.Start, "'inputs'", "a map of name: kind", entry.Value.Describe());
            return;
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(_file)) ?? Directory.GetCurrentDirectory();
        foreach (var e in map.Entries)
        {
            string name = e.Key.Value;
            CheckIdentifier(e.Key, "input name");
            InputKind? kind = null;
            string? defaultText = null;
            switch (e.Value)
            {
                case YamlScalar s when !s.IsNull:
                    kind = ParseKind(s);
                    break;
                case YamlMapping m:
                    foreach (var k in m.Entries)
                    {
                        switch (k.Key.Value)
                        {
                            case "kind":
                                if (k.Value is YamlScalar ks && !ks.IsNull)
                                {
                                    kind = ParseKind(ks);
                                }
                                else
                                {
                                    _d.Report(DiagnosticCodes.WrongNodeType, k.Value.Start, $"the kind of input '{name}'", "image or stack", k.Value.Describe());
                                }

                                break;
                            case "default":
                                defaultText = ReadPath(k.Value, $"the default of input '{name}'");
                                if (defaultText is { Length: 0 })
                                {
                                    _d.Report(DiagnosticCodes.EmptyName, k.Value.Start, $"the default of input '{name}'");
                                }

                                break;
                            default:
                                _d.Report(DiagnosticCodes.UnknownKey, k.Key.Start, k.Key.Value, $"input '{name}'", DidYouMean.Suffix(k.Key.Value, ["kind", "default"]));
                                break;
                        }
                    }

                    if (m.Find("kind") is null)
                    {
                        _d.Report(DiagnosticCodes.MissingKey, m.Start, $"input '{name}'", "kind");
                    }

                    break;
                default:
                    _d.Report(DiagnosticCodes.WrongNodeType, e.Value.Start, $"input '{name}'", "a kind (image or stack) or a map {kind, default}", e.Value.Describe());
                    break;
            }

            string? resolved = defaultText is { Length: > 0 } ? Path.GetFullPath(Path.Combine(folder, defaultText)) : null;
            _inputs.Add(new BoundInput(name, kind ?? InputKind.Image, resolved, e.Key.Start) { DefaultPathText = defaultText });
            if (!_symbols.ContainsKey(name))
            {
                _symbols[name] = new Symbol(name, SymbolKind.Input, kind == InputKind.Stack ? ValueKind.Stack : kind == InputKind.Image ? ValueKind.Image : null, e.Key.Start.Line, null, false);
            }
        }
    }

    private InputKind? ParseKind(YamlScalar s)
    {
        switch (s.Value)
        {
            case "image":
                return InputKind.Image;
            case "stack":
                return InputKind.Stack;
            default:
                if (!(s.IsPlain && ScalarText.IsYaml11Boolean(s.Value)))
                {
                    _d.Report(DiagnosticCodes.UnknownInputKind, s.Start, s.Value, DidYouMean.Suffix(s.Value, ["image", "stack"]));
                }

                return null;
        }
    }

    // ---------------------------------------------------------------- steps

    private sealed record StepHead(YamlMapping Node, string Id, SourceLocation IdLocation, YamlScalar? OpNode, OpDefinition? Op);

    private void BindSteps(YamlEntry? entry)
    {
        if (entry is null)
        {
            _d.Report(DiagnosticCodes.MissingKey, FileStart, "a recipe", "steps");
            return;
        }

        if (entry.Value is YamlScalar { IsNull: true })
        {
            return;
        }

        if (entry.Value is not YamlSequence seq)
        {
            _d.Report(DiagnosticCodes.WrongNodeType, entry.Value.Start, "'steps'", "a list of steps ('- op: ...')", entry.Value.Describe());
            return;
        }

        // Pass 1: ids (explicit or op, op_2, op_3...), so that references to later steps can say so.
        var heads = new List<StepHead>();
        var defaultCount = new Dictionary<string, int>(StringComparer.Ordinal);
        var laterIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int index = 0; index < seq.Items.Count; index++)
        {
            var item = seq.Items[index];
            if (item is not YamlMapping m)
            {
                _d.Report(DiagnosticCodes.WrongNodeType, item.Start, $"step {index + 1}", "a map with 'op' and its parameters", item.Describe());
                continue;
            }

            YamlScalar? opNode = null;
            OpDefinition? op = null;
            string opName = $"step{index + 1}";
            if (m.Find("op") is not { } opEntry)
            {
                _d.Report(DiagnosticCodes.MissingKey, m.Start, $"step {index + 1}", "op");
            }
            else if (opEntry.Value is not YamlScalar os || os.IsNull)
            {
                _d.Report(DiagnosticCodes.WrongNodeType, opEntry.Value.Start, "'op'", "the name of an op", opEntry.Value.Describe());
            }
            else
            {
                opNode = os;
                opName = os.Value;
                if (!_ops.TryGetValue(os.Value, out op))
                {
                    string hint = DidYouMean.Nearest(os.Value, _ops.Keys) is { } near
                        ? $"; did you mean '{near}'?"
                        : "; run 'xrayflow ops' to list the ops";
                    _d.Report(DiagnosticCodes.UnknownOp, os.Start, os.Value, hint);
                }
            }

            string id;
            SourceLocation idLocation;
            if (m.Find("id") is { } idEntry)
            {
                idLocation = idEntry.Value.Start;
                if (idEntry.Value is YamlScalar ids && !ids.IsNull)
                {
                    id = ids.Value;
                    CheckIdentifier(ids, "step id");
                }
                else
                {
                    _d.Report(DiagnosticCodes.WrongNodeType, idEntry.Value.Start, "'id'", "a name", idEntry.Value.Describe());
                    id = $"step{index + 1}";
                }
            }
            else
            {
                int count = defaultCount.TryGetValue(opName, out int c) ? c + 1 : 1;
                defaultCount[opName] = count;
                id = count == 1 ? opName : $"{opName}_{count}";
                idLocation = m.Start;
            }

            if (_symbols.TryGetValue(id, out var existing) || laterIds.ContainsKey(id))
            {
                string what = existing?.Kind == SymbolKind.Input ? "an input" : "a step";
                int line = existing?.Line ?? laterIds[id];
                _d.Report(DiagnosticCodes.DuplicateName, idLocation, id, what, line);
            }
            else
            {
                laterIds[id] = m.Start.Line;
            }

            heads.Add(new StepHead(m, id, idLocation, opNode, op));
        }

        // Pass 2: bind in file order; a step sees inputs and earlier steps only.
        string? previous = null;
        bool first = true;
        foreach (var head in heads)
        {
            laterIds.Remove(head.Id);
            var bound = BindStep(head, first, previous, laterIds);
            first = false;
            previous = head.Id;
            if (bound is not null)
            {
                _steps.Add(bound.Value.Step);
            }

            _symbols.TryAdd(head.Id, new Symbol(head.Id, SymbolKind.Step, bound?.Step.OutputKind is { } k && bound.Value.KindKnown ? k : null, head.Node.Start.Line, head.Op?.Name, bound?.Frequency ?? false));
        }
    }

    private (BoundStep Step, bool KindKnown, bool Frequency)? BindStep(StepHead head, bool first, string? previous, Dictionary<string, int> laterIds)
    {
        var m = head.Node;
        var op = head.Op;

        // Inputs.
        var refs = new List<(StepInputRef Ref, Symbol? Symbol)>();
        var inEntry = m.Find("in");
        SourceLocation inLocation = inEntry?.Value.Start ?? m.Start;
        if (inEntry is null)
        {
            if (first)
            {
                if (_inputs.Count == 1)
                {
                    refs.Add((new StepInputRef(_inputs[0].Name, null, m.Start), _symbols.GetValueOrDefault(_inputs[0].Name)));
                }
                else if (_inputs.Count > 1)
                {
                    _d.Report(DiagnosticCodes.AmbiguousFirstInput, m.Start, string.Join(", ", _inputs.Select(i => i.Name)));
                }
            }
            else if (previous is not null)
            {
                refs.Add((new StepInputRef(previous, null, m.Start), _symbols.GetValueOrDefault(previous)));
            }
        }
        else
        {
            switch (inEntry.Value)
            {
                case YamlScalar s when !s.IsNull:
                    refs.Add(ResolveRef(s, null, laterIds));
                    break;
                case YamlSequence list:
                    foreach (var item in list.Items)
                    {
                        if (item is YamlScalar si && !si.IsNull)
                        {
                            refs.Add(ResolveRef(si, null, laterIds));
                        }
                        else
                        {
                            _d.Report(DiagnosticCodes.WrongNodeType, item.Start, "an item of 'in'", "the name of an input or an earlier step", item.Describe());
                        }
                    }

                    break;
                case YamlMapping inMap:
                    if (op is not null && !op.Inputs.AllowsMap)
                    {
                        _d.Report(DiagnosticCodes.InMapNotAllowed, inMap.Start, op.Name);
                    }

                    foreach (var e in inMap.Entries)
                    {
                        if (CheckIdentifier(e.Key, "variable name"))
                        {
                            CheckVariableName(e.Key);
                        }
                        if (e.Value is YamlScalar sv && !sv.IsNull)
                        {
                            refs.Add(ResolveRef(sv, e.Key.Value, laterIds));
                        }
                        else
                        {
                            _d.Report(DiagnosticCodes.WrongNodeType, e.Value.Start, $"'in' variable '{e.Key.Value}'", "the name of an input or an earlier step", e.Value.Describe());
                        }
                    }

                    break;
                default:
                    _d.Report(DiagnosticCodes.WrongNodeType, inEntry.Value.Start, "'in'", "a name, a list of names or a map of variable: name", inEntry.Value.Describe());
                    break;
            }
        }

        // Parameters.
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (op is not null)
        {
            foreach (var e in m.Entries)
            {
                if (StepKeys.Contains(e.Key.Value))
                {
                    continue;
                }

                var spec = op.FindParam(e.Key.Value);
                if (spec is null)
                {
                    var names = op.Params.Select(p => p.Name).Concat(StepKeys);
                    _d.Report(DiagnosticCodes.UnknownParameter, e.Key.Start, op.Name, e.Key.Value, DidYouMean.Suffix(e.Key.Value, names));
                    continue;
                }

                values[spec.Name] = BindParamValue(op, spec, e.Value);
            }

            foreach (var spec in op.Params)
            {
                if (!values.ContainsKey(spec.Name))
                {
                    if (spec.Required)
                    {
                        _d.Report(DiagnosticCodes.MissingParameter, m.Start, op.Name, spec.Name, spec.Doc);
                    }

                    values[spec.Name] = DefaultValue(spec);
                }
            }
        }

        if (op is null)
        {
            return null;
        }

        // Arity and kinds.
        int count = refs.Count;
        bool arityOk = count >= op.Inputs.Min && count <= op.Inputs.Max;
        if (!arityOk && (count > 0 || inEntry is not null))
        {
            _d.Report(DiagnosticCodes.WrongInputCount, inLocation, op.Name, DescribeArity(op.Inputs), count == 1 ? "1 input" : $"{count} inputs");
        }

        bool kindKnown = refs.Count > 0 && refs.All(r => r.Symbol?.Value is not null);
        var kinds = refs.Select(r => r.Symbol?.Value).ToList();
        foreach (var (r, sym) in refs)
        {
            if (sym?.Value == ValueKind.Table && !op.Inputs.AcceptsTables)
            {
                _d.Report(DiagnosticCodes.TableNotAccepted, r.Location, op.Name, r.Source);
            }
        }

        if (op.Inputs.RequiresStack && refs.Count > 0 && refs[0].Symbol?.Value is ValueKind.Image)
        {
            _d.Report(DiagnosticCodes.NeedsStack, refs[0].Ref.Location, op.Name, refs[0].Ref.Source, "an image (H x W)");
        }

        for (int k = 1; k < refs.Count; k++)
        {
            if (kinds[0] is { } k0 && kinds[k] is { } kk && k0 != kk)
            {
                _d.Report(DiagnosticCodes.MixedInputKinds, refs[k].Ref.Location, op.Name, refs[0].Ref.Source, Article(k0), refs[k].Ref.Source, Article(kk));
                break;
            }
        }

        ValueKind outKind = op.Output switch
        {
            OutputKind.Table => ValueKind.Table,
            OutputKind.Image => ValueKind.Image,
            _ => kinds.Count > 0 && kinds[0] is { } fk ? fk : ValueKind.Image,
        };
        if (op.Output != OutputKind.SameAsInput)
        {
            kindKnown = true;
        }

        bool inputFrequency = refs.Count > 0 && refs[0].Symbol is { FrequencyDomain: true };
        bool frequency = op.Name == "fft2" || (op.Name.StartsWith("fourier_", StringComparison.Ordinal) && inputFrequency);
        if (op.Name == "fourier_gaussian" && refs.Count > 0 && refs[0].Symbol is { FrequencyDomain: false } && head.OpNode is not null)
        {
            _d.Report(DiagnosticCodes.FourierGaussianOnSpatial, head.OpNode.Start, head.Id, refs[0].Ref.Source);
        }

        var step = new BoundStep
        {
            Id = head.Id,
            Op = op,
            Inputs = refs.Select(r => r.Ref).ToList(),
            Params = values,
            Location = m.Start,
            OutputKind = outKind,
        };
        return (step, kindKnown, frequency);
    }

    private static string Article(ValueKind kind) => kind switch
    {
        ValueKind.Image => "an image",
        ValueKind.Stack => "a stack",
        _ => "a table",
    };

    private static string DescribeArity(InputSpec spec)
    {
        string Inputs(int n) => n == 1 ? "1 input" : $"{n} inputs";
        if (spec.Min == spec.Max)
        {
            return Inputs(spec.Min);
        }

        return spec.Max == int.MaxValue ? $"{spec.Min} or more inputs" : $"{spec.Min} to {spec.Max} inputs";
    }

    private (StepInputRef, Symbol?) ResolveRef(YamlScalar node, string? variable, Dictionary<string, int> laterIds)
    {
        var r = new StepInputRef(node.Value, variable, node.Start);
        if (_symbols.TryGetValue(node.Value, out var sym))
        {
            return (r, sym);
        }

        if (laterIds.TryGetValue(node.Value, out int line))
        {
            _d.Report(DiagnosticCodes.ForwardReference, node.Start, node.Value, line);
        }
        else if (!(node.IsPlain && (ScalarText.IsYaml11Boolean(node.Value) || ScalarText.IsAmbiguousNumber(node.Value))))
        {
            _d.Report(DiagnosticCodes.UnknownReference, node.Start, node.Value, DidYouMean.Suffix(node.Value, _symbols.Keys));
        }

        return (r, null);
    }

    // ---------------------------------------------------------------- parameter values

    private static object? DefaultValue(ParamSpec spec)
    {
        object? d = spec.Default;
        if (d is null)
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        return spec.Type switch
        {
            ParamType.Float => Convert.ToDouble(d, inv),
            ParamType.Int => Convert.ToInt32(d, inv),
            ParamType.FloatPerAxis => d switch
            {
                double[] a => a,
                IEnumerable<double> e => e.ToArray(),
                _ => new[] { Convert.ToDouble(d, inv) },
            },
            ParamType.IntPerAxis => d switch
            {
                int[] a => a,
                IEnumerable<int> e => e.ToArray(),
                _ => new[] { Convert.ToInt32(d, inv) },
            },
            ParamType.Expression => d switch
            {
                ExpressionValue ev => ev,
                string s => new ExpressionValue(s, null, null),
                _ => new ExpressionValue(null, Convert.ToDouble(d, inv), null),
            },
            _ => d,
        };
    }

    /// <summary>A scalar after `${name}` substitution: the value, where it was written, and what it was.</summary>
    private readonly record struct Raw(object? Value, YamlScalar Node, bool FromParam)
    {
        public string Describe() => Value switch
        {
            null => "nothing (null)",
            double d => FromParam ? $"number {ScalarText.FormatNumber(d)} (from {Node.Value})" : $"number {Node.Value}",
            bool b => b ? "boolean true" : "boolean false",
            string s => $"string '{s}'",
            _ => Value.ToString() ?? "?",
        };
    }

    /// <summary>Reads a scalar's typed value, substituting a whole-value `${name}`; null when an error was reported.</summary>
    private Raw? ReadRaw(YamlScalar s)
    {
        if (s.IsPlain && (ScalarText.IsYaml11Boolean(s.Value) || ScalarText.IsAmbiguousNumber(s.Value)))
        {
            return null; // reported by the reader
        }

        var whole = WholeParamRef().Match(s.Value);
        if (whole.Success && s.Style != ScalarStyle.Block)
        {
            string name = whole.Groups[1].Value;
            if (_paramSymbols.TryGetValue(name, out var p))
            {
                return new Raw(p.Value, s, true);
            }

            _d.Report(DiagnosticCodes.UnknownParamRef, s.ContentStart, name, DidYouMean.Suffix(name, _paramSymbols.Keys));
            return null;
        }

        if (s.IsNull)
        {
            return new Raw(null, s, false);
        }

        if (s.TryGetNumber(out double d))
        {
            return new Raw(d, s, false);
        }

        if (s.TryGetBool(out bool b))
        {
            return new Raw(b, s, false);
        }

        return new Raw(s.Value, s, false);
    }

    private object? BindParamValue(OpDefinition op, ParamSpec spec, YamlNode node)
    {
        switch (spec.Type)
        {
            case ParamType.FloatPerAxis or ParamType.IntPerAxis when node is YamlSequence seq:
            {
                if (seq.Items.Count == 0)
                {
                    _d.Report(DiagnosticCodes.ParamWrongType, seq.Start, spec.Name, op.Name, ExpectedText(spec), "an empty list");
                    return null;
                }

                if (seq.Items.Count > MaxAxes)
                {
                    _d.Report(DiagnosticCodes.PerAxisCount, seq.Start, spec.Name, op.Name, seq.Items.Count);
                    return null;
                }

                var doubles = new List<double>();
                var ints = new List<int>();
                foreach (var item in seq.Items)
                {
                    if (item is not YamlScalar si)
                    {
                        _d.Report(DiagnosticCodes.ParamWrongType, item.Start, spec.Name, op.Name, ExpectedText(spec), item.Describe());
                        continue;
                    }

                    if (ReadRaw(si) is not { } raw)
                    {
                        continue;
                    }

                    if (spec.Type == ParamType.FloatPerAxis && BindFloat(op, spec, raw) is { } dv)
                    {
                        doubles.Add(dv);
                    }
                    else if (spec.Type == ParamType.IntPerAxis && BindInt(op, spec, raw) is { } iv)
                    {
                        ints.Add(iv);
                    }
                }

                return spec.Type == ParamType.FloatPerAxis ? doubles.ToArray() : ints.ToArray();
            }

            case ParamType.Expression when node is YamlScalar es && !es.IsNull:
                return BindExpression(op, spec, es);
        }

        if (node is not YamlScalar s)
        {
            _d.Report(DiagnosticCodes.ParamWrongType, node.Start, spec.Name, op.Name, ExpectedText(spec), node.Describe());
            return null;
        }

        if (ReadRaw(s) is not { } r)
        {
            return null;
        }

        switch (spec.Type)
        {
            case ParamType.Float:
                return BindFloat(op, spec, r);
            case ParamType.Int:
                return BindInt(op, spec, r);
            case ParamType.FloatPerAxis:
                return BindFloat(op, spec, r) is { } f ? new[] { f } : null;
            case ParamType.IntPerAxis:
                return BindInt(op, spec, r) is { } i ? new[] { i } : null;
            case ParamType.Bool:
                if (r.Value is bool b)
                {
                    return b;
                }

                break;
            case ParamType.String:
                if (r.Value is not null and not bool)
                {
                    string text = r.Value is double dn ? (r.FromParam ? ScalarText.FormatNumber(dn) : s.Value) : (string)r.Value;
                    return SubstituteInText(text, s);
                }

                break;
            case ParamType.Enum:
                if (r.Value is string or double)
                {
                    string text = r.Value is double dn ? (r.FromParam ? ScalarText.FormatNumber(dn) : s.Value) : (string)r.Value;
                    var allowed = spec.Allowed ?? [];
                    if (allowed.Contains(text))
                    {
                        return text;
                    }

                    _d.Report(DiagnosticCodes.ParamNotAllowed, s.Start, text, spec.Name, string.Join(", ", allowed), DidYouMean.Suffix(text, allowed));
                    return null;
                }

                break;
            case ParamType.Expression:
                // Only null reaches here (a scalar text is handled above).
                break;
        }

        _d.Report(DiagnosticCodes.ParamWrongType, s.Start, spec.Name, op.Name, ExpectedText(spec), r.Describe());
        return null;
    }

    private object? BindExpression(OpDefinition op, ParamSpec spec, YamlScalar s)
    {
        if (ReadRaw(s) is not { } r)
        {
            return null;
        }

        switch (r.Value)
        {
            case double d:
                return new ExpressionValue(null, d, s.ContentStart);
            case string text when r.FromParam:
                var p = _paramSymbols[WholeParamRef().Match(s.Value).Groups[1].Value];
                return new ExpressionValue(text, null, p.Node.ContentStart);
            case string text:
                if (text.Trim().Length == 0)
                {
                    _d.Report(DiagnosticCodes.ParamWrongType, s.Start, spec.Name, op.Name, ExpectedText(spec), "an empty string");
                    return null;
                }

                var partial = AnyParamRef().Match(text);
                if (partial.Success)
                {
                    _d.Report(DiagnosticCodes.PartialParamRef, OffsetIn(s, partial.Index), partial.Groups[1].Value);
                    return null;
                }

                return new ExpressionValue(text, null, s.ContentStart);
            default:
                _d.Report(DiagnosticCodes.ParamWrongType, s.Start, spec.Name, op.Name, ExpectedText(spec), r.Describe());
                return null;
        }
    }

    /// <summary>`${name}` inside a longer string parameter: replaced by the param's value.</summary>
    private string? SubstituteInText(string text, YamlScalar s)
    {
        bool ok = true;
        string result = AnyParamRef().Replace(text, m =>
        {
            string name = m.Groups[1].Value;
            if (_paramSymbols.TryGetValue(name, out var p))
            {
                return p.Value switch
                {
                    double d => ScalarText.FormatNumber(d),
                    bool b => b ? "true" : "false",
                    _ => p.Value.ToString() ?? string.Empty,
                };
            }

            _d.Report(DiagnosticCodes.UnknownParamRef, OffsetIn(s, m.Index), name, DidYouMean.Suffix(name, _paramSymbols.Keys));
            ok = false;
            return m.Value;
        });
        return ok ? result : null;
    }

    /// <summary>The location of character <paramref name="index"/> of a scalar's value (exact for single-line plain and quoted text without escapes).</summary>
    private static SourceLocation OffsetIn(YamlScalar s, int index)
    {
        if (s.Style == ScalarStyle.Block || s.Value.AsSpan(0, index).Contains('\n'))
        {
            return s.ContentStart;
        }

        return s.ContentStart.Shift(index);
    }

    private double? BindFloat(OpDefinition op, ParamSpec spec, Raw r)
    {
        if (r.Value is not double d)
        {
            _d.Report(DiagnosticCodes.ParamWrongType, r.Node.Start, spec.Name, op.Name, ExpectedText(spec), r.Describe());
            return null;
        }

        return CheckRange(op, spec, r, d) ? d : null;
    }

    private int? BindInt(OpDefinition op, ParamSpec spec, Raw r)
    {
        if (r.Value is not double d || d != Math.Floor(d) || Math.Abs(d) > int.MaxValue
            || (!r.FromParam && !r.Node.TryGetInteger(out _)))
        {
            _d.Report(DiagnosticCodes.ParamWrongType, r.Node.Start, spec.Name, op.Name, ExpectedText(spec), r.Describe());
            return null;
        }

        return CheckRange(op, spec, r, d) ? (int)d : null;
    }

    private bool CheckRange(OpDefinition op, ParamSpec spec, Raw r, double d)
    {
        bool below = spec.Min is { } min && (spec.MinExclusive ? d <= min : d < min);
        bool above = spec.Max is { } max && d > max;
        if (below || above)
        {
            _d.Report(DiagnosticCodes.ParamOutOfRange, r.Node.Start, spec.Name, op.Name, RangeText(spec), ScalarText.FormatNumber(d));
            return false;
        }

        return true;
    }

    internal static string RangeText(ParamSpec spec)
    {
        string lo = spec.Min is { } min ? $"{(spec.MinExclusive ? ">" : ">=")} {ScalarText.FormatNumber(min)}" : string.Empty;
        string hi = spec.Max is { } max ? $"<= {ScalarText.FormatNumber(max)}" : string.Empty;
        return (lo.Length > 0, hi.Length > 0) switch
        {
            (true, true) => $"{lo} and {hi}",
            (true, false) => lo,
            (false, true) => hi,
            _ => "any number",
        };
    }

    internal static string ExpectedText(ParamSpec spec) => spec.Type switch
    {
        ParamType.Float => "a number",
        ParamType.Int => "a whole number",
        ParamType.Bool => "true or false",
        ParamType.String => "a string",
        ParamType.Enum => $"one of {string.Join(", ", spec.Allowed ?? [])}",
        ParamType.FloatPerAxis => "a number or a list of numbers (one per axis)",
        ParamType.IntPerAxis => "a whole number or a list of whole numbers (one per axis)",
        ParamType.Expression => "a C# expression (a string) or a number",
        _ => spec.Type.ToString(),
    };

    // ---------------------------------------------------------------- helpers

    /// <summary>A path the recipe writes (`default:`, a test's input, an `npy:` reference): text without a NUL (XRF1071), which no path can hold.</summary>
    private string? ReadPath(YamlNode node, string what)
    {
        string? text = ReadText(node, what);
        if (text is not null && text.Contains('\0'))
        {
            _d.Report(DiagnosticCodes.PathHasNul, node.Start, what);
            return null;
        }

        return text;
    }

    private string? ReadText(YamlNode node, string what)
    {
        if (node is YamlScalar s && !s.IsNull)
        {
            return s.Value;
        }

        _d.Report(DiagnosticCodes.WrongNodeType, node.Start, what, "a string", node.Describe());
        return null;
    }

    /// <summary>Names an expression sees besides the `in` variables: i, j, rows, cols and the recipe params.</summary>
    private void CheckVariableName(YamlScalar key)
    {
        string? use = key.Value switch
        {
            "i" => "the row index",
            "j" => "the column index",
            "rows" => "the number of rows",
            "cols" => "the number of columns",
            _ => _paramSymbols.TryGetValue(key.Value, out var p) ? $"the recipe param declared on line {p.Location.Line}" : null,
        };
        if (use is not null)
        {
            _d.Report(DiagnosticCodes.ReservedVariable, key.Start, key.Value, use);
        }
    }

    private bool CheckIdentifier(YamlScalar name, string what)
    {
        if (Identifier().IsMatch(name.Value))
        {
            return true;
        }

        _d.Report(DiagnosticCodes.InvalidName, name.Start, name.Value, what);
        return false;
    }
}

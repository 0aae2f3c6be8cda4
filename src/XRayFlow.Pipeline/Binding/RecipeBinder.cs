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
    /// <summary>A name a step or output can read: an input or a step, what it holds (null: unknown after an earlier error), and its op.</summary>
    private sealed record Symbol(string Name, SymbolKind Kind, ValueInfo? Info, int Line, OpDefinition? Op)
    {
        public ValueKind? Value => Info?.Kind;
    }

    private sealed record ParamSymbol(string Name, object Value, YamlScalar Node, SourceLocation Location);

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex OutputName();

    [GeneratedRegex(@"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}$", RegexOptions.CultureInvariant)]
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
                                defaultText = ReadText(k.Value, $"the default of input '{name}'");
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
                _symbols[name] = new Symbol(name, SymbolKind.Input, kind == InputKind.Stack ? ValueInfo.Stack : kind == InputKind.Image ? ValueInfo.Image : null, e.Key.Start.Line, null);
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

            _symbols.TryAdd(head.Id, new Symbol(head.Id, SymbolKind.Step, bound is { KindKnown: true } b ? b.Step.Info : null, head.Node.Start.Line, head.Op));
        }
    }

    private (BoundStep Step, bool KindKnown)? BindStep(StepHead head, bool first, string? previous, Dictionary<string, int> laterIds)
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
        var locations = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var scalarSources = new List<string>();
        int errorsBefore = _d.Count(d => d.IsError);
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

                locations[spec.Name] = e.Value.Start;
                values[spec.Name] = BindParamValue(op, spec, e.Value, laterIds);
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

            foreach (var v in values.Values)
            {
                foreach (var r in ScalarRefs(v))
                {
                    if (!scalarSources.Contains(r.Step))
                    {
                        scalarSources.Add(r.Step);
                    }
                }
            }
        }

        if (op is null)
        {
            return null;
        }

        bool paramsOk = _d.Count(d => d.IsError) == errorsBefore;

        // Arity and kinds.
        int count = refs.Count;
        bool arityOk = count >= op.Inputs.Min && count <= op.Inputs.Max;
        if (!arityOk && (count > 0 || inEntry is not null))
        {
            _d.Report(DiagnosticCodes.WrongInputCount, inLocation, op.Name, op.Inputs.Arity, count == 1 ? "1 input" : $"{count} inputs");
        }

        bool kindKnown = refs.Count > 0 && refs.All(r => r.Symbol?.Info is not null);
        bool inputsOk = true;
        foreach (var (r, sym) in refs)
        {
            if (sym?.Info is not { } info)
            {
                continue;
            }

            if (info.IsTable && !op.Inputs.AcceptsTables)
            {
                _d.Report(DiagnosticCodes.TableNotAccepted, r.Location, op.Name, r.Source);
                inputsOk = false;
            }
            else if (info.IsScalar && !(op.Inputs.AllowsMap && r.VariableName is not null))
            {
                _d.Report(DiagnosticCodes.ScalarNotAccepted, r.Location, op.Name, r.Source);
                inputsOk = false;
            }
            else if (info.IsComplex && !op.Inputs.AcceptsComplex)
            {
                _d.Report(DiagnosticCodes.ComplexNotAccepted, r.Location, op.Name, r.Source);
                inputsOk = false;
            }
        }

        if (op.Inputs.RequiresStack && refs.Count > 0 && refs[0].Symbol?.Info is { Kind: ValueKind.Image })
        {
            _d.Report(DiagnosticCodes.NeedsStack, refs[0].Ref.Location, op.Name, refs[0].Ref.Source, "an image (H x W)");
            inputsOk = false;
        }

        var arrays = refs.Where(r => r.Symbol?.Info is { IsArray: true }).ToList();
        for (int k = 1; k < arrays.Count; k++)
        {
            var k0 = arrays[0].Symbol!.Info!;
            var kk = arrays[k].Symbol!.Info!;
            if (k0.Kind != kk.Kind)
            {
                _d.Report(DiagnosticCodes.MixedInputKinds, arrays[k].Ref.Location, op.Name, arrays[0].Ref.Source, k0.Article, arrays[k].Ref.Source, kk.Article);
                inputsOk = false;
                break;
            }
        }

        // What the op makes of its inputs (arrays first: scalars in an `in` map are expression values).
        var infos = refs.Select(r => r.Symbol?.Info ?? ValueInfo.Image).ToList();
        var arrayInfos = infos.Where(i => !i.IsScalar).ToList();
        var inferContext = new InferContext { StepId = head.Id, Params = values, Inputs = arrayInfos.Count > 0 ? arrayInfos : infos };
        var outInfo = op.Infer(inferContext);
        if (op.Output != OutputKind.SameAsInput)
        {
            kindKnown = true;
        }

        // The op's own rules, once its parameters and inputs are sound (a rule reading a `${step}` value waits for the run).
        if (arityOk && inputsOk && kindKnown && paramsOk)
        {
            var ruleContext = new RuleContext { StepId = head.Id, Params = values, Inputs = infos, InputNames = refs.Select(r => r.Ref.Source).ToList() };
            foreach (var rule in op.Rules)
            {
                string? problem;
                try
                {
                    problem = rule.Check(ruleContext);
                }
                catch (DeferredParameterException)
                {
                    continue;
                }

                if (problem is null)
                {
                    continue;
                }

                var at = rule.At is { } pn && locations.TryGetValue(pn, out var pl) ? pl : head.OpNode?.Start ?? m.Start;
                var code = rule.Code ?? (rule.Severity == Severity.Error ? DiagnosticCodes.OpRuleBroken : DiagnosticCodes.OpRuleWarning);
                _d.Report(code, at, head.Id, problem);
            }
        }

        var step = new BoundStep
        {
            Id = head.Id,
            Op = op,
            Inputs = refs.Select(r => r.Ref).ToList(),
            InputInfos = infos,
            Params = values,
            ParamSources = scalarSources,
            ParamLocations = locations,
            Location = m.Start,
            Info = outInfo,
        };
        return (step, kindKnown);
    }

    /// <summary>The `${step}` references a bound parameter value holds.</summary>
    private static IEnumerable<ScalarRef> ScalarRefs(object? value) => value switch
    {
        ScalarRef r => [r],
        object?[] items => items.OfType<ScalarRef>(),
        _ => [],
    };

    private static string Article(ValueKind kind) => new ValueInfo(kind).Article;

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
        if (d is string word && spec.Type is not (ParamType.String or ParamType.Enum or ParamType.Expression))
        {
            return word; // one of the spec's Words
        }

        return spec.Type switch
        {
            ParamType.Float => Convert.ToDouble(d, inv),
            ParamType.Int => Convert.ToInt32(d, inv),
            ParamType.FloatPerAxis or ParamType.FloatList => d switch
            {
                double[] a => a,
                IEnumerable<double> e => e.ToArray(),
                _ => new[] { Convert.ToDouble(d, inv) },
            },
            ParamType.IntPerAxis or ParamType.IntList => d switch
            {
                int[] a => a,
                IEnumerable<int> e => e.ToArray(),
                _ => new[] { Convert.ToInt32(d, inv) },
            },
            ParamType.Matrix => d switch
            {
                double[][] m => m,
                _ => new[] { new[] { Convert.ToDouble(d, inv) } },
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
            ScalarRef r => $"{r} (a number computed per image)",
            _ => Value.ToString() ?? "?",
        };
    }

    /// <summary>
    /// Reads a scalar's typed value, substituting a whole-value `${name}` (a param); with <paramref name="laterIds"/>
    /// (op parameters), `${step}` or `${step.field}` of an earlier step that computes a number is a <see cref="ScalarRef"/>.
    /// Null when an error was reported.
    /// </summary>
    private Raw? ReadRaw(YamlScalar s, Dictionary<string, int>? laterIds = null, (OpDefinition Op, ParamSpec Spec)? target = null)
    {
        if (s.IsPlain && (ScalarText.IsYaml11Boolean(s.Value) || ScalarText.IsAmbiguousNumber(s.Value)))
        {
            return null; // reported by the reader
        }

        var whole = WholeParamRef().Match(s.Value);
        if (whole.Success && s.Style != ScalarStyle.Block)
        {
            string name = whole.Groups[1].Value;
            string? field = whole.Groups[2].Success ? whole.Groups[2].Value : null;
            if (field is null && _paramSymbols.TryGetValue(name, out var p))
            {
                return new Raw(p.Value, s, true);
            }

            if (laterIds is not null && ResolveScalarRef(s, name, field, laterIds) is { } r)
            {
                return new Raw(r, s, true);
            }

            if (laterIds is not null && (_symbols.ContainsKey(name) || laterIds.ContainsKey(name)))
            {
                return null; // reported by ResolveScalarRef
            }

            if (laterIds is null && target is { } t && _symbols.ContainsKey(name))
            {
                _d.Report(DiagnosticCodes.ScalarNotAllowedHere, s.ContentStart, t.Spec.Name, t.Op.Name, ExpectedText(t.Spec), field is null ? name : $"{name}.{field}");
                return null;
            }

            var names = laterIds is null ? _paramSymbols.Keys : _paramSymbols.Keys.Concat(ScalarNames());
            _d.Report(DiagnosticCodes.UnknownParamRef, s.ContentStart, field is null ? name : $"{name}.{field}", DidYouMean.Suffix(name, names));
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

    /// <summary>The steps so far whose value is a number, and the numeric fields steps declare (`stats.p99`).</summary>
    private IEnumerable<string> ScalarNames()
    {
        foreach (var sym in _symbols.Values)
        {
            if (sym.Info is { IsScalar: true })
            {
                yield return sym.Name;
            }

            foreach (var f in sym.Op?.FieldsFor(_steps.Find(b => b.Id == sym.Name)?.Params) ?? [])
            {
                yield return $"{sym.Name}.{f}";
            }
        }
    }

    /// <summary>`${step}` or `${step.field}` as a value computed per image, or null (with a located error) when it is not one.</summary>
    private ScalarRef? ResolveScalarRef(YamlScalar s, string name, string? field, Dictionary<string, int> laterIds)
    {
        string shown = field is null ? name : $"{name}.{field}";
        if (!_symbols.TryGetValue(name, out var sym))
        {
            if (laterIds.TryGetValue(name, out int line))
            {
                _d.Report(DiagnosticCodes.ForwardReference, s.ContentStart, name, line);
            }

            return null;
        }

        var declared = sym.Op?.FieldsFor(_steps.Find(b => b.Id == name)?.Params) ?? []; // may depend on its parameters (stats' percentiles)
        if (field is null)
        {
            if (sym.Info is { IsScalar: true })
            {
                return new ScalarRef(name, null, s.ContentStart);
            }

            string fields = declared is { Count: > 0 } fs ? $"; its numbers are {string.Join(", ", fs.Select(f => $"${{{name}.{f}}}"))}" : string.Empty;
            if (sym.Info is not null)
            {
                _d.Report(DiagnosticCodes.NotAScalar, s.ContentStart, shown, (sym.Kind == SymbolKind.Input ? "an input, " : string.Empty) + sym.Info.Article, fields);
            }

            return null;
        }

        if (declared.Contains(field))
        {
            return new ScalarRef(name, field, s.ContentStart);
        }

        string known = declared is { Count: > 0 } known2 ? $"; '{name}' has {string.Join(", ", known2)}{DidYouMean.Suffix(field, known2)}" : $"; '{name}' has no named numbers";
        _d.Report(DiagnosticCodes.NotAScalar, s.ContentStart, shown, "not a number a step computes", known);
        return null;
    }

    private object? BindParamValue(OpDefinition op, ParamSpec spec, YamlNode node, Dictionary<string, int>? laterIds = null)
    {
        // A word instead of a value (`in_range: image`, `structure: cross`).
        if (spec.Words is { Count: > 0 } words && node is YamlScalar ws && !ws.IsNull && !ws.TryGetNumber(out _) && !ws.TryGetBool(out _)
            && !ws.Value.StartsWith("${", StringComparison.Ordinal) && !(ws.IsPlain && ScalarText.IsYaml11Boolean(ws.Value)))
        {
            string word = ws.Value;
            if (words.Contains(word))
            {
                return word;
            }

            if (spec.Type is not (ParamType.String or ParamType.Enum))
            {
                _d.Report(DiagnosticCodes.ParamNotAllowed, ws.Start, word, spec.Name, string.Join(", ", words) + " or " + ExpectedText(spec with { Words = null }), DidYouMean.Suffix(word, words));
                return null;
            }
        }

        switch (spec.Type)
        {
            case ParamType.FloatPerAxis or ParamType.IntPerAxis or ParamType.FloatList or ParamType.IntList when node is YamlSequence seq:
                return BindList(op, spec, seq, laterIds);
            case ParamType.Matrix:
                return BindMatrix(op, spec, node);
            case ParamType.Expression when node is YamlScalar es && !es.IsNull:
                return BindExpression(op, spec, es);
        }

        if (node is not YamlScalar s)
        {
            _d.Report(DiagnosticCodes.ParamWrongType, node.Start, spec.Name, op.Name, ExpectedText(spec), node.Describe());
            return null;
        }

        if (ReadRaw(s, spec.IsNumeric ? laterIds : null, (op, spec)) is not { } r)
        {
            return null;
        }

        if (r.Value is ScalarRef sref)
        {
            return sref;
        }

        switch (spec.Type)
        {
            case ParamType.Float:
                return BindFloat(op, spec, r);
            case ParamType.Int:
                return BindInt(op, spec, r);
            case ParamType.FloatPerAxis or ParamType.FloatList:
                return BindFloat(op, spec, r) is { } f ? CheckCount(op, spec, s, new[] { f }, 1) : null;
            case ParamType.IntPerAxis or ParamType.IntList:
                return BindInt(op, spec, r) is { } i ? CheckCount(op, spec, s, new[] { i }, 1) : null;
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

    /// <summary>A list parameter: numbers (or `${step}` values, which make the list an object?[] resolved per item).</summary>
    private object? BindList(OpDefinition op, ParamSpec spec, YamlSequence seq, Dictionary<string, int>? laterIds)
    {
        if (seq.Items.Count == 0)
        {
            _d.Report(DiagnosticCodes.ParamWrongType, seq.Start, spec.Name, op.Name, ExpectedText(spec), "an empty list");
            return null;
        }

        bool perAxis = spec.Type is ParamType.FloatPerAxis or ParamType.IntPerAxis;
        if (perAxis && seq.Items.Count > MaxAxes)
        {
            _d.Report(DiagnosticCodes.PerAxisCount, seq.Start, spec.Name, op.Name, seq.Items.Count);
            return null;
        }

        bool whole = spec.IsWhole;
        var items = new List<object?>();
        bool ok = true;
        foreach (var item in seq.Items)
        {
            if (item is not YamlScalar si)
            {
                _d.Report(DiagnosticCodes.ParamWrongType, item.Start, spec.Name, op.Name, ExpectedText(spec), item.Describe());
                ok = false;
                continue;
            }

            if (ReadRaw(si, laterIds) is not { } raw)
            {
                ok = false;
                continue;
            }

            object? v = raw.Value is ScalarRef r ? r : whole ? (object?)BindInt(op, spec, raw) : (object?)BindFloat(op, spec, raw);
            ok &= v is not null;
            items.Add(v);
        }

        if (!ok)
        {
            return null;
        }

        if (!perAxis && CheckCount(op, spec, seq, items, items.Count) is null)
        {
            return null;
        }

        if (items.Any(i => i is ScalarRef))
        {
            return items.ToArray();
        }

        return whole ? items.Select(i => (int)i!).ToArray() : items.Select(i => (double)i!).ToArray();
    }

    /// <summary>The value, when the list length is within the spec's MinCount..MaxCount (else a located error and null).</summary>
    private object? CheckCount(OpDefinition op, ParamSpec spec, YamlNode node, object value, int count)
    {
        if (spec.Type is ParamType.FloatPerAxis or ParamType.IntPerAxis || (count >= spec.MinCount && count <= spec.MaxCount))
        {
            return value;
        }

        _d.Report(DiagnosticCodes.ListCount, node.Start, spec.Name, op.Name, CountText(spec), count == 1 ? "1 value" : $"{count} values");
        return null;
    }

    private static string CountText(ParamSpec spec) => spec.MinCount == spec.MaxCount
        ? $"{spec.MinCount} values"
        : spec.MaxCount == int.MaxValue ? $"{spec.MinCount} or more values" : $"{spec.MinCount} to {spec.MaxCount} values";

    /// <summary>A matrix: a list of rows of numbers, all rows one length (a flat list is one row, a number 1 x 1).</summary>
    private double[][]? BindMatrix(OpDefinition op, ParamSpec spec, YamlNode node)
    {
        var rows = new List<double[]>();
        IEnumerable<YamlNode> rowNodes = node is YamlSequence seq && seq.Items.Count > 0 && seq.Items[0] is YamlSequence ? seq.Items : [node];
        bool ok = true;
        foreach (var rowNode in rowNodes)
        {
            IReadOnlyList<YamlNode> cells = rowNode switch
            {
                YamlSequence rs => rs.Items,
                YamlScalar sc when !sc.IsNull => [sc],
                _ => [],
            };
            if (cells.Count == 0)
            {
                _d.Report(DiagnosticCodes.ParamWrongType, rowNode.Start, spec.Name, op.Name, ExpectedText(spec), rowNode.Describe());
                return null;
            }

            var row = new double[cells.Count];
            for (int k = 0; k < cells.Count; k++)
            {
                if (cells[k] is not YamlScalar cs || ReadRaw(cs) is not { } raw || BindFloat(op, spec, raw) is not { } v)
                {
                    if (cells[k] is not YamlScalar)
                    {
                        _d.Report(DiagnosticCodes.ParamWrongType, cells[k].Start, spec.Name, op.Name, ExpectedText(spec), cells[k].Describe());
                    }

                    ok = false;
                    continue;
                }

                row[k] = v;
            }

            rows.Add(row);
        }

        if (!ok)
        {
            return null;
        }

        if (rows.Any(r => r.Length != rows[0].Length))
        {
            _d.Report(DiagnosticCodes.ParamWrongType, node.Start, spec.Name, op.Name, ExpectedText(spec), "rows of different lengths");
            return null;
        }

        if (rows.Count > spec.MaxCount || rows[0].Length > spec.MaxCount)
        {
            _d.Report(DiagnosticCodes.ListCount, node.Start, spec.Name, op.Name, $"at most {spec.MaxCount} rows and columns", $"{rows.Count} x {rows[0].Length}");
            return null;
        }

        return [.. rows];
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
        ParamType.FloatList => $"a list of {CountText(spec)}",
        ParamType.IntList => $"a list of {CountText(spec).Replace("values", "whole numbers", StringComparison.Ordinal)}",
        ParamType.Matrix => "a matrix: a list of rows of numbers, e.g. [[0, 1, 0], [1, 1, 1], [0, 1, 0]]",
        ParamType.Expression => "a C# expression (a string) or a number",
        _ => spec.Type.ToString(),
    };

    // ---------------------------------------------------------------- helpers

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

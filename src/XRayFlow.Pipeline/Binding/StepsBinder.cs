using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// The `steps:` section, in two passes: first every step's op and id (explicit, or op, op_2, op_3...), so that a
/// reference to a later step can say so; then each step in file order (a step sees inputs and earlier steps only):
/// its inputs, its parameters, its arity and input kinds, what it produces, and its op's own rules.
/// </summary>
internal sealed class StepsBinder(BindingContext context, IReadOnlyList<BoundInput> inputs)
{
    private readonly BindingContext _c = context;
    private readonly StepInputsBinder _inputs = new(context, inputs);
    private readonly ParamValueBinder _values = new(context, new ScalarReader(context));

    private sealed record StepHead(YamlMapping Node, string Id, SourceLocation IdLocation, YamlScalar? OpNode, OpDefinition? Op);

    /// <summary>A step's parameters: the bound values (defaults filled), where each was written, and the steps whose numbers they read.</summary>
    private sealed record StepParams(Dictionary<string, object?> Values, Dictionary<string, SourceLocation> Locations, List<string> ScalarSources);

    /// <summary>The most steps a recipe may have: planning and the manifest stay linear in it, and a real recipe has tens.</summary>
    public const int MaxSteps = 10_000;

    /// <summary>Binds the steps; each becomes a symbol later steps and outputs can read.</summary>
    public List<BoundStep> Bind(YamlEntry? entry)
    {
        var steps = new List<BoundStep>();
        if (entry is null)
        {
            _c.Diagnostics.ReportMissingKey(_c.FileStart, "a recipe", "steps");
            return steps;
        }

        if (entry.Value is YamlScalar { IsNull: true })
        {
            return steps;
        }

        if (entry.Value is not YamlSequence seq)
        {
            _c.Diagnostics.ReportWrongNodeType(entry.Value.Start, "'steps'", "a list of steps ('- op: ...')", entry.Value.Describe());
            return steps;
        }

        if (seq.Items.Count > MaxSteps)
        {
            _c.Diagnostics.ReportTooManySteps(seq.Start, seq.Items.Count, MaxSteps);
            return steps;
        }

        var laterIds = new Dictionary<string, int>(StringComparer.Ordinal);
        string? previous = null;
        foreach (var head in ReadHeads(seq, laterIds))
        {
            laterIds.Remove(head.Id);
            _c.CurrentStep = head.Id;
            var bound = BindStep(head, previous, laterIds);
            _c.CurrentStep = null;
            previous = head.Id;
            if (bound is not null)
            {
                steps.Add(bound.Value.Step);
            }

            var info = bound is { KindKnown: true } b ? b.Step.Info : null;
            _c.Symbols.TryAdd(head.Id, new Symbol(head.Id, SymbolKind.Step, info, head.Node.Start.Line, head.Op) { Params = bound?.Step.Params });
        }

        return steps;
    }

    // ---------------------------------------------------------------- pass 1: ops and ids

    /// <summary>Every step's op and id; <paramref name="laterIds"/> gets each new id with its line.</summary>
    private List<StepHead> ReadHeads(YamlSequence seq, Dictionary<string, int> laterIds)
    {
        var heads = new List<StepHead>();
        var defaultCount = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int index = 0; index < seq.Items.Count; index++)
        {
            if (seq.Items[index] is not YamlMapping m)
            {
                var item = seq.Items[index];
                _c.Diagnostics.ReportWrongNodeType(item.Start, $"step {index + 1}", "a map with 'op' and its parameters", item.Describe());
                continue;
            }

            var (opNode, op) = ReadOp(m, index);
            string opName = opNode?.Value ?? $"step{index + 1}";
            var (id, idLocation) = ReadId(m, index, opName, defaultCount, laterIds);
            CheckUnique(id, idLocation, m.Start.Line, laterIds);
            heads.Add(new StepHead(m, id, idLocation, opNode, op));
        }

        return heads;
    }

    private (YamlScalar? Node, OpDefinition? Op) ReadOp(YamlMapping m, int index)
    {
        if (m.Find("op") is not { } opEntry)
        {
            _c.Diagnostics.ReportMissingKey(m.Start, $"step {index + 1}", "op");
            return (null, null);
        }

        if (opEntry.Value is not YamlScalar os || os.IsNull)
        {
            _c.Diagnostics.ReportWrongNodeType(opEntry.Value.Start, "'op'", "the name of an op", opEntry.Value.Describe());
            return (null, null);
        }

        if (!_c.Ops.TryGetValue(os.Value, out var op))
        {
            string hint = DidYouMean.Nearest(os.Value, _c.Ops.Keys) is { } near
                ? $"; did you mean '{near}'?"
                : "; run 'xrayflow ops' to list the ops";
            _c.Diagnostics.ReportUnknownOp(os.Start, os.Value, hint);
        }

        return (os, op);
    }

    /// <summary>
    /// The explicit `id`, or the op's name numbered by occurrence (op, op_2, op_3...). A default never takes the id of
    /// an earlier step (<paramref name="earlierIds"/>): after `id: abs` on an abs step, the next abs step is `abs_2`,
    /// as the contract's "then op_2, op_3 ... when repeated" says, not a second `abs`.
    /// </summary>
    private (string Id, SourceLocation Location) ReadId(YamlMapping m, int index, string opName, Dictionary<string, int> defaultCount, Dictionary<string, int> earlierIds)
    {
        if (m.Find("id") is { } idEntry)
        {
            if (idEntry.Value is YamlScalar ids && !ids.IsNull)
            {
                _c.CheckIdentifier(ids, "step id");
                return (ids.Value, idEntry.Value.Start);
            }

            _c.Diagnostics.ReportWrongNodeType(idEntry.Value.Start, "'id'", "a name", idEntry.Value.Describe());
            return ($"step{index + 1}", idEntry.Value.Start);
        }

        int count = defaultCount.TryGetValue(opName, out int c) ? c + 1 : 1;
        string id = count == 1 ? opName : $"{opName}_{count}";
        while (earlierIds.ContainsKey(id))
        {
            count++;
            id = $"{opName}_{count}";
        }

        defaultCount[opName] = count;
        return (id, m.Start);
    }

    private void CheckUnique(string id, SourceLocation idLocation, int line, Dictionary<string, int> laterIds)
    {
        if (_c.Symbols.TryGetValue(id, out var existing) || laterIds.ContainsKey(id))
        {
            string what = existing?.Kind == SymbolKind.Input ? "an input" : "a step";
            _c.Diagnostics.ReportDuplicateName(idLocation, id, what, existing?.Line ?? laterIds[id]);
        }
        else
        {
            laterIds[id] = line;
        }
    }

    // ---------------------------------------------------------------- pass 2: one step

    private (BoundStep Step, bool KindKnown)? BindStep(StepHead head, string? previous, IReadOnlyDictionary<string, int> laterIds)
    {
        var m = head.Node;
        var accepted = ReadAccept(m);
        var refs = _inputs.Resolve(m, head.Op, previous, laterIds);
        if (head.Op is not { } op)
        {
            return null;
        }

        int errorsBefore = _c.ErrorCount;
        var parameters = BindParams(op, m, laterIds);
        bool paramsOk = _c.ErrorCount == errorsBefore;

        bool arityOk = CheckArity(op, m, refs);
        bool inputsOk = _inputs.CheckKinds(op, refs);

        // What the op makes of its inputs (arrays first: scalars in an `in` map are expression values).
        var infos = refs.Select(r => r.Symbol?.Info ?? ValueInfo.Image).ToList();
        var arrayInfos = infos.Where(i => !i.IsScalar).ToList();
        // With a refused parameter the op's shape rule would read a value that is not there: its kind only.
        var inferContext = new InferContext { StepId = head.Id, Params = parameters.Values, Inputs = arrayInfos.Count > 0 ? arrayInfos : infos };
        var outInfo = paramsOk ? op.Infer(inferContext) : op.InferKind(inferContext);
        // An input the op refuses (a scalar, a table, a complex value: already reported) leaves the output's kind
        // unknown, so outputs and later steps are not checked against a kind the step would never make.
        bool kindKnown = inputsOk && (op.Output != OutputKind.SameAsInput || (refs.Count > 0 && refs.All(r => r.Symbol?.Info is not null)));

        // The op's own rules, once its parameters and inputs are sound (a rule reading a `${step}` value waits for the run).
        if (arityOk && inputsOk && kindKnown && paramsOk)
        {
            CheckRules(head, op, parameters, refs, infos, accepted);
        }

        if (refs.Count > 0 && arrayInfos.Count == 0 && refs.All(r => r.Symbol?.Info is not null))
        {
            CheckNoPixelBuiltIns(head.Id, op, parameters);
        }

        CheckNoTextParams(head.Id, op, parameters, refs);

        var step = new BoundStep
        {
            Id = head.Id,
            Op = op,
            Inputs = refs.Select(r => r.Ref).ToList(),
            InputInfos = infos,
            Params = parameters.Values,
            ParamSources = parameters.ScalarSources,
            ParamLocations = parameters.Locations,
            Location = m.Start,
            Info = outInfo,
            Accepted = accepted,
        };
        return (step, kindKnown);
    }

    /// <summary>The step's keys other than op, id and in, bound against the op's parameters; defaults for the rest.</summary>
    private StepParams BindParams(OpDefinition op, YamlMapping m, IReadOnlyDictionary<string, int> laterIds)
    {
        var result = new StepParams(new(StringComparer.Ordinal), new(StringComparer.Ordinal), []);
        foreach (var e in m.Entries.Where(e => !RecipeBinder.StepKeys.Contains(e.Key.Value)))
        {
            if (op.FindParam(e.Key.Value) is not { } spec)
            {
                var names = op.Params.Select(p => p.Name).Concat(RecipeBinder.StepKeys);
                _c.Diagnostics.ReportUnknownParameter(e.Key.Start, op.Name, e.Key.Value, DidYouMean.Suffix(e.Key.Value, names));
                continue;
            }

            result.Locations[spec.Name] = e.Value.Start;
            result.Values[spec.Name] = _values.Bind(op, spec, e.Value, laterIds);
        }

        foreach (var spec in op.Params.Where(p => !result.Values.ContainsKey(p.Name)))
        {
            if (spec.Required)
            {
                _c.Diagnostics.ReportMissingParameter(m.Start, op.Name, spec.Name, spec.Doc);
            }

            result.Values[spec.Name] = ParamDefaults.Of(spec);
        }

        foreach (var r in result.Values.Values.SelectMany(ScalarRefs))
        {
            if (!result.ScalarSources.Contains(r.Step))
            {
                result.ScalarSources.Add(r.Step);
            }
        }

        return result;
    }

    /// <summary>The `${step}` references a bound parameter value holds.</summary>
    private static IEnumerable<ScalarRef> ScalarRefs(object? value) => value switch
    {
        ScalarRef r => [r],
        object?[] items => items.OfType<ScalarRef>(),
        _ => [],
    };

    /// <summary>True when the step has as many inputs as the op takes (reported unless nothing was given and nothing could be implied).</summary>
    private bool CheckArity(OpDefinition op, YamlMapping m, IReadOnlyList<ResolvedInput> refs)
    {
        int count = refs.Count;
        if (count >= op.Inputs.Min && count <= op.Inputs.Max)
        {
            return true;
        }

        var inEntry = m.Find("in");
        if (inEntry is not null && HasMalformedName(inEntry.Value))
        {
            return false; // the item that is not a name is reported; counting the others would report it again
        }

        if (count > 0 || inEntry is not null)
        {
            _c.Diagnostics.ReportWrongInputCount(inEntry?.Value.Start ?? m.Start, op.Name, op.Inputs.Arity, count == 1 ? "1 input" : $"{count} inputs");
        }

        return false;
    }

    /// <summary>Whether an `in` value is, or holds, something other than a name (nothing, a nested list...): StepInputsBinder reported it.</summary>
    private static bool HasMalformedName(YamlNode value) => value switch
    {
        YamlScalar s => s.IsNull,
        YamlSequence list => list.Items.Any(i => i is not YamlScalar { IsNull: false }),
        YamlMapping map => map.Entries.Any(e => e.Value is not YamlScalar { IsNull: false }),
        _ => true,
    };

    /// <summary>
    /// The step's `accept: [XRF1058, ...]`: the warnings it acknowledges (one code or a list). An unknown code, an
    /// error's code or a warning no step reports is refused at the code (XRF1073).
    /// </summary>
    private HashSet<string> ReadAccept(YamlMapping m)
    {
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        if (m.Find("accept") is not { } entry)
        {
            return accepted;
        }

        IReadOnlyList<YamlNode> items = entry.Value switch
        {
            YamlSequence seq => seq.Items,
            YamlScalar one when !one.IsNull => [one],
            _ => [],
        };
        if (items.Count == 0 || items.Any(i => i is not YamlScalar { IsNull: false }))
        {
            var bad = items.FirstOrDefault(i => i is not YamlScalar { IsNull: false }) ?? entry.Value;
            string found = bad is YamlSequence { Items.Count: 0 } ? "an empty list" : bad.Describe();
            _c.Diagnostics.ReportWrongNodeType(bad.Start, "'accept'", "a list of warning codes, e.g. [XRF1058]", found);
            return accepted;
        }

        string acceptable = string.Join(", ", RecipeBinder.AcceptableWarnings.Select(d => d.Code));
        foreach (YamlScalar item in items.Cast<YamlScalar>())
        {
            string code = item.Value;
            var descriptor = DiagnosticCodes.All.FirstOrDefault(d => string.Equals(d.Code, code, StringComparison.Ordinal));
            string? why = descriptor is null
                ? "is not a diagnostic code" + DidYouMean.Suffix(code, RecipeBinder.AcceptableWarnings.Select(d => d.Code))
                : descriptor.Severity != Severity.Warning
                    ? "is an error, and an error cannot be accepted"
                    : !RecipeBinder.AcceptableWarnings.Contains(descriptor)
                        ? "is not a warning a step reports"
                        : null;
            if (why is not null)
            {
                _c.Diagnostics.ReportBadAccept(item.Start, code, why, acceptable);
                continue;
            }

            accepted.Add(code);
        }

        return accepted;
    }

    /// <summary>
    /// An expression step whose `in` variables are all scalars computes one number (a threshold halfway between two
    /// others): it has no pixel, so the per-pixel built-ins i, j, rows and cols mean nothing there (XRF1074, at the name).
    /// </summary>
    private void CheckNoPixelBuiltIns(string stepId, OpDefinition op, StepParams parameters)
    {
        foreach (var spec in op.Params.Where(p => p.Type == ParamType.Expression))
        {
            if (parameters.Values.GetValueOrDefault(spec.Name) is ExpressionValue { Text: { } text } value
                && PixelBuiltIns.FirstUse(text) is { } use && value.Locate(use.Offset) is { } at)
            {
                _c.Diagnostics.ReportPixelVariableWithoutPixels(at, stepId, use.Name, PixelBuiltIns.Describe(use.Name)!);
            }
        }
    }

    /// <summary>
    /// Expressions read every recipe param as a number (true 1, false 0); a text param has no number, so it would be
    /// NaN in every pixel without a word: refused at its first use in each expression (XRF1077).
    /// </summary>
    private void CheckNoTextParams(string stepId, OpDefinition op, StepParams parameters, IReadOnlyList<ResolvedInput> refs)
    {
        // The step's own pixel variables (x; x0, x1 for a list) are not the param: a param of that name is the compiler's XRF3009.
        var own = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < refs.Count; k++)
        {
            if (refs[k].Ref.VariableName is null)
            {
                own.Add(refs.Count == 1 ? "x" : "x" + k.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        foreach (var spec in op.Params.Where(p => p.Type == ParamType.Expression))
        {
            if (parameters.Values.GetValueOrDefault(spec.Name) is ExpressionValue { Text: { } text } value
                && PixelBuiltIns.FirstUse(text, name => !own.Contains(name) && _c.Params.TryGetValue(name, out var p) && p.Value is string) is { } use
                && value.Locate(use.Offset) is { } at)
            {
                _c.Diagnostics.ReportTextParamInExpression(at, stepId, use.Name, (string)_c.Params[use.Name].Value);
            }
        }
    }

    private void CheckRules(StepHead head, OpDefinition op, StepParams parameters, IReadOnlyList<ResolvedInput> refs, IReadOnlyList<ValueInfo> infos, HashSet<string> accepted)
    {
        var context = new RuleContext
        {
            StepId = head.Id,
            Params = parameters.Values,
            Inputs = infos,
            InputNames = refs.Select(r => r.Ref.Source).ToList(),
            FromInputs = refs.Select(r => r.Symbol?.Kind == SymbolKind.Input).ToList(),
            Written = parameters.Locations.Keys.ToHashSet(StringComparer.Ordinal),
        };
        foreach (var rule in op.Rules)
        {
            string? problem;
            try
            {
                problem = rule.Check(context);
            }
            catch (DeferredParameterException)
            {
                continue;
            }

            if (problem is not null)
            {
                var code = rule.Code ?? (rule.Severity == Severity.Error ? DiagnosticCodes.OpRuleBroken : DiagnosticCodes.OpRuleWarning);
                if (code.Severity == Severity.Warning && accepted.Contains(code.Code))
                {
                    continue; // acknowledged by the step's `accept:`
                }

                var at = rule.At is { } pn && parameters.Locations.TryGetValue(pn, out var pl) ? pl : head.OpNode?.Start ?? head.Node.Start;
                ReportRule(rule, at, head.Id, problem);
            }
        }
    }

    /// <summary>A broken rule under its declared code (each dedicated code has its own typed method), else XRF1062 / XRF1063 by severity.</summary>
    private void ReportRule(OpRule rule, SourceLocation at, string stepId, string problem)
    {
        if (rule.Code is null)
        {
            if (rule.Severity == Severity.Error)
            {
                _c.Diagnostics.ReportOpRuleBroken(at, stepId, problem);
            }
            else
            {
                _c.Diagnostics.ReportOpRuleWarning(at, stepId, problem);
            }
        }
        else if (rule.Code == DiagnosticCodes.FourierGaussianOnSpatial)
        {
            _c.Diagnostics.ReportFourierGaussianOnSpatial(at, stepId, problem);
        }
        else
        {
            throw new InvalidOperationException($"op rule code {rule.Code.Code} has no typed Report method in DiagnosticBag.Recipe.cs");
        }
    }
}

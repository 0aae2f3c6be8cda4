using XRayFlow.Core.Expressions;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

// A class, not a struct: List<T>/LINQ over a struct of ours cannot be precompiled (ReadyToRun) and cost ~90 JIT-compiled
// methods at every start (issue 13: start-up).

/// <summary>A step input: the reference as written and what it names (null: unknown, after an error).</summary>
internal sealed record ResolvedInput(StepInputRef Ref, Symbol? Symbol);

/// <summary>
/// A step's `in`: a name, a list of names or a map of expression variables (none: the previous step, or the
/// recipe's only input for the first step), resolved against the inputs and earlier steps; then what the op
/// accepts (tables, scalars, complex values, stacks, one kind of array).
/// </summary>
internal sealed class StepInputsBinder(BindingContext context, IReadOnlyList<BoundInput> inputs)
{
    private readonly BindingContext _c = context;
    private readonly IReadOnlyList<BoundInput> _inputs = inputs;

    /// <param name="previous">The previous step's id; null for the first step.</param>
    /// <param name="laterIds">Later steps' ids (with their lines), so that a reference to one says so.</param>
    public List<ResolvedInput> Resolve(YamlMapping step, OpDefinition? op, string? previous, IReadOnlyDictionary<string, int> laterIds)
    {
        if (step.Find("in") is not { } inEntry)
        {
            return Implicit(step, previous);
        }

        var refs = new List<ResolvedInput>();
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
                        _c.Diagnostics.ReportWrongNodeType(item.Start, "an item of 'in'", "the name of an input or an earlier step", item.Describe());
                    }
                }

                break;
            case YamlMapping inMap:
                ResolveMap(inMap, op, laterIds, refs);
                break;
            default:
                _c.Diagnostics.ReportWrongNodeType(inEntry.Value.Start, "'in'", "a name, a list of names or a map of variable: name", inEntry.Value.Describe());
                break;
        }

        return refs;
    }

    /// <summary>True when every input is of a kind the op accepts (each problem reported at its reference).</summary>
    public bool CheckKinds(OpDefinition op, IReadOnlyList<ResolvedInput> refs)
    {
        bool ok = true;
        foreach (var (r, sym) in refs)
        {
            if (sym?.Info is { } info)
            {
                ok &= CheckKind(op, r, info);
            }
        }

        if (op.Inputs.RequiresStack && refs.Count > 0 && refs[0].Symbol?.Info is { Kind: ValueKind.Image })
        {
            _c.Diagnostics.ReportNeedsStack(refs[0].Ref.Location, op.Name, refs[0].Ref.Source, "an image (H x W)");
            ok = false;
        }

        return (op.Inputs.MixesKinds || CheckOneArrayKind(op, refs)) && ok;
    }

    /// <summary>No `in`: the recipe's only input for the first step, else the previous step.</summary>
    private List<ResolvedInput> Implicit(YamlMapping step, string? previous)
    {
        if (previous is not null)
        {
            return [new ResolvedInput(new StepInputRef(previous, null, step.Start), _c.Symbols.GetValueOrDefault(previous))];
        }

        if (_inputs.Count == 1)
        {
            return [new ResolvedInput(new StepInputRef(_inputs[0].Name, null, step.Start), _c.Symbols.GetValueOrDefault(_inputs[0].Name))];
        }

        if (_inputs.Count > 1)
        {
            _c.Diagnostics.ReportAmbiguousFirstInput(step.Start, string.Join(", ", _inputs.Select(i => i.Name)));
        }

        return [];
    }

    /// <summary>`in: {variable: name, ...}` (expression ops): each key a variable name expressions can use.</summary>
    private void ResolveMap(YamlMapping inMap, OpDefinition? op, IReadOnlyDictionary<string, int> laterIds, List<ResolvedInput> refs)
    {
        if (op is not null && !op.Inputs.AllowsMap)
        {
            _c.Diagnostics.ReportInMapNotAllowed(inMap.Start, op.Name);
        }

        foreach (var e in inMap.Entries)
        {
            if (_c.CheckIdentifier(e.Key, "variable name"))
            {
                CheckVariableName(e.Key);
            }

            if (e.Value is YamlScalar sv && !sv.IsNull)
            {
                refs.Add(ResolveRef(sv, e.Key.Value, laterIds));
            }
            else
            {
                _c.Diagnostics.ReportWrongNodeType(e.Value.Start, $"'in' variable '{e.Key.Value}'", "the name of an input or an earlier step", e.Value.Describe());
            }
        }
    }

    /// <summary>Names an expression sees besides the `in` variables: i, j, rows, cols, the recipe params and C#'s keywords.</summary>
    private void CheckVariableName(YamlScalar key)
    {
        string? use = PixelBuiltIns.Describe(key.Value)
            ?? (_c.Params.TryGetValue(key.Value, out var p) ? $"the recipe param declared on line {p.Location.Line}" : null)
            ?? Reserved(key.Value);
        if (use is not null)
        {
            _c.Diagnostics.ReportReservedVariable(key.Start, key.Value, use);
        }
    }

    /// <summary>
    /// A C# keyword (`int`, `float`), the Math classes or a name of the generated code: as a variable the expression
    /// would not compile (Roslyn's CS1525 at the use), so it is refused here, at the key. The list is the compiler's.
    /// </summary>
    private static string? Reserved(string name)
        => name is "Math" or "MathF" ? $"the class {name} (Math.Sqrt, MathF.PI...); a variable name must be another C# identifier"
            : ExpressionNames.IsReserved(name) ? "a C# keyword; a variable name must be a valid C# identifier, not a keyword"
            : name.StartsWith("__", StringComparison.Ordinal) ? "the generated code (names starting with '__' are reserved)"
            : null;

    private ResolvedInput ResolveRef(YamlScalar node, string? variable, IReadOnlyDictionary<string, int> laterIds)
    {
        var r = new StepInputRef(node.Value, variable, node.Start);
        if (_c.Symbols.TryGetValue(node.Value, out var sym))
        {
            return new ResolvedInput(r, sym);
        }

        if (laterIds.TryGetValue(node.Value, out int line))
        {
            _c.Diagnostics.ReportForwardReference(node.Start, node.Value, line);
        }
        else if (node.Value.IndexOf('.', StringComparison.Ordinal) is > 0 and int dot && _c.Symbols.ContainsKey(node.Value[..dot]))
        {
            // `st.p1`: a step's named number, which an `in` entry cannot name (it takes whole values).
            _c.Diagnostics.ReportUnknownReference(node.Start, node.Value,
                $"; it names a field of step '{node.Value[..dot]}', and `in` takes whole steps or inputs: use ${{{node.Value}}} as a parameter value, or a step that computes that number (percentile, threshold_*)");
        }
        else if (!(node.IsPlain && (ScalarText.IsYaml11Boolean(node.Value) || ScalarText.IsAmbiguousNumber(node.Value))))
        {
            _c.Diagnostics.ReportUnknownReference(node.Start, node.Value, DidYouMean.Suffix(node.Value, _c.Symbols.Keys));
        }

        return new ResolvedInput(r, null);
    }

    private bool CheckKind(OpDefinition op, StepInputRef r, ValueInfo info)
    {
        if (info.IsTable && !op.Inputs.AcceptsTables)
        {
            _c.Diagnostics.ReportTableNotAccepted(r.Location, op.Name, r.Source);
            return false;
        }

        if (info.IsScalar && !(op.Inputs.AllowsMap && r.VariableName is not null))
        {
            _c.Diagnostics.ReportScalarNotAccepted(r.Location, op.Name, r.Source);
            return false;
        }

        if (info.IsComplex && !op.Inputs.AcceptsComplex)
        {
            _c.Diagnostics.ReportComplexNotAccepted(r.Location, op.Name, r.Source);
            return false;
        }

        return true;
    }

    /// <summary>The array inputs are all images or all stacks (the first mismatch is reported).</summary>
    private bool CheckOneArrayKind(OpDefinition op, IReadOnlyList<ResolvedInput> refs)
    {
        var arrays = refs.Where(r => r.Symbol?.Info is { IsArray: true }).ToList();
        var first = arrays.Count > 0 ? arrays[0].Symbol!.Info! : null;
        foreach (var other in arrays.Skip(1))
        {
            var info = other.Symbol!.Info!;
            if (info.Kind != first!.Kind)
            {
                _c.Diagnostics.ReportMixedInputKinds(other.Ref.Location, op.Name, arrays[0].Ref.Source, first.Article, other.Ref.Source, info.Article);
                return false;
            }
        }

        return true;
    }
}

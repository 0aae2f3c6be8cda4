using System.Globalization;
using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Planning;

/// <summary>Options that change how a recipe is planned.</summary>
public sealed record PlanOptions
{
    /// <summary>Merge identical steps (same op, inputs and parameters) into one computation.</summary>
    public bool MergeIdenticalSteps { get; init; } = true;

    /// <summary>Run chains of element-wise steps as one blocked pass.</summary>
    public bool FuseElementwise { get; init; } = true;
}

/// <summary>
/// Turns a bound recipe into a <see cref="Plan"/>: file order (which is topological, since a step only reads
/// inputs and earlier steps), steps that reach no output skipped (XRF5001), identical steps computed once,
/// element-wise chains fused, each value's last reader and a buffer slot plan keyed by shape.
/// </summary>
public static class Planner
{
    public static Plan Create(BoundRecipe recipe, IReadOnlyDictionary<string, ShapeInfo>? inputShapes = null, PlanOptions? options = null)
    {
        options ??= new PlanOptions();
        var diagnostics = new List<Diagnostic>();
        var canonical = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in recipe.Inputs)
        {
            canonical[input.Name] = input.Name;
        }

        // 1. Identical steps (CSE), in file order.
        var firstByKey = new Dictionary<string, string>(StringComparer.Ordinal);
        var candidates = new List<(BoundStep Step, IReadOnlyList<string> Sources)>();
        var merged = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var step in recipe.Steps)
        {
            var sources = step.Inputs.Select(r => canonical.TryGetValue(r.Source, out var c) ? c : r.Source).ToList();
            string key = StepKey(step, sources);
            if (options.MergeIdenticalSteps && firstByKey.TryGetValue(key, out var first))
            {
                canonical[step.Id] = first;
                merged[first].Add(step.Id);
                continue;
            }

            firstByKey[key] = step.Id;
            canonical[step.Id] = step.Id;
            merged[step.Id] = [];
            candidates.Add((step, sources));
        }

        // 2. What the outputs need.
        var outputValues = new List<string>();
        foreach (var output in recipe.Outputs)
        {
            foreach (var from in OutputSources(output))
            {
                string c = canonical.TryGetValue(from, out var cc) ? cc : from;
                if (!outputValues.Contains(c))
                {
                    outputValues.Add(c);
                }
            }
        }

        var needed = new HashSet<string>(StringComparer.Ordinal);
        var bySourceId = candidates.ToDictionary(c => c.Step.Id, c => c.Sources, StringComparer.Ordinal);
        var stack = new Stack<string>(outputValues);
        while (stack.Count > 0)
        {
            string v = stack.Pop();
            if (!needed.Add(v))
            {
                continue;
            }

            if (bySourceId.TryGetValue(v, out var srcs))
            {
                foreach (var s in srcs)
                {
                    stack.Push(s);
                }
            }
        }

        var skipped = new List<string>();
        foreach (var step in recipe.Steps)
        {
            if (!needed.Contains(canonical[step.Id]))
            {
                skipped.Add(step.Id);
                diagnostics.Add(DiagnosticCodes.UnusedStep.Create(step.Location, step.Id));
            }
        }

        // 3. Nodes, levels and shapes.
        var shapes = new Dictionary<string, ShapeInfo>(StringComparer.Ordinal);
        var shapeKeys = new Dictionary<string, string>(StringComparer.Ordinal);
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        var inputShapeMap = new Dictionary<string, ShapeInfo>(StringComparer.Ordinal);
        foreach (var input in recipe.Inputs)
        {
            var s = inputShapes is not null && inputShapes.TryGetValue(input.Name, out var known) ? known : ShapeInfo.Unknown;
            inputShapeMap[input.Name] = s;
            shapes[input.Name] = s;
            shapeKeys[input.Name] = s.IsKnown ? s.ToString() : $"shape of {input.Name}";
            levels[input.Name] = 0;
        }

        var nodes = new List<PlanNode>();
        foreach (var (step, sources) in candidates)
        {
            if (!needed.Contains(step.Id))
            {
                continue;
            }

            var node = new PlanNode { Index = nodes.Count, Id = step.Id, Step = step, Sources = sources };
            node.MergedIds = merged[step.Id];
            node.Level = 1 + sources.Select(s => levels.GetValueOrDefault(s)).DefaultIfEmpty(0).Max();
            levels[step.Id] = node.Level;
            (node.Shape, string key) = InferShape(step, sources, shapes, shapeKeys);
            shapes[step.Id] = node.Shape;
            shapeKeys[step.Id] = key;
            nodes.Add(node);
        }

        // 4. Readers of each value (outputs count as a reader that never finishes).
        var readers = new Dictionary<string, int>(StringComparer.Ordinal);
        var lastReader = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            foreach (var s in node.Sources.Distinct(StringComparer.Ordinal))
            {
                readers[s] = readers.GetValueOrDefault(s) + 1;
                lastReader[s] = node.Index;
            }
        }

        // 5. Fused element-wise chains.
        var chains = new List<FusedChain>();
        if (options.FuseElementwise)
        {
            var current = new List<PlanNode>();
            void Close()
            {
                if (current.Count >= 2)
                {
                    int idx = chains.Count;
                    foreach (var n in current)
                    {
                        n.Chain = idx;
                    }

                    chains.Add(new FusedChain(current.Select(n => n.Id).ToList()));
                }

                current = [];
            }

            foreach (var node in nodes)
            {
                bool fusible = IsFusible(node.Step);
                if (fusible && current.Count > 0)
                {
                    var prev = current[^1];
                    bool linked = node.Sources.Count == 1 && node.Sources[0] == prev.Id
                        && readers.GetValueOrDefault(prev.Id) == 1 && !outputValues.Contains(prev.Id);
                    if (linked)
                    {
                        current.Add(node);
                        continue;
                    }
                }

                Close();
                if (fusible)
                {
                    current.Add(node);
                }
            }

            Close();
        }

        // 6. Releases and buffer slots (a pool keyed by shape).
        var releasesAt = new Dictionary<int, List<string>>();
        foreach (var (value, idx) in lastReader)
        {
            if (outputValues.Contains(value))
            {
                continue;
            }

            if (!releasesAt.TryGetValue(idx, out var list))
            {
                releasesAt[idx] = list = [];
            }

            list.Add(value);
        }

        var slots = new List<(string Key, ShapeInfo Shape, List<string> Values)>();
        var free = new List<int>();
        var slotOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var inputNames = recipe.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var input in recipe.Inputs)
        {
            if (!needed.Contains(input.Name))
            {
                continue;
            }

            slotOf[input.Name] = slots.Count;
            slots.Add((shapeKeys[input.Name], shapes[input.Name], [input.Name]));
        }

        // A fused chain is one unit: its output is allocated while its input is still being read, so the
        // releases of the chain's members happen after the chain's output slot is taken. Input slots are
        // never reused (the caller owns the decoded inputs).
        var pending = new List<string>();
        foreach (var node in nodes)
        {
            bool interior = node.Chain >= 0 && chains[node.Chain].NodeIds[^1] != node.Id;
            if (!interior && !node.Shape.IsTable)
            {
                string key = shapeKeys[node.Id];
                int reuse = free.FirstOrDefault(f => slots[f].Key == key, -1);
                if (reuse >= 0)
                {
                    free.Remove(reuse);
                    slots[reuse].Values.Add(node.Id);
                    node.Buffer = reuse;
                }
                else
                {
                    node.Buffer = slots.Count;
                    slots.Add((key, node.Shape, [node.Id]));
                }

                slotOf[node.Id] = node.Buffer;
            }

            if (releasesAt.TryGetValue(node.Index, out var rel))
            {
                rel.Sort(StringComparer.Ordinal);
                node.Releases = rel;
                pending.AddRange(rel);
            }

            if (!interior)
            {
                foreach (var v in pending)
                {
                    if (slotOf.TryGetValue(v, out int s) && !inputNames.Contains(v))
                    {
                        free.Add(s);
                    }
                }

                pending.Clear();
            }
        }

        return new Plan
        {
            Recipe = recipe,
            Nodes = nodes,
            Skipped = skipped,
            Canonical = canonical,
            FusedChains = chains,
            Buffers = slots.Select((s, i) => new BufferSlot(i, s.Shape, s.Values)).ToList(),
            InputShapes = inputShapeMap,
            Diagnostics = diagnostics,
            OutputValues = outputValues,
        };
    }

    /// <summary>The step ids / input names an output reads (the `from`, or each panel's).</summary>
    public static IEnumerable<string> OutputSources(BoundOutput output)
        => output.Panels is { Count: > 0 } panels ? panels.Select(p => p.From) : [output.From];

    /// <summary>
    /// A step can join a fused chain when its op is element-wise, reads one array, keeps its shape, and has no
    /// expression parameters (expressions see the pixel's row and column, which a blocked pass would change).
    /// </summary>
    public static bool IsFusible(BoundStep step)
        => step.Op.IsElementwise
           && step.Inputs.Count == 1
           && step.Op.Output == OutputKind.SameAsInput
           && !step.Op.Inputs.RequiresStack
           && !step.Op.Inputs.AcceptsTables
           && step.Op.Params.All(p => p.Type != ParamType.Expression);

    private static (ShapeInfo Shape, string Key) InferShape(BoundStep step, IReadOnlyList<string> sources, Dictionary<string, ShapeInfo> shapes, Dictionary<string, string> keys)
    {
        if (step.Op.Output == OutputKind.Table)
        {
            return (ShapeInfo.Table, "table");
        }

        var first = sources.Count > 0 ? shapes.GetValueOrDefault(sources[0]) ?? ShapeInfo.Unknown : ShapeInfo.Unknown;
        string firstKey = sources.Count > 0 ? keys.GetValueOrDefault(sources[0]) ?? "?" : "?";
        if (step.Op.Output == OutputKind.Image)
        {
            var s = first.IsKnown && !first.IsStack ? first with { IsComplex = false } : ShapeInfo.Unknown;
            return (s, s.IsKnown ? s.ToString() : $"shape of {step.Id}");
        }

        if (step.Op.Name == "downsample")
        {
            // The one op that changes rows and columns: rows // factor, cols // factor.
            int f = step.Params.TryGetValue("factor", out var fv) && fv is int fi && fi > 0 ? fi : 1;
            var small = first.IsKnown ? first with { Rows = first.Rows / f, Cols = first.Cols / f } : ShapeInfo.Unknown;
            return (small, small.IsKnown ? small.ToString() : $"shape of {step.Id}");
        }

        bool complex = step.Op.Name switch
        {
            "fft2" or "ifft2" => true,
            _ when step.Op.Category == "fourier" => first.IsComplex,
            _ => false,
        };
        var shape = first with { IsComplex = complex };
        string key = shape.IsKnown ? shape.ToString() : (complex == first.IsComplex ? firstKey : $"{firstKey} complex");
        return (shape, key);
    }

    /// <summary>A text that is equal for two steps exactly when they compute the same thing.</summary>
    internal static string StepKey(BoundStep step, IReadOnlyList<string> sources)
    {
        var sb = new StringBuilder();
        sb.Append(step.Op.Name).Append('(');
        for (int i = 0; i < sources.Count; i++)
        {
            sb.Append(step.Inputs[i].VariableName ?? string.Empty).Append('=').Append(sources[i]).Append(';');
        }

        sb.Append(")[");
        foreach (var kv in step.Params.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            sb.Append(kv.Key).Append('=').Append(ParamText(kv.Value)).Append(';');
        }

        return sb.Append(']').ToString();
    }

    internal static string ParamText(object? value) => value switch
    {
        null => "null",
        double d => "d:" + d.ToString("R", CultureInfo.InvariantCulture),
        float f => "d:" + ((double)f).ToString("R", CultureInfo.InvariantCulture),
        int i => "i:" + i.ToString(CultureInfo.InvariantCulture),
        long l => "i:" + l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => "s:" + s.Length.ToString(CultureInfo.InvariantCulture) + ":" + s,
        double[] ds => "[" + string.Join(",", ds.Select(d => d.ToString("R", CultureInfo.InvariantCulture))) + "]",
        int[] ints => "[" + string.Join(",", ints.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]",
        ExpressionValue e => e.Text is { } t ? "e:" + t.Length.ToString(CultureInfo.InvariantCulture) + ":" + t : "d:" + e.Number!.Value.ToString("R", CultureInfo.InvariantCulture),
        System.Collections.IEnumerable seq => "[" + string.Join(",", seq.Cast<object?>().Select(ParamText)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

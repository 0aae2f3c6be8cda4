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
/// Turns a bound recipe into a <see cref="Plan"/>, in named passes: identical steps computed once, steps that reach
/// no output skipped (XRF5001), nodes in file order (which is topological: a step reads only inputs and earlier
/// steps) with their parallel level and their shape from each op's declaration (problems known shapes reveal:
/// XRF1069), then chains of element-wise steps fused. Arrays are recycled at run time by the executor's pool.
/// </summary>
public static class Planner
{
    public static Plan Create(BoundRecipe recipe, IReadOnlyDictionary<string, ValueInfo>? inputShapes = null, PlanOptions? options = null)
    {
        var pass = new Passes(recipe, inputShapes, options ?? new PlanOptions());
        pass.MergeIdenticalSteps();
        pass.FindNeededValues();
        pass.BuildNodes();
        pass.FuseElementwiseChains();
        return pass.ToPlan();
    }

    /// <summary>The step ids / input names an output reads (the `from`, or each panel's; and an overlay's).</summary>
    public static IEnumerable<string> OutputSources(BoundOutput output)
        => (output.Panels is { Count: > 0 } panels ? panels.Select(p => p.From) : [output.From])
            .Concat(output.Options.TryGetValue("overlay", out var o) && o is OverlayOption overlay ? [overlay.From] : []);

    /// <summary>
    /// A step can join a fused chain when its op declares a pointwise kernel and it reads one array (the kernel sees
    /// pixels, not positions: expression ops, which see i and j, have none).
    /// </summary>
    public static bool IsFusible(BoundStep step)
        => step.Op.Pointwise is not null
           && step.Inputs.Count == 1
           && step.Op.Output == OutputKind.SameAsInput
           && !step.Info.IsComplex
           && (step.InputInfos.Count == 0 || !step.InputInfos[0].IsComplex);

    /// <summary>A text that is equal for two steps exactly when they compute the same thing.</summary>
    internal static string StepKey(BoundStep step, IReadOnlyList<string> sources)
    {
        var sb = new StringBuilder();
        sb.Append(step.Op.Name).Append('(');
        for (int i = 0; i < sources.Count; i++)
        {
            string variable = i < step.Inputs.Count ? step.Inputs[i].VariableName ?? string.Empty : "$";
            sb.Append(variable).Append('=').Append(sources[i]).Append(';');
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
        ScalarRef r => "r:" + r,
        System.Collections.IEnumerable seq => "[" + string.Join(",", seq.Cast<object?>().Select(ParamText)) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private sealed class Passes(BoundRecipe recipe, IReadOnlyDictionary<string, ValueInfo>? inputShapes, PlanOptions options)
    {
        private readonly List<Diagnostic> _diagnostics = [];
        private readonly Dictionary<string, string> _canonical = new(StringComparer.Ordinal);
        private readonly List<(BoundStep Step, IReadOnlyList<string> Sources)> _candidates = [];
        private readonly Dictionary<string, List<string>> _merged = new(StringComparer.Ordinal);
        private readonly List<string> _outputValues = [];
        private readonly HashSet<string> _needed = new(StringComparer.Ordinal);
        private readonly List<string> _skipped = [];
        private readonly List<PlanNode> _nodes = [];
        private readonly List<FusedChain> _chains = [];
        private readonly Dictionary<string, ValueInfo> _inputShapes = new(StringComparer.Ordinal);

        /// <summary>Identical steps (same op, same sources, same parameters) are computed once, by the first.</summary>
        public void MergeIdenticalSteps()
        {
            foreach (var input in recipe.Inputs)
            {
                _canonical[input.Name] = input.Name;
            }

            var firstByKey = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var step in recipe.Steps)
            {
                var sources = step.Inputs.Select(r => r.Source).Concat(step.ParamSources).Select(Canon).ToList();
                string key = StepKey(step, sources);
                if (options.MergeIdenticalSteps && firstByKey.TryGetValue(key, out var first))
                {
                    _canonical[step.Id] = first;
                    _merged[first].Add(step.Id);
                    continue;
                }

                firstByKey[key] = step.Id;
                _canonical[step.Id] = step.Id;
                _merged[step.Id] = [];
                _candidates.Add((step, sources));
            }
        }

        /// <summary>What the outputs read, and everything those values need; other steps are skipped (XRF5001).</summary>
        public void FindNeededValues()
        {
            foreach (var output in recipe.Outputs)
            {
                foreach (var from in OutputSources(output))
                {
                    string c = Canon(from);
                    if (!_outputValues.Contains(c))
                    {
                        _outputValues.Add(c);
                    }
                }
            }

            var sourcesOf = _candidates.ToDictionary(c => c.Step.Id, c => c.Sources, StringComparer.Ordinal);
            var stack = new Stack<string>(_outputValues);
            while (stack.Count > 0)
            {
                string v = stack.Pop();
                if (_needed.Add(v) && sourcesOf.TryGetValue(v, out var srcs))
                {
                    foreach (var s in srcs)
                    {
                        stack.Push(s);
                    }
                }
            }

            foreach (var step in recipe.Steps)
            {
                if (!_needed.Contains(_canonical[step.Id]))
                {
                    _skipped.Add(step.Id);
                    if (!step.Accepted.Contains(DiagnosticCodes.UnusedStep.Code))
                    {
                        _diagnostics.Add(DiagnosticCodes.UnusedStep.Create(step.Location, step.Id));
                    }
                }
            }
        }

        /// <summary>Nodes in file order, each with its level (longest path from the inputs) and its inferred shape.</summary>
        public void BuildNodes()
        {
            var shapes = new Dictionary<string, ValueInfo>(StringComparer.Ordinal);
            var levels = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var input in recipe.Inputs)
            {
                var bound = input.Kind == InputKind.Stack ? ValueInfo.Stack : ValueInfo.Image;
                var s = inputShapes is not null && inputShapes.TryGetValue(input.Name, out var known) ? known : bound;
                _inputShapes[input.Name] = s;
                shapes[input.Name] = s;
                levels[input.Name] = 0;
            }

            foreach (var (step, sources) in _candidates)
            {
                if (!_needed.Contains(step.Id))
                {
                    continue;
                }

                var node = new PlanNode { Index = _nodes.Count, Id = step.Id, Step = step, Sources = sources, MergedIds = _merged[step.Id] };
                node.Level = 1 + sources.Select(s => levels.GetValueOrDefault(s)).DefaultIfEmpty(0).Max();
                levels[step.Id] = node.Level;
                node.Shape = Infer(step, sources.Take(step.Inputs.Count).Select(s => shapes.GetValueOrDefault(s) ?? ValueInfo.Image).ToList());
                shapes[step.Id] = node.Shape;
                _nodes.Add(node);
            }
        }

        /// <summary>
        /// Chains of fusible steps where each step reads only the previous one, which nothing else reads and no
        /// output writes: one pass over the data, block by block.
        /// </summary>
        public void FuseElementwiseChains()
        {
            if (!options.FuseElementwise)
            {
                return;
            }

            var readers = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var node in _nodes)
            {
                foreach (var s in node.Sources.Distinct(StringComparer.Ordinal))
                {
                    readers[s] = readers.GetValueOrDefault(s) + 1;
                }
            }

            var current = new List<PlanNode>();
            void Close()
            {
                if (current.Count >= 2)
                {
                    foreach (var n in current)
                    {
                        n.Chain = _chains.Count;
                    }

                    _chains.Add(new FusedChain(current.Select(n => n.Id).ToList()));
                }

                current = [];
            }

            foreach (var node in _nodes)
            {
                bool fusible = IsFusible(node.Step);
                if (fusible && current.Count > 0)
                {
                    var prev = current[^1];
                    bool linked = node.Sources.Count == 1 && node.Sources[0] == prev.Id
                        && readers.GetValueOrDefault(prev.Id) == 1 && !_outputValues.Contains(prev.Id);
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

        public Plan ToPlan() => new()
        {
            Recipe = recipe,
            Nodes = _nodes,
            Skipped = _skipped,
            Canonical = _canonical,
            FusedChains = _chains,
            InputShapes = _inputShapes,
            Diagnostics = _diagnostics,
            OutputValues = _outputValues,
        };

        private string Canon(string name) => _canonical.TryGetValue(name, out var c) ? c : name;

        /// <summary>The op's declared shape rule on these shapes; with known shapes, its problems are errors (XRF1069).</summary>
        private ValueInfo Infer(BoundStep step, IReadOnlyList<ValueInfo> inputs)
        {
            var arrays = inputs.Where(i => !i.IsScalar).ToList();
            var context = new InferContext { StepId = step.Id, Params = step.Params, Inputs = arrays.Count > 0 ? arrays : inputs };
            var info = step.Op.Infer(context);
            if (arrays.Count > 1 && step.Op.Inputs.SameShape && arrays.All(a => a.IsKnown)
                && arrays.Any(a => a.Rows != arrays[0].Rows || a.Cols != arrays[0].Cols || a.Frames != arrays[0].Frames))
            {
                context.Problem($"the inputs must have one shape; they are {string.Join(", ", arrays.Select(a => a.ToString()))}");
            }

            foreach (var (message, param) in context.Problems)
            {
                var at = param is not null && step.ParamLocations.TryGetValue(param, out var loc) ? loc : step.Location;
                _diagnostics.Add(DiagnosticCodes.ShapeProblem.Create(at, step.Id, message));
            }

            return info;
        }
    }
}

using System.Globalization;
using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Planning;

/// <summary>Options that change how a recipe is planned.</summary>
public sealed record PlanOptions
{
    /// <summary>Merge identical steps (same op, inputs and parameters) into one computation.</summary>
    public bool MergeIdenticalSteps { get; init; } = true;

    /// <summary>Run chains of element-wise steps as one blocked pass.</summary>
    public bool FuseElementwise { get; init; } = true;

    /// <summary>Run groups of stencil and element-wise steps (filters -> hypot -> ...) band of rows by band of rows.</summary>
    public bool FuseRowBands { get; init; } = true;

    /// <summary>With known shapes, a step whose output would have more pixels is refused (XRF1069): `--max-pixels`.</summary>
    public long MaxPixels { get; init; } = XRayFlow.Core.Codecs.ImageReadOptions.Default.MaxPixels;

    /// <summary>No fusion at all (`--no-fuse`): every step computes its whole value, as before fusion existed.</summary>
    public static PlanOptions NoFusion { get; } = new() { FuseElementwise = false, FuseRowBands = false };
}

/// <summary>
/// Turns a bound recipe into a <see cref="Plan"/>, in named passes: identical steps computed once, steps that reach
/// no output skipped (XRF5001), nodes in file order (which is topological: a step reads only inputs and earlier
/// steps) with their parallel level and their shape from each op's declaration (problems known shapes reveal:
/// XRF1069), then chains of element-wise steps fused. Arrays are recycled at run time by the executor's pool.
/// </summary>
public static class Planner
{
    /// <summary>
    /// The most rows a row-band group may compute around each band beyond the band itself (its halo, above and below
    /// together). Each stencil step of a chain widens the rows the steps before it must compute, every band again:
    /// 40 gaussian_filter sigma 8 steps on a 4096 x 4096 image computed some 2,600 rows for each band of 256, took
    /// 13 s and 3 GB where the steps one after the other take 2.9 s and 275 MB. A step that would take a group past
    /// this starts the next group instead (e.g. gaussian_filter sigma 4, 32 rows, then sobel and hypot: one group;
    /// two sigma-4 Gaussians: two).
    /// </summary>
    public const int MaxGroupHalo = 40;

    public static Plan Create(BoundRecipe recipe, IReadOnlyDictionary<string, ValueInfo>? inputShapes = null, PlanOptions? options = null)
    {
        var pass = new Passes(recipe, inputShapes, options ?? new PlanOptions());
        pass.MergeIdenticalSteps();
        pass.FindNeededValues();
        pass.BuildNodes();
        pass.FuseRowBandGroups();
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

    /// <summary>
    /// A step can join a row-band group when its parameters are known before the run (no `${step}`), it reads and
    /// writes real arrays of one shape, and its op gives a row-band kernel for these parameters (a stencil such as
    /// gaussian_filter or sobel, hypot, two-array arithmetic) or is a fusible element-wise step.
    /// </summary>
    public static bool IsBandFusible(BoundStep step)
        => step.ParamSources.Count == 0
           && step.Inputs.Count >= 1
           && step.Op.Output == OutputKind.SameAsInput
           && !step.Info.IsComplex
           && step.InputInfos.All(i => !i.IsComplex && !i.IsScalar)
           && BandKernel(step, step.Params) is not null;

    /// <summary>The row-band kernel of a step with these (resolved) parameters: the op's own, else its pointwise kernel over bands; or null.</summary>
    public static IRowBandKernel? BandKernel(BoundStep step, IReadOnlyDictionary<string, object?> parameters)
    {
        var p = new ParamValues { StepId = step.Id, Params = parameters };
        try
        {
            if (step.Op.RowBand is { } band && band(p) is { } kernel)
            {
                return kernel;
            }

            return IsFusible(step) && step.Op.Pointwise!(p) is { } pointwise ? PointwiseBands.Of(pointwise) : null;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidCastException or FormatException or DeferredParameterException)
        {
            return null;
        }
    }

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
        double d => "d:" + RoundTrip.Format(d),
        float f => "d:" + RoundTrip.Format(f),
        int i => "i:" + i.ToString(CultureInfo.InvariantCulture),
        long l => "i:" + l.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        string s => "s:" + s.Length.ToString(CultureInfo.InvariantCulture) + ":" + s,
        double[] ds => "[" + string.Join(",", ds.Select(d => RoundTrip.Format(d))) + "]",
        int[] ints => "[" + string.Join(",", ints.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]",
        ExpressionValue e => e.Text is { } t ? "e:" + t.Length.ToString(CultureInfo.InvariantCulture) + ":" + t : "d:" + RoundTrip.Format(e.Number!.Value),
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
        /// Row-band groups, from the last node back: a band-fusible node is a group's last step (the value the rest
        /// of the plan reads); a band-fusible node it reads joins when every reader of that node is in the group
        /// and no output writes it (so it never needs to exist whole). Global reductions (normalize, stats,
        /// histograms, thresholds) have no row-band kernel: they are the barriers between groups. A group is kept
        /// when it has two steps or more and one of them is something an element-wise chain cannot run (a stencil,
        /// two inputs); its steps are then moved next to its last step (legal: nothing outside reads them).
        /// </summary>
        public void FuseRowBandGroups()
        {
            if (!options.FuseRowBands)
            {
                return;
            }

            var byId = _nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
            var readers = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            foreach (var node in _nodes)
            {
                foreach (var src in node.Sources)
                {
                    if (!readers.TryGetValue(src, out var set))
                    {
                        readers[src] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(node.Id);
                }
            }

            // Each fusible step's kernel halo (rows above, below), found once: growing groups and their halos read it.
            var halos = new Dictionary<string, (int B, int A)>(StringComparer.Ordinal);
            foreach (var n in _nodes.Where(n => IsBandFusible(n.Step)))
            {
                var kernel = BandKernel(n.Step, n.Step.Params)!;
                halos[n.Id] = (Math.Max(0, kernel.Before), Math.Max(0, kernel.After));
            }

            var fusible = halos.Keys.ToHashSet(StringComparer.Ordinal);
            var outputs = _outputValues.ToHashSet(StringComparer.Ordinal);
            var taken = new HashSet<string>(StringComparer.Ordinal);
            var passedOver = new HashSet<string>(StringComparer.Ordinal);
            var groups = new List<List<PlanNode>>();
            for (int i = _nodes.Count - 1; i >= 0; i--)
            {
                var last = _nodes[i];
                if (!fusible.Contains(last.Id) || taken.Contains(last.Id) || passedOver.Contains(last.Id))
                {
                    continue;
                }

                var members = GrowGroup(last.Id, byId, readers, fusible, halos, taken, outputs);
                var group = _nodes.Where(n => members.Contains(n.Id)).ToList();
                if (group.Count >= 2 && group.Any(n => !IsFusible(n.Step)))
                {
                    taken.UnionWith(members);
                    groups.Add(group);
                }
                else
                {
                    // A member's own group would be a subset of this one (it grows from fewer members), so it would be
                    // passed over too: not trying them keeps a long element-wise chain linear (it was cubic: 4,000 steps
                    // took minutes to plan).
                    passedOver.UnionWith(members);
                }
            }

            if (groups.Count == 0)
            {
                return;
            }

            // Number the groups in plan order, move each group's steps next to its last step, renumber the nodes.
            groups.Reverse();
            var groupOfLast = new Dictionary<string, List<PlanNode>>(StringComparer.Ordinal);
            foreach (var group in groups)
            {
                foreach (var n in group)
                {
                    n.Chain = _chains.Count;
                }

                var (before, after) = Halo(group, halos);
                _chains.Add(new FusedChain(group.Select(n => n.Id).ToList(), Banded: true, before, after));
                groupOfLast[group[^1].Id] = group;
            }

            var ordered = new List<PlanNode>(_nodes.Count);
            foreach (var node in _nodes)
            {
                if (groupOfLast.TryGetValue(node.Id, out var group))
                {
                    ordered.AddRange(group);
                }
                else if (node.Chain < 0)
                {
                    ordered.Add(node);
                }
            }

            _nodes.Clear();
            _nodes.AddRange(ordered);
            for (int k = 0; k < _nodes.Count; k++)
            {
                _nodes[k].Index = k;
            }
        }

        /// <summary>
        /// The group ending at <paramref name="last"/>: the smallest set holding it and every fusible, untaken, non-output
        /// input of a member whose readers are all members. Found with a work list (each member's sources looked at
        /// once, a source joining when the count of its readers inside reaches all of them), in time linear in the
        /// group's edges; the same set as growing until nothing changes.
        /// </summary>
        private static HashSet<string> GrowGroup(
            string last, Dictionary<string, PlanNode> byId, Dictionary<string, HashSet<string>> readers,
            HashSet<string> fusible, Dictionary<string, (int B, int A)> halos, HashSet<string> taken, HashSet<string> outputs)
        {
            var members = new HashSet<string>(StringComparer.Ordinal) { last };
            var readersInside = new Dictionary<string, int>(StringComparer.Ordinal);
            var inputOfMember = new HashSet<string>(StringComparer.Ordinal);

            // reach: the rows above and below a band of the last step that a member must compute (the halos of the
            // members between it and the last step, added along the longest path), final when the member joins,
            // since a source joins only once all its readers have.
            var reach = new Dictionary<string, (int B, int A)>(StringComparer.Ordinal) { [last] = (0, 0) };
            var work = new Queue<string>([last]);
            while (work.Count > 0)
            {
                var node = byId[work.Dequeue()];
                var (b, a) = reach[node.Id];
                b += halos[node.Id].B;
                a += halos[node.Id].A;
                inputOfMember.UnionWith(node.InputSources); // InputSources are a prefix of Sources
                foreach (var src in node.Sources.Distinct(StringComparer.Ordinal))
                {
                    if (node.InputSources.Contains(src, StringComparer.Ordinal))
                    {
                        var r = reach.GetValueOrDefault(src);
                        reach[src] = (Math.Max(r.B, b), Math.Max(r.A, a));
                    }

                    int inside = readersInside[src] = readersInside.GetValueOrDefault(src) + 1;
                    if (!members.Contains(src) && inputOfMember.Contains(src) && fusible.Contains(src) && !taken.Contains(src) && !outputs.Contains(src)
                        && inside == readers[src].Count && WithinHalo(reach[src], halos[src]))
                    {
                        members.Add(src);
                        work.Enqueue(src);
                    }
                }
            }

            return members;
        }

        /// <summary>
        /// Whether a source computing <paramref name="reach"/> rows around each band of the group's last step beyond the
        /// band itself keeps the group's halo (those rows plus its own kernel's, <paramref name="own"/>, above and below
        /// together) within <see cref="MaxGroupHalo"/>.
        /// </summary>
        private static bool WithinHalo((int B, int A) reach, (int B, int A) own)
            => (long)reach.B + reach.A + own.B + own.A <= MaxGroupHalo;

        /// <summary>How many rows above and below a band of the group's last step the group reads of its inputs.</summary>
        private static (int Before, int After) Halo(List<PlanNode> group, Dictionary<string, (int B, int A)> halos)
        {
            var ids = group.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            var reach = new Dictionary<string, (int B, int A)>(StringComparer.Ordinal) { [group[^1].Id] = (0, 0) };
            int before = 0, after = 0;
            for (int k = group.Count - 1; k >= 0; k--)
            {
                var node = group[k];
                var (b, a) = reach.GetValueOrDefault(node.Id);
                b += halos[node.Id].B;
                a += halos[node.Id].A;
                foreach (var src in node.InputSources)
                {
                    if (ids.Contains(src))
                    {
                        var r = reach.GetValueOrDefault(src);
                        reach[src] = (Math.Max(r.B, b), Math.Max(r.A, a));
                    }
                    else
                    {
                        before = Math.Max(before, b);
                        after = Math.Max(after, a);
                    }
                }
            }

            return (before, after);
        }

        /// <summary>
        /// Chains of fusible steps where each step reads only the previous one, which nothing else reads and no
        /// output writes: one pass over the data, block by block. Steps already in a row-band group stay there.
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
                bool fusible = IsFusible(node.Step) && node.Chain < 0;
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
            var context = new InferContext { StepId = step.Id, Params = step.Params, Inputs = arrays.Count > 0 ? arrays : inputs, MaxPixels = options.MaxPixels };
            var info = step.Op.Infer(context);

            // Complex known from a file's header only (a complex64 .npy): the binder saw an image; the op refuses it.
            if (!step.Op.Inputs.AcceptsComplex && arrays.FindIndex(a => a.IsComplex) is var complex and >= 0)
            {
                context.Problem(step.Op.ComplexInputProblem(complex));
            }

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

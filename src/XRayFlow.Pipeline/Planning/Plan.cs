using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Planning;

/// <summary>One unit of work of a plan: a step (or several identical steps computed once).</summary>
public sealed class PlanNode
{
    /// <summary>Position in execution order (0-based).</summary>
    public int Index { get; internal set; }

    /// <summary>The id of the step this node computes (the first, in file order, of identical steps).</summary>
    public required string Id { get; init; }

    public required BoundStep Step { get; init; }

    /// <summary>
    /// Values read, as canonical names (an input name or the id of another node): first the op's inputs (as many as
    /// <see cref="BoundStep.Inputs"/>), then the scalar steps its parameters read (`${step}`).
    /// </summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>The op's own inputs (the first <c>Step.Inputs.Count</c> of <see cref="Sources"/>).</summary>
    public IEnumerable<string> InputSources => Sources.Take(Step.Inputs.Count);

    /// <summary>Later steps identical to this one (same op, inputs and parameters): computed once, here.</summary>
    public IReadOnlyList<string> MergedIds { get; internal set; } = [];

    /// <summary>Longest path from the inputs: nodes of one level never depend on each other.</summary>
    public int Level { get; internal set; }

    /// <summary>The index in <see cref="Plan.FusedChains"/> of the chain this node belongs to, or -1.</summary>
    public int Chain { get; internal set; } = -1;

    /// <summary>The output's kind and shape (shape 0 x 0 when the inputs' shapes are unknown).</summary>
    public ValueInfo Shape { get; internal set; } = ValueInfo.Image;
}

/// <summary>
/// Steps run as one pass over the data, intermediates never whole: a chain of one-input element-wise steps runs block
/// by block; a group (<see cref="Banded"/>) of stencil and element-wise steps whose last step alone is read from
/// outside runs band of rows by band of rows, each step computing the rows the next ones read (docs/runner.md).
/// </summary>
/// <param name="NodeIds">The steps in execution order; the last one is the value the rest of the plan reads.</param>
/// <param name="Banded">A row-band group (else an element-wise chain).</param>
/// <param name="HaloBefore">For a group: the rows above a band of the last step that the group reads of its inputs.</param>
/// <param name="HaloAfter">For a group: the rows below.</param>
public sealed record FusedChain(IReadOnlyList<string> NodeIds, bool Banded = false, int HaloBefore = 0, int HaloAfter = 0);

/// <summary>A recipe turned into work: order, parallel levels, skipped and merged steps, fused chains, shapes.</summary>
public sealed class Plan
{
    public required BoundRecipe Recipe { get; init; }

    /// <summary>Nodes in execution (file, topological) order.</summary>
    public required IReadOnlyList<PlanNode> Nodes { get; init; }

    /// <summary>Steps that reach no output and are not computed.</summary>
    public required IReadOnlyList<string> Skipped { get; init; }

    /// <summary>Every step id and input name -> the canonical value name that holds its value.</summary>
    public required IReadOnlyDictionary<string, string> Canonical { get; init; }

    public required IReadOnlyList<FusedChain> FusedChains { get; init; }

    /// <summary>Shapes of the inputs the plan was made for (unknown ones print as `?`).</summary>
    public required IReadOnlyDictionary<string, ValueInfo> InputShapes { get; init; }

    /// <summary>Warnings found while planning (XRF5001 unused steps) and, with known shapes, shape errors (XRF1069).</summary>
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }

    /// <summary>Values that outputs read (canonical names), kept to the end of the run.</summary>
    public required IReadOnlyList<string> OutputValues { get; init; }

    /// <summary>The plan's shape errors (known input shapes that a step cannot take).</summary>
    public bool HasErrors => Diagnostics.Any(d => d.IsError);

    /// <summary>The canonical name holding the value of a step id or an input name.</summary>
    public string Resolve(string name) => Canonical.TryGetValue(name, out var c) ? c : name;

    public PlanNode? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>The shape of a value (input or node) by canonical or step name.</summary>
    public ValueInfo ShapeOf(string name)
    {
        string c = Resolve(name);
        if (InputShapes.TryGetValue(c, out var s))
        {
            return s;
        }

        return Node(c)?.Shape ?? ValueInfo.Image;
    }
}

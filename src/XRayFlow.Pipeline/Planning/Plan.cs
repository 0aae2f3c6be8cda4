using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Planning;

/// <summary>What is known about the shape of a value before it is computed.</summary>
/// <param name="Frames">Frames of a stack (1 for an image).</param>
/// <param name="Rows">Rows, or 0 when unknown.</param>
/// <param name="Cols">Columns, or 0 when unknown.</param>
/// <param name="IsStack">Rank 3 (N x H x W).</param>
/// <param name="IsComplex">Complex (an fft2 result).</param>
/// <param name="IsTable">A table of scalars, not an array.</param>
public sealed record ShapeInfo(int Frames, int Rows, int Cols, bool IsStack, bool IsComplex = false, bool IsTable = false)
{
    /// <summary>Nothing known yet (inputs not bound).</summary>
    public static ShapeInfo Unknown { get; } = new(0, 0, 0, false);

    public static ShapeInfo Table { get; } = new(0, 0, 0, false, IsTable: true);

    public bool IsKnown => IsTable || (Rows > 0 && Cols > 0);

    public static ShapeInfo Of(ImageArray a) => new(a.Frames, a.Rows, a.Cols, a.IsStack, a.IsComplex);

    /// <summary>`1024x1024 float32`, `9x1024x1024 complex64`, `table` or `?`.</summary>
    public override string ToString()
    {
        if (IsTable)
        {
            return "table";
        }

        if (!IsKnown)
        {
            return "?";
        }

        string dims = IsStack ? $"{Frames}x{Rows}x{Cols}" : $"{Rows}x{Cols}";
        return $"{dims} {(IsComplex ? "complex64" : "float32")}";
    }
}

/// <summary>One unit of work of a plan: a step (or several identical steps computed once).</summary>
public sealed class PlanNode
{
    /// <summary>Position in execution order (0-based).</summary>
    public required int Index { get; init; }

    /// <summary>The id of the step this node computes (the first, in file order, of identical steps).</summary>
    public required string Id { get; init; }

    public required BoundStep Step { get; init; }

    /// <summary>Values read, as canonical names (an input name or the id of another node).</summary>
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>Later steps identical to this one (same op, inputs and parameters): computed once, here.</summary>
    public IReadOnlyList<string> MergedIds { get; internal set; } = [];

    /// <summary>Longest path from the inputs: nodes of one level never depend on each other.</summary>
    public int Level { get; internal set; }

    /// <summary>The index in <see cref="Plan.FusedChains"/> of the chain this node belongs to, or -1.</summary>
    public int Chain { get; internal set; } = -1;

    /// <summary>Values whose last reader is this node: released (returned to the pool) once it has run.</summary>
    public IReadOnlyList<string> Releases { get; internal set; } = [];

    /// <summary>The buffer slot the output occupies (see <see cref="Plan.Buffers"/>).</summary>
    public int Buffer { get; internal set; } = -1;

    public ShapeInfo Shape { get; internal set; } = ShapeInfo.Unknown;
}

/// <summary>Element-wise steps run as one pass over the data, block by block (intermediates stay in cache).</summary>
public sealed record FusedChain(IReadOnlyList<string> NodeIds);

/// <summary>A buffer slot of the memory plan: the values that occupy it one after another.</summary>
public sealed record BufferSlot(int Index, ShapeInfo Shape, IReadOnlyList<string> Values);

/// <summary>A recipe turned into work: order, skipped and merged steps, fused chains, buffer lifetimes.</summary>
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

    public required IReadOnlyList<BufferSlot> Buffers { get; init; }

    /// <summary>Shapes of the inputs the plan was made for (unknown ones print as `?`).</summary>
    public required IReadOnlyDictionary<string, ShapeInfo> InputShapes { get; init; }

    /// <summary>Warnings found while planning (XRF5001 unused steps).</summary>
    public required IReadOnlyList<Diagnostic> Diagnostics { get; init; }

    /// <summary>Values that outputs read (canonical names), kept to the end of the run.</summary>
    public required IReadOnlyList<string> OutputValues { get; init; }

    /// <summary>The canonical name holding the value of a step id or an input name.</summary>
    public string Resolve(string name) => Canonical.TryGetValue(name, out var c) ? c : name;

    public PlanNode? Node(string id) => Nodes.FirstOrDefault(n => n.Id == id);

    /// <summary>The shape of a value (input or node) by canonical or step name.</summary>
    public ShapeInfo ShapeOf(string name)
    {
        string c = Resolve(name);
        if (InputShapes.TryGetValue(c, out var s))
        {
            return s;
        }

        return Node(c)?.Shape ?? ShapeInfo.Unknown;
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Execution;

/// <summary>
/// Sees every value of one run of a plan as it is produced, before the executor releases it to the pool (the run
/// report's thumbnails and statistics come from here: no second run). Optional: a run without an observer pays
/// nothing but a null check per node and per fused block.
/// </summary>
/// <remarks>
/// Calls come from the executor's worker threads, several at once when nodes run in parallel. The arrays are lent
/// for the duration of the call only: an observer reads them and keeps nothing that points into them.
/// </remarks>
public interface IValueObserver
{
    /// <summary>An input (by its name) or the value of a plan node (by the node's id), whole.</summary>
    void Produced(string id, Value value);

    /// <summary>
    /// A step of a fused chain other than the last: its values exist only one block at a time. Returns where to
    /// send those blocks, or null to skip the step.
    /// </summary>
    /// <param name="id">The node's id.</param>
    /// <param name="shape">The shape of the step's value (the chain's input; do not read its pixels).</param>
    IFusedValueSink? Fused(string id, ImageArray shape);
}

/// <summary>Receives the blocks of one fused-chain step's values (in any order, possibly from several threads at once).</summary>
public interface IFusedValueSink
{
    /// <summary>The values of pixels <paramref name="start"/> .. start + values.Length - 1 (flat C-order index).</summary>
    void Block(int start, ReadOnlySpan<float> values);

    /// <summary>Every block was sent.</summary>
    void Completed();
}

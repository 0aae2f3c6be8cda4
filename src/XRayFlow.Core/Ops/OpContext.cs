using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

/// <summary>Everything an op's Execute sees: its inputs, its parameters (every `${step}` already resolved) and its budget.</summary>
public sealed class OpContext : ParamValues
{
    public required IReadOnlyList<Value> Inputs { get; init; }

    /// <summary>The most pixels the step's output may have (<see cref="InferContext.MaxPixels"/>): checked before it runs.</summary>
    public long MaxPixels { get; init; } = OpDefinition.MaxOutputPixels;

    /// <summary>Variable names of the inputs for expression ops (`x` when a single unnamed input).</summary>
    public IReadOnlyList<string> InputNames { get; init; } = [];

    /// <summary>The step's compiled expressions, when the op has expression parameters given as text.</summary>
    public IExpressionKernel? Kernel { get; init; }

    /// <summary>Values of the names an expression reads besides the pixels: the recipe's params, then scalar inputs, in the order the kernel was compiled with.</summary>
    public double[] RecipeParams { get; init; } = [];

    /// <summary>Degree of parallelism for this step (1 = single thread).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// The executor's word that nothing reads the first input after this step (not an output, not the caller's, not
    /// shared with another value): an op that declares <see cref="OpDefinition.InPlace"/> may then write its result
    /// into that input's arrays instead of renting new ones (one image less at the peak).
    /// </summary>
    public bool MayReuseInput { get; init; }

    public CancellationToken Cancellation { get; init; }

    /// <summary>Input <paramref name="index"/> as an array.</summary>
    public ImageArray Array(int index = 0) => Inputs[index] is ArrayValue a
        ? a.Array
        : throw new InvalidOperationException($"step '{StepId}': input {index + 1} is {ValueInfo.Of(Inputs[index]).Article}, not an array");

    /// <summary>Every input as an array.</summary>
    public IReadOnlyList<ImageArray> Arrays()
    {
        var list = new ImageArray[Inputs.Count];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = Array(i);
        }

        return list;
    }

    public ParallelOptions Parallel => new()
    {
        MaxDegreeOfParallelism = Math.Max(1, Threads),
        CancellationToken = Cancellation,
    };
}

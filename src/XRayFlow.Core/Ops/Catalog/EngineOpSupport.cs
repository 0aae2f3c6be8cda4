using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

/// <summary>Input checks shared by the engine ops (fourier, arithmetic, expression, statistics).</summary>
internal static class EngineOpSupport
{
    public static IReadOnlyList<ImageArray> Arrays(OpContext ctx)
    {
        var list = new ImageArray[ctx.Inputs.Count];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = ctx.Array(i);
        }

        return list;
    }

    public static void RequireSameShape(OpContext ctx, IReadOnlyList<ImageArray> arrays)
    {
        for (int i = 1; i < arrays.Count; i++)
        {
            if (!arrays[i].SameShape(arrays[0]))
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': input {i + 1} has shape {arrays[i].ShapeText}, input 1 has {arrays[0].ShapeText}; the inputs must have one shape");
            }
        }
    }

    public static void RequireReal(OpContext ctx, ImageArray a, string op)
    {
        if (a.IsComplex)
        {
            throw new InvalidOperationException($"step '{ctx.StepId}': {op} takes a real array, this input is complex (use abs, or ifft2 with part: real|imag|abs)");
        }
    }

    public static ParallelOptions Parallel(OpContext ctx) => new()
    {
        MaxDegreeOfParallelism = Math.Max(1, ctx.Threads),
        CancellationToken = ctx.Cancellation,
    };
}

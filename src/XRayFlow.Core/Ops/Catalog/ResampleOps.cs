using XRayFlow.Core.Kernels;

namespace XRayFlow.Core.Ops;

public static partial class OpCatalog
{
    /// <summary>downsample: integer-factor block mean (see <see cref="Downsample.BlockMean"/> for the exact meaning).</summary>
    public static OpDefinition DownsampleOp { get; } = new()
    {
        Name = "downsample",
        Summary = "Shrinks by an integer factor: each output pixel is the mean of a factor x factor block (computed in double); trailing rows/columns that do not fill a block are dropped; a stack frame by frame.",
        Reference = "x[:R//f*f, :C//f*f].reshape(R//f, f, C//f, f).mean(axis=(1, 3))",
        Inputs = InputSpec.One,
        Category = "display",
        Params =
        [
            new ParamSpec("factor", ParamType.Int, "Block size: the output has rows // factor rows and cols // factor columns.") { Default = 2, Min = 1, Max = 1024 },
        ],
        Execute = ctx =>
        {
            try
            {
                return new ArrayValue(Downsample.BlockMean(ctx.Array(), ctx.Int("factor")));
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': {e.Message}", e);
            }
        },
    };
}

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

public static partial class OpCatalog
{
    /// <summary>abs: |x| element-wise (numpy.abs; on a complex array, the modulus).</summary>
    public static OpDefinition Abs { get; } = new()
    {
        Name = "abs",
        Summary = "Absolute value of each pixel (the modulus of a complex array).",
        Reference = "numpy.abs",
        Inputs = InputSpec.One,
        Category = "arithmetic",
        IsElementwise = true,
        Execute = ctx =>
        {
            var src = ctx.Array();
            var dst = ImageArray.Rent(src);
            if (src.Imag is { } im)
            {
                for (int k = 0; k < src.Length; k++)
                {
                    dst.Data[k] = (float)Math.Sqrt(((double)src.Data[k] * src.Data[k]) + ((double)im[k] * im[k]));
                }
            }
            else
            {
                XRayFlow.Core.Ops.Kernels.PixelKernels.Blocked(src.Data, dst.Data, ctx.Threads, static (x, d) => XRayFlow.Core.Ops.Kernels.PixelKernels.AbsSimd(x, d));
            }

            return new ArrayValue(dst);
        },
    };
}

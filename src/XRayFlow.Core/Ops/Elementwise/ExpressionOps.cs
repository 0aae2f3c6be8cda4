using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Elementwise;

/// <summary>Per-pixel inline C# expressions (compiled by XRayFlow.Scripting; the executor hands over the kernel).</summary>
[OpFamily(OpFamily.Elementwise)]
public static class ExpressionOps
{
    /// <summary>where: cond ? then : else per pixel (numpy.where).</summary>
    public static OpDefinition Where { get; } = new()
    {
        Name = "where",
        Summary = "Per pixel: `then` where `cond` is true, else `else` (numpy.where); each part is an inline C# expression or a number. With only scalar inputs, one number per image.",
        Reference = "numpy.where",
        Inputs = InputSpec.Named,
        IsElementwise = true,
        Params =
        [
            new ParamSpec("cond", ParamType.Expression, "Condition per pixel (bool), e.g. \"x > threshold\"; a number means nonzero = true.")
            {
                Required = true,
                IsCondition = true,
            },
            new ParamSpec("then", ParamType.Expression, "Value where cond is true (expression or number).") { Required = true },
            new ParamSpec("else", ParamType.Expression, "Value where cond is false (expression or number).") { Required = true },
        ],
        Execute = ctx =>
        {
            var cond = ctx.Get<ExpressionValue>("cond");
            var then = ctx.Get<ExpressionValue>("then");
            var otherwise = ctx.Get<ExpressionValue>("else");
            if (ctx.Kernel is null && cond.IsNumber && then.IsNumber && otherwise.IsNumber)
            {
                float v = (float)(cond.Number!.Value != 0 ? then.Number!.Value : otherwise.Number!.Value);
                return Filled(ctx, v);
            }

            return RunKernel(ctx);
        },
    };

    /// <summary>map: one expression per pixel over named inputs.</summary>
    public static OpDefinition Map { get; } = new()
    {
        Name = "map",
        Summary = "Per pixel: the value of an inline C# expression over the named inputs (`in: {a: gx, b: gy}`), i, j, rows, cols and params. With only scalar inputs (`in: {a: otsu, b: p99}`), one number per image.",
        Reference = "numpy element-wise expression",
        Inputs = InputSpec.Named,
        IsElementwise = true,
        Params =
        [
            new ParamSpec("expr", ParamType.Expression, "The value per pixel, e.g. \"MathF.Sqrt(a * a + b * b)\".") { Required = true },
        ],
        Execute = ctx =>
        {
            var expr = ctx.Get<ExpressionValue>("expr");
            if (ctx.Kernel is null && expr.IsNumber)
            {
                return Filled(ctx, (float)expr.Number!.Value);
            }

            return RunKernel(ctx);
        },
    };

    /// <summary>The value everywhere; with no array input (every `in` variable a scalar) the one number.</summary>
    private static Value Filled(OpContext ctx, float value)
    {
        if (ctx.Inputs.Count == 0)
        {
            return new ScalarValue(value);
        }

        var dst = ImageArray.Rent(ctx.Array(0));
        Array.Fill(dst.Data, value);
        return new ArrayValue(dst);
    }

    /// <summary>
    /// Runs the step's compiled kernel frame by frame. The kernel reads inputs[i][offset + k] and writes
    /// output[k] for k in [0, rows*cols): output is a buffer of one frame. A step whose `in` variables are all
    /// scalars (the executor passes them as values, not inputs) has no array: the kernel runs once, on a 1 x 1
    /// frame, and the step's value is that number (the binder refuses i, j, rows and cols there, XRF1074).
    /// </summary>
    private static Value RunKernel(OpContext ctx)
    {
        var kernel = ctx.Kernel
            ?? throw new InvalidOperationException($"step '{ctx.StepId}': expression text but no compiled kernel (the recipe's expressions were not compiled)");
        if (ctx.Inputs.Count == 0)
        {
            var one = new float[1];
            try
            {
                kernel.Run([], 0, one, 1, 1, ctx.RecipeParams);
            }
            catch (ExpressionRuntimeException ex)
            {
                throw new OpRefusedException(ctx.StepId, "expression failed: " + ex.Reason); // no pixel to name
            }

            return new ScalarValue(one[0]);
        }

        return new ArrayValue(RunArrays(ctx, kernel));
    }

    private static ImageArray RunArrays(OpContext ctx, IExpressionKernel kernel)
    {
        var arrays = ctx.Arrays();
        var first = arrays[0];
        var dst = ImageArray.Rent(first);
        var data = arrays.Select(a => a.Data).ToArray();
        if (first.Frames == 1)
        {
            kernel.Run(data, 0, dst.Data, first.Rows, first.Cols, ctx.RecipeParams);
            return dst;
        }

        var frame = new float[first.FrameLength];
        for (int f = 0; f < first.Frames; f++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            kernel.Run(data, f * first.FrameLength, frame, first.Rows, first.Cols, ctx.RecipeParams);
            frame.CopyTo(dst.Frame(f));
        }

        return dst;
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Kernels;

namespace XRayFlow.Core.Ops;

public static partial class OpCatalog
{
    /// <summary>hypot: sqrt of the sum of squares of two or more arrays.</summary>
    public static OpDefinition Hypot { get; } = new()
    {
        Name = "hypot",
        Summary = "Euclidean norm of two or more arrays, pixel by pixel: sqrt(a^2 + b^2 + ...), squares summed in double.",
        Reference = "numpy.hypot",
        Inputs = InputSpec.TwoOrMore,
        Category = "arithmetic",
        IsElementwise = true,
        Execute = ctx =>
        {
            var arrays = EngineOpSupport.Arrays(ctx);
            EngineOpSupport.RequireSameShape(ctx, arrays);
            foreach (var a in arrays)
            {
                EngineOpSupport.RequireReal(ctx, a, "hypot");
            }

            var dst = ImageArray.Rent(arrays[0]);
            PixelKernels.Hypot([.. arrays.Select(a => a.Data)], dst.Data, ctx.Threads);
            return new ArrayValue(dst);
        },
    };

    /// <summary>normalize: rescale to 0..max by the peak or by the range.</summary>
    public static OpDefinition Normalize { get; } = new()
    {
        Name = "normalize",
        Summary = "Rescales values: peak: x * max / max(x); range: max * (x - min(x)) / (max(x) - min(x)). A zero peak or a constant image gives zeros.",
        Reference = "numpy: x * max / x.max()  or  max * (x - x.min()) / x.ptp()",
        Inputs = InputSpec.One,
        Category = "arithmetic",
        Params =
        [
            new ParamSpec("max", ParamType.Float, "The value the peak (or the top of the range) maps to.") { Default = 255.0 },
            new ParamSpec("method", ParamType.Enum, "peak: x * max / max(x); range: max * (x - min(x)) / (max(x) - min(x)).")
            {
                Default = "peak",
                Allowed = ["peak", "range"],
            },
        ],
        Execute = ctx =>
        {
            var src = ctx.Array();
            EngineOpSupport.RequireReal(ctx, src, "normalize");
            var dst = ImageArray.Rent(src);
            Normalization.Apply(src.Data, dst.Data, ctx.Float("max"), ctx.Text("method"), ctx.Threads);
            return new ArrayValue(dst);
        },
    };

    /// <summary>clip: numpy.clip.</summary>
    public static OpDefinition Clip { get; } = new()
    {
        Name = "clip",
        Summary = "Limits values to [min, max] (numpy.clip); give min, max or both. NaN stays NaN; if min > max every value becomes max.",
        Reference = "numpy.clip",
        Inputs = InputSpec.One,
        Category = "arithmetic",
        IsElementwise = true,
        Params =
        [
            new ParamSpec("min", ParamType.Float, "Lower bound (omit for none)."),
            new ParamSpec("max", ParamType.Float, "Upper bound (omit for none)."),
        ],
        Execute = ctx =>
        {
            var src = ctx.Array();
            EngineOpSupport.RequireReal(ctx, src, "clip");
            if (!ctx.Has("min") && !ctx.Has("max"))
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': clip needs min, max or both");
            }

            float lo = ctx.Has("min") ? (float)ctx.Float("min") : float.NegativeInfinity;
            float hi = ctx.Has("max") ? (float)ctx.Float("max") : float.PositiveInfinity;
            var dst = ImageArray.Rent(src);
            PixelKernels.Clip(src.Data, dst.Data, lo, hi);
            return new ArrayValue(dst);
        },
    };

    /// <summary>add: a + b, or x + value.</summary>
    public static OpDefinition Add { get; } = BinaryOp("add", "numpy.add", "Sum of two arrays (a + b), or of one array and `value` (x + value).", Arithmetic.Kind.Add);

    /// <summary>subtract: a - b, or x - value.</summary>
    public static OpDefinition Subtract { get; } = BinaryOp("subtract", "numpy.subtract", "Difference of two arrays (a - b, in the order of `in`), or x - value.", Arithmetic.Kind.Subtract);

    /// <summary>multiply: a * b, or x * value.</summary>
    public static OpDefinition Multiply { get; } = BinaryOp("multiply", "numpy.multiply", "Product of two arrays (a * b; complex arrays multiply as complex numbers), or x * value.", Arithmetic.Kind.Multiply);

    private static OpDefinition BinaryOp(string name, string reference, string summary, Arithmetic.Kind kind) => new()
    {
        Name = name,
        Summary = summary,
        Reference = reference,
        Inputs = new InputSpec(1, 2, Doc: "two arrays of one shape, or one array with `value`"),
        Category = "arithmetic",
        IsElementwise = true,
        Params =
        [
            new ParamSpec("value", ParamType.Float, "The number combined with the single input (as float32, like a NumPy scalar with a float32 array); give it only with one input."),
        ],
        Execute = ctx =>
        {
            var arrays = EngineOpSupport.Arrays(ctx);
            bool hasValue = ctx.Has("value");
            if (arrays.Count == 2 && hasValue)
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': {name} takes two inputs or one input and `value`, not both");
            }

            if (arrays.Count == 1 && !hasValue)
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': {name} with one input needs `value` (or give two inputs)");
            }

            if (arrays.Count == 2)
            {
                EngineOpSupport.RequireSameShape(ctx, arrays);
                return new ArrayValue(Arithmetic.Combine(arrays[0], arrays[1], kind, ctx.Threads));
            }

            return new ArrayValue(Arithmetic.WithScalar(arrays[0], (float)ctx.Float("value"), kind, ctx.Threads));
        },
    };
}

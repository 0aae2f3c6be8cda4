using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Elementwise;

/// <summary>Pixel-by-pixel arithmetic (NumPy's float32 ufuncs), each a <see cref="IUnaryOperator"/> or <see cref="IBinaryOperator"/> over <see cref="ElementwiseLoop"/>.</summary>
[OpFamily(OpFamily.Elementwise)]
public static class ElementwiseOps
{
    /// <summary>abs: |x| element-wise (numpy.abs; on a complex array, the modulus).</summary>
    public static OpDefinition Abs { get; } = new()
    {
        Name = "abs",
        Summary = "Absolute value of each pixel (the modulus of a complex array).",
        Reference = "numpy.abs",
        Inputs = InputSpec.One with { AcceptsComplex = true },
        IsElementwise = true,
        Shape = c => c.First with { IsComplex = false, IsFrequency = false },
        Pointwise = _ => new UnaryKernel<AbsOperator>(default),
        Execute = ctx =>
        {
            var src = ctx.Array();
            var dst = ImageArray.Rent(src, complex: false);
            if (src.Imag is { } im)
            {
                for (int k = 0; k < src.Length; k++)
                {
                    dst.Data[k] = (float)Math.Sqrt(((double)src.Data[k] * src.Data[k]) + ((double)im[k] * im[k]));
                }
            }
            else
            {
                ElementwiseLoop.Invoke(src.Data, dst.Data, ctx.Threads, default(AbsOperator));
            }

            return new ArrayValue(dst);
        },
    };

    /// <summary>hypot: sqrt of the sum of squares of two or more arrays.</summary>
    public static OpDefinition HypotOp { get; } = new()
    {
        Name = "hypot",
        Summary = "Euclidean norm of two or more arrays, pixel by pixel: sqrt(a^2 + b^2 + ...), squares summed in double. As numpy.hypot, an infinite value gives +inf even beside a NaN; every other NaN result is written as NumPy's NaN (0x7FC00000), whatever NaN the inputs hold.",
        Reference = "numpy.hypot",
        Inputs = InputSpec.TwoOrMore,
        IsElementwise = true,
        RowBand = _ => PointwiseBands.Hypotenuse,
        Execute = ctx =>
        {
            var arrays = ctx.Arrays();
            var dst = ImageArray.Rent(arrays[0]);
            Hypot.Apply([.. arrays.Select(a => a.Data)], dst.Data, ctx.Threads);
            return new ArrayValue(dst);
        },
    };

    /// <summary>normalize: rescale to 0..max by the peak or by the range.</summary>
    public static OpDefinition Normalize { get; } = new()
    {
        Name = "normalize",
        Summary = "Rescales values: peak: x * max / max(x); range: max * (x - min(x)) / (max(x) - min(x)). A zero peak or a constant image gives zeros. On a stack max(x) and min(x) are those of all frames together (numpy on the 3-D array), so the frames keep their relative brightness.",
        Reference = "numpy: x * max / x.max()  or  max * (x - x.min()) / x.ptp()",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("max", ParamType.Float, "The value the peak (or the top of the range) maps to.") { Default = 255.0 },
            new ParamSpec("method", ParamType.Enum, "peak: x * max / max(x); range: max * (x - min(x)) / (max(x) - min(x)).")
            {
                Default = "peak",
                Allowed = ["peak", "range"],
            },
        ],
        InPlace = true,
        ReadsExtremes = true,
        Execute = ctx =>
        {
            var src = ctx.Array();
            var dst = ctx.MayReuseInput && !src.IsComplex ? src : ImageArray.Rent(src);
            var known = src.IsComplex ? null : (ctx.Inputs[0] as ArrayValue)?.Extremes;
            Normalization.Apply(src.Data, dst.Data, ctx.Float("max"), ctx.Text("method"), ctx.Threads, known);
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
        IsElementwise = true,
        Params =
        [
            new ParamSpec("min", ParamType.Float, "Lower bound (omit for none)."),
            new ParamSpec("max", ParamType.Float, "Upper bound (omit for none)."),
        ],
        Rules =
        [
            new OpRule
            {
                Description = "needs min, max or both",
                Check = c => c.Has("min") || c.Has("max") ? null : "clip needs min, max or both",
                Violation = "{}",
            },
        ],
        Pointwise = p => new UnaryKernel<ClipOperator>(ClipOf(p)),
        Example = "{min: 0, max: 100}",
        Execute = ctx => RunAlone(ctx, ClipOf(ctx)),
    };

    /// <summary>digitize: numpy.digitize (kernel <see cref="DigitizeOperator"/>).</summary>
    public static OpDefinition Digitize { get; } = new()
    {
        Name = "digitize",
        Summary = "The index of the bin each value falls in (numpy.digitize): for increasing bins i with bins[i-1] <= x < bins[i] (0 below the first, len(bins) from the last on; with right, bins[i-1] < x <= bins[i]); decreasing bins count from the other end. NaN gives len(bins) for increasing bins, 0 for decreasing. With threshold_multiotsu's fields, `bins: [\"${m.t0}\", \"${m.t1}\"]` gives each pixel its class 0, 1, 2.",
        Reference = "numpy.digitize",
        Inputs = InputSpec.One,
        IsElementwise = true,
        Params =
        [
            new ParamSpec("bins", ParamType.FloatList, "The bin edges, increasing or decreasing (numpy refuses others); a `${step.field}` value each, e.g. threshold_multiotsu's") { Required = true, MinCount = 1, MaxCount = 255 },
            new ParamSpec("right", ParamType.Bool, "Whether a value equal to an edge belongs to the bin below it (numpy's right)") { Default = false },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "bins are increasing or decreasing (equal neighbours allowed), as numpy",
                At = "bins",
                Check = c => c.Doubles("bins") is { } b && DigitizeOperator.Monotonicity(b) == 0
                    ? $"digitize's bins must be monotonically increasing or decreasing (numpy refuses others); found [{string.Join(", ", b.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)))}]"
                    : null,
                Violation = "{bins: [1, 3, 2]}",
            },
        ],
        Pointwise = p => new UnaryKernel<DigitizeOperator>(DigitizeOf(p)),
        Example = "{bins: [50, 150]}",
        Execute = ctx => RunAlone(ctx, DigitizeOf(ctx)),
    };

    /// <summary>
    /// A unary element-wise op run alone (not fused): its operator over the input into a new array, block by block on
    /// the step's threads (ElementwiseLoop's driver, as abs; the fused executor runs the same operator per block).
    /// </summary>
    private static Value RunAlone<TOp>(OpContext ctx, TOp op)
        where TOp : struct, IUnaryOperator
    {
        var src = ctx.Array();
        var dst = ImageArray.Rent(src);
        ElementwiseLoop.Invoke(src.Data, dst.Data, ctx.Threads, op);
        return new ArrayValue(dst);
    }

    private static DigitizeOperator DigitizeOf(ParamValues p)
        => DigitizeOperator.Of(p.Doubles("bins") ?? throw new ArgumentException("bins is required"), p.Has("right") && p.Bool("right"));

    /// <summary>add: a + b, or x + value.</summary>
    public static OpDefinition Add { get; } = BinaryOp("add", "numpy.add", "Sum of two arrays (a + b), or of one array and `value` (x + value).", Arithmetic.Kind.Add);

    /// <summary>subtract: a - b, or x - value.</summary>
    public static OpDefinition Subtract { get; } = BinaryOp("subtract", "numpy.subtract", "Difference of two arrays (a - b, in the order of `in`), or x - value.", Arithmetic.Kind.Subtract);

    /// <summary>multiply: a * b, or x * value.</summary>
    public static OpDefinition Multiply { get; } = BinaryOp("multiply", "numpy.multiply", "Product of two arrays (a * b; complex arrays multiply as complex numbers), or x * value.", Arithmetic.Kind.Multiply);

    private static ClipOperator ClipOf(ParamValues p)
        => new(p.Has("min") ? (float)p.Float("min") : float.NegativeInfinity, p.Has("max") ? (float)p.Float("max") : float.PositiveInfinity);

    private static OpDefinition BinaryOp(string name, string reference, string summary, Arithmetic.Kind kind) => new()
    {
        Name = name,
        Summary = summary,
        Reference = reference,
        Inputs = new InputSpec(1, 2, Doc: "two arrays of one shape, or one array with `value`", AcceptsComplex: true),
        IsElementwise = true,
        KeepsDomain = true,
        Params =
        [
            new ParamSpec("value", ParamType.Float, "The number combined with the single input (as float32, like a NumPy scalar with a float32 array); give it only with one input."),
        ],
        Rules =
        [
            new OpRule
            {
                Description = "one input needs `value`",
                Check = c => c.Inputs.Count == 1 && !c.Has("value") ? $"{name} with one input needs `value` (or give two inputs)" : null,
                Violation = "{}",
            },
            new OpRule
            {
                Description = "two inputs take no `value`",
                At = "value",
                Check = c => c.Inputs.Count == 2 && c.Has("value") ? $"{name} takes two inputs or one input and `value`, not both" : null,
                Violation = "{value: 1}",
                ViolationInputs = 2,
            },
        ],
        Example = "{value: 2}",
        Pointwise = p => p.Has("value") ? Arithmetic.ValueKernel(kind, (float)p.Float("value")) : null!,
        RowBand = p => p.Has("value") ? null : Arithmetic.RowBand(kind),
        Execute = ctx =>
        {
            var arrays = ctx.Arrays();
            if (arrays.Count == 2)
            {
                return new ArrayValue(Arithmetic.Combine(arrays[0], arrays[1], kind, ctx.Threads));
            }

            return new ArrayValue(Arithmetic.WithValue(arrays[0], (float)ctx.Float("value"), kind, ctx.Threads));
        },
    };
}

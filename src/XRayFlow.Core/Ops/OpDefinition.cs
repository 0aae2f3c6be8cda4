namespace XRayFlow.Core.Ops;

/// <summary>What an op produces.</summary>
public enum OutputKind
{
    /// <summary>An array of the first input's kind (image stays image, stack stays stack); shape per <see cref="OpDefinition.Shape"/>.</summary>
    SameAsInput,

    /// <summary>A table of scalars (statistics, histogram, region table).</summary>
    Table,

    /// <summary>One 2-D image whatever the input (e.g. a montage of a stack's frames).</summary>
    Image,

    /// <summary>One number per item (a threshold, a percentile).</summary>
    Scalar,
}

/// <summary>
/// One op, declared once, in its family's file (Ops/&lt;Family&gt;/), next to its kernel. Binding (parameters, input
/// kinds, rules), planning (shapes, fusion), the JSON Schema, `xrayflow ops`, docs/ops.md and the registry-wide
/// tests all come from these declarations; nothing else in src/ names an op.
/// </summary>
public sealed class OpDefinition
{
    public required string Name { get; init; }

    /// <summary>One line: what the op computes.</summary>
    public required string Summary { get; init; }

    /// <summary>The SciPy/NumPy/skimage function whose meaning it has, if any (e.g. scipy.ndimage.sobel).</summary>
    public string? Reference { get; init; }

    /// <summary>The family (from the declaring class's <see cref="OpFamilyAttribute"/>).</summary>
    public OpFamily Family { get; internal set; }

    /// <summary>The class that declares it (its namespace is the family's folder).</summary>
    public Type? DeclaringType { get; internal set; }

    public required InputSpec Inputs { get; init; }

    public IReadOnlyList<ParamSpec> Params { get; init; } = [];

    public OutputKind Output { get; init; } = OutputKind.SameAsInput;

    /// <summary>
    /// The output's kind, shape and domain from the inputs' and the parameters (for ops that change the shape or
    /// the domain); it may report problems that known shapes reveal (<see cref="InferContext.Problem"/>). Null: the
    /// default of <see cref="Output"/> (see <see cref="Infer"/>).
    /// </summary>
    public Func<InferContext, ValueInfo>? Shape { get; init; }

    /// <summary>
    /// The work the op will do on these shapes, in elementary pixel visits (e.g. pixels x window cells for a
    /// median), when it can grow beyond the pixels themselves. With known shapes, more than <see cref="MaxCost"/>
    /// is refused before anything is allocated (at validate time when headers give the shapes, else that item
    /// fails alone): a shared recipe must not be able to hang a run.
    /// </summary>
    public Func<InferContext, double>? Cost { get; init; }

    /// <summary>The most work one step may do (about an hour of one core for the costliest kernels).</summary>
    public const double MaxCost = 1e11;

    /// <summary>The most pixels one step's output array may have (4 GiB of float32).</summary>
    public const long MaxOutputPixels = 1L << 30;

    /// <summary>The output stays in the input's domain (a Fourier-domain filter keeps a transform a transform).</summary>
    public bool KeepsDomain { get; init; }

    /// <summary>Rules across parameters and on the inputs, checked at bind time (and at run time for `${step}` values).</summary>
    public IReadOnlyList<OpRule> Rules { get; init; } = [];

    /// <summary>Pointwise: out[k] depends only on in[k] (for the docs; fusion needs <see cref="Pointwise"/>).</summary>
    public bool IsElementwise { get; init; }

    /// <summary>
    /// For element-wise ops of one real input: the kernel, made from the bound parameters, that computes any block of
    /// pixels. The planner fuses chains of such steps; the fused run calls these kernels block by block, and the op's
    /// own Execute must give the same bits.
    /// </summary>
    public Func<ParamValues, IPointwiseKernel>? Pointwise { get; init; }

    /// <summary>
    /// For ops whose output rows each depend on a few rows of their real inputs (separable filters, element-wise ops
    /// of several arrays): the row-band kernel made from the bound parameters, or null where these parameters have
    /// none (wrap mode, box kernels). The planner fuses groups of such steps and runs them band by band
    /// (docs/runner.md "Fused groups"); the op's own Execute must give the same bits on every band.
    /// </summary>
    public Func<ParamValues, IRowBandKernel?>? RowBand { get; init; }

    /// <summary>
    /// Execute may return its first input's arrays, overwritten, when <see cref="OpContext.MayReuseInput"/> (it reads
    /// every value before writing it, so the result is the same): the executor then offers it the input it would
    /// release after the step.
    /// </summary>
    public bool InPlace { get; init; }

    /// <summary>
    /// Execute uses its first input's <see cref="ArrayValue.Extremes"/> when the value carries them (normalize: its
    /// max and min), so a fused group whose result such a step reads finds them while it writes its rows, and the
    /// step does not read the whole array once more for them.
    /// </summary>
    public bool ReadsExtremes { get; init; }

    /// <summary>
    /// Execute reads an input held as bits (<see cref="Imaging.ImageArray.Mask"/>) as bits, without its float32 pixels:
    /// the executor then does not make them before the step (binary morphology; docs/runner.md "Masks as bits").
    /// </summary>
    public bool ReadsMasks { get; init; }

    /// <summary>How a table output renders as a `.png` (a histogram as a bar plot); tables without one are written as .json / .csv.</summary>
    public TablePlot Plot { get; init; }

    /// <summary>Named numbers a later step can read as `${step.field}` (a table's numeric fields, an array's attributes).</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    /// <summary>
    /// When the named numbers depend on the parameters (stats' `percentiles: [1, 99]` adds p1 and p99): the fields of
    /// a step with these parameters. Null: always <see cref="Fields"/>.
    /// </summary>
    public Func<ParamValues, IReadOnlyList<string>>? FieldsOf { get; init; }

    /// <summary>
    /// The named numbers of a step with these bound parameters: <see cref="FieldsOf"/> when declared, else (and when a
    /// parameter it reads is a `${step}` value, known only at run time) <see cref="Fields"/>.
    /// </summary>
    public IReadOnlyList<string> FieldsFor(IReadOnlyDictionary<string, object?>? parameters)
    {
        if (FieldsOf is null || parameters is null)
        {
            return Fields;
        }

        try
        {
            return FieldsOf(new ParamValues { StepId = Name, Params = parameters });
        }
        catch (DeferredParameterException)
        {
            return Fields;
        }
    }

    /// <summary>
    /// A small valid use, as the parameters of a step in YAML flow style (`{sigma: 2}`), reading one image (or a
    /// stack for ops that need one; two images for ops that need two). Docs show it, and the registry tests bind it
    /// and run it on a 64 x 64 X-ray crop. Default: the required parameters with sample values.
    /// </summary>
    public string? Example { get; init; }

    /// <summary>Runs the op. Called only with bound, validated parameters (every rule kept, every `${step}` resolved).</summary>
    public required Func<OpContext, Value> Execute { get; init; }

    public ParamSpec? FindParam(string name) => Params.FirstOrDefault(p => p.Name == name);

    /// <summary>
    /// Runs the op after the checks only the run can make: complex arrays where the op takes real ones, inputs of
    /// different shapes, the shape rule's problems on the actual shapes, and every error rule on the actual
    /// parameters (a `${step}` value is known only now). This is how the executor (and every test) runs an op.
    /// </summary>
    /// <exception cref="OpRefusedException">A check failed; the message says which, in the binder's words.</exception>
    public Value Invoke(OpContext context)
    {
        if (RunProblem(context) is { } problem)
        {
            throw new OpRefusedException(context.StepId, problem);
        }

        return Execute(context);
    }

    /// <summary>Why the op refuses its complex input <paramref name="index"/> (from 0): at run time, and where a file's header shows it (the planner).</summary>
    public string ComplexInputProblem(int index) => $"{Name} takes a real array; input {index + 1} is complex (use abs, or ifft2 with part: real|imag|abs)";

    /// <summary>The first reason the op cannot run on this context (see <see cref="Invoke"/>), or null.</summary>
    public string? RunProblem(OpContext context)
    {
        var infos = context.Inputs.Select(ValueInfo.Of).ToList();
        for (int k = 0; k < infos.Count; k++)
        {
            if (infos[k].IsComplex && !Inputs.AcceptsComplex)
            {
                return ComplexInputProblem(k);
            }
        }

        var arrays = infos.Where(i => i.IsArray).ToList();
        if (Inputs.SameShape)
        {
            for (int k = 1; k < arrays.Count; k++)
            {
                if (arrays[k].Rows != arrays[0].Rows || arrays[k].Cols != arrays[0].Cols || arrays[k].Frames != arrays[0].Frames)
                {
                    return $"input {k + 1} has shape {arrays[k]}, input 1 has {arrays[0]}; the inputs must have one shape";
                }
            }
        }

        var infer = new InferContext { StepId = context.StepId, Params = context.Params, Inputs = infos, MaxPixels = context.MaxPixels };
        Infer(infer);
        if (infer.Problems.Count > 0)
        {
            return infer.Problems[0].Message;
        }

        var rules = new RuleContext { StepId = context.StepId, Params = context.Params, Inputs = infos, InputNames = context.InputNames };
        foreach (var rule in Rules)
        {
            if (rule.Severity == Diagnostics.Severity.Error && rule.Check(rules) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>
    /// What the op makes of these inputs: <see cref="Shape"/> when declared; otherwise a table or a scalar, one image
    /// (shape unknown) for <see cref="OutputKind.Image"/>, or the first input's kind and shape, real unless complex
    /// inputs are accepted, and in the Fourier domain only when <see cref="KeepsDomain"/>.
    /// </summary>
    public ValueInfo Infer(InferContext context)
    {
        var info = InferShape(context);
        if (info.Pixels > MaxOutputPixels)
        {
            context.Problem($"{Name} would make an array of {info} ({info.Pixels} pixels), more than the {MaxOutputPixels} one step may make");
        }
        else if (info.Pixels > context.MaxPixels)
        {
            context.Problem($"{Name} would make an array of {info} ({info.Pixels} pixels), more than --max-pixels {context.MaxPixels}");
        }

        if (Cost is not null && context.Inputs.All(i => !i.IsArray || i.IsKnown))
        {
            try
            {
                double work = Cost(context);
                if (work > MaxCost)
                {
                    context.Problem(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Name} would do about {work:0.#e0} pixel visits on {string.Join(", ", context.Inputs.Select(i => i.ToString()))}, more than the {MaxCost:0.#e0} one step may do; use a smaller window or image"));
                }
            }
            catch (DeferredParameterException)
            {
                // A `${step}` parameter: known at run time, checked then.
            }
        }

        return info;
    }

    /// <summary>
    /// What the op makes, its shape unknown, without running its shape rule: for a step whose parameters were refused
    /// (the rule would read a value that is not there), so binding goes on to report the rest.
    /// </summary>
    public ValueInfo InferKind(InferContext context) => Output switch
    {
        OutputKind.Table => ValueInfo.Table,
        OutputKind.Scalar => ValueInfo.Scalar,
        OutputKind.Image => ValueInfo.Image,
        _ => context.First with
        {
            Rows = 0,
            Cols = 0,
            IsComplex = Inputs.AcceptsComplex && context.Inputs.Any(i => i.IsComplex),
            IsFrequency = KeepsDomain && context.First.IsFrequency,
        },
    };

    private ValueInfo InferShape(InferContext context)
    {
        if (Shape is not null)
        {
            try
            {
                return Shape(context);
            }
            catch (DeferredParameterException)
            {
                // A parameter is a `${step}` value: the shape is known only at run time.
                return Output switch
                {
                    OutputKind.Table => ValueInfo.Table,
                    OutputKind.Scalar => ValueInfo.Scalar,
                    _ => context.First with { Rows = 0, Cols = 0, IsFrequency = false },
                };
            }
        }

        var first = context.First;
        return Output switch
        {
            OutputKind.Table => ValueInfo.Table,
            OutputKind.Scalar => ValueInfo.Scalar,
            OutputKind.Image => ValueInfo.Image,
            _ => first with
            {
                IsComplex = Inputs.AcceptsComplex && context.Inputs.Any(i => i.IsComplex),
                IsFrequency = KeepsDomain && first.IsFrequency,
            },
        };
    }

    public override string ToString() => Name;
}

/// <summary>An op refused to run on what it was given (a rule, a shape, a complex input); the message says why.</summary>
public sealed class OpRefusedException(string stepId, string reason) : InvalidOperationException($"step '{stepId}': {reason}")
{
    public string StepId { get; } = stepId;

    /// <summary>The reason without the step (for callers that name the step themselves).</summary>
    public string Reason { get; } = reason;
}

/// <summary>How a table renders as a picture.</summary>
public enum TablePlot
{
    /// <summary>Not as a picture.</summary>
    None,

    /// <summary>Bars of `counts` over `edges` (HistogramPlot).</summary>
    Histogram,
}

/// <summary>
/// An element-wise computation over a block of real pixels: dst[k] = f(src[k]) for every k, in place allowed
/// (dst may be src). The fused executor calls it block by block; results must not depend on the blocking.
/// </summary>
public interface IPointwiseKernel
{
    void Apply(ReadOnlySpan<float> src, Span<float> dst);
}

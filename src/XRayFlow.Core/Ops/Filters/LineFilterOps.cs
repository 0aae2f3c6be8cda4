using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// The scipy.ndimage filters along one axis (the `...1d` functions): each is its 2-D namesake's pass along that axis,
/// which is how SciPy's 2-D filters are made (gaussian_filter, uniform_filter and the rectangular minimum / maximum
/// filters call these per axis), so they share its kernels and tolerances. On a stack each applies frame by frame.
/// </summary>
[OpFamily(OpFamily.Filters)]
public static class LineFilterOps
{
    // Parameters first: static properties initialise in order, and the ops below read these.

    /// <summary>The axis a 1-D filter runs along (SciPy's default -1, the last axis).</summary>
    private static readonly ParamSpec Axis = new("axis", ParamType.Int, "Axis the filter runs along: 0 = down the columns, 1 or -1 = along the rows (default -1, as SciPy); on a stack, of each frame")
    {
        Default = -1,
        Min = -2,
        Max = 1,
    };

    private static readonly ParamSpec Origin = new("origin", ParamType.Int, "Shift of the window along the axis: -(size // 2) <= origin <= (size - 1) // 2")
    {
        Default = 0,
        Min = -CommonParams.MaxSize,
        Max = CommonParams.MaxSize,
    };

    private static readonly ParamSpec Size = new("size", ParamType.Int, "Length of the window along the axis")
    {
        Required = true,
        Min = 1,
        Max = CommonParams.MaxSize,
    };

    private static readonly ParamSpec Weights = new("weights", ParamType.FloatList, "The 1-D kernel, e.g. [1, 2, 1]")
    {
        Required = true,
        Min = -1e15,
        Max = 1e15,
        MinCount = 1,
        MaxCount = CommonParams.MaxSize,
    };

    private static readonly OpRule SizeOriginRule = CommonParams.OriginRuleOf("size", c => c.Params.ContainsKey("size") ? [c.Int("size")] : null, "{size: 3, origin: 2}");

    private static readonly OpRule WeightsOriginRule = CommonParams.OriginRuleOf("the weights' length", c => c.Doubles("weights") is { } w ? [w.Length] : null, "{weights: [1, 2, 1], origin: 2}");

    /// <summary>correlate1d: scipy.ndimage.correlate1d (kernel <see cref="Correlate.Line"/>).</summary>
    public static OpDefinition Correlate1DOp { get; } = Correlation1D("correlate1d", convolve: false);

    /// <summary>convolve1d: scipy.ndimage.convolve1d, correlate1d with the weights reversed.</summary>
    public static OpDefinition Convolve1DOp { get; } = Correlation1D("convolve1d", convolve: true);

    /// <summary>gaussian_filter1d: scipy.ndimage.gaussian_filter1d, gaussian_filter's kernel along one axis.</summary>
    public static OpDefinition GaussianFilter1D { get; } = new()
    {
        Name = "gaussian_filter1d",
        Summary = "Gaussian smoothing, or a Gaussian derivative of order 1 or 2, along one axis (gaussian_filter's pass along that axis).",
        Reference = "scipy.ndimage.gaussian_filter1d",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("sigma", ParamType.Float, "Standard deviation of the Gaussian, above 0 (SciPy's kernel is NaN at 0)") { Required = true, Min = 0.0, Max = CommonParams.MaxSigma },
            Axis,
            new ParamSpec("order", ParamType.Int, "Derivative order: 0 smooth, 1 first, 2 second derivative") { Default = 0, Min = 0, Max = 2 },
            CommonParams.Mode,
            CommonParams.Cval,
            CommonParams.Truncate,
            new ParamSpec("radius", ParamType.Int, "Kernel radius; when given, truncate is ignored (SciPy >= 1.10)") { Min = 0, Max = CommonParams.MaxSize },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "sigma > 0",
                At = "sigma",
                Check = c => c.Float("sigma") > 0 ? null : "gaussian_filter1d's sigma must be above 0 (SciPy's kernel is 0 / 0 there: every value NaN); to leave the image as it is, leave the step out",
                Violation = "{sigma: 0}",
            },
        ],
        Example = "{sigma: 3, axis: 0}",
        Execute = ctx => new ArrayValue(NdFilters.AlongAxis(
            ctx.Array(),
            Kernel1D.Gaussian(ctx.Float("sigma"), ctx.Has("order") ? ctx.Int("order") : 0, CommonParams.TruncateOf(ctx), ctx.Has("radius") ? ctx.Int("radius") : null),
            AxisOf(ctx), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads)),
    };

    /// <summary>uniform_filter1d: scipy.ndimage.uniform_filter1d, uniform_filter's pass along one axis.</summary>
    public static OpDefinition UniformFilter1D { get; } = new()
    {
        Name = "uniform_filter1d",
        Summary = "Mean over a window of size along one axis (uniform_filter's pass along that axis: SciPy's running mean, so a NaN or an infinity makes every later value of its line NaN).",
        Reference = "scipy.ndimage.uniform_filter1d",
        Inputs = InputSpec.One,
        Params = [Size, Axis, CommonParams.Mode, CommonParams.Cval, Origin],
        Rules = [SizeOriginRule],
        Example = "{size: 5, axis: 0}",
        Execute = ctx => new ArrayValue(NdFilters.UniformFilter1D(
            ctx.Array(), ctx.Int("size"), AxisOf(ctx), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Has("origin") ? ctx.Int("origin") : 0, ctx.Threads)),
    };

    /// <summary>maximum_filter1d: scipy.ndimage.maximum_filter1d (kernel <see cref="MinMaxFilter"/>).</summary>
    public static OpDefinition MaximumFilter1D { get; } = MinMax1D("maximum_filter1d", maximum: true);

    /// <summary>minimum_filter1d: scipy.ndimage.minimum_filter1d (kernel <see cref="MinMaxFilter"/>).</summary>
    public static OpDefinition MinimumFilter1D { get; } = MinMax1D("minimum_filter1d", maximum: false);

    private static OpDefinition Correlation1D(string name, bool convolve) => new()
    {
        Name = name,
        Summary = convolve
            ? "Convolution with a 1-D kernel along one axis: correlate1d with the weights reversed (and the origin negated, less one for an even length), as SciPy."
            : "Correlation with a 1-D kernel along one axis: out[i] = the sum over k of w[k] * x[i + k - len // 2 - origin] along it, in float64 and rounded to float32 once (every weight multiplies, as SciPy's correlate1d: 0 x inf is NaN).",
        Reference = $"scipy.ndimage.{name}",
        Inputs = InputSpec.One,
        Params = [Weights, Axis, CommonParams.Mode, CommonParams.Cval, Origin],
        Rules = [WeightsOriginRule],
        Cost = c => c.Doubles("weights") is { } w ? c.First.Pixels * (double)w.Length : 0,
        Example = convolve ? "{weights: [1, 0, -1], axis: 0}" : "{weights: [1, 2, 1]}",
        Execute = ctx => new ArrayValue(Correlate.Line(
            ctx.Array(), ctx.Doubles("weights") ?? throw new ArgumentException("weights is required"), AxisOf(ctx), ctx.Has("origin") ? ctx.Int("origin") : 0,
            CommonParams.ModeOf(ctx), ctx.Has("cval") ? ctx.Float("cval") : 0.0, convolve, ctx.Threads)),
    };

    private static OpDefinition MinMax1D(string name, bool maximum) => new()
    {
        Name = name,
        Summary = $"The {(maximum ? "largest" : "smallest")} value in a window of size along one axis.",
        Reference = $"scipy.ndimage.{name}",
        Inputs = InputSpec.One,
        Params = [Size, Axis, CommonParams.Mode, CommonParams.Cval, Origin],
        Rules = [SizeOriginRule],
        Example = "{size: 5, axis: 0}",
        Execute = ctx =>
        {
            var (size, origin) = Window(ctx);
            return new ArrayValue(MinMaxFilter.Apply(ctx.Array(), size, null, origin, CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), maximum, ctx.Threads));
        },
    };

    private static int AxisOf(ParamValues p) => p.Has("axis") ? p.Int("axis") : -1;

    /// <summary>A 1-D window as the 2-D filters' size and origin: size x 1 and [origin, 0] along axis 0, else 1 x size.</summary>
    private static (int[] Size, int[] Origin) Window(ParamValues p)
    {
        int size = p.Int("size"), origin = p.Has("origin") ? p.Int("origin") : 0;
        return NdFilters.NormalizeAxis(AxisOf(p)) == 0 ? ([size, 1], [origin, 0]) : ([1, size], [0, origin]);
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Kernels;

namespace XRayFlow.Core.Ops;

/// <summary>The scipy.ndimage filters (kernels in <see cref="NdFilters"/>). On a stack each applies frame by frame.</summary>
public static partial class OpCatalog
{
    public static OpDefinition GaussianFilter { get; } = new()
    {
        Name = "gaussian_filter",
        Summary = "Gaussian smoothing, or a Gaussian derivative of order 1 or 2 per axis.",
        Reference = "scipy.ndimage.gaussian_filter",
        Inputs = InputSpec.One,
        Params = [CommonParams.Sigma, CommonParams.Order, CommonParams.Mode, CommonParams.Cval, CommonParams.Truncate, CommonParams.Radius],
        Execute = ctx => Filtered(ctx, src => NdFilters.GaussianFilter(
            src,
            CommonParams.Doubles(ctx, "sigma") ?? throw new ArgumentException("sigma is required"),
            CommonParams.Ints(ctx, "order"),
            CommonParams.ModeOf(ctx),
            CommonParams.CvalOf(ctx),
            CommonParams.TruncateOf(ctx),
            CommonParams.Ints(ctx, "radius"),
            ctx.Threads)),
    };

    public static OpDefinition GaussianLaplace { get; } = new()
    {
        Name = "gaussian_laplace",
        Summary = "Laplacian of Gaussian: the sum over both axes of the Gaussian's second derivative.",
        Reference = "scipy.ndimage.gaussian_laplace",
        Inputs = InputSpec.One,
        Params = [CommonParams.Sigma, CommonParams.Mode, CommonParams.Cval, CommonParams.Truncate],
        Execute = ctx => Filtered(ctx, src => NdFilters.GaussianLaplace(
            src, CommonParams.Doubles(ctx, "sigma") ?? throw new ArgumentException("sigma is required"),
            CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), CommonParams.TruncateOf(ctx), ctx.Threads)),
    };

    public static OpDefinition GaussianGradientMagnitude { get; } = new()
    {
        Name = "gaussian_gradient_magnitude",
        Summary = "Gradient magnitude with Gaussian derivatives: sqrt(d0^2 + d1^2).",
        Reference = "scipy.ndimage.gaussian_gradient_magnitude",
        Inputs = InputSpec.One,
        Params = [CommonParams.Sigma, CommonParams.Mode, CommonParams.Cval, CommonParams.Truncate],
        Execute = ctx => Filtered(ctx, src => NdFilters.GaussianGradientMagnitude(
            src, CommonParams.Doubles(ctx, "sigma") ?? throw new ArgumentException("sigma is required"),
            CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), CommonParams.TruncateOf(ctx), ctx.Threads)),
    };

    public static OpDefinition Sobel { get; } = new()
    {
        Name = "sobel",
        Summary = "Sobel derivative along an axis ([-1, 0, 1] along it, [1, 2, 1] across).",
        Reference = "scipy.ndimage.sobel",
        Inputs = InputSpec.One,
        Params = [CommonParams.Axis, CommonParams.Mode, CommonParams.Cval],
        Execute = ctx => Filtered(ctx, src => NdFilters.Sobel(src, AxisOf(ctx), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads)),
    };

    public static OpDefinition Prewitt { get; } = new()
    {
        Name = "prewitt",
        Summary = "Prewitt derivative along an axis ([-1, 0, 1] along it, [1, 1, 1] across).",
        Reference = "scipy.ndimage.prewitt",
        Inputs = InputSpec.One,
        Params = [CommonParams.Axis, CommonParams.Mode, CommonParams.Cval],
        Execute = ctx => Filtered(ctx, src => NdFilters.Prewitt(src, AxisOf(ctx), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads)),
    };

    public static OpDefinition Laplace { get; } = new()
    {
        Name = "laplace",
        Summary = "Discrete Laplacian: the sum over both axes of [1, -2, 1].",
        Reference = "scipy.ndimage.laplace",
        Inputs = InputSpec.One,
        Params = [CommonParams.Mode, CommonParams.Cval],
        Execute = ctx => Filtered(ctx, src => NdFilters.Laplace(src, CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads)),
    };

    public static OpDefinition UniformFilter { get; } = new()
    {
        Name = "uniform_filter",
        Summary = "Box mean over a size x size window.",
        Reference = "scipy.ndimage.uniform_filter",
        Inputs = InputSpec.One,
        Params = [CommonParams.Size, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin],
        Execute = ctx => Filtered(ctx, src => NdFilters.UniformFilter(
            src, CommonParams.Ints(ctx, "size"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), CommonParams.Ints(ctx, "origin"), ctx.Threads)),
    };

    /// <summary>
    /// SciPy's median_filter has size=None and then needs a footprint; footprints are not part of the
    /// language, so here size defaults to 3 (a 3 x 3 window).
    /// </summary>
    public static OpDefinition MedianFilter { get; } = new()
    {
        Name = "median_filter",
        Summary = "Median over a size x size window (size defaults to 3 here; SciPy has no default).",
        Reference = "scipy.ndimage.median_filter",
        Inputs = InputSpec.One,
        Params = [CommonParams.Size, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin],
        Execute = ctx => Filtered(ctx, src => NdFilters.MedianFilter(
            src, CommonParams.Ints(ctx, "size"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), CommonParams.Ints(ctx, "origin"), ctx.Threads)),
    };

    private static int AxisOf(OpContext ctx) => ctx.Has("axis") ? ctx.Int("axis") : -1;

    private static Value Filtered(OpContext ctx, Func<ImageArray, ImageArray> filter) => new ArrayValue(filter(ctx.Array()));
}

using System.Globalization;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>The scipy.ndimage filters (kernels in <see cref="NdFilters"/>). On a stack each applies frame by frame.</summary>
[OpFamily(OpFamily.Filters)]
public static class FilterOps
{
    /// <summary>correlate's and convolve's weights (declared above the ops: static fields initialise in order).</summary>
    private static readonly ParamSpec Weights = new("weights", ParamType.Matrix, "The kernel as rows of numbers, e.g. [[1, 2, 1], [2, 4, 2], [1, 2, 1]]; up to 255 x 255")
    {
        Required = true,
        Min = -1e15,
        Max = 1e15,
        MaxCount = 255,
    };

    public static OpDefinition GaussianFilter { get; } = new()
    {
        Name = "gaussian_filter",
        Summary = "Gaussian smoothing, or a Gaussian derivative of order 1 or 2 per axis.",
        Reference = "scipy.ndimage.gaussian_filter",
        Inputs = InputSpec.One,
        Params = [CommonParams.Sigma, CommonParams.Order, CommonParams.Mode, CommonParams.Cval, CommonParams.Truncate, CommonParams.Radius],
        RowBand = p => NdFilters.GaussianFilterBand(
            p.Doubles("sigma") ?? throw new ArgumentException("sigma is required"), p.Ints("order"), CommonParams.ModeOf(p), CommonParams.CvalOf(p), CommonParams.TruncateOf(p), p.Ints("radius")),
        Execute = ctx => Filtered(ctx, src => NdFilters.GaussianFilter(
            src,
            ctx.Doubles("sigma") ?? throw new ArgumentException("sigma is required"),
            ctx.Ints("order"),
            CommonParams.ModeOf(ctx),
            CommonParams.CvalOf(ctx),
            CommonParams.TruncateOf(ctx),
            ctx.Ints("radius"),
            ctx.Threads)),
    };

    /// <summary>unsharp_mask: skimage.filters.unsharp_mask (0.19), kernel <see cref="UnsharpMask"/>.</summary>
    public static OpDefinition UnsharpMaskOp { get; } = new()
    {
        Name = "unsharp_mask",
        Summary = "Sharpens: x + (x - gaussian(x, radius)) * amount, the Gaussian in mode reflect. Without preserve_range the values are scikit-image's img_as_float (an 8- or 16-bit image divided by 255 / 65535, float values as they are) and the result is clipped to [0, 1] ([-1, 1] when a value is negative), so a float image outside [0, 1] saturates: give preserve_range: true to sharpen values as they are (docs/integer-sources.md).",
        Reference = "skimage.filters.unsharp_mask",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("radius", ParamType.FloatPerAxis, "Standard deviation of the Gaussian blur, one value or [axis 0, axis 1]") { Default = 1.0, Min = 0.0, Max = CommonParams.MaxSigma },
            new ParamSpec("amount", ParamType.Float, "How much of the detail (x - blurred) is added; negative values blur") { Default = 1.0, Min = -1e6, Max = 1e6 },
            new ParamSpec("preserve_range", ParamType.Bool, "Keep the values as they are (no img_as_float scaling, no clipping)") { Default = false },
        ],
        Example = "{radius: 2, amount: 1.5, preserve_range: true}",
        Execute = ctx => new ArrayValue(UnsharpMask.Apply(ctx.Array(), ctx.Doubles("radius")!, ctx.Float("amount"), ctx.Bool("preserve_range"), ctx.Threads)),
    };

    /// <summary>difference_of_gaussians: skimage.filters.difference_of_gaussians (0.19), kernel <see cref="DifferenceOfGaussians"/>.</summary>
    public static OpDefinition DifferenceOfGaussiansOp { get; } = new()
    {
        Name = "difference_of_gaussians",
        Summary = "Band-pass: the image smoothed with low_sigma minus it smoothed with high_sigma (default 1.6 x low_sigma), keeping features between the two scales (nodules, vessels) and dropping finer noise and coarser shading. An 8- or 16-bit image is scikit-image's img_as_float (divided by 255 / 65535, in float64); a float image stays float32 (docs/integer-sources.md).",
        Reference = "skimage.filters.difference_of_gaussians",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("low_sigma", ParamType.FloatPerAxis, "Standard deviation of the smaller Gaussian, one value or [axis 0, axis 1]") { Required = true, Min = 0.0, Max = CommonParams.MaxSigma },
            new ParamSpec("high_sigma", ParamType.FloatPerAxis, "Standard deviation of the larger Gaussian, one value or [axis 0, axis 1]; at least low_sigma on each axis (default: 1.6 x low_sigma)") { Min = 0.0, Max = CommonParams.MaxSigma },
            CommonParams.Mode with { Default = "nearest" }, // skimage.filters.gaussian's default
            CommonParams.Cval,
            CommonParams.Truncate,
        ],
        Rules =
        [
            new OpRule
            {
                Description = "high_sigma >= low_sigma on each axis",
                At = "high_sigma",
                Check = c => c.Doubles("high_sigma") is { } high && c.Doubles("low_sigma") is { } low && (high[0] < low[0] || high[^1] < low[^1])
                    ? "high_sigma must be at least low_sigma on each axis (scikit-image refuses it; the difference would be negated)"
                    : null,
                Violation = "{low_sigma: 3, high_sigma: 2}",
            },
        ],
        Cost = c =>
        {
            // Two Gaussians, each two passes of 2 * truncate * sigma + 1 taps.
            if (c.Doubles("low_sigma") is not { } low)
            {
                return 0;
            }

            double truncate = CommonParams.TruncateOf(c), lo = low.Max(), hi = c.Doubles("high_sigma")?.Max() ?? (1.6 * lo);
            return c.First.Pixels * 2.0 * ((2 * truncate * lo) + 1 + (2 * truncate * hi) + 1);
        },
        Example = "{low_sigma: 2, high_sigma: 6}",
        Execute = ctx => new ArrayValue(DifferenceOfGaussians.Apply(
            ctx.Array(),
            ctx.Doubles("low_sigma") ?? throw new ArgumentException("low_sigma is required"),
            ctx.Doubles("high_sigma"),
            CommonParams.ModeOf(ctx),
            ctx.Has("cval") ? ctx.Float("cval") : 0.0,
            CommonParams.TruncateOf(ctx),
            ctx.Threads)),
    };

    public static OpDefinition GaussianLaplace { get; } = new()
    {
        Name = "gaussian_laplace",
        Summary = "Laplacian of Gaussian: the sum over both axes of the Gaussian's second derivative.",
        Reference = "scipy.ndimage.gaussian_laplace",
        Inputs = InputSpec.One,
        Params = [CommonParams.Sigma, CommonParams.Mode, CommonParams.Cval, CommonParams.Truncate],
        RowBand = p => NdFilters.GaussianLaplaceBand(
            p.Doubles("sigma") ?? throw new ArgumentException("sigma is required"), CommonParams.ModeOf(p), CommonParams.CvalOf(p), CommonParams.TruncateOf(p)),
        Execute = ctx => Filtered(ctx, src => NdFilters.GaussianLaplace(
            src, ctx.Doubles("sigma") ?? throw new ArgumentException("sigma is required"),
            CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), CommonParams.TruncateOf(ctx), ctx.Threads)),
    };

    public static OpDefinition GaussianGradientMagnitude { get; } = new()
    {
        Name = "gaussian_gradient_magnitude",
        Summary = "Gradient magnitude with Gaussian derivatives: sqrt(d0^2 + d1^2).",
        Reference = "scipy.ndimage.gaussian_gradient_magnitude",
        Inputs = InputSpec.One,
        Params = [CommonParams.Sigma, CommonParams.Mode, CommonParams.Cval, CommonParams.Truncate],
        RowBand = p => NdFilters.GaussianGradientMagnitudeBand(
            p.Doubles("sigma") ?? throw new ArgumentException("sigma is required"), CommonParams.ModeOf(p), CommonParams.CvalOf(p), CommonParams.TruncateOf(p)),
        Execute = ctx => Filtered(ctx, src => NdFilters.GaussianGradientMagnitude(
            src, ctx.Doubles("sigma") ?? throw new ArgumentException("sigma is required"),
            CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), CommonParams.TruncateOf(ctx), ctx.Threads)),
    };

    public static OpDefinition Sobel { get; } = new()
    {
        Name = "sobel",
        Summary = "Sobel derivative along an axis ([-1, 0, 1] along it, [1, 2, 1] across).",
        Reference = "scipy.ndimage.sobel",
        Inputs = InputSpec.One,
        Params = [CommonParams.Axis, CommonParams.Mode, CommonParams.Cval],
        RowBand = p => NdFilters.GradientBand(AxisOf(p), sobel: true, CommonParams.ModeOf(p), CommonParams.CvalOf(p)),
        Execute = ctx => Filtered(ctx, src => NdFilters.Sobel(src, AxisOf(ctx), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads)),
    };

    public static OpDefinition Prewitt { get; } = new()
    {
        Name = "prewitt",
        Summary = "Prewitt derivative along an axis ([-1, 0, 1] along it, [1, 1, 1] across).",
        Reference = "scipy.ndimage.prewitt",
        Inputs = InputSpec.One,
        Params = [CommonParams.Axis, CommonParams.Mode, CommonParams.Cval],
        RowBand = p => NdFilters.GradientBand(AxisOf(p), sobel: false, CommonParams.ModeOf(p), CommonParams.CvalOf(p)),
        Execute = ctx => Filtered(ctx, src => NdFilters.Prewitt(src, AxisOf(ctx), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads)),
    };

    public static OpDefinition Laplace { get; } = new()
    {
        Name = "laplace",
        Summary = "Discrete Laplacian: the sum over both axes of [1, -2, 1].",
        Reference = "scipy.ndimage.laplace",
        Inputs = InputSpec.One,
        Params = [CommonParams.Mode, CommonParams.Cval],
        RowBand = p => NdFilters.LaplaceBand(CommonParams.ModeOf(p), CommonParams.CvalOf(p)),
        Execute = ctx => Filtered(ctx, src => NdFilters.Laplace(src, CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads)),
    };

    public static OpDefinition UniformFilter { get; } = new()
    {
        Name = "uniform_filter",
        Summary = "Box mean over a size x size window, as SciPy's running mean along each axis: a NaN or an infinity makes every later value of its line NaN (an infinity stays infinite while in the window).",
        Reference = "scipy.ndimage.uniform_filter",
        Inputs = InputSpec.One,
        Params = [CommonParams.Size, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin],
        Rules = [CommonParams.OriginRule],
        Execute = ctx => Filtered(ctx, src => NdFilters.UniformFilter(
            src, ctx.Ints("size"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Ints("origin"), ctx.Threads)),
    };

    /// <summary>correlate: scipy.ndimage.correlate with a matrix of weights (kernel <see cref="Filters.Correlate"/>).</summary>
    public static OpDefinition CorrelateOp { get; } = Correlation("correlate", convolve: false);

    /// <summary>convolve: scipy.ndimage.convolve, correlate with the weights reversed (kernel <see cref="Filters.Correlate"/>).</summary>
    public static OpDefinition ConvolveOp { get; } = Correlation("convolve", convolve: true);

    private static OpDefinition Correlation(string name, bool convolve) => new()
    {
        Name = name,
        Summary = convolve
            ? "Convolution with a matrix of weights: correlate with the weights reversed on both axes (and each origin negated, less one on an axis of even length), as SciPy. Sums in float64, rounded to float32 once."
            : "Correlation with a matrix of weights: out[i, j] = the sum over the weights' cells (a, b) of w[a, b] * x[i + a - k0 // 2 - origin0, j + b - k1 // 2 - origin1], rows first, in float64 and rounded to float32 once; weights with |w| <= 2.2e-16 are skipped, as SciPy.",
        Reference = $"scipy.ndimage.{name}",
        Inputs = InputSpec.One,
        Params = [Weights, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin],
        Rules = [CommonParams.OriginRuleOf("weights' size", c => c.Matrix("weights") is { } w ? [w.Length, w[0].Length] : null, "{weights: [[1, 2, 1]], origin: 2}")],
        Cost = c => c.Matrix("weights") is { } w ? c.First.Pixels * (double)Math.Max(1, Correlate.Taps(w).Length) : 0,
        Example = convolve ? "{weights: [[0, -1, 0], [-1, 5, -1], [0, -1, 0]], mode: nearest}" : "{weights: [[1, 2, 1], [2, 4, 2], [1, 2, 1]]}",
        Execute = ctx => Filtered(ctx, src => Correlate.Apply(
            src, ctx.Matrix("weights") ?? throw new ArgumentException("weights is required"), ctx.Ints("origin"), CommonParams.ModeOf(ctx), ctx.Has("cval") ? ctx.Float("cval") : 0.0, convolve, ctx.Threads)),
    };

    /// <summary>
    /// median_filter: the value of rank n // 2 of the n values in the window (scipy.ndimage.median_filter). SciPy's
    /// size has no default (it then needs a footprint); here size defaults to 3 (a 3 x 3 window). A rectangle goes
    /// through <see cref="Filters.MedianFilter"/>, a footprint through <see cref="RankFilter"/> (as SciPy's rank filter).
    /// </summary>
    public static OpDefinition MedianFilter { get; } = new()
    {
        Name = "median_filter",
        Summary = "Median over a size x size window or under a footprint: the value of rank n // 2 of its n values (size defaults to 3 here; SciPy has no default).",
        Reference = "scipy.ndimage.median_filter",
        Inputs = InputSpec.One,
        Params = [CommonParams.Size, CommonParams.Footprint, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin],
        Rules = [CommonParams.OriginRule, CommonParams.FootprintRule, CommonParams.SizeWithFootprintRule],
        Cost = c => c.Matrix("footprint") is { } fp
            ? c.First.Pixels * (double)fp.Sum(r => r.Count(v => v != 0))
            : c.First.Pixels * (double)CommonParams.WindowOf(c)[0] * CommonParams.WindowOf(c)[1],
        Execute = ctx => Filtered(ctx, src => ctx.Matrix("footprint") is { } footprint
            ? RankFilter.Apply(src, null, footprint, ctx.Ints("origin"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), RankFilter.WindowCount(null, footprint) / 2, ctx.Threads)
            : NdFilters.MedianFilter(src, ctx.Ints("size"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Ints("origin"), ctx.Threads)),
    };

    /// <summary>maximum_filter: the largest value in the window (scipy.ndimage.maximum_filter; kernel <see cref="MinMaxFilter"/>).</summary>
    public static OpDefinition MaximumFilter { get; } = MinMax("maximum_filter", maximum: true);

    /// <summary>minimum_filter: the smallest value in the window (scipy.ndimage.minimum_filter; kernel <see cref="MinMaxFilter"/>).</summary>
    public static OpDefinition MinimumFilter { get; } = MinMax("minimum_filter", maximum: false);

    private static OpDefinition MinMax(string name, bool maximum) => new()
    {
        Name = name,
        Summary = $"The {(maximum ? "largest" : "smallest")} value in a size x size window, or under a footprint (size defaults to 3 here; SciPy has no default).",
        Reference = $"scipy.ndimage.{name}",
        Inputs = InputSpec.One,
        Params = [CommonParams.Size, CommonParams.Footprint, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin],
        Rules = [CommonParams.OriginRule, CommonParams.FootprintRule, CommonParams.SizeWithFootprintRule],
        Cost = c => c.Matrix("footprint") is { } fp ? c.First.Pixels * (double)fp.Sum(r => r.Count(v => v != 0)) : 0,
        Example = "{size: 5}",
        Execute = ctx => Filtered(ctx, src => MinMaxFilter.Apply(
            src, ctx.Ints("size"), ctx.Matrix("footprint"), ctx.Ints("origin"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), maximum, ctx.Threads)),
    };

    /// <summary>percentile_filter: the window's given percentile (scipy.ndimage.percentile_filter; kernel <see cref="RankFilter"/>).</summary>
    public static OpDefinition PercentileFilter { get; } = new()
    {
        Name = "percentile_filter",
        Summary = "The window's percentile: the value of rank int(n * percentile / 100) of the n values in a size x size window or under a footprint (a negative percentile counts from 100; size defaults to 3 here; SciPy has no default).",
        Reference = "scipy.ndimage.percentile_filter",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("percentile", ParamType.Float, "Percentile, -100 to 100 (negative: percentile + 100, as SciPy); the rank is int(n * percentile / 100), n - 1 for 100") { Required = true, Min = -100, Max = 100 },
            CommonParams.Size, CommonParams.Footprint, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin,
        ],
        Rules = [CommonParams.OriginRule, CommonParams.FootprintRule, CommonParams.SizeWithFootprintRule],
        Example = "{percentile: 90, size: 5}",
        Execute = ctx => Filtered(ctx, src =>
        {
            int rank = RankFilter.RankOfPercentile(ctx.Float("percentile"), RankFilter.WindowCount(ctx.Ints("size"), ctx.Matrix("footprint")));
            return RankFilter.Apply(src, ctx.Ints("size"), ctx.Matrix("footprint"), ctx.Ints("origin"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), rank, ctx.Threads);
        }),
    };

    /// <summary>rank_filter: the window's value of a given rank (scipy.ndimage.rank_filter; kernel <see cref="RankFilter"/>).</summary>
    public static OpDefinition RankFilterOp { get; } = new()
    {
        Name = "rank_filter",
        Summary = "The value of the given rank (0 = smallest; negative counts from the largest, -1 = largest) among the n values in a size x size window or under a footprint (size defaults to 3 here; SciPy has no default).",
        Reference = "scipy.ndimage.rank_filter",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("rank", ParamType.Int, "Rank in the window, 0 = smallest; negative: rank + n (-1 = largest); -n <= rank < n") { Required = true, Min = -MaxRank, Max = MaxRank },
            CommonParams.Size, CommonParams.Footprint, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin,
        ],
        Rules =
        [
            CommonParams.OriginRule,
            CommonParams.FootprintRule,
            CommonParams.SizeWithFootprintRule,
            new OpRule
            {
                Description = "-n <= rank < n for a window of n values",
                At = "rank",
                Check = c =>
                {
                    int n = RankFilter.WindowCount(c.Ints("size"), c.Matrix("footprint"));
                    int rank = c.Int("rank");
                    return n == 0 || (rank >= -n && rank < n) ? null : $"rank {rank} is not within the window of {n} values: give -{n} <= rank <= {n - 1}";
                },
                Violation = "{rank: 9, size: 3}",
            },
        ],
        Example = "{rank: 2, size: 3}",
        Execute = ctx => Filtered(ctx, src =>
        {
            int rank = RankFilter.NormalizeRank(ctx.Int("rank"), RankFilter.WindowCount(ctx.Ints("size"), ctx.Matrix("footprint")));
            return RankFilter.Apply(src, ctx.Ints("size"), ctx.Matrix("footprint"), ctx.Ints("origin"), CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), rank, ctx.Threads);
        }),
    };

    /// <summary>The largest |rank| a rank_filter takes (a 4096 x 4096 window).</summary>
    private const int MaxRank = CommonParams.MaxSize * CommonParams.MaxSize;

    /// <summary>canny: skimage.feature.canny on each image (see <see cref="Kernels.Canny"/> for the exact steps).</summary>
    public static OpDefinition CannyOp { get; } = new()
    {
        Name = "canny",
        Summary = "Canny edge detector as scikit-image's feature.canny (for float input): 1 at edges, 0 elsewhere.",
        Reference = "skimage.feature.canny",
        Inputs = new InputSpec(1, 2, Doc: "the image, then optionally a mask of its shape (skimage's mask: the image is smoothed as if only its nonzero pixels existed, and edges are kept only where the mask's 3 x 3 erosion is nonzero)"),
        Params =
        [
            new ParamSpec("sigma", ParamType.Float, "Standard deviation of the Gaussian smoothing.") { Default = 1.0, Min = 0.0, Max = CommonParams.MaxSigma },
            new ParamSpec("low_threshold", ParamType.Float, "Lower hysteresis bound on the gradient magnitude (absolute, as skimage for float images); default 0.1.") { Min = 0.0 },
            new ParamSpec("high_threshold", ParamType.Float, "Upper hysteresis bound on the gradient magnitude; default 0.2.") { Min = 0.0 },
            new ParamSpec("use_quantiles", ParamType.Bool, "Treat the thresholds as quantiles (0..1) of the gradient magnitude.") { Default = false },
            new ParamSpec("mode", ParamType.Enum, "Boundary mode of the Gaussian smoothing (SciPy's).") { Default = "constant", Allowed = Boundary.Names },
            new ParamSpec("cval", ParamType.Float, "Value beyond the edges when mode is constant.") { Default = 0.0 },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "low_threshold <= high_threshold (defaults 0.1 and 0.2)",
                At = "low_threshold",
                Check = c =>
                {
                    double? low = c.FloatOrNull("low_threshold"), high = c.FloatOrNull("high_threshold");
                    double lo = low ?? 0.1, hi = high ?? 0.2;
                    return hi >= lo ? null : string.Create(CultureInfo.InvariantCulture,
                        $"canny's low_threshold ({lo}{(low is null ? ", the default" : "")}) is above its high_threshold ({hi}{(high is null ? ", the default" : "")}); give both");
                },
                Violation = "{low_threshold: 0.5}",
            },
            new OpRule
            {
                Description = "with use_quantiles, thresholds are quantiles between 0 and 1",
                At = "high_threshold",
                Check = c => c.Has("use_quantiles") && c.Bool("use_quantiles") && ((c.FloatOrNull("low_threshold") ?? 0.1) > 1 || (c.FloatOrNull("high_threshold") ?? 0.2) > 1)
                    ? "with use_quantiles, canny's thresholds are quantiles between 0 and 1"
                    : null,
                Violation = "{use_quantiles: true, low_threshold: 0.5, high_threshold: 2}",
            },
        ],
        Execute = ctx =>
        {
            var src = ctx.Array();
            var mask = ctx.Inputs.Count > 1 ? ctx.Array(1) : null;
            double? low = ctx.Has("low_threshold") ? ctx.Float("low_threshold") : null;
            double? high = ctx.Has("high_threshold") ? ctx.Float("high_threshold") : null;
            bool quantiles = ctx.Has("use_quantiles") && ctx.Get<bool>("use_quantiles");
            var mode = Boundary.Parse(ctx.Has("mode") ? ctx.Text("mode") : "constant");
            double cval = ctx.Has("cval") ? ctx.Float("cval") : 0.0;
            double sigma = ctx.Float("sigma");
            var dst = ImageArray.Rent(src);
            int threads = Math.Max(1, ctx.Threads);
            int inner = src.Frames >= threads ? 1 : threads; // a single image: its smoothing uses the threads
            Parallel.For(0, src.Frames, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ctx.Cancellation }, n =>
                Canny.Detect(src.Frame(n), src.Rows, src.Cols, dst.Frame(n), sigma, low, high, quantiles, mode, cval, inner, mask is null ? default : mask.Frame(n)));
            return new ArrayValue(dst);
        },
    };

    /// <summary>
    /// threshold_local: skimage.filters.threshold_local, a threshold per pixel: the image filtered over block_size
    /// (method gaussian: gaussian_filter with sigma (block_size − 1) / 6 per axis, or param; mean: uniform_filter;
    /// median: median_filter), minus offset. scikit-image filters an 8- or 16-bit image in float64 and a float32 one in
    /// float32; here both are float32 filters (within the project's 1e-4 of SciPy; the median is exact).
    /// </summary>
    public static OpDefinition ThresholdLocal { get; } = new()
    {
        Name = "threshold_local",
        Summary = "A threshold per pixel (scikit-image's threshold_local): the image filtered over an odd block_size by a Gaussian (sigma (block_size - 1) / 6, or param), a mean or a median, minus offset; pixels above it are foreground. method generic (a Python function) is not offered.",
        Reference = "skimage.filters.threshold_local",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("block_size", ParamType.IntPerAxis, "Odd size of the neighbourhood, one value or [axis 0, axis 1]") { Default = 3, Min = 1, Max = CommonParams.MaxSize },
            new ParamSpec("method", ParamType.Enum, "How the neighbourhood's level is taken: gaussian, mean or median") { Default = "gaussian", Allowed = ["gaussian", "mean", "median"] },
            new ParamSpec("offset", ParamType.Float, "Subtracted from the filtered image") { Default = 0.0 },
            CommonParams.Mode,
            CommonParams.Cval,
            new ParamSpec("param", ParamType.FloatPerAxis, "method gaussian only: the Gaussian's sigma, one value or [axis 0, axis 1]; default (block_size - 1) / 6") { Min = 0.0, Max = CommonParams.MaxSigma },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "block_size is odd on each axis, as scikit-image",
                At = "block_size",
                Check = c => (c.Ints("block_size") ?? [3]) is var b && b.Any(v => v % 2 == 0)
                    ? $"block_size must be odd (scikit-image refuses even sizes); found [{string.Join(", ", b)}]"
                    : null,
                Violation = "{block_size: 4}",
            },
            new OpRule
            {
                Description = "param (a sigma) goes with method gaussian only",
                At = "param",
                Check = c => c.IsWritten("param") && (c.Has("method") ? c.Text("method") : "gaussian") != "gaussian"
                    ? "param is the Gaussian's sigma: it goes with method gaussian only (scikit-image's generic method, whose param is a function, is not offered)"
                    : null,
                Violation = "{method: mean, param: 2}",
            },
        ],
        Execute = ctx => Filtered(ctx, src =>
        {
            int[] b = ctx.Ints("block_size") ?? [3];
            int[] size = b.Length == 1 ? [b[0], b[0]] : b;
            var mode = CommonParams.ModeOf(ctx);
            float cval = CommonParams.CvalOf(ctx);
            var level = (ctx.Has("method") ? ctx.Text("method") : "gaussian") switch
            {
                "mean" => NdFilters.UniformFilter(src, size, mode, cval, null, ctx.Threads),
                "median" => NdFilters.MedianFilter(src, size, mode, cval, null, ctx.Threads),
                _ => NdFilters.GaussianFilter(src, ctx.Doubles("param") ?? [(size[0] - 1) / 6.0, (size[1] - 1) / 6.0], null, mode, cval, 4.0, null, ctx.Threads),
            };
            float offset = ctx.Has("offset") ? (float)ctx.Float("offset") : 0f;
            if (offset != 0)
            {
                System.Numerics.Tensors.TensorPrimitives.Subtract(level.Data.AsSpan(0, level.Length), offset, level.Data.AsSpan(0, level.Length));
            }

            return level;
        }),
    };

    private static int AxisOf(ParamValues p) => p.Has("axis") ? p.Int("axis") : -1;

    private static Value Filtered(OpContext ctx, Func<ImageArray, ImageArray> filter) => new ArrayValue(filter(ctx.Array()));
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Kernels;

namespace XRayFlow.Core.Ops;

public static partial class OpCatalog
{
    /// <summary>montage: the frames of a stack side by side (see <see cref="Kernels.Montage"/>).</summary>
    public static OpDefinition MontageOp { get; } = new()
    {
        Name = "montage",
        Summary = "Tiles the frames of a stack into one image, row by row (default: all frames in one row).",
        Reference = "skimage.util.montage",
        Inputs = new InputSpec(1, 1, Doc: "a stack (N x H x W)", RequiresStack: true),
        Output = OutputKind.Image,
        Category = "display",
        Params =
        [
            new ParamSpec("columns", ParamType.Int, "Frames per row of the grid; 0 = all frames in one row (numpy.hstack).") { Default = 0, Min = 0 },
            new ParamSpec("gap", ParamType.Int, "Pixels between neighbouring tiles (not around the outside).") { Default = 0, Min = 0 },
            new ParamSpec("fill", ParamType.Float, "Value of the gaps and of the empty cells of the last row.") { Default = 0.0 },
        ],
        Execute = ctx =>
        {
            var stack = ctx.Array();
            int columns = ctx.Int("columns");
            if (columns <= 0)
            {
                columns = stack.Frames;
            }

            return new ArrayValue(Montage.Tile(stack, columns, ctx.Int("gap"), (float)ctx.Float("fill")));
        },
    };

    /// <summary>canny: skimage.feature.canny on each image (see <see cref="Kernels.Canny"/> for the exact steps).</summary>
    public static OpDefinition CannyOp { get; } = new()
    {
        Name = "canny",
        Summary = "Canny edge detector as scikit-image's feature.canny (for float input): 1 at edges, 0 elsewhere.",
        Reference = "skimage.feature.canny",
        Inputs = InputSpec.One,
        Category = "filter",
        Params =
        [
            new ParamSpec("sigma", ParamType.Float, "Standard deviation of the Gaussian smoothing.") { Default = 1.0, Min = 0.0 },
            new ParamSpec("low_threshold", ParamType.Float, "Lower hysteresis bound on the gradient magnitude (absolute, as skimage for float images); default 0.1.") { Min = 0.0 },
            new ParamSpec("high_threshold", ParamType.Float, "Upper hysteresis bound on the gradient magnitude; default 0.2.") { Min = 0.0 },
            new ParamSpec("use_quantiles", ParamType.Bool, "Treat the thresholds as quantiles (0..1) of the gradient magnitude.") { Default = false },
            new ParamSpec("mode", ParamType.Enum, "Boundary mode of the Gaussian smoothing (SciPy's).") { Default = "constant", Allowed = Boundary.Names },
            new ParamSpec("cval", ParamType.Float, "Value beyond the edges when mode is constant.") { Default = 0.0 },
        ],
        Execute = ctx =>
        {
            var src = ctx.Array();
            if (src.IsComplex)
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': canny needs a real array, this one is complex");
            }

            double? low = ctx.Has("low_threshold") ? ctx.Float("low_threshold") : null;
            double? high = ctx.Has("high_threshold") ? ctx.Float("high_threshold") : null;
            bool quantiles = ctx.Has("use_quantiles") && ctx.Get<bool>("use_quantiles");
            var mode = Boundary.Parse(ctx.Has("mode") ? ctx.Text("mode") : "constant");
            double cval = ctx.Has("cval") ? ctx.Float("cval") : 0.0;
            double sigma = ctx.Float("sigma");
            double lowValue = low ?? 0.1, highValue = high ?? 0.2;
            if (highValue < lowValue)
            {
                throw new InvalidOperationException(
                    $"step '{ctx.StepId}': canny's low_threshold ({lowValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}{(low is null ? ", the default" : "")}) " +
                    $"is above its high_threshold ({highValue.ToString(System.Globalization.CultureInfo.InvariantCulture)}{(high is null ? ", the default" : "")}); give both");
            }

            if (quantiles && (lowValue > 1 || highValue > 1))
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': with use_quantiles, canny's thresholds are quantiles between 0 and 1");
            }

            var dst = ImageArray.Rent(src);
            int threads = Math.Max(1, ctx.Threads);
            int inner = src.Frames >= threads ? 1 : threads; // a single image: its smoothing uses the threads
            Parallel.For(0, src.Frames, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = ctx.Cancellation }, n =>
                Canny.Detect(src.Frame(n), src.Rows, src.Cols, dst.Frame(n), sigma, low, high, quantiles, mode, cval, inner));
            return new ArrayValue(dst);
        },
    };
}

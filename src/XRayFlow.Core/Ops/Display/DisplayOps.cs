using System.Globalization;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Ops.Display;

/// <summary>Ops for looking at images: DICOM windows, montages of stacks, block-mean downsampling.</summary>
[OpFamily(OpFamily.Display)]
public static class DisplayOps
{
    /// <summary>
    /// Without center and width the window is the DICOM header's, which only an input read from a file carries: after
    /// a step it failed every image at run time, though the recipe alone says so.
    /// </summary>
    private static readonly OpRule WindowFromTheHeaderReadsAnInput = new()
    {
        Description = "without center and width, the window is the DICOM header's: the step reads an input (a DICOM file), not a step's output",
        Check = c => c.FromInputs is [false, ..] && (!c.IsWritten("center") || !c.IsWritten("width"))
            ? $"without {(c.IsWritten("center") ? "width" : c.IsWritten("width") ? "center" : "center and width")} the window is the DICOM header's, which only an input read from a file carries, and {c.Name()} is a step's output (other ops drop the header): give center and width, or put window right after the DICOM input"
            : null,
        Violation = "{center: 40}",
        ViolationReadsAStep = true,
    };

    /// <summary>
    /// window: the DICOM VOI linear window (PS3.3 C.11.2.1.2.1, VOI LUT Function LINEAR), for display.
    /// With c = center, w = width (w &gt;= 1), y_min = output_min, y_max = output_max, each value x becomes, in double:
    /// <code>
    /// if x &lt;= c - 0.5 - (w - 1) / 2:  y = y_min
    /// elif x &gt; c - 0.5 + (w - 1) / 2: y = y_max
    /// else: y = ((x - (c - 0.5)) / (w - 1) + 0.5) * (y_max - y_min) + y_min
    /// </code>
    /// then, when inverted (MONOCHROME1, or invert: true), y = y_max + y_min - y; the result is rounded once to
    /// float32. Center and width default to the FIRST value of the DICOM header's Window Center / Window Width,
    /// read from the side table the DICOM loader attaches to the array it returns (<see cref="DicomDisplayInfo"/>):
    /// so the header window is only known when `window` takes a DICOM input directly. Not element-wise for
    /// the planner (it must see the loaded array itself). A complex input is windowed on its real part.
    /// </summary>
    public static OpDefinition Window { get; } = new()
    {
        Name = "window",
        Summary = "DICOM VOI linear window (center/width, or the DICOM header's) mapped to output_min..output_max; MONOCHROME1 inverted.",
        Reference = "DICOM PS3.3 C.11.2.1.2.1 (pydicom apply_windowing, LINEAR)",
        Inputs = InputSpec.One with { AcceptsComplex = true },
        Shape = c => c.First with { IsComplex = false, IsFrequency = false },
        Example = "{center: 40, width: 400}",
        Rules = [WindowFromTheHeaderReadsAnInput],
        Params =
        [
            new ParamSpec("center", ParamType.Float, "Window center c, in the input's units (modality values for DICOM). Default: the DICOM header's first Window Center."),
            new ParamSpec("width", ParamType.Float, "Window width w >= 1. Default: the DICOM header's first Window Width.") { Min = 1 },
            new ParamSpec("output_min", ParamType.Float, "Value for x at or below the window.") { Default = 0.0 },
            new ParamSpec("output_max", ParamType.Float, "Value for x above the window.") { Default = 255.0 },
            new ParamSpec("invert", ParamType.Enum, "auto: invert when the DICOM photometric interpretation is MONOCHROME1; true / false: force (unquoted YAML booleans).")
            {
                Default = "auto",
                Allowed = ["auto", "true", "false"],
                Aliases = new Dictionary<string, string>(StringComparer.Ordinal) { ["yes"] = "true", ["no"] = "false" }, // quoted "yes" / "no", as documented before
            },
        ],
        Execute = ctx =>
        {
            var src = ctx.Array();
            DicomDisplayInfo.TryGet(src, out var info);
            double c = ctx.Has("center")
                ? ctx.Float("center")
                : info?.WindowCenter ?? throw MissingWindow(ctx.StepId, "center", info);
            double w = ctx.Has("width")
                ? ctx.Float("width")
                : info?.WindowWidth ?? throw MissingWindow(ctx.StepId, "width", info);
            if (!(w >= 1) || !double.IsFinite(c) || !double.IsFinite(w))
            {
                // The recipe's width is bound as >= 1, so this is a header's: say whose, and what to do.
                throw new OpRefusedException(ctx.StepId, !ctx.Has("width") && info is not null
                    ? string.Create(CultureInfo.InvariantCulture, $"window width must be a number >= 1 (PS3.3 C.11.2.1.2.1), but the DICOM header of {info.Source} has Window Width (0028,1051) {w}; give width in the recipe")
                    : string.Create(CultureInfo.InvariantCulture, $"window width must be a number >= 1 (PS3.3 C.11.2.1.2.1) and the center finite; got center {c}, width {w}"));
            }

            double yMin = ctx.Has("output_min") ? ctx.Float("output_min") : 0.0;
            double yMax = ctx.Has("output_max") ? ctx.Float("output_max") : 255.0;
            string invertMode = ctx.Has("invert") ? ctx.Text("invert") : "auto";
            bool invert = invertMode is "true" or "yes" || (invertMode == "auto" && info is { IsInverted: true });
            var dst = ImageArray.Rent(src);
            WindowLinear(src.Data, dst.Data, c, w, yMin, yMax, invert);
            return new ArrayValue(dst);
        },
    };

    /// <summary>The scalar kernel of <see cref="Window"/> (see its summary for the exact formula).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WindowLinear(ReadOnlySpan<float> src, Span<float> dst, double center, double width, double yMin, double yMax, bool invert)
    {
        double c = center - 0.5, w = width - 1.0;
        double lo = c - (w / 2), hi = c + (w / 2), range = yMax - yMin;
        for (int k = 0; k < src.Length; k++)
        {
            double x = src[k];
            double y = x <= lo ? yMin : x > hi ? yMax : ((((x - c) / w) + 0.5) * range) + yMin;
            if (invert)
            {
                y = yMax + yMin - y;
            }

            dst[k] = (float)y;
        }
    }

    /// <summary>A refusal (the runner names the step once: "step 'w': window needs ..."), not an op failure.</summary>
    private static OpRefusedException MissingWindow(string stepId, string which, DicomDisplayInfo? info)
        => new(stepId, info is null
            ? $"window needs '{which}': give center and width, or put `window` right after a DICOM input whose header has Window Center/Width (other ops drop the header)"
            : $"window needs '{which}': the DICOM header of {info.Source} has no usable Window {(which == "center" ? "Center (0028,1050)" : "Width (0028,1051)")}; give it in the recipe");

    /// <summary>montage: skimage.util.montage of a stack (see <see cref="Montage"/>).</summary>
    public static OpDefinition MontageOp { get; } = new()
    {
        Name = "montage",
        Summary = "Tiles the frames of a stack into one image as scikit-image's util.montage: a grid of grid_shape (default ceil(sqrt(N)) square), padding_width around every tile, empty cells and padding filled with fill (default the stack's mean); columns and gap (extension) give rows of columns frames with a gap between tiles only (columns 0 or only a gap: all in one row, numpy.hstack).",
        Reference = "skimage.util.montage",
        Inputs = new InputSpec(1, 1, Doc: "a stack (N x H x W)", RequiresStack: true),
        Output = OutputKind.Image,
        Params =
        [
            new ParamSpec("grid_shape", ParamType.IntList, "[rows, columns] of the grid (at least as many cells as frames); default ceil(sqrt(N)) x ceil(sqrt(N))") { Min = 1, Max = 4096, MinCount = 2, MaxCount = 2 },
            new ParamSpec("padding_width", ParamType.Int, "Pixels between the tiles and between the tiles and the border") { Min = 0, Max = 4096 },
            new ParamSpec("fill", ParamType.Float, "Value of the padding and of the empty cells: a number, or mean (the stack's mean, in its dtype: an 8- or 16-bit stack's truncated to a whole number)") { Default = "mean", Words = ["mean"] },
            new ParamSpec("rescale_intensity", ParamType.Bool, "Stretch each frame to its dtype's range first (skimage.exposure.rescale_intensity with its defaults)") { Default = false },
            new ParamSpec("columns", ParamType.Int, "Extension: frames per row of the grid, as many rows as they need; 0, or more than the frames: all frames in one row (numpy.hstack). Not with grid_shape.") { Min = 0, Max = 4096 },
            new ParamSpec("gap", ParamType.Int, "Extension: pixels between neighbouring tiles, not around them; without columns, all frames in one row (gap 0: numpy.hstack). Not with padding_width.") { Min = 0, Max = 4096 },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "grid_shape or columns, not both",
                At = "columns",
                Check = c => c.Has("grid_shape") && c.Has("columns") ? "montage takes grid_shape (scikit-image's) or columns, not both" : null,
                Violation = "{grid_shape: [2, 2], columns: 2}",
            },
            new OpRule
            {
                Description = "padding_width or gap, not both",
                At = "gap",
                Check = c => c.Has("padding_width") && c.Has("gap") ? "montage takes padding_width (scikit-image's: around the tiles too) or gap (between them only), not both" : null,
                Violation = "{padding_width: 2, gap: 2}",
            },
        ],
        Example = "{grid_shape: [3, 3], padding_width: 8}",
        Shape = c =>
        {
            var s = c.First;
            if (!s.IsKnown || !s.IsStack)
            {
                return ValueInfo.Image;
            }

            var layout = LayoutOf(c, s.Frames);
            if (LayoutProblem(layout, s.Frames, s.Rows, s.Cols, OpDefinition.MaxOutputPixels) is { } problem)
            {
                c.Problem(problem.Message, problem.Param);
                return ValueInfo.Image;
            }

            var (rows, cols) = layout.Shape(s.Rows, s.Cols);
            return new ValueInfo(ValueKind.Image, 1, rows, cols);
        },
        Execute = ctx =>
        {
            var stack = ctx.Array();
            var layout = LayoutOf(ctx, stack.Frames);
            if (LayoutProblem(layout, stack.Frames, stack.Rows, stack.Cols, ctx.MaxPixels) is { } problem)
            {
                throw new OpRefusedException(ctx.StepId, problem.Message);
            }

            // The dtype scikit-image would see (complex: the float path), found once: an unrecorded stack is scanned.
            var dtype = stack.Imag is null ? Intensity.SkimageDtypes.Of(stack, ctx.Threads) : Intensity.SkimageDtype.Float32;
            Imaging.ImageArray? rescaled = null;
            if (ctx.Has("rescale_intensity") && ctx.Bool("rescale_intensity"))
            {
                if (stack.Imag is not null)
                {
                    throw new OpRefusedException(ctx.StepId, "montage's rescale_intensity needs real frames; take np.abs or the real part first");
                }

                rescaled = Imaging.ImageArray.Rent(stack);
                for (int f = 0; f < stack.Frames; f++)
                {
                    Intensity.IntensityOps.RescaleWithDefaults(stack.Data.AsMemory(f * stack.FrameLength, stack.FrameLength), rescaled.Data.AsMemory(f * stack.FrameLength, stack.FrameLength), dtype, ctx.Threads);
                }
            }

            try
            {
                var frames = rescaled ?? stack; // rescaled frames keep the stack's dtype, as scikit-image assigns them back
                bool mean = !ctx.Has("fill") || ctx.Word("fill") is "mean";
                float fill = mean ? StackMean(frames.Data.AsSpan(0, frames.Length), dtype, ctx.Threads) : InDtype(ctx.Float("fill"), dtype);
                float fillImag = frames.Imag is not null && mean ? StackMean(frames.Imag.AsSpan(0, frames.Length), dtype, ctx.Threads) : 0f;
                return new ArrayValue(Montage.Tile(frames, layout, fill, fillImag));
            }
            finally
            {
                if (rescaled is not null)
                {
                    PixelPool.Shared.Return(rescaled.Data);
                }
            }
        },
    };

    /// <summary>The montage layout of the step's parameters for a stack of that many frames.</summary>
    private static MontageLayout LayoutOf(ParamValues p, int frames) => MontageLayout.Of(
        frames,
        p.Has("grid_shape") ? p.Ints("grid_shape") : null,
        p.Has("columns") ? p.Int("columns") : null,
        p.Has("padding_width") ? p.Int("padding_width") : null,
        p.Has("gap") ? p.Int("gap") : null);

    /// <summary>Why a layout cannot tile a stack (too few cells, too many pixels) and the parameter to point at, or null.</summary>
    private static (string Message, string Param)? LayoutProblem(MontageLayout layout, int frames, int rows, int cols, long maxPixels)
    {
        long cells = (long)layout.GridRows * layout.GridCols;
        if (cells < frames)
        {
            return ($"grid_shape [{layout.GridRows}, {layout.GridCols}] has {cells} cells for the stack's {frames} frames", "grid_shape");
        }

        var (r, c) = layout.Size(rows, cols);
        return r * c > maxPixels ? ($"the montage would be {r} x {c} = {r * c} pixels, more than the {maxPixels} one step may make", layout.PadsBorder ? "padding_width" : "gap") : null;
    }

    /// <summary>
    /// A fill value as skimage.util.montage casts it to the stack's dtype: an 8- or 16-bit stack's truncated to a whole
    /// number (numpy's astype) and, beyond the dtype's range, clipped to it (where numpy's cast is undefined: x86 wraps
    /// -1.5 to 255); a float stack's rounded to float32.
    /// </summary>
    private static float InDtype(double fill, Intensity.SkimageDtype dtype)
        => dtype == Intensity.SkimageDtype.Float32 || double.IsNaN(fill) ? (float)fill : (float)Math.Clamp(Math.Truncate(fill), 0, Intensity.SkimageDtypes.Max(dtype));

    /// <summary>
    /// skimage.util.montage's fill 'mean': <c>arr_in.mean(axis=(0, 1, 2))</c> cast to the stack's dtype: an 8- or
    /// 16-bit stack's float64 mean truncated to a whole number, a float one's numpy float32 mean.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float StackMean(ReadOnlySpan<float> values, Intensity.SkimageDtype dtype, int threads)
    {
        if (dtype != Intensity.SkimageDtype.Float32)
        {
            double sum = 0;
            foreach (float v in values)
            {
                sum += v; // whole numbers: exact while below 2^53
            }

            return (float)Math.Truncate(sum / values.Length);
        }

        return Statistics.NumpySum32.Mean(values, threads);
    }

    /// <summary>downsample: integer-factor block mean (see <see cref="Downsample.BlockMean"/> for the exact meaning).</summary>
    public static OpDefinition DownsampleOp { get; } = new()
    {
        Name = "downsample",
        Summary = "Shrinks by an integer factor: each output pixel is the mean of a factor x factor block (computed in double); trailing rows/columns that do not fill a block are dropped; a stack frame by frame.",
        Reference = "x[:R//f*f, :C//f*f].reshape(R//f, f, C//f, f).mean(axis=(1, 3))",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("factor", ParamType.Int, "Block size: the output has rows // factor rows and cols // factor columns.") { Default = 2, Min = 1, Max = 1024 },
        ],
        Shape = c =>
        {
            var s = c.First;
            int f = c.Int("factor");
            if (s.IsKnown && (f > s.Rows || f > s.Cols))
            {
                c.Problem($"factor {f} is larger than the image ({s.Rows} x {s.Cols})", "factor");
            }

            return s.IsKnown ? s with { Rows = s.Rows / f, Cols = s.Cols / f } : s;
        },
        Execute = ctx =>
        {
            try
            {
                return new ArrayValue(Downsample.BlockMean(ctx.Array(), ctx.Int("factor")));
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException($"step '{ctx.StepId}': {ExceptionText.Message(e)}", e);
            }
        },
    };
}

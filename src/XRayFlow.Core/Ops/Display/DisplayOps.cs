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

    /// <summary>montage: the frames of a stack side by side (see <see cref="Montage"/>).</summary>
    public static OpDefinition MontageOp { get; } = new()
    {
        Name = "montage",
        Summary = "Tiles the frames of a stack into one image, row by row (default: all frames in one row).",
        Reference = "skimage.util.montage",
        Inputs = new InputSpec(1, 1, Doc: "a stack (N x H x W)", RequiresStack: true),
        Output = OutputKind.Image,
        Params =
        [
            new ParamSpec("columns", ParamType.Int, "Frames per row of the grid; 0 = all frames in one row (numpy.hstack).") { Default = 0, Min = 0, Max = 4096 },
            new ParamSpec("gap", ParamType.Int, "Pixels between neighbouring tiles (not around the outside).") { Default = 0, Min = 0, Max = 4096 },
            new ParamSpec("fill", ParamType.Float, "Value of the gaps and of the empty cells of the last row.") { Default = 0.0 },
        ],
        Shape = c =>
        {
            var s = c.First;
            if (!s.IsKnown || !s.IsStack)
            {
                return ValueInfo.Image;
            }

            int columns = c.Int("columns") is > 0 and var k ? k : s.Frames;
            var (rows, cols) = Montage.Shape(s.Frames, s.Rows, s.Cols, columns, c.Int("gap"));
            return new ValueInfo(ValueKind.Image, 1, rows, cols);
        },
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

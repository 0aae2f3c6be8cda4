using System.Globalization;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// Where pixels go: scipy.ndimage's zoom, shift, rotate and affine_transform (spline interpolation of order 0-5,
/// SciPy 1.10's modes and prefilter), skimage.transform.resize, and the exact moves crop, pad (numpy.pad), flip and
/// rot90. On a stack each applies frame by frame (the axes are a frame's: 0 = rows, 1 = columns).
/// </summary>
[OpFamily(OpFamily.Geometry)]
public static class GeometryOps
{
    /// <summary>The most pixels (frames x rows x cols) a geometry step may make; larger outputs are refused before any work.</summary>
    public const long MaxOutputPixels = 1L << 28;

    /// <summary>The largest side (rows or columns) a size parameter takes.</summary>
    public const int MaxSide = 1 << 16;

    /// <summary>How pad's per-side counts are written (pad_width, stat_length): numpy.pad's broadcast forms.</summary>
    private const string PadWidthsForm = "n, [before, after], [[n0], [n1]] or [[before0, after0], [before1, after1]] (whole numbers)";

    /// <summary>How pad's per-side values are written (constant_values, end_values).</summary>
    private const string PadValuesForm = "v, [before, after], [[v0], [v1]] or [[before0, after0], [before1, after1]]";

    /// <summary>The largest zoom factor (the output bound refuses most of them sooner).</summary>
    public const double MaxZoom = 1 << 16;

    /// <summary>The largest magnitude of a shift or offset, and of a matrix entry.</summary>
    public const double MaxShift = 1e7;

    private static ParamSpec Order(int defaultOrder) => new("order", ParamType.Int, "Spline order: 0 nearest, 1 linear, 3 cubic (2, 4, 5 too); orders 2-5 prefilter the input (see prefilter)")
    {
        Default = defaultOrder,
        Min = 0,
        Max = BSpline.MaxOrder,
    };

    private static ParamSpec InterpolationMode { get; } = new("mode", ParamType.Enum,
        "Beyond the edges (SciPy's interpolation modes): constant (cval outside [0, n - 1], edge taps mirrored), grid-constant (cval beyond the pixels), nearest, reflect = grid-mirror (d c b a|a b c d), mirror (d c b|a b c d), grid-wrap (periodic), wrap (SciPy's legacy period n - 1)")
    {
        Default = "constant",
        Allowed = SplineModes.Names,
    };

    private static ParamSpec Cval { get; } = new("cval", ParamType.Float, "Value outside the image for modes constant and grid-constant") { Default = 0.0 };

    private static ParamSpec Prefilter { get; } = new("prefilter", ParamType.Bool,
        "For orders 2-5: convert the input to B-spline coefficients first (spline_filter, SciPy's default); false interpolates the values as coefficients (smoother)")
    {
        Default = true,
    };

    /// <summary>zoom: scipy.ndimage.zoom (kernel <see cref="SeparableResampler"/>, coordinates <see cref="AxisPlan.ZoomCoordinates"/>).</summary>
    public static OpDefinition Zoom { get; } = new()
    {
        Name = "zoom",
        Summary = "Resamples by a zoom factor per axis with splines of order 0-5; the output has round(n * zoom) pixels per axis (scipy.ndimage.zoom).",
        Reference = "scipy.ndimage.zoom",
        Inputs = InputSpec.One,
        Params =
        [
            Factor("zoom", "Zoom factor, one value or [axis 0, axis 1]; the output has int(round(n * zoom)) pixels on an axis of n"),
            Order(3), InterpolationMode, Cval, Prefilter,
            new ParamSpec("grid_mode", ParamType.Bool, "false: the distance between the first and last pixel centres is zoomed (n - 1 -> m - 1); true: the whole pixel extent (n -> m), as skimage's resize")
            {
                Default = false,
            },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "with grid_mode, SciPy recommends grid-constant over constant and grid-wrap over wrap",
                At = "mode",
                Severity = Diagnostics.Severity.Warning,
                Check = c => c.Bool("grid_mode") && c.Text("mode") is "constant" or "wrap"
                    ? $"with grid_mode, mode '{c.Text("mode")}' places its edge half a pixel inside the image (SciPy warns too); use mode 'grid-{(c.Text("mode") == "wrap" ? "wrap" : "constant")}'"
                    : null,
                Violation = "{zoom: 2, grid_mode: true}",
            },
        ],
        Example = "{zoom: 0.5, order: 1}",
        Shape = c =>
        {
            var s = c.First;
            if (!s.IsKnown)
            {
                return s with { Rows = 0, Cols = 0 };
            }

            double[] z = c.Doubles("zoom")!;
            long rows = Resampling.ZoomedLength(s.Rows, z[0]), cols = Resampling.ZoomedLength(s.Cols, z[^1]);
            if (rows < 1 || cols < 1)
            {
                c.Problem($"zoom {Number(rows < 1 ? z[0] : z[^1])} leaves no pixel on axis {(rows < 1 ? 0 : 1)} (round({(rows < 1 ? s.Rows : s.Cols)} x zoom) = 0)", "zoom");
                return s;
            }

            return Bounded(c, s, rows, cols, "zoom");
        },
        Execute = ctx =>
        {
            var src = ctx.Array();
            double[] z = ctx.Doubles("zoom")!;
            int rows = (int)Resampling.ZoomedLength(src.Rows, z[0]), cols = (int)Resampling.ZoomedLength(src.Cols, z[^1]);
            return new ArrayValue(Resampling.Zoom(src, rows, cols, ctx.Int("order"), ModeOf(ctx), CvalOf(ctx), ctx.Bool("prefilter"), ctx.Bool("grid_mode"), ctx.Threads));
        },
    };

    /// <summary>What skimage.transform.resize and rescale take besides the size: order, mode, cval, clip, anti-aliasing.</summary>
    private static IReadOnlyList<ParamSpec> ResizeParams { get; } =
    [
        Order(1),
        new ParamSpec("mode", ParamType.Enum, "Beyond the edges, numpy.pad's names: constant (cval), edge, symmetric (d c b a|a b c d), reflect (d c b|a b c d), wrap")
        {
            Default = "reflect",
            Allowed = ["constant", "edge", "symmetric", "reflect", "wrap"],
        },
        new ParamSpec("cval", ParamType.Float, "Value outside the image for mode constant") { Default = 0.0 },
        new ParamSpec("clip", ParamType.Bool, "Clip the output to the input's range (widened to cval when mode is constant and the output reaches it), as skimage's default") { Default = true },
        new ParamSpec("anti_aliasing", ParamType.Bool, "Gaussian smoothing before shrinking; default: true when an axis shrinks"),
        new ParamSpec("anti_aliasing_sigma", ParamType.FloatPerAxis, "Sigma of that smoothing, one value or [axis 0, axis 1]; default max(0, (n / m - 1) / 2) per axis")
        {
            Min = 0,
            Max = CommonParams.MaxSigma,
        },
    ];

    /// <summary>resize: skimage.transform.resize with preserve_range=True (see <see cref="Resampling.Resize"/>).</summary>
    public static OpDefinition Resize { get; } = new()
    {
        Name = "resize",
        Summary = "Resizes to output_shape as skimage.transform.resize (preserve_range=True): Gaussian anti-aliasing when shrinking, then ndimage.zoom with grid_mode, clipped to the input's range.",
        Reference = "skimage.transform.resize",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("output_shape", ParamType.IntList, "[rows, cols] of each output frame")
            {
                Required = true,
                Min = 1,
                Max = MaxSide,
                MinCount = 2,
                MaxCount = 2,
            },
            .. ResizeParams,
        ],
        Example = "{output_shape: [32, 48]}",
        Shape = c =>
        {
            var s = c.First;
            int[] shape = c.Ints("output_shape")!;
            return Bounded(c, s, shape[0], shape[1], "output_shape");
        },
        Execute = ctx =>
        {
            int[] shape = ctx.Ints("output_shape")!;
            return ResizeTo(ctx, shape[0], shape[1]);
        },
    };

    /// <summary>rescale: skimage.transform.rescale with preserve_range=True: resize to max(1, round(n * scale)) per axis.</summary>
    public static OpDefinition Rescale { get; } = new()
    {
        Name = "rescale",
        Summary = "Scales each frame by a factor per axis as skimage.transform.rescale (preserve_range=True): resize to max(1, round(n * scale)) pixels on an axis of n (NumPy's round, half to even), with resize's anti-aliasing, order, mode and clipping.",
        Reference = "skimage.transform.rescale",
        Inputs = InputSpec.One,
        Params =
        [
            Factor("scale", "Scale factor, one value or [axis 0, axis 1]"),
            .. ResizeParams,
        ],
        Example = "{scale: 0.25}",
        Shape = c =>
        {
            var s = c.First;
            if (!s.IsKnown)
            {
                return s with { Rows = 0, Cols = 0 };
            }

            double[] scale = c.Doubles("scale")!;
            return Bounded(c, s, RescaledLength(s.Rows, scale[0]), RescaledLength(s.Cols, scale[^1]), "scale");
        },
        Execute = ctx =>
        {
            var src = ctx.Array();
            double[] scale = ctx.Doubles("scale")!;
            return ResizeTo(ctx, (int)RescaledLength(src.Rows, scale[0]), (int)RescaledLength(src.Cols, scale[^1]));
        },
    };

    /// <summary>rotate: scipy.ndimage.rotate in the plane of a frame's axes (see <see cref="Rotation.Geometry"/>).</summary>
    public static OpDefinition Rotate { get; } = new()
    {
        Name = "rotate",
        Summary = "Rotates each frame by an angle in degrees (counter-clockwise as displayed) with splines of order 0-5; reshape grows the output to hold the whole input (scipy.ndimage.rotate).",
        Reference = "scipy.ndimage.rotate",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("angle", ParamType.Float, "Rotation angle in degrees") { Required = true, Min = -MaxShift, Max = MaxShift },
            new ParamSpec("reshape", ParamType.Bool, "Make the output large enough for the whole rotated input (else keep the input's shape)") { Default = true },
            Order(3), InterpolationMode, Cval, Prefilter,
        ],
        Example = "{angle: 30, order: 1}",
        Shape = c =>
        {
            var s = c.First;
            if (!s.IsKnown)
            {
                return s with { Rows = 0, Cols = 0 };
            }

            var (rows, cols, _, _) = Rotation.Geometry(s.Rows, s.Cols, c.Float("angle"), c.Bool("reshape"));
            return Bounded(c, s, rows, cols, "angle");
        },
        Execute = ctx => new ArrayValue(Resampling.Rotate(ctx.Array(), ctx.Float("angle"), ctx.Bool("reshape"), ctx.Int("order"), ModeOf(ctx), CvalOf(ctx), ctx.Bool("prefilter"), ctx.Threads)),
    };

    /// <summary>shift: scipy.ndimage.shift (kernel <see cref="SeparableResampler"/>, coordinates <see cref="AxisPlan.ShiftCoordinates"/>).</summary>
    public static OpDefinition Shift { get; } = new()
    {
        Name = "shift",
        Summary = "Moves each frame by a (sub-pixel) amount per axis with splines of order 0-5: out[i, j] = x(i - shift0, j - shift1) (scipy.ndimage.shift).",
        Reference = "scipy.ndimage.shift",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("shift", ParamType.FloatPerAxis, "Shift in pixels, one value or [axis 0, axis 1] (positive: down / right)") { Required = true, Min = -MaxShift, Max = MaxShift },
            Order(3), InterpolationMode, Cval, Prefilter,
        ],
        Example = "{shift: [1.5, -2.25]}",
        Execute = ctx =>
        {
            double[] s = ctx.Doubles("shift")!;
            return new ArrayValue(Resampling.Shift(ctx.Array(), s[0], s[^1], ctx.Int("order"), ModeOf(ctx), CvalOf(ctx), ctx.Bool("prefilter"), ctx.Threads));
        },
    };

    /// <summary>affine_transform: scipy.ndimage.affine_transform (kernel <see cref="AffineResampler"/>).</summary>
    public static OpDefinition AffineTransform { get; } = new()
    {
        Name = "affine_transform",
        Summary = "Pulls each output pixel o from the input at matrix @ o + offset with splines of order 0-5 (scipy.ndimage.affine_transform).",
        Reference = "scipy.ndimage.affine_transform",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("matrix", ParamType.Matrix, "Output-to-input matrix: 2 x 2, or homogeneous 3 x 3 (last row [0, 0, 1]) / 2 x 3 whose last column is the offset")
            {
                Required = true,
                Min = -MaxShift,
                Max = MaxShift,
                MaxCount = 3,
                Form = "a 2 x 2 matrix [[a, b], [c, d]], a 2 x 3 one whose last column is the offset, or a homogeneous 3 x 3 one",
            },
            new ParamSpec("offset", ParamType.FloatPerAxis, "Added to matrix @ o, one value or [axis 0, axis 1]; ignored with a homogeneous matrix (as SciPy)")
            {
                Default = 0.0,
                Min = -MaxShift,
                Max = MaxShift,
            },
            new ParamSpec("output_shape", ParamType.IntList, "[rows, cols] of each output frame; default the input's")
            {
                Min = 1,
                Max = MaxSide,
                MinCount = 2,
                MaxCount = 2,
            },
            Order(3), InterpolationMode, Cval, Prefilter,
        ],
        Rules =
        [
            new OpRule
            {
                Description = "matrix is 2 x 2, 2 x 3 or 3 x 3",
                At = "matrix",
                Check = c => c.Matrix("matrix") is { } m && !(m.Length is 2 or 3 && (m[0].Length == 3 || (m.Length == 2 && m[0].Length == 2)))
                    ? $"matrix is {m.Length} x {m[0].Length}; affine_transform takes 2 x 2, 2 x 3 or 3 x 3 (write a diagonal [a, b] as [[a, 0], [0, b]])"
                    : null,
                Violation = "{matrix: [[1, 0, 0]]}",
            },
            new OpRule
            {
                Description = "a 3 x 3 matrix is homogeneous: its last row is [0, 0, 1]",
                At = "matrix",
                Check = c => c.Matrix("matrix") is { Length: 3 } m && m[0].Length == 3 && !(m[2][0] == 0 && m[2][1] == 0 && m[2][2] == 1)
                    ? "a 3 x 3 matrix must be homogeneous: its last row must be [0, 0, 1] (SciPy refuses others)"
                    : null,
                Violation = "{matrix: [[1, 0, 0], [0, 1, 0], [0, 0, 2]]}",
            },
        ],
        Example = "{matrix: [[1, 0.2], [-0.1, 0.9]], offset: [2, -3], order: 1}",
        Shape = c =>
        {
            var s = c.First;
            if (c.Ints("output_shape") is { } shape)
            {
                return Bounded(c, s, shape[0], shape[1], "output_shape");
            }

            return s;
        },
        Execute = ctx =>
        {
            var src = ctx.Array();
            var (m, offset) = AffineOf(ctx);
            int[] shape = ctx.Ints("output_shape") ?? [src.Rows, src.Cols];
            return new ArrayValue(Resampling.Affine(src, m, offset, shape[0], shape[1], ctx.Int("order"), ModeOf(ctx), CvalOf(ctx), ctx.Bool("prefilter"), ctx.Threads));
        },
    };

    /// <summary>crop: a box of each frame (exact copies).</summary>
    public static OpDefinition Crop { get; } = new()
    {
        Name = "crop",
        Summary = "Cuts a box out of each frame: box [row0, col0, rows, cols], or center [rows, cols] (top-left corner ((R - rows) // 2, (C - cols) // 2)); x[row0:row0 + rows, col0:col0 + cols].",
        Reference = "x[row0:row0 + rows, col0:col0 + cols]",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("box", ParamType.IntList, "[row0, col0, rows, cols]: the top-left corner and the size") { Min = 0, Max = MaxSide, MinCount = 4, MaxCount = 4 },
            new ParamSpec("center", ParamType.IntList, "[rows, cols] of a box centred in the frame") { Min = 1, Max = MaxSide, MinCount = 2, MaxCount = 2 },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "exactly one of box and center",
                At = "center",
                Check = c => c.Has("box") == c.Has("center") ? (c.Has("box") ? "give box or center, not both" : "crop needs box: [row0, col0, rows, cols] or center: [rows, cols]") : null,
                Violation = "{box: [0, 0, 8, 8], center: [8, 8]}",
            },
            new OpRule
            {
                Description = "a box has at least one row and one column",
                At = "box",
                Check = c => c.Ints("box") is { } b && (b[2] < 1 || b[3] < 1) ? $"the box [{string.Join(", ", b)}] is empty: rows and cols must be at least 1" : null,
                Violation = "{box: [0, 0, 0, 8]}",
            },
        ],
        Example = "{box: [8, 4, 32, 40]}",
        Shape = c =>
        {
            var s = c.First;
            if (c.Ints("box") is { } b && c.Ints("center") is null)
            {
                if (s.IsKnown && ((long)b[0] + b[2] > s.Rows || (long)b[1] + b[3] > s.Cols))
                {
                    c.Problem($"the crop box [{string.Join(", ", b)}] (rows {b[0]}..{(long)b[0] + b[2] - 1}, columns {b[1]}..{(long)b[1] + b[3] - 1}) is outside the {s.Rows} x {s.Cols} image", "box");
                }

                return s with { Rows = Math.Max(1, b[2]), Cols = Math.Max(1, b[3]) };
            }

            if (c.Ints("center") is { } z && c.Ints("box") is null)
            {
                if (s.IsKnown && (z[0] > s.Rows || z[1] > s.Cols))
                {
                    c.Problem($"the centred box {z[0]} x {z[1]} is larger than the {s.Rows} x {s.Cols} image", "center");
                }

                return s with { Rows = z[0], Cols = z[1] };
            }

            return s;
        },
        Execute = ctx =>
        {
            var src = ctx.Array();
            if (ctx.Ints("box") is { } b)
            {
                return new ArrayValue(PixelMoves.Crop(src, b[0], b[1], b[2], b[3]));
            }

            int[] z = ctx.Ints("center")!;
            var (r0, c0) = PixelMoves.CenterCorner(src.Rows, src.Cols, z[0], z[1]);
            return new ArrayValue(PixelMoves.Crop(src, r0, c0, z[0], z[1]));
        },
    };

    /// <summary>pad: numpy.pad on each frame (see <see cref="PixelMoves.Pad"/>).</summary>
    public static OpDefinition Pad { get; } = new()
    {
        Name = "pad",
        Summary = "Pads each frame as numpy.pad: pad_width n, [before, after] or [[before0, after0], [before1, after1]]; mode constant (constant_values), edge, reflect, symmetric, wrap (copies), linear_ramp (end_values), maximum, mean, median, minimum (stat_length), reflect and symmetric with reflect_type odd; computed values in float32, as numpy.pad of a float32 array.",
        Reference = "numpy.pad",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("pad_width", ParamType.Matrix, "Pixels to add: n (all sides), [before, after] (both axes), [[n0], [n1]] (per axis) or [[before0, after0], [before1, after1]]")
            {
                Required = true,
                Min = 0,
                Max = MaxSide,
                MaxCount = 2,
                Form = PadWidthsForm,
            },
            new ParamSpec("mode", ParamType.Enum, "numpy.pad's mode: constant, edge (repeat the edge), reflect (d c b|a b c d), symmetric (d c b a|a b c d), wrap, linear_ramp (from end_values to the edge), maximum, mean, median, minimum (of stat_length values at each edge)")
            {
                Default = "constant",
                Allowed = ["constant", "edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum", "mean", "median", "minimum"],
            },
            new ParamSpec("constant_values", ParamType.Matrix, "For mode constant (default 0; numpy.pad refuses it with the other modes): v, [before, after], [[v0], [v1]] or [[before0, after0], [before1, after1]] (corners take axis 1's)")
            {
                MaxCount = 2,
                Form = PadValuesForm,
            },
            new ParamSpec("end_values", ParamType.Matrix, "For mode linear_ramp: the values the ramps start from at the outer edge (default 0): v, [before, after], [[v0], [v1]] or [[before0, after0], [before1, after1]]")
            {
                MaxCount = 2,
                Form = PadValuesForm,
            },
            new ParamSpec("stat_length", ParamType.Matrix, "For modes maximum, mean, median, minimum: how many values at each edge the statistic reads (default all): n, [before, after], [[n0], [n1]] or [[before0, after0], [before1, after1]]")
            {
                Min = 0,
                Max = MaxSide,
                MaxCount = 2,
                Form = PadWidthsForm,
            },
            new ParamSpec("reflect_type", ParamType.Enum, "For modes reflect and symmetric: even (the values mirrored) or odd (2 edge - the mirrored values: the image continued as a line through the edge)")
            {
                Default = "even",
                Allowed = ["even", "odd"],
            },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "pad_width is whole numbers",
                At = "pad_width",
                Check = c => c.Matrix("pad_width") is { } m && m.Any(r => r.Any(v => v != Math.Floor(v))) ? "pad_width must be whole numbers of pixels (numpy.pad refuses others)" : null,
                Violation = "{pad_width: 1.5}",
            },
            PadParamForModes("constant_values", ["constant"], "{pad_width: 1, mode: edge, constant_values: 3}", " (which pads with the image's own values)"),
            PadParamForModes("end_values", ["linear_ramp"], "{pad_width: 1, mode: edge, end_values: 3}"),
            PadParamForModes("stat_length", ["maximum", "mean", "median", "minimum"], "{pad_width: 1, mode: edge, stat_length: 3}"),
            PadParamForModes("reflect_type", ["reflect", "symmetric"], "{pad_width: 1, mode: edge, reflect_type: odd}"),
            new OpRule
            {
                Description = "stat_length is whole numbers",
                At = "stat_length",
                Check = c => c.Matrix("stat_length") is { } m && m.Any(r => r.Any(v => v != Math.Floor(v))) ? "stat_length must be whole numbers of values (numpy.pad refuses others)" : null,
                Violation = "{pad_width: 1, mode: mean, stat_length: 2.5}",
            },
            new OpRule
            {
                Description = "maximum and minimum need a stat_length above 0",
                At = "stat_length",
                Check = c => c.Text("mode") is "maximum" or "minimum" && c.Matrix("stat_length") is { } m && m.Any(r => r.Any(v => v == 0))
                    ? $"a stat_length of 0 gives mode '{c.Text("mode")}' no value to pad with (numpy.pad refuses it too)"
                    : null,
                Violation = "{pad_width: 1, mode: maximum, stat_length: 0}",
            },
        ],
        Example = "{pad_width: [[2, 3], [4, 1]], mode: reflect}",
        Shape = c =>
        {
            var s = c.First;
            if (c.Matrix("pad_width") is not { } m || Pairs(m) is not { } p || !s.IsKnown)
            {
                return s with { Rows = 0, Cols = 0 };
            }

            return Bounded(c, s, s.Rows + (long)p[0, 0] + (long)p[0, 1], s.Cols + (long)p[1, 0] + (long)p[1, 1], "pad_width");
        },
        Execute = ctx =>
        {
            var p = Pairs(ctx.Matrix("pad_width")!)!;
            var values = ctx.Matrix("constant_values") is { } cv ? Pairs(cv)! : new double[2, 2];
            if (ctx.Matrix("constant_values") is null && ctx.Has("constant_values"))
            {
                double v = ctx.Float("constant_values");
                values = new double[,] { { v, v }, { v, v } };
            }

            string mode = ctx.Text("mode");
            if (PadModes.Computes(mode, ctx.Text("reflect_type")))
            {
                var widths = new int[,] { { (int)p[0, 0], (int)p[0, 1] }, { (int)p[1, 0], (int)p[1, 1] } };
                var ends = ctx.Matrix("end_values") is { } ev ? Pairs(ev)! : new double[2, 2];
                var lengths = new int[,] { { -1, -1 }, { -1, -1 } };
                if (ctx.Matrix("stat_length") is { } sl && Pairs(sl) is { } l)
                {
                    lengths = new int[,] { { (int)l[0, 0], (int)l[0, 1] }, { (int)l[1, 0], (int)l[1, 1] } };
                }

                return new ArrayValue(PadModes.Pad(ctx.Array(), widths, mode, ends, lengths, ctx.Threads));
            }

            return new ArrayValue(PixelMoves.Pad(ctx.Array(), (int)p[0, 0], (int)p[0, 1], (int)p[1, 0], (int)p[1, 1], mode, values, ctx.Threads));
        },
    };

    /// <summary>A pad rule: <paramref name="param"/> only with the modes it is for (numpy.pad refuses it with the others).</summary>
    private static OpRule PadParamForModes(string param, string[] modes, string violation, string why = "")
    {
        string list = modes.Length == 1 ? $"mode {modes[0]}" : $"modes {string.Join(", ", modes[..^1])} and {modes[^1]}";
        return new OpRule
        {
            Description = $"{param} only with {list}",
            At = param,
            Check = c => c.IsWritten(param) && !modes.Contains(c.Text("mode"))
                ? $"{param} is for {list}; numpy.pad refuses it with mode '{c.Text("mode")}'{why}"
                : null,
            Violation = violation,
        };
    }

    /// <summary>flip: numpy.flip on each frame.</summary>
    public static OpDefinition Flip { get; } = new()
    {
        Name = "flip",
        Summary = "Reverses the order of rows (axis 0), columns (axis 1) or both (no axis) of each frame (numpy.flip).",
        Reference = "numpy.flip",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("axis", ParamType.Int, "0 or -2: upside down; 1 or -1: left-right; absent: both (numpy's axis=None, on each frame)") { Min = -2, Max = 1 },
        ],
        Example = "{axis: 1}",
        Execute = ctx => new ArrayValue(PixelMoves.Flip(ctx.Array(), ctx.Has("axis") ? ctx.Int("axis") : null, ctx.Threads)),
    };

    /// <summary>rot90: numpy.rot90 on each frame.</summary>
    public static OpDefinition Rot90 { get; } = new()
    {
        Name = "rot90",
        Summary = "Rotates each frame by k quarter turns counter-clockwise, exactly (numpy.rot90 with axes (0, 1)); odd k swaps rows and columns.",
        Reference = "numpy.rot90",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("k", ParamType.Int, "Quarter turns, counter-clockwise (negative: clockwise)") { Default = 1, Min = -1_000_000, Max = 1_000_000 },
        ],
        Example = "{k: 3}",
        Shape = c =>
        {
            var s = c.First;
            return (c.Int("k") & 1) != 0 ? s with { Rows = s.Cols, Cols = s.Rows } : s;
        },
        Execute = ctx => new ArrayValue(PixelMoves.Rot90(ctx.Array(), ctx.Int("k"), ctx.Threads)),
    };

    /// <summary>pad_width / constant_values as [[before0, after0], [before1, after1]] the way numpy's _as_pairs broadcasts them, or null for other shapes.</summary>
    public static double[,]? Pairs(double[][] m)
    {
        int rows = m.Length, cols = m[0].Length;
        return (rows, cols) switch
        {
            (1, 1) => new double[,] { { m[0][0], m[0][0] }, { m[0][0], m[0][0] } },
            (1, 2) => new double[,] { { m[0][0], m[0][1] }, { m[0][0], m[0][1] } },
            (2, 1) => new double[,] { { m[0][0], m[0][0] }, { m[1][0], m[1][0] } },
            (2, 2) => new double[,] { { m[0][0], m[0][1] }, { m[1][0], m[1][1] } },
            _ => null,
        };
    }

    /// <summary>The 2 x 2 matrix and the offset of an affine_transform step (a homogeneous matrix carries its offset).</summary>
    private static (double[,] Matrix, double[] Offset) AffineOf(OpContext ctx)
    {
        var m = ctx.Matrix("matrix")!;
        var matrix = new double[,] { { m[0][0], m[0][1] }, { m[1][0], m[1][1] } };
        if (m[0].Length == 3)
        {
            return (matrix, [m[0][2], m[1][2]]);
        }

        double[] o = ctx.Doubles("offset") ?? [0.0];
        return (matrix, [o[0], o[^1]]);
    }

    /// <summary>
    /// The output shape, or a problem when it would exceed <see cref="MaxOutputPixels"/> (and then an unknown shape,
    /// `?` in the plan: not the input's, which later steps would be checked against).
    /// </summary>
    private static ValueInfo Bounded(InferContext c, ValueInfo s, long rows, long cols, string param)
    {
        long frames = Math.Max(1, s.Frames);
        if (rows > MaxSide * 16L || cols > MaxSide * 16L || frames * rows * cols > MaxOutputPixels)
        {
            c.Problem(string.Create(CultureInfo.InvariantCulture, $"the output would be {(s.IsStack ? $"{frames} x " : "")}{rows} x {cols} = {frames * rows * cols} pixels, more than the {MaxOutputPixels} a geometry step may make"), param);
            return s with { Rows = 0, Cols = 0 };
        }

        return s with { Rows = (int)rows, Cols = (int)cols };
    }

    /// <summary>A required factor per axis (zoom's zoom, rescale's scale): above 0, at most <see cref="MaxZoom"/>.</summary>
    private static ParamSpec Factor(string name, string doc) => new(name, ParamType.FloatPerAxis, doc)
    {
        Required = true,
        Min = 0,
        MinExclusive = true,
        Max = MaxZoom,
    };

    /// <summary>rescale's output length: numpy.maximum(numpy.round(scale * n), 1).</summary>
    private static long RescaledLength(int n, double scale) => Math.Max(1, Resampling.ZoomedLength(n, scale));

    /// <summary>resize (and rescale) of the step's input to rows x cols with the step's order, mode, cval, clip and anti-aliasing.</summary>
    private static ArrayValue ResizeTo(OpContext ctx, int rows, int cols)
    {
        bool? anti = ctx.Has("anti_aliasing") ? ctx.Bool("anti_aliasing") : null;
        return new ArrayValue(Resampling.Resize(ctx.Array(), rows, cols, ctx.Int("order"), ctx.Text("mode"), CvalOf(ctx), anti, ctx.Doubles("anti_aliasing_sigma"), ctx.Bool("clip"), ctx.Threads, ctx.Float("cval")));
    }

    private static SplineMode ModeOf(OpContext ctx) => SplineModes.Parse(ctx.Text("mode"));

    private static float CvalOf(OpContext ctx) => (float)ctx.Float("cval");

    private static string Number(double v) => RoundTrip.Format(v);
}

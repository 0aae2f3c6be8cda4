using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Morphology;

/// <summary>
/// scipy.ndimage's grey and binary morphology (kernels <see cref="GreyMorphology"/>, <see cref="BinaryMorphology"/>;
/// structuring elements <see cref="StructuringElement"/>). On a stack each applies frame by frame.
/// Grey ops take SciPy's `size`, `footprint` (flat; also cross / square / disk with `radius`, as scikit-image's
/// footprints) and `structure` (non-flat: added in dilation, subtracted in erosion); binary ops take SciPy's
/// `structure` (a 0/1 element: cross / square / disk with `radius`, a matrix, or `connectivity`).
/// </summary>
[OpFamily(OpFamily.Morphology)]
public static class MorphologyOps
{
    /// <summary>A grey op's non-flat structuring element (SciPy's `structure` of grey_erosion and friends).</summary>
    public static ParamSpec GreyStructure { get; } = new("structure", ParamType.Matrix,
        "Non-flat structuring element as SciPy's: rows of numbers added to the pixels under them in dilation and subtracted in erosion, over the footprint's cells (every cell when no footprint); when given, size is ignored")
    {
        MaxCount = StructuringElement.MaxSide,
    };

    public static ParamSpec Iterations { get; } = new("iterations", ParamType.Int,
        "How many times the op is repeated on its own output; 0 = until nothing changes (SciPy's iterations < 1; negative values are refused: write 0)")
    {
        Default = 1,
        Min = 0,
        Max = BinaryMorphology.MaxIterations,
    };

    public static ParamSpec BorderValue { get; } = new("border_value", ParamType.Int, "Value of the pixels outside the image (0 or 1)")
    {
        Default = 0,
        Min = 0,
        Max = 1,
    };

    /// <summary>Rules of the grey ops (declared before the ops: static properties initialize in order).</summary>
    private static IReadOnlyList<OpRule> GreyRules { get; } =
    [
        new OpRule
        {
            Description = "-(side // 2) <= origin <= (side - 1) // 2 on each axis of the window (the footprint's, else the structure's, else size)",
            At = CommonParams.Origin.Name,
            Check = c =>
            {
                var w = WindowOf(c);
                return StructuringElement.OriginProblem(c.Ints(CommonParams.Origin.Name), w.Sides.Rows, w.Sides.Cols, "window");
            },
            Violation = "{size: 3, origin: 2}",
        },
        CommonParams.FootprintRule,
        StructuringElement.RadiusRule(StructuringElement.Footprint.Name),
        new OpRule
        {
            Description = "a footprint given with a structure has the structure's shape (SciPy reads the structure at the footprint's cells)",
            At = GreyStructure.Name,
            Check = c => StructuringElement.SidesOf(c, StructuringElement.Footprint.Name) is { } f && c.Matrix(GreyStructure.Name) is { } s && (s.Length, s[0].Length) != f
                ? $"the structure is {s.Length} x {s[0].Length} and the footprint {f.Rows} x {f.Cols}; give them one shape"
                : null,
            Violation = "{footprint: cross, structure: [[1, 2], [3, 4]]}",
        },
    ];

    public static OpDefinition GreyErosion { get; } = Grey("grey_erosion", "The smallest value under the window (minus a non-flat structure's values).", GreyMorphology.Erode);

    public static OpDefinition GreyDilation { get; } = Grey("grey_dilation", "The largest value under the reflected window (plus a non-flat structure's values).", GreyMorphology.Dilate);

    public static OpDefinition GreyOpening { get; } = Grey("grey_opening", "grey_dilation of grey_erosion: removes bright details smaller than the window.", GreyMorphology.Open);

    public static OpDefinition GreyClosing { get; } = Grey("grey_closing", "grey_erosion of grey_dilation: removes dark details smaller than the window.", GreyMorphology.Close);

    public static OpDefinition MorphologicalGradient { get; } = Grey("morphological_gradient", "grey_dilation minus grey_erosion: edges, as a local range.", GreyMorphology.Gradient);

    public static OpDefinition WhiteTophat { get; } = Grey("white_tophat", "The image minus its grey_opening: bright details smaller than the window.", GreyMorphology.WhiteTophat);

    public static OpDefinition BlackTophat { get; } = Grey("black_tophat", "grey_closing minus the image: dark details smaller than the window.", GreyMorphology.BlackTophat);

    public static OpDefinition BinaryErosion { get; } = Binary("binary_erosion", "1 where the structuring element, placed on the pixel, fits inside the nonzero pixels (0/1 output).", BinaryOp.Erosion);

    public static OpDefinition BinaryDilation { get; } = Binary("binary_dilation", "1 where the reflected structuring element, placed on the pixel, touches a nonzero pixel (0/1 output).", BinaryOp.Dilation);

    public static OpDefinition BinaryOpening { get; } = Binary("binary_opening", "binary_dilation of binary_erosion: removes objects and spurs the structuring element does not fit in (0/1 output).", BinaryOp.Opening);

    public static OpDefinition BinaryClosing { get; } = Binary("binary_closing", "binary_erosion of binary_dilation: fills gaps and holes smaller than the structuring element (0/1 output).", BinaryOp.Closing);

    public static OpDefinition BinaryFillHoles { get; } = new()
    {
        Name = "binary_fill_holes",
        Summary = "The nonzero pixels plus every hole: zero regions that no path of structure steps joins to the border (0/1 output).",
        Reference = "scipy.ndimage.binary_fill_holes",
        Inputs = new InputSpec(1, 1, Doc: "one array (a pixel is 1 where nonzero)"),
        Params = [StructuringElement.Structure, StructuringElement.Radius, StructuringElement.Connectivity, StructuringElement.Origin],
        Rules = StructuringElement.Rules,
        Example = "{connectivity: 2}",
        ReadsMasks = true,
        Execute = ctx =>
        {
            var (o0, o1) = OriginOf(ctx);
            return new ArrayValue(BinaryMorphology.FillHoles(ctx.Array(), StructuringElement.Build(ctx), o0, o1, ctx.Threads, ctx.Cancellation));
        },
    };

    private static OpDefinition Binary(string name, string summary, BinaryOp op) => new()
    {
        Name = name,
        Summary = summary,
        Reference = $"scipy.ndimage.{name}",
        Inputs = new InputSpec(1, 2, Doc: "the image (a pixel is 1 where nonzero), then optionally a mask of its shape: only pixels where the mask is nonzero change"),
        Params = [StructuringElement.Structure, StructuringElement.Radius, StructuringElement.Connectivity, Iterations, BorderValue, StructuringElement.Origin],
        Rules = StructuringElement.Rules,
        Example = "{structure: disk, radius: 2}",
        ReadsMasks = true,
        Execute = ctx =>
        {
            var (o0, o1) = OriginOf(ctx);
            return new ArrayValue(BinaryMorphology.Apply(
                op,
                ctx.Array(0),
                ctx.Inputs.Count > 1 ? ctx.Array(1) : null,
                StructuringElement.Build(ctx),
                ctx.Int(Iterations.Name),
                ctx.Int(BorderValue.Name) != 0,
                o0,
                o1,
                ctx.Threads,
                ctx.Cancellation));
        },
    };

    private static OpDefinition Grey(string name, string summary, Func<ImageArray, GreyWindow, int, int, BoundaryMode, float, int, ImageArray> kernel) => new()
    {
        Name = name,
        Summary = summary + " size defaults to 3 here (SciPy has no default).",
        Reference = $"scipy.ndimage.{name}",
        Inputs = InputSpec.One,
        Params = [CommonParams.Size, StructuringElement.Footprint, GreyStructure, StructuringElement.Radius, CommonParams.Mode, CommonParams.Cval, CommonParams.Origin],
        Rules = GreyRules,
        Example = "{size: 5}",
        Execute = ctx =>
        {
            var (o0, o1) = OriginOf(ctx);
            return new ArrayValue(kernel(ctx.Array(), WindowOf(ctx), o0, o1, CommonParams.ModeOf(ctx), CommonParams.CvalOf(ctx), ctx.Threads));
        },
    };

    /// <summary>The bound window: size, footprint (word or matrix), structure.</summary>
    private static GreyWindow WindowOf(ParamValues p)
    {
        int[] size = p.Ints(CommonParams.Size.Name) ?? [3];
        return new GreyWindow(size[0], size.Length > 1 ? size[1] : size[0], StructuringElement.Of(p, StructuringElement.Footprint.Name), p.Matrix(GreyStructure.Name));
    }

    private static (int O0, int O1) OriginOf(ParamValues p)
    {
        int[] origin = p.Ints(CommonParams.Origin.Name) ?? [0];
        return (origin[0], origin.Length > 1 ? origin[1] : origin[0]);
    }
}

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// scikit-image's Hessian ridge filters (skimage.filters.frangi, hessian, sato, meijering; 0.19), which find
/// vessels, ribs, tubes and catheters as lines darker (or lighter) than what lies beside them. Kernel
/// <see cref="RidgeFilters"/>. On a stack each applies frame by frame (scikit-image would take a 3-D array as a volume).
/// </summary>
[OpFamily(OpFamily.Filters)]
public static class RidgeFilterOps
{
    // Parameters first: static properties initialise in order, and the ops below read these.

    private static readonly ParamSpec Sigmas = new("sigmas", ParamType.FloatList, "The scales: standard deviations of the Gaussian, one per pass; each pixel keeps its largest value over them (scikit-image's range(1, 10, 2))")
    {
        Default = new[] { 1.0, 3.0, 5.0, 7.0, 9.0 },
        Min = 0.0,
        Max = CommonParams.MaxSigma,
        MinCount = 1,
        MaxCount = MaxSigmas,
    };

    private static readonly ParamSpec BlackRidges = new("black_ridges", ParamType.Bool, "Find ridges darker than their surroundings (true, scikit-image's default); false finds lighter ones")
    {
        Default = true,
    };

    private static readonly ParamSpec FrangiAlpha = new("alpha", ParamType.Float, "Sensitivity to deviation from a plate-like structure (used by 3-D volumes only: no effect on images)")
    {
        Default = 0.5,
        Min = 1e-6,
        Max = 1e6,
    };

    private static readonly ParamSpec Beta = new("beta", ParamType.Float, "Sensitivity to deviation from a blob-like structure")
    {
        Default = 0.5,
        Min = 0.0,
        Max = 1e6,
    };

    private static readonly ParamSpec Gamma = new("gamma", ParamType.Float, "Sensitivity to areas of high variance / texture (scikit-image 0.19's default 15; later versions compute one per image when none is given)")
    {
        Default = 15.0,
        Min = 0.0,
        Max = 1e6,
    };

    /// <summary>At most this many scales in one step.</summary>
    public const int MaxSigmas = 64;

    /// <summary>frangi: skimage.filters.frangi (0.19).</summary>
    public static OpDefinition Frangi { get; } = Ridge(
        RidgeFilter.Frangi,
        "frangi",
        "Frangi vesselness: how much each pixel lies on a line (a vessel, a rib edge, a catheter) darker than what is beside it, from the Hessian's eigenvalues at each scale, the largest over the scales; 0 off the lines.",
        [Sigmas, FrangiAlpha, Beta, Gamma, BlackRidges, CommonParams.Mode, CommonParams.Cval],
        "{sigmas: [1, 2, 3], black_ridges: false}");

    /// <summary>hessian: skimage.filters.hessian (0.19), frangi with every value &lt;= 0 set to 1.</summary>
    public static OpDefinition Hessian { get; } = Ridge(
        RidgeFilter.Hessian,
        "hessian",
        "The hybrid Hessian filter: frangi, then every value <= 0 (off the lines) set to 1.",
        [Sigmas, FrangiAlpha, Beta, Gamma, BlackRidges, CommonParams.Mode, CommonParams.Cval],
        "{sigmas: [2, 4], black_ridges: false}");

    /// <summary>sato: skimage.filters.sato (0.19).</summary>
    public static OpDefinition Sato { get; } = Ridge(
        RidgeFilter.Sato,
        "sato",
        "Sato tubeness: the Hessian's larger eigenvalue where it is positive (a dark tube; lighter ones with black_ridges: false), the largest over the scales.",
        [Sigmas, BlackRidges, CommonParams.Mode, CommonParams.Cval],
        "{sigmas: [1, 2], black_ridges: false}");

    /// <summary>meijering: skimage.filters.meijering (0.19).</summary>
    public static OpDefinition Meijering { get; } = Ridge(
        RidgeFilter.Meijering,
        "meijering",
        "Meijering neuriteness: the eigenvalue of larger magnitude, made alpha + 1 times itself as scikit-image 0.19 does, divided by its most negative value over the image, where negative; 0 elsewhere; the largest over the scales (1 on the strongest ridge).",
        [
            Sigmas,
            new ParamSpec("alpha", ParamType.Float, "Frangi correction constant (scikit-image's default 1 / ndim: 0.5 for an image)") { Default = 0.5, Min = -1e6, Max = 1e6 },
            BlackRidges,
            CommonParams.Mode,
            CommonParams.Cval,
        ],
        "{sigmas: [1, 2], black_ridges: false}");

    private static OpDefinition Ridge(RidgeFilter filter, string name, string summary, ParamSpec[] parameters, string example) => new()
    {
        Name = name,
        Summary = summary + " An 8- or 16-bit image is computed as scikit-image computes its uint8 / uint16 array (in float64), a float image in float32 (docs/integer-sources.md).",
        Reference = $"skimage.filters.{name}",
        Inputs = InputSpec.One,
        Params = parameters,
        Shape = c =>
        {
            var s = c.First;
            if (s.IsKnown && (s.Rows < 2 || s.Cols < 2))
            {
                c.Problem($"{name} needs at least 2 pixels on each axis (numpy.gradient raises on the {s.Rows} x {s.Cols} image)");
            }

            return s;
        },
        Cost = c => c.Doubles("sigmas") is { } sigmas ? c.First.Pixels * sigmas.Sum(s => (4.0 * (int)((4.0 * s) + 0.5)) + 40.0) : 0,
        Example = example,
        Execute = ctx => new ArrayValue(RidgeFilters.Apply(
            ctx.Array(),
            filter,
            ctx.Doubles("sigmas") ?? throw new ArgumentException("sigmas is required"),
            ctx.Has("alpha") ? ctx.Float("alpha") : 0.5,
            ctx.Has("beta") ? ctx.Float("beta") : 0.5,
            ctx.Has("gamma") ? ctx.Float("gamma") : 15.0,
            ctx.Bool("black_ridges"),
            CommonParams.ModeOf(ctx),
            ctx.Float("cval"),
            ctx.Threads)),
    };
}

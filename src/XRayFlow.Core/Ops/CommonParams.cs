using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

/// <summary>
/// Parameter specs shared by the scipy.ndimage filters (declared once so binding, the JSON Schema and
/// `xrayflow ops` describe them the same way everywhere), and the helpers that read their bound values.
/// </summary>
public static class CommonParams
{
    /// <summary>SciPy's `mode`, with its grid- aliases (grid-mirror = reflect, grid-wrap = wrap, grid-constant = constant).</summary>
    public static ParamSpec Mode { get; } = new("mode", ParamType.Enum,
        "Boundary: reflect (d c b a|a b c d|d c b a), mirror (d c b|a b c d|c b a), nearest, wrap, constant (cval); grid-mirror/grid-wrap/grid-constant are SciPy's aliases")
    {
        Default = "reflect",
        Allowed = Boundary.Names,
    };

    public static ParamSpec Cval { get; } = new("cval", ParamType.Float, "Value outside the image when mode is constant")
    {
        Default = 0.0,
    };

    public static ParamSpec Truncate { get; } = new("truncate", ParamType.Float, "Kernel radius in standard deviations: radius = int(truncate * sigma + 0.5)")
    {
        Default = 4.0,
        Min = 0.0,
        Max = 100.0,
    };

    /// <summary>Axis of a 2-D frame: 0 = rows (derivative down the columns), 1 or -1 = columns.</summary>
    public static ParamSpec Axis { get; } = new("axis", ParamType.Int, "Axis of the derivative: 0 = rows (vertical), 1 or -1 = columns (horizontal); on a stack, of each frame")
    {
        Default = -1,
        Min = -2,
        Max = 1,
    };

    /// <summary>Gaussian sigma; 0 on an axis means no smoothing (and no derivative) along it, as in SciPy.</summary>
    public static ParamSpec Sigma { get; } = new("sigma", ParamType.FloatPerAxis, "Standard deviation of the Gaussian, one value or [axis 0, axis 1]; 0 leaves that axis untouched (as SciPy)")
    {
        Required = true,
        Min = 0.0,
        Max = MaxSigma,
    };

    /// <summary>The largest sigma a Gaussian parameter takes (a kernel of radius 4 x 1000 taps already spans any X-ray).</summary>
    public const double MaxSigma = 1000;

    /// <summary>The largest window or kernel size (per axis) a filter parameter takes.</summary>
    public const int MaxSize = 4096;

    public static ParamSpec Order { get; } = new("order", ParamType.IntPerAxis, "Derivative order of the Gaussian, one value or [axis 0, axis 1]: 0 smooth, 1 first, 2 second derivative")
    {
        Default = 0,
        Min = 0,
        Max = 2,
    };

    public static ParamSpec Radius { get; } = new("radius", ParamType.IntPerAxis, "Kernel radius, one value or [axis 0, axis 1]; when given, truncate is ignored (SciPy >= 1.10)")
    {
        Default = null,
        Min = 0,
        Max = MaxSize,
    };

    public static ParamSpec Origin { get; } = new("origin", ParamType.IntPerAxis, "Shift of the window, one value or [axis 0, axis 1]: -(size // 2) <= origin <= (size - 1) // 2")
    {
        Default = 0,
        Min = -MaxSize,
        Max = MaxSize,
    };

    public static ParamSpec Size { get; } = new("size", ParamType.IntPerAxis, "Window size, one value or [axis 0, axis 1]")
    {
        Default = 3,
        Min = 1,
        Max = MaxSize,
    };

    /// <summary>A window of any shape: rows of 0/1 (nonzero = in the window); when given, `size` is ignored (as SciPy).</summary>
    public static ParamSpec Footprint { get; } = new("footprint", ParamType.Matrix, "Window shape as rows of 0/1, e.g. [[0, 1, 0], [1, 1, 1], [0, 1, 0]]; when given, size is ignored (as SciPy)")
    {
        Min = 0,
        Max = 1,
        MaxCount = 255,
    };

    /// <summary>The window's size per axis: the footprint's shape when one is given, else `size` (a scalar for both axes).</summary>
    public static int[] WindowOf(ParamValues p)
    {
        if (p.Matrix("footprint") is { } fp)
        {
            return [fp.Length, fp[0].Length];
        }

        int[] size = p.Ints("size") ?? [3];
        return size.Length == 1 ? [size[0], size[0]] : size;
    }

    /// <summary>A footprint with no nonzero cell selects nothing: SciPy refuses it too.</summary>
    public static OpRule FootprintRule { get; } = new()
    {
        Description = "a footprint has at least one nonzero cell",
        At = "footprint",
        Check = c => c.Matrix("footprint") is { } fp && fp.All(row => row.All(v => v == 0)) ? "the footprint has no nonzero cell, so it selects nothing" : null,
        Violation = "{footprint: [[0, 0], [0, 0]]}",
    };

    /// <summary>A size written beside a footprint is ignored, as SciPy ignores it (and warns: "ignoring size because footprint is set").</summary>
    public static OpRule SizeWithFootprintRule { get; } = new()
    {
        Description = "size is ignored when a footprint is given, as SciPy",
        At = "size",
        Severity = Diagnostics.Severity.Warning,
        Check = c => c.IsWritten("size") && c.IsWritten("footprint") ? "size is ignored because a footprint is given (SciPy warns too); the window is the footprint" : null,
        Violation = "{size: 5, footprint: [[1, 1, 1]]}",
    };

    /// <summary>The bound boundary mode.</summary>
    public static BoundaryMode ModeOf(ParamValues p) => Boundary.Parse(p.Has("mode") ? p.Text("mode") : "reflect");

    public static float CvalOf(ParamValues p) => p.Has("cval") ? (float)p.Float("cval") : 0f;

    public static double TruncateOf(ParamValues p) => p.Has("truncate") ? p.Float("truncate") : 4.0;

    /// <summary>SciPy's origin bound: -(size // 2) &lt;= origin &lt;= (size - 1) // 2 on each axis (size and origin broadcast).</summary>
    public static OpRule OriginRule { get; } = OriginRuleOf("size", c => c.Params.ContainsKey("footprint") ? WindowOf(c) : c.Ints("size") ?? [3], "{size: 3, origin: 2}");

    /// <summary>
    /// SciPy's origin bound against a window whose size per axis <paramref name="window"/> gives (named
    /// <paramref name="what"/> in the message): -(size // 2) &lt;= origin &lt;= (size - 1) // 2 on each axis.
    /// </summary>
    public static OpRule OriginRuleOf(string what, Func<RuleContext, int[]?> window, string violation) => new()
    {
        Description = $"-({what} // 2) <= origin <= ({what} - 1) // 2 on each axis",
        At = "origin",
        Check = c =>
        {
            if (window(c) is not { Length: > 0 } size)
            {
                return null; // no window to check against (reported by its own parameter)
            }

            int[] origin = c.Ints("origin") ?? [0];
            for (int axis = 0; axis < Math.Max(size.Length, origin.Length); axis++)
            {
                int z = size[Math.Min(axis, size.Length - 1)], o = origin[Math.Min(axis, origin.Length - 1)];
                if ((z / 2) + o < 0 || (z / 2) + o >= z)
                {
                    return $"origin {o} on axis {axis} is outside -({what} // 2) .. ({what} - 1) // 2 = {-(z / 2)} .. {(z - 1) / 2} for {what} {z}";
                }
            }

            return null;
        },
        Violation = violation,
    };
}

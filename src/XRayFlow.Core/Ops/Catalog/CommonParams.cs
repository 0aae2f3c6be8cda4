using System.Globalization;
using XRayFlow.Core.Kernels;

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
    };

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
    };

    public static ParamSpec Origin { get; } = new("origin", ParamType.IntPerAxis, "Shift of the window, one value or [axis 0, axis 1]: -(size // 2) <= origin <= (size - 1) // 2")
    {
        Default = 0,
    };

    public static ParamSpec Size { get; } = new("size", ParamType.IntPerAxis, "Window size, one value or [axis 0, axis 1]")
    {
        Default = 3,
        Min = 1,
    };

    /// <summary>The bound boundary mode.</summary>
    public static BoundaryMode ModeOf(OpContext ctx) => Boundary.Parse(ctx.Has("mode") ? ctx.Text("mode") : "reflect");

    public static float CvalOf(OpContext ctx) => ctx.Has("cval") ? (float)ctx.Float("cval") : 0f;

    public static double TruncateOf(OpContext ctx) => ctx.Has("truncate") ? ctx.Float("truncate") : 4.0;

    /// <summary>A per-axis number parameter as a list (a scalar becomes a one-element list); null when unbound.</summary>
    public static double[]? Doubles(OpContext ctx, string name) => ctx.Params.TryGetValue(name, out var v) ? ToDoubles(v) : null;

    /// <summary>A per-axis whole-number parameter as a list (a scalar becomes a one-element list); null when unbound.</summary>
    public static int[]? Ints(OpContext ctx, string name)
    {
        var d = Doubles(ctx, name);
        if (d is null)
        {
            return null;
        }

        var result = new int[d.Length];
        for (int k = 0; k < d.Length; k++)
        {
            if (d[k] != Math.Floor(d[k]))
            {
                throw new ArgumentException($"step '{ctx.StepId}': {name} must be whole numbers, got {d[k].ToString(CultureInfo.InvariantCulture)}");
            }

            result[k] = checked((int)d[k]);
        }

        return result;
    }

    private static double[]? ToDoubles(object? v) => v switch
    {
        null => null,
        double[] a => a,
        int[] a => a.Select(x => (double)x).ToArray(),
        long[] a => a.Select(x => (double)x).ToArray(),
        float[] a => a.Select(x => (double)x).ToArray(),
        string s => [double.Parse(s, CultureInfo.InvariantCulture)],
        System.Collections.IEnumerable e => e.Cast<object>().Select(x => Convert.ToDouble(x, CultureInfo.InvariantCulture)).ToArray(),
        _ => [Convert.ToDouble(v, CultureInfo.InvariantCulture)],
    };
}

using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// scipy.ndimage's boundary modes as its interpolation functions (zoom, shift, rotate, affine_transform) see them.
/// Unlike the filters, interpolation treats the grid- names differently from the plain ones (SciPy 1.10,
/// ni_interpolation.c); the values are SciPy's NI_EXTEND codes.
/// </summary>
public enum SplineMode
{
    /// <summary>`nearest`: coordinates are not mapped; taps beyond the edge read the edge (after a 12-pixel edge pre-pad when prefiltering).</summary>
    Nearest = 0,

    /// <summary>`wrap`: SciPy's legacy wrap: coordinates repeat with period n - 1 (sic), taps are mirrored.</summary>
    Wrap = 1,

    /// <summary>`reflect` and `grid-mirror`: half-sample symmetric, period 2n.</summary>
    Reflect = 2,

    /// <summary>`mirror`: whole-sample symmetric, period 2n - 2.</summary>
    Mirror = 3,

    /// <summary>`constant`: a point outside [0, n - 1] on any axis is cval; inside, taps are mirrored.</summary>
    Constant = 4,

    /// <summary>`grid-wrap`: periodic with period n, for coordinates and taps.</summary>
    GridWrap = 5,

    /// <summary>`grid-constant`: coordinates are not mapped; every tap outside the (12-pixel cval pre-padded) image reads cval.</summary>
    GridConstant = 6,
}

/// <summary>SciPy's coordinate mapping for interpolation (ni_interpolation.c, map_coordinate), and the mode names.</summary>
public static class SplineModes
{
    /// <summary>The names scipy.ndimage's interpolation functions accept.</summary>
    public static IReadOnlyList<string> Names { get; } = ["constant", "nearest", "reflect", "mirror", "wrap", "grid-constant", "grid-mirror", "grid-wrap"];

    /// <summary>How many pixels SciPy pads on each side before prefiltering for modes nearest and grid-constant (_prepad_for_spline_filter).</summary>
    public const int PrePad = 12;

    public static SplineMode Parse(string name) => name switch
    {
        "nearest" => SplineMode.Nearest,
        "wrap" => SplineMode.Wrap,
        "reflect" or "grid-mirror" => SplineMode.Reflect,
        "mirror" => SplineMode.Mirror,
        "constant" => SplineMode.Constant,
        "grid-wrap" => SplineMode.GridWrap,
        "grid-constant" => SplineMode.GridConstant,
        _ => throw new ArgumentException($"unknown interpolation mode '{name}' (expected one of {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>Pixels SciPy pads on each side of an axis before the spline prefilter: 12 for nearest and grid-constant, else 0.</summary>
    public static int PadFor(SplineMode mode, bool prefiltered) => prefiltered && mode is SplineMode.Nearest or SplineMode.GridConstant ? PrePad : 0;

    /// <summary>The mode used to fetch the taps of a spline that reach past an edge (_get_spline_boundary_mode): mirror for constant and wrap.</summary>
    public static SplineMode TapMode(SplineMode mode) => mode is SplineMode.Constant or SplineMode.Wrap ? SplineMode.Mirror : mode;

    /// <summary>Whether a coordinate is mapped into the image before interpolation (all modes but nearest and grid-constant).</summary>
    public static bool MapsCoordinates(SplineMode mode) => mode is not (SplineMode.Nearest or SplineMode.GridConstant);

    /// <summary>
    /// SciPy's map_coordinate: a coordinate <paramref name="x"/> outside [0, n - 1] mapped back under the mode, in double,
    /// with C's truncating casts; -1 means "outside" (mode constant). For x inside, x itself.
    /// <code>
    /// x &lt; 0:   mirror:  s = 2n-2; x = s*trunc(-x/s) + x; x = x &lt;= 1-n ? x + s : -x
    ///          reflect: s = 2n; if x &lt; -s: x = s*trunc(-x/s) + x; x = x &lt; -n ? x + s : (x &gt; -1e-15 ? 1e-15 : -x) - 1
    ///          wrap:    s = n-1; x += s*(trunc(-x/s) + 1)          grid-wrap: x += n*(trunc((-1-x)/n) + 1)
    ///          nearest: 0                                          constant:  -1
    /// x &gt; n-1: mirror:  s = 2n-2; x -= s*trunc(x/s); if x &gt;= n: x = s - x
    ///          reflect: s = 2n; x -= s*trunc(x/s); if x &gt;= n: x = s - x - 1
    ///          wrap:    s = n-1; x -= s*trunc(x/s)                 grid-wrap: x -= n*trunc(x/n)
    ///          nearest: n - 1                                      constant:  -1
    /// </code>
    /// On an axis of length 1 every mode but constant maps to 0. (grid-constant is never mapped; it is handled like constant here.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Map(double x, long n, SplineMode mode)
    {
        if (x < 0)
        {
            switch (mode)
            {
                case SplineMode.Mirror:
                    if (n <= 1)
                    {
                        return 0;
                    }
                    else
                    {
                        long s = (2 * n) - 2;
                        x = (s * (long)(-x / s)) + x;
                        return x <= 1 - n ? x + s : -x;
                    }

                case SplineMode.Reflect:
                    if (n <= 1)
                    {
                        return 0;
                    }
                    else
                    {
                        long s = 2 * n;
                        if (x < -s)
                        {
                            x = (s * (long)(-x / s)) + x;
                        }

                        return x < -n ? x + s : (x > -1e-15 ? 1e-15 : -x) - 1;
                    }

                case SplineMode.Wrap:
                    if (n <= 1)
                    {
                        return 0;
                    }
                    else
                    {
                        long s = n - 1;
                        return x + (s * ((long)(-x / s) + 1));
                    }

                case SplineMode.GridWrap:
                    return n <= 1 ? 0 : x + (n * ((long)((-1 - x) / n) + 1));
                case SplineMode.Nearest:
                    return 0;
                default:
                    return -1;
            }
        }

        if (x > n - 1)
        {
            switch (mode)
            {
                case SplineMode.Mirror:
                    if (n <= 1)
                    {
                        return 0;
                    }
                    else
                    {
                        long s = (2 * n) - 2;
                        x -= s * (long)(x / s);
                        return x >= n ? s - x : x;
                    }

                case SplineMode.Reflect:
                    if (n <= 1)
                    {
                        return 0;
                    }
                    else
                    {
                        long s = 2 * n;
                        x -= s * (long)(x / s);
                        return x >= n ? s - x - 1 : x;
                    }

                case SplineMode.Wrap:
                    if (n <= 1)
                    {
                        return 0;
                    }
                    else
                    {
                        long s = n - 1;
                        return x - (s * (long)(x / s));
                    }

                case SplineMode.GridWrap:
                    return n <= 1 ? 0 : x - (n * (long)(x / n));
                case SplineMode.Nearest:
                    return n - 1;
                default:
                    return -1;
            }
        }

        return x;
    }

    /// <summary>
    /// Whether <see cref="Fold"/> applies: n &gt; 1, the mode mirror, reflect, wrap or grid-wrap, and every lane strictly
    /// within a period s of 0 (mirror: s = 2n - 2, reflect: 2n, wrap: n - 1, grid-wrap: n).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool WithinPeriod(Vector256<double> x, int n, SplineMode mode)
    {
        if (mode is not (SplineMode.Mirror or SplineMode.Reflect or SplineMode.Wrap or SplineMode.GridWrap) || n <= 1)
        {
            return false;
        }

        var s = Vector256.Create(mode switch
        {
            SplineMode.Mirror => (2.0 * n) - 2,
            SplineMode.Reflect => 2.0 * n,
            SplineMode.Wrap => n - 1.0,
            _ => n,
        });
        return Vector256.LessThanAll(Vector256.Abs(x), s);
    }

    /// <summary>
    /// <see cref="Map"/> of mirror, reflect, wrap or grid-wrap for lanes within a period of 0 (<see cref="WithinPeriod"/>):
    /// there Map's truncated quotients are 0 (wrap below 0: 1; grid-wrap below 0: 0 for x &gt; -1 - n, which |x| &lt; n
    /// gives), which leaves, below 0, mirror: x &lt;= 1 - n ? x + s : -x, reflect: x &lt; -n ? x + s : (x &gt; -1e-15 ?
    /// 1e-15 : -x) - 1, wrap and grid-wrap: x + s; above n - 1, mirror: x &gt;= n ? s - x : x, reflect: x &gt;= n ? s - x
    /// - 1 : x, wrap: x (x - s * 0), grid-wrap: x. The same double operations, so the same values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)] // optimized from the first call where not inlined
    internal static Vector256<double> Fold(Vector256<double> x, int n, SplineMode mode)
    {
        var below = Vector256.LessThan(x, Vector256<double>.Zero);
        var above = Vector256.GreaterThan(x, Vector256.Create((double)(n - 1)));
        var len = Vector256.Create((double)n);
        if (mode == SplineMode.Mirror)
        {
            var s = Vector256.Create((2.0 * n) - 2);
            var low = Vector256.ConditionalSelect(Vector256.LessThanOrEqual(x, Vector256.Create(1.0 - n)), x + s, -x);
            var high = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, len), s - x, x);
            return Vector256.ConditionalSelect(below, low, Vector256.ConditionalSelect(above, high, x));
        }
        else if (mode is SplineMode.Wrap or SplineMode.GridWrap)
        {
            var s = Vector256.Create(mode == SplineMode.Wrap ? n - 1.0 : n);
            return Vector256.ConditionalSelect(below, x + s, x);
        }
        else
        {
            var s = Vector256.Create(2.0 * n);
            var one = Vector256<double>.One;
            var low = Vector256.ConditionalSelect(Vector256.LessThan(x, -len), x + s, Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256.Create(-1e-15)), Vector256.Create(1e-15), -x) - one);
            var high = Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, len), (s - x) - one, x);
            return Vector256.ConditionalSelect(below, low, Vector256.ConditionalSelect(above, high, x));
        }
    }
}

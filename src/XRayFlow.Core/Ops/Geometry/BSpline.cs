using System.Runtime.CompilerServices;
namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// B-splines of order 0-5 as scipy.ndimage uses them (SciPy 1.10, ni_splines.c): the interpolation weights, the
/// prefilter poles, and the prefilter of one line in double (the reference the fast paths are tested against).
/// </summary>
public static class BSpline
{
    /// <summary>The highest spline order SciPy supports.</summary>
    public const int MaxOrder = 5;

    /// <summary>
    /// The order + 1 weights of the taps start .. start + order for a coordinate x (get_spline_interpolation_weights),
    /// in double: with t = x - floor(x) for odd orders, t = x - floor(x + 0.5) for even ones, each weight is the
    /// centred B-spline of the order at the tap's distance from x, evaluated by SciPy's formulas; the last weight is
    /// 1 minus the sum of the others. Order 0: the single weight 1 (SciPy does not multiply at all).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Weights(double x, int order, Span<double> w)
    {
        x -= Math.Floor((order & 1) != 0 ? x : x + 0.5);
        double y = x, z = 1.0 - x, t;
        switch (order)
        {
            case 0:
                w[0] = 1.0;
                return;
            case 1:
                w[0] = 1.0 - x;
                break;
            case 2:
                w[1] = 0.75 - (x * x);
                y = 0.5 - x;
                w[0] = 0.5 * y * y;
                break;
            case 3:
                w[1] = ((y * y * (y - 2.0) * 3.0) + 4.0) / 6.0;
                w[2] = ((z * z * (z - 2.0) * 3.0) + 4.0) / 6.0;
                w[0] = z * z * z / 6.0;
                break;
            case 4:
                t = x * x;
                w[2] = (t * ((t * 0.25) - 0.625)) + (115.0 / 192.0);
                y = 1.0 + x;
                w[1] = (y * ((y * ((y * (5.0 - y) / 6.0) - 1.25)) + (5.0 / 24.0))) + (55.0 / 96.0);
                w[3] = (z * ((z * ((z * (5.0 - z) / 6.0) - 1.25)) + (5.0 / 24.0))) + (55.0 / 96.0);
                y = 0.5 - x;
                t = y * y;
                w[0] = t * t / 24.0;
                break;
            case 5:
                t = y * y;
                w[2] = (t * ((t * (0.25 - (y / 12.0))) - 0.5)) + 0.55;
                t = z * z;
                w[3] = (t * ((t * (0.25 - (z / 12.0))) - 0.5)) + 0.55;
                y += 1.0;
                w[1] = (y * ((y * ((y * ((y * ((y / 24.0) - 0.375)) + 1.25)) - 1.75)) + 0.625)) + 0.425;
                z += 1.0;
                w[4] = (z * ((z * ((z * ((z * ((z / 24.0) - 0.375)) + 1.25)) - 1.75)) + 0.625)) + 0.425;
                y = 1.0 - x;
                t = y * y;
                w[0] = y * t * t / 120.0;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(order), order, "spline order must be 0 to 5");
        }

        double last = 1.0;
        for (int i = 0; i < order; i++)
        {
            last -= w[i];
        }

        w[order] = last;
    }

    /// <summary>First tap of the spline of <paramref name="order"/> at coordinate x: floor(x) - order / 2 (odd), floor(x + 0.5) - order / 2 (even).</summary>
    public static long Start(double x, int order) => (long)Math.Floor((order & 1) != 0 ? x : x + 0.5) - (order / 2);

    /// <summary>The poles of the prefilter of an order (get_filter_poles): none for 0 and 1.</summary>
    public static double[] Poles(int order) => order switch
    {
        0 or 1 => [],
        2 => [-0.171572875253809902396622551580603843],
        3 => [-0.267949192431122706472553658494127633],
        4 => [-0.361341225900220177092212841325675255, -0.013725429297339121360331226939128204],
        5 => [-0.430575347099973791851434783493520110, -0.043096288203264653822712376822550182],
        _ => throw new ArgumentOutOfRangeException(nameof(order), order, "spline order must be 0 to 5"),
    };

    /// <summary>The prefilter's gain: the product over the poles of (1 - z)(1 - 1/z).</summary>
    public static double Gain(double[] poles)
    {
        double gain = 1.0;
        foreach (double z in poles)
        {
            gain *= (1.0 - z) * (1.0 - (1.0 / z));
        }

        return gain;
    }

    /// <summary>
    /// How the prefilter starts its two passes (apply_filter): mirror for constant, grid-constant, mirror and wrap;
    /// reflect for nearest and reflect; periodic for grid-wrap.
    /// </summary>
    public static PrefilterBoundary BoundaryFor(SplineMode mode) => mode switch
    {
        SplineMode.GridWrap => PrefilterBoundary.Periodic,
        SplineMode.Nearest or SplineMode.Reflect => PrefilterBoundary.Reflect,
        _ => PrefilterBoundary.Mirror,
    };

    /// <summary>
    /// scipy.ndimage.spline_filter1d on one line, in place, in double, exactly as SciPy 1.10 (the reference): nothing
    /// for a line of length 1; else c *= gain, then for each pole z a causal pass c[i] += z c[i-1] started by the
    /// boundary's causal value and an anticausal pass c[i] = z (c[i+1] - c[i]) started by its anticausal value:
    /// <code>
    /// mirror:   c0 = (c[0] + z^(n-1) c[n-1] + sum_{i=1}^{n-2} z^i (c[i] + z^(n-1) c[n-1-i])) / (1 - z^(2n-2))
    ///           c[n-1] = (z c[n-2] + c[n-1]) z / (z^2 - 1)
    /// reflect:  acc = c[0] + z^n c[n-1], then for i = 1 .. n-1: acc += z^i (c[i] + z^n c[n-1-i]) where the last
    ///           term (i = n-1) reads c[0] = the running acc (SciPy accumulates in place); c0 = acc z / (1 - z^2n) + c[0]
    ///           c[n-1] *= z / (z - 1)
    /// periodic: c0 = (c[0] + sum_{i=1}^{n-1} z^i c[n-i]) / (1 - z^n);  c[n-1] = (c[n-1] + sum_{i=0}^{n-2} z^(i+1) c[i]) z / (z^n - 1)
    /// </code>
    /// </summary>
    public static void PrefilterLine(Span<double> c, int order, PrefilterBoundary boundary)
    {
        int n = c.Length;
        if (n <= 1)
        {
            return;
        }

        var poles = Poles(order);
        double gain = Gain(poles);
        for (int i = 0; i < n; i++)
        {
            c[i] *= gain;
        }

        foreach (double z in poles)
        {
            CausalStart(c, z, boundary);
            for (int i = 1; i < n; i++)
            {
                c[i] += z * c[i - 1];
            }

            AnticausalStart(c, z, boundary);
            for (int i = n - 2; i >= 0; i--)
            {
                c[i] = z * (c[i + 1] - c[i]);
            }
        }
    }

    /// <summary>The causal pass's first value c[0] of a line of length n &gt;= 2 (in place; see <see cref="PrefilterLine"/>).</summary>
    public static void CausalStart(Span<double> c, double z, PrefilterBoundary boundary)
    {
        int n = c.Length;
        switch (boundary)
        {
            case PrefilterBoundary.Mirror:
            {
                double zi = z, zn1 = Math.Pow(z, n - 1);
                c[0] += zn1 * c[n - 1];
                for (int i = 1; i < n - 1; i++)
                {
                    c[0] += zi * (c[i] + (zn1 * c[n - 1 - i]));
                    zi *= z;
                }

                c[0] /= 1 - (zn1 * zn1);
                break;
            }

            case PrefilterBoundary.Reflect:
            {
                double zi = z, zn = Math.Pow(z, n), c0 = c[0];
                c[0] += zn * c[n - 1];
                for (int i = 1; i < n; i++)
                {
                    c[0] += zi * (c[i] + (zn * c[n - 1 - i]));
                    zi *= z;
                }

                c[0] *= z / (1 - (zn * zn));
                c[0] += c0;
                break;
            }

            default:
            {
                double zi = z;
                for (int i = 1; i < n; i++)
                {
                    c[0] += zi * c[n - i];
                    zi *= z;
                }

                c[0] /= 1 - zi;
                break;
            }
        }
    }

    /// <summary>The anticausal pass's first value c[n - 1] of a line of length n &gt;= 2 after the causal pass (in place).</summary>
    public static void AnticausalStart(Span<double> c, double z, PrefilterBoundary boundary)
    {
        int n = c.Length;
        switch (boundary)
        {
            case PrefilterBoundary.Mirror:
                c[n - 1] = ((z * c[n - 2]) + c[n - 1]) * z / ((z * z) - 1);
                break;
            case PrefilterBoundary.Reflect:
                c[n - 1] *= z / (z - 1);
                break;
            default:
            {
                double zi = z;
                for (int i = 0; i < n - 1; i++)
                {
                    c[n - 1] += zi * c[i];
                    zi *= z;
                }

                c[n - 1] *= z / (zi - 1);
                break;
            }
        }
    }
}

/// <summary>How the B-spline prefilter treats the ends of a line (SciPy's causal/anticausal initialisations).</summary>
public enum PrefilterBoundary
{
    /// <summary>Whole-sample symmetric (SciPy's _init_*_mirror).</summary>
    Mirror,

    /// <summary>Half-sample symmetric (SciPy's _init_*_reflect, with its in-place accumulation).</summary>
    Reflect,

    /// <summary>Periodic (SciPy's _init_*_wrap).</summary>
    Periodic,
}

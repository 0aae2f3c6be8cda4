using System.Runtime.CompilerServices;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// Where each output position of one axis reads the spline coefficients of that axis, as SciPy 1.10's zoom_shift and
/// geometric_transform decide it for one coordinate (ni_interpolation.c). For output k with coordinate x (double,
/// already offset by the prefilter's pre-pad):
/// <code>
/// if mode maps coordinates (not nearest, not grid-constant): x = SplineModes.Map(x, n, mode)
/// if x &lt;= -1 (mode constant: outside [0, n - 1]):  the whole output line is cval            (Outside[k])
/// start = BSpline.Start(x, order); w = BSpline.Weights(x, order)
/// tap l reads coefficient start + l, mapped when the spline reaches past an edge:
///     grid-constant: outside [0, n) -> cval;   other modes: SplineModes.Map(start + l, n, TapMode(mode))
/// </code>
/// with n the coefficient line's length (the input's, plus 2 x 12 for nearest and grid-constant when prefiltered).
/// A tap that reads cval points at index n (the caller supplies a line of cval there).
/// <para>
/// Plans are shared: <see cref="ForZoom"/>, <see cref="ForShift"/> and <see cref="ForAffine"/> keep the last few (a
/// batch of same-size images plans each axis once, not once an image), so nothing may change a plan's arrays.
/// </para>
/// </summary>
public sealed class AxisPlan
{
    /// <summary>Plans with more taps than this (outputs x taps; about 0.5 MB) are not kept.</summary>
    private const long RecentMaxTaps = 1 << 16;

    /// <summary>The last 32 plans made (small ones only: <see cref="RecentMaxTaps"/>).</summary>
    private static readonly RecentPlans<PlanKey, AxisPlan> Recent = new(32);

    private AxisPlan(int coefLength, int outLength, int order)
    {
        CoefLength = coefLength;
        OutLength = outLength;
        Taps = order + 1;
        Index = new int[checked(outLength * Taps)];
        Weight = new float[outLength * Taps];
        Outside = new bool[outLength];
        _permuted = new Lazy<PermutedTaps?>(() => PermutedTaps.IsSupported ? PermutedTaps.For(this) : null);
    }

    private readonly Lazy<PermutedTaps?> _permuted;

    /// <summary>Length of the coefficient line; index CoefLength means cval.</summary>
    public int CoefLength { get; }

    public int OutLength { get; }

    /// <summary>order + 1.</summary>
    public int Taps { get; }

    /// <summary>OutLength x Taps coefficient indices (CoefLength = cval).</summary>
    public int[] Index { get; }

    /// <summary>OutLength x Taps weights (float32 of SciPy's double weights).</summary>
    public float[] Weight { get; }

    /// <summary>Outputs whose coordinate is outside the image in mode constant: the whole line is cval.</summary>
    public bool[] Outside { get; }

    public bool AnyOutside { get; private set; }

    /// <summary>Whether some tap reads cval (grid-constant).</summary>
    public bool AnyCval { get; private set; }

    /// <summary>The lowest and highest coefficient index any output reads (CoefLength excluded), for callers that only prepare those.</summary>
    public (int Lo, int Hi) Span { get; private set; }

    /// <summary>The taps for a horizontal pass along rows by permutes (made on first use; null where they do not fit or the machine lacks AVX-512).</summary>
    public PermutedTaps? Permuted => _permuted.Value;

    /// <summary>The plan for the given coordinates (one per output, in double, including the pre-pad offset).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static AxisPlan Create(ReadOnlySpan<double> coordinates, int coefLength, int order, SplineMode mode)
    {
        var plan = new AxisPlan(coefLength, coordinates.Length, order);
        Span<double> w = stackalloc double[BSpline.MaxOrder + 1];
        Span<int> index = stackalloc int[BSpline.MaxOrder + 1];
        int taps = order + 1, lo = int.MaxValue, hi = -1;
        for (int k = 0; k < coordinates.Length; k++)
        {
            int at = k * taps;
            if (!TapsOf(coordinates[k], coefLength, order, mode, index, w))
            {
                plan.Outside[k] = true;
                plan.AnyOutside = true;
                continue; // index 0, weight 0
            }

            for (int l = 0; l < taps; l++)
            {
                plan.Index[at + l] = index[l];
                plan.Weight[at + l] = (float)w[l];
                if (index[l] == coefLength)
                {
                    plan.AnyCval = true;
                }
                else
                {
                    lo = Math.Min(lo, index[l]);
                    hi = Math.Max(hi, index[l]);
                }
            }
        }

        plan.Span = hi < 0 ? (0, -1) : (lo, hi);
        return plan;
    }

    /// <summary>zoom's plan of an axis of n inputs and m outputs (<see cref="ZoomCoordinates"/>), kept for the next call.</summary>
    public static AxisPlan ForZoom(int n, int m, bool gridMode, int prePad, int order, SplineMode mode)
        => Cached(new PlanKey(0, m, prePad, gridMode ? 1 : 0, 0, n + (2 * prePad), order, mode), () => ZoomCoordinates(n, m, gridMode, prePad));

    /// <summary>shift's plan of an axis (<see cref="ShiftCoordinates"/>) over coefLength coefficients, kept for the next call.</summary>
    public static AxisPlan ForShift(int m, double shift, int prePad, int coefLength, int order, SplineMode mode)
        => Cached(new PlanKey(1, m, prePad, BitConverter.DoubleToInt64Bits(shift), 0, coefLength, order, mode), () => ShiftCoordinates(m, shift, prePad));

    /// <summary>A diagonal affine_transform's plan of an axis (<see cref="AffineCoordinates"/>), kept for the next call.</summary>
    public static AxisPlan ForAffine(int m, double a, double offset, int prePad, int coefLength, int order, SplineMode mode)
        => Cached(new PlanKey(2, m, prePad, BitConverter.DoubleToInt64Bits(a), BitConverter.DoubleToInt64Bits(offset), coefLength, order, mode), () => AffineCoordinates(m, a, offset, prePad));

    /// <summary>The kept plan for this key, or a new one (kept when small).</summary>
    private static AxisPlan Cached(PlanKey key, Func<double[]> coordinates)
        => Recent.Get(key, coordinates, static (k, c) => Create(c(), k.CoefLength, k.Order, k.Mode), static plan => (long)plan.OutLength * plan.Taps <= RecentMaxTaps);

    /// <summary>
    /// The taps (coefficient indices, n = cval) and double weights of one coordinate x on an axis of n coefficients,
    /// as described on the class; false when x is outside in mode constant (the whole line is cval).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TapsOf(double x, int n, int order, SplineMode mode, Span<int> index, Span<double> weights)
    {
        bool maps = SplineModes.MapsCoordinates(mode);
        if (maps)
        {
            x = SplineModes.Map(x, n, mode);
            if (!(x > -1.0))
            {
                return false;
            }
        }

        long start = BSpline.Start(x, order);
        BSpline.Weights(x, order, weights);
        bool edge = start < 0 || start + order >= n;
        var tapMode = SplineModes.TapMode(mode);
        for (int l = 0; l <= order; l++)
        {
            long idx = start + l;
            if (mode == SplineMode.GridConstant)
            {
                index[l] = idx < 0 || idx >= n ? n : (int)idx;
            }
            else
            {
                index[l] = edge ? (int)SplineModes.Map(idx, n, tapMode) : (int)idx;
            }
        }

        return true;
    }

    /// <summary>
    /// scipy.ndimage.zoom's coordinates on an axis of n input and m output pixels: x_k = k * (n - 1) / (m - 1), or
    /// with grid_mode x_k = (k + 0.5) * n / m - 0.5 (the factor is 1 when its divisor is 0), plus the pre-pad.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] ZoomCoordinates(int n, int m, bool gridMode, int prePad)
    {
        double num = gridMode ? n : n - 1, div = gridMode ? m : m - 1;
        double zoom = div != 0 ? num / div : 1.0;
        var x = new double[m];
        for (int k = 0; k < m; k++)
        {
            double c = k;
            c = gridMode ? ((c + 0.5) * zoom) - 0.5 : c * zoom;
            x[k] = c + prePad;
        }

        return x;
    }

    /// <summary>scipy.ndimage.shift's coordinates: x_k = k + (-shift), plus the pre-pad.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double[] ShiftCoordinates(int m, double shift, int prePad)
    {
        var x = new double[m];
        double s = -shift;
        for (int k = 0; k < m; k++)
        {
            double c = k;
            c += s;
            x[k] = c + prePad;
        }

        return x;
    }

    /// <summary>
    /// affine_transform's coordinates along an axis when the matrix is diagonal: ((0 + k * a) + o * 0) + offset, plus
    /// the pre-pad (the off-diagonal term adds a zero, so this is the general formula's value exactly).
    /// </summary>
    public static double[] AffineCoordinates(int m, double a, double offset, int prePad)
    {
        var x = new double[m];
        for (int k = 0; k < m; k++)
        {
            double c = 0.0 + (k * a);
            c += offset;
            x[k] = c + prePad;
        }

        return x;
    }
}

/// <summary>What decides an axis plan: the kind of coordinates (0 zoom, 1 shift, 2 affine), their numbers (doubles by their bits), the coefficients, order and mode.</summary>
internal readonly record struct PlanKey(int Kind, int OutLength, int PrePad, long A, long B, int CoefLength, int Order, SplineMode Mode);

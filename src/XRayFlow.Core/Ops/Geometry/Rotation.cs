namespace XRayFlow.Core.Ops.Geometry;

/// <summary>scipy.ndimage.rotate's geometry: the matrix, the output shape and the offset it hands to affine_transform.</summary>
public static class Rotation
{
    // Cephes' sindg.c coefficients (scipy.special.sindg / cosdg): sin and cos of |z| <= pi / 4 as polynomials in z^2.
    private static readonly double[] SinCoefficients =
    [
        1.58962301572218447952E-10, -2.50507477628503540135E-8, 2.75573136213856773549E-6,
        -1.98412698295895384658E-4, 8.33333333332211858862E-3, -1.66666666666666307295E-1,
    ];

    private static readonly double[] CosCoefficients =
    [
        1.13678171382044553091E-11, -2.08758833757683644217E-9, 2.75573155429816611547E-7,
        -2.48015872936186303776E-5, 1.38888888888806666760E-3, -4.16666666666666348141E-2,
        4.99999999999999999798E-1,
    ];

    private const double Pi180 = 1.74532925199432957692E-2;

    /// <summary>
    /// Sine and cosine of an angle in degrees exactly as scipy.special.sindg / cosdg (Cephes) compute them: |angle| is
    /// reduced to the nearest multiple y of 45 degrees with y / 45 even (so multiples of 90 degrees give exact 0 and
    /// +-1), z = (|angle| - 45 y) pi / 180, and sin z = z + z (z^2 P(z^2)) or cos z = 1 - z^2 Q(z^2) (Horner, no fused
    /// multiply-add) by the octant, with its sign. Bit for bit the same as SciPy 1.10: the committed fixture's 846
    /// angles (tests/fixtures/gen_sindg.py) are tested; these polynomials in Python matched sindg / cosdg on 254,001
    /// random angles. Math.Sin / Math.Cos of the reduced angle, used before, differed in the last bit for about one
    /// angle in ten (1,954 of 20,000 in +-720 degrees), which moved rotate's coordinates at exact half-pixel ties
    /// (order 0 took the other neighbour).
    /// </summary>
    public static (double Sin, double Cos) SinCosDegrees(double angle) => (Sindg(angle), Cosdg(angle));

    private static double Sindg(double x)
    {
        bool negative = x < 0;
        x = Math.Abs(x);
        var (j, y) = Octant(x);
        if (j > 3)
        {
            negative = !negative;
            j -= 4;
        }

        double z = (x - (y * 45.0)) * Pi180, zz = z * z;
        double r = j is 1 or 2 ? 1.0 - (zz * Polynomial(zz, CosCoefficients)) : z + (z * (zz * Polynomial(zz, SinCoefficients)));
        return negative ? -r : r;
    }

    private static double Cosdg(double x)
    {
        bool negative = false;
        x = Math.Abs(x);
        var (j, y) = Octant(x);
        if (j > 3)
        {
            j -= 4;
            negative = !negative;
        }

        if (j > 1)
        {
            negative = !negative;
        }

        double z = (x - (y * 45.0)) * Pi180, zz = z * z;
        double r = j is 1 or 2 ? z + (z * (zz * Polynomial(zz, SinCoefficients))) : 1.0 - (zz * Polynomial(zz, CosCoefficients));
        return negative ? -r : r;
    }

    /// <summary>Cephes' octant of x &gt;= 0 degrees: j (0..7, even) and y, the multiple of 45 degrees x is reduced by.</summary>
    private static (int J, double Y) Octant(double x)
    {
        double y = Math.Floor(x / 45.0);
        double z = y - Math.ScaleB(Math.Floor(Math.ScaleB(y, -4)), 4); // y mod 16
        int j = (int)z;
        if ((j & 1) != 0)
        {
            j++;
            y += 1.0;
        }

        return (j & 7, y);
    }

    /// <summary>Cephes' polevl: c[0] x^n + ... + c[n] by Horner's rule, each step rounded (no fused multiply-add).</summary>
    private static double Polynomial(double x, double[] c)
    {
        double a = c[0];
        for (int k = 1; k < c.Length; k++)
        {
            a = (a * x) + c[k];
        }

        return a;
    }

    /// <summary>
    /// rotate(input, angle, reshape) on a rows x cols frame: m = [[c, s], [-s, c]] (c, s = cosdg, sindg of angle); the
    /// output shape is the input's, or with reshape (int)(ptp(m @ corners) + 0.5) per axis (corners (0, 0), (0, cols),
    /// (rows, 0), (rows, cols)); offset = (in_shape - 1) / 2 - m @ ((out_shape - 1) / 2).
    /// </summary>
    public static (int Rows, int Cols, double[,] Matrix, double[] Offset) Geometry(int rows, int cols, double angle, bool reshape)
    {
        var (s, c) = SinCosDegrees(angle);
        var m = new double[,] { { c, s }, { -s, c } };
        int outRows = rows, outCols = cols;
        if (reshape)
        {
            double iy = rows, ix = cols;
            double[] b0 = [0, (c * 0) + (s * ix), (c * iy) + (s * 0), (c * iy) + (s * ix)];
            double[] b1 = [0, (-s * 0) + (c * ix), (-s * iy) + (c * 0), (-s * iy) + (c * ix)];
            outRows = (int)(b0.Max() - b0.Min() + 0.5);
            outCols = (int)(b1.Max() - b1.Min() + 0.5);
        }

        double oc0 = (outRows - 1) / 2.0, oc1 = (outCols - 1) / 2.0;
        double ic0 = (rows - 1) / 2.0, ic1 = (cols - 1) / 2.0;
        double[] offset = [ic0 - ((c * oc0) + (s * oc1)), ic1 - ((-s * oc0) + (c * oc1))];
        return (outRows, outCols, m, offset);
    }
}

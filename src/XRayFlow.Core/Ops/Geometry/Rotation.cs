namespace XRayFlow.Core.Ops.Geometry;

/// <summary>scipy.ndimage.rotate's geometry: the matrix, the output shape and the offset it hands to affine_transform.</summary>
public static class Rotation
{
    /// <summary>
    /// Sine and cosine of an angle in degrees as scipy.special.sindg / cosdg reduce it: to the nearest multiple q of
    /// 45 degrees with q even (so multiples of 90 degrees give exact 0 and +-1), then sin / cos of the remainder (at
    /// most 45 degrees) in radians, with the quadrant's sign and swap. (Cephes evaluates the remainder with its own
    /// polynomials; here Math.Sin / Math.Cos: within an ulp.)
    /// </summary>
    public static (double Sin, double Cos) SinCosDegrees(double angle)
    {
        double x = Math.Abs(angle);
        double y = Math.Floor(x / 45.0);
        double z = y - (16 * Math.Floor(y / 16));
        int j = (int)z;
        if ((j & 1) != 0)
        {
            j++;
            y += 1.0;
        }

        j &= 7;
        double r = (x - (y * 45.0)) * (Math.PI / 180.0);
        double s = Math.Sin(r), c = Math.Cos(r);
        (double sin, double cos) = j switch
        {
            0 => (s, c),
            2 => (c, -s),
            4 => (-s, -c),
            _ => (-c, s),
        };
        return (angle < 0 ? -sin : sin, cos);
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

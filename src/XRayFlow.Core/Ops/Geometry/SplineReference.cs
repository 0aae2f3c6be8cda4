namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// The scalar meaning of scipy.ndimage's spline interpolation (SciPy 1.10: _interpolation.py, ni_interpolation.c,
/// ni_splines.c), in double, pixel by pixel, for tests: the fast kernels (<see cref="SeparableResampler"/>,
/// <see cref="AffineResampler"/>) must equal it within float rounding.
/// <code>
/// if prefilter and order &gt;= 2:
///     pad = 12 for nearest (edge values) and grid-constant (cval), else 0
///     c = spline_filter1d(spline_filter1d(pad(x), axis 0), axis 1)   (BSpline.PrefilterLine, boundary by mode)
/// else: c = x, pad = 0
/// out[o] = value at coordinates (x0, x1) = T(o) + pad, per axis (AxisPlan):
///     cval if an axis is Outside; else sum over taps a, b of  w0[a] w1[b] c[i0[a], i1[b]]   (cval where an index reads cval)
/// </code>
/// </summary>
public static class SplineReference
{
    /// <summary>The spline coefficients SciPy interpolates (and the pre-pad it used).</summary>
    public static (double[,] Coef, int Pad) Coefficients(ReadOnlySpan<float> frame, int rows, int cols, int order, SplineMode mode, double cval, bool prefilter)
    {
        int pad = SplineModes.PadFor(mode, prefilter && order >= 2);
        int r = rows + (2 * pad), c = cols + (2 * pad);
        var coef = new double[r, c];
        for (int i = 0; i < r; i++)
        {
            for (int j = 0; j < c; j++)
            {
                int si = i - pad, sj = j - pad;
                bool inside = si >= 0 && si < rows && sj >= 0 && sj < cols;
                coef[i, j] = inside ? frame[(si * cols) + sj]
                    : mode == SplineMode.GridConstant ? cval
                    : frame[(Math.Clamp(si, 0, rows - 1) * cols) + Math.Clamp(sj, 0, cols - 1)];
            }
        }

        if (prefilter && order >= 2)
        {
            var boundary = BSpline.BoundaryFor(mode);
            var line = new double[Math.Max(r, c)];
            for (int j = 0; j < c; j++)
            {
                for (int i = 0; i < r; i++)
                {
                    line[i] = coef[i, j];
                }

                BSpline.PrefilterLine(line.AsSpan(0, r), order, boundary);
                for (int i = 0; i < r; i++)
                {
                    coef[i, j] = line[i];
                }
            }

            for (int i = 0; i < r; i++)
            {
                for (int j = 0; j < c; j++)
                {
                    line[j] = coef[i, j];
                }

                BSpline.PrefilterLine(line.AsSpan(0, c), order, boundary);
                for (int j = 0; j < c; j++)
                {
                    coef[i, j] = line[j];
                }
            }
        }

        return (coef, pad);
    }

    /// <summary>The interpolated value at (x0, x1), coordinates in the coefficient array (pre-pad included).</summary>
    public static double Sample(double[,] coef, double x0, double x1, int order, SplineMode mode, double cval)
    {
        int n0 = coef.GetLength(0), n1 = coef.GetLength(1);
        Span<double> w0 = stackalloc double[order + 1], w1 = stackalloc double[order + 1];
        Span<int> i0 = stackalloc int[order + 1], i1 = stackalloc int[order + 1];
        if (!AxisPlan.TapsOf(x0, n0, order, mode, i0, w0) || !AxisPlan.TapsOf(x1, n1, order, mode, i1, w1))
        {
            return cval;
        }

        double t = 0;
        for (int a = 0; a <= order; a++)
        {
            for (int b = 0; b <= order; b++)
            {
                double v = i0[a] == n0 || i1[b] == n1 ? cval : coef[i0[a], i1[b]];
                if (order > 0)
                {
                    v *= w0[a];
                    v *= w1[b];
                }

                t += v;
            }
        }

        return t;
    }

    /// <summary>scipy.ndimage.zoom of one frame (output shape given).</summary>
    public static float[] Zoom(ReadOnlySpan<float> frame, int rows, int cols, int outRows, int outCols, int order, SplineMode mode, double cval, bool prefilter, bool gridMode)
    {
        var (coef, pad) = Coefficients(frame, rows, cols, order, mode, cval, prefilter);
        var x0 = AxisPlan.ZoomCoordinates(rows, outRows, gridMode, pad);
        var x1 = AxisPlan.ZoomCoordinates(cols, outCols, gridMode, pad);
        return Map(coef, outRows, outCols, (i, j) => (x0[i], x1[j]), order, mode, cval);
    }

    /// <summary>scipy.ndimage.shift of one frame.</summary>
    public static float[] Shift(ReadOnlySpan<float> frame, int rows, int cols, double shift0, double shift1, int order, SplineMode mode, double cval, bool prefilter)
    {
        var (coef, pad) = Coefficients(frame, rows, cols, order, mode, cval, prefilter);
        var x0 = AxisPlan.ShiftCoordinates(rows, shift0, pad);
        var x1 = AxisPlan.ShiftCoordinates(cols, shift1, pad);
        return Map(coef, rows, cols, (i, j) => (x0[i], x1[j]), order, mode, cval);
    }

    /// <summary>scipy.ndimage.affine_transform of one frame with a 2 x 2 matrix and an offset: x = ((0 + o0 m[h,0]) + o1 m[h,1]) + offset[h].</summary>
    public static float[] Affine(ReadOnlySpan<float> frame, int rows, int cols, double[,] matrix, double[] offset, int outRows, int outCols, int order, SplineMode mode, double cval, bool prefilter)
    {
        var (coef, pad) = Coefficients(frame, rows, cols, order, mode, cval, prefilter);
        return Map(coef, outRows, outCols, (i, j) => (AffineResampler.Coordinate(i, j, matrix[0, 0], matrix[0, 1], offset[0]) + pad, AffineResampler.Coordinate(i, j, matrix[1, 0], matrix[1, 1], offset[1]) + pad), order, mode, cval);
    }

    private static float[] Map(double[,] coef, int outRows, int outCols, Func<int, int, (double X0, double X1)> at, int order, SplineMode mode, double cval)
    {
        var result = new float[outRows * outCols];
        for (int i = 0; i < outRows; i++)
        {
            for (int j = 0; j < outCols; j++)
            {
                var (x0, x1) = at(i, j);
                result[(i * outCols) + j] = (float)Sample(coef, x0, x1, order, mode, cval);
            }
        }

        return result;
    }
}

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// The Canny edge detector with the exact meaning of scikit-image 0.19's <c>skimage.feature.canny</c> for a
/// float32 image and no mask (the steps and the float32 rounding points of skimage/NumPy/SciPy reproduced):
/// <list type="number">
/// <item>Smoothing: <c>smoothed = gaussian(image) / (gaussian(ones) + eps)</c>, each a SciPy
/// <c>gaussian_filter(sigma, mode, cval, truncate=4)</c> run axis 0 then axis 1; the image pass stores float32
/// after each axis (SciPy keeps the input dtype), the ones pass is float64; the quotient is stored float32.
/// Both go through <see cref="CannyGaussian"/> (double weights, SciPy's symmetric summation order), not the shared
/// float32-weight <see cref="SeparableFilter"/>: with that one a symmetric step edge loses skimage's exact
/// magnitude ties in non-maximum suppression (34 edge pixels instead of skimage's 60 on a 32 x 32 step).</item>
/// <item>Gradients: <c>isobel = ndimage.sobel(smoothed, axis=0)</c>, <c>jsobel = ndimage.sobel(smoothed, axis=1)</c>
/// (mode 'reflect', float32 results), <c>magnitude = hypot(isobel, jsobel)</c> (float32).</item>
/// <item>Non-maximum suppression by octants with interpolation between the two neighbours the gradient
/// points between (skimage's <c>_get_local_maxima</c>), only inside the border-eroded mask (the outermost
/// row/column never is an edge) and where magnitude &gt; 0. A pixel in several octants (ties) takes the result
/// of the last octant, as skimage's successive assignments do.</item>
/// <item>Hysteresis: keep the 8-connected components of (local maximum and magnitude &gt;= low) that contain a
/// pixel with magnitude &gt;= high (skimage's <c>ndimage.label</c> with a 3x3 structure).</item>
/// </list>
/// Thresholds are absolute magnitudes (skimage divides them by the dtype's max, which is 1 for floats):
/// defaults low 0.1, high 0.2; compared in float32 as NumPy does. With <c>useQuantiles</c> they are quantiles of
/// the magnitude (numpy.percentile, linear). The result is 1 at edges, 0 elsewhere.
/// </summary>
public static class Canny
{
    /// <summary>
    /// Runs Canny on one rows x cols image (row-major) into <paramref name="edges"/> (0 or 1). <paramref name="threads"/>
    /// parallelises the smoothing by rows; the result does not depend on it.
    /// </summary>
    public static void Detect(
        ReadOnlySpan<float> image,
        int rows,
        int cols,
        Span<float> edges,
        double sigma = 1.0,
        double? lowThreshold = null,
        double? highThreshold = null,
        bool useQuantiles = false,
        BoundaryMode mode = BoundaryMode.Constant,
        double cval = 0.0,
        int threads = 1)
    {
        int n = rows * cols;
        if (image.Length != n || edges.Length != n)
        {
            throw new ArgumentException($"image has {image.Length} values and edges {edges.Length}, shape ({rows}, {cols}) needs {n}");
        }

        double low = lowThreshold ?? 0.1;
        double high = highThreshold ?? 0.2;
        if (useQuantiles && (low is < 0.0 or > 1.0 || high is < 0.0 or > 1.0))
        {
            throw new ArgumentException("quantile thresholds must be between 0 and 1");
        }

        if (high < low)
        {
            throw new ArgumentException("low_threshold should be lower than high_threshold");
        }

        // 1. smoothing with the bleed-over correction (no mask: the mask is all ones)
        var work = new double[n];
        for (int k = 0; k < n; k++)
        {
            work[k] = image[k];
        }

        var ones = new double[n];
        ones.AsSpan().Fill(1.0);
        if (sigma > 1e-15)
        {
            var kernel = CannyGaussian.Kernel(sigma, 4.0);
            CannyGaussian.Correlate1D(work, rows, cols, axis: 0, kernel, mode, cval, toFloat: true, threads);
            CannyGaussian.Correlate1D(work, rows, cols, axis: 1, kernel, mode, cval, toFloat: true, threads);
            CannyGaussian.Correlate1D(ones, rows, cols, axis: 0, kernel, mode, cval, toFloat: false, threads);
            CannyGaussian.Correlate1D(ones, rows, cols, axis: 1, kernel, mode, cval, toFloat: false, threads);
        }

        var smoothed = new float[n];
        for (int k = 0; k < n; k++)
        {
            smoothed[k] = (float)(work[k] / (ones[k] + NumpyEps));
        }

        // 2. gradients (ndimage.sobel, mode reflect, float32 output)
        var isobel = Sobel(smoothed, rows, cols, axis: 0);
        var jsobel = Sobel(smoothed, rows, cols, axis: 1);
        var magnitude = new float[n];
        for (int k = 0; k < n; k++)
        {
            magnitude[k] = (float)Math.Sqrt(((double)isobel[k] * isobel[k]) + ((double)jsobel[k] * jsobel[k]));
        }

        float lowF, highF;
        if (useQuantiles)
        {
            var sorted = (float[])magnitude.Clone();
            Array.Sort(sorted);
            lowF = (float)Percentile(sorted, 100.0 * low);
            highF = (float)Percentile(sorted, 100.0 * high);
        }
        else
        {
            lowF = (float)low;
            highF = (float)high;
        }

        // 3. non-maximum suppression
        var localMax = LocalMaxima(isobel, jsobel, magnitude, rows, cols);

        // 4. hysteresis: flood the low mask from every high pixel, 8-connected
        edges.Clear();
        var stack = new Stack<int>();
        for (int k = 0; k < n; k++)
        {
            if (localMax[k] && magnitude[k] >= highF && edges[k] == 0)
            {
                edges[k] = 1;
                stack.Push(k);
                while (stack.Count > 0)
                {
                    int p = stack.Pop();
                    int r = p / cols, c = p % cols;
                    for (int dr = -1; dr <= 1; dr++)
                    {
                        int rr = r + dr;
                        if ((uint)rr >= (uint)rows)
                        {
                            continue;
                        }

                        for (int dc = -1; dc <= 1; dc++)
                        {
                            int cc = c + dc;
                            if ((uint)cc >= (uint)cols)
                            {
                                continue;
                            }

                            int q = (rr * cols) + cc;
                            if (edges[q] == 0 && localMax[q] && magnitude[q] >= lowF)
                            {
                                edges[q] = 1;
                                stack.Push(q);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>np.finfo(float).eps, added to the smoothed mask by skimage.</summary>
    private const double NumpyEps = 2.220446049250313e-16;

    /// <summary>
    /// ndimage.sobel(input, axis) for float32 input, mode 'reflect': [-1, 0, 1] along axis (SciPy's antisymmetric loop:
    /// out = (x[i-1] - x[i+1]) * -1 in double), stored float32; then [1, 2, 1] along the other axis
    /// (x[i] * 2 + (x[i-1] + x[i+1]) * 1 in double), stored float32. Computed row by row (same arithmetic).
    /// </summary>
    internal static float[] Sobel(float[] input, int rows, int cols, int axis)
    {
        var deriv = new float[input.Length];
        var output = new float[input.Length];
        if (axis == 0)
        {
            for (int r = 0; r < rows; r++)
            {
                int up = Reflect(r - 1, rows) * cols, down = Reflect(r + 1, rows) * cols, o = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    deriv[o + c] = (float)(((double)input[up + c] - input[down + c]) * -1.0);
                }

                for (int c = 0; c < cols; c++)
                {
                    int cl = Reflect(c - 1, cols), cr = Reflect(c + 1, cols);
                    output[o + c] = (float)((deriv[o + c] * 2.0) + (((double)deriv[o + cl] + deriv[o + cr]) * 1.0));
                }
            }
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                int o = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    int cl = Reflect(c - 1, cols), cr = Reflect(c + 1, cols);
                    deriv[o + c] = (float)(((double)input[o + cl] - input[o + cr]) * -1.0);
                }
            }

            for (int r = 0; r < rows; r++)
            {
                int up = Reflect(r - 1, rows) * cols, down = Reflect(r + 1, rows) * cols, o = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    output[o + c] = (float)((deriv[o + c] * 2.0) + (((double)deriv[up + c] + deriv[down + c]) * 1.0));
                }
            }
        }

        return output;
    }

    private static int Reflect(int k, int n) => Boundary.Map(k, n, BoundaryMode.Reflect);

    /// <summary>skimage's _get_local_maxima: octant-wise non-maximum suppression with interpolation (float32 arithmetic).</summary>
    internal static bool[] LocalMaxima(float[] isobel, float[] jsobel, float[] magnitude, int rows, int cols)
    {
        var result = new bool[magnitude.Length];
        for (int r = 1; r < rows - 1; r++)
        {
            for (int c = 1; c < cols - 1; c++)
            {
                int k = (r * cols) + c;
                float m = magnitude[k];
                if (!(m > 0))
                {
                    continue;
                }

                float gi = isobel[k], gj = jsobel[k];
                float ai = Math.Abs(gi), aj = Math.Abs(gj);
                bool horizontal = ai >= aj, vertical = ai <= aj;
                bool up = gi >= 0, down = gi <= 0, right = gj >= 0, left = gj <= 0;
                bool diag = (up && right) || (down && left);
                bool anti = (down && right) || (up && left);
                bool? value = null;

                // 0-45 degrees: neighbours (+1, 0) and (+1, +1), weight |j|/|i|
                if (diag && horizontal)
                {
                    value = Check(magnitude, cols, r, c, m, aj / ai, 1, 0, 1, 1);
                }

                // 45-90 degrees: (0, +1) and (+1, +1), weight |i|/|j|
                if (diag && vertical)
                {
                    value = Check(magnitude, cols, r, c, m, ai / aj, 0, 1, 1, 1);
                }

                // 90-135 degrees: (0, +1) and (-1, +1), weight |i|/|j|
                if (anti && vertical)
                {
                    value = Check(magnitude, cols, r, c, m, ai / aj, 0, 1, -1, 1);
                }

                // 135-180 degrees: (-1, 0) and (-1, +1), weight |j|/|i|
                if (anti && horizontal)
                {
                    value = Check(magnitude, cols, r, c, m, aj / ai, -1, 0, -1, 1);
                }

                result[k] = value ?? false;
            }
        }

        return result;
    }

    private static bool Check(float[] mag, int cols, int r, int c, float m, float w, int r1, int c1, int r2, int c2)
    {
        float oneMinusW = 1f - w;
        float p1 = mag[((r + r1) * cols) + c + c1];
        float p2 = mag[((r + r2) * cols) + c + c2];
        float plus = (p2 * w) + (p1 * oneMinusW);
        float q1 = mag[((r - r1) * cols) + c - c1];
        float q2 = mag[((r - r2) * cols) + c - c2];
        float minus = (q2 * w) + (q1 * oneMinusW);
        return plus <= m && minus <= m;
    }

    /// <summary>numpy.percentile (linear) of a sorted array.</summary>
    private static double Percentile(float[] sorted, double q)
    {
        double index = q / 100.0 * (sorted.Length - 1);
        int lo = (int)Math.Floor(index);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        double t = index - lo;
        double a = sorted[lo], b = sorted[hi];
        double diff = b - a;
        return t >= 0.5 ? b - (diff * (1 - t)) : a + (diff * t);
    }
}

using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Measure;

/// <summary>
/// scipy.ndimage.distance_transform_edt(x, sampling): for each nonzero pixel (NaN counts as nonzero) the exact Euclidean
/// distance to the nearest zero pixel, sqrt(min over zeros ((i - i0) s0)^2 + ((j - j0) s1)^2), and 0 on zeros; float32
/// of the double result. A frame without any zero gets SciPy's answer for that case: the distance to the point
/// (-1, 0) just above the first row, sqrt(((i + 1) s0)^2 + (j s1)^2). A stack: frame by frame.
/// <para>
/// Separable and exact (Felzenszwalb and Huttenlocher's lower envelope of parabolas, the row pass of Meijster's
/// scheme): pass 1 counts, down each column, the rows to the nearest zero (two sweeps, eight columns per vector);
/// pass 2 takes, along each row, the lower envelope of the parabolas (s1 (j - q))^2 + (s0 g(q))^2 in double. Squared
/// distances with unit sampling are whole numbers below 2^53, so the double result is exact before the square root.
/// </para>
/// </summary>
public static class DistanceTransform
{
    /// <summary>Rows to the nearest zero when a column has none.</summary>
    private const int None = int.MaxValue / 2;

    public static ImageArray Edt(ImageArray src, double s0, double s1, int threads)
    {
        var dst = ImageArray.Rent(src);
        for (int n = 0; n < src.Frames; n++)
        {
            Frame(src.Frame(n), dst.Frame(n), src.Rows, src.Cols, s0, s1, threads);
        }

        return dst;
    }

    private static void Frame(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols, double s0, double s1, int threads)
    {
        int[] g = ArrayPool<int>.Shared.Rent(rows * cols);
        try
        {
            unsafe
            {
                fixed (float* sp = src)
                fixed (float* dp = dst)
                fixed (int* gp = g)
                {
                    float* s = sp, d = dp;
                    int* gg = gp;
                    bool anyZero = false;

                    // Pass 1, column blocks in parallel: g = rows to the nearest zero in the column (None if there is none).
                    int colBlocks = Math.Clamp(threads, 1, Math.Max(1, Math.Min(cols / 64, rows * cols / 65536)));
                    var zeros = new bool[colBlocks];
                    Run(colBlocks, b =>
                    {
                        int c0 = (int)((long)cols * b / colBlocks), c1 = (int)((long)cols * (b + 1) / colBlocks);
                        zeros[b] = Columns(s, gg, rows, cols, c0, c1);
                    });
                    foreach (bool z in zeros)
                    {
                        anyZero |= z;
                    }

                    if (!anyZero)
                    {
                        NoZero(d, rows, cols, s0, s1);
                        return;
                    }

                    // Pass 2, row blocks in parallel.
                    int rowBlocks = Math.Clamp(threads, 1, Math.Max(1, Math.Min(rows, rows * cols / 65536)));
                    Run(rowBlocks, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b) =>
                    {
                        int r0 = (int)((long)rows * b / rowBlocks), r1 = (int)((long)rows * (b + 1) / rowBlocks);
                        var f = new double[cols];
                        var v = new int[cols];
                        var z = new double[cols + 1];
                        for (int r = r0; r < r1; r++)
                        {
                            Row(gg + ((long)r * cols), d + ((long)r * cols), cols, s0, s1, f, v, z);
                        }
                    });
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(g);
        }
    }

    private static void Run(int blocks, Action<int> body)
    {
        if (blocks <= 1)
        {
            body(0);
        }
        else
        {
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks }, body);
        }
    }

    /// <summary>Columns c0..c1-1: g = 0 on zeros, else rows to the nearest zero above or below (None without one). True when a zero was seen.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe bool Columns(float* s, int* g, int rows, int cols, int c0, int c1)
    {
        bool anyZero = false;
        var none = Vector256.Create(None);
        var one = Vector256.Create(1);

        // Down: g[r] = zero ? 0 : min(g[r - 1] + 1, None).
        for (int r = 0; r < rows; r++)
        {
            float* sr = s + ((long)r * cols);
            int* gr = g + ((long)r * cols);
            int* up = gr - cols;
            int c = c0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; c + 8 <= c1; c += 8)
                {
                    var isZero = Vector256.Equals(Vector256.Load(sr + c), Vector256<float>.Zero).AsInt32();
                    var above = r == 0 ? none : Vector256.Min(Vector256.Load(up + c) + one, none);
                    Vector256.AndNot(above, isZero).Store(gr + c);
                    anyZero |= isZero != Vector256<int>.Zero;
                }
            }

            for (; c < c1; c++)
            {
                if (sr[c] == 0)
                {
                    gr[c] = 0;
                    anyZero = true;
                }
                else
                {
                    gr[c] = r == 0 ? None : Math.Min(up[c] + 1, None);
                }
            }
        }

        // Up: g[r] = min(g[r], g[r + 1] + 1).
        for (int r = rows - 2; r >= 0; r--)
        {
            int* gr = g + ((long)r * cols);
            int* down = gr + cols;
            int c = c0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; c + 8 <= c1; c += 8)
                {
                    Vector256.Min(Vector256.Load(gr + c), Vector256.Load(down + c) + one).Store(gr + c);
                }
            }

            for (; c < c1; c++)
            {
                gr[c] = Math.Min(gr[c], down[c] + 1);
            }
        }

        return anyZero;
    }

    /// <summary>
    /// One row: d[j] = sqrt(min over q of (s1 (j - q))^2 + (s0 g[q])^2), over the columns q that have a zero (the
    /// frame has one, so some column does). f, v, z: scratch of cols, cols and cols + 1.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Row(int* g, float* d, int cols, double s0, double s1, double[] f, int[] v, double[] z)
    {
        int k = -1;
        double w2 = s1 * s1;
        for (int q = 0; q < cols; q++)
        {
            if (g[q] >= None)
            {
                continue;
            }

            double gq = g[q] * s0;
            f[q] = gq * gq;
            if (k < 0)
            {
                k = 0;
                v[0] = q;
                z[0] = double.NegativeInfinity;
                z[1] = double.PositiveInfinity;
                continue;
            }

            // Where parabola q overtakes the envelope's last one, in columns (z[0] = -inf ends the loop).
            double sx;
            while (true)
            {
                int p = v[k];
                sx = ((f[q] + (w2 * q * q)) - (f[p] + (w2 * p * p))) / (2 * w2 * (q - p));
                if (sx > z[k])
                {
                    break;
                }

                k--;
            }

            k++;
            v[k] = q;
            z[k] = sx;
            z[k + 1] = double.PositiveInfinity;
        }

        for (int j = 0, at = 0; j < cols; j++)
        {
            while (z[at + 1] < j)
            {
                at++;
            }

            int p = v[at];
            double dx = s1 * (j - p);
            d[j] = (float)Math.Sqrt((dx * dx) + f[p]);
        }
    }

    /// <summary>SciPy's result for a frame without zeros: the distance to (-1, 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void NoZero(float* d, int rows, int cols, double s0, double s1)
    {
        for (int r = 0; r < rows; r++)
        {
            double dy = (r + 1) * s0;
            for (int c = 0; c < cols; c++)
            {
                double dx = c * s1;
                d[((long)r * cols) + c] = (float)Math.Sqrt((dy * dy) + (dx * dx));
            }
        }
    }
}

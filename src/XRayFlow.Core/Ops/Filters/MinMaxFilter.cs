using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// scipy.ndimage.maximum_filter / minimum_filter on one 2-D frame. The exact meaning (<see cref="Reference"/>):
/// <code>
/// out[i, j] = max (or min) over (a, b) with footprint[a, b] != 0 of  x_ext[i + a - k0 // 2 - o0, j + b - k1 // 2 - o1]
/// </code>
/// where x_ext extends the frame under the boundary mode (Boundary.Map; constant reads cval) and a `size` is an
/// all-ones k0 x k1 footprint. The footprint is not reflected (SciPy's min_or_max_filter). Only comparisons are
/// made, so every output is one of the inputs (or cval): the result is exact, whatever the order.
/// A rectangle runs separably, axis 0 then axis 1 (as SciPy's minimum_filter1d passes), each pass a window extreme
/// by doubling: w_1 = x, w_2p[t] = op(w_p[t], w_p[t + p]), out[t] = op(w_p[t], w_p[t + k - p]) with p the largest power
/// of two &lt;= k: about log2(k) + 1 vector passes whatever k. Other footprints take the extreme over shifted rows of the
/// extended frame, one vector pass per footprint element. NaN: SciPy compares with &lt; / &gt;, so where a window holds
/// a NaN the result depends on its position; here Vector.Max/Min decide (not tested against SciPy).
/// </summary>
public static class MinMaxFilter
{
    /// <summary>Filters every frame of <paramref name="src"/> into a new (pooled) array.</summary>
    /// <param name="src">The input (a real image or stack).</param>
    /// <param name="size">Window size per axis (1 or 2 values), used when <paramref name="footprint"/> is null.</param>
    /// <param name="footprint">A 0/1 footprint (rows of numbers; nonzero = in the window), or null.</param>
    /// <param name="origin">Origin per axis (1 or 2 values).</param>
    /// <param name="mode">Boundary mode.</param>
    /// <param name="cval">Value outside the frame for mode constant.</param>
    /// <param name="maximum">True: maximum_filter; false: minimum_filter.</param>
    /// <param name="threads">Threads for the passes.</param>
    public static ImageArray Apply(ImageArray src, IReadOnlyList<int>? size, double[][]? footprint, IReadOnlyList<int>? origin, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        int o0 = origin is { Count: > 0 } ? origin[0] : 0;
        int o1 = origin is { Count: > 1 } ? origin[1] : o0;
        var dst = ImageArray.Rent(src);
        bool[,]? fp = footprint is null ? null : ToMask(footprint);
        if (fp is not null && IsFull(fp))
        {
            size = [fp.GetLength(0), fp.GetLength(1)];
            fp = null;
        }

        int k0 = size is { Count: > 0 } ? size[0] : 3;
        int k1 = size is { Count: > 1 } ? size[1] : k0;
        for (int f = 0; f < src.Frames; f++)
        {
            var input = src.Data.AsSpan(f * src.FrameLength, src.FrameLength);
            var output = dst.Data.AsMemory(f * src.FrameLength, src.FrameLength);
            if (fp is null)
            {
                Rectangle(input, output, src.Rows, src.Cols, k0, k1, o0, o1, mode, cval, maximum, threads);
            }
            else
            {
                Footprint(input, output, src.Rows, src.Cols, fp, o0, o1, mode, cval, maximum, threads);
            }
        }

        return dst;
    }

    /// <summary>The scalar meaning, for tests: a direct loop over the footprint with Boundary.Map.</summary>
    public static float[] Reference(ReadOnlySpan<float> frame, int rows, int cols, bool[,] footprint, int o0, int o1, BoundaryMode mode, float cval, bool maximum)
    {
        int k0 = footprint.GetLength(0), k1 = footprint.GetLength(1);
        var result = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                float best = maximum ? float.NegativeInfinity : float.PositiveInfinity;
                for (int a = 0; a < k0; a++)
                {
                    for (int b = 0; b < k1; b++)
                    {
                        if (!footprint[a, b])
                        {
                            continue;
                        }

                        int r = Boundary.Map((long)i + a - (k0 / 2) - o0, rows, mode);
                        int c = Boundary.Map((long)j + b - (k1 / 2) - o1, cols, mode);
                        float v = r < 0 || c < 0 ? cval : frame[(r * cols) + c];
                        best = maximum ? Math.Max(best, v) : Math.Min(best, v);
                    }
                }

                result[(i * cols) + j] = best;
            }
        }

        return result;
    }

    /// <summary>A footprint's nonzero cells as a mask.</summary>
    public static bool[,] ToMask(double[][] footprint)
    {
        var mask = new bool[footprint.Length, footprint[0].Length];
        for (int a = 0; a < footprint.Length; a++)
        {
            for (int b = 0; b < footprint[a].Length; b++)
            {
                mask[a, b] = footprint[a][b] != 0;
            }
        }

        return mask;
    }

    private static bool IsFull(bool[,] mask)
    {
        foreach (bool m in mask)
        {
            if (!m)
            {
                return false;
            }
        }

        return true;
    }

    private static void Rectangle(ReadOnlySpan<float> input, Memory<float> output, int rows, int cols, int k0, int k1, int o0, int o1, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        // Axis 0: the extended rows (rows + k0 - 1 of them, each `cols` long), then the window extreme by doubling.
        int m = rows + k0 - 1;
        float[] ext = PixelPool.Shared.Rent(checked(m * cols));
        try
        {
            int start0 = -(k0 / 2) - o0;
            for (int t = 0; t < m; t++)
            {
                int r = Boundary.Map((long)t + start0, rows, mode);
                var row = ext.AsSpan(t * cols, cols);
                if (r < 0)
                {
                    row.Fill(cval);
                }
                else
                {
                    input.Slice(r * cols, cols).CopyTo(row);
                }
            }

            var outArray = output;
            WindowExtremeRows(ext, m, cols, k0, maximum, threads);
            ext.AsSpan(0, rows * cols).CopyTo(outArray.Span);
        }
        finally
        {
            PixelPool.Shared.Return(ext);
        }

        // Axis 1: each row extended to cols + k1 - 1, then the window extreme by doubling along the row.
        int start1 = -(k1 / 2) - o1;
        int n1 = cols + k1 - 1;
        var body = (int r0, int r1) =>
        {
            float[] line = new float[n1];
            var dstSpan = output.Span;
            for (int r = r0; r < r1; r++)
            {
                var row = dstSpan.Slice(r * cols, cols);
                for (int t = 0; t < n1; t++)
                {
                    int c = Boundary.Map((long)t + start1, cols, mode);
                    line[t] = c < 0 ? cval : row[c];
                }

                WindowExtreme(line, row, k1, maximum);
            }
        };
        ForRowBlocks(rows, threads, body);
    }

    private static void Footprint(ReadOnlySpan<float> input, Memory<float> output, int rows, int cols, bool[,] fp, int o0, int o1, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        int k0 = fp.GetLength(0), k1 = fp.GetLength(1);
        int pr = rows + k0 - 1, pc = cols + k1 - 1;
        float[] padded = PixelPool.Shared.Rent(checked(pr * pc));
        try
        {
            int s0 = -(k0 / 2) - o0, s1 = -(k1 / 2) - o1;
            for (int t = 0; t < pr; t++)
            {
                int r = Boundary.Map((long)t + s0, rows, mode);
                for (int u = 0; u < pc; u++)
                {
                    int c = Boundary.Map((long)u + s1, cols, mode);
                    padded[(t * pc) + u] = r < 0 || c < 0 ? cval : input[(r * cols) + c];
                }
            }

            var cells = new List<(int A, int B)>();
            for (int a = 0; a < k0; a++)
            {
                for (int b = 0; b < k1; b++)
                {
                    if (fp[a, b])
                    {
                        cells.Add((a, b));
                    }
                }
            }

            float empty = maximum ? float.NegativeInfinity : float.PositiveInfinity;
            ForRowBlocks(rows, threads, (r0, r1) =>
            {
                var dstSpan = output.Span;
                for (int i = r0; i < r1; i++)
                {
                    var row = dstSpan.Slice(i * cols, cols);
                    if (cells.Count == 0)
                    {
                        row.Fill(empty);
                        continue;
                    }

                    var (a0, b0) = cells[0];
                    padded.AsSpan(((i + a0) * pc) + b0, cols).CopyTo(row);
                    for (int q = 1; q < cells.Count; q++)
                    {
                        var (a, b) = cells[q];
                        Extreme(row, padded.AsSpan(((i + a) * pc) + b, cols), maximum);
                    }
                }
            });
        }
        finally
        {
            PixelPool.Shared.Return(padded);
        }
    }

    /// <summary>
    /// out[t] = op over ext[t .. t + k - 1] for t in [0, out.Length); ext has out.Length + k - 1 values and is
    /// overwritten (doubling in place, ascending, so ext[t + p] is still the previous level when ext[t] reads it).
    /// </summary>
    internal static void WindowExtreme(Span<float> ext, Span<float> output, int k, bool maximum)
    {
        int n = output.Length;
        int p = 1;
        int len = ext.Length;
        while (2 * p <= k)
        {
            Extreme(ext[..(len - p)], ext[p..], maximum);
            len -= p;
            p *= 2;
        }

        ext[..n].CopyTo(output);
        Extreme(output, ext.Slice(k - p, n), maximum);
    }

    /// <summary>The same as <see cref="WindowExtreme"/> with rows of <paramref name="cols"/> values as the elements: the first rows - k + 1 rows of ext hold the result.</summary>
    private static void WindowExtremeRows(float[] ext, int m, int cols, int k, bool maximum, int threads)
    {
        int n = m - k + 1;
        int p = 1;
        int len = m;
        var levels = new List<int>();
        while (2 * p <= k)
        {
            levels.Add(p);
            p *= 2;
        }

        int last = k - p;
        // Column strips are independent: each thread doubles its strip through every level.
        int strip = Math.Max(Vector<float>.Count * 16, (cols + Math.Max(1, threads) - 1) / Math.Max(1, threads));
        int strips = (cols + strip - 1) / strip;
        void Strip(int s)
        {
            int c0 = s * strip;
            int w = Math.Min(strip, cols - c0);
            int rowsLeft = len;
            foreach (int step in levels)
            {
                for (int t = 0; t < rowsLeft - step; t++)
                {
                    Extreme(ext.AsSpan((t * cols) + c0, w), ext.AsSpan(((t + step) * cols) + c0, w), maximum);
                }

                rowsLeft -= step;
            }

            if (last > 0)
            {
                for (int t = 0; t < n; t++)
                {
                    Extreme(ext.AsSpan((t * cols) + c0, w), ext.AsSpan(((t + last) * cols) + c0, w), maximum);
                }
            }
        }

        if (threads > 1 && strips > 1)
        {
            Parallel.For(0, strips, new ParallelOptions { MaxDegreeOfParallelism = threads }, Strip);
        }
        else
        {
            for (int s = 0; s < strips; s++)
            {
                Strip(s);
            }
        }
    }

    /// <summary>acc[t] = op(acc[t], other[t]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Extreme(Span<float> acc, ReadOnlySpan<float> other, bool maximum)
    {
        int n = acc.Length;
        int k = 0;
        ref float a0 = ref MemoryMarshal.GetReference(acc);
        ref float b0 = ref MemoryMarshal.GetReference(other);
        int w = Vector<float>.Count;
        if (maximum)
        {
            for (; k <= n - w; k += w)
            {
                Vector.Max(Vector.LoadUnsafe(ref a0, (nuint)k), Vector.LoadUnsafe(ref b0, (nuint)k)).StoreUnsafe(ref a0, (nuint)k);
            }

            for (; k < n; k++)
            {
                acc[k] = Math.Max(acc[k], other[k]);
            }
        }
        else
        {
            for (; k <= n - w; k += w)
            {
                Vector.Min(Vector.LoadUnsafe(ref a0, (nuint)k), Vector.LoadUnsafe(ref b0, (nuint)k)).StoreUnsafe(ref a0, (nuint)k);
            }

            for (; k < n; k++)
            {
                acc[k] = Math.Min(acc[k], other[k]);
            }
        }
    }

    private static void ForRowBlocks(int rows, int threads, Action<int, int> body)
    {
        int blocks = Math.Min(Math.Max(1, threads) * 4, rows);
        if (threads <= 1 || blocks <= 1)
        {
            body(0, rows);
            return;
        }

        int per = (rows + blocks - 1) / blocks;
        Parallel.For(0, (rows + per - 1) / per, new ParallelOptions { MaxDegreeOfParallelism = threads }, b => body(b * per, Math.Min(rows, (b + 1) * per)));
    }
}

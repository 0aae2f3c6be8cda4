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
/// extended frame, each vector of outputs over every footprint element in a register (the machine's own max / min
/// where the extended frame holds no NaN and no -0: the same bits). NaN: SciPy compares with &lt; / &gt;, so where a window holds
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
        int k0 = size is { Count: > 0 } ? size[0] : 3;
        int k1 = size is { Count: > 1 } ? size[1] : k0;
        return Apply(src, k0, k1, footprint is null ? null : ToMask(footprint), o0, o1, mode, cval, maximum, threads);
    }

    /// <summary>
    /// The same with the window as a k0 x k1 rectangle or a mask (the footprint's shape wins when given): the
    /// kernel grey_erosion / grey_dilation (Ops/Morphology) share with maximum_filter / minimum_filter.
    /// </summary>
    public static ImageArray Apply(ImageArray src, int k0, int k1, bool[,]? footprint, int o0, int o1, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        var dst = ImageArray.Rent(src);
        bool[,]? fp = footprint;
        if (fp is not null && IsFull(fp))
        {
            (k0, k1) = (fp.GetLength(0), fp.GetLength(1));
            fp = null;
        }

        for (int f = 0; f < src.Frames; f++)
        {
            int offset = f * src.FrameLength;
            if (fp is null)
            {
                Rectangle(src.Data, offset, dst.Data, offset, src.Rows, src.Cols, k0, k1, o0, o1, mode, cval, maximum, threads);
            }
            else
            {
                Footprint(src.Data.AsSpan(offset, src.FrameLength), dst.Data.AsMemory(offset, src.FrameLength), src.Rows, src.Cols, fp, o0, o1, mode, cval, maximum, threads);
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

    /// <summary>Windows up to this size per axis take the extreme of shifted rows directly; longer ones double.</summary>
    private const int DirectMax = 8;

    private static void Rectangle(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols, int k0, int k1, int o0, int o1, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        int start0 = -(k0 / 2) - o0;
        int start1 = -(k1 / 2) - o1;
        int n1 = cols + k1 - 1;
        int left = -start1; // the row's first column sits at line[left]
        var edges = EdgeMap(cols, k1, start1, mode);
        if (k0 > DirectMax)
        {
            // Long columns: the extended rows, then the window extreme by doubling over the whole frame.
            int m = rows + k0 - 1;
            float[] ext = PixelPool.Shared.Rent(checked(m * cols));
            try
            {
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
                        src.AsSpan(srcOffset + (r * cols), cols).CopyTo(row);
                    }
                }

                WindowExtremeRows(ext, m, cols, k0, maximum, threads);
                ext.AsSpan(0, rows * cols).CopyTo(dst.AsSpan(dstOffset, rows * cols));
            }
            finally
            {
                PixelPool.Shared.Return(ext);
            }

            if (k1 == 1)
            {
                return; // a k0 x 1 column: the rows' pass is the whole filter (the line has no room for a row pass)
            }

            RowsOf(rows, cols, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
            {
                float[] line = new float[n1];
                for (int r = r0; r < r1; r++)
                {
                    var row = dst.AsSpan(dstOffset + (r * cols), cols);
                    row.CopyTo(line.AsSpan(left, cols));
                    Horizontal(line, row, left, edges, k1, cval, maximum);
                }
            });
            return;
        }

        // Short columns: per output row, the extreme of the k0 source rows into a line (extended along the row
        // under the mode), then the extreme along the line; bands of rows on the threads.
        RowsOf(rows, cols, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
        {
            float[] line = new float[n1];
            float[]? cvalRow = null;
            var sources = new int[k0];
            for (int i = r0; i < r1; i++)
            {
                var mid = line.AsSpan(left, cols);
                for (int t = 0; t < k0; t++)
                {
                    sources[t] = Boundary.Map((long)i + t + start0, rows, mode);
                }

                ReadOnlySpan<float> Source(int t)
                {
                    if (sources[t] >= 0)
                    {
                        return src.AsSpan(srcOffset + (sources[t] * cols), cols);
                    }

                    if (cvalRow is null)
                    {
                        cvalRow = new float[cols];
                        cvalRow.AsSpan().Fill(cval);
                    }

                    return cvalRow;
                }

                var outRow = dst.AsSpan(dstOffset + (i * cols), cols);
                if (k1 == 1)
                {
                    mid = outRow;
                }

                if (k0 == 1)
                {
                    Source(0).CopyTo(mid);
                }
                else
                {
                    Extreme3(mid, Source(0), Source(1), k0 > 2 ? Source(2) : Source(1), maximum);
                    for (int t = 3; t < k0; t++)
                    {
                        Extreme(mid, Source(t), maximum);
                    }
                }

                if (k1 > 1)
                {
                    Horizontal(line, outRow, left, edges, k1, cval, maximum);
                }
            }
        });
    }

    /// <summary>For the columns a line extends a row by (left ones, then right ones): the row's column each reads, or -1 for cval.</summary>
    private static int[] EdgeMap(int cols, int k, int start, BoundaryMode mode)
    {
        int left = -start, right = k - 1 - left;
        var map = new int[left + right];
        for (int u = 0; u < left; u++)
        {
            map[u] = Boundary.Map((long)u + start, cols, mode);
        }

        for (int u = 0; u < right; u++)
        {
            map[left + u] = Boundary.Map((long)cols + u, cols, mode);
        }

        return map;
    }

    /// <summary>
    /// line holds a row at [left, left + cols); extends it under the edge map and writes the window extreme along it
    /// (k taps) into output.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Horizontal(float[] line, Span<float> output, int left, int[] edges, int k, float cval, bool maximum)
    {
        int cols = output.Length;
        for (int u = 0; u < left; u++)
        {
            line[u] = edges[u] < 0 ? cval : line[left + edges[u]];
        }

        for (int u = left; u < edges.Length; u++)
        {
            line[cols + u] = edges[u] < 0 ? cval : line[left + edges[u]];
        }

        if (k <= DirectMax)
        {
            var l = line.AsSpan(0, cols + k - 1);
            Extreme3(output, l[..cols], l.Slice(1, cols), k > 2 ? l.Slice(2, cols) : l.Slice(1, cols), maximum);
            for (int b = 3; b < k; b++)
            {
                Extreme(output, l.Slice(b, cols), maximum);
            }
        }
        else
        {
            WindowExtreme(line.AsSpan(0, cols + k - 1), output, k, maximum);
        }
    }

    private static void Footprint(ReadOnlySpan<float> input, Memory<float> output, int rows, int cols, bool[,] fp, int o0, int o1, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        int k0 = fp.GetLength(0), k1 = fp.GetLength(1);
        int pr = rows + k0 - 1, pc = cols + k1 - 1;
        float[] padded = PixelPool.Shared.Rent(checked(pr * pc));
        try
        {
            Pad(input, rows, cols, padded, k0, k1, o0, o1, mode, cval);

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
            if (cells.Count > 0 && cols >= Vector<float>.Count)
            {
                // Each vector of outputs takes the extreme of its cells in a register, stored once (a pass over the row
                // per cell loaded and stored the row every time): the same operations in the same order, so the same
                // bits. Without NaN or -0 in the padded frame the machine's own max / min (NativeOrder) give IEEE's.
                var offsets = cells.Select(c => (c.A * pc) + c.B).ToArray();
                bool native = NativeOrder.Applies(padded.AsSpan(0, pr * pc), threads);
                RowBlocks.Run(rows, threads, (long)cols * cells.Count, (r0, r1) =>
                {
                    var dstSpan = output.Span;
                    if (native)
                    {
                        FootprintRows<NativeOrder>(padded, pc, r0, r1, cols, offsets, dstSpan, maximum);
                    }
                    else
                    {
                        FootprintRows<IeeeOrder>(padded, pc, r0, r1, cols, offsets, dstSpan, maximum);
                    }
                }, StepCancellation.Current);
                return;
            }

            RowBlocks.Run(rows, threads, (long)cols * cells.Count, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
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
            }, StepCancellation.Current);
        }
        finally
        {
            PixelPool.Shared.Return(padded);
        }
    }

    /// <summary>
    /// The frame extended by the window's reach under the mode: padded[t, u] = x_ext[t - (k0 // 2) - o0, u - (k1 // 2) - o1],
    /// (rows + k0 - 1) x (cols + k1 - 1) values (cval where the mode is constant and the index is outside).
    /// </summary>
    internal static void Pad(ReadOnlySpan<float> input, int rows, int cols, Span<float> padded, int k0, int k1, int o0, int o1, BoundaryMode mode, float cval)
    {
        int pr = rows + k0 - 1, pc = cols + k1 - 1;
        int s0 = -(k0 / 2) - o0, s1 = -(k1 / 2) - o1;
        int left = -s1;
        var edges = EdgeMap(cols, k1, s1, mode);
        for (int t = 0; t < pr; t++)
        {
            int r = Boundary.Map((long)t + s0, rows, mode);
            var line = padded.Slice(t * pc, pc);
            if (r < 0)
            {
                line.Fill(cval);
                continue;
            }

            var row = input.Slice(r * cols, cols);
            row.CopyTo(line.Slice(left, cols));
            for (int u = 0; u < left; u++)
            {
                line[u] = edges[u] < 0 ? cval : row[edges[u]];
            }

            for (int u = left; u < edges.Length; u++)
            {
                line[cols + u] = edges[u] < 0 ? cval : row[edges[u]];
            }
        }
    }

    /// <summary>output[t] = op(a[t], b[t], c[t]) (c may be b for two inputs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Extreme3(Span<float> output, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, bool maximum)
    {
        int n = output.Length;
        int k = 0;
        ref float o0 = ref MemoryMarshal.GetReference(output);
        ref float a0 = ref MemoryMarshal.GetReference(a);
        ref float b0 = ref MemoryMarshal.GetReference(b);
        ref float c0 = ref MemoryMarshal.GetReference(c);
        int w = Vector<float>.Count;
        if (maximum)
        {
            for (; k <= n - w; k += w)
            {
                Vector.Max(Vector.Max(Vector.LoadUnsafe(ref a0, (nuint)k), Vector.LoadUnsafe(ref b0, (nuint)k)), Vector.LoadUnsafe(ref c0, (nuint)k)).StoreUnsafe(ref o0, (nuint)k);
            }

            for (; k < n; k++)
            {
                output[k] = Math.Max(Math.Max(a[k], b[k]), c[k]);
            }
        }
        else
        {
            for (; k <= n - w; k += w)
            {
                Vector.Min(Vector.Min(Vector.LoadUnsafe(ref a0, (nuint)k), Vector.LoadUnsafe(ref b0, (nuint)k)), Vector.LoadUnsafe(ref c0, (nuint)k)).StoreUnsafe(ref o0, (nuint)k);
            }

            for (; k < n; k++)
            {
                output[k] = Math.Min(Math.Min(a[k], b[k]), c[k]);
            }
        }
    }

    /// <summary>
    /// out[t] = op over ext[t .. t + k - 1] for t in [0, out.Length); ext has out.Length + k - 1 values and is
    /// overwritten (doubling in place, ascending, so ext[t + p] is still the previous level when ext[t] reads it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>
    /// Output rows r0..r1 - 1 of a footprint: each vector of outputs op(... op(op(cell 0, cell 1), cell 2) ...) over the
    /// cells' offsets into the padded frame, in a register; the row's last vector overlaps the one before it (cols is at
    /// least a vector).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FootprintRows<TOrder>(float[] padded, int pc, int r0, int r1, int cols, int[] offsets, Span<float> output, bool maximum)
        where TOrder : struct, INetworkOrder
    {
        int w = Vector<float>.Count, n = offsets.Length;
        fixed (float* pp = padded)
        fixed (float* po = output)
        fixed (int* off = offsets)
        {
            for (int i = r0; i < r1; i++)
            {
                float* top = pp + ((long)i * pc);
                float* outRow = po + ((long)i * cols);
                for (int j = 0; ; j += w)
                {
                    if (j > cols - w)
                    {
                        if (j >= cols)
                        {
                            break;
                        }

                        j = cols - w;
                    }

                    float* at = top + j;
                    var acc = Vector.Load(at + off[0]);
                    if (maximum)
                    {
                        for (int q = 1; q < n; q++)
                        {
                            acc = TOrder.Max(acc, Vector.Load(at + off[q]));
                        }
                    }
                    else
                    {
                        for (int q = 1; q < n; q++)
                        {
                            acc = TOrder.Min(acc, Vector.Load(at + off[q]));
                        }
                    }

                    acc.Store(outRow + j);
                }
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

    /// <summary>Rows in blocks on the threads (<see cref="RowBlocks"/>, a row's work its width: these passes are a few operations a pixel).</summary>
    private static void RowsOf(int rows, int cols, int threads, Action<int, int> body) => RowBlocks.Run(rows, threads, cols, body, StepCancellation.Current);
}

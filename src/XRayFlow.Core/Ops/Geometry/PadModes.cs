using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// numpy.pad's modes that compute new values (NumPy 1.24's arraypad.py, float32 arithmetic as on a float32 array), each
/// frame padded along axis 0 over the original columns, then along axis 1 over every row (so the corners take axis
/// 1's values, made from the rows axis 0 added). Along one line (a column, then a row) with the original values in
/// [b, b + n) and b, a values to add before and after:
/// <list type="bullet">
/// <item>linear_ramp: numpy.linspace(end, edge, width, endpoint=False) in float32 on each side (the after side
/// reversed): s = float32(end), step = (edge - s) / width, value k = k step + s; when any line of the axis has a step of
/// 0 on that side (numpy.linspace decides once for the whole axis) value k = (k / width) (edge - s) + s.</item>
/// <item>maximum, minimum, mean, median: the statistic of the first stat_length[0] original values for the before
/// side and of the last stat_length[1] for the after side (all n when not given or larger), NaN when any value is NaN
/// (maximum, minimum, median) or the chunk is empty (mean, median). mean is numpy.mean along the axis in float32:
/// down the columns a running sum from 0 in row order (NumPy's reduction over the outer axis), along a row (or down a
/// frame's only column) <see cref="NumpySum32.SumScalar"/>'s buffered pairwise sum, then divided by the count in
/// float32; median the middle value, or the float32 mean of the two middle values ((a + b) / 2).</item>
/// <item>reflect or symmetric with reflect_type odd: numpy's iteration, each pass reflecting at most the values
/// present (the original ones and those added so far) as 2 edge - v in float32, the edge being the outermost value
/// present on that side. A line of one value pads with that value (numpy's legacy rule for reflect and symmetric).</item>
/// </list>
/// </summary>
public static class PadModes
{
    /// <summary>Whether <see cref="Pad"/> makes this mode (the others are <see cref="PixelMoves.Pad"/>'s copies).</summary>
    public static bool Computes(string mode, string reflectType)
        => mode is "linear_ramp" or "maximum" or "minimum" or "mean" or "median" || (mode is "reflect" or "symmetric" && reflectType == "odd");

    /// <summary>
    /// numpy.pad of each frame with widths w[axis, side], for the modes <see cref="Computes"/> accepts: end values
    /// ends[axis, side] (linear_ramp), stat lengths lengths[axis, side] (-1: all values). Only the added values and the
    /// values the statistics read are visited: axis 0 row by row over blocks of columns, axis 1 row by row, each on up
    /// to <paramref name="threads"/> threads; mean, maximum and minimum of more than one column in one pass on one
    /// thread (<see cref="StatisticsInOnePass"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImageArray Pad(ImageArray src, int[,] w, string mode, double[,] ends, int[,] lengths, int threads = 1)
    {
        int n0 = src.Rows, n1 = src.Cols;
        int rows = checked(n0 + w[0, 0] + w[0, 1]), cols = checked(n1 + w[1, 0] + w[1, 1]);
        var dst = ImageArray.Rent(rows, cols, src.IsStack ? src.Frames : 0);
        for (int f = 0; f < src.Frames; f++)
        {
            var from = src.Frame(f);
            var to = dst.Frame(f);
            if (mode is "mean" or "maximum" or "minimum" && n1 > 1)
            {
                StatisticsInOnePass(from, to, n0, n1, cols, w, mode, lengths);
                continue;
            }

            for (int i = 0; i < n0; i++)
            {
                from.Slice(i * n1, n1).CopyTo(to.Slice(((i + w[0, 0]) * cols) + w[1, 0], n1));
            }

            var columns = new Lines(dst.Data, f * dst.FrameLength, cols, w[1, 0], n1);
            Columns(columns, rows, n0, w[0, 0], w[0, 1], mode, ends[0, 0], ends[0, 1], lengths[0, 0], lengths[0, 1], threads);
            Rows(dst.Data, f * dst.FrameLength, rows, cols, n1, w[1, 0], w[1, 1], mode, ends[1, 0], ends[1, 1], lengths[1, 0], lengths[1, 1], threads);
        }

        return dst;
    }

    /// <summary>
    /// mean, maximum and minimum of a frame of more than one column in one pass over it, on one thread: each original
    /// row is copied, added into the column statistics (rows [0, stat_length[0]) and the last stat_length[1] in row
    /// order: mean a running sum from 0, numpy's reduction over the outer axis) and padded with its own row statistic
    /// while it is in L1; then each side's added rows: the column statistic, padded with its row statistic, copied to
    /// every row of that side. Same values as numpy's two passes (axis 0, then axis 1 over every row): a row's
    /// statistic reads only its original columns, and the added rows of one side are all the same row. The copy and
    /// the column sum share their loads. pad 32 mean on 1024 x 1024 (`geometry 41 2 "pad 32"`, alternating):
    /// 0.38-0.43 ms against 0.52-0.79 as a copy, a pass down the columns and one along the rows, numpy.pad 0.47; at
    /// 4096 and 8192 (whole runs, first touch included) 224-228 / 788-802 ms against 241-242 / 837-843 with those
    /// passes on two threads.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void StatisticsInOnePass(ReadOnlySpan<float> from, Span<float> to, int n0, int n1, int cols, int[,] w, string mode, int[,] lengths)
    {
        int kind = mode switch { "mean" => 0, "maximum" => 1, _ => 2 };
        int top = w[0, 0], bottom = w[0, 1], left = w[1, 0], right = w[1, 1];
        int lb = lengths[0, 0] < 0 || lengths[0, 0] > n0 ? n0 : lengths[0, 0];
        int la = lengths[0, 1] < 0 || lengths[0, 1] > n0 ? n0 : lengths[0, 1];
        bool padRows = top > 0 || bottom > 0, padCols = left > 0 || right > 0;
        var first = padRows ? new float[n1] : [];
        var last = lb == n0 && la == n0 ? first : padRows ? new float[n1] : [];
        for (int i = 0; i < n0; i++)
        {
            var row = from.Slice(i * n1, n1);
            var line = to.Slice((i + top) * cols, cols);
            if (padRows && i < lb && (i > 0 || kind == 0))
            {
                Accumulate(first, row, kind, copy: line.Slice(left, n1)); // the copy from the same loads
            }
            else
            {
                row.CopyTo(line.Slice(left, n1));
                AddRow(first, row, kind, start: i == 0, within: padRows && i < lb);
            }

            if (padRows && !ReferenceEquals(last, first))
            {
                AddRow(last, row, kind, start: i == n0 - la, within: i >= n0 - la);
            }

            if (padCols)
            {
                Line(line, n1, left, right, mode, 0, 0, lengths[1, 0], lengths[1, 1], false, false, null);
            }
        }

        if (!padRows)
        {
            return;
        }

        if (kind == 0)
        {
            Divide(first, lb);
            if (!ReferenceEquals(last, first))
            {
                Divide(last, la);
            }
        }

        AddedRows(to, first, 0, top);
        AddedRows(to, last, top + n0, bottom);

        void AddedRows(Span<float> frame, float[] statistic, int at, int count)
        {
            if (count == 0)
            {
                return;
            }

            var line = frame.Slice(at * cols, cols);
            statistic.CopyTo(line.Slice(left, n1));
            if (padCols)
            {
                Line(line, n1, left, right, mode, 0, 0, lengths[1, 0], lengths[1, 1], false, false, null);
            }

            for (int r = 1; r < count; r++)
            {
                line.CopyTo(frame.Slice((at + r) * cols, cols));
            }
        }

        static void Divide(float[] sums, int count)
        {
            for (int j = 0; j < sums.Length; j++)
            {
                sums[j] /= count; // 0 / 0: NaN, numpy's mean of an empty chunk
            }
        }
    }

    /// <summary>
    /// One row into a column statistic when it is <paramref name="within"/> its chunk: a sum from 0 (mean); maximum
    /// and minimum start as the chunk's first row.
    /// </summary>
    private static void AddRow(float[] acc, ReadOnlySpan<float> row, int kind, bool start, bool within)
    {
        if (!within)
        {
            return;
        }

        if (start && kind != 0)
        {
            row.CopyTo(acc);
        }
        else
        {
            Accumulate(acc, row, kind);
        }
    }

    /// <summary>The original columns' part of each row of a frame: row r is data[offset + r cols + first ..][..count].</summary>
    private readonly record struct Lines(float[] Data, int Offset, int Cols, int First, int Count)
    {
        public Span<float> Row(int r, int j0, int j1) => Data.AsSpan(Offset + (r * Cols) + First + j0, j1 - j0);
    }

    /// <summary>Axis 0: the original columns padded by rows of values, in blocks of columns (each column on its own, but for linear_ramp's one choice).</summary>
    private static void Columns(Lines x, int total, int n, int before, int after, string mode, double endBefore, double endAfter, int lengthBefore, int lengthAfter, int threads)
    {
        if (before == 0 && after == 0)
        {
            return;
        }

        int m = x.Count;
        float sb = (float)endBefore, sa = (float)endAfter;
        bool divideBefore = mode == "linear_ramp" && before > 0 && StepIsZeroSomewhere(x.Row(before, 0, m), sb, before);
        bool divideAfter = mode == "linear_ramp" && after > 0 && StepIsZeroSomewhere(x.Row(before + n - 1, 0, m), sa, after);
        int[] plan = mode is "reflect" or "symmetric" && n > 1 ? ReflectOddPlan(total, before, after, includeEdge: mode == "symmetric") : [];
        const int Block = 512;
        int blocks = (m + Block - 1) / Block;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Math.Min(Threads(threads, m, n, before + after, mode), blocks)) };
        Parallel.For(0, blocks, options, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (b) =>
        {
            int j0 = b * Block, j1 = Math.Min(m, j0 + Block);
            switch (mode)
            {
                case "linear_ramp":
                    RampRows(x, j0, j1, at: 0, before, edge: before, sb, divideBefore, reversed: false);
                    RampRows(x, j0, j1, at: before + n, after, edge: before + n - 1, sa, divideAfter, reversed: true);
                    break;
                case "maximum" or "minimum" or "mean" or "median":
                    {
                        int lb = lengthBefore < 0 || lengthBefore > n ? n : lengthBefore;
                        int la = lengthAfter < 0 || lengthAfter > n ? n : lengthAfter;
                        var first = StatisticRow(x, j0, j1, before, lb, mode);
                        var last = lb == n && la == n ? first : StatisticRow(x, j0, j1, before + n - la, la, mode);
                        for (int r = 0; r < before; r++)
                        {
                            first.CopyTo(x.Row(r, j0, j1));
                        }

                        for (int r = before + n; r < total; r++)
                        {
                            last.CopyTo(x.Row(r, j0, j1));
                        }

                        break;
                    }

                default:
                    if (n == 1)
                    {
                        for (int r = 0; r < total; r++)
                        {
                            if (r != before)
                            {
                                x.Row(before, j0, j1).CopyTo(x.Row(r, j0, j1));
                            }
                        }
                    }
                    else
                    {
                        for (int k = 0; k < plan.Length; k += 4)
                        {
                            for (int q = 0; q < plan[k + 3]; q++)
                            {
                                Reflect(x.Row(plan[k], j0, j1), x.Row(plan[k + 1] - q, j0, j1), x.Row(plan[k + 2] + q, j0, j1));
                            }
                        }
                    }

                    break;
            }
        });
    }

    /// <summary>
    /// Threads for lines of n values with `added` values to make: a second one only for a few million values to visit
    /// (a median's selections count ten times): below that, handing half of a sub-millisecond pass to the other vCPU
    /// measured slower than one thread (pad 32 mean on 1024 x 1024: 0.69 ms on one thread, 1.07 on two).
    /// </summary>
    private static int Threads(int threads, int lines, int n, int added, string mode)
        => (long)lines * (added + (mode is "linear_ramp" or "reflect" or "symmetric" ? 0 : n)) * (mode == "median" ? 10 : 1) >= 1L << 22 ? threads : 1;

    /// <summary>Whether any line's step (edge - start) / width is 0 (numpy.linspace then divides first, for every line).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool StepIsZeroSomewhere(ReadOnlySpan<float> edges, float start, int width)
    {
        foreach (float e in edges)
        {
            if (StepIsZero(e, start, width))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>numpy.linspace's test of one line: its float32 step (edge - start) / width is 0.</summary>
    private static bool StepIsZero(float edge, float start, int width) => (edge - start) / width == 0f;

    /// <summary>The rows at..at + width of columns j0..j1: numpy.linspace(start, edge row, width, endpoint=False) in float32, reversed for the after side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RampRows(Lines x, int j0, int j1, int at, int width, int edge, float start, bool divideFirst, bool reversed)
    {
        if (width == 0)
        {
            return;
        }

        var e = x.Row(edge, j0, j1);
        var factor = new float[j1 - j0]; // delta = edge - start, times k / width (divideFirst) or k times delta / width
        for (int j = 0; j < factor.Length; j++)
        {
            factor[j] = divideFirst ? e[j] - start : (e[j] - start) / width;
        }

        for (int k = 0; k < width; k++)
        {
            var row = x.Row(reversed ? at + width - 1 - k : at + k, j0, j1);
            float kf = divideFirst ? k / (float)width : k;
            for (int j = 0; j < row.Length; j++)
            {
                row[j] = (kf * factor[j]) + start;
            }
        }
    }

    /// <summary>
    /// The statistic of rows r0..r0 + count of columns j0..j1, each column gathered and given to
    /// <see cref="Statistic"/>: median, and mean / maximum / minimum of a frame of one column (its mean the pairwise
    /// sum, numpy's along a contiguous line); other frames take <see cref="StatisticsInOnePass"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float[] StatisticRow(Lines x, int j0, int j1, int r0, int count, string mode)
    {
        var result = new float[j1 - j0];
        if (count == 0)
        {
            Array.Fill(result, float.NaN); // mean and median of nothing (maximum and minimum refuse a stat_length of 0)
            return result;
        }

        var column = new float[count];
        for (int j = j0; j < j1; j++)
        {
            for (int r = 0; r < count; r++)
            {
                column[r] = x.Row(r0 + r, j, j + 1)[0];
            }

            result[j - j0] = Statistic(column, mode);
        }

        return result;
    }

    /// <summary>
    /// acc[j] = acc[j] + row[j] (kind 0: numpy's reduction over the outer axis, row after row), max (1) or min (2) of
    /// them, NaN winning as in numpy.amax / amin (Vector.Max and Min are IEEE 754's maximum and minimum, as Math.Max);
    /// with a non-empty <paramref name="copy"/>, row[j] is also stored there from the same load. 256-bit: a 512-bit
    /// loop before it measured the same on pad 32 mean (`geometry 401 2`, 0.29-0.33 against 0.29-0.34 ms).
    /// </summary>
    private static void Accumulate(Span<float> acc, ReadOnlySpan<float> row, int kind, Span<float> copy = default)
    {
        switch (kind)
        {
            case 0:
                Accumulate<SumOperator>(acc, row, copy);
                break;
            case 1:
                Accumulate<MaxOperator>(acc, row, copy);
                break;
            default:
                Accumulate<MinOperator>(acc, row, copy);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TOperator>(Span<float> acc, ReadOnlySpan<float> row, Span<float> copy)
        where TOperator : struct, IAccumulateOperator
    {
        int j = 0, n = acc.Length;
        bool store = !copy.IsEmpty;
        ref float a = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(acc);
        ref float b = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(row[..n]);
        ref float c = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(store ? copy[..n] : acc);
        if (Vector256.IsHardwareAccelerated)
        {
            for (; j <= n - 8; j += 8)
            {
                var y = Vector256.LoadUnsafe(ref b, (nuint)j);
                TOperator.Apply(Vector256.LoadUnsafe(ref a, (nuint)j), y).StoreUnsafe(ref a, (nuint)j);
                if (store)
                {
                    y.StoreUnsafe(ref c, (nuint)j);
                }
            }
        }

        for (; j < n; j++)
        {
            float y = Unsafe.Add(ref b, j);
            Unsafe.Add(ref a, j) = TOperator.Apply(Unsafe.Add(ref a, j), y);
            if (store)
            {
                Unsafe.Add(ref c, j) = y;
            }
        }
    }

    /// <summary>One accumulation of <see cref="Accumulate{TOperator}"/>, the same in every width.</summary>
    private interface IAccumulateOperator
    {
        static abstract float Apply(float x, float y);

        static abstract Vector256<float> Apply(Vector256<float> x, Vector256<float> y);
    }

    private readonly struct SumOperator : IAccumulateOperator
    {
        public static float Apply(float x, float y) => x + y;

        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> y) => x + y;
    }

    private readonly struct MaxOperator : IAccumulateOperator
    {
        public static float Apply(float x, float y) => Math.Max(x, y);

        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> y) => Vector256.Max(x, y);
    }

    private readonly struct MinOperator : IAccumulateOperator
    {
        public static float Apply(float x, float y) => Math.Min(x, y);

        public static Vector256<float> Apply(Vector256<float> x, Vector256<float> y) => Vector256.Min(x, y);
    }

    /// <summary>
    /// numpy's _set_reflect_both with method odd, repeated until both sides are filled, as runs (edge, from, to, count)
    /// in its order, each meaning value[to + q] = 2 value[edge] - value[from - q] for q = 0..count - 1, for a line of
    /// <paramref name="total"/> values with <paramref name="left"/> and <paramref name="right"/> to add (the same for
    /// every line of an axis). A run reads only values present before it: the original ones and earlier runs'.
    /// </summary>
    private static int[] ReflectOddPlan(int total, int left, int right, bool includeEdge)
    {
        var runs = new List<int>();
        int edgeOffset = includeEdge ? 1 : 0;
        while (left > 0 || right > 0)
        {
            int oldLength = total - right - left - (includeEdge ? 0 : 1);
            if (left > 0)
            {
                int chunk = Math.Min(oldLength, left);
                runs.AddRange([left, left - edgeOffset + chunk, left - chunk, chunk]); // padded[start : left - edgeOffset : -1]
                left -= chunk;
            }

            if (right > 0)
            {
                int chunk = Math.Min(oldLength, right);
                runs.AddRange([total - right - 1, total - right + edgeOffset - 2, total - right, chunk]); // padded[-right + edgeOffset - 2 : ... : -1]
                right -= chunk;
            }
        }

        return [.. runs];
    }

    /// <summary>to = 2 edge - from, in float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Reflect(ReadOnlySpan<float> edge, ReadOnlySpan<float> from, Span<float> to)
    {
        for (int j = 0; j < to.Length; j++)
        {
            to[j] = (2 * edge[j]) - from[j];
        }
    }

    /// <summary>Axis 1: every row padded in place (the original values at [before, before + n)), rows in parts on the threads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Rows(float[] data, int offset, int rows, int cols, int n, int before, int after, string mode, double endBefore, double endAfter, int lengthBefore, int lengthAfter, int threads)
    {
        if (before == 0 && after == 0)
        {
            return;
        }

        // numpy.linspace decides once for all rows whether a side divides first (a step of 0 in any row).
        bool divideBefore = false, divideAfter = false;
        if (mode == "linear_ramp")
        {
            float sb = (float)endBefore, sa = (float)endAfter;
            for (int i = 0; i < rows; i++)
            {
                divideBefore |= before > 0 && StepIsZero(data[offset + (i * cols) + before], sb, before);
                divideAfter |= after > 0 && StepIsZero(data[offset + (i * cols) + before + n - 1], sa, after);
            }
        }

        int[]? plan = mode is "reflect" or "symmetric" && n > 1 ? ReflectOddPlan(cols, before, after, includeEdge: mode == "symmetric") : null;
        int parts = Math.Max(1, Math.Min(Threads(threads, rows, n, before + after, mode), rows / 64));
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            for (int i = (int)((long)rows * p / parts); i < (int)((long)rows * (p + 1) / parts); i++)
            {
                Line(data.AsSpan(offset + (i * cols), cols), n, before, after, mode, endBefore, endAfter, lengthBefore, lengthAfter, divideBefore, divideAfter, plan);
            }
        });
    }

    /// <summary>Pads one row in place (the original values at [before, before + n)), as the type documents.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Line(Span<float> line, int n, int before, int after, string mode, double endBefore, double endAfter, int lengthBefore, int lengthAfter,
        bool divideBefore, bool divideAfter, int[]? plan)
    {
        switch (mode)
        {
            case "linear_ramp":
                Ramp(line, 0, before, line[before], (float)endBefore, divideBefore, reversed: false);
                Ramp(line, before + n, after, line[before + n - 1], (float)endAfter, divideAfter, reversed: true);
                break;
            case "maximum" or "minimum" or "mean" or "median":
                {
                    int lb = lengthBefore < 0 || lengthBefore > n ? n : lengthBefore;
                    int la = lengthAfter < 0 || lengthAfter > n ? n : lengthAfter;
                    float first = Statistic(line.Slice(before, lb), mode);
                    float last = lb == n && la == n ? first : Statistic(line.Slice(before + n - la, la), mode);
                    Fills.Fill(line[..before], first);
                    Fills.Fill(line.Slice(before + n, after), last);
                    break;
                }

            default: // reflect / symmetric, reflect_type odd
                if (n == 1)
                {
                    Fills.Fill(line[..before], line[before]);
                    Fills.Fill(line.Slice(before + 1, after), line[before]);
                }
                else
                {
                    for (int k = 0; k < plan!.Length; k += 4)
                    {
                        float edge2 = 2 * line[plan[k]];
                        int from = plan[k + 1], to = plan[k + 2];
                        for (int q = 0; q < plan[k + 3]; q++)
                        {
                            line[to + q] = edge2 - line[from - q];
                        }
                    }
                }

                break;
        }
    }

    /// <summary>width values at line[at..]: linspace(start, edge, width, endpoint=False) in float32, reversed for the after side.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Ramp(Span<float> line, int at, int width, float edge, float start, bool divideFirst, bool reversed)
    {
        float delta = edge - start;
        float step = delta / width;
        for (int k = 0; k < width; k++)
        {
            float y = divideFirst ? (k / (float)width) * delta : k * step;
            line[reversed ? at + width - 1 - k : at + k] = y + start;
        }
    }

    /// <summary>numpy's maximum, minimum, mean (along a row: <see cref="NumpySum32"/>'s buffered pairwise sum) or median of a chunk (see the type).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Statistic(ReadOnlySpan<float> chunk, string mode)
    {
        if (chunk.IsEmpty)
        {
            return float.NaN; // mean and median of nothing (maximum and minimum refuse a stat_length of 0)
        }

        switch (mode)
        {
            case "mean":
                return NumpySum32.Sum(chunk) / chunk.Length;
            case "median":
                {
                    if (ArrayStatistics.HasNaN(chunk))
                    {
                        return float.NaN;
                    }

                    int r2 = chunk.Length / 2, r1 = chunk.Length % 2 == 1 ? r2 : r2 - 1;
                    var (lower, upper) = ArrayStatistics.SelectRanks(chunk, r1, r2); // numpy.partition's values at the middle ranks
                    return r1 == r2 ? upper : (lower + upper) / 2f;
                }

            default:
                {
                    var (min, max) = Extremes.MinMax(chunk, 1); // NaN anywhere gives NaN, as numpy.amax / amin
                    return mode == "maximum" ? max : min;
                }
        }
    }

}

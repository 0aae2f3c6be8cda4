using System.Runtime.CompilerServices;
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
/// float32; median the middle
/// value, or the float32 mean of the two middle values ((a + b) / 2).</item>
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
    /// ends[axis, side] (linear_ramp), stat lengths lengths[axis, side] (-1: all values).
    /// </summary>
    public static ImageArray Pad(ImageArray src, int[,] w, string mode, double[,] ends, int[,] lengths, int threads = 1)
    {
        int n0 = src.Rows, n1 = src.Cols;
        int rows = checked(n0 + w[0, 0] + w[0, 1]), cols = checked(n1 + w[1, 0] + w[1, 1]);
        var dst = ImageArray.Rent(rows, cols, src.IsStack ? src.Frames : 0);
        for (int f = 0; f < src.Frames; f++)
        {
            var from = src.Frame(f);
            var to = dst.Frame(f);
            for (int i = 0; i < n0; i++)
            {
                from.Slice(i * n1, n1).CopyTo(to.Slice(((i + w[0, 0]) * cols) + w[1, 0], n1));
            }

            // Axis 0: the original columns; then axis 1: every row.
            Axis(dst.Data, f * dst.FrameLength, lines: n1, lineStart: w[1, 0], lineStep: 1, length: rows, along: cols, n0, w[0, 0], w[0, 1], mode, ends[0, 0], ends[0, 1], lengths[0, 0], lengths[0, 1], rowsAxis: true, threads);
            Axis(dst.Data, f * dst.FrameLength, lines: rows, lineStart: 0, lineStep: cols, length: cols, along: 1, n1, w[1, 0], w[1, 1], mode, ends[1, 0], ends[1, 1], lengths[1, 0], lengths[1, 1], rowsAxis: false, threads);
        }

        return dst;
    }

    /// <summary>
    /// Pads the lines of one axis: line q starts at offset + (lineStart + q) * lineStep (lineStart + q for columns),
    /// its elements <paramref name="along"/> apart, <paramref name="length"/> of them, the original ones at [before,
    /// before + n).
    /// </summary>
    private static void Axis(float[] data, int offset, int lines, int lineStart, int lineStep, int length, int along, int n, int before, int after, string mode,
        double endBefore, double endAfter, int lengthBefore, int lengthAfter, bool rowsAxis, int threads)
    {
        if (before == 0 && after == 0)
        {
            return;
        }

        int Start(int q) => offset + ((lineStart + q) * lineStep);

        // numpy.linspace decides once for all lines of the axis whether a side divides first (any step of 0).
        bool divideBefore = false, divideAfter = false;
        if (mode == "linear_ramp")
        {
            float sb = (float)endBefore, sa = (float)endAfter;
            for (int q = 0; q < lines; q++)
            {
                int s = Start(q);
                divideBefore |= before > 0 && (data[s + (before * along)] - sb) / before == 0f;
                divideAfter |= after > 0 && (data[s + ((before + n - 1) * along)] - sa) / after == 0f;
            }
        }

        // numpy.mean's order: pairwise along a row; down columns a running sum, unless the columns are one (then NumPy's
        // reduction runs along the column as along a row).
        bool pairwise = !rowsAxis || lines == 1;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Math.Min(threads, lines / 64)) };
        Parallel.For(0, lines, options, () => new float[length], [MethodImpl(MethodImplOptions.AggressiveOptimization)] (q, _, line) =>
        {
            int s = Start(q);
            for (int k = 0; k < length; k++)
            {
                line[k] = data[s + (k * along)];
            }

            Line(line, n, before, after, mode, endBefore, endAfter, lengthBefore, lengthAfter, pairwise, divideBefore, divideAfter);
            for (int k = 0; k < length; k++)
            {
                data[s + (k * along)] = line[k];
            }

            return line;
        }, _ => { });
    }

    /// <summary>Pads one line (the original values at [before, before + n)), as the type documents.</summary>
    internal static void Line(float[] line, int n, int before, int after, string mode, double endBefore, double endAfter, int lengthBefore, int lengthAfter, bool pairwise,
        bool divideBefore = false, bool divideAfter = false)
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
                    float first = Statistic(line.AsSpan(before, lb), mode, pairwise);
                    float last = lb == n && la == n ? first : Statistic(line.AsSpan(before + n - la, la), mode, pairwise);
                    line.AsSpan(0, before).Fill(first);
                    line.AsSpan(before + n, after).Fill(last);
                    break;
                }

            default: // reflect / symmetric, reflect_type odd
                if (n == 1)
                {
                    line.AsSpan(0, before).Fill(line[before]);
                    line.AsSpan(before + 1, after).Fill(line[before]);
                }
                else
                {
                    ReflectOdd(line, before, after, includeEdge: mode == "symmetric");
                }

                break;
        }
    }

    /// <summary>width values at line[at..]: linspace(start, edge, width, endpoint=False) in float32, reversed for the after side.</summary>
    private static void Ramp(float[] line, int at, int width, float edge, float start, bool divideFirst, bool reversed)
    {
        float delta = edge - start;
        float step = delta / width;
        for (int k = 0; k < width; k++)
        {
            float y = divideFirst ? (k / (float)width) * delta : k * step;
            line[reversed ? at + width - 1 - k : at + k] = y + start;
        }
    }

    /// <summary>numpy's maximum, minimum, mean or median of a chunk along the axis (see the type).</summary>
    private static float Statistic(ReadOnlySpan<float> chunk, string mode, bool pairwise)
    {
        if (chunk.IsEmpty)
        {
            return float.NaN; // mean and median of nothing (maximum and minimum refuse a stat_length of 0)
        }

        switch (mode)
        {
            case "mean":
                {
                    float sum = 0f;
                    if (!pairwise)
                    {
                        foreach (float v in chunk)
                        {
                            sum += v; // numpy's reduction over the outer axis: row after row
                        }
                    }
                    else
                    {
                        sum = NumpySum32.SumScalar(chunk);
                    }

                    return sum / chunk.Length;
                }

            case "median":
                {
                    var sorted = chunk.ToArray();
                    if (sorted.Any(float.IsNaN))
                    {
                        return float.NaN;
                    }

                    Array.Sort(sorted);
                    int h = sorted.Length / 2;
                    return sorted.Length % 2 == 1 ? sorted[h] : (sorted[h - 1] + sorted[h]) / 2f;
                }

            default:
                {
                    float r = chunk[0];
                    foreach (float v in chunk)
                    {
                        if (float.IsNaN(v))
                        {
                            return float.NaN;
                        }

                        r = mode == "maximum" ? Math.Max(r, v) : Math.Min(r, v);
                    }

                    return r;
                }
        }
    }

    /// <summary>numpy's _set_reflect_both with method odd, repeated until both sides are filled.</summary>
    private static void ReflectOdd(float[] line, int left, int right, bool includeEdge)
    {
        int total = line.Length;
        int edgeOffset = includeEdge ? 1 : 0;
        while (left > 0 || right > 0)
        {
            int oldLength = total - right - left - (includeEdge ? 0 : 1);
            if (left > 0)
            {
                int chunk = Math.Min(oldLength, left);
                int start = left - edgeOffset + chunk; // padded[start : left - edgeOffset : -1]
                float edge2 = 2 * line[left];
                for (int q = 0; q < chunk; q++)
                {
                    line[left - chunk + q] = edge2 - line[start - q];
                }

                left -= chunk;
            }

            if (right > 0)
            {
                int chunk = Math.Min(oldLength, right);
                int start = total - right + edgeOffset - 2; // padded[-right + edgeOffset - 2 : ... : -1]
                float edge2 = 2 * line[total - right - 1];
                for (int q = 0; q < chunk; q++)
                {
                    line[total - right + q] = edge2 - line[start - q];
                }

                right -= chunk;
            }
        }
    }
}

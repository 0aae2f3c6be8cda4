using System.Runtime.InteropServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Geometry;
using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>
/// pad's mean, maximum, minimum and median against numpy.pad's two passes written out one value at a time: axis 0
/// down every original column (mean a float32 running sum from 0 in row order, divided by the count), then axis 1 along
/// every row of the result (mean numpy's buffered pairwise sum, <see cref="NumpySum32.SumScalar"/>; median the middle
/// value or the float32 mean of the two middle ones, NaN when any is NaN). Frames larger than the
/// op-fixture ones (which check the same rules against numpy itself on up to 8,300 values), one past the 4M values
/// from which both axes run on two threads, 1 and 2 threads, whole and partial stat lengths, widths of 0 on either
/// axis, NaN and infinities, a stack; bits compared.
/// </summary>
public class PadStatisticsTests
{
    public static TheoryData<string> Modes => new() { "mean", "maximum", "minimum", "median" };

    [Theory]
    [MemberData(nameof(Modes))]
    public void OneReadGivesNumpysTwoPasses(string mode)
    {
        var rng = new Random(20261206);
        foreach (var (frames, rows, cols) in new[] { (1, 2100, 2000), (1, 700, 500), (1, 37, 29), (2, 520, 513), (1, 2, 3) })
        {
            var data = new float[frames * rows * cols];
            for (int k = 0; k < data.Length; k++)
            {
                data[k] = (float)((rng.NextDouble() * 5000) - 1000);
            }

            // A few NaN and infinities: most rows and columns keep finite statistics, so every line is checked.
            for (int k = 0; k < 3; k++)
            {
                data[rng.Next(data.Length)] = float.NaN;
                data[rng.Next(data.Length)] = float.PositiveInfinity;
            }

            var src = frames > 1 ? ImageArray.Stack(frames, rows, cols, data) : new ImageArray(rows, cols, data);
            foreach (var (w, lengths) in new (int[,], int[,])[]
            {
                (new[,] { { 32, 32 }, { 32, 32 } }, new[,] { { -1, -1 }, { -1, -1 } }),
                (new[,] { { 3, 0 }, { 0, 5 } }, new[,] { { -1, -1 }, { -1, -1 } }),
                (new[,] { { 0, 0 }, { 4, 1 } }, new[,] { { -1, -1 }, { 7, 300 } }),
                (new[,] { { 2, 9 }, { 0, 0 } }, new[,] { { 1, 400 }, { -1, -1 } }),
                (new[,] { { 5, 1 }, { 2, 6 } }, new[,] { { 3, 2 }, { 2, 3 } }),
            }.Take(rows > 1000 ? 1 : 5))
            {
                var expected = Reference(src, w, mode, lengths);
                foreach (int threads in new[] { 1, 2 })
                {
                    var got = PadModes.Pad(src, w, mode, new double[2, 2], lengths, threads);
                    Assert.Equal((rows + w[0, 0] + w[0, 1], cols + w[1, 0] + w[1, 1]), (got.Rows, got.Cols));
                    var bits = MemoryMarshal.Cast<float, int>(got.Data.AsSpan(0, got.Length));
                    var wanted = MemoryMarshal.Cast<float, int>(expected);
                    int first = wanted.CommonPrefixLength(bits);
                    Assert.True(first == wanted.Length, first == wanted.Length ? null
                        : $"{mode}, {frames} x {rows} x {cols}, {threads} thread(s): value {first} is {got.Data[first]}, numpy.pad's {expected[first]}");
                }
            }
        }
    }

    /// <summary>numpy.pad(frame, w, mode, stat_length) of each frame, axis 0 then axis 1, one value at a time.</summary>
    private static float[] Reference(ImageArray src, int[,] w, string mode, int[,] lengths)
    {
        int n0 = src.Rows, n1 = src.Cols;
        int rows = n0 + w[0, 0] + w[0, 1], cols = n1 + w[1, 0] + w[1, 1];
        var result = new float[src.Frames * rows * cols];
        for (int f = 0; f < src.Frames; f++)
        {
            var x = src.Frame(f).ToArray();
            var p = result.AsSpan(f * rows * cols, rows * cols);
            for (int r = 0; r < n0; r++)
            {
                x.AsSpan(r * n1, n1).CopyTo(p[(((r + w[0, 0]) * cols) + w[1, 0])..]);
            }

            var column = new float[n0];
            for (int j = 0; j < n1; j++)
            {
                for (int r = 0; r < n0; r++)
                {
                    column[r] = x[(r * n1) + j];
                }

                float first = Statistic(column, 0, Count(lengths[0, 0], n0), mode, pairwise: false);
                int la = Count(lengths[0, 1], n0);
                float last = Statistic(column, n0 - la, la, mode, pairwise: false);
                for (int r = 0; r < w[0, 0]; r++)
                {
                    p[(r * cols) + w[1, 0] + j] = first;
                }

                for (int r = w[0, 0] + n0; r < rows; r++)
                {
                    p[(r * cols) + w[1, 0] + j] = last;
                }
            }

            for (int r = 0; r < rows; r++)
            {
                var row = p.Slice((r * cols) + w[1, 0], n1).ToArray();
                float first = Statistic(row, 0, Count(lengths[1, 0], n1), mode, pairwise: true);
                int la = Count(lengths[1, 1], n1);
                float last = Statistic(row, n1 - la, la, mode, pairwise: true);
                p.Slice(r * cols, w[1, 0]).Fill(first);
                p.Slice((r * cols) + w[1, 0] + n1, w[1, 1]).Fill(last);
            }
        }

        return result;
    }

    private static int Count(int length, int n) => length < 0 || length > n ? n : length;

    private static float Statistic(float[] line, int start, int count, string mode, bool pairwise)
    {
        var chunk = line.AsSpan(start, count);
        if (mode == "mean")
        {
            float sum = 0f;
            if (pairwise)
            {
                sum = NumpySum32.SumScalar(chunk);
            }
            else
            {
                foreach (float v in chunk)
                {
                    sum += v;
                }
            }

            return sum / count;
        }

        if (mode == "median")
        {
            // numpy.median: NaN when any value is NaN, else the middle value or the float32 mean of the two middle ones.
            var sorted = chunk.ToArray();
            if (Array.Exists(sorted, float.IsNaN))
            {
                return float.NaN;
            }

            Array.Sort(sorted);
            int half = count / 2;
            return count % 2 == 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2f;
        }

        float best = chunk[0];
        foreach (float v in chunk)
        {
            best = float.IsNaN(best) || float.IsNaN(v) ? float.NaN : mode == "maximum" ? Math.Max(best, v) : Math.Min(best, v);
        }

        return best;
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>
/// rot90 and flip (register blocks, tiles, row parts on threads) against numpy's index rules written out one value at a
/// time: every shape 1..40 x 1..40 (every ragged edge of the 8 x 8 blocks), shapes past a 128-row tile and the 2^18-pixel
/// threading threshold, stacks, k from -5 to 5, 1 and 2 threads. NaN and signed zeros are moved as bits.
/// </summary>
public class PixelMovesTests
{
    private static ImageArray Image(int frames, int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var data = new float[checked(frames * rows * cols)];
        for (int k = 0; k < data.Length; k++)
        {
            data[k] = rng.Next(20) switch
            {
                0 => float.NaN,
                1 => -0f,
                _ => (float)rng.NextDouble(),
            };
        }

        return frames > 1 ? ImageArray.Stack(frames, rows, cols, data) : new ImageArray(rows, cols, data);
    }

    /// <summary>numpy.rot90(x, k) of one frame, by its definition.</summary>
    private static float[] Rot90Reference(ReadOnlySpan<float> x, int rows, int cols, int k)
    {
        k = ((k % 4) + 4) % 4;
        var result = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                float v = x[(r * cols) + c];
                int at = k switch
                {
                    0 => (r * cols) + c,
                    1 => ((cols - 1 - c) * rows) + r,              // out[i, j] = x[j, C - 1 - i]
                    2 => ((rows - 1 - r) * cols) + (cols - 1 - c), // out[i, j] = x[R - 1 - i, C - 1 - j]
                    _ => (c * rows) + (rows - 1 - r),              // out[i, j] = x[R - 1 - j, i]
                };
                result[at] = v;
            }
        }

        return result;
    }

    private static void AssertFrames(ImageArray src, ImageArray got, Func<int, float[]> expected)
    {
        for (int f = 0; f < src.Frames; f++)
        {
            var want = expected(f);
            var have = got.Frame(f).ToArray();
            Assert.Equal(want.Length, have.Length);
            for (int k = 0; k < want.Length; k++)
            {
                if (BitConverter.SingleToUInt32Bits(want[k]) != BitConverter.SingleToUInt32Bits(have[k]))
                {
                    Assert.Fail($"{src.Frames} x {src.Rows} x {src.Cols}, frame {f}, value {k}: expected {want[k]}, got {have[k]}");
                }
            }
        }
    }

    public static TheoryData<int, int, int> Shapes()
    {
        var data = new TheoryData<int, int, int>();
        foreach (var (frames, rows, cols) in new[] { (1, 129, 7), (1, 300, 17), (1, 515, 521), (1, 1024, 256), (3, 72, 40), (2, 264, 1001) })
        {
            data.Add(frames, rows, cols);
        }

        return data;
    }

    [Fact]
    public void Rot90MatchesNumpyForEverySmallShape()
    {
        for (int rows = 1; rows <= 40; rows++)
        {
            for (int cols = 1; cols <= 40; cols++)
            {
                var x = Image(1, rows, cols, (rows * 100) + cols);
                foreach (int k in new[] { 1, 3, -1, 2 })
                {
                    var got = PixelMoves.Rot90(x, k, threads: 1);
                    Assert.Equal(k % 2 != 0 ? (cols, rows) : (rows, cols), (got.Rows, got.Cols));
                    AssertFrames(x, got, _ => Rot90Reference(x.Frame(0), rows, cols, k));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Rot90MatchesNumpyOnLargeShapesAndStacksOnAnyThreadCount(int frames, int rows, int cols)
    {
        var x = Image(frames, rows, cols, rows + cols);
        for (int k = -5; k <= 5; k++)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var got = PixelMoves.Rot90(x, k, threads);
                Assert.Equal(frames > 1, got.IsStack);
                AssertFrames(x, got, f => Rot90Reference(x.Frame(f), rows, cols, k));
            }
        }
    }

    /// <summary>flip's reversed row copy against its meaning, to[j] = from[n - 1 - j], on each path (512- and 256-bit
    /// where the machine has them, value by value), for every length 1..80 at every source offset 0..15 (the vector
    /// loop, its remainder, misaligned loads), the bits of NaN payloads and -0 kept.</summary>
    [Theory]
    [InlineData(512)]
    [InlineData(256)]
    [InlineData(0)]
    public void ReversedCopyIsTheRowBackwardsForEveryLength(int vectorBits)
    {
        var rng = new Random(11);
        var pool = new float[120];
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = BitConverter.Int32BitsToSingle(i % 7 == 0 ? unchecked((int)0xFFC00001u) + i : i % 11 == 0 ? int.MinValue : rng.Next());
        }

        for (int n = 1; n <= 80; n++)
        {
            for (int offset = 0; offset < 16; offset++)
            {
                var from = pool.AsSpan(offset, n);
                var to = new float[n + 3];
                to[n] = to[n + 1] = to[n + 2] = 42f;
                PixelMoves.ReversedCopy(from, to, vectorBits);
                for (int j = 0; j < n; j++)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(from[n - 1 - j]), BitConverter.SingleToInt32Bits(to[j]));
                }

                Assert.Equal([42f, 42f, 42f], to[n..]); // nothing written past n
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void FlipMatchesNumpyOnAnyThreadCount(int frames, int rows, int cols)
    {
        var x = Image(frames, rows, cols, rows * cols);
        foreach (int? axis in new int?[] { 0, 1, -1, -2, null })
        {
            bool flipRows = axis is null or 0 or -2, flipCols = axis is null or 1 or -1;
            foreach (int threads in new[] { 1, 2 })
            {
                var got = PixelMoves.Flip(x, axis, threads);
                AssertFrames(x, got, f =>
                {
                    var frame = x.Frame(f);
                    var want = new float[rows * cols];
                    for (int r = 0; r < rows; r++)
                    {
                        for (int c = 0; c < cols; c++)
                        {
                            want[(r * cols) + c] = frame[((flipRows ? rows - 1 - r : r) * cols) + (flipCols ? cols - 1 - c : c)];
                        }
                    }

                    return want;
                });
            }
        }
    }

    [Theory]
    [InlineData("constant")]
    [InlineData("edge")]
    [InlineData("reflect")]
    [InlineData("symmetric")]
    [InlineData("wrap")]
    public void PadOnTwoThreadsGivesTheOneThreadResult(string mode)
    {
        // 600 x 520 padded by (3, 40) rows and (33, 2) columns: past the 2^18-pixel threshold, so the rows split in two.
        var x = Image(2, 600, 520, 77);
        var constants = new double[,] { { 1.5, -2 }, { 7, 0.25 } };
        var one = PixelMoves.Pad(x, 3, 40, 33, 2, mode, constants, threads: 1);
        var two = PixelMoves.Pad(x, 3, 40, 33, 2, mode, constants, threads: 2);
        Assert.Equal((2, 643, 555), (two.Frames, two.Rows, two.Cols));
        AssertFrames(one, two, f => one.Frame(f).ToArray());

        // Spot-check the meaning: the middle is the input, a constant corner takes axis 1's value.
        Assert.Equal(x.Frame(1)[(10 * 520) + 20], two.Frame(1)[(13 * 555) + 53]);
        if (mode == "constant")
        {
            Assert.Equal(7f, two.Frame(0)[0]);
            Assert.Equal(-2f, two.Frame(0)[(642 * 555) + 100]);
        }
    }
}

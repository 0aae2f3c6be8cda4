using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Morphology;

namespace XRayFlow.Core.Tests.Ops.Morphology;

/// <summary>
/// The word kernel (<see cref="BinaryMorphology"/>: bit planes, vector shifts, row skipping, Gauss-Seidel sweeps) against
/// its scalar meaning (<see cref="BinaryMorphology.Reference"/>, SciPy's pixel loop) for every width 1..130 (one, two
/// and three words, with and without spare bits), both border values, with and without a mask, on random data with
/// fixed seeds.
/// </summary>
public class BinaryMorphologyKernelTests
{
    private static readonly (string Name, bool[,] S, int O0, int O1)[] Structures =
    [
        ("cross1", StructuringElement.Generate(1), 0, 0),
        ("square1", StructuringElement.Generate(2), 0, 0),
        ("disk2", StructuringElement.Shape("disk", 2), 0, 0),
        ("asym-origin", Mask("110", "010", "011"), 1, -1),
        ("even", Mask("01", "11"), 0, 0),
        ("row4-nocentre", Mask("1101"), 0, 0),
        ("far", Mask("1" + new string('0', 129) + "1"), 0, 0), // column offsets +-65: three guard words
        ("empty", Mask("000"), 0, 0),
    ];

    public static TheoryData<BinaryOp, bool> OpsAndBorders()
    {
        var data = new TheoryData<BinaryOp, bool>();
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            data.Add(op, false);
            data.Add(op, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(OpsAndBorders))]
    public void WordKernelEqualsScalarForEveryWidth(BinaryOp op, bool border)
    {
        for (int cols = 1; cols <= 130; cols++)
        {
            int rows = 1 + (cols % 5);
            foreach (var (name, s, o0, o1) in Structures)
            {
                foreach (int iterations in new[] { 1, 2 })
                {
                    int seed = (cols * 97) + iterations + name.Length;
                    var x = Random01(rows, cols, seed, 0.6);
                    Compare(op, x, null, s, iterations, border, o0, o1, $"{name} {rows}x{cols} it {iterations}");
                    Compare(op, x, Random01(rows, cols, seed + 1, 0.7), s, iterations, border, o0, o1, $"{name} {rows}x{cols} it {iterations} mask");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(OpsAndBorders))]
    public void WideRowsEqualScalarForEveryWordCount(BinaryOp op, bool border)
    {
        // Rows of 1..17 words, so the interior rows' 8-word (AVX-512) and 4-word blocks and their word tails all run.
        for (int words = 1; words <= 17; words++)
        {
            foreach (int cols in new[] { (64 * words) - 1, 64 * words, (64 * words) + 1 })
            {
                foreach (var (name, s, o0, o1) in Structures)
                {
                    int seed = (cols * 7) + name.Length;
                    var x = Random01(7, cols, seed, 0.4);
                    Compare(op, x, null, s, 1, border, o0, o1, $"{name} 7x{cols}");
                    Compare(op, x, Random01(7, cols, seed + 1, 0.7), s, 2, border, o0, o1, $"{name} 7x{cols} it 2 mask");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(OpsAndBorders))]
    public void UntilStableEqualsScalarOrFailsWhereItNeverSettles(BinaryOp op, bool border)
    {
        foreach (int cols in new[] { 1, 2, 31, 63, 64, 65, 100, 130 })
        {
            foreach (int rows in new[] { 1, 6, 17 })
            {
                foreach (var (name, s, o0, o1) in Structures)
                {
                    foreach (double density in new[] { 0.3, 0.8 })
                    {
                        int seed = (cols * 31) + (rows * 7) + name.Length + (int)(density * 10);
                        var x = Random01(rows, cols, seed, density);
                        var mask = seed % 3 == 0 ? Random01(rows, cols, seed + 5, 0.8) : null;
                        Compare(op, x, mask, s, 0, border, o0, o1, $"{name} {rows}x{cols} until stable, density {density}{(mask is null ? string.Empty : " mask")}");
                    }
                }
            }
        }
    }

    [Fact]
    public void FillHolesEqualsScalarForEveryWidth()
    {
        for (int cols = 1; cols <= 130; cols++)
        {
            foreach (var (name, s, o0, o1) in Structures)
            {
                foreach (int rows in new[] { 1, 9 })
                {
                    var x = Random01(rows, cols, (cols * 13) + rows + name.Length, 0.55);
                    float[] expected;
                    try
                    {
                        expected = BinaryMorphology.Reference(BinaryOp.Dilation, x.Data, [], rows, cols, s, 0, false, o0, o1, fillHoles: true, maxPasses: BinaryMorphology.UntilStableLimit(rows, cols));
                    }
                    catch (InvalidOperationException)
                    {
                        Assert.Throws<InvalidOperationException>(() => BinaryMorphology.FillHoles(x, s, o0, o1, 2));
                        continue;
                    }

                    var got = BinaryMorphology.FillHoles(x, s, o0, o1, 2);
                    Assert.True(expected.AsSpan().SequenceEqual(got.Data), $"fill holes {name} {rows}x{cols}: first difference at {FirstDifference(expected, got.Data)}");
                    var fromBits = BinaryMorphology.FillHoles(AsBits(x), s, o0, o1, 2);
                    Assert.True(expected.AsSpan().SequenceEqual(fromBits.Data), $"fill holes {name} {rows}x{cols}, input as bits: first difference at {FirstDifference(expected, fromBits.Data)}");
                }
            }
        }
    }

    [Fact]
    public void ThreadsAndFramesDoNotChangeTheResult()
    {
        int rows = 301, cols = 517;
        var frames = Enumerable.Range(0, 3).Select(f => Random01(rows, cols, 40 + f, 0.5 + (0.1 * f))).ToList();
        var stack = ImageArray.StackOf(frames);
        var mask = ImageArray.StackOf([.. Enumerable.Range(0, 3).Select(f => Random01(rows, cols, 60 + f, 0.9))]);
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            foreach (int iterations in new[] { 1, 3, 0 })
            {
                var s = StructuringElement.Shape("disk", 2);
                var one = BinaryMorphology.Apply(op, stack, mask, s, iterations, false, 0, 0, threads: 1);
                var four = BinaryMorphology.Apply(op, stack, mask, s, iterations, false, 0, 0, threads: 4);
                var fourFromBits = BinaryMorphology.Apply(op, AsBits(stack), AsBits(mask), s, iterations, false, 0, 0, threads: 4);
                Assert.True(fourFromBits.IsStack);
                Assert.Equal(one.Data, fourFromBits.Materialize(4));
                Assert.Equal(one.Data, four.Data);
                for (int f = 0; f < 3; f++)
                {
                    var alone = BinaryMorphology.Apply(op, frames[f], mask.FrameImage(f), s, iterations, false, 0, 0, threads: 2);
                    Assert.True(alone.Data.AsSpan().SequenceEqual(one.Frame(f)), $"{op} frame {f}");
                }
            }
        }

        var filled1 = BinaryMorphology.FillHoles(stack, StructuringElement.Generate(1), 0, 0, threads: 1);
        var filled4 = BinaryMorphology.FillHoles(stack, StructuringElement.Generate(1), 0, 0, threads: 4);
        Assert.Equal(filled1.Data, filled4.Data);
    }

    [Fact]
    public void LargeImagesMatchTheScalarMeaning()
    {
        // Bigger than the row-block threshold, so packing and passes run on several threads.
        var x = Random01(97, 300, 5, 0.65);
        var mask = Random01(97, 300, 6, 0.85);
        foreach (var op in Enum.GetValues<BinaryOp>())
        {
            foreach (int iterations in new[] { 1, 4, 0 })
            {
                Compare(op, x, mask, StructuringElement.Generate(2), iterations, false, 0, 0, $"{op} it {iterations}");
                Compare(op, x, null, StructuringElement.Shape("cross", 3), iterations, true, 0, 0, $"{op} it {iterations} border 1");
            }
        }
    }

    [Fact]
    public void PackingReadsNonzeroAsOneForEveryLength()
    {
        var rng = new Random(11);
        float[] specials = [0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 1e-30f];
        for (int cols = 1; cols <= 200; cols++)
        {
            var row = new float[cols];
            for (int j = 0; j < cols; j++)
            {
                row[j] = specials[rng.Next(specials.Length)];
            }

            var plane = new BitPlane(1, cols, 2);
            plane.Pack(row, 0, 1, complement: false);
            plane.SetBorder(true);
            var back = new float[cols];
            plane.Unpack(back, 0, 1, complement: false);
            var inverted = new float[cols];
            plane.Unpack(inverted, 0, 1, complement: true);
            for (int j = 0; j < cols; j++)
            {
                bool nonzero = row[j] != 0; // NaN != 0, as NumPy's x != 0
                Assert.Equal(nonzero, plane.Get(0, j));
                Assert.Equal(nonzero ? 1f : 0f, back[j]);
                Assert.Equal(nonzero ? 0f : 1f, inverted[j]);
            }
        }
    }

    [Fact]
    public void RowFillsEqualOneBitAtATime()
    {
        var rng = new Random(3);
        for (int words = 1; words <= 4; words++)
        {
            for (int trial = 0; trial < 300; trial++)
            {
                int guard = 2;
                var line = new ulong[words + (2 * guard)];
                var m = new ulong[words];
                for (int k = 0; k < words; k++)
                {
                    m[k] = Next(rng) | Next(rng);
                    line[guard + k] = Next(rng) & Next(rng) & Next(rng) & m[k];
                }

                bool border = trial % 2 == 1;
                for (int g = 0; g < guard; g++)
                {
                    line[g] = line[guard + words + g] = border ? ~0UL : 0UL;
                }

                var up = (ulong[])line.Clone();
                BinaryMorphology.RowClosure.FillTowardsHigh(up, guard, m);
                var down = (ulong[])line.Clone();
                BinaryMorphology.RowClosure.FillTowardsLow(down, guard, m);
                int bits = 64 * words;
                bool Bit(ulong[] a, int t) => t < 0 ? border : t >= bits ? border : ((a[guard + (t >> 6)] >> (t & 63)) & 1) != 0;
                bool M(int t) => ((m[t >> 6] >> (t & 63)) & 1) != 0;
                var expectUp = new bool[bits];
                var expectDown = new bool[bits];
                for (int t = 0; t < bits; t++)
                {
                    expectUp[t] = Bit(line, t) || (M(t) && (t == 0 ? border : expectUp[t - 1]));
                }

                for (int t = bits - 1; t >= 0; t--)
                {
                    expectDown[t] = Bit(line, t) || (M(t) && (t == bits - 1 ? border : expectDown[t + 1]));
                }

                for (int t = 0; t < bits; t++)
                {
                    Assert.Equal(expectUp[t], Bit(up, t));
                    Assert.Equal(expectDown[t], Bit(down, t));
                }
            }
        }
    }

    [Fact]
    public void AStructureWithoutItsCentreThatFlipsForeverFailsWithAReason()
    {
        // SciPy's binary_erosion(x, [[1, 0, 1]], iterations=0, border_value=1) never returns on 1 0 1 0 1.
        var x = new ImageArray(1, 5, [1, 0, 1, 0, 1]);
        var ex = Assert.Throws<InvalidOperationException>(() => BinaryMorphology.Apply(BinaryOp.Erosion, x, null, Mask("101"), 0, true, 0, 0, 1));
        Assert.Contains("flips between two states forever", ex.Message, StringComparison.Ordinal);

        // With the centre set the same run settles (SciPy's fast path).
        var settled = BinaryMorphology.Apply(BinaryOp.Erosion, x, null, Mask("111"), 0, true, 0, 0, 1);
        Assert.All(settled.Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void AStructureWithoutItsCentreMaySettleAfterMorePassesThanTwiceTheSides()
    {
        // Offsets (0, 1) and (1, -7) on an 8 x 8 image walk it in raster order, one pixel per pass: SciPy's
        // binary_erosion(x, s, iterations=0, border_value=1) with x all ones but x[7, 7] moves the 0 back one pixel per
        // pass and returns all ones after 65 passes (checked with SciPy 1.10.1). The old bound, 2 (rows + cols) + 4 = 36
        // passes, refused it.
        var s = Mask("000000000000000", "000000001000000", "100000000000000"); // centre [1, 7] is 0
        var x = new ImageArray(8, 8);
        x.Data.AsSpan().Fill(1);
        x[7, 7] = 0;
        Assert.Equal(BinaryMorphology.Reference(BinaryOp.Erosion, x.Data, [], 8, 8, s, 0, true, 0, 0), BinaryMorphology.Apply(BinaryOp.Erosion, x, null, s, 0, true, 0, 0, 2).Data);
        Assert.All(BinaryMorphology.Apply(BinaryOp.Erosion, x, null, s, 0, true, 0, 0, 2).Data, v => Assert.Equal(1f, v));

        // The same offsets on random data, dilation and erosion, both borders, with and without a mask.
        foreach (var op in new[] { BinaryOp.Erosion, BinaryOp.Dilation })
        {
            foreach (bool border in new[] { false, true })
            {
                var r = Random01(8, 8, 41, 0.7);
                Compare(op, r, null, s, 0, border, 0, 0, "raster walk");
                Compare(op, r, Random01(8, 8, 42, 0.9), s, 0, border, 0, 0, "raster walk, mask");
            }
        }
    }

    [Fact]
    public void AStructureWithoutItsCentreThatCyclesWithAPeriodOfThreeFailsWithAReason()
    {
        // Offsets +2 and -1: SciPy's binary_erosion(x, [[0, 1, 0, 0, 1]], iterations=0, border_value=1) on this row
        // enters a cycle of three states and never returns; found by the saved state, long before rows * cols + 2
        // passes on a tall image.
        var row = new float[] { 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0 };
        var x = new ImageArray(200, 12);
        for (int i = 0; i < 200; i++)
        {
            row.CopyTo(x.Data.AsSpan(i * 12, 12));
        }

        var ex = Assert.Throws<InvalidOperationException>(() => BinaryMorphology.Apply(BinaryOp.Erosion, x, null, Mask("01001"), 0, true, 0, 0, 1));
        Assert.Contains("cycles forever", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => BinaryMorphology.Reference(BinaryOp.Erosion, x.Data, [], 200, 12, Mask("01001"), 0, true, 0, 0));
    }

    [Fact]
    public void UntilStableMatchesManyPassesOnAMaze()
    {
        // A serpentine corridor: filling it from the border takes one pass per pixel of the path, and the sweeps
        // must reach the same fixed point.
        int rows = 41, cols = 67;
        var x = new ImageArray(rows, cols);
        x.Data.AsSpan().Fill(1);
        for (int r = 1; r < rows - 2; r += 2)
        {
            for (int c = 1; c < cols - 1; c++)
            {
                x[r, c] = 0;
            }

            x[r + 1, (r / 2) % 2 == 0 ? cols - 2 : 1] = 0;
        }

        x[0, 1] = 0; // the corridor's mouth on the border
        // More passes than the bound for structures without their centre: the centre is set, so no bound applies.
        var cross = StructuringElement.Generate(1);
        var zeros = new ImageArray(rows, cols);
        var reached = BinaryMorphology.Apply(BinaryOp.Dilation, zeros, Invert(x), cross, 0, true, 0, 0, 2);
        Assert.Equal(BinaryMorphology.Reference(BinaryOp.Dilation, zeros.Data, Invert(x).Data, rows, cols, cross, 0, true, 0, 0), reached.Data);
        var filled = BinaryMorphology.FillHoles(x, StructuringElement.Generate(1), 0, 0, 2);
        var expected = BinaryMorphology.Reference(BinaryOp.Dilation, x.Data, [], rows, cols, StructuringElement.Generate(1), 0, false, 0, 0, fillHoles: true);
        Assert.Equal(expected, filled.Data);
        Assert.Contains(0f, filled.Data); // the corridor joins the border: not a hole
    }

    private static void Compare(BinaryOp op, ImageArray x, ImageArray? mask, bool[,] s, int iterations, bool border, int o0, int o1, string what)
    {
        float[] expected;
        try
        {
            expected = BinaryMorphology.Reference(op, x.Data, mask is null ? [] : mask.Data, x.Rows, x.Cols, s, iterations, border, o0, o1, maxPasses: BinaryMorphology.UntilStableLimit(x.Rows, x.Cols));
        }
        catch (InvalidOperationException)
        {
            // The scalar loop did not settle within the bound: the kernel must refuse too (SciPy would not return).
            Assert.Throws<InvalidOperationException>(() => BinaryMorphology.Apply(op, x, mask, s, iterations, border, o0, o1, 2));
            return;
        }

        var got = BinaryMorphology.Apply(op, x, mask, s, iterations, border, o0, o1, threads: 2);
        Assert.NotNull(got.Mask); // held as bits until read
        Assert.True(expected.AsSpan().SequenceEqual(got.Data), $"{op} {what} border {border}: first difference at {FirstDifference(expected, got.Data)}");
        Assert.Null(got.Mask); // read: the float32 pixels are the array now
        PixelPool.Shared.Return(got);

        // The same input (and mask) held as bits, as a previous binary step leaves them: the same result.
        var bits = AsBits(x);
        var bitsMask = mask is null ? null : AsBits(mask);
        var fromBits = BinaryMorphology.Apply(op, bits, bitsMask, s, iterations, border, o0, o1, threads: 2);
        Assert.NotNull(bits.Mask); // read as bits, never made into float32
        Assert.True(expected.AsSpan().SequenceEqual(fromBits.Data), $"{op} {what} border {border}, input as bits: first difference at {FirstDifference(expected, fromBits.Data)}");
        PixelPool.Shared.Return(fromBits);
        PixelPool.Shared.Return(bits);
    }

    private static ImageArray AsBits(ImageArray x) => ImageArray.FromMask(PackedMask.Pack(x), x.IsStack);

    private static int FirstDifference(float[] a, float[] b)
    {
        for (int k = 0; k < a.Length; k++)
        {
            if (a[k] != b[k])
            {
                return k;
            }
        }

        return -1;
    }

    private static ImageArray Random01(int rows, int cols, int seed, double density)
    {
        var rng = new Random(seed);
        var a = new ImageArray(rows, cols);
        for (int k = 0; k < a.Length; k++)
        {
            a.Data[k] = rng.NextDouble() < density ? (rng.Next(3) == 0 ? -2.5f : 1f) : 0f;
        }

        return a;
    }

    private static ImageArray Invert(ImageArray x)
    {
        var r = new ImageArray(x.Rows, x.Cols);
        for (int k = 0; k < x.Length; k++)
        {
            r.Data[k] = x.Data[k] == 0 ? 1 : 0;
        }

        return r;
    }

    private static ulong Next(Random rng) => ((ulong)(uint)rng.Next() << 33) ^ ((ulong)(uint)rng.Next() << 2) ^ (uint)rng.Next(4);

    private static bool[,] Mask(params string[] rows)
    {
        var m = new bool[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
        {
            for (int j = 0; j < rows[i].Length; j++)
            {
                m[i, j] = rows[i][j] == '1';
            }
        }

        return m;
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// percentile_filter / rank_filter: the fast paths (sorted-column networks, footprint networks, the sliding window,
/// the narrow-row fallback) against the scalar meaning for every length 1..48 along rows and columns, every boundary
/// mode, several ranks and windows; the networks by the 0-1 principle.
/// </summary>
public class RankFilterTests
{
    public static IEnumerable<object[]> Modes() => Enum.GetValues<BoundaryMode>().Select(m => new object[] { m });

    private static readonly (string Name, bool[,] Mask, int O0, int O1)[] Windows =
    [
        ("3x3", Rect(3, 3), 0, 0),
        ("5x5", Rect(5, 5), 1, -2),
        ("2x4", Rect(2, 4), 0, -1),
        ("1x7", Rect(1, 7), 0, 3),
        ("6x1", Rect(6, 1), -3, 0),
        ("7x3", Rect(7, 3), 2, -1),
        ("cross", Mask([[0, 1, 0], [1, 1, 1], [0, 1, 0]]), 0, 0),
        ("skew", Mask([[1, 1, 0], [0, 0, 1]]), 0, 0),
        ("gaps", Mask([[1, 0, 1, 1], [0, 1, 0, 1]]), 0, 1),
        ("12x12", Rect(12, 12), -5, 2),
        ("disk", Disk(6.2), 0, 0),
    ];

    [Theory]
    [MemberData(nameof(Modes))]
    public void FastPathsEqualTheScalarMeaningForEveryLength(BoundaryMode mode)
    {
        foreach (var (name, mask, o0, o1) in Windows)
        {
            int n = RankFilter.CountOf(mask);
            int[] ranks = n <= 2 ? [0, n - 1] : n is 9 or 25 ? [.. Enumerable.Range(0, n)] : [0, 1, n / 2, n - 2, n - 1]; // every rank of 3 x 3 and 5 x 5 (each has its unrolled network)
            for (int len = 1; len <= 48; len += len < 20 ? 1 : 7)
            {
                foreach (var (rows, cols) in new[] { (len, 11), (11, len) })
                {
                    var x = RandomFrame(new Random((len * 131) + rows + (int)mode + n), rows, cols);
                    var image = new ImageArray(rows, cols, x);
                    foreach (int rank in ranks)
                    {
                        var fast = RankFilter.Apply(image, null, ToRows(mask), [o0, o1], mode, 2.5f, rank, threads: 2);
                        var slow = RankFilter.Reference(x, rows, cols, mask, rank, o0, o1, mode, 2.5f);
                        Assert.True(fast.Data.AsSpan().SequenceEqual(slow), $"{name} rank {rank} {mode} on {rows}x{cols} differs");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void SlidingHistogramsOfLevelsEqualTheScalarMeaning(BoundaryMode mode)
    {
        // Rectangles above 25 cells without a written-out network take Huang's sliding histogram when every value (and
        // cval, in mode constant) is a level (an integer 0..16383): 8-bit levels with many ties and both ends (0, 255),
        // 12-bit ones up to 4095 and 14-bit ones up to 16383 (the histogram as long as the highest level), windows wider and taller than the
        // frame, origins, ranks across the window (0 and n - 1 are the min / max filters).
        var windows = new (int K0, int K1, int O0, int O1)[] { (6, 6, 0, 0), (7, 7, 1, -2), (9, 9, 0, 0), (3, 11, 1, 4), (12, 5, -5, 2), (21, 21, 3, -3) };
        foreach (var (k0, k1, o0, o1) in windows)
        {
            int n = k0 * k1;
            Assert.True(RankFilter.TakesHistogram(k0, k1, 1));
            foreach (var (rows, cols) in new[] { (1, 37), (23, 1), (9, 13), (30, 41) })
            {
                var rng = new Random((k0 * 1000) + (k1 * 10) + rows + (int)mode);
                var x = new float[rows * cols];
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = rng.Next(5) switch { 0 => 0f, 1 => 255f, 2 => rng.Next(100, 104), _ => rng.Next(256) };
                    if (rows == 30)
                    {
                        x[k] = x[k] == 255f ? 4095f : x[k] * 16; // 12-bit
                    }
                    else if (rows == 9)
                    {
                        x[k] = x[k] == 255f ? 16383f : x[k] * 64; // 14-bit: the histogram off the stack
                    }
                }

                Assert.True(RankFilter.LevelValued(x, 7f));
                var image = new ImageArray(rows, cols, x);
                foreach (int rank in new[] { 1, 2, n / 3, n / 2, n - 3, n - 2 })
                {
                    var fast = RankFilter.Apply(image, [k0, k1], null, [o0, o1], mode, 7f, rank, threads: 2);
                    var slow = RankFilter.Reference(x, rows, cols, Rect(k0, k1), rank, o0, o1, mode, 7f);
                    Assert.True(fast.Data.AsSpan().SequenceEqual(slow), $"{k0}x{k1} rank {rank} {mode} on {rows}x{cols} differs");
                }

                var median = new float[rows * cols];
                MedianFilter.Apply(x, 0, median, 0, rows, cols, k0, k1, o0, o1, mode, 7f, threads: 2);
                Assert.True(median.AsSpan().SequenceEqual(RankFilter.Reference(x, rows, cols, Rect(k0, k1), n / 2, o0, o1, mode, 7f)), $"median {k0}x{k1} {mode} on {rows}x{cols} differs");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void SlidingHistogramsOfFootprintsEqualTheScalarMeaning(BoundaryMode mode)
    {
        // Footprints above 25 cells on levels take the sliding histogram with the cells that leave and enter the window
        // at each step: disks (one run a row), a ring (two runs in its middle rows), a checkerboard (every cell leaves
        // and enters), with origins, on frames narrower and shorter than the footprint.
        var ring = new bool[9, 9];
        for (int a = 0; a < 9; a++)
        {
            for (int b = 0; b < 9; b++)
            {
                int d = ((a - 4) * (a - 4)) + ((b - 4) * (b - 4));
                ring[a, b] = d <= 16 && d >= 5;
            }
        }

        var checker = new bool[6, 9];
        for (int a = 0; a < 6; a++)
        {
            for (int b = 0; b < 9; b++)
            {
                checker[a, b] = ((a + b) & 1) == 0;
            }
        }

        foreach (var (name, mask, o0, o1) in new[] { ("disk 3", Disk(3.2), 0, 0), ("disk 5", Disk(5.1), 2, -1), ("ring", ring, -1, 1), ("checker", checker, 0, 2) })
        {
            int n = RankFilter.CountOf(mask);
            Assert.True(n > 25, name);
            foreach (var (rows, cols) in new[] { (1, 31), (19, 1), (8, 6), (27, 33) })
            {
                var rng = new Random(n + rows + (int)mode);
                var x = new float[rows * cols];
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = rng.Next(4) switch { 0 => 0f, 1 => 4095f, 2 => rng.Next(60, 63), _ => rng.Next(4096) };
                }

                foreach (int rank in new[] { 1, n / 4, n / 2, n - 2 })
                {
                    var fast = RankFilter.Apply(new ImageArray(rows, cols, x), null, ToRows(mask), [o0, o1], mode, 7f, rank, threads: 2);
                    var slow = RankFilter.Reference(x, rows, cols, mask, rank, o0, o1, mode, 7f);
                    Assert.True(fast.Data.AsSpan().SequenceEqual(slow), $"{name} rank {rank} {mode} on {rows}x{cols} differs");
                }
            }
        }
    }

    [Fact]
    public void OnlyLevelsAreLevelValued()
    {
        // Every position of every length 1..40 (the vector loop and its tail). Levels are whole numbers spanning at most
        // 16384 values, wherever they start (8-bit, CT's -1024..3071, values near a million); a fraction, -0, NaN or an
        // infinity anywhere makes the frame not level-valued, and so does a value that stretches a frame holding 0 and
        // 16383 (the widest span) by one; cval counts where given (mode constant), not where null.
        float[] never = [0.5f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 16382.999f, -1023.5f];
        float[] stretch = [-1f, 16384f, 1e9f, -1e9f];
        for (int len = 1; len <= 40; len++)
        {
            var x = Enumerable.Range(0, len).Select(k => (float)(k * 1337 % 16384)).ToArray();
            x[^1] = len > 1 ? 16383f : x[^1];
            Assert.True(RankFilter.LevelValued(x, 0f));
            Assert.True(RankFilter.LevelValued(x, null));
            Assert.True(RankFilter.LevelValued(x, 16383f));
            Assert.True(RankFilter.LevelValued(x.Select(v => v - 20000f).ToArray(), -20000f));
            Assert.True(RankFilter.LevelValued(x.Select(v => v + 1e6f).ToArray(), null));
            Assert.False(RankFilter.LevelValued(x, 16384f)); // x[0] is 0: one beyond the span
            Assert.False(RankFilter.LevelValued(x, 2.5f));
            Assert.False(RankFilter.LevelValued(x, -0f));
            Assert.False(RankFilter.LevelValued(x, float.NaN));
            for (int at = 0; at < len; at++)
            {
                foreach (float v in never)
                {
                    var y = (float[])x.Clone();
                    y[at] = v;
                    Assert.False(RankFilter.LevelValued(y, null), $"length {len}: {v} at {at}");
                }

                foreach (float v in stretch)
                {
                    var y = (float[])x.Clone();
                    y[at] = v;
                    bool fits = (double)y.Max() - y.Min() <= 16383; // false whenever 0 and 16383 are both still there
                    Assert.True(!fits || !(len > 2 && at > 0 && at < len - 1));
                    Assert.Equal(fits, RankFilter.LevelValued(y, null));
                }
            }
        }
    }

    [Fact]
    public void LargeWindowsOverFewDistinctValuesRankThemAsLevels()
    {
        // Fractions (not levels) under windows beyond the networks: at most 16384 distinct values are ranked, the
        // histogram slides over their ranks, each output maps back to its value; the scalar meaning's bits. NaN or -0
        // anywhere keep the sorted window: the same bits again. (More distinct values: ManyDistinctValuesTakeTheTwoLevelHistogram.)
        var rng = new Random(23);
        int rows = 29, cols = 41;
        var fractions = Enumerable.Range(0, rows * cols).Select(_ => (rng.Next(300) * 0.37f) - 20f).ToArray();
        Assert.False(RankFilter.LevelValued(fractions, null));
        Assert.True(RankFilter.MayRank(fractions.Length, 13, 13 * 13));
        Assert.False(RankFilter.MayRank(fractions.Length, 11, 11 * 11)); // the networks' size: no sort
        Assert.Equal(MedianFilter.MedianPath.Histogram, MedianFilter.Choose(fractions, 13, 13, BoundaryMode.Reflect, 0f, 2));
        Assert.InRange(Distinct(fractions, null)!.Length, 250, 300);
        var withNaN = (float[])fractions.Clone();
        withNaN[100] = float.NaN;
        var withNegativeZero = (float[])fractions.Clone();
        withNegativeZero[200] = -0f;
        Assert.Null(Distinct(withNaN, null));
        Assert.Null(Distinct(withNegativeZero, null));
        Assert.Null(Distinct(fractions, float.NaN));
        Assert.Null(Distinct(fractions, -0f));
        foreach (var frame in new[] { fractions, withNaN, withNegativeZero })
        {
            foreach (var mode in Enum.GetValues<BoundaryMode>())
            {
                foreach (var (k0, k1, rank) in new[] { (13, 13, 84), (9, 19, 100), (31, 7, 3) })
                {
                    var got = RankFilter.Apply(new ImageArray(rows, cols, frame), [k0, k1], null, [1, 0], mode, 1.11f, rank, threads: 2);
                    var want = RankFilter.Reference(frame, rows, cols, Rect(k0, k1), rank, 1, 0, mode, 1.11f);
                    Assert.True(got.Data.AsSpan().SequenceEqual(want), $"{k0}x{k1} rank {rank} {mode}, NaN {frame == withNaN}, -0 {frame == withNegativeZero}");
                }
            }
        }
    }

    [Fact]
    public void RanksAreEachValuesPlaceAmongTheDistinctValues()
    {
        // The radix sort's ranks against a sort: table = the distinct values (and cval) ascending, table[rank] = value,
        // for negatives, both zeros' +0, infinities, subnormals, duplicates, at lengths around the one-part / parallel
        // split, the frame read from an offset; NaN or -0 anywhere (frame or cval) gives null.
        var rng = new Random(41);
        float[] specials = [float.NegativeInfinity, float.PositiveInfinity, 0f, float.Epsilon, -float.Epsilon, float.MaxValue, -float.MaxValue, 1f, -1f];
        foreach (int length in new[] { 1, 2, 7, 1000, 65535, 65536, 70001 })
        {
            foreach (float? cval in new float?[] { null, 0.25f, 1e30f, -7f })
            {
                var x = new float[length + 3];
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = rng.Next(5) switch
                    {
                        0 => specials[rng.Next(specials.Length)],
                        1 => rng.Next(-50, 50),
                        _ => (float)((rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-40, 38))),
                    };
                }

                var ranks = RankFilter.Ranks(x, 3, length, cval, threads: 2, out var table);
                Assert.NotNull(ranks);
                var want = x.Skip(3).Concat(cval is { } c ? [c] : []).Distinct().Order().ToArray();
                Assert.Equal(want, table);
                for (int k = 0; k < length; k++)
                {
                    Assert.Equal(BitConverter.SingleToInt32Bits(x[3 + k]), BitConverter.SingleToInt32Bits(table[ranks![k]]));
                }

                System.Buffers.ArrayPool<int>.Shared.Return(ranks!);
                x[3 + rng.Next(length)] = rng.Next(2) == 0 ? float.NaN : -0f;
                Assert.Null(RankFilter.Ranks(x, 3, length, cval, threads: 2, out _));
            }
        }
    }

    [Fact]
    public void ManyDistinctValuesTakeTheTwoLevelHistogram()
    {
        // More than 16384 distinct values (a filtered image: about one per pixel) under windows beyond the networks
        // take the two-level histogram over int ranks (the sorted window took 1.0 s for a 13 x 13 median of a 1024 x
        // 1024 filtered frame, 2.8 s at 25 x 25): the scalar meaning's bits, every mode (cval, not in the frame, ranked
        // too), rectangles and a disk, ranks at both ends and the median, values spread over many coarse bins and
        // packed into few; NaN or -0 keep the sorted window, the same bits again.
        var rng = new Random(29);
        int rows = 131, cols = 133;
        var spread = Enumerable.Range(0, rows * cols).Select(_ => (float)((rng.NextDouble() - 0.3) * 1e4)).ToArray();
        var packed = Enumerable.Range(0, rows * cols).Select(k => (k % 97 == 0 ? 1e6f : 0f) + (k * 0.5f)).ToArray();
        var withNaN = (float[])spread.Clone();
        withNaN[777] = float.NaN;
        Assert.True(Distinct(spread, null)!.Length > 16384);
        Assert.True(RankFilter.MayRank(spread.Length, 13, 13 * 13));
        Assert.True(RankFilter.MayRank(1 << 22, 4, 4 * 33)); // window rows x cells 528: ranked
        Assert.False(RankFilter.MayRank(1 << 22, 1, 201)); // 201: one window row, the sorted window moves it cheaply
        Assert.True(RankFilter.MayRank(1 << 24, 51, 51 * 51)); // frames beyond 2^22 values too: ranked tile by tile
        Assert.Equal(MedianFilter.MedianPath.Histogram, MedianFilter.Choose(spread, 13, 13, BoundaryMode.Reflect, 0f, 2));
        var disk = Disk(10.3);
        foreach (var frame in new[] { spread, packed, withNaN })
        {
            foreach (var mode in Enum.GetValues<BoundaryMode>())
            {
                foreach (var (mask, rank, o0, o1) in new[] { (Rect(13, 13), 84, 0, 0), (Rect(12, 17), 1, -3, 2), (Rect(14, 14), 194, 1, 0), (disk, RankFilter.CountOf(disk) / 3, 0, -1) })
                {
                    var got = RankFilter.Apply(new ImageArray(rows, cols, frame), null, ToRows(mask), [o0, o1], mode, -3.5f, rank, threads: 2);
                    var want = RankFilter.Reference(frame, rows, cols, mask, rank, o0, o1, mode, -3.5f);
                    Assert.True(got.Data.AsSpan().SequenceEqual(want), $"{mask.GetLength(0)}x{mask.GetLength(1)} rank {rank} {mode}, NaN {frame == withNaN}, packed {frame == packed}");
                }
            }
        }

        var bigGot = new float[spread.Length];
        MedianFilter.Apply(spread, 0, bigGot, 0, rows, cols, 13, 13, 0, 0, BoundaryMode.Mirror, 0f, threads: 2);
        Assert.True(bigGot.AsSpan().SequenceEqual(RankFilter.Reference(spread, rows, cols, Rect(13, 13), 84, 0, 0, BoundaryMode.Mirror, 0f)));
    }

    [Fact]
    public void TilesOfManyDistinctValuesMeetWithoutASeam()
    {
        // A frame of 81,000 distinct values is told apart by its sample (no whole-frame ranking) and ranked tile by tile
        // (tiles of 256 x 256 here: two down, two across); the tiles' outputs must meet without a seam, with a
        // rectangle off-centre, a wide flat rectangle and a disk, in three modes: the scalar meaning's bits.
        var rng = new Random(31);
        int rows = 300, cols = 270;
        var x = Enumerable.Range(0, rows * cols).Select(k => (float)((k * 0.25) + (rng.NextDouble() * 1e-3))).OrderBy(_ => rng.Next()).ToArray();
        Assert.False(RankFilter.FewDistinctMaybe(x, 0, x.Length));
        Assert.True(RankFilter.FewDistinctMaybe(x, 0, 1 << 16)); // no sample: ranked as a whole
        var disk = Disk(10.3);
        foreach (var (mask, rank, o0, o1, mode) in new[]
        {
            (Rect(13, 13), 84, 1, -2, BoundaryMode.Reflect),
            (Rect(4, 33), 7, 0, 3, BoundaryMode.Wrap),
            (disk, RankFilter.CountOf(disk) - 2, -1, 0, BoundaryMode.Constant),
        })
        {
            var got = RankFilter.Apply(new ImageArray(rows, cols, x), null, ToRows(mask), [o0, o1], mode, -3.5f, rank, threads: 2);
            var want = RankFilter.Reference(x, rows, cols, mask, rank, o0, o1, mode, -3.5f);
            Assert.True(got.Data.AsSpan().SequenceEqual(want), $"{mask.GetLength(0)}x{mask.GetLength(1)} rank {rank} {mode}");
        }
    }

    /// <summary>The distinct values <see cref="RankFilter.Ranks"/> finds (ranks given back to the pool), or null.</summary>
    private static float[]? Distinct(float[] x, float? cval)
    {
        if (RankFilter.Ranks(x, 0, x.Length, cval, threads: 2, out var table) is not { } ranks)
        {
            return null;
        }

        System.Buffers.ArrayPool<int>.Shared.Return(ranks);
        return table;
    }

    [Theory]
    [InlineData(-1024f, 3071f)]
    [InlineData(-16383f, 0f)]
    [InlineData(1e6f, 1e6f + 16383f)]
    [InlineData(40000f, 50000f)]
    public void SignedAndOffsetLevelsTakeTheHistogramWithTheScalarMeaning(float lowest, float highest)
    {
        // Whole numbers spanning at most 16384 values but not 0..16383 (CT's Hounsfield units, a 16-bit X-ray's upper
        // range, values near a million) take the sliding histogram above their lowest value, with the scalar meaning's
        // bits; one value beyond the span (or a fraction) sends them to the comparisons, the same values.
        var rng = new Random(17);
        int rows = 23, cols = 31;
        var x = Enumerable.Range(0, rows * cols).Select(_ => lowest + rng.Next((int)(highest - lowest) + 1)).ToArray();
        x[5] = lowest;
        Assert.Equal(MedianFilter.MedianPath.Histogram, MedianFilter.Choose(x, 9, 9, BoundaryMode.Reflect, 0f, 2));
        Assert.Equal(MedianFilter.MedianPath.Histogram, MedianFilter.Choose(x, 9, 9, BoundaryMode.Constant, lowest, 2));
        var wide = (float[])x.Clone();
        wide[7] = highest - lowest >= 16383 ? lowest + 16384 : lowest - 16384;
        Assert.Equal(MedianFilter.MedianPath.Padded, MedianFilter.Choose(wide, 9, 9, BoundaryMode.Reflect, 0f, 2));
        foreach (var frame in new[] { x, wide })
        {
            foreach (var mode in Enum.GetValues<BoundaryMode>())
            {
                foreach (var (k0, k1, rank) in new[] { (9, 9, 40), (6, 11, 50), (15, 15, 200) })
                {
                    float cval = lowest + 3;
                    var got = RankFilter.Apply(new ImageArray(rows, cols, frame), [k0, k1], null, [0, -1], mode, cval, rank, threads: 2);
                    var want = RankFilter.Reference(frame, rows, cols, Rect(k0, k1), rank, 0, -1, mode, cval);
                    Assert.True(got.Data.AsSpan().SequenceEqual(want), $"{lowest}..{highest} {k0}x{k1} rank {rank} {mode}");
                }

                var median = new float[frame.Length];
                MedianFilter.Apply(frame, 0, median, 0, rows, cols, 9, 9, 0, 0, mode, lowest + 3, threads: 2);
                Assert.True(median.AsSpan().SequenceEqual(RankFilter.Reference(frame, rows, cols, Rect(9, 9), 40, 0, 0, mode, lowest + 3)), $"median {mode}");
            }
        }
    }

    [Fact]
    public void MediansChooseTheirPathByCvalOnlyInModeConstant()
    {
        // cval is a value of the window only in mode constant. A cval that is not a level (-999997.58, 2.5, NaN, -0) in
        // another mode once sent an 8-bit frame's large median to the sliding sorted window (a 4096 x 4096 median of a
        // 37 x 53 frame: over 300 s against 6.4 s, tests/fuzz/params.py), and the 5 x 5 median off its written-out network.
        var rng = new Random(11);
        var x = Enumerable.Range(0, 37 * 53).Select(_ => (float)rng.Next(256)).ToArray();
        foreach (float cval in new[] { -999997.58f, 2.5f, float.NaN, -0f })
        {
            foreach (var mode in Enum.GetValues<BoundaryMode>())
            {
                // A fraction, NaN or -0 in the window: no histogram; NaN or -0: no machine min / max in the networks.
                bool constant = mode == BoundaryMode.Constant;
                Assert.Equal(MedianFilter.MedianPath.Histogram, MedianFilter.Choose(x, 4096, 4096, mode, cval, 2)); // levels, or ranked
                Assert.Equal(constant ? MedianFilter.MedianPath.Padded : MedianFilter.MedianPath.Histogram, MedianFilter.Choose(x, 9, 9, mode, cval, 2));
                Assert.Equal(constant && (float.IsNaN(cval) || float.IsNegative(cval) && cval == 0) ? MedianFilter.MedianPath.Padded : MedianFilter.MedianPath.Unrolled, MedianFilter.Choose(x, 5, 5, mode, cval, 2));
            }

            Assert.Equal(MedianFilter.MedianPath.Histogram, MedianFilter.Choose(x, 9, 9, BoundaryMode.Constant, 7f, 2));
        }

        // Whatever the path, the same values: a 9 x 9 median in mode reflect with such a cval against the scalar meaning.
        var got = new float[x.Length];
        MedianFilter.Apply(x, 0, got, 0, 37, 53, 9, 9, 0, 0, BoundaryMode.Reflect, -999997.58f, threads: 2);
        Assert.True(got.AsSpan().SequenceEqual(RankFilter.Reference(x, 37, 53, Rect(9, 9), 40, 0, 0, BoundaryMode.Reflect, 0f)));
    }

    [Theory]
    [InlineData(0.5f, 7f)]
    [InlineData(16384f, 7f)]
    [InlineData(-0f, 7f)]
    [InlineData(3f, 2.5f)]
    public void FramesThatAreNotLevelsKeepTheComparisonPaths(float odd, float cval)
    {
        // One value that is not a level (or a fractional cval in mode constant): the frame takes the networks or
        // the sorted window, the same meaning.
        var rng = new Random(5);
        int rows = 17, cols = 29;
        var x = Enumerable.Range(0, rows * cols).Select(_ => (float)rng.Next(256)).ToArray();
        x[rows * cols / 2] = odd;
        foreach (var (k0, k1) in new[] { (9, 9), (6, 6), (13, 13) })
        {
            var got = RankFilter.Apply(new ImageArray(rows, cols, x), [k0, k1], null, null, BoundaryMode.Constant, cval, (k0 * k1) / 3, threads: 2);
            Assert.True(got.Data.AsSpan().SequenceEqual(RankFilter.Reference(x, rows, cols, Rect(k0, k1), (k0 * k1) / 3, 0, 0, BoundaryMode.Constant, cval)), $"{k0}x{k1} with {odd}, cval {cval}");
        }
    }

    /// <summary>
    /// median_filter takes SciPy's footprint (it was an unknown key): scipy.ndimage.median_filter(x, footprint=fp, mode=..,
    /// cval=.., origin=..) in SciPy 1.10, the value of rank n // 2 of the footprint's n cells.
    /// </summary>
    [Theory]
    [InlineData("[[0,1,0],[1,1,1],[0,1,0]]", "reflect", 0.0, 0, 0, "3,3,4,3,5,9;3,5,5,3,5,8;8,7,6,3,3,3;8,6,6,3,2,4;3,3,6,3,3,7")]
    [InlineData("[[1,1,0],[0,0,1]]", "constant", 2.5, 0, 0, "2.5,2.5,2.5,2.5,2.5,2.5;3,3,3,4,5,5;2.5,6,5,3,3,5;4,7,7,6,3,2.5;3,8,4,2,6,4")]
    [InlineData("[[1,0,1,1],[0,1,0,1]]", "nearest", 0.0, 0, 1, "3,3,3,1,4,5;3,3,3,3,5,5;2,6,6,3,5,5;9,8,8,4,6,3;8,4,6,3,4,6")]
    public void MedianFilterWithAFootprintIsSciPys(string footprint, string mode, double cval, int o0, int o1, string expected)
    {
        float[] x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4, 6, 2, 6, 4, 3, 3, 8, 3, 2, 7];
        var fp = System.Text.Json.JsonSerializer.Deserialize<double[][]>(footprint)!;
        var op = OpRegistry.Get("median_filter");
        var result = (ArrayValue)op.Invoke(new OpContext
        {
            StepId = "median",
            Inputs = [new ArrayValue(new ImageArray(5, 6, x))],
            Params = new Dictionary<string, object?> { ["footprint"] = fp, ["mode"] = mode, ["cval"] = cval, ["origin"] = new[] { o0, o1 } },
            Threads = 2,
        });
        var want = expected.Split(';').SelectMany(row => row.Split(',')).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(want, result.Array.Data.AsSpan(0, 30).ToArray());
    }

    /// <summary>
    /// Where a window reaches 2 x 2n or more before an axis of n pixels in mode reflect (a 21-row footprint over a
    /// 2-row frame), SciPy 1.10's offset table (NI_InitFilterOffsets) maps the position k x 2n before the edge (k >= 2)
    /// to index -1, outside the frame: its median_filter then reads the previous row's last value and its
    /// maximum_filter / minimum_filter with a footprint return memory from before the array (1.1e27 and 3e-39 on
    /// this frame). Here the window reflects as SciPy's 1-D filters and numpy.pad(mode='symmetric') extend it:
    /// expected values from the padded frame (the README's known differences).
    /// </summary>
    [Theory]
    [InlineData("median_filter", "3,4,3,5,5,8;3,3,3,4,5,8")]
    [InlineData("maximum_filter", "6,6,6,5,9,9;6,6,6,5,9,9")]
    [InlineData("minimum_filter", "1,1,1,1,1,5;1,1,1,1,1,5")]
    public void WindowsReachingTwoPeriodsBeforeTheFrameReflectAsNumpysSymmetricPad(string name, string expected)
    {
        float[] x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8];
        var fp = new double[21][];
        for (int r = 0; r < 21; r++)
        {
            fp[r] = [1, 1, 1];
        }

        fp[3][1] = 0;
        fp[15][0] = 0;
        var result = (ArrayValue)OpRegistry.Get(name).Invoke(new OpContext
        {
            StepId = "window",
            Inputs = [new ArrayValue(new ImageArray(2, 6, x))],
            Params = new Dictionary<string, object?> { ["footprint"] = fp, ["mode"] = "reflect" },
            Threads = 2,
        });
        var want = expected.Split(';').SelectMany(row => row.Split(',')).Select(v => float.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(want, result.Array.Data.ToArray());
    }

    [Fact]
    public void SizeAndFootprintOfOnesAgree()
    {
        var x = RandomFrame(new Random(4), 67, 95);
        var image = new ImageArray(67, 95, x);
        foreach (var (k0, k1, rank) in new[] { (3, 3, 6), (5, 5, 12), (5, 3, 2), (4, 4, 9) })
        {
            var bySize = RankFilter.Apply(image, [k0, k1], null, [0, 0], BoundaryMode.Nearest, 0f, rank, threads: 2);
            var byFootprint = RankFilter.Apply(image, null, ToRows(Rect(k0, k1)), [0, 0], BoundaryMode.Nearest, 0f, rank, threads: 1);
            Assert.Equal(byFootprint.Data, bySize.Data);
        }
    }

    [Fact]
    public void StacksAreFilteredFrameByFrame()
    {
        var frames = Enumerable.Range(0, 3).Select(f => RandomFrame(new Random(f), 20, 17)).ToArray();
        var stack = ImageArray.Stack(3, 20, 17, frames.SelectMany(f => f).ToArray());
        var result = RankFilter.Apply(stack, [3], null, null, BoundaryMode.Reflect, 0f, 5, threads: 2);
        for (int f = 0; f < 3; f++)
        {
            Assert.Equal(RankFilter.Reference(frames[f], 20, 17, Rect(3, 3), 5, 0, 0, BoundaryMode.Reflect, 0f), result.Frame(f).ToArray());
        }
    }

    [Fact]
    public void SciPyRanksOfPercentilesAndNegativeRanks()
    {
        Assert.Equal(0, RankFilter.RankOfPercentile(0, 9));
        Assert.Equal(8, RankFilter.RankOfPercentile(100, 9));
        Assert.Equal(4, RankFilter.RankOfPercentile(50, 9));      // int(9 * 50 / 100) = int(4.5)
        Assert.Equal(6, RankFilter.RankOfPercentile(-25, 9));     // 75: int(6.75)
        Assert.Equal(0, RankFilter.RankOfPercentile(-100, 9));
        Assert.Equal(3, RankFilter.RankOfPercentile(37.5, 10));   // int(3.75)
        Assert.Throws<ArgumentOutOfRangeException>(() => RankFilter.RankOfPercentile(100.5, 9));
        Assert.Equal(8, RankFilter.NormalizeRank(-1, 9));
        Assert.Equal(0, RankFilter.NormalizeRank(-9, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankFilter.NormalizeRank(-10, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankFilter.NormalizeRank(9, 9));
        Assert.Equal(5, RankFilter.WindowCount(null, [[0, 1, 0], [1, 1, 1], [0, 1, 0]]));
        Assert.Equal(15, RankFilter.WindowCount([5, 3], null));
        Assert.Equal(9, RankFilter.WindowCount(null, null));
    }

    /// <summary>
    /// 0-1 principle: a comparator network that leaves rank r of every 0/1 input on its output wire does so for every
    /// input. Every input whose runs are sorted (what the network is given), for each rank.
    /// </summary>
    [Theory]
    [InlineData(new[] { 3, 3, 3 })]
    [InlineData(new[] { 5, 5, 5, 5, 5 })]
    [InlineData(new[] { 2, 2, 2, 2, 2 })]
    [InlineData(new[] { 4, 4, 4 })]
    [InlineData(new[] { 7, 7, 7 })]
    [InlineData(new[] { 3, 3, 3, 3, 3, 3, 3 })]
    [InlineData(new[] { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 })]
    public void NetworksSelectTheirRankOnEverySortedBinaryInput(int[] runs)
    {
        int n = runs.Sum();
        for (int rank = 0; rank < n; rank++)
        {
            var net = RankNetwork.Select(runs, rank);
            // A sorted 0/1 run of length L is given by its number of ones (0..L): enumerate every combination.
            var ones = new int[runs.Length];
            while (true)
            {
                var v = new int[n];
                int w = 0, total = 0;
                for (int r = 0; r < runs.Length; r++)
                {
                    for (int k = 0; k < runs[r]; k++)
                    {
                        v[w++] = k >= runs[r] - ones[r] ? 1 : 0;
                    }

                    total += ones[r];
                }

                for (int c = 0; c < net.A.Length; c++)
                {
                    (v[net.A[c]], v[net.B[c]]) = (Math.Min(v[net.A[c]], v[net.B[c]]), Math.Max(v[net.A[c]], v[net.B[c]]));
                }

                Assert.Equal(rank >= n - total ? 1 : 0, v[net.Output]);
                int q = 0;
                while (q < runs.Length && ++ones[q] > runs[q])
                {
                    ones[q++] = 0;
                }

                if (q == runs.Length)
                {
                    break;
                }
            }
        }
    }

    [Fact]
    public void SortingNetworksSortEveryBinaryInput()
    {
        for (int n = 1; n <= 12; n++)
        {
            var (a, b, order) = RankNetwork.Sort(n);
            for (int bits = 0; bits < 1 << n; bits++)
            {
                var v = Enumerable.Range(0, n).Select(k => (bits >> k) & 1).ToArray();
                for (int c = 0; c < a.Length; c++)
                {
                    (v[a[c]], v[b[c]]) = (Math.Min(v[a[c]], v[b[c]]), Math.Max(v[a[c]], v[b[c]]));
                }

                var sorted = order.Select(w => v[w]).ToArray();
                Assert.True(sorted.SequenceEqual(sorted.OrderBy(z => z)), $"n = {n}, input {bits}");
            }
        }
    }

    [Fact]
    public void PresortedColumnsNeedFewerComparatorsThanAFullNetwork()
    {
        // What the sorted columns buy: 5 x 5 median from 5 sorted columns against any 25 values.
        var merged = RankNetwork.Select([5, 5, 5, 5, 5], 12);
        var full = RankNetwork.Select(Enumerable.Repeat(1, 25).ToArray(), 12);
        Assert.True(merged.A.Length < full.A.Length, $"{merged.A.Length} vs {full.A.Length}");
    }

    private static float[] RandomFrame(Random rng, int rows, int cols)
    {
        var x = new float[rows * cols];
        for (int k = 0; k < x.Length; k++)
        {
            // Few distinct values: ties everywhere (a network and a sort must agree on them too).
            x[k] = rng.Next(0, 4) == 0 ? rng.Next(-3, 4) : (float)((rng.NextDouble() * 20) - 10);
        }

        return x;
    }

    private static bool[,] Rect(int k0, int k1)
    {
        var m = new bool[k0, k1];
        for (int a = 0; a < k0; a++)
        {
            for (int b = 0; b < k1; b++)
            {
                m[a, b] = true;
            }
        }

        return m;
    }

    private static bool[,] Mask(int[][] rows)
    {
        var m = new bool[rows.Length, rows[0].Length];
        for (int a = 0; a < rows.Length; a++)
        {
            for (int b = 0; b < rows[0].Length; b++)
            {
                m[a, b] = rows[a][b] != 0;
            }
        }

        return m;
    }

    private static bool[,] Disk(double radius)
    {
        int r = (int)radius;
        var m = new bool[(2 * r) + 1, (2 * r) + 1];
        for (int a = -r; a <= r; a++)
        {
            for (int b = -r; b <= r; b++)
            {
                m[a + r, b + r] = Math.Sqrt((a * a) + (b * b)) <= radius;
            }
        }

        return m;
    }

    private static double[][] ToRows(bool[,] mask)
        => Enumerable.Range(0, mask.GetLength(0)).Select(a => Enumerable.Range(0, mask.GetLength(1)).Select(b => mask[a, b] ? 1.0 : 0.0).ToArray()).ToArray();
}

using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// scipy.ndimage.rank_filter / percentile_filter on one 2-D frame. The exact meaning (<see cref="Reference"/>):
/// <code>
/// out[i, j] = the rank-th smallest (0-based) of x_ext[i + a - k0 // 2 - o0, j + b - k1 // 2 - o1] over the cells (a, b)
///             with footprint[a, b] != 0
/// </code>
/// x_ext extends the frame under the boundary mode (Boundary.Map; constant reads cval); a `size` is an all-ones k0 x k1
/// footprint; the footprint is not reflected (SciPy's rank filter). As SciPy, rank 0 and rank n - 1 are the minimum
/// and maximum filters (<see cref="MinMaxFilter"/>). Only comparisons are made: every output is one of the inputs (or
/// cval), exact whatever the order. NaN inputs have no defined order.
/// <para>
/// Fast path (windows of at most <see cref="MaxNetworkSize"/> cells, rows of at least one vector): the frame is padded
/// once; vectors of adjacent output pixels go through a comparator network pruned to the wanted rank
/// (<see cref="RankNetwork"/>; min/max only, no branches). For a rectangle each padded column of k0 values is sorted
/// once per output row and shared by the k1 windows that contain it, so the network only merges sorted columns
/// (the column sorts for k0 of 3, 5 and 7, the networks of every 3 x 3 and 5 x 5 rank and the 7 x 7 median are written
/// out with their wires in registers: <see cref="UnrolledNetworks"/>). Where the padded frame holds no NaN and no -0,
/// min and max are the machine's own (<see cref="NativeOrder"/>: the same bits).
/// Windows above 25 cells (rectangles: without a network written out), where the padded values are levels (whole numbers
/// spanning at most 16384 values, not -0: an 8-, 12- or 14-bit X-ray, CT's signed Hounsfield units), take Huang's sliding
/// histogram (<see cref="HistogramRows"/>): two updates a row of the window an output whatever its width, the rank's level
/// exactly. Other large windows keep a sorted copy of the window, updated
/// column by column along the row. Rows run in parallel.
/// </para>
/// </summary>
public static class RankFilter
{
    /// <summary>Largest window (cells) that goes through a network; larger ones use the sliding sorted window.</summary>
    public const int MaxNetworkSize = 128;

    /// <summary>
    /// SciPy's rank for percentile_filter: p &lt; 0 counts from 100 (p + 100); 100 is the last rank; else
    /// int(n * p / 100) in double, truncated.
    /// </summary>
    public static int RankOfPercentile(double percentile, int n)
    {
        double p = percentile < 0 ? percentile + 100.0 : percentile;
        if (!(p >= 0 && p <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), "invalid percentile: need -100 <= percentile <= 100");
        }

        return p == 100.0 ? n - 1 : (int)((double)n * p / 100.0);
    }

    /// <summary>SciPy's rank_filter rank: a negative rank counts from the end (rank + n); it must then lie in 0..n-1.</summary>
    public static int NormalizeRank(int rank, int n)
    {
        int r = rank < 0 ? rank + n : rank;
        return r >= 0 && r < n ? r : throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is not within the filter footprint size {n}");
    }

    /// <summary>The window's cells: a footprint's nonzero cells, or a size's k0 x k1 rectangle.</summary>
    public static bool[,] WindowMask(IReadOnlyList<int>? size, double[][]? footprint)
    {
        if (footprint is not null)
        {
            return MinMaxFilter.ToMask(footprint);
        }

        int k0 = size is { Count: > 0 } ? size[0] : 3;
        int k1 = size is { Count: > 1 } ? size[1] : k0;
        var mask = new bool[k0, k1];
        for (int a = 0; a < k0; a++)
        {
            for (int b = 0; b < k1; b++)
            {
                mask[a, b] = true;
            }
        }

        return mask;
    }

    /// <summary>Number of values in the window a size or footprint gives (without building it).</summary>
    public static int WindowCount(IReadOnlyList<int>? size, double[][]? footprint)
    {
        if (footprint is not null)
        {
            return footprint.Sum(row => row.Count(v => v != 0));
        }

        int k0 = size is { Count: > 0 } ? size[0] : 3;
        int k1 = size is { Count: > 1 } ? size[1] : k0;
        return checked(k0 * k1);
    }

    /// <summary>Number of cells of a window.</summary>
    public static int CountOf(bool[,] mask)
    {
        int n = 0;
        foreach (bool m in mask)
        {
            n += m ? 1 : 0;
        }

        return n;
    }

    /// <summary>Filters every frame of <paramref name="src"/> into a new (pooled) array; <paramref name="rank"/> is 0..n-1.</summary>
    public static ImageArray Apply(ImageArray src, IReadOnlyList<int>? size, double[][]? footprint, IReadOnlyList<int>? origin, BoundaryMode mode, float cval, int rank, int threads)
    {
        var mask = WindowMask(size, footprint);
        int n = CountOf(mask);
        if (rank < 0 || rank >= n)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is not within the filter footprint size {n}");
        }

        if (rank == 0 || rank == n - 1)
        {
            return MinMaxFilter.Apply(src, size, footprint, origin, mode, cval, maximum: rank == n - 1, threads);
        }

        int o0 = origin is { Count: > 0 } ? origin[0] : 0;
        int o1 = origin is { Count: > 1 } ? origin[1] : o0;
        var dst = ImageArray.Rent(src);
        for (int f = 0; f < src.Frames; f++)
        {
            Frame(src.Data, f * src.FrameLength, dst.Data, f * src.FrameLength, src.Rows, src.Cols, mask, rank, o0, o1, mode, cval, threads);
        }

        return dst;
    }

    /// <summary>The scalar meaning, for tests: gather each window with Boundary.Map, sort it, take element rank.</summary>
    public static float[] Reference(ReadOnlySpan<float> frame, int rows, int cols, bool[,] footprint, int rank, int o0, int o1, BoundaryMode mode, float cval)
    {
        int k0 = footprint.GetLength(0), k1 = footprint.GetLength(1);
        var result = new float[rows * cols];
        var window = new List<float>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                window.Clear();
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
                        window.Add(r < 0 || c < 0 ? cval : frame[(r * cols) + c]);
                    }
                }

                window.Sort();
                result[(i * cols) + j] = window[rank];
            }
        }

        return result;
    }

    /// <summary>One frame into dst at dstOffset (also median_filter's 5 x 5 windows: <see cref="MedianFilter.Apply"/>).</summary>
    internal static void Frame(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols, bool[,] mask, int rank, int o0, int o1, BoundaryMode mode, float cval, int threads)
    {
        int k0 = mask.GetLength(0), k1 = mask.GetLength(1);
        if ((k0 / 2) + o0 < 0 || (k0 / 2) + o0 >= k0 || (k1 / 2) + o1 < 0 || (k1 / 2) + o1 >= k1)
        {
            throw new ArgumentOutOfRangeException(nameof(o0), "invalid origin: need -(size // 2) <= origin <= (size - 1) // 2 on each axis");
        }

        int pr = rows + k0 - 1, pc = cols + k1 - 1;
        float[] padded = PixelPool.Shared.Rent(checked(pr * pc));
        ushort[]? levels = null;
        try
        {
            bool clean = PadFrame(src, srcOffset, rows, cols, padded, pr, pc, (k0 / 2) + o0, (k1 / 2) + o1, mode, cval, threads);
            var cells = new List<(int A, int B)>();
            for (int a = 0; a < k0; a++)
            {
                for (int b = 0; b < k1; b++)
                {
                    if (mask[a, b])
                    {
                        cells.Add((a, b));
                    }
                }
            }

            int n = cells.Count;
            bool rectangle = n == k0 * k1;
            int highest = 0;
            float origin = 0;
            bool histogram = rectangle ? TakesHistogram(k0, k1, rank) : n > 25;
            levels = histogram ? Levels(padded, pr * pc, out origin, out highest) : null;

            // Values that are not levels, under a window the sorted window would slide slowly: their distinct values
            // ranked as levels, the rank's level mapped back to its value afterwards. At most 16384 of them over the
            // frame take the one-level histogram; more (a filtered image: about one per pixel), or frames beyond
            // 2^22 values, are ranked tile by tile for the two-level histogram (TiledRankRows).
            float[]? table = null;
            bool tiled = false;
            float? outside = mode == BoundaryMode.Constant ? cval : null; // read by a window only in mode constant
            if (levels is null && histogram && MayRank(rows * cols, k0, n))
            {
                if (rows * cols <= MaxFrameRanks && FewDistinctMaybe(src, srcOffset, rows * cols)
                    && Ranks(src, srcOffset, rows * cols, outside, threads, out var distinct) is { } ranks)
                {
                    if (distinct.Length <= MaxLevel + 1)
                    {
                        table = distinct;
                        levels = ArrayPool<ushort>.Shared.Rent(pr * pc);
                        PadRanks(ranks, rows, cols, levels, pr, pc, (k0 / 2) + o0, (k1 / 2) + o1, mode, outside is { } c ? Array.BinarySearch(distinct, c) : 0, threads);
                        highest = table.Length - 1;
                    }
                    else
                    {
                        tiled = true;
                    }

                    ArrayPool<int>.Shared.Return(ranks);
                }
                else
                {
                    tiled = clean; // no NaN, no -0 in the padded frame: its values order totally
                }
            }

            if (tiled)
            {
                TiledRankRows(padded, pc, rows, cols, mask, rank, dst, dstOffset, threads);
                return;
            }

            // Without NaN or -0 in the padded frame (cval included) the networks' min and max can be the machine's own.
            bool native = n <= MaxNetworkSize && clean;
            int width = Vector<float>.Count;
            Action<int, int> rowsBody;
            if (levels is not null)
            {
                var slide = SlideOffsets(mask, pc);
                rowsBody = table is null
                    ? (r0, r1) => HistogramRows(levels, highest + 1, origin, pc, r0, r1, cols, slide, rank, dst, dstOffset)
                    : (r0, r1) =>
                    {
                        HistogramRows(levels, highest + 1, 0, pc, r0, r1, cols, slide, rank, dst, dstOffset);
                        var outRows = dst.AsSpan(dstOffset + (r0 * cols), (r1 - r0) * cols);
                        for (int k = 0; k < outRows.Length; k++)
                        {
                            outRows[k] = table[(int)outRows[k]];
                        }
                    };
            }
            else if (n > MaxNetworkSize)
            {
                rowsBody = (r0, r1) => SlidingRows(padded, pc, r0, r1, cols, mask, rank, dst, dstOffset);
            }
            else if (cols < width)
            {
                rowsBody = (r0, r1) => ScalarRows(padded, pc, r0, r1, cols, cells, rank, dst, dstOffset);
            }
            else if (rectangle && k0 > 1)
            {
                var net = RankNetwork.Select(Enumerable.Repeat(k0, k1).ToArray(), rank);
                var sort = RankNetwork.Sort(k0);
                int unrolled = UnrolledNetworks.Has(k0, k1, rank) ? rank : -1;
                bool sortUnrolled = UnrolledNetworks.HasSort(k0);
                rowsBody = native
                    ? (r0, r1) => SortedColumnRows<NativeOrder>(padded, pc, r0, r1, cols, k0, k1, sort, sortUnrolled, net, unrolled, dst, dstOffset)
                    : (r0, r1) => SortedColumnRows<IeeeOrder>(padded, pc, r0, r1, cols, k0, k1, sort, sortUnrolled, net, unrolled, dst, dstOffset);
            }
            else
            {
                var net = RankNetwork.Select(Enumerable.Repeat(1, n).ToArray(), rank);
                var offsets = cells.Select(c => (c.A * pc) + c.B).ToArray();
                rowsBody = native
                    ? (r0, r1) => NetworkRows<NativeOrder>(padded, pc, r0, r1, cols, offsets, net, dst, dstOffset)
                    : (r0, r1) => NetworkRows<IeeeOrder>(padded, pc, r0, r1, cols, offsets, net, dst, dstOffset);
            }

            RowBlocks.Run(rows, threads, (long)cols * n, rowsBody, StepCancellation.Current);
        }
        finally
        {
            PixelPool.Shared.Return(padded);
            if (levels is not null)
            {
                ArrayPool<ushort>.Shared.Return(levels);
            }
        }
    }

    /// <summary>
    /// Whether a k0 x k1 rectangle at <paramref name="rank"/> goes through <see cref="HistogramRows"/> when its values
    /// allow (<see cref="LevelValued"/>): windows above 25 cells without a network written out (<see cref="UnrolledNetworks"/>:
    /// every rank of 3 x 3 and 5 x 5, the 7 x 7 median), where a comparator network or the sorted window costs more than
    /// a histogram's 2 k0 updates an output (median 9 x 9 104 ms, 15 x 15 950 ms, percentile 7 x 7 52 ms).
    /// </summary>
    internal static bool TakesHistogram(int k0, int k1, int rank) => (long)k0 * k1 > 25 && !UnrolledNetworks.Has(k0, k1, rank);

    /// <summary>
    /// The most levels the histogram path takes above the lowest value: 16384, so 8- to 14-bit images, and signed or
    /// offset whole numbers spanning as few (CT's -1024..3071 Hounsfield units).
    /// </summary>
    internal const int MaxLevel = 16383;

    /// <summary>
    /// Whether the values (and cval) are levels: whole numbers, finite, not -0 (so the values order totally: the rank's
    /// value is its level's), from the lowest to the highest at most <see cref="MaxLevel"/> apart. An 8-, 12- or 14-bit
    /// X-ray as decoded, CT's Hounsfield units, or either after a step that keeps whole numbers. cval counts where the
    /// window can read it (mode constant); null elsewhere.
    /// </summary>
    internal static bool LevelValued(ReadOnlySpan<float> values, float? cval)
    {
        if (cval is { } c && !IsWhole(c))
        {
            return false;
        }

        float lowest = Math.Min(cval ?? float.PositiveInfinity, Lowest(values));
        return IsWhole(lowest) && ToLevels(values, [], lowest, out _) && (cval is not { } d || d - lowest <= MaxLevel);
    }

    /// <summary>
    /// The padded frame as levels above its lowest value <paramref name="origin"/> (pooled; the caller returns it), and the
    /// highest level, when the values are levels (<see cref="LevelValued"/>), else null.
    /// </summary>
    private static ushort[]? Levels(float[] padded, int length, out float origin, out int highest)
    {
        origin = Lowest(padded.AsSpan(0, length));
        highest = 0;
        if (!IsWhole(origin))
        {
            return null; // NaN, an infinity or a fraction is the lowest: not levels
        }

        var levels = ArrayPool<ushort>.Shared.Rent(length);
        if (ToLevels(padded.AsSpan(0, length), levels, origin, out highest))
        {
            return levels;
        }

        ArrayPool<ushort>.Shared.Return(levels);
        return null;
    }

    /// <summary>
    /// Whether a frame of <paramref name="length"/> values under a window of <paramref name="n"/> cells and
    /// <paramref name="k0"/> rows is worth ranking (<see cref="Ranks"/>: a radix sort of the frame) before the
    /// sliding histograms: windows beyond the networks (above 128 cells), where the sorted window moves about n / 3
    /// values per window row each output; on frames of at most 16384 values (as many distinct values at most: the
    /// one-level histogram) or, on larger frames (ranked whole up to <see cref="MaxFrameRanks"/> values, else tile by
    /// tile), where k0 x n reaches 512 (on a filtered 1024 x 1024 frame the sorted window took 0.63 s at 12 x 12,
    /// ranked 0.15 s; 11 x 13 0.86 -> 0.25 s, 4 x 33 0.27 -> 0.2 s, but 1 x 201 0.1 -> 0.15 s: one window row moves little).
    /// A 2048-wide median of a 37 x 53 float frame slid its sorted window for 226 s (0.94 s ranked).
    /// </summary>
    internal static bool MayRank(int length, int k0, int n)
        => n > MaxNetworkSize && (length <= MaxLevel + 1 || (long)k0 * n >= 512);

    /// <summary>The largest frame ranked as a whole (its sort's pairs 64 MiB); larger frames are ranked tile by tile.</summary>
    internal const int MaxFrameRanks = 1 << 22;

    /// <summary>
    /// False when the frame surely has more than 16384 distinct values: 32768 of its values, evenly spaced, already
    /// have (a filtered image, told apart in about 2 ms where ranking a million values takes 30-65); true otherwise.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static bool FewDistinctMaybe(float[] src, int offset, int length)
    {
        if (length <= 1 << 16)
        {
            return true;
        }

        var sample = new float[1 << 15];
        long step = length / sample.Length;
        for (int k = 0; k < sample.Length; k++)
        {
            sample[k] = src[offset + (int)(k * step)];
        }

        Array.Sort(sample);
        int distinct = 0;
        for (int k = 0; k < sample.Length; k++)
        {
            if (k == 0 || !sample[k].Equals(sample[k - 1]))
            {
                if (++distinct > MaxLevel + 1)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The rank of each of the <paramref name="length"/> values at <paramref name="offset"/> among the distinct values
    /// of those and <paramref name="cval"/> (when given), pooled (the caller returns it), and those distinct values in
    /// ascending order (<paramref name="table"/>: value = table[rank]; cval's rank is its index there); null when a
    /// value or cval is NaN or -0 (they do not order totally against the others: the rank's value would not be one
    /// value). One stable LSD radix sort of (order key, index) pairs, 11 bits of the key a pass (a pass whose digit is
    /// the same for every key is skipped), then one walk: on a 1024 x 1024 filtered frame (a million distinct values)
    /// 28-65 ms once warm (the padding of the ranks 3-8 ms more), where a sort of the values and a binary search for
    /// each padded value took 250-470 ms.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static int[]? Ranks(float[] src, int offset, int length, float? cval, int threads, out float[] table)
    {
        table = [];
        int count = length + (cval is null ? 0 : 1);
        var a = ArrayPool<ulong>.Shared.Rent(count);
        var b = ArrayPool<ulong>.Shared.Rent(count);
        try
        {
            if (!OrderKeys(src, offset, length, a, threads) || (cval is { } c && !OrderKey(c, length, out a[length])))
            {
                return null;
            }

            Span<int> counts = stackalloc int[2048];
            foreach (var (shift, bits) in new[] { (32, 11), (43, 11), (54, 10) })
            {
                counts.Clear();
                ulong mask = (1UL << bits) - 1;
                for (int k = 0; k < count; k++)
                {
                    counts[(int)((a[k] >> shift) & mask)]++;
                }

                if (counts[(int)((a[0] >> shift) & mask)] == count)
                {
                    continue; // every key has this digit: the pass would move nothing
                }

                int sum = 0;
                for (int d = 0; d <= (int)mask; d++)
                {
                    int here = counts[d];
                    counts[d] = sum;
                    sum += here;
                }

                for (int k = 0; k < count; k++)
                {
                    ulong item = a[k];
                    b[counts[(int)((item >> shift) & mask)]++] = item;
                }

                (a, b) = (b, a);
            }

            var ranks = ArrayPool<int>.Shared.Rent(length);
            var values = ArrayPool<float>.Shared.Rent(count);
            int r = -1;
            uint previous = 0;
            for (int t = 0; t < count; t++)
            {
                ulong item = a[t];
                uint key = (uint)(item >> 32);
                int at = (int)(uint)item;
                if (r < 0 || key != previous)
                {
                    values[++r] = at < length ? src[offset + at] : cval!.Value;
                    previous = key;
                }

                if (at < length)
                {
                    ranks[at] = r;
                }
            }

            table = values.AsSpan(0, r + 1).ToArray();
            ArrayPool<float>.Shared.Return(values);
            return ranks;
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(a);
            ArrayPool<ulong>.Shared.Return(b);
        }
    }

    /// <summary>
    /// keys[k] = (order key of src[offset + k]) &lt;&lt; 32 | k for k &lt; length (<see cref="OrderKey"/>), in parallel
    /// parts; false when a value is NaN or -0.
    /// </summary>
    private static bool OrderKeys(float[] src, int offset, int length, ulong[] keys, int threads)
    {
        int parts = length < 1 << 16 ? 1 : Math.Max(1, threads);
        int per = (length + parts - 1) / parts;
        int bad = 0;
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (p) =>
        {
            int end = Math.Min(length, (p + 1) * per);
            for (int k = p * per; k < end; k++)
            {
                if (!OrderKey(src[offset + k], k, out keys[k]))
                {
                    Volatile.Write(ref bad, 1);
                    return;
                }
            }
        });
        return bad == 0;
    }

    /// <summary>
    /// item = key &lt;&lt; 32 | index, the key an unsigned int that orders as the float does (positives with the sign bit
    /// set, negatives with every bit flipped); false for NaN and -0.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool OrderKey(float v, int index, out ulong item)
    {
        uint bits = (uint)BitConverter.SingleToInt32Bits(v);
        item = ((ulong)FloatOrder.Key(v) << 32) | (uint)index;
        return (bits & 0x7FFFFFFFu) <= 0x7F800000u && bits != 0x80000000u;
    }

    /// <summary>
    /// The frame's ranks padded as <see cref="PadFrame"/> pads its values (the same boundary mode, cval's rank outside
    /// in mode constant): the ranks (at most 16384) go through PadFrame as floats, then into <paramref name="levels"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PadRanks(int[] ranks, int rows, int cols, ushort[] levels, int pr, int pc, int before0, int before1, BoundaryMode mode, int cvalRank, int threads)
    {
        int length = rows * cols, padded = pr * pc;
        var frame = PixelPool.Shared.Rent(length);
        var out0 = PixelPool.Shared.Rent(padded);
        try
        {
            for (int k = 0; k < length; k++)
            {
                frame[k] = ranks[k];
            }

            PadFrame(frame, 0, rows, cols, out0, pr, pc, before0, before1, mode, cvalRank, threads);
            for (int k = 0; k < padded; k++)
            {
                levels[k] = (ushort)out0[k];
            }
        }
        finally
        {
            PixelPool.Shared.Return(frame);
            PixelPool.Shared.Return(out0);
        }
    }

    /// <summary>A whole number, finite, and not -0.</summary>
    private static bool IsWhole(float v) => float.IsFinite(v) && v == MathF.Floor(v) && BitConverter.SingleToInt32Bits(v) != int.MinValue;

    /// <summary>The smallest value (NaN when one is NaN; +inf for none).</summary>
    private static float Lowest(ReadOnlySpan<float> values) => values.IsEmpty ? float.PositiveInfinity : System.Numerics.Tensors.TensorPrimitives.Min(values);

    /// <summary>
    /// Checks that every value is a level above <paramref name="origin"/> (whole, not -0, origin..origin + MaxLevel) and finds
    /// the highest level; where <paramref name="levels"/> is long enough, writes the levels (value - origin: exact, a whole
    /// number of at most 14 bits) there too.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool ToLevels(ReadOnlySpan<float> values, Span<ushort> levels, float origin, out int highest)
    {
        bool write = levels.Length >= values.Length;
        highest = 0;
        float top = 0;
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var limit = Vector256.Create((float)MaxLevel);
            var start = Vector256.Create(origin);
            var negativeZero = Vector256.Create(int.MinValue);
            var most = Vector256<float>.Zero;
            ref float v0 = ref MemoryMarshal.GetReference(values);
            for (; k <= values.Length - 8; k += 8)
            {
                var x = Vector256.LoadUnsafe(ref v0, (nuint)k);
                var v = x - start; // NaN for NaN and inf - inf; +inf above a finite origin: both fail below
                var ok = Vector256.GreaterThanOrEqual(v, Vector256<float>.Zero)
                    & Vector256.LessThanOrEqual(v, limit)
                    & Vector256.Equals(Vector256.Floor(x), x)
                    & ~Vector256.Equals(x.AsInt32(), negativeZero).AsSingle();
                if (ok.AsInt32() != Vector256<int>.AllBitsSet)
                {
                    return false;
                }

                most = Vector256.Max(most, v);
                if (write)
                {
                    for (int l = k; l < k + 8; l++)
                    {
                        levels[l] = (ushort)(values[l] - origin);
                    }
                }
            }

            for (int l = 0; l < 8; l++)
            {
                top = Math.Max(top, most[l]);
            }
        }

        for (; k < values.Length; k++)
        {
            float v = values[k] - origin;
            if (!IsWhole(values[k]) || !(v >= 0 && v <= MaxLevel))
            {
                return false;
            }

            top = Math.Max(top, v);
            if (write)
            {
                levels[k] = (ushort)v;
            }
        }

        highest = (int)top;
        return true;
    }

    /// <summary>
    /// A window's cells as offsets into the padded frame from the window's corner (a pc + b): all of them; those at the
    /// start and at the end of each run along a row (no footprint cell to their left / right: they leave / enter the
    /// window when it moves one column right, and enter / leave it when it moves left); those at the start and the
    /// end of each run down a column (they leave / enter it when it moves one row down).
    /// </summary>
    private static (int[] All, int[] RowStarts, int[] RowEnds, int[] ColumnStarts, int[] ColumnEnds) SlideOffsets(bool[,] mask, int pc)
    {
        int k0 = mask.GetLength(0), k1 = mask.GetLength(1);
        List<int> all = [], rowStarts = [], rowEnds = [], columnStarts = [], columnEnds = [];
        for (int a = 0; a < k0; a++)
        {
            for (int b = 0; b < k1; b++)
            {
                if (!mask[a, b])
                {
                    continue;
                }

                int at = (a * pc) + b;
                all.Add(at);
                if (b == 0 || !mask[a, b - 1])
                {
                    rowStarts.Add(at);
                }

                if (b == k1 - 1 || !mask[a, b + 1])
                {
                    rowEnds.Add(at);
                }

                if (a == 0 || !mask[a - 1, b])
                {
                    columnStarts.Add(at);
                }

                if (a == k0 - 1 || !mask[a + 1, b])
                {
                    columnEnds.Add(at);
                }
            }
        }

        return ([.. all], [.. rowStarts], [.. rowEnds], [.. columnStarts], [.. columnEnds]);
    }

    /// <summary>
    /// Windows of levels (<see cref="Levels"/>), by Huang's sliding histogram: the histogram of the first window of the
    /// rows (one bin per level up to the frame's highest) is built once, then the window moves along the rows as a
    /// snake (right along one row, one row down, left along the next ...), each move taking out the cells that leave the
    /// window and adding those that enter it (for a rectangle a column or a row of it, for a disk the ends of its runs),
    /// with the rank's level m and the count of levels below it kept up to date: m moves down while more than rank
    /// levels lie below it, up while no more than rank lie at or below it. The rank-th smallest of the window is then
    /// exactly m, the same value the comparisons give (levels order as their floats). (A histogram built afresh for each
    /// row cost a clear and a walk over every bin a row: 4096 of them on 12-bit frames. Four rows moved together, each
    /// with its own histogram, to overlap the updates' store-to-load waits: no faster, not kept.)
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HistogramRows(ushort[] levels, int bins, float origin, int pc, int r0, int r1, int cols, (int[] All, int[] RowStarts, int[] RowEnds, int[] ColumnStarts, int[] ColumnEnds) slide, int rank, float[] dst, int dstOffset)
    {
        if (r0 >= r1)
        {
            return;
        }

        int[]? heap = bins > 4096 ? new int[bins] : null; // 14-bit frames: 64 KB, off the stack
        int* stack = stackalloc int[heap is null ? bins : 1];
        new Span<int>(stack, heap is null ? bins : 1).Clear();
        fixed (int* held = heap)
        {
            HistogramRows(heap is null ? stack : held, levels, origin, pc, r0, r1, cols, slide, rank, dst, dstOffset);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void HistogramRows(int* hist, ushort[] levels, float origin, int pc, int r0, int r1, int cols, (int[] All, int[] RowStarts, int[] RowEnds, int[] ColumnStarts, int[] ColumnEnds) slide, int rank, float[] dst, int dstOffset)
    {
        int m = 0, below = 0;
        fixed (ushort* pl = levels)
        fixed (float* pd = dst)
        fixed (int* all = slide.All, rowStarts = slide.RowStarts, rowEnds = slide.RowEnds, columnStarts = slide.ColumnStarts, columnEnds = slide.ColumnEnds)
        {
            ushort* corner = pl + ((long)r0 * pc);
            for (int q = 0; q < slide.All.Length; q++)
            {
                hist[corner[all[q]]]++;
            }

            Settle(hist, ref m, ref below, rank);
            int rowMoves = slide.RowStarts.Length, columnMoves = slide.ColumnStarts.Length;
            for (int i = r0; ; i++)
            {
                ushort* top = pl + ((long)i * pc);
                float* outRow = pd + dstOffset + ((long)i * cols);
                bool right = ((i - r0) & 1) == 0;
                if (right)
                {
                    outRow[0] = m + origin;
                    for (int j = 1; j < cols; j++)
                    {
                        Move(hist, top + j - 1, rowStarts, top + j, rowEnds, rowMoves, ref m, ref below, rank);
                        outRow[j] = m + origin;
                    }
                }
                else
                {
                    outRow[cols - 1] = m + origin;
                    for (int j = cols - 2; j >= 0; j--)
                    {
                        Move(hist, top + j + 1, rowEnds, top + j, rowStarts, rowMoves, ref m, ref below, rank);
                        outRow[j] = m + origin;
                    }
                }

                if (i + 1 >= r1)
                {
                    break;
                }

                int at = right ? cols - 1 : 0;
                Move(hist, top + at, columnStarts, top + pc + at, columnEnds, columnMoves, ref m, ref below, rank);
            }
        }
    }

    /// <summary>One move of <see cref="HistogramRows"/>' window: the levels at from + leave[q] out, those at to + enter[q] in, then m settled.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Move(int* hist, ushort* from, int* leave, ushort* to, int* enter, int count, ref int m, ref int below, int rank)
    {
        int level = m, under = below;
        for (int q = 0; q < count; q++)
        {
            int x = from[leave[q]], y = to[enter[q]];
            hist[x]--;
            hist[y]++;
            under += (y < level ? 1 : 0) - (x < level ? 1 : 0);
        }

        below = under;
        Settle(hist, ref m, ref below, rank);
    }

    /// <summary>Moves m to the rank's level: down while more than rank levels lie below it, up while no more than rank lie at or below it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Settle(int* hist, ref int m, ref int below, int rank)
    {
        int level = m, under = below;
        if (under > rank)
        {
            do
            {
                level--;
                under -= hist[level];
            }
            while (under > rank);
        }
        else
        {
            while (under + hist[level] <= rank)
            {
                under += hist[level];
                level++;
            }
        }

        m = level;
        below = under;
    }

    /// <summary>
    /// Windows over values that order totally (no NaN, no -0 in the padded frame) but are too many for one histogram:
    /// the output in tiles (256 x 256, or four windows a side, with shorter tiles where that gives fewer than two a
    /// thread: a 256 x 256 frame's 51 x 51 median ran on one thread), on up to <paramref name="threads"/> threads,
    /// each tile's padded rectangle copied out and ranked on its own (<see cref="Ranks"/>: a tile's ranks and
    /// two-level histogram stay in L2, where a whole 1024 x 1024 frame's fine table of a million counters is 4 MiB),
    /// then <see cref="WideRankRows"/> over it. Frames of any size: the ranks are a tile's.
    /// </summary>
    private static void TiledRankRows(float[] padded, int pc, int rows, int cols, bool[,] mask, int rank, float[] dst, int dstOffset, int threads)
    {
        int k0 = mask.GetLength(0), k1 = mask.GetLength(1);
        int t0 = Math.Min(rows, Math.Max(256, 4 * k0)), t1 = Math.Min(cols, Math.Max(256, 4 * k1));
        int across = (cols + t1 - 1) / t1;
        int down = Math.Max((rows + t0 - 1) / t0, (int)Math.Min(rows, ((2L * threads) + across - 1) / across));
        t0 = (rows + down - 1) / down; // at least two tiles a thread where the rows allow: a halo costs less than an idle core
        long tiles = (long)((rows + t0 - 1) / t0) * across;
        var cancel = StepCancellation.Current;
        void Tile(long t)
        {
            cancel.ThrowIfCancellationRequested();
            int r0 = (int)(t / across) * t0, c0 = (int)(t % across) * t1;
            int tr = Math.Min(t0, rows - r0), tc = Math.Min(t1, cols - c0);
            int sr = tr + k0 - 1, sc = tc + k1 - 1;
            var sub = PixelPool.Shared.Rent(sr * sc);
            int[]? ranks = null;
            try
            {
                for (int a = 0; a < sr; a++)
                {
                    Array.Copy(padded, ((long)(r0 + a) * pc) + c0, sub, (long)a * sc, sc);
                }

                ranks = Ranks(sub, 0, sr * sc, null, 1, out var table) ?? throw new InvalidOperationException("a tile of a clean frame holds NaN or -0");
                WideRankRows(ranks, table, sc, 0, tr, tc, cols, SlideOffsets(mask, sc), rank, dst, dstOffset + (r0 * cols) + c0, cancel);
            }
            finally
            {
                PixelPool.Shared.Return(sub);
                if (ranks is not null)
                {
                    ArrayPool<int>.Shared.Return(ranks);
                }
            }
        }

        if (threads <= 1 || tiles == 1)
        {
            for (long t = 0; t < tiles; t++)
            {
                Tile(t);
            }
        }
        else
        {
            Parallel.For(0L, tiles, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel }, Tile);
        }
    }

    /// <summary>log2 of the ranks a coarse bin of <see cref="WideRankRows"/> counts.</summary>
    private const int WideShift = 6;

    /// <summary>
    /// <see cref="HistogramRows"/> over int ranks of more distinct values than one histogram walks quickly (a filtered
    /// image: about one per pixel, so a window's rank moves by thousands of ranks from one output to the next): the
    /// same snake of moves, each value counted in its rank's fine bin and in its coarse bin of 64 ranks, and the rank's
    /// level m settled by stepping over whole coarse bins where it can. The output is the rank's value,
    /// <paramref name="table"/>[m]: the same value the comparisons select (the values order totally: no NaN, no -0).
    /// <paramref name="cancel"/> is checked before each row.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void WideRankRows(int[] ranks, float[] table, int pc, int r0, int r1, int cols, int stride, (int[] All, int[] RowStarts, int[] RowEnds, int[] ColumnStarts, int[] ColumnEnds) slide, int rank, float[] dst, int dstOffset, CancellationToken cancel)
    {
        if (r0 >= r1)
        {
            return;
        }

        int bins = table.Length, coarseBins = ((bins - 1) >> WideShift) + 1;
        var fine = ArrayPool<int>.Shared.Rent(bins);
        var coarse = ArrayPool<int>.Shared.Rent(coarseBins);
        Array.Clear(fine, 0, bins);
        Array.Clear(coarse, 0, coarseBins);
        try
        {
            int m = 0, below = 0;
            fixed (int* pr = ranks, hist = fine, blocks = coarse)
            fixed (float* pd = dst, values = table)
            fixed (int* all = slide.All, rowStarts = slide.RowStarts, rowEnds = slide.RowEnds, columnStarts = slide.ColumnStarts, columnEnds = slide.ColumnEnds)
            {
                int* corner = pr + ((long)r0 * pc);
                for (int q = 0; q < slide.All.Length; q++)
                {
                    int x = corner[all[q]];
                    hist[x]++;
                    blocks[x >> WideShift]++;
                }

                Settle(hist, blocks, ref m, ref below, rank);
                int rowMoves = slide.RowStarts.Length, columnMoves = slide.ColumnStarts.Length;
                for (int i = r0; ; i++)
                {
                    cancel.ThrowIfCancellationRequested(); // a tile of a huge window is seconds of work
                    int* top = pr + ((long)i * pc);
                    float* outRow = pd + dstOffset + ((long)i * stride);
                    bool right = ((i - r0) & 1) == 0;
                    if (right)
                    {
                        outRow[0] = values[m];
                        for (int j = 1; j < cols; j++)
                        {
                            Move(hist, blocks, top + j - 1, rowStarts, top + j, rowEnds, rowMoves, ref m, ref below, rank);
                            outRow[j] = values[m];
                        }
                    }
                    else
                    {
                        outRow[cols - 1] = values[m];
                        for (int j = cols - 2; j >= 0; j--)
                        {
                            Move(hist, blocks, top + j + 1, rowEnds, top + j, rowStarts, rowMoves, ref m, ref below, rank);
                            outRow[j] = values[m];
                        }
                    }

                    if (i + 1 >= r1)
                    {
                        break;
                    }

                    int at = right ? cols - 1 : 0;
                    Move(hist, blocks, top + at, columnStarts, top + pc + at, columnEnds, columnMoves, ref m, ref below, rank);
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(fine);
            ArrayPool<int>.Shared.Return(coarse);
        }
    }

    /// <summary>One move of <see cref="WideRankRows"/>' window: <see cref="Move(int*, ushort*, int*, ushort*, int*, int, ref int, ref int, int)"/> with coarse bins.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Move(int* hist, int* blocks, int* from, int* leave, int* to, int* enter, int count, ref int m, ref int below, int rank)
    {
        int level = m, under = below;
        for (int q = 0; q < count; q++)
        {
            int x = from[leave[q]], y = to[enter[q]];
            hist[x]--;
            blocks[x >> WideShift]--;
            hist[y]++;
            blocks[y >> WideShift]++;
            under += (y < level ? 1 : 0) - (x < level ? 1 : 0);
        }

        below = under;
        Settle(hist, blocks, ref m, ref below, rank);
    }

    /// <summary>
    /// <see cref="Settle(int*, ref int, ref int, int)"/> over fine and coarse bins: at the start of a coarse bin m steps over
    /// the whole bin (down: the bin below it) when the count stays on the same side of rank, else one rank at a time.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static unsafe void Settle(int* hist, int* blocks, ref int m, ref int below, int rank)
    {
        const int Block = 1 << WideShift;
        int level = m, under = below;
        if (under > rank)
        {
            do
            {
                if ((level & (Block - 1)) == 0 && under - blocks[(level >> WideShift) - 1] > rank)
                {
                    level -= Block;
                    under -= blocks[level >> WideShift];
                    continue;
                }

                level--;
                under -= hist[level];
            }
            while (under > rank);
        }
        else
        {
            while (true)
            {
                if ((level & (Block - 1)) == 0 && under + blocks[level >> WideShift] <= rank)
                {
                    under += blocks[level >> WideShift];
                    level += Block;
                    continue;
                }

                int h = hist[level];
                if (under + h > rank)
                {
                    break;
                }

                under += h;
                level++;
            }
        }

        m = level;
        below = under;
    }

    /// <summary>
    /// The frame extended by the boundary mode, padded[t, u] = x_ext[t - before0, u - before1] for t &lt; pr, u &lt; pc, in
    /// blocks of rows on up to <paramref name="threads"/> threads; returns whether the padded frame holds no NaN and no
    /// -0 (<see cref="NativeOrder"/> applies), each block checked right after it is written, while in cache.
    /// </summary>
    internal static bool PadFrame(float[] src, int srcOffset, int rows, int cols, float[] padded, int pr, int pc, int before0, int before1, BoundaryMode mode, float cval, int threads)
    {
        int blocks = threads <= 1 || (long)pr * pc < (1 << 17) ? 1 : 2 * threads;
        int per = (pr + blocks - 1) / blocks;
        int clean = 1;
        void Block(int b)
        {
            int t0 = b * per, t1 = Math.Min(pr, t0 + per);
            if (t0 < t1)
            {
                PadRows(src.AsSpan(srcOffset, rows * cols), rows, cols, padded, t0, t1, pc, before0, before1, mode, cval);
                if (!NativeOrder.Applies(padded.AsSpan(t0 * pc, (t1 - t0) * pc)))
                {
                    Volatile.Write(ref clean, 0);
                }
            }
        }

        if (blocks == 1)
        {
            Block(0);
        }
        else
        {
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Block);
        }

        return clean == 1;
    }

    /// <summary>Padded rows t0..t1 - 1 of <see cref="PadFrame"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void PadRows(ReadOnlySpan<float> input, int rows, int cols, float[] padded, int t0, int t1, int pc, int before0, int before1, BoundaryMode mode, float cval)
    {
        Span<int> map1 = pc <= 1024 ? stackalloc int[pc] : new int[pc];
        for (int u = 0; u < pc; u++)
        {
            map1[u] = Boundary.Map((long)u - before1, cols, mode);
        }

        for (int t = t0; t < t1; t++)
        {
            int r = Boundary.Map((long)t - before0, rows, mode);
            var outRow = padded.AsSpan(t * pc, pc);
            if (r < 0)
            {
                outRow.Fill(cval);
                continue;
            }

            var row = input.Slice(r * cols, cols);
            for (int u = 0; u < before1 && u < pc; u++)
            {
                outRow[u] = map1[u] < 0 ? cval : row[map1[u]];
            }

            row.CopyTo(outRow[before1..]);
            for (int u = before1 + cols; u < pc; u++)
            {
                outRow[u] = map1[u] < 0 ? cval : row[map1[u]];
            }
        }
    }

    /// <summary>
    /// Rectangles: per output row, every padded column's k0 values sorted into k0 planes (a sorting network on
    /// vectors of adjacent columns), then per vector of outputs the network that merges the k1 sorted columns down
    /// to the rank.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void SortedColumnRows<TOrder>(float[] padded, int pc, int r0, int r1, int cols, int k0, int k1, (int[] A, int[] B, int[] Order) sort, bool sortUnrolled, RankNetwork.Network net, int unrolled, float[] dst, int dstOffset)
        where TOrder : struct, INetworkOrder
    {
        int width = Vector<float>.Count;
        int n = k0 * k1;
        float[] planes = ArrayPool<float>.Shared.Rent(k0 * pc);
        var used = UsedWires(net, n);
        try
        {
            Vector<float>* v = stackalloc Vector<float>[Math.Max(n, k0)];
            fixed (float* pp = padded)
            fixed (float* pl = planes)
            fixed (float* pd = dst)
            fixed (int* sa = sort.A, sb = sort.B, so = sort.Order, na = net.A, nb = net.B, uw = used)
            {
                int sortCount = sort.A.Length, netCount = net.A.Length, usedCount = used.Length;
                for (int i = r0; i < r1; i++)
                {
                    // Sorted columns: plane a holds the a-th smallest of padded[i .. i + k0 - 1, u].
                    for (int u = 0; ; u += width)
                    {
                        if (u > pc - width)
                        {
                            if (u >= pc)
                            {
                                break;
                            }

                            u = pc - width;
                        }

                        if (sortUnrolled)
                        {
                            UnrolledNetworks.SortColumns<TOrder>(k0, pp + ((long)i * pc) + u, pc, pl + u, pc);
                            continue;
                        }

                        for (int a = 0; a < k0; a++)
                        {
                            v[a] = Vector.Load(pp + ((long)(i + a) * pc) + u);
                        }

                        for (int c = 0; c < sortCount; c++)
                        {
                            var x = v[sa[c]];
                            var y = v[sb[c]];
                            v[sa[c]] = TOrder.Min(x, y);
                            v[sb[c]] = TOrder.Max(x, y);
                        }

                        for (int a = 0; a < k0; a++)
                        {
                            Vector.Store(v[so[a]], pl + ((long)a * pc) + u);
                        }
                    }

                    float* outRow = pd + dstOffset + ((long)i * cols);
                    for (int j = 0; ; j += width)
                    {
                        if (j > cols - width)
                        {
                            if (j >= cols)
                            {
                                break;
                            }

                            j = cols - width;
                        }

                        if (unrolled >= 0)
                        {
                            // The same network written out, its wires in registers (UnrolledNetworks).
                            Vector.Store(UnrolledNetworks.Select<TOrder>(k0, k1, unrolled, pl + j, pc), outRow + j);
                            continue;
                        }

                        // Wire b * k0 + a: the a-th smallest of column j + b.
                        for (int q = 0; q < usedCount; q++)
                        {
                            int w = uw[q];
                            int b = w / k0, a = w - (b * k0);
                            v[w] = Vector.Load(pl + ((long)a * pc) + j + b);
                        }

                        for (int c = 0; c < netCount; c++)
                        {
                            var x = v[na[c]];
                            var y = v[nb[c]];
                            v[na[c]] = TOrder.Min(x, y);
                            v[nb[c]] = TOrder.Max(x, y);
                        }

                        Vector.Store(v[net.Output], outRow + j);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(planes);
        }
    }

    /// <summary>Any window of at most <see cref="MaxNetworkSize"/> cells: each cell a vector, one network to the rank.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void NetworkRows<TOrder>(float[] padded, int pc, int r0, int r1, int cols, int[] offsets, RankNetwork.Network net, float[] dst, int dstOffset)
        where TOrder : struct, INetworkOrder
    {
        int width = Vector<float>.Count;
        int n = offsets.Length;
        var used = UsedWires(net, n);
        Vector<float>* v = stackalloc Vector<float>[n];
        fixed (float* pp = padded)
        fixed (float* pd = dst)
        fixed (int* na = net.A, nb = net.B, uw = used, po = offsets)
        {
            int netCount = net.A.Length, usedCount = used.Length;
            for (int i = r0; i < r1; i++)
            {
                float* rowBase = pp + ((long)i * pc);
                float* outRow = pd + dstOffset + ((long)i * cols);
                for (int j = 0; ; j += width)
                {
                    if (j > cols - width)
                    {
                        if (j >= cols)
                        {
                            break;
                        }

                        j = cols - width;
                    }

                    for (int q = 0; q < usedCount; q++)
                    {
                        int w = uw[q];
                        v[w] = Vector.Load(rowBase + po[w] + j);
                    }

                    for (int c = 0; c < netCount; c++)
                    {
                        var x = v[na[c]];
                        var y = v[nb[c]];
                        v[na[c]] = TOrder.Min(x, y);
                        v[nb[c]] = TOrder.Max(x, y);
                    }

                    Vector.Store(v[net.Output], outRow + j);
                }
            }
        }
    }

    /// <summary>The wires a pruned network reads (and its output wire).</summary>
    private static int[] UsedWires(RankNetwork.Network net, int n)
    {
        var used = new bool[n];
        used[net.Output] = true;
        foreach (int a in net.A)
        {
            used[a] = true;
        }

        foreach (int b in net.B)
        {
            used[b] = true;
        }

        return Enumerable.Range(0, n).Where(w => used[w]).ToArray();
    }

    /// <summary>Rows narrower than a vector: each window gathered and sorted.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ScalarRows(float[] padded, int pc, int r0, int r1, int cols, List<(int A, int B)> cells, int rank, float[] dst, int dstOffset)
    {
        var window = new float[cells.Count];
        for (int i = r0; i < r1; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                for (int q = 0; q < cells.Count; q++)
                {
                    window[q] = padded[((i + cells[q].A) * pc) + j + cells[q].B];
                }

                Array.Sort(window);
                dst[dstOffset + (i * cols) + j] = window[rank];
            }
        }
    }

    /// <summary>
    /// Large windows: a sorted copy of the window, moved along the row. From column j - 1 to j, footprint row a
    /// loses the cells whose left neighbour is not in the footprint and gains those whose right neighbour is not.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void SlidingRows(float[] padded, int pc, int r0, int r1, int cols, bool[,] mask, int rank, float[] dst, int dstOffset)
    {
        int k0 = mask.GetLength(0), k1 = mask.GetLength(1);
        var leave = new List<(int A, int B)>();
        var enter = new List<(int A, int B)>();
        var cells = new List<(int A, int B)>();
        for (int a = 0; a < k0; a++)
        {
            for (int b = 0; b < k1; b++)
            {
                if (!mask[a, b])
                {
                    continue;
                }

                cells.Add((a, b));
                if (b == 0 || !mask[a, b - 1])
                {
                    leave.Add((a, b));
                }

                if (b == k1 - 1 || !mask[a, b + 1])
                {
                    enter.Add((a, b));
                }
            }
        }

        int n = cells.Count;
        float[] sorted = ArrayPool<float>.Shared.Rent(n + 1);
        try
        {
            for (int i = r0; i < r1; i++)
            {
                Rebuild(padded, pc, i, 0, cells, sorted);
                dst[dstOffset + (i * cols)] = sorted[rank];
                for (int j = 1; j < cols; j++)
                {
                    int count = n;
                    bool lost = false;
                    foreach (var (a, b) in leave)
                    {
                        float gone = padded[((i + a) * pc) + j - 1 + b];
                        int at = sorted.AsSpan(0, count).BinarySearch(gone);
                        if (at < 0)
                        {
                            lost = true; // only NaN is not found again
                            break;
                        }

                        sorted.AsSpan(at + 1, count - at - 1).CopyTo(sorted.AsSpan(at));
                        count--;
                    }

                    if (lost)
                    {
                        Rebuild(padded, pc, i, j, cells, sorted);
                    }
                    else
                    {
                        foreach (var (a, b) in enter)
                        {
                            float come = padded[((i + a) * pc) + j + b];
                            int to = sorted.AsSpan(0, count).BinarySearch(come);
                            if (to < 0)
                            {
                                to = ~to;
                            }

                            sorted.AsSpan(to, count - to).CopyTo(sorted.AsSpan(to + 1));
                            sorted[to] = come;
                            count++;
                        }
                    }

                    dst[dstOffset + (i * cols) + j] = sorted[rank];
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sorted);
        }
    }

    private static void Rebuild(float[] padded, int pc, int i, int j, List<(int A, int B)> cells, float[] sorted)
    {
        for (int q = 0; q < cells.Count; q++)
        {
            sorted[q] = padded[((i + cells[q].A) * pc) + j + cells[q].B];
        }

        Array.Sort(sorted, 0, cells.Count);
    }
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// scipy.ndimage.median_filter with a rectangular footprint (size0 x size1) on a 2-D frame.
/// Scalar meaning (<see cref="Reference"/>): with n = size0·size1 and Before_a = size_a/2 + origin_a,
/// <c>out[i, j]</c> is the (n/2)-th smallest (0-based, so the upper median when n is even, as SciPy) of
/// <c>x̃[i + dy − Before0, j + dx − Before1]</c> for dy &lt; size0, dx &lt; size1, x̃ extended per axis by
/// <see cref="Boundary.Map"/> (cval outside in constant mode). NaN inputs have no defined order.
/// <para>
/// Fast path: the frame is padded once; for n ≤ 128 a Batcher odd-even merge network, pruned to the
/// comparators that reach the median, runs on SIMD vectors of adjacent output pixels (min/max only,
/// no branches); larger windows slide a sorted window along each row. Rows run in parallel. Where the padded frame holds
/// no NaN and no -0, min and max are the machine's own (<see cref="NativeOrder"/>: the same bits), and 5 x 5 and 7 x 7
/// windows go through <see cref="RankFilter"/>'s sorted columns and unrolled networks; larger windows of 8- to 14-bit
/// levels through its sliding histogram, and windows beyond the networks over other values through its histograms of
/// their ranks (<see cref="RankFilter.MayRank"/>: one histogram for at most 16384 distinct values, else a two-level
/// one tile by tile).
/// </para>
/// <para>
/// One deliberate difference: SciPy 1.10's rank filters read outside the array (garbage) in mode
/// reflect when the window reaches 2·n or more beyond an axis of length n; we extend periodically as its
/// line filters do. Windows that reach less far match SciPy exactly.
/// </para>
/// </summary>
public static class MedianFilter
{
    /// <summary>Largest window sorted by a network; larger ones use the sliding sorted window.</summary>
    public const int MaxNetworkSize = 128;

    private static readonly ConcurrentDictionary<int, (int[] A, int[] B)> Networks = new();

    public static unsafe void Apply(
        float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols,
        int size0, int size1, int origin0, int origin1, BoundaryMode mode, float cval, int threads = 0)
    {
        Validate(src, srcOffset, dst, dstOffset, rows, cols, size0, size1, origin0, origin1);
        if (threads <= 0)
        {
            threads = Environment.ProcessorCount;
        }

        int n = size0 * size1;
        int rank = n / 2;

        var path = Choose(src.AsSpan(srcOffset, rows * cols), size0, size1, mode, cval, threads);
        if (path != MedianPath.Padded)
        {
            // Unrolled: a 5 x 5 or 7 x 7 window without NaN or -0: RankFilter's sorted columns and its network written
            // out (UnrolledNetworks), 5x faster than the network below on 25 or 49 values through memory (3 x 3 keeps
            // Paeth's 19 comparators in registers, faster than sorted columns there). Histogram: windows above 25
            // values (but the 7 x 7 median's written-out network) of levels, or large windows of values RankFilter
            // ranks as levels: its sliding histogram, the rank's value exactly (median 9 x 9: 104 -> 6 ms, 21 x 21:
            // 1.44 s -> 17 ms). Each selects the rank exactly under one total order, so the same bits.
            RankFilter.Frame(src, srcOffset, dst, dstOffset, rows, cols, RankFilter.WindowMask([size0, size1], null), rank, origin0, origin1, mode, cval, threads);
            return;
        }

        int pw = cols + size1 - 1;
        int ph = rows + size0 - 1;
        float[] padded = PixelPool.Shared.Rent(checked(pw * ph));
        try
        {
            bool clean = RankFilter.PadFrame(src, srcOffset, rows, cols, padded, ph, pw, (size0 / 2) + origin0, (size1 / 2) + origin1, mode, cval, threads);
            var (a, b) = n <= MaxNetworkSize ? Network(n, rank) : ([], []);

            // Without NaN or -0 in the padded frame (cval included) the networks' min and max can be the machine's own.
            bool native = n <= MaxNetworkSize && clean;
            var cancel = StepCancellation.Current; // a large window takes long: checked before each strip of rows
            int stripRows = Math.Clamp((rows + (4 * threads) - 1) / (4 * threads), 1, 16);
            int strips = (rows + stripRows - 1) / stripRows;
            void RunStrip(int s)
            {
                cancel.ThrowIfCancellationRequested();
                int r0 = s * stripRows;
                int r1 = Math.Min(rows, r0 + stripRows);
                for (int i = r0; i < r1; i++)
                {
                    var outRow = dst.AsSpan(dstOffset + (i * cols), cols);
                    if (n > MaxNetworkSize)
                    {
                        SlidingRow(padded, pw, i, cols, size0, size1, rank, outRow);
                    }
                    else if (size0 == 3 && size1 == 3 && cols >= Vector<float>.Count)
                    {
                        if (native)
                        {
                            Median3x3Row<NativeOrder>(padded, pw, i, cols, outRow);
                        }
                        else
                        {
                            Median3x3Row<IeeeOrder>(padded, pw, i, cols, outRow);
                        }
                    }
                    else if (native)
                    {
                        NetworkRow<NativeOrder>(padded, pw, i, cols, size0, size1, rank, a, b, outRow);
                    }
                    else
                    {
                        NetworkRow<IeeeOrder>(padded, pw, i, cols, size0, size1, rank, a, b, outRow);
                    }
                }
            }

            if (threads == 1 || strips == 1 || (long)rows * cols * n < 100_000)
            {
                for (int s = 0; s < strips; s++)
                {
                    RunStrip(s);
                }
            }
            else
            {
                Parallel.For(0, strips, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel }, RunStrip);
            }
        }
        finally
        {
            PixelPool.Shared.Return(padded);
        }
    }

    /// <summary>Which implementation <see cref="Apply"/> takes for a frame (the bits are the same on each).</summary>
    internal enum MedianPath
    {
        /// <summary>RankFilter's sorted columns and a written-out network (5 x 5, 7 x 7; no NaN, no -0).</summary>
        Unrolled,

        /// <summary>
        /// RankFilter.Frame: its sliding histogram above 25 values of levels, or of values it ranks
        /// (<see cref="RankFilter.MayRank"/>; its own sorted window where NaN or -0 leave them without one order).
        /// </summary>
        Histogram,

        /// <summary>The padded frame here: Paeth's 3 x 3, a network up to 128 values, else the sliding sorted window.</summary>
        Padded,
    }

    /// <summary>
    /// The path for a frame's values. cval is a value of the window only in mode constant; in the other modes it does
    /// not choose the path (a cval of -999997.58 in mode reflect sent a 4096 x 4096 median of a 37 x 53 8-bit frame to
    /// the sliding sorted window, over 300 s, where the histogram takes 6.4 s: found by tests/fuzz/params.py).
    /// </summary>
    internal static MedianPath Choose(ReadOnlySpan<float> frame, int size0, int size1, BoundaryMode mode, float cval, int threads)
    {
        int rank = size0 * size1 / 2;
        float outside = mode == BoundaryMode.Constant ? cval : 0f;
        if (UnrolledNetworks.Has(size0, size1, rank) && size0 * size1 > 9 && NativeOrder.Applies([outside]) && NativeOrder.Applies(frame, threads))
        {
            return MedianPath.Unrolled;
        }

        // Levels, or large windows over other values RankFilter may rank as levels (it slides a sorted window as this
        // class does where they are too many).
        return RankFilter.TakesHistogram(size0, size1, rank)
            && (RankFilter.LevelValued(frame, mode == BoundaryMode.Constant ? cval : null) || RankFilter.MayRank(frame.Length, size0, size0 * size1))
            ? MedianPath.Histogram : MedianPath.Padded;
    }

    /// <summary>The scalar meaning: gather each window, sort it, take element n/2.</summary>
    public static void Reference(
        float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols,
        int size0, int size1, int origin0, int origin1, BoundaryMode mode, float cval)
    {
        Validate(src, srcOffset, dst, dstOffset, rows, cols, size0, size1, origin0, origin1);
        int n = size0 * size1;
        var window = new float[n];
        int before0 = (size0 / 2) + origin0;
        int before1 = (size1 / 2) + origin1;
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                int q = 0;
                for (int dy = 0; dy < size0; dy++)
                {
                    int y = Boundary.Map((long)i + dy - before0, rows, mode);
                    for (int dx = 0; dx < size1; dx++)
                    {
                        int x = Boundary.Map((long)j + dx - before1, cols, mode);
                        window[q++] = y < 0 || x < 0 ? cval : src[srcOffset + (y * cols) + x];
                    }
                }

                Array.Sort(window);
                dst[dstOffset + (i * cols) + j] = window[n / 2];
            }
        }
    }

    /// <summary>
    /// Comparator pairs (a &lt; b: min to a, max to b) of Batcher's odd-even merge sort for n values (the
    /// network for the next power of two, minus comparators touching indices ≥ n, which would only meet
    /// +∞ padding), keeping only those on which output <paramref name="rank"/> depends.
    /// </summary>
    internal static (int[] A, int[] B) Network(int n, int rank) => Networks.GetOrAdd((n << 16) | rank, _ =>
    {
        int p = 1;
        while (p < n)
        {
            p <<= 1;
        }

        var pairs = new List<(int A, int B)>();
        for (int half = 1; half < p; half <<= 1)
        {
            for (int k = half; k >= 1; k >>= 1)
            {
                for (int j = k % half; j <= p - 1 - k; j += 2 * k)
                {
                    for (int i = 0; i <= Math.Min(k - 1, p - j - k - 1); i++)
                    {
                        if ((i + j) / (half * 2) == (i + j + k) / (half * 2) && i + j + k < n)
                        {
                            pairs.Add((i + j, i + j + k));
                        }
                    }
                }
            }
        }

        var needed = new bool[n];
        needed[rank] = true;
        var kept = new List<(int A, int B)>();
        for (int c = pairs.Count - 1; c >= 0; c--)
        {
            var (a, b) = pairs[c];
            if (needed[a] || needed[b])
            {
                needed[a] = needed[b] = true;
                kept.Add((a, b));
            }
        }

        kept.Reverse();
        return (kept.Select(x => x.A).ToArray(), kept.Select(x => x.B).ToArray());
    });

    private static void Validate(float[] src, int srcOffset, float[] dst, int dstOffset, int rows, int cols, int size0, int size1, int origin0, int origin1)
    {
        if (rows < 1 || cols < 1 || (long)srcOffset + ((long)rows * cols) > src.Length || (long)dstOffset + ((long)rows * cols) > dst.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), "frame does not fit the arrays");
        }

        if (size0 < 1 || size1 < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size0), "size must be >= 1");
        }

        if ((size0 / 2) + origin0 < 0 || (size0 / 2) + origin0 >= size0 || (size1 / 2) + origin1 < 0 || (size1 / 2) + origin1 >= size1)
        {
            throw new ArgumentOutOfRangeException(nameof(origin0), "invalid origin: need -(size/2) <= origin <= (size-1)/2 on each axis");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void NetworkRow<TOrder>(float[] padded, int pw, int i, int cols, int size0, int size1, int rank, int[] a, int[] b, Span<float> outRow)
        where TOrder : struct, INetworkOrder
    {
        int n = size0 * size1;
        int width = Vector<float>.Count;
        if (cols < width)
        {
            Span<float> window = stackalloc float[n];
            for (int j = 0; j < cols; j++)
            {
                int q = 0;
                for (int dy = 0; dy < size0; dy++)
                {
                    padded.AsSpan(((i + dy) * pw) + j, size1).CopyTo(window[q..]);
                    q += size1;
                }

                window.Sort();
                outRow[j] = window[rank];
            }

            return;
        }

        Vector<float>* v = stackalloc Vector<float>[n];
        fixed (float* pp = padded)
        fixed (float* po = outRow)
        fixed (int* pa = a, pb = b)
        {
            int m = a.Length;
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

                int q = 0;
                for (int dy = 0; dy < size0; dy++)
                {
                    float* r = pp + ((long)(i + dy) * pw) + j;
                    for (int dx = 0; dx < size1; dx++)
                    {
                        v[q++] = Vector.Load(r + dx);
                    }
                }

                for (int c = 0; c < m; c++)
                {
                    var x = v[pa[c]];
                    var y = v[pb[c]];
                    v[pa[c]] = TOrder.Min(x, y);
                    v[pb[c]] = TOrder.Max(x, y);
                }

                Vector.Store(v[rank], po + j);
            }
        }
    }

    /// <summary>
    /// 3 x 3 windows: the 19-comparator median-of-9 network (Paeth's) on registers, 9 loads per vector
    /// of outputs. Exactness follows from the 0-1 principle (tested on all 512 binary windows).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Median3x3Row<TOrder>(float[] padded, int pw, int i, int cols, Span<float> outRow)
        where TOrder : struct, INetworkOrder
    {
        int width = Vector<float>.Count;
        fixed (float* pp = padded)
        fixed (float* po = outRow)
        {
            float* r0 = pp + ((long)i * pw);
            float* r1 = r0 + pw;
            float* r2 = r1 + pw;
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

                Vector.Store(Median9<TOrder>(
                    Vector.Load(r0 + j), Vector.Load(r0 + j + 1), Vector.Load(r0 + j + 2),
                    Vector.Load(r1 + j), Vector.Load(r1 + j + 1), Vector.Load(r1 + j + 2),
                    Vector.Load(r2 + j), Vector.Load(r2 + j + 1), Vector.Load(r2 + j + 2)), po + j);
            }
        }
    }

    /// <summary>
    /// The median of nine values per lane (Paeth's 19 compare-exchanges). Inlined: a call of its own first ran as
    /// unoptimized tier-0 code (its compare-exchanges calls too) until the runtime recompiled it, which took the first
    /// few dozen 3 x 3 medians of a process 10-20x their time (9-12 ms instead of 0.5 at 1024 x 1024).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal static Vector<float> Median9<TOrder>(
        Vector<float> p0, Vector<float> p1, Vector<float> p2, Vector<float> p3, Vector<float> p4,
        Vector<float> p5, Vector<float> p6, Vector<float> p7, Vector<float> p8)
        where TOrder : struct, INetworkOrder
    {
        Sort<TOrder>(ref p1, ref p2); Sort<TOrder>(ref p4, ref p5); Sort<TOrder>(ref p7, ref p8);
        Sort<TOrder>(ref p0, ref p1); Sort<TOrder>(ref p3, ref p4); Sort<TOrder>(ref p6, ref p7);
        Sort<TOrder>(ref p1, ref p2); Sort<TOrder>(ref p4, ref p5); Sort<TOrder>(ref p7, ref p8);
        Sort<TOrder>(ref p0, ref p3); Sort<TOrder>(ref p5, ref p8); Sort<TOrder>(ref p4, ref p7);
        Sort<TOrder>(ref p3, ref p6); Sort<TOrder>(ref p1, ref p4); Sort<TOrder>(ref p2, ref p5);
        Sort<TOrder>(ref p4, ref p7); Sort<TOrder>(ref p4, ref p2); Sort<TOrder>(ref p6, ref p4);
        Sort<TOrder>(ref p4, ref p2);
        return p4;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Sort<TOrder>(ref Vector<float> a, ref Vector<float> b)
        where TOrder : struct, INetworkOrder
    {
        var lo = TOrder.Min(a, b);
        b = TOrder.Max(a, b);
        a = lo;
    }

    /// <summary>Large windows: a sorted copy of the window, updated column by column along the row.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void SlidingRow(float[] padded, int pw, int i, int cols, int size0, int size1, int rank, Span<float> outRow)
    {
        int n = size0 * size1;
        float[] sorted = ArrayPool<float>.Shared.Rent(n);
        try
        {
            var window = sorted.AsSpan(0, n);
            int q = 0;
            for (int dy = 0; dy < size0; dy++)
            {
                padded.AsSpan((i + dy) * pw, size1).CopyTo(window[q..]);
                q += size1;
            }

            window.Sort();
            outRow[0] = window[rank];
            for (int j = 1; j < cols; j++)
            {
                for (int dy = 0; dy < size0; dy++)
                {
                    int rowStart = (i + dy) * pw;
                    float gone = padded[rowStart + j - 1];
                    float come = padded[rowStart + j + size1 - 1];
                    int at = window.BinarySearch(gone);
                    if (at < 0)
                    {
                        // Only NaN is not found again: rebuild the window from scratch for this pixel.
                        RebuildWindow(padded, pw, i, j, size0, size1, window);
                        break;
                    }

                    int to = window.BinarySearch(come);
                    if (to < 0)
                    {
                        to = ~to;
                    }

                    // Remove `gone` at `at` and insert `come` so the window stays sorted.
                    if (to <= at)
                    {
                        window[to..at].CopyTo(window[(to + 1)..]);
                        window[to] = come;
                    }
                    else
                    {
                        window[(at + 1)..to].CopyTo(window[at..]);
                        window[to - 1] = come;
                    }
                }

                outRow[j] = window[rank];
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sorted);
        }
    }

    private static void RebuildWindow(float[] padded, int pw, int i, int j, int size0, int size1, Span<float> window)
    {
        int q = 0;
        for (int dy = 0; dy < size0; dy++)
        {
            padded.AsSpan(((i + dy) * pw) + j, size1).CopyTo(window[q..]);
            q += size1;
        }

        window.Sort();
    }
}

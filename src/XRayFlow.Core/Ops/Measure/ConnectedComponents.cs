using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Measure;

/// <summary>
/// Which neighbours of a pixel belong to its component: a 3 x 3 structure symmetric about its centre is fixed by its
/// upper-left half, the three cells of the row above (north-west, north, north-east) and the cell on the left (west);
/// the centre is ignored, as scipy.ndimage.label ignores it.
/// </summary>
public readonly record struct Neighbours(bool NorthWest, bool North, bool NorthEast, bool West)
{
    /// <summary>generate_binary_structure(2, 1): 4 neighbours (SciPy's default, skimage's connectivity 1).</summary>
    public static Neighbours Cross { get; } = new(false, true, false, true);

    /// <summary>generate_binary_structure(2, 2): 8 neighbours (skimage's connectivity 2, its default in 2-D).</summary>
    public static Neighbours Square { get; } = new(true, true, true, true);

    /// <summary>generate_binary_structure(2, connectivity) for connectivity 1 or 2.</summary>
    public static Neighbours OfConnectivity(int connectivity) => connectivity >= 2 ? Square : Cross;

    /// <summary>The neighbours of a 3 x 3 matrix (any nonzero cell connects; the caller checked it is 3 x 3 and symmetric).</summary>
    public static Neighbours Of(double[][] s) => new(s[0][0] != 0, s[0][1] != 0, s[0][2] != 0, s[1][0] != 0);

    /// <summary>
    /// True when a run covering columns a..b (inclusive) in one row touches a run covering c..d in the row above: some
    /// column offset q - p in [c - b, d - a] is an allowed one (-1 north-west, 0 north, +1 north-east).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal bool Touch(int a, int b, int c, int d)
    {
        int lo = c - b, hi = d - a;
        return (NorthWest && lo <= -1 && -1 <= hi) || (North && lo <= 0 && 0 <= hi) || (NorthEast && lo <= 1 && 1 <= hi);
    }

    /// <summary>The largest column offset of a connection to the row above (-2 when there is none).</summary>
    internal int MaxOffset => NorthEast ? 1 : North ? 0 : NorthWest ? -1 : -2;

    /// <summary>The smallest column offset of a connection to the row above (2 when there is none).</summary>
    internal int MinOffset => NorthWest ? -1 : North ? 0 : NorthEast ? 1 : 2;
}

/// <summary>
/// The connected components of one 2-D frame, as runs: a run is a maximal horizontal segment of foreground pixels in
/// one row (a single pixel when west neighbours do not connect). Foreground is x != 0 (NaN included, -0 excluded:
/// numpy's `x != 0`), or, in equal-value mode, a nonzero <see cref="Key"/> whose components join only equal keys
/// (skimage.measure.label on a float image, which it casts to int64 first). Components are numbered 1..<see cref="Count"/> in raster order of their
/// first pixel, which is scipy.ndimage.label's numbering. Pooled arrays: dispose after use.
/// </summary>
internal sealed class RunLabels : IDisposable
{
    private int[] _start;
    private int[] _end;
    private int[] _label;
    private long[]? _key;

    private RunLabels(int rows, int cols, int capacity, bool values)
    {
        Rows = rows;
        Cols = cols;
        RowStart = ArrayPool<int>.Shared.Rent(rows + 1);
        _start = ArrayPool<int>.Shared.Rent(capacity);
        _end = ArrayPool<int>.Shared.Rent(capacity);
        _label = ArrayPool<int>.Shared.Rent(capacity);
        _key = values ? ArrayPool<long>.Shared.Rent(capacity) : null;
    }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>Runs of row r are RowStart[r] .. RowStart[r + 1] - 1.</summary>
    public int[] RowStart { get; }

    /// <summary>First column of each run.</summary>
    public ReadOnlySpan<int> Start => _start.AsSpan(0, RunCount);

    /// <summary>One past the last column of each run.</summary>
    public ReadOnlySpan<int> End => _end.AsSpan(0, RunCount);

    /// <summary>The component (1..Count) of each run.</summary>
    public ReadOnlySpan<int> Label => _label.AsSpan(0, RunCount);

    public int RunCount { get; private set; }

    /// <summary>Number of components.</summary>
    public int Count { get; private set; }

    /// <summary>
    /// Labels the frame. Runs are found in parallel blocks of rows, joined row after row with a union-find whose root
    /// is always the earliest run (so the root of a component is its first run in raster order), then numbered.
    /// </summary>
    /// <param name="frame">rows x cols pixels, row-major.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="cols">Columns.</param>
    /// <param name="nb">The neighbours that connect.</param>
    /// <param name="equalValues">Components join equal nonzero values only (a label image), not all nonzero pixels.</param>
    /// <param name="threads">Threads for the run search.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static RunLabels Find(ReadOnlySpan<float> frame, int rows, int cols, Neighbours nb, bool equalValues, int threads)
        => Join(RunSearch(frame, null, 0, rows, cols, nb.West, equalValues, threads), rows, cols, nb, equalValues);

    /// <summary>Labels frame <paramref name="frame"/> of a mask held as bits (the nonzero pixels are its set bits): its words are the runs' source, no packing.</summary>
    public static RunLabels Find(PackedMask mask, int frame, Neighbours nb, int threads)
        => Join(RunSearch([], mask, frame, mask.Rows, mask.Cols, nb.West, equalValues: false, threads), mask.Rows, mask.Cols, nb, equalValues: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static RunLabels Join(Block[] blocks, int rows, int cols, Neighbours nb, bool equalValues)
    {
        int total = 0;
        foreach (var b in blocks)
        {
            total += b.Count;
        }

        var r = new RunLabels(rows, cols, Math.Max(total, 1), equalValues);
        try
        {
            // Concatenate the blocks (few runs compared to pixels).
            int k = 0;
            foreach (var b in blocks)
            {
                for (int row = b.Row0; row < b.Row1; row++)
                {
                    r.RowStart[row] = k + b.RowStart[row - b.Row0];
                }

                b.Start.AsSpan(0, b.Count).CopyTo(r._start.AsSpan(k));
                b.End.AsSpan(0, b.Count).CopyTo(r._end.AsSpan(k));
                if (equalValues)
                {
                    b.Key!.AsSpan(0, b.Count).CopyTo(r._key.AsSpan(k));
                }

                k += b.Count;
                b.Dispose();
            }

            r.RowStart[rows] = total;
            r.RunCount = total;
            r.Join(nb, equalValues);
            return r;
        }
        catch
        {
            r.Dispose();
            throw;
        }
    }

    /// <summary>Union of touching runs of consecutive rows, then numbering in raster order (parents always point to earlier runs).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Join(Neighbours nb, bool equalValues)
    {
        var parent = _label; // the parent array becomes the label array in place
        for (int i = 0; i < RunCount; i++)
        {
            parent[i] = i;
        }

        int minOff = nb.MinOffset, maxOff = nb.MaxOffset;
        if (minOff <= maxOff)
        {
            for (int row = 1; row < Rows; row++)
            {
                int p = RowStart[row - 1], pEnd = RowStart[row];
                for (int i = RowStart[row], iEnd = RowStart[row + 1]; i < iEnd; i++)
                {
                    int a = _start[i], b = _end[i] - 1;
                    while (p < pEnd && _end[p] - 1 - a < minOff)
                    {
                        p++; // ends too far left for this run and every later one
                    }

                    for (int q = p; q < pEnd && _start[q] - b <= maxOff; q++)
                    {
                        if (nb.Touch(a, b, _start[q], _end[q] - 1) && (!equalValues || _key![q] == _key[i]))
                        {
                            Union(parent, i, q);
                        }
                    }
                }
            }
        }

        // Every parent is an earlier run of the same component, so one forward pass numbers them.
        int count = 0;
        for (int i = 0; i < RunCount; i++)
        {
            parent[i] = parent[i] == i ? ++count : parent[parent[i]];
        }

        Count = count;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Find(int[] parent, int x)
    {
        while (parent[x] != x)
        {
            int up = parent[parent[x]];
            parent[x] = up;
            x = up;
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Union(int[] parent, int a, int b)
    {
        a = Find(parent, a);
        b = Find(parent, b);
        if (a < b)
        {
            parent[b] = a;
        }
        else if (b < a)
        {
            parent[a] = b;
        }
    }

    /// <summary>Pixels per component: sizes[c] for c = 1..Count (sizes[0] unused), in a new array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long[] Sizes()
    {
        var sizes = new long[Count + 1];
        for (int i = 0; i < RunCount; i++)
        {
            sizes[_label[i]] += _end[i] - _start[i];
        }

        return sizes;
    }

    /// <summary>
    /// Writes every pixel of <paramref name="dst"/>: value[label] on the runs, <paramref name="background"/> elsewhere
    /// (rows in parallel).
    /// </summary>
    public void Paint(Span<float> dst, ReadOnlySpan<float> value, float background, int threads)
    {
        unsafe
        {
            fixed (float* d = dst)
            fixed (float* v = value)
            {
                float* dp = d, vp = v;
                ForRows(threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
                {
                    for (int row = r0; row < r1; row++)
                    {
                        var line = new Span<float>(dp + ((long)row * Cols), Cols);
                        int x = 0;
                        for (int i = RowStart[row], iEnd = RowStart[row + 1]; i < iEnd; i++)
                        {
                            Fills.Fill(line[x.._start[i]], background);
                            Fills.Fill(line[_start[i].._end[i]], vp[_label[i]]);
                            x = _end[i];
                        }

                        Fills.Fill(line[x..], background);
                    }
                });
            }
        }
    }

    /// <summary>
    /// Writes every word of frame <paramref name="frame"/> of <paramref name="dst"/>: the bits of the runs of components
    /// with keep[label] set, 0 elsewhere (the mask result of a component filter on a mask held as bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void PaintBits(PackedMask dst, int frame, ReadOnlySpan<bool> keep)
    {
        for (int row = 0; row < Rows; row++)
        {
            var words = dst.Row(frame, row);
            words.Clear();
            for (int i = RowStart[row], iEnd = RowStart[row + 1]; i < iEnd; i++)
            {
                if (keep[_label[i]])
                {
                    SetBits(words, _start[i], _end[i]);
                }
            }
        }
    }

    /// <summary>Sets bits [from, to) of a row of words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void SetBits(Span<ulong> words, int from, int to)
    {
        int w0 = from >> 6, w1 = (to - 1) >> 6;
        ulong first = ulong.MaxValue << (from & 63);
        ulong last = ulong.MaxValue >> (63 - ((to - 1) & 63));
        if (w0 == w1)
        {
            words[w0] |= first & last;
            return;
        }

        words[w0] |= first;
        for (int w = w0 + 1; w < w1; w++)
        {
            words[w] = ulong.MaxValue;
        }

        words[w1] |= last;
    }

    /// <summary>
    /// Writes every pixel of <paramref name="dst"/>: the source pixel, except on runs of components with
    /// clear[label] set, which become <paramref name="fill"/>, and (with <paramref name="clearGaps"/>) the pixels
    /// between runs, which become <paramref name="fill"/> too (rows in parallel).
    /// </summary>
    public void CopyClearing(ReadOnlySpan<float> src, Span<float> dst, ReadOnlySpan<bool> clear, float fill, int threads, bool clearGaps = false)
    {
        unsafe
        {
            fixed (float* s = src)
            fixed (float* d = dst)
            fixed (bool* c = clear)
            {
                float* sp = s, dp = d;
                bool* cp = c;
                ForRows(threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
                {
                    if (!clearGaps)
                    {
                        long at = (long)r0 * Cols;
                        new ReadOnlySpan<float>(sp + at, (r1 - r0) * Cols).CopyTo(new Span<float>(dp + at, (r1 - r0) * Cols));
                    }

                    for (int row = r0; row < r1; row++)
                    {
                        var line = new Span<float>(dp + ((long)row * Cols), Cols);
                        var from = new ReadOnlySpan<float>(sp + ((long)row * Cols), Cols);
                        int x = 0;
                        for (int i = RowStart[row], iEnd = RowStart[row + 1]; i < iEnd; i++)
                        {
                            var run = line[_start[i].._end[i]];
                            if (clearGaps)
                            {
                                Fills.Fill(line[x.._start[i]], fill);
                            }

                            if (cp[_label[i]])
                            {
                                Fills.Fill(run, fill);
                            }
                            else if (clearGaps)
                            {
                                from[_start[i].._end[i]].CopyTo(run); // not copied with the rows above
                            }

                            x = _end[i];
                        }

                        if (clearGaps)
                        {
                            Fills.Fill(line[x..], fill);
                        }
                    }
                });
            }
        }
    }

    private void ForRows(int threads, Action<int, int> body)
    {
        int blocks = Math.Clamp(threads, 1, Math.Max(1, (int)Math.Min(Rows, (long)Rows * Cols / 65536)));
        if (blocks <= 1)
        {
            body(0, Rows);
            return;
        }

        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = blocks }, b => body((int)((long)Rows * b / blocks), (int)((long)Rows * (b + 1) / blocks)));
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(RowStart);
        ArrayPool<int>.Shared.Return(_start);
        ArrayPool<int>.Shared.Return(_end);
        ArrayPool<int>.Shared.Return(_label);
        if (_key is not null)
        {
            ArrayPool<long>.Shared.Return(_key);
        }

        _start = _end = _label = [];
        _key = null;
    }

    /// <summary>The runs of a block of rows (pooled, growing arrays).</summary>
    private sealed class Block : IDisposable
    {
        public int Row0;
        public int Row1;
        public int Count;
        public int[] RowStart = [];
        public int[] Start = ArrayPool<int>.Shared.Rent(256);
        public int[] End = ArrayPool<int>.Shared.Rent(256);
        public long[]? Key;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int start, int end)
        {
            if (Count == Start.Length)
            {
                Start = Grow(Start, Count);
                End = Grow(End, Count);
            }

            Start[Count] = start;
            End[Count] = end;
            Count++;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(int start, int end, long key)
        {
            if (Count == Key!.Length)
            {
                Key = Grow(Key, Count);
            }

            Key[Count] = key;
            Add(start, end);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static T[] Grow<T>(T[] a, int used)
        {
            var b = ArrayPool<T>.Shared.Rent(Math.Max(256, a.Length * 2));
            a.AsSpan(0, used).CopyTo(b);
            ArrayPool<T>.Shared.Return(a);
            return b;
        }

        public void Dispose()
        {
            ArrayPool<int>.Shared.Return(RowStart);
            ArrayPool<int>.Shared.Return(Start);
            ArrayPool<int>.Shared.Return(End);
            if (Key is not null)
            {
                ArrayPool<long>.Shared.Return(Key);
            }
        }
    }

    /// <summary>The runs of every row, found by blocks of rows in parallel.</summary>
    private static Block[] RunSearch(ReadOnlySpan<float> frame, PackedMask? mask, int maskFrame, int rows, int cols, bool west, bool equalValues, int threads)
    {
        int nBlocks = Math.Clamp(threads, 1, Math.Max(1, (int)Math.Min(rows, (long)rows * cols / 65536)));
        var blocks = new Block[nBlocks];
        for (int b = 0; b < nBlocks; b++)
        {
            int r0 = (int)((long)rows * b / nBlocks), r1 = (int)((long)rows * (b + 1) / nBlocks);
            blocks[b] = new Block { Row0 = r0, Row1 = r1, RowStart = ArrayPool<int>.Shared.Rent(r1 - r0 + 1), Key = equalValues ? ArrayPool<long>.Shared.Rent(256) : null };
        }

        unsafe
        {
            fixed (float* f = frame)
            {
                float* fp = f;
                [MethodImpl(MethodImplOptions.AggressiveOptimization)]
                void Search(int b)
                {
                    var block = blocks[b];
                    ulong[] bits = ArrayPool<ulong>.Shared.Rent((cols + 63) / 64);
                    try
                    {
                        for (int row = block.Row0; row < block.Row1; row++)
                        {
                            block.RowStart[row - block.Row0] = block.Count;
                            var line = mask is null ? new ReadOnlySpan<float>(fp + ((long)row * cols), cols) : default;
                            if (mask is not null)
                            {
                                BitRuns(mask.Row(maskFrame, row), cols, west, block);
                            }
                            else if (equalValues)
                            {
                                EqualRuns(line, west, block);
                            }
                            else
                            {
                                PackedMask.PackRow(line, bits.AsSpan(0, (cols + 63) / 64)); // x != 0 (NaN nonzero), 64 values a word
                                BitRuns(bits, cols, west, block);
                            }
                        }
                    }
                    finally
                    {
                        ArrayPool<ulong>.Shared.Return(bits);
                    }
                }

                if (nBlocks == 1)
                {
                    Search(0);
                }
                else
                {
                    Parallel.For(0, nBlocks, new ParallelOptions { MaxDegreeOfParallelism = nBlocks }, Search);
                }
            }
        }

        return blocks;
    }

    /// <summary>The runs of set bits (or each set bit alone when west neighbours do not connect).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void BitRuns(ReadOnlySpan<ulong> bits, int cols, bool west, Block block)
    {
        int words = (cols + 63) / 64;
        int p = 0;
        while (p < cols)
        {
            // Next set bit at or after p.
            int w = p >> 6;
            ulong cur = bits[w] & (ulong.MaxValue << (p & 63));
            while (cur == 0)
            {
                if (++w >= words)
                {
                    return;
                }

                cur = bits[w];
            }

            int s = (w << 6) + BitOperations.TrailingZeroCount(cur);
            if (!west)
            {
                block.Add(s, s + 1);
                p = s + 1;
                continue;
            }

            // Next clear bit after s (the last word's unused bits are clear).
            ulong inv = ~bits[w] & (ulong.MaxValue << (s & 63));
            while (inv == 0)
            {
                if (++w >= words)
                {
                    break;
                }

                inv = ~bits[w];
            }

            int e = inv == 0 ? cols : Math.Min(cols, (w << 6) + BitOperations.TrailingZeroCount(inv));
            block.Add(s, e);
            p = e;
        }
    }

    /// <summary>
    /// NumPy's cast of a value to int64 (x86): truncation toward zero; NaN, infinities and values beyond the int64 range
    /// become long.MinValue (the "integer indefinite" result). skimage.measure.label casts float images this way.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Key(float v) => float.IsNaN(v) || Math.Abs(v) >= 9.223372036854775807E18f ? long.MinValue : (long)v;

    /// <summary>From k, past every block of 8 values that all truncate to 0 (|x| &lt; 1); the rest is the caller's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipBackground(ReadOnlySpan<float> line, int k)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var one = Vector256.Create(1f);
            ref float l0 = ref MemoryMarshal.GetReference(line);
            while (k <= line.Length - 8 && Vector256.LessThan(Vector256.Abs(Vector256.LoadUnsafe(ref l0, (nuint)k)), one).ExtractMostSignificantBits() == 0xFFu)
            {
                k += 8;
            }
        }

        return k;
    }

    /// <summary>From k, past every block of 8 values equal to <paramref name="x"/> (equal floats have equal keys); the rest is the caller's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipEqual(ReadOnlySpan<float> line, int k, float x)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            var vx = Vector256.Create(x);
            ref float l0 = ref MemoryMarshal.GetReference(line);
            while (k <= line.Length - 8 && Vector256.Equals(Vector256.LoadUnsafe(ref l0, (nuint)k), vx).ExtractMostSignificantBits() == 0xFFu)
            {
                k += 8;
            }
        }

        return k;
    }

    /// <summary>The runs of equal nonzero keys (each foreground pixel alone when west neighbours do not connect).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EqualRuns(ReadOnlySpan<float> line, bool west, Block block)
    {
        int n = line.Length;
        int k = 0;
        while (k < n)
        {
            long v = Key(line[k]);
            if (v == 0)
            {
                k = SkipBackground(line, k + 1);
                continue;
            }

            int s = k++;
            if (west)
            {
                k = SkipEqual(line, k, line[s]);
                while (k < n && Key(line[k]) == v)
                {
                    k++;
                }
            }

            block.Add(s, k, v);
        }
    }
}

using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// Spline resampling of one 2-D frame when the transform is separable (zoom, shift, resize, a diagonal
/// affine_transform). The exact meaning is SciPy 1.10's zoom_shift (see <see cref="SplineReference"/>):
/// <code>
/// c = spline_filter(x padded by 12 for nearest / grid-constant, order, mode)   (orders 2-5 with prefilter; else c = x)
/// out[i, j] = cval                                   if rows.Outside[i] or cols.Outside[j]   (mode constant)
///           = sum_a sum_b wr[i, a] * wc[j, b] * c[ir[i, a], ic[j, b]]    (an index past the end reads cval)
/// </code>
/// with the taps and weights of the two <see cref="AxisPlan"/>s. Computed in float32 as two separable passes in
/// the cheaper order: the vertical one (prefilter down the columns, then each output row a weighted sum of
/// coefficient rows: SIMD across the row) and the horizontal one (on strips of L rows moved to lane layout, where
/// the prefilter along the rows and the weighted sums are again SIMD across the L rows; without a prefilter along
/// the rows, on AVX-512, straight along each row by permutes instead: <see cref="PermutedTaps"/>, the same sums).
/// Linear operators on different axes commute, so the result equals SciPy's order of operations up to float rounding.
/// With the vertical pass first, the vertical prefilter is made in row bands (<see cref="SplineRowBands"/>, the
/// <c>rowBands</c> parameter), equal up to its truncated starts.
/// </summary>
public static class SeparableResampler
{
    /// <summary>Outputs of at least this many pixels (16 MiB) are written with non-temporal stores by the vertical pass.</summary>
    public const long StreamingOutput = 4L << 20;

    [ThreadStatic]
    private static float[]? t_cvalRow;

    /// <summary>
    /// A row of <paramref name="n"/> values of <paramref name="cval"/>, read only: the calling thread's last one when it
    /// matches (same length, same bits), else a new one. A call then makes no 4 KiB of fresh garbage: on this VM every
    /// page of memory a process touches first costs about 30 us, and until the garbage collector comes round to reuse
    /// gen0, small per-call garbage lands on such pages (zoom 0.5 order 1 at 1024, one thread: its first 300-400 calls
    /// took 0.13-0.16 ms against 0.10-0.11 after; with the row reused, 0.11-0.12 from the first call; 2026-12-05).
    /// </summary>
    private static float[] CvalRow(int n, float cval)
    {
        var row = t_cvalRow;
        if (row is null || row.Length != n || (n > 0 && BitConverter.SingleToInt32Bits(row[0]) != BitConverter.SingleToInt32Bits(cval)))
        {
            row = new float[n];
            row.AsSpan().Fill(cval);
            t_cvalRow = row;
        }

        return row;
    }

    /// <summary>Resamples <paramref name="src"/> (rows x cols) into <paramref name="dst"/> (rowPlan.OutLength x colPlan.OutLength).</summary>
    /// <param name="src">The input frame, C order.</param>
    /// <param name="rows">Input rows.</param>
    /// <param name="cols">Input columns.</param>
    /// <param name="rowPlan">Axis 0's taps (its CoefLength is rows + 2 x pre-pad).</param>
    /// <param name="colPlan">Axis 1's taps.</param>
    /// <param name="order">Spline order 0-5.</param>
    /// <param name="prefilter">Apply the spline prefilter (orders 2-5).</param>
    /// <param name="mode">The interpolation mode (pre-pad kind and prefilter boundary).</param>
    /// <param name="cval">The constant.</param>
    /// <param name="dst">The output frame.</param>
    /// <param name="threads">Degree of parallelism.</param>
    /// <param name="verticalFirst">Which pass runs first; null: the cheaper (tests force both).</param>
    /// <param name="clip">
    /// np.clip of every output value computed from the input (NaN kept), applied as each output row is finished
    /// (while it is in cache) instead of a second pass over the output; the cval written outside the input (mode
    /// constant) is not clipped.
    /// </param>
    /// <param name="permuted">
    /// Where the rows need no horizontal prefilter and <see cref="AxisPlan.Permuted"/> fits, the horizontal pass runs
    /// straight along each row by permutes (<see cref="PermutedTaps"/>), in either pass order, instead of moving rows to
    /// lane layout and back: the same operations, so the same bits. Tests turn it off to compare with the lane path.
    /// </param>
    /// <param name="rowRanges">
    /// When given (2 x outRows values, only without <paramref name="clip"/> and outside mode constant): each output
    /// row's (nanmin, nanmax) as <see cref="Extremes.NanMinMax(ReadOnlySpan{float})"/> gives them, found while the row
    /// is in cache, at [2 i] and [2 i + 1]; NaN for a row of NaN.
    /// </param>
    /// <param name="fuseColumns">
    /// With a vertical prefilter, the vertical pass first and fewer output rows than coefficient rows (a shrink, a
    /// shift): each column block's output rows are made while its coefficients are in cache, and the coefficients
    /// never go to memory as a whole (<see cref="FilterColumns"/>): the same operations, so the same bits. Tests turn
    /// it off to compare.
    /// </param>
    /// <param name="byPairs">
    /// Order 1 both ways, no pre-pad, at most half as many output columns as input columns, the vertical pass first and
    /// no permutes: each output row's vertical sums made only at the column pairs its outputs read (a pair of adjacent
    /// values one 64-bit load, <see cref="Job.ByPairs"/>), not across the whole row then moved to lane layout: the same
    /// operations, so the same bits. Tests turn it off to compare.
    /// </param>
    /// <param name="rowBands">
    /// Rows of a band where the vertical prefilter is made in row bands (<see cref="SplineRowBands"/>: the vertical pass
    /// first, no permutes, not grid-wrap, taps that go down the rows, no NaN or infinity); null: <see cref="PrefilterBandRows"/>
    /// for columns of <see cref="BandedFromRows"/> rows or more; given: for columns of two chunks (768 rows) or more
    /// (tests); 0: the whole-column prefilter. Each band's strips are finished (vertical and
    /// horizontal pass) as soon as their taps are made, so the input is read once and only the output is written.
    /// Equal to the whole-column prefilter up to its truncated starts (within 1e-16 of the column's values); the same
    /// bits for any thread count. Tests turn it off to compare.
    /// </param>
    /// <param name="inputRange">
    /// When given (at least 3 values): the input's (nanmin, nanmax) as <see cref="Extremes.NanMinMax(ReadOnlySpan{float})"/>
    /// gives them, and 1 if it holds a NaN (else 0), at [0], [1], [2]: found as the row bands read each input row, else
    /// by a pass of its own. For a caller that clips to the input's range after (scikit-image's resize) without a pass
    /// over the whole input first.
    /// </param>
    public static void Apply(ReadOnlyMemory<float> src, int rows, int cols, AxisPlan rowPlan, AxisPlan colPlan, int order, bool prefilter, SplineMode mode, float cval, Memory<float> dst, int threads, bool? verticalFirst = null, ClipRange? clip = null, bool permuted = true, float[]? rowRanges = null, bool fuseColumns = true, bool byPairs = true, int? rowBands = null, float[]? inputRange = null)
    {
        if (inputRange is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(inputRange.Length, 3, nameof(inputRange));
        }

        if (rowRanges is not null)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rowRanges.Length, 2 * rowPlan.OutLength, nameof(rowRanges));
            if (clip is not null || mode == SplineMode.Constant)
            {
                // Mode constant's cval rows and columns are written after the rows are made: not in their ranges.
                throw new ArgumentException("row ranges are recorded only without a clip and outside mode constant", nameof(rowRanges));
            }

            rowRanges.AsSpan().Fill(float.NaN);
        }

        bool filtered = prefilter && order >= 2;
        int pad0 = (rowPlan.CoefLength - rows) / 2, pad1 = (colPlan.CoefLength - cols) / 2;
        int outRows = rowPlan.OutLength, outCols = colPlan.OutLength;
        var boundary = BSpline.BoundaryFor(mode);
        var rowFilter = filtered ? SplinePrefilterPlan.For(rowPlan.CoefLength, order, boundary) : null;
        var colFilter = filtered ? SplinePrefilterPlan.For(colPlan.CoefLength, order, boundary) : null;
        threads = Math.Max(1, threads);

        // The coefficient rows (vertically pre-padded and prefiltered), or the input itself.
        int coefRows = rowPlan.CoefLength;
        var along = permuted && colFilter is null ? colPlan.Permuted : null;
        var job = new Job(rowPlan, colPlan, colFilter, along, cols, pad1, mode == SplineMode.Nearest, cval, outRows, outCols, clip, rowRanges);
        // A shrink of order 1 both ways too steep for the permutes: vertical sums only where the outputs read them.
        int band = rowBands ?? PrefilterBandRows;
        bool bandable = band > 0 && rowFilter is not null && along is null && coefRows >= (rowBands is null ? BandedFromRows : 2 * Job.ChunkCoefRows)
            && SplineRowBands.Fits(rowFilter, band, cols);
        bool vertical = verticalFirst ?? ((byPairs && along is null && job.TakesPairs) || VerticalFirstIsCheaper(rowPlan, colPlan, cols, colFilter?.Poles.Length ?? 0, along is not null, bandable));
        float[]? coef = null;
        try
        {
            if (bandable && vertical && rowFilter is not null
                && job.Banded(src, RowStarts(rows, pad0, mode == SplineMode.Nearest, coefRows, cols), rowFilter, dst, threads, band, inputRange))
            {
                // Coefficients in row bands: the input read once, nothing but the output written.
                bandedCalls++;
                inputRange = null; // found as the rows were read
            }
            else if (fuseColumns && rowFilter is not null && vertical && along is null && outRows < coefRows)
            {
                // Fewer output rows than coefficient rows: each column block's vertical sums are made while its
                // prefiltered columns are in cache, and only those rows (not the coefficients) go to memory.
                coef = PixelPool.Shared.Rent(checked(outRows * cols));
                FilterColumns(src, rows, pad0, mode == SplineMode.Nearest, cval, coef, coefRows, cols, rowFilter, threads, rowPlan);
                job.VerticalFirst(coef.AsMemory(0, outRows * cols), dst, threads, rowsMade: true);
            }
            else
            {
                ReadOnlyMemory<float> y = src;
                if (filtered || pad0 > 0)
                {
                    coef = PixelPool.Shared.Rent(checked(coefRows * cols));
                    if (rowFilter is not null)
                    {
                        FilterColumns(src, rows, pad0, mode == SplineMode.Nearest, cval, coef, coefRows, cols, rowFilter, threads);
                    }
                    else
                    {
                        PadRows(src.Span, rows, cols, pad0, mode == SplineMode.Nearest, cval, coef);
                    }

                    y = coef.AsMemory(0, coefRows * cols);
                }

                if (!vertical)
                {
                    job.HorizontalFirst(y, coefRows, dst, threads);
                }
                else if (along is not null)
                {
                    job.AlongRows(y, dst, along, threads);
                }
                else if (byPairs && job.TakesPairs)
                {
                    job.ByPairs(y, dst, threads);
                }
                else
                {
                    job.VerticalFirst(y, dst, threads);
                }
            }
        }
        finally
        {
            PixelPool.Shared.Return(coef);
        }

        FillOutside(dst.Span, rowPlan, colPlan, cval);
        if (inputRange is not null)
        {
            // Not found while banding: a pass of its own.
            var (lo, hi, nan) = Extremes.NanMinMax(src.Span[..(rows * cols)], threads);
            inputRange[0] = lo;
            inputRange[1] = hi;
            inputRange[2] = nan ? 1 : 0;
        }
    }

    /// <summary>
    /// Rough costs per element: a SIMD weighted sum ~ taps / L, a transpose ~ 1/2, a prefilter pole ~ 1/2 (in lanes); the
    /// horizontal pass by permutes (no prefilter, no transposes): a copy into the line ~ 1 / L, a permute and product
    /// per tap ~ 1 / L. Where the vertical prefilter can be made in row bands (<paramref name="banded"/>, vertical pass
    /// first only), the other order also writes the whole coefficient array and reads it back: ~ 3 per coefficient
    /// (shift order 3 at 1024 x 1024, two threads: 1.75 ms horizontal first, 0.92-0.98 banded vertical first; zoom 2
    /// order 3 2.6-2.8 against 1.9 ms; at 4096 27 against 15.5 and 40-44 against 32-33).
    /// </summary>
    private static bool VerticalFirstIsCheaper(AxisPlan rowPlan, AxisPlan colPlan, int cols, int poles, bool permuted, bool banded = false)
    {
        double l = Vector<float>.Count, taps = rowPlan.Taps, ct = colPlan.Taps;
        double r2 = rowPlan.OutLength, c2 = colPlan.OutLength, c1 = colPlan.CoefLength;
        double horizontalIn = permuted ? 1 / l : 0.5 + (poles * 0.6), horizontalOut = permuted ? ct / l : (ct / l) + 0.5;
        double v = (r2 * cols * taps / l) + (r2 * c1 * horizontalIn) + (r2 * c2 * horizontalOut);
        var (lo, hi) = rowPlan.Span;
        double used = Math.Max(0, hi - lo + 1);
        double h = (used * c1 * horizontalIn) + (used * c2 * horizontalOut) + (r2 * c2 * taps / l);
        if (banded && (long)rowPlan.CoefLength * cols >= BandedChargeFrom)
        {
            h += 3.0 * rowPlan.CoefLength * cols;
        }

        return v <= h;
    }

    /// <summary>coef = x with pad rows above and below: copies of the edge rows (nearest) or cval (grid-constant).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PadRows(ReadOnlySpan<float> src, int rows, int cols, int pad, bool edge, float cval, Span<float> coef)
    {
        src[..(rows * cols)].CopyTo(coef.Slice(pad * cols));
        for (int p = 0; p < pad; p++)
        {
            var top = coef.Slice(p * cols, cols);
            var bottom = coef.Slice((pad + rows + p) * cols, cols);
            if (edge)
            {
                src[..cols].CopyTo(top);
                src.Slice((rows - 1) * cols, cols).CopyTo(bottom);
            }
            else
            {
                top.Fill(cval);
                bottom.Fill(cval);
            }
        }
    }

    /// <summary>
    /// The pre-padded coefficient rows (as <see cref="PadRows"/>) and the vertical prefilter, on column blocks: each
    /// block's columns are read from the input by the first pass and filtered while they are in cache (all passes),
    /// on the threads. With <paramref name="down"/>, <paramref name="coef"/> receives instead the vertical pass of
    /// those coefficients (<see cref="WeightedRows"/> of each output row of <paramref name="down"/>, as
    /// <see cref="Job.VerticalFirst"/> makes them), the coefficients themselves only in a block of this thread's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FilterColumns(ReadOnlyMemory<float> src, int rows, int pad, bool edge, float cval, float[] coef, int coefRows, int cols, SplinePrefilterPlan plan, int threads, AxisPlan? down = null)
    {
        const int Widest = 128;
        var cvalRow = new float[Widest];
        cvalRow.AsSpan().Fill(cval);

        var start = RowStarts(rows, pad, edge, coefRows, cols);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Body(int c0, int w)
        {
            if (down is null)
            {
                SplinePrefilter.ColumnsFrom(src.Span[c0..], start, cvalRow, coef.AsSpan(c0, ((coefRows - 1) * cols) + w), w, cols, plan);
                return;
            }

            // The block's coefficients side by side (stride w), then each output row's weighted sum of them.
            var block = PixelPool.Shared.Rent(checked(coefRows * Math.Min(Widest, cols))); // one length for every block: pooled
            try
            {
                SplinePrefilter.ColumnsFrom(src.Span[c0..], start, cvalRow, block.AsSpan(0, coefRows * w), w, w, plan);
                int taps = down.Taps;
                for (int i = 0; i < down.OutLength; i++)
                {
                    var index = down.Index.AsSpan(i * taps, taps);
                    var weight = down.Weight.AsSpan(i * taps, taps);
                    var made = coef.AsSpan((i * cols) + c0, w);

                    // 4 taps without the cval row straight to the kernel: through WeightedRows (its stackalloc'd
                    // offsets, per call on 128-value rows) zoom 0.5 order 3 measured 8-10% slower (4 alternating pairs).
                    if (taps != 4 || index[0] == down.CoefLength || index[1] == down.CoefLength || index[2] == down.CoefLength || index[3] == down.CoefLength)
                    {
                        WeightedRows(block, w, w, index, weight, down.CoefLength, cvalRow, made);
                    }
                    else
                    {
                        WeightedRows4(block, w, index, weight, made);
                    }
                }
            }
            finally
            {
                PixelPool.Shared.Return(block);
            }
        }

        ColumnBlocks.Run(cols, threads, Widest, Body);
    }

    /// <summary>
    /// Coefficient row t: the input's row t - pad, an edge row (nearest) or cval (-1), as offsets into the input read in
    /// place by the prefilter.
    /// </summary>
    private static int[] RowStarts(int rows, int pad, bool edge, int coefRows, int cols)
    {
        var start = new int[coefRows];
        for (int t = 0; t < coefRows; t++)
        {
            int r = t - pad;
            start[t] = r >= 0 && r < rows ? r * cols : edge ? (r < 0 ? 0 : (rows - 1) * cols) : -1;
        }

        return start;
    }

    /// <summary>
    /// Rows of a band of the vertical prefilter made in row bands (<see cref="SplineRowBands"/>). zoom 0.5 at order 3
    /// (two threads; 32 / 64 / 96 / 160 rows, two sittings): 8.3-9.0 / 8.0-8.1 / 7.6-7.8 / 8.3-8.8 ms at 4096 x 4096.
    /// </summary>
    public const int PrefilterBandRows = 96;

    /// <summary>
    /// The cost model charges the horizontal-first order for the coefficient array's round trip from this many
    /// coefficients (1024 x 1024) on: below it the array stays in the caches.
    /// </summary>
    internal const long BandedChargeFrom = 1L << 20;

    /// <summary>
    /// Columns are banded by default from this many coefficient rows on (four of <see cref="Banded"/>'s chunks), where
    /// the whole-column path's 128-column blocks (512 KiB at 1024 rows) outgrow L2 and walk a page per row. zoom 0.5 /
    /// zoom 2 / resize n / 2 at order 3, two threads, whole-column against banded: 1024 x 1024 0.35-0.36 / 1.74-1.77 /
    /// 0.39-0.40 ms against 0.38-0.52 / 1.91-1.96 / 0.42-0.44; 1448 x 1448 0.89-1.07 / 3.89-3.94 / 0.87-0.95 against
    /// 0.87-0.91 / 4.00-4.02 / 0.88-0.89; 2048 x 2048 2.85-3.78 / 10.4 / 2.65-3.08 against 1.84-1.95 / 8.1-8.2 /
    /// 1.77-1.91. An explicit <c>rowBands</c> bands from two chunks (768 rows) on.
    /// </summary>
    internal const int BandedFromRows = 4 * Job.ChunkCoefRows;

    /// <summary>How many calls on this thread made their vertical prefilter in row bands (for tests: which path ran).</summary>
    internal static int BandedCalls => bandedCalls;

    [ThreadStatic]
    private static int bandedCalls;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FillOutside(Span<float> dst, AxisPlan rowPlan, AxisPlan colPlan, float cval)
    {
        int outCols = colPlan.OutLength;
        if (rowPlan.AnyOutside)
        {
            for (int i = 0; i < rowPlan.OutLength; i++)
            {
                if (rowPlan.Outside[i])
                {
                    dst.Slice(i * outCols, outCols).Fill(cval);
                }
            }
        }

        if (colPlan.AnyOutside)
        {
            // The outside columns listed once (a zoom's are a few at each end), then written row by row: a scan of
            // every column of every row took 1.7 ms of a 3 ms zoom to 2048 x 2048.
            var outside = new List<int>();
            for (int j = 0; j < outCols; j++)
            {
                if (colPlan.Outside[j])
                {
                    outside.Add(j);
                }
            }

            for (int i = 0; i < rowPlan.OutLength; i++)
            {
                var row = dst.Slice(i * outCols, outCols);
                foreach (int j in outside)
                {
                    row[j] = cval;
                }
            }
        }
    }

    /// <summary>out = sum_k w[k] * rows[k] over a row (SIMD), rows given by index into y (index coefRows = the cval row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void WeightedRows(ReadOnlySpan<float> y, int stride, int width, ReadOnlySpan<int> index, ReadOnlySpan<float> weight, int cvalIndex, ReadOnlySpan<float> cvalRow, Span<float> dst, bool stream = false)
    {
        int taps = index.Length;
        Span<int> offsets = stackalloc int[taps];
        bool anyCval = false;
        for (int k = 0; k < taps; k++)
        {
            anyCval |= index[k] == cvalIndex;
            offsets[k] = index[k] * stride;
        }

        if (anyCval)
        {
            dst[..width].Clear();
            for (int k = 0; k < taps; k++)
            {
                SplinePrefilter.Axpy(dst[..width], index[k] == cvalIndex ? cvalRow[..width] : y.Slice(offsets[k], width), weight[k]);
            }

            return;
        }

        if (Streams(stream, taps, width))
        {
            Streamed(y, width, offsets, weight, dst, new NoClip());
            return;
        }

        ref float y0 = ref MemoryMarshal.GetReference(y);
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        int t = 0, l = Vector<float>.Count;
        switch (taps)
        {
            case 1:
                y.Slice(offsets[0], width).CopyTo(dst);
                return;
            case 2:
            {
                ref float a = ref Unsafe.Add(ref y0, offsets[0]);
                ref float b = ref Unsafe.Add(ref y0, offsets[1]);
                var wa = new Vector<float>(weight[0]);
                var wb = new Vector<float>(weight[1]);
                for (; t <= width - l; t += l)
                {
                    ((wa * Vector.LoadUnsafe(ref a, (nuint)t)) + (wb * Vector.LoadUnsafe(ref b, (nuint)t))).StoreUnsafe(ref d0, (nuint)t);
                }

                for (; t < width; t++)
                {
                    Unsafe.Add(ref d0, t) = (weight[0] * Unsafe.Add(ref a, t)) + (weight[1] * Unsafe.Add(ref b, t));
                }

                return;
            }

            case 4:
                WeightedRows4(y, stride, index, weight, dst[..width]);
                return;

            default:
                dst[..width].Clear();
                for (int k = 0; k < taps; k++)
                {
                    SplinePrefilter.Axpy(dst[..width], y.Slice(offsets[k], width), weight[k]);
                }

                return;
        }
    }

    /// <summary>
    /// <see cref="WeightedRows"/> of 4 taps, none of them the cval row, for a short row of a column block (no per-call
    /// setup; 256-bit): ((w0 a + w1 b) + w2 c) + w3 e per value, the same operations.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightedRows4(ReadOnlySpan<float> y, int stride, ReadOnlySpan<int> index, ReadOnlySpan<float> weight, Span<float> dst)
    {
        int width = dst.Length;
        var a = y.Slice(index[0] * stride, width);
        var b = y.Slice(index[1] * stride, width);
        var c = y.Slice(index[2] * stride, width);
        var e = y.Slice(index[3] * stride, width);
        float w0 = weight[0], w1 = weight[1], w2 = weight[2], w3 = weight[3];
        int t = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var va = Vector256.Create(w0);
            var vb = Vector256.Create(w1);
            var vc = Vector256.Create(w2);
            var ve = Vector256.Create(w3);
            ref float pa = ref MemoryMarshal.GetReference(a);
            ref float pb = ref MemoryMarshal.GetReference(b);
            ref float pc = ref MemoryMarshal.GetReference(c);
            ref float pe = ref MemoryMarshal.GetReference(e);
            ref float pd = ref MemoryMarshal.GetReference(dst);
            for (; t <= width - 8; t += 8)
            {
                ((va * Vector256.LoadUnsafe(ref pa, (nuint)t)) + (vb * Vector256.LoadUnsafe(ref pb, (nuint)t))
                    + (vc * Vector256.LoadUnsafe(ref pc, (nuint)t)) + (ve * Vector256.LoadUnsafe(ref pe, (nuint)t))).StoreUnsafe(ref pd, (nuint)t);
            }
        }

        for (; t < width; t++)
        {
            dst[t] = (w0 * a[t]) + (w1 * b[t]) + (w2 * c[t]) + (w3 * e[t]);
        }
    }

    /// <summary>Whether <see cref="WeightedRows"/> with <paramref name="stream"/> writes a row of these taps (none the cval row) by <see cref="Streamed"/>.</summary>
    private static bool Streams(bool stream, int taps, int width) => stream && Avx.IsSupported && Vector<float>.Count == 8 && width >= 64 && taps is 2 or 4;

    /// <summary>
    /// <see cref="WeightedRows"/> of taps none of which is the cval row, each value then clipped by <paramref name="clip"/>,
    /// written with non-temporal stores where <paramref name="stream"/> asks (and <see cref="Streams"/> allows): the
    /// same bits as the weighted row then <see cref="ClipRange.Apply"/>, without a pass over the row after.
    /// </summary>
    internal static void WeightedRowsClipped(ReadOnlySpan<float> y, int stride, int width, ReadOnlySpan<int> index, ReadOnlySpan<float> weight, ClipRange clip, Span<float> dst, bool stream)
    {
        int taps = index.Length;
        if (!Streams(stream, taps, width))
        {
            WeightedRows(y, stride, width, index, weight, -1, default, dst);
            clip.Apply(dst[..width], dst[..width], stream: false);
            return;
        }

        Span<int> offsets = stackalloc int[taps];
        for (int k = 0; k < taps; k++)
        {
            offsets[k] = index[k] * stride;
        }

        switch (clip.Rule)
        {
            case ClipRule.Native:
                Streamed(y, width, offsets, weight, dst, new NativeClip(clip.Lo, clip.Hi));
                break;
            case ClipRule.NativeZeroLow:
                Streamed(y, width, offsets, weight, dst, new NativeZeroLowClip(clip.Lo, clip.Hi));
                break;
            default:
                Streamed(y, width, offsets, weight, dst, new IeeeClip(clip.Lo, clip.Hi));
                break;
        }
    }

    /// <summary>
    /// <see cref="WeightedRows"/> for 2 or 4 taps with non-temporal stores (the output row goes straight to memory
    /// instead of evicting the cached inputs; for outputs far larger than the caches), each value then through
    /// <paramref name="clip"/> (<see cref="NoClip"/>: none). Same arithmetic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Streamed<TClip>(ReadOnlySpan<float> y, int width, ReadOnlySpan<int> offsets, ReadOnlySpan<float> weight, Span<float> dst, TClip clip)
        where TClip : struct, IClip
    {
        int taps = offsets.Length;
        fixed (float* py = y, pd = dst)
        {
            float* a = py + offsets[0], b = py + offsets[1];
            float* c = taps == 4 ? py + offsets[2] : a, e = taps == 4 ? py + offsets[3] : a;
            float wa = weight[0], wb = weight[1], wc = taps == 4 ? weight[2] : 0f, we = taps == 4 ? weight[3] : 0f;
            int t = 0;
            while (t < width && ((nuint)(pd + t) & 31) != 0)
            {
                pd[t] = clip.Apply(taps == 4 ? (wa * a[t]) + (wb * b[t]) + (wc * c[t]) + (we * e[t]) : (wa * a[t]) + (wb * b[t]));
                t++;
            }

            var va = Vector256.Create(wa);
            var vb = Vector256.Create(wb);
            var vc = Vector256.Create(wc);
            var ve = Vector256.Create(we);
            if (taps == 4)
            {
                for (; t <= width - 8; t += 8)
                {
                    Avx.StoreAlignedNonTemporal(pd + t, clip.Apply((va * Avx.LoadVector256(a + t)) + (vb * Avx.LoadVector256(b + t)) + (vc * Avx.LoadVector256(c + t)) + (ve * Avx.LoadVector256(e + t))));
                }
            }
            else
            {
                for (; t <= width - 8; t += 8)
                {
                    Avx.StoreAlignedNonTemporal(pd + t, clip.Apply((va * Avx.LoadVector256(a + t)) + (vb * Avx.LoadVector256(b + t))));
                }
            }

            for (; t < width; t++)
            {
                pd[t] = clip.Apply(taps == 4 ? (wa * a[t]) + (wb * b[t]) + (wc * c[t]) + (we * e[t]) : (wa * a[t]) + (wb * b[t]));
            }
        }
    }

    /// <summary>dst = src with non-temporal stores (AVX; dst aligned to 32 bytes after a scalar head).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void StreamCopy(ReadOnlySpan<float> src, Span<float> dst)
    {
        int n = src.Length, k = 0;
        fixed (float* s = src, d = dst)
        {
            for (; k < n && ((nuint)(d + k) & 31) != 0; k++)
            {
                d[k] = s[k];
            }

            for (; k <= n - 8; k += 8)
            {
                Avx.StoreAlignedNonTemporal(d + k, Avx.LoadVector256(s + k));
            }

            for (; k < n; k++)
            {
                d[k] = s[k];
            }
        }
    }

    /// <summary>The passes of one frame, with what both orders share.</summary>
    private sealed class Job(AxisPlan rowPlan, AxisPlan colPlan, SplinePrefilterPlan? colFilter, PermutedTaps? along, int cols, int pad1, bool edge, float cval, int outRows, int outCols, ClipRange? clip, float[]? rowRanges)
    {
        private static readonly int L = Vector<float>.Count;

        /// <summary>Records the range of output rows i0.. (made, stride outCols) when row ranges are wanted.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Record(int i0, ReadOnlySpan<float> made, int n)
        {
            if (rowRanges is null)
            {
                return;
            }

            for (int r = 0; r < n; r++)
            {
                var (lo, hi, _) = Extremes.NanMinMax(made.Slice(r * outCols, outCols));
                rowRanges[2 * (i0 + r)] = lo;
                rowRanges[(2 * (i0 + r)) + 1] = hi;
            }
        }

        /// <summary>Lane-layout line length: the padded row plus one cval element (and for the permutes every window).</summary>
        private int LaneLength => Math.Max((colPlan.CoefLength + 1) * L, along?.LineLength ?? 0);

        /// <summary>
        /// Vertical pass into strips of 2 L output rows, then each strip's horizontal pass in lane layout; with
        /// <paramref name="rowsMade"/>, <paramref name="y"/> holds the vertical pass already (one row per output row).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void VerticalFirst(ReadOnlyMemory<float> y, Memory<float> dst, int threads, bool rowsMade = false)
        {
            int strips = (outRows + (2 * L) - 1) / (2 * L);
            var cvalRow = CvalRow(cols, cval);
            RunStrips(strips, threads, () => new Buffers(rowsMade ? 0 : 2 * L * cols, 2 * LaneLength, colPlan.OutLength * L), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, buf) =>
            {
                var ys = y.Span;
                int r0 = s * 2 * L, n = Math.Min(2 * L, outRows - r0);
                if (!rowsMade)
                {
                    for (int r = 0; r < n; r++)
                    {
                        int i = r0 + r;
                        WeightedRows(ys, cols, cols, rowPlan.Index.AsSpan(i * rowPlan.Taps, rowPlan.Taps), rowPlan.Weight.AsSpan(i * rowPlan.Taps, rowPlan.Taps), rowPlan.CoefLength, cvalRow, buf.Rows.AsSpan(r * cols, cols));
                    }
                }

                Finish(rowsMade ? ys.Slice(r0 * cols, n * cols) : buf.Rows, r0, n, buf, dst.Span);
            });
        }

        /// <summary>Output-row chunks of <see cref="Banded"/> are cut only at multiples of this many rows (of 2 L rows for any L up to 32).</summary>
        public const int ChunkStep = 64;

        /// <summary>
        /// <see cref="Banded"/> makes a power of two of chunks of at least this many coefficient rows each, and bands only
        /// columns of at least two chunks (shorter ones keep the whole-column path, whose blocks and strips the threads
        /// share): 512 x 512 zoom 2 order 3 took 0.88 ms in one chunk against 0.41-0.63 before; chunks of 192 rows
        /// instead made 1024 x 1024 zoom 0.5 order 3 0.43-0.45 ms against 0.37-0.40 (each chunk's warm-up).
        /// </summary>
        public const int ChunkCoefRows = 384;

        /// <summary>The horizontal pass of a strip's n vertical rows (output rows r0 ..), then its clip and row ranges.</summary>
        private void Finish(ReadOnlySpan<float> rows, int r0, int n, Buffers buf, Span<float> dst)
        {
            Horizontal(rows, cols, n, buf, dst.Slice(r0 * outCols), outCols);
            if (clip is { } c)
            {
                var done = dst.Slice(r0 * outCols, n * outCols);
                c.Apply(done, done, stream: false);
            }

            Record(r0, dst.Slice(r0 * outCols, n * outCols), n);
        }

        /// <summary>
        /// <see cref="VerticalFirst"/> with the vertical prefilter made in row bands (<see cref="SplineRowBands"/>):
        /// each thread takes a run of strips, makes the coefficient rows its strips read band by band, each strip's
        /// vertical rows as soon as their taps are made, and its horizontal pass at once: the input is read once and
        /// only the output is written. False (nothing done) where the bands cannot serve these taps: a tap below the
        /// rows the ring still holds.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool Banded(ReadOnlyMemory<float> src, int[] start, SplinePrefilterPlan rowFilter, Memory<float> dst, int threads, int band, float[]? inputRange = null)
        {
            int taps = rowPlan.Taps, coefRows = rowPlan.CoefLength;

            // Chunks of output rows, each with its own bands: a power of two of them, about ChunkCoefRows coefficient rows
            // each, cut at multiples of ChunkStep output rows (the same cuts for any thread count, so the same bits).
            int chunks = 1;
            while (chunks * 2 * ChunkCoefRows <= coefRows && outRows / (chunks * 2) >= ChunkStep)
            {
                chunks *= 2;
            }

            var cuts = new int[chunks + 1];
            for (int k = 0; k <= chunks; k++)
            {
                cuts[k] = k == chunks ? outRows : (int)((long)outRows * k / chunks / ChunkStep * ChunkStep);
            }

            // Every output row's taps (the cval row aside) must lie within the ring when its last tap is made: at most
            // Slack rows above the highest tap so far (the ring holds a band, its warm-up and Slack rows more).
            var first = new int[chunks];
            for (int k = 0; k < chunks; k++)
            {
                int lo = int.MaxValue, high = -1;
                for (int i = cuts[k]; i < cuts[k + 1]; i++)
                {
                    int a = int.MaxValue, b = -1;
                    for (int q = 0; q < taps; q++)
                    {
                        int t = rowPlan.Index[(i * taps) + q];
                        if (t != coefRows)
                        {
                            a = Math.Min(a, t);
                            b = Math.Max(b, t);
                        }
                    }

                    if (b < 0)
                    {
                        continue;
                    }

                    high = Math.Max(high, b);
                    if (a < high - SplineRowBands.Slack)
                    {
                        return false;
                    }

                    lo = Math.Min(lo, a);
                }

                first[k] = lo == int.MaxValue ? 0 : lo;
            }

            var cvalRow = CvalRow(cols, cval);
            var read = new (int First, int Last, float Min, float Max, bool HasNan)[chunks];
            var nonFinite = new bool[chunks];
            void Chunk(int k)
            {
                using var bands = SplineRowBands.Chain(src, start, cvalRow, cols, rowFilter, first[k], band, findRange: inputRange is not null);
                using var buf = new Buffers(2 * L * cols, 2 * LaneLength, colPlan.OutLength * L);
                Span<int> slots = stackalloc int[taps];
                for (int r0 = cuts[k]; r0 < cuts[k + 1]; r0 += 2 * L)
                {
                    int n = Math.Min(2 * L, cuts[k + 1] - r0);
                    for (int r = 0; r < n; r++)
                    {
                        int i = r0 + r;
                        var index = rowPlan.Index.AsSpan(i * taps, taps);
                        var weight = rowPlan.Weight.AsSpan(i * taps, taps);
                        bool cvalTap = false;
                        int need = -1;
                        foreach (int t in index)
                        {
                            cvalTap |= t == coefRows;
                            need = t == coefRows ? need : Math.Max(need, t);
                        }

                        bands.MakeThrough(need);
                        for (int q = 0; q < taps; q++)
                        {
                            if (index[q] != coefRows && (index[q] < bands.ValidFrom || index[q] >= bands.Made))
                            {
                                throw new InvalidOperationException($"row band: tap {index[q]} of output row {i} is not held ({bands.ValidFrom}..{bands.Made - 1})");
                            }

                            slots[q] = index[q] == coefRows ? bands.RingRows : bands.Slot(index[q]);
                        }

                        var made = buf.Rows.AsSpan(r * cols, cols);
                        if (taps == 4 && !cvalTap)
                        {
                            WeightedRows4(bands.Ring, cols, slots, weight, made);
                        }
                        else
                        {
                            WeightedRows(bands.Ring, cols, cols, slots, weight, bands.RingRows, cvalRow, made);
                        }
                    }

                    Finish(buf.Rows, r0, n, buf, dst.Span);
                }

                read[k] = bands.Range;
                nonFinite[k] = bands.SawNonFinite();
            }

            if (chunks == 1 || threads <= 1)
            {
                for (int k = 0; k < chunks; k++)
                {
                    Chunk(k);
                }
            }
            else
            {
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, Chunk);
            }

            // NaN or an infinity anywhere in a column fills it in the whole-column prefilter (and the output with it):
            // then that path makes the output again (a rare input; the bands would stop the value after Reach rows).
            // (The range is written either way; where the whole-column path runs instead, it writes its own.)
            bool gapNonFinite = RangeOfReads(src.Span, read, threads, inputRange ?? new float[3]);
            return !gapNonFinite && !nonFinite.Any(b => b);
        }

        /// <summary>
        /// The input's (nanmin, nanmax, any NaN) into range[0..2] (any NaN as 1 or 0) from the chunks' runs of rows read
        /// and their ranges (when the chunks found them), with the rows no chunk read found by a pass of their own:
        /// <see cref="Extremes.NanMinMax(ReadOnlySpan{float}, int)"/> of the whole input (min and max are order-free, -0
        /// below +0). Returns whether the rows no chunk read hold NaN or an infinity.
        /// </summary>
        private bool RangeOfReads(ReadOnlySpan<float> input, (int First, int Last, float Min, float Max, bool HasNan)[] read, int threads, float[] range)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            bool nan = false, gapNonFinite = false;
            void Add(float l, float h, bool n)
            {
                nan |= n;
                if (!float.IsNaN(l))
                {
                    lo = Math.Min(lo, l);
                    hi = Math.Max(hi, h);
                }
            }

            void Gap(ReadOnlySpan<float> rowsNotRead)
            {
                var (l, h, n) = Extremes.NanMinMax(rowsNotRead, threads);
                gapNonFinite |= n || float.IsInfinity(l) || float.IsInfinity(h);
                Add(l, h, n);
            }

            int rows = input.Length / cols, next = 0; // the first input row not yet covered
            foreach (var r in read.Where(r => r.First <= r.Last).OrderBy(r => r.First))
            {
                int a = r.First / cols, b = r.Last / cols;
                if (a > next)
                {
                    Gap(input.Slice(next * cols, (a - next) * cols));
                }

                Add(r.Min, r.Max, r.HasNan);
                next = Math.Max(next, b + 1);
            }

            if (next < rows)
            {
                Gap(input[(next * cols)..(rows * cols)]);
            }

            range[0] = lo > hi ? float.NaN : lo;
            range[1] = lo > hi ? float.NaN : hi;
            range[2] = nan ? 1 : 0;
            return gapNonFinite;
        }

        /// <summary>
        /// Each output row: its vertical weighted sum into a padded line (as <see cref="VerticalFirst"/>'s rows), then
        /// the horizontal pass along that line by permutes straight into the output row. Rows split over the threads.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void AlongRows(ReadOnlyMemory<float> y, Memory<float> dst, PermutedTaps along, int threads)
        {
            int c1 = colPlan.CoefLength;
            int lineLength = Math.Max(along.LineLength, c1 + 1);
            int rowsPerStrip = Math.Max(1, Math.Min(16, (outRows + (4 * threads) - 1) / (4 * threads)));
            int strips = (outRows + rowsPerStrip - 1) / rowsPerStrip;
            var cvalRow = CvalRow(cols, cval);

            // Non-temporal stores only where the output is at least the input's size: a shrink reads more than it
            // writes, and streaming its few writes past the caches slowed its reads (zoom 0.5 order 1, 2 threads,
            // three alternating pairs: 4096 x 4096 2.77-2.86 ms cached against 2.94-3.15 streamed, 8192 x 8192
            // 7.8-8.2 against 9.6-11.7).
            bool stream = (long)outRows * outCols >= StreamingOutput && (long)outRows * outCols >= (long)rowPlan.CoefLength * cols && Avx.IsSupported;

            // Order 1 both ways, no pre-pad, rows that shrink (the blocks' windows together at most 1.5 rows long): most
            // blocks take their vertical sums in registers (PermutedTaps.WholeFromRows). Where windows overlap more (a
            // zoom of 2 makes each vertical sum 3.5 times) the line is cheaper: measured slower there.
            bool fuse = along.CanFuseRows && rowPlan.Taps == 2 && pad1 == 0 && (long)along.Blocks * PermutedTaps.Window * 2 <= 3L * cols;
            RunStrips(strips, threads, () => new Buffers(lineLength, 1, stream ? outCols : 0), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, buf) =>
            {
                var ys = y.Span;
                var ds = dst.Span;
                var line = Line(buf.Rows.AsSpan(0, lineLength));
                int i0 = s * rowsPerStrip, i1 = Math.Min(outRows, i0 + rowsPerStrip);
                for (int i = i0; i < i1; i++)
                {
                    if (rowPlan.Outside[i])
                    {
                        continue; // FillOutside writes cval there
                    }

                    var done = ds.Slice(i * outCols, outCols);
                    var made = stream ? buf.Out.AsSpan(0, outCols) : done;
                    var index = rowPlan.Index.AsSpan(i * rowPlan.Taps, rowPlan.Taps);
                    var weight = rowPlan.Weight.AsSpan(i * rowPlan.Taps, rowPlan.Taps);
                    if (fuse && index[0] != rowPlan.CoefLength && index[1] != rowPlan.CoefLength)
                    {
                        // The blocks at the row's end from a line made only where they read it.
                        int k = along.WholeFromRows(ys.Slice(index[0] * cols, cols), ys.Slice(index[1] * cols, cols), weight[0], weight[1], cval, made);
                        if (k < along.Blocks)
                        {
                            int from = Math.Min(cols, along.LowestBaseFrom[k]);
                            WeightedRows(ys[from..], cols, cols - from, index, weight, rowPlan.CoefLength, cvalRow, line[from..cols]);
                            along.Resample(line, made, k);
                        }
                    }
                    else
                    {
                        WeightedRows(ys, cols, cols, index, weight, rowPlan.CoefLength, cvalRow, line.Slice(pad1, cols));
                        PadLine(line, cols);
                        along.Resample(line, made);
                    }

                    if (stream)
                    {
                        // The row made in a cached row, then written past the caches (no read of the output's lines).
                        Record(i, made, 1);
                        if (clip is { } c)
                        {
                            c.Apply(made, done, stream: true);
                        }
                        else
                        {
                            StreamCopy(made, done);
                        }
                    }
                    else
                    {
                        if (clip is { } c)
                        {
                            c.Apply(done, done, stream: false);
                        }

                        Record(i, done, 1);
                    }
                }
            });
        }

        /// <summary>
        /// Whether <see cref="ByPairs"/> applies: order 1 on both axes (2 taps), no horizontal prefilter or pre-pad, AVX2,
        /// and a shrink of the columns by 2 or more (the full-width vertical sums would be mostly unread).
        /// </summary>
        public bool TakesPairs => Avx2.IsSupported && rowPlan.Taps == 2 && colPlan.Taps == 2 && colFilter is null && pad1 == 0
            && 2L * outCols <= cols;

        /// <summary>
        /// The vertical pass first, row by row, made only where the horizontal taps read it: for output row i (taps
        /// rows a, b with weights wa, wb) and output column j (taps c, c + 1 with weights u0, u1):
        /// <code>
        /// out[i, j] = (u0 * ((wa * a[c]) + (wb * b[c]))) + (u1 * ((wa * a[c + 1]) + (wb * b[c + 1])))
        /// </code>
        /// the operations of <see cref="WeightedRows"/> then <see cref="Resample"/>'s two taps, so the bits of
        /// <see cref="VerticalFirst"/>. Eight outputs whose taps all read such pairs take their pairs from each row as
        /// 64-bit loads (four to a vector; AVX2's gathers were slower on Zen 4), the products by the interleaved column
        /// weights, and first taps plus second taps; other outputs (mapped edges, the cval column) one by one, and a row
        /// with a cval tap through a whole vertical line.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ByPairs(ReadOnlyMemory<float> y, Memory<float> dst, int threads)
        {
            // Per block of 8 outputs: whether every output reads a pair (c, c + 1) inside the row.
            int blocks = outCols / 8;
            var pairs = new bool[blocks];
            var index = colPlan.Index;
            for (int q = 0; q < blocks; q++)
            {
                bool all = true;
                for (int j = 8 * q; j < (8 * q) + 8 && all; j++)
                {
                    all = index[(2 * j) + 1] == index[2 * j] + 1 && index[(2 * j) + 1] < cols;
                }

                pairs[q] = all;
            }

            int rowsPerStrip = Math.Max(1, Math.Min(16, (outRows + (4 * threads) - 1) / (4 * threads)));
            int strips = (outRows + rowsPerStrip - 1) / rowsPerStrip;
            var cvalRow = CvalRow(cols, cval);
            RunStrips(strips, threads, () => new Buffers(cols + 1, 1, 0), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, buf) =>
            {
                var ys = y.Span;
                var ds = dst.Span;
                int i0 = s * rowsPerStrip, i1 = Math.Min(outRows, i0 + rowsPerStrip);
                for (int i = i0; i < i1; i++)
                {
                    if (rowPlan.Outside[i])
                    {
                        continue; // FillOutside writes cval there
                    }

                    var done = ds.Slice(i * outCols, outCols);
                    var rows = rowPlan.Index.AsSpan(2 * i, 2);
                    var weight = rowPlan.Weight.AsSpan(2 * i, 2);
                    if (rows[0] == rowPlan.CoefLength || rows[1] == rowPlan.CoefLength)
                    {
                        // A tap on the cval row: the whole vertical line (as VerticalFirst makes it), then the taps.
                        var line = buf.Rows.AsSpan(0, cols + 1);
                        WeightedRows(ys, cols, cols, rows, weight, rowPlan.CoefLength, cvalRow, line);
                        line[cols] = cval;
                        for (int j = 0; j < outCols; j++)
                        {
                            done[j] = (colPlan.Weight[2 * j] * line[index[2 * j]]) + (colPlan.Weight[(2 * j) + 1] * line[index[(2 * j) + 1]]);
                        }
                    }
                    else
                    {
                        PairsRow(ys.Slice(rows[0] * cols, cols), ys.Slice(rows[1] * cols, cols), weight[0], weight[1], pairs, done);
                    }

                    if (clip is { } c)
                    {
                        c.Apply(done, done, stream: false);
                    }

                    Record(i, done, 1);
                }
            });
        }

        /// <summary>One output row of <see cref="ByPairs"/> from input rows a and b (neither the cval row).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe void PairsRow(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float wa, float wb, bool[] pairs, Span<float> dst)
        {
            int[] index = colPlan.Index;
            float[] weight = colPlan.Weight;
            var va = Vector256.Create(wa);
            var vb = Vector256.Create(wb);
            fixed (float* pa = a, pb = b, pw = weight, pd = dst)
            fixed (int* pi = index)
            {
                for (int q = 0; q < pairs.Length; q++)
                {
                    int j = 8 * q;
                    if (pairs[q])
                    {
                        int* c = pi + (2 * j);
                        var v0 = (va * Pairs(pa, c)) + (vb * Pairs(pb, c));
                        var v1 = (va * Pairs(pa, c + 8)) + (vb * Pairs(pb, c + 8));
                        var p0 = Avx.LoadVector256(pw + (2 * j)) * v0;
                        var p1 = Avx.LoadVector256(pw + (2 * j) + 8) * v1;

                        // First taps plus second taps (not hadd, whose a1 + a0 would pick the other NaN of two):
                        // (o0, o1, o4, o5 | o2, o3, o6, o7); the 64-bit lanes back in order.
                        var sums = Avx.Shuffle(p0, p1, 0b10_00_10_00) + Avx.Shuffle(p0, p1, 0b11_01_11_01);
                        Avx2.Permute4x64(sums.AsDouble(), 0b11_01_10_00).AsSingle().Store(pd + j);
                    }
                    else
                    {
                        for (int k = j; k < j + 8; k++)
                        {
                            pd[k] = One(pa, pb, wa, wb, pi, pw, k);
                        }
                    }
                }

                for (int k = 8 * pairs.Length; k < dst.Length; k++)
                {
                    pd[k] = One(pa, pb, wa, wb, pi, pw, k);
                }
            }
        }

        /// <summary>(x[c[0]], x[c[0] + 1], x[c[2]], x[c[2] + 1], ... x[c[6] + 1]): four pairs, each one 64-bit load.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe Vector256<float> Pairs(float* x, int* c) =>
            Vector256.Create(*(long*)(x + c[0]), *(long*)(x + c[2]), *(long*)(x + c[4]), *(long*)(x + c[6])).AsSingle();

        /// <summary>Output k of a <see cref="PairsRow"/> one value at a time (index cols: cval).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private unsafe float One(float* a, float* b, float wa, float wb, int* index, float* weight, int k)
        {
            int c0 = index[2 * k], c1 = index[(2 * k) + 1];
            float x0 = c0 == cols ? cval : (wa * a[c0]) + (wb * b[c0]);
            float x1 = c1 == cols ? cval : (wa * a[c1]) + (wb * b[c1]);
            return (weight[2 * k] * x0) + (weight[(2 * k) + 1] * x1);
        }

        /// <summary>A permute line: cval at CoefLength, zeros after it (never chosen; cleared so nothing stale is read).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private Span<float> Line(Span<float> line)
        {
            int c1 = colPlan.CoefLength;
            line[(c1 + 1)..].Clear();
            line[c1] = cval;
            return line;
        }

        /// <summary>The pre-pad on both sides of the row at [pad1, pad1 + width): copies of its ends (nearest) or cval.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void PadLine(Span<float> line, int width)
        {
            for (int p = 0; p < pad1; p++)
            {
                line[p] = edge ? line[pad1] : cval;
                line[pad1 + width + p] = edge ? line[pad1 + width - 1] : cval;
            }
        }

        /// <summary>
        /// Bands of output rows: each band runs the horizontal pass on just the coefficient rows its vertical taps read
        /// (a contiguous run read in place, or, at mapped edges, those rows copied together), into a band buffer that
        /// stays in cache, then the vertical pass of its output rows from that buffer.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void HorizontalFirst(ReadOnlyMemory<float> y, int coefRows, Memory<float> dst, int threads)
        {
            // The cval row after the horizontal pass: cval times each output's weight sum.
            var cvalRow = new float[outCols];
            for (int j = 0; j < outCols; j++)
            {
                float sum = 0;
                for (int b = 0; b < colPlan.Taps; b++)
                {
                    sum += colPlan.Weight[(j * colPlan.Taps) + b];
                }

                cvalRow[j] = cval * sum;
            }

            var (lo, hi) = rowPlan.Span;
            int used = Math.Max(1, hi - lo + 1);
            int taps = rowPlan.Taps;
            bool stream = (long)outRows * outCols >= StreamingOutput;
            int targetRows = Math.Max(2 * L, Math.Min(256, (256 << 10) / (4 * Math.Max(1, outCols))));
            int bandRows = Math.Max(1, (int)Math.Min(outRows, (long)targetRows * outRows / used));
            bandRows = Math.Min(bandRows, Math.Max(1, (outRows + (2 * threads) - 1) / (2 * threads)));
            int bands = (outRows + bandRows - 1) / bandRows;
            int maxBandSources = Math.Min(coefRows, (bandRows * taps) + L);
            RunStrips(bands, threads, () => new Buffers(maxBandSources * cols, 2 * LaneLength, colPlan.OutLength * L, maxBandSources * outCols, coefRows), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (band, buf) =>
            {
                int k0 = band * bandRows, k1 = Math.Min(outRows, k0 + bandRows);
                var mark = buf.Marks;
                int stamp = ++buf.Stamp;
                var sources = buf.Sources;
                int count = 0;
                for (int k = k0 * taps; k < k1 * taps; k++)
                {
                    int idx = rowPlan.Index[k];
                    if (idx != rowPlan.CoefLength && mark[idx] != stamp)
                    {
                        mark[idx] = stamp;
                        sources[count++] = idx;
                    }
                }

                Array.Sort(sources, 0, count);
                var ys = y.Span;
                ReadOnlySpan<float> rows;
                if (count > 0 && sources[count - 1] - sources[0] + 1 == count)
                {
                    rows = ys.Slice(sources[0] * cols, count * cols);
                }
                else
                {
                    for (int q = 0; q < count; q++)
                    {
                        ys.Slice(sources[q] * cols, cols).CopyTo(buf.Rows.AsSpan(q * cols, cols));
                    }

                    rows = buf.Rows.AsSpan(0, count * cols);
                }

                for (int q = 0; q < count; q++)
                {
                    mark[sources[q]] = stamp;
                    buf.Slot[sources[q]] = q;
                }

                var mid = buf.Mid.AsSpan(0, Math.Max(1, count * outCols));
                for (int r0 = 0; r0 < count; r0 += 2 * L)
                {
                    int n = Math.Min(2 * L, count - r0);
                    Horizontal(rows.Slice(r0 * cols), cols, n, buf, mid.Slice(r0 * outCols), outCols);
                }

                Span<int> local = stackalloc int[taps];
                var ds = dst.Span;
                for (int k = k0; k < k1; k++)
                {
                    for (int b = 0; b < taps; b++)
                    {
                        int idx = rowPlan.Index[(k * taps) + b];
                        local[b] = idx == rowPlan.CoefLength ? count : buf.Slot[idx];
                    }

                    if (clip is { } c && local.IndexOf(count) < 0 && (!stream || Streams(stream, taps, outCols)))
                    {
                        // Clipped as it is written (straight to memory when streaming).
                        WeightedRowsClipped(mid, outCols, outCols, local, rowPlan.Weight.AsSpan(k * taps, taps), c, ds.Slice(k * outCols, outCols), stream);
                    }
                    else if (clip is { } cut)
                    {
                        // A row reading the cval row, or of taps that do not stream: in a cached scratch row first, then clipped on its way out.
                        var row = buf.Out.AsSpan(0, outCols);
                        WeightedRows(mid, outCols, outCols, local, rowPlan.Weight.AsSpan(k * taps, taps), count, cvalRow, row);
                        cut.Apply(row, ds.Slice(k * outCols, outCols), stream);
                    }
                    else if (rowRanges is not null)
                    {
                        // The row in a cached scratch row first: its range found there, then copied on its way out.
                        var row = buf.Out.AsSpan(0, outCols);
                        WeightedRows(mid, outCols, outCols, local, rowPlan.Weight.AsSpan(k * taps, taps), count, cvalRow, row);
                        Record(k, row, 1);
                        if (stream)
                        {
                            StreamCopy(row, ds.Slice(k * outCols, outCols));
                        }
                        else
                        {
                            row.CopyTo(ds.Slice(k * outCols, outCols));
                        }
                    }
                    else
                    {
                        WeightedRows(mid, outCols, outCols, local, rowPlan.Weight.AsSpan(k * taps, taps), count, cvalRow, ds.Slice(k * outCols, outCols), stream);
                    }
                }
            });
        }

        /// <summary>
        /// The horizontal pass of n (&lt;= 2 L) rows of width `cols` (stride `cols`): to lane layout with the pre-pad,
        /// prefilter, weighted sums, back to rows of dst (stride `stride`).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Horizontal(ReadOnlySpan<float> rows, int width, int n, Buffers buf, Span<float> dst, int stride)
        {
            int c1 = colPlan.CoefLength;
            if (along is not null)
            {
                // Row by row along a padded line (the same values the lane layout holds), by permutes.
                var line = Line(buf.Lanes.AsSpan(0, along.LineLength));
                for (int r = 0; r < n; r++)
                {
                    rows.Slice(r * width, width).CopyTo(line.Slice(pad1, width));
                    PadLine(line, width);
                    along.Resample(line, dst.Slice(r * stride, outCols));
                }

                return;
            }

            // Up to two groups of L rows, each in its own lane matrix; their prefilters run interleaved.
            int laneLength = LaneLength, groups = (n + L - 1) / L;
            for (int g = 0; g < groups; g++)
            {
                var lanes = buf.Lanes.AsSpan(g * laneLength, laneLength);
                int ng = Math.Min(L, n - (g * L));
                Transpose.ToLanes(rows.Slice(g * L * width), width, ng, width, lanes.Slice(pad1 * L, width * L));
                for (int p = 0; p < pad1; p++)
                {
                    if (edge)
                    {
                        lanes.Slice(pad1 * L, L).CopyTo(lanes.Slice(p * L, L));
                        lanes.Slice((pad1 + width - 1) * L, L).CopyTo(lanes.Slice((pad1 + width + p) * L, L));
                    }
                    else
                    {
                        lanes.Slice(p * L, L).Fill(cval);
                        lanes.Slice((pad1 + width + p) * L, L).Fill(cval);
                    }
                }

                lanes.Slice(c1 * L, L).Fill(cval);
            }

            if (colFilter is not null)
            {
                if (groups == 2)
                {
                    SplinePrefilter.LanesPair(buf.Lanes.AsSpan(0, laneLength), buf.Lanes.AsSpan(laneLength, laneLength), colFilter);
                }
                else
                {
                    SplinePrefilter.Lanes(buf.Lanes.AsSpan(0, laneLength), colFilter);
                }
            }

            for (int g = 0; g < groups; g++)
            {
                int ng = Math.Min(L, n - (g * L));
                Resample(buf.Lanes.AsSpan(g * laneLength, laneLength), buf.Out);
                Transpose.FromLanes(buf.Out, outCols, dst.Slice(g * L * stride), stride, ng);
            }
        }

        /// <summary>out[k] = sum_b w[k, b] * lanes[index[k, b]] (vectors of L lanes).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Resample(ReadOnlySpan<float> lanes, Span<float> output)
        {
            int taps = colPlan.Taps;
            ref float l0 = ref MemoryMarshal.GetReference(lanes);
            ref float o0 = ref MemoryMarshal.GetReference(output);
            ref int i0 = ref MemoryMarshal.GetArrayDataReference(colPlan.Index);
            ref float w0 = ref MemoryMarshal.GetArrayDataReference(colPlan.Weight);
            int m = colPlan.OutLength;
            switch (taps)
            {
                case 1:
                    for (int k = 0; k < m; k++)
                    {
                        Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, k) * L)).StoreUnsafe(ref o0, (nuint)(k * L));
                    }

                    break;
                case 2:
                    for (int k = 0; k < m; k++)
                    {
                        int at = 2 * k;
                        var acc = Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, at) * L)) * Unsafe.Add(ref w0, at);
                        acc += Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, at + 1) * L)) * Unsafe.Add(ref w0, at + 1);
                        acc.StoreUnsafe(ref o0, (nuint)(k * L));
                    }

                    break;
                case 4:
                    for (int k = 0; k < m; k++)
                    {
                        int at = 4 * k;
                        var acc = Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, at) * L)) * Unsafe.Add(ref w0, at);
                        acc += Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, at + 1) * L)) * Unsafe.Add(ref w0, at + 1);
                        acc += Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, at + 2) * L)) * Unsafe.Add(ref w0, at + 2);
                        acc += Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, at + 3) * L)) * Unsafe.Add(ref w0, at + 3);
                        acc.StoreUnsafe(ref o0, (nuint)(k * L));
                    }

                    break;
                default:
                    for (int k = 0; k < m; k++)
                    {
                        int at = taps * k;
                        var acc = Vector<float>.Zero;
                        for (int b = 0; b < taps; b++)
                        {
                            acc += Vector.LoadUnsafe(ref l0, (nuint)(Unsafe.Add(ref i0, at + b) * L)) * Unsafe.Add(ref w0, at + b);
                        }

                        acc.StoreUnsafe(ref o0, (nuint)(k * L));
                    }

                    break;
            }
        }

        private static void RunStrips(int strips, int threads, Func<Buffers> make, Action<int, Buffers> body)
        {
            int workers = Math.Min(threads, strips);
            if (workers <= 1)
            {
                var buf = make();
                try
                {
                    for (int s = 0; s < strips; s++)
                    {
                        body(s, buf);
                    }
                }
                finally
                {
                    buf.Dispose();
                }

                return;
            }

            int next = -1;
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (_) =>
            {
                var buf = make();
                try
                {
                    int s;
                    while ((s = Interlocked.Increment(ref next)) < strips)
                    {
                        body(s, buf);
                    }
                }
                finally
                {
                    buf.Dispose();
                }
            });
        }
    }

    /// <summary>A worker's scratch: rows of a strip, its lane-layout line, the lane-layout output, and for bands their rows and marks.</summary>
    private sealed class Buffers : IDisposable
    {
        public Buffers(int rows, int lanes, int output, int mid = 0, int coefRows = 0)
        {
            Rows = ArrayPool<float>.Shared.Rent(Math.Max(1, rows));
            Lanes = ArrayPool<float>.Shared.Rent(lanes);
            Out = ArrayPool<float>.Shared.Rent(Math.Max(1, output));
            Mid = mid > 0 ? ArrayPool<float>.Shared.Rent(mid) : [];
            Marks = coefRows > 0 ? new int[coefRows] : [];
            Slot = coefRows > 0 ? new int[coefRows] : [];
            Sources = coefRows > 0 ? new int[coefRows] : [];
        }

        public float[] Rows { get; }

        public float[] Lanes { get; }

        public float[] Out { get; }

        /// <summary>A band's horizontal results.</summary>
        public float[] Mid { get; }

        /// <summary>Per coefficient row: the stamp of the band that last listed it.</summary>
        public int[] Marks { get; }

        /// <summary>Per coefficient row: its row in <see cref="Mid"/> for the current band.</summary>
        public int[] Slot { get; }

        /// <summary>The current band's coefficient rows.</summary>
        public int[] Sources { get; }

        public int Stamp { get; set; }

        public void Dispose()
        {
            ArrayPool<float>.Shared.Return(Rows);
            ArrayPool<float>.Shared.Return(Lanes);
            ArrayPool<float>.Shared.Return(Out);
            if (Mid.Length > 0)
            {
                ArrayPool<float>.Shared.Return(Mid);
            }
        }
    }
}

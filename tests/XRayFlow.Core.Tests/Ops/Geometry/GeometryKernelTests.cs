using System.Numerics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>
/// The fast geometry kernels (float32, SIMD, lane layout, both pass orders, threads) against their scalar meaning
/// (<see cref="SplineReference"/>, <see cref="BSpline.PrefilterLine"/>, in double) for every length 1..N along each
/// axis, every interpolation mode and order, fixed random seeds. The SciPy numbers themselves are checked by the op
/// fixtures (tests/fixtures/opcases/geometry.py).
/// </summary>
public class GeometryKernelTests
{
    /// <summary>float32 against double: |fast - reference| &lt;= this x max(|reference|, |cval|, 1).</summary>
    private const double Tolerance = 3e-5;

    public static TheoryData<SplineMode, int> ModesAndOrders()
    {
        var data = new TheoryData<SplineMode, int>();
        foreach (var mode in Enum.GetValues<SplineMode>())
        {
            for (int order = 0; order <= BSpline.MaxOrder; order++)
            {
                data.Add(mode, order);
            }
        }

        return data;
    }

    public static TheoryData<PrefilterBoundary, int> BoundariesAndOrders()
    {
        var data = new TheoryData<PrefilterBoundary, int>();
        foreach (var b in Enum.GetValues<PrefilterBoundary>())
        {
            for (int order = 2; order <= BSpline.MaxOrder; order++)
            {
                data.Add(b, order);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BoundariesAndOrders))]
    public void PrefilterOfTwoLaneMatricesInterleavedGivesTheBitsOfOneAfterTheOther(PrefilterBoundary boundary, int order)
    {
        var rng = new Random(83 + (int)boundary + (10 * order));
        int l = Vector<float>.Count;
        foreach (int n in new[] { 1, 2, 3, 7, 40, 96, 97, 301 })
        {
            var a = new float[(n + 1) * l];
            var b = new float[(n + 1) * l];
            for (int k = 0; k < a.Length; k++)
            {
                a[k] = (float)((rng.NextDouble() * 200) - 50);
                b[k] = rng.Next(9) == 0 ? float.NaN : (float)((rng.NextDouble() * 2e6) - 1e6);
            }

            var plan = new SplinePrefilterPlan(n, order, boundary);
            var (oneA, oneB) = ((float[])a.Clone(), (float[])b.Clone());
            SplinePrefilter.Lanes(oneA, plan);
            SplinePrefilter.Lanes(oneB, plan);
            SplinePrefilter.LanesPair(a, b, plan);
            for (int k = 0; k < a.Length; k++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(oneA[k]) == BitConverter.SingleToInt32Bits(a[k]), $"n {n}: first matrix, value {k}: {a[k]} vs {oneA[k]}");
                Assert.True(BitConverter.SingleToInt32Bits(oneB[k]) == BitConverter.SingleToInt32Bits(b[k]), $"n {n}: second matrix, value {k}: {b[k]} vs {oneB[k]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(BoundariesAndOrders))]
    public void PrefilterColumnsReadFromTheInputGiveTheBitsOfCopyingThemFirst(PrefilterBoundary boundary, int order)
    {
        // ColumnsFrom reads its rows where they are (rows of a wider input, edge rows read twice, cval rows) instead of
        // a copy: the same bits as copying them into the matrix and filtering it, for lines short and long (the exact
        // and the truncated starting sums), every width around the vector width, the matrix with a wider stride.
        var rng = new Random(71 + (int)boundary + (10 * order));
        foreach (int n in new[] { 1, 2, 3, 7, 40, 96, 97, 301 })
        {
            foreach (int width in new[] { 1, 3, Vector<float>.Count, Vector<float>.Count + 5, 40 })
            {
                int inRows = n + 3, inCols = width + 11, stride = width + 2;
                var x = new float[inRows * inCols];
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = rng.Next(50) == 0 ? -0f : (float)((rng.NextDouble() * 200) - 50);
                }

                var cvalRow = Enumerable.Repeat(-2.5f, width).ToArray();
                var start = new int[n];
                for (int t = 0; t < n; t++)
                {
                    start[t] = rng.Next(6) == 0 ? -1 : (rng.Next(inRows) * inCols) + rng.Next(inCols - width + 1);
                }

                var copied = Poisoned(((n - 1) * stride) + width);
                for (int t = 0; t < n; t++)
                {
                    (start[t] < 0 ? cvalRow : x.AsSpan(start[t], width)).CopyTo(copied.AsSpan(t * stride, width));
                }

                var plan = new SplinePrefilterPlan(n, order, boundary);
                SplinePrefilter.Columns(copied, width, stride, plan);
                var read = Poisoned(copied.Length);
                SplinePrefilter.ColumnsFrom(x, start, cvalRow, read, width, stride, plan);
                for (int t = 0; t < n; t++)
                {
                    for (int c = 0; c < width; c++)
                    {
                        int k = (t * stride) + c;
                        Assert.True(BitConverter.SingleToInt32Bits(copied[k]) == BitConverter.SingleToInt32Bits(read[k]), $"n {n} width {width}: ({t}, {c}) {read[k]} vs {copied[k]}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(BoundariesAndOrders))]
    public void PrefilterColumnsEqualsTheDoubleLineFilterForEveryLengthAndWidth(PrefilterBoundary boundary, int order)
    {
        var rng = new Random(17 + (int)boundary + (10 * order));
        var lengths = Enumerable.Range(1, 40).Concat([95, 96, 97, 130, 301]);
        foreach (int n in lengths)
        {
            foreach (int width in new[] { 1, 3, Vector<float>.Count, Vector<float>.Count + 5 })
            {
                var m = new float[n * width];
                for (int k = 0; k < m.Length; k++)
                {
                    m[k] = (float)((rng.NextDouble() * 200) - 50);
                }

                var reference = new double[n];
                var fast = (float[])m.Clone();
                var plan = new SplinePrefilterPlan(n, order, boundary);
                SplinePrefilter.Columns(fast, width, width, plan);
                if (width == Vector<float>.Count)
                {
                    var lanes = (float[])m.Clone();
                    SplinePrefilter.Lanes(lanes, plan);
                    Assert.Equal(fast, lanes); // the same float operations in the same order
                }

                for (int c = 0; c < width; c++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        reference[i] = m[(i * width) + c];
                    }

                    BSpline.PrefilterLine(reference, order, boundary);
                    double scale = Math.Max(1, reference.Max(Math.Abs));
                    for (int i = 0; i < n; i++)
                    {
                        double d = Math.Abs(fast[(i * width) + c] - reference[i]);
                        Assert.True(d <= Tolerance * scale, $"n {n} width {width} column {c} row {i}: {fast[(i * width) + c]} vs {reference[i]}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void ZoomEqualsTheReferenceForEveryLengthBothPassOrders(SplineMode mode, int order)
    {
        var rng = new Random(1000 + ((int)mode * 10) + order);
        for (int n = 1; n <= 19; n++)
        {
            foreach (var (rows, cols) in new[] { (n, 6), (5, n) })
            {
                var x = Random(rng, rows * cols);
                foreach (var (outRows, outCols, grid) in new[] { (rows * 2 + 1, Math.Max(1, cols - 2), false), (Math.Max(1, (rows / 2) + 1), cols + 7, true) })
                {
                    foreach (bool prefilter in order >= 2 ? new[] { true, false } : [true])
                    {
                        float cval = 1.25f;
                        var want = SplineReference.Zoom(x, rows, cols, outRows, outCols, order, mode, cval, prefilter, grid);
                        int pad = SplineModes.PadFor(mode, prefilter && order >= 2);
                        var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, grid, pad), rows + (2 * pad), order, mode);
                        var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, grid, pad), cols + (2 * pad), order, mode);
                        foreach (bool verticalFirst in new[] { true, false })
                        {
                            foreach (int threads in new[] { 1, 3 })
                            {
                                var got = Poisoned(outRows * outCols);
                                SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, prefilter, mode, cval, got, threads, verticalFirst);
                                AssertClose(want, got, cval, $"{mode} order {order} {rows}x{cols} -> {outRows}x{outCols} grid {grid} prefilter {prefilter} vertical-first {verticalFirst} threads {threads}");
                            }
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void RowsMadeByColumnBlocksGiveTheBitsOfTheWholeCoefficientArray(SplineMode mode, int order)
    {
        if (order < 2)
        {
            return; // no prefilter: the path does not apply
        }

        var rng = new Random(7000 + ((int)mode * 10) + order);
        foreach (int rows in new[] { 2, 9, 40 })
        {
            foreach (int cols in new[] { 1, 15, 16, 17, 130, 300 })
            {
                var x = new float[rows * cols];
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = rng.Next(10) == 0 ? -0f : (float)((rng.NextDouble() * 200) - 50);
                }

                // No NaN or infinity: the prefilter is recursive along both axes, so one makes every output NaN.

                foreach (var (outRows, outCols) in new[] { ((rows / 2) + 1, cols + 3), (rows, Math.Max(1, cols / 2)) })
                {
                    int pad = SplineModes.PadFor(mode, true);
                    var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, false, pad), rows + (2 * pad), order, mode);
                    var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, false, pad), cols + (2 * pad), order, mode);
                    var whole = new float[outRows * outCols];
                    SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 2.5f, whole, 1, verticalFirst: true, fuseColumns: false);
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        var got = Poisoned(outRows * outCols);
                        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 2.5f, got, threads, verticalFirst: true);
                        for (int k = 0; k < got.Length; k++)
                        {
                            Assert.True(BitConverter.SingleToInt32Bits(whole[k]) == BitConverter.SingleToInt32Bits(got[k]), $"{rows} x {cols} -> {outRows} x {outCols}, {threads} threads, value {k}: {got[k]} vs {whole[k]}");
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void RowBandsGiveTheWholeColumnPrefilterAndTheReference(SplineMode mode, int order)
    {
        if (order < 2)
        {
            return; // no prefilter: the bands do not apply
        }

        // Columns of BandedFromRows (1536) rows or more (1600 rows: four chunks; 2100: four, longer), shrunk, kept and
        // enlarged down the rows (the vertical pass first), every thread count: within 1e-9 of the largest value of the
        // whole-column prefilter (a warm-up of 5 rows instead of Reach is off by 1e-3), the same bits for 1, 2 and 3
        // threads, and within the tolerance of the double reference. Shorter columns (1200 rows) and grid-wrap (its
        // anticausal start reads the first rows) are not banded: the whole-column path's bits.
        var rng = new Random(9000 + ((int)mode * 10) + order);
        foreach (var (rows, cols) in new[] { (1200, 2), (1600, 2), (2100, 1) })
        {
            var x = new float[rows * cols];
            for (int k = 0; k < x.Length; k++)
            {
                x[k] = rng.Next(10) == 0 ? -0f : (float)((rng.NextDouble() * 200) - 50);
            }

            double scale = x.Max(v => Math.Abs((double)v));
            foreach (int outRows in new[] { (rows / 2) + 1, rows * 3 / 4, rows, (2 * rows) + 1 })
            {
                int outCols = cols + 1;
                string what = $"{mode} order {order} {rows}x{cols} -> {outRows}x{outCols}";
                int pad = SplineModes.PadFor(mode, true);
                var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, false, pad), rows + (2 * pad), order, mode);
                var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, false, pad), cols + (2 * pad), order, mode);
                var whole = Poisoned(outRows * outCols);
                int before = SeparableResampler.BandedCalls;
                SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 2.5f, whole, 1, verticalFirst: true, rowBands: 0);
                Assert.Equal(before, SeparableResampler.BandedCalls);
                AssertClose(SplineReference.Zoom(x, rows, cols, outRows, outCols, order, mode, 2.5, true, false), whole, 2.5f, what);

                float[]? first = null;
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    var got = Poisoned(outRows * outCols);
                    before = SeparableResampler.BandedCalls;
                    SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 2.5f, got, threads, verticalFirst: true);
                    bool banded = SeparableResampler.BandedCalls > before;
                    Assert.True(banded == (mode != SplineMode.GridWrap && rows + (2 * pad) >= SeparableResampler.BandedFromRows), $"{what}: banded {banded}");
                    for (int k = 0; k < got.Length; k++)
                    {
                        double d = Math.Abs((double)got[k] - whole[k]);
                        Assert.True(banded ? d <= 1e-9 * scale : BitConverter.SingleToInt32Bits(got[k]) == BitConverter.SingleToInt32Bits(whole[k]), $"{what}, {threads} threads, value {k}: {got[k]} vs {whole[k]}");
                    }

                    first ??= got;
                    for (int k = 0; k < got.Length; k++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(first[k]) == BitConverter.SingleToInt32Bits(got[k]), $"{what}, {threads} threads against 1, value {k}: {got[k]} vs {first[k]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void RowBandsServePlansWithStartsFromTheLastRows()
    {
        Assert.True(SplineRowBands.Fits(new SplinePrefilterPlan(200, 3, PrefilterBoundary.Mirror), 96, 4096));
        Assert.True(SplineRowBands.Fits(new SplinePrefilterPlan(200, 2, PrefilterBoundary.Reflect), 96, 4096));
        Assert.True(SplineRowBands.Fits(new SplinePrefilterPlan(200, 5, PrefilterBoundary.Mirror), 96, 4096)); // two poles, chained
        Assert.False(SplineRowBands.Fits(new SplinePrefilterPlan(200, 3, PrefilterBoundary.Periodic), 96, 4096)); // reads the first rows
        Assert.False(SplineRowBands.Fits(new SplinePrefilterPlan(SplinePrefilter.ExactStartLength, 3, PrefilterBoundary.Mirror), 96, 4096)); // exact starts
        Assert.False(SplineRowBands.Fits(new SplinePrefilterPlan(200, 3, PrefilterBoundary.Mirror), 28, 4096)); // a band shorter than Reach

        // The rings: 141 rows for order 3 (a band, Reach, the slack), the whole column where shorter; at most 2^25
        // values for all poles together.
        Assert.Equal(141, SplineRowBands.RingRowsFor(new SplinePrefilterPlan(4096, 3, PrefilterBoundary.Mirror), 96));
        Assert.Equal(120, SplineRowBands.RingRowsFor(new SplinePrefilterPlan(120, 3, PrefilterBoundary.Mirror), 96));
        Assert.True(SplineRowBands.Fits(new SplinePrefilterPlan(4096, 3, PrefilterBoundary.Mirror), 96, (1 << 25) / 141));
        Assert.False(SplineRowBands.Fits(new SplinePrefilterPlan(4096, 3, PrefilterBoundary.Mirror), 96, ((1 << 25) / 141) + 1));
        Assert.False(SplineRowBands.Fits(new SplinePrefilterPlan(4096, 5, PrefilterBoundary.Mirror), 96, (1 << 25) / 157)); // two rings of 157
        Assert.Equal(29, SplineRowBands.Reach(new SplinePrefilterPlan(200, 3, PrefilterBoundary.Mirror))); // 0.268^29 < 1e-16 < 0.268^28
        Assert.Equal(45, SplineRowBands.Reach(new SplinePrefilterPlan(200, 5, PrefilterBoundary.Mirror))); // the slower pole, 0.431
    }

    [Fact]
    public void TheInputRangeFoundWhileBandingIsTheWholeInputs()
    {
        // Apply's inputRange (the rows the bands read, searched as they are read, and a pass over rows no band read)
        // against Extremes.NanMinMax of the whole input, bit for bit: a row of NaN, the extremes in the first or last
        // rows, -0 as the least value; a zoom that reads every row and an affine scale that reads rows 40 to about 104
        // of 800 (the rest by the gap passes), at order 3 and at order 5 (the first of two chained poles reads the
        // input); banded and not (rowBands 0), 1-3 threads.
        var rng = new Random(9200);
        int rows = 800, cols = 7;
        foreach (string plant in new[] { "none", "nan row", "extremes at the top", "extremes at the bottom", "zeros" })
        {
            var x = new float[rows * cols];
            for (int k = 0; k < x.Length; k++)
            {
                x[k] = plant == "zeros" ? 0f : (float)(1 + rng.NextDouble());
            }

            switch (plant)
            {
                case "nan row":
                    x.AsSpan(200 * cols, cols).Fill(float.NaN);
                    break;
                case "extremes at the top":
                    x[1] = -5f;
                    x[cols + 3] = 9f;
                    break;
                case "extremes at the bottom":
                    x[^1] = -7f;
                    x[^(cols + 2)] = 11f;
                    break;
                case "zeros":
                    x[(rows / 2 * cols) + 5] = -0f;
                    break;
            }

            var (lo, hi, nan) = Extremes.NanMinMax(x);
            foreach (var (what, order, rowCoordinates) in new[]
            {
                ("zoom 0.5", 3, AxisPlan.ZoomCoordinates(rows, rows / 2, false, 0)),
                ("rows 40-104", 3, AxisPlan.AffineCoordinates(rows / 5, 0.4, 40, 0)),
                ("rows 40-104, two poles", 5, AxisPlan.AffineCoordinates(rows / 5, 0.4, 40, 0)),
            })
            {
                var rowPlan = AxisPlan.Create(rowCoordinates, rows, order, SplineMode.Mirror);
                var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, cols, false, 0), cols, order, SplineMode.Mirror);
                foreach (int band in new[] { 0, SeparableResampler.PrefilterBandRows })
                {
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        var range = new float[3];
                        int before = SeparableResampler.BandedCalls;
                        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, SplineMode.Mirror, 0f, new float[rowPlan.OutLength * cols], threads, verticalFirst: true, rowBands: band, inputRange: range);
                        string at = $"{plant}, {what}, band {band}, {threads} threads";
                        Assert.True(SeparableResampler.BandedCalls - before == (band > 0 && plant != "nan row" ? 1 : 0), at); // NaN: the whole-column path
                        Assert.Equal(BitConverter.SingleToInt32Bits(lo), BitConverter.SingleToInt32Bits(range[0]));
                        Assert.Equal(BitConverter.SingleToInt32Bits(hi), BitConverter.SingleToInt32Bits(range[1]));
                        Assert.True(range[2] == (nan ? 1 : 0), at);
                    }
                }
            }
        }
    }

    [Fact]
    public void ShiftsAndEnlargementsAtOrderThreeTakeTheBandedVerticalPass()
    {
        // Left to choose the pass order, a shift and a zoom by 2 at order 3 take the vertical pass first where its
        // prefilter can be made in row bands: the other order writes the whole coefficient array and reads it back
        // (27 against 15.5 ms for the shift at 4096 x 4096; 40-42 against 36-37 ms for the zoom), for columns of
        // BandedFromRows rows or more and from 1024 x 1024 coefficients on.
        var rng = new Random(9300);
        int rows = 1600, cols = 700;
        var x = Random(rng, rows * cols);
        foreach (var (what, outRows, rowCoordinates, colCoordinates) in new[]
        {
            ("shift", rows, AxisPlan.AffineCoordinates(rows, 1, -3.3, 0), AxisPlan.AffineCoordinates(cols, 1, 1.7, 0)),
            ("zoom 2", 2 * rows, AxisPlan.ZoomCoordinates(rows, 2 * rows, false, 0), AxisPlan.ZoomCoordinates(cols, 2 * cols, false, 0)),
        })
        {
            var rowPlan = AxisPlan.Create(rowCoordinates, rows, 3, SplineMode.Mirror);
            var colPlan = AxisPlan.Create(colCoordinates, cols, 3, SplineMode.Mirror);
            int before = SeparableResampler.BandedCalls;
            SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, 3, true, SplineMode.Mirror, 0f, new float[outRows * colPlan.OutLength], 2);
            Assert.True(SeparableResampler.BandedCalls == before + 1, what);
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void NaNOrInfinityAnywhereTakesTheWholeColumnPath(int order)
    {
        // The whole-column prefilter carries NaN or an infinity through its whole column (SciPy's zoom of an image with
        // one NaN is NaN everywhere); the bands' truncated starts would stop it after Reach rows (37% of the outputs
        // NaN on a 300 x 200 image with a NaN at row 250). Such an input is found (in the rows the bands read, or in
        // a pass over the rows they do not) and made by the whole-column path: its bits. Rows 0, 300 and 799, and a
        // row only the gap pass reads (the affine scale reads rows 40 to about 104).
        int rows = 800, cols = 9;
        var rng = new Random(9400 + order);
        foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            foreach (int at in new[] { 0, 300, 799, 600 })
            {
                var x = Random(rng, rows * cols);
                x[(at * cols) + 4] = bad;
                foreach (var (what, rowCoordinates) in new[]
                {
                    ("zoom 0.5", AxisPlan.ZoomCoordinates(rows, rows / 2, false, 0)),
                    ("rows 40-104", AxisPlan.AffineCoordinates(rows / 5, 0.4, 40, 0)),
                })
                {
                    var rowPlan = AxisPlan.Create(rowCoordinates, rows, order, SplineMode.Mirror);
                    var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, cols, false, 0), cols, order, SplineMode.Mirror);
                    var whole = Poisoned(rowPlan.OutLength * cols);
                    SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, SplineMode.Mirror, 0f, whole, 2, verticalFirst: true, rowBands: 0);
                    Assert.All(whole, v => Assert.False(float.IsFinite(v))); // the whole output, as SciPy's
                    foreach (int threads in new[] { 1, 3 })
                    {
                        var got = Poisoned(rowPlan.OutLength * cols);
                        int before = SeparableResampler.BandedCalls;
                        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, SplineMode.Mirror, 0f, got, threads, verticalFirst: true, rowBands: SeparableResampler.PrefilterBandRows);
                        string where = $"{bad} at row {at}, {what}, order {order}, {threads} threads";
                        Assert.True(SeparableResampler.BandedCalls == before, where);
                        Assert.True(whole.Select(BitConverter.SingleToInt32Bits).SequenceEqual(got.Select(BitConverter.SingleToInt32Bits)), where);
                    }
                }
            }
        }
    }

    [Fact]
    public void TapsThatGoUpTheRowsAreNotBanded()
    {
        // A vertical flip (coordinates from the last row to the first): the taps go up, so no ring can hold them; the
        // whole-column prefilter runs, bit for bit.
        var rng = new Random(9100);
        int rows = 800, cols = 5;
        var x = Random(rng, rows * cols);
        var up = new double[rows];
        for (int k = 0; k < rows; k++)
        {
            up[k] = rows - 1 - k + 0.25;
        }

        var rowPlan = AxisPlan.Create(up, rows, 3, SplineMode.Mirror);
        var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, cols, false, 0), cols, 3, SplineMode.Mirror);
        var whole = Poisoned(rows * cols);
        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, 3, true, SplineMode.Mirror, 0f, whole, 2, verticalFirst: true, rowBands: 0);
        var got = Poisoned(rows * cols);
        int before = SeparableResampler.BandedCalls;
        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, 3, true, SplineMode.Mirror, 0f, got, 2, verticalFirst: true, rowBands: SeparableResampler.PrefilterBandRows);
        Assert.Equal(before, SeparableResampler.BandedCalls);
        Assert.Equal(whole.Select(BitConverter.SingleToInt32Bits), got.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void ShiftEqualsTheReferenceForEveryLength(SplineMode mode, int order)
    {
        var rng = new Random(2000 + ((int)mode * 10) + order);
        for (int n = 1; n <= 17; n++)
        {
            foreach (var (rows, cols) in new[] { (n, 4), (3, n) })
            {
                var x = Random(rng, rows * cols);
                foreach (var (s0, s1) in new[] { (0.4, -1.7), (-9.25, 23.5), (2.0, -3.0) })
                {
                    var want = SplineReference.Shift(x, rows, cols, s0, s1, order, mode, -0.5, prefilter: true);
                    var got = Core.Imaging.ImageArray.Stack(1, rows, cols, x);
                    var result = Resampling.Shift(got, s0, s1, order, mode, -0.5f, prefilter: true, threads: 2);
                    AssertClose(want, result.Data, -0.5f, $"{mode} order {order} {rows}x{cols} shift ({s0}, {s1})");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void AffineEqualsTheReferenceForEveryLength(SplineMode mode, int order)
    {
        var rng = new Random(3000 + ((int)mode * 10) + order);
        double[,] m = { { 0.83, 0.31 }, { -0.27, 1.12 } };
        double[] offset = [0.6, -1.3];
        for (int n = 1; n <= 15; n++)
        {
            foreach (var (rows, cols) in new[] { (n, 5), (4, n) })
            {
                var x = Random(rng, rows * cols);
                foreach (bool prefilter in order >= 2 ? new[] { true, false } : [true])
                {
                    var want = SplineReference.Affine(x, rows, cols, m, offset, rows + 3, cols + 2, order, mode, 2.5, prefilter);
                    var got = Poisoned((rows + 3) * (cols + 2));
                    AffineResampler.Apply(x, rows, cols, m, offset, rows + 3, cols + 2, order, prefilter, mode, 2.5f, got, threads: 2);
                    AssertClose(want, got, 2.5f, $"{mode} order {order} {rows}x{cols} prefilter {prefilter}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void PixelsAtAndBeyondTheEdgeInVectorsEqualTheReference(SplineMode mode, int order)
    {
        // Eight-pixel groups with a tap beyond the coefficients map their coordinates and fold their taps in vectors
        // (AffineResampler's edge path): a rotated and scaled matrix whose coordinates run several periods beyond both
        // ends of both axes, on frames just below, at and above the size that path needs (twice the order plus 4, counting
        // the 12-pixel pre-pad of nearest and grid-constant when prefiltering), rows of 37 outputs (four vectors and a tail).
        var rng = new Random(5000 + ((int)mode * 10) + order);
        double[,] m = { { 2.7, 0.9 }, { -0.8, 3.1 } };
        foreach (var (rows, cols) in new[] { ((2 * order) + 3, 11), ((2 * order) + 4, 23), (23, 29) })
        {
            double[] offset = [-2.5 * rows, -1.5 * cols];
            var x = Random(rng, rows * cols);
            var want = SplineReference.Affine(x, rows, cols, m, offset, 31, 37, order, mode, 2.5, true);
            var got = Poisoned(31 * 37);
            AffineResampler.Apply(x, rows, cols, m, offset, 31, 37, order, true, mode, 2.5f, got, threads: 2);
            AssertClose(want, got, 2.5f, $"{mode} order {order} {rows}x{cols}");
        }
    }

    [Theory]
    [InlineData("reflect", 0)]
    [InlineData("reflect", 1)]
    [InlineData("constant", 1)]
    [InlineData("edge", 1)]
    [InlineData("symmetric", 0)]
    [InlineData("wrap", 1)]
    public void ResizeSmoothingOnlyTheRowsItReadsGivesTheWholeSmoothingsBits(string mode, int order)
    {
        // Orders 0 and 1 smooth (anti-aliasing) only the rows their taps read, both passes, in SciPy's order (axis 0
        // first); the result must be Zoom of the whole image smoothed in that order, bit for bit (clip off: the clip
        // is the same either way), and within float32 rounding of the filter's other order (the whole-image filter).
        var rng = new Random(17);
        foreach (var (rows, cols, outRows, outCols) in new[] { (120, 90, 26, 40), (257, 64, 31, 64), (64, 300, 13, 70), (33, 33, 32, 5), (200, 150, 99, 75) })
        {
            var src = new Core.Imaging.ImageArray(rows, cols);
            for (int k = 0; k < src.Length; k++)
            {
                src.Data[k] = (float)(rng.NextDouble() * 255);
            }

            foreach (int threads in new[] { 1, 2 })
            {
                var got = Resampling.Resize(src, outRows, outCols, order, mode, 0.5f, antiAliasing: true, sigma: null, clip: false, threads);
                var (interp, filterMode) = Resampling.ResizeModes(mode);
                double[] sigma = [Math.Max(0, (((double)rows / outRows) - 1) / 2), Math.Max(0, (((double)cols / outCols) - 1) / 2)];
                var allRows = Enumerable.Repeat(true, rows).ToArray();
                var smoothed = Core.Ops.Filters.NdFilters.GaussianFilterRows(src, sigma, filterMode, 0.5f, allRows, threads);
                var want = Resampling.Zoom(smoothed, outRows, outCols, order, interp, 0.5f, prefilter: true, gridMode: true, threads);
                Assert.True(want.Data.AsSpan().SequenceEqual(got.Data), $"{rows} x {cols} -> {outRows} x {outCols}, {threads} threads");
                var rowFirst = Core.Ops.Filters.NdFilters.GaussianFilter(src, sigma, mode: filterMode, cval: 0.5f, threads: threads);
                var other = Resampling.Zoom(rowFirst, outRows, outCols, order, interp, 0.5f, prefilter: true, gridMode: true, threads);
                for (int k = 0; k < got.Length; k++)
                {
                    Assert.True(Math.Abs(got.Data[k] - other.Data[k]) <= 1e-5 * Math.Max(1, Math.Abs(other.Data[k])), $"{rows} x {cols} -> {outRows} x {outCols}, value {k}: {got.Data[k]} vs {other.Data[k]}");
                }
            }
        }
    }

    [Fact]
    public void RowSumsEqualTheScalarSumAndTheStreamedOnesForEveryWidthAndAlignment()
    {
        var rng = new Random(9);
        var y = Random(rng, 6 * 300);
        foreach (int taps in new[] { 2, 4 })
        {
            int[] index = taps == 2 ? [3, 1] : [0, 5, 2, 4];
            float[] weight = taps == 2 ? [0.3f, 0.7f] : [-0.1f, 0.6f, 0.45f, 0.05f];
            for (int width = 1; width <= 200; width++)
            {
                for (int shift = 0; shift < 8; shift++)
                {
                    var plain = new float[width + 8];
                    var streamed = new float[width + 8];
                    SeparableResampler.WeightedRows(y, 300, width, index, weight, 6, [], plain.AsSpan(shift, width));
                    SeparableResampler.WeightedRows(y, 300, width, index, weight, 6, [], streamed.AsSpan(shift, width), stream: true);
                    Assert.Equal(plain, streamed);

                    // Both equal the scalar sum in tap order (w0 a + w1 b, then + w2 c + w3 e) for every lane width used.
                    for (int t = 0; t < width; t++)
                    {
                        float want = (weight[0] * y[(index[0] * 300) + t]) + (weight[1] * y[(index[1] * 300) + t]);
                        if (taps == 4)
                        {
                            want = want + (weight[2] * y[(index[2] * 300) + t]) + (weight[3] * y[(index[3] * 300) + t]);
                        }

                        Assert.Equal(BitConverter.SingleToInt32Bits(want), BitConverter.SingleToInt32Bits(plain[shift + t]));
                    }
                }
            }
        }
    }

    [Fact]
    public void LaneTransposesRoundTripForEveryShape()
    {
        int l = Vector<float>.Count;
        var rng = new Random(5);
        for (int rows = 1; rows <= l; rows++)
        {
            for (int cols = 1; cols <= 3 * l + 3; cols++)
            {
                int stride = cols + 2;
                var src = Random(rng, rows * stride);
                var lanes = new float[cols * l];
                Transpose.ToLanes(src, stride, rows, cols, lanes);
                for (int j = 0; j < cols; j++)
                {
                    for (int r = 0; r < l; r++)
                    {
                        Assert.Equal(r < rows ? src[(r * stride) + j] : 0f, lanes[(j * l) + r]);
                    }
                }

                var back = new float[rows * stride];
                Transpose.FromLanes(lanes, cols, back, stride, rows);
                for (int r = 0; r < rows; r++)
                {
                    for (int j = 0; j < cols; j++)
                    {
                        Assert.Equal(src[(r * stride) + j], back[(r * stride) + j]);
                    }
                }
            }
        }
    }

    [Fact]
    public void DegreeSinesAreSciPysSindgAndCosdgBitForBit()
    {
        foreach (var (angle, sin, cos) in new[] { (0.0, 0.0, 1.0), (90.0, 1.0, 0.0), (180.0, 0.0, -1.0), (270.0, -1.0, 0.0), (-90.0, -1.0, 0.0), (450.0, 1.0, 0.0), (-540.0, 0.0, -1.0) })
        {
            var (s, c) = Rotation.SinCosDegrees(angle);
            Assert.Equal(sin, s);
            Assert.Equal(cos, c);
        }

        // scipy.special.sindg / cosdg of 846 angles (tests/fixtures/gen_sindg.py), compared bit for bit.
        var lines = File.ReadAllLines(XRayFlow.Core.Tests.TestSupport.PictureFixtures.Fixture("sindg/sindg.csv")).Skip(1).ToArray();
        Assert.Equal(846, lines.Length);
        foreach (var line in lines)
        {
            var f = line.Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var (s, c) = Rotation.SinCosDegrees(f[0]);
            Assert.True(BitConverter.DoubleToInt64Bits(f[1]) == BitConverter.DoubleToInt64Bits(s) && BitConverter.DoubleToInt64Bits(f[2]) == BitConverter.DoubleToInt64Bits(c), $"angle {f[0]:R}: ({s:R}, {c:R}) against SciPy's ({f[1]:R}, {f[2]:R})");
        }
    }

    [Fact]
    public void RotateOrderZeroTakesSciPysNeighbourAtAnExactHalfPixel()
    {
        // Rotating an 8 x 29 frame by -151.19325533927415 degrees with reshape maps output (10, 14) to input row
        // 3.4999999999999982 with SciPy's sindg (row 3) and to 3.5 with Math.Sin's (row 4): the differential fuzz
        // found it (geometry seed 46029). Rows of the frame hold their index, so the row taken is the value.
        var (rows, cols, m, offset) = Rotation.Geometry(8, 29, -151.19325533927415, reshape: true);
        Assert.Equal((21, 29), (rows, cols));
        Assert.Equal(3.4999999999999982, AffineResampler.Coordinate(10, 14, m[0, 0], m[0, 1], offset[0]));
        var src = new float[8 * 29];
        for (int k = 0; k < src.Length; k++)
        {
            src[k] = k / 29;
        }

        var dst = new float[rows * cols];
        AffineResampler.Apply(src, 8, 29, m, offset, rows, cols, 0, prefilter: true, SplineMode.GridConstant, 97f, dst, threads: 1);
        Assert.Equal(3f, dst[(10 * cols) + 14]);
    }

    [Fact]
    public void NumpyPadIndexMatchesPeriodicExtensionWhenThePadFitsAndEdgeOtherwise()
    {
        // Pads no wider than the axis: every mode is the plain extension (wider pads repeat NumPy's rounds; the op fixtures cover them).
        for (int n = 2; n <= 9; n++)
        {
            for (int before = 0; before < n - 1; before++)
            {
                for (int after = 0; after < n - 1; after++)
                {
                    var reflect = PixelMoves.PadIndex(n, before, after, "reflect");
                    var symmetric = PixelMoves.PadIndex(n, before, after, "symmetric");
                    var wrap = PixelMoves.PadIndex(n, before, after, "wrap");
                    for (int t = 0; t < n + before + after; t++)
                    {
                        int u = t - before;
                        Assert.Equal(u < 0 ? -u : u >= n ? (2 * n) - 2 - u : u, reflect[t]);
                        Assert.Equal(u < 0 ? -u - 1 : u >= n ? (2 * n) - 1 - u : u, symmetric[t]);
                        Assert.Equal(((u % n) + n) % n, wrap[t]);
                    }
                }
            }
        }
    }

    public static TheoryData<SplineMode> Modes() => new(Enum.GetValues<SplineMode>());

    [Theory]
    [MemberData(nameof(Modes))]
    public void OrderOneShrinksByPairLoadsGiveTheLanePathsBits(SplineMode mode)
    {
        // Output widths 1..70 (and three wide rows) from 2 to 9 times as many input columns, growing and shrinking rows,
        // NaN / -inf / signed zeros among the values, a clip or recorded row ranges, 1 and 3 threads, the permutes
        // turned off (they take most of these widths; the pairs take what they leave): the vertical sums made only at
        // the pairs the outputs read equal the full vertical pass in lane layout bit for bit (edges mapped across the
        // row and the cval taps of grid-constant included).
        var rng = new Random(7000 + (int)mode);
        foreach (int outCols in Enumerable.Range(1, 70).Concat([128, 224, 301]))
        {
            foreach (int cols in new[] { 2 * outCols, (2 * outCols) + 1, 3 * outCols, (4 * outCols) + 3, Math.Min(1100, 9 * outCols) })
            {
                int rows = 1 + rng.Next(30), outRows = 1 + rng.Next(20);
                var x = Random(rng, rows * cols);
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = rng.Next(50) switch { 0 => float.NaN, 1 => float.NegativeInfinity, 2 => -0f, 3 => 0f, _ => x[k] };
                }

                bool grid = rng.Next(2) == 0;
                var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, grid, 0), rows, 1, mode);
                var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, grid, 0), cols, 1, mode);
                float cval = rng.Next(2) == 0 ? -1.5f : 3f;
                var clip = rng.Next(2) == 0 ? new ClipRange(-2f, 9f) : (ClipRange?)null;
                foreach (int threads in new[] { 1, 3 })
                {
                    string what = $"{mode} {rows}x{cols} -> {outRows}x{outCols} grid {grid} clip {clip} threads {threads}";
                    var lanes = Poisoned(outRows * outCols);
                    var laneRanges = clip is null && mode != SplineMode.Constant ? new float[2 * outRows] : null;
                    SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, 1, false, mode, cval, lanes, threads, verticalFirst: true, clip, permuted: false, rowRanges: laneRanges, byPairs: false);

                    // Left to choose, a shrink without permutes goes vertical first (by pairs).
                    foreach (bool? verticalFirst in new bool?[] { true, null })
                    {
                        var pairs = Poisoned(outRows * outCols);
                        var ranges = laneRanges is null ? null : new float[2 * outRows];
                        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, 1, false, mode, cval, pairs, threads, verticalFirst, clip, permuted: false, rowRanges: ranges);
                        for (int k = 0; k < lanes.Length; k++)
                        {
                            Assert.True(BitConverter.SingleToInt32Bits(lanes[k]) == BitConverter.SingleToInt32Bits(pairs[k]), $"{what} vertical-first {verticalFirst}: value {k}: {pairs[k]} vs {lanes[k]}");
                        }

                        Assert.True(laneRanges is null || laneRanges.AsSpan().SequenceEqual(ranges), what);
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void RowsAlongByPermutesGiveTheLanePathsBits(SplineMode mode, int order)
    {
        // Output widths 1..70 from input widths around them (zoom 0.25 .. 4), growing and shrinking rows, NaN / inf /
        // -0 among the values, 1 and 3 threads, both pass orders: the permute path equals the lane path bit for bit, and where a block's taps do not fit a window the plan says so (no path, no values).
        if (!PermutedTaps.IsSupported)
        {
            return; // the lane path is the only one on this machine
        }

        var rng = new Random(4000 + ((int)mode * 10) + order);
        int used = 0;
        for (int outCols = 1; outCols <= 70; outCols++)
        {
            foreach (int cols in new[] { 1, 2, Math.Max(1, outCols / 4), Math.Max(1, outCols / 2), outCols, outCols + 3, (2 * outCols) + 1, Math.Min(200, 4 * outCols) })
            {
                int rows = 1 + rng.Next(9), outRows = 1 + rng.Next(13);
                var x = Random(rng, rows * cols);
                if (x.Length > 3)
                {
                    x[rng.Next(x.Length)] = -0f;
                    x[rng.Next(x.Length)] = rng.Next(2) == 0 ? float.NaN : float.PositiveInfinity;
                }

                bool grid = rng.Next(2) == 0;
                foreach (bool prefilter in order >= 2 ? new[] { false } : [true, false])
                {
                    int pad = SplineModes.PadFor(mode, prefilter && order >= 2);
                    var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, grid, pad), rows + (2 * pad), order, mode);
                    var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, grid, pad), cols + (2 * pad), order, mode);
                    if (colPlan.Permuted is null)
                    {
                        Assert.True(cols > 2 * outCols, $"{cols} -> {outCols}: a zoom of 0.5 or more fits windows (but at most 4 edge blocks)");
                        continue;
                    }

                    used++;
                    foreach (var (threads, verticalFirst) in new[] { (1, true), (3, true), (1, false), (3, false) })
                    {
                        var lanes = Poisoned(outRows * outCols);
                        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, prefilter, mode, -1.5f, lanes, threads, verticalFirst, permuted: false);
                        var along = Poisoned(outRows * outCols);
                        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, prefilter, mode, -1.5f, along, threads, verticalFirst);
                        for (int k = 0; k < lanes.Length; k++)
                        {
                            Assert.True(BitConverter.SingleToInt32Bits(lanes[k]) == BitConverter.SingleToInt32Bits(along[k]), $"{mode} order {order} {rows}x{cols} -> {outRows}x{outCols} grid {grid} threads {threads} vertical-first {verticalFirst}: value {k}: {along[k]} vs {lanes[k]}");
                        }
                    }
                }
            }
        }

        Assert.True(used > 400, $"only {used} cases took the permute path");
    }

    [Fact]
    public void PermutedTapsKeepEveryBlockInOneWindow()
    {
        if (!PermutedTaps.IsSupported)
        {
            return;
        }

        foreach (var (n, m) in new[] { (1024, 2048), (1024, 512), (1024, 224), (7, 100), (100, 7), (2048, 1024) })
        {
            foreach (int order in new[] { 0, 1, 3 })
            {
                var plan = AxisPlan.Create(AxisPlan.ZoomCoordinates(n, m, true, 0), n, order, SplineMode.Mirror);
                var taps = plan.Permuted;
                if (taps is null)
                {
                    continue;
                }

                for (int j = 0; j < m; j++)
                {
                    int block = j / taps.Block, lane = j % taps.Block;
                    if (taps.Base[block] < 0)
                    {
                        continue; // value by value
                    }

                    for (int b = 0; b < plan.Taps; b++)
                    {
                        int at = (((block * plan.Taps) + b) * 16) + lane;
                        Assert.InRange(taps.Index[at], 0, PermutedTaps.Window - 1);
                        Assert.Equal(plan.Index[(j * plan.Taps) + b], taps.Base[block] + taps.Index[at]);
                        Assert.Equal(plan.Weight[(j * plan.Taps) + b], taps.Weight[at]);
                    }
                }

                Assert.True(taps.LineLength >= taps.Base.Max() + PermutedTaps.Window);
            }
        }

        // Zoom 2 and 0.5 (the benchmark's) fit 16 outputs a block, a zoom of 0.47 fits 8; a quarter does not fit.
        Assert.Equal(16, AxisPlan.Create(AxisPlan.ZoomCoordinates(1024, 2048, false, 0), 1024, 1, SplineMode.Mirror).Permuted!.Block);
        Assert.Equal(16, AxisPlan.Create(AxisPlan.ZoomCoordinates(1024, 512, false, 0), 1024, 1, SplineMode.Mirror).Permuted!.Block);
        Assert.Equal(8, AxisPlan.Create(AxisPlan.ZoomCoordinates(1024, 480, false, 0), 1024, 1, SplineMode.Mirror).Permuted!.Block);
        Assert.Null(AxisPlan.Create(AxisPlan.ZoomCoordinates(1024, 224, false, 0), 1024, 1, SplineMode.Mirror).Permuted);
    }

    private static float[] Random(Random rng, int length)
    {
        var x = new float[length];
        for (int k = 0; k < length; k++)
        {
            x[k] = (float)((rng.NextDouble() * 20) - 5);
        }

        return x;
    }

    private static float[] Poisoned(int length)
    {
        var a = new float[length];
        a.AsSpan().Fill(float.NaN);
        return a;
    }

    /// <summary>
    /// NaN where the reference has NaN, its infinities, and its finite values within the tolerance of its largest finite
    /// magnitude (at least cval's 2.5).
    /// </summary>
    private static void AssertSameNonFinite(float[] want, float[] got, string what)
    {
        Assert.Equal(want.Length, got.Length);
        double scale = Math.Max(2.5, want.Where(float.IsFinite).Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max());
        for (int k = 0; k < want.Length; k++)
        {
            bool same = float.IsFinite(want[k]) ? Math.Abs((double)want[k] - got[k]) <= Tolerance * scale : float.IsNaN(want[k]) ? float.IsNaN(got[k]) : want[k] == got[k];
            Assert.True(same, $"{what}: element {k}: {got[k]} vs {want[k]}");
        }
    }

    private static void AssertClose(float[] want, float[] got, float cval, string what)
    {
        Assert.Equal(want.Length, got.Length);
        double scale = Math.Max(1, Math.Max(Math.Abs(cval), want.Max(v => Math.Abs((double)v))));
        for (int k = 0; k < want.Length; k++)
        {
            double d = Math.Abs((double)want[k] - got[k]);
            Assert.True(d <= Tolerance * scale, $"{what}: element {k}: {got[k]} vs {want[k]}");
        }
    }

    [Theory]
    [InlineData("reflect")]
    [InlineData("constant")]
    public void ResizeClipsLargeOutputsInPartsWithTheSameBitsAsOneThread(string mode)
    {
        // An output of 1100 x 900 values is clipped in parts on two threads (from 2^19 values on): same bits as one
        // part, and every value inside the input's [min, max] (the unclipped spline overshoots it).
        var rng = new Random(31);
        var x = new XRayFlow.Core.Imaging.ImageArray(550, 450);
        for (int k = 0; k < x.Length; k++)
        {
            x.Data[k] = rng.Next(3) == 0 ? 100f : 0f; // sharp steps: the cubic spline overshoots, so clipping shows
        }

        var one = Resampling.Resize(x, 1100, 900, 3, mode, 7f, null, null, true, threads: 1);
        var two = Resampling.Resize(x, 1100, 900, 3, mode, 7f, null, null, true, threads: 2);
        var (lo, hi, _) = Extremes.NanMinMax(x.Data);
        var unclipped = Resampling.Resize(x, 1100, 900, 3, mode, 7f, null, null, false, threads: 1);
        Assert.Contains(unclipped.Data, v => v > hi || v < lo);
        for (int k = 0; k < one.Length; k++)
        {
            Assert.True(one.Data[k].Equals(two.Data[k]), $"{mode}, value {k}: {one.Data[k]} vs {two.Data[k]}");
            Assert.True(float.IsNaN(one.Data[k]) || (one.Data[k] >= Math.Min(lo, 7f) && one.Data[k] <= Math.Max(hi, 7f)), $"{mode}, value {k}: {one.Data[k]} outside [{lo}, {hi}]");
        }
    }

    [Theory]
    [InlineData("reflect", 0)]
    [InlineData("reflect", 1)]
    [InlineData("edge", 1)]
    [InlineData("symmetric", 1)]
    [InlineData("wrap", 0)]
    [InlineData("wrap", 1)]
    public void ResizeShrinkingWithoutSmoothingGivesTheBitsOfClippingToTheWholeInputsRange(string mode, int order)
    {
        // Orders 0 and 1 shrinking without anti-aliasing look for the clip's bounds among the taps of the output's
        // extremes instead of a pass over the input. Same bits as np.clip(out, nanmin(x), nanmax(x)) on every input:
        // constant images (where a weighted sum's rounding leaves the input's range, so the clip changes values),
        // NaN, infinities, signed zeros, all-NaN frames, stacks, one and two threads.
        var rng = new Random(91 + order);
        int escaped = 0;
        foreach (var (rows, cols, outRows, outCols, frames) in new[] { (40, 52, 17, 23, 0), (64, 64, 31, 9, 2), (1, 30, 1, 7, 0), (25, 3, 12, 1, 0), (90, 70, 45, 70, 2) })
        {
            foreach (string kind in new[] { "random", "constant", "specials", "zeros", "nan" })
            {
                var x = Core.Imaging.ImageArray.Rent(rows, cols, frames);
                float constant = (float)(rng.NextDouble() * 1000) + 0.1f;
                for (int k = 0; k < x.Length; k++)
                {
                    x.Data[k] = kind switch
                    {
                        "constant" => constant,
                        "specials" => rng.Next(12) switch
                        {
                            0 => float.NaN,
                            1 => float.PositiveInfinity,
                            2 => float.NegativeInfinity,
                            3 => -0f,
                            _ => (float)(rng.NextDouble() * 255),
                        },
                        "zeros" => rng.Next(5) == 0 ? 0f : -0f,
                        "nan" => float.NaN,
                        _ => (float)(rng.NextDouble() * 255),
                    };
                }

                foreach (int threads in new[] { 1, 2 })
                {
                    var got = Resampling.Resize(x, outRows, outCols, order, mode, 3f, antiAliasing: false, sigma: null, clip: true, threads);
                    var want = Resampling.Resize(x, outRows, outCols, order, mode, 3f, antiAliasing: false, sigma: null, clip: false, threads);
                    for (int f = 0; f < want.Frames; f++)
                    {
                        var (lo, hi, _) = Extremes.NanMinMax(x.Frame(f));
                        var frame = want.Frame(f);
                        if (float.IsNaN(lo))
                        {
                            frame.Fill(float.NaN);
                        }
                        else
                        {
                            var before = frame.ToArray();
                            new ClipRange(lo, hi).Apply(frame, frame, stream: false);
                            escaped += before.AsSpan().SequenceEqual(frame) ? 0 : 1;
                        }
                    }

                    for (int k = 0; k < want.Length; k++)
                    {
                        Assert.True(
                            BitConverter.SingleToInt32Bits(want.Data[k]) == BitConverter.SingleToInt32Bits(got.Data[k]),
                            $"{kind} {rows} x {cols} x {frames} -> {outRows} x {outCols}, {threads} threads, value {k}: {got.Data[k]} vs {want.Data[k]}");
                    }
                }
            }
        }

        if (order == 1)
        {
            Assert.True(escaped > 0, "no input made a weighted sum leave the input's range: the clip was never needed");
        }
    }

    [Theory]
    [InlineData(SplineMode.Mirror, 1)]
    [InlineData(SplineMode.Mirror, 3)]
    [InlineData(SplineMode.Nearest, 3)]
    [InlineData(SplineMode.GridWrap, 2)]
    [InlineData(SplineMode.Reflect, 5)]
    [InlineData(SplineMode.GridConstant, 3)]
    public void ClippingRowsAsTheyAreWrittenEqualsClippingAfter(SplineMode mode, int order)
    {
        // Both pass orders, 1 and 3 threads, growing and shrinking: the fused clip gives np.clip of the unclipped output.
        var rng = new Random(77 + order);
        foreach (var (rows, cols, outRows, outCols) in new[] { (37, 29, 80, 61), (40, 52, 17, 23), (1, 30, 3, 70), (25, 1, 50, 2) })
        {
            var x = new float[rows * cols];
            for (int k = 0; k < x.Length; k++)
            {
                x[k] = rng.Next(3) == 0 ? 100f : (float)rng.NextDouble(); // steps: the spline overshoots
            }

            var clip = new ClipRange(0.25f, 60f);
            int pad = SplineModes.PadFor(mode, order >= 2);
            var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, true, pad), rows + (2 * pad), order, mode);
            var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, true, pad), cols + (2 * pad), order, mode);
            foreach (bool verticalFirst in new[] { true, false })
            {
                foreach (int threads in new[] { 1, 3 })
                {
                    var plain = new float[outRows * outCols];
                    SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 5f, plain, threads, verticalFirst);
                    var fused = Poisoned(outRows * outCols);
                    SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 5f, fused, threads, verticalFirst, clip);
                    Assert.Contains(plain, v => v > 60f || v < 0.25f);
                    for (int k = 0; k < plain.Length; k++)
                    {
                        float want = float.IsNaN(plain[k]) ? plain[k] : Math.Min(Math.Max(plain[k], 0.25f), 60f);
                        Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(fused[k]), $"{mode} order {order} {rows}x{cols} -> {outRows}x{outCols} vertical-first {verticalFirst} threads {threads}: value {k}: {fused[k]} vs {want}");
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(SplineMode.Mirror, 1)]
    [InlineData(SplineMode.Mirror, 3)]
    [InlineData(SplineMode.GridWrap, 0)]
    [InlineData(SplineMode.GridConstant, 1)]
    public void RowRangesAreEachOutputRowsNanMinAndMax(SplineMode mode, int order)
    {
        // Every pass order and path (permutes or lane layout, rows streamed past the caches or not), 1 and 3 threads:
        // the range recorded for each output row is Extremes.NanMinMax of that row as written (NaN, infinities and signed
        // zeros among the values), and the output is the same as without recording.
        var rng = new Random(55 + order);
        foreach (var (rows, cols, outRows, outCols) in new[] { (37, 29, 80, 61), (40, 52, 17, 23), (1, 30, 3, 70), (25, 1, 50, 2), (211, 197, 2053, 2047) })
        {
            var x = new float[rows * cols];
            for (int k = 0; k < x.Length; k++)
            {
                x[k] = rng.Next(40) switch
                {
                    0 => float.NaN,
                    1 => float.PositiveInfinity,
                    2 => -0f,
                    3 => 0f,
                    _ => (float)rng.NextDouble() * 100,
                };
            }

            int pad = SplineModes.PadFor(mode, order >= 2);
            var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, true, pad), rows + (2 * pad), order, mode);
            var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, true, pad), cols + (2 * pad), order, mode);
            foreach (bool verticalFirst in new[] { true, false })
            {
                foreach (bool permuted in new[] { true, false })
                {
                    var plain = new float[outRows * outCols];
                    SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 5f, plain, 1, verticalFirst, permuted: permuted);
                    foreach (int threads in new[] { 1, 3 })
                    {
                        var got = Poisoned(outRows * outCols);
                        var ranges = new float[(2 * outRows) + 1];
                        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 5f, got, threads, verticalFirst, permuted: permuted, rowRanges: ranges);
                        string what = $"{rows} x {cols} -> {outRows} x {outCols}, vertical first {verticalFirst}, permuted {permuted}, {threads} threads";
                        Assert.True(plain.AsSpan().SequenceEqual(got), what);
                        for (int i = 0; i < outRows; i++)
                        {
                            var (lo, hi, _) = Extremes.NanMinMax(plain.AsSpan(i * outCols, outCols));
                            bool outside = rowPlan.Outside[i];
                            Assert.True(
                                BitConverter.SingleToInt32Bits(outside ? float.NaN : lo) == BitConverter.SingleToInt32Bits(ranges[2 * i])
                                && BitConverter.SingleToInt32Bits(outside ? float.NaN : hi) == BitConverter.SingleToInt32Bits(ranges[(2 * i) + 1]),
                                $"{what}, row {i}: ({ranges[2 * i]}, {ranges[(2 * i) + 1]}) vs ({lo}, {hi})");
                        }
                    }
                }
            }
        }

        Assert.Throws<ArgumentException>(() => SeparableResampler.Apply(new float[4], 2, 2, AxisPlan.Create(AxisPlan.ZoomCoordinates(2, 2, true, 0), 2, 1, mode), AxisPlan.Create(AxisPlan.ZoomCoordinates(2, 2, true, 0), 2, 1, mode), 1, true, mode, 0f, new float[4], 1, clip: new ClipRange(0, 1), rowRanges: new float[4]));
        var constant = AxisPlan.Create(AxisPlan.ZoomCoordinates(2, 2, true, 0), 2, 1, SplineMode.Constant);
        Assert.Throws<ArgumentException>(() => SeparableResampler.Apply(new float[4], 2, 2, constant, constant, 1, true, SplineMode.Constant, 0f, new float[4], 1, rowRanges: new float[4]));
    }

    [Theory]
    [InlineData(1, SplineMode.Mirror)]
    [InlineData(3, SplineMode.Mirror)]
    [InlineData(1, SplineMode.GridConstant)]
    public void StreamedClippedRowsEqualClippingAfter(int order, SplineMode mode)
    {
        // Outputs of 4M+ values stream their rows past the caches, clipped on their way out. Horizontal pass first
        // (where the rows stream), odd widths (unaligned row starts), NaN among the values: the same bits as np.clip
        // of the unclipped output.
        var rng = new Random(90 + order);
        int rows = 211, cols = 197, outRows = 2053, outCols = 2047;
        var x = new float[rows * cols];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = rng.Next(3) == 0 ? 100f : (float)rng.NextDouble();
        }

        if (order == 1)
        {
            x[rows * cols / 2] = float.NaN; // (a prefiltered order 3 would spread it everywhere)
        }

        var clip = new ClipRange(0.25f, 60f);
        int pad = SplineModes.PadFor(mode, order >= 2);
        var rowPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(rows, outRows, true, pad), rows + (2 * pad), order, mode);
        var colPlan = AxisPlan.Create(AxisPlan.ZoomCoordinates(cols, outCols, true, pad), cols + (2 * pad), order, mode);
        Assert.True((long)outRows * outCols >= SeparableResampler.StreamingOutput);
        var plain = new float[outRows * outCols];
        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 5f, plain, 2, verticalFirst: false);
        var fused = Poisoned(outRows * outCols);
        SeparableResampler.Apply(x, rows, cols, rowPlan, colPlan, order, true, mode, 5f, fused, 2, verticalFirst: false, clip);
        Assert.Contains(plain, v => v > 60f || v < 0.25f);
        Assert.Equal(order == 1, plain.Any(float.IsNaN));
        for (int k = 0; k < plain.Length; k++)
        {
            bool outside = mode == SplineMode.GridConstant && plain[k] == 5f && fused[k] == 5f; // cval written outside is not clipped
            float want = float.IsNaN(plain[k]) || outside ? plain[k] : Math.Min(Math.Max(plain[k], 0.25f), 60f);
            Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(fused[k]), $"order {order} {mode} value {k}: {fused[k]} vs {want}");
        }
    }

    /// <summary>Clip ranges for each of ClipRange's rules: zeros of both signs as either bound.</summary>
    public static TheoryData<float, float, int> ClipRanges() => new()
    {
        { 0f, 2.5f, (int)ClipRule.NativeZeroLow },
        { -0f, 2.5f, (int)ClipRule.Native },
        { -1f, -0f, (int)ClipRule.Ieee },
        { -1f, 0f, (int)ClipRule.Native },
        { 0f, 0f, (int)ClipRule.NativeZeroLow },
        { -0f, -0f, (int)ClipRule.Ieee },
        { -0f, 0f, (int)ClipRule.Native },
        { 0f, -0f, (int)ClipRule.Ieee },
        { 0.25f, 60f, (int)ClipRule.Native },
        { -3f, -1f, (int)ClipRule.Native },
    };

    [Theory]
    [MemberData(nameof(ClipRanges))]
    public void ClipRangeGivesTheScalarRuleForEveryLengthAndAlignmentStreamedOrNot(float lo, float hi, int rule)
    {
        var rng = new Random(8);
        var clip = new ClipRange(lo, hi);
        Assert.Equal((ClipRule)rule, clip.Rule);
        float[] specials = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, 2.5f, -1e-30f, -1f, BitConverter.Int32BitsToSingle(unchecked((int)0xFFC00001)), BitConverter.Int32BitsToSingle(0x7F800001)];
        for (int n = 1; n <= 140; n++)
        {
            for (int offset = 0; offset < 8; offset++)
            {
                var src = new float[n + offset];
                for (int k = 0; k < src.Length; k++)
                {
                    src[k] = rng.Next(6) == 0 ? specials[rng.Next(specials.Length)] : (float)((rng.NextDouble() * 6) - 2);
                }

                foreach (bool stream in new[] { false, true })
                {
                    var dst = new float[n + offset];
                    clip.Apply(src.AsSpan(offset), dst.AsSpan(offset), stream);
                    for (int k = offset; k < src.Length; k++)
                    {
                        float want = float.IsNaN(src[k]) ? src[k] : Math.Min(Math.Max(src[k], lo), hi);
                        Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(dst[k]), $"n {n} offset {offset} stream {stream}: {src[k]} -> {dst[k]}, want {want}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ClipRanges))]
    public void WeightedRowsClippedAsWrittenEqualTheRowThenTheClip(float lo, float hi, int rule)
    {
        // The clip applied in registers as a row is written (streamed or not) against the weighted row then
        // ClipRange.Apply: every width to 160 and both streamed tap counts, values with zeros of both signs (a weighted
        // sum of -0s is -0), NaN and infinities.
        _ = rule;
        var rng = new Random(77);
        var clip = new ClipRange(lo, hi);
        float[] specials = [float.NaN, -0f, 0f, float.PositiveInfinity, float.NegativeInfinity, -1f, 2.5f];
        foreach (int taps in new[] { 1, 2, 3, 4 })
        {
            for (int width = 1; width <= 160; width++)
            {
                int stride = width + 3;
                var y = new float[stride * 6];
                for (int k = 0; k < y.Length; k++)
                {
                    y[k] = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)] : (float)((rng.NextDouble() * 6) - 3);
                }

                int[] index = [.. Enumerable.Range(0, taps).Select(t => (t * 2) % 6)];
                float[] weight = [.. Enumerable.Range(0, taps).Select(t => rng.Next(3) == 0 ? 1f : (float)rng.NextDouble())];
                var plain = new float[width];
                SeparableResampler.WeightedRows(y, stride, width, index, weight, 6, new float[width], plain);
                foreach (bool stream in new[] { false, true })
                {
                    var got = Poisoned(width + 5).AsSpan(5);
                    SeparableResampler.WeightedRowsClipped(y, stride, width, index, weight, clip, got, stream);
                    for (int k = 0; k < width; k++)
                    {
                        float want = ClipRange.One(plain[k], lo, hi);
                        Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got[k]), $"[{lo}, {hi}] taps {taps} width {width} stream {stream} value {k}: {got[k]} vs {want}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void InfinitiesAndNaNGiveTheReferencesInfinitiesAndNaN(SplineMode mode, int order)
    {
        // An infinite or NaN coefficient shows the sign (or the zero) of the weight it meets, which the vector paths'
        // float32 weights do not always share with SciPy's float64 ones: at a whole-number coordinate, order 3, the last
        // weight is -4.5e-8 in float32 and +8.3e-17 in float64 (differential fuzz, geometry-tall seed 7028: rotate 90,
        // prefilter off, an inf pixel gave -inf where SciPy gives +inf). Rotations by 90, 180, 270 and 23.5 degrees
        // (whole-number coordinates, and not), and a transposition with a whole offset, of frames large enough for
        // the vector paths, with one +inf, one -inf or a NaN: NaN where the reference has NaN, its infinities, and the
        // finite values within the tolerance.
        var rng = new Random(6000 + ((int)mode * 10) + order);
        var cases = new List<(string What, int OutRows, int OutCols, double[,] M, double[] Offset)>();
        foreach (double angle in new[] { 90.0, 180.0, 270.0, 23.5 })
        {
            var (outRows, outCols, m, offset) = Rotation.Geometry(37, 45, angle, reshape: true);
            cases.Add(($"rotate {angle}", outRows, outCols, m, offset));
        }

        cases.Add(("transposed", 45, 37, new double[,] { { 0, 1 }, { 1, 0 } }, [2.0, -3.0]));
        foreach (var (what, outRows, outCols, m, offset) in cases)
        {
            foreach (float bad in new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN })
            {
                foreach (bool prefilter in order >= 2 ? new[] { false, true } : [false])
                {
                    var x = Random(rng, 37 * 45);
                    x[(rng.Next(4, 33) * 45) + rng.Next(4, 41)] = bad;
                    var want = SplineReference.Affine(x, 37, 45, m, offset, outRows, outCols, order, mode, 2.5, prefilter);
                    var got = Poisoned(outRows * outCols);
                    AffineResampler.Apply(x, 37, 45, m, offset, outRows, outCols, order, prefilter, mode, 2.5f, got, threads: 2);
                    string at = $"{mode} order {order} {what} {bad} prefilter {prefilter}";
                    Assert.True(order == 0 || want.Any(v => !float.IsFinite(v)), $"{at}: the reference has no infinity or NaN");
                    AssertSameNonFinite(want, got, at);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void AnInfinityOnLinesLongerThanThePrefiltersStartsGivesTheReferencesNaN(SplineMode mode, int order)
    {
        // Lines of more than 96 values start the prefilter from a few dozen of them; SciPy sums the whole line, so an
        // infinity far along makes its first value infinite and its passes meet inf - inf (differential fuzz,
        // geometry-large seed 8007: NaN everywhere in SciPy, -inf at 54% of the pixels here). A 150 x 130 frame with
        // one +inf or -inf far from the first row and column, rotated by 23.5 degrees (and NaN, which fills its lines
        // either way): the reference's NaN and infinities, and its finite values within the tolerance.
        if (order < 2)
        {
            return;
        }

        var rng = new Random(7000 + ((int)mode * 10) + order);
        const int rows = 425, cols = 248;
        double[,] m = { { -1.42, 1.56 }, { 1.91, -0.88 } };
        double[] offset = [0.3, 6.4];
        int outRows = rows, outCols = cols;
        foreach (float bad in new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN })
        {
            var x = Random(rng, rows * cols);
            x[(rng.Next(280, 420) * cols) + rng.Next(150, 240)] = bad;
            var want = SplineReference.Affine(x, rows, cols, m, offset, outRows, outCols, order, mode, 2.5, true);
            var got = Poisoned(outRows * outCols);
            AffineResampler.Apply(x, rows, cols, m, offset, outRows, outCols, order, true, mode, 2.5f, got, threads: 2);
            AssertSameNonFinite(want, got, $"{mode} order {order} {bad}");
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndOrders))]
    public void RotatedFramesWithWholeVectorsOfInsidePixelsEqualTheReference(SplineMode mode, int order)
    {
        // Large enough that most groups of eight output pixels read only inside taps (the vector paths).
        var rng = new Random(4000 + ((int)mode * 10) + order);
        var (outRows, outCols, m, offset) = Rotation.Geometry(41, 53, 23.5, reshape: true);
        var x = Random(rng, 41 * 53);
        var want = SplineReference.Affine(x, 41, 53, m, offset, outRows, outCols, order, mode, 2.5, true);
        var got = Poisoned(outRows * outCols);
        AffineResampler.Apply(x, 41, 53, m, offset, outRows, outCols, order, true, mode, 2.5f, got, threads: 2);
        AssertClose(want, got, 2.5f, $"{mode} order {order} rotated 41x53");
    }
}

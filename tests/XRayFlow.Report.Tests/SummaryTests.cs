using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Outputs.Rendering;
using XRayFlow.Pipeline.Reporting;

namespace XRayFlow.Report.Tests;

/// <summary>The numbers and pictures of a value in the report, against a plain recount in double.</summary>
public sealed class SummaryTests
{
    private static float[] Data(int n, int seed, bool specials = true)
    {
        var rng = new Random(seed);
        var d = new float[n];
        for (int k = 0; k < n; k++)
        {
            d[k] = (float)((rng.NextDouble() * 2000) - 700);
            if (specials)
            {
                int pick = rng.Next(200);
                d[k] = pick switch { 0 => float.NaN, 1 => float.PositiveInfinity, 2 => float.NegativeInfinity, _ => d[k] };
            }
        }

        return d;
    }

    public static TheoryData<int, int> Shapes => new() { { 1, 1 }, { 1, 37 }, { 7, 13 }, { 193, 5 }, { 384, 192 }, { 300, 257 }, { 1024, 1024 }, { 77, 1500 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void StatisticsAreThoseOfTheFiniteValuesAndTheSpecialsAreCounted(int rows, int cols)
    {
        var data = Data(rows * cols, rows * 31 + cols);
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(rows, cols, data)));

        var finite = data.Where(float.IsFinite).Select(v => (double)v).ToList();
        Assert.Equal(SummaryKind.Array, s.Kind);
        Assert.Equal([rows, cols], s.Shape);
        Assert.Equal("float32", s.Dtype);
        Assert.Equal(data.Length, s.Count);
        Assert.Equal(finite.Count, s.Finite);
        Assert.Equal(data.Count(float.IsNaN), s.NaNs);
        Assert.Equal(data.Count(float.IsInfinity), s.Infinities);
        if (finite.Count == 0)
        {
            Assert.True(double.IsNaN(s.Min) && double.IsNaN(s.Max) && double.IsNaN(s.Mean));
            return;
        }

        Assert.Equal(finite.Min(), s.Min);
        Assert.Equal(finite.Max(), s.Max);
        Assert.True(Math.Abs(finite.Average() - s.Mean) <= 1e-4 * 1300, $"mean {s.Mean} vs {finite.Average()}");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheThumbnailIsTheMeanOfEachBoxOfFinitePixels(int rows, int cols)
    {
        var data = Data(rows * cols, rows + (cols * 7));
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(rows, cols, data)));
        int f = Math.Max(1, (int)Math.Ceiling(Math.Max(rows, cols) / (double)ValueSummary.ThumbSize));
        Assert.Equal(f, s.ThumbFactor);
        Assert.Equal((rows + f - 1) / f, s.ThumbRows);
        Assert.Equal((cols + f - 1) / f, s.ThumbCols);
        Assert.True(Math.Max(s.ThumbRows, s.ThumbCols) <= ValueSummary.ThumbSize);
        for (int ty = 0; ty < s.ThumbRows; ty++)
        {
            for (int tx = 0; tx < s.ThumbCols; tx++)
            {
                double sum = 0;
                int n = 0;
                for (int r = ty * f; r < Math.Min(rows, (ty + 1) * f); r++)
                {
                    for (int c = tx * f; c < Math.Min(cols, (tx + 1) * f); c++)
                    {
                        float v = data[(r * cols) + c];
                        if (float.IsFinite(v))
                        {
                            sum += v;
                            n++;
                        }
                    }
                }

                float got = s.Thumb[(ty * s.ThumbCols) + tx];
                if (n == 0)
                {
                    Assert.True(float.IsNaN(got));
                }
                else
                {
                    Assert.True(Math.Abs((sum / n) - got) <= 1e-3, $"cell ({ty}, {tx}): {got} vs {sum / n}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TheHistogramCountsTheFiniteValuesOfEveryStrideThRowAndColumnInTheirBins(int rows, int cols)
    {
        var data = Data(rows * cols, rows - cols);
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(rows, cols, data)));
        int stride = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(rows * (double)cols / ValueSummary.MaxSamples)));
        Assert.Equal(stride, s.SampleStride);
        var expected = new long[ValueSummary.HistogramBins];
        long count = 0;
        double scale = s.Max > s.Min ? ValueSummary.HistogramBins / (s.Max - s.Min) : 0;
        for (int r = 0; r < rows; r += stride)
        {
            for (int c = 0; c < cols; c += stride)
            {
                float v = data[(r * cols) + c];
                if (float.IsFinite(v))
                {
                    expected[Math.Clamp((int)((v - s.Min) * scale), 0, ValueSummary.HistogramBins - 1)]++;
                    count++;
                }
            }
        }

        Assert.Equal(expected, s.Histogram);
        Assert.Equal(count, s.HistogramCount);
        Assert.True(count <= ValueSummary.MaxSamples * 1.1);
        if (rows * cols <= ValueSummary.MaxSamples)
        {
            Assert.Equal(data.Count(float.IsFinite), count); // small arrays: every pixel
        }
    }

    [Fact]
    public void AComplexArrayIsSummarisedByItsMagnitude()
    {
        var re = new float[] { 3, 0, -5, 1 };
        var im = new float[] { 4, 2, 12, 0 };
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(2, 2, re, im)));
        Assert.True(s.IsComplex);
        Assert.Equal("complex64", s.Dtype);
        Assert.Equal(1, s.Min);
        Assert.Equal(13, s.Max);
        Assert.Equal((5 + 2 + 13 + 1) / 4.0, s.Mean, 6);
        Assert.Equal([5f, 2f, 13f, 1f], s.Thumb);
    }

    [Fact]
    public void AStackIsCountedWholeAndPicturedByItsFirstFrame()
    {
        var data = new float[] { 1, 2, 3, 4, /* frame 2 */ 100, 200, 300, 400 };
        var s = ValueSummary.Of(new ArrayValue(ImageArray.Stack(2, 2, 2, data)));
        Assert.True(s.IsStack);
        Assert.Equal([2, 2, 2], s.Shape);
        Assert.Equal(1, s.Min);
        Assert.Equal(400, s.Max);
        Assert.Equal([1f, 2f, 3f, 4f], s.Thumb);
        Assert.Equal(8, s.HistogramCount);
    }

    [Fact]
    public void BlocksInAnyOrderFromSeveralThreadsGiveTheSummaryOfTheWholeValue()
    {
        const int rows = 700, cols = 531;
        var data = Data(rows * cols, 5);
        var shape = new ImageArray(rows, cols, data);
        var whole = ValueSummary.Of(new ArrayValue(shape));
        var starts = Enumerable.Range(0, (data.Length + 16383) / 16384).Select(b => b * 16384).OrderBy(b => (b * 7919) % 101).ToList();
        var observations = new ItemObservations();
        var sink = observations.Fused("x", shape)!;
        Parallel.ForEach(starts, new ParallelOptions { MaxDegreeOfParallelism = 4 }, start => sink.Block(start, data.AsSpan(start, Math.Min(16384, data.Length - start))));
        sink.Completed();
        var fromBlocks = observations.Values["x"];
        Assert.Equal(whole.Min, fromBlocks.Min);
        Assert.Equal(whole.Max, fromBlocks.Max);
        Assert.Equal(whole.Finite, fromBlocks.Finite);
        Assert.Equal(whole.NaNs, fromBlocks.NaNs);
        Assert.Equal(whole.Histogram, fromBlocks.Histogram);
        Assert.Equal(whole.Mean, fromBlocks.Mean, 6);
        for (int k = 0; k < whole.Thumb.Length; k++)
        {
            Assert.True(float.IsNaN(whole.Thumb[k]) ? float.IsNaN(fromBlocks.Thumb[k]) : Math.Abs(whole.Thumb[k] - fromBlocks.Thumb[k]) <= 1e-3f);
        }
    }

    [Fact]
    public void AllNaNHasNoStatisticsAndStillRendersBlack()
    {
        var data = Enumerable.Repeat(float.NaN, 40 * 30).ToArray();
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(40, 30, data)));
        Assert.True(double.IsNaN(s.Min) && double.IsNaN(s.Mean));
        Assert.Equal(1200, s.NaNs);
        Assert.Equal(0, s.HistogramCount);
        var png = Thumbnails.Png(s, Display.Grey);
        var back = XRayFlow.Core.Codecs.ImageReader.Read(new MemoryStream(png), "t.png");
        Assert.Equal(40, back.Rows);
        Assert.All(back.Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ThumbnailsGoThroughTheColormapOverTheDisplayRange()
    {
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(1, 3, [0f, 50f, 100f])));
        var grey = XRayFlow.Core.Codecs.ImageReader.Read(new MemoryStream(Thumbnails.Png(s, Display.Grey)), "g.png");
        Assert.Equal([0f, 128f, 255f], grey.Data); // imshow's mapping: 50 of 0..100 is index floor(0.5 * 256) = 128

        var hot = Colormaps.Get("hot");
        var rgb = Thumbnails.Png(s, new Display(hot, 0, 200));
        var expected = new byte[9];
        hot.Apply([0f, 50f, 100f], 0, 200, expected);
        var image = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(rgb);
        for (int x = 0; x < 3; x++)
        {
            var p = image[x, 0];
            Assert.Equal((expected[3 * x], expected[(3 * x) + 1], expected[(3 * x) + 2]), (p.R, p.G, p.B));
        }
    }

    [Fact]
    public void TablesAndScalarsKeepTheirValues()
    {
        var t = ValueSummary.Of(new TableValue([new("min", 1.0), new("counts", new long[] { 1, 2 })]));
        Assert.Equal(SummaryKind.Table, t.Kind);
        Assert.Equal("min", t.Table[0].Key);
        var n = ValueSummary.Of(new ScalarValue(42.5));
        Assert.Equal(SummaryKind.Scalar, n.Kind);
        Assert.Equal(42.5, n.Scalar);
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Outputs.Rendering;
using XRayFlow.Pipeline.Reporting;

namespace XRayFlow.Report.Tests;

/// <summary>
/// The report's text helpers and picture arithmetic on exact values (from mutation testing: the page tests pass names
/// through them but did not pin every escape, number format or size).
/// </summary>
public sealed class HtmlTextTests
{
    [Fact]
    public void TextIsEscapedForElementsAndForAttributesOfEitherQuote()
    {
        Assert.Equal("a&amp;b&lt;c&gt;d&quot;e&#39;f", Html.E("a&b<c>d\"e'f"));
        Assert.Equal("x&quot; onmouseover=&quot;alert(1)&quot; y=&#39;z&#39;", Html.E("x\" onmouseover=\"alert(1)\" y='z'"));
        Assert.Equal(string.Empty, Html.E(null));
    }

    [Fact]
    public void ControlAndBidiCharactersAreShownNotActedOn()
    {
        // A file name may hold a newline, ESC or a right-to-left override (which would make "gnp.exe" read "exe.png").
        Assert.Equal("a\\x0ab\\x1b[31mc\\u202egnp.exe", Html.E("a\nb\u001b[31mc\u202Egnp.exe"));
    }

    [Fact]
    public void HrefsEncodeEachSegmentOfARelativePath()
    {
        Assert.Equal("png/a%20b%23%3F%26%22%3C.png", Html.Href("png/a b#?&\"<.png"));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-3.0, "-3")]
    [InlineData(9_999_999.0, "9999999")]
    [InlineData(10_000_000.0, "1e+7")]
    [InlineData(3.14159265, "3.142")]
    [InlineData(-0.00123456, "-0.001235")]
    [InlineData(1234.5678, "1235")]
    [InlineData(12_345.6, "12346")]
    [InlineData(0.0001234, "1.234e-4")]
    [InlineData(double.NaN, "–")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void NumbersHaveAtMostFourSignificantDigits(double value, string text) => Assert.Equal(text, Html.N(value));

    [Theory]
    [InlineData(0.04, "0.0 ms")]
    [InlineData(9.94, "9.9 ms")]
    [InlineData(10.0, "10 ms")]
    [InlineData(999.4, "999 ms")]
    [InlineData(1000.0, "1.00 s")]
    [InlineData(1237.0, "1.24 s")]
    public void TimesAreMillisecondsBelowASecond(double ms, string text) => Assert.Equal(text, Html.Ms(ms));

    [Fact]
    public void IdsKeepLettersDigitsAndUnderscoresAndSpellTheRestInLowerCaseHex()
    {
        Assert.Equal("step-gx_again", Html.Id("step-", "gx_again"));
        Assert.Equal("output-a-2eb-2dC-e9", Html.Id("output-", "a.b-Cé"));
        Assert.Equal("input-Z-3c-3e", Html.Id("input-", "Z<>"));
    }

    [Fact]
    public void ShrinkingTakesTheMeanOfEachBoxAndKeepsAPartialLastBox()
    {
        // 3 x 5 in boxes of 2 x 2: 2 x 3 cells, the last row and column of cells partial; NaN left out of a mean,
        // a cell of only NaN stays NaN.
        float n = float.NaN;
        float[] data =
        [
            1, 2, 3, 4, 5,
            6, 7, 8, n, 10,
            11, 12, n, n, 15,
        ];
        var (shrunk, rows, cols) = Thumbnails.Shrink(data, 3, 5, 2);
        Assert.Equal((2, 3), (rows, cols));
        Assert.Equal([4f, 5f, 7.5f, 11.5f, n, 15f], shrunk);

        var (same, r1, c1) = Thumbnails.Shrink(data, 3, 5, 1);
        Assert.Same(data, same);
        Assert.Equal((3, 5), (r1, c1));
    }

    [Fact]
    public void AShrunkThumbnailIsAPngOfTheRoundedUpSize()
    {
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(5, 7, Enumerable.Range(0, 35).Select(i => (float)i).ToArray())));
        var png = XRayFlow.Core.Codecs.ImageReader.Read(new MemoryStream(Thumbnails.Png(s, Display.Grey, 2)), "t.png");
        Assert.Equal((3, 4), (png.Rows, png.Cols));
    }

    [Fact]
    public void ADisplayRangeIsTheGivenLimitsElseTheFiniteMinAndMaxAndNeverUpsideDown()
    {
        var s = ValueSummary.Of(new ArrayValue(new ImageArray(1, 3, [-2f, 5f, 9f])));
        Assert.Equal((-2.0, 9.0), Display.Grey.Range(s));
        Assert.Equal((0.0, 9.0), new Display(Colormaps.Gray, Vmin: 0).Range(s));
        Assert.Equal((7.0, 7.0), new Display(Colormaps.Gray, 7, 3).Range(s)); // vmin above vmax: a flat picture at vmin
        Assert.Equal((10.0, 10.0), new Display(Colormaps.Gray, Vmin: 10).Range(s)); // vmin above the max
        Assert.Equal("gray, -2 to 9", Display.Grey.Describe(s));

        var none = ValueSummary.Of(new ArrayValue(new ImageArray(1, 2, [float.NaN, float.NaN])));
        Assert.Equal((0.0, 1.0), Display.Grey.Range(none));
    }

    [Fact]
    public void TheWaitingPageEscapesItsTitle()
    {
        string page = RunReport.WaitingPage("<b>r</b> & 'q'", new ReportOptions());
        Assert.Contains("<title>&lt;b&gt;r&lt;/b&gt; &amp; &#39;q&#39;: xrayflow report</title>", page, StringComparison.Ordinal);
        Assert.Contains("<h1>&lt;b&gt;r&lt;/b&gt; &amp; &#39;q&#39;</h1>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.Ordinal);
    }
}

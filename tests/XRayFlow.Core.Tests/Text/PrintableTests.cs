using XRayFlow.Core.Text;

namespace XRayFlow.Core.Tests.Text;

public class PrintableTests
{
    [Theory]
    [InlineData("plain name.png", "plain name.png")]
    [InlineData("", "")]
    [InlineData("\u001b]0;owned\u0007", "\\x1b]0;owned\\x07")]
    [InlineData("a\rb\nc\td", "a\\x0db\\x0ac\\x09d")]
    [InlineData("\u001b[2J\u001b[31mred", "\\x1b[2J\\x1b[31mred")]
    [InlineData("nul\0del\u007f", "nul\\x00del\\x7f")]
    [InlineData("c1 \u009b31m", "c1 \\x9b31m")]
    [InlineData("gpj.exe\u202Ecod", "gpj.exe\\u202ecod")]
    [InlineData("\u2066iso\u2069 \u200Fmark \u2028line", "\\u2066iso\\u2069 \\u200fmark \\u2028line")]
    [InlineData("\uFEFFbom", "\\ufeffbom")]
    [InlineData("Ünïcödé 東京 \U0001F600 é", "Ünïcödé 東京 \U0001F600 é")]
    [InlineData("40\\400", "40\\400")]
    public void EscapesWhatATerminalWouldActOnAndKeepsTheRest(string text, string expected)
        => Assert.Equal(expected, Printable.Escape(text));

    [Fact]
    public void LoneSurrogatesAreEscapedPairsKept()
    {
        Assert.Equal("a\\ud800b", Printable.Escape("a\uD800b"));
        Assert.Equal("a\\udc00b", Printable.Escape("a\uDC00b"));
        Assert.Equal("\U0001F600", Printable.Escape("\U0001F600"));
        Assert.Equal(string.Empty, Printable.Escape(null));
    }

    [Fact]
    public void EveryCharacterBelowU0100IsPrintableOrEscaped()
    {
        for (int c = 0; c < 0x100; c++)
        {
            string s = Printable.Escape(((char)c).ToString());
            bool control = c < 0x20 || (c >= 0x7F && c <= 0x9F);
            Assert.Equal(control ? $"\\x{c:x2}" : ((char)c).ToString(), s);
        }
    }

    [Fact]
    public void ExcerptCutsLongValuesAndEscapes()
    {
        Assert.Equal("abc", Printable.Excerpt("abc", 5));
        Assert.Equal("abcde...", Printable.Excerpt("abcdefgh", 5));
        Assert.Equal("\\x1b[2...", Printable.Excerpt("\u001b[2Jxxxxxx", 3));
        Assert.Equal("ab...", Printable.Excerpt("ab\U0001F600", 3)); // never half a surrogate pair
    }
}

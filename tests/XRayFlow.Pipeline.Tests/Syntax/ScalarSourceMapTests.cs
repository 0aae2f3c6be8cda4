using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Tests.Syntax;

/// <summary>
/// A scalar's <see cref="YamlScalar.Map"/> sends each character of its value to the source text that produced it:
/// random quoted scalars made of plain characters, escapes and folded line breaks (fixed seeds) are written as YAML,
/// read back, and every character's location is compared with where its piece was written.
/// </summary>
public class ScalarSourceMapTests
{
    /// <summary>A piece of scalar source: its text, its value, and for each value character the index in <see cref="Source"/> that produced it.</summary>
    private sealed record Piece(string Source, string Value, int[] Anchors, PieceKind Kind);

    private enum PieceKind
    {
        Text,
        Blank, // a literal space or tab: white space a line break next to it would drop
        Break, // a folded line break, blank lines, an escaped line break: the next line starts with indentation
    }

    private static readonly string[] PlainChars = ["a", "Z", "0", "9", "+", "*", "(", ")", ">", "=", ".", ",", ":", "#", "&", "|", "%", "@", "{", "}", "[", "]", "é", "中", "😀"];

    private static readonly (string Source, string Value)[] Escapes =
    [
        ("\\t", "\t"), ("\\\t", "\t"), ("\\\"", "\""), ("\\\\", "\\"), ("\\/", "/"), ("\\ ", " "), ("\\0", "\0"), ("\\n", "\n"),
        ("\\r", "\r"), ("\\e", "\u001B"), ("\\N", "\u0085"), ("\\_", "\u00A0"), ("\\L", "\u2028"), ("\\P", "\u2029"),
        ("\\x41", "A"), ("\\x7e", "~"), ("\\u0020", " "), ("\\u00e9", "é"), ("\\u4E2D", "中"), ("\\U0001F600", "😀"), ("\\U00000041", "A"),
    ];

    private static Piece Text(string source, string value, bool sameAnchor)
        => new(source, value, [.. Enumerable.Range(0, value.Length).Select(k => sameAnchor ? 0 : k)], PieceKind.Text);

    private static string Indent(Random rng, int least) => new string(' ', rng.Next(least, least + 6)) + (rng.Next(4) == 0 ? "\t" : string.Empty);

    /// <summary>A line break that folds to a space (the space is the line break: the end of its line).</summary>
    private static Piece Fold(Random rng, int indent) => new("\n" + Indent(rng, indent), " ", [0], PieceKind.Break);

    /// <summary>A line break and 1..3 blank lines: one line feed per blank line, each at the end of its blank line.</summary>
    private static Piece BlankLines(Random rng, int indent, string prefix = "")
    {
        var source = new StringBuilder(prefix + "\n");
        var anchors = new List<int>();
        for (int k = rng.Next(1, 4); k > 0; k--)
        {
            source.Append(new string(' ', rng.Next(0, 3)));
            anchors.Add(source.Length);
            source.Append('\n');
        }

        source.Append(Indent(rng, indent));
        return new(source.ToString(), new string('\n', anchors.Count), [.. anchors], PieceKind.Break);
    }

    private static Piece NextPiece(Random rng, bool doubleQuoted, int indent)
    {
        int roll = rng.Next(100);
        if (roll < 40)
        {
            string c = PlainChars[rng.Next(PlainChars.Length)];
            return Text(c, c, sameAnchor: false);
        }

        if (roll < 48)
        {
            string w = rng.Next(3) == 0 ? "\t" : " ";
            return new(w, w, [0], PieceKind.Blank);
        }

        if (roll < 56)
        {
            return doubleQuoted ? Text("'", "'", sameAnchor: false) : Text("''", "'", sameAnchor: true);
        }

        if (roll < 62)
        {
            return doubleQuoted ? Text("\\\"", "\"", sameAnchor: true) : Text("\"\\", "\"\\", sameAnchor: false);
        }

        if (roll < 80 && doubleQuoted)
        {
            var (source, value) = Escapes[rng.Next(Escapes.Length)];
            return Text(source, value, sameAnchor: true);
        }

        if (roll < 88)
        {
            return Fold(rng, indent);
        }

        if (roll < 94 || !doubleQuoted)
        {
            return BlankLines(rng, indent);
        }

        // An escaped line break: no value, unless blank lines follow it (one line feed each).
        return rng.Next(3) == 0 ? BlankLines(rng, indent, "\\") : new("\\\n" + Indent(rng, indent), string.Empty, [], PieceKind.Break);
    }

    /// <summary>Pieces in an order YAML keeps: no white space next to a line break (it would be dropped), no two breaks in a row (a blank line).</summary>
    private static List<Piece> RandomPieces(Random rng, bool doubleQuoted, int indent)
    {
        var pieces = new List<Piece>();
        int count = rng.Next(0, 30);
        while (pieces.Count < count)
        {
            var piece = NextPiece(rng, doubleQuoted, indent);
            var last = pieces.Count > 0 ? pieces[^1].Kind : PieceKind.Text;
            bool clash = (last == PieceKind.Break && piece.Kind != PieceKind.Text) || (last == PieceKind.Blank && piece.Kind == PieceKind.Break);
            if (!clash)
            {
                pieces.Add(piece);
            }
        }

        return pieces;
    }

    private static (int Line, int Column) LineColumn(string text, int index)
    {
        int line = 1, column = 1;
        for (int k = 0; k < index; k++)
        {
            (line, column) = text[k] == '\n' ? (line + 1, 1) : (line, column + 1);
        }

        return (line, column);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(true, 3)]
    [InlineData(false, 4)]
    [InlineData(false, 5)]
    public void EveryCharacterOfARandomQuotedScalarMapsToTheTextThatWroteIt(bool doubleQuoted, int seed)
    {
        var rng = new Random(seed);
        char quote = doubleQuoted ? '"' : '\'';
        for (int round = 0; round < 300; round++)
        {
            var pieces = RandomPieces(rng, doubleQuoted, indent: round % 2 == 0 ? 1 : 5);
            string head = round % 2 == 0 ? "k: " + quote : "steps:\n  - expr: " + quote;
            var source = new StringBuilder(head);
            var value = new StringBuilder();
            var anchors = new List<int>();
            foreach (var p in pieces)
            {
                anchors.AddRange(p.Anchors.Select(a => source.Length + a));
                source.Append(p.Source);
                value.Append(p.Value);
            }

            int closing = source.Length;
            string text = source.Append(quote).Append("\nnext: 1\n").ToString();

            var bag = new DiagnosticBag();
            var root = YamlTreeReader.Read(text, "t.yaml", bag) as YamlMapping;
            Assert.True(bag.Count == 0, $"{text}\n{string.Join("\n", bag)}");
            var scalar = Assert.IsType<YamlScalar>(round % 2 == 0 ? root!["k"] : ((YamlMapping)((YamlSequence)root!["steps"]!).Items[0])["expr"]);
            Assert.True(value.ToString() == scalar.Value, $"the test wrote {Show(value.ToString())}, YAML read {Show(scalar.Value)} from\n{text}");

            for (int k = 0; k <= scalar.Value.Length; k++)
            {
                var expected = LineColumn(text, k < scalar.Value.Length ? anchors[k] : closing);
                var actual = scalar.Locate(k);
                Assert.True(expected == (actual.Line, actual.Column), $"character {k} of {Show(scalar.Value)}: expected {expected}, got {actual} in\n{text}");
                Assert.True(scalar.Map.OffsetOf(actual) <= k, $"OffsetOf({actual}) is after {k} in\n{text}");
            }
        }
    }

    private static string Show(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static YamlScalar ReadValue(string yaml)
    {
        var bag = new DiagnosticBag();
        var root = Assert.IsType<YamlMapping>(YamlTreeReader.Read(yaml, "t.yaml", bag));
        Assert.True(bag.Count == 0, string.Join("\n", bag));
        return Assert.IsType<YamlScalar>(root["k"]);
    }

    [Theory]
    [InlineData("k: x + 2 * y\n")]
    [InlineData("k: \"x + 2 * y\"\n")]
    [InlineData("k: 'x + 2 * y'\n")]
    [InlineData("k: [\"a\", b c]\n")]
    [InlineData("k: |\n  x +\n    MathF.Max(rows, 1)\n")]
    [InlineData("k: |-\n    x +\n    y\nnext: 1\n")]
    [InlineData("k: \"😀 é\"\n")]
    public void PlainTextQuotesWithoutEscapesAndLiteralBlocksMapAsWritten(string yaml)
    {
        var bag = new DiagnosticBag();
        var root = Assert.IsType<YamlMapping>(YamlTreeReader.Read(yaml, "t.yaml", bag));
        var scalar = root["k"] as YamlScalar ?? Assert.IsType<YamlScalar>(((YamlSequence)root["k"]!).Items[1]);
        var asWritten = SourceMap.AsWritten(scalar.Value, scalar.ContentStart);
        for (int k = 0; k <= scalar.Value.Length; k++)
        {
            Assert.Equal(asWritten.Locate(k), scalar.Locate(k));
        }
    }

    [Theory]
    // (yaml, offset into the value, expected line:column)
    [InlineData("k: \"a\\tb\"\n", 2, "1:8")]
    [InlineData("k: \"a\\tb\"\n", 3, "1:9")] // the end of the value: the closing quote
    [InlineData("k: 'it''s'\n", 3, "1:9")]
    [InlineData("k: 'it''s'\n", 4, "1:10")]
    [InlineData("k: \"\\U0001F600x\"\n", 1, "1:5")] // both halves of the emoji are its escape
    [InlineData("k: \"\\U0001F600x\"\n", 2, "1:15")]
    [InlineData("k: \"ab\n  cd\"\n", 2, "1:7")] // the folded space is the line break
    [InlineData("k: \"ab\n  cd\"\n", 3, "2:3")]
    [InlineData("k: \"ab   \n  cd\"\n", 3, "2:3")] // white space before a folded break is not in the value
    [InlineData("k: \"ab\n\n  cd\"\n", 2, "2:1")] // a blank line is a line feed
    [InlineData("k: \"ab\\\n  cd\"\n", 2, "2:3")] // an escaped line break is nothing
    [InlineData("k: >\n  ab\n  cd\n", 2, "2:5")]
    [InlineData("k: >\n  ab\n  cd\n", 3, "3:3")]
    [InlineData("k: >\n  ab\n  cd\n", 6, "4:3")] // after the last line feed: where a next line would start
    [InlineData("k: >-\n  ab\n\n  cd\nnext: 1\n", 2, "3:1")]
    [InlineData("k: >-\n  ab\n\n  cd\nnext: 1\n", 5, "4:5")]
    [InlineData("k: >\n  ab\n    more\n  cd\n", 3, "3:3")] // a more indented line keeps its line breaks
    [InlineData("k: |2\n    ab\n  cd\n", 2, "2:5")] // an explicit indentation below the first line's
    [InlineData("k: ab\n  cd\n", 3, "2:3")]
    [InlineData("k: >\n  ab\n  \n  cd\n", 2, "3:3")] // a blank line of exactly the indentation is a line feed
    [InlineData("k: >\n  ab\n  \n  cd\n", 3, "4:3")]
    [InlineData("k: \"ab\r\n  cd\"\r\n", 2, "1:7")] // CRLF: the folded space is the line break, before its '\r'
    [InlineData("k: \"ab\r\n  cd\"\r\n", 3, "2:3")]
    public void AValueOffsetMapsToItsSourceCharacter(string yaml, int offset, string expected)
    {
        var at = ReadValue(yaml).Locate(offset);
        Assert.Equal(expected, $"{at.Line}:{at.Column}");
    }

    [Fact]
    public void AFoldedBlockAtTheRootIsMappedWithNoIndentation()
    {
        var bag = new DiagnosticBag();
        var scalar = Assert.IsType<YamlScalar>(YamlTreeReader.Read(">\nab\ncd\n", "t.yaml", bag));
        Assert.Equal("ab cd\n", scalar.Value);
        Assert.Equal((2, 3), (scalar.Locate(2).Line, scalar.Locate(2).Column)); // the folded space: line 2's break
        Assert.Equal((3, 1), (scalar.Locate(3).Line, scalar.Locate(3).Column));
    }

    [Fact]
    public void ABlockWithCrlfLineEndingsStartsAtItsFirstTextLine()
    {
        // The blank line after the header is "\r": not text, so the content starts on line 3, not at 2:1.
        var scalar = ReadValue("k: |\r\n\r\n  ab\r\n");
        Assert.Equal("\nab\n", scalar.Value);
        Assert.Equal((3, 3), (scalar.ContentStart.Line, scalar.ContentStart.Column));
    }

    [Fact]
    public void AMapIsOnlyUsedForTheTextItWasBuiltFor()
    {
        var scalar = ReadValue("k: \"\\tx + y\"\n");
        var start = scalar.ContentStart;
        Assert.Equal(start.Shift(3), SourceMap.For("\tx + y", start, scalar.Map).Locate(2));
        Assert.Equal(start.Shift(2), SourceMap.For("other", start, scalar.Map).Locate(2)); // a --set text: as written
    }
}

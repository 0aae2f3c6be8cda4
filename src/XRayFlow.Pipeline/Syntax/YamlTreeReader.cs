using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace XRayFlow.Pipeline.Syntax;

/// <summary>
/// Reads recipe text into a <see cref="YamlNode"/> tree with locations, from YamlDotNet's parser events
/// (never the object deserializer). Refuses, as diagnostics, everything a recipe has no use for and that
/// reads differently across YAML tools: anchors, aliases, merge keys, tags, duplicate keys, several
/// documents, nesting deeper than <see cref="MaxDepth"/>, YAML 1.1 booleans (yes/no/on/off/y/n) and
/// ambiguous octal/hex numbers. Never throws for bad input.
/// </summary>
public sealed class YamlTreeReader
{
    /// <summary>Largest recipe accepted (1 MiB).</summary>
    public const long MaxBytes = 1024 * 1024;

    /// <summary>Deepest nesting of maps and lists accepted.</summary>
    public const int MaxDepth = 64;

    private static readonly Regex MarkPrefix = new(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\):\s*", RegexOptions.CultureInvariant);

    private readonly string _text;
    private readonly string _file;
    private readonly DiagnosticBag _diagnostics;
    private readonly string[] _lines;
    private IParser _parser = null!;

    /// <summary>Whether the parser reads the text with its references' braces shielded (<see cref="ReferenceBraces"/>).</summary>
    private bool _shielded;

    /// <summary>The flow lists and maps being read (innermost last): where each opened, and whether it is a list.</summary>
    private readonly List<(Mark Start, bool IsList)> _openFlows = [];

    private YamlTreeReader(string text, string file, DiagnosticBag diagnostics)
    {
        _text = text;
        _file = file;
        _diagnostics = diagnostics;
        _lines = text.Split('\n');
    }

    /// <summary>Parse <paramref name="text"/>; returns the root node, or null when the text has no usable document.</summary>
    public static YamlNode? Read(string text, string file, DiagnosticBag diagnostics)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            diagnostics.ReportRecipeTooLarge(new SourceLocation(file, 1, 1), System.Text.Encoding.UTF8.GetByteCount(text));
            return null;
        }

        return new YamlTreeReader(text, file, diagnostics).ReadStream();
    }

    private string Unshield(string value) => _shielded ? ReferenceBraces.Restore(value) : value;

    private SourceLocation Loc(Mark mark) => new(_file, (int)Math.Max(1, mark.Line), (int)Math.Max(1, mark.Column));

    private YamlNode? ReadStream()
    {
        try
        {
            string shielded = ReferenceBraces.Shield(_text);
            _shielded = !ReferenceEquals(shielded, _text);
            _parser = new Parser(new StringReader(shielded));
            Expect<StreamStart>();
            Next();
            if (_parser.Current is StreamEnd)
            {
                _diagnostics.ReportEmptyRecipe(new SourceLocation(_file, 1, 1));
                return null;
            }

            if (_parser.Current is not DocumentStart)
            {
                throw new YamlException(_parser.Current!.Start, _parser.Current.End, "expected a document");
            }

            var root = ReadNode(0, isKey: false);
            Expect<DocumentEnd>();
            Next();
            if (_parser.Current is DocumentStart extra)
            {
                _diagnostics.ReportSeveralDocuments(Loc(extra.Start));
                return null;
            }

            if (root is YamlScalar { IsNull: true })
            {
                _diagnostics.ReportEmptyRecipe(new SourceLocation(_file, 1, 1));
                return null;
            }

            return root;
        }
        catch (StopReading)
        {
            // Refused without reading further: the YAML parser slows down on absurd nesting (a denial of service).
            return null;
        }
        catch (YamlException e)
        {
            string message = Unshield(MarkPrefix.Replace(e.Message, string.Empty).Trim());
            if (message.Length == 0)
            {
                message = "cannot parse the recipe";
            }

            var at = Loc(e.Start);
            if (message.Contains("tab", StringComparison.OrdinalIgnoreCase) && IndentingTab(e.Start) is { } tab)
            {
                // YamlDotNet puts its tab errors at the start of the enclosing map or scalar (often line 1), not at the tab.
                (at, message) = (tab, "a tab in the indentation of this line; YAML indents with spaces only");
            }

            _diagnostics.ReportYamlSyntax(at, message.TrimEnd('.'));
            return null;
        }
    }

    /// <summary>The first tab among the leading blanks of a line, from the line of <paramref name="from"/> on; null when there is none.</summary>
    private SourceLocation? IndentingTab(Mark from)
    {
        for (int line = (int)Math.Max(0, from.Line - 1); line < _lines.Length; line++)
        {
            string text = _lines[line];
            for (int col = 0; col < text.Length && (text[col] == ' ' || text[col] == '\t'); col++)
            {
                if (text[col] == '\t')
                {
                    return new SourceLocation(_file, line + 1, col + 1);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The parser's MoveNext, with its non-YAML exceptions (it throws ArgumentException for a bad tag URI,
    /// InvalidOperationException in some broken states) turned into a YamlException at the last position read.
    /// </summary>
    private bool Advance()
    {
        var last = _parser.Current?.End ?? Mark.Empty;
        try
        {
            return _parser.MoveNext();
        }
        catch (InvalidOperationException) when (_openFlows.Count > 0)
        {
            // YamlDotNet's parser loses its state (and says only "Operation is not valid due to the current state of
            // the object") when a flow list or map is never closed: the lines after it are read as its items.
            var (start, isList) = _openFlows[^1];
            throw new YamlException(start, start, isList
                ? "this '[' is never closed with ']' (a flow list may span lines, so the lines after it were read as its items)"
                : "this '{' is never closed with '}' (a flow map may span lines, so the lines after it were read as its entries)");
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            throw new YamlException(last, last, e.Message);
        }
    }

    private void Next()
    {
        if (!Advance())
        {
            throw new YamlException("unexpected end of the recipe");
        }
    }

    private T Expect<T>()
        where T : ParsingEvent
    {
        if (!Advance())
        {
            throw new YamlException("unexpected end of the recipe");
        }

        return _parser.Current as T ?? throw new YamlException(_parser.Current!.Start, _parser.Current.End, $"expected {typeof(T).Name}, found {_parser.Current.GetType().Name}");
    }

    /// <summary>Moves to the next event and reads the node it starts; null for refused nodes (an alias).</summary>
    private YamlNode? ReadNode(int depth, bool isKey)
    {
        if (!Advance())
        {
            throw new YamlException("unexpected end of the recipe");
        }

        return ReadCurrent(depth, isKey);
    }

    private YamlNode? ReadCurrent(int depth, bool isKey)
    {
        var ev = _parser.Current!;
        switch (ev)
        {
            case AnchorAlias alias:
                _diagnostics.ReportAnchorOrAlias(Loc(alias.Start), $"alias '*{alias.Value}'");
                return null;
            case Scalar scalar:
                CheckNodeEvent(scalar);
                return MakeScalar(scalar, isKey);
            case SequenceStart seq:
            {
                CheckNodeEvent(seq);
                if (depth + 1 > MaxDepth)
                {
                    _diagnostics.ReportNestingTooDeep(Loc(seq.Start), MaxDepth);
                    throw new StopReading();
                }

                var items = new List<YamlNode>();
                bool flow = seq.Style == SequenceStyle.Flow;
                if (flow)
                {
                    _openFlows.Add((seq.Start, true));
                }

                while (true)
                {
                    if (!Advance())
                    {
                        throw new YamlException("unexpected end of the recipe");
                    }

                    if (_parser.Current is SequenceEnd)
                    {
                        break;
                    }

                    if (ReadCurrent(depth + 1, false) is { } item)
                    {
                        items.Add(item);
                    }
                }

                if (flow)
                {
                    _openFlows.RemoveAt(_openFlows.Count - 1);
                }

                return new YamlSequence(items, Loc(seq.Start));
            }

            case MappingStart map:
            {
                CheckNodeEvent(map);
                if (depth + 1 > MaxDepth)
                {
                    _diagnostics.ReportNestingTooDeep(Loc(map.Start), MaxDepth);
                    throw new StopReading();
                }

                var entries = new List<YamlEntry>();
                var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
                bool flow = map.Style == MappingStyle.Flow;
                if (flow)
                {
                    _openFlows.Add((map.Start, false));
                }

                while (true)
                {
                    if (!Advance())
                    {
                        throw new YamlException("unexpected end of the recipe");
                    }

                    if (_parser.Current is MappingEnd)
                    {
                        break;
                    }

                    var keyEvent = _parser.Current!;
                    var key = ReadCurrent(depth + 1, true);
                    var value = ReadNode(depth + 1, false);
                    if (key is not YamlScalar k)
                    {
                        if (key is not null)
                        {
                            _diagnostics.ReportWrongNodeType(Loc(keyEvent.Start), "a map key", "a plain name", key.Describe());
                        }

                        continue;
                    }

                    if (k.IsPlain && k.Value == "<<")
                    {
                        _diagnostics.ReportAnchorOrAlias(k.Start, "merge key '<<'");
                        continue;
                    }

                    if (seen.TryGetValue(k.Value, out var first))
                    {
                        _diagnostics.ReportDuplicateKey(k.Start, k.Value, first.Start.Line);
                        continue;
                    }

                    seen.Add(k.Value, k);
                    if (value is not null)
                    {
                        entries.Add(new YamlEntry(k, value));
                    }
                }

                if (flow)
                {
                    _openFlows.RemoveAt(_openFlows.Count - 1);
                }

                return new YamlMapping(entries, Loc(map.Start));
            }

            default:
                throw new YamlException(ev.Start, ev.End, $"unexpected {ev.GetType().Name}");
        }
    }

    private void CheckNodeEvent(NodeEvent ev)
    {
        if (!ev.Anchor.IsEmpty)
        {
            _diagnostics.ReportAnchorOrAlias(Loc(ev.Start), $"anchor '&{ev.Anchor.Value}'");
        }

        if (!ev.Tag.IsEmpty && !ev.Tag.IsNonSpecific)
        {
            string tag = ev.Tag.Value.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal) ? "!!" + ev.Tag.Value["tag:yaml.org,2002:".Length..] : ev.Tag.Value;
            _diagnostics.ReportTagNotAllowed(Loc(ev.Start), tag);
        }
    }

    private YamlScalar MakeScalar(Scalar s, bool isKey)
    {
        var start = Loc(s.Start);
        var style = s.Style switch
        {
            YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted => ScalarStyle.Quoted,
            YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded => ScalarStyle.Block,
            _ => ScalarStyle.Plain,
        };
        var contentStart = style switch
        {
            ScalarStyle.Quoted => start.Shift(1),
            ScalarStyle.Block => BlockContentStart(start),
            _ => start,
        };
        string value = Unshield(s.Value);
        var (lines, written, from, to) = (_lines, s.Style, s.Start, s.End);
        var map = SourceMap.Lazy(value, contentStart, () => ScalarLayout.Of(lines, written, from, to, value));
        var node = new YamlScalar(value, style, start, contentStart, isKey, map);
        if (style == ScalarStyle.Plain && !isKey)
        {
            if (ScalarText.IsYaml11Boolean(s.Value))
            {
                _diagnostics.ReportYaml11Boolean(start, s.Value);
            }
            else if (ScalarText.IsAmbiguousNumber(s.Value))
            {
                _diagnostics.ReportAmbiguousNumber(start, s.Value);
            }
        }

        return node;
    }

    /// <summary>The first non-blank character after a block scalar's header line.</summary>
    private SourceLocation BlockContentStart(SourceLocation header)
    {
        for (int line = header.Line; line < _lines.Length; line++)
        {
            // _lines is 0-based: _lines[header.Line] is the line after the header.
            string text = _lines[line].TrimEnd('\r');
            int col = 0;
            while (col < text.Length && text[col] == ' ')
            {
                col++;
            }

            if (col < text.Length)
            {
                return new SourceLocation(_file, line + 1, col + 1);
            }
        }

        return header;
    }

    /// <summary>Stops reading after a problem that makes the rest not worth parsing (nesting too deep).</summary>
    private sealed class StopReading : Exception;
}

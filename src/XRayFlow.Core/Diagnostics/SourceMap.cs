namespace XRayFlow.Core.Diagnostics;

/// <summary>
/// Where each character of a text read from a file stands in that file, and where the text ends: the value of a
/// YAML scalar after its escapes (<c>\t</c>, <c>\u0020</c>, <c>''</c>) and line folding, mapped back character by
/// character to the source text that wrote it. Every location inside a scalar's value (an expression's error column,
/// a <c>${name}</c>, an output path's <c>{placeholder}</c>) goes through <see cref="Locate"/>.
/// <para>
/// Columns count UTF-16 characters, as every <see cref="SourceLocation"/> does (a tab is one column, an emoji two).
/// The positions are computed on first use, so a scalar nobody asks about costs one small object.
/// </para>
/// </summary>
public sealed class SourceMap
{
    private readonly Func<(int Line, int Column)[]?>? _layout;
    private (int Line, int Column)[]? _positions;

    private SourceMap(string text, SourceLocation start, Func<(int Line, int Column)[]?>? layout)
    {
        Text = text;
        Start = start;
        _layout = layout;
    }

    /// <summary>The text this map is for.</summary>
    public string Text { get; }

    /// <summary>Where the text's first character stands (also where an empty text is).</summary>
    public SourceLocation Start { get; }

    /// <summary>
    /// A map whose positions <paramref name="layout"/> computes when first needed: Text.Length + 1 (line, column)
    /// pairs, one per character and then the position just after the last one; null (or a wrong count) means the text
    /// stands in the file as written (see <see cref="AsWritten"/>).
    /// </summary>
    public static SourceMap Lazy(string text, SourceLocation start, Func<(int Line, int Column)[]?> layout) => new(text, start, layout);

    /// <summary>
    /// The text laid out from <paramref name="start"/> as written, without escapes: each character one column after
    /// the previous one; after a line break the next line starts at <paramref name="start"/>'s column (a literal block).
    /// </summary>
    public static SourceMap AsWritten(string text, SourceLocation start) => new(text, start, null);

    /// <summary><paramref name="map"/> when it maps <paramref name="text"/>, else the text <see cref="AsWritten"/> at <paramref name="start"/>
    /// (a value that came from elsewhere, e.g. a param's text given with --set, has no map of its own).</summary>
    public static SourceMap For(string text, SourceLocation start, SourceMap? map)
        => map is not null && string.Equals(map.Text, text, StringComparison.Ordinal) ? map : AsWritten(text, start);

    /// <summary>The location of the character <paramref name="offset"/> characters into the text (clamped); the text's length gives the position just after its last character.</summary>
    public SourceLocation Locate(int offset)
    {
        var at = Positions()[Math.Clamp(offset, 0, Text.Length)];
        return Start with { Line = at.Line, Column = at.Column };
    }

    /// <summary>The first offset that <see cref="Locate"/> maps to <paramref name="location"/>'s line and column; the text's length when none does.</summary>
    public int OffsetOf(SourceLocation location)
    {
        var positions = Positions();
        for (int k = 0; k < positions.Length; k++)
        {
            if (positions[k].Line == location.Line && positions[k].Column == location.Column)
            {
                return k;
            }
        }

        return Text.Length;
    }

    private (int Line, int Column)[] Positions()
    {
        if (_positions is { } known)
        {
            return known;
        }

        var computed = _layout?.Invoke();
        if (computed is null || computed.Length != Text.Length + 1)
        {
            computed = LayOutAsWritten();
        }

        _positions = computed;
        return computed;
    }

    private (int Line, int Column)[] LayOutAsWritten()
    {
        var positions = new (int Line, int Column)[Text.Length + 1];
        int line = Start.Line, column = Start.Column;
        for (int k = 0; k <= Text.Length; k++)
        {
            positions[k] = (line, column);
            if (k < Text.Length && Text[k] == '\n')
            {
                line++;
                column = Start.Column;
            }
            else
            {
                column++;
            }
        }

        return positions;
    }
}

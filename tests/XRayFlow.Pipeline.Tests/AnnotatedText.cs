using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Pipeline.Tests;

/// <summary>
/// Recipe text with `[|` ... `|]` markers around the text a diagnostic must point at (minsk style);
/// `«` ... `»` mark the same where the span itself starts with a YAML bracket (`«[a, b]»`).
/// <see cref="Parse"/> strips the markers and records where each span starts (1-based line and column).
/// </summary>
internal sealed record AnnotatedText(string Text, IReadOnlyList<(int Line, int Column, string Span)> Spans)
{
    public static AnnotatedText Parse(string annotated)
    {
        var text = new System.Text.StringBuilder();
        var spans = new List<(int, int, string)>();
        var open = new Stack<(int Line, int Column, int Offset)>();
        int line = 1, col = 1;
        for (int k = 0; k < annotated.Length; k++)
        {
            bool guillemet = annotated[k] is '«' or '»';
            if (annotated.AsSpan(k).StartsWith("[|") || annotated[k] == '«')
            {
                open.Push((line, col, text.Length));
                k += guillemet ? 0 : 1;
                continue;
            }

            if (annotated.AsSpan(k).StartsWith("|]") || annotated[k] == '»')
            {
                var o = open.Pop();
                spans.Add((o.Line, o.Column, text.ToString(o.Offset, text.Length - o.Offset)));
                k += guillemet ? 0 : 1;
                continue;
            }

            char c = annotated[k];
            text.Append(c);
            if (c == '\n')
            {
                line++;
                col = 1;
            }
            else
            {
                col++;
            }
        }

        if (open.Count > 0)
        {
            throw new ArgumentException("unclosed [| marker");
        }

        return new AnnotatedText(text.ToString(), spans.OrderBy(s => s.Item1).ThenBy(s => s.Item2).ToList());
    }
}

/// <summary>Marks a test that covers a diagnostic code without an annotated span case (e.g. no location).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
internal sealed class CoversAttribute(string code) : Attribute
{
    public string Code { get; } = code;
}

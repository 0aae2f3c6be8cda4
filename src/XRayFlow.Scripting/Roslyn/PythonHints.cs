using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using DiagnosticDescriptor = XRayFlow.Core.Diagnostics.DiagnosticDescriptor;

namespace XRayFlow.Scripting.Roslyn;

/// <summary>A refusal reworded for an expression written the Python/NumPy way.</summary>
/// <param name="Offset">Where the Python construct starts in the text.</param>
/// <param name="Descriptor">The code (the one the plain refusal would have had).</param>
/// <param name="Args">The message arguments.</param>
internal sealed record PythonHint(int Offset, DiagnosticDescriptor Descriptor, object[] Args);

/// <summary>
/// Finds the first Python/NumPy construct in an expression text that the syntax gate refused, and says what to write
/// in C# instead: <c>**</c>, <c>and</c>/<c>or</c>/<c>not</c>, <c>a if c else b</c>, <c>//</c>, <c>float(x)</c>,
/// <c>np.sqrt</c> and other NumPy/math names, Python built-ins. Only ever asked about a text that is refused anyway:
/// a hint changes the words and the column of a refusal, never what is allowed.
/// </summary>
internal static class PythonHints
{
    private const string OnePixel = "an expression computes one pixel with Math and MathF; ";

    private const int MaxSuggestion = 160;

    private const string Reduction = "a whole-image reduction is not a pixel value: use the {0} op";

    /// <summary>
    /// What to write for a NumPy / math / built-in name. "{*}" is the call's arguments as written; "{0}", "{1}"... one
    /// argument each (when the count does not match, placeholders a, b, c are shown instead).
    /// </summary>
    private static readonly Dictionary<string, string> PerPixel = new(StringComparer.Ordinal)
    {
        ["sqrt"] = "MathF.Sqrt({*})",
        [OpCatalog.Abs.Name] = "MathF.Abs({*})",
        ["absolute"] = "MathF.Abs({*})",
        ["fabs"] = "MathF.Abs({*})",
        ["exp"] = "MathF.Exp({*})",
        ["exp2"] = "MathF.Pow(2, {*})",
        ["expm1"] = "MathF.Exp({*}) - 1",
        ["log"] = "MathF.Log({*})",
        ["log10"] = "MathF.Log10({*})",
        ["log2"] = "MathF.Log2({*})",
        ["log1p"] = "MathF.Log(1 + {*})",
        ["sin"] = "MathF.Sin({*})",
        ["cos"] = "MathF.Cos({*})",
        ["tan"] = "MathF.Tan({*})",
        ["arcsin"] = "MathF.Asin({*})",
        ["arccos"] = "MathF.Acos({*})",
        ["arctan"] = "MathF.Atan({*})",
        ["arctan2"] = "MathF.Atan2({*})",
        ["asin"] = "MathF.Asin({*})",
        ["acos"] = "MathF.Acos({*})",
        ["atan"] = "MathF.Atan({*})",
        ["atan2"] = "MathF.Atan2({*})",
        ["sinh"] = "MathF.Sinh({*})",
        ["cosh"] = "MathF.Cosh({*})",
        ["tanh"] = "MathF.Tanh({*})",
        ["floor"] = "MathF.Floor({*})",
        ["ceil"] = "MathF.Ceiling({*})",
        ["trunc"] = "MathF.Truncate({*})",
        ["round"] = "MathF.Round({*})",
        ["rint"] = "MathF.Round({*})",
        ["around"] = "MathF.Round({*})",
        ["power"] = "MathF.Pow({*})",
        ["pow"] = "MathF.Pow({*})",
        ["minimum"] = "MathF.Min({*})",
        ["maximum"] = "MathF.Max({*})",
        ["fmin"] = "MathF.Min({*})",
        ["fmax"] = "MathF.Max({*})",
        ["sign"] = "MathF.Sign({*})",
        ["copysign"] = "MathF.CopySign({*})",
        ["cbrt"] = "MathF.Cbrt({*})",
        ["square"] = "{0} * {0}",
        ["fmod"] = "{0} % {1}",
        [OpCatalog.Hypot.Name] = "MathF.Sqrt({0} * {0} + {1} * {1}), or use the " + OpCatalog.Hypot.Name + " op",
        [OpCatalog.Clip.Name] = "Math.Clamp({*}), or use the " + OpCatalog.Clip.Name + " op",
        [OpCatalog.Where.Name] = "{0} ? {1} : {2}, or use the " + OpCatalog.Where.Name + " op (cond, then, else)",
        ["isnan"] = "float.IsNaN({*})",
        ["isinf"] = "float.IsInfinity({*})",
        ["isfinite"] = "float.IsFinite({*})",
        ["deg2rad"] = "{0} * MathF.PI / 180",
        ["radians"] = "{0} * MathF.PI / 180",
        ["rad2deg"] = "{0} * 180 / MathF.PI",
        ["degrees"] = "{0} * 180 / MathF.PI",
        ["pi"] = "MathF.PI",
        ["e"] = "MathF.E",
        ["nan"] = "float.NaN",
        ["inf"] = "float.PositiveInfinity",
    };

    /// <summary>NumPy names that reduce a whole array (np.min is not Python's min).</summary>
    private static readonly HashSet<string> Reductions = new(StringComparer.Ordinal)
    {
        "min", "max", "amin", "amax", "mean", "average", "sum", "std", "var", "median", "percentile", "quantile",
        "nanmin", "nanmax", "nanmean", "nansum", "ptp", "argmin", "argmax", "histogram",
    };

    /// <summary>Python built-ins that are per-pixel functions (bare names in the table above are accepted too).</summary>
    private static readonly Dictionary<string, string> BuiltIns = new(StringComparer.Ordinal)
    {
        ["min"] = "MathF.Min({*})",
        ["max"] = "MathF.Max({*})",
    };

    private static readonly Dictionary<string, string> Modules = new(StringComparer.Ordinal)
    {
        ["np"] = "NumPy",
        ["numpy"] = "NumPy",
        ["math"] = "Python's math",
    };

    /// <summary>For an unknown name (XRF3004): a hint for Python's True/False/None, else null.</summary>
    public static string? ForUnknownName(string name) => name switch
    {
        "True" => " (C# writes it true, in lower case)",
        "False" => " (C# writes it false, in lower case)",
        "None" => " (Python's None: a pixel always has a number, so write float.NaN or 0)",
        _ => null,
    };

    /// <summary>The first Python construct in <paramref name="text"/>, with what to write instead; null when there is none.</summary>
    public static PythonHint? First(string text)
    {
        SyntaxToken[] tokens = [.. SyntaxFactory.ParseTokens(text, options: SyntaxAllowList.ParseOptions)];
        var t = new Tokens(text, tokens);
        PythonHint? best = null;
        void Consider(PythonHint? hint)
        {
            if (hint is not null && (best is null || hint.Offset < best.Offset))
            {
                best = hint;
            }
        }

        for (int k = 0; k < tokens.Length; k++)
        {
            Consider(At(t, k));
            foreach (SyntaxTrivia trivia in tokens[k].LeadingTrivia.Concat(tokens[k].TrailingTrivia))
            {
                if (trivia.IsKind(SyntaxKind.SingleLineCommentTrivia))
                {
                    Consider(FloorDivision(t, trivia));
                }
            }
        }

        return best;
    }

    private static PythonHint? At(Tokens t, int k)
    {
        SyntaxToken token = t[k];
        bool afterDot = k > 0 && t[k - 1].IsKind(SyntaxKind.DotToken);
        if (token.IsKind(SyntaxKind.AsteriskToken) && t[k + 1].IsKind(SyntaxKind.AsteriskToken) && token.Span.End == t[k + 1].SpanStart)
        {
            return Power(t, k);
        }

        if (token.IsKind(SyntaxKind.IdentifierToken) && !afterDot && token.ValueText is "and" or "or" or "not")
        {
            return new PythonHint(token.SpanStart, DiagnosticCodes.ExpressionSyntax, [$"'{token.ValueText}' is Python; C# writes '&&', '||' and '!': {Clip(t.Render(0, t.Count))}"]);
        }

        if (token.IsKind(SyntaxKind.IfKeyword))
        {
            return Conditional(t, k);
        }

        if (token.Kind() is SyntaxKind.FloatKeyword or SyntaxKind.IntKeyword or SyntaxKind.DoubleKeyword or SyntaxKind.BoolKeyword or SyntaxKind.LongKeyword
            && t[k + 1].IsKind(SyntaxKind.OpenParenToken) && t.Match(k + 1) is int close)
        {
            string argument = t.Text(k + 2, close);
            string cast = close == k + 3 && t[k + 2].Kind() is SyntaxKind.IdentifierToken or SyntaxKind.NumericLiteralToken ? argument : "(" + argument + ")";
            return new PythonHint(token.SpanStart, DiagnosticCodes.ExpressionSyntax, [$"'{Clip(t.Text(k, close + 1))}' is a Python conversion; C# writes a cast: {Clip($"({token.Text}){cast}")}"]);
        }

        if (token.IsKind(SyntaxKind.IdentifierToken) && !afterDot && Modules.TryGetValue(token.ValueText, out string? module)
            && t[k + 1].IsKind(SyntaxKind.DotToken) && t[k + 2].IsKind(SyntaxKind.IdentifierToken))
        {
            string name = t[k + 2].ValueText;
            string what = $"'{token.ValueText}.{name}' ({module})";
            string advice = module == "NumPy" && Reductions.Contains(name)
                ? string.Format(System.Globalization.CultureInfo.InvariantCulture, Reduction, OpCatalog.Stats.Name)
                : PerPixel.TryGetValue(name, out string? template)
                    ? "write " + Clip(Fill(t, template, k + 3))
                    : "NumPy's array functions are ops ('xrayflow ops' lists them); per pixel, use Math and MathF members";
            return new PythonHint(token.SpanStart, DiagnosticCodes.ExpressionForbiddenConstruct, [what, OnePixel + advice]);
        }

        if (token.IsKind(SyntaxKind.IdentifierToken) && !afterDot && t[k + 1].IsKind(SyntaxKind.OpenParenToken)
            && (BuiltIns.TryGetValue(token.ValueText, out string? builtIn) || PerPixel.TryGetValue(token.ValueText, out builtIn)) && builtIn.Contains('{', StringComparison.Ordinal))
        {
            return new PythonHint(token.SpanStart, DiagnosticCodes.ExpressionForbiddenConstruct, [$"'{token.ValueText}' (Python)", OnePixel + "write " + Clip(Fill(t, builtIn, k + 1))]);
        }

        return null;
    }

    private static PythonHint Power(Tokens t, int k)
    {
        string? left = t.LeftOperand(k - 1) is (int ls, int le) ? Numeric(t, ls, le) : null;
        string? right = t.RightOperand(k + 2) is (int rs, int re) ? Numeric(t, rs, re) : null;
        string write = left is null || right is null
            ? "MathF.Pow(a, b)"
            : right == "2" && t.LeftOperand(k - 1) is (int s, int e) && s == e && t[s].IsKind(SyntaxKind.IdentifierToken)
                ? $"{left} * {left} or MathF.Pow({left}, 2)"
                : $"MathF.Pow({left}, {right})";
        return new PythonHint(t[k].SpanStart, DiagnosticCodes.ExpressionForbiddenConstruct,
            ["'**' (Python's power operator)", "C# has no power operator and reads '**' as a multiplication by a pointer; write " + Clip(write)]);
    }

    private static PythonHint FloorDivision(Tokens t, SyntaxTrivia comment)
    {
        int position = comment.SpanStart;
        string? left = null;
        int before = t.LastEndingAtOrBefore(position);
        if (before >= 0 && t.LeftOperand(before) is (int ls, int le))
        {
            left = t.Text(ls, le + 1);
        }

        string rest = comment.ToString()[2..];
        var after = new Tokens(rest, [.. SyntaxFactory.ParseTokens(rest, options: SyntaxAllowList.ParseOptions)]);
        string? right = after.RightOperand(0) is (int rs, int re) ? after.Text(rs, re + 1) : null;
        string write = left is null || right is null ? "MathF.Floor(a / b)" : $"MathF.Floor({left} / {right})";
        return new PythonHint(position, DiagnosticCodes.ExpressionForbiddenConstruct,
            ["'//' (Python's floor division)", "in C# it starts a comment, which could hide text from the check; write " + Clip(write)]);
    }

    private static PythonHint Conditional(Tokens t, int k)
    {
        const string Lead = "Python's 'a if c else b' is 'c ? a : b' in C#";
        int start = t.GroupStart(k);
        int end = t.GroupEnd(k);
        int otherwise = -1;
        int depth = 0;
        for (int m = k + 1; m < end; m++)
        {
            depth += t.DepthChange(m);
            if (depth == 0 && t[m].IsKind(SyntaxKind.ElseKeyword))
            {
                otherwise = m;
                break;
            }
        }

        string message = otherwise < 0
            ? Lead
            : $"{Lead}: {Clip($"{t.Render(k + 1, otherwise)} ? {t.Render(start, k)} : {t.Render(otherwise + 1, end)}")}";
        return new PythonHint(t[k].SpanStart, DiagnosticCodes.ExpressionSyntax, [message]);
    }

    /// <summary>A suggestion longer than a line is cut (the text may be up to 4 KB).</summary>
    private static string Clip(string suggestion) => suggestion.Length <= MaxSuggestion ? suggestion : suggestion[..MaxSuggestion] + "...";

    /// <summary>A single real literal without a suffix gets 'f', so that MathF.Pow(x, 0.5f) compiles.</summary>
    private static string Numeric(Tokens t, int start, int end)
    {
        string text = t.Text(start, end + 1);
        if (start == end && t[start].IsKind(SyntaxKind.NumericLiteralToken) && t[start].Value is double
            && !text.EndsWith('d') && !text.EndsWith('D'))
        {
            return text + "f";
        }

        return text;
    }

    /// <summary>The template with {*} (all arguments) or {0}, {1}... filled from the call whose '(' is at <paramref name="open"/>.</summary>
    private static string Fill(Tokens t, string template, int open)
    {
        List<string>? args = t[open].IsKind(SyntaxKind.OpenParenToken) && t.Match(open) is int close ? t.Arguments(open, close) : null;
        string all = args is null ? "..." : string.Join(", ", args);
        var sb = new StringBuilder(template.Replace("{*}", all, StringComparison.Ordinal));
        int wanted = 0;
        while (template.Contains("{" + wanted + "}", StringComparison.Ordinal))
        {
            wanted++;
        }

        for (int a = 0; a < wanted; a++)
        {
            string value = args is not null && args.Count == wanted ? args[a] : ((char)('a' + a)).ToString();
            sb.Replace("{" + a + "}", value);
        }

        return sb.ToString();
    }

    /// <summary>The tokens of a text, read past the end as end-of-file tokens.</summary>
    private sealed class Tokens(string text, SyntaxToken[] tokens)
    {
        public int Count => tokens.Length;

        public SyntaxToken this[int k] => k >= 0 && k < tokens.Length ? tokens[k] : default;

        /// <summary>The original text of tokens [from, to), without the trivia at both ends.</summary>
        public string Text(int from, int to) => to <= from ? string.Empty : text[this[from].SpanStart..this[to - 1].Span.End];

        public int DepthChange(int k) => this[k].Kind() switch
        {
            SyntaxKind.OpenParenToken or SyntaxKind.OpenBracketToken => 1,
            SyntaxKind.CloseParenToken or SyntaxKind.CloseBracketToken => -1,
            _ => 0,
        };

        /// <summary>The index of the bracket closing the one at <paramref name="open"/>, or null.</summary>
        public int? Match(int open)
        {
            int depth = 0;
            for (int k = open; k < tokens.Length; k++)
            {
                depth += DepthChange(k);
                if (depth == 0)
                {
                    return k;
                }
            }

            return null;
        }

        private int? MatchBack(int close)
        {
            int depth = 0;
            for (int k = close; k >= 0; k--)
            {
                depth -= DepthChange(k);
                if (depth == 0)
                {
                    return k;
                }
            }

            return null;
        }

        /// <summary>The first token inside the brackets around <paramref name="k"/> (0 at top level).</summary>
        public int GroupStart(int k)
        {
            int depth = 0;
            for (int m = k - 1; m >= 0; m--)
            {
                depth -= DepthChange(m);
                if (depth < 0)
                {
                    return m + 1;
                }
            }

            return 0;
        }

        /// <summary>The index after the last token inside the brackets around <paramref name="k"/> (the bracket, or the end).</summary>
        public int GroupEnd(int k)
        {
            int depth = 0;
            for (int m = k + 1; m < tokens.Length; m++)
            {
                depth += DepthChange(m);
                if (depth < 0 || this[m].IsKind(SyntaxKind.EndOfFileToken))
                {
                    return m;
                }
            }

            return tokens.Length;
        }

        public int LastEndingAtOrBefore(int position)
        {
            int found = -1;
            for (int k = 0; k < tokens.Length && !this[k].IsKind(SyntaxKind.EndOfFileToken); k++)
            {
                if (this[k].Span.End <= position)
                {
                    found = k;
                }
            }

            return found;
        }

        private static bool IsAtom(SyntaxToken token) => token.Kind() is SyntaxKind.IdentifierToken or SyntaxKind.NumericLiteralToken
            || SyntaxAllowList.AllowedTypeKeywords.Contains(token.Kind());

        /// <summary>The operand ending at token <paramref name="end"/>: a name, number, call, member chain or bracketed group.</summary>
        public (int Start, int End)? LeftOperand(int end)
        {
            int k = end;
            if (this[k].IsKind(SyntaxKind.CloseParenToken))
            {
                if (MatchBack(k) is not int open)
                {
                    return null;
                }

                k = open;
                if (IsAtom(this[k - 1]))
                {
                    k--;
                }
            }
            else if (!IsAtom(this[k]))
            {
                return null;
            }

            while (this[k - 1].IsKind(SyntaxKind.DotToken) && IsAtom(this[k - 2]))
            {
                k -= 2;
            }

            return (k, end);
        }

        /// <summary>The operand starting at token <paramref name="start"/>: signs, then a name, number, call, member chain or group.</summary>
        public (int Start, int End)? RightOperand(int start)
        {
            int k = start;
            while (this[k].Kind() is SyntaxKind.MinusToken or SyntaxKind.PlusToken)
            {
                k++;
            }

            if (this[k].IsKind(SyntaxKind.OpenParenToken))
            {
                return Match(k) is int close ? (start, close) : null;
            }

            if (!IsAtom(this[k]))
            {
                return null;
            }

            while (this[k + 1].IsKind(SyntaxKind.DotToken) && this[k + 2].IsKind(SyntaxKind.IdentifierToken))
            {
                k += 2;
            }

            if (this[k + 1].IsKind(SyntaxKind.OpenParenToken))
            {
                return Match(k + 1) is int close ? (start, close) : null;
            }

            return (start, k);
        }

        /// <summary>The arguments of the call whose brackets are at <paramref name="open"/> and <paramref name="close"/>, each rendered.</summary>
        public List<string> Arguments(int open, int close)
        {
            var args = new List<string>();
            int from = open + 1;
            int depth = 0;
            for (int k = open + 1; k < close; k++)
            {
                depth += DepthChange(k);
                if (depth == 0 && this[k].IsKind(SyntaxKind.CommaToken))
                {
                    args.Add(Render(from, k));
                    from = k + 1;
                }
            }

            if (close > open + 1)
            {
                args.Add(Render(from, close));
            }

            return args;
        }

        /// <summary>Tokens [from, to) as written, with Python's and / or / not as C#'s &amp;&amp; / || / !( ... ).</summary>
        public string Render(int from, int to)
        {
            var sb = new StringBuilder();
            var nots = new Stack<int>();
            int depth = 0;
            void Close(int atDepth)
            {
                while (nots.Count > 0 && nots.Peek() == atDepth)
                {
                    nots.Pop();
                    int end = sb.Length;
                    while (end > 0 && char.IsWhiteSpace(sb[end - 1]))
                    {
                        end--;
                    }

                    sb.Insert(end, ')');
                }
            }

            for (int k = from; k < to && k < tokens.Length; k++)
            {
                SyntaxToken token = this[k];
                bool word = token.IsKind(SyntaxKind.IdentifierToken) && !(k > 0 && this[k - 1].IsKind(SyntaxKind.DotToken));
                if (token.Kind() is SyntaxKind.CloseParenToken or SyntaxKind.CloseBracketToken or SyntaxKind.CommaToken
                        or SyntaxKind.QuestionToken or SyntaxKind.ColonToken or SyntaxKind.EndOfFileToken
                    || (word && token.ValueText is "and" or "or"))
                {
                    Close(depth);
                }

                if (token.Kind() is SyntaxKind.CloseParenToken or SyntaxKind.CloseBracketToken)
                {
                    depth--;
                }

                sb.Append(token.LeadingTrivia.ToFullString());
                if (word && token.ValueText == "not")
                {
                    sb.Append("!(");
                    nots.Push(depth);
                    continue; // its trailing space would stand inside the parenthesis
                }

                sb.Append(word && token.ValueText == "and" ? "&&" : word && token.ValueText == "or" ? "||" : token.Text);
                sb.Append(token.TrailingTrivia.ToFullString());
                if (token.Kind() is SyntaxKind.OpenParenToken or SyntaxKind.OpenBracketToken)
                {
                    depth++;
                }
            }

            while (nots.Count > 0)
            {
                Close(nots.Peek());
            }

            return sb.ToString().Trim();
        }
    }
}

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
    private const string Numpy = "numpy.";

    private const string OnePixel = "an expression computes one pixel with Math and MathF; ";

    private const int MaxSuggestion = 160;

    private const string Reduction = "a whole-image reduction is not a pixel value: ";

    /// <summary>
    /// What to write for a NumPy function or constant, keyed by its qualified NumPy name (Python's math functions and
    /// built-ins of the same name use the same entries). "{*}" is the call's arguments as written; "{0}", "{1}"... one
    /// argument each (when the count does not match, placeholders a, b, c are shown instead). An op that declares the
    /// function as its reference (numpy.where, numpy.clip...) is named as well, from the op's declaration.
    /// </summary>
    private static readonly Dictionary<string, string> PerPixel = new(StringComparer.Ordinal)
    {
        ["numpy.sqrt"] = "MathF.Sqrt({*})",
        ["numpy.abs"] = "MathF.Abs({*})",
        ["numpy.absolute"] = "MathF.Abs({*})",
        ["numpy.fabs"] = "MathF.Abs({*})",
        ["numpy.exp"] = "MathF.Exp({*})",
        ["numpy.exp2"] = "MathF.Pow(2, {*})",
        ["numpy.expm1"] = "MathF.Exp({*}) - 1",
        ["numpy.log"] = "MathF.Log({*})",
        ["numpy.log10"] = "MathF.Log10({*})",
        ["numpy.log2"] = "MathF.Log2({*})",
        ["numpy.log1p"] = "MathF.Log(1 + {*})",
        ["numpy.sin"] = "MathF.Sin({*})",
        ["numpy.cos"] = "MathF.Cos({*})",
        ["numpy.tan"] = "MathF.Tan({*})",
        ["numpy.arcsin"] = "MathF.Asin({*})",
        ["numpy.arccos"] = "MathF.Acos({*})",
        ["numpy.arctan"] = "MathF.Atan({*})",
        ["numpy.arctan2"] = "MathF.Atan2({*})",
        ["numpy.asin"] = "MathF.Asin({*})",
        ["numpy.acos"] = "MathF.Acos({*})",
        ["numpy.atan"] = "MathF.Atan({*})",
        ["numpy.atan2"] = "MathF.Atan2({*})",
        ["numpy.sinh"] = "MathF.Sinh({*})",
        ["numpy.cosh"] = "MathF.Cosh({*})",
        ["numpy.tanh"] = "MathF.Tanh({*})",
        ["numpy.floor"] = "MathF.Floor({*})",
        ["numpy.ceil"] = "MathF.Ceiling({*})",
        ["numpy.trunc"] = "MathF.Truncate({*})",
        ["numpy.round"] = "MathF.Round({*})",
        ["numpy.rint"] = "MathF.Round({*})",
        ["numpy.around"] = "MathF.Round({*})",
        ["numpy.power"] = "MathF.Pow({*})",
        ["numpy.pow"] = "MathF.Pow({*})",
        ["numpy.minimum"] = "MathF.Min({*})",
        ["numpy.maximum"] = "MathF.Max({*})",
        ["numpy.fmin"] = "MathF.Min({*})",
        ["numpy.fmax"] = "MathF.Max({*})",
        ["numpy.sign"] = "MathF.Sign({*})",
        ["numpy.copysign"] = "MathF.CopySign({*})",
        ["numpy.cbrt"] = "MathF.Cbrt({*})",
        ["numpy.square"] = "{0} * {0}",
        ["numpy.fmod"] = "{0} % {1}",
        ["numpy.hypot"] = "MathF.Sqrt({0} * {0} + {1} * {1})",
        ["numpy.clip"] = "Math.Clamp({*})",
        ["numpy.where"] = "{0} ? {1} : {2}",
        ["numpy.isnan"] = "float.IsNaN({*})",
        ["numpy.isinf"] = "float.IsInfinity({*})",
        ["numpy.isfinite"] = "float.IsFinite({*})",
        ["numpy.deg2rad"] = "{0} * MathF.PI / 180",
        ["numpy.radians"] = "{0} * MathF.PI / 180",
        ["numpy.rad2deg"] = "{0} * 180 / MathF.PI",
        ["numpy.degrees"] = "{0} * 180 / MathF.PI",
        ["numpy.pi"] = "MathF.PI",
        ["numpy.e"] = "MathF.E",
        ["numpy.nan"] = "float.NaN",
        ["numpy.inf"] = "float.PositiveInfinity",
    };

    /// <summary>NumPy names that reduce a whole array (np.min is not Python's min). One string: NumPy's names, not op keys (some are op names too).</summary>
    private static readonly HashSet<string> Reductions = new(
        "min max amin amax mean average sum std var median percentile quantile nanmin nanmax nanmean nansum ptp argmin argmax"
            .Split(' ')
            .Select(n => Numpy + n),
        StringComparer.Ordinal);

    /// <summary>Ops by the NumPy names their declarations give as reference ("numpy.min/max/mean" names three).</summary>
    private static readonly Lazy<Dictionary<string, OpDefinition>> OpsByNumpyName = new(() =>
    {
        var ops = new Dictionary<string, OpDefinition>(StringComparer.Ordinal);
        foreach (OpDefinition op in OpRegistry.All)
        {
            string reference = op.Reference ?? string.Empty;
            if (!reference.StartsWith(Numpy, StringComparison.Ordinal))
            {
                continue;
            }

            int space = reference.IndexOf(' ', StringComparison.Ordinal);
            foreach (string name in reference[Numpy.Length..(space < 0 ? reference.Length : space)].Split('/'))
            {
                ops.TryAdd(Numpy + name, op);
            }
        }

        return ops;
    });

    /// <summary>Python built-ins that are per-pixel functions (bare names in the table above are accepted too).</summary>
    private static readonly Dictionary<string, string> BuiltIns = new(StringComparer.Ordinal)
    {
        ["min"] = "MathF.Min({*})",
        ["max"] = "MathF.Max({*})",
    };

    /// <summary>", or use the where op (cond, then, else)" when an op declares this NumPy function; else empty.</summary>
    private static string OpAlternative(string numpyName)
    {
        if (!OpsByNumpyName.Value.TryGetValue(numpyName, out OpDefinition? op))
        {
            return string.Empty;
        }

        var expressionParams = op.Params.Where(p => p.Type == ParamType.Expression).Select(p => p.Name).ToList();
        return $", or use the {op.Name} op" + (expressionParams.Count > 0 ? $" ({string.Join(", ", expressionParams)})" : string.Empty);
    }

    private static string ReductionAdvice(string numpyName)
    {
        OpDefinition? op = OpsByNumpyName.Value.GetValueOrDefault(numpyName) ?? OpsByNumpyName.Value.GetValueOrDefault(Numpy + "mean");
        return Reduction + (op is null ? "ops compute those ('xrayflow ops' lists them)" : $"use the {op.Name} op");
    }

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
            string advice = module == "NumPy" && Reductions.Contains(Numpy + name)
                ? ReductionAdvice(Numpy + name)
                : PerPixel.TryGetValue(Numpy + name, out string? template)
                    ? "write " + Clip(Fill(t, template, k + 3)) + OpAlternative(Numpy + name)
                    : "NumPy's array functions are ops ('xrayflow ops' lists them); per pixel, use Math and MathF members";
            return new PythonHint(token.SpanStart, DiagnosticCodes.ExpressionForbiddenConstruct, [what, OnePixel + advice]);
        }

        if (token.IsKind(SyntaxKind.IdentifierToken) && !afterDot && t[k + 1].IsKind(SyntaxKind.OpenParenToken)
            && (BuiltIns.TryGetValue(token.ValueText, out string? builtIn) || PerPixel.TryGetValue(Numpy + token.ValueText, out builtIn)) && builtIn.Contains('{', StringComparison.Ordinal))
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

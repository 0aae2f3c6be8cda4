using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting.Roslyn;

/// <summary>
/// The first gate, run on each expression text alone before it is placed in any generated code:
/// size, bracket depth, "exactly one expression", and an allow-list of syntax kinds and trivia.
/// </summary>
internal static class SyntaxAllowList
{
    public const int MaxBytes = 4096;
    public const int MaxDepth = 64;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Regular);

    private const string Why = "an expression may use only numbers, its variables, Math/MathF calls, casts to numeric types and arithmetic, comparison, logical and conditional operators";

    private static readonly HashSet<SyntaxKind> AllowedKinds =
    [
        SyntaxKind.NumericLiteralExpression, SyntaxKind.TrueLiteralExpression, SyntaxKind.FalseLiteralExpression,
        SyntaxKind.IdentifierName, SyntaxKind.ParenthesizedExpression, SyntaxKind.ConditionalExpression,
        SyntaxKind.CastExpression, SyntaxKind.PredefinedType, SyntaxKind.SimpleMemberAccessExpression,
        SyntaxKind.InvocationExpression, SyntaxKind.ArgumentList, SyntaxKind.Argument,
        SyntaxKind.UnaryPlusExpression, SyntaxKind.UnaryMinusExpression, SyntaxKind.LogicalNotExpression, SyntaxKind.BitwiseNotExpression,
        SyntaxKind.AddExpression, SyntaxKind.SubtractExpression, SyntaxKind.MultiplyExpression, SyntaxKind.DivideExpression,
        SyntaxKind.ModuloExpression, SyntaxKind.LeftShiftExpression, SyntaxKind.RightShiftExpression, SyntaxKind.UnsignedRightShiftExpression,
        SyntaxKind.LogicalOrExpression, SyntaxKind.LogicalAndExpression, SyntaxKind.BitwiseOrExpression, SyntaxKind.BitwiseAndExpression,
        SyntaxKind.ExclusiveOrExpression, SyntaxKind.EqualsExpression, SyntaxKind.NotEqualsExpression, SyntaxKind.LessThanExpression,
        SyntaxKind.LessThanOrEqualExpression, SyntaxKind.GreaterThanExpression, SyntaxKind.GreaterThanOrEqualExpression,
    ];

    /// <summary>Type keywords usable in a cast or before a constant (float.NaN).</summary>
    public static readonly HashSet<SyntaxKind> AllowedTypeKeywords =
    [
        SyntaxKind.FloatKeyword, SyntaxKind.DoubleKeyword, SyntaxKind.IntKeyword, SyntaxKind.LongKeyword, SyntaxKind.UIntKeyword,
        SyntaxKind.ULongKeyword, SyntaxKind.ShortKeyword, SyntaxKind.UShortKeyword, SyntaxKind.ByteKeyword, SyntaxKind.SByteKeyword,
        SyntaxKind.BoolKeyword,
    ];

    private static readonly HashSet<SyntaxKind> Nesting =
    [
        SyntaxKind.ParenthesizedExpression, SyntaxKind.InvocationExpression, SyntaxKind.ConditionalExpression, SyntaxKind.CastExpression,
        SyntaxKind.UnaryPlusExpression, SyntaxKind.UnaryMinusExpression, SyntaxKind.LogicalNotExpression, SyntaxKind.BitwiseNotExpression,
    ];

    /// <summary>
    /// Checks one text; reports at most one error (the first) and returns false when refused. A refused text written
    /// the Python way (<c>x**2</c>, <c>and</c>, <c>np.sqrt</c>...) gets the refusal reworded to say what to write in C#,
    /// located at the Python construct, when that construct comes no later than the plain refusal's location.
    /// </summary>
    public static bool Check(ExpressionPart part, DiagnosticBag bag)
    {
        var plain = new DiagnosticBag();
        try
        {
            if (CheckText(part, plain))
            {
                return true;
            }
        }
        catch (Exception e) when (IsParserFailure(e))
        {
            // Roslyn's parser itself fails on a few texts (e.g. "if" then a line break): refusing is always safe.
            plain = new DiagnosticBag();
            plain.Report(DiagnosticCodes.ExpressionSyntax, part.TextStart, "the C# parser could not read this text");
        }

        Core.Diagnostics.Diagnostic refusal = plain.First();
        if (refusal.Code != DiagnosticCodes.ExpressionTooLong.Code && refusal.Code != DiagnosticCodes.ExpressionTooDeep.Code
            && FirstHint(part.Text!) is { } hint
            && (refusal.Location is not { } at || hint.Offset <= part.OffsetOf(at)))
        {
            bag.Report(hint.Descriptor, part.Locate(hint.Offset), hint.Args);
        }
        else
        {
            bag.AddRange(plain);
        }

        return false;
    }

    private static bool IsParserFailure(Exception e)
        => e is ArgumentException or InvalidOperationException or IndexOutOfRangeException or NullReferenceException;

    private static PythonHint? FirstHint(string text)
    {
        try
        {
            return PythonHints.First(text);
        }
        catch (Exception e) when (IsParserFailure(e))
        {
            return null; // a hint is a courtesy: without one, the plain refusal stands
        }
    }

    private static bool CheckText(ExpressionPart part, DiagnosticBag bag)
    {
        string text = part.Text!;
        // Bracket depth before parsing: deep nesting is what crashes compilers.
        int depth = 0;
        for (int k = 0; k < text.Length; k++)
        {
            char c = text[k];
            if (c is '(' or '[' or '{')
            {
                if (++depth > MaxDepth)
                {
                    bag.Report(DiagnosticCodes.ExpressionTooDeep, part.Locate(k), MaxDepth);
                    return false;
                }
            }
            else if (c is ')' or ']' or '}')
            {
                depth = Math.Max(0, depth - 1);
            }
        }

        int bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
        {
            bag.Report(DiagnosticCodes.ExpressionTooLong, part.TextStart, bytes, MaxBytes);
            return false;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            bag.Report(DiagnosticCodes.ExpressionSyntax, part.TextStart, "the text is empty");
            return false;
        }

        ExpressionSyntax root;
        try
        {
            root = SyntaxFactory.ParseExpression(text, 0, ParseOptions, consumeFullText: true);
        }
        catch (InsufficientExecutionStackException)
        {
            bag.Report(DiagnosticCodes.ExpressionTooDeep, part.TextStart, MaxDepth);
            return false;
        }

        // Text after one whole expression ("x; } static void Evil() {..."): point at where the expression ends.
        ExpressionSyntax head = SyntaxFactory.ParseExpression(text, 0, ParseOptions, consumeFullText: false);
        if (head.FullSpan.End < text.Length && !head.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error))
        {
            bag.Report(DiagnosticCodes.ExpressionSyntax, part.Locate(head.FullSpan.End), $"text after the expression: '{Clip(text[head.FullSpan.End..])}'");
            return false;
        }

        Microsoft.CodeAnalysis.Diagnostic? parseError = root.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceSpan.Start).FirstOrDefault();
        if (parseError is not null)
        {
            string message = parseError.Id == "CS8078"
                ? "it is too long or complex"
                : $"{parseError.Id}: {parseError.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            var node = root.DescendantNodesAndSelf().FirstOrDefault(n => n.Kind() is not SyntaxKind.IdentifierName && !AllowedKinds.Contains(n.Kind()));
            if (node is not null && (node.IsKind(SyntaxKind.StringLiteralExpression) || node.IsKind(SyntaxKind.InterpolatedStringExpression)))
            {
                return Refuse(part, bag, node);
            }

            bag.Report(DiagnosticCodes.ExpressionSyntax, part.Locate(parseError.Location.SourceSpan.Start), message);
            return false;
        }

        if (root.FullSpan.Length != text.Length || root.ContainsDirectives || root.ContainsSkippedText)
        {
            bag.Report(DiagnosticCodes.ExpressionSyntax, part.Locate(root.FullSpan.End), "text after the expression");
            return false;
        }

        foreach (SyntaxTrivia trivia in root.DescendantTrivia(descendIntoTrivia: true))
        {
            if (!trivia.IsKind(SyntaxKind.WhitespaceTrivia) && !trivia.IsKind(SyntaxKind.EndOfLineTrivia))
            {
                bag.Report(DiagnosticCodes.ExpressionForbiddenConstruct, part.Locate(trivia.SpanStart), Describe(trivia.Kind()), "comments and directives could hide text from the check");
                return false;
            }
        }

        // Walk every node (iteratively: the tree may be deep) and count nesting.
        var stack = new Stack<(SyntaxNode Node, int Depth)>();
        stack.Push((root, 0));
        var refused = new List<SyntaxNode>();
        int deepestAt = -1;
        while (stack.Count > 0)
        {
            (SyntaxNode node, int d) = stack.Pop();
            if (Nesting.Contains(node.Kind()))
            {
                d++;
                if (d > MaxDepth && deepestAt < 0)
                {
                    deepestAt = node.SpanStart;
                }
            }

            if (!IsAllowed(node))
            {
                refused.Add(node);
            }

            foreach (SyntaxNode child in node.ChildNodes())
            {
                stack.Push((child, d));
            }
        }

        if (deepestAt >= 0)
        {
            bag.Report(DiagnosticCodes.ExpressionTooDeep, part.Locate(deepestAt), MaxDepth);
            return false;
        }

        if (refused.Count > 0)
        {
            // The outermost refused construct first: it says the most (e.g. "new", not its argument list).
            SyntaxNode first = refused.OrderBy(n => n.SpanStart).ThenByDescending(n => n.Span.Length).First();
            return Refuse(part, bag, first);
        }

        return true;
    }

    private static string Clip(string s) => s.Length <= 20 ? s : s[..20] + "...";

    private static bool Refuse(ExpressionPart part, DiagnosticBag bag, SyntaxNode node)
    {
        (string what, string why) = Explain(node);
        bag.Report(DiagnosticCodes.ExpressionForbiddenConstruct, part.Locate(node.SpanStart), what, why);
        return false;
    }

    private static bool IsAllowed(SyntaxNode node)
    {
        switch (node)
        {
            case IdentifierNameSyntax id:
                return !id.Identifier.ValueText.StartsWith("__", StringComparison.Ordinal) && id.Parent is not QualifiedNameSyntax;
            case PredefinedTypeSyntax t:
                return AllowedTypeKeywords.Contains(t.Keyword.Kind()) && t.Parent is CastExpressionSyntax or MemberAccessExpressionSyntax;
            case CastExpressionSyntax cast:
                return cast.Type is PredefinedTypeSyntax;
            case MemberAccessExpressionSyntax m:
                return m.IsKind(SyntaxKind.SimpleMemberAccessExpression)
                    && m.Name is IdentifierNameSyntax
                    && (m.Expression is PredefinedTypeSyntax
                        || m.Expression is IdentifierNameSyntax { Identifier.ValueText: "Math" or "MathF" });
            case InvocationExpressionSyntax inv:
                return inv.Expression is MemberAccessExpressionSyntax;
            case ArgumentSyntax arg:
                return arg.NameColon is null && arg.RefKindKeyword.IsKind(SyntaxKind.None);
            case LiteralExpressionSyntax lit:
                return AllowedKinds.Contains(lit.Kind());
            default:
                return AllowedKinds.Contains(node.Kind());
        }
    }

    private static (string What, string Why) Explain(SyntaxNode node)
    {
        const string alloc = "an expression computes one pixel and may not allocate or create objects";
        const string code = "an expression is a single value, not code: no functions, statements or side effects";
        const string types = "types, reflection and metadata are out of reach of an expression";
        return node.Kind() switch
        {
            SyntaxKind.ObjectCreationExpression or SyntaxKind.ImplicitObjectCreationExpression or SyntaxKind.ArrayCreationExpression
                or SyntaxKind.ImplicitArrayCreationExpression or SyntaxKind.AnonymousObjectCreationExpression or SyntaxKind.CollectionExpression
                or SyntaxKind.TupleExpression or SyntaxKind.ArrayInitializerExpression => ("creating an object ('new', arrays, tuples, collections)", alloc),
            SyntaxKind.StackAllocArrayCreationExpression or SyntaxKind.ImplicitStackAllocArrayCreationExpression => ("'stackalloc'", alloc),
            SyntaxKind.SimpleLambdaExpression or SyntaxKind.ParenthesizedLambdaExpression or SyntaxKind.AnonymousMethodExpression => ("a lambda or anonymous method", code),
            SyntaxKind.TypeOfExpression => ("'typeof'", types),
            SyntaxKind.SizeOfExpression => ("'sizeof'", types),
            SyntaxKind.DefaultExpression or SyntaxKind.DefaultLiteralExpression => ("'default'", Why),
            SyntaxKind.StringLiteralExpression or SyntaxKind.InterpolatedStringExpression or SyntaxKind.Utf8StringLiteralExpression
                or SyntaxKind.CharacterLiteralExpression => ("a string or character literal", "an expression works on numbers; text is how paths, commands and type names get in"),
            SyntaxKind.NullLiteralExpression => ("'null'", Why),
            SyntaxKind.QueryExpression => ("a query ('from ... select')", code),
            SyntaxKind.PointerIndirectionExpression or SyntaxKind.AddressOfExpression or SyntaxKind.PointerMemberAccessExpression
                or SyntaxKind.PointerType or SyntaxKind.FunctionPointerType => ("a pointer", "unsafe code is never compiled"),
            SyntaxKind.SimpleAssignmentExpression or SyntaxKind.AddAssignmentExpression or SyntaxKind.SubtractAssignmentExpression
                or SyntaxKind.MultiplyAssignmentExpression or SyntaxKind.DivideAssignmentExpression or SyntaxKind.ModuloAssignmentExpression
                or SyntaxKind.AndAssignmentExpression or SyntaxKind.OrAssignmentExpression or SyntaxKind.ExclusiveOrAssignmentExpression
                or SyntaxKind.LeftShiftAssignmentExpression or SyntaxKind.RightShiftAssignmentExpression or SyntaxKind.CoalesceAssignmentExpression
                or SyntaxKind.UnsignedRightShiftAssignmentExpression
                or SyntaxKind.PreIncrementExpression or SyntaxKind.PreDecrementExpression or SyntaxKind.PostIncrementExpression
                or SyntaxKind.PostDecrementExpression => ("an assignment or increment", code),
            SyntaxKind.AwaitExpression => ("'await'", code),
            SyntaxKind.ThrowExpression => ("'throw'", code),
            SyntaxKind.SwitchExpression => ("a switch expression", "use the conditional operator 'c ? a : b'"),
            SyntaxKind.IsExpression or SyntaxKind.AsExpression or SyntaxKind.IsPatternExpression or SyntaxKind.DeclarationExpression => ("a type test or pattern ('is', 'as')", types),
            SyntaxKind.CoalesceExpression or SyntaxKind.ConditionalAccessExpression or SyntaxKind.SuppressNullableWarningExpression => ("a null operator ('??', '?.', '!')", Why),
            SyntaxKind.ElementAccessExpression or SyntaxKind.RangeExpression or SyntaxKind.IndexExpression => ("indexing", "an expression sees the pixel at its own position only; use i and j for positions"),
            SyntaxKind.CheckedExpression or SyntaxKind.UncheckedExpression => ("'checked'/'unchecked'", Why),
            SyntaxKind.RefExpression or SyntaxKind.MakeRefExpression or SyntaxKind.RefTypeExpression or SyntaxKind.RefValueExpression
                or SyntaxKind.ArgListExpression => ("a reference operator ('ref', '__makeref', '__arglist')", "unsafe code is never compiled"),
            SyntaxKind.ThisExpression or SyntaxKind.BaseExpression => ("'this'/'base'", Why),
            SyntaxKind.WithExpression => ("'with'", alloc),
            SyntaxKind.GenericName or SyntaxKind.AliasQualifiedName or SyntaxKind.QualifiedName => ("a qualified or generic name", "write Math.Name or MathF.Name; namespaces and other types are out of reach"),
            SyntaxKind.SimpleMemberAccessExpression => ("member access here", "only Math.Name, MathF.Name and numeric constants such as float.NaN may be used"),
            SyntaxKind.InvocationExpression => ("this call", "only Math and MathF methods may be called"),
            SyntaxKind.CastExpression or SyntaxKind.PredefinedType => ("this type", "only casts to bool and the numeric types (float, double, int, long...) are allowed"),
            SyntaxKind.Argument => ("a named, ref or out argument", Why),
            SyntaxKind.IdentifierName => ("a name starting with '__'", "those names are reserved for the generated code"),
            _ => ($"the construct {node.Kind()}", Why),
        };
    }

    private static string Describe(SyntaxKind trivia) => trivia switch
    {
        SyntaxKind.SingleLineCommentTrivia or SyntaxKind.MultiLineCommentTrivia
            or SyntaxKind.SingleLineDocumentationCommentTrivia or SyntaxKind.MultiLineDocumentationCommentTrivia => "a comment",
        SyntaxKind.SkippedTokensTrivia => "unparsed text",
        _ => "a preprocessor directive",
    };
}

using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting.Roslyn;

/// <summary>
/// Translates a step whose expressions are pure float arithmetic into a System.Numerics.Vector&lt;float&gt; loop
/// over the row, inserted before the scalar loop (which then only finishes the tail). Translated: float variables
/// and params, constants, + - * / and unary minus on floats, comparisons of floats, &amp;&amp; || ! on those,
/// c ? a : b with float branches, MathF.Sqrt and MathF.Abs. These are exact IEEE operations, so the vector
/// path gives bit-identical results to the scalar one (tested for every row length 1..64). Anything else
/// (integers, doubles, i/j, other Math calls) keeps the step scalar.
/// </summary>
internal sealed class Vectorizer(SemanticModel model, StepPlan plan)
{
    private const string V = "System.Numerics.Vector";
    private const string VF = "System.Numerics.Vector<float>";
    private const int MaxNodes = 256;

    private readonly HashSet<string> _variables = [];
    private readonly HashSet<string> _params = [];
    private int _nodes;

    /// <summary>The vector loop for the step, or null when it must stay scalar.</summary>
    public string? Translate(IReadOnlyDictionary<ExpressionPart, ExpressionSyntax> roots)
    {
        string? body;
        if (plan.Cond is not null)
        {
            string? c = Part(plan.Cond, roots, mask: true);
            string? a = Part(plan.Then!, roots, mask: false);
            string? b = Part(plan.Else!, roots, mask: false);
            body = c is null || a is null || b is null ? null : $"{V}.ConditionalSelect({c}, {a}, {b})";
        }
        else
        {
            body = Part(plan.Value!, roots, mask: false);
        }

        if (body is null)
        {
            return null;
        }

        var sb = new StringBuilder();
        sb.Append("if (").Append(V).Append(".IsHardwareAccelerated)\n{\n");
        foreach (string p in _params)
        {
            sb.Append(VF).Append(" __vp_").Append(p).Append(" = new ").Append(VF).Append('(').Append(p).Append(");\n");
        }

        sb.Append("for (; __k <= __o.Length - ").Append(VF).Append(".Count; __k += ").Append(VF).Append(".Count)\n{\n");
        foreach (string v in _variables)
        {
            int index = plan.Step.Variables.ToList().IndexOf(v);
            sb.Append(VF).Append(" __vv_").Append(v).Append(" = new ").Append(VF).Append("(__s")
              .Append(index.ToString(CultureInfo.InvariantCulture)).Append(".Slice(__k));\n");
        }

        sb.Append('(').Append(body).Append(").CopyTo(__o.Slice(__k));\n}\n}\n");
        return sb.ToString();
    }

    private string? Part(ExpressionPart part, IReadOnlyDictionary<ExpressionPart, ExpressionSyntax> roots, bool mask)
    {
        if (part.Text is null)
        {
            return mask ? null : Constant(part.Number!.Value);
        }

        if (!roots.TryGetValue(part, out ExpressionSyntax? root))
        {
            return null;
        }

        ITypeSymbol? type = model.GetTypeInfo(root).Type;
        if (type is null || type.SpecialType != (mask ? SpecialType.System_Boolean : SpecialType.System_Single))
        {
            // A constant of another type (`else: "0"` as text) is still fine as a float value.
            return !mask && model.GetConstantValue(root) is { HasValue: true, Value: not bool and not null } c && IsNumeric(c.Value)
                ? Constant(c.Value)
                : null;
        }

        return Node(root);
    }

    private static bool IsNumeric(object value) => value is sbyte or byte or short or ushort or int or uint or long or ulong or float or double;

    /// <summary>A constant converted to float as C# converts it (one rounding, from the constant's own type).</summary>
    private static string Constant(object value)
    {
        float f = value switch
        {
            sbyte v => v,
            byte v => v,
            short v => v,
            ushort v => v,
            int v => v,
            uint v => v,
            long v => v,
            ulong v => v,
            float v => v,
            double v => (float)v,
            _ => throw new ArgumentException("not a number", nameof(value)),
        };
        string literal = float.IsNaN(f) ? "float.NaN"
            : float.IsPositiveInfinity(f) ? "float.PositiveInfinity"
            : float.IsNegativeInfinity(f) ? "float.NegativeInfinity"
            : f.ToString("R", CultureInfo.InvariantCulture) + "f";
        return $"new {VF}({literal})";
    }

    private bool IsFloat(ExpressionSyntax e) => model.GetTypeInfo(e).Type?.SpecialType == SpecialType.System_Single;

    private bool ConvertsToFloat(ExpressionSyntax e) => model.GetTypeInfo(e).ConvertedType?.SpecialType == SpecialType.System_Single;

    private bool IsBool(ExpressionSyntax e) => model.GetTypeInfo(e).Type?.SpecialType == SpecialType.System_Boolean;

    /// <summary>A float-typed node as a Vector&lt;float&gt;, or a bool-typed node as a Vector&lt;int&gt; mask; null when not translatable.</summary>
    private string? Node(ExpressionSyntax e)
    {
        if (++_nodes > MaxNodes)
        {
            return null;
        }

        TypeInfo info = model.GetTypeInfo(e);
        Optional<object?> constant = model.GetConstantValue(e);
        if (constant.HasValue && constant.Value is not bool && constant.Value is not null && IsNumeric(constant.Value)
            && (info.ConvertedType ?? info.Type)?.SpecialType == SpecialType.System_Single)
        {
            return Constant(constant.Value);
        }

        switch (e)
        {
            case ParenthesizedExpressionSyntax p:
                return Node(p.Expression);
            case IdentifierNameSyntax id when IsFloat(id):
                string name = id.Identifier.ValueText;
                if (plan.Step.Variables.Contains(name))
                {
                    _variables.Add(name);
                    return "__vv_" + name;
                }

                if (plan.Params.Contains(name))
                {
                    _params.Add(name);
                    return "__vp_" + name;
                }

                return null;
            case PrefixUnaryExpressionSyntax u when IsFloat(u) && IsFloat(u.Operand):
                string? operand = Node(u.Operand);
                return operand is null ? null : u.Kind() switch
                {
                    // Flip the sign bit, exactly as scalar negation does (0 - v would turn -0 into +0).
                    SyntaxKind.UnaryMinusExpression => $"{V}.Xor({operand}, new {VF}(-0f))",
                    SyntaxKind.UnaryPlusExpression => operand,
                    _ => null,
                };
            case PrefixUnaryExpressionSyntax n when n.IsKind(SyntaxKind.LogicalNotExpression) && IsBool(n.Operand):
                string? inner = Node(n.Operand);
                return inner is null ? null : $"{V}.OnesComplement({inner})";
            case BinaryExpressionSyntax b:
                return Binary(b);
            case ConditionalExpressionSyntax c when IsFloat(c) && IsBool(c.Condition) && ConvertsToFloat(c.WhenTrue) && ConvertsToFloat(c.WhenFalse):
                string? cc = Node(c.Condition), ct = Node(c.WhenTrue), cf = Node(c.WhenFalse);
                return cc is null || ct is null || cf is null ? null : $"{V}.ConditionalSelect({cc}, {ct}, {cf})";
            case InvocationExpressionSyntax inv when IsFloat(inv) && inv.ArgumentList.Arguments.Count == 1
                && inv.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "MathF" } } m
                && model.GetSymbolInfo(inv).Symbol is IMethodSymbol { ContainingType.Name: "MathF", ContainingType.ContainingNamespace.Name: "System" }
                && IsFloat(inv.ArgumentList.Arguments[0].Expression):
                string? arg = Node(inv.ArgumentList.Arguments[0].Expression);
                return arg is null ? null : m.Name.Identifier.ValueText switch
                {
                    "Sqrt" => $"{V}.SquareRoot({arg})",
                    "Abs" => $"{V}.Abs({arg})",
                    _ => null,
                };
            default:
                return null;
        }
    }

    private string? Binary(BinaryExpressionSyntax b)
    {
        SyntaxKind kind = b.Kind();
        if (kind is SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression)
        {
            if (!IsBool(b.Left) || !IsBool(b.Right))
            {
                return null;
            }

            string? l = Node(b.Left), r = Node(b.Right);
            return l is null || r is null ? null
                : kind == SyntaxKind.LogicalAndExpression ? $"{V}.BitwiseAnd({l}, {r})" : $"{V}.BitwiseOr({l}, {r})";
        }

        // Both operands must be floats after conversion (so an int literal next to a float is fine, i or j are not).
        TypeInfo li = model.GetTypeInfo(b.Left), ri = model.GetTypeInfo(b.Right);
        if (li.ConvertedType?.SpecialType != SpecialType.System_Single || ri.ConvertedType?.SpecialType != SpecialType.System_Single)
        {
            return null;
        }

        string? left = Node(b.Left), right = Node(b.Right);
        if (left is null || right is null)
        {
            return null;
        }

        return kind switch
        {
            SyntaxKind.AddExpression => $"({left} + {right})",
            SyntaxKind.SubtractExpression => $"({left} - {right})",
            SyntaxKind.MultiplyExpression => $"({left} * {right})",
            SyntaxKind.DivideExpression => $"({left} / {right})",
            SyntaxKind.GreaterThanExpression => $"{V}.GreaterThan({left}, {right})",
            SyntaxKind.GreaterThanOrEqualExpression => $"{V}.GreaterThanOrEqual({left}, {right})",
            SyntaxKind.LessThanExpression => $"{V}.LessThan({left}, {right})",
            SyntaxKind.LessThanOrEqualExpression => $"{V}.LessThanOrEqual({left}, {right})",
            SyntaxKind.EqualsExpression => $"{V}.Equals({left}, {right})",
            SyntaxKind.NotEqualsExpression => $"{V}.OnesComplement({V}.Equals({left}, {right}))",
            _ => null,
        };
    }
}

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Scripting.Roslyn;

/// <summary>
/// The second gate, on the bound tree: every symbol an expression names must be one of its variables, a static
/// member of System.Math / System.MathF, a numeric constant (float.NaN...) or a float/double classification
/// (IsNaN, IsFinite...); every operator must be built in; every value must be bool or a primitive number.
/// </summary>
internal sealed class SemanticAllowList(Compilation compilation)
{
    private static readonly HashSet<string> NumberPredicates = new(StringComparer.Ordinal)
    {
        "IsNaN", "IsInfinity", "IsFinite", "IsPositiveInfinity", "IsNegativeInfinity",
    };

    private readonly INamedTypeSymbol? _math = compilation.GetTypeByMetadataName("System.Math");
    private readonly INamedTypeSymbol? _mathF = compilation.GetTypeByMetadataName("System.MathF");

    public static bool IsNumber(ITypeSymbol type) => type.SpecialType is
        SpecialType.System_SByte or SpecialType.System_Byte or SpecialType.System_Int16 or SpecialType.System_UInt16
        or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
        or SpecialType.System_Single or SpecialType.System_Double;

    private static bool IsValueType(ITypeSymbol? type) => type is null || IsNumber(type) || type.SpecialType == SpecialType.System_Boolean;

    private bool IsMathType(ISymbol? type) =>
        SymbolEqualityComparer.Default.Equals(type, _math) || SymbolEqualityComparer.Default.Equals(type, _mathF);

    /// <summary>Reports the first refused node of <paramref name="expression"/>; true when all is allowed.</summary>
    public bool Check(ExpressionSyntax expression, SemanticModel model, HashSet<string> variables, PartSpan span, DiagnosticBag bag)
    {
        foreach (SyntaxNode node in expression.DescendantNodesAndSelf())
        {
            if (node is not ExpressionSyntax e)
            {
                continue;
            }

            SymbolInfo info = model.GetSymbolInfo(e);
            ISymbol? symbol = info.Symbol ?? (info.CandidateSymbols.Length > 0 ? info.CandidateSymbols[0] : null);
            if (symbol is not null && !IsAllowed(symbol, variables))
            {
                bag.Report(DiagnosticCodes.ExpressionForbiddenSymbol, span.Locate(e.SpanStart - span.Start),
                    symbol.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat));
                return false;
            }

            if (symbol is ITypeSymbol || symbol is IMethodSymbol { MethodKind: not MethodKind.BuiltinOperator } && e is not InvocationExpressionSyntax)
            {
                continue; // a type name (Math) or a method group (Math.Sqrt): no value
            }

            TypeInfo type = model.GetTypeInfo(e);
            foreach (ITypeSymbol? t in new[] { type.Type, type.ConvertedType })
            {
                if (t is not null && t.TypeKind != TypeKind.Error && !IsValueType(t))
                {
                    bag.Report(DiagnosticCodes.ExpressionForbiddenConstruct, span.Locate(e.SpanStart - span.Start),
                        $"a value of type '{t.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}'",
                        "expression values are bool or primitive numbers (float, double, int, long...)");
                    return false;
                }
            }

            Conversion conversion = model.GetConversion(e);
            if (conversion.IsUserDefined)
            {
                bag.Report(DiagnosticCodes.ExpressionForbiddenConstruct, span.Locate(e.SpanStart - span.Start), "a user-defined conversion", "only built-in numeric conversions are allowed");
                return false;
            }
        }

        return true;
    }

    private bool IsAllowed(ISymbol symbol, HashSet<string> variables)
    {
        switch (symbol)
        {
            case ILocalSymbol local:
                return variables.Contains(local.Name) && IsValueType(local.Type);
            case IParameterSymbol parameter:
                return parameter.Name is "rows" or "cols";
            case INamedTypeSymbol type:
                return IsMathType(type) || IsNumber(type);
            case IMethodSymbol { MethodKind: MethodKind.BuiltinOperator } op:
                return IsValueType(op.ReturnType);
            case IMethodSymbol method:
                if (!method.IsStatic || method.IsGenericMethod || method.Parameters.Any(p => p.RefKind != RefKind.None || !IsValueType(p.Type)) || !IsValueType(method.ReturnType))
                {
                    return false;
                }

                return IsMathType(method.ContainingType)
                    || (method.ContainingType.SpecialType is SpecialType.System_Single or SpecialType.System_Double && NumberPredicates.Contains(method.Name));
            case IFieldSymbol field:
                return field.IsConst && field.IsStatic && (IsMathType(field.ContainingType) || IsNumber(field.ContainingType));
            default:
                return false;
        }
    }
}

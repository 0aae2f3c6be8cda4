using System.Globalization;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Scripting.Roslyn;

namespace XRayFlow.Scripting.Roslyn;

/// <summary>
/// Everything that touches Roslyn: the syntax gate, one compilation of all steps, the semantic allow-list,
/// diagnostics mapped back to the recipe, and emit. Only reached on a cache miss.
/// </summary>
internal static class RoslynBackend
{
    private static readonly Lazy<MetadataReference> CoreLibrary = new(() =>
        MetadataReference.CreateFromFile(typeof(object).Assembly.Location));

    /// <summary>The PE image, or null with errors in <paramref name="bag"/>.</summary>
    public static byte[]? Compile(List<StepPlan> plans, GeneratedSource source, string key, DiagnosticBag bag)
    {
        // 1. Syntax gate on each text alone. A refused text never enters generated code.
        var refused = new HashSet<ExpressionPart>(ReferenceEqualityComparer.Instance);
        foreach (ExpressionPart part in plans.SelectMany(p => p.Parts).Where(p => p.Text is not null))
        {
            if (!SyntaxAllowList.Check(part, bag))
            {
                refused.Add(part);
            }
        }

        bool syntaxFailed = refused.Count > 0;
        if (syntaxFailed)
        {
            // Type-check the rest anyway (refused texts replaced by neutral literals) so all problems show at once.
            source = SourceGenerator.Generate(plans, refused.Contains);
        }

        // 2. One compilation of all steps against the core library only.
        if (string.IsNullOrEmpty(typeof(object).Assembly.Location))
        {
            bag.Report(DiagnosticCodes.ExpressionCompile, null, "setup", "the core library has no file to compile against (single-file builds cannot compile expressions)");
            return null;
        }

        SyntaxTree tree = CSharpSyntaxTree.ParseText(source.Text, SyntaxAllowList.ParseOptions, path: "xrayflow-expressions.g.cs");
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Release,
            checkOverflow: false,
            allowUnsafe: false,
            deterministic: true,
            concurrentBuild: false,
            nullableContextOptions: NullableContextOptions.Disable);
        CSharpCompilation compilation = CSharpCompilation.Create("XRayFlow.Expr." + key[..16], [tree], [CoreLibrary.Value], options);
        SemanticModel model = compilation.GetSemanticModel(tree);

        // 3. Semantic allow-list and result types, per text.
        var allowList = new SemanticAllowList(compilation);
        var flagged = new HashSet<ExpressionPart>(ReferenceEqualityComparer.Instance);
        SyntaxNode root = tree.GetRoot();
        foreach (PartSpan span in source.Spans)
        {
            if (root.FindToken(span.Start - 1).Parent is not ParenthesizedExpressionSyntax paren)
            {
                continue;
            }

            StepPlan plan = plans[span.StepIndex];
            var names = new HashSet<string>(plan.Step.Variables.Concat(Names.BuiltIns).Concat(plan.Params), StringComparer.Ordinal);
            if (!allowList.Check(paren.Expression, model, names, span, bag))
            {
                flagged.Add(span.Part);
                continue;
            }

            ITypeSymbol? type = model.GetTypeInfo(paren.Expression).Type;
            if (type is null || type.TypeKind == TypeKind.Error)
            {
                continue;
            }

            if (span.Part.IsCondition && type.SpecialType != SpecialType.System_Boolean)
            {
                bag.Report(DiagnosticCodes.ExpressionType, span.Part.TextStart, span.Part.Role, "a condition (bool)", Display(type));
                flagged.Add(span.Part);
            }
            else if (!span.Part.IsCondition && !SemanticAllowList.IsNumber(type))
            {
                bag.Report(DiagnosticCodes.ExpressionType, span.Part.TextStart, span.Part.Role, "a number", Display(type));
                flagged.Add(span.Part);
            }
        }

        // 4. Happy path: gates passed, so emit at once (vectorized where possible). Emitting runs nothing.
        if (!syntaxFailed && !bag.HasErrors)
        {
            CSharpCompilation? vectorized = Vectorize(plans, source, compilation, model, root);
            if (vectorized is not null)
            {
                using var vectorPe = new MemoryStream();
                if (vectorized.Emit(vectorPe).Success)
                {
                    return vectorPe.ToArray();
                }
            }

            using var scalarPe = new MemoryStream();
            if (compilation.Emit(scalarPe).Success)
            {
                return scalarPe.ToArray();
            }
        }

        // 5. Something is wrong: the compiler's own errors, located in the recipe. At most one per text (its first), as
        // the gates report: a text of 2,000 unknown names gave 2,000 errors, each listing every variable and param, so a
        // 117 KB recipe made 3 GB of messages.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reported = new HashSet<ExpressionPart>(ReferenceEqualityComparer.Instance);
        foreach (Microsoft.CodeAnalysis.Diagnostic d in compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)
            .OrderBy(d => d.Location.SourceSpan.Start))
        {
            int position = d.Location.SourceSpan.Start;
            PartSpan? span = SpanAt(source.Spans, position);
            if (span is not null && (flagged.Contains(span.Part) || !reported.Add(span.Part)))
            {
                continue;
            }

            Core.Diagnostics.Diagnostic mapped = Map(d, span, plans, source.Text);
            if (seen.Add(mapped.ToString()))
            {
                bag.Add(mapped);
            }
        }

        if (!bag.HasErrors)
        {
            bag.Report(DiagnosticCodes.ExpressionCompile, plans[0].Parts.First().TextStart, "emit", "the generated code did not compile although every expression passed the checks (a bug: please report it)");
        }

        return null;
    }

    /// <summary>The span whose text (or the code wrapped around it) holds <paramref name="position"/>, or null; spans are in source order.</summary>
    private static PartSpan? SpanAt(IReadOnlyList<PartSpan> spans, int position)
    {
        int lo = 0, hi = spans.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (spans[mid].WrapStart <= position)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found >= 0 && spans[found].Contains(position) ? spans[found] : null;
    }

    /// <summary>The compilation with vector loops inserted, or null when no step vectorizes.</summary>
    private static CSharpCompilation? Vectorize(List<StepPlan> plans, GeneratedSource source, CSharpCompilation compilation, SemanticModel model, SyntaxNode root)
    {
        var roots = new Dictionary<ExpressionPart, ExpressionSyntax>(ReferenceEqualityComparer.Instance);
        foreach (PartSpan span in source.Spans)
        {
            if (root.FindToken(span.Start - 1).Parent is ParenthesizedExpressionSyntax paren)
            {
                roots[span.Part] = paren.Expression;
            }
        }

        var loops = plans.Select(plan => (plan.MethodName, new Vectorizer(model, plan).Translate(roots))).ToList();
        if (InsertVectorLoops(source.Text, loops) is not { } text)
        {
            return null;
        }

        SyntaxTree tree = CSharpSyntaxTree.ParseText(text, SyntaxAllowList.ParseOptions, path: "xrayflow-expressions.g.cs");
        CSharpCompilation vectorized = compilation.ReplaceSyntaxTree(compilation.SyntaxTrees[0], tree);
        return vectorized; // checked by its Emit: on any error the scalar compilation is emitted instead
    }

    /// <summary>
    /// <paramref name="source"/> with the vector marker of each step (its method name) replaced by its loop, and a
    /// public const per vectorized step before the class's end; null when no step has a loop. One pass over the
    /// source: the markers come in step order, each once (an expression holds no comment). Replacing them one by one
    /// copied the whole source per step, quadratic in the number of steps: a recipe of thousands of one-character
    /// expressions (well under the 1 MiB a recipe may have) kept `validate` busy for minutes and gigabytes.
    /// </summary>
    internal static string? InsertVectorLoops(string source, IReadOnlyList<(string MethodName, string? Loop)> loops)
    {
        var text = new StringBuilder(source.Length + (loops.Count * 256));
        var markers = new StringBuilder();
        int copied = 0;
        foreach ((string methodName, string? loop) in loops)
        {
            string marker = SourceGenerator.VectorMarker(methodName);
            int at = loop is null ? -1 : source.IndexOf(marker, copied, StringComparison.Ordinal);
            if (at >= 0)
            {
                text.Append(source, copied, at - copied).Append(loop);
                copied = at + marker.Length;
                markers.Append("public const int ").Append(GeneratedSource.VectorizedPrefix).Append(methodName).Append(" = 1;\n");
            }
        }

        if (markers.Length == 0)
        {
            return null;
        }

        int classEnd = source.LastIndexOf("}\n}\n", StringComparison.Ordinal);
        return text.Append(source, copied, classEnd - copied).Append(markers).Append(source, classEnd, source.Length - classEnd).ToString();
    }

    private static Core.Diagnostics.Diagnostic Map(Microsoft.CodeAnalysis.Diagnostic d, PartSpan? span, List<StepPlan> plans, string text)
    {
        SourceLocation? location = span?.Locate(d.Location.SourceSpan.Start - span.Start)
            ?? plans.SelectMany(p => p.Parts).Select(p => (SourceLocation?)p.TextStart).FirstOrDefault();
        if (d.Id == "CS0103" && span is not null)
        {
            string name = text.Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);
            StepPlan plan = plans[span.StepIndex];
            var candidates = plan.Step.Variables.Concat(Names.BuiltIns).Concat(plan.Params.Where(p => Names.Problem(p) is null)).ToList();
            string? near = Names.Nearest(name, candidates);
            return DiagnosticCodes.ExpressionUnknownName.Create(
                location,
                name,
                PythonHints.ForUnknownName(name) ?? (near is null ? string.Empty : $" (did you mean '{near}'?)"),
                Names.Listing(candidates));
        }

        string message = d.GetMessage(CultureInfo.InvariantCulture);
        return DiagnosticCodes.ExpressionCompile.Create(location, d.Id, message + PythonHints.ForCompileError(d.Id, message));
    }

    private static string Display(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
}

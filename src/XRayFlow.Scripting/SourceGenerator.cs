using System.Globalization;
using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Text;

namespace XRayFlow.Scripting;

/// <summary>Where one expression text was inserted into the generated source.</summary>
/// <param name="StepIndex">Index of the step (method S{index}).</param>
/// <param name="Part">The part.</param>
/// <param name="Start">Position of the text's first character in the generated source.</param>
/// <param name="WrapStart">Position of the conversion wrapped around the text (`(float)(` or `(`).</param>
internal sealed record PartSpan(int StepIndex, ExpressionPart Part, int Start, int WrapStart)
{
    public int Length => Part.Text!.Length;

    /// <summary>True when <paramref name="position"/> falls in the text or in the code wrapped around it.</summary>
    public bool Contains(int position) => position >= WrapStart && position <= Start + Length;

    /// <summary>The recipe location of the character <paramref name="offset"/> characters into the text.</summary>
    public SourceLocation Locate(int offset) => Part.Locate(offset);
}

/// <summary>The shape of one expression step: a select (cond ? then : else) or a single value.</summary>
internal sealed record StepPlan(int Index, ExpressionStep Step, ExpressionPart? Cond, ExpressionPart? Then, ExpressionPart? Else, ExpressionPart? Value)
{
    public IEnumerable<ExpressionPart> Parts => new[] { Cond, Then, Else, Value }.OfType<ExpressionPart>();

    public string MethodName => "S" + Index.ToString(CultureInfo.InvariantCulture);

    /// <summary>The numbers the step's expressions may read, in the order of its kernel's params array: the recipe's params, then the step's own scalar variables.</summary>
    public IReadOnlyList<string> Params { get; init; } = [];
}

/// <summary>The generated C# source of all of a recipe's expressions, and the map back to the recipe.</summary>
internal sealed record GeneratedSource(string Text, IReadOnlyList<StepPlan> Steps, IReadOnlyList<PartSpan> Spans)
{
    public const string Namespace = "XRayFlow.Generated";
    public const string ClassName = "Expressions";

    /// <summary>Bump when the shape of the generated code or the allow-list changes: invalidates every cache entry.</summary>
    public const string Version = "xrayflow-expr-5";

    /// <summary>A public const named this + the method name marks a step compiled with a vector loop.</summary>
    public const string VectorizedPrefix = "Vectorized_";
}

/// <summary>
/// Builds the generated source with plain string operations (no Roslyn), so that the warm path can compute
/// the cache key without loading the compiler. Texts are inserted verbatim: only a source whose every text
/// passed the allow-list is ever compiled, and only compiled sources reach the cache.
/// </summary>
internal static class SourceGenerator
{
    /// <summary>Checks step shapes and variable names; returns the plans, or diagnostics.</summary>
    public static List<StepPlan> Plan(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams, DiagnosticBag bag)
    {
        var plans = new List<StepPlan>();
        var seenIds = new HashSet<string>(StringComparer.Ordinal);
        var unreadableParams = recipeParams.Where(Names.IsUnreadableParam).ToList(); // once, not per step and text
        var recipeParamSet = new HashSet<string>(recipeParams, StringComparer.Ordinal);
        for (int s = 0; s < steps.Count; s++)
        {
            ExpressionStep step = steps[s];
            SourceLocation? where = step.Parts.Count > 0 ? step.Parts[0].TextStart : null;
            if (!seenIds.Add(step.StepId))
            {
                bag.Report(DiagnosticCodes.ExpressionStepShape, where, step.StepId, "two expression steps have this id");
                continue;
            }

            bool ok = true;
            var names = new HashSet<string>(Names.BuiltIns, StringComparer.Ordinal);
            foreach (string v in step.Variables.Concat(step.Scalars))
            {
                string? problem = Names.Problem(v);
                if (problem is null && !names.Add(v))
                {
                    problem = Names.BuiltIns.Contains(v) ? "it is a built-in variable (i, j, rows, cols)" : "two inputs have this name";
                }

                if (problem is null && recipeParamSet.Contains(v))
                {
                    problem = "a recipe param has this name";
                }

                if (problem is not null)
                {
                    bag.Report(DiagnosticCodes.ExpressionBadVariable, where, v, problem);
                    ok = false;
                }
            }

            // A param the generated code cannot declare (a keyword: 'class', 'in') but a text names: say so at the
            // name, instead of the C# parser's "Unexpected token" (XRF3001) or a refusal of the keyword.
            foreach (ExpressionPart p in step.Parts.Where(p => p.Text is not null))
            {
                foreach (string name in unreadableParams)
                {
                    if (Names.WordAt(name, p.Text!) is var at and >= 0)
                    {
                        bag.Report(DiagnosticCodes.ExpressionBadVariable, p.Locate(at), name,
                            "it is a C# keyword or a reserved name, so an expression cannot read the recipe param of that name (rename the param)");
                        ok = false;
                    }
                }
            }

            ExpressionPart? Find(string role) => step.Parts.FirstOrDefault(p => p.Role == role);
            foreach (ExpressionPart p in step.Parts)
            {
                if (p.Text is null && p.Number is null)
                {
                    bag.Report(DiagnosticCodes.ExpressionStepShape, p.TextStart, step.StepId, $"'{p.Role}' has neither a text nor a number");
                    ok = false;
                }
            }

            ExpressionPart? cond = step.Parts.FirstOrDefault(p => p.IsCondition);
            if (step.IsSelect || cond is not null)
            {
                if (cond is null)
                {
                    bag.Report(DiagnosticCodes.ExpressionStepShape, where, step.StepId, $"a '{step.Op}' step needs a condition");
                    ok = false;
                }

                ExpressionPart? then = Find("then");
                ExpressionPart? otherwise = Find("else");
                if (then is null && step.Variables.Count != 1)
                {
                    bag.Report(DiagnosticCodes.ExpressionStepShape, where, step.StepId, "'then' is needed when the step has more than one input");
                    ok = false;
                }

                then ??= new ExpressionPart("then", step.Variables.Count == 1 ? step.Variables[0] : "0", null, cond?.TextStart ?? default, false);
                otherwise ??= new ExpressionPart("else", null, 0, cond?.TextStart ?? default, false);
                if (ok)
                {
                    plans.Add(new StepPlan(plans.Count, step, cond, then, otherwise, null) { Params = [.. recipeParams, .. step.Scalars] });
                }
            }
            else
            {
                var values = step.Parts.Where(p => !p.IsCondition).ToList();
                if (values.Count != 1)
                {
                    bag.Report(DiagnosticCodes.ExpressionStepShape, where, step.StepId, $"a '{step.Op}' step needs exactly one expression, it has {values.Count}");
                    ok = false;
                }

                if (ok)
                {
                    plans.Add(new StepPlan(plans.Count, step, null, null, null, values[0]) { Params = [.. recipeParams, .. step.Scalars] });
                }
            }
        }

        return plans;
    }

    /// <summary>
    /// The source for <paramref name="plans"/>. Parts for which <paramref name="refused"/> is true are replaced
    /// by a neutral literal (used only to type-check the others; such a source is never emitted).
    /// </summary>
    public static GeneratedSource Generate(IReadOnlyList<StepPlan> plans, Func<ExpressionPart, bool>? refused = null)
    {
        var sb = new StringBuilder();
        var spans = new List<PartSpan>();
        sb.Append("// XRayFlow generated expressions, ").Append(GeneratedSource.Version).Append('\n');
        sb.Append("using Math = System.Math;\nusing MathF = System.MathF;\n");
        sb.Append("namespace ").Append(GeneratedSource.Namespace).Append("\n{\n");
        sb.Append("public static class ").Append(GeneratedSource.ClassName).Append("\n{\n");
        foreach (StepPlan plan in plans)
        {
            var texts = plan.Parts.Where(p => p.Text is not null).Select(p => p.Text!).ToList();
            // Optimized from the first call: a short run never leaves tier-0 code for a method called once per row block.
            sb.Append("[System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]\n");
            sb.Append("public static void ").Append(plan.MethodName)
              .Append("(float[][] __in, int __offset, float[] __out, int rows, int cols, double[] __p, int __r0, int __r1, int __c0, int __c1)\n{\n");
            for (int k = 0; k < plan.Params.Count; k++)
            {
                string name = plan.Params[k];
                if (Names.Problem(name) is null && !plan.Step.Variables.Contains(name) && !Names.BuiltIns.Contains(name) && Names.UsedIn(name, texts))
                {
                    sb.Append("float ").Append(name).Append(" = (float)__p[").Append(k.ToString(CultureInfo.InvariantCulture)).Append("];\n");
                }
            }

            var used = new List<int>();
            for (int v = 0; v < plan.Step.Variables.Count; v++)
            {
                if (Names.UsedIn(plan.Step.Variables[v], texts))
                {
                    used.Add(v);
                    string vs = v.ToString(CultureInfo.InvariantCulture);
                    sb.Append("float[] __a").Append(vs).Append(" = __in[").Append(vs).Append("];\n");
                }
            }

            sb.Append("int __n = __c1 - __c0;\n");
            sb.Append("for (int i = __r0; i < __r1; i++)\n{\n");
            foreach (int v in used)
            {
                string vs = v.ToString(CultureInfo.InvariantCulture);
                sb.Append("System.ReadOnlySpan<float> __s").Append(vs).Append(" = new System.ReadOnlySpan<float>(__a").Append(vs)
                  .Append(", __offset + i * cols + __c0, __n);\n");
            }

            sb.Append("System.Span<float> __o = new System.Span<float>(__out, i * cols + __c0, __n);\n");
            sb.Append("int __k = 0;\n").Append(VectorMarker(plan)).Append('\n');
            sb.Append("for (; __k < __o.Length; __k++)\n{\n");
            if (Names.UsedIn("j", texts))
            {
                sb.Append("int j = __c0 + __k;\n");
            }

            foreach (int v in used)
            {
                string vs = v.ToString(CultureInfo.InvariantCulture);
                sb.Append("float ").Append(plan.Step.Variables[v]).Append(" = __s").Append(vs).Append("[__k];\n");
            }

            sb.Append("__o[__k] = ");
            if (plan.Cond is not null)
            {
                AppendPart(sb, spans, plan, plan.Cond, refused);
                sb.Append(" ? ");
                AppendPart(sb, spans, plan, plan.Then!, refused);
                sb.Append(" : ");
                AppendPart(sb, spans, plan, plan.Else!, refused);
            }
            else
            {
                AppendPart(sb, spans, plan, plan.Value!, refused);
            }

            sb.Append(";\n}\n}\n}\n");
        }

        sb.Append("}\n}\n");
        return new GeneratedSource(sb.ToString(), plans, spans);
    }

    /// <summary>Where the cold path may insert a vectorized loop over the row (the scalar loop finishes the tail).</summary>
    public static string VectorMarker(StepPlan plan) => VectorMarker(plan.MethodName);

    /// <summary>The vector marker in the method named <paramref name="methodName"/>.</summary>
    public static string VectorMarker(string methodName) => "/*vector " + methodName + "*/";

    private static void AppendPart(StringBuilder sb, List<PartSpan> spans, StepPlan plan, ExpressionPart part, Func<ExpressionPart, bool>? refused)
    {
        if (part.Text is null)
        {
            sb.Append(part.IsCondition ? (part.Number!.Value != 0 ? "true" : "false") : FloatLiteral(part.Number!.Value));
            return;
        }

        if (refused?.Invoke(part) == true)
        {
            sb.Append(part.IsCondition ? "false" : "0f");
            return;
        }

        int wrapStart = sb.Length;
        sb.Append(part.IsCondition ? "(" : "(float)(");
        spans.Add(new PartSpan(plan.Index, part, sb.Length, wrapStart));
        sb.Append(part.Text);
        sb.Append(')');
    }

    private static string FloatLiteral(double d)
    {
        if (double.IsNaN(d))
        {
            return "float.NaN";
        }

        if (double.IsInfinity(d))
        {
            return d > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
        }

        return "((float)(" + RoundTrip.Format(d) + "d))";
    }
}

using System.Globalization;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Execution;

/// <summary>Finds a recipe's inline expressions and turns its params into the values kernels receive.</summary>
public static class ExpressionSteps
{
    /// <summary>Every step with at least one expression parameter written as C# text, in file order.</summary>
    public static IReadOnlyList<ExpressionStep> Collect(BoundRecipe recipe)
    {
        var result = new List<ExpressionStep>();
        foreach (var step in recipe.Steps)
        {
            var parts = new List<ExpressionPart>();
            bool anyText = false;
            foreach (var spec in step.Op.Params.Where(p => p.Type == ParamType.Expression))
            {
                if (!step.Params.TryGetValue(spec.Name, out var v) || v is null)
                {
                    continue;
                }

                var e = v as ExpressionValue ?? new ExpressionValue(null, Convert.ToDouble(v, CultureInfo.InvariantCulture), null);
                anyText |= e.Text is not null;
                parts.Add(new ExpressionPart(spec.Name, e.Text, e.Number, e.Location ?? step.Location, spec.IsCondition, e.TextMap));
            }

            if (anyText)
            {
                result.Add(new ExpressionStep(step.Id, step.Op.Name, VariableNames(step), parts)
                {
                    IsSelect = step.Op.Params.Any(p => p.Type == ParamType.Expression && p.Required && p.IsCondition),
                    Scalars = [.. ScalarVariables(step).Select(v => v.Name)],
                });
            }
        }

        return result;
    }

    /// <summary>
    /// The pixel variables: `x` for one unnamed input, else the keys of the `in` map (or x0, x1... for an unnamed
    /// list). Scalar steps in an `in` map are not pixels: see <see cref="ScalarVariables(BoundStep)"/>.
    /// </summary>
    public static IReadOnlyList<string> VariableNames(BoundStep step)
    {
        if (step.Inputs.Count == 1 && step.Inputs[0].VariableName is null)
        {
            return ["x"];
        }

        return step.Inputs
            .Select((r, i) => (Name: r.VariableName ?? "x" + i.ToString(CultureInfo.InvariantCulture), Scalar: IsScalarInput(step, i)))
            .Where(v => !v.Scalar)
            .Select(v => v.Name)
            .ToList();
    }

    /// <summary>The `in` map variables of a step that name scalar steps (`t: otsu`), in `in` order, with their input index.</summary>
    public static IReadOnlyList<(string Name, int Input)> ScalarVariables(BoundStep step)
        => step.Inputs.Select((r, i) => (Name: r.VariableName ?? string.Empty, Input: i)).Where(v => IsScalarInput(step, v.Input)).ToList();

    private static bool IsScalarInput(BoundStep step, int index) => index < step.InputInfos.Count && step.InputInfos[index].IsScalar;

    /// <summary>Recipe params as numbers, in declaration order (true = 1, false = 0, text = NaN).</summary>
    public static double[] ParamValues(BoundRecipe recipe)
        => recipe.Params.Select(p => p.Value switch
        {
            bool b => b ? 1.0 : 0.0,
            string => double.NaN,
            IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
            _ => double.NaN,
        }).ToArray();

    /// <summary>Compile every expression of the recipe in one call (or none, without touching the compiler).</summary>
    public static ExpressionCompilation Compile(BoundRecipe recipe, Func<IExpressionCompiler>? compilerFactory)
    {
        var steps = Collect(recipe);
        if (steps.Count == 0)
        {
            return new ExpressionCompilation(new Dictionary<string, IExpressionKernel>(), []);
        }

        if (compilerFactory is null)
        {
            return new ExpressionCompilation(new Dictionary<string, IExpressionKernel>(), [DiagnosticCodes.NoExpressionCompiler.Create(steps[0].Parts[0].TextStart, steps[0].StepId)]);
        }

        return compilerFactory().Compile(steps, recipe.Params.Select(p => p.Name).ToList());
    }
}

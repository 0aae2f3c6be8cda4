using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting.Tests;

/// <summary>Expression steps as the binder would hand them over.</summary>
public static class Recipes
{
    public const string RecipeFile = "recipe.yaml";

    public static readonly string[] Params = ["threshold", "gain"];

    /// <summary>A part whose text starts at line 10, column 12 of recipe.yaml (unless told).</summary>
    public static ExpressionPart Part(string role, string text, bool condition = false, int line = 10, int column = 12)
        => new(role, text, null, new SourceLocation(RecipeFile, line, column), condition);

    public static ExpressionPart Number(string role, double value, int line = 11, int column = 12)
        => new(role, null, value, new SourceLocation(RecipeFile, line, column), false);

    public static ExpressionStep Map(string id, string expr, params string[] variables)
        => new(id, "map", variables.Length == 0 ? ["x"] : variables, [Part("expr", expr)]);

    public static ExpressionStep Where(string id, string cond, string? then, double? otherwise, params string[] variables)
    {
        var parts = new List<ExpressionPart> { Part("cond", cond, condition: true) };
        if (then is not null)
        {
            parts.Add(Part("then", then, line: 11));
        }

        if (otherwise is not null)
        {
            parts.Add(Number("else", otherwise.Value, line: 12));
        }

        return new ExpressionStep(id, "where", variables.Length == 0 ? ["x"] : variables, parts) { IsSelect = true };
    }

    /// <summary>A recipe with three expressions (a mask and a gradient combination), as in pipelines/.</summary>
    public static readonly IReadOnlyList<ExpressionStep> ThreeExpressions =
    [
        Where("bright", "x > threshold", "x", 0),
        Map("combined", "MathF.Sqrt(a * a + b * b) * gain", "a", "b"),
    ];
}

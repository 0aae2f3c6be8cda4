using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting;

/// <summary>Roslyn-backed expression compiler (implementation arrives with the scripting work).</summary>
public sealed class RoslynExpressionCompiler : IExpressionCompiler
{
    public ExpressionCompilation Compile(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams)
        => throw new NotImplementedException();
}

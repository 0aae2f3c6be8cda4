using System.Runtime.CompilerServices;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Cli;

/// <summary>The CLI's calls into the recipe language (loader, schema) and the Roslyn expression compiler.</summary>
internal static class LangBridge
{
    public static (BoundRecipe? Recipe, IReadOnlyList<Diagnostic> Diagnostics) Load(string path, IReadOnlyDictionary<string, string> setOverrides)
    {
        var result = RecipeLoader.Load(path, setOverrides);
        return (result.Recipe, result.Diagnostics);
    }

    /// <summary>The JSON Schema of the language (generated from the op registry).</summary>
    public static string? Schema() => XRayFlow.Pipeline.Schema.SchemaGenerator.Generate();

    /// <summary>Kept out of line so the Scripting assembly (and Roslyn) load only when a recipe has expressions.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IExpressionCompiler CreateCompiler() => new XRayFlow.Scripting.RoslynExpressionCompiler();
}

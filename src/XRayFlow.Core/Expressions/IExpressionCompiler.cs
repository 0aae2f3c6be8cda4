using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Core.Expressions;

/// <summary>One expression text of a step (the `cond` of a where, the `expr` of a map...).</summary>
/// <param name="Role">The parameter name: cond, then, else, expr.</param>
/// <param name="Text">The C# text as the recipe wrote it, or null when the recipe gave a number.</param>
/// <param name="Number">The number, when the recipe gave one instead of text.</param>
/// <param name="TextStart">Where the first character of <paramref name="Text"/> stands in the recipe.</param>
/// <param name="IsCondition">True when the value must be a bool (where's cond).</param>
/// <param name="TextMap">
/// Where each character of <paramref name="Text"/> stands in the recipe (a quoted scalar's escapes and folded lines
/// make the text differ from what is written); null, or a map of another text, means the text as written from
/// <paramref name="TextStart"/>.
/// </param>
public sealed record ExpressionPart(string Role, string? Text, double? Number, SourceLocation TextStart, bool IsCondition, SourceMap? TextMap = null)
{
    /// <summary>The recipe location of the character <paramref name="offset"/> characters into <see cref="Text"/> (its length: just after the last one).</summary>
    public SourceLocation Locate(int offset) => Map().Locate(offset);

    /// <summary>The offset inside <see cref="Text"/> that <see cref="Locate"/> maps to <paramref name="location"/> (the text's length when none does).</summary>
    public int OffsetOf(SourceLocation location) => Map().OffsetOf(location);

    private SourceMap Map() => SourceMap.For(Text ?? string.Empty, TextStart, TextMap);
}

/// <summary>A step whose pixels are computed by expressions.</summary>
/// <param name="StepId">The step's id.</param>
/// <param name="Op">`where` (cond/then/else) or `map` (expr).</param>
/// <param name="Variables">Names bound to the step's inputs, in input order (`x`, or the keys of an `in` map).</param>
/// <param name="Parts">The expression parts.</param>
public sealed record ExpressionStep(string StepId, string Op, IReadOnlyList<string> Variables, IReadOnlyList<ExpressionPart> Parts)
{
    /// <summary>
    /// True when the op picks between values by a condition (cond ? then : else), as its declaration says: it has a
    /// required condition parameter. Set by whoever builds the step from the op's declaration, so the compiler never
    /// tests op names.
    /// </summary>
    public bool IsSelect { get; init; }

    /// <summary>
    /// Names bound to scalar values (`t: otsu` in an `in` map), in `in` order: this step's expressions read them as
    /// numbers after the recipe's params (the kernel's params array holds the recipe's params, then these). Another
    /// step's scalar names are not variables here.
    /// </summary>
    public IReadOnlyList<string> Scalars { get; init; } = [];
}

/// <summary>The result of compiling all of a recipe's expressions at once.</summary>
public sealed record ExpressionCompilation(IReadOnlyDictionary<string, IExpressionKernel> Kernels, IReadOnlyList<Diagnostic> Diagnostics)
{
    public bool Succeeded => Diagnostics.All(d => !d.IsError);
}

/// <summary>
/// Checks and compiles inline C# expressions. The only implementation lives in XRayFlow.Scripting,
/// the one project that references Roslyn.
/// </summary>
public interface IExpressionCompiler
{
    /// <summary>
    /// Check every expression (safety allow-list, types) and compile them all in one compilation.
    /// Never throws for user mistakes: they come back as diagnostics located in the recipe.
    /// </summary>
    /// <param name="steps">All expression steps of a recipe.</param>
    /// <param name="recipeParams">
    /// The recipe's param names, usable as variables (values arrive at run time): a step's kernel receives their
    /// values, then its own <see cref="ExpressionStep.Scalars"/>' values.
    /// </param>
    ExpressionCompilation Compile(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams);
}

/// <summary>A step's compiled expressions, run over one 2-D frame at a time.</summary>
public interface IExpressionKernel
{
    /// <summary>
    /// out[k] = f(inputs[0][offset+k], inputs[1][offset+k], ..., i, j, rows, cols, params) for k in [0, rows*cols).
    /// </summary>
    /// <exception cref="ExpressionRuntimeException">An expression failed (e.g. integer division by zero).</exception>
    void Run(IReadOnlyList<float[]> inputs, int offset, float[] output, int rows, int cols, double[] recipeParams);
}

/// <summary>An expression failed while running: names the step and the pixel.</summary>
public sealed class ExpressionRuntimeException(string stepId, int row, int col, string reason)
    : Exception($"step '{stepId}': expression failed at pixel (row {row}, col {col}): {reason}")
{
    public string StepId { get; } = stepId;

    public int Row { get; } = row;

    public int Col { get; } = col;

    /// <summary>The message without the step: "expression failed at pixel (row r, col c): reason" (for callers that name the step themselves).</summary>
    public string Detail { get; } = $"expression failed at pixel (row {row}, col {col}): {reason}";

    /// <summary>Why it failed, without the step or the pixel ("Attempted to divide by zero.").</summary>
    public string Reason { get; } = reason;
}

using System.Reflection;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting;

/// <summary>The signature of a generated step method: rows [r0, r1) and columns [c0, c1) of one frame.</summary>
internal delegate void StepFunction(float[][] inputs, int offset, float[] output, int rows, int cols, double[] recipeParams, int r0, int r1, int c0, int c1);

/// <summary>
/// One step's compiled expressions. Scalar meaning, for every pixel k = i * cols + j of the frame:
/// where: out[k] = cond ? (float)then : (float)else; map: out[k] = (float)expr, with each variable bound to
/// inputs[v][offset + k], i, j, rows, cols and every recipe param (as float). One delegate call per band of
/// rows (rows are split across cores for frames of 64K pixels or more), never one per pixel.
/// </summary>
internal sealed class CompiledKernel(string stepId, int inputCount, int paramCount, StepFunction function, bool vectorized) : IExpressionKernel
{
    private const int ParallelThreshold = 1 << 16;

    public string StepId { get; } = stepId;

    /// <summary>True when rows run through a Vector&lt;float&gt; loop (the scalar loop then only finishes each row).</summary>
    public bool IsVectorized { get; } = vectorized;

    /// <summary>The generated method (tests compare its vector path with its scalar path).</summary>
    internal StepFunction Function { get; } = function;

    public void Run(IReadOnlyList<float[]> inputs, int offset, float[] output, int rows, int cols, double[] recipeParams)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(recipeParams);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long n = (long)rows * cols;
        if (inputs.Count < inputCount)
        {
            throw new ArgumentException($"step '{StepId}': {inputCount} inputs expected, {inputs.Count} given", nameof(inputs));
        }

        var arrays = new float[inputs.Count][];
        for (int v = 0; v < inputs.Count; v++)
        {
            arrays[v] = inputs[v] ?? throw new ArgumentNullException(nameof(inputs));
            if (offset + n > arrays[v].Length)
            {
                throw new ArgumentException($"step '{StepId}': input {v} holds {arrays[v].Length} values, fewer than offset + rows * cols = {offset + n}", nameof(inputs));
            }
        }

        if (output.Length < n)
        {
            throw new ArgumentException($"step '{StepId}': output holds {output.Length} values, fewer than rows * cols = {n}", nameof(output));
        }

        if (recipeParams.Length < paramCount)
        {
            throw new ArgumentException($"step '{StepId}': {paramCount} recipe params expected, {recipeParams.Length} given", nameof(recipeParams));
        }

        if (n == 0)
        {
            return;
        }

        try
        {
            int bands = n >= ParallelThreshold ? Math.Min(Environment.ProcessorCount, rows) : 1;
            if (bands <= 1)
            {
                Function(arrays, offset, output, rows, cols, recipeParams, 0, rows, 0, cols);
            }
            else
            {
                Parallel.For(0, bands, b =>
                {
                    int r0 = (int)((long)rows * b / bands);
                    int r1 = (int)((long)rows * (b + 1) / bands);
                    Function(arrays, offset, output, rows, cols, recipeParams, r0, r1, 0, cols);
                });
            }
        }
        catch (Exception e) when (IsExpressionFailure(e))
        {
            throw Locate(arrays, offset, output, rows, cols, recipeParams);
        }
    }

    /// <summary>
    /// What an expression itself can throw: an arithmetic error (integer division by zero, Math.Abs of int.MinValue,
    /// Math.Sign of NaN) or a Math / MathF call's refusal of its arguments (Math.Clamp with min above max,
    /// MathF.Round to more than 6 digits): the generated code does nothing else that throws these. Either names the
    /// step and the first failing pixel (they were "internal error (AggregateException ...)" when the frame ran in
    /// parallel bands).
    /// </summary>
    private static bool IsExpressionFailure(Exception e) => e switch
    {
        AggregateException a => a.Flatten().InnerExceptions.Any(IsExpressionError),
        TargetInvocationException t => t.InnerException is { } inner && IsExpressionError(inner),
        _ => IsExpressionError(e),
    };

    /// <summary>One failure of the expression's own code (see <see cref="IsExpressionFailure"/>).</summary>
    private static bool IsExpressionError(Exception e) => e is ArithmeticException or ArgumentException;

    /// <summary>
    /// The failure's text as a recipe's author reads it: without .NET's " (Parameter 'digits')", the name of a Math
    /// method's own argument, which the expression does not write.
    /// </summary>
    private static string Reason(Exception e)
    {
        if (e is ArgumentException { ParamName: { } name } && e.Message.EndsWith($" (Parameter '{name}')", StringComparison.Ordinal))
        {
            return e.Message[..^($" (Parameter '{name}')".Length)];
        }

        return e.Message;
    }

    /// <summary>Recomputes row by row, then pixel by pixel, to name the first failing pixel in raster order.</summary>
    private ExpressionRuntimeException Locate(float[][] arrays, int offset, float[] output, int rows, int cols, double[] recipeParams)
    {
        for (int i = 0; i < rows; i++)
        {
            try
            {
                Function(arrays, offset, output, rows, cols, recipeParams, i, i + 1, 0, cols);
                continue;
            }
            catch (Exception e) when (IsExpressionError(e))
            {
            }

            for (int j = 0; j < cols; j++)
            {
                try
                {
                    Function(arrays, offset, output, rows, cols, recipeParams, i, i + 1, j, j + 1);
                }
                catch (Exception e) when (IsExpressionError(e))
                {
                    return new ExpressionRuntimeException(StepId, i, j, Reason(e));
                }
            }
        }

        return new ExpressionRuntimeException(StepId, -1, -1, "an error that did not happen again when recomputed");
    }
}

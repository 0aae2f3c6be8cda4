using System.Numerics;
using XRayFlow.Core.Expressions;
using static XRayFlow.Scripting.Tests.Recipes;

namespace XRayFlow.Scripting.Tests;

/// <summary>The vector loop of a step against the scalar loop of the same generated method.</summary>
public sealed class VectorizationTests
{
    private static readonly RoslynExpressionCompiler Compiler = new(cacheDirectory: null);

    private static CompiledKernel Kernel(ExpressionStep step)
    {
        ExpressionCompilation result = Compiler.Compile([step], Params);
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        return (CompiledKernel)result.Kernels[step.StepId];
    }

    public static TheoryData<string, string?, string[]> Vectorizable() => new()
    {
        { "x > threshold", "x", ["x"] },
        { "x <= 0.5f && !(x == 3) || x != x", "-x", ["x"] },
        { null!, "MathF.Sqrt(a * a + b * b) * gain", ["a", "b"] },
        { null!, "-a", ["a"] },
        { null!, "MathF.Sqrt(MathF.Abs(a)) - b / (a + 1) * 2", ["a", "b"] },
        { null!, "a >= b ? a - threshold : (b < 0 ? b : 7)", ["a", "b"] },
        { null!, "(float)Math.PI * a + 1e-3f", ["a"] },
    };

    private static ExpressionStep StepFor(string? cond, string? expr, string[] variables)
        => cond is null ? Map("v", expr!, variables) : Where("v", cond, expr, -1, variables);

    [Theory]
    [MemberData(nameof(Vectorizable))]
    public void The_vector_loop_matches_the_scalar_loop_bit_for_bit_for_every_row_length_1_to_64(string? cond, string? expr, string[] variables)
    {
        CompiledKernel kernel = Kernel(StepFor(cond, expr, variables));
        Assert.True(kernel.IsVectorized);
        var random = new Random(20261125);
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 3f, 150f, -1f, float.Epsilon, 1e-30f];
        double[] p = [150, 1.25];
        for (int cols = 1; cols <= 64; cols++)
        {
            const int rows = 3;
            float[][] inputs = variables.Select(_ => Enumerable.Range(0, rows * cols)
                .Select(_ => random.Next(4) == 0 ? special[random.Next(special.Length)] : (float)(random.NextDouble() * 400 - 100))
                .ToArray()).ToArray();
            var vector = new float[rows * cols];
            var scalar = new float[rows * cols];

            kernel.Function(inputs, 0, vector, rows, cols, p, 0, rows, 0, cols);
            for (int c = 0; c < cols; c++)
            {
                kernel.Function(inputs, 0, scalar, rows, cols, p, 0, rows, c, c + 1);
            }

            Assert.Equal(scalar.Select(BitConverter.SingleToInt32Bits), vector.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void The_vector_loop_matches_a_csharp_reference()
    {
        CompiledKernel kernel = Kernel(Where("v", "x > threshold", "x", 0));
        float[] x = Enumerable.Range(0, 1000).Select(k => (float)((k * 7919) % 256)).ToArray();
        var output = new float[x.Length];

        kernel.Run([x], 0, output, 10, 100, [150, 0]);

        Assert.Equal(x.Select(v => v > 150f ? v : 0f), output);
    }

    [Theory]
    [InlineData("i + x")]
    [InlineData("x * 0.5")]
    [InlineData("Math.Sqrt(x)")]
    [InlineData("MathF.Max(x, 1)")]
    [InlineData("x % 2")]
    public void Integer_double_and_other_math_stay_scalar(string expr)
    {
        CompiledKernel kernel = Kernel(Map("s", expr));

        Assert.False(kernel.IsVectorized);
    }

    [Fact]
    public void The_machine_running_the_benchmarks_has_vector_hardware() => Assert.True(Vector.IsHardwareAccelerated);
}

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

    [Fact]
    public void Vector_loops_go_into_the_source_in_one_pass_whatever_the_number_of_steps()
    {
        // The loops of a small source land where each step's marker was, with one const per vectorized step.
        string small = "class E\n{\nvoid S0() { /*vector S0*/ }\nvoid S1() { /*vector S1*/ }\nvoid S2() { /*vector S2*/ }\n}\n}\n";
        Assert.Equal(
            "class E\n{\nvoid S0() { L0 }\nvoid S1() { /*vector S1*/ }\nvoid S2() { L2 }\npublic const int Vectorized_S0 = 1;\npublic const int Vectorized_S2 = 1;\n}\n}\n",
            Roslyn.RoslynBackend.InsertVectorLoops(small, [("S0", "L0"), ("S1", null), ("S2", "L2")]));
        Assert.Null(Roslyn.RoslynBackend.InsertVectorLoops(small, [("S0", null), ("S1", null), ("S2", null)]));

        // 4,000 steps (a recipe of one-character expressions is far under 1 MiB): the work is linear in the source, not
        // one copy of the whole source per step (16 GB of copies here, and minutes of `validate`, before).
        const int steps = 4000;
        var source = new System.Text.StringBuilder("class E\n{\n");
        for (int k = 0; k < steps; k++)
        {
            source.Append("void S").Append(k).Append("() { int __k = 0;\n/*vector S").Append(k).Append("*/\n").Append('x', 300).Append(" }\n");
        }

        string text = source.Append("}\n}\n").ToString();
        var loops = Enumerable.Range(0, steps).Select(k => ("S" + k, (string?)"LOOP")).ToList();
        long before = GC.GetAllocatedBytesForCurrentThread();
        string? result = Roslyn.RoslynBackend.InsertVectorLoops(text, loops);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.NotNull(result);
        Assert.DoesNotContain("/*vector", result, StringComparison.Ordinal);
        Assert.True(allocated < 16L * text.Length * sizeof(char), $"{allocated} bytes allocated for a source of {text.Length} characters");
    }
}

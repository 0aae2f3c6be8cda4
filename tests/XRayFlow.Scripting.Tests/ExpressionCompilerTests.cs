using XRayFlow.Core.Expressions;
using static XRayFlow.Scripting.Tests.Recipes;

namespace XRayFlow.Scripting.Tests;

public sealed class ExpressionCompilerTests
{
    private static readonly RoslynExpressionCompiler Compiler = new(cacheDirectory: null);

    private static IExpressionKernel Kernel(ExpressionStep step, params string[] parameters)
    {
        ExpressionCompilation result = Compiler.Compile([step], parameters.Length == 0 ? Params : parameters);
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        return result.Kernels[step.StepId];
    }

    private static float[] Ramp(int n, float scale = 1f, float shift = 0f)
        => Enumerable.Range(0, n).Select(k => (float)(((k * 37) % 256) * scale + shift)).ToArray();

    [Fact]
    public void Where_with_a_param_threshold_matches_a_reference()
    {
        IExpressionKernel kernel = Kernel(Where("bright", "x > threshold", "x", 0));
        float[] x = Ramp(40 * 30);
        var output = new float[x.Length];

        kernel.Run([x], 0, output, 40, 30, [150, 2]);

        float[] expected = x.Select(v => v > 150f ? v : 0f).ToArray();
        Assert.Equal(expected, output);
        Assert.Contains(output, v => v == 0f);
        Assert.Contains(output, v => v > 150f);
    }

    [Fact]
    public void A_new_param_value_needs_no_new_compilation()
    {
        IExpressionKernel kernel = Kernel(Where("bright", "x > threshold", "x", -1));
        float[] x = [10, 100, 200];
        var output = new float[3];

        kernel.Run([x], 0, output, 1, 3, [150, 0]);
        Assert.Equal([-1f, -1f, 200f], output);
        kernel.Run([x], 0, output, 1, 3, [50, 0]);
        Assert.Equal([-1f, 100f, 200f], output);
    }

    [Fact]
    public void Then_defaults_to_the_single_input()
    {
        IExpressionKernel kernel = Kernel(Where("bright", "x >= 2", null, 7));
        var output = new float[4];

        kernel.Run([[1, 2, 3, 0]], 0, output, 2, 2, [0, 0]);

        Assert.Equal([7f, 2f, 3f, 7f], output);
    }

    [Fact]
    public void Map_over_named_inputs_matches_a_reference_on_a_frame_large_enough_to_run_in_parallel()
    {
        IExpressionKernel kernel = Kernel(Map("magnitude", "MathF.Sqrt(a * a + b * b) * gain", "a", "b"));
        const int rows = 300, cols = 257;
        float[] a = Ramp(rows * cols, 0.5f, -60f);
        float[] b = Ramp(rows * cols, -0.25f, 3f).Reverse().ToArray();
        var output = new float[rows * cols];

        kernel.Run([a, b], 0, output, rows, cols, [0, 1.5]);

        for (int k = 0; k < output.Length; k++)
        {
            Assert.Equal(MathF.Sqrt(a[k] * a[k] + b[k] * b[k]) * 1.5f, output[k]);
        }
    }

    [Fact]
    public void Positions_and_sizes_are_variables()
    {
        IExpressionKernel kernel = Kernel(Map("index", "i * cols + j + rows * 1000"));
        var output = new float[3 * 4];

        kernel.Run([new float[12]], 0, output, 3, 4, [0, 0]);

        Assert.Equal(Enumerable.Range(0, 12).Select(k => k + 3000f), output);
    }

    [Fact]
    public void The_offset_selects_a_frame_of_a_stack()
    {
        IExpressionKernel kernel = Kernel(Map("double", "2 * x"));
        float[] stack = [1, 2, 3, 4, 5, 6, 7, 8];
        var output = new float[4];

        kernel.Run([stack], 4, output, 2, 2, [0, 0]);

        Assert.Equal([10f, 12f, 14f, 16f], output);
    }

    [Fact]
    public void Integer_expressions_compute_in_integers_then_convert()
    {
        IExpressionKernel kernel = Kernel(Map("ints", "i / 2 + j % 3 + (int)x / 2"));
        var output = new float[3 * 4];
        float[] x = Enumerable.Range(0, 12).Select(k => k + 0.9f).ToArray();

        kernel.Run([x], 0, output, 3, 4, [0, 0]);

        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal((float)(i / 2 + j % 3 + (int)x[i * 4 + j] / 2), output[i * 4 + j]);
            }
        }
    }

    [Fact]
    public void Math_constants_and_predicates_are_allowed()
    {
        IExpressionKernel kernel = Kernel(Map("m", "float.IsNaN(x) ? -1 : Math.Min(Math.PI, MathF.Abs(x)) + float.Epsilon * 0 + (x > 0 && !(x > 9) ? 1 : 0)"));
        var output = new float[3];

        kernel.Run([[float.NaN, -2f, 5f]], 0, output, 1, 3, [0, 0]);

        Assert.Equal([-1f, 2f, (float)(Math.PI + 1)], output);
    }

    [Fact]
    public void Integer_division_by_zero_names_the_step_and_the_first_failing_pixel()
    {
        IExpressionKernel kernel = Kernel(Map("ratio", "i / (j - 3)"));
        var output = new float[5 * 6];

        var e = Assert.Throws<ExpressionRuntimeException>(() => kernel.Run([new float[30]], 0, output, 5, 6, [0, 0]));

        Assert.Equal("ratio", e.StepId);
        Assert.Equal(0, e.Row);
        Assert.Equal(3, e.Col);
        Assert.Contains("ratio", e.Message);
    }

    [Fact]
    public void Division_by_zero_in_a_parallel_run_is_located_too()
    {
        IExpressionKernel kernel = Kernel(Map("late", "i == 200 && j >= 250 ? 1 / (i - 200) : 0"));
        const int rows = 300, cols = 300;

        var e = Assert.Throws<ExpressionRuntimeException>(() => kernel.Run([new float[rows * cols]], 0, new float[rows * cols], rows, cols, [0, 0]));

        Assert.Equal((200, 250), (e.Row, e.Col));
    }

    [Theory]
    [InlineData("i == 2 && j == 5 ? Math.Clamp(x, 5f, 1f) : x", "'5' cannot be greater than 1.")]
    [InlineData("i >= 2 ? MathF.Round(x, 20) : x", "Rounding digits must be between 0 and 6, inclusive.")]
    [InlineData("i >= 2 ? (float)Math.Round((double)x, 16) : x", "Rounding digits must be between 0 and 15, inclusive.")]
    public void A_math_call_refusing_its_arguments_names_the_step_and_the_first_failing_pixel(string expr, string reason)
    {
        IExpressionKernel kernel = Kernel(Map("m", expr));

        foreach (var (rows, cols) in new[] { (4, 6), (300, 300) })
        {
            // 4 x 6 runs in one band; 300 x 300 in parallel bands, where the refusal came as an AggregateException.
            var e = Assert.Throws<ExpressionRuntimeException>(() => kernel.Run([new float[rows * cols]], 0, new float[rows * cols], rows, cols, [0, 0]));

            Assert.Equal("m", e.StepId);
            Assert.Equal((2, expr.Contains("j == 5", StringComparison.Ordinal) ? 5 : 0), (e.Row, e.Col));
            Assert.Equal(reason, e.Reason); // without .NET's " (Parameter 'digits')": the expression names no such thing
        }
    }

    [Fact]
    public void A_branch_not_taken_does_not_fail()
    {
        IExpressionKernel kernel = Kernel(Where("safe", "j != 0", "i / j", 5));
        var output = new float[4];

        kernel.Run([new float[4]], 0, output, 2, 2, [0, 0]);

        Assert.Equal([5f, 0f, 5f, 1f], output);
    }

    [Fact]
    public void Float_division_by_zero_is_infinity_not_an_error()
    {
        IExpressionKernel kernel = Kernel(Map("inf", "1 / x"));
        var output = new float[1];

        kernel.Run([[0f]], 0, output, 1, 1, [0, 0]);

        Assert.Equal(float.PositiveInfinity, output[0]);
    }

    [Theory]
    [InlineData(double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void A_number_part_keeps_an_infinite_or_nan_value(double otherwise)
    {
        IExpressionKernel kernel = Kernel(Where("w", "x > 0", "x", otherwise));
        var output = new float[2];

        kernel.Run([[-1f, 2f]], 0, output, 1, 2, [0, 0]);

        Assert.Equal([(float)otherwise, 2f], output);
    }

    [Theory]
    [InlineData(-1, 5f)]
    [InlineData(0, 0f)]
    [InlineData(0.5, 5f)]
    public void A_number_as_a_condition_is_true_unless_zero(double cond, float expected)
    {
        var step = new ExpressionStep("w", "where", ["x"], [new ExpressionPart("cond", null, cond, new Core.Diagnostics.SourceLocation(RecipeFile, 10, 12), true), Part("then", "x"), Number("else", 0)]) { IsSelect = true };
        IExpressionKernel kernel = Kernel(step);
        var output = new float[1];

        kernel.Run([[5f]], 0, output, 1, 1, [0, 0]);

        Assert.Equal(expected, output[0]);
    }

    [Fact]
    public void A_bool_where_a_number_is_needed_is_a_located_type_error()
    {
        ExpressionCompilation result = Compiler.Compile([Where("w", "x > 1", "x > 1", 0)], Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF3005", error.Code);
        Assert.Equal("recipe.yaml:11:12: error XRF3005: 'then' must be a number, but this expression is of type bool", error.ToString());
    }

    [Fact]
    public void A_number_where_a_condition_is_needed_is_a_located_type_error()
    {
        ExpressionCompilation result = Compiler.Compile([Where("w", "x + 1", "x", 0)], Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("recipe.yaml:10:12: error XRF3005: 'cond' must be a condition (bool), but this expression is of type float", error.ToString());
    }

    [Fact]
    public void An_unknown_name_suggests_the_nearest_variable()
    {
        ExpressionCompilation result = Compiler.Compile([Where("w", "x > thresold", "x", 0)], Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF3004", error.Code);
        Assert.Equal(new Core.Diagnostics.SourceLocation(RecipeFile, 10, 16), error.Location);
        Assert.Contains("did you mean 'threshold'?", error.Message);
    }

    [Fact]
    public void A_compiler_error_is_passed_through_at_its_column()
    {
        ExpressionCompilation result = Compiler.Compile([Map("m", "x + Math.Sqrt(x, x)")], Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF3008", error.Code);
        Assert.Equal(new Core.Diagnostics.SourceLocation(RecipeFile, 10, 21), error.Location);
        Assert.Contains("CS1501", error.Message);
    }

    [Fact]
    public void Integer_modulo_by_a_literal_zero_compiles_and_fails_at_the_first_pixel()
    {
        IExpressionKernel kernel = Kernel(Map("m", "i % 0"));

        var e = Assert.Throws<ExpressionRuntimeException>(() => kernel.Run([new float[4]], 0, new float[4], 2, 2, [0, 0]));

        Assert.Equal((0, 0), (e.Row, e.Col));
    }

    [Fact]
    public void A_multi_line_text_is_located_on_its_own_line()
    {
        ExpressionCompilation result = Compiler.Compile([Map("m", "x +\n  bogus")], Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal(new Core.Diagnostics.SourceLocation(RecipeFile, 11, 14), error.Location);
    }

    [Fact]
    public void Every_bad_text_of_a_recipe_is_reported_at_once()
    {
        ExpressionCompilation result = Compiler.Compile(
            [Map("a", "x.GetType()"), Map("b", "y + 1"), Where("c", "x", "x", 0)],
            Params);

        Assert.Equal(["XRF3002", "XRF3004", "XRF3005"], result.Diagnostics.Select(d => d.Code).Order());
        Assert.Empty(result.Kernels);
    }

    [Theory]
    [InlineData("int")]
    [InlineData("__in")]
    [InlineData("i")]
    [InlineData("threshold")]
    [InlineData("9lives")]
    public void A_bad_variable_name_is_refused(string name)
    {
        ExpressionCompilation result = Compiler.Compile([Map("m", "1", name)], Params);

        Assert.Equal("XRF3009", Assert.Single(result.Diagnostics).Code);
    }

    [Theory]
    [InlineData("class", "x * class", 4)]
    [InlineData("in", "in > 0 ? x : 0", 0)]
    [InlineData("__p", "x + __p", 4)]
    public void A_param_an_expression_cannot_read_is_named_at_its_use(string param, string text, int offset)
    {
        // 'x * class' with a param 'class' was the C# parser's "XRF3001: CS1073: Unexpected token 'class'".
        ExpressionCompilation result = Compiler.Compile([Map("m", text)], ["threshold", param]);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF3009", error.Code);
        Assert.Equal($"'{param}' cannot name an expression variable: it is a C# keyword or a reserved name, so an expression cannot read the recipe param of that name (rename the param)", error.Message);
        Assert.Equal(new Core.Diagnostics.SourceLocation(RecipeFile, 10, 12 + offset), error.Location);
    }

    [Fact]
    public void A_param_named_like_a_type_keyword_leaves_the_keyword_alone()
    {
        // float.NaN and (int)x mean the types, not a param of that name.
        IExpressionKernel kernel = Kernel(Map("m", "float.IsNaN(x) ? 0 : (int)x"), "float", "int");
        var output = new float[2];

        kernel.Run([[float.NaN, 2.5f]], 0, output, 1, 2, [7, 9]);

        Assert.Equal([0f, 2f], output);
    }

    [Fact]
    public void Several_steps_compile_together_and_each_gets_its_kernel()
    {
        ExpressionCompilation result = Compiler.Compile(ThreeExpressions, Params);

        Assert.True(result.Succeeded);
        Assert.Equal(["bright", "combined"], result.Kernels.Keys.Order());
    }

    [Fact]
    public void Run_checks_its_buffers()
    {
        IExpressionKernel kernel = Kernel(Map("m", "x"));

        Assert.Throws<ArgumentException>(() => kernel.Run([new float[3]], 0, new float[4], 2, 2, [0, 0]));
        Assert.Throws<ArgumentException>(() => kernel.Run([new float[4]], 0, new float[3], 2, 2, [0, 0]));
        Assert.Throws<ArgumentException>(() => kernel.Run([new float[4]], 0, new float[4], 2, 2, [0]));
    }

    [Fact]
    public void Long_binary_chains_within_the_size_limit_compile()
    {
        string text = string.Join(" + ", Enumerable.Repeat("x", 1000));
        IExpressionKernel kernel = Kernel(Map("long", text));
        var output = new float[1];

        kernel.Run([[1f]], 0, output, 1, 1, [0, 0]);

        Assert.Equal(1000f, output[0]);
    }

    [Fact]
    public void A_text_of_exactly_the_size_limit_compiles_and_one_byte_more_is_refused()
    {
        string text = string.Join(" + ", Enumerable.Repeat("x", 1000)).PadRight(4096);
        IExpressionKernel kernel = Kernel(Map("limit", text));
        var output = new float[1];

        kernel.Run([[1f]], 0, output, 1, 1, [0, 0]);
        ExpressionCompilation over = Compiler.Compile([Map("over", text + " ")], Params);

        Assert.Equal(1000f, output[0]);
        Assert.Equal("recipe.yaml:10:12: error XRF3006: expression is 4097 bytes long; the limit is 4096 bytes", Assert.Single(over.Diagnostics).ToString());
    }
}

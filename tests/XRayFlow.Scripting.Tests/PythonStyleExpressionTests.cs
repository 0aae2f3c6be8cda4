using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Tests.Shared;
using static XRayFlow.Scripting.Tests.Recipes;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// Issue 17: expressions written the Python/NumPy way. Each is still refused (the allow-list is unchanged), but the
/// error says what to write in C#, located at the Python construct (column 12 + its offset in the text).
/// </summary>
public sealed class PythonStyleExpressionTests
{
    private static readonly RoslynExpressionCompiler Compiler = new(cacheDirectory: null);

    private static Diagnostic Refusal(string text, bool condition)
    {
        ExpressionStep step = condition ? Where("w", text, "x", 0) : Map("m", text, "x", "a", "b");
        ExpressionCompilation result = Compiler.Compile([step], Params);
        Assert.False(result.Succeeded);
        return Assert.Single(result.Diagnostics);
    }

    private const string Power = "'**' (Python's power operator) is not allowed in an expression: C# has no power operator and reads '**' as a multiplication by a pointer; ";

    private const string Call = " is not allowed in an expression: an expression computes one pixel with Math and MathF; ";

    public static TheoryData<string, bool, string, int, string> Cases() => new()
    {
        // text, is a condition, code, offset of the located character, message
        { "x**2", false, "XRF3002", 1, Power + "write x * x or MathF.Pow(x, 2)" },
        { "x ** 2 + 1", false, "XRF3002", 2, Power + "write x * x or MathF.Pow(x, 2)" },
        { "2 * a**3", false, "XRF3002", 5, Power + "write MathF.Pow(a, 3)" },
        { "(x + 1)**0.5", false, "XRF3002", 7, Power + "write MathF.Pow((x + 1), 0.5f)" },
        { "x ** -1", false, "XRF3002", 2, Power + "write MathF.Pow(x, -1)" },
        { "MathF.Abs(a)**b", false, "XRF3002", 12, Power + "write MathF.Pow(MathF.Abs(a), b)" },
        { "x > 150 and x < 200", true, "XRF3001", 8, "not a single C# expression: 'and' is Python; C# writes '&&', '||' and '!': x > 150 && x < 200" },
        { "x < 10 or x > 200", true, "XRF3001", 7, "not a single C# expression: 'or' is Python; C# writes '&&', '||' and '!': x < 10 || x > 200" },
        { "not x > 2", true, "XRF3001", 0, "not a single C# expression: 'not' is Python; C# writes '&&', '||' and '!': !(x > 2)" },
        { "x > 1 and not x > 2 or x == 0", true, "XRF3001", 6, "not a single C# expression: 'and' is Python; C# writes '&&', '||' and '!': x > 1 && !(x > 2) || x == 0" },
        { "np.sqrt(x)", false, "XRF3002", 0, "'np.sqrt' (NumPy)" + Call + "write MathF.Sqrt(x)" },
        { "np.abs(x - 100)", false, "XRF3002", 0, "'np.abs' (NumPy)" + Call + "write MathF.Abs(x - 100), or use the abs op" },
        { "1 + numpy.exp(-x)", false, "XRF3002", 4, "'numpy.exp' (NumPy)" + Call + "write MathF.Exp(-x)" },
        { "np.log10(x + 1)", false, "XRF3002", 0, "'np.log10' (NumPy)" + Call + "write MathF.Log10(x + 1)" },
        { "np.arctan2(a, b)", false, "XRF3002", 0, "'np.arctan2' (NumPy)" + Call + "write MathF.Atan2(a, b)" },
        { "np.maximum(a, b)", false, "XRF3002", 0, "'np.maximum' (NumPy)" + Call + "write MathF.Max(a, b)" },
        { "np.minimum(a, 0)", false, "XRF3002", 0, "'np.minimum' (NumPy)" + Call + "write MathF.Min(a, 0)" },
        { "np.clip(x, 0, 255)", false, "XRF3002", 0, "'np.clip' (NumPy)" + Call + "write Math.Clamp(x, 0, 255), or use the clip op" },
        { "np.floor(x / 8)", false, "XRF3002", 0, "'np.floor' (NumPy)" + Call + "write MathF.Floor(x / 8)" },
        { "np.power(x, 3)", false, "XRF3002", 0, "'np.power' (NumPy)" + Call + "write MathF.Pow(x, 3)" },
        { "x * np.pi / 180", false, "XRF3002", 4, "'np.pi' (NumPy)" + Call + "write MathF.PI" },
        { "np.e", false, "XRF3002", 0, "'np.e' (NumPy)" + Call + "write MathF.E" },
        { "np.isnan(x)", true, "XRF3002", 0, "'np.isnan' (NumPy)" + Call + "write float.IsNaN(x)" },
        { "np.sign(x)", false, "XRF3002", 0, "'np.sign' (NumPy)" + Call + "write MathF.Sign(x)" },
        { "np.hypot(a, b)", false, "XRF3002", 0, "'np.hypot' (NumPy)" + Call + "write MathF.Sqrt(a * a + b * b), or use the hypot op" },
        { "np.where(x > 150, x, 0)", false, "XRF3002", 0, "'np.where' (NumPy)" + Call + "write x > 150 ? x : 0, or use the where op (cond, then, else)" },
        { "np.mean(x)", false, "XRF3002", 0, "'np.mean' (NumPy)" + Call + "a whole-image reduction is not a pixel value: use the stats op" },
        { "math.sqrt(x)", false, "XRF3002", 0, "'math.sqrt' (Python's math)" + Call + "write MathF.Sqrt(x)" },
        { "sqrt(a * a + b * b)", false, "XRF3002", 0, "'sqrt' (Python)" + Call + "write MathF.Sqrt(a * a + b * b)" },
        { "abs(x - 100)", false, "XRF3002", 0, "'abs' (Python)" + Call + "write MathF.Abs(x - 100)" },
        { "max(a, b)", false, "XRF3002", 0, "'max' (Python)" + Call + "write MathF.Max(a, b)" },
        { "x // 2", false, "XRF3002", 2, "'//' (Python's floor division) is not allowed in an expression: in C# it starts a comment, which could hide text from the check; write MathF.Floor(x / 2)" },
        { "(a + b)//2", false, "XRF3002", 7, "'//' (Python's floor division) is not allowed in an expression: in C# it starts a comment, which could hide text from the check; write MathF.Floor((a + b) / 2)" },
        { "x if x > 150 else 0", false, "XRF3001", 2, "not a single C# expression: Python's 'a if c else b' is 'c ? a : b' in C#: x > 150 ? x : 0" },
        { "x if x > 1 and x < 9 else 0", false, "XRF3001", 2, "not a single C# expression: Python's 'a if c else b' is 'c ? a : b' in C#: x > 1 && x < 9 ? x : 0" },
        { "float(i) / rows", false, "XRF3001", 0, "not a single C# expression: 'float(i)' is a Python conversion; C# writes a cast: (float)i" },
        { "int(x / 2)", false, "XRF3001", 0, "not a single C# expression: 'int(x / 2)' is a Python conversion; C# writes a cast: (int)(x / 2)" },
        { "x is None", true, "XRF3002", 0, "'is None' (Python) is not allowed in an expression: a pixel is never None; for a missing value (NaN) write float.IsNaN(x)" },
        { "a is not None", true, "XRF3002", 0, "'is not None' (Python) is not allowed in an expression: a pixel is never None; for a missing value (NaN) write !float.IsNaN(a)" },
        { "np.float32(x) / 2", false, "XRF3002", 0, "'np.float32' (NumPy)" + Call + "write (float)(x)" },
        { "np.uint8(x)", false, "XRF3002", 0, "'np.uint8' (NumPy)" + Call + "write (byte)(x)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_python_style_expression_is_refused_with_the_csharp_to_write(string text, bool condition, string code, int offset, string message)
    {
        Diagnostic error = Refusal(text, condition);

        Assert.Equal(code, error.Code);
        Assert.Equal(message, error.Message);
        Assert.Equal(new SourceLocation(RecipeFile, 10, 12 + offset), error.Location);
    }

    [Theory]
    [InlineData("True", true, 0, " (C# writes it true, in lower case)")]
    [InlineData("x > 0 ? x : False", false, 12, " (C# writes it false, in lower case)")]
    [InlineData("x > 0 ? x : None", false, 12, " (Python's None: a pixel always has a number, so write float.NaN or 0)")]
    public void Python_constants_name_the_csharp_ones(string text, bool condition, int offset, string hint)
    {
        Diagnostic error = Refusal(text, condition);

        string name = text[offset..].Split(' ')[0];
        Assert.Equal("XRF3004", error.Code);
        Assert.Equal($"unknown name '{name}'{hint}; the variables here are x{(condition ? string.Empty : ", a, b")}, i, j, rows, cols, threshold, gain", error.Message);
        Assert.Equal(new SourceLocation(RecipeFile, 10, 12 + offset), error.Location);
    }

    /// <summary>The suggestions are valid C# that passes the allow-list and computes what the Python meant.</summary>
    [Theory]
    [InlineData("x * x", 9f)]
    [InlineData("MathF.Pow(x, 2)", 9f)]
    [InlineData("MathF.Pow((x + 1), 0.5f)", 2f)]
    [InlineData("MathF.Floor(x / 2)", 1f)]
    [InlineData("x > 150 ? x : 0", 0f)]
    [InlineData("Math.Clamp(x, 0, 2)", 2f)]
    [InlineData("MathF.Sqrt(a * a + b * b)", 5f)]
    [InlineData("(float)i", 0f)]
    public void The_suggested_csharp_compiles_and_computes_the_python_value(string suggestion, float expected)
    {
        ExpressionCompilation result = Compiler.Compile([Map("m", suggestion, "x", "a", "b")], Params);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var output = new float[1];
        result.Kernels["m"].Run([[3f], [3f], [4f]], 0, output, 1, 1, [150, 1]);
        Assert.Equal(expected, output[0]);
    }

    /// <summary>NumPy's ~ on a mask is a C# compile error on a bool: the error says to write !.</summary>
    [Fact]
    public void Numpy_tilde_on_a_condition_names_the_csharp_not()
    {
        Diagnostic error = Refusal("~(x > 2)", condition: true);

        Assert.Equal("XRF3008", error.Code);
        Assert.Equal("C# CS0023: Operator '~' cannot be applied to operand of type 'bool' (NumPy's ~ on a mask is ! in C#: write !(condition))", error.Message);
        Assert.Equal(new SourceLocation(RecipeFile, 10, 12), error.Location);
    }

    /// <summary>C#'s % on floats is allowed (and keeps the dividend's sign, unlike Python's): nothing to suggest.</summary>
    [Fact]
    public void Float_remainder_is_allowed_with_the_csharp_sign()
    {
        ExpressionCompilation result = Compiler.Compile([Map("m", "x % 2.5f")], Params);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var output = new float[2];
        result.Kernels["m"].Run([[-1f, 3.5f]], 0, output, 1, 2, [0, 0]);
        Assert.Equal([-1f, 1f], output);
    }

    /// <summary>Hints only change the words of a refusal: a text C# accepts is never refused or changed by them.</summary>
    [Fact]
    public void Python_words_that_are_valid_csharp_names_are_still_accepted()
    {
        ExpressionCompilation result = Compiler.Compile([Map("m", "and + not * or", "and", "not", "or")], Params);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var output = new float[1];
        result.Kernels["m"].Run([[1f], [2f], [3f]], 0, output, 1, 1, [0, 0]);
        Assert.Equal(7f, output[0]);
    }

    /// <summary>A Python construct after an earlier, unrelated refusal does not hide it.</summary>
    [Fact]
    public void An_earlier_refusal_is_reported_before_a_later_python_construct()
    {
        Diagnostic error = Refusal("x; } x and x", condition: false);

        Assert.Equal("XRF3001", error.Code);
        Assert.Equal("not a single C# expression: text after the expression: '; } x and x'", error.Message);
        Assert.Equal(new SourceLocation(RecipeFile, 10, 13), error.Location);
    }
}

/// <summary>
/// Random texts made of Python and C# pieces (fixed seed): the syntax gate never throws, refuses with exactly one
/// located XRF3001/XRF3002/XRF3007 error, and the hint finder never throws on any of them, accepted ones included.
/// </summary>
public sealed class PythonHintFuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly string[] Pieces =
    [
        "x", "a", "2", "0.5", "(", ")", "**", "*", "//", "/", "and", "or", "not", "if", "else", "np", "numpy", "math", ".",
        "sqrt", "where", "clip", "hypot", "pi", ",", "float", "int", "True", "None", "-", "+", ">", "?", ":", " ", "  ", "\n", "MathF", "Abs",
    ];

    [Fact]
    public void Random_python_and_csharp_pieces_are_checked_without_throwing()
    {
        // 4,000 texts by default; XRAYFLOW_FUZZ_SECONDS=N runs for N seconds instead (same seed, more texts).
        int seconds = Math.Max(FuzzReport.Seconds, 0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var random = new Random(20240617);
        int refused = 0;
        int parserFailures = 0;
        int n = 0;
        for (; seconds > 0 ? clock.Elapsed.TotalSeconds < seconds : n < 4000; n++)
        {
            int length = random.Next(1, 16);
            string text = string.Concat(Enumerable.Range(0, length).Select(_ => Pieces[random.Next(Pieces.Length)]));
            _ = Roslyn.PythonHints.First(text);
            var part = new Core.Expressions.ExpressionPart("expr", text, null, new Core.Diagnostics.SourceLocation(Recipes.RecipeFile, 10, 12), false);
            var bag = new Core.Diagnostics.DiagnosticBag();
            bool accepted;
            try
            {
                accepted = Roslyn.SyntaxAllowList.Check(part, bag);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"text {System.Text.Json.JsonSerializer.Serialize(text)}: {e}");
            }

            if (accepted)
            {
                Assert.Equal(0, bag.Count);
                continue;
            }

            refused++;
            var error = Assert.Single(bag);
            parserFailures += error.Message.Contains("the C# parser could not read", StringComparison.Ordinal) ? 1 : 0;
            Assert.Contains(error.Code, new[] { "XRF3001", "XRF3002", "XRF3007" });
            Assert.True(error.Location is { Line: >= 10 } at && at.Line <= 10 + text.Count(c => c == '\n') && at.Column >= 1, text);
        }

        string summary = $"expression fuzz: {n} texts in {clock.Elapsed.TotalSeconds:F0} s, {n - refused} accepted, {refused} refused with XRF3001/XRF3002/XRF3007 ({parserFailures} where Roslyn's parser threw), 0 other exceptions";
        output.WriteLine(summary);
        FuzzReport.Write("expressions", [summary]);
        Assert.InRange(refused, n / 2, n);
    }
}

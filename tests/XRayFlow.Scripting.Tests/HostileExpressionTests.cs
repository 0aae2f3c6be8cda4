using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting.Tests;

/// <summary>A canary file that no expression may touch; one per test class run.</summary>
public sealed class CanaryFixture : IDisposable
{
    public const string Content = "canary: if this text changes, an expression escaped";

    public CanaryFixture()
    {
        Directory = Path.Combine(Path.GetTempPath(), "xrf-canary-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path_ = System.IO.Path.Combine(Directory, "canary.txt");
        File.WriteAllText(Path_, Content);
    }

    public string Directory { get; }

    public string Path_ { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}

/// <summary>
/// The hostile suite: each expression must be refused before anything runs, with an XRF3xxx error located at the
/// offending text (line 10, column 12 + offset), while the canary file stays untouched and this process lives on.
/// {CANARY} in a case is replaced by the canary file's path, so a successful attack would have a visible effect.
/// </summary>
public sealed class HostileExpressionTests(CanaryFixture canary) : IClassFixture<CanaryFixture>
{
    public static TheoryData<string, string, string, int> Cases()
    {
        var data = new TheoryData<string, string, string, int>
        {
            // name, expression, expected code, expected column offset inside the text
            { "file delete", "System.IO.File.Delete(\"{CANARY}\")", "XRF3002", 0 },
            { "file read", "File.ReadAllText(\"{CANARY}\").Length", "XRF3002", 0 },
            { "file write via global::", "global::System.IO.File.Exists(\"{CANARY}\") ? 1 : 0", "XRF3002", 0 },
            { "unicode-escaped File", "\\u0046ile.Delete(\"{CANARY}\")", "XRF3002", 0 },
            { "process start", "System.Diagnostics.Process.Start(\"rm\", \"{CANARY}\").Id", "XRF3002", 0 },
            { "typeof reflection", "typeof(float).Assembly.Location.Length", "XRF3002", 0 },
            { "GetType on a variable", "x.GetType().Name.Length", "XRF3002", 0 },
            { "GetType on a Math result", "Math.Abs(x).GetType().Name.Length", "XRF3002", 0 },
            { "GetHashCode after a cast", "(float)x.GetHashCode()", "XRF3002", 7 },
            { "Type.GetType", "Type.GetType(\"System.IO.File\").Name.Length", "XRF3002", 0 },
            { "Activator", "Activator.CreateInstance(typeof(object)).GetHashCode()", "XRF3002", 0 },
            { "environment exit", "Environment.Exit(1)", "XRF3002", 0 },
            { "environment variable", "Environment.GetEnvironmentVariable(\"HOME\").Length", "XRF3002", 0 },
            { "AppDomain", "AppDomain.CurrentDomain.Id", "XRF3002", 0 },
            { "console", "Console.WriteLine(x)", "XRF3002", 0 },
            { "thread", "new System.Threading.Thread(() => { }).ManagedThreadId", "XRF3002", 0 },
            { "task run", "System.Threading.Tasks.Task.Run(() => 0).Result", "XRF3002", 0 },
            { "GC", "GC.Collect()", "XRF3002", 0 },
            { "interop", "System.Runtime.InteropServices.Marshal.AllocHGlobal(1 << 30).ToInt64()", "XRF3002", 0 },
            { "Unsafe class", "System.Runtime.CompilerServices.Unsafe.SizeOf<int>()", "XRF3002", 0 },
            { "pointer", "*(int*)0", "XRF3002", 0 },
            { "address-of", "*&x", "XRF3002", 0 },
            { "stackalloc", "(stackalloc int[1 << 20])[0]", "XRF3002", 0 },
            { "allocation", "new float[1 << 30].Length", "XRF3002", 0 },
            { "dynamic", "((dynamic)x).Foo", "XRF3002", 0 },
            { "lambda recursion", "((System.Func<int, int>)null)(1)", "XRF3002", 0 },
            { "lambda", "(() => x)()", "XRF3002", 0 },
            { "close the generated code", "x; } static void Evil() { System.IO.File.Delete(\"{CANARY}\"); } //", "XRF3001", 1 },
            { "close a comment", "x */ + 1", "XRF3001", 3 },
            { "comment", "x /* hidden */ + 1", "XRF3002", 2 },
            { "directive", "#r \"evil.dll\"\nx", "XRF3001", 1 },
            { "string literal", "\"a\".Length", "XRF3002", 0 },
            { "string argument", "float.Parse(\"1\")", "XRF3002", 12 },
            { "interpolated string", "$\"{x}\".Length", "XRF3002", 0 },
            { "nameof", "nameof(x).Length", "XRF3002", 0 },
            { "default", "default(float)", "XRF3002", 0 },
            { "arglist", "Math.Abs(__arglist(x))", "XRF3002", 9 },
            { "makeref", "__makeref(x)", "XRF3002", 0 },
            { "await", "await System.Threading.Tasks.Task.Delay(1)", "XRF3002", 0 },
            { "throw", "x > 0 ? x : throw new System.Exception()", "XRF3002", 12 },
            { "switch expression", "x switch { > 1 => 1f, _ => 0f }", "XRF3002", 0 },
            { "query", "from a in new[] { 1 } select a", "XRF3002", 0 },
            { "pattern declaration", "Math.PI is var y ? 1 : 0", "XRF3002", 0 },
            { "assignment", "x = 1", "XRF3002", 0 },
            { "increment", "x++", "XRF3002", 0 },
            { "checked", "checked(i * int.MaxValue)", "XRF3002", 0 },
            { "ref argument", "Math.Abs(ref x)", "XRF3002", 9 },
            { "enum argument", "Math.Round(x, MidpointRounding.AwayFromZero)", "XRF3002", 14 },
            { "decimal cast", "(float)(decimal)x", "XRF3002", 8 },
            { "decimal literal", "Math.Max(x, 1m)", "XRF3002", 12 },
            { "decimal overload of a Math method", "Math.Max(1m, 2m)", "XRF3003", 0 },
            { "generic math method", "float.CreateChecked(x)", "XRF3003", 0 },
            { "float method that is not a classification", "float.Abs(x)", "XRF3003", 0 },
            { "forbidden method whose overloads do not fit", "float.Parse(x)", "XRF3003", 0 },
            { "member of a constant", "float.MaxValue.CompareTo(x)", "XRF3002", 0 },
            { "generated-code internals", "__p[0]", "XRF3002", 0 },
            { "generated-code local", "__n", "XRF3002", 0 },
            { "tuple", "Math.DivRem(7, 2).Item1", "XRF3002", 0 },
            { "index", "x[0]", "XRF3002", 0 },
            { "null-forgiving", "x!", "XRF3002", 0 },
            { "default literal", "x > 0 ? x : default", "XRF3002", 12 },
            { "named argument", "MathF.Round(x, digits: 2)", "XRF3002", 15 },
            { "generic method", "Math.Max<float>(x, 1)", "XRF3002", 0 },
            { "string type member", "string.Empty", "XRF3002", 0 },
            // Roslyn 5.12's parser throws ArgumentOutOfRangeException from GetDiagnostics on these (found by PythonHintFuzzTests).
            { "parser crash: if and a line break", "if\n", "XRF3001", 0 },
            { "parser crash: the text the fuzz test found", ")numpy+0.5if//  )\n", "XRF3001", 0 },
        };

        // 5,000 nested parentheses: refused at the 65th, before the parser sees them.
        data.Add("5000 nested parentheses", new string('(', 5000) + "x" + new string(')', 5000), "XRF3007", 64);
        // 1,500 nested unary minus signs: refused on the tree, before binding.
        data.Add("1500 nested minus signs", string.Concat(Enumerable.Repeat("- ", 1500)) + "x", "XRF3007", 128);
        // 1,500 nested logical nots: refused on the tree too.
        data.Add("1500 nested not signs", new string('!', 1500) + "(x > 0) ? 1 : 0", "XRF3007", 63);
        // Text over 4 KB.
        data.Add("over 4 KB", string.Concat(Enumerable.Repeat("x + ", 1100)) + "x", "XRF3006", 0);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_refused_at_its_location_and_touches_nothing(string name, string text, string code, int offset)
    {
        text = text.Replace("{CANARY}", canary.Path_.Replace("\\", "\\\\"), StringComparison.Ordinal);
        var compiler = new RoslynExpressionCompiler(cacheDirectory: null);

        ExpressionCompilation result = compiler.Compile([Recipes.Map("evil", text)], Recipes.Params);

        Assert.False(result.Succeeded, name);
        Assert.Empty(result.Kernels);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(code, error.Code);
        Assert.NotNull(error.Location);
        Assert.Equal(Recipes.RecipeFile, error.Location!.Value.File);
        Assert.Equal(10, error.Location.Value.Line);
        Assert.Equal(12 + offset, error.Location.Value.Column);
        Assert.Equal(CanaryFixture.Content, File.ReadAllText(canary.Path_));
        Assert.Single(Directory.GetFiles(canary.Directory));
    }

    /// <summary>
    /// The syntax gate refuses these itself and names the construct and the rule: past it, the semantic gate would word
    /// the refusal otherwise, or accept the text ((Single)x, a named argument).
    /// </summary>
    [Theory]
    [InlineData("(Single)x", 0, "this type is not allowed in an expression: only casts to bool and the numeric types (float, double, int, long...) are allowed")]
    [InlineData("(dynamic)x", 0, "this type is not allowed in an expression: only casts to bool and the numeric types (float, double, int, long...) are allowed")]
    [InlineData("string.Empty", 0, "this type is not allowed in an expression: only casts to bool and the numeric types (float, double, int, long...) are allowed")]
    [InlineData("MathF.Round(x, digits: 2)", 15, "a named, ref or out argument is not allowed in an expression: an expression may use only numbers, its variables, Math/MathF calls, casts to numeric types and arithmetic, comparison, logical and conditional operators")]
    [InlineData("Math.Max<float>(x, 1)", 0, "member access here is not allowed in an expression: only Math.Name, MathF.Name and numeric constants such as float.NaN may be used")]
    public void A_syntax_refusal_names_the_construct_and_the_rule(string text, int offset, string message)
    {
        var compiler = new RoslynExpressionCompiler(cacheDirectory: null);

        ExpressionCompilation result = compiler.Compile([Recipes.Map("evil", text)], Recipes.Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal($"recipe.yaml:10:{12 + offset}: error XRF3002: {message}", error.ToString());
    }

    [Fact]
    public void The_suite_has_at_least_thirty_cases() => Assert.True(Cases().Count >= 30);

    [Fact]
    public void Hostile_text_as_a_variable_name_is_refused_before_any_code_is_generated()
    {
        var compiler = new RoslynExpressionCompiler(cacheDirectory: null);
        string evil = "x = 0; System.IO.File.Delete(\"" + canary.Path_ + "\"); float y";

        ExpressionCompilation result = compiler.Compile([Recipes.Map("evil", "1", evil)], Recipes.Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF3009", error.Code);
        Assert.Equal(CanaryFixture.Content, File.ReadAllText(canary.Path_));
    }

    [Fact]
    public void A_param_name_that_is_not_an_identifier_is_not_exposed()
    {
        var compiler = new RoslynExpressionCompiler(cacheDirectory: null);
        string[] parameters = ["threshold", "x; System.IO.File.Delete(\"" + canary.Path_ + "\"); float y"];

        ExpressionCompilation ok = compiler.Compile([Recipes.Map("fine", "x * threshold")], parameters);

        Assert.True(ok.Succeeded, string.Join('\n', ok.Diagnostics));
        Assert.Equal(CanaryFixture.Content, File.ReadAllText(canary.Path_));
    }

    [Fact]
    public void Texts_of_many_unknown_names_give_one_short_error_each()
    {
        // Each text names an unknown 'qK' 400 times, and the recipe has 600 params: each error used to list all 605 names, once
        // per occurrence (a 117 KB recipe of this shape made 3 GB of messages and 49 s of `validate`).
        var compiler = new RoslynExpressionCompiler(cacheDirectory: null);
        string[] parameters = [.. Enumerable.Range(0, 600).Select(k => "param" + k)];
        ExpressionStep[] steps = [.. Enumerable.Range(0, 10).Select(k => Recipes.Map("s" + k, string.Join('+', Enumerable.Repeat("q" + k, 400))))];

        ExpressionCompilation result = compiler.Compile(steps, parameters);

        Assert.Equal(10, result.Diagnostics.Count);
        Assert.All(result.Diagnostics, d =>
        {
            Assert.Equal("XRF3004", d.Code);
            Assert.EndsWith("param10 and 589 more", d.Message, StringComparison.Ordinal);
            Assert.True(d.Message.Length < 400, d.Message);
        });
    }

    [Fact]
    public void A_listing_of_exactly_the_most_names_is_whole()
    {
        string[] names = [.. Enumerable.Range(0, Names.MaxListed + 1).Select(k => "name" + k)];

        Assert.Equal(string.Join(", ", names[..^1]), Names.Listing(names[..^1]));
        Assert.Equal(string.Join(", ", names[..^1]) + " and 1 more", Names.Listing(names));
    }
}

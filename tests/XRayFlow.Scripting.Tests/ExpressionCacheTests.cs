using System.Diagnostics;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting.Tests;

public sealed class ExpressionCacheTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "xrf-cache-test-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static float[] RunBright(ExpressionCompilation result)
    {
        var output = new float[3];
        result.Kernels["bright"].Run([[100f, 150f, 151f], [0f, 0f, 0f]], 0, output, 1, 3, [150, 1]);
        return output;
    }

    [Fact]
    public void A_second_compile_loads_the_cached_assembly()
    {
        var first = new RoslynExpressionCompiler(_dir);
        ExpressionCompilation cold = first.Compile(Recipes.ThreeExpressions, Recipes.Params);
        Assert.Equal("compiled", first.LastSource);
        Assert.Single(Directory.GetFiles(_dir, "*.xrfx"));

        var second = new RoslynExpressionCompiler(_dir);
        ExpressionCompilation warm = second.Compile(Recipes.ThreeExpressions, Recipes.Params);

        Assert.Equal("cache", second.LastSource);
        Assert.Equal([0f, 0f, 151f], RunBright(cold));
        Assert.Equal(RunBright(cold), RunBright(warm));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void A_different_expression_is_a_different_entry()
    {
        var compiler = new RoslynExpressionCompiler(_dir);
        compiler.Compile([Recipes.Map("m", "x + 1")], Recipes.Params);
        compiler.Compile([Recipes.Map("m", "x + 2")], Recipes.Params);

        Assert.Equal("compiled", compiler.LastSource);
        Assert.Equal(2, Directory.GetFiles(_dir, "*.xrfx").Length);
    }

    [Fact]
    public void Moving_the_text_in_the_recipe_keeps_the_cache_entry()
    {
        var compiler = new RoslynExpressionCompiler(_dir);
        compiler.Compile([Recipes.Map("m", "x + 1")], Recipes.Params);
        var moved = new ExpressionStep("m", "map", ["x"], [Recipes.Part("expr", "x + 1", line: 40, column: 3)]);
        compiler.Compile([moved], Recipes.Params);

        Assert.Equal("cache", compiler.LastSource);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("flipped")]
    [InlineData("empty")]
    [InlineData("garbage")]
    [InlineData("magic")]
    public void A_corrupt_entry_is_recompiled_not_a_crash(string damage)
    {
        new RoslynExpressionCompiler(_dir).Compile(Recipes.ThreeExpressions, Recipes.Params);
        string entry = Assert.Single(Directory.GetFiles(_dir, "*.xrfx"));
        byte[] bytes = File.ReadAllBytes(entry);
        byte[] damaged = damage switch
        {
            "truncated" => bytes[..(bytes.Length / 2)],
            "flipped" => Flip(bytes, bytes.Length - 100),
            "empty" => [],
            "magic" => Flip(bytes, 4),
            _ => "XRFX1\n"u8.ToArray().Concat(new byte[40]).Concat("MZ not really"u8.ToArray()).ToArray(),
        };
        File.WriteAllBytes(entry, damaged);

        var compiler = new RoslynExpressionCompiler(_dir);
        ExpressionCompilation result = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);

        Assert.True(result.Succeeded);
        Assert.Equal("compiled", compiler.LastSource);
        Assert.Equal([0f, 0f, 151f], RunBright(result));
        Assert.Equal(bytes, File.ReadAllBytes(entry));
    }

    private static byte[] Flip(byte[] bytes, int at)
    {
        byte[] copy = (byte[])bytes.Clone();
        copy[at] ^= 0x5A;
        return copy;
    }

    [Fact]
    public void Concurrent_compiles_share_the_cache_safely()
    {
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 6 }, _ =>
        {
            var compiler = new RoslynExpressionCompiler(_dir);
            ExpressionCompilation result = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);
            Assert.True(result.Succeeded);
            Assert.Equal([0f, 0f, 151f], RunBright(result));
        });

        Assert.Single(Directory.GetFiles(_dir, "*.xrfx"));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void An_unwritable_cache_folder_is_not_an_error()
    {
        string file = Path.Combine(Path.GetTempPath(), "xrf-not-a-dir-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(file, "a file where the cache folder should be");
        try
        {
            var compiler = new RoslynExpressionCompiler(Path.Combine(file, "sub"));
            ExpressionCompilation result = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);

            Assert.True(result.Succeeded);
            Assert.Equal([0f, 0f, 151f], RunBright(result));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Refused_expressions_are_never_cached()
    {
        var compiler = new RoslynExpressionCompiler(_dir);
        compiler.Compile([Recipes.Map("m", "x.GetType().Name.Length")], Recipes.Params);

        Assert.False(Directory.Exists(_dir) && Directory.GetFiles(_dir).Length > 0);
    }

    [Fact]
    public void The_key_includes_the_compiler_version_from_build_metadata()
    {
        Assert.Equal("5.12.0", ExpressionCache.CompilerVersion);
        Assert.NotEqual(ExpressionCache.Key("a"), ExpressionCache.Key("b"));
    }

    [Fact]
    public void The_environment_variable_names_the_default_folder()
    {
        Assert.Equal("XRAYFLOW_CACHE_DIR", RoslynExpressionCompiler.CacheDirectoryVariable);
        string? before = Environment.GetEnvironmentVariable("XRAYFLOW_CACHE_DIR");
        try
        {
            Environment.SetEnvironmentVariable("XRAYFLOW_CACHE_DIR", _dir);
            Assert.Equal(Path.GetFullPath(_dir), RoslynExpressionCompiler.DefaultCacheDirectory);
            Environment.SetEnvironmentVariable("XRAYFLOW_CACHE_DIR", null);
            Assert.EndsWith(Path.Combine("xrayflow", "expr"), RoslynExpressionCompiler.DefaultCacheDirectory);
        }
        finally
        {
            Environment.SetEnvironmentVariable("XRAYFLOW_CACHE_DIR", before);
        }
    }

    /// <summary>A fresh process with a warm cache must not load Microsoft.CodeAnalysis at all.</summary>
    [Fact]
    public void A_warm_run_in_a_fresh_process_does_not_load_roslyn()
    {
        string cold = Probe();
        string warm = Probe();

        Assert.StartsWith("source=compiled roslyn=True", cold);
        Assert.StartsWith("source=cache roslyn=False", warm);
    }

    private string Probe()
    {
        string dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("probe");
        start.ArgumentList.Add(_dir);
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, error);
        return output.Trim();
    }
}

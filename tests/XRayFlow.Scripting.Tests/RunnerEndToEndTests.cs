using System.Text;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// Expressions through the real runner (recipe text -> binder -> this compiler -> kernels): hostile text exits 2
/// with a located diagnostic and nothing written; an integer division by zero fails only the inputs where it
/// happens, naming the step and the pixel, while the batch goes on.
/// </summary>
public sealed class RunnerEndToEndTests(CanaryFixture canary) : IClassFixture<CanaryFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "xrf-e2e-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static string Samples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "pipelines", "samples");
            if (File.Exists(Path.Combine(path, "00000011_000.png")))
            {
                return path;
            }
        }

        throw new DirectoryNotFoundException("pipelines/samples not found");
    }

    private static string YamlQuoted(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (char c in text)
        {
            sb.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                _ => c.ToString(),
            });
        }

        return sb.Append('"').ToString();
    }

    private RunResult Run(string recipe, Dictionary<string, string> inputs)
    {
        Directory.CreateDirectory(_dir);
        string path = Path.Combine(_dir, "recipe.yaml");
        File.WriteAllText(path, recipe);
        RecipeLoadResult loaded = RecipeLoader.Load(path);
        Assert.False(loaded.HasErrors, string.Join('\n', loaded.Diagnostics));
        return RecipeRunner.Run(new RunRequest
        {
            Recipe = loaded.Recipe!,
            Inputs = inputs,
            OutDir = Path.Combine(_dir, "out"),
            Threads = 2,
            CompilerFactory = () => new RoslynExpressionCompiler(Path.Combine(_dir, "cache")),
        });
    }

    [Theory]
    [MemberData(nameof(HostileExpressionTests.Cases), MemberType = typeof(HostileExpressionTests))]
    public void A_hostile_recipe_exits_2_with_a_located_error_and_runs_nothing(string name, string text, string code, int offset)
    {
        text = text.Replace("{CANARY}", canary.Path_.Replace("\\", "\\\\"), StringComparison.Ordinal);

        // The text starts at column 12 (after `    expr: "`); the escapes the quoting adds before the offending character shift it.
        int column = 12 + YamlQuoted(text[..offset]).Length - 2;
        string recipe = $"""
            xrayflow: 1
            name: hostile
            params:
              threshold: 150
            inputs:
              xray: image
            steps:
              - id: evil
                op: map
                in: xray
                expr: {YamlQuoted(text)}
            outputs:
              evil: "{'{'}stem{'}'}_evil.npy"
            """;

        RunResult result = Run(recipe, new() { ["xray"] = Path.Combine(Samples(), "00000011_000.png") });

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal(code, error.Code);
        Assert.EndsWith("recipe.yaml", error.Location!.Value.File);
        Assert.Equal(11, error.Location.Value.Line);
        Assert.Equal(column, error.Location.Value.Column);
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")) && Directory.EnumerateFiles(Path.Combine(_dir, "out"), "*.npy").Any(), name);
        Assert.Equal(CanaryFixture.Content, File.ReadAllText(canary.Path_));
    }

    [Fact]
    public void An_integer_division_by_zero_fails_that_input_only_naming_the_step_and_pixel()
    {
        const string recipe = """
            xrayflow: 1
            name: ratio
            inputs:
              xray: image
            steps:
              - id: ratio
                op: map
                in: xray
                expr: "1000 / (255 - (int)x)"
            outputs:
              ratio: "{stem}_ratio.npy"
            """;
        string samples = Path.Combine(_dir, "samples");
        Directory.CreateDirectory(samples);
        foreach (string n in new[] { "000", "001", "004" })
        {
            // 000 and 004 never reach 255; 001 first does at row 1022, col 317 (numpy.argwhere(x == 255)[0]).
            File.Copy(Path.Combine(Samples(), $"00000011_{n}.png"), Path.Combine(samples, $"00000011_{n}.png"));
        }

        RunResult result = Run(recipe, new() { ["xray"] = Path.Combine(samples, "*.png") });

        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        var failure = Assert.Single(result.Failures);
        Assert.Equal("00000011_001", failure.Stem);
        Assert.Equal("step 'ratio': expression failed at pixel (row 1022, col 317): Attempted to divide by zero.", failure.Error);
        Assert.Equal(2, result.Manifest!.Items.Count(i => i.Succeeded));
        Assert.True(File.Exists(Path.Combine(_dir, "out", "00000011_000_ratio.npy")));
        Assert.True(File.Exists(Path.Combine(_dir, "out", "00000011_004_ratio.npy")));
    }
}

using System.Text.RegularExpressions;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Execution;
using static XRayFlow.Scripting.Tests.Recipes;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// A step compiles as cond ? then : else because its op's declaration has a required condition parameter
/// (<see cref="ExpressionStep.IsSelect"/>), never because of the op's name.
/// </summary>
public sealed class SelectStepTests
{
    private static readonly RoslynExpressionCompiler Compiler = new(cacheDirectory: null);

    [Fact]
    public void The_runner_marks_the_steps_whose_op_declares_a_required_condition()
    {
        const string recipe = """
            xrayflow: 1
            name: select
            inputs:
              xray: image
            steps:
              - id: bright
                op: where
                in: xray
                cond: "x > 150"
                then: "x"
                else: 0
              - id: doubled
                op: map
                in: xray
                expr: "x * 2"
            outputs:
              bright: "{stem}_bright.npy"
              doubled: "{stem}_doubled.npy"
            """;
        RecipeLoadResult loaded = RecipeLoader.LoadText(recipe, "select.yaml");
        Assert.False(loaded.HasErrors, string.Join('\n', loaded.Diagnostics));

        IReadOnlyList<ExpressionStep> steps = ExpressionSteps.Collect(loaded.Recipe!);

        Assert.Equal(["bright", "doubled"], steps.Select(s => s.StepId));
        Assert.True(steps[0].IsSelect);
        Assert.False(steps[1].IsSelect);
    }

    [Fact]
    public void Exactly_the_ops_with_a_required_condition_parameter_are_selects()
    {
        var selects = OpRegistry.All
            .Where(op => op.Params.Any(p => p.Type == ParamType.Expression && p.Required && p.IsCondition))
            .Select(op => op.Name)
            .ToList();

        Assert.Equal(["where"], selects);
    }

    [Fact]
    public void A_select_is_known_by_its_flag_whatever_the_op_is_called()
    {
        var step = new ExpressionStep("pick", "choose", ["x"], [Part("cond", "x > threshold", condition: true), Part("then", "x * 10", line: 11)])
        {
            IsSelect = true,
        };

        ExpressionCompilation result = Compiler.Compile([step], Params);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        var output = new float[3];
        result.Kernels["pick"].Run([[100f, 151f, 200f]], 0, output, 1, 3, [150, 0]);
        Assert.Equal([0f, 1510f, 2000f], output);
    }

    [Fact]
    public void A_select_without_a_condition_is_a_located_shape_error_naming_its_op()
    {
        var step = new ExpressionStep("pick", "choose", ["x"], [Part("then", "x * 10")]) { IsSelect = true };

        ExpressionCompilation result = Compiler.Compile([step], Params);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF3010", error.Code);
        Assert.Equal("step 'pick': a 'choose' step needs a condition", error.Message);
        Assert.Equal(new Core.Diagnostics.SourceLocation(RecipeFile, 10, 12), error.Location);
    }

    /// <summary>The compiler never dispatches on an op's name (==, case, is, Equals with a literal op name).</summary>
    [Fact]
    public void The_scripting_sources_never_compare_with_an_op_name()
    {
        string src = Path.Combine(RepositoryRoot(), "src", "XRayFlow.Scripting");
        string names = string.Join('|', OpRegistry.All.Select(op => Regex.Escape(op.Name)));
        var comparison = new Regex($"(==|!=|\\bcase|\\bis|\\bor|Equals\\()\\s*\"({names})\"|\"({names})\"\\s*(==|!=)", RegexOptions.None, TimeSpan.FromSeconds(5));
        var found = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, k) => (File: f, Line: k + 1, Text: line)))
            .Where(l => comparison.IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(src, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(found.Count == 0, string.Join('\n', found));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "XRayFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("XRayFlow.sln not found above " + AppContext.BaseDirectory);
    }
}

using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using YamlDotNet.RepresentationModel;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// The expressions of the shipped recipes in pipelines/ compile, take the vectorized path, and compute the
/// intended values. (Running the whole recipes is the runner's recipe self-test; this reads only their expressions.)
/// </summary>
public sealed class RecipeExpressionTests
{
    private static string Pipelines()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "pipelines");
            if (File.Exists(Path.Combine(path, "mask-threshold.yaml")))
            {
                return path;
            }
        }

        throw new DirectoryNotFoundException("pipelines/ not found above " + AppContext.BaseDirectory);
    }

    private static (List<ExpressionStep> Steps, List<string> Params, List<double> Values) Read(string file)
    {
        string path = Path.Combine(Pipelines(), file);
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var parameters = root.Children.TryGetValue(new YamlScalarNode("params"), out var p)
            ? ((YamlMappingNode)p).Children.ToList()
            : [];
        var steps = new List<ExpressionStep>();
        foreach (YamlMappingNode step in ((YamlSequenceNode)root["steps"]).Children.Cast<YamlMappingNode>())
        {
            string op = ((YamlScalarNode)step["op"]).Value!;
            if (op is not ("where" or "map"))
            {
                continue;
            }

            YamlNode input = step["in"];
            List<string> variables = input is YamlMappingNode m ? m.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToList() : ["x"];
            var parts = new List<ExpressionPart>();
            foreach (string role in new[] { "cond", "then", "else", "expr" })
            {
                if (!step.Children.TryGetValue(new YamlScalarNode(role), out var v))
                {
                    continue;
                }

                var scalar = (YamlScalarNode)v;
                int quote = scalar.Style is YamlDotNet.Core.ScalarStyle.DoubleQuoted or YamlDotNet.Core.ScalarStyle.SingleQuoted ? 1 : 0;
                var at = new SourceLocation(file, (int)scalar.Start.Line, (int)scalar.Start.Column + quote);
                bool number = scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && double.TryParse(scalar.Value, System.Globalization.CultureInfo.InvariantCulture, out _);
                parts.Add(number
                    ? new ExpressionPart(role, null, double.Parse(scalar.Value!, System.Globalization.CultureInfo.InvariantCulture), at, role == "cond")
                    : new ExpressionPart(role, scalar.Value, null, at, role == "cond"));
            }

            steps.Add(new ExpressionStep(((YamlScalarNode)step["id"]).Value!, op, variables, parts) { IsSelect = op == "where" });
        }

        return (steps,
            parameters.Select(kv => ((YamlScalarNode)kv.Key).Value!).ToList(),
            parameters.Select(kv => double.Parse(((YamlScalarNode)kv.Value).Value!, System.Globalization.CultureInfo.InvariantCulture)).ToList());
    }

    [Theory]
    [InlineData("mask-threshold.yaml", 2)]
    [InlineData("gradient-combination.yaml", 2)]
    public void The_recipe_expressions_compile_and_vectorize(string file, int expressionSteps)
    {
        var (steps, parameters, _) = Read(file);

        ExpressionCompilation result = new RoslynExpressionCompiler(cacheDirectory: null).Compile(steps, parameters);

        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal(expressionSteps, result.Kernels.Count);
        Assert.All(result.Kernels.Values, k => Assert.True(((CompiledKernel)k).IsVectorized));
    }

    [Fact]
    public void The_band_mask_marks_the_band_above_the_threshold()
    {
        var (steps, parameters, values) = Read("mask-threshold.yaml");
        IExpressionKernel band = new RoslynExpressionCompiler(cacheDirectory: null).Compile(steps, parameters).Kernels["band"];
        float[] x = [150, 151, 180, 181, 20];
        var output = new float[5];

        band.Run([x], 0, output, 1, 5, values.ToArray());

        Assert.Equal([0f, 255f, 255f, 0f, 0f], output);
    }

    [Fact]
    public void The_weighted_combination_matches_its_formula()
    {
        var (steps, parameters, _) = Read("gradient-combination.yaml");
        IExpressionKernel weighted = new RoslynExpressionCompiler(cacheDirectory: null).Compile(steps, parameters).Kernels["weighted"];
        float[] a = [3, -4, 0];
        float[] b = [-1, 2, 5];
        var output = new float[3];

        weighted.Run([a, b], 0, output, 1, 3, [0.8]);

        Assert.Equal(Enumerable.Range(0, 3).Select(k => 0.8f * MathF.Abs(a[k]) + (1 - 0.8f) * MathF.Abs(b[k])), output);
    }

    /// <summary>
    /// gradient-combination's description said `--set weight=0.8` gives "mostly vertical edges". The weight
    /// multiplies |a| = |sobel along axis 0|, the derivative down the rows: zero along a vertical edge (a step from
    /// left to right) and largest across a horizontal one (skimage's sobel_h, "find the horizontal edges"). On
    /// two images with the same step of 100, one across the rows and one across the columns, weight 0.8 gives the
    /// horizontal edge 0.8 * 400 and the vertical one 0.2 * 400; the description now says horizontal.
    /// </summary>
    [Fact]
    public void Weight_08_favours_the_horizontal_edges_the_description_names()
    {
        var (steps, parameters, _) = Read("gradient-combination.yaml");
        IExpressionKernel weighted = new RoslynExpressionCompiler(cacheDirectory: null).Compile(steps, parameters).Kernels["weighted"];
        float Peak(Func<int, int, bool> bright)
        {
            var x = new XRayFlow.Core.Imaging.ImageArray(8, 8);
            for (int k = 0; k < 64; k++)
            {
                x.Data[k] = bright(k / 8, k % 8) ? 100 : 0;
            }

            var output = new float[64];
            weighted.Run([XRayFlow.Core.Ops.Filters.NdFilters.Sobel(x, 0).Data, XRayFlow.Core.Ops.Filters.NdFilters.Sobel(x, 1).Data], 0, output, 8, 8, [0.8]);
            return output.Max();
        }

        Assert.Equal(0.8f * 400, Peak((r, _) => r >= 4), 3);
        Assert.Equal(0.2f * 400, Peak((_, c) => c >= 4), 3);

        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(Pipelines(), "gradient-combination.yaml")))
        {
            yaml.Load(reader);
        }

        string description = ((YamlScalarNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("description")]).Value!;
        Assert.Contains("--set weight=0.8 for mostly horizontal edges", description);
    }

    [Fact]
    public void An_error_in_a_recipe_expression_is_located_at_its_yaml_line_and_column()
    {
        var (steps, parameters, _) = Read("mask-threshold.yaml");
        ExpressionPart cond = steps[0].Parts[0];
        var broken = steps[0] with { Parts = [cond with { Text = "x > treshold" }, .. steps[0].Parts.Skip(1)] };

        ExpressionCompilation result = new RoslynExpressionCompiler(cacheDirectory: null).Compile([broken], parameters);

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("mask-threshold.yaml:18:16: error XRF3004: unknown name 'treshold' (did you mean 'threshold'?); the variables here are x, i, j, rows, cols, threshold, band", error.ToString());
    }
}

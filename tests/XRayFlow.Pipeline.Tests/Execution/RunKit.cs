using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>Executable test ops (exact, simple math) and helpers for planner / executor / runner tests.</summary>
internal static class RunKit
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<double, int> ScaleCallsByFactor = new();

    /// <summary>
    /// How many times `scale` with this factor was built or run. Counted per factor because test classes run in
    /// parallel and several use `scale`: a test that counts calls gives its steps a factor no other test uses.
    /// </summary>
    public static int ScaleCalls(double factor) => ScaleCallsByFactor.GetValueOrDefault(factor);

    private static void CountScale(double factor) => ScaleCallsByFactor.AddOrUpdate(factor, 1, (_, n) => n + 1);

    private static ArrayValue Map(OpContext ctx, Func<float, float> f)
    {
        var src = ctx.Array();
        var dst = ImageArray.LikeShape(src);
        for (int k = 0; k < src.Length; k++)
        {
            dst.Data[k] = f(src.Data[k]);
        }

        return new ArrayValue(dst);
    }

    /// <summary>
    /// The real registry plus test doubles whose names no real op has: `scale` (counts its calls), `offset`,
    /// `blur` (not element-wise), `same` (returns its input value, sharing its array), `explode` / `explode_named` (always fail), `explode_parallel` / `explode_parallel_argument` (fail in Parallel.For) and `explode_late` (fails after a wait).
    /// </summary>
    public static IReadOnlyDictionary<string, OpDefinition> Ops { get; } = OpRegistry.ByNameMap.Values.Concat(new OpDefinition[]
    {
        new()
        {
            Name = "scale", Summary = "x * factor", Inputs = InputSpec.One, IsElementwise = true,
            Params = [new ParamSpec("factor", ParamType.Float, "factor") { Default = 1.0 }],
            Pointwise = p =>
            {
                CountScale(p.Float("factor"));
                return new UnaryKernel<MultiplyValueOperator>(new MultiplyValueOperator((float)p.Float("factor")));
            },
            Execute = ctx =>
            {
                CountScale(ctx.Float("factor"));
                float f = (float)ctx.Float("factor");
                return Map(ctx, v => v * f);
            },
        },
        new()
        {
            Name = "offset", Summary = "x + value", Inputs = InputSpec.One, IsElementwise = true,
            Params = [new ParamSpec("value", ParamType.Float, "value") { Default = 0.0 }],
            Pointwise = p => new UnaryKernel<AddValueOperator>(new AddValueOperator((float)p.Float("value"))),
            Execute = ctx =>
            {
                float o = (float)ctx.Float("value");
                return Map(ctx, v => v + o);
            },
        },
        new()
        {
            // Not element-wise: out[r, c] = mean of in[r, c-1..c+1] (edges repeat the border value).
            Name = "blur", Summary = "3-tap row mean", Inputs = InputSpec.One,
            Params = [new ParamSpec("passes", ParamType.Int, "passes") { Default = 1, Min = 1 }],
            Execute = ctx =>
            {
                var src = ctx.Array();
                var dst = ImageArray.LikeShape(src);
                for (int n = 0; n < src.Frames; n++)
                {
                    for (int r = 0; r < src.Rows; r++)
                    {
                        int o = (n * src.FrameLength) + (r * src.Cols);
                        for (int c = 0; c < src.Cols; c++)
                        {
                            float l = src.Data[o + Math.Max(0, c - 1)];
                            float m = src.Data[o + c];
                            float rr = src.Data[o + Math.Min(src.Cols - 1, c + 1)];
                            dst.Data[o + c] = (l + m + rr) / 3f;
                        }
                    }
                }

                return new ArrayValue(dst);
            },
        },
        new()
        {
            // As an op that hands its input on unchanged: its value shares the input's array.
            Name = "same", Summary = "returns its input as it is", Inputs = InputSpec.One,
            Execute = ctx => ctx.Inputs[0],
        },
        new()
        {
            Name = "explode", Summary = "always fails", Inputs = InputSpec.One,
            Execute = ctx => throw new ArgumentException("boom"),
        },
        new()
        {
            // Fails only after waiting (as a costly step that fails late), unless its run is cancelled first.
            Name = "explode_late", Summary = "fails after some milliseconds", Inputs = InputSpec.One,
            Params = [new ParamSpec("ms", ParamType.Int, "ms") { Default = 200, Min = 0 }],
            Execute = ctx =>
            {
                ctx.Cancellation.WaitHandle.WaitOne((int)ctx.Int("ms"));
                ctx.Cancellation.ThrowIfCancellationRequested();
                throw new ArgumentException("late boom");
            },
        },
        new()
        {
            Name = "explode_named", Summary = "always fails, naming its step as some ops' texts do", Inputs = InputSpec.One,
            Execute = ctx => throw new InvalidOperationException($"step '{ctx.StepId}': boom"),
        },
        new()
        {
            // Fails in its parallel parts, as an op refusing what one part of the image holds (an AggregateException).
            Name = "explode_parallel", Summary = "always fails in Parallel.For with a refusal", Inputs = InputSpec.One,
            Execute = ctx =>
            {
                Parallel.For(0, 4, k => throw new OpRefusedException(ctx.StepId, $"part {k} refused"));
                return ctx.Inputs[0];
            },
        },
        new()
        {
            Name = "explode_parallel_argument", Summary = "always fails in Parallel.For with an argument error", Inputs = InputSpec.One,
            Execute = ctx =>
            {
                Parallel.For(0, 1, _ => throw new ArgumentException("parallel boom"));
                return ctx.Inputs[0];
            },
        },
    }).ToDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>Binds recipe text against <see cref="Ops"/>; fails the test on any error.</summary>
    public static BoundRecipe Load(string yaml, string path = "recipe.yaml", IReadOnlyDictionary<string, string>? set = null)
    {
        var result = RecipeLoader.LoadText(yaml, path, set, Ops);
        Assert.True(result.Recipe is not null, string.Join("\n", result.Diagnostics));
        return result.Recipe!;
    }

    /// <summary>Writes the recipe to <paramref name="folder"/>/name and binds it from there (default paths relative to it).</summary>
    public static BoundRecipe LoadFile(string folder, string yaml, string name = "recipe.yaml", IReadOnlyDictionary<string, string>? set = null)
    {
        string path = Path.Combine(folder, name);
        File.WriteAllText(path, yaml);
        var result = RecipeLoader.Load(path, set, Ops);
        Assert.True(result.Recipe is not null, string.Join("\n", result.Diagnostics));
        return result.Recipe!;
    }

    public static (BoundRecipe? Recipe, IReadOnlyList<Diagnostic> Diagnostics) Loader(string path, IReadOnlyDictionary<string, string> set)
    {
        var r = RecipeLoader.Load(path, set, Ops);
        return (r.Recipe, r.Diagnostics);
    }

    public static ImageArray Random(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var a = new ImageArray(rows, cols);
        for (int k = 0; k < a.Length; k++)
        {
            a.Data[k] = (float)((rng.NextDouble() * 200) - 100);
        }

        return a;
    }

    /// <summary>A fresh temporary folder (tests never share one), deleted by <see cref="XRayFlow.Tests.Shared.TestFolders"/>.</summary>
    public static string TempDir()
        => XRayFlow.Tests.Shared.TestFolders.Create("xrf-runner-tests");

    /// <summary>Copies <paramref name="count"/> of the shipped sample X-rays into <paramref name="dir"/> (made when missing).</summary>
    public static IReadOnlyList<string> CopySamples(string dir, int count)
    {
        Directory.CreateDirectory(dir);
        var list = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string name = $"00000011_00{i}.png";
            string dst = Path.Combine(dir, name);
            File.Copy(Path.Combine(TestPaths.Root, "pipelines", "samples", name), dst);
            list.Add(dst);
        }

        return list;
    }
}

/// <summary>
/// A stand-in expression compiler: understands `x > NAME` / `x > NUMBER` conditions and `x` / number values,
/// counts its calls, and reports XRF3001 for text containing "File".
/// </summary>
internal sealed class FakeCompiler : IExpressionCompiler
{
    public int Calls { get; private set; }

    public List<ExpressionStep> Seen { get; } = [];

    public ExpressionCompilation Compile(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams)
    {
        Calls++;
        Seen.AddRange(steps);
        var kernels = new Dictionary<string, IExpressionKernel>();
        var diags = new List<Diagnostic>();
        foreach (var s in steps)
        {
            foreach (var p in s.Parts.Where(p => p.Text?.Contains("File", StringComparison.Ordinal) == true))
            {
                diags.Add(DiagnosticCodes.ExpressionSyntax.Create(p.TextStart, "'File' is not allowed"));
            }

            kernels[s.StepId] = new Kernel(s, [.. recipeParams, .. s.Scalars]); // the params array's layout: the recipe's, then the step's scalars
        }

        return new ExpressionCompilation(kernels, diags);
    }

    private sealed class Kernel(ExpressionStep step, IReadOnlyList<string> names) : IExpressionKernel
    {
        public void Run(IReadOnlyList<float[]> inputs, int offset, float[] output, int rows, int cols, double[] recipeParams)
        {
            var cond = step.Parts.First(p => p.Role == "cond").Text!;
            string rhs = cond.Split('>')[1].Trim();
            double limit = double.TryParse(rhs, System.Globalization.CultureInfo.InvariantCulture, out var d) ? d : recipeParams[names.ToList().IndexOf(rhs)];
            var then = step.Parts.FirstOrDefault(p => p.Role == "then");
            var els = step.Parts.FirstOrDefault(p => p.Role == "else");
            for (int k = 0; k < rows * cols; k++)
            {
                float x = inputs[0][offset + k];
                output[k] = x > limit ? (then?.Number is { } tn ? (float)tn : x) : (els?.Number is { } en ? (float)en : 0f);
            }
        }
    }
}

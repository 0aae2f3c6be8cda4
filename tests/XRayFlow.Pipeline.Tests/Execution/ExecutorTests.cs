using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Tests.Execution;

public class ExecutorTests
{
    private const string Chain = """
        xrayflow: 1
        name: chain
        inputs:
          img: image
        steps:
          - id: b
            op: blur
          - id: a
            op: abs
          - id: s
            op: scale
            factor: 2.5
          - id: o
            op: offset
            value: -1
          - id: b2
            op: blur
        outputs:
          out: {from: b2, path: out.npy}
          mid: {from: b, path: b.npy}
        """;

    private static float[] Expected(ImageArray img)
    {
        // The same math written out: blur, |x|, * 2.5, - 1, blur.
        float[] Blur(float[] d, int rows, int cols)
        {
            var r = new float[d.Length];
            for (int y = 0; y < rows; y++)
            {
                for (int x = 0; x < cols; x++)
                {
                    int o = y * cols;
                    r[o + x] = (d[o + Math.Max(0, x - 1)] + d[o + x] + d[o + Math.Min(cols - 1, x + 1)]) / 3f;
                }
            }

            return r;
        }

        var b = Blur(img.Data, img.Rows, img.Cols);
        var m = b.Select(v => (MathF.Abs(v) * 2.5f) + -1f).ToArray();
        return Blur(m, img.Rows, img.Cols);
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(1, false)]
    [InlineData(4, true)]
    public void FusedAndUnfusedRunsGiveTheSameBits(int threads, bool fuse)
    {
        // 150 x 131 = 19650 pixels: more than one fused block (16384), the last one partial.
        var img = RunKit.Random(150, 131, seed: 7);
        var copy = img.Clone();
        var plan = Planner.Create(RunKit.Load(Chain), options: new PlanOptions { FuseElementwise = fuse });
        Assert.Equal(fuse ? 1 : 0, plan.FusedChains.Count);
        var values = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], threads).Run(new Dictionary<string, ImageArray> { ["img"] = img });
        var result = ((ArrayValue)values["b2"]).Array;
        Assert.Equal(Expected(img), result.Data);
        Assert.Equal((150, 131), (result.Rows, result.Cols));
        Assert.Equal(copy.Data, img.Data); // inputs are never written
    }

    [Fact]
    public void RealCatalogueChainAbsClipMultiplyIsFusedAndExact()
    {
        var loaded = RecipeLoader.LoadText("""
            xrayflow: 1
            name: real-chain
            inputs:
              img: image
            steps:
              - op: abs
              - op: clip
                min: 5
                max: 60
              - op: multiply
                value: 0.5
            outputs:
              multiply: m.npy
            """, "real.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        var recipe = loaded.Recipe!;
        var img = RunKit.Random(150, 131, seed: 13);
        var fused = Planner.Create(recipe);
        Assert.Equal(["abs", "clip", "multiply"], Assert.Single(fused.FusedChains).NodeIds);
        var unfused = Planner.Create(recipe, options: new PlanOptions { FuseElementwise = false });
        float[] Run(Plan p, int threads) => ((ArrayValue)new PlanExecutor(p, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], threads).Run(new Dictionary<string, ImageArray> { ["img"] = img })["multiply"]).Array.Data;
        var expected = img.Data.Select(v => Math.Clamp(MathF.Abs(v), 5f, 60f) * 0.5f).ToArray();
        Assert.Equal(expected, Run(unfused, 1));
        Assert.Equal(expected, Run(fused, 1));
        Assert.Equal(expected, Run(fused, 4));
    }

    [Fact]
    public void RepeatedRunsWithAPoolKeepInputsAndResultsIntact()
    {
        var img = RunKit.Random(80, 70, seed: 3); // above PixelPool.MinPooledLength
        var plan = Planner.Create(RunKit.Load(Chain));
        var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 2);
        var pool = new PixelPool();
        var first = ((ArrayValue)exec.Run(new Dictionary<string, ImageArray> { ["img"] = img }, pool: pool)["b2"]).Array.Data.ToArray();
        for (int i = 0; i < 3; i++)
        {
            var again = ((ArrayValue)exec.Run(new Dictionary<string, ImageArray> { ["img"] = img }, pool: pool)["b2"]).Array.Data;
            Assert.Equal(first, again);
        }

        Assert.Equal(Expected(img), first);
        Assert.True(pool.Reused > 0, "released intermediates were not reused");
    }

    [Fact]
    public void TheCallersInputsAndTheResultsNeverGoBackToThePool()
    {
        var img = RunKit.Random(80, 70, seed: 4);
        var plan = Planner.Create(RunKit.Load(Chain));
        var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1);
        var pool = new PixelPool();
        var results = exec.Run(new Dictionary<string, ImageArray> { ["img"] = img }, pool: pool);
        var kept = results.Values.OfType<ArrayValue>().Select(v => v.Array.Data).Append(img.Data).ToList();
        long free = pool.RetainedBytes / (4L * img.Length);
        Assert.True(free > 0, "no intermediate was released");
        for (int i = 0; i < free; i++)
        {
            var rented = pool.Rent(img.Length);
            Assert.DoesNotContain(kept, k => ReferenceEquals(k, rented));
        }
    }

    /// <summary>
    /// An element-wise chain whose first value turns out complex only when it runs (a complex input: the planner
    /// cannot know) runs step by step and gives each step's input back to the pool once the next is made, but never
    /// the value the chain starts from: the caller's, whose arrays the next rent would hand out and overwrite.
    /// </summary>
    [Fact]
    public void AChainOnAComplexValueNeverGivesThatValueToThePool()
    {
        var loaded = RecipeLoader.LoadText("""
            xrayflow: 1
            name: complex-chain
            inputs:
              img: image
            steps:
              - {id: m, op: abs, in: img}
              - {id: c, op: clip, in: m, min: 0, max: 50}
              - {id: h, op: multiply, in: c, value: 0.5}
            outputs:
              h: h.npy
            """, "complex.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        var re = RunKit.Random(64, 80, seed: 21); // above PixelPool.MinPooledLength
        var im = RunKit.Random(64, 80, seed: 22);
        var img = new ImageArray(64, 80, re.Data, im.Data);
        var plan = Planner.Create(loaded.Recipe!);
        Assert.Equal(["m", "c", "h"], Assert.Single(plan.FusedChains).NodeIds);
        var pool = new PixelPool();
        var results = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1).Run(new Dictionary<string, ImageArray> { ["img"] = img }, pool: pool);
        var h = ((ArrayValue)results["h"]).Array.Data;
        Assert.Equal(re.Data.Zip(im.Data, (x, y) => Math.Clamp(MathF.Sqrt((x * x) + (y * y)), 0f, 50f) * 0.5f).ToArray(), h, (x, y) => MathF.Abs(x - y) <= 1e-5f * MathF.Max(1f, MathF.Abs(x)));
        float[][] kept = [img.Data, img.Imag!, h];
        long free = pool.RetainedBytes / (4L * img.Length);
        Assert.True(free > 0, "the chain released no intermediate");
        for (int i = 0; i < free; i++)
        {
            var rented = pool.Rent(img.Length);
            Assert.DoesNotContain(kept, k => ReferenceEquals(k, rented));
        }
    }

    [Fact]
    public void ParallelBranchesMatchTheSerialRun()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: p
            inputs:
              img: image
            steps:
              - id: l
                op: blur
              - id: r
                op: blur
                in: img
                passes: 2
              - id: r2
                op: scale
                in: r
                factor: 3
              - id: sum
                op: add
                in: [l, r2]
            outputs:
              sum: sum.npy
            """);
        var img = RunKit.Random(64, 64, seed: 11);
        var plan = Planner.Create(recipe);
        var timings1 = new List<StepTiming>();
        var serial = ((ArrayValue)new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1).Run(new Dictionary<string, ImageArray> { ["img"] = img }, timings: timings1)["sum"]).Array.Data;
        var timings4 = new List<StepTiming>();
        var parallel = ((ArrayValue)new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 4).Run(new Dictionary<string, ImageArray> { ["img"] = img }, timings: timings4)["sum"]).Array.Data;
        Assert.Equal(serial, parallel);
        Assert.Equal(["l", "r", "r2", "sum"], timings4.Select(t => t.Id)); // reported in plan order
        Assert.All(timings4, t => Assert.True(t.Milliseconds >= 0));
    }

    [Fact]
    public void AValueLivesUntilItsLastReaderHasRunWhateverTheOrderOfCompletion()
    {
        // Six readers of the input on four threads: under parallel scheduling the last reader in plan order
        // may finish before an earlier one starts; the input must stay available to all of them.
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: fan
            inputs:
              img: image
            steps:
              - {id: r1, op: blur, in: img, passes: 1}
              - {id: r2, op: blur, in: img, passes: 2}
              - {id: r3, op: blur, in: img, passes: 3}
              - {id: r4, op: blur, in: img, passes: 4}
              - {id: r5, op: scale, in: img, factor: 2}
              - {id: s1, op: add, in: [r1, r2]}
              - {id: s2, op: add, in: [r3, r4]}
              - {id: s3, op: add, in: [s1, s2]}
              - {id: s4, op: add, in: [s3, r5]}
            outputs:
              s4: s4.npy
            """);
        var plan = Planner.Create(recipe);
        var img = RunKit.Random(32, 32, seed: 5);
        var serial = ((ArrayValue)new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1).Run(new Dictionary<string, ImageArray> { ["img"] = img })["s4"]).Array.Data;
        var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 4);
        for (int i = 0; i < 30; i++)
        {
            Assert.Equal(serial, ((ArrayValue)exec.Run(new Dictionary<string, ImageArray> { ["img"] = img })["s4"]).Array.Data);
        }
    }

    [Theory]
    [InlineData("explode", "^step 'kaboom': explode failed: boom$")]
    [InlineData("explode_named", "^step 'kaboom': explode_named failed: boom$")] // was "... failed: step 'kaboom': boom"
    [InlineData("explode_parallel", "^step 'kaboom': part [0-3] refused$")] // was an internal error (AggregateException); whichever part failed first
    [InlineData("explode_parallel_argument", "^step 'kaboom': explode_parallel_argument failed: parallel boom$")]
    public void AFailingStepNamesItselfOnce(string op, string pattern)
    {
        var recipe = RunKit.Load($"""
            xrayflow: 1
            name: f
            inputs:
              img: image
            steps:
              - id: kaboom
                op: {op}
            outputs:
              kaboom: k.npy
            """);
        var exec = new PlanExecutor(Planner.Create(recipe), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1);
        var ex = Assert.Throws<StepFailedException>(() => exec.Run(new Dictionary<string, ImageArray> { ["img"] = new(2, 2) }));
        Assert.Equal("kaboom", ex.StepId);
        Assert.Matches(pattern, ex.Message);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void AnItemFailsWithTheErrorOfItsFirstFailingStepInPlanOrderWhateverFailsFirst(int threads)
    {
        // 'slow' and 'fast' run side by side (one level); 'fast' fails at once, 'slow' 150 ms later. A run in plan order
        // fails at 'slow', so every parallel run does too (the manifest's error does not depend on timing); 'after'
        // (later in plan order) is cancelled or never started. Where the earlier step succeeds, the later one's error.
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: f
            inputs:
              img: image
            steps:
              - {id: slow, op: explode_late, in: img, ms: 150}
              - {id: fast, op: explode_named, in: img}
              - {id: after, op: explode_late, in: img, ms: 5000}
            outputs:
              slow: s.npy
              fast: f.npy
              after: a.npy
            """);
        var plan = Planner.Create(recipe);

        WithPoolThreads(() =>
        {
            foreach (int t in new[] { 1, threads })
            {
                var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], t);
                for (int i = 0; i < 3; i++)
                {
                    var watch = System.Diagnostics.Stopwatch.StartNew();
                    var ex = Assert.Throws<StepFailedException>(() => exec.Run(new Dictionary<string, ImageArray> { ["img"] = new(2, 2) }));
                    Assert.Equal("slow", ex.StepId);
                    Assert.Equal("step 'slow': explode_late failed: late boom", ex.Message);
                    Assert.True(watch.ElapsedMilliseconds < 4000, $"'after' ran to its end: {watch.ElapsedMilliseconds} ms");
                }
            }
        });

        var later = RunKit.Load("""
            xrayflow: 1
            name: g
            inputs:
              img: image
            steps:
              - {id: fine, op: blur, in: img, passes: 2}
              - {id: fast, op: explode_named, in: img}
            outputs:
              fine: s.npy
              fast: f.npy
            """);
        var failing = new PlanExecutor(Planner.Create(later), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], threads);
        Assert.Equal("fast", Assert.Throws<StepFailedException>(() => failing.Run(new Dictionary<string, ImageArray> { ["img"] = new(2, 2) })).StepId);
    }

    [Fact]
    public void MergedStepsRunOnceAndAreReportedAsSameAs()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: m
            inputs:
              img: image
            steps:
              - id: s1
                op: scale
                factor: 2.75
              - id: s2
                op: scale
                in: img
                factor: 2.75
              - id: sum
                op: add
                in: [s1, s2]
            outputs:
              sum: sum.npy
            """);
        var plan = Planner.Create(recipe, options: new PlanOptions { FuseElementwise = false });
        // 2.75: a factor no other test's `scale` uses (other classes run at the same time and count theirs).
        int before = RunKit.ScaleCalls(2.75);
        var timings = new List<StepTiming>();
        var img = new ImageArray(1, 3, [1f, -2f, 3f]);
        var sum = ((ArrayValue)new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1).Run(new Dictionary<string, ImageArray> { ["img"] = img }, timings: timings)["sum"]).Array.Data;
        Assert.Equal([5.5f, -11f, 16.5f], sum);
        Assert.Equal(1, RunKit.ScaleCalls(2.75) - before);
        Assert.Equal("s1", timings.Single(t => t.Id == "s2").SameAs);
    }

    [Fact]
    public void ExpressionsCompileOnceForTheWholeRecipeAndReachTheOp()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: e
            params:
              threshold: 2
            inputs:
              img: image
            steps:
              - id: w1
                op: where
                cond: "x > threshold"
                then: x
                else: 0
              - id: w2
                op: where
                in: img
                cond: "x > 0"
                then: 5
                else: 0
            outputs:
              w1: w1.npy
              w2: w2.npy
            """);
        var compiler = new FakeCompiler();
        var compilation = ExpressionSteps.Compile(recipe, () => compiler);
        Assert.True(compilation.Succeeded);
        Assert.Equal(1, compiler.Calls);
        Assert.Equal(["w1", "w2"], compiler.Seen.Select(s => s.StepId));
        Assert.Equal(["x"], compiler.Seen[0].Variables);
        var exec = new PlanExecutor(Planner.Create(recipe), compilation.Kernels, ExpressionSteps.ParamValues(recipe), 1);
        var values = exec.Run(new Dictionary<string, ImageArray> { ["img"] = new(1, 4, [1f, 2f, 3f, -1f]) });
        Assert.Equal([0f, 0f, 3f, 0f], ((ArrayValue)values["w1"]).Array.Data);
        Assert.Equal([5f, 5f, 5f, 0f], ((ArrayValue)values["w2"]).Array.Data);
    }

    [Fact]
    public void RecipesWithoutExpressionsNeverCreateACompiler()
    {
        var recipe = RunKit.Load(Chain);
        var compilation = ExpressionSteps.Compile(recipe, () => throw new InvalidOperationException("must not be called"));
        Assert.True(compilation.Succeeded);
        Assert.Empty(compilation.Kernels);
    }

    private const string ComputedParameter = """
        xrayflow: 1
        name: computed
        inputs:
          img: image
        steps:
          - {id: p, op: percentile, in: img, q: 100}
          - STEP
        outputs:
          f: f.npy
        """;

    /// <summary>
    /// A parameter computed per image (`${step}`) is checked as the binder checks a written one, and a refusal names
    /// the step and the number: a whole number where one is needed, an exclusive minimum refused at its bound, NaN
    /// refused (it passes every comparison).
    /// </summary>
    [Theory]
    [InlineData("{id: f, op: median_filter, in: img, size: ${p}}", 2.5f, "step 'f': parameter 'size' must be a whole number; this image gives 2.5")]
    [InlineData("{id: f, op: zoom, in: img, zoom: ${p}}", 0f, "step 'f': parameter 'zoom' must be > 0 and <= 65536; this image gives 0")]
    [InlineData("{id: f, op: gaussian_filter, in: img, sigma: 1, truncate: ${p}}", float.NaN, "step 'f': parameter 'truncate' must be >= 0 and <= 100; this image gives NaN")]
    public void AComputedParameterIsCheckedForEachImage(string step, float value, string message)
    {
        var recipe = RunKit.Load(ComputedParameter.Replace("STEP", step));
        var exec = new PlanExecutor(Planner.Create(recipe), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1);
        var ex = Assert.Throws<StepFailedException>(() => exec.Run(new Dictionary<string, ImageArray> { ["img"] = new(3, 4, Enumerable.Repeat(value, 12).ToArray()) }));
        Assert.Equal("f", ex.StepId);
        Assert.Equal(message, ex.Message);
    }

    /// <summary>A computed parameter at its inclusive maximum (sobel's axis 1) runs as the written value does.</summary>
    [Fact]
    public void AComputedParameterAtItsInclusiveMaximumRuns()
    {
        var img = new ImageArray(4, 5, [.. Enumerable.Range(0, 20).Select(k => (k * 7 % 11) / 10f)]);
        Assert.Equal(1f, img.Data.Max());
        float[] Sobel(string axis)
        {
            var recipe = RunKit.Load(ComputedParameter.Replace("STEP", $"{{id: f, op: sobel, in: img, axis: {axis}}}"));
            return ((ArrayValue)new PlanExecutor(Planner.Create(recipe), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1).Run(new Dictionary<string, ImageArray> { ["img"] = img })["f"]).Array.Data;
        }

        Assert.Equal(Sobel("1"), Sobel("${p}"));
    }

    /// <summary>
    /// A matrix parameter (convolve's weights, a footprint, affine_transform's matrix) beside a computed one: the
    /// matrix stays as written. Each image failed with "internal error (InvalidCastException ...)", the rows taken
    /// for references to convert, while validate said ok (found by a black-box audit).
    /// </summary>
    [Theory]
    [InlineData("{id: f, op: convolve, in: img, weights: [[1, 2], [3, 4]], mode: constant, cval: VALUE}")]
    [InlineData("{id: f, op: maximum_filter, in: img, footprint: [[0, 1, 0], [1, 1, 1], [0, 1, 0]], mode: constant, cval: VALUE}")]
    [InlineData("{id: f, op: affine_transform, in: img, matrix: [[1, 0.5], [0, 1]], order: 1, cval: VALUE}")]
    public void AMatrixBesideAComputedParameterStaysAsWritten(string step)
    {
        var img = new ImageArray(4, 5, [.. Enumerable.Range(0, 20).Select(k => (k * 7 % 11) / 4f)]);
        float[] F(string value)
        {
            var recipe = RunKit.Load(ComputedParameter.Replace("STEP", step.Replace("VALUE", value, StringComparison.Ordinal)));
            return ((ArrayValue)new PlanExecutor(Planner.Create(recipe), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1).Run(new Dictionary<string, ImageArray> { ["img"] = img })["f"]).Array.Data;
        }

        Assert.Equal(2.5f, img.Data.Max()); // p, the 100th percentile
        var written = F("2.5");
        Assert.Equal(written, F("${p}"));
        Assert.NotEqual(written, F("0")); // cval reaches the result
    }

    /// <summary>
    /// normalize (an <see cref="OpDefinition.InPlace"/> op) may overwrite its input only when it is that value's last
    /// reader and no live value shares its array: in the first recipe `b` is read again after it (by `m`), in the
    /// second `m` passes `b`'s array on as it is; `m` never sees normalized pixels.
    /// </summary>
    [Theory]
    [InlineData("{id: norm, op: normalize, in: b}", "{id: m, op: blur, in: b, passes: 2}")]
    [InlineData("{id: m, op: same, in: b}", "{id: norm, op: normalize, in: b}")]
    public void AnInPlaceStepLeavesAValueAnotherReaderOrAShareStillNeeds(string first, string second)
    {
        float[] M(params string[] steps)
        {
            string recipe = "xrayflow: 1\nname: reuse\ninputs:\n  img: image\nsteps:\n  - {id: b, op: blur, in: img}\n"
                + string.Concat(steps.Select(s => $"  - {s}\n")) + "outputs:\n  m: m.npy\n" + (steps.Length > 1 ? "  norm: norm.npy\n" : string.Empty);
            var img = RunKit.Random(6, 7, seed: 17);
            return ((ArrayValue)new PlanExecutor(Planner.Create(RunKit.Load(recipe)), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1)
                .Run(new Dictionary<string, ImageArray> { ["img"] = img })["m"]).Array.Data;
        }

        Assert.Equal(M(first.Contains("normalize", StringComparison.Ordinal) ? second : first), M(first, second));
    }

    /// <summary>
    /// When the step first in plan order fails first, a later step of its level that fails after it (here: stopped by
    /// the cancellation that failure sends it) does not replace its error: the item still fails naming the first.
    /// </summary>
    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void ALaterStepFailingAfterTheFirstFailureDoesNotReplaceIt(int threads)
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: f
            inputs:
              img: image
            steps:
              - {id: fast, op: explode_named, in: img}
              - {id: late, op: explode_late, in: img, ms: 300}
            outputs:
              fast: f.npy
              late: l.npy
            """);
        var exec = new PlanExecutor(Planner.Create(recipe), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], threads);
        WithPoolThreads(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                var ex = Assert.Throws<StepFailedException>(() => exec.Run(new Dictionary<string, ImageArray> { ["img"] = new(2, 2) }));
                Assert.Equal("step 'fast': explode_named failed: boom", ex.Message);
            }
        });
    }

    /// <summary>Runs <paramref name="body"/> with enough pool threads that a level's steps really run side by side (the test's own thread waits on one).</summary>
    private static void WithPoolThreads(Action body)
    {
        ThreadPool.GetMinThreads(out int workers, out int ports);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), ports);
        try
        {
            body();
        }
        finally
        {
            ThreadPool.SetMinThreads(workers, ports);
        }
    }

    /// <summary>
    /// A scalar step named in an `in` map is an expression value after the recipe's params (a kernel's params array
    /// holds the recipe's params, then its step's own scalar variables): with a param declared, `t` reads the step's
    /// number (the median, 2.5) and the param keeps its own; w2, which has no scalar variable, gets the params alone.
    /// </summary>
    [Fact]
    public void AScalarVariableComesAfterTheRecipeParams()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: e
            params:
              threshold: 3.5
            inputs:
              img: image
            steps:
              - {id: p, op: percentile, in: img, q: 50}
              - {id: w1, op: where, in: {x: img, t: p}, cond: "x > t", then: x, else: 0}
              - {id: w2, op: where, in: img, cond: "x > threshold", then: x, else: 0}
            outputs:
              w1: w1.npy
              w2: w2.npy
            """);
        var compilation = ExpressionSteps.Compile(recipe, () => new FakeCompiler());
        Assert.True(compilation.Succeeded);
        var values = new PlanExecutor(Planner.Create(recipe), compilation.Kernels, ExpressionSteps.ParamValues(recipe), 1).Run(new Dictionary<string, ImageArray> { ["img"] = new(1, 4, [1f, 2f, 3f, 4f]) });
        Assert.Equal([0f, 0f, 3f, 4f], ((ArrayValue)values["w1"]).Array.Data);
        Assert.Equal([0f, 0f, 0f, 4f], ((ArrayValue)values["w2"]).Array.Data);
    }

    /// <summary>An expression step's pixel variables: `x` for one unnamed input, x0, x1... (from 0) for an unnamed list.</summary>
    [Fact]
    public void AnUnnamedListsVariablesAreNumberedFromZero()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: v
            inputs:
              a: image
              b: image
            steps:
              - {id: one, op: map, in: a, expr: "x"}
              - {id: two, op: map, in: [a, b], expr: "x0 + x1"}
            outputs:
              one: one.npy
              two: two.npy
            """);
        Assert.Equal(["x"], ExpressionSteps.VariableNames(recipe.Steps[0]));
        Assert.Equal(["x0", "x1"], ExpressionSteps.VariableNames(recipe.Steps[1]));
    }
}

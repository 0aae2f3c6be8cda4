using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Row-band groups (issue 16's tiled fusion): which steps the planner groups, and that a grouped run gives the
/// unfused run's bits for every mode, shape, stack and thread count, with the report seeing every intermediate.
/// </summary>
public class RowBandGroupTests
{
    private const string FiveSteps = """
        xrayflow: 1
        name: five
        inputs:
          img: image
        steps:
          - id: smooth
            op: gaussian_filter
            sigma: 4
            mode: MODE
          - id: gx
            op: sobel
            in: smooth
            axis: 0
            mode: MODE
          - id: gy
            op: sobel
            in: smooth
            axis: 1
            mode: MODE
          - id: magnitude
            op: hypot
            in: [gx, gy]
          - id: norm
            op: normalize
            in: magnitude
        outputs:
          norm: n.npy
        """;

    public static IEnumerable<object[]> ModesShapesThreads()
    {
        foreach (var mode in new[] { "reflect", "mirror", "nearest", "constant", "wrap" })
        {
            foreach (var (rows, cols) in new[] { (1, 50), (50, 1), (3, 3), (40, 40), (150, 131), (301, 77) })
            {
                foreach (int threads in new[] { 1, 2, 4 })
                {
                    yield return [mode, rows, cols, threads];
                }
            }
        }
    }

    [Fact]
    public void TheFiveStepRecipeIsOneGroupWithNormalizeAsItsBarrier()
    {
        var plan = Planner.Create(RunKit.Load(FiveSteps.Replace("MODE", "reflect")));
        var group = Assert.Single(plan.FusedChains);
        Assert.True(group.Banded);
        Assert.Equal(["smooth", "gx", "gy", "magnitude"], group.NodeIds);
        Assert.Equal((17, 17), (group.HaloBefore, group.HaloAfter)); // sigma 4 truncate 4: 16 rows, and sobel's 1
        Assert.Equal(-1, plan.Node("norm")!.Chain);
        Assert.Contains("group 1: smooth, gx, gy -> magnitude (halo: 17 rows above a band, 17 below); gx, gy and magnitude in one pass", PlanPrinter.Text(plan));
        Assert.Empty(Planner.Create(RunKit.Load(FiveSteps.Replace("MODE", "reflect")), options: PlanOptions.NoFusion).FusedChains);
    }

    private static string GaussianChain(int steps, double sigma)
    {
        var text = new System.Text.StringBuilder("xrayflow: 1\nname: chain\ninputs:\n  img: image\nsteps:\n");
        for (int k = 0; k < steps; k++)
        {
            text.Append($"  - {{id: g{k}, op: gaussian_filter, in: {(k == 0 ? "img" : $"g{k - 1}")}, sigma: {sigma}}}\n");
        }

        return text.Append($"outputs:\n  last: {{from: g{steps - 1}, path: last.npy}}\n").ToString();
    }

    /// <summary>
    /// Each stencil of a chain widens the rows the steps before it compute around every band: a group stops growing
    /// before its halo passes <see cref="Planner.MaxGroupHalo"/> rows (40 sigma-8 Gaussians at 4096 x 4096 were one
    /// group that took 13 s and 3 GB, against 2.9 s and 275 MB step by step).
    /// </summary>
    [Fact]
    public void AGroupStopsGrowingBeforeItsHaloPassesTheBound()
    {
        // sigma 1, truncate 4: 4 rows above and below per step, 8 together: five steps make 40.
        var plan = Planner.Create(RunKit.Load(GaussianChain(12, 1)));
        Assert.Equal([["g0", "g1"], ["g2", "g3", "g4", "g5", "g6"], ["g7", "g8", "g9", "g10", "g11"]], plan.FusedChains.Select(c => c.NodeIds.ToArray()).ToArray());
        Assert.All(plan.FusedChains, c => Assert.True(c.HaloBefore + c.HaloAfter <= Planner.MaxGroupHalo));
        Assert.Equal((20, 20), (plan.FusedChains[^1].HaloBefore, plan.FusedChains[^1].HaloAfter));

        // sigma 8: 32 rows above and below; two of them would be 128: no group at all.
        Assert.Empty(Planner.Create(RunKit.Load(GaussianChain(40, 8))).FusedChains);

        // The same bits as step by step, across the groups' seams.
        var recipe = RunKit.Load(GaussianChain(12, 1));
        var img = RunKit.Random(150, 131, seed: 12);
        AssertSameAsUnfused(recipe, plan, img, "g11");
    }

    [Fact]
    public void WrapModeStepsAreNotGrouped()
    {
        // Their first rows read the last ones: no band is local, so they run whole (hypot alone is no group).
        var plan = Planner.Create(RunKit.Load(FiveSteps.Replace("MODE", "wrap")));
        Assert.Empty(plan.FusedChains);
    }

    [Theory]
    [MemberData(nameof(ModesShapesThreads))]
    public void AGroupGivesTheUnfusedBits(string mode, int rows, int cols, int threads)
    {
        var recipe = RunKit.Load(FiveSteps.Replace("MODE", mode));
        var img = RunKit.Random(rows, cols, seed: rows + cols + mode.Length);
        var copy = img.Clone();
        var fused = Run(Planner.Create(recipe), img, threads, "norm");
        var unfused = Run(Planner.Create(recipe, options: PlanOptions.NoFusion), img, threads, "norm");
        Assert.Equal(unfused, fused);
        Assert.Equal(copy.Data, img.Data); // inputs are never written
    }

    public static IEnumerable<object[]> BandsAndChunks()
    {
        foreach (var mode in new[] { "reflect", "mirror", "nearest", "constant" })
        {
            foreach (var (band, chunk) in new[] { (1, 0), (2, 5), (3, 1), (5, 0), (7, 40), (16, 1000), (40, 41) })
            {
                yield return [mode, band, chunk];
            }
        }
    }

    /// <summary>
    /// Chunks of bands (a thread computes its chunk's bands in order, each step keeping the rows it computed and
    /// sliding the ones still needed to the front of its scratch; the gaussian keeping its row-passed rows): band and
    /// chunk heights from one row to more than the frame, chunks that are not whole bands, on 1 and 2 threads, give
    /// the unfused bits; so does what the report sees of every intermediate.
    /// </summary>
    [Theory]
    [MemberData(nameof(BandsAndChunks))]
    public void AnyBandAndChunkHeightGivesTheUnfusedBits(string mode, int band, int chunk)
    {
        var recipe = RunKit.Load(FiveSteps.Replace("MODE", mode));
        var img = RunKit.Random(97, 45, seed: band + chunk + mode.Length);
        var inputs = new Dictionary<string, ImageArray> { ["img"] = img };
        var unfused = new Collect();
        new PlanExecutor(Planner.Create(recipe, options: PlanOptions.NoFusion), new Dictionary<string, IExpressionKernel>(), [], 1).Run(inputs, observer: unfused);
        foreach (int threads in new[] { 1, 2 })
        {
            var executor = new PlanExecutor(Planner.Create(recipe), new Dictionary<string, IExpressionKernel>(), [], threads) { BandRowsOverride = band, ChunkRowsOverride = chunk };
            Assert.Equal(((ArrayValue)unfused.Values["norm"]).Array.Data, ((ArrayValue)executor.Run(inputs)["norm"]).Array.Data);
            var seen = new Collect();
            executor.Run(inputs, observer: seen);
            foreach (var id in new[] { "smooth", "gx", "gy", "magnitude" })
            {
                var values = id == "magnitude" ? ((ArrayValue)seen.Values[id]).Array.Data : seen.Sinks[id].Values;
                Assert.Equal(((ArrayValue)unfused.Values[id]).Array.Data, values);
            }
        }
    }

    /// <summary>
    /// Chunks: a whole frame on one thread and where a stack's frames give every thread two; else about two per thread
    /// and frame, at least four halos tall, in whole bands.
    /// </summary>
    [Theory]
    [InlineData(1024, 1, 32, 34, 2, 256)]
    [InlineData(1024, 1, 32, 34, 1, 1024)]
    [InlineData(8192, 1, 8, 34, 2, 2048)]
    [InlineData(300, 1, 8, 34, 2, 136)]
    [InlineData(300, 1, 10, 34, 2, 140)]
    [InlineData(100, 2, 8, 2, 2, 56)]
    [InlineData(64, 1000, 8, 34, 2, 64)]
    [InlineData(64, 4, 8, 34, 2, 64)]
    [InlineData(20, 1, 8, 34, 4, 20)]
    public void ChunksAreFramesOrAboutTwoPerThreadAndFourHalosTall(int rows, int frames, int band, int halo, int threads, int expected)
        => Assert.Equal(expected, PlanExecutor.ChunkRows(rows, frames, band, halo, threads));

    /// <summary>
    /// A run cancelled while a group runs stops at the next band of each chunk, as an OperationCanceledException of
    /// the run's (or the executor's linked) token, not an AggregateException from the chunks' threads, and no further
    /// band starts.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CancellingARunStopsAGroupAtItsNextBand(int threads)
    {
        var recipe = RunKit.Load(FiveSteps.Replace("MODE", "reflect"));
        var img = RunKit.Random(400, 64, seed: 8);
        using var cts = new CancellationTokenSource();
        var observer = new CancelOnFirstBand(cts);
        var executor = new PlanExecutor(Planner.Create(recipe), new Dictionary<string, IExpressionKernel>(), [], threads) { BandRowsOverride = 4 };
        var thrown = Record.Exception(() => executor.Run(new Dictionary<string, ImageArray> { ["img"] = img }, cts.Token, observer: observer));
        Assert.IsAssignableFrom<OperationCanceledException>(thrown); // of the run's token or the executor's linked one

        // 100 bands of 4 rows: each chunk running when the token was cancelled finishes at most its current band.
        Assert.InRange(observer.Bands, 1, 2 * threads);
    }

    private sealed class CancelOnFirstBand(CancellationTokenSource cts) : IValueObserver
    {
        private int _bands;

        public int Bands => _bands;

        public void Produced(string id, Value value)
        {
        }

        public IFusedValueSink? Fused(string id, ImageArray shape) => id == "smooth" ? new Sink(this) : null;

        private sealed class Sink(CancelOnFirstBand owner) : IFusedValueSink
        {
            public void Block(int start, ReadOnlySpan<float> values)
            {
                Interlocked.Increment(ref owner._bands);
                owner.Cancel();
            }

            public void Completed()
            {
            }
        }

        private void Cancel() => cts.Cancel();
    }

    /// <summary>
    /// A group's threads: as many as asked unless their scratch would pass two frames' bytes (at least 64 MiB): a
    /// long group with tall bands on a wide frame runs on fewer threads than a many-core machine offers.
    /// </summary>
    [Theory]
    [InlineData(7, 160, 40, 4096, 4096, 17, 2)]   // 15 pointwise steps + gaussian_gradient_magnitude: 59 MB a thread
    [InlineData(32, 160, 40, 4096, 4096, 17, 2)]
    [InlineData(2, 8, 34, 8192, 8192, 4, 2)]       // fused5 at 8192: 2.5 MB a thread
    [InlineData(32, 32, 34, 1024, 1024, 4, 32)]    // fused5 at 1024 on 32 threads: 1.2 MB a thread
    [InlineData(4, 256, 0, 100, 200000, 40, 1)]    // 39 steps of 256 x 200000 floats: 8 GB a thread; one thread
    [InlineData(1, 8, 2, 10, 10, 3, 1)]
    public void AGroupsScratchStaysWithinTwoFramesOr64MiB(int threads, int band, int halo, int rows, int cols, int steps, int expected)
        => Assert.Equal(expected, PlanExecutor.ScratchThreads(threads, band, halo, rows, cols, steps));

    /// <summary>
    /// A group read by normalize (an op that <see cref="OpDefinition.ReadsExtremes"/>) finds its result's min and max
    /// as it writes the rows: exactly Extremes.MinMax of the result, on any band, chunk and thread count; none when a
    /// value is NaN (normalize then finds its own, NaN and all) and none when no such step reads the group.
    /// </summary>
    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(3, 7, 2)]
    [InlineData(16, 0, 2)]
    public void AGroupReadByNormalizeCarriesItsResultsExtremes(int band, int chunk, int threads)
    {
        var recipe = RunKit.Load(FiveSteps.Replace("MODE", "reflect"));
        var img = RunKit.Random(61, 37, seed: 5);
        var seen = new Collect();
        new PlanExecutor(Planner.Create(recipe), new Dictionary<string, IExpressionKernel>(), [], threads) { BandRowsOverride = band, ChunkRowsOverride = chunk }
            .Run(new Dictionary<string, ImageArray> { ["img"] = img }, observer: seen);
        var magnitude = (ArrayValue)seen.Values["magnitude"];
        Assert.NotNull(magnitude.Extremes);
        Assert.Equal(Extremes.MinMax(magnitude.Array.Data), magnitude.Extremes.Value);

        // NaN in the input: NaN in the result, no extremes; normalize's result is still the unfused one.
        img.Data[500] = float.NaN;
        seen = new Collect();
        var fused = new PlanExecutor(Planner.Create(recipe), new Dictionary<string, IExpressionKernel>(), [], threads) { BandRowsOverride = band, ChunkRowsOverride = chunk }
            .Run(new Dictionary<string, ImageArray> { ["img"] = img }, observer: seen);
        Assert.Null(((ArrayValue)seen.Values["magnitude"]).Extremes);
        Assert.Equal(Run(Planner.Create(recipe, options: PlanOptions.NoFusion), img, threads, "norm"), ((ArrayValue)fused["norm"]).Array.Data);

        // No normalize after the group: nothing found.
        var plain = RunKit.Load(FiveSteps.Replace("MODE", "reflect").Replace("op: normalize", "op: median_filter\n    size: 3"));
        seen = new Collect();
        new PlanExecutor(Planner.Create(plain), new Dictionary<string, IExpressionKernel>(), [], threads).Run(new Dictionary<string, ImageArray> { ["img"] = img }, observer: seen);
        Assert.Null(((ArrayValue)seen.Values["magnitude"]).Extremes);
    }

    /// <summary>normalize uses the extremes its input value carries (so a wrong one would show), and finds its own without.</summary>
    [Fact]
    public void NormalizeUsesTheExtremesItsInputCarries()
    {
        var img = RunKit.Random(9, 11, seed: 3);
        var op = OpRegistry.Get("normalize");
        Assert.True(op.ReadsExtremes);
        var parameters = new Dictionary<string, object?> { ["max"] = 255.0, ["method"] = "range" };
        float[] Normalize(ArrayValue input) => ((ArrayValue)op.Invoke(new OpContext { StepId = "n", Inputs = [input], Params = parameters, Threads = 1 })).Array.Data;
        var (min, max) = Extremes.MinMax(img.Data);
        var own = Normalize(new ArrayValue(img));
        Assert.Equal(own, Normalize(new ArrayValue(img) { Extremes = (min, max) }));
        Assert.NotEqual(own, Normalize(new ArrayValue(img) { Extremes = (min, max * 2) }));
    }

    /// <summary>
    /// Inside a group, sobel axis 0 and 1 of one input read only by a hypot become one pass (the hypot step's kernel
    /// computes both gradients); anything else stays as it was. The bits are AGroupGivesTheUnfusedBits' business.
    /// </summary>
    [Fact]
    public void ASobelPairReadOnlyByHypotBecomesOnePass()
    {
        IRowBandKernel Sobel(int axis, string mode = "reflect")
            => OpRegistry.Get("sobel").RowBand!(new ParamValues { StepId = "g", Params = new Dictionary<string, object?> { ["axis"] = axis, ["mode"] = mode } })!;
        var smooth = OpRegistry.Get("gaussian_filter").RowBand!(new ParamValues { StepId = "s", Params = new Dictionary<string, object?> { ["sigma"] = new[] { 2.0 } } })!;
        var hypot = PointwiseBands.Hypotenuse;

        // smooth (reads the input), gx, gy (read smooth), magnitude = hypot(gx, gy).
        var kernels = new[] { smooth, Sobel(0), Sobel(1), hypot };
        int[][] inputsOf = [[-1], [0], [0], [1, 2]];
        var elided = new bool[4];
        PlanExecutor.FuseGradientMagnitudes(kernels, inputsOf, elided);
        Assert.Equal([false, true, true, false], elided);
        Assert.NotSame(hypot, kernels[3]);
        Assert.Equal((1, 1), (kernels[3].Before, kernels[3].After));
        Assert.Equal([0], inputsOf[3]);
        Assert.Empty(inputsOf[1]);

        // The same pair straight on the group's input (the tutorial's sobel recipe).
        kernels = [Sobel(1), Sobel(0), hypot];
        inputsOf = [[-1], [-1], [0, 1]];
        elided = new bool[3];
        PlanExecutor.FuseGradientMagnitudes(kernels, inputsOf, elided);
        Assert.Equal([true, true, false], elided);
        Assert.Equal([-1], inputsOf[2]);

        // Not fused: gx, or gy, read by another step too; the two reading different inputs; two different modes.
        foreach (var (k, ins) in new (IRowBandKernel[], int[][])[]
        {
            ([Sobel(0), Sobel(1), hypot, OpRegistry.Get("subtract").RowBand!(new ParamValues { StepId = "d", Params = new Dictionary<string, object?>() })!], [[-1], [-1], [0, 1], [0, 2]]),
            ([Sobel(0), Sobel(1), hypot, OpRegistry.Get("subtract").RowBand!(new ParamValues { StepId = "d", Params = new Dictionary<string, object?>() })!], [[-1], [-1], [0, 1], [1, 2]]),
            ([Sobel(0), Sobel(1), hypot], [[-1], [-2], [0, 1]]),
            ([Sobel(0), Sobel(1, "nearest"), hypot], [[-1], [-1], [0, 1]]),
        })
        {
            var before = ins.Select(a => a.ToArray()).ToArray();
            var none = new bool[k.Length];
            PlanExecutor.FuseGradientMagnitudes(k, ins, none);
            Assert.All(none, e => Assert.False(e));
            Assert.Same(hypot, k[2]);
            Assert.Equal(before, ins);
        }
    }

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(3, 0, 0)]
    [InlineData(2, 2, 5)]
    [InlineData(3, 3, 100)]
    public void StacksRunFrameByFrame(int threads, int band, int chunk)
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: stack
            inputs:
              s: stack
            steps:
              - id: g
                op: gaussian_filter
                sigma: [1.5, 3]
              - id: d
                op: laplace
                in: g
              - id: e
                op: subtract
                in: [d, g]
            outputs:
              e: e.npy
            """);
        var plan = Planner.Create(recipe);
        Assert.Equal(["g", "d", "e"], Assert.Single(plan.FusedChains).NodeIds);
        var a = RunKit.Random(3 * 37, 29, seed: 4);
        var stack = ImageArray.Stack(3, 37, 29, a.Data);
        var values = new PlanExecutor(plan, new Dictionary<string, IExpressionKernel>(), [], threads) { BandRowsOverride = band, ChunkRowsOverride = chunk }.Run(new Dictionary<string, ImageArray> { ["s"] = stack });
        var unfused = new PlanExecutor(Planner.Create(recipe, options: PlanOptions.NoFusion), new Dictionary<string, IExpressionKernel>(), [], threads).Run(new Dictionary<string, ImageArray> { ["s"] = stack });
        var result = ((ArrayValue)values["e"]).Array;
        Assert.True(result.IsStack);
        Assert.Equal((3, 37, 29), (result.Frames, result.Rows, result.Cols));
        Assert.Equal(((ArrayValue)unfused["e"]).Array.Data, result.Data);
    }

    [Fact]
    public void AStepAnOutputWritesStaysWholeAndOutsideTheGroup()
    {
        var recipe = RunKit.Load(FiveSteps.Replace("MODE", "reflect").Replace("  norm: n.npy", "  norm: n.npy\n  gx: gx.npy\n  magnitude: m.npy"));
        var plan = Planner.Create(recipe);
        var group = Assert.Single(plan.FusedChains);
        Assert.Equal(["gy", "magnitude"], group.NodeIds); // gx and smooth are read from outside the group (an output, gx)
        var img = RunKit.Random(90, 60, seed: 9);
        var fused = new PlanExecutor(plan, new Dictionary<string, IExpressionKernel>(), [], 2).Run(new Dictionary<string, ImageArray> { ["img"] = img });
        var unfused = new PlanExecutor(Planner.Create(recipe, options: PlanOptions.NoFusion), new Dictionary<string, IExpressionKernel>(), [], 2).Run(new Dictionary<string, ImageArray> { ["img"] = img });
        foreach (var id in new[] { "gx", "magnitude", "norm" })
        {
            Assert.Equal(((ArrayValue)unfused[id]).Array.Data, ((ArrayValue)fused[id]).Array.Data);
        }

        // normalize may overwrite its input only when nothing else reads it: here `magnitude` is an output.
        Assert.NotEqual(((ArrayValue)fused["magnitude"]).Array.Data, ((ArrayValue)fused["norm"]).Array.Data);
    }

    [Fact]
    public void GroupMembersMoveNextToTheLastStep()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: apart
            inputs:
              img: image
            steps:
              - id: gx
                op: sobel
                axis: 0
              - id: other
                op: median_filter
                in: img
              - id: gy
                op: sobel
                in: img
                axis: 1
              - id: magnitude
                op: hypot
                in: [gx, gy]
            outputs:
              magnitude: m.npy
              other: o.npy
            """);
        var plan = Planner.Create(recipe);
        Assert.Equal(["other", "gx", "gy", "magnitude"], plan.Nodes.Select(n => n.Id));
        Assert.Equal(Enumerable.Range(0, 4), plan.Nodes.Select(n => n.Index));
        var img = RunKit.Random(64, 48, seed: 2);
        AssertSameAsUnfused(recipe, plan, img, "magnitude");
    }

    [Fact]
    public void AStepWithAComputedParameterIsNotGrouped()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: computed
            inputs:
              img: image
            steps:
              - id: m
                op: threshold_mean
              - id: g
                op: gaussian_filter
                in: img
                sigma: 2
                cval: ${m}
                mode: constant
              - id: s
                op: sobel
                in: g
              - id: h
                op: hypot
                in: [s, g]
            outputs:
              h: h.npy
            """);
        var plan = Planner.Create(recipe);
        Assert.Equal(["s", "h"], Assert.Single(plan.FusedChains).NodeIds);
        var img = RunKit.Random(70, 33, seed: 12);
        AssertSameAsUnfused(recipe, plan, img, "h");
    }

    [Fact]
    public void TheReportSeesEveryRowOfEveryIntermediateOnce()
    {
        var recipe = RunKit.Load(FiveSteps.Replace("MODE", "nearest"));
        var img = RunKit.Random(333, 71, seed: 21);
        var observer = new Collect();
        new PlanExecutor(Planner.Create(recipe), new Dictionary<string, IExpressionKernel>(), [], 2).Run(new Dictionary<string, ImageArray> { ["img"] = img }, observer: observer);
        var whole = new Collect();
        new PlanExecutor(Planner.Create(recipe, options: PlanOptions.NoFusion), new Dictionary<string, IExpressionKernel>(), [], 2).Run(new Dictionary<string, ImageArray> { ["img"] = img }, observer: whole);
        foreach (var id in new[] { "smooth", "gx", "gy" })
        {
            var sink = observer.Sinks[id];
            Assert.True(sink.IsCompleted);
            Assert.All(sink.Seen, n => Assert.Equal(1, n));
            Assert.Equal(((ArrayValue)whole.Values[id]).Array.Data, sink.Values);
        }
    }

    /// <summary>
    /// The one-pass gradient magnitude (sobel axis 0 and 1 read only by a hypot) must give the three steps' bytes, NaN
    /// bits included: an .npy written from NumPy holds NaN as 0x7FC00000 (sign clear), while inf - inf on x86 gives the
    /// default NaN 0xFFC00000 (sign set). Where two NaNs of different sign meet, x86 keeps the first operand's, and the
    /// fused kernel adds in another order than the strips (S = x[j-1] + x[j+1] then + c*x[j], and P_above + P_below,
    /// where the strips sum p[c+1] + p[c-1] and fold c*p[c] in by FMA), so a NaN comes out with the other sign and the
    /// output file's bytes (and its manifest hash) differ from `--no-fuse`. Found with `xrayflow run` on a 64 x 64 .npy:
    /// zeros, +inf at (20, 20) and (20, 22), np.nan at (22, 22): pixel (21, 21) is 0x7FC00000 unfused, 0xFFC00000 fused.
    /// Fails with `dotnet test -c Release` (AVX-512 machine, GradientBand.Wide); passes in Debug, whose unoptimized
    /// code happens to keep the same NaN on both paths (so NaN bits also depend on the JIT's code, not only on the order).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void TheOnePassGradientMagnitudeKeepsTheUnfusedNaNBits(int threads)
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: magnitude
            inputs:
              img: image
            steps:
              - {id: gx, op: sobel, in: img, axis: 0}
              - {id: gy, op: sobel, in: img, axis: 1}
              - {id: magnitude, op: hypot, in: [gx, gy]}
            outputs:
              magnitude: m.npy
            """);
        var plan = Planner.Create(recipe);
        Assert.Equal([("magnitude", "gx", "gy")], PlanExecutor.OnePassPairs([.. plan.Nodes.Where(n => n.Chain >= 0)]));
        var img = new ImageArray(64, 64, new float[64 * 64]);
        float numpyNaN = BitConverter.Int32BitsToSingle(0x7FC00000);
        img.Data[(20 * 64) + 20] = float.PositiveInfinity;
        img.Data[(20 * 64) + 22] = float.PositiveInfinity;
        img.Data[(22 * 64) + 22] = numpyNaN;
        var fused = Run(plan, img, threads, "magnitude");
        var unfused = Run(Planner.Create(recipe, options: PlanOptions.NoFusion), img, threads, "magnitude");
        for (int k = 0; k < unfused.Length; k++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(unfused[k]) == BitConverter.SingleToInt32Bits(fused[k]),
                $"pixel ({k / 64}, {k % 64}): fused 0x{BitConverter.SingleToInt32Bits(fused[k]):X8}, unfused 0x{BitConverter.SingleToInt32Bits(unfused[k]):X8}");
        }
    }

    /// <summary>
    /// A two-input arithmetic step has a row-band kernel but no pointwise one (its kernel sees one array): the
    /// element-wise steps after it join its row-band group, never an element-wise chain it would start.
    /// </summary>
    [Fact]
    public void ATwoInputArithmeticStepHeadsARowBandGroupNotAnElementwiseChain()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: sum
            inputs:
              img: image
            steps:
              - id: g
                op: gaussian_filter
                in: img
                sigma: 1
              - id: d
                op: subtract
                in: [img, g]
              - id: a
                op: abs
              - id: s
                op: scale
                factor: 2
            outputs:
              s: s.npy
              g: g.npy
            """);
        var plan = Planner.Create(recipe);
        Assert.False(Planner.IsFusible(recipe.Steps[1]));
        var group = Assert.Single(plan.FusedChains);
        Assert.True(group.Banded);
        Assert.Equal(["d", "a", "s"], group.NodeIds);
        var img = RunKit.Random(40, 23, seed: 5);
        AssertSameAsUnfused(recipe, plan, img, "s");
    }

    /// <summary>
    /// A step two members read must compute the rows of the widest path to the last step: here 16 above and below
    /// for `a` (sigma 4), none for `b` (abs); with its own 8 (sigma 2), `s` would take the group to 48 rows, past the
    /// bound, whichever member was looked at last.
    /// </summary>
    [Fact]
    public void AStepReadAlongTwoPathsCountsTheWiderPathAgainstTheBound()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: diamond
            inputs:
              img: image
            steps:
              - {id: s, op: gaussian_filter, in: img, sigma: 2}
              - {id: a, op: gaussian_filter, in: s, sigma: 4}
              - {id: b, op: abs, in: s}
              - {id: h, op: add, in: [a, b]}
            outputs:
              h: h.npy
            """);
        var plan = Planner.Create(recipe);
        var group = Assert.Single(plan.FusedChains);
        Assert.Equal(["a", "b", "h"], group.NodeIds);
        Assert.Equal((16, 16), (group.HaloBefore, group.HaloAfter));
        Assert.Equal(-1, plan.Node("s")!.Chain);
        var img = RunKit.Random(80, 21, seed: 3);
        AssertSameAsUnfused(recipe, plan, img, "h");
    }

    /// <summary>
    /// A chunk that starts below the frame's first row but within the group's halo of it needs row 0 of an
    /// intermediate that a stencil reads (reflect, mirror, nearest and constant all map a row above the frame, or
    /// the band's own top, to it): a sobel read by a sigma-4 Gaussian (16 rows), in chunks of 3 to 6 rows, gives the
    /// unfused bits (41 columns: a frame narrower than the Gaussian's 33 taps runs step by step). Auto chunks are at
    /// least four halos tall, so only these chunk heights reach it: with `m > 0` for `m >= 0` the windows started at row 1.
    /// </summary>
    [Theory]
    [InlineData("reflect", 2, 5)]
    [InlineData("nearest", 2, 5)]
    [InlineData("mirror", 3, 6)]
    [InlineData("constant", 1, 3)]
    public void AChunkWithinAHaloOfTheTopComputesRowZeroOfAnIntermediate(string mode, int band, int chunk)
    {
        var recipe = RunKit.Load($$"""
            xrayflow: 1
            name: top
            inputs:
              img: image
            steps:
              - {id: gx, op: sobel, in: img, axis: 0, mode: {{mode}}}
              - {id: smooth, op: gaussian_filter, in: gx, sigma: 4, mode: {{mode}}}
              - {id: a, op: abs, in: smooth}
            outputs:
              a: a.npy
            """);
        var plan = Planner.Create(recipe);
        Assert.Equal(["gx", "smooth", "a"], Assert.Single(plan.FusedChains).NodeIds);
        var img = RunKit.Random(60, 41, seed: 31);
        var unfused = Run(Planner.Create(recipe, options: PlanOptions.NoFusion), img, 1, "a");
        foreach (int threads in new[] { 1, 2 })
        {
            var executor = new PlanExecutor(plan, new Dictionary<string, IExpressionKernel>(), [], threads) { BandRowsOverride = band, ChunkRowsOverride = chunk };
            Assert.Equal(unfused, ((ArrayValue)executor.Run(new Dictionary<string, ImageArray> { ["img"] = img })["a"]).Array.Data);
        }
    }

    /// <summary>
    /// A group whose inputs from outside differ in shape cannot run in bands (every band would read the second input
    /// as if it had the first one's rows): it runs step by step, so the two-input step fails as in the unfused run,
    /// here with more rows in the second input, which a banded run would have read without a complaint.
    /// </summary>
    [Fact]
    public void AGroupWhoseInputsDifferInRowsRunsStepByStepAndFailsAsUnfused()
    {
        var recipe = RunKit.Load("""
            xrayflow: 1
            name: shapes
            inputs:
              a: image
              b: image
            steps:
              - {id: g, op: gaussian_filter, in: a, sigma: 1}
              - {id: d, op: subtract, in: [g, b]}
              - {id: s, op: abs, in: d}
            outputs:
              s: s.npy
            """);
        var plan = Planner.Create(recipe);
        Assert.Equal(["g", "d", "s"], Assert.Single(plan.FusedChains).NodeIds);
        var inputs = new Dictionary<string, ImageArray> { ["a"] = RunKit.Random(20, 9, seed: 1), ["b"] = RunKit.Random(23, 9, seed: 2) };
        string Failure(Plan p) => Assert.Throws<StepFailedException>(() => new PlanExecutor(p, new Dictionary<string, IExpressionKernel>(), [], 1).Run(inputs)).Message;
        string unfused = Failure(Planner.Create(recipe, options: PlanOptions.NoFusion));
        Assert.StartsWith("step 'd': ", unfused);
        Assert.Equal(unfused, Failure(plan));
    }

    /// <summary>The grouped <paramref name="plan"/> gives <paramref name="output"/> the unfused plan's bits (two threads).</summary>
    private static void AssertSameAsUnfused(BoundRecipe recipe, Plan plan, ImageArray img, string output)
        => Assert.Equal(Run(Planner.Create(recipe, options: PlanOptions.NoFusion), img, 2, output), Run(plan, img, 2, output));

    private static float[] Run(Plan plan, ImageArray img, int threads, string output)
        => ((ArrayValue)new PlanExecutor(plan, new Dictionary<string, IExpressionKernel>(), [], threads).Run(new Dictionary<string, ImageArray> { ["img"] = img })[output]).Array.Data;

    private sealed class Collect : IValueObserver
    {
        public Dictionary<string, Value> Values { get; } = [];

        public Dictionary<string, Sink> Sinks { get; } = [];

        public void Produced(string id, Value value)
        {
            lock (Values)
            {
                Values[id] = value is ArrayValue a ? a with { Array = a.Array.Clone() } : value;
            }
        }

        public IFusedValueSink? Fused(string id, ImageArray shape)
        {
            var sink = new Sink(shape.Length);
            lock (Sinks)
            {
                Sinks[id] = sink;
            }

            return sink;
        }
    }

    private sealed class Sink(int length) : IFusedValueSink
    {
        public float[] Values { get; } = new float[length];

        public int[] Seen { get; } = new int[length];

        public bool IsCompleted { get; private set; }

        public void Block(int start, ReadOnlySpan<float> values)
        {
            lock (Seen)
            {
                values.CopyTo(Values.AsSpan(start));
                for (int k = 0; k < values.Length; k++)
                {
                    Seen[start + k]++;
                }
            }
        }

        public void Completed() => IsCompleted = true;
    }
}

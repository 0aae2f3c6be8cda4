using System.Collections.Concurrent;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Reporting;

namespace XRayFlow.Report.Tests;

/// <summary>The executor's observer hook: every value seen once, before release; fused steps block by block; results unchanged.</summary>
public sealed class ObserverTests
{
    private const string Recipe = """
        xrayflow: 1
        name: chain
        inputs:
          xray: image
        steps:
          - id: a
            op: abs
          - id: c
            op: clip
            max: 100
          - id: m
            op: multiply
            value: 2
          - id: gx
            op: sobel
            in: xray
            axis: 0
          - id: sum
            op: add
            in: [m, gx]
        outputs:
          sum: "{stem}.npy"
        """;

    /// <param name="fuse">Fuse at all (false: every step whole, as `--no-fuse`).</param>
    /// <param name="rowBands">With <paramref name="fuse"/>: row-band groups too (else element-wise chains only).</param>
    private static (Plan Plan, PlanExecutor Executor) Make(bool fuse, int threads, string recipe = Recipe, bool rowBands = false)
    {
        var loaded = RecipeLoader.LoadText(recipe, "chain.yaml");
        Assert.True(loaded.Recipe is not null, string.Join("\n", loaded.Diagnostics));
        var plan = Planner.Create(loaded.Recipe!, null, fuse ? new PlanOptions { FuseRowBands = rowBands } : PlanOptions.NoFusion);
        return (plan, new PlanExecutor(plan, new Dictionary<string, XRayFlow.Core.Expressions.IExpressionKernel>(), ExpressionSteps.ParamValues(loaded.Recipe!), threads));
    }

    private static ImageArray Input()
    {
        var a = new ImageArray(150, 230);
        for (int k = 0; k < a.Length; k++)
        {
            a.Data[k] = (float)(Math.Sin(k * 0.013) * 180);
        }

        return a;
    }

    private sealed class Counting : IValueObserver
    {
        public ItemObservations Inner { get; } = new();

        public ConcurrentDictionary<string, int> Calls { get; } = new();

        public void Produced(string id, Value value)
        {
            Calls.AddOrUpdate(id, 1, (_, n) => n + 1);
            Inner.Produced(id, value);
        }

        public IFusedValueSink? Fused(string id, ImageArray shape)
        {
            Calls.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Inner.Fused(id, shape);
        }
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(4, false)]
    [InlineData(1, true)]
    [InlineData(4, true)]
    public void EveryInputAndStepIsSeenOnceAndFusedStepsMatchTheUnfusedRun(int threads, bool rowBands)
    {
        // Element-wise chains only: a -> c -> m is a chain. With row-band groups, the whole recipe is one group
        // ending at `sum` (sobel is a stencil, add reads two arrays), its other steps seen band by band.
        var (fusedPlan, fused) = Make(fuse: true, threads, rowBands: rowBands);
        Assert.Equal(rowBands ? ["a", "c", "m", "gx", "sum"] : ["a", "c", "m"], Assert.Single(fusedPlan.FusedChains).NodeIds);
        Assert.Equal(rowBands, fusedPlan.FusedChains[0].Banded);
        var (_, plain) = Make(fuse: false, threads);

        var seenFused = new Counting();
        var seenPlain = new Counting();
        var outFused = fused.Run(new Dictionary<string, ImageArray> { ["xray"] = Input() }, observer: seenFused);
        var outPlain = plain.Run(new Dictionary<string, ImageArray> { ["xray"] = Input() }, observer: seenPlain);

        string[] all = ["xray", "a", "c", "m", "gx", "sum"];
        Assert.Equal(all.Order(), seenFused.Calls.Keys.Order());
        Assert.All(seenFused.Calls.Values, n => Assert.Equal(1, n));
        foreach (var id in all)
        {
            var f = seenFused.Inner.Values[id];
            var p = seenPlain.Inner.Values[id];
            Assert.Equal(p.Min, f.Min);
            Assert.Equal(p.Max, f.Max);
            // The sums are float per run of pixels, then double (ValueSummary.Statistics): fused blocks cut rows
            // elsewhere than whole arrays do, so the means agree to float precision, not to the last bit.
            Assert.True(Math.Abs(p.Mean - f.Mean) <= 1e-6 * Math.Max(1, Math.Abs(p.Mean)), $"{id}: mean {f.Mean} fused, {p.Mean} unfused");
            Assert.Equal(p.Histogram, f.Histogram);
            Assert.Equal(p.Thumb, f.Thumb);
        }

        Assert.Equal(0, seenFused.Inner.Values["a"].Min); // abs
        Assert.Equal(200, seenFused.Inner.Values["m"].Max); // clip at 100, times 2
        Assert.Equal(((ArrayValue)outPlain["sum"]).Array.Data, ((ArrayValue)outFused["sum"]).Array.Data);
    }

    [Fact]
    public void AnObserverChangesNoResult()
    {
        var (_, executor) = Make(fuse: true, threads: 2);
        var without = executor.Run(new Dictionary<string, ImageArray> { ["xray"] = Input() });
        var with = executor.Run(new Dictionary<string, ImageArray> { ["xray"] = Input() }, observer: new ItemObservations());
        foreach (var (k, v) in without)
        {
            Assert.Equal(((ArrayValue)v).Array.Data, ((ArrayValue)with[k]).Array.Data);
        }
    }

    [Fact]
    public void AComplexChainIsSeenStepByStep()
    {
        const string complex = """
            xrayflow: 1
            name: complex
            inputs:
              xray: image
            steps:
              - id: f
                op: fft2
              - id: m1
                op: multiply
                value: 2
              - id: m2
                op: multiply
                value: 3
              - id: back
                op: ifft2
            outputs:
              back: "{stem}.npy"
            """;
        var (plan, executor) = Make(fuse: true, threads: 1, complex);
        var seen = new Counting();
        executor.Run(new Dictionary<string, ImageArray> { ["xray"] = Input() }, observer: seen);
        Assert.Equal(1, seen.Calls["m1"]);
        Assert.True(seen.Inner.Values["m1"].IsComplex);
        Assert.Equal(seen.Inner.Values["f"].Max * 2, seen.Inner.Values["m1"].Max, 2);
        _ = plan;
    }
}

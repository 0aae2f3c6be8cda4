using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Measure;
using XRayFlow.Core.Ops.Morphology;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Masks held as bits between steps (docs/runner.md "Masks as bits"): a binary step's result is read as bits by the
/// next binary steps (as the image and as the `mask` input) and by the component ops (label, keep_largest,
/// remove_small_objects), made into float32 on the run's threads for a step that
/// reads float32 and for the outputs, and every value equals SciPy's scalar meaning (BinaryMorphology.Reference), for
/// one and several threads, with several runs at once (racing readers of one value; values going back to the pool).
/// </summary>
public class MaskBitsTests
{
    private const string Recipe = """
        xrayflow: 1
        name: mask-bits
        inputs:
          img: image
        steps:
          - {id: d, op: binary_dilation, in: img}
          - {id: o, op: binary_opening, in: d}
          - {id: e, op: binary_erosion, in: [d, d]}
          - {id: s, op: multiply, in: [d, img]}
          - {id: f, op: binary_fill_holes, in: s}
          - {id: c, op: binary_closing, in: o}
          - {id: k, op: keep_largest, in: c, n: 2}
          - {id: r, op: remove_small_objects, in: d, min_size: 6}
          - {id: l, op: label, in: k, connectivity: 2}
        outputs:
          k: k.npy
          r: r.npy
          l: l.npy
          d: d.npy
          e: e.npy
          s: s.npy
          f: f.npy
          c: c.npy
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void ChainsOfMaskStepsGiveSciPysValuesWhateverReadsThem(int threads)
    {
        int rows = 67, cols = 149;
        var img = Random01(rows, cols, seed: 9);
        var cross = StructuringElement.Generate(1);
        float[] Ref(BinaryOp op, float[] x, float[] mask) => BinaryMorphology.Reference(op, x, mask, rows, cols, cross, 1, false, 0, 0);
        var d = Ref(BinaryOp.Dilation, img.Data, []);
        var o = Ref(BinaryOp.Opening, d, []);
        var expected = new Dictionary<string, float[]>
        {
            ["d"] = d,
            ["e"] = Ref(BinaryOp.Erosion, d, d),
            ["s"] = [.. d.Zip(img.Data, (a, b) => a * b)],
            ["f"] = BinaryMorphology.Reference(BinaryOp.Dilation, [.. d.Zip(img.Data, (a, b) => a * b)], [], rows, cols, cross, 0, false, 0, 0, fillHoles: true),
            ["c"] = Ref(BinaryOp.Closing, o, []),
        };

        // The component ops on float32 pixels (their own tests check those against skimage's meaning).
        var keep = Components.KeepLargest(new ImageArray(rows, cols, expected["c"]), 2, Neighbours.Cross, 1, "keep_largest");
        expected["k"] = keep.Data;
        expected["r"] = Components.RemoveSmallObjects(new ImageArray(rows, cols, d), 6, Neighbours.Cross, 1, "remove_small_objects").Data;
        expected["l"] = Components.Label(keep, Neighbours.Square, 1).Labels.Data;

        var exec = new PlanExecutor(Planner.Create(RunKit.Load(Recipe)), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], threads);
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (int run = 0; run < 25; run++)
            {
                var values = exec.Run(new Dictionary<string, ImageArray> { ["img"] = img });
                foreach (var (id, want) in expected)
                {
                    Assert.Equal(want, ((ArrayValue)values[id]).Array.Data);
                }

                foreach (var v in values.Values)
                {
                    PixelPool.Shared.Return(((ArrayValue)v).Array); // as the runner does after writing: bits and pixels back
                }
            }
        });
    }

    [Fact]
    public void AFloatStepGetsPixelsMadeBeforeItRunsAndABinaryStepGetsTheBits()
    {
        const string recipe = """
            xrayflow: 1
            name: mask-bits-kinds
            inputs:
              img: image
            steps:
              - {id: d, op: binary_dilation, in: img}
              - {id: o, op: binary_opening, in: d}
            outputs:
              d: d.npy
              o: o.npy
            """;
        var img = Random01(40, 70, seed: 3);
        var exec = new PlanExecutor(Planner.Create(RunKit.Load(recipe)), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 2);
        var values = exec.Run(new Dictionary<string, ImageArray> { ["img"] = img });

        // Outputs leave the executor as bits (the writer makes the pixels); the input stayed float32.
        var o = ((ArrayValue)values["o"]).Array;
        Assert.NotNull(o.Mask);
        Assert.Null(o.DataIfPresent);
        Assert.NotNull(((ArrayValue)values["d"]).Array.Mask); // read by binary_opening as bits: never made into float32
        Assert.Null(img.Mask);
    }

    [Fact]
    public void ACallersInputHeldAsBitsIsNeverGivenToThePool()
    {
        // The executor knows the caller's arrays by their pixels, so a caller's array held as bits gets them before the
        // run; the run's own values (bits among them) go back to the pool as they die and after each run, the caller's
        // array stays readable and unchanged run after run.
        const string recipe = """
            xrayflow: 1
            name: mask-bits-input
            inputs:
              img: image
            steps:
              - {id: k, op: remove_small_objects, in: img, min_size: 0}
              - {id: d, op: binary_dilation, in: k}
            outputs:
              d: d.npy
            """;
        var floats = Random01(30, 90, seed: 5);
        var input = ImageArray.FromMask(PackedMask.Pack(floats), isStack: false);
        var exec = new PlanExecutor(Planner.Create(RunKit.Load(recipe)), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 2);
        for (int run = 0; run < 3; run++)
        {
            var values = exec.Run(new Dictionary<string, ImageArray> { ["img"] = input });
            var want = BinaryMorphology.Reference(BinaryOp.Dilation, floats.Data, [], 30, 90, StructuringElement.Generate(1), 1, false, 0, 0);
            Assert.Equal(want, ((ArrayValue)values["d"]).Array.Data);
            PixelPool.Shared.Return(((ArrayValue)values["d"]).Array);
        }

        Assert.Equal(floats.Data, input.Data);
        Assert.Null(input.Mask); // its pixels were made before the first run
    }

    private static ImageArray Random01(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var a = new ImageArray(rows, cols);
        for (int k = 0; k < a.Length; k++)
        {
            a.Data[k] = rng.NextDouble() < 0.55 ? 1f : 0f;
        }

        return a;
    }
}

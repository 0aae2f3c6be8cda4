using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Regression: in a parallel run, the planner's "last use" of a value (file order) can finish before another
/// reader of the same level has read it; the value was removed too early and that reader failed with
/// KeyNotFoundException ('xray' not present). Values are now released only after every reader ran.
/// </summary>
public class ParallelReleaseTests
{
    private const string ManyReaders = """
        xrayflow: 1
        name: many-readers
        inputs:
          img: image
        steps:
          - {id: m, op: blur, in: img}
          - {id: r1, op: blur, in: img, passes: 2}
          - {id: r2, op: blur, in: m, passes: 3}
          - {id: r3, op: blur, in: img, passes: 4}
          - {id: r4, op: blur, in: m, passes: 5}
          - {id: r5, op: blur, in: img, passes: 6}
          - {id: r6, op: blur, in: m, passes: 7}
        outputs:
          r1: r1.npy
          r2: r2.npy
          r3: r3.npy
          r4: r4.npy
          r5: r5.npy
          r6: r6.npy
        """;

    [Fact]
    public void EveryReaderOfAValueSeesItWhateverTheOrderTheyRunIn()
    {
        var plan = Planner.Create(RunKit.Load(ManyReaders));
        var img = RunKit.Random(16, 16, 7);
        var serial = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 1).Run(new Dictionary<string, ImageArray> { ["img"] = img });
        var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 6);

        // Several runs at once keep the thread pool busy, so queued readers start late and out of order (as under load).
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (int run = 0; run < 100; run++)
            {
                var values = exec.Run(new Dictionary<string, ImageArray> { ["img"] = img });
                foreach (var id in new[] { "r1", "r2", "r3", "r4", "r5", "r6" })
                {
                    Assert.Equal(((ArrayValue)serial[id]).Array.Data, ((ArrayValue)values[id]).Array.Data);
                }
            }
        });
    }
}

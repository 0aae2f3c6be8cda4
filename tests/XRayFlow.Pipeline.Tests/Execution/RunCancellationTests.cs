using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>Ctrl+C during a batch is a cancellation (exit 130), however deep in the executor it is noticed.</summary>
public class RunCancellationTests
{
    private const string Recipe = """
        xrayflow: 1
        name: c
        inputs:
          xray: image
        steps:
          - id: smooth
            op: blur
          - id: half
            op: scale
            factor: 0.5
        outputs:
          half: "{stem}_half.npy"
        """;

    /// <summary>
    /// Cancels the run when it sees the first value, then throws as a step does that checks the executor's own
    /// token (linked to the run's): an OperationCanceledException of another token than the run's.
    /// </summary>
    private sealed class CancelAsAStepDoes(CancellationTokenSource run) : IValueObserver
    {
        public void Produced(string id, Value value)
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(run.Token);
            run.Cancel();
            linked.Token.ThrowIfCancellationRequested();
        }

        public IFusedValueSink? Fused(string id, ImageArray shape) => null;
    }

    [Fact]
    public void CancellingABatchOfParallelItemsThrowsOperationCanceledNotAnAggregate()
    {
        // Found by Ctrl+C on `run pipelines/compare.yaml --input xray=many --report` (60 images, 2 threads):
        // sometimes exit 70 "internal error: AggregateException: ... (The operation was canceled.)" instead of 130,
        // when the cancellation reached an item through the executor's linked token (PlanExecutor.RunParallel).
        string dir = RunKit.TempDir();
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        RunKit.CopySamples(images, 4);
        var recipe = RunKit.LoadFile(dir, Recipe);
        using var cts = new CancellationTokenSource();
        var request = new RunRequest
        {
            Recipe = recipe,
            Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") },
            OutDir = Path.Combine(dir, "out"),
            Threads = 2,
            Cancellation = cts.Token,
            Observe = _ => new CancelAsAStepDoes(cts),
        };

        var thrown = Record.Exception(() => RecipeRunner.Run(request));

        var cancelled = Assert.IsAssignableFrom<OperationCanceledException>(thrown);
        Assert.Equal(cts.Token, cancelled.CancellationToken);
    }
}

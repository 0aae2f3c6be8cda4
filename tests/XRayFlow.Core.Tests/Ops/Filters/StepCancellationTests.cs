using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// The kernels whose cost grows with a window (rank and percentile filters, median filters, footprint extremes)
/// check the running step's cancellation between blocks of rows, so Ctrl+C or SIGTERM stops a long step without
/// waiting for its end; the blocking never changes the bits.
/// </summary>
public class StepCancellationTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void RowBlocksRunNoBlockOnceCancelled(int threads)
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        int ran = 0;
        Assert.ThrowsAny<OperationCanceledException>(() => RowBlocks.Run(1000, threads, 1_000_000, (_, _) => Interlocked.Increment(ref ran), cts.Token));
        Assert.Equal(0, ran);
    }

    [Fact]
    public void RowBlocksStopAtTheNextBlockOnOneThread()
    {
        // 1000 rows of 2^22 work each: blocks of 4 rows (2^24 work); the first cancels, so only it runs.
        using var cts = new CancellationTokenSource();
        var seen = new List<(int, int)>();
        Assert.ThrowsAny<OperationCanceledException>(() => RowBlocks.Run(1000, 1, 1 << 22, (r0, r1) =>
        {
            seen.Add((r0, r1));
            cts.Cancel();
        }, cts.Token));
        Assert.Equal([(0, 4)], seen);
    }

    [Theory]
    [InlineData(1, 10, 1)]
    [InlineData(2, 10, 1)]
    [InlineData(2, 1000, 1 << 22)]
    [InlineData(1, 1000, 1 << 22)]
    [InlineData(2, 7, 1 << 30)]
    [InlineData(3, 0, 1 << 22)]
    public void RowBlocksCoverEveryRowOnce(int threads, int rows, long workPerRow)
    {
        var hits = new int[rows];
        RowBlocks.Run(rows, threads, workPerRow, (r0, r1) =>
        {
            for (int r = r0; r < r1; r++)
            {
                Interlocked.Increment(ref hits[r]);
            }
        }, CancellationToken.None);
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void LongWindowKernelsStopWhenTheStepIsCancelled()
    {
        var image = RandomImage(64, 80, seed: 7);
        var many = RandomImage(130, 131, seed: 8); // more than 16384 distinct values: ranked tile by tile
        double[][] disc = Enumerable.Range(-4, 9).Select(a => Enumerable.Range(-4, 9).Select(b => (a * a) + (b * b) <= 16 ? 1.0 : 0.0).ToArray()).ToArray();
        var kernels = new (string Name, Action<int> Run)[]
        {
            ("rank_filter (network)", t => RankFilter.Apply(image, [5], null, null, BoundaryMode.Reflect, 0f, 7, t)),
            ("rank_filter (sliding)", t => RankFilter.Apply(image, [13], null, null, BoundaryMode.Reflect, 0f, 50, t)),
            ("rank_filter (footprint)", t => RankFilter.Apply(image, null, disc, null, BoundaryMode.Reflect, 0f, 20, t)),
            ("median_filter", t => NdFilters.MedianFilter(image, [5], BoundaryMode.Reflect, 0f, null, t)),
            ("median_filter (sliding)", t => NdFilters.MedianFilter(image, [13], BoundaryMode.Reflect, 0f, null, t)),
            ("rank_filter (ranked tiles)", t => RankFilter.Apply(many, [13], null, null, BoundaryMode.Reflect, 0f, 50, t)),
            ("median_filter (ranked tiles)", t => NdFilters.MedianFilter(many, [13], BoundaryMode.Reflect, 0f, null, t)),
            ("maximum_filter (footprint)", t => MinMaxFilter.Apply(image, null, disc, null, BoundaryMode.Reflect, 0f, maximum: true, t)),
        };

        using var cts = new CancellationTokenSource();
        cts.Cancel();
        foreach (var (name, run) in kernels)
        {
            foreach (int threads in new[] { 1, 2 })
            {
                run(threads); // outside a step: no cancellation
                using (StepCancellation.Enter(cts.Token))
                {
                    var ex = Record.Exception(() => run(threads));
                    Assert.True(ex is OperationCanceledException, $"{name}, {threads} thread(s): {ex?.GetType().Name ?? "ran to its end"}");
                }

                Assert.Equal(CancellationToken.None, StepCancellation.Current);
            }
        }
    }

    [Fact]
    public void FinerBlocksGiveTheSameBits()
    {
        // 300 x 200 with a 15 x 15 window: 675,000 window cells a row, so blocks of 24 rows where there were 8 blocks.
        var image = RandomImage(300, 200, seed: 11);
        var mask = new bool[15, 15];
        for (int a = 0; a < 15; a++)
        {
            for (int b = 0; b < 15; b++)
            {
                mask[a, b] = true;
            }
        }

        var expected = RankFilter.Reference(image.Data, 300, 200, mask, 100, 0, 0, BoundaryMode.Mirror, 0f);
        Assert.Equal(expected, RankFilter.Apply(image, [15], null, null, BoundaryMode.Mirror, 0f, 100, threads: 2).Data.AsSpan(0, image.Length).ToArray());
        Assert.Equal(expected, RankFilter.Apply(image, [15], null, null, BoundaryMode.Mirror, 0f, 100, threads: 1).Data.AsSpan(0, image.Length).ToArray());
    }

    private static ImageArray RandomImage(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var image = new ImageArray(rows, cols);
        for (int k = 0; k < image.Length; k++)
        {
            image.Data[k] = (float)rng.NextDouble();
        }

        return image;
    }
}

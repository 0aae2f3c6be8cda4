using System.Collections.Concurrent;
using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>
/// <see cref="ColumnBlocks.Run"/>: every column once, in blocks no wider than asked whose edges fall on multiples of 16
/// columns, and each thread one run of neighbouring blocks left to right (so two threads never write the two sides of
/// one block edge at once).
/// </summary>
public class ColumnBlocksTests
{
    [Theory]
    [InlineData(1, 1, 128)]
    [InlineData(5, 4, 128)]
    [InlineData(1024, 1, 128)]
    [InlineData(1024, 2, 128)]
    [InlineData(1048, 2, 128)]
    [InlineData(1000, 3, 64)]
    [InlineData(4096, 2, 16)]
    [InlineData(40, 8, 32)]
    public void EveryColumnOnceAndEachThreadOneRunInOrder(int columns, int threads, int widest)
    {
        var seen = new ConcurrentQueue<(int Thread, int C0, int W)>();
        int slow = columns / 2 / ColumnBlocks.Align * ColumnBlocks.Align;
        ColumnBlocks.Run(columns, threads, widest, (c0, w) =>
        {
            seen.Enqueue((Environment.CurrentManagedThreadId, c0, w));

            // One slow block mid-way: a thread done early must not take blocks from another's run.
            Thread.Sleep(c0 <= slow && slow < c0 + w ? 40 : 1);
        });

        var blocks = seen.OrderBy(s => s.C0).ToList();
        Assert.Equal(0, blocks[0].C0);
        for (int k = 0; k < blocks.Count; k++)
        {
            Assert.InRange(blocks[k].W, 1, widest);
            Assert.Equal(0, blocks[k].C0 % ColumnBlocks.Align);
            Assert.Equal(k + 1 < blocks.Count ? blocks[k + 1].C0 : columns, blocks[k].C0 + blocks[k].W);
        }

        var runs = seen.GroupBy(s => s.Thread).Select(g => g.ToList()).ToList();
        foreach (var run in runs)
        {
            for (int k = 1; k < run.Count; k++)
            {
                Assert.Equal(run[k - 1].C0 + run[k - 1].W, run[k].C0);
            }
        }

        Assert.InRange(runs.Count, 1, threads);
    }

    [Fact]
    public void ABlockWidthThatIsNotAMultipleOfSixteenIsRefused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ColumnBlocks.Run(100, 2, 24, (_, _) => { }));
}

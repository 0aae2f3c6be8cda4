using System.Collections.Concurrent;
using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>
/// <see cref="ColumnBlocks.Run"/>: every column once, in blocks no wider than asked whose edges fall on multiples of 16
/// columns, and each run of neighbouring blocks taken left to right by one thread (so two threads never write the two
/// sides of one block edge at once).
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

        // The runs: [0, columns) split into min(threads, 16-column units) stretches as even as whole units allow.
        // Each run's blocks are all taken by one thread, left to right (a pool thread may go through two runs one after
        // the other, as on a 2-core machine with 3 runs, so runs are not counted by thread). Blocks handed out one by
        // one let a thread that is done take a block of another's run.
        int units = (columns + ColumnBlocks.Align - 1) / ColumnBlocks.Align;
        int runs = Math.Min(Math.Max(1, threads), units);
        var order = seen.Select((s, k) => (s.Thread, s.C0, Taken: k)).ToList();
        for (int t = 0; t < runs; t++)
        {
            int r0 = (int)((long)units * t / runs) * ColumnBlocks.Align, r1 = Math.Min(columns, (int)((long)units * (t + 1) / runs) * ColumnBlocks.Align);
            var run = order.Where(b => b.C0 >= r0 && b.C0 < r1).ToList();
            Assert.NotEmpty(run);
            Assert.Single(run.Select(b => b.Thread).Distinct());
            Assert.Equal(run.OrderBy(b => b.C0).Select(b => b.C0), run.OrderBy(b => b.Taken).Select(b => b.C0));
        }
    }

    [Fact]
    public void ABlockWidthThatIsNotAMultipleOfSixteenIsRefused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ColumnBlocks.Run(100, 2, 24, (_, _) => { }));
}

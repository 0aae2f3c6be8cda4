using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;
using Xunit;

namespace XRayFlow.Core.Tests.Imaging;

public class PixelPoolTests
{
    private const int N = 64 * 64 * 2; // above MinPooledLength

    [Fact]
    public void AReturnedArrayIsRentedAgainForTheSameLengthOnly()
    {
        var pool = new PixelPool();
        var a = pool.Rent(N);
        Assert.Equal(N, a.Length);
        pool.Return(a);
        Assert.Equal(4L * N, pool.RetainedBytes);

        Assert.NotSame(a, pool.Rent(N + 1));
        Assert.Same(a, pool.Rent(N));
        Assert.Equal(1, pool.Reused);
        Assert.Equal(0, pool.RetainedBytes);
        Assert.NotSame(a, pool.Rent(N)); // taken: a fresh one
    }

    [Fact]
    public void SmallArraysAreNotPooled()
    {
        var pool = new PixelPool();
        var small = pool.Rent(PixelPool.MinPooledLength - 1);
        pool.Return(small);
        Assert.Equal(0, pool.RetainedBytes);
        Assert.NotSame(small, pool.Rent(PixelPool.MinPooledLength - 1));
    }

    [Fact]
    public void ThePoolKeepsAtMostItsByteBudgetAndItsCountPerLength()
    {
        var pool = new PixelPool(maxRetainedBytes: 3L * 4 * N) { MaxPerLength = 16 };
        for (int i = 0; i < 5; i++)
        {
            pool.Return(new float[N]);
        }

        Assert.Equal(3L * 4 * N, pool.RetainedBytes);

        var counted = new PixelPool(maxRetainedBytes: 1L << 40) { MaxPerLength = 2 };
        for (int i = 0; i < 5; i++)
        {
            counted.Return(new float[N]);
        }

        Assert.Equal(2L * 4 * N, counted.RetainedBytes);
        counted.Clear();
        Assert.Equal(0, counted.RetainedBytes);
    }

    [Fact]
    public void ARecurringLengthDisplacesTheFreeArraysOfSizesTheWorkHasMovedOnFrom()
    {
        // Three sizes fill the pool; then a larger size recurs. Its first return finds no room (nothing is known of its
        // cycle), its second displaces the sizes nobody rented since its first rent, least recently rented first, and
        // from then on it is reused (a 1 GiB output reallocated each call cost 1.8 s instead of 60 ms).
        var pool = new PixelPool(maxRetainedBytes: 4L * ((3 * N) + 3)) { MaxPerLength = 16 };
        var small = new[] { pool.Rent(N), pool.Rent(N + 1), pool.Rent(N + 2) };
        foreach (var a in small)
        {
            pool.Return(a);
        }

        Assert.Equal(4L * ((3 * N) + 3), pool.RetainedBytes); // all three kept: the whole budget
        var big = pool.Rent(2 * N);
        pool.Return(big);
        Assert.Equal(0, pool.Displaced);
        Assert.NotSame(big, pool.Rent(2 * N)); // dropped: allocated afresh

        var again = pool.Rent(2 * N);
        pool.Return(again);
        Assert.Equal(2, pool.Displaced); // N and N + 1, the least recently rented; N + 2 stays
        Assert.Equal(4L * ((2 * N) + N + 2), pool.RetainedBytes);
        Assert.Same(again, pool.Rent(2 * N));
        Assert.Same(small[2], pool.Rent(N + 2));
        Assert.NotSame(small[0], pool.Rent(N));
    }

    [Fact]
    public void LengthsThatAllRecurInOneCycleNeverDisplaceOneAnother()
    {
        // A pipeline's three intermediates item after item, more than the budget holds: the two that fit stay and are
        // reused every item; the third is dropped each time rather than displacing one that the next item needs.
        var pool = new PixelPool(maxRetainedBytes: 4L * ((2 * N) + 1)) { MaxPerLength = 16 };
        var kept = new List<float[]>();
        for (int item = 0; item < 6; item++)
        {
            var a = pool.Rent(N);
            var b = pool.Rent(N + 1);
            var c = pool.Rent(N + 2);
            if (item > 0)
            {
                Assert.Same(kept[0], a);
                Assert.Same(kept[1], b);
            }

            kept = [a, b];
            pool.Return(a);
            pool.Return(b);
            pool.Return(c);
        }

        Assert.Equal(0, pool.Displaced);
        Assert.Equal(10, pool.Reused);
    }

    [Fact]
    public void PoisonFillsRentedArraysWithNaN()
    {
        // The test assembly turns poison on (PoolPoison): stale values and fresh zeros both become NaN.
        Assert.True(PixelPool.Poison);
        var pool = new PixelPool();
        var a = pool.Rent(N);
        Assert.All(a, v => Assert.True(float.IsNaN(v)));
        a.AsSpan().Fill(7f);
        pool.Return(a);
        var b = pool.Rent(N);
        Assert.Same(a, b);
        Assert.All(b, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void AFilterWritesEveryPixelOfAPoisonedOutput()
    {
        // The shared pool's arrays start as NaN here; a recycled output must come back fully rewritten.
        var rng = new Random(5);
        var img = new ImageArray(96, 80);
        for (int i = 0; i < img.Length; i++)
        {
            img.Data[i] = (float)rng.NextDouble();
        }

        var first = NdFilters.Sobel(img, 0, threads: 2);
        var expected = first.Data.ToArray();
        PixelPool.Shared.Return(first);
        for (int i = 0; i < 3; i++)
        {
            var again = NdFilters.Sobel(img, 0, threads: 2);
            Assert.Equal(expected, again.Data);
            PixelPool.Shared.Return(again);
        }
    }
}

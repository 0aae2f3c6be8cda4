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

using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Imaging;

/// <summary>
/// A 0/1 array held as bits (<see cref="PackedMask"/>, <see cref="ImageArray.FromMask"/>): packing reads x != 0 (NaN
/// nonzero) for every row length, the float32 pixels made from the bits are 0f / 1f at the right places whether made
/// on first read, on several threads or by racing readers, and storage identity is known without making pixels.
/// </summary>
public class PackedMaskTests
{
    private static readonly float[] Specials = [0f, -0f, 1f, -1f, 0.5f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, 1e-30f];

    [Fact]
    public void PackAndUnpackEveryRowLength()
    {
        var rng = new Random(17);
        for (int cols = 1; cols <= 200; cols++)
        {
            var row = new float[cols];
            for (int j = 0; j < cols; j++)
            {
                row[j] = Specials[rng.Next(Specials.Length)];
            }

            int words = (cols + 63) / 64;
            var packed = new ulong[words];
            Array.Fill(packed, 0xDEADBEEFUL); // every word written
            PackedMask.PackRow(row, packed);
            var back = new float[cols];
            Array.Fill(back, 7f);
            PackedMask.UnpackRow(packed, back, complement: false);
            var inverted = new float[cols];
            PackedMask.UnpackRow(packed, inverted, complement: true);
            for (int j = 0; j < cols; j++)
            {
                bool nonzero = row[j] != 0; // NaN != 0, as NumPy's truth value
                Assert.Equal(nonzero, ((packed[j >> 6] >> (j & 63)) & 1) != 0);
                Assert.Equal(nonzero ? 1f : 0f, back[j]);
                Assert.Equal(nonzero ? 0f : 1f, inverted[j]);
            }

            if (cols % 64 != 0)
            {
                Assert.Equal(0UL, packed[^1] >> (cols % 64)); // spare bits 0
            }
        }
    }

    /// <summary>Complement flips every pixel's bit (NumPy's logical_not) and keeps the spare bits of each row 0, for every row length.</summary>
    [Fact]
    public void TheComplementFlipsEveryPixelAndKeepsSpareBitsZero()
    {
        for (int cols = 1; cols <= 200; cols++)
        {
            var source = Random01(2, 3, cols, seed: cols);
            var mask = PackedMask.Pack(source);
            var complement = PackedMask.Complement(mask);
            for (int f = 0; f < 2; f++)
            {
                for (int r = 0; r < 3; r++)
                {
                    for (int c = 0; c < cols; c++)
                    {
                        Assert.NotEqual(mask.Get(f, r, c), complement.Get(f, r, c));
                    }

                    if (cols % 64 != 0)
                    {
                        Assert.Equal(0UL, complement.Row(f, r)[^1] >> (cols % 64));
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(1, 7, 65)]
    [InlineData(3, 33, 130)]
    [InlineData(1, 300, 517)]
    public void FloatPixelsComeFromTheBitsOnFirstReadOrOnThreads(int frames, int rows, int cols)
    {
        var source = Random01(frames, rows, cols, seed: rows + cols);
        var lazy = ImageArray.FromMask(PackedMask.Pack(source), isStack: frames > 1);
        var threaded = ImageArray.FromMask(PackedMask.Pack(source), isStack: frames > 1);
        Assert.Equal(source.Length, lazy.Length);
        Assert.Null(lazy.DataIfPresent);
        Assert.NotNull(lazy.Mask);
        for (int f = 0; f < frames; f++)
        {
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    Assert.Equal(source.Data[(f * rows * cols) + (i * cols) + j] != 0, lazy.Mask!.Get(f, i, j));
                }
            }
        }

        var expected = source.Data.Select(v => v != 0 ? 1f : 0f).ToArray();
        Assert.Equal(expected, lazy.Data);
        Assert.Equal(expected, threaded.Materialize(4));
        Assert.Same(threaded.Data, threaded.Materialize(2)); // made once
        Assert.Null(lazy.Mask); // once the pixels exist, they are the array
        Assert.Equal(frames > 1, lazy.IsStack);
    }

    [Fact]
    public void RacingReadersGetOneArrayWithTheSameValues()
    {
        var source = Random01(1, 257, 301, seed: 5);
        for (int trial = 0; trial < 20; trial++)
        {
            var a = ImageArray.FromMask(PackedMask.Pack(source), isStack: false);
            var seen = new float[8][];
            Parallel.For(0, seen.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => seen[k] = k % 2 == 0 ? a.Data : a.Materialize(2));
            Assert.All(seen, s => Assert.Same(seen[0], s));
            Assert.Equal(source.Data.Select(v => v != 0 ? 1f : 0f), seen[0]);
        }
    }

    [Fact]
    public void StorageIdentityIsKnownWithoutMakingPixels()
    {
        var source = Random01(1, 9, 70, seed: 2);
        var a = ImageArray.FromMask(PackedMask.Pack(source), isStack: false);
        var b = ImageArray.FromMask(PackedMask.Pack(source), isStack: false);
        Assert.True(a.SharesStorage(a));
        Assert.False(a.SharesStorage(b));
        Assert.False(a.SharesStorage(source));
        Assert.Null(a.DataIfPresent); // no pixels were made to answer
        var view = new ImageArray(a.Rows, a.Cols, a.Data); // an op returning its input's pixels
        Assert.True(view.SharesStorage(a));
        Assert.True(a.SharesStorage(view));
    }

    [Fact]
    public void ThePoolTakesTheBitsBackOnceAndNeverMakesPixelsToDoIt()
    {
        var source = Random01(1, 64, 64, seed: 3);
        var a = ImageArray.FromMask(PackedMask.Pack(source), isStack: false);
        var pool = new PixelPool();
        pool.Return(a);
        Assert.Null(a.DataIfPresent);
        Assert.Null(a.Mask);
        pool.Return(a); // a second return finds nothing
        Assert.Throws<InvalidOperationException>(() => a.Data); // released: reading it is a bug, reported as one
    }

    [Fact]
    public void AnImageHasOneFrame()
    {
        var mask = PackedMask.Rent(2, 3, 4);
        Assert.Throws<ArgumentException>(() => ImageArray.FromMask(mask, isStack: false));
        Assert.Throws<ArgumentOutOfRangeException>(() => PackedMask.Rent(1, 0, 4));
    }

    private static ImageArray Random01(int frames, int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var a = frames > 1 ? ImageArray.Stack(frames, rows, cols) : new ImageArray(rows, cols);
        for (int k = 0; k < a.Length; k++)
        {
            a.Data[k] = rng.NextDouble() < 0.5 ? 0f : Specials[rng.Next(2, Specials.Length)];
        }

        return a;
    }
}

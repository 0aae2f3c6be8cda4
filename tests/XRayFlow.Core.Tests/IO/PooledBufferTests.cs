using XRayFlow.Core.IO;
using Xunit;

namespace XRayFlow.Core.Tests.IO;

public class PooledBufferTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(256)]
    [InlineData(100_000)]
    public void WritesOfEverySizeAcrossGrowthKeepEveryByteInOrder(int capacity)
    {
        var random = new Random(1616);
        using var buffer = new PooledBuffer(capacity);
        var expected = new MemoryStream();
        for (int k = 0; k < 300; k++)
        {
            var chunk = new byte[random.Next(0, k % 50 == 0 ? 70_000 : 700)];
            random.NextBytes(chunk);
            if (chunk.Length == 1)
            {
                buffer.WriteByte(chunk[0]);
            }
            else
            {
                buffer.Write(chunk, 0, chunk.Length);
            }

            expected.Write(chunk);
        }

        Assert.Equal(expected.Length, buffer.Length);
        Assert.Equal(expected.ToArray(), buffer.ToArray());
        Assert.True(buffer.Memory.Span.SequenceEqual(expected.ToArray()));
    }

    [Fact]
    public void ALengthPatchedAfterTheDataStaysInTheBytesWritten()
    {
        using var buffer = new PooledBuffer(4);
        buffer.Write([0, 0, 0, 0]);
        buffer.Write(new byte[5000]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer.WrittenSpan, 5000);
        buffer.Write([7]);
        Assert.Equal(new byte[] { 0, 0, 0x13, 0x88 }, buffer.Span[..4].ToArray());
        Assert.Equal(5005, buffer.Length);
        Assert.Equal(7, buffer.Span[^1]);
    }

    [Fact]
    public void ADisposedBufferRefusesWritesAndHoldsNothing()
    {
        var buffer = new PooledBuffer(16);
        buffer.Write([1, 2, 3]);
        buffer.Dispose();
        Assert.Equal(0, buffer.Length);
        Assert.Throws<ObjectDisposedException>(() => buffer.Write([4]));
        buffer.Dispose(); // twice is harmless
    }
}

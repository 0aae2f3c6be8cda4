using System.Buffers;

namespace XRayFlow.Core.IO;

/// <summary>
/// A write-only, growable byte buffer rented from <see cref="ArrayPool{T}.Shared"/>: an encoder writes a whole file
/// into it and the caller writes <see cref="Span"/> out and hashes it, with no fresh large array per file (a
/// <see cref="MemoryStream"/> allocates each doubling and <c>ToArray</c> once more: about 4 MB of new, zeroed
/// memory and as many bytes copied per 600 KB PNG in a batch). Growth rents the doubled size, copies, and returns
/// the old array. <see cref="Dispose(bool)"/> returns the array; the spans handed out are then invalid.
/// </summary>
public sealed class PooledBuffer : Stream
{
    private byte[] array;
    private int length;

    /// <param name="capacity">The expected size: the first array rented holds at least this many bytes.</param>
    public PooledBuffer(int capacity = 4096)
    {
        array = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 256));
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Span => array.AsSpan(0, length);

    /// <summary>The bytes written so far, as memory (valid until the buffer is disposed or written to again).</summary>
    public ReadOnlyMemory<byte> Memory => array.AsMemory(0, length);

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => length;

    public override long Position { get => length; set => throw new NotSupportedException(); }

    /// <summary>The bytes written so far, writable (for a length or checksum patched in after the data).</summary>
    public Span<byte> WrittenSpan => array.AsSpan(0, length);

    /// <summary>A copy of the bytes written (for callers that keep them).</summary>
    public byte[] ToArray() => Span.ToArray();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Ensure(buffer.Length);
        buffer.CopyTo(array.AsSpan(length));
        length += buffer.Length;
    }

    /// <summary>Room for at least <paramref name="sizeHint"/> more bytes at the end (write there, then <see cref="Advance"/>).</summary>
    public Span<byte> GetSpan(int sizeHint)
    {
        Ensure(sizeHint);
        return array.AsSpan(length);
    }

    /// <summary>Counts <paramref name="count"/> bytes written into the span <see cref="GetSpan"/> gave as written.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, array.Length - length);
        length += count;
    }

    public override void WriteByte(byte value)
    {
        Ensure(1);
        array[length++] = value;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
            array = [];
            length = 0;
        }

        base.Dispose(disposing);
    }

    private void Ensure(int more)
    {
        ObjectDisposedException.ThrowIf(array.Length == 0, this);
        long need = (long)length + more;
        if (need <= array.Length)
        {
            return;
        }

        if (need > Array.MaxLength)
        {
            throw new IOException($"an encoded file of {need} bytes is more than one buffer holds ({Array.MaxLength})");
        }

        var next = ArrayPool<byte>.Shared.Rent((int)Math.Min(Math.Max(need, 2L * array.Length), Array.MaxLength));
        array.AsSpan(0, length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(array);
        array = next;
    }
}

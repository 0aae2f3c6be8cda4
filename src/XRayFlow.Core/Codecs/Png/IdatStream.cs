namespace XRayFlow.Core.Codecs.Png;

/// <summary>The data of the IDAT chunks as one stream, read in place from the file's bytes.</summary>
internal sealed class IdatStream(byte[] file, List<(int Offset, int Length)> chunks) : Stream
{
    private int chunk;
    private int pos;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (chunk < chunks.Count && pos == chunks[chunk].Length)
        {
            chunk++;
            pos = 0;
        }

        if (chunk == chunks.Count || buffer.IsEmpty)
        {
            return 0;
        }

        var (offset, length) = chunks[chunk];
        int n = Math.Min(buffer.Length, length - pos);
        file.AsSpan(offset + 8 + pos, n).CopyTo(buffer);
        pos += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

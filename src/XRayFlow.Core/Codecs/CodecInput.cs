using System.Buffers;
using XRayFlow.Core.IO;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// One input's bytes as a codec reads them: a name for messages, the length, the first bytes (to sniff the
/// format), and the rest as a forward-only stream. A file is opened through <see cref="UntrustedFile"/>: only
/// a regular file (a FIFO, a device, a socket or a directory is refused before it is opened), and never more
/// bytes read than the length stat reported: a file that grows while it is read is not followed, one that
/// shrinks is refused. Only the first <see cref="HeadBytes"/> are read before the codec checks the length
/// against its format's bound (<see cref="RequireAtMost"/>).
/// </summary>
internal sealed class CodecInput : IDisposable
{
    /// <summary>Bytes read to sniff the format (DICOM's 'DICM' ends at byte 132).</summary>
    public const int HeadBytes = 132;

    /// <summary>A forward-only stream is copied up to this many bytes: the largest of the formats' bounds (<see cref="Npy.NpyReader.MaxFileBytes"/>).</summary>
    public const long MaxBytes = Npy.NpyReader.MaxFileBytes;

    private readonly Stream _source;
    private readonly bool _ownsSource;
    private bool _restTaken;

    private CodecInput(string name, long length, Stream source, bool ownsSource)
    {
        Name = name;
        Length = length;
        _source = source;
        _ownsSource = ownsSource;
        Head = new byte[(int)Math.Min(HeadBytes, length)];
        int got = source.ReadAtLeast(Head, Head.Length, throwOnEndOfStream: false);
        if (got < Head.Length)
        {
            throw Changed(got);
        }
    }

    /// <summary>The name used in messages (the path as the user gave it, or the stream's name).</summary>
    public string Name { get; }

    /// <summary>The length the file system (or the stream) reports, in bytes.</summary>
    public long Length { get; }

    /// <summary>The first min(<see cref="HeadBytes"/>, <see cref="Length"/>) bytes.</summary>
    public byte[] Head { get; }

    /// <summary>
    /// Opens a file and reads its first bytes: refused (with the reason a user needs) when it is missing, not a
    /// regular file, or unreadable.
    /// </summary>
    /// <exception cref="ImageDecodeException">The file cannot be opened as an input.</exception>
    public static CodecInput OpenFile(string path)
    {
        var facts = UntrustedFile.Stat(path);
        if (facts.Kind == FileKind.Missing)
        {
            string? folder = path.Length == 0 || path.Contains('\0') ? null : Path.GetDirectoryName(Path.GetFullPath(path));
            throw new ImageDecodeException(path, folder is not null && !Directory.Exists(folder) ? "file not found (the folder does not exist)" : "file not found");
        }

        if (facts.Kind != FileKind.Regular)
        {
            throw new ImageDecodeException(path, $"it is {UntrustedFile.Describe(facts.Kind)}, not a regular file; XRayFlow reads only regular files");
        }

        Stream stream;
        try
        {
            stream = UntrustedFile.OpenRead(path, facts.Length);
        }
        catch (FileNotFoundException)
        {
            throw new ImageDecodeException(path, "file not found");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ImageDecodeException(path, "permission denied", ex);
        }
        catch (UntrustedFileException ex)
        {
            throw new ImageDecodeException(path, $"the file changed while it was opened ({ex.Message})", ex);
        }
        catch (IOException ex)
        {
            throw new ImageDecodeException(path, $"cannot open the file: {ex.Message}", ex);
        }

        try
        {
            return new CodecInput(path, facts.Length, stream, ownsSource: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A stream's bytes from its position: a seekable stream's remaining length; a forward-only stream is
    /// copied first, at most <see cref="MaxBytes"/> bytes (and one array's worth). The stream is not disposed.
    /// </summary>
    public static CodecInput FromStream(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek)
        {
            return new CodecInput(name, stream.Length - stream.Position, stream, ownsSource: false);
        }

        var copy = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        long cap = Math.Min(MaxBytes, Array.MaxLength); // a MemoryStream holds at most one array
        try
        {
            int n;
            while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (copy.Length + n > cap)
                {
                    throw new ImageDecodeException(name, $"the stream holds more than the {cap} bytes a forward-only input may have");
                }

                copy.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        copy.Position = 0;
        return new CodecInput(name, copy.Length, copy, ownsSource: true);
    }

    /// <summary>The format the reader uses for this input (its first bytes, and the .dcm hint: <see cref="ImageReader.DetectFormat(ReadOnlySpan{byte}, string)"/>).</summary>
    public ImageFileFormat Format => ImageReader.DetectFormat(Head, Name);

    /// <summary>Refuses an input longer than a format's bound, before any of the rest is read.</summary>
    public void RequireAtMost(long maxBytes, string format)
    {
        if (Length > maxBytes)
        {
            throw new ImageDecodeException(Name, $"the {format} file is {Length} bytes, more than the {maxBytes} bytes a {format} file may have");
        }
    }

    /// <summary>All <see cref="Length"/> bytes in a new array of exactly that length (the input may be read once).</summary>
    public byte[] ReadAll()
    {
        var bytes = new byte[Length];
        FillAll(bytes);
        return bytes;
    }

    /// <summary>All <see cref="Length"/> bytes in an array from <see cref="ArrayPool{T}.Shared"/> (give it back); the input may be read once.</summary>
    public byte[] RentAll()
    {
        var bytes = ArrayPool<byte>.Shared.Rent((int)Length);
        try
        {
            FillAll(bytes);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw;
        }

        return bytes;
    }

    /// <summary>The whole input as a forward-only stream (the head, then the rest), ending after <see cref="Length"/> bytes.</summary>
    public Stream OpenStream()
    {
        TakeRest();
        return new InputStream(this);
    }

    public void Dispose()
    {
        if (_ownsSource)
        {
            _source.Dispose();
        }
    }

    private void FillAll(byte[] bytes)
    {
        if (Length > Array.MaxLength)
        {
            throw new ImageDecodeException(Name, $"the file is {Length} bytes, too large for one buffer");
        }

        TakeRest();
        Head.CopyTo(bytes, 0);
        long want = Length - Head.Length;
        int got = _source.ReadAtLeast(bytes.AsSpan(Head.Length, (int)want), (int)want, throwOnEndOfStream: false);
        if (got < want)
        {
            throw Changed(Head.Length + got);
        }
    }

    private void TakeRest()
    {
        if (_restTaken)
        {
            throw new InvalidOperationException("an input is read once");
        }

        _restTaken = true;
    }

    private ImageDecodeException Changed(long got)
        => new(Name, $"the file changed while it was read: it ended at byte {got}, but its size was {Length} bytes");

    /// <summary>Head then the source's remaining bytes, never more than Length in all.</summary>
    private sealed class InputStream(CodecInput input) : Stream
    {
        private long _pos;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => input.Length;

        public override long Position
        {
            get => _pos;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty || _pos >= input.Length)
            {
                return 0;
            }

            if (_pos < input.Head.Length)
            {
                int n = (int)Math.Min(buffer.Length, input.Head.Length - _pos);
                input.Head.AsSpan((int)_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }

            long left = input.Length - _pos;
            var slice = left < buffer.Length ? buffer[..(int)left] : buffer;
            int got = input._source.Read(slice);
            if (got == 0)
            {
                throw input.Changed(_pos);
            }

            _pos += got;
            return got;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

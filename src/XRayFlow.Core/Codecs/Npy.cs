using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// NumPy .npy files (format versions 1.0, 2.0 and 3.0).
/// <para>Reading: C order only (<c>fortran_order: True</c> is refused), rank 2 (an image) or rank 3 (a stack);
/// little- or big-endian; dtypes bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float16,
/// float32, float64 (converted to float32 as numpy's <c>astype(np.float32)</c> does: round to nearest), and
/// complex64/complex128 (real and imaginary parts). The header and the data length are validated before any
/// pixel buffer is allocated.</para>
/// <para>Writing: version 1.0 (2.0 if the header would not fit), dtype <c>'&lt;f4'</c> (float32, little-endian)
/// or <c>'&lt;c8'</c> (complex64) for a complex array, C order, shape (H, W) or (N, H, W); the header is
/// padded with spaces so the data starts at a multiple of 64 bytes, as numpy does.</para>
/// </summary>
public static class Npy
{
    /// <summary>The first six bytes of every .npy file.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header accepted (numpy itself writes a few hundred bytes).</summary>
    public const int MaxHeaderLength = 1 << 16;

    public static ImageArray Read(string path, ImageReadOptions? options = null)
    {
        FileStream stream;
        try
        {
            stream = File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, ex is FileNotFoundException or DirectoryNotFoundException ? "file not found" : ex.Message, ex);
        }

        using (stream)
        {
            return Read(stream, path, options);
        }
    }

    /// <summary>Read a .npy from a stream; <paramref name="name"/> names it in messages.</summary>
    /// <exception cref="ImageDecodeException">Not a valid or not a supported .npy.</exception>
    public static ImageArray Read(Stream stream, string name = "<stream>", ImageReadOptions? options = null)
    {
        options ??= ImageReadOptions.Default;
        var (shape, dtype, descr) = ReadHeader(stream, name, options);
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }

        long dataLen = count * dtype.Size;
        if (stream.CanSeek)
        {
            long remaining = stream.Length - stream.Position;
            if (remaining < dataLen)
            {
                throw new ImageDecodeException(name, $"truncated .npy: shape ({string.Join(", ", shape)}) of {descr} needs {dataLen} data bytes, the file has {remaining}");
            }
        }

        var real = new float[count];
        float[]? imag = dtype.Kind == 'c' ? new float[count] : null;
        ReadData(stream, name, dtype, real, imag);

        var array = shape.Length == 2
            ? new ImageArray((int)shape[0], (int)shape[1], real, imag)
            : ImageArray.Stack((int)shape[0], (int)shape[1], (int)shape[2], real, imag);

        // uint8 / uint16 samples take scikit-image's integer path, float samples its float path (IntegerSource).
        return dtype.Kind switch
        {
            'u' when dtype.Size is 1 or 2 => IntegerSource.Record(array, dtype.Size * 8),
            'f' => IntegerSource.Record(array, 0),
            _ => array,
        };
    }

    /// <summary>The rank (2 or 3), shape and complexity a .npy header declares (validated as <see cref="Read(Stream, string, ImageReadOptions?)"/> does).</summary>
    internal static (int Rank, long[] Shape, bool Complex) ReadShape(Stream stream, string name)
    {
        var (shape, dtype, _) = ReadHeader(stream, name, new ImageReadOptions { MaxPixels = long.MaxValue });
        return (shape.Length, shape, dtype.Kind == 'c');
    }

    private static (long[] Shape, DType DType, string Descr) ReadHeader(Stream stream, string name, ImageReadOptions options)
    {
        var pre = new byte[10];
        int got = stream.ReadAtLeast(pre, 8, throwOnEndOfStream: false);
        if (got < 8 || !pre.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new ImageDecodeException(name, got == 0 ? "the file is empty" : "not a NumPy .npy file (bad magic)");
        }

        int major = pre[6];
        int minor = pre[7];
        long headerLen;
        if (major == 1)
        {
            if (got < 10)
            {
                got += stream.ReadAtLeast(pre.AsSpan(got), 10 - got, throwOnEndOfStream: false);
            }

            if (got < 10)
            {
                throw new ImageDecodeException(name, "truncated .npy: the header length is missing");
            }

            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre.AsSpan(8));
        }
        else if (major is 2 or 3)
        {
            var len4 = new byte[4];
            int have = got - 8;
            pre.AsSpan(8, have).CopyTo(len4);
            if (stream.ReadAtLeast(len4.AsSpan(have), 4 - have, throwOnEndOfStream: false) < 4 - have)
            {
                throw new ImageDecodeException(name, "truncated .npy: the header length is missing");
            }

            headerLen = BinaryPrimitives.ReadUInt32LittleEndian(len4);
        }
        else
        {
            throw new ImageDecodeException(name, $".npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        }

        if (headerLen > MaxHeaderLength)
        {
            throw new ImageDecodeException(name, $".npy header declares {headerLen} bytes, more than the limit of {MaxHeaderLength}");
        }

        var headerBytes = new byte[headerLen];
        if (stream.ReadAtLeast(headerBytes, (int)headerLen, throwOnEndOfStream: false) < headerLen)
        {
            throw new ImageDecodeException(name, "truncated .npy: the file ends inside the header");
        }

        string header = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (descr, fortran, shape) = ParseHeader(name, header);
        if (fortran)
        {
            throw new ImageDecodeException(name, ".npy array is in Fortran order; only C order is supported (save np.ascontiguousarray(a))");
        }

        if (shape.Length is not (2 or 3))
        {
            throw new ImageDecodeException(name, $".npy array has shape ({string.Join(", ", shape)}); an image is 2-D (rows, cols) and a stack 3-D (frames, rows, cols)");
        }

        long count = 1;
        foreach (long d in shape)
        {
            if (d <= 0 || d > options.MaxPixels)
            {
                if (d > 0)
                {
                    throw new ImageDecodeException(name, $".npy array of shape ({string.Join(", ", shape)}) has more than the limit of {options.MaxPixels} pixels");
                }

                throw new ImageDecodeException(name, $".npy array has shape ({string.Join(", ", shape)}) with an empty axis");
            }

            if (d > int.MaxValue || count > int.MaxValue / d)
            {
                throw new ImageDecodeException(name, $".npy array of shape ({string.Join(", ", shape)}) is larger than 2^31 values");
            }

            count *= d;
            if (count > options.MaxPixels)
            {
                throw new ImageDecodeException(name, $".npy array of shape ({string.Join(", ", shape)}) has more than the limit of {options.MaxPixels} pixels");
            }
        }

        if (count > int.MaxValue)
        {
            throw new ImageDecodeException(name, $".npy array of shape ({string.Join(", ", shape)}) is larger than 2^31 values");
        }

        return (shape, ParseDescr(name, descr), descr);
    }

    public static void Write(string path, ImageArray image)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, image);
    }

    /// <summary>Write float32 '&lt;f4' (or complex64 '&lt;c8' when the array is complex), C order, shape (H, W) or (N, H, W).</summary>
    public static void Write(Stream stream, ImageArray image)
    {
        ArgumentNullException.ThrowIfNull(image);
        string shape = image.IsStack
            ? $"({image.Frames}, {image.Rows}, {image.Cols})"
            : $"({image.Rows}, {image.Cols})";
        string descr = image.IsComplex ? "<c8" : "<f4";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";

        // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
        int major = 1;
        int prefix = 10;
        int total = prefix + dict.Length + 1;
        int padded = (total + 63) / 64 * 64;
        if (padded - prefix > ushort.MaxValue)
        {
            major = 2;
            prefix = 12;
            total = prefix + dict.Length + 1;
            padded = (total + 63) / 64 * 64;
        }

        string header = dict + new string(' ', padded - total) + "\n";
        var head = new byte[prefix];
        Magic.CopyTo(head);
        head[6] = (byte)major;
        head[7] = 0;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(8), (ushort)header.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(8), (uint)header.Length);
        }

        stream.Write(head);
        stream.Write(Encoding.ASCII.GetBytes(header));

        var buffer = new byte[1 << 16];
        if (image.Imag is { } im)
        {
            int per = buffer.Length / 8;
            for (int k0 = 0; k0 < image.Length; k0 += per)
            {
                int n = Math.Min(per, image.Length - k0);
                for (int k = 0; k < n; k++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(k * 8), image.Data[k0 + k]);
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan((k * 8) + 4), im[k0 + k]);
                }

                stream.Write(buffer, 0, n * 8);
            }
        }
        else if (BitConverter.IsLittleEndian)
        {
            stream.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(image.Data.AsSpan()));
        }
        else
        {
            int per = buffer.Length / 4;
            for (int k0 = 0; k0 < image.Length; k0 += per)
            {
                int n = Math.Min(per, image.Length - k0);
                for (int k = 0; k < n; k++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(k * 4), image.Data[k0 + k]);
                }

                stream.Write(buffer, 0, n * 4);
            }
        }
    }

    private readonly record struct DType(char Kind, int Size, bool BigEndian);

    private static DType ParseDescr(string name, string descr)
    {
        if (descr.Length < 3)
        {
            throw Unsupported(name, descr);
        }

        char order = descr[0];
        char kind = descr[1];
        if (!int.TryParse(descr.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out int size))
        {
            throw Unsupported(name, descr);
        }

        bool big = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        if (order is not ('<' or '>' or '|' or '='))
        {
            throw Unsupported(name, descr);
        }

        bool ok = kind switch
        {
            'b' => size == 1,
            'i' or 'u' => size is 1 or 2 or 4 or 8,
            'f' => size is 2 or 4 or 8,
            'c' => size is 8 or 16,
            _ => false,
        };
        return ok ? new DType(kind, size, big) : throw Unsupported(name, descr);
    }

    private static ImageDecodeException Unsupported(string name, string descr)
        => new(name, $".npy dtype '{descr}' is not supported (bool, int8/16/32/64, uint8/16/32/64, float16/32/64, complex64/128 are)");

    private static void ReadData(Stream stream, string name, DType t, float[] real, float[]? imag)
    {
        int per = Math.Max(1, (1 << 16) / t.Size);
        var buffer = new byte[per * t.Size];
        long count = real.Length;
        for (long k0 = 0; k0 < count; k0 += per)
        {
            int n = (int)Math.Min(per, count - k0);
            int bytes = n * t.Size;
            if (stream.ReadAtLeast(buffer.AsSpan(0, bytes), bytes, throwOnEndOfStream: false) < bytes)
            {
                throw new ImageDecodeException(name, "truncated .npy: the file ends inside the data");
            }

            Convert(buffer.AsSpan(0, bytes), t, real.AsSpan((int)k0, n), imag is null ? default : imag.AsSpan((int)k0, n));
        }
    }

    private static void Convert(ReadOnlySpan<byte> src, DType t, Span<float> real, Span<float> imag)
    {
        bool big = t.BigEndian;
        int n = real.Length;
        switch (t.Kind, t.Size)
        {
            case ('b', 1):
                for (int k = 0; k < n; k++)
                {
                    real[k] = src[k] != 0 ? 1f : 0f;
                }

                break;
            case ('u', 1):
                for (int k = 0; k < n; k++)
                {
                    real[k] = src[k];
                }

                break;
            case ('i', 1):
                for (int k = 0; k < n; k++)
                {
                    real[k] = (sbyte)src[k];
                }

                break;
            case ('u', 2):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 2, 2);
                    real[k] = big ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s);
                }

                break;
            case ('i', 2):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 2, 2);
                    real[k] = big ? BinaryPrimitives.ReadInt16BigEndian(s) : BinaryPrimitives.ReadInt16LittleEndian(s);
                }

                break;
            case ('u', 4):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 4, 4);
                    real[k] = big ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s);
                }

                break;
            case ('i', 4):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 4, 4);
                    real[k] = big ? BinaryPrimitives.ReadInt32BigEndian(s) : BinaryPrimitives.ReadInt32LittleEndian(s);
                }

                break;
            case ('u', 8):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 8, 8);
                    real[k] = big ? BinaryPrimitives.ReadUInt64BigEndian(s) : BinaryPrimitives.ReadUInt64LittleEndian(s);
                }

                break;
            case ('i', 8):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 8, 8);
                    real[k] = big ? BinaryPrimitives.ReadInt64BigEndian(s) : BinaryPrimitives.ReadInt64LittleEndian(s);
                }

                break;
            case ('f', 2):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 2, 2);
                    real[k] = (float)(big ? BinaryPrimitives.ReadHalfBigEndian(s) : BinaryPrimitives.ReadHalfLittleEndian(s));
                }

                break;
            case ('f', 4):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 4, 4);
                    real[k] = big ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s);
                }

                break;
            case ('f', 8):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 8, 8);
                    real[k] = (float)(big ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s));
                }

                break;
            case ('c', 8):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 8, 8);
                    real[k] = big ? BinaryPrimitives.ReadSingleBigEndian(s) : BinaryPrimitives.ReadSingleLittleEndian(s);
                    imag[k] = big ? BinaryPrimitives.ReadSingleBigEndian(s[4..]) : BinaryPrimitives.ReadSingleLittleEndian(s[4..]);
                }

                break;
            case ('c', 16):
                for (int k = 0; k < n; k++)
                {
                    var s = src.Slice(k * 16, 16);
                    real[k] = (float)(big ? BinaryPrimitives.ReadDoubleBigEndian(s) : BinaryPrimitives.ReadDoubleLittleEndian(s));
                    imag[k] = (float)(big ? BinaryPrimitives.ReadDoubleBigEndian(s[8..]) : BinaryPrimitives.ReadDoubleLittleEndian(s[8..]));
                }

                break;
            default:
                throw new InvalidOperationException($"dtype {t} not handled");
        }
    }

    /// <summary>
    /// Parse the header, a Python dict literal such as
    /// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>. Only these three keys, with
    /// string / bool / tuple-of-int values, are accepted.
    /// </summary>
    private static (string Descr, bool Fortran, long[] Shape) ParseHeader(string name, string header)
    {
        var p = new HeaderParser(header.TrimEnd('\n', ' ', '\0', '\r', '\t'));
        string? descr = null;
        bool? fortran = null;
        long[]? shape = null;
        try
        {
            p.Expect('{');
            while (true)
            {
                p.SkipSpace();
                if (p.TryConsume('}'))
                {
                    break;
                }

                string key = p.ReadString();
                p.Expect(':');
                switch (key)
                {
                    case "descr":
                        p.SkipSpace();
                        if (p.Peek() is not ('\'' or '"'))
                        {
                            throw new FormatException("'descr' is a structured dtype; only plain numeric dtypes are supported");
                        }

                        descr = p.ReadString();
                        break;
                    case "fortran_order":
                        fortran = p.ReadBool();
                        break;
                    case "shape":
                        shape = p.ReadTuple();
                        break;
                    default:
                        throw new FormatException($"unexpected key '{key}'");
                }

                p.SkipSpace();
                if (!p.TryConsume(','))
                {
                    p.Expect('}');
                    break;
                }
            }

            p.SkipSpace();
            if (!p.AtEnd)
            {
                throw new FormatException("text after the closing brace");
            }
        }
        catch (FormatException ex)
        {
            throw new ImageDecodeException(name, $"corrupt .npy header: {ex.Message}");
        }

        if (descr is null || fortran is null || shape is null)
        {
            throw new ImageDecodeException(name, "corrupt .npy header: it needs 'descr', 'fortran_order' and 'shape'");
        }

        return (descr, fortran.Value, shape);
    }

    private sealed class HeaderParser(string text)
    {
        private int pos;

        public bool AtEnd => pos >= text.Length;

        public char Peek() => pos < text.Length ? text[pos] : '\0';

        public void SkipSpace()
        {
            while (pos < text.Length && char.IsWhiteSpace(text[pos]))
            {
                pos++;
            }
        }

        public bool TryConsume(char c)
        {
            SkipSpace();
            if (pos < text.Length && text[pos] == c)
            {
                pos++;
                return true;
            }

            return false;
        }

        public void Expect(char c)
        {
            if (!TryConsume(c))
            {
                throw new FormatException($"expected '{c}' at character {pos}");
            }
        }

        public string ReadString()
        {
            SkipSpace();
            char q = Peek();
            if (q is not ('\'' or '"'))
            {
                throw new FormatException($"expected a quoted string at character {pos}");
            }

            int end = text.IndexOf(q, pos + 1);
            if (end < 0)
            {
                throw new FormatException("unterminated string");
            }

            string s = text.Substring(pos + 1, end - pos - 1);
            pos = end + 1;
            return s;
        }

        public bool ReadBool()
        {
            SkipSpace();
            if (text.AsSpan(pos).StartsWith("True", StringComparison.Ordinal))
            {
                pos += 4;
                return true;
            }

            if (text.AsSpan(pos).StartsWith("False", StringComparison.Ordinal))
            {
                pos += 5;
                return false;
            }

            throw new FormatException($"expected True or False at character {pos}");
        }

        public long[] ReadTuple()
        {
            Expect('(');
            var dims = new List<long>();
            while (true)
            {
                SkipSpace();
                if (TryConsume(')'))
                {
                    break;
                }

                int start = pos;
                while (pos < text.Length && char.IsAsciiDigit(text[pos]))
                {
                    pos++;
                }

                // numpy may write '3L' in very old (Python 2) files.
                if (pos < text.Length && text[pos] == 'L')
                {
                    pos++;
                }

                if (!long.TryParse(text.AsSpan(start, pos - start).TrimEnd('L'), NumberStyles.None, CultureInfo.InvariantCulture, out long d))
                {
                    throw new FormatException($"expected a dimension at character {start}");
                }

                dims.Add(d);
                if (dims.Count > 32)
                {
                    throw new FormatException("too many dimensions");
                }

                if (!TryConsume(','))
                {
                    Expect(')');
                    break;
                }
            }

            return [.. dims];
        }
    }
}

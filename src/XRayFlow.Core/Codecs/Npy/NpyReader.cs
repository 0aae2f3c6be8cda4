using System.Buffers.Binary;
using System.Text;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Npy;

/// <summary>
/// Reads NumPy .npy files (format versions 1.0, 2.0 and 3.0): C order only (<c>fortran_order: True</c> is
/// refused), rank 2 (an image) or rank 3 (a stack); little- or big-endian; dtypes bool, int8, uint8, int16,
/// uint16, int32, uint32, int64, uint64, float16, float32, float64 (converted to float32 as numpy's
/// <c>astype(np.float32)</c> does: round to nearest), and complex64/complex128 (real and imaginary parts). The
/// header and the data length are validated before any pixel buffer is allocated. Writing: <see cref="NpyWriter"/>.
/// </summary>
public static class NpyReader
{
    /// <summary>The first six bytes of every .npy file.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Largest header accepted (numpy itself writes a few hundred bytes).</summary>
    public const int MaxHeaderLength = 1 << 16;

    /// <summary>
    /// Largest .npy file read, in bytes: the largest array the default pixel limit allows (1e8 complex128 values,
    /// 1.6 GB) fits with its header; a larger file is refused before it is read.
    /// </summary>
    public const long MaxFileBytes = 2L << 30;

    /// <summary>Read a .npy file (a regular file of at most <see cref="MaxFileBytes"/> bytes).</summary>
    /// <exception cref="ImageDecodeException">Not a readable, valid or supported .npy.</exception>
    public static ImageArray Read(string path, ImageReadOptions? options = null)
    {
        using var input = CodecInput.OpenFile(path);
        return Read(input, options ?? ImageReadOptions.Default);
    }

    /// <summary>Read a .npy from a stream (its position to its end); <paramref name="name"/> names it in messages.</summary>
    /// <exception cref="ImageDecodeException">Not a valid or not a supported .npy.</exception>
    public static ImageArray Read(Stream stream, string name = "<stream>", ImageReadOptions? options = null)
    {
        using var input = CodecInput.FromStream(stream, name);
        return Read(input, options ?? ImageReadOptions.Default);
    }

    internal static ImageArray Read(CodecInput input, ImageReadOptions options)
    {
        string name = input.Name;
        input.RequireAtMost(MaxFileBytes, ".npy");
        using var stream = input.OpenStream();
        var (shape, dtype, descr) = ReadHeader(stream, name, options);
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }

        long dataLen = count * dtype.Size;
        long remaining = input.Length - stream.Position;
        if (remaining < dataLen)
        {
            throw new ImageDecodeException(name, $"truncated .npy: shape ({string.Join(", ", shape)}) of {descr} needs {dataLen} data bytes, the file has {remaining}");
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
    internal static (int Rank, long[] Shape, bool Complex) ReadShape(CodecInput input)
    {
        var (shape, complex, _) = ReadDeclaration(input);
        return (shape.Length, shape, complex);
    }

    /// <summary>How the file stores its values, for `xrayflow info`: "npy, &lt;f8" (the header's dtype).</summary>
    internal static string Describe(CodecInput input) => "npy, " + ReadDeclaration(input).Descr;

    private static (long[] Shape, bool Complex, string Descr) ReadDeclaration(CodecInput input)
    {
        input.RequireAtMost(MaxFileBytes, ".npy");
        using var stream = input.OpenStream();
        var (shape, dtype, descr) = ReadHeader(stream, input.Name, new ImageReadOptions { MaxPixels = long.MaxValue });
        return (shape, dtype.Kind == 'c', descr);
    }

    private static (long[] Shape, NpyDType DType, string Descr) ReadHeader(Stream stream, string name, ImageReadOptions options)
    {
        var pre = new byte[10];
        int got = stream.ReadAtLeast(pre, 8, throwOnEndOfStream: false);
        if (got < 8 || !pre.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new ImageDecodeException(name, got == 0 ? "the file is empty" : "not a NumPy .npy file (bad magic)");
        }

        int major = pre[6];
        int minor = pre[7];
        if (minor != 0 || major is not (1 or 2 or 3))
        {
            // numpy.lib.format refuses every other version, minor ones included (its _check_version).
            throw new ImageDecodeException(name, $".npy format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        }

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
        else
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
        var (descr, fortran, shape) = NpyHeader.Parse(name, header);
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

        return (shape, NpyDType.Parse(name, descr), descr);
    }

    private static void ReadData(Stream stream, string name, NpyDType t, float[] real, float[]? imag)
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

            t.Convert(buffer.AsSpan(0, bytes), real.AsSpan((int)k0, n), imag is null ? default : imag.AsSpan((int)k0, n));
        }
    }
}

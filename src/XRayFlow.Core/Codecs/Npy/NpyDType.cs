using System.Buffers.Binary;
using System.Globalization;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Codecs.Npy;

/// <summary>A .npy dtype: kind ('b', 'i', 'u', 'f', 'c'), size in bytes, byte order.</summary>
internal readonly record struct NpyDType(char Kind, int Size, bool BigEndian)
{
    /// <summary>The dtype a header's 'descr' names; refused unless it is one of the supported plain numeric dtypes.</summary>
    public static NpyDType Parse(string name, string descr)
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
        return ok ? new NpyDType(kind, size, big) : throw Unsupported(name, descr);
    }

    private static ImageDecodeException Unsupported(string name, string descr)
        => new(name, $".npy dtype '{Printable.Excerpt(descr)}' is not supported (bool, int8/16/32/64, uint8/16/32/64, float16/32/64, complex64/128 are)");

    /// <summary>Samples of this dtype to float32 (numpy's astype(np.float32)); complex: real and imaginary parts.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Convert(ReadOnlySpan<byte> src, Span<float> real, Span<float> imag)
    {
        bool big = BigEndian;
        int n = real.Length;
        switch (Kind, Size)
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
                throw new InvalidOperationException($"dtype {this} not handled");
        }
    }
}

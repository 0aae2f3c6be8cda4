using System.Buffers.Binary;
using System.Text;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Npy;

/// <summary>
/// Writes NumPy .npy files: version 1.0 (2.0 if the header would not fit), dtype <c>'&lt;f4'</c> (float32,
/// little-endian) or <c>'&lt;c8'</c> (complex64) for a complex array, C order, shape (H, W) or (N, H, W); the
/// header is padded with spaces so the data starts at a multiple of 64 bytes, as numpy does.
/// </summary>
public static class NpyWriter
{
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
        NpyReader.Magic.CopyTo(head);
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
}

using System.Buffers.Binary;
using System.Text;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>Where the chunks the decoders need are in the file, as found by <see cref="Scan"/>.</summary>
internal sealed class PngChunkMap
{
    /// <summary>The IDAT chunks (all consecutive, in file order): offset of the chunk's length field, and its data length.</summary>
    public List<(int Offset, int Length)> Idat { get; } = [];

    /// <summary>Offset of the first PLTE chunk's length field, -1 when there is none before the image data.</summary>
    public int PlteOffset { get; set; } = -1;

    public int PlteLength { get; set; }

    /// <summary>Number of IHDR chunks (a second one is not valid PNG).</summary>
    public int IhdrCount { get; set; }

    /// <summary>
    /// Walk the chunk list: every chunk must fit in the file, there must be image data, the IDAT chunks must be
    /// consecutive (PNG requires it; ImageSharp would decode only the first run and leave the rest of the image
    /// black), and there must be an IEND. A truncated file fails here, before any decoder could decode the rows it
    /// has and leave the rest grey. Bytes after IEND are ignored.
    /// </summary>
    public static PngChunkMap Scan(string name, ReadOnlySpan<byte> bytes)
    {
        long pos = 8;
        var map = new PngChunkMap();
        bool idatEnded = false;
        while (true)
        {
            if (pos + 8 > bytes.Length)
            {
                throw new ImageDecodeException(name, $"truncated PNG: the file ends at byte {bytes.Length} without an IEND chunk");
            }

            long len = BinaryPrimitives.ReadUInt32BigEndian(bytes[(int)pos..]);
            var typeBytes = bytes.Slice((int)pos + 4, 4);
            if (len > int.MaxValue)
            {
                throw new ImageDecodeException(name, $"corrupt PNG: chunk '{ChunkName(typeBytes)}' at byte {pos} declares {len} bytes");
            }

            if (pos + 12 + len > bytes.Length)
            {
                throw new ImageDecodeException(name, $"truncated PNG: chunk '{ChunkName(typeBytes)}' at byte {pos} needs {len + 12} bytes but the file ends at byte {bytes.Length}");
            }

            if (typeBytes.SequenceEqual("IDAT"u8))
            {
                if (idatEnded)
                {
                    throw new ImageDecodeException(name, $"corrupt PNG: the image data chunks (IDAT) are not consecutive: another IDAT at byte {pos} follows other chunks");
                }

                map.Idat.Add(((int)pos, (int)len));
            }
            else
            {
                idatEnded = map.Idat.Count > 0;
                if (typeBytes.SequenceEqual("IEND"u8))
                {
                    break;
                }

                if (typeBytes.SequenceEqual("IHDR"u8))
                {
                    map.IhdrCount++;
                }
                else if (typeBytes.SequenceEqual("PLTE"u8) && map.PlteOffset < 0 && map.Idat.Count == 0)
                {
                    map.PlteOffset = (int)pos;
                    map.PlteLength = (int)len;
                }
            }

            pos += 12 + len;
        }

        if (map.Idat.Count == 0)
        {
            throw new ImageDecodeException(name, "corrupt PNG: no image data (IDAT chunk)");
        }

        return map;
    }

    /// <summary>A chunk type for a message: its 4 bytes as ASCII letters, or in hex if they are not letters.</summary>
    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
        {
            if (b is < (byte)'A' or > (byte)'z' or (> (byte)'Z' and < (byte)'a'))
            {
                return Convert.ToHexString(type);
            }
        }

        return Encoding.ASCII.GetString(type);
    }
}

using System.Buffers.Binary;

namespace XRayFlow.Core.Codecs.Jpeg;

/// <summary>
/// What a JPEG's markers declare, read without decoding (ITU-T T.81 Annex B): the frame header (SOF: precision,
/// size, components and their sampling factors) and, over the whole file, the scans (SOS) with the number of
/// entropy-coded bytes they hold. Segments are skipped by their lengths (an EXIF thumbnail's markers inside APP1 do
/// not count); bytes between segments are skipped as libjpeg skips them; bytes after EOI are ignored.
/// </summary>
internal sealed class JpegStructure
{
    private JpegStructure()
    {
    }

    /// <summary>The SOF marker (0xC0 baseline, 0xC1 extended sequential, 0xC2 progressive, ...).</summary>
    public byte FrameMarker { get; private set; }

    /// <summary>Bits per sample (P): 8, or 12 / 16 in files XRayFlow refuses.</summary>
    public int Precision { get; private set; }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>The frame's components: id and horizontal / vertical sampling factors (1..4).</summary>
    public List<(int Id, int H, int V)> Components { get; } = [];

    /// <summary>Number of scans (SOS markers).</summary>
    public int Scans { get; private set; }

    /// <summary>Bytes of entropy-coded data in all scans (restart markers excluded).</summary>
    public long EntropyBytes { get; private set; }

    /// <summary>True when the file ends with EOI after its last scan.</summary>
    public bool Complete { get; private set; }

    /// <summary>Offset where the walk stopped: after EOI, or the end of the file.</summary>
    public long End { get; private set; }

    public bool Progressive => FrameMarker == 0xC2;

    /// <summary>
    /// 8 x 8 blocks the frame holds over all components: component c covers ceil(ceil(X * Hc / Hmax) / 8) x
    /// ceil(ceil(Y * Vc / Vmax) / 8) blocks (T.81 A.1.1; MCU padding not counted). Every block's DC coefficient is
    /// coded at least once, with at least one bit in Huffman coding.
    /// </summary>
    public long Blocks
    {
        get
        {
            int hmax = Components.Max(c => c.H), vmax = Components.Max(c => c.V);
            long total = 0;
            foreach (var (_, h, v) in Components)
            {
                long cw = ((long)Width * h + hmax - 1) / hmax;
                long ch = ((long)Height * v + vmax - 1) / vmax;
                total += ((cw + 7) / 8) * ((ch + 7) / 8);
            }

            return total;
        }
    }

    /// <summary>
    /// Walks the markers. <paramref name="frameOnly"/> stops at the frame header (for the shape); else the walk
    /// goes to EOI (or the end of the file) and counts the scans' bytes. Throws
    /// <see cref="ImageDecodeException"/> for a structure no decoder could read: no SOI, a segment running past the
    /// end, a second SOI or SOF, a scan before the frame header, malformed SOF/SOS lengths or values.
    /// </summary>
    public static JpegStructure Parse(string name, ReadOnlySpan<byte> b, bool frameOnly = false)
    {
        var s = new JpegStructure();
        if (b.Length < 4 || b[0] != 0xFF || b[1] != 0xD8)
        {
            throw new ImageDecodeException(name, "corrupt JPEG: it does not start with the start-of-image marker (FF D8)");
        }

        long pos = 2;
        while (true)
        {
            // Next marker: skip any bytes before an FF (libjpeg warns "extraneous bytes before marker"), then fill bytes.
            while (pos < b.Length && b[(int)pos] != 0xFF)
            {
                pos++;
            }

            while (pos + 1 < b.Length && b[(int)pos + 1] == 0xFF)
            {
                pos++;
            }

            if (pos + 1 >= b.Length)
            {
                s.End = b.Length;
                return s.Finish(name, frameOnly);
            }

            byte marker = b[(int)pos + 1];
            pos += 2;
            if (marker == 0x00 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
            {
                continue; // a stuffed zero or restart marker outside a scan, or TEM: no segment
            }

            if (marker == 0xD9)
            {
                s.Complete = s.Scans > 0;
                s.End = pos;
                return s.Finish(name, frameOnly);
            }

            if (marker == 0xD8)
            {
                throw new ImageDecodeException(name, $"corrupt JPEG: a second start-of-image marker at byte {pos - 2}");
            }

            if (pos + 2 > b.Length)
            {
                s.End = b.Length;
                return s.Finish(name, frameOnly);
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(b[(int)pos..]);
            if (length < 2)
            {
                throw new ImageDecodeException(name, $"corrupt JPEG: the segment at byte {pos - 2} declares a length of {length}");
            }

            if (pos + length > b.Length)
            {
                if (s.FrameMarker != 0 && frameOnly)
                {
                    return s;
                }

                throw new ImageDecodeException(name, $"truncated JPEG: the segment at byte {pos - 2} needs {length} bytes but the file ends at byte {b.Length}");
            }

            var seg = b.Slice((int)pos + 2, length - 2);
            if (marker is >= 0xC0 and <= 0xCF && marker is not (0xC4 or 0xC8 or 0xCC))
            {
                s.ReadFrame(name, marker, seg, pos - 2);
                if (frameOnly)
                {
                    return s;
                }
            }
            else if (marker == 0xDA)
            {
                if (s.FrameMarker == 0)
                {
                    throw new ImageDecodeException(name, $"corrupt JPEG: a scan (SOS) at byte {pos - 2} comes before the frame header (SOF)");
                }

                s.ReadScanHeader(name, seg, pos - 2);
                pos += length;
                pos = s.SkipEntropyData(b, pos);
                continue;
            }

            pos += length;
        }
    }

    private JpegStructure Finish(string name, bool frameOnly)
    {
        if (FrameMarker == 0)
        {
            throw new ImageDecodeException(name, "corrupt JPEG: no frame header (SOF marker)");
        }

        if (frameOnly)
        {
            return this;
        }

        if (Scans == 0)
        {
            throw new ImageDecodeException(name, "corrupt JPEG: no image scan (SOS marker)");
        }

        if (!Complete)
        {
            throw new ImageDecodeException(name, $"truncated JPEG: no end-of-image marker after the last scan (the file ends at byte {End})");
        }

        return this;
    }

    private void ReadFrame(string name, byte marker, ReadOnlySpan<byte> seg, long at)
    {
        if (FrameMarker != 0)
        {
            throw new ImageDecodeException(name, $"corrupt JPEG: a second frame header (SOF) at byte {at}");
        }

        if (seg.Length < 6)
        {
            throw new ImageDecodeException(name, $"corrupt JPEG: the frame header at byte {at} is {seg.Length + 2} bytes long");
        }

        FrameMarker = marker;
        Precision = seg[0];
        Height = BinaryPrimitives.ReadUInt16BigEndian(seg[1..]);
        Width = BinaryPrimitives.ReadUInt16BigEndian(seg[3..]);
        int count = seg[5];
        if (count == 0 || seg.Length != 6 + (3 * count))
        {
            throw new ImageDecodeException(name, $"corrupt JPEG: the frame header at byte {at} declares {count} components in {seg.Length + 2} bytes");
        }

        for (int i = 0; i < count; i++)
        {
            int hv = seg[6 + (3 * i) + 1];
            Components.Add((seg[6 + (3 * i)], hv >> 4, hv & 15));
        }
    }

    private void ReadScanHeader(string name, ReadOnlySpan<byte> seg, long at)
    {
        if (seg.Length < 1 || seg[0] == 0 || seg.Length != 4 + (2 * seg[0]))
        {
            throw new ImageDecodeException(name, $"corrupt JPEG: the scan header at byte {at} is malformed");
        }

        Scans++;
    }

    /// <summary>Skips a scan's entropy-coded data (with its stuffed zeros and restart markers); returns the offset of the marker after it.</summary>
    private long SkipEntropyData(ReadOnlySpan<byte> b, long pos)
    {
        long start = pos;
        long restarts = 0;
        while (true)
        {
            int next = b[(int)pos..].IndexOf((byte)0xFF);
            if (next < 0)
            {
                EntropyBytes += b.Length - start - (2 * restarts);
                return b.Length;
            }

            pos += next;
            if (pos + 1 >= b.Length)
            {
                EntropyBytes += b.Length - start - (2 * restarts);
                return b.Length;
            }

            byte m = b[(int)pos + 1];
            if (m == 0x00)
            {
                pos += 2; // a stuffed FF: data
            }
            else if (m >= 0xD0 && m <= 0xD7)
            {
                restarts++;
                pos += 2;
            }
            else if (m == 0xFF)
            {
                pos++; // fill byte before a marker
            }
            else
            {
                EntropyBytes += pos - start - (2 * restarts);
                return pos;
            }
        }
    }
}

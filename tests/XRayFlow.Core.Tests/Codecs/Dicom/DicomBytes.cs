using System.Buffers.Binary;
using System.Text;
using XRayFlow.Core.Codecs.Dicom;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

/// <summary>
/// Builds small DICOM byte streams element by element: the preamble and 'DICM', a file meta group (Explicit VR
/// Little Endian) naming the transfer syntax, then dataset elements in that syntax's VR and byte order.
/// </summary>
internal sealed class DicomBytes
{
    private static readonly HashSet<string> LongVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    private readonly MemoryStream _ms = new();
    private bool _explicit = true;
    private bool _little = true;

    /// <summary>
    /// Preamble, 'DICM' and a meta group with the Transfer Syntax UID (none when null); then the dataset in that
    /// syntax. Without <paramref name="meta"/>: no meta group, only the dataset (e.g. to deflate it).
    /// </summary>
    public DicomBytes(string? transferSyntax = DicomTransferSyntax.ExplicitVrLittleEndianUid, bool preamble = true, bool meta = true)
    {
        if (preamble)
        {
            _ms.Write(new byte[128]);
            _ms.Write("DICM"u8);
        }

        if (meta)
        {
            Element(0x0002, 0x0001, "OB", [0, 1]);
        }

        if (transferSyntax is not null)
        {
            if (meta)
            {
                Text(0x0002, 0x0010, "UI", transferSyntax);
            }

            _explicit = transferSyntax != DicomTransferSyntax.ImplicitVrLittleEndianUid;
            _little = transferSyntax != DicomTransferSyntax.ExplicitVrBigEndianUid;
        }
    }

    public int Length => (int)_ms.Length;

    public byte[] ToArray() => _ms.ToArray();

    /// <summary>An element with its value; <paramref name="length"/> overrides the length field (e.g. 0xFFFFFFFF).</summary>
    public DicomBytes Element(ushort group, ushort element, string vr, ReadOnlySpan<byte> value, uint? length = null)
    {
        Header(group, element, vr, length ?? (uint)value.Length);
        _ms.Write(value);
        return this;
    }

    /// <summary>Tag, VR (when explicit) and length, in the dataset's encoding.</summary>
    public DicomBytes Header(ushort group, ushort element, string vr, uint length)
    {
        bool meta = group == 0x0002;
        bool little = meta || _little;
        Tag(group, element, little);
        if (meta || _explicit)
        {
            _ms.Write(Encoding.ASCII.GetBytes(vr));
            if (LongVrs.Contains(vr))
            {
                _ms.Write([0, 0]);
                U32(length, little);
            }
            else
            {
                U16((ushort)length, little);
            }
        }
        else
        {
            U32(length, little);
        }

        return this;
    }

    /// <summary>An item or delimiter header: (FFFE,xxxx) and a 32-bit length, no VR.</summary>
    public DicomBytes Item(ushort element, uint length)
    {
        Tag(0xFFFE, element, _little);
        U32(length, _little);
        return this;
    }

    public DicomBytes Raw(ReadOnlySpan<byte> bytes)
    {
        _ms.Write(bytes);
        return this;
    }

    /// <summary>A text value, padded to an even length with a space (a NUL for UI).</summary>
    public DicomBytes Text(ushort group, ushort element, string vr, string text)
    {
        string padded = text.Length % 2 == 0 ? text : text + (vr == "UI" ? "\0" : " ");
        return Element(group, element, vr, Encoding.ASCII.GetBytes(padded));
    }

    public DicomBytes US(ushort group, ushort element, ushort value) => Element(group, element, "US", Bytes(value, _little));

    /// <summary>The image pixel module for a grey image (High Bit = Bits Stored - 1 unless given); no Pixel Data.</summary>
    public DicomBytes Grey(int rows, int cols, int bitsAllocated = 8, int? bitsStored = null, int pixelRepresentation = 0, string photometric = "MONOCHROME2", int? highBit = null)
    {
        int bs = bitsStored ?? bitsAllocated;
        US(0x0028, 0x0002, 1);
        Text(0x0028, 0x0004, "CS", photometric);
        US(0x0028, 0x0010, (ushort)rows);
        US(0x0028, 0x0011, (ushort)cols);
        US(0x0028, 0x0100, (ushort)bitsAllocated);
        US(0x0028, 0x0101, (ushort)bs);
        US(0x0028, 0x0102, (ushort)(highBit ?? (bs - 1)));
        US(0x0028, 0x0103, (ushort)pixelRepresentation);
        return this;
    }

    public DicomBytes Pixels(ReadOnlySpan<byte> bytes, string vr = "OB") => Element(0x7FE0, 0x0010, vr, bytes);

    private void Tag(ushort group, ushort element, bool little)
    {
        U16(group, little);
        U16(element, little);
    }

    private void U16(ushort v, bool little) => _ms.Write(Bytes(v, little));

    private void U32(uint v, bool little) => _ms.Write(BitConverter.GetBytes(little == BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v)));

    private static byte[] Bytes(ushort v, bool little) => BitConverter.GetBytes(little == BitConverter.IsLittleEndian ? v : BinaryPrimitives.ReverseEndianness(v));
}

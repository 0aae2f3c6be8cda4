using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Codecs.Dicom;

/// <summary>A parsed DICOM file: the header, and where the pixel data lies in the (possibly inflated) bytes.</summary>
public sealed class DicomFile
{
    internal DicomFile(string path, DicomHeader header, byte[] buffer, bool littleEndian, int pixelOffset, int pixelLength, IReadOnlyList<(int Offset, int Length)>? fragments)
    {
        Path = path;
        Header = header;
        Buffer = buffer;
        LittleEndian = littleEndian;
        PixelOffset = pixelOffset;
        PixelLength = pixelLength;
        Fragments = fragments;
    }

    /// <summary>The file name used in messages.</summary>
    public string Path { get; }

    public DicomHeader Header { get; }

    internal byte[] Buffer { get; }

    internal bool LittleEndian { get; }

    /// <summary>Offset of native pixel data in <see cref="Buffer"/>, or -1 when absent or encapsulated.</summary>
    internal int PixelOffset { get; }

    internal int PixelLength { get; }

    /// <summary>Encapsulated fragments (the Basic Offset Table item excluded), or null for native pixel data.</summary>
    internal IReadOnlyList<(int Offset, int Length)>? Fragments { get; }
}

/// <summary>
/// The element walker. Every length is checked against the bytes that remain before anything is sliced or
/// allocated; undefined lengths are followed only where the standard allows them (sequences, items,
/// encapsulated pixel data, UN holding a sequence); nesting is capped; values are kept only for the few
/// top-level tags the reader uses. Elements inside sequences are walked (undefined length) or skipped whole
/// (defined length), never interpreted.
/// </summary>
internal sealed class DicomParser
{
    private const uint ItemTag = 0xFFFEE000;
    private const uint ItemDelimitationTag = 0xFFFEE00D;
    private const uint SequenceDelimitationTag = 0xFFFEE0DD;
    private const uint PixelDataTag = 0x7FE00010;
    private const uint Undefined = 0xFFFFFFFF;

    // Tags the reader keeps (top level only), with the VR used when the syntax is implicit.
    private static readonly Dictionary<uint, string> Wanted = new()
    {
        [0x00020010] = "UI",
        [0x00080016] = "UI",
        [0x00080060] = "CS",
        [0x00280002] = "US",
        [0x00280004] = "CS",
        [0x00280006] = "US",
        [0x00280008] = "IS",
        [0x00280010] = "US",
        [0x00280011] = "US",
        [0x00280100] = "US",
        [0x00280101] = "US",
        [0x00280102] = "US",
        [0x00280103] = "US",
        [0x00281050] = "DS",
        [0x00281051] = "DS",
        [0x00281052] = "DS",
        [0x00281053] = "DS",
        [0x00281054] = "LO",
        [0x00281056] = "CS",
        [PixelDataTag] = "OW",
    };

    private static readonly HashSet<string> LongVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];

    private static readonly HashSet<string> AllVrs =
    [
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN",
        "SH", "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV",
    ];

    private readonly string _path;
    private readonly DicomReadOptions _options;
    private readonly Dictionary<uint, (int Offset, int Length)> _values = [];
    private byte[] _buf;
    private bool _little = true;
    private bool _explicit = true;
    private int _pixelOffset = -1;
    private int _pixelLength;
    private List<(int Offset, int Length)>? _fragments;
    private long _fragmentBytes;
    private bool _probing;
    private bool _inflationCut;

    private DicomParser(string path, byte[] buffer, DicomReadOptions options)
    {
        _path = path;
        _buf = buffer;
        _options = options;
    }

    public static DicomFile Parse(string path, byte[] data, DicomReadOptions options)
        => new DicomParser(path, data, options).Run();

    /// <summary>True when the bytes carry the DICOM preamble: "DICM" at offset 128.</summary>
    public static bool HasPreamble(ReadOnlySpan<byte> data)
        => data.Length >= 132 && data[128] == (byte)'D' && data[129] == (byte)'I' && data[130] == (byte)'C' && data[131] == (byte)'M';

    private ImageDecodeException Fail(string reason) => new(_path, reason);

    /// <summary>The bytes end too early: a refusal, or while probing a partly inflated dataset, a request for more.</summary>
    private Exception Short(string reason) => _probing ? new NeedMoreBytes() : Fail(reason);

    private DicomFile Run()
    {
        int pos;
        bool preamble = HasPreamble(_buf);
        if (preamble)
        {
            pos = 132;
        }
        else if (!_options.AllowMissingPreamble)
        {
            throw Fail("not a DICOM file: it lacks the 128-byte preamble followed by 'DICM' "
                + "(pydicom: File is missing DICOM File Meta Information header or the 'DICM' prefix is missing from the header); "
                + "to read it anyway, allow DICOM without preamble (xrayflow run, info or arrays --dicom-without-preamble; API: ImageReadOptions.DicomWithoutPreamble or DicomReadOptions.AllowMissingPreamble)");
        }
        else
        {
            pos = _buf.Length >= 4 && _buf[0] == (byte)'D' && _buf[1] == (byte)'I' && _buf[2] == (byte)'C' && _buf[3] == (byte)'M' ? 4 : 0;
        }

        // File meta information: group 0002, always Explicit VR Little Endian.
        string? tsUid = null;
        bool hadMeta = false;
        _little = true;
        _explicit = true;
        while (_buf.Length - pos >= 8 && BinaryPrimitives.ReadUInt16LittleEndian(_buf.AsSpan(pos)) == 0x0002)
        {
            hadMeta = true;
            var (tag, vr, length, valueOffset) = ReadElementHeader(ref pos, _buf.Length, explicitVr: true);
            if (length == Undefined)
            {
                throw Fail($"file meta element {TagText(tag)} has an undefined length");
            }

            CheckFits(tag, length, valueOffset, _buf.Length);
            if (tag == 0x00020010)
            {
                tsUid = Text(valueOffset, (int)length);
            }

            _ = vr;
            pos = valueOffset + (int)length;
        }

        DicomTransferSyntax ts;
        if (!string.IsNullOrEmpty(tsUid))
        {
            ts = DicomTransferSyntax.Lookup(tsUid);
        }
        else if (hadMeta && preamble)
        {
            throw Fail("the file meta information has no Transfer Syntax UID (0002,0010)");
        }
        else
        {
            ts = DicomTransferSyntax.Lookup(GuessExplicit(pos) ? DicomTransferSyntax.ExplicitVrLittleEndianUid : DicomTransferSyntax.ImplicitVrLittleEndianUid);
        }

        int end = _buf.Length;
        if (ts.Deflated)
        {
            _buf = Inflate(pos);
            pos = 0;
            end = _buf.Length;
        }

        _little = ts.LittleEndian;
        _explicit = ts.ExplicitVr;
        ParseDataset(ref pos, end, depth: 0, untilItemDelimiter: false, topLevel: true);
        return new DicomFile(_path, BuildHeader(ts, preamble), _buf, _little, _pixelOffset, _pixelLength, _fragments);
    }

    private bool GuessExplicit(int pos)
    {
        if (_buf.Length - pos < 6)
        {
            return false;
        }

        string vr = Encoding.ASCII.GetString(_buf, pos + 4, 2);
        return AllVrs.Contains(vr);
    }

    /// <summary>
    /// Inflates a Deflated Explicit VR Little Endian dataset, bounded by what the dataset declares from the start:
    /// the elements before Pixel Data may take at most <see cref="DicomReadOptions.MaxInflatedHeaderBytes"/>; once
    /// the Pixel Data element is reached (probed as the bytes arrive), inflation stops after the pixel bytes that
    /// Rows x Columns x Number of Frames x Samples per Pixel x Bits Allocated promise (checked against MaxPixels)
    /// and <see cref="TrailingBytes"/> more. A stream that would inflate further is not followed (the elements after
    /// the pixel data are then not parsed); a dataset that is corrupt before its pixel data is refused as soon as
    /// the corrupt element has been inflated.
    /// </summary>
    private byte[] Inflate(int pos)
    {
        long cap = Math.Min(_options.MaxInflatedBytes, Array.MaxLength);
        long headerCap = Math.Min(cap, _options.MaxInflatedHeaderBytes);
        long limit = headerCap;
        bool pixelsFound = false;
        var buffer = new byte[(int)Math.Min(1 << 16, limit + 1)];
        int length = 0;
        int nextProbe = 1 << 16;
        try
        {
            using var input = new MemoryStream(_buf, pos, _buf.Length - pos, writable: false);
            using var deflate = new DeflateStream(input, CompressionMode.Decompress);
            while (true)
            {
                if (length == buffer.Length)
                {
                    Array.Resize(ref buffer, (int)Math.Min(Math.Max(2L * buffer.Length, 1 << 16), limit + 1));
                }

                int n = deflate.Read(buffer, length, (int)Math.Min(buffer.Length - length, limit + 1 - length));
                if (n == 0)
                {
                    break; // the stream ends
                }

                length += n;
                if (!pixelsFound && (length >= nextProbe || length > limit))
                {
                    nextProbe = (int)Math.Min(2L * length, int.MaxValue);
                    if (ProbeInflated(buffer, length) is { } end)
                    {
                        pixelsFound = true;
                        if (end > cap)
                        {
                            throw Fail($"the deflated dataset declares {end} bytes, more than the limit of {cap} (a decompression bomb?)");
                        }

                        limit = end; // the buffer still grows only as bytes arrive: a short stream declaring much allocates little
                    }
                }

                if (length > limit)
                {
                    if (pixelsFound)
                    {
                        length = (int)limit; // everything the dataset declares is there; the rest is not inflated
                        _inflationCut = true;
                        break;
                    }

                    throw limit == cap
                        ? Fail($"the deflated dataset inflates to more than {cap} bytes (the limit; a decompression bomb?)")
                        : Fail($"the deflated dataset holds more than {limit} bytes before its Pixel Data (7FE0,0010) (the limit; a decompression bomb?)");
                }
            }
        }
        catch (Exception e) when (InflateFailure.Is(e))
        {
            throw Fail($"the deflated dataset is corrupt ({e.Message})");
        }

        return buffer.AsSpan(0, length).ToArray();
    }

    /// <summary>Inflated bytes kept after the pixel data a deflated dataset declares (a margin; what follows the pixel data is not read).</summary>
    internal const int TrailingBytes = 1 << 16;

    /// <summary>
    /// Where a partly inflated dataset's inflation may end: null while its Pixel Data element is not yet inflated;
    /// else the offset of the pixel bytes plus the bytes its header declares (0 when the header does not say) plus
    /// <see cref="TrailingBytes"/>. Throws when the elements before are corrupt (not merely cut short).
    /// </summary>
    private long? ProbeInflated(byte[] inflated, int length)
    {
        var probe = new DicomParser(_path, inflated, _options) { _probing = true, _little = true, _explicit = true };
        int pos = 0;
        try
        {
            probe.ParseDataset(ref pos, length, depth: 0, untilItemDelimiter: false, topLevel: true);
        }
        catch (NeedMoreBytes)
        {
            return null;
        }

        if (probe._pixelOffset < 0)
        {
            return null;
        }

        long declared = 0;
        try
        {
            var h = probe.BuildHeader(DicomTransferSyntax.Lookup(DicomTransferSyntax.DeflatedExplicitVrLittleEndianUid), preamble: false);
            long pixels = (long)Math.Max(1, h.NumberOfFrames ?? 1) * (h.Rows ?? 0) * (h.Columns ?? 0);
            int ba = h.BitsAllocated ?? 0;
            long samples = pixels * Math.Max(1, h.SamplesPerPixel ?? 1);
            if (pixels <= _options.MaxPixels && ba is 1 or 8 or 16 or 32)
            {
                declared = ba == 1 ? (samples + 7) / 8 : samples * (ba / 8);
                declared += declared % 2;
            }
        }
        catch (ImageDecodeException)
        {
            // A header field that cannot be read: the decoder refuses it after the parse; inflate no pixel bytes.
        }

        return probe._pixelOffset + declared + TrailingBytes;
    }

    /// <summary>A probe of a partly inflated dataset ran out of bytes.</summary>
    private sealed class NeedMoreBytes : Exception;

    /// <summary>Reads tag, VR and length; checks that the header itself fits. The value is NOT checked here.</summary>
    private (uint Tag, string Vr, uint Length, int ValueOffset) ReadElementHeader(ref int pos, int end, bool explicitVr)
    {
        if (end - pos < 8)
        {
            throw Short($"the file ends inside an element header at byte {pos} ({end - pos} bytes left)");
        }

        var span = _buf.AsSpan(pos);
        uint tag = TagAt(span);
        ushort group = (ushort)(tag >> 16);
        if (group == 0xFFFE || !explicitVr)
        {
            uint len = U32(span[4..]);
            string vr = group == 0xFFFE ? "--" : (Wanted.TryGetValue(tag, out var v) ? v : "UN");
            pos += 8;
            return (tag, vr, len, pos);
        }

        byte c0 = span[4], c1 = span[5];
        string evr = Encoding.ASCII.GetString(_buf, pos + 4, 2);
        if (c0 < (byte)'A' || c0 > (byte)'Z' || c1 < (byte)'A' || c1 > (byte)'Z')
        {
            throw Fail($"element {TagText(tag)} at byte {pos} has an invalid VR (bytes 0x{c0:X2} 0x{c1:X2})");
        }

        if (LongVrs.Contains(evr))
        {
            if (end - pos < 12)
            {
                throw Short($"the file ends inside the header of element {TagText(tag)} at byte {pos}");
            }

            uint len = U32(span[8..]);
            pos += 12;
            return (tag, evr, len, pos);
        }

        uint shortLen = U16(span[6..]);
        pos += 8;
        return (tag, evr, shortLen, pos);
    }

    private uint U32(ReadOnlySpan<byte> s) => _little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

    private ushort U16(ReadOnlySpan<byte> s) => _little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);

    /// <summary>The (group, element) tag at the start of <paramref name="s"/>, in the file's byte order.</summary>
    private uint TagAt(ReadOnlySpan<byte> s) => ((uint)U16(s) << 16) | U16(s[2..]);

    /// <summary>An item or delimiter header (tag + 32-bit length, no VR); the caller has checked that 8 bytes remain.</summary>
    private (uint Tag, uint Length) ReadItemHeader(ref int pos)
    {
        var span = _buf.AsSpan(pos);
        pos += 8;
        return (TagAt(span), U32(span[4..]));
    }

    /// <summary>Walks elements from pos up to end (or an item delimiter when <paramref name="untilItemDelimiter"/>).</summary>
    private void ParseDataset(ref int pos, int end, int depth, bool untilItemDelimiter, bool topLevel)
    {
        while (true)
        {
            if (end - pos < 8)
            {
                if (untilItemDelimiter)
                {
                    throw Short($"an undefined-length item is not closed by an item delimiter before byte {end}");
                }

                // Like pydicom, a few trailing bytes after the last element are ignored.
                return;
            }

            int at = pos;
            var (tag, vr, length, valueOffset) = ReadElementHeader(ref pos, end, _explicit);
            if (_probing && topLevel && tag == PixelDataTag)
            {
                _pixelOffset = valueOffset; // the probe has what it needs: where the pixel bytes start
                return;
            }

            if (tag == ItemDelimitationTag)
            {
                if (untilItemDelimiter)
                {
                    return;
                }

                continue; // stray delimiter: tolerated, as pydicom does
            }

            if (tag == SequenceDelimitationTag || tag == ItemTag)
            {
                if (tag == ItemTag && length != Undefined)
                {
                    CheckFits(tag, length, pos, end);
                    pos += (int)length;
                }

                if (tag == ItemTag && length == Undefined)
                {
                    throw Fail($"an item at byte {at} appears outside a sequence");
                }

                continue;
            }

            if (length == Undefined)
            {
                if (tag == PixelDataTag)
                {
                    ParseEncapsulated(ref pos, end, topLevel);
                }
                else if (vr == "SQ" || vr == "UN")
                {
                    // UN with undefined length holds a sequence encoded as Implicit VR Little Endian (PS3.5 6.2.2).
                    bool saveExplicit = _explicit, saveLittle = _little;
                    if (vr == "UN")
                    {
                        _explicit = false;
                        _little = true;
                    }

                    ParseSequence(ref pos, end, depth + 1, tag);
                    _explicit = saveExplicit;
                    _little = saveLittle;
                }
                else
                {
                    throw Fail($"element {TagText(tag)} ({vr}) at byte {at} has an undefined length, which only sequences, items and pixel data may have");
                }

                continue;
            }

            if (topLevel && tag == PixelDataTag && length > (uint)(end - pos))
            {
                // Like pydicom: Pixel Data running past the end of the file keeps the bytes that are there, and the
                // decoder then reports expected versus actual length. Nothing can follow it.
                _pixelOffset = pos;
                _pixelLength = end - pos;
                _fragments = null;
                pos = end;
                return;
            }

            CheckFits(tag, length, pos, end);
            int len = (int)length;
            if (topLevel)
            {
                if (tag == PixelDataTag)
                {
                    _pixelOffset = pos;
                    _pixelLength = len;
                    _fragments = null;
                    if (_inflationCut)
                    {
                        pos = end; // the elements after the pixel data were not inflated (nor needed)
                        return;
                    }
                }
                else if (Wanted.ContainsKey(tag))
                {
                    _values[tag] = (pos, len);
                }
            }

            pos = valueOffset + len;
        }
    }

    private void CheckFits(uint tag, uint length, int pos, int end)
    {
        if (length > (uint)(end - pos))
        {
            throw Short($"element {TagText(tag)} says its value (from byte {pos}) has {length} bytes but only {end - pos} remain (truncated or corrupt file)");
        }
    }

    private void ParseSequence(ref int pos, int end, int depth, uint sequenceTag)
    {
        if (depth > _options.MaxSequenceDepth)
        {
            throw Fail($"sequences are nested deeper than {_options.MaxSequenceDepth} levels (at byte {pos}, in {TagText(sequenceTag)})");
        }

        while (true)
        {
            if (end - pos < 8)
            {
                throw Short($"the undefined-length sequence {TagText(sequenceTag)} is not closed by a sequence delimiter before byte {end}");
            }

            int at = pos;
            var (tag, length) = ReadItemHeader(ref pos);
            if (tag == SequenceDelimitationTag)
            {
                return;
            }

            if (tag != ItemTag)
            {
                throw Fail($"sequence {TagText(sequenceTag)} holds element {TagText(tag)} at byte {at} where an item was expected");
            }

            if (length == Undefined)
            {
                ParseDataset(ref pos, end, depth, untilItemDelimiter: true, topLevel: false);
            }
            else
            {
                CheckFits(tag, length, pos, end);
                pos += (int)length;
            }
        }
    }

    private void ParseEncapsulated(ref int pos, int end, bool topLevel)
    {
        var fragments = new List<(int, int)>();
        bool first = true;
        long total = 0;
        while (true)
        {
            if (end - pos < 8)
            {
                throw Fail($"the encapsulated pixel data is not closed by a sequence delimiter before byte {end}");
            }

            int at = pos;
            var (tag, length) = ReadItemHeader(ref pos);
            if (tag == SequenceDelimitationTag)
            {
                break;
            }

            if (tag != ItemTag)
            {
                throw Fail($"the encapsulated pixel data holds element {TagText(tag)} at byte {at} where a fragment item was expected");
            }

            if (length == Undefined)
            {
                throw Fail($"a pixel data fragment at byte {at} has an undefined length");
            }

            CheckFits(tag, length, pos, end);
            if (!first)
            {
                fragments.Add((pos, (int)length));
                total += length;
            }

            first = false; // the first item is the Basic Offset Table
            pos += (int)length;
        }

        if (topLevel)
        {
            _fragments = fragments;
            _fragmentBytes = total;
            _pixelOffset = -1;
            _pixelLength = 0;
        }
    }

    private string Text(int offset, int length)
    {
        string s = Encoding.Latin1.GetString(_buf, offset, length);
        return s.Trim(' ', '\0');
    }

    private string? TextOf(uint tag) => _values.TryGetValue(tag, out var v) ? Text(v.Offset, v.Length) : null;

    private int? UShortOf(uint tag, string name)
    {
        if (!_values.TryGetValue(tag, out var v) || v.Length == 0)
        {
            return null;
        }

        if (v.Length < 2)
        {
            throw Fail($"{name} {TagText(tag)} has {v.Length} byte(s); an unsigned short needs 2");
        }

        return U16(_buf.AsSpan(v.Offset, 2));
    }

    private static string? First(string? multi)
    {
        if (multi is null)
        {
            return null;
        }

        int bs = multi.IndexOf('\\');
        return (bs >= 0 ? multi[..bs] : multi).Trim(' ', '\0');
    }

    private double? NumberOf(uint tag, string name, bool strict)
    {
        string? text = First(TextOf(tag));
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
        {
            return d;
        }

        return strict ? throw Fail($"{name} {TagText(tag)} is '{Printable.Excerpt(text)}', not a finite number") : null;
    }

    private DicomHeader BuildHeader(DicomTransferSyntax ts, bool preamble)
    {
        int? frames = null;
        string? framesText = First(TextOf(0x00280008));
        if (!string.IsNullOrEmpty(framesText))
        {
            // An IS value is digits; some writers put "1.0" (or "3."): pydicom reads a whole number written so (with a
            // warning), and so do we. "1.5" stays refused.
            if (!double.TryParse(framesText, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double f)
                || f != Math.Floor(f) || Math.Abs(f) > int.MaxValue)
            {
                throw Fail($"Number of Frames (0028,0008) is '{Printable.Excerpt(framesText)}', not a whole number");
            }

            frames = (int)f;
        }

        double? slope = NumberOf(0x00281053, "Rescale Slope", strict: true);
        double? intercept = NumberOf(0x00281052, "Rescale Intercept", strict: true);
        return new DicomHeader
        {
            TransferSyntax = ts,
            HasPreamble = preamble,
            SopClassUid = TextOf(0x00080016),
            Modality = TextOf(0x00080060),
            Rows = UShortOf(0x00280010, "Rows"),
            Columns = UShortOf(0x00280011, "Columns"),
            NumberOfFrames = frames,
            SamplesPerPixel = UShortOf(0x00280002, "Samples per Pixel"),
            Photometric = TextOf(0x00280004),
            PlanarConfiguration = UShortOf(0x00280006, "Planar Configuration"),
            BitsAllocated = UShortOf(0x00280100, "Bits Allocated"),
            BitsStored = UShortOf(0x00280101, "Bits Stored"),
            HighBit = UShortOf(0x00280102, "High Bit"),
            PixelRepresentation = UShortOf(0x00280103, "Pixel Representation"),
            RescaleSlope = slope ?? 1.0,
            RescaleIntercept = intercept ?? 0.0,
            HasRescale = slope.HasValue || intercept.HasValue,
            RescaleType = TextOf(0x00281054),
            WindowCenterText = TextOf(0x00281050),
            WindowWidthText = TextOf(0x00281051),
            WindowCenter = NumberOf(0x00281050, "Window Center", strict: false),
            WindowWidth = NumberOf(0x00281051, "Window Width", strict: false),
            VoiLutFunction = TextOf(0x00281056),
            PixelDataEncapsulated = _fragments is not null,
            PixelDataLength = _fragments is not null ? _fragmentBytes : _pixelOffset >= 0 ? _pixelLength : null,
        };
    }

    internal static string TagText(uint tag) => $"({tag >> 16:X4},{tag & 0xFFFF:X4})";
}

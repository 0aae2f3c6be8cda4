using System.Buffers.Binary;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Dicom;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

/// <summary>
/// Tests from mutation testing of the DICOM parser: each pins a bound, a refusal or an encoding switch that a
/// single wrong change (a check skipped, &lt; for &lt;=, a flag not restored) left unnoticed by the fixture tests.
/// The files are built byte by byte (<see cref="DicomBytes"/>).
/// </summary>
public class DicomParserEdgeTests
{
    private static readonly DicomReadOptions Lenient = new() { AllowMissingPreamble = true };

    private static byte[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray();

    private static ImageDecodeException Refused(byte[] data, DicomReadOptions? options = null)
        => Assert.Throws<ImageDecodeException>(() => DicomReader.Decode(DicomReader.Parse(data, "t.dcm", options), options));

    [Fact]
    public void AFileMetaElementWithUndefinedLengthIsRefusedAsSuch()
    {
        var b = new DicomBytes(transferSyntax: null).Element(0x0002, 0x0002, "OB", [], length: 0xFFFFFFFF);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal("file meta element (0002,0002) has an undefined length", ex.Reason);
    }

    [Fact]
    public void AFileMetaGroupWithoutTransferSyntaxIsRefusedWhenThePreambleIsThere()
    {
        byte[] data = new DicomBytes(transferSyntax: null).Grey(2, 2).Pixels(Ramp(4)).ToArray();
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "t.dcm"));
        Assert.Equal("the file meta information has no Transfer Syntax UID (0002,0010)", ex.Reason);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void AFewBytesWithoutPreambleAreAnEmptyDatasetNotACrash(int n)
    {
        // Fewer than the 6 bytes needed to guess the VR: Implicit VR Little Endian, no elements, no pixel data.
        var file = DicomReader.Parse(new byte[n], "tiny.dcm", Lenient);
        Assert.Equal(DicomTransferSyntax.ImplicitVrLittleEndianUid, file.Header.TransferSyntax.Uid);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Decode(file));
        Assert.Equal("the dataset has no Pixel Data (7FE0,0010)", ex.Reason);
    }

    [Fact]
    public void AnInvalidVrIsRefusedNamingItsBytes()
    {
        var b = new DicomBytes().Grey(2, 2);
        int at = b.Length;
        b.Raw([0x28, 0x00, 0x30, 0x00, (byte)'a', (byte)'1', 0x02, 0x00, 0x00, 0x00]);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal($"element (0028,0030) at byte {at} has an invalid VR (bytes 0x61 0x31)", ex.Reason);
    }

    [Fact]
    public void AFileEndingInsideALongVrHeaderIsRefusedNotACrash()
    {
        // "OB" needs a 12-byte header; the file stops after 10 of them.
        var b = new DicomBytes().Grey(2, 2);
        int at = b.Length;
        b.Raw([0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'B', 0, 0, 4, 0]);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal($"the file ends inside the header of element (7FE0,0010) at byte {at}", ex.Reason);
    }

    [Fact]
    public void AStrayDefinedLengthItemIsSkippedWhole()
    {
        // An item outside any sequence (tolerated): what it holds is not read as top-level elements.
        var inner = new DicomBytes(transferSyntax: null, preamble: false);
        int metaLength = inner.Length;
        inner.US(0x0028, 0x0010, 9);
        byte[] innerBytes = inner.ToArray()[metaLength..];
        var b = new DicomBytes().Grey(2, 2).Item(0xE000, (uint)innerBytes.Length).Raw(innerBytes).Pixels(Ramp(4));
        var image = DicomReader.Decode(DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal(2, image.Header.Rows);
        Assert.Equal([0L, 7, 14, 21], image.StoredValues());
    }

    [Fact]
    public void AStrayUndefinedLengthItemIsRefused()
    {
        var b = new DicomBytes().Grey(2, 2);
        int at = b.Length;
        b.Item(0xE000, 0xFFFFFFFF).Pixels(Ramp(4)).Item(0xE00D, 0);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal($"an item at byte {at} appears outside a sequence", ex.Reason);
    }

    [Fact]
    public void UnWithUndefinedLengthIsASequenceInImplicitVrAndTheSyntaxComesBackAfterIt()
    {
        // PS3.5 6.2.2: a UN element of undefined length holds an Implicit VR Little Endian sequence. Inside it,
        // (0010,0010) has no VR; after its delimiter the dataset is Explicit VR again.
        var b = new DicomBytes().Grey(2, 2);
        b.Header(0x0009, 0x1010, "UN", 0xFFFFFFFF);
        b.Item(0xE000, 0xFFFFFFFF);
        b.Raw([0x10, 0x00, 0x10, 0x00, 4, 0, 0, 0, (byte)'A', (byte)'B', (byte)'C', (byte)'D']);
        b.Item(0xE00D, 0).Item(0xE0DD, 0);
        b.Text(0x0008, 0x0060, "CS", "CT");
        b.Pixels(Ramp(4));
        var image = DicomReader.Decode(DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal("CT", image.Header.Modality);
        Assert.Equal([0L, 7, 14, 21], image.StoredValues());
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public void SequenceNestingIsCappedExactlyAtTheLimit(int depth, bool read)
    {
        var b = new DicomBytes().Grey(2, 2);
        for (int i = 0; i < depth; i++)
        {
            b.Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(0xE000, 0xFFFFFFFF);
        }

        for (int i = 0; i < depth; i++)
        {
            b.Item(0xE00D, 0).Item(0xE0DD, 0);
        }

        byte[] data = b.Pixels(Ramp(4)).ToArray();
        var options = new DicomReadOptions { MaxSequenceDepth = 2 };
        if (read)
        {
            Assert.Equal([0L, 7, 14, 21], DicomReader.Decode(DicomReader.Parse(data, "t.dcm", options)).StoredValues());
        }
        else
        {
            var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "t.dcm", options));
            Assert.StartsWith("sequences are nested deeper than 2 levels", ex.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnItemLongerThanItsSequenceIsRefusedByItsLength()
    {
        var b = new DicomBytes().Grey(2, 2);
        b.Header(0x0040, 0xA730, "SQ", 0xFFFFFFFF).Item(0xE000, 1000);
        int valueAt = b.Length;
        b.Raw(new byte[12]);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal($"element (FFFE,E000) says its value (from byte {valueAt}) has 1000 bytes but only 12 remain (truncated or corrupt file)", ex.Reason);
    }

    [Fact]
    public void AUnsignedShortOfOneByteIsRefused()
    {
        var b = new DicomBytes().Element(0x0028, 0x0010, "US", [2]).Raw([0, 0]);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(b.ToArray(), "t.dcm"));
        Assert.Equal("Rows (0028,0010) has 1 byte(s); an unsigned short needs 2", ex.Reason);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("abc")]
    public void ARescaleSlopeThatIsNotAFiniteNumberIsRefused(string text)
    {
        byte[] data = new DicomBytes().Grey(2, 2).Text(0x0028, 0x1053, "DS", text).Pixels(Ramp(4)).ToArray();
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "t.dcm"));
        Assert.Equal($"Rescale Slope (0028,1053) is '{text}', not a finite number", ex.Reason);
    }

    [Fact]
    public void AWindowCenterThatIsNotFiniteIsIgnoredButKeptAsText()
    {
        byte[] data = new DicomBytes().Grey(2, 2).Text(0x0028, 0x1050, "DS", "Infinity").Text(0x0028, 0x1051, "DS", "NaN").Pixels(Ramp(4)).ToArray();
        var h = DicomReader.Parse(data, "t.dcm").Header;
        Assert.Null(h.WindowCenter);
        Assert.Null(h.WindowWidth);
        Assert.Equal("Infinity", h.WindowCenterText);
    }

    [Fact]
    public void ANumberOfFramesBeyondAnIntIsRefused()
    {
        byte[] data = new DicomBytes().Grey(2, 2).Text(0x0028, 0x0008, "IS", "99999999999").Pixels(Ramp(4)).ToArray();
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "t.dcm"));
        Assert.Equal("Number of Frames (0028,0008) is '99999999999', not a whole number", ex.Reason);
    }

    [Fact]
    public void ARescaleInterceptAloneCountsAsARescale()
    {
        byte[] data = new DicomBytes().Grey(2, 2).Text(0x0028, 0x1052, "DS", "-5").Pixels(Ramp(4)).ToArray();
        var file = DicomReader.Parse(data, "t.dcm");
        Assert.True(file.Header.HasRescale);
        var fields = file.Header.DisplayFields().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("1", fields["rescale slope"]);
        Assert.Equal("-5", fields["rescale intercept"]);
        Assert.Equal([-5f, 2, 9, 16], DicomReader.Decode(file).Modality.Data);

        var plain = DicomReader.Parse(new DicomBytes().Grey(2, 2).Pixels(Ramp(4)).ToArray(), "t.dcm").Header;
        Assert.False(plain.HasRescale);
        Assert.Equal("1 (default)", plain.DisplayFields().Single(kv => kv.Key == "rescale slope").Value);
    }

    [Fact]
    public void AFileOfExactlyMaxFileBytesIsRead()
    {
        byte[] data = new DicomBytes().Grey(2, 2).Pixels(Ramp(4)).ToArray();
        Assert.Equal(2, DicomReader.Parse(data, "t.dcm", new DicomReadOptions { MaxFileBytes = data.Length }).Header.Rows);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "t.dcm", new DicomReadOptions { MaxFileBytes = data.Length - 1 }));
        Assert.Equal($"the file has {data.Length} bytes, more than the {data.Length - 1}-byte limit", ex.Reason);
    }

    [Fact]
    public void EncapsulatedPixelDataLengthIsTheSumOfItsFragments()
    {
        // Basic Offset Table (4 bytes, not counted) and two fragments of 6 and 10 bytes.
        var b = new DicomBytes(DicomTransferSyntax.RleLosslessUid).Grey(2, 2);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
        b.Item(0xE000, 4).Raw([0, 0, 0, 0]);
        b.Item(0xE000, 6).Raw(new byte[6]);
        b.Item(0xE000, 10).Raw(new byte[10]);
        b.Item(0xE0DD, 0);
        var h = DicomReader.Parse(b.ToArray(), "t.dcm").Header;
        Assert.True(h.PixelDataEncapsulated);
        Assert.Equal(16L, h.PixelDataLength);
    }

    [Fact]
    public void ABasicOffsetTableIsNotAFragment()
    {
        // One RLE frame after a non-empty offset table: the table's 4 bytes are not part of the frame.
        byte[] frame = RleFrame([[0x03, 10, 20, 30, 40]]);
        var b = new DicomBytes(DicomTransferSyntax.RleLosslessUid).Grey(2, 2);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
        b.Item(0xE000, 4).Raw([0, 0, 0, 0]);
        b.Item(0xE000, (uint)frame.Length).Raw(frame);
        b.Item(0xE0DD, 0);
        Assert.Equal([10L, 20, 30, 40], DicomReader.Decode(DicomReader.Parse(b.ToArray(), "t.dcm")).StoredValues());
    }

    /// <summary>An RLE frame: the 64-byte header (segment count, offsets) and the segments.</summary>
    internal static byte[] RleFrame(byte[][] segments)
    {
        var header = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)segments.Length);
        int at = 64;
        for (int s = 0; s < segments.Length; s++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(4 + (4 * s)), (uint)at);
            at += segments[s].Length;
        }

        var frame = header.Concat(segments.SelectMany(x => x)).ToList();
        if (frame.Count % 2 == 1)
        {
            frame.Add(0);
        }

        return [.. frame];
    }

    internal static byte[] Rle(byte[] frame, int rows = 2, int cols = 2)
    {
        var b = new DicomBytes(DicomTransferSyntax.RleLosslessUid).Grey(rows, cols);
        b.Header(0x7FE0, 0x0010, "OB", 0xFFFFFFFF);
        b.Item(0xE000, 0);
        b.Item(0xE000, (uint)frame.Length).Raw(frame);
        b.Item(0xE0DD, 0);
        return b.ToArray();
    }

    [Fact]
    public void RleNoOpHeaderByteIsSkipped()
    {
        // PackBits: -128 (0x80) is a no-op, not a run.
        byte[] data = Rle(RleFrame([[0x80, 0x03, 1, 2, 3, 4]]));
        Assert.Equal([1L, 2, 3, 4], DicomReader.Decode(DicomReader.Parse(data, "t.dcm")).StoredValues());
    }

    [Fact]
    public void RleLiteralRunPastTheSegmentEndIsRefusedNotACrash()
    {
        // A literal run of 5 with 3 bytes left in the segment (the frame ends it).
        var ex = Refused(Rle(RleFrame([[0x04, 1, 2, 3]])));
        Assert.Equal("The amount of decoded RLE segment data doesn't match the expected amount (3 vs. 4 bytes) in segment 0 of frame 0", ex.Reason);
    }

    [Fact]
    public void RleSegmentThatDecodesShortIsRefused()
    {
        var ex = Refused(Rle(RleFrame([[0x00, 5, 0x80, 0x80]])));
        Assert.Equal("The amount of decoded RLE segment data doesn't match the expected amount (1 vs. 4 bytes) in segment 0 of frame 0", ex.Reason);
    }

    [Fact]
    public void RleFrameShorterThanItsHeaderIsRefused()
    {
        var ex = Refused(Rle([1, 0, 0, 0, 64, 0, 0, 0]));
        Assert.Equal("RLE frame 0 has 8 bytes, fewer than its 64-byte header", ex.Reason);
    }

    [Fact]
    public void RleSegmentOffsetInsideTheHeaderIsRefused()
    {
        byte[] frame = RleFrame([[0x03, 1, 2, 3, 4]]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), 8);
        var ex = Refused(Rle(frame));
        Assert.Equal($"RLE frame 0: segment 0 starts at byte 8, outside the frame's data (64..{frame.Length})", ex.Reason);
    }

    [Fact]
    public void RleSegmentCountAbove15IsRefusedAsInvalid()
    {
        byte[] frame = RleFrame([[0x03, 1, 2, 3, 4]]);
        BinaryPrimitives.WriteUInt32LittleEndian(frame, 16);
        var ex = Refused(Rle(frame));
        Assert.Equal("The RLE header specifies an invalid number of segments (16) in frame 0", ex.Reason);
    }
}

using System.IO.Compression;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Dicom;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

/// <summary>
/// Tests from mutation testing of the DICOM decoder's checks: each field a header may carry wrongly is refused
/// with its own reason, and each limit holds exactly at its bound.
/// </summary>
public class DicomDecodeCheckTests
{
    private static byte[] Ramp(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray();

    private static ImageDecodeException Refused(byte[] data, DicomReadOptions? options = null)
        => Assert.Throws<ImageDecodeException>(() => DicomReader.Decode(DicomReader.Parse(data, "t.dcm", options), options));

    [Fact]
    public void ZeroColumnsIsRefused()
    {
        var ex = Refused(new DicomBytes().Grey(2, 0).Pixels([]).ToArray());
        Assert.Equal("the image has 2 rows and 0 columns; both must be at least 1", ex.Reason);
    }

    [Fact]
    public void BitsStoredZeroIsRefused()
    {
        var ex = Refused(new DicomBytes().Grey(2, 2, bitsStored: 0, highBit: 0).Pixels(Ramp(4)).ToArray());
        Assert.Equal("Bits Stored 0 is outside 1..Bits Allocated (8)", ex.Reason);
    }

    [Fact]
    public void HighBitOtherThanBitsStoredMinusOneIsRefused()
    {
        var ex = Refused(new DicomBytes().Grey(2, 2, bitsStored: 8, highBit: 6).Pixels(Ramp(4)).ToArray());
        Assert.Equal("High Bit 6 with Bits Stored 8 is not supported (only High Bit = Bits Stored - 1)", ex.Reason);
    }

    [Fact]
    public void PixelRepresentationTwoIsRefused()
    {
        var ex = Refused(new DicomBytes().Grey(2, 2, pixelRepresentation: 2).Pixels(Ramp(4)).ToArray());
        Assert.Equal("Pixel Representation 2 is neither 0 (unsigned) nor 1 (signed)", ex.Reason);
    }

    [Fact]
    public void AColourPhotometricWithOneSampleIsRefused()
    {
        var ex = Refused(new DicomBytes().Grey(2, 2, photometric: "YBR_FULL").Pixels(Ramp(4)).ToArray());
        Assert.Equal("Photometric Interpretation 'YBR_FULL' with 1 sample per pixel is not supported (MONOCHROME1 or MONOCHROME2)", ex.Reason);
    }

    [Fact]
    public void RgbWithoutPlanarConfigurationIsRefused()
    {
        var b = new DicomBytes();
        b.US(0x0028, 0x0002, 3).Text(0x0028, 0x0004, "CS", "RGB").US(0x0028, 0x0010, 1).US(0x0028, 0x0011, 2);
        b.US(0x0028, 0x0100, 8).US(0x0028, 0x0101, 8).US(0x0028, 0x0102, 7).US(0x0028, 0x0103, 0).Pixels(Ramp(6));
        var ex = Refused(b.ToArray());
        Assert.Equal("Unable to convert the pixel data as the following conditionally required element is missing from the dataset: PlanarConfiguration", ex.Reason);
    }

    [Fact]
    public void MaxPixelsHoldsExactlyAtItsBound()
    {
        byte[] data = new DicomBytes().Grey(2, 2).Pixels(Ramp(4)).ToArray();
        var exact = new DicomReadOptions { MaxPixels = 4 };
        Assert.Equal([0L, 7, 14, 21], DicomReader.Decode(DicomReader.Parse(data, "t.dcm", exact), exact).StoredValues());
        var ex = Refused(data, new DicomReadOptions { MaxPixels = 3 });
        Assert.Equal("the image has 1 x 2 x 2 = 4 pixels, more than the limit of 3", ex.Reason);
    }

    [Fact]
    public void OddLengthPixelDataWithoutItsPadByteIsRead()
    {
        // 3 x 3 8-bit: 9 bytes, written without the pad byte the standard asks for (pydicom reads it too).
        byte[] data = new DicomBytes().Grey(3, 3).Pixels(Ramp(9)).ToArray();
        Assert.Equal(Ramp(9).Select(v => (long)v), DicomReader.Decode(DicomReader.Parse(data, "t.dcm")).StoredValues());
        var ex = Refused(new DicomBytes().Grey(3, 3).Pixels(Ramp(8)).ToArray());
        Assert.Contains("(8 bytes) doesn't match the expected length (10 bytes = 3 rows x 3 columns x 1 frame(s) x 1 sample(s) x 8 bits, even-padded)", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OneBitPixelDataRoundsItsLengthUpToWholeBytes()
    {
        // 3 x 3 one-bit pixels need 9 bits: 2 bytes; one byte is too short.
        var ex = Refused(new DicomBytes().Grey(3, 3, bitsAllocated: 1).Pixels([0xFF]).ToArray());
        Assert.Contains("(1 bytes) doesn't match the expected length (2 bytes", ex.Reason, StringComparison.Ordinal);
        byte[] data = new DicomBytes().Grey(3, 3, bitsAllocated: 1).Pixels([0b1010_0101, 0b0000_0001]).ToArray();
        Assert.Equal([1L, 0, 1, 0, 0, 1, 0, 1, 1], DicomReader.Decode(DicomReader.Parse(data, "t.dcm")).StoredValues());
    }

    [Fact]
    public void NumberOfFramesOneIsAnImageNotAStack()
    {
        byte[] data = new DicomBytes().Grey(2, 2).Text(0x0028, 0x0008, "IS", "1").Pixels(Ramp(4)).ToArray();
        var image = DicomReader.Decode(DicomReader.Parse(data, "t.dcm"));
        Assert.False(image.IsMultiFrame);
        Assert.Equal([2, 2], image.StoredShape);
        Assert.Equal([2, 2], image.Modality.Shape);
    }

    private static byte[] Deflated(int rows, int cols, int pixelBytes, int bitsAllocated = 8)
    {
        var dataset = new DicomBytes(DicomTransferSyntax.ExplicitVrLittleEndianUid, preamble: false, meta: false)
            .Grey(rows, cols, bitsAllocated)
            .Pixels(new byte[pixelBytes]);
        var file = new MemoryStream();
        file.Write(new DicomBytes(DicomTransferSyntax.DeflatedExplicitVrLittleEndianUid).ToArray());
        using (var z = new DeflateStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(dataset.ToArray());
        }

        return file.ToArray();
    }

    /// <summary>Bytes of the deflated dataset before the pixel values: the 8 image elements and the 12-byte OB header.</summary>
    private static int PixelOffset()
        => new DicomBytes(DicomTransferSyntax.ExplicitVrLittleEndianUid, preamble: false, meta: false).Grey(1, 1).Length + 12;

    [Fact]
    public void ADeflatedDatasetDeclaringMoreThanTheInflateLimitIsRefusedAsABomb()
    {
        // 1024 x 1024 x 16 bits = 2 MiB declared (and present), with a 1 MiB limit on the inflated dataset.
        byte[] data = Deflated(1024, 1024, 2 << 20, bitsAllocated: 16);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "d.dcm", new DicomReadOptions { MaxInflatedBytes = 1 << 20 }));
        long end = PixelOffset() + (2L << 20) + (1 << 16);
        Assert.Equal($"the deflated dataset declares {end} bytes, more than the limit of 1048576 (a decompression bomb?)", ex.Reason);
    }

    [Fact]
    public void ADeflatedHeaderDeclaringMorePixelsThanAllowedIsRefusedByThePixelLimit()
    {
        // 65535 x 65535 8-bit pixels (4 GiB, beyond MaxPixels): no pixel bytes are inflated for it, and the decoder
        // refuses the size (not the inflater, as a bomb).
        byte[] data = Deflated(65535, 65535, 100_000);
        var file = DicomReader.Parse(data, "d.dcm");
        Assert.Equal(65535, file.Header.Rows);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Decode(file));
        Assert.Equal("the image has 1 x 65535 x 65535 = 4294836225 pixels, more than the limit of 715827882", ex.Reason);
    }
}

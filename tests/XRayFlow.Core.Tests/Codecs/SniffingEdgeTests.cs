using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Jpeg;
using XRayFlow.Core.Tests.Codecs.Dicom;

namespace XRayFlow.Core.Tests.Codecs;

/// <summary>
/// Tests from mutation testing of format sniffing and the JPEG marker walk: the magic bytes decide, the .dcm
/// name only breaks a tie with "unknown", and every JPEG segment and count the walk reads is checked.
/// </summary>
public class SniffingEdgeTests
{
    [Fact]
    public void JpegNeedsAllThreeSignatureBytes()
    {
        Assert.Equal(ImageFileFormat.Jpeg, ImageReader.DetectFormat(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }));
        Assert.Equal(ImageFileFormat.Unknown, ImageReader.DetectFormat(new byte[] { 0xFF, 0xD8, 0x00, 0xE0 }));
        Assert.Equal(ImageFileFormat.Unknown, ImageReader.DetectFormat(new byte[] { 0xFF, 0xD8 }));
    }

    [Theory]
    [InlineData("scan.dcm")]
    [InlineData("SCAN.DCM")]
    [InlineData("scan.Dcm")]
    public void TheDcmNameIsMatchedWhateverItsCase(string name)
    {
        Assert.Equal(ImageFileFormat.Dicom, ImageReader.DetectFormat(new byte[] { 8, 0, 5, 0 }, name));
        Assert.Equal(ImageFileFormat.Unknown, ImageReader.DetectFormat(new byte[] { 8, 0, 5, 0 }, "scan.dcm.txt"));
    }

    [Fact]
    public void MagicBytesWinOverTheDcmName()
    {
        byte[] png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];
        Assert.Equal(ImageFileFormat.Png, ImageReader.DetectFormat(png, "x.dcm"));
        Assert.Equal(ImageFileFormat.Jpeg, ImageReader.DetectFormat(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, "x.dcm"));
    }

    [Fact]
    public void IdentifyGivesNoShapeForADicomHeaderWithZeroColumns()
    {
        string dir = Directory.CreateTempSubdirectory("xrf-sniff").FullName;
        try
        {
            string path = Path.Combine(dir, "zero.dcm");
            File.WriteAllBytes(path, new DicomBytes().Grey(4, 0).Pixels([]).ToArray());
            Assert.Null(ImageReader.Identify(path, out string? why));
            Assert.Equal("its DICOM header gives no Rows (0028,0010) or Columns (0028,0011)", why);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void IdentifyGivesNoShapeForANegativeNumberOfFrames()
    {
        string dir = Directory.CreateTempSubdirectory("xrf-sniff").FullName;
        try
        {
            // The decoder refuses Number of Frames -1; the header (what validate and `info` see) said 1 x 2 x 2, frames -1.
            string path = Path.Combine(dir, "frames.dcm");
            File.WriteAllBytes(path, new DicomBytes().Text(0x0028, 0x0008, "IS", "-1").Grey(2, 2).Pixels([1, 2, 3, 4]).ToArray());
            Assert.Null(ImageReader.Identify(path, out string? why));
            Assert.Equal("its DICOM header gives Number of Frames (0028,0008) -1", why);
            Assert.Contains("Number of Frames is -1", Assert.ThrowsAny<Exception>(() => ImageReader.Read(path)).Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // SOI; SOF0 8-bit 8 x 8, one component; SOS one component; entropy bytes with a restart marker; EOI.
    private static readonly byte[] Sof = [0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00];
    private static readonly byte[] Sos = [0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00];
    private static readonly byte[] Entropy = [0x01, 0x02, 0xFF, 0xD0, 0x03, 0x04];

    private static byte[] Jpeg(params byte[][] parts) => [0xFF, 0xD8, .. parts.SelectMany(p => p), 0xFF, 0xD9];

    [Fact]
    public void RestartMarkersAreNotCountedAsEntropyBytes()
    {
        var s = JpegStructure.Parse("r.jpg", Jpeg(Sof, Sos, Entropy));
        Assert.Equal(1, s.Scans);
        Assert.True(s.Complete);
        Assert.Equal(4L, s.EntropyBytes);
    }

    [Fact]
    public void ASegmentLengthBelowTwoIsRefused()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => JpegStructure.Parse("l.jpg", Jpeg([0xFF, 0xE0, 0x00, 0x01], Sof, Sos, Entropy)));
        Assert.Equal("corrupt JPEG: the segment at byte 2 declares a length of 1", ex.Reason);
    }

    [Fact]
    public void AFrameHeaderLongerThanItsComponentsIsRefused()
    {
        byte[] sof = [0xFF, 0xC0, 0x00, 0x0C, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01, 0x01, 0x11, 0x00, 0x00];
        var ex = Assert.Throws<ImageDecodeException>(() => JpegStructure.Parse("f.jpg", Jpeg(sof, Sos, Entropy)));
        Assert.Equal("corrupt JPEG: the frame header at byte 2 declares 1 components in 12 bytes", ex.Reason);
    }

    [Fact]
    public void AScanOfZeroComponentsIsRefused()
    {
        byte[] sos = [0xFF, 0xDA, 0x00, 0x06, 0x00, 0x00, 0x3F, 0x00];
        var ex = Assert.Throws<ImageDecodeException>(() => JpegStructure.Parse("s.jpg", Jpeg(Sof, sos, Entropy)));
        Assert.Equal("corrupt JPEG: the scan header at byte 15 is malformed", ex.Reason);
    }
}

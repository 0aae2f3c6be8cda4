using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Dicom;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

/// <summary>DICOM through the generic reader: wherever a PNG works (single file, stack of files).</summary>
public class DicomImageReaderTests
{
    [Fact]
    public void GenericReaderDetectsDicomByContentAndLoadsModalityValues()
    {
        string path = DicomFixtures.PathOf("CT_small.dcm");
        var viaGeneric = ImageReader.Read(path);
        var direct = DicomReader.ReadImage(path);
        Assert.Equal(direct.Shape, viaGeneric.Shape);
        Assert.Equal(direct.Data, viaGeneric.Data);
        Assert.True(DicomDisplayInfo.TryGet(viaGeneric, out var info));
        Assert.Equal("MONOCHROME2", info!.Photometric);

        // content, not name: a DICOM file renamed .png is still DICOM
        string copy = Path.Combine(Path.GetTempPath(), $"xrf-dicom-{Guid.NewGuid():N}.png");
        File.Copy(path, copy);
        try
        {
            Assert.Equal(direct.Data, ImageReader.Read(copy).Data);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void DcmWithoutPreambleNeedsTheOption()
    {
        string path = DicomFixtures.PathOf("no_preamble.dcm");
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(path));
        Assert.Contains("'DICM'", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("DicomWithoutPreamble", ex.Reason, StringComparison.Ordinal);
        var img = ImageReader.Read(path, new ImageReadOptions { DicomWithoutPreamble = true });
        var (_, px) = DicomFixtures.ReadNpy("no_preamble.pixels.npy");
        Assert.Equal(px.Select(v => (float)v), img.Data);
    }

    [Fact]
    public void MultiFrameIsAStackAsImageAndAsStackInput()
    {
        string path = DicomFixtures.PathOf("multiframe_u16.dcm");
        Assert.Equal([3, 16, 16], ImageReader.Read(path).Shape);
        Assert.Equal([3, 16, 16], ImageReader.ReadStack([path]).Shape);
    }

    [Fact]
    public void SingleFrameFilesStackAndKeepTheFirstWindow()
    {
        var stack = ImageReader.ReadStack([DicomFixtures.PathOf("MR_small.dcm"), DicomFixtures.PathOf("MR_small_implicit.dcm")]);
        Assert.Equal([2, 64, 64], stack.Shape);
        Assert.Equal(stack.Frame(0).ToArray(), stack.Frame(1).ToArray());
        Assert.True(DicomDisplayInfo.TryGet(stack, out var info));
        Assert.Equal(600.0, info!.WindowCenter);
    }

    [Fact]
    public void MaxPixelsIsHonoured()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(DicomFixtures.PathOf("CT_small.dcm"), new ImageReadOptions { MaxPixels = 1000 }));
        Assert.Contains("more than the limit of 1000", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusalsComeThroughTheGenericReader()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(DicomFixtures.PathOf("JPEG-lossy.dcm")));
        Assert.Contains("1.2.840.10008.1.2.4.51 - JPEG Extended (Process 2 and 4)", ex.Reason, StringComparison.Ordinal);
    }
}

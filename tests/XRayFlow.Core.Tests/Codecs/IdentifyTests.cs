using XRayFlow.Core.Codecs;

namespace XRayFlow.Core.Tests.Codecs;

public class IdentifyTests
{
    private static string P(string name) => CodecFixtures.Path_(name);

    [Fact]
    public void IdentifyReadsShapesFromHeadersOnly()
    {
        Assert.Equal(new ImageHeader(ImageFileFormat.Png, 1, 5, 7, false, false), ImageReader.Identify(P("grey8.png")));
        Assert.Equal(new ImageHeader(ImageFileFormat.Png, 1, 64, 64, false, false), ImageReader.Identify(P("truncated.png")));
        Assert.Equal(new ImageHeader(ImageFileFormat.Jpeg, 1, 64, 64, false, false), ImageReader.Identify(P("rgb.jpg")));
        Assert.Equal(new ImageHeader(ImageFileFormat.Npy, 2, 3, 4, true, false), ImageReader.Identify(P("npy/stack.npy")));
        Assert.Equal(new ImageHeader(ImageFileFormat.Npy, 1, 3, 4, false, true), ImageReader.Identify(P("npy/complex64_be.npy")));
        Assert.Null(ImageReader.Identify(P("text.png")));
        Assert.Null(ImageReader.Identify(P("empty.png")));
        Assert.Null(ImageReader.Identify(P("npy/rank4.npy")));
        Assert.Null(ImageReader.Identify(P("missing.png")));
    }

    [Fact]
    public void IdentifyReadsDicomShapesFromTheHeader()
    {
        string dicom = Path.Combine(CodecFixtures.RepoRoot, "tests", "fixtures", "dicom");
        Assert.Equal(new ImageHeader(ImageFileFormat.Dicom, 1, 128, 128, false, false), ImageReader.Identify(Path.Combine(dicom, "CT_small.dcm")));
        Assert.Equal(new ImageHeader(ImageFileFormat.Dicom, 3, 16, 16, true, false), ImageReader.Identify(Path.Combine(dicom, "multiframe_u16.dcm")));
    }
}

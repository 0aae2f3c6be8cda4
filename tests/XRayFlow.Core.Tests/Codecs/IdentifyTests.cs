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
    public void IdentifySaysWhyAFileHasNoHeader()
    {
        Assert.NotNull(ImageReader.Identify(P("grey8.png"), out string? why));
        Assert.Null(why);
        Assert.Null(ImageReader.Identify(P("empty.png"), out why));
        Assert.Equal("the file is empty", why);
        Assert.Null(ImageReader.Identify(P("text.png"), out why));
        Assert.Equal("the file is named .png but is not a PNG file: it looks like a text file; XRayFlow reads PNG, JPEG, NumPy .npy and DICOM files", why);
        Assert.Null(ImageReader.Identify(P("npy/rank4.npy"), out why));
        Assert.False(string.IsNullOrEmpty(why)); // the .npy reader's own reason
        Assert.Null(ImageReader.Identify(P("missing.png"), out why));
        Assert.False(string.IsNullOrEmpty(why));

        string dir = Directory.CreateTempSubdirectory("xrf-identify").FullName;
        try
        {
            // A PNG cut inside its header (16 of IHDR's 33 bytes), and a .dcm without preamble (read only when asked).
            File.WriteAllBytes(Path.Combine(dir, "cut.png"), File.ReadAllBytes(P("grey8.png"))[..16]);
            Assert.Null(ImageReader.Identify(Path.Combine(dir, "cut.png"), out why));
            Assert.Equal("its header is cut short or damaged", why);
            string bare = Path.Combine(CodecFixtures.RepoRoot, "tests", "fixtures", "dicom", "bare_implicit.dcm");
            Assert.Null(ImageReader.Identify(bare, out why));
            Assert.StartsWith("a .dcm file without the 128-byte DICOM preamble", why, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void IdentifyReadsDicomShapesFromTheHeader()
    {
        string dicom = Path.Combine(CodecFixtures.RepoRoot, "tests", "fixtures", "dicom");
        Assert.Equal(new ImageHeader(ImageFileFormat.Dicom, 1, 128, 128, false, false), ImageReader.Identify(Path.Combine(dicom, "CT_small.dcm")));
        Assert.Equal(new ImageHeader(ImageFileFormat.Dicom, 3, 16, 16, true, false), ImageReader.Identify(Path.Combine(dicom, "multiframe_u16.dcm")));
    }
}

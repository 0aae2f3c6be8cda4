using XRayFlow.Core.Codecs.Dicom;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

public class DicomWindowTests
{
    private static ImageArray Run(ImageArray input, Dictionary<string, object?> ps)
    {
        var op = OpRegistry.Get("window");
        var result = (ArrayValue)op.Invoke(new OpContext { StepId = "w", Inputs = [new ArrayValue(input)], Params = ps });
        return result.Array;
    }

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var p in DicomFixtures.Windows().EnumerateObject())
        {
            data.Add(p.Name);
        }

        return data;
    }

    /// <summary>Reference: numpy's PS3.3 C.11.2.1.2.1 formula in float64 on the float32 modality values, cross-checked
    /// against pydicom's apply_windowing in gen_dicom.py.</summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesThePs33LinearFormula(string key)
    {
        var c = DicomFixtures.Windows().GetProperty(key);
        string file = c.GetProperty("file").GetString()!;
        var img = DicomReader.ReadImage(DicomFixtures.PathOf(file));
        var header = DicomReader.ReadHeader(DicomFixtures.PathOf(file));
        bool fromHeader = header.WindowCenter == c.GetProperty("center").GetDouble() && header.WindowWidth == c.GetProperty("width").GetDouble();
        var ps = new Dictionary<string, object?> { ["output_min"] = 0.0, ["output_max"] = 255.0, ["invert"] = "auto" };
        if (!fromHeader)
        {
            ps["center"] = c.GetProperty("center").GetDouble();
            ps["width"] = c.GetProperty("width").GetDouble();
        }

        var result = Run(img, ps);
        var (shape, expected) = DicomFixtures.ReadNpy(key);
        Assert.Equal(shape, result.Shape);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal((float)expected[i], result.Data[i]);
        }
    }

    [Fact]
    public void Monochrome1IsInvertedAndCanBeForcedOff()
    {
        var img = DicomReader.ReadImage(DicomFixtures.PathOf("mono1_u16.dcm"));
        var auto = Run(img, new() { ["invert"] = "auto" });
        var no = Run(img, new() { ["invert"] = "no" });
        for (int i = 0; i < img.Length; i++)
        {
            Assert.Equal(255f - no.Data[i], auto.Data[i], 0.001f);
        }

        // the lowest stored value is the brightest
        int argmin = Array.IndexOf(img.Data, img.Data.Min());
        Assert.Equal(auto.Data.Max(), auto.Data[argmin]);
        Assert.True(auto.Data[argmin] > 250f);
    }

    [Fact]
    public void ExactBoundaries()
    {
        // c = 100, w = 11: x <= 94.5 -> 0; x > 104.5 -> 255; linear between
        var img = new ImageArray(1, 5, [94.5f, 94.75f, 99.5f, 104.5f, 104.75f]);
        var r = Run(img, new() { ["center"] = 100.0, ["width"] = 11.0, ["output_min"] = 0.0, ["output_max"] = 255.0, ["invert"] = "no" });
        Assert.Equal(0f, r.Data[0]);
        Assert.Equal((float)((((94.75 - 99.5) / 10) + 0.5) * 255), r.Data[1]);
        Assert.Equal(127.5f, r.Data[2]);
        Assert.Equal(255f, r.Data[3]);
        Assert.Equal(255f, r.Data[4]);

        // width 1: a step at c - 0.5
        var step = Run(new ImageArray(1, 3, [9.5f, 9.6f, 10f]), new() { ["center"] = 10.0, ["width"] = 1.0, ["output_min"] = -1.0, ["output_max"] = 1.0, ["invert"] = "no" });
        Assert.Equal([-1f, 1f, 1f], step.Data);
    }

    [Fact]
    public void WithoutHeaderOrParametersItSaysWhatIsMissing()
    {
        var plain = new ImageArray(2, 2);
        var ex = Assert.Throws<OpRefusedException>(() => Run(plain, new() { ["output_min"] = 0.0, ["output_max"] = 255.0, ["invert"] = "auto" }));
        Assert.Contains("window needs 'center'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("right after a DICOM input", ex.Message, StringComparison.Ordinal);

        var ct = DicomReader.ReadImage(DicomFixtures.PathOf("CT_small.dcm")); // CT_small has no window in its header
        var ex2 = Assert.Throws<OpRefusedException>(() => Run(ct, new() { ["width"] = 400.0 }));
        Assert.Contains("has no usable Window Center (0028,1050)", ex2.Message, StringComparison.Ordinal);

        var ex3 = Assert.Throws<OpRefusedException>(() => Run(plain, new() { ["center"] = 1.0, ["width"] = 0.5 }));
        Assert.Contains("width must be a number >= 1", ex3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHeaderWindowWidthBelowOneIsARefusalNamingTheFile()
    {
        // A file whose Window Width is 0: the width comes from the header, not the recipe (where it is bound as >= 1).
        // Before, the op threw a plain InvalidOperationException that the runner wrapped as an op failure:
        // "step 'w': window failed: step 'w': window width must be ...; got center 40, width 0", without the file.
        var img = new ImageArray(2, 2);
        DicomDisplayInfo.Attach(img, new DicomDisplayInfo(40, 0, "MONOCHROME2", "scans/w0.dcm"));
        var ex = Assert.Throws<OpRefusedException>(() => Run(img, new() { ["output_min"] = 0.0, ["output_max"] = 255.0, ["invert"] = "auto" }));
        Assert.Equal("window width must be a number >= 1 (PS3.3 C.11.2.1.2.1), but the DICOM header of scans/w0.dcm has Window Width (0028,1051) 0; give width in the recipe", ex.Reason);
        Assert.Equal("step 'w': " + ex.Reason, ex.Message);

        // A missing header window is a refusal too (the runner then names the step once).
        var ct = DicomReader.ReadImage(DicomFixtures.PathOf("CT_small.dcm"));
        var missing = Assert.Throws<OpRefusedException>(() => Run(ct, new() { ["width"] = 400.0 }));
        Assert.StartsWith("window needs 'center': the DICOM header of ", missing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void StackStaysAStack()
    {
        var img = DicomReader.ReadImage(DicomFixtures.PathOf("multiframe_u16.dcm"));
        var r = Run(img, new() { ["center"] = 32768.0, ["width"] = 65536.0 });
        Assert.True(r.IsStack);
        Assert.Equal(img.Shape, r.Shape);
        Assert.All(r.Data, v => Assert.InRange(v, 0f, 255f));
    }
}

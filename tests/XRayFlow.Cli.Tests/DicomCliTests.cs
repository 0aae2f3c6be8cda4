namespace XRayFlow.Cli.Tests;

/// <summary>DICOM through the CLI: `info` shows the header, a batch with a bad file fails that file alone.</summary>
public class DicomCliTests
{
    private static string Fixture(string name) => Path.Combine(CliKit.Root, "tests", "fixtures", "dicom", name);

    private const string WindowSobel = """
        xrayflow: 1
        name: dicom-batch
        inputs:
          scan: image
        steps:
          - id: windowed
            op: window
            center: 500
            width: 1000
          - id: gx
            op: sobel
            axis: 0
        outputs:
          windowed: "{stem}_windowed.npy"
          gx: "{stem}_gx.png"
        """;

    [Fact]
    public void InfoPrintsTheDicomHeaderFields()
    {
        var r = CliKit.Run("info", Fixture("CT_small.dcm"));
        Assert.True(r.Exit == 0, r.Err);
        Assert.Contains("shape:  (128, 128)", r.Out, StringComparison.Ordinal);
        Assert.Contains("min:    -896", r.Out, StringComparison.Ordinal); // 128 - 1024: Hounsfield units
        Assert.Contains("dicom:\n", r.Out, StringComparison.Ordinal);
        Assert.Matches(@"\n  modality:\s+CT\n", r.Out);
        Assert.Matches(@"\n  rows:\s+128\n", r.Out);
        Assert.Matches(@"\n  columns:\s+128\n", r.Out);
        Assert.Matches(@"\n  frames:\s+1\n", r.Out);
        Assert.Matches(@"\n  bits allocated:\s+16\n", r.Out);
        Assert.Matches(@"\n  photometric interpretation:\s+MONOCHROME2\n", r.Out);
        Assert.Matches(@"\n  rescale slope:\s+1\n", r.Out);
        Assert.Matches(@"\n  rescale intercept:\s+-1024\n", r.Out);
        Assert.Matches(@"\n  window center/width:\s+\(absent\)\n", r.Out);
        Assert.Matches(@"\n  transfer syntax:\s+1\.2\.840\.10008\.1\.2\.1 \(Explicit VR Little Endian\)\n", r.Out);

        var mr = CliKit.Run("info", Fixture("MR_small_RLE.dcm"));
        Assert.Matches(@"\n  window center/width:\s+center 600, width 1600\n", mr.Out);
        Assert.Matches(@"\n  transfer syntax:\s+1\.2\.840\.10008\.1\.2\.5 \(RLE Lossless\)\n", mr.Out);

        var png = CliKit.Run("info", Path.Combine(CliKit.Root, "pipelines", "samples", "00000011_000.png"));
        Assert.DoesNotContain("dicom:", png.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void InfoOnACompressedFileShowsTheHeaderAndWhyThePixelsAreRefused()
    {
        var r = CliKit.Run("info", Fixture("JPEG-lossy.dcm"));
        Assert.Equal(1, r.Exit);
        Assert.Matches(@"\n  transfer syntax:\s+1\.2\.840\.10008\.1\.2\.4\.51 \(JPEG Extended \(Process 2 and 4\)\)\n", r.Out);
        Assert.Matches(@"\n  modality:\s+NM\n", r.Out);
        Assert.Contains("error XRF2022", r.Err, StringComparison.Ordinal);
        Assert.Contains("1.2.840.10008.1.2.4.51 - JPEG Extended (Process 2 and 4)", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void ABadDicomFileInABatchFailsAlone()
    {
        string dir = CliKit.TempDir();
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), WindowSobel);
        string scans = Path.Combine(dir, "scans");
        Directory.CreateDirectory(scans);
        foreach (var f in new[] { "CT_small.dcm", "MR_small.dcm", "MR_truncated.dcm" })
        {
            File.Copy(Fixture(f), Path.Combine(scans, f));
        }

        string outDir = Path.Combine(dir, "out");
        var r = CliKit.Run("run", Path.Combine(dir, "recipe.yaml"), "--input", $"scan={scans}/*.dcm", "--out", outDir);
        Assert.Equal(1, r.Exit);
        Assert.Contains("MR_truncated.dcm", r.Err, StringComparison.Ordinal);
        Assert.Contains("(8130 bytes) doesn't match the expected length (8192 bytes", r.Err, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "CT_small_windowed.npy")));
        Assert.True(File.Exists(Path.Combine(outDir, "CT_small_gx.png")));
        Assert.True(File.Exists(Path.Combine(outDir, "MR_small_windowed.npy")));
        Assert.False(File.Exists(Path.Combine(outDir, "MR_truncated_windowed.npy")));
    }

    [Fact]
    public void AMultiFrameFileIsAStackInput()
    {
        string dir = CliKit.TempDir();
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), """
            xrayflow: 1
            inputs:
              frames: stack
            steps:
              - id: windowed
                op: window
                center: 32768
                width: 65536
            outputs:
              windowed: windowed.npy
            """);
        string outDir = Path.Combine(dir, "out");
        var r = CliKit.Run("run", Path.Combine(dir, "recipe.yaml"), "--input", $"frames={Fixture("multiframe_u16.dcm")}", "--out", outDir);
        Assert.True(r.Exit == 0, r.Err);
        var windowed = XRayFlow.Core.Codecs.ImageReader.Read(Path.Combine(outDir, "windowed.npy"));
        Assert.Equal([3, 16, 16], windowed.Shape);
        Assert.All(windowed.Data, v => Assert.InRange(v, 0f, 255f));
    }

    [Fact]
    public void WindowTakesTheHeaderWindowRightAfterTheInput()
    {
        string dir = CliKit.TempDir();
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), """
            xrayflow: 1
            inputs:
              scan: image
            steps:
              - id: windowed
                op: window
            outputs:
              windowed: windowed.npy
            """);
        string outDir = Path.Combine(dir, "out");
        var ok = CliKit.Run("run", Path.Combine(dir, "recipe.yaml"), "--input", $"scan={Fixture("MR_small.dcm")}", "--out", outDir);
        Assert.True(ok.Exit == 0, ok.Err);
        var windowed = XRayFlow.Core.Codecs.ImageReader.Read(Path.Combine(outDir, "windowed.npy"));
        var modality = XRayFlow.Core.Codecs.ImageReader.Read(Fixture("MR_small.dcm"));
        for (int i = 0; i < modality.Length; i++)
        {
            double x = modality.Data[i]; // header window: center 600, width 1600
            double y = x <= 600 - 0.5 - (1599 / 2.0) ? 0 : x > 600 - 0.5 + (1599 / 2.0) ? 255 : (((x - 599.5) / 1599) + 0.5) * 255;
            Assert.Equal((float)y, windowed.Data[i]);
        }

        var none = CliKit.Run("run", Path.Combine(dir, "recipe.yaml"), "--input", $"scan={Fixture("CT_small.dcm")}", "--out", Path.Combine(dir, "out2"));
        Assert.Equal(1, none.Exit);
        Assert.Contains("has no usable Window Center (0028,1050)", none.Err, StringComparison.Ordinal);
        Assert.Contains("CT_small: failed: step 'windowed': window needs 'center': the DICOM header of ", none.Err, StringComparison.Ordinal); // the step named once
        Assert.DoesNotContain("window failed", none.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void PlanKnowsDicomShapesFromTheHeader()
    {
        var r = CliKit.Run("plan", Path.Combine(CliKit.Root, "pipelines", "ct-window-edges.yaml"));
        Assert.True(r.Exit == 0, r.Err);
        Assert.Contains("ct (image): 128x128 float32", r.Out, StringComparison.Ordinal);

        string dir = CliKit.TempDir();
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), """
            xrayflow: 1
            inputs:
              frames: stack
            steps:
              - op: window
                center: 1
                width: 2
            """);
        var m = CliKit.Run("plan", Path.Combine(dir, "recipe.yaml"), "--input", $"frames={Fixture("multiframe_u16.dcm")}");
        Assert.True(m.Exit == 0, m.Err);
        Assert.Contains("frames (stack): 3x16x16 float32", m.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutPreambleIsRefusedUnlessTheFlagIsGiven()
    {
        string dir = CliKit.TempDir();
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), WindowSobel);
        string input = $"scan={Fixture("no_preamble.dcm")}";
        var refused = CliKit.Run("run", Path.Combine(dir, "recipe.yaml"), "--input", input, "--out", Path.Combine(dir, "o1"));
        Assert.Equal(1, refused.Exit);
        Assert.Contains("lacks the 128-byte preamble followed by 'DICM'", refused.Err, StringComparison.Ordinal);
        Assert.Contains("--dicom-without-preamble", refused.Err, StringComparison.Ordinal);

        var read = CliKit.Run("run", Path.Combine(dir, "recipe.yaml"), "--input", input, "--out", Path.Combine(dir, "o2"), "--dicom-without-preamble");
        Assert.True(read.Exit == 0, read.Err);
        Assert.True(File.Exists(Path.Combine(dir, "o2", "no_preamble_windowed.npy")));
    }

    [Fact]
    public void InfoReadsAFileWithoutPreambleWhenTheFlagIsGiven()
    {
        // The refusal named the flag, which only run and arrays had: info could not show such a file's pixels.
        var refused = CliKit.Run("info", Fixture("no_preamble.dcm"));
        Assert.Equal(1, refused.Exit);
        Assert.Contains("xrayflow run, info or arrays --dicom-without-preamble", refused.Err, StringComparison.Ordinal);

        var read = CliKit.Run("info", Fixture("no_preamble.dcm"), "--dicom-without-preamble");
        Assert.True(read.Exit == 0, read.Err);
        Assert.Contains("shape:", read.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, read.Err);
    }
}

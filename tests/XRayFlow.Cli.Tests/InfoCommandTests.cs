using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Cli.Tests;

/// <summary>
/// `xrayflow info` and the `stats` op agree on every input: one sniffing (ImageReader), one statistics implementation
/// (Statistics.Summarize). Before, info re-implemented both: on an .npy holding a NaN it printed a numeric mean
/// while stats wrote "mean": null.
/// </summary>
public class InfoCommandTests
{
    private const string StatsRecipe = """
        xrayflow: 1
        name: stats-of
        inputs:
          x: image
        steps:
          - id: stats
            op: stats
        outputs:
          stats: "{stem}_stats.json"
        """;

    private static readonly string[] Keys = ["count", "min", "max", "mean", "median", "std"];

    public static TheoryData<string> Inputs() => ["sample.png", "nan.npy", "infinities.npy", "grey.jpg", "CT_small.dcm", "interlaced.png"];

    private static string Make(string dir, string name)
    {
        string path = Path.Combine(dir, name);
        switch (name)
        {
            case "sample.png":
                File.Copy(Path.Combine(CliKit.Root, "pipelines", "samples", "00000011_000.png"), path);
                break;
            case "nan.npy":
                var a = new ImageArray(8, 8, [.. Enumerable.Range(0, 64).Select(i => (float)i)]);
                a.Data[17] = float.NaN;
                NpyWriter.Write(path, a);
                break;
            case "infinities.npy":
                var b = new ImageArray(4, 4, [.. Enumerable.Range(0, 16).Select(i => (float)(i * 0.1))]);
                b.Data[3] = float.PositiveInfinity;
                b.Data[9] = float.NegativeInfinity;
                NpyWriter.Write(path, b);
                break;
            case "grey.jpg":
                File.Copy(Path.Combine(CliKit.Root, "tests", "fixtures", "engine", "codecs", "jpeg", "grey_progressive.jpg"), path);
                break;
            case "interlaced.png":
                File.Copy(Path.Combine(CliKit.Root, "tests", "fixtures", "engine", "codecs", "png", "interlaced_ct2_16_33x17.png"), path);
                break;
            default:
                File.Copy(Path.Combine(CliKit.Root, "tests", "fixtures", "dicom", name), path);
                break;
        }

        return path;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void InfoPrintsWhatTheStatsOpWrites(string name)
    {
        string dir = CliKit.TempDir();
        string input = Make(dir, name);
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), StatsRecipe);
        string outDir = Path.Combine(dir, "out");
        var run = CliKit.Run("run", Path.Combine(dir, "recipe.yaml"), "--input", $"x={input}", "--out", outDir);
        Assert.True(run.Exit == 0, run.Err);
        var stats = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, Path.GetFileNameWithoutExtension(name) + "_stats.json"))).RootElement;

        var info = CliKit.Run("info", input);
        Assert.True(info.Exit == 0, info.Err);
        foreach (string key in Keys)
        {
            var m = Regex.Match(info.Out, $"^{key}: +(\\S+)$", RegexOptions.Multiline);
            Assert.True(m.Success, $"{name}: info prints no {key}:\n{info.Out}");
            string printed = m.Groups[1].Value;
            var json = stats.GetProperty(key);
            if (json.ValueKind == JsonValueKind.Null)
            {
                Assert.Contains(printed, new[] { "nan", "inf", "-inf" }); // JSON has no NaN or infinity: null
            }
            else
            {
                Assert.Equal(json.GetRawText(), printed); // the same double, printed the same shortest way
            }
        }

        string shape = string.Join(", ", stats.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64().ToString(CultureInfo.InvariantCulture)));
        Assert.Contains($"shape:  ({shape})", info.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ANanMakesEveryStatisticNanInInfoAsInStats()
    {
        string dir = CliKit.TempDir();
        var info = CliKit.Run("info", Make(dir, "nan.npy"));
        Assert.Equal(0, info.Exit);
        Assert.Contains("mean:   nan\n", info.Out, StringComparison.Ordinal);
        Assert.Contains("min:    nan\n", info.Out, StringComparison.Ordinal);
        Assert.Contains("note:   the array holds NaN", info.Out, StringComparison.Ordinal);
        Assert.Contains("stored: npy, <f4\n", info.Out, StringComparison.Ordinal);

        var inf = CliKit.Run("info", Make(dir, "infinities.npy"));
        Assert.Contains("min:    -inf\n", inf.Out, StringComparison.Ordinal);
        Assert.Contains("max:    inf\n", inf.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("note:", inf.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void AComplexArrayGetsNoStatisticsAsTheStatsOpRefusesIt()
    {
        string path = Path.Combine(CliKit.TempDir(), "c.npy");
        NpyWriter.Write(path, new ImageArray(2, 2, [1, 2, 3, 4], [0, 1, 0, 1]));
        var info = CliKit.Run("info", path);
        Assert.Equal(0, info.Exit);
        Assert.Contains("dtype:  complex64", info.Out, StringComparison.Ordinal);
        Assert.Contains("stats:  none: the array is complex", info.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("mean:", info.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void InfoSniffsTheFormatAsTheReaderDoes()
    {
        // A PNG named .npy is a PNG for the reader, and for info.
        string dir = CliKit.TempDir();
        string path = Path.Combine(dir, "really_a_png.npy");
        File.Copy(Path.Combine(CliKit.Root, "pipelines", "samples", "00000011_000.png"), path);
        var info = CliKit.Run("info", path);
        Assert.Equal(0, info.Exit);
        Assert.Contains("stored: PNG, 8-bit grey\n", info.Out, StringComparison.Ordinal);
        var jpg = CliKit.Run("info", Make(dir, "grey.jpg"));
        Assert.Contains("stored: JPEG, 8-bit grey, progressive\n", jpg.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ControlCharactersInTheFileNameAndTheDicomHeaderAreEscaped()
    {
        string dir = CliKit.TempDir();
        string path = Path.Combine(dir, "x\u001b]0;owned\u0007.dcm");
        var bytes = File.ReadAllBytes(Path.Combine(CliKit.Root, "tests", "fixtures", "dicom", "CT_small.dcm"));
        // Modality (0008,0060) CS "CT": make it "\x1b[" (same length), as a crafted header would.
        int at = IndexOf(bytes, [0x08, 0x00, 0x60, 0x00, (byte)'C', (byte)'S', 0x02, 0x00]);
        Assert.True(at > 0);
        bytes[at + 8] = 0x1B;
        bytes[at + 9] = (byte)'[';
        File.WriteAllBytes(path, bytes);
        var info = CliKit.Run("info", path);
        Assert.True(info.Exit == 0, info.Err);
        Assert.DoesNotContain('\u001b', info.Out);
        Assert.DoesNotContain('\u0007', info.Out);
        Assert.Contains("file:   " + Path.Combine(dir, "x\\x1b]0;owned\\x07.dcm"), info.Out, StringComparison.Ordinal);
        Assert.Matches(@"\n  modality:\s+\\x1b\[\n", info.Out);
    }

    [Fact]
    public void AFifoOrADirectoryIsRefusedWithoutBlocking()
    {
        string dir = CliKit.TempDir();
        var d = CliKit.Run("info", dir);
        Assert.Equal(2, d.Exit);
        Assert.Contains("it is a directory, not a regular file", d.Err, StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            var z = CliKit.Run("info", "/dev/zero");
            Assert.Equal(2, z.Exit);
            Assert.Contains("it is a character device, not a regular file", z.Err, StringComparison.Ordinal);
        }
    }

    private static int IndexOf(byte[] hay, byte[] needle) => hay.AsSpan().IndexOf(needle);
}

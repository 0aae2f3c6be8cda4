using System.Buffers.Binary;
using System.Text;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Tests.Execution;

public class OutputTests
{
    private static BoundOutput Output(string path, OutputFormat format, Dictionary<string, object?>? options = null) => new()
    {
        Name = "o",
        From = "v",
        PathTemplate = path,
        Format = format,
        Options = options ?? [],
        Location = new SourceLocation("r.yaml", 1, 1),
    };

    [Theory]
    [InlineData("a.png", "x", "a.png")]
    [InlineData("{stem}_m.png", "img7", "img7_m.png")]
    [InlineData("sub/{stem}.npy", "s", "sub/s.npy")]
    [InlineData("sub/../b.npy", "s", "b.npy")]
    public void PathsResolveInsideOut(string template, string stem, string expected)
    {
        string outDir = RunKit.TempDir();
        Assert.Equal(Path.Combine(outDir, expected), OutputPaths.Resolve(outDir, template, stem));
    }

    [Theory]
    [InlineData("../x.png", "s")]
    [InlineData("/etc/x.png", "s")]
    [InlineData("a/../../x.png", "s")]
    [InlineData("{stem}.png", "../../evil")]
    public void PathsLeavingOutAreRefused(string template, string stem)
        => Assert.Null(OutputPaths.Resolve(RunKit.TempDir(), template, stem));

    [Fact]
    public void EightBitPngRoundsHalfToEvenAndClips()
    {
        var r = OutputWriter.RoundClip(new ImageArray(1, 7, [-3f, 0.5f, 1.5f, 254.5f, 255.7f, 300f, float.NaN]), 255f);
        Assert.Equal([0f, 0f, 2f, 254f, 255f, 255f, 0f], r.Data);
    }

    [Fact]
    public void PngOutputsDecodeToTheRoundedValues()
    {
        string dir = RunKit.TempDir();
        string path = Path.Combine(dir, "a.png");
        var img = new ImageArray(2, 3, [0f, 1.4f, 2.6f, 127.5f, 254.9f, 999f]);
        OutputWriter.Write(Output("a.png", OutputFormat.Png), _ => new ArrayValue(img), path);
        Assert.Equal([0f, 1f, 3f, 128f, 255f, 255f], ImageReader.Read(path).Data);

        string p16 = Path.Combine(dir, "b.png");
        OutputWriter.Write(Output("b.png", OutputFormat.Png, new() { ["bits"] = 16 }), _ => new ArrayValue(new ImageArray(1, 3, [1000.4f, 70000f, -5f])), p16);
        Assert.Equal([1000f, 65535f, 0f], ImageReader.Read(p16).Data);
    }

    [Fact]
    public void ColormapPngIsRgbUsingDataLimitsByDefault()
    {
        string dir = RunKit.TempDir();
        string path = Path.Combine(dir, "c.png");
        OutputWriter.Write(Output("c.png", OutputFormat.Png, new() { ["colormap"] = "gray" }), _ => new ArrayValue(new ImageArray(1, 3, [10f, 20f, 30f])), path);
        // gray through imshow: (x - 10) / 20 -> 0, 0.5, 1 -> lut 0, 128, 255; read back as luma of grey = the grey level.
        Assert.Equal([0f, 128f, 255f], ImageReader.Read(path).Data);
    }

    [Fact]
    public void NpyHoldsFloat32CorderWithShape()
    {
        string path = Path.Combine(RunKit.TempDir(), "a.npy");
        var stack = ImageArray.Stack(2, 2, 3, [.. Enumerable.Range(0, 12).Select(i => i * 0.5f)]);
        OutputWriter.Write(Output("a.npy", OutputFormat.Npy), _ => new ArrayValue(stack), path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal(0x93, bytes[0]);
        int headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        string header = Encoding.ASCII.GetString(bytes, 10, headerLen);
        Assert.Contains("'descr': '<f4'", header, StringComparison.Ordinal);
        Assert.Contains("'fortran_order': False", header, StringComparison.Ordinal);
        Assert.Contains("'shape': (2, 2, 3)", header, StringComparison.Ordinal);
        Assert.Equal(stack.Data, NpyReader.Read(path).Data);
    }

    [Fact]
    public void JsonTablesKeepKeyOrderAndInvariantNumbers()
    {
        var table = new TableValue([new("zeta", 1.5), new("alpha", 2L), new("nan", double.NaN), new("bins", new[] { 0.25, 1e-7 }), new("name", "a\"b")]);
        Assert.Equal("{\n  \"zeta\": 1.5,\n  \"alpha\": 2,\n  \"nan\": null,\n  \"bins\": [0.25, 1E-07],\n  \"name\": \"a\\\"b\"\n}\n", OutputWriter.Json(table));
    }

    [Fact]
    public void AStackCannotBeOnePng()
    {
        var ex = Assert.Throws<OutputException>(() => OutputWriter.Png(Output("s.png", OutputFormat.Png), new ArrayValue(ImageArray.Stack(2, 2, 2))));
        Assert.Contains("is a stack (2, 2, 2); write it as .gif or .npy", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GifOfAStackHasOneFramePerImage()
    {
        string path = Path.Combine(RunKit.TempDir(), "a.gif");
        OutputWriter.Write(Output("a.gif", OutputFormat.Gif, new() { ["duration_ms"] = 200 }), _ => new ArrayValue(ImageArray.Stack(3, 4, 5)), path);
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("GIF89a", Encoding.ASCII.GetString(bytes, 0, 6));
        using var gif = SixLabors.ImageSharp.Image.Load(bytes);
        Assert.Equal(3, gif.Frames.Count);
    }

    [Fact]
    public void AtomicWritesLeaveNoTemporaryFileAndNoHalfFileOnFailure()
    {
        string dir = RunKit.TempDir();
        string path = Path.Combine(dir, "x.bin");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(Path.Combine(dir, "y.bin"), s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("crash mid-write");
        }));
        Assert.False(File.Exists(Path.Combine(dir, "y.bin")));
        Assert.Equal(["x.bin"], Directory.GetFiles(dir).Select(Path.GetFileName));

        // A failed rewrite keeps the old complete file.
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException("again")));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
    }
}

using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
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

    /// <summary>
    /// vmin / vmax on a grey .png, .gif or overlay picture map the values as imshow does with the gray colormap (level
    /// floor(t * 256), clipped; NaN black): the same levels as `colormap: gray`, one channel. They were accepted and
    /// ignored, so a [0, 1] image written with `vmin: 0, vmax: 1` came out black (values 0 and 1).
    /// </summary>
    [Fact]
    public void GreyPicturesWithVminVmaxMapAsImshowsGray()
    {
        string dir = RunKit.TempDir();
        var img = new ImageArray(1, 8, [-0.5f, 0f, 0.25f, 0.5f, 0.999f, 1f, 2f, float.NaN]);
        var limits = new Dictionary<string, object?> { ["vmin"] = 0.0, ["vmax"] = 1.0 };
        string p8 = Path.Combine(dir, "a.png");
        OutputWriter.Write(Output("a.png", OutputFormat.Png, limits), _ => new ArrayValue(img), p8);
        Assert.Equal([0f, 0f, 64f, 128f, 255f, 255f, 255f, 0f], ImageReader.Read(p8).Data);

        // The red channel of the same picture through colormap: gray.
        var gray = OutputWriter.Png(Output("g.png", OutputFormat.Png, new() { ["colormap"] = "gray", ["vmin"] = 0.0, ["vmax"] = 1.0 }), new ArrayValue(img));
        string pg = Path.Combine(dir, "g.png");
        File.WriteAllBytes(pg, gray);
        using (var rgb = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(pg))
        {
            Assert.Equal(ImageReader.Read(p8).Data, Enumerable.Range(0, 8).Select(k => (float)rgb[k, 0].R));
        }

        string p16 = Path.Combine(dir, "b.png");
        OutputWriter.Write(Output("b.png", OutputFormat.Png, new() { ["bits"] = 16, ["vmin"] = 0.0, ["vmax"] = 1.0 }), _ => new ArrayValue(img), p16);
        Assert.Equal([0f, 0f, 16384f, 32768f, 65470f, 65535f, 65535f, 0f], ImageReader.Read(p16).Data);

        // One limit given: the other is the data's finite min / max, as imshow.
        string pmax = Path.Combine(dir, "c.png");
        OutputWriter.Write(Output("c.png", OutputFormat.Png, new() { ["vmax"] = 1.0 }), _ => new ArrayValue(img), pmax);
        Assert.Equal(ImageReader.Read(p8).Data[4..], ImageReader.Read(pmax).Data[4..]); // vmin -0.5: values below 0.999 move
        Assert.Equal(85f, ImageReader.Read(pmax).Data[1]); // (0 + 0.5) / 1.5 * 256 = 85.3

        // A .gif: the gray colormap's frames; without limits the values are stored as they are.
        var stack = ImageArray.Stack(2, 1, 8, [.. img.Data, .. img.Data]);
        Assert.Equal(
            OutputWriter.Gif(Output("s.gif", OutputFormat.Gif, new() { ["colormap"] = "gray", ["vmin"] = 0.0, ["vmax"] = 1.0 }), stack),
            OutputWriter.Gif(Output("s.gif", OutputFormat.Gif, limits), stack));
        Assert.NotEqual(OutputWriter.Gif(Output("s.gif", OutputFormat.Gif), stack), OutputWriter.Gif(Output("s.gif", OutputFormat.Gif, limits), stack));

        // An overlay's grey picture (a mask without regions draws no outline).
        var mask = new ImageArray(1, 8);
        var overlay = OutputWriter.Png(Output("o.png", OutputFormat.Png, new() { ["overlay"] = new OverlayOption("m", "red"), ["vmin"] = 0.0, ["vmax"] = 1.0 }), new ArrayValue(img), _ => new ArrayValue(mask));
        string po = Path.Combine(dir, "o.png");
        File.WriteAllBytes(po, overlay);
        using (var rgb = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.Rgb24>(po))
        {
            Assert.Equal(ImageReader.Read(p8).Data, Enumerable.Range(0, 8).Select(k => (float)rgb[k, 0].G));
        }

        // vmin above vmax is refused (the binder refuses it in a recipe; the writer too).
        Assert.Throws<OutputException>(() => OutputWriter.Png(Output("x.png", OutputFormat.Png, new() { ["vmin"] = 2.0, ["vmax"] = 1.0 }), new ArrayValue(img)));
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
    public void PngCompressionLevelsWriteTheSamePixelsAndReturnTheHashOfTheFile()
    {
        string dir = RunKit.TempDir();
        var img = new ImageArray(16, 16, Enumerable.Range(0, 256).Select(i => (float)(i % 16 * 9)).ToArray());
        var sizes = new List<long>();
        foreach (int? level in new int?[] { null, 0, 1, 6, 9 })
        {
            string path = Path.Combine(dir, $"l{level}.png");
            var options = level is null ? null : new Dictionary<string, object?> { ["compression"] = level };
            string? sha = OutputWriter.Write(Output($"l{level}.png", OutputFormat.Png, options), _ => new ArrayValue(img), path);
            Assert.Equal(img.Data, ImageReader.Read(path).Data);
            Assert.Equal(XRayFlow.Pipeline.Running.Manifest.Sha256OfFile(path), sha);
            sizes.Add(new FileInfo(path).Length);
        }

        Assert.Equal(sizes[0], sizes[2]); // the default is level 1
        Assert.True(sizes[1] > sizes[2], "level 0 stores");

        // Streamed formats give no hash: the runner reads the file back.
        Assert.Null(OutputWriter.Write(Output("a.npy", OutputFormat.Npy), _ => new ArrayValue(img), Path.Combine(dir, "a.npy")));
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

    /// <summary>
    /// A complex array (one the binder could not know was complex) is no picture: with a colormap its real part
    /// alone was coloured, without one the writer's ArgumentException surfaced as an internal error.
    /// </summary>
    [Fact]
    public void AComplexArrayIsNoPicture()
    {
        var complex = new ArrayValue(new ImageArray(2, 2, new float[4], [0f, 1f, 2f, 3f]));
        foreach (var options in new Dictionary<string, object?>[] { new(), new() { ["colormap"] = "gray" }, new() { ["bits"] = 16 } })
        {
            var ex = Assert.Throws<OutputException>(() => OutputWriter.Png(Output("c.png", OutputFormat.Png, options), complex));
            Assert.Contains("a .png output shows real values, but 'v' is complex; take 'abs' of it", ex.Message, StringComparison.Ordinal);
        }

        string path = Path.Combine(RunKit.TempDir(), "c.gif");
        var gif = Assert.Throws<OutputException>(() => OutputWriter.Write(Output("c.gif", OutputFormat.Gif), _ => new ArrayValue(ImageArray.Stack(2, 2, 2, new float[8], new float[8])), path));
        Assert.Contains("a .gif output shows real values", gif.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
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

    [Theory]
    [InlineData("b", 214)] // 218 bytes: the long temporary name would be 256
    [InlineData("b", 251)] // 255 bytes, the most a file name can have
    [InlineData("\U0001F600", 62)] // 252 bytes of 4-byte characters: shortened between characters
    public void AtomicWritesTakeNamesUpTo255BytesAndTheirLeftoverTemporariesAreStillCleanedUp(string unit, int count)
    {
        // `.NAME.<32 hex>.tmp` adds 38 bytes: a final name over 217 bytes made it longer than the 255-byte limit,
        // and writing failed with "path too long". Such a name's temporary now stands for it shortened, with a hash.
        string dir = RunKit.TempDir();
        string name = string.Concat(Enumerable.Repeat(unit, count)) + ".png";
        string path = Path.Combine(dir, name);
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Equal([name], Directory.GetFiles(dir).Select(Path.GetFileName));

        string stem = AtomicFile.TempStem(name);
        Assert.NotEqual(name, stem);
        Assert.StartsWith(stem[..^17], name, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{16}$", stem[^16..]);
        string leftover = $".{stem}.{new string('c', 32)}.tmp";
        Assert.InRange(Encoding.UTF8.GetByteCount(leftover), 250, 255);

        // What a killed run leaves: found by the cleanup of the whole folder...
        File.WriteAllBytes(Path.Combine(dir, leftover), [9]);
        Assert.Equal(1, Running.OutputFolder.RemoveStaleTemporaries(dir));
        Assert.Equal([name], Directory.GetFiles(dir).Select(Path.GetFileName));

        // ...and by a shard's cleanup of its own files, which leaves another long name's temporary alone even when
        // both names begin alike (the hash tells them apart).
        string other = string.Concat(Enumerable.Repeat(unit, count - 1)) + "x.png";
        string otherLeftover = $".{AtomicFile.TempStem(other)}.{new string('d', 32)}.tmp";
        Assert.NotEqual(stem, AtomicFile.TempStem(other));
        File.WriteAllBytes(Path.Combine(dir, leftover), [9]);
        File.WriteAllBytes(Path.Combine(dir, otherLeftover), [9]);
        Assert.Equal(1, Running.OutputFolder.RemoveStaleTemporaries([path]));
        Assert.Equal([otherLeftover, name], Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ANameThatFitsKeepsTheLongTemporaryForm()
    {
        string name = new string('b', 213) + ".png"; // 217 bytes: the temporary is exactly 255
        Assert.Equal(name, AtomicFile.TempStem(name));
    }

    [Fact]
    public void APathIntoASiblingFolderWhoseNameBeginsAsOutsDoesIsRefused()
    {
        // `out-2` begins with `out`: inside means below `out/`, not a name that begins the same.
        string outDir = RunKit.TempDir();
        string sibling = "../" + Path.GetFileName(outDir) + "-2/x.png";
        Assert.Null(OutputPaths.Resolve(outDir, sibling, "s"));
        Assert.Null(OutputPaths.Resolve(outDir, "{stem}.png", "../" + Path.GetFileName(outDir) + "x"));
        Assert.Equal(Path.Combine(outDir, "x.png"), OutputPaths.Resolve(outDir, "../" + Path.GetFileName(outDir) + "/x.png", "s"));
    }

    [Fact]
    public void GifsLoopForeverAndShowEachFrameOneSecondByDefault()
    {
        var stack = ImageArray.Stack(2, 4, 5);
        using (var gif = SixLabors.ImageSharp.Image.Load(OutputWriter.Gif(Output("a.gif", OutputFormat.Gif), stack)))
        {
            Assert.Equal(0, gif.Metadata.GetGifMetadata().RepeatCount);
            Assert.All(gif.Frames, f => Assert.Equal(100, f.Metadata.GetGifMetadata().FrameDelay)); // hundredths of a second
        }

        using (var gif = SixLabors.ImageSharp.Image.Load(OutputWriter.Gif(Output("b.gif", OutputFormat.Gif, new() { ["loop"] = 3, ["duration_ms"] = 200 }), stack)))
        {
            Assert.Equal(3, gif.Metadata.GetGifMetadata().RepeatCount);
            Assert.All(gif.Frames, f => Assert.Equal(20, f.Metadata.GetGifMetadata().FrameDelay));
        }
    }

    [Fact]
    public void GreyLevelsRefuseANaNLimit()
    {
        // vmin <= vmax is false with a NaN limit: it is refused as limits the wrong way round are.
        var frame = new ImageArray(1, 3, [0f, 0.5f, 1f]);
        Assert.Throws<OutputException>(() => OutputWriter.GreyLevels("o", frame, double.NaN, 1, 256));
        Assert.Throws<OutputException>(() => OutputWriter.GreyLevels("o", frame, 0, double.NaN, 256));
        Assert.Equal([0f, 128f, 255f], OutputWriter.GreyLevels("o", frame, 0, 1, 256).Data);
    }

    [Fact]
    public void AJsonTableWithoutFieldsStillNamesItsItemAsValidJson()
    {
        Assert.Equal("{\n  \"input\": \"a.npy\"\n}\n", OutputWriter.Json(new TableValue([]), "a.npy"));
        Assert.Equal("{\n  \"input\": \"a.npy\",\n  \"n\": 2\n}\n", OutputWriter.Json(new TableValue([new("n", 2L)]), "a.npy"));
    }

    [Fact]
    public void JsonQuotesEscapeEveryControlCharacter()
        => Assert.Equal("\"a\\u0000\\u001f\\t\u0020~\u007f\"", JsonText.Quote("a\u0000\u001f\t ~\u007f"));

    [Fact]
    public void CsvFieldsWithACommaQuoteOrLineEndAreQuotedAndReadBack()
    {
        string[] fields = ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\rhere", ""];
        var sb = new StringBuilder();
        TableCsv.AppendLine(sb, fields);
        Assert.Equal("plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\rhere\",\n", sb.ToString());
        Assert.Equal(fields, Assert.Single(TableCsv.Parse(sb.ToString())!));
    }

    [Theory]
    [InlineData("a,b\nc,d\n", "a|b/c|d")]
    [InlineData("a,", "a|")] // a last line without its line end, its last field empty
    [InlineData("a,b", "a|b")]
    [InlineData("\"q\"\"\",x\n", "q\"|x")]
    public void CsvParsesEveryLineAndItsFields(string text, string expected)
        => Assert.Equal(expected, string.Join("/", TableCsv.Parse(text)!.Select(line => string.Join("|", line))));
}

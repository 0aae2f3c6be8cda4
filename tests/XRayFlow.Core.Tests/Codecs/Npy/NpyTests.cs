using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs.Npy;

public class NpyTests
{
    private static string P(string name) => CodecFixtures.Path_("npy", name);

    [Theory]
    [InlineData("bool")]
    [InlineData("int8")]
    [InlineData("uint8")]
    [InlineData("int16")]
    [InlineData("uint16")]
    [InlineData("int32")]
    [InlineData("uint32")]
    [InlineData("int64")]
    [InlineData("uint64")]
    [InlineData("float16")]
    [InlineData("float32")]
    [InlineData("float64")]
    [InlineData("complex64")]
    [InlineData("complex128")]
    public void ReadsEveryDtypeInBothByteOrders(string dtype)
    {
        var expected = NpyReader.Read(P(dtype + "_expected.npy"));
        foreach (string order in new[] { "le", "be" })
        {
            var a = NpyReader.Read(P($"{dtype}_{order}.npy"));
            Assert.Equal([3, 4], a.Shape);
            Assert.Equal(expected.Data, a.Data);
            Assert.Equal(expected.Imag, a.Imag);
        }
    }

    [Fact]
    public void Float32ValuesAreExact()
    {
        var a = NpyReader.Read(P("float32_le.npy"));
        Assert.Equal(-0.6f, a[0, 0]);
        Assert.Equal(0.5f, a[2, 3], 1e-7);
        var c = NpyReader.Read(P("complex64_le.npy"));
        Assert.Equal(-3f, c.Data[0]);
        Assert.Equal(11f, c.Imag![11]);
    }

    [Theory]
    [InlineData("v2.npy")]
    [InlineData("v3.npy")]
    public void ReadsFormatVersions2And3(string file)
        => Assert.Equal(NpyReader.Read(P("float32_le.npy")).Data, NpyReader.Read(P(file)).Data);

    [Fact]
    public void ThreeDimensionsIsAStack()
    {
        var s = NpyReader.Read(P("stack.npy"));
        Assert.True(s.IsStack);
        Assert.Equal([2, 3, 4], s.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), s.Data);
    }

    [Theory]
    [InlineData("fortran.npy", "Fortran order")]
    [InlineData("rank1.npy", "shape (5)")]
    [InlineData("rank4.npy", "shape (1, 2, 2, 2)")]
    [InlineData("structured.npy", ".npy dtype is a structured (record) dtype, which is not supported")]
    [InlineData("unicode.npy", "dtype '<U1' is not supported")]
    [InlineData("truncated.npy", "truncated .npy")]
    public void UnsupportedFilesThrowWithAReason(string file, string reason)
    {
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(P(file)));
        Assert.Contains(reason, ex.Reason);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), '\u001b]0;owned\u0007': 1, }", "unexpected key '\\x1b]0;owned\\x07'")]
    [InlineData("{'descr': '<U\u001b[2J', 'fortran_order': False, 'shape': (2, 2), }", "dtype '<U\\x1b[2J' is not supported")]
    public void HeaderTextQuotedInAMessageIsEscaped(string header, string reason)
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
        ms.Write(System.Text.Encoding.Latin1.GetBytes(header));
        ms.Write(new byte[64]);
        ms.Position = 0;
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(ms, "escape.npy"));
        Assert.Contains(reason, ex.Reason);
        Assert.DoesNotContain('\u001b', ex.Message);
    }

    [Fact]
    public void HeaderLengthIsValidatedBeforeAllocation()
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F]);
        ms.Position = 0;
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(ms, "big-header.npy"));
        Assert.Contains("header declares", ex.Reason);
    }

    [Fact]
    public void DataLengthIsValidatedBeforeAllocation()
    {
        var ms = new MemoryStream();
        NpyWriter.Write(ms, new ImageArray(2, 2, [1, 2, 3, 4]));
        var bytes = ms.ToArray();
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, bytes.Length - 10 - 16);
        string bigger = header.Replace("(2, 2)", "(9000, 9000)").Substring(0, header.Length);
        var forged = bytes[..10].Concat(System.Text.Encoding.ASCII.GetBytes(bigger)).Concat(bytes[^16..]).ToArray();
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(new MemoryStream(forged), "forged.npy"));
        Assert.Contains("needs 324000000 data bytes, the file has 16", ex.Reason);
    }

    [Fact]
    public void WriteRoundTripsRealAndComplexImagesAndStacks()
    {
        var rng = new Random(7);
        var img = new ImageArray(3, 5, Enumerable.Range(0, 15).Select(_ => (float)rng.NextDouble()).ToArray());
        var cplx = new ImageArray(2, 2, [1, 2, 3, 4], [-1, -2, -3, -4]);
        var stack = ImageArray.Stack(2, 1, 3, [1, 2, 3, 4, 5, 6]);
        foreach (var a in new[] { img, cplx, stack })
        {
            var ms = new MemoryStream();
            NpyWriter.Write(ms, a);
            Assert.Equal(0, (ms.Length - a.Length * (a.IsComplex ? 8 : 4)) % 64); // data aligned to 64
            ms.Position = 0;
            var b = NpyReader.Read(ms);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.IsStack, b.IsStack);
            Assert.Equal(a.Data, b.Data);
            Assert.Equal(a.Imag, b.Imag);
        }
    }

    [Fact]
    public void WrittenHeaderIsWhatNumpyWrites()
    {
        var ms = new MemoryStream();
        NpyWriter.Write(ms, ImageArray.Stack(2, 3, 4));
        string text = System.Text.Encoding.ASCII.GetString(ms.ToArray(), 10, 118);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", text);
        Assert.EndsWith("\n", text);
    }
}

using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs.Png;

public class PngWriterTests
{
    [Theory]
    [InlineData(0.5f, 0)]
    [InlineData(1.5f, 2)]
    [InlineData(2.5f, 2)]
    [InlineData(2.4999f, 2)]
    [InlineData(2.5001f, 3)]
    [InlineData(-3f, 0)]
    [InlineData(254.5f, 254)]
    [InlineData(255.5f, 255)]
    [InlineData(1e9f, 255)]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 255)]
    [InlineData(float.NegativeInfinity, 0)]
    public void EightBitRoundsHalfToEvenAndClips(float v, int expected) => Assert.Equal(expected, PngWriter.ToByte(v));

    [Theory]
    [InlineData(0.5f, 0)]
    [InlineData(3.5f, 4)]
    [InlineData(65534.5f, 65534)]
    [InlineData(70000f, 65535)]
    [InlineData(-1f, 0)]
    [InlineData(float.NaN, 0)]
    public void SixteenBitRoundsHalfToEvenAndClips(float v, int expected) => Assert.Equal(expected, PngWriter.ToUInt16(v));

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void RoundTripsThroughTheReader(int bits)
    {
        int max = bits == 8 ? 255 : 65535;
        var rng = new Random(bits);
        var img = new ImageArray(7, 9, Enumerable.Range(0, 63).Select(_ => (float)rng.Next(0, max + 1)).ToArray());
        img[0, 0] = 0;
        img[0, 1] = max;
        var ms = new MemoryStream();
        PngWriter.Write(ms, img, bits);
        ms.Position = 0;
        var back = ImageReader.Read(ms, "roundtrip.png");
        Assert.Equal(img.Data, back.Data);
    }

    [Fact]
    public void WritesAPngNumpyCanCompareWithTheFixture()
    {
        var crop = NpyReader.Read(CodecFixtures.Path_("xray_crop_expected.npy"));
        var ms = new MemoryStream();
        PngWriter.Write(ms, crop);
        var bytes = ms.ToArray();
        Assert.Equal(ImageFileFormat.Png, ImageReader.DetectFormat(bytes));
        Assert.Equal(crop.Data, ImageReader.Read(new MemoryStream(bytes), "x.png").Data);
    }

    [Fact]
    public void RefusesStacksComplexAndOtherBitDepths()
    {
        var ms = new MemoryStream();
        Assert.Throws<ArgumentException>(() => PngWriter.Write(ms, ImageArray.Stack(2, 2, 2)));
        Assert.Throws<ArgumentException>(() => PngWriter.Write(ms, new ImageArray(2, 2, null, new float[4])));
        Assert.Throws<ArgumentException>(() => PngWriter.Write(ms, new ImageArray(2, 2), 12));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(13)]
    [InlineData(24)]
    public void RgbBytesMustBeExactlyThreeAPixel(int length)
    {
        // A 2 x 2 RGB image is 12 bytes: fewer would be read past, more would mean a wrong width or height.
        var e = Assert.Throws<ArgumentException>(() => PngWriter.WriteRgb(new MemoryStream(), new byte[length], 2, 2));
        Assert.StartsWith($"rgb has {length} bytes; a 2 x 2 RGB image needs 12", e.Message, StringComparison.Ordinal);
        using var exact = PngWriter.EncodeRgb(new byte[12], 2, 2);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, exact.Span[..4].ToArray());
    }

    [Fact]
    public void EveryShapeFrom1x1To17x64DecodesToTheSamePixelsThroughImageSharpAndTheFastDecoder()
    {
        // ImageSharp is the independent reader: it checks the chunk CRCs, the zlib stream and the filters.
        var rng = new Random(77);
        foreach (int bits in new[] { 8, 16 })
        {
            int max = bits == 8 ? 255 : 65535;
            for (int rows = 1; rows <= 17; rows += 4)
            {
                for (int cols = 1; cols <= 64; cols++)
                {
                    var img = new ImageArray(rows, cols, Enumerable.Range(0, rows * cols).Select(_ => (float)rng.Next(0, max + 1)).ToArray());
                    var ms = new MemoryStream();
                    PngWriter.Write(ms, img, bits);
                    var png = ms.ToArray();
                    var viaImageSharp = PngReader.Read(new MemoryStream(png), "w.png", ImageReadOptions.Default, PngReader.PngPath.ImageSharp)!;
                    var viaFast = PngReader.Read(new MemoryStream(png), "w.png", ImageReadOptions.Default, PngReader.PngPath.FastOnly)!;
                    Assert.Equal(img.Data, viaImageSharp.Data);
                    Assert.Equal(img.Data, viaFast.Data);
                }
            }
        }
    }

    [Fact]
    public void TheFileIsSignatureIhdrOneIdatIend()
    {
        var img = new ImageArray(3, 5, [.. Enumerable.Range(0, 15).Select(i => (float)(i * 17))]);
        var ms = new MemoryStream();
        PngWriter.Write(ms, img, 16);
        var png = ms.ToArray();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = new List<string>();
        for (int at = 8; at < png.Length;)
        {
            int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            chunks.Add(System.Text.Encoding.ASCII.GetString(png, at + 4, 4));
            if (chunks[^1] == "IHDR")
            {
                Assert.Equal(13, length);
                Assert.Equal(5, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at + 8))); // width = cols
                Assert.Equal(3, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at + 12)));
                Assert.Equal(new byte[] { 16, 0, 0, 0, 0 }, png[(at + 16)..(at + 21)]); // 16-bit grey, not interlaced
            }

            at += 12 + length;
        }

        Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, chunks);
    }

    [Fact]
    public void AnRgbImageOfEveryWidthDecodesToTheSameLumaThroughBothDecoders()
    {
        var rng = new Random(78);
        for (int width = 1; width <= 40; width++)
        {
            var rgb = new byte[3 * width * 3];
            rng.NextBytes(rgb);
            var ms = new MemoryStream();
            PngWriter.WriteRgb(ms, rgb, width, 3);
            var png = ms.ToArray();
            var a = PngReader.Read(new MemoryStream(png), "c.png", ImageReadOptions.Default, PngReader.PngPath.ImageSharp)!;
            var b = PngReader.Read(new MemoryStream(png), "c.png", ImageReadOptions.Default, PngReader.PngPath.FastOnly)!;
            Assert.Equal(a.Data, b.Data);
            Assert.Equal((float)((0.299 * rgb[0]) + (0.587 * rgb[1]) + (0.114 * rgb[2])), a.Data[0]);
        }
    }

    [Fact]
    public void WriteRgbRoundTripsToLuma()
    {
        byte[] rgb = [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30];
        var ms = new MemoryStream();
        PngWriter.WriteRgb(ms, rgb, 2, 2);
        ms.Position = 0;
        var back = ImageReader.Read(ms, "rgb.png");
        Assert.Equal(new[] { 76.245f, 149.685f, 29.07f, (float)((0.299 * 10) + (0.587 * 20) + (0.114 * 30)) }, back.Data);
        Assert.Throws<ArgumentException>(() => PngWriter.WriteRgb(ms, rgb, 3, 2));
    }
}

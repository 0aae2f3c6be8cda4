using XRayFlow.Core.Codecs;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Engine;

public class ImageReaderTests
{
    private static string P(string name) => EngineFixtures.Path_("codecs", name);

    [Theory]
    [InlineData("grey8.png", "grey8_expected.npy")]
    [InlineData("grey16.png", "grey16_expected.npy")]
    [InlineData("xray_crop.png", "xray_crop_expected.npy")]
    [InlineData("interlaced.png", "interlaced_expected.npy")]
    [InlineData("grey1.png", "grey1_expected.npy")]
    public void GreyPngLoadsIntegerValues(string png, string expected)
    {
        var img = ImageReader.Read(P(png));
        var exp = Npy.Read(P(expected));
        Assert.Equal(exp.Shape, img.Shape);
        Assert.Equal(exp.Data, img.Data); // exact
    }

    [Fact]
    public void SixteenBitGreyKeepsFullRange()
    {
        var img = ImageReader.Read(P("grey16.png"));
        Assert.Equal(0f, img[0, 0]);
        Assert.Equal(65535f, img[0, 1]);
    }

    [Theory]
    [InlineData("rgb8.png", "rgb8_expected.npy")]
    [InlineData("rgba8.png", "rgb8_expected.npy")]
    [InlineData("palette.png", "palette_expected.npy")]
    [InlineData("rgb16.png", "rgb16_expected.npy")]
    public void ColourPngIsBt601Luma(string png, string expected)
    {
        var img = ImageReader.Read(P(png));
        var exp = Npy.Read(P(expected)); // float64 in the file, read as float32
        Assert.Equal(exp.Shape, img.Shape);
        for (int k = 0; k < exp.Length; k++)
        {
            Assert.Equal(exp.Data[k], img.Data[k], 3e-7 * Math.Max(1, exp.Data[k]));
        }
    }

    [Fact]
    public void LumaOfPrimaries()
    {
        var img = ImageReader.Read(P("rgb8.png"));
        Assert.Equal(255f, img[0, 0], 1e-4);           // white
        Assert.Equal(0.299f * 255, img[0, 1], 1e-4);   // red
        Assert.Equal(0.587f * 255, img[0, 2], 1e-4);   // green
        Assert.Equal(0.114f * 255, img[0, 3], 1e-4);   // blue
    }

    [Theory]
    [InlineData("grey.jpg", "grey_jpg_expected.npy")]
    [InlineData("rgb.jpg", "rgb_jpg_expected.npy")]
    public void JpegMatchesLibjpegWithinAFewLevels(string jpg, string expected)
    {
        var img = ImageReader.Read(P(jpg));
        var exp = Npy.Read(P(expected));
        Assert.Equal(exp.Shape, img.Shape);
        double sum = 0;
        for (int k = 0; k < exp.Length; k++)
        {
            double d = Math.Abs(exp.Data[k] - img.Data[k]);
            Assert.True(d <= 4, $"pixel {k}: libjpeg {exp.Data[k]}, ours {img.Data[k]}");
            sum += d;
        }

        Assert.True(sum / exp.Length < 1.0, $"mean abs difference {sum / exp.Length}");
    }

    [Theory]
    [InlineData("truncated.png", "truncated PNG")]
    [InlineData("truncated_no_iend.png", "truncated PNG")]
    [InlineData("short_zlib.png", "truncated PNG: the image data holds")]
    [InlineData("half_rows.png", "truncated PNG: the image data holds 2080 of the 4160 bytes")]
    [InlineData("empty.png", "the file is empty")]
    [InlineData("text.png", "named .png but is not a PNG")]
    [InlineData("truncated.jpg", "truncated JPEG")]
    public void BadFilesThrowWithAReason(string name, string reason)
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P(name)));
        Assert.Equal(P(name), ex.Path);
        Assert.Contains(reason, ex.Reason);
        Assert.StartsWith(P(name) + ": ", ex.Message);
    }

    [Fact]
    public void TextFileReasonQuotesItsStart()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("text.png")));
        Assert.Contains("this is a text file", ex.Reason);
    }

    [Fact]
    public void MissingFile()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("does-not-exist.png")));
        Assert.Equal("file not found", ex.Reason);
    }

    [Fact]
    public void FormatIsChosenByContentNotName()
    {
        string dir = Directory.CreateTempSubdirectory("xrf-codec").FullName;
        try
        {
            string asNpy = Path.Combine(dir, "really_a_png.npy");
            File.Copy(P("grey8.png"), asNpy);
            Assert.Equal(Npy.Read(P("grey8_expected.npy")).Data, ImageReader.Read(asNpy).Data);
            string asPng = Path.Combine(dir, "really_npy.png");
            File.Copy(P("npy/stack.npy"), asPng);
            Assert.True(ImageReader.Read(asPng).IsStack);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void PixelLimitIsCheckedBeforeDecoding()
    {
        var opts = new ImageReadOptions { MaxPixels = 64 * 64 - 1 };
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("xray_crop.png"), opts));
        Assert.Contains("more than the limit of 4095", ex.Reason);
        Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("grey.jpg"), opts));
        Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("npy/stack.npy"), new ImageReadOptions { MaxPixels = 23 }));
        Assert.Equal(64, ImageReader.Read(P("xray_crop.png"), new ImageReadOptions { MaxPixels = 64 * 64 }).Rows);
    }

    [Fact]
    public void HugeDeclaredPngIsRefusedWithoutAllocating()
    {
        // A valid signature and IHDR declaring 100000 x 100000, then nothing.
        byte[] bytes = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R',
            0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 8, 0, 0, 0, 0, 0, 0, 0, 0];
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(bytes), "huge.png"));
        Assert.Contains("10000000000 pixels", ex.Reason);
    }

    [Fact]
    public void DicomMagicGoesToTheDicomHook()
    {
        var bytes = new byte[200];
        "DICM"u8.CopyTo(bytes.AsSpan(128));
        Assert.Equal(ImageFileFormat.Dicom, ImageReader.DetectFormat(bytes));
    }

    [Fact]
    public void ReadStackStacksFramesInTheGivenOrder()
    {
        var stack = ImageReader.ReadStack([P("xray_crop.png"), P("grey.jpg"), P("xray_crop.png")]);
        Assert.Equal([3, 64, 64], stack.Shape);
        var crop = Npy.Read(P("xray_crop_expected.npy"));
        Assert.Equal(crop.Data, stack.Frame(0).ToArray());
        Assert.Equal(crop.Data, stack.Frame(2).ToArray());
        Assert.Equal(ImageReader.Read(P("grey.jpg")).Data, stack.Frame(1).ToArray());
    }

    [Fact]
    public void ReadStackRefusesDifferentShapes()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.ReadStack([P("xray_crop.png"), P("grey8.png")]));
        Assert.Equal(P("grey8.png"), ex.Path);
        Assert.Contains("has shape (5, 7)", ex.Reason);
        Assert.Contains("(64, 64)", ex.Reason);
    }
}

public class NpyTests
{
    private static string P(string name) => EngineFixtures.Path_("codecs", "npy", name);

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
        var expected = Npy.Read(P(dtype + "_expected.npy"));
        foreach (string order in new[] { "le", "be" })
        {
            var a = Npy.Read(P($"{dtype}_{order}.npy"));
            Assert.Equal([3, 4], a.Shape);
            Assert.Equal(expected.Data, a.Data);
            Assert.Equal(expected.Imag, a.Imag);
        }
    }

    [Fact]
    public void Float32ValuesAreExact()
    {
        var a = Npy.Read(P("float32_le.npy"));
        Assert.Equal(-0.6f, a[0, 0]);
        Assert.Equal(0.5f, a[2, 3], 1e-7);
        var c = Npy.Read(P("complex64_le.npy"));
        Assert.Equal(-3f, c.Data[0]);
        Assert.Equal(11f, c.Imag![11]);
    }

    [Theory]
    [InlineData("v2.npy")]
    [InlineData("v3.npy")]
    public void ReadsFormatVersions2And3(string file)
        => Assert.Equal(Npy.Read(P("float32_le.npy")).Data, Npy.Read(P(file)).Data);

    [Fact]
    public void ThreeDimensionsIsAStack()
    {
        var s = Npy.Read(P("stack.npy"));
        Assert.True(s.IsStack);
        Assert.Equal([2, 3, 4], s.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), s.Data);
    }

    [Theory]
    [InlineData("fortran.npy", "Fortran order")]
    [InlineData("rank1.npy", "shape (5)")]
    [InlineData("rank4.npy", "shape (1, 2, 2, 2)")]
    [InlineData("structured.npy", "structured dtype")]
    [InlineData("unicode.npy", "dtype '<U1' is not supported")]
    [InlineData("truncated.npy", "truncated .npy")]
    public void UnsupportedFilesThrowWithAReason(string file, string reason)
    {
        var ex = Assert.Throws<ImageDecodeException>(() => Npy.Read(P(file)));
        Assert.Contains(reason, ex.Reason);
    }

    [Fact]
    public void HeaderLengthIsValidatedBeforeAllocation()
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F]);
        ms.Position = 0;
        var ex = Assert.Throws<ImageDecodeException>(() => Npy.Read(ms, "big-header.npy"));
        Assert.Contains("header declares", ex.Reason);
    }

    [Fact]
    public void DataLengthIsValidatedBeforeAllocation()
    {
        var ms = new MemoryStream();
        Npy.Write(ms, new ImageArray(2, 2, [1, 2, 3, 4]));
        var bytes = ms.ToArray();
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, bytes.Length - 10 - 16);
        string bigger = header.Replace("(2, 2)", "(9000, 9000)").Substring(0, header.Length);
        var forged = bytes[..10].Concat(System.Text.Encoding.ASCII.GetBytes(bigger)).Concat(bytes[^16..]).ToArray();
        var ex = Assert.Throws<ImageDecodeException>(() => Npy.Read(new MemoryStream(forged), "forged.npy"));
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
            Npy.Write(ms, a);
            Assert.Equal(0, (ms.Length - a.Length * (a.IsComplex ? 8 : 4)) % 64); // data aligned to 64
            ms.Position = 0;
            var b = Npy.Read(ms);
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
        Npy.Write(ms, ImageArray.Stack(2, 3, 4));
        string text = System.Text.Encoding.ASCII.GetString(ms.ToArray(), 10, 118);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", text);
        Assert.EndsWith("\n", text);
    }
}

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
        var crop = Npy.Read(EngineFixtures.Path_("codecs", "xray_crop_expected.npy"));
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
                    var viaImageSharp = ImageReader.ReadPng(new MemoryStream(png), "w.png", ImageReadOptions.Default, ImageReader.PngPath.ImageSharp)!;
                    var viaFast = ImageReader.ReadPng(new MemoryStream(png), "w.png", ImageReadOptions.Default, ImageReader.PngPath.FastOnly)!;
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
            var a = ImageReader.ReadPng(new MemoryStream(png), "c.png", ImageReadOptions.Default, ImageReader.PngPath.ImageSharp)!;
            var b = ImageReader.ReadPng(new MemoryStream(png), "c.png", ImageReadOptions.Default, ImageReader.PngPath.FastOnly)!;
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

public class IdentifyTests
{
    private static string P(string name) => EngineFixtures.Path_("codecs", name);

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
        string dicom = Path.Combine(EngineFixtures.RepoRoot, "tests", "fixtures", "dicom");
        Assert.Equal(new ImageHeader(ImageFileFormat.Dicom, 1, 128, 128, false, false), ImageReader.Identify(Path.Combine(dicom, "CT_small.dcm")));
        Assert.Equal(new ImageHeader(ImageFileFormat.Dicom, 3, 16, 16, true, false), ImageReader.Identify(Path.Combine(dicom, "multiframe_u16.dcm")));
    }
}

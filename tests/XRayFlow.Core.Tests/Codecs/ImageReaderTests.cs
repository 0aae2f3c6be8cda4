using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs;

public class ImageReaderTests
{
    private static string P(string name) => CodecFixtures.Path_(name);

    [Theory]
    [InlineData("grey8.png", "grey8_expected.npy")]
    [InlineData("grey16.png", "grey16_expected.npy")]
    [InlineData("xray_crop.png", "xray_crop_expected.npy")]
    [InlineData("interlaced.png", "interlaced_expected.npy")]
    [InlineData("grey1.png", "grey1_expected.npy")]
    public void GreyPngLoadsIntegerValues(string png, string expected)
    {
        var img = ImageReader.Read(P(png));
        var exp = NpyReader.Read(P(expected));
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
        var exp = NpyReader.Read(P(expected)); // float64 in the file, read as float32
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
        var exp = NpyReader.Read(P(expected));
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
    public void AnUnknownFilesReasonNeverQuotesItsBytes()
    {
        // A recipe may name any file (a key, a password file): the message reaches the terminal and the manifest.
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("text.png")));
        Assert.Contains("looks like a text file", ex.Reason);
        Assert.DoesNotContain("this is a text file", ex.Message);

        byte[] secret = [.. "root:x:0:0:root:/root:/bin/bash\n"u8];
        ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(secret), "passwd"));
        Assert.DoesNotContain("root", ex.Reason);
        byte[] binary = [0x01, 0x02, 0xAB, 0xCD, 0x1B, 0x5B, 0x32, 0x4A, 0x00, 0xFF];
        ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(binary), "blob.png"));
        Assert.Equal("the file is named .png but is not a PNG file: its first bytes are not the signature of any format XRayFlow reads; XRayFlow reads PNG, JPEG, NumPy .npy and DICOM files", ex.Reason);
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
            Assert.Equal(NpyReader.Read(P("grey8_expected.npy")).Data, ImageReader.Read(asNpy).Data);
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
    public void AnImageBeyondOneArrayIsRefusedWhenThePixelLimitIsRaised()
    {
        // --max-pixels 3e9 and a PNG declaring 50000 x 50000 (2.5e9 pixels) whose image data is long enough to pass
        // the deflate-ratio check: before, the decoder's allocation threw OverflowException, which a run reported
        // as "internal error (OverflowException: Arithmetic operation resulted in an overflow.)".
        var options = new ImageReadOptions { MaxPixels = 3_000_000_000 };
        byte[] png = PngOf(50_000, 50_000, new byte[(50_001L * 50_000 / 1032) + 1]);
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(png), "wide.png", options));
        Assert.Equal($"the image is 50000 x 50000 = 2500000000 pixels, more than one image array holds ({Array.MaxLength})", ex.Reason);

        // Dimensions of 2^32 - 1 (IHDR's largest): the pixel count no longer wraps around past the limit's check.
        ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(PngOf(uint.MaxValue, uint.MaxValue, [])), "huge.png"));
        Assert.Equal("the image is 4294967295 x 4294967295 = 18446744065119617025 pixels, more than the limit of 100000000", ex.Reason);
    }

    [Fact]
    public void AStackBeyondOneArrayIsRefusedWhenThePixelLimitIsRaised()
    {
        // 2100 frames of 1024 x 1024 (2.2e9 pixels) under --max-pixels 3e9: refused once the first file is read
        // (before: ArgumentOutOfRangeException from the stack's allocation, an internal error).
        string dir = Directory.CreateTempSubdirectory("xrf-codec").FullName;
        try
        {
            string frame = Path.Combine(dir, "frame.npy");
            NpyWriter.Write(frame, new ImageArray(1024, 1024));
            var paths = Enumerable.Repeat(frame, 2100).ToList();
            var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.ReadStack(paths, new ImageReadOptions { MaxPixels = 3_000_000_000 }));
            Assert.Equal($"a stack of 2100 images of shape (1024, 1024) has more pixels than one image array holds ({Array.MaxLength})", ex.Reason);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>A PNG of one 8-bit grey IHDR, one IDAT holding <paramref name="idat"/> and IEND, every CRC right.</summary>
    private static byte[] PngOf(uint width, uint height, byte[] idat)
    {
        var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth; colour type 0, methods 0, not interlaced
        Span<byte> four = stackalloc byte[4];
        foreach (var (type, data) in new[] { ("IHDR", ihdr), ("IDAT", idat), ("IEND", Array.Empty<byte>()) })
        {
            var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(four, (uint)data.Length);
            ms.Write(four);
            ms.Write(typeAndData);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(four, XRayFlow.Core.Codecs.Png.Crc32.Compute(typeAndData));
            ms.Write(four);
        }

        return ms.ToArray();
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
        var crop = NpyReader.Read(P("xray_crop_expected.npy"));
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

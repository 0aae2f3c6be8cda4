using System.Buffers.Binary;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Jpeg;
using XRayFlow.Core.Codecs.Npy;

namespace XRayFlow.Core.Tests.Codecs.Jpeg;

/// <summary>
/// JPEG through libjpeg-turbo (SkiaSharp): the values equal libjpeg's decode through Pillow and OpenCV exactly
/// (tests/fixtures/gen_jpeg_decode.py asserts those two agree), and hostile files are refused from their markers
/// before a pixel is allocated.
/// </summary>
public class JpegReaderTests
{
    private static string P(params string[] parts) => CodecFixtures.Path_(["jpeg", .. parts]);

    public static TheoryData<string> Decoded()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(P(), "*.jpg").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(f));
        }

        return data;
    }

    public static TheoryData<string, string> Refused()
    {
        var data = new TheoryData<string, string>();
        foreach (string line in File.ReadAllLines(P("refused", "reasons.txt")))
        {
            var parts = line.Split('\t');
            data.Add(parts[0], parts[1]);
        }

        return data;
    }

    [Fact]
    public void FixturesAreThere()
    {
        Assert.True(Decoded().Count >= 12, "run /usr/bin/python3 tests/fixtures/gen_jpeg_decode.py");
        Assert.True(Refused().Count >= 8);
    }

    [Theory]
    [MemberData(nameof(Decoded))]
    public void ValuesEqualLibjpegsThroughPillowAndOpenCvExactly(string name)
    {
        var img = ImageReader.Read(P(name + ".jpg"));
        var expected = NpyReader.Read(P(name + "_expected.npy"));
        Assert.Equal(expected.Shape, img.Shape);
        for (int k = 0; k < expected.Length; k++)
        {
            if (BitConverter.SingleToInt32Bits(expected.Data[k]) != BitConverter.SingleToInt32Bits(img.Data[k]))
            {
                Assert.Fail($"{name}: pixel {k} is {img.Data[k]:R}, libjpeg gives {expected.Data[k]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void HostileFilesAreRefusedBeforeAnyPixelIsAllocated(string file, string reason)
    {
        var bytes = File.ReadAllBytes(P("refused", file));
        ImageReader.Read(new MemoryStream(File.ReadAllBytes(P("grey_baseline.jpg"))), "warm-up.jpg"); // load the decoder first
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(bytes), file));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.StartsWith(reason, ex.Reason);
        Assert.True(allocated < 200_000, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void ABombDeclaringTenThousandSquareIsRefusedWithTheBytesItWouldNeed()
    {
        // 191 bytes declaring 10000 x 10000: ImageSharp 2.1 decoded it 'ok' to 100 million grey pixels (0.9 GB).
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("refused", "bomb_baseline.jpg")));
        Assert.Matches(@"^corrupt JPEG: its scans hold \d+ bytes of coded data, fewer than the 195313 bytes \(one bit per 8 x 8 block\) its 10000 x 10000 frame needs", ex.Reason);
        Assert.Equal(new ImageHeader(ImageFileFormat.Jpeg, 1, 10000, 10000, false, false), ImageReader.Identify(P("refused", "bomb_baseline.jpg")));
    }

    [Fact]
    public void TheCoverageBoundAcceptsTheDensestLegalFiles()
    {
        // An all-grey image compresses to about 2 bits per block (DC 0 and EOB): still above one bit per block.
        var flat = File.ReadAllBytes(P("grey_baseline.jpg"));
        var frame = JpegStructure.Parse("x", flat);
        Assert.True(frame.EntropyBytes * 8 >= frame.Blocks);
        Assert.Equal(64, frame.Blocks); // 64 x 64 grey: 8 x 8 blocks
        var rgb = JpegStructure.Parse("x", File.ReadAllBytes(P("rgb_odd_420.jpg")));
        Assert.Equal(3, rgb.Components.Count);
        Assert.Equal((5 * 3) + (2 * 3 * 2), rgb.Blocks); // 37 x 23: luma 5 x 3 blocks, chroma (19 x 12) 3 x 2 each
    }

    [Fact]
    public void AThumbnailInsideApp1DoesNotCount()
    {
        var frame = JpegStructure.Parse("x", File.ReadAllBytes(P("grey_exif_thumbnail.jpg")));
        Assert.Equal((64, 64), (frame.Width, frame.Height));
        Assert.Equal(1, frame.Scans);
    }

    [Fact]
    public void TwelveBitIsRefusedWhateverTheFrameMarker()
    {
        foreach (byte marker in new byte[] { 0xC0, 0xC1, 0xC2 })
        {
            var bytes = File.ReadAllBytes(P("grey_baseline.jpg"));
            int sof = SofOffset(bytes);
            bytes[sof + 1] = marker;
            bytes[sof + 4] = 12;
            var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(bytes), "twelve.jpg"));
            Assert.Equal("unsupported JPEG: 12-bit samples (the frame header's precision is 12); XRayFlow reads 8-bit JPEG", ex.Reason);
        }
    }

    [Theory]
    [InlineData(0xC5, "hierarchical (differential) JPEG (SOF5)")]
    [InlineData(0xCA, "arithmetic-coded JPEG (SOF10)")]
    [InlineData(0xCF, "arithmetic-coded JPEG (SOF15)")]
    public void CodingsLibjpegAloneCannotBoundAreRefused(byte marker, string what)
    {
        var bytes = File.ReadAllBytes(P("grey_baseline.jpg"));
        bytes[SofOffset(bytes) + 1] = marker;
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(bytes), "x.jpg"));
        Assert.StartsWith($"unsupported JPEG: {what} is not supported", ex.Reason);
    }

    [Theory]
    [InlineData(5, 0, "unsupported JPEG: the frame header declares height 0")]
    [InlineData(9, 0x51, "corrupt JPEG: component 1 has sampling factors 5 x 1; JPEG allows 1 to 4")]
    public void MalformedFrameHeadersAreRefused(int offset, byte value, string reason)
    {
        var bytes = File.ReadAllBytes(P("grey_baseline.jpg"));
        int sof = SofOffset(bytes);
        if (offset == 5)
        {
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), 0);
        }
        else
        {
            bytes[sof + 11] = value; // the first component's H/V byte (SOF: FF Cn, length, P, Y, X, Nf, then C, HV, Tq)
        }

        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(bytes), "x.jpg"));
        Assert.StartsWith(reason, ex.Reason);
    }

    [Fact]
    public void PixelLimitIsCheckedFromTheFrameHeader()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(P("grey_baseline.jpg"), new ImageReadOptions { MaxPixels = 4095 }));
        Assert.Contains("more than the limit of 4095", ex.Reason);
    }

    private static int SofOffset(byte[] jpeg)
    {
        for (int i = 2; ;)
        {
            byte m = jpeg[i + 1];
            if (m is 0xC0 or 0xC1 or 0xC2)
            {
                return i;
            }

            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2));
        }
    }
}

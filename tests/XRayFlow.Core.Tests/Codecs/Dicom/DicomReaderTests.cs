using System.Text.Json;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Dicom;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

public class DicomReaderTests
{
    private static readonly DicomReadOptions Lenient = new() { AllowMissingPreamble = true };

    /// <summary>Every fixture pydicom decodes (forced ones with the no-preamble option).</summary>
    public static TheoryData<string> DecodedFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in DicomFixtures.AllFiles())
        {
            var facts = DicomFixtures.Facts(f);
            bool refused = facts.TryGetProperty("error", out _) && !facts.TryGetProperty("forced", out _);
            if (!refused && facts.TryGetProperty("shape", out _) && f != "nested_80.dcm")
            {
                data.Add(f);
            }
        }

        return data;
    }

    [Fact]
    public void FixtureListCoversEveryCase()
    {
        var decoded = ((IEnumerable<object[]>)DecodedFiles()).Select(r => (string)r[0]).ToHashSet();
        string[] expected =
        [
            "CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm",
            "deflated_s16.dcm", "u8.dcm", "s32.dcm", "u32.dcm", "bits12_u16_garbage.dcm", "bits12_s16_garbage.dcm",
            "bits1_2frames.dcm", "multiframe_u16.dcm", "mono1_u16.dcm", "rgb_planar0.dcm", "rgb_planar1.dcm",
            "no_preamble.dcm", "bare_implicit.dcm", "odd_length.dcm", "undefined_length_seq.dcm", "nested_8.dcm",
            "rle_u8.dcm", "rle_s32.dcm", "rle_multiframe_u16.dcm", "rle_rgb.dcm", "bigendian_u8.dcm", "bigendian_s32.dcm",
        ];
        Assert.Subset(decoded, expected.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(DecodedFiles))]
    public void HeaderMatchesPydicom(string file)
    {
        var facts = DicomFixtures.Facts(file);
        var h = DicomReader.ReadHeader(DicomFixtures.PathOf(file), Lenient);
        Assert.Equal(facts.GetProperty("transfer_syntax").GetString(), h.TransferSyntax.Uid);
        Assert.Equal(facts.GetProperty("modality").GetString(), h.Modality ?? string.Empty);
        Assert.Equal(facts.GetProperty("rows").GetInt32(), h.Rows);
        Assert.Equal(facts.GetProperty("columns").GetInt32(), h.Columns);
        Assert.Equal(facts.GetProperty("frames").GetInt32(), h.Frames);
        Assert.Equal(facts.GetProperty("samples_per_pixel").GetInt32(), h.SamplesPerPixel);
        Assert.Equal(facts.GetProperty("bits_allocated").GetInt32(), h.BitsAllocated);
        Assert.Equal(facts.GetProperty("bits_stored").GetInt32(), h.BitsStored);
        Assert.Equal(facts.GetProperty("high_bit").GetInt32(), h.HighBit);
        Assert.Equal(facts.GetProperty("pixel_representation").GetInt32(), h.PixelRepresentation);
        Assert.Equal(facts.GetProperty("photometric").GetString(), h.Photometric);
        Assert.Equal(facts.GetProperty("rescale_slope").GetDouble(), h.RescaleSlope);
        Assert.Equal(facts.GetProperty("rescale_intercept").GetDouble(), h.RescaleIntercept);
        Assert.Equal(NullableDouble(facts.GetProperty("window_center")), h.WindowCenter);
        Assert.Equal(NullableDouble(facts.GetProperty("window_width")), h.WindowWidth);
    }

    [Theory]
    [MemberData(nameof(DecodedFiles))]
    public void StoredValuesEqualPydicomExactly(string file)
    {
        var facts = DicomFixtures.Facts(file);
        var image = DicomReader.ReadDicom(DicomFixtures.PathOf(file), Lenient);
        string stem = file[..^4];
        string expectedFile = File.Exists(DicomFixtures.PathOf(stem + ".stored.npy")) ? stem + ".stored.npy" : stem + ".pixels.npy";
        var (shape, expected) = DicomFixtures.ReadNpy(expectedFile);
        Assert.Equal(facts.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()), image.StoredShape);
        Assert.Equal(shape, image.StoredShape);
        long[] stored = image.StoredValues();
        Assert.Equal(expected.Length, stored.Length);
        for (int i = 0; i < stored.Length; i++)
        {
            if (stored[i] != (long)expected[i])
            {
                Assert.Fail($"{file}: sample {i}: ours {stored[i]}, pydicom {expected[i]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(DecodedFiles))]
    public void ModalityValuesArePydicomTimesSlopePlusIntercept(string file)
    {
        var facts = DicomFixtures.Facts(file);
        string stem = file[..^4];
        string expectedFile = File.Exists(DicomFixtures.PathOf(stem + ".stored.npy")) ? stem + ".stored.npy" : stem + ".pixels.npy";
        var (_, px) = DicomFixtures.ReadNpy(expectedFile);
        double slope = facts.GetProperty("rescale_slope").GetDouble(), intercept = facts.GetProperty("rescale_intercept").GetDouble();
        int spp = facts.GetProperty("samples_per_pixel").GetInt32();
        var img = DicomReader.ReadImage(DicomFixtures.PathOf(file), Lenient);
        int frames = facts.GetProperty("frames").GetInt32();
        Assert.Equal(frames > 1, img.IsStack);
        Assert.Equal(frames, img.Frames);
        Assert.Equal(facts.GetProperty("rows").GetInt32(), img.Rows);
        Assert.Equal(facts.GetProperty("columns").GetInt32(), img.Cols);
        for (int i = 0; i < img.Length; i++)
        {
            float want = spp == 3
                ? (float)((0.299 * px[3 * i]) + (0.587 * px[(3 * i) + 1]) + (0.114 * px[(3 * i) + 2]))
                : (float)((px[i] * slope) + intercept);
            if (img.Data[i] != want)
            {
                Assert.Fail($"{file}: pixel {i}: ours {img.Data[i]}, expected {want}");
            }
        }
    }

    [Fact]
    public void CtIsInHounsfieldUnits()
    {
        var img = DicomReader.ReadImage(DicomFixtures.PathOf("CT_small.dcm"));
        var facts = DicomFixtures.Facts("CT_small.dcm");
        Assert.Equal(-1024.0, facts.GetProperty("rescale_intercept").GetDouble());
        Assert.Equal(128f - 1024f, img.Data.Min());
        Assert.Equal(2191f - 1024f, img.Data.Max());
    }

    [Theory]
    [InlineData("bits12_u16_garbage.dcm")]
    [InlineData("bits12_s16_garbage.dcm")]
    public void BitsAboveBitsStoredAreMaskedWhereThePydicom23ArrayKeepsThem(string file)
    {
        var (_, raw) = DicomFixtures.ReadNpy(file[..^4] + ".pixels.npy");
        var (_, masked) = DicomFixtures.ReadNpy(file[..^4] + ".stored.npy");
        Assert.NotEqual(raw, masked); // the fixture really has garbage in bits 12..15
        long[] ours = DicomReader.ReadDicom(DicomFixtures.PathOf(file)).StoredValues();
        Assert.Equal(masked.Select(v => (long)v), ours);
        bool signed = file.Contains("_s16", StringComparison.Ordinal);
        Assert.All(ours, v => Assert.InRange(v, signed ? -2048 : 0, signed ? 2047 : 4095));
    }

    [Fact]
    public void MultiFrameLoadsAsAStack()
    {
        var img = DicomReader.ReadImage(DicomFixtures.PathOf("multiframe_u16.dcm"));
        Assert.True(img.IsStack);
        Assert.Equal([3, 16, 16], img.Shape);
        var rle = DicomReader.ReadImage(DicomFixtures.PathOf("rle_multiframe_u16.dcm"));
        Assert.Equal([3, 16, 16], rle.Shape);
    }

    [Fact]
    public void OneBitFramesAreNotByteAligned()
    {
        // two frames of 5 x 7 = 35 bits: frame 1 starts at bit 35, in the middle of byte 4
        var img = DicomReader.ReadDicom(DicomFixtures.PathOf("bits1_2frames.dcm"));
        Assert.Equal([2, 5, 7], img.StoredShape);
        Assert.All(img.StoredValues(), v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void EveryTransferSyntaxReadsTheSameMrPixels()
    {
        var reference = DicomReader.ReadDicom(DicomFixtures.PathOf("MR_small.dcm")).StoredValues();
        foreach (var f in new[] { "MR_small_implicit.dcm", "MR_small_bigendian.dcm", "MR_small_RLE.dcm" })
        {
            var img = DicomReader.ReadDicom(DicomFixtures.PathOf(f));
            Assert.Equal(reference, img.StoredValues());
        }

        Assert.Equal("1.2.840.10008.1.2.1.99", DicomReader.ReadHeader(DicomFixtures.PathOf("deflated_s16.dcm")).TransferSyntax.Uid);
    }

    [Theory]
    [InlineData("JPEG-lossy.dcm", "1.2.840.10008.1.2.4.51", "JPEG Extended (Process 2 and 4)")]
    [InlineData("jpegls.dcm", "1.2.840.10008.1.2.4.80", "JPEG-LS Lossless Image Compression")]
    [InlineData("jpeg2000.dcm", "1.2.840.10008.1.2.4.90", "JPEG 2000 Image Compression (Lossless Only)")]
    public void CompressedSyntaxesAreRefusedNamingUidAndName(string file, string uid, string name)
    {
        var facts = DicomFixtures.Facts(file);
        Assert.True(facts.TryGetProperty("error", out _) || facts.TryGetProperty("pixel_error", out _));
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.ReadImage(DicomFixtures.PathOf(file)));
        Assert.Contains($"{uid} - {name}", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(DicomFixtures.PathOf(file), ex.Path);
        if (file == "JPEG-lossy.dcm")
        {
            Assert.Contains("1.2.840.10008.1.2.4.51 - JPEG Extended (Process 2 and 4)", facts.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // the header is still readable (for `xrayflow info`)
        var h = DicomReader.ReadHeader(DicomFixtures.PathOf(file));
        Assert.Equal(uid, h.TransferSyntax.Uid);
        Assert.True(h.PixelDataEncapsulated);
    }

    [Theory]
    [InlineData("MR_truncated.dcm", 8130, 8192)]
    [InlineData("short_pixels.dcm", 300, 512)]
    public void ShortPixelDataSaysExpectedVersusActual(string file, int actual, int expected)
    {
        string pydicom = DicomFixtures.Facts(file).GetProperty("error").GetString()!;
        Assert.Contains($"({actual} bytes) doesn't match the expected length ({expected} bytes)", pydicom, StringComparison.Ordinal);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.ReadImage(DicomFixtures.PathOf(file)));
        Assert.Contains($"The length of the pixel data in the dataset ({actual} bytes) doesn't match the expected length ({expected} bytes", ex.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no_preamble.dcm")]
    [InlineData("bare_implicit.dcm")]
    public void MissingPreambleIsRefusedUnlessAllowed(string file)
    {
        Assert.Contains("'DICM' prefix is missing", DicomFixtures.Facts(file).GetProperty("error").GetString(), StringComparison.Ordinal);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.ReadImage(DicomFixtures.PathOf(file)));
        Assert.Contains("128-byte preamble followed by 'DICM'", ex.Reason, StringComparison.Ordinal);
        Assert.Contains("DicomWithoutPreamble", ex.Reason, StringComparison.Ordinal);
        var img = DicomReader.ReadImage(DicomFixtures.PathOf(file), Lenient);
        Assert.Equal([16, 16], img.Shape);
        Assert.False(DicomReader.ReadHeader(DicomFixtures.PathOf(file), Lenient).HasPreamble);
    }

    [Fact]
    public void NestingDeeperThanTheCapIsRefusedAndShallowerIsRead()
    {
        Assert.Equal([8, 8], DicomReader.ReadImage(DicomFixtures.PathOf("nested_8.dcm")).Shape);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.ReadImage(DicomFixtures.PathOf("nested_80.dcm")));
        Assert.Contains("nested deeper than 64 levels", ex.Reason, StringComparison.Ordinal);

        // pydicom reads it; with a higher cap so do we, and the pixels agree
        var deep = DicomReader.ReadDicom(DicomFixtures.PathOf("nested_80.dcm"), new DicomReadOptions { MaxSequenceDepth = 100 });
        var (_, px) = DicomFixtures.ReadNpy("nested_80.pixels.npy");
        Assert.Equal(px.Select(v => (long)v), deep.StoredValues());
    }

    [Fact]
    public void ElementLengthBeyondTheFileIsRefusedBeforeAllocating()
    {
        byte[] data = File.ReadAllBytes(DicomFixtures.PathOf("CT_small.dcm"));
        int version = IndexOf(data, [0x02, 0x00, 0x01, 0x00, (byte)'O', (byte)'B']); // File Meta Information Version
        BitConverter.GetBytes(0x7FFFFFF0u).CopyTo(data, version + 8);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "ct-bad"));
        Assert.Contains("element (0002,0001) says its value (from byte 156) has 2147483632 bytes but only", ex.Reason, StringComparison.Ordinal);
        Assert.Equal("ct-bad", ex.Path);

        // Pixel Data claiming more than the file holds: expected versus actual, as pydicom says it
        data = File.ReadAllBytes(DicomFixtures.PathOf("CT_small.dcm"));
        int pix = IndexOf(data, [0xE0, 0x7F, 0x10, 0x00, (byte)'O', (byte)'W']);
        BitConverter.GetBytes(0x7FFFFFF0u).CopyTo(data, pix + 8);
        var file = DicomReader.Parse(data, "ct-pix");
        Assert.Equal(data.Length - (pix + 12), file.Header.PixelDataLength); // it takes what is left of the file
        Assert.Equal(128 * 128, DicomReader.Decode(file).Modality.Length); // all 32768 bytes are there: it decodes

        data = data[..(pix + 12 + 32668)];
        ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Decode(DicomReader.Parse(data, "ct-cut")));
        Assert.Contains("(32668 bytes) doesn't match the expected length (32768 bytes", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RowsTimesColumnsBeyondThePixelDataIsRefused()
    {
        byte[] data = File.ReadAllBytes(DicomFixtures.PathOf("MR_small.dcm"));
        int rows = IndexOf(data, [0x28, 0x00, 0x10, 0x00, (byte)'U', (byte)'S']);
        BitConverter.GetBytes((ushort)65535).CopyTo(data, rows + 8);
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Decode(DicomReader.Parse(data)));
        Assert.Contains("(8192 bytes) doesn't match the expected length (8388480 bytes", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DeflateBombIsCapped()
    {
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(File.ReadAllBytes(DicomFixtures.PathOf("deflated_s16.dcm")), "d", new DicomReadOptions { MaxInflatedBytes = 200 }));
        Assert.Contains("inflates to more than 200 bytes", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void CorruptDeflateIsRefused()
    {
        byte[] data = File.ReadAllBytes(DicomFixtures.PathOf("deflated_s16.dcm"));
        for (int i = data.Length - 200; i < data.Length; i++)
        {
            data[i] = 0xFF;
        }

        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Decode(DicomReader.Parse(data, "deflated")));
        Assert.Equal("deflated", ex.Path);
    }

    [Fact]
    public void StreamSpanAndArrayOverloadsAgree()
    {
        string path = DicomFixtures.PathOf("MR_small_RLE.dcm");
        byte[] data = File.ReadAllBytes(path);
        var a = DicomReader.Decode(DicomReader.Parse(data)).StoredValues();
        var b = DicomReader.Decode(DicomReader.Parse((ReadOnlySpan<byte>)data)).StoredValues();
        using var s = File.OpenRead(path);
        var c = DicomReader.Decode(DicomReader.Parse(s)).StoredValues();
        Assert.Equal(a, b);
        Assert.Equal(a, c);
        Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(new MemoryStream(data), "s", new DicomReadOptions { MaxFileBytes = 1000 }));
    }

    [Fact]
    public void DisplayFieldsListWhatAUserChecksFirst()
    {
        var fields = DicomReader.ReadHeader(DicomFixtures.PathOf("CT_small.dcm")).DisplayFields().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal("CT", fields["modality"]);
        Assert.Equal("128", fields["rows"]);
        Assert.Equal("128", fields["columns"]);
        Assert.Equal("1", fields["frames"]);
        Assert.Equal("16", fields["bits allocated"]);
        Assert.Equal("1 (signed)", fields["pixel representation"]);
        Assert.Equal("MONOCHROME2", fields["photometric interpretation"]);
        Assert.Equal("1", fields["rescale slope"]);
        Assert.Equal("-1024", fields["rescale intercept"]);
        Assert.Equal("(absent)", fields["window center/width"]);
        Assert.Equal("1.2.840.10008.1.2.1 (Explicit VR Little Endian)", fields["transfer syntax"]);
        var u8 = DicomReader.ReadHeader(DicomFixtures.PathOf("u8.dcm"));
        Assert.Equal("center 128\\100, width 256\\50", u8.DisplayFields().Single(kv => kv.Key == "window center/width").Value);
        Assert.Equal(128.0, u8.WindowCenter);
        Assert.Equal(256.0, u8.WindowWidth);
    }

    [Theory]
    [InlineData("3.", 3)]
    [InlineData("1.", 1)]
    [InlineData("+3", 3)]
    public void NumberOfFramesWrittenAsAWholeDecimalIsRead(string text, int frames)
    {
        // "1.0" / "3." is not an IS value, but writers produce it and pydicom reads it (with a warning); it was refused
        // as "not a whole number".
        byte[] data = File.ReadAllBytes(DicomFixtures.PathOf("multiframe_u16.dcm"));
        int nf = IndexOf(data, [0x28, 0x00, 0x08, 0x00, (byte)'I', (byte)'S', 0x02, 0x00, (byte)'3']);
        data[nf + 8] = (byte)text[0];
        data[nf + 9] = (byte)text[1];
        var file = DicomReader.Parse(data, "nf.dcm");
        Assert.Equal(frames, file.Header.NumberOfFrames);
        Assert.Equal(frames, file.Header.Frames);
    }

    [Theory]
    [InlineData(".5")]
    [InlineData("x ")]
    public void NumberOfFramesThatIsNotAWholeNumberIsRefused(string text)
    {
        // The fixture's value is 2 bytes long, so the texts are 2 characters.
        byte[] data = File.ReadAllBytes(DicomFixtures.PathOf("multiframe_u16.dcm"));
        int nf = IndexOf(data, [0x28, 0x00, 0x08, 0x00, (byte)'I', (byte)'S', 0x02, 0x00, (byte)'3']);
        data[nf + 8] = (byte)text[0];
        data[nf + 9] = (byte)text[1];
        var refused = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(data, "nf.dcm"));
        Assert.Contains("Number of Frames (0028,0008) is", refused.Message, StringComparison.Ordinal);
        Assert.Contains("not a whole number", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberOfFramesZeroIsOneFrameInTheHeaderAsInThePixels()
    {
        // multiframe_u16.dcm with Number of Frames "3 " made "0 ": read as one 16 x 16 frame (docs/dicom.md), and the
        // header says so. Before, `xrayflow info` printed "frames: 0" beside shape (16, 16), and Identify (plan,
        // validate) gave the planner 0 frames.
        byte[] data = File.ReadAllBytes(DicomFixtures.PathOf("multiframe_u16.dcm"));
        int nf = IndexOf(data, [0x28, 0x00, 0x08, 0x00, (byte)'I', (byte)'S', 0x02, 0x00, (byte)'3']);
        data[nf + 8] = (byte)'0';
        var file = DicomReader.Parse(data, "nf0.dcm");
        Assert.Equal(0, file.Header.NumberOfFrames);
        Assert.Equal(1, file.Header.Frames);
        Assert.Equal("1", file.Header.DisplayFields().Single(kv => kv.Key == "frames").Value);
        Assert.Equal([16, 16], DicomReader.Decode(file).Modality.Shape);

        string dir = Directory.CreateTempSubdirectory("xrf-dicom").FullName;
        try
        {
            string path = Path.Combine(dir, "nf0.dcm");
            File.WriteAllBytes(path, data);
            var shape = ImageReader.Identify(path)!;
            Assert.Equal((1, 16, 16, false), (shape.Frames, shape.Rows, shape.Cols, shape.IsStack));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void ReaderAttachesDisplayInfoToTheArrayItReturns()
    {
        var img = DicomReader.ReadImage(DicomFixtures.PathOf("mono1_u16.dcm"));
        Assert.True(DicomDisplayInfo.TryGet(img, out var info));
        Assert.True(info!.IsInverted);
        Assert.Equal(2048.0, info.WindowCenter);
        Assert.False(DicomDisplayInfo.TryGet(img.Clone(), out _));
    }

    [Fact]
    public void TransferSyntaxDictionaryNamesTheUsualCodecs()
    {
        Assert.Equal("JPEG Baseline (Process 1)", DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.50").Name);
        Assert.Equal("High-Throughput JPEG 2000 Image Compression (Lossless Only)", DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.201").Name);
        Assert.Equal("MPEG-4 AVC/H.264 High Profile / Level 4.1", DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.102").Name);
        Assert.False(DicomTransferSyntax.Lookup("1.2.840.10008.1.2.4.81").PixelsSupported);
        Assert.True(DicomTransferSyntax.Lookup("1.2.840.10008.1.2.5").PixelsSupported);
        Assert.Equal("unknown transfer syntax", DicomTransferSyntax.Lookup("1.2.3").Name);
    }

    private static double? NullableDouble(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetDouble();

    internal static int IndexOf(byte[] data, byte[] pattern, int from = 0)
        => data.AsSpan(from).IndexOf(pattern) is var i and >= 0 ? i + from : -1;
}

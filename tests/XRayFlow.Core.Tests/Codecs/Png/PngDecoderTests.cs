using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs.Png;

/// <summary>
/// The fast PNG path (<see cref="PngFastDecoder"/>) against ImageSharp (the previous path, still the fallback)
/// and against the values the corpus generator computed from its own samples (tests/fixtures/gen_png_decode.py):
/// all three must agree bit for bit. Then the filter kernels against their scalar meaning, CRC-32, and damaged
/// files built here from corpus files.
/// </summary>
public class PngDecoderTests
{
    private static string Corpus(string name) => CodecFixtures.Path_("png", name);

    public static TheoryData<string> CorpusFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(CodecFixtures.Path_("png"), "*.png").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(f));
        }

        return data;
    }

    private static ImageArray? Fast(byte[] png, string name = "x.png")
        => PngReader.Read(new MemoryStream(png), name, ImageReadOptions.Default, PngReader.PngPath.FastOnly);

    private static ImageArray Sharp(byte[] png, string name = "x.png")
        => PngReader.Read(new MemoryStream(png), name, ImageReadOptions.Default, PngReader.PngPath.ImageSharp)!;

    private static void AssertBitIdentical(ImageArray expected, ImageArray actual, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (int k = 0; k < expected.Length; k++)
        {
            if (BitConverter.SingleToInt32Bits(expected.Data[k]) != BitConverter.SingleToInt32Bits(actual.Data[k]))
            {
                Assert.Fail($"{what}: pixel {k} (row {k / expected.Cols}, col {k % expected.Cols}) is {actual.Data[k]:R}, expected {expected.Data[k]:R}");
            }
        }
    }

    [Fact]
    public void CorpusIsThere()
        => Assert.True(CorpusFiles().Count >= 40, "tests/fixtures/engine/codecs/png: run /usr/bin/python3 tests/fixtures/gen_png_decode.py");

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public void FastPathEqualsImageSharpEqualsGenerator(string name)
    {
        var png = File.ReadAllBytes(Corpus(name + ".png"));
        var expected = NpyReader.Read(Corpus(name + "_expected.npy"));
        var fast = Fast(png, name);
        Assert.NotNull(fast); // every corpus file is in the fast path's scope
        AssertBitIdentical(expected, fast, name + " fast path vs generator");
        AssertBitIdentical(expected, ImageReader.Read(new MemoryStream(png), name), name + " ImageReader.Read vs generator");
        if (name is "idat_zero_first" or "idat_first_1byte")
        {
            // ImageSharp 2.1 looks for the 2-byte zlib header in the first IDAT alone and fails when that chunk
            // is empty or 1 byte long (valid PNG: the zlib stream is the concatenation of the IDATs).
            Assert.Throws<ImageDecodeException>(() => Sharp(png, name));
            return;
        }

        if (ImageSharpHangsOn(name))
        {
            return;
        }

        AssertBitIdentical(expected, Sharp(png, name), name + " ImageSharp vs generator");
    }

    /// <summary>
    /// ImageSharp 2.1.13 never returns (a loop at 100% CPU) on valid Adam7 PNGs of 1 x 1 and 2 x 3 pixels, whatever
    /// their kind: libpng (OpenCV) decodes all of them to the generator's values. The previous reader sent every
    /// interlaced PNG to ImageSharp, so a 70-byte file hung `xrayflow info` and a run.
    /// </summary>
    private static bool ImageSharpHangsOn(string name)
        => name.StartsWith("interlaced_", StringComparison.Ordinal) && (name.EndsWith("_1x1", StringComparison.Ordinal) || name.EndsWith("_2x3", StringComparison.Ordinal));

    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(Path.Combine(CodecFixtures.RepoRoot, "pipelines", "samples"), "*.png").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SampleXraysFastEqualsImageSharp(string file)
    {
        var png = File.ReadAllBytes(Path.Combine(CodecFixtures.RepoRoot, "pipelines", "samples", file));
        var fast = Fast(png, file);
        Assert.NotNull(fast);
        Assert.Equal([1024, 1024], fast.Shape);
        AssertBitIdentical(Sharp(png, file), fast, file);
    }

    [Fact]
    public void SamplesAreNineXrays() => Assert.Equal(9, Samples().Count);

    [Fact]
    public void InterlacedPngsAreDecodedByXRayFlowsDecoderNotImageSharp()
    {
        foreach (string tiny in new[] { "interlaced_ct0_8_1x1", "interlaced_ct2_16_2x3", "interlaced_ct3_1_1x1" })
        {
            var small = File.ReadAllBytes(Corpus(tiny + ".png"));
            Assert.Equal(NpyReader.Read(Corpus(tiny + "_expected.npy")).Data, ImageReader.Read(new MemoryStream(small), tiny).Data);
        }

        var png = File.ReadAllBytes(CodecFixtures.Path_("interlaced.png"));
        var expected = NpyReader.Read(CodecFixtures.Path_("interlaced_expected.npy"));
        var fast = Fast(png);
        Assert.NotNull(fast);
        AssertBitIdentical(expected, fast, "interlaced");
        AssertBitIdentical(expected, ImageReader.Read(new MemoryStream(png), "interlaced.png"), "interlaced");
        Assert.True(Directory.GetFiles(CodecFixtures.Path_("png"), "interlaced_*.png").Length >= 75);
    }

    public static TheoryData<string> RefusedFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(CodecFixtures.Path_("png", "refused"), "*.png").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public void APaletteIndexPastThePaletteIsRefusedAsLibpngRefusesIt(string file)
    {
        // ImageSharp 2.1 (the previous path) took the last entry: a silently wrong image.
        var png = File.ReadAllBytes(CodecFixtures.Path_("png", "refused", file));
        Assert.Matches(@"^corrupt PNG: row \d+ uses palette index \d+, but the palette \(PLTE\) has \d+ entries$", Refused(png, file));
        Assert.NotNull(Sharp(png, file));
    }

    [Fact]
    public void RefusedPaletteFilesNameTheRowAndTheIndex()
    {
        Assert.Equal("corrupt PNG: row 10 uses palette index 200, but the palette (PLTE) has 200 entries",
            Refused(File.ReadAllBytes(CodecFixtures.Path_("png", "refused", "pal8_last_pixel_past_palette.png"))));
        Assert.Equal("corrupt PNG: row 7 uses palette index 6, but the palette (PLTE) has 5 entries",
            Refused(File.ReadAllBytes(CodecFixtures.Path_("png", "refused", "interlaced_pal8_short_palette.png"))));
    }

    [Theory]
    [InlineData(10, 1, 0, "compression method 1 and filter method 0 are not defined")]
    [InlineData(11, 1, 0, "compression method 0 and filter method 1 are not defined")]
    [InlineData(12, 2, 0, "interlace method 2 is not defined")]
    [InlineData(-1, 0, 1, "the file has more than one IHDR chunk")]
    public void StructuresPngDoesNotDefineAreRefusedNotHandedToImageSharp(int ihdrField, byte value, int extraIhdrs, string reason)
    {
        // IHDR data: width 0-3, height 4-7, bit depth 8, colour type 9, compression 10, filter 11, interlace 12.
        var chunks = CorpusChunks("grey8_first1");
        if (ihdrField >= 0)
        {
            var ihdr = (byte[])chunks[0].Data.Clone();
            ihdr[ihdrField] = value;
            chunks[0] = chunks[0] with { Data = ihdr };
        }

        for (int k = 0; k < extraIhdrs; k++)
        {
            chunks.Insert(1, chunks[0]);
        }

        var png = Build(chunks);
        Assert.Null(Fast(png));
        Assert.Contains(reason, Refused(png));
    }

    [Fact]
    public void OlderCodecFixturesGoThroughTheFastPath()
    {
        foreach (string f in new[] { "grey8", "grey16", "grey1", "xray_crop", "palette", "rgb8", "rgba8", "rgb16" })
        {
            var png = File.ReadAllBytes(CodecFixtures.Path_(f + ".png"));
            var fast = Fast(png, f);
            Assert.NotNull(fast);
            AssertBitIdentical(Sharp(png, f), fast, f);
        }
    }

    // ------------------------------------------------------------------------------------ kernels

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(6)]
    [InlineData(8)]
    public void FiltersEqualTheirScalarMeaningForEveryLength(int bpp)
    {
        var rng = new Random(100 + bpp);
        int[] longer = [255, 256, 257, 263, 264, 265, 511, 512, 513, 1000]; // the bpp-1 Paeth kernel works in chunks of 256 pixels
        foreach (int n in Enumerable.Range(1, 64).Concat(longer))
        {
            for (byte filter = 0; filter <= 4; filter++)
            {
                for (int trial = 0; trial < 6; trial++)
                {
                    var up = new byte[n];
                    var cur = new byte[n];
                    if (trial % 2 == 0)
                    {
                        rng.NextBytes(up);
                        rng.NextBytes(cur);
                    }
                    else
                    {
                        // Smooth rows: neighbours close, so the Paeth choice is not just random.
                        int v = rng.Next(256);
                        for (int x = 0; x < n; x++)
                        {
                            up[x] = (byte)(v + rng.Next(-3, 4));
                            cur[x] = (byte)rng.Next(-4, 5);
                            v += rng.Next(-2, 3);
                        }
                    }

                    var expected = (byte[])cur.Clone();
                    Assert.True(PngFilters.UnfilterScalar(filter, expected, up, bpp));
                    var got = (byte[])cur.Clone();
                    Assert.True(PngFilters.Unfilter(filter, got, up, bpp));
                    Assert.True(expected.AsSpan().SequenceEqual(got), $"filter {filter}, bpp {bpp}, length {n}, trial {trial}");
                }
            }
        }
    }

    [Fact]
    public void AveragePairEqualsTwoScalarRows()
    {
        var rng = new Random(21);
        foreach (int n in Enumerable.Range(1, 64).Concat([255, 256, 257, 1000]))
        {
            var up = new byte[n];
            var r0 = new byte[n];
            var r1 = new byte[n];
            rng.NextBytes(up);
            rng.NextBytes(r0);
            rng.NextBytes(r1);
            var e0 = (byte[])r0.Clone();
            var e1 = (byte[])r1.Clone();
            PngFilters.UnfilterScalar(3, e0, up, 1);
            PngFilters.UnfilterScalar(3, e1, e0, 1);
            PngFilters.Average1Pair(r0, r1, up);
            Assert.True(e0.AsSpan().SequenceEqual(r0), $"row 0, length {n}");
            Assert.True(e1.AsSpan().SequenceEqual(r1), $"row 1, length {n}");
        }
    }

    [Fact]
    public void PaethPredictorOfEveryTripleOnAGrid()
    {
        // The bpp-1 Paeth kernel against the spec's predictor for every (a, b, c) on a grid that includes 0, 255,
        // ties and every difference sign, at pixel 2 (bounds computed one at a time) and pixel 12 of a 24-pixel
        // row (bounds computed 8 at a time): the pixel before is made to decode to a, the row above holds c, b.
        int[] values = [0, 1, 2, 3, 5, 8, 60, 100, 127, 128, 129, 200, 253, 254, 255];
        var rng = new Random(4);
        foreach (int x in new[] { 2, 12 })
        {
            foreach (int a in values)
            {
                foreach (int b in values)
                {
                    foreach (int c in values)
                    {
                        var cur = new byte[24];
                        var up = new byte[24];
                        rng.NextBytes(cur);
                        rng.NextBytes(up);
                        up[x - 1] = (byte)c;
                        up[x] = (byte)b;
                        var probe = (byte[])cur.Clone();
                        PngFilters.UnfilterScalar(4, probe, up, 1);
                        cur[x - 1] = (byte)(a - (probe[x - 1] - cur[x - 1])); // so that pixel x - 1 decodes to a
                        var got = (byte[])cur.Clone();
                        Assert.True(PngFilters.Unfilter(4, got, up, 1));
                        Assert.Equal(a, got[x - 1]);
                        Assert.True((byte)(cur[x] + PngFilters.PaethPredictor(a, b, c)) == got[x], $"pixel {x}: a {a}, b {b}, c {c}");
                    }
                }
            }
        }
    }

    [Fact]
    public void UnknownFilterTypeIsRefused()
    {
        Assert.False(PngFilters.Unfilter(5, new byte[4], new byte[4], 1));
        Assert.False(PngFilters.Unfilter(255, new byte[4], new byte[4], 1));
        Assert.False(PngFilters.UnfilterScalar(5, new byte[4], new byte[4], 1));
    }

    [Fact]
    public void WideningEqualsScalarForEveryLength()
    {
        var rng = new Random(5);
        for (int n = 1; n <= 64; n++)
        {
            var bytes = new byte[4 * n];
            rng.NextBytes(bytes);
            var f8 = new float[n];
            PixelConversion.WidenBytes(bytes.AsSpan(0, n), f8);
            Assert.Equal(bytes.Take(n).Select(b => (float)b), f8);
            foreach (int step in new[] { 1, 2 })
            {
                var f16 = new float[n];
                PixelConversion.WidenBigEndianU16(bytes, f16, step);
                Assert.Equal(Enumerable.Range(0, n).Select(x => (float)((bytes[2 * step * x] << 8) | bytes[(2 * step * x) + 1])), f16);
            }
        }
    }

    [Fact]
    public void Crc32IsThePngCrc()
    {
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));
        Assert.Equal(0xAE426082u, Crc32.Compute("IEND"u8));
        Assert.Equal(0u, Crc32.Compute(default));
        var rng = new Random(9);
        foreach (int n in Enumerable.Range(0, 300).Concat([1023, 1024, 1025, 4096 + 13, 100_003]))
        {
            var data = new byte[n];
            rng.NextBytes(data);
            uint crc = 0xFFFFFFFF;
            foreach (byte b in data)
            {
                crc ^= b;
                for (int k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
                }
            }

            Assert.Equal(~crc, Crc32.Compute(data));
            Assert.Equal(~crc, Crc32.Compute(data, fold: false));
        }
    }

    // ------------------------------------------------------------------------------ damaged files

    private sealed record Chunk(string Type, byte[] Data, bool BadCrc = false);

    private static List<Chunk> Parse(byte[] png)
    {
        var list = new List<Chunk>();
        for (int pos = 8; pos < png.Length;)
        {
            int len = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            string type = Encoding.ASCII.GetString(png, pos + 4, 4);
            list.Add(new Chunk(type, png.AsSpan(pos + 8, len).ToArray()));
            pos += 12 + len;
            if (type == "IEND")
            {
                break;
            }
        }

        return list;
    }

    private static byte[] Build(IEnumerable<Chunk> chunks)
    {
        var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> four = stackalloc byte[4];
        foreach (var c in chunks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(four, (uint)c.Data.Length);
            ms.Write(four);
            var typeAndData = Encoding.ASCII.GetBytes(c.Type).Concat(c.Data).ToArray();
            ms.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(four, Crc32.Compute(typeAndData) ^ (c.BadCrc ? 1u : 0u));
            ms.Write(four);
        }

        return ms.ToArray();
    }

    /// <summary>The corpus file with its IDAT data replaced by <paramref name="idat"/> (one chunk, CRC right).</summary>
    private static byte[] WithIdat(List<Chunk> chunks, byte[] idat)
    {
        var list = new List<Chunk>();
        foreach (var c in chunks)
        {
            if (c.Type != "IDAT")
            {
                list.Add(c);
            }
            else if (!list.Any(x => x.Type == "IDAT"))
            {
                list.Add(new Chunk("IDAT", idat));
            }
        }

        return Build(list);
    }

    private static byte[] Inflate(List<Chunk> chunks)
    {
        using var z = new ZLibStream(new MemoryStream(chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray()), CompressionMode.Decompress);
        var ms = new MemoryStream();
        z.CopyTo(ms);
        return ms.ToArray();
    }

    private static byte[] Deflate(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }

        return ms.ToArray();
    }

    private static string Refused(byte[] png, string name = "damaged.png")
    {
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(png), name));
        Assert.Equal(name, ex.Path);
        Assert.StartsWith(name + ": ", ex.Message);
        return ex.Reason;
    }

    private static List<Chunk> CorpusChunks(string name) => Parse(File.ReadAllBytes(Corpus(name + ".png")));

    [Fact]
    public void AZlibStreamAskingForAPresetDictionaryIsRefusedByBothPaths()
    {
        // Found by the long PNG fuzz: a zlib header with FDICT set makes zlib answer Z_NEED_DICT, which .NET throws
        // as ZLibException, not InvalidDataException; it escaped as an internal error (exit 70) before.
        byte[] idat = [0x78, 0x20, 0, 0, 0, 1, .. Deflate([0, 0, 1, 1])[2..]];
        var png = WithIdat(CorpusChunks("grey8_first4"), idat);
        Assert.Contains("corrupt PNG: the compressed image data is damaged", Refused(png));
        Assert.Throws<ImageDecodeException>(() => Sharp(png));
    }

    [Fact]
    public void RebuiltCorpusFileStillDecodes()
    {
        // The builder itself is right: an unchanged rebuild decodes to the expected image.
        var png = Build(CorpusChunks("grey8_first4"));
        AssertBitIdentical(NpyReader.Read(Corpus("grey8_first4_expected.npy")), Fast(png)!, "rebuilt");
    }

    [Theory]
    [InlineData("IHDR")]
    [InlineData("IDAT")]
    [InlineData("PLTE")]
    public void CriticalChunkCrcMismatchIsRefusedByBothPaths(string type)
    {
        var chunks = CorpusChunks(type == "PLTE" ? "ct3_8" : "idat_many");
        int i = chunks.FindIndex(c => c.Type == type);
        chunks[i] = chunks[i] with { BadCrc = true };
        var png = Build(chunks);
        Assert.Contains($"the {type} chunk at byte", Refused(png));
        Assert.Contains("fails its CRC check", Refused(png));
        Assert.Throws<ImageDecodeException>(() => Sharp(png)); // ImageSharp 2.1 checks these too: same refusal as before
    }

    [Theory]
    [InlineData("IEND")]
    [InlineData("tEXt")]
    [InlineData("prVt")]
    public void AncillaryAndIendCrcMismatchIsIgnoredAsImageSharpDoes(string type)
    {
        var chunks = CorpusChunks("ancillary");
        int i = chunks.FindIndex(c => c.Type == type);
        chunks[i] = chunks[i] with { BadCrc = true };
        var png = Build(chunks);
        var expected = NpyReader.Read(Corpus("ancillary_expected.npy"));
        AssertBitIdentical(expected, Fast(png)!, "fast");
        AssertBitIdentical(expected, Sharp(png), "ImageSharp");
    }

    [Fact]
    public void UnknownFilterByteIsRefusedNamingTheRow()
    {
        var chunks = CorpusChunks("grey8_first0");
        var raw = Inflate(chunks);
        raw[3 * 201] = 5; // row 3's filter byte (rows are 1 + 200 bytes)
        var png = WithIdat(chunks, Deflate(raw));
        Assert.Equal("corrupt PNG: row 3 has filter type 5; PNG defines types 0 to 4", Refused(png));
        Assert.Throws<ImageDecodeException>(() => Sharp(png));
    }

    [Fact]
    public void TooLittleImageDataIsRefusedWithTheCount()
    {
        var chunks = CorpusChunks("grey8_first1"); // 200 x 9: 9 rows of 201 bytes
        var raw = Inflate(chunks);
        Assert.Equal(1809, raw.Length);
        var png = WithIdat(chunks, Deflate(raw[..^150]));
        Assert.Equal("truncated PNG: the image data holds 1659 of the 1809 bytes its 200 x 9 header needs", Refused(png));
        Assert.Contains("holds 1659 of the 1809", Assert.Throws<ImageDecodeException>(() => Sharp(png)).Reason);
    }

    [Fact]
    public void TinyImageDataForAHugeHeaderIsRefusedBeforeTheImageIsAllocated()
    {
        // 8000 x 8000 grey (64e6 pixels, under the limit: a 256 MB float image) with 3 rows of data.
        var chunks = new List<Chunk>
        {
            new("IHDR", [0, 0, 0x1F, 0x40, 0, 0, 0x1F, 0x40, 8, 0, 0, 0, 0]),
            new("IDAT", Deflate(new byte[3 * 8001])),
            new("IEND", []),
        };
        var png = Build(chunks);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal("truncated PNG: the image data holds 24003 of the 64008000 bytes its 8000 x 8000 header needs", Refused(png));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4_000_000, "allocated the image before refusing");
    }

    [Fact]
    public void TooMuchImageDataIsIgnored()
    {
        var chunks = CorpusChunks("grey8_first2");
        var raw = Inflate(chunks).Concat(new byte[5000]).ToArray();
        var png = WithIdat(chunks, Deflate(raw));
        var expected = NpyReader.Read(Corpus("grey8_first2_expected.npy"));
        AssertBitIdentical(expected, Fast(png)!, "fast");
        AssertBitIdentical(expected, Sharp(png), "ImageSharp");
    }

    [Fact]
    public void WrongAdlerChecksumIsRefused()
    {
        var chunks = CorpusChunks("grey8_first3");
        var idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        idat[^1] ^= 0x40;
        Assert.Contains("the compressed image data is damaged", Refused(WithIdat(chunks, idat)));
    }

    [Fact]
    public void AWrongAdlerChecksumInAnIdatOfItsOwnIsRefused()
    {
        // The rows inflate from the first IDAT alone: only reading the zlib stream to its end checks the Adler-32.
        var chunks = CorpusChunks("grey8_first3");
        var idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        byte[] Split(byte[] z) => Build([.. chunks.TakeWhile(c => c.Type != "IDAT"), new("IDAT", z[..^4]), new("IDAT", z[^4..]), new("IEND", [])]);
        AssertBitIdentical(NpyReader.Read(Corpus("grey8_first3_expected.npy")), Fast(Split(idat))!, "split");
        idat[^1] ^= 0x40;
        Assert.Contains("corrupt PNG: the compressed image data is damaged", Refused(Split(idat)));
    }

    [Fact]
    public void DamagedDeflateDataIsRefused()
    {
        var chunks = CorpusChunks("grey8_first3");
        var idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        idat[2] |= 0b110; // the first block's type becomes 3, which deflate reserves
        Assert.Contains("the compressed image data is damaged", Refused(WithIdat(chunks, idat)));
        idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        idat[0] = 0x79; // not a zlib header
        Assert.Contains("the compressed image data is damaged", Refused(WithIdat(chunks, idat)));
    }

    [Fact]
    public void ImageDataCutShortIsRefused()
    {
        var chunks = CorpusChunks("grey8_all_paeth");
        var idat = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        Assert.Contains("truncated PNG: the image data holds", Refused(WithIdat(chunks, idat[..(idat.Length / 2)])));
    }

    [Fact]
    public void IdatChunksSeparatedByAnotherChunkAreRefused()
    {
        // ImageSharp decoded only the first run of IDATs and returned the rest of the image black.
        var chunks = CorpusChunks("idat_many");
        int i = chunks.FindLastIndex(c => c.Type == "IDAT");
        chunks.Insert(i, new Chunk("tEXt", Encoding.ASCII.GetBytes("a\0b")));
        Assert.Contains("the image data chunks (IDAT) are not consecutive", Refused(Build(chunks)));
    }

    [Fact]
    public void MissingIendAndTruncatedChunkAreRefused()
    {
        var png = File.ReadAllBytes(Corpus("idat_many.png"));
        Assert.Contains("without an IEND chunk", Refused(png[..^12]));
        Assert.Contains("truncated PNG: chunk 'IDAT'", Refused(png[..^14]));
    }

    [Fact]
    public void PaletteIndexPastTheTableIsRefused()
    {
        byte[] plte = [10, 20, 30, 40, 50, 60];
        var chunks = new List<Chunk>
        {
            new("IHDR", [0, 0, 0, 3, 0, 0, 0, 1, 8, 3, 0, 0, 0]),
            new("PLTE", plte),
            new("IDAT", Deflate([0, 0, 1, 200])),
            new("IEND", []),
        };
        var png = Build(chunks);
        Assert.Equal("corrupt PNG: row 0 uses palette index 200, but the palette (PLTE) has 2 entries", Refused(png));
        float last = PixelConversion.Luma(40, 50, 60);
        Assert.Equal(new[] { PixelConversion.Luma(10, 20, 30), last, last }, Sharp(png).Data); // ImageSharp 2.1: the last entry, silently

        chunks[2] = new Chunk("IDAT", Deflate([0, 0, 1, 1]));
        Assert.Equal(new[] { PixelConversion.Luma(10, 20, 30), last, last }, Fast(Build(chunks))!.Data);
    }

    [Theory]
    [InlineData(2, 4, new byte[] { 0b00_01_00_00 }, null)]
    [InlineData(2, 4, new byte[] { 0b00_01_11_00 }, "uses palette index 3, but the palette (PLTE) has 2 entries")]
    [InlineData(4, 3, new byte[] { 0x01, 0x30 }, "uses palette index 3, but the palette (PLTE) has 2 entries")]
    [InlineData(1, 4, new byte[] { 0b0101_0000 }, null)]
    public void LowBitPaletteIndexesAreCheckedToo(int depth, int width, byte[] row, string? reason)
    {
        var chunks = new List<Chunk>
        {
            new("IHDR", [0, 0, 0, (byte)width, 0, 0, 0, 1, (byte)depth, 3, 0, 0, 0]),
            new("PLTE", [10, 20, 30, 40, 50, 60]),
            new("IDAT", Deflate([0, .. row])),
            new("IEND", []),
        };
        var png = Build(chunks);
        if (reason is null)
        {
            Assert.Equal(Sharp(png).Data, Fast(png)!.Data);
        }
        else
        {
            Assert.Equal("corrupt PNG: row 0 " + reason, Refused(png));
        }

        // A 1-bit image with a 1-entry palette: index 1 has no entry.
        var one = new List<Chunk>
        {
            new("IHDR", [0, 0, 0, 4, 0, 0, 0, 1, 1, 3, 0, 0, 0]),
            new("PLTE", [1, 2, 3]),
            new("IDAT", Deflate([0, 0b0100_0000])),
            new("IEND", []),
        };
        Assert.Equal("corrupt PNG: row 0 uses palette index 1, but the palette (PLTE) has 1 entries", Refused(Build(one)));
    }

    [Fact]
    public void PaletteImageWithoutPlteFallsBackAndIsRefused()
    {
        var chunks = new List<Chunk>
        {
            new("IHDR", [0, 0, 0, 2, 0, 0, 0, 1, 8, 3, 0, 0, 0]),
            new("IDAT", Deflate([0, 0, 1])),
            new("IEND", []),
        };
        var png = Build(chunks);
        Assert.Null(Fast(png));
        Assert.Contains("palette", Refused(png));
    }

    [Theory]
    [InlineData("grey8_all_paeth", 11)]
    [InlineData("ct6_16", 12)]
    [InlineData("ct3_2", 13)]
    [InlineData("idat_many", 14)]
    public void DamagedCorpusFilesDecodeTheSameOrAreRefused(string name, int seed)
    {
        // Random cuts and byte changes: never another exception, and whenever both paths decode, the same image.
        var original = File.ReadAllBytes(Corpus(name + ".png"));
        var rng = new Random(seed);
        int refused = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] damaged;
            if (trial % 4 == 0)
            {
                damaged = original[..rng.Next(0, original.Length)];
            }
            else
            {
                damaged = (byte[])original.Clone();
                for (int f = 1 + rng.Next(4); f > 0; f--)
                {
                    damaged[rng.Next(damaged.Length)] = (byte)rng.Next(256);
                }
            }

            ImageArray? fast = null;
            try
            {
                fast = ImageReader.Read(new MemoryStream(damaged), name);
            }
            catch (ImageDecodeException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
                refused++;
            }

            ImageArray? sharp = null;
            try
            {
                sharp = Sharp(damaged, name);
            }
            catch (ImageDecodeException)
            {
            }

            if (fast is not null && sharp is not null)
            {
                AssertBitIdentical(sharp, fast, $"{name} trial {trial}");
            }
        }

        Assert.True(refused > 0);
    }

    // ------------------------------------------------------------------ from mutation testing: chunk rules and exact refusals

    private static Chunk Ihdr(int width, int height, byte depth, byte colorType, byte interlace = 0)
        => new("IHDR", [0, 0, (byte)(width >> 8), (byte)width, 0, 0, (byte)(height >> 8), (byte)height, depth, colorType, 0, 0, interlace]);

    [Fact]
    public void APlteAfterTheImageDataIsNotThePalette()
    {
        var png = Build([Ihdr(2, 1, 8, 3), new("IDAT", Deflate([0, 0, 1])), new("PLTE", [10, 20, 30, 40, 50, 60]), new("IEND", [])]);
        Assert.Null(Fast(png));
        Assert.Equal("corrupt PNG: a palette image (colour type 3) needs a PLTE chunk with at least one entry before its image data", Refused(png));
    }

    [Fact]
    public void TheFirstPlteIsThePalette()
    {
        var png = Build([Ihdr(2, 1, 8, 3), new("PLTE", [10, 20, 30, 40, 50, 60]), new("PLTE", [1, 2, 3, 4, 5, 6]), new("IDAT", Deflate([0, 0, 1])), new("IEND", [])]);
        Assert.Equal(new[] { PixelConversion.Luma(10, 20, 30), PixelConversion.Luma(40, 50, 60) }, ImageReader.Read(new MemoryStream(png), "two-plte.png").Data);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void APlteWithoutOneWholeEntryIsRefused(int length)
    {
        var png = Build([Ihdr(2, 1, 8, 3), new("PLTE", new byte[length]), new("IDAT", Deflate([0, 0, 0])), new("IEND", [])]);
        Assert.Null(Fast(png));
        Assert.Equal("corrupt PNG: a palette image (colour type 3) needs a PLTE chunk with at least one entry before its image data", Refused(png));
    }

    [Fact]
    public void ACrcMismatchOnTheLastOfManyIdatChunksIsRefused()
    {
        var chunks = CorpusChunks("idat_many");
        int i = chunks.FindLastIndex(c => c.Type == "IDAT");
        Assert.True(i > chunks.FindIndex(c => c.Type == "IDAT"));
        chunks[i] = chunks[i] with { BadCrc = true };
        int offset = 8 + chunks.Take(i).Sum(c => 12 + c.Data.Length);
        Assert.Equal($"corrupt PNG: the IDAT chunk at byte {offset} fails its CRC check (the file is damaged)", Refused(Build(chunks)));
    }

    [Fact]
    public void AnUnknownFilterInAnAdam7PassNamesTheImageRow()
    {
        // 8 x 8 grey, Adam7: passes of 1x1, 1x1, 2x1, 2x2, 4x2, 4x4 and 8x4 pixels (43 bytes before pass 7).
        // Pass 7's rows are image rows 1, 3, 5, 7: its third row (byte 43 + 2 * 9) is image row 5.
        var raw = new byte[43 + (4 * 9)];
        raw[43 + 18] = 5;
        var png = Build([Ihdr(8, 8, 8, 0, interlace: 1), new("IDAT", Deflate(raw)), new("IEND", [])]);
        Assert.Equal("corrupt PNG: row 5 has filter type 5; PNG defines types 0 to 4", Refused(png));
        raw[43 + 18] = 0;
        Assert.Equal(new float[64], Fast(Build([Ihdr(8, 8, 8, 0, interlace: 1), new("IDAT", Deflate(raw)), new("IEND", [])]))!.Data);
    }

    [Theory]
    [InlineData(8, 3, new byte[] { 0, 1, 2 }, 2)]
    [InlineData(2, 4, new byte[] { 0b00_01_10_00 }, 2)]
    [InlineData(4, 2, new byte[] { 0x12 }, 2)]
    public void APaletteIndexEqualToTheNumberOfEntriesIsRefused(int depth, int width, byte[] row, int index)
    {
        var png = Build([Ihdr(width, 1, (byte)depth, 3), new("PLTE", [10, 20, 30, 40, 50, 60]), new("IDAT", Deflate([0, .. row])), new("IEND", [])]);
        Assert.Equal($"corrupt PNG: row 0 uses palette index {index}, but the palette (PLTE) has 2 entries", Refused(png));
    }

    [Fact]
    public void APlteOfMoreThan256EntriesIsReadAsItsFirst256()
    {
        var plte = new byte[3 * 257];
        for (int i = 0; i < 256; i++)
        {
            plte[3 * i] = (byte)i;
            plte[(3 * i) + 1] = (byte)(255 - i);
            plte[(3 * i) + 2] = 7;
        }

        plte[^3] = 99; // entry 256: no 8-bit index reaches it
        var png = Build([Ihdr(3, 1, 8, 3), new("PLTE", plte), new("IDAT", Deflate([0, 0, 255, 128])), new("IEND", [])]);
        Assert.Equal(new[] { PixelConversion.Luma(0, 255, 7), PixelConversion.Luma(255, 0, 7), PixelConversion.Luma(128, 127, 7) }, Fast(png)!.Data);
    }

    [Fact]
    public void AFileTooShortForTheSignatureAndIhdrIsRefused()
    {
        var png = File.ReadAllBytes(Corpus("grey8_first0.png"));
        Assert.Equal("truncated PNG: the file has only 32 bytes", Refused(png[..32]));
        Assert.Equal("truncated PNG: the file has only 8 bytes", Refused(png[..8]));
    }

    [Fact]
    public void AnIhdrOfAnotherLengthIsRefused()
    {
        var png = Build([new("IHDR", [0, 0, 0, 2, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0]), new("IDAT", Deflate([0, 0, 0])), new("IEND", [])]);
        Assert.Equal("corrupt PNG: the first chunk is not IHDR", Refused(png));
    }

    [Theory]
    [InlineData(3, 16)]
    [InlineData(0, 3)]
    [InlineData(2, 4)]
    [InlineData(4, 1)]
    [InlineData(6, 2)]
    [InlineData(5, 8)]
    public void ColourTypeAndBitDepthPngDoesNotDefineAreRefused(byte colorType, byte depth)
    {
        var png = Build([Ihdr(1, 1, depth, colorType), new("PLTE", [1, 2, 3]), new("IDAT", Deflate(new byte[9])), new("IEND", [])]);
        Assert.Equal($"corrupt PNG: colour type {colorType} with bit depth {depth} is not valid", Refused(png));
    }

    [Fact]
    public void GreyPlusAlphaRecordsItsIntegerBits()
    {
        var ga8 = Build([Ihdr(2, 1, 8, 4), new("IDAT", Deflate([0, 9, 255, 200, 0])), new("IEND", [])]);
        var ga16 = Build([Ihdr(1, 1, 16, 4), new("IDAT", Deflate([0, 1, 2, 0, 0])), new("IEND", [])]);
        var a = ImageReader.Read(new MemoryStream(ga8), "ga8.png");
        Assert.Equal([9f, 200f], a.Data);
        Assert.True(IntegerSource.TryGetRecorded(a, out int bits8));
        Assert.Equal(8, bits8);
        var b = ImageReader.Read(new MemoryStream(ga16), "ga16.png");
        Assert.Equal([258f], b.Data);
        Assert.True(IntegerSource.TryGetRecorded(b, out int bits16));
        Assert.Equal(16, bits16);
    }

    [Fact]
    public void EmptyIdatChunksBeforeTheDataAreSkipped()
    {
        var png = Build([Ihdr(3, 1, 8, 0), new("IDAT", []), new("IDAT", []), new("IDAT", Deflate([0, 1, 2, 3])), new("IDAT", []), new("IEND", [])]);
        Assert.Equal([1f, 2f, 3f], Fast(png)!.Data);
    }
}

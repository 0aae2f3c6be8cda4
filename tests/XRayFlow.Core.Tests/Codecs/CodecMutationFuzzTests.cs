using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsCheck;
using XRayFlow.Tests.Shared;
using Xunit.Abstractions;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs;

/// <summary>
/// Structure-aware mutation fuzzing of the .npy, PNG and JPEG readers with CsCheck. Each iteration takes a seed
/// file (the committed fixtures), applies 1-4 mutations that know the format (npy: header dict fields, version,
/// header length, dtype, shape edge values, data length; PNG: IHDR fields at edge values, the inflated scanlines
/// (filter bytes, palette indexes, length) re-deflated, PLTE, chunk order, split, duplication and removal, all
/// with correct CRCs so the decoder is reached, or a bad CRC; JPEG: frame header fields, tables, scan header
/// fields, entropy-coded bytes, markers inserted, segments removed or duplicated, length fields), then raw byte
/// changes, cuts, insertions and deletions, and reads it through <see cref="ImageReader"/>.
/// <para>Every outcome must be an image of the declared shape or an <see cref="ImageDecodeException"/> with a
/// reason; any other exception, a read still running after <see cref="HangSeconds"/> s (a hang guard, not a speed
/// check), or a managed allocation beyond <see cref="AllocationBound"/> fails the test.</para>
/// Short run (3 s per format) in the normal suite; XRAYFLOW_FUZZ_SECONDS=600 runs each format that long
/// (XRAYFLOW_FUZZ_REPORT=path also writes path.npy, path.png, path.jpeg with the counts).
/// </summary>
public class CodecMutationFuzzTests(ITestOutputHelper output)
{
    private const int HangSeconds = 60;

    /// <summary>The reader's pixel limit during fuzzing (16 MB of float32): a mutated header may declare up to this.</summary>
    private static readonly ImageReadOptions FuzzOptions = new() { MaxPixels = 1 << 22 };

    private static readonly Lazy<byte[][]> NpySeeds = new(() => Seeds("*.npy", CodecFixtures.Path_("npy")));

    private static readonly Lazy<byte[][]> PngSeeds = new(() => Seeds("*.png", CodecFixtures.Path_("png"), CodecFixtures.Path_()));

    private static readonly Lazy<byte[][]> JpegSeeds = new(() => Seeds("*.jpg", CodecFixtures.Path_("jpeg"), CodecFixtures.Path_()));

    /// <summary>Managed bytes one read of an n-byte input may allocate: the image at the fuzz pixel limit (float32,
    /// and complex: twice), the file's bytes a few times over, pooled row buffers, and a fixed slack.</summary>
    internal static long AllocationBound(int n) => (8L * FuzzOptions.MaxPixels) + (16L * n) + (16L << 20);

    [Fact]
    public void MutatedNpyFilesDecodeOrFailCleanly() => Fuzz("npy", NpySeeds.Value, MutateNpy);

    [Fact]
    public void MutatedPngFilesDecodeOrFailCleanly() => Fuzz("png", PngSeeds.Value, MutatePng);

    [Fact]
    public void MutatedJpegFilesDecodeOrFailCleanly() => Fuzz("jpeg", JpegSeeds.Value, MutateJpeg);

    [Fact]
    public void SeedsAreThereAndDecode()
    {
        Assert.True(NpySeeds.Value.Length >= 30);
        Assert.True(PngSeeds.Value.Length >= 100);
        Assert.True(JpegSeeds.Value.Length >= 12);
        foreach (var (name, seeds) in new[] { ("npy", NpySeeds.Value), ("png", PngSeeds.Value), ("jpeg", JpegSeeds.Value) })
        {
            int decoded = seeds.Count(s => RunGuarded(s, name) is null);
            Assert.True(decoded >= seeds.Length / 2, $"{name}: only {decoded} of {seeds.Length} seeds decode");
        }
    }

    private static byte[][] Seeds(string pattern, params string[] folders)
        => [.. folders.SelectMany(f => Directory.GetFiles(f, pattern)).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)];

    private void Fuzz(string format, byte[][] seeds, Func<byte[], Knobs, byte[]> mutate)
    {
        int seconds = FuzzReport.Seconds > 0 ? FuzzReport.Seconds : 3;
        long iterations = 0, decoded = 0, refused = 0;
        var reasons = new ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        var gen = Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Int.Array[4, 48], Gen.Int[1, 4]);
        gen.Sample(
            (seed, knobs, count) =>
            {
                var k = new Knobs(knobs, count);
                byte[] input = mutate(seeds[seed], k);
                var outcome = RunGuarded(input, format);
                Interlocked.Increment(ref iterations);
                if (outcome is null)
                {
                    Interlocked.Increment(ref decoded);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                    reasons.AddOrUpdate(Classify(outcome), 1, (_, v) => v + 1);
                }
            },
            time: seconds,
            threads: 1);
        clock.Stop();

        string summary = $"{format} fuzz: {iterations} iterations in {clock.Elapsed.TotalSeconds:F0} s, {decoded} decoded, {refused} refused with ImageDecodeException, 0 other outcomes (exceptions, hangs, allocations over the bound)";
        output.WriteLine(summary);
        foreach (var kv in reasons.OrderByDescending(kv => kv.Value).Take(20))
        {
            output.WriteLine($"  {kv.Value,8}  {kv.Key}");
        }

        FuzzReport.Write(format, [summary, .. reasons.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Value,8}  {kv.Key}")]);

        Assert.True(iterations > 0);
        Assert.True(decoded > 0, $"{format}: no mutated file decoded: the mutations are too destructive to exercise the decoder");
        Assert.True(refused > 0, $"{format}: no mutated file was refused: the mutations do not reach the checks");
    }

    /// <summary>Reads on a worker thread; returns null (decoded) or the ImageDecodeException; throws for anything else.</summary>
    internal static ImageDecodeException? RunGuarded(byte[] input, string format)
    {
        Exception? failure = null;
        ImageDecodeException? refusal = null;
        long allocated = 0;
        var worker = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var image = ImageReader.Read(new MemoryStream(input), "fuzz." + format, FuzzOptions);
                long expected = (long)image.Frames * image.Rows * image.Cols;
                if (image.Rows <= 0 || image.Cols <= 0 || expected > FuzzOptions.MaxPixels || image.Data.Length < expected)
                {
                    failure = new InvalidOperationException($"decoded an image of shape {image.ShapeText} with {image.Data.Length} values");
                }

                PixelPool.Shared.Return(image);
            }
            catch (ImageDecodeException e)
            {
                refusal = e;
                if (string.IsNullOrWhiteSpace(e.Reason))
                {
                    failure = new InvalidOperationException("an ImageDecodeException without a reason");
                }
            }
            catch (Exception e)
            {
                failure = e;
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, maxStackSize: 1 << 20);
        worker.Start();
        if (!worker.Join(TimeSpan.FromSeconds(HangSeconds)))
        {
            throw new TimeoutException($"a read of {input.Length} bytes did not finish in {HangSeconds} s (hang): {Convert.ToBase64String(input)}");
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"the reader threw {failure.GetType().Name} instead of ImageDecodeException: {failure.Message}; input {Convert.ToBase64String(input)}", failure);
        }

        if (allocated > AllocationBound(input.Length))
        {
            throw new InvalidOperationException($"a read of {input.Length} bytes allocated {allocated} bytes (bound {AllocationBound(input.Length)}); input {Convert.ToBase64String(input)}");
        }

        return refusal;
    }

    private static string Classify(ImageDecodeException e)
    {
        string r = e.Reason;
        int cut = r.IndexOfAny(['(', ':', '\'', ';']);
        r = cut > 12 ? r[..cut] : r.Length > 60 ? r[..60] : r;
        return new string(r.Select(ch => char.IsDigit(ch) ? '#' : ch).ToArray()).Trim();
    }

    /// <summary>The generated integers, consumed in turn (wrapping), and the number of structural mutations.</summary>
    internal sealed class Knobs(int[] values, int count)
    {
        private int _k;

        public int Count => count;

        public int Next() => values[_k++ % values.Length] & int.MaxValue;

        public int Next(int n) => Next() % n;

        public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

        public bool Chance(int percent) => Next(100) < percent;
    }

    private static readonly uint[] Edges32 = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 255, 256, 1023, 1024, 4096, 65535, 65536, 1 << 20, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF];

    private static readonly int[] Edges16 = [0, 1, 2, 3, 7, 8, 9, 16, 17, 255, 256, 1024, 2048, 4096, 10000, 32767, 32768, 65535];

    // ------------------------------------------------------------------------------------------------ raw

    /// <summary>Byte-level damage after the structural mutations: flips, changes, a cut, insertions, deletions, a repeated run.</summary>
    private static byte[] Raw(byte[] input, Knobs k, int rounds)
    {
        var data = new List<byte>(input);
        for (int m = 0; m < rounds && data.Count > 0; m++)
        {
            int pos = k.Next(data.Count);
            switch (k.Next(6))
            {
                case 0:
                    data[pos] ^= (byte)(1 << k.Next(8));
                    break;
                case 1:
                    data[pos] = (byte)k.Next();
                    break;
                case 2:
                    data.RemoveRange(pos, data.Count - pos);
                    break;
                case 3:
                    data.InsertRange(pos, Enumerable.Range(0, 1 + k.Next(16)).Select(_ => (byte)k.Next()));
                    break;
                case 4:
                    data.RemoveRange(pos, Math.Min(1 + k.Next(64), data.Count - pos));
                    break;
                default:
                    int len = Math.Min(1 + k.Next(256), data.Count - pos);
                    data.InsertRange(pos, data.GetRange(pos, len));
                    break;
            }
        }

        return [.. data];
    }

    // ------------------------------------------------------------------------------------------------ npy

    private static readonly string[] Descrs = ["<f4", ">f4", "<f8", ">f8", "<f2", "|u1", "|i1", "<u2", ">i2", "<i4", ">u4", "<i8", ">u8", "|b1", "<c8", ">c16", "<U1", "|O", "<f3", "<x4", "=f4", "", "<", "f4", "<f4 ", "<f99999999999"];

    private static readonly string[] DimTexts = ["0", "1", "2", "3", "4", "7", "64", "1000", "2048", "65536", "4194305", "2147483647", "2147483648", "9223372036854775807", "99999999999999999999", "-1", "3L", " 5 ", "", "1e3", "0x10"];

    private static byte[] MutateNpy(byte[] seed, Knobs k)
    {
        int headerLen = seed[6] == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(seed.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(seed.AsSpan(8));
        int prefix = seed[6] == 1 ? 10 : 12;
        string header = Encoding.Latin1.GetString(seed, prefix, Math.Min(headerLen, seed.Length - prefix));
        byte[] data = seed[Math.Min(seed.Length, prefix + headerLen)..];
        string descr = Between(header, "'descr': '", "'") ?? "<f4";
        string fortran = header.Contains("True", StringComparison.Ordinal) ? "True" : "False";
        string shape = Between(header, "'shape': (", ")") ?? "3, 4";
        int major = seed[6];
        uint? lengthField = null;
        string extra = string.Empty;
        for (int m = 0; m < k.Count; m++)
        {
            switch (k.Next(9))
            {
                case 0:
                    descr = k.Pick(Descrs);
                    break;
                case 1:
                    fortran = k.Pick(["True", "False", "1", "None", "'False'", string.Empty]);
                    break;
                case 2:
                    int rank = k.Next(6);
                    shape = string.Join(", ", Enumerable.Range(0, rank).Select(_ => k.Chance(70) ? k.Pick(["1", "2", "3", "4", "5", "8", "16"]) : k.Pick(DimTexts))) + (rank == 1 || k.Chance(20) ? "," : string.Empty);
                    break;
                case 3:
                    major = k.Pick([1, 1, 2, 3, 0, 4, 255]);
                    break;
                case 4:
                    lengthField = k.Pick(Edges32);
                    break;
                case 5:
                    extra = k.Pick([", 'x': 1", ", 'descr': '<f8'", ", 'shape': (1,)", "}", " {", ", 'fortran_order': False, 'fortran_order': True", "\0", "\n\n"]);
                    break;
                case 6:
                    data = k.Chance(50) ? data[..k.Next(data.Length + 1)] : [.. data, .. new byte[1 + k.Next(64)]];
                    break;
                case 7:
                    if (data.Length > 0)
                    {
                        data = (byte[])data.Clone();
                        for (int i = k.Next(8); i >= 0; i--)
                        {
                            data[k.Next(data.Length)] = (byte)k.Next(); // NaN, infinities, denormals in float data
                        }
                    }

                    break;
                default:
                    extra = new string(' ', k.Next(200));
                    break;
            }
        }

        string dict = $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': ({shape}), {extra}}}";
        int pre = major == 1 ? 10 : 12;
        string text = dict.PadRight(((pre + dict.Length + 1 + 63) / 64 * 64) - pre - 1) + "\n";
        var head = new byte[pre];
        XRayFlow.Core.Codecs.Npy.NpyReader.Magic.CopyTo(head);
        head[6] = (byte)major;
        uint len = lengthField ?? (uint)Encoding.Latin1.GetByteCount(text);
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(8), (ushort)len);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(8), len);
        }

        byte[] file = [.. head, .. Encoding.Latin1.GetBytes(text), .. data];
        return k.Chance(40) ? Raw(file, k, 1 + k.Next(3)) : file;
    }

    private static string? Between(string s, string start, string end)
    {
        int i = s.IndexOf(start, StringComparison.Ordinal);
        if (i < 0)
        {
            return null;
        }

        i += start.Length;
        int j = s.IndexOf(end, i, StringComparison.Ordinal);
        return j < 0 ? null : s[i..j];
    }

    // ------------------------------------------------------------------------------------------------ PNG

    private sealed record Chunk(string Type, byte[] Data, bool BadCrc = false);

    private static List<Chunk> PngChunks(byte[] png)
    {
        var list = new List<Chunk>();
        for (int pos = 8; pos + 12 <= png.Length;)
        {
            int len = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos));
            if (len < 0 || pos + 12 + len > png.Length)
            {
                break;
            }

            string type = Encoding.Latin1.GetString(png, pos + 4, 4);
            list.Add(new Chunk(type, png.AsSpan(pos + 8, len).ToArray()));
            pos += 12 + len;
            if (type == "IEND")
            {
                break;
            }
        }

        return list;
    }

    private static byte[] PngBytes(List<Chunk> chunks)
    {
        var ms = new MemoryStream();
        ms.Write(PngReader.Signature);
        Span<byte> four = stackalloc byte[4];
        foreach (var c in chunks)
        {
            BinaryPrimitives.WriteUInt32BigEndian(four, (uint)c.Data.Length);
            ms.Write(four);
            byte[] typeAndData = [.. Encoding.Latin1.GetBytes(c.Type), .. c.Data];
            ms.Write(typeAndData);
            BinaryPrimitives.WriteUInt32BigEndian(four, Crc32.Compute(typeAndData) ^ (c.BadCrc ? 0x10u : 0u));
            ms.Write(four);
        }

        return ms.ToArray();
    }

    private static byte[] Inflate(byte[] z)
    {
        try
        {
            using var s = new ZLibStream(new MemoryStream(z), CompressionMode.Decompress);
            var ms = new MemoryStream();
            var buffer = new byte[1 << 16];
            int n;
            while ((n = s.Read(buffer)) > 0 && ms.Length < (8 << 20))
            {
                ms.Write(buffer, 0, n);
            }

            return ms.ToArray();
        }
        catch (InvalidDataException)
        {
            return [];
        }
        catch (IOException e) when (e.GetType().Name == "ZLibException")
        {
            // zlib's other errors (not Z_DATA_ERROR): the decoders must refuse such data too (PngDecoderTests).
            if (Environment.GetEnvironmentVariable("XRAYFLOW_DUMP_ZLIB") is { Length: > 0 } dump)
            {
                File.WriteAllBytes(dump, z);
            }

            return [];
        }
    }

    private static byte[] Deflate(byte[] raw, CompressionLevel level)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, level, leaveOpen: true))
        {
            z.Write(raw);
        }

        return ms.ToArray();
    }

    private static byte[] MutatePng(byte[] seed, Knobs k)
    {
        var chunks = PngChunks(seed);
        if (chunks.Count == 0 || chunks[0].Type != "IHDR")
        {
            return Raw(seed, k, 2);
        }

        for (int m = 0; m < k.Count; m++)
        {
            switch (k.Next(8))
            {
                case 0:
                    {
                        // An IHDR field at an edge value.
                        var ihdr = (byte[])chunks[0].Data.Clone();
                        if (ihdr.Length == 13)
                        {
                            switch (k.Next(5))
                            {
                                case 0:
                                    BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(k.Next(2) * 4), k.Pick(Edges32));
                                    break;
                                case 1:
                                    ihdr[8] = (byte)k.Pick([0, 1, 2, 3, 4, 8, 16, 255]);
                                    break;
                                case 2:
                                    ihdr[9] = (byte)k.Pick([0, 1, 2, 3, 4, 5, 6, 7, 255]);
                                    break;
                                case 3:
                                    ihdr[12] = (byte)(ihdr[12] == 0 ? 1 : k.Pick([0, 2, 255]));
                                    break;
                                default:
                                    ihdr[10 + k.Next(2)] = (byte)k.Pick([1, 2, 255]);
                                    break;
                            }
                        }

                        chunks[0] = chunks[0] with { Data = ihdr };
                        break;
                    }

                case 1:
                case 2:
                    {
                        // The scanlines: change filter bytes, palette indexes or samples, cut or extend them; re-deflate.
                        var raw = Inflate([.. chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data)]);
                        if (raw.Length > 0)
                        {
                            raw = (byte[])raw.Clone();
                            for (int i = 1 + k.Next(6); i > 0; i--)
                            {
                                raw[k.Next(raw.Length)] = (byte)(k.Chance(50) ? k.Next(8) : k.Next());
                            }

                            if (k.Chance(25))
                            {
                                raw = k.Chance(50) ? raw[..k.Next(raw.Length + 1)] : [.. raw, .. new byte[1 + k.Next(5000)]];
                            }
                        }

                        var z = Deflate(raw, k.Pick([CompressionLevel.NoCompression, CompressionLevel.Fastest, CompressionLevel.Optimal]));
                        int size = k.Chance(50) ? z.Length : 1 + k.Next(Math.Max(1, z.Length));
                        var idats = new List<Chunk>();
                        for (int at = 0; at < z.Length; at += size)
                        {
                            idats.Add(new Chunk("IDAT", z[at..Math.Min(z.Length, at + size)]));
                        }

                        int first = chunks.FindIndex(c => c.Type == "IDAT");
                        chunks.RemoveAll(c => c.Type == "IDAT");
                        chunks.InsertRange(first < 0 ? Math.Max(1, chunks.Count - 1) : first, idats);
                        break;
                    }

                case 3:
                    {
                        // PLTE: shortened, lengthened, removed, or added to a grey image.
                        int p = chunks.FindIndex(c => c.Type == "PLTE");
                        if (p >= 0 && k.Chance(70))
                        {
                            var plte = chunks[p].Data;
                            chunks[p] = chunks[p] with { Data = k.Chance(50) ? plte[..k.Next(plte.Length + 1)] : [.. plte, .. Enumerable.Range(0, k.Next(800)).Select(_ => (byte)k.Next())] };
                            if (chunks[p].Data.Length == 0 && k.Chance(50))
                            {
                                chunks.RemoveAt(p);
                            }
                        }
                        else
                        {
                            chunks.Insert(1, new Chunk("PLTE", [.. Enumerable.Range(0, 3 * (1 + k.Next(300))).Select(_ => (byte)k.Next())]));
                        }

                        break;
                    }

                case 4:
                    {
                        // Chunk structure: duplicate, remove, move, or put an ancillary chunk between IDATs.
                        int i = k.Next(chunks.Count);
                        switch (k.Next(4))
                        {
                            case 0:
                                chunks.Insert(k.Next(chunks.Count + 1), chunks[i]);
                                break;
                            case 1:
                                chunks.RemoveAt(i);
                                break;
                            case 2:
                                var c = chunks[i];
                                chunks.RemoveAt(i);
                                chunks.Insert(k.Next(chunks.Count + 1), c);
                                break;
                            default:
                                chunks.Insert(i, new Chunk(k.Pick(["tEXt", "zTXt", "iCCP", "tRNS", "prVt", "IHDR", "IEND"]), [.. Enumerable.Range(0, k.Next(40)).Select(_ => (byte)k.Next())]));
                                break;
                        }

                        if (chunks.Count == 0)
                        {
                            return PngReader.Signature.ToArray();
                        }

                        break;
                    }

                case 5:
                    {
                        int i = k.Next(chunks.Count);
                        chunks[i] = chunks[i] with { BadCrc = true };
                        break;
                    }

                default:
                    {
                        // A chunk's length field at an edge value (after serialisation).
                        var bytes = PngBytes(chunks);
                        var offsets = new List<int>();
                        for (int pos = 8; pos + 12 <= bytes.Length; pos += 12 + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(pos)))
                        {
                            offsets.Add(pos);
                        }

                        if (offsets.Count > 0)
                        {
                            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(k.Pick(offsets)), k.Pick(Edges32));
                        }

                        return k.Chance(30) ? Raw(bytes, k, 1) : bytes;
                    }
            }
        }

        var result = PngBytes(chunks);
        return k.Chance(30) ? Raw(result, k, 1 + k.Next(3)) : result;
    }

    // ------------------------------------------------------------------------------------------------ JPEG

    /// <summary>A JPEG as segments: (marker, payload, entropy-coded bytes after it for SOS).</summary>
    private sealed record Segment(byte Marker, byte[] Payload, byte[] Entropy);

    private static List<Segment>? JpegSegments(byte[] b)
    {
        var list = new List<Segment>();
        int pos = 2;
        while (pos + 4 <= b.Length && b[pos] == 0xFF)
        {
            byte marker = b[pos + 1];
            if (marker == 0xD9)
            {
                return list;
            }

            int len = BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(pos + 2));
            if (len < 2 || pos + 2 + len > b.Length)
            {
                return null;
            }

            var payload = b[(pos + 4)..(pos + 2 + len)];
            pos += 2 + len;
            byte[] entropy = [];
            if (marker == 0xDA)
            {
                int start = pos;
                while (pos + 1 < b.Length && !(b[pos] == 0xFF && b[pos + 1] != 0 && (b[pos + 1] < 0xD0 || b[pos + 1] > 0xD7)))
                {
                    pos++;
                }

                entropy = b[start..pos];
            }

            list.Add(new Segment(marker, payload, entropy));
        }

        return null;
    }

    private static byte[] JpegBytes(List<Segment> segments, bool eoi)
    {
        var ms = new MemoryStream();
        ms.Write([0xFF, 0xD8]);
        Span<byte> two = stackalloc byte[2];
        foreach (var s in segments)
        {
            ms.WriteByte(0xFF);
            ms.WriteByte(s.Marker);
            if (s.Marker is 0xD8 or 0xD9 or (>= 0xD0 and <= 0xD7))
            {
                continue;
            }

            BinaryPrimitives.WriteUInt16BigEndian(two, (ushort)Math.Min(0xFFFF, s.Payload.Length + 2));
            ms.Write(two);
            ms.Write(s.Payload);
            ms.Write(s.Entropy);
        }

        if (eoi)
        {
            ms.Write([0xFF, 0xD9]);
        }

        return ms.ToArray();
    }

    private static byte[] MutateJpeg(byte[] seed, Knobs k)
    {
        var segs = JpegSegments(seed);
        if (segs is null || segs.Count == 0)
        {
            return Raw(seed, k, 2);
        }

        bool eoi = true;
        for (int m = 0; m < k.Count; m++)
        {
            int sof = segs.FindIndex(s => s.Marker is >= 0xC0 and <= 0xCF && s.Marker is not (0xC4 or 0xC8 or 0xCC));
            int sos = segs.FindIndex(s => s.Marker == 0xDA);
            switch (k.Next(9))
            {
                case 0 when sof >= 0:
                    {
                        // A frame header field at an edge value.
                        var p = (byte[])segs[sof].Payload.Clone();
                        switch (k.Next(5))
                        {
                            case 0 when p.Length >= 1:
                                p[0] = (byte)k.Pick([0, 1, 8, 12, 16, 255]);
                                break;
                            case 1 when p.Length >= 5:
                                BinaryPrimitives.WriteUInt16BigEndian(p.AsSpan(1 + (2 * k.Next(2))), (ushort)k.Pick(Edges16));
                                break;
                            case 2 when p.Length >= 6:
                                p[5] = (byte)k.Pick([0, 1, 2, 3, 4, 5, 255]);
                                break;
                            case 3 when p.Length >= 8:
                                p[7 + (3 * k.Next(Math.Max(1, (p.Length - 6) / 3)))] = (byte)k.Pick([0x00, 0x11, 0x12, 0x21, 0x22, 0x44, 0x55, 0x0F, 0xF0, 0xFF]);
                                break;
                            default:
                                segs[sof] = segs[sof] with { Marker = (byte)k.Pick([0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC9, 0xCA, 0xCB, 0xCF]) };
                                continue;
                        }

                        segs[sof] = segs[sof] with { Payload = p };
                        break;
                    }

                case 1 when sos >= 0:
                    {
                        // A scan header field: components, table selectors, spectral selection, approximation.
                        var p = (byte[])segs[sos].Payload.Clone();
                        if (p.Length > 0)
                        {
                            int at = k.Chance(40) ? p.Length - 1 - k.Next(Math.Min(3, p.Length)) : k.Next(p.Length);
                            p[at] = (byte)k.Pick([0, 1, 2, 3, 4, 0x10, 0x11, 0x33, 63, 64, 0xFF, k.Next()]);
                        }

                        segs[sos] = segs[sos] with { Payload = p };
                        break;
                    }

                case 2:
                    {
                        // A table (DQT, DHT, DRI) byte changed.
                        var tables = segs.Select((s, i) => (s, i)).Where(t => t.s.Marker is 0xDB or 0xC4 or 0xDD && t.s.Payload.Length > 0).ToList();
                        if (tables.Count > 0)
                        {
                            var (s, i) = k.Pick(tables);
                            var p = (byte[])s.Payload.Clone();
                            p[k.Next(p.Length)] = (byte)k.Next();
                            segs[i] = s with { Payload = p };
                        }

                        break;
                    }

                case 3:
                case 4:
                    {
                        // Entropy-coded bytes: changed, cut, extended, or a marker inserted (RST, EOI, SOS, SOI).
                        var scans = segs.Select((s, i) => (s, i)).Where(t => t.s.Marker == 0xDA).ToList();
                        if (scans.Count > 0)
                        {
                            var (s, i) = k.Pick(scans);
                            var e = new List<byte>(s.Entropy);
                            switch (k.Next(4))
                            {
                                case 0 when e.Count > 0:
                                    for (int f = 1 + k.Next(8); f > 0; f--)
                                    {
                                        e[k.Next(e.Count)] = (byte)k.Next();
                                    }

                                    break;
                                case 1:
                                    e = e.GetRange(0, k.Next(e.Count + 1));
                                    break;
                                case 2:
                                    e.AddRange(Enumerable.Range(0, 1 + k.Next(2000)).Select(_ => (byte)(k.Chance(50) ? 0 : k.Next())));
                                    break;
                                default:
                                    e.InsertRange(k.Next(e.Count + 1), [0xFF, (byte)k.Pick([0xD0, 0xD3, 0xD7, 0xD9, 0xDA, 0xD8, 0xC4, 0xFF, 0x00])]);
                                    break;
                            }

                            segs[i] = s with { Entropy = [.. e] };
                        }

                        break;
                    }

                case 5:
                    {
                        // Segments removed, duplicated or moved (two SOFs, SOS before SOF, no DHT, ...).
                        int i = k.Next(segs.Count);
                        switch (k.Next(3))
                        {
                            case 0:
                                segs.RemoveAt(i);
                                break;
                            case 1:
                                segs.Insert(k.Next(segs.Count + 1), segs[i]);
                                break;
                            default:
                                var s = segs[i];
                                segs.RemoveAt(i);
                                segs.Insert(k.Next(segs.Count + 1), s);
                                break;
                        }

                        if (segs.Count == 0)
                        {
                            return [0xFF, 0xD8, 0xFF, 0xD9];
                        }

                        break;
                    }

                case 6:
                    eoi = !eoi;
                    break;

                case 7:
                    {
                        // An APP segment carrying a whole small JPEG (a thumbnail) or garbage.
                        byte[] body = k.Chance(50) ? [.. "Exif\0\0"u8, .. seed[..Math.Min(seed.Length, 600)]] : [.. Enumerable.Range(0, k.Next(300)).Select(_ => (byte)k.Next())];
                        segs.Insert(k.Next(segs.Count + 1), new Segment((byte)(0xE0 + k.Next(16)), body, []));
                        break;
                    }

                default:
                    {
                        // A length field at an edge value (after serialisation).
                        var bytes = JpegBytes(segs, eoi);
                        var lengths = new List<int>();
                        for (int pos = 2; pos + 4 <= bytes.Length && bytes[pos] == 0xFF && bytes[pos + 1] != 0xDA;)
                        {
                            lengths.Add(pos + 2);
                            pos += 2 + BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(pos + 2));
                        }

                        if (lengths.Count > 0)
                        {
                            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(k.Pick(lengths)), (ushort)k.Pick(Edges16));
                        }

                        return k.Chance(30) ? Raw(bytes, k, 1) : bytes;
                    }
            }
        }

        var result = JpegBytes(segs, eoi);
        return k.Chance(30) ? Raw(result, k, 1 + k.Next(3)) : result;
    }
}

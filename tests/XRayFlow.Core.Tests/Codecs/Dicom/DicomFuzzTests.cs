using System.Diagnostics;
using CsCheck;
using XRayFlow.Tests.Shared;
using Xunit.Abstractions;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Dicom;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

/// <summary>
/// Mutation fuzzing of the DICOM reader with CsCheck: every sample and generated fixture is mutated (bit flips,
/// byte changes, 16/32-bit length fields set to edge values, truncations, insertions, deletions, duplicated
/// chunks) and parsed + decoded. Every outcome must be a decoded image or an <see cref="ImageDecodeException"/>;
/// any other exception, a parse still running after <see cref="HangSeconds"/> s (a hang guard, not a speed
/// check), or an allocation beyond <see cref="AllocationBound"/> fails the test.
/// Short run (3 s) in the normal suite; XRAYFLOW_FUZZ_SECONDS=600 for a long run (see docs/dicom.md).
/// </summary>
public class DicomFuzzTests(ITestOutputHelper output)
{
    private const int HangSeconds = 60;

    private static readonly DicomReadOptions FuzzOptions = new()
    {
        AllowMissingPreamble = true,
        MaxInflatedBytes = 16 << 20,
    };

    private static readonly Lazy<string[]> SeedNames = new(() => Directory.GetFiles(DicomFixtures.Dir, "*.dcm")
        .OrderBy(f => f, StringComparer.Ordinal)
        .ToArray());

    private static readonly Lazy<byte[][]> Seeds = new(() => SeedNames.Value.Select(File.ReadAllBytes).ToArray());

    private static readonly Lazy<int[][]> LengthFields = new(() => Seeds.Value.Select(FindLengthFields).ToArray());

    /// <summary>Bytes a parse of an input of n bytes may allocate: pixels (up to 64x for RLE, 32x for 1-bit
    /// floats), the inflated dataset, and a fixed slack.</summary>
    internal static long AllocationBound(int n) => (600L * n) + (3L * FuzzOptions.MaxInflatedBytes) + (64L << 20);

    [Fact]
    public void MutatedFilesDecodeOrFailCleanly()
    {
        int seconds = FuzzReport.Seconds > 0 ? FuzzReport.Seconds : 3;
        long iterations = 0, decoded = 0, refused = 0;
        var reasons = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var clock = Stopwatch.StartNew();
        var gen = Gen.Select(Gen.Int[0, Seeds.Value.Length - 1], Gen.Int.Array[2, 16], Gen.Int[1, 4]);
        gen.Sample(
            (seed, knobs, count) =>
            {
                byte[] input = Mutate(seed, knobs, count);
                var outcome = RunGuarded(input);
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

        string summary = $"DICOM fuzz: {iterations} iterations in {clock.Elapsed.TotalSeconds:F0} s, {decoded} decoded, {refused} refused with ImageDecodeException, 0 other outcomes";
        output.WriteLine(summary);
        foreach (var kv in reasons.OrderByDescending(kv => kv.Value).Take(15))
        {
            output.WriteLine($"  {kv.Value,8}  {kv.Key}");
        }

        FuzzReport.Write("dicom", [summary, .. reasons.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Value,8}  {kv.Key}")]);

        Assert.True(iterations > 0);
        Assert.True(decoded > 0, "no mutated file decoded: the mutations are too destructive to exercise the decoder");
        Assert.True(refused > 0, "no mutated file was refused: the mutations do not reach the checks");
    }

    /// <summary>Unmutated seeds: every file pydicom decodes is decoded, the others refused, nothing else.</summary>
    [Fact]
    public void SeedsThemselvesPassTheGuard()
    {
        var decodable = ((IEnumerable<object[]>)DicomReaderTests.DecodedFiles()).Select(r => (string)r[0]).ToHashSet();
        Assert.True(SeedNames.Value.Length >= 30);
        for (int i = 0; i < Seeds.Value.Length; i++)
        {
            string name = Path.GetFileName(SeedNames.Value[i]);
            var outcome = RunGuarded(Seeds.Value[i]);
            Assert.True(decodable.Contains(name) == (outcome is null), $"{name}: {outcome?.Reason ?? "decoded"}");
        }
    }

    /// <summary>Parses and decodes on a worker thread; returns null (decoded) or the ImageDecodeException; throws for anything else.</summary>
    internal static ImageDecodeException? RunGuarded(byte[] input)
    {
        Exception? failure = null;
        ImageDecodeException? refusal = null;
        long allocated = 0;
        var worker = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var image = DicomReader.Decode(DicomReader.Parse(input, "fuzz", FuzzOptions), FuzzOptions);
                _ = image.Modality;
                _ = image.Header.DisplayFields();
            }
            catch (ImageDecodeException e)
            {
                refusal = e;
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
            throw new TimeoutException($"a parse of {input.Length} bytes did not finish in {HangSeconds} s (hang)");
        }

        if (failure is not null)
        {
            throw new InvalidOperationException($"the reader threw {failure.GetType().Name} instead of ImageDecodeException: {failure.Message}", failure);
        }

        if (allocated > AllocationBound(input.Length))
        {
            throw new InvalidOperationException($"a parse of {input.Length} bytes allocated {allocated} bytes (bound {AllocationBound(input.Length)})");
        }

        return refusal;
    }

    private static string Classify(ImageDecodeException e)
    {
        string r = e.Reason;
        int cut = r.IndexOfAny(['(', ':', '\'']);
        r = cut > 8 ? r[..cut] : r;
        return new string(r.Select(ch => char.IsDigit(ch) ? '#' : ch).ToArray()).Trim();
    }

    /// <summary>Applies <paramref name="count"/> mutations driven by the generated integers.</summary>
    internal static byte[] Mutate(int seedIndex, int[] knobs, int count)
    {
        var data = new List<byte>(Seeds.Value[seedIndex]);
        int[] fields = LengthFields.Value[seedIndex];
        int k = 0;
        int Next() => knobs[k++ % knobs.Length] & int.MaxValue;
        for (int m = 0; m < count && data.Count > 0; m++)
        {
            int kind = Next() % 8;
            int pos = Next() % data.Count;
            switch (kind)
            {
                case 0: // bit flip
                    data[pos] ^= (byte)(1 << (Next() % 8));
                    break;
                case 1: // byte change
                    data[pos] = (byte)Next();
                    break;
                case 2: // a length field to an edge value
                case 3:
                    if (fields.Length > 0)
                    {
                        int f = fields[Next() % fields.Length];
                        bool isShort = f < 0;
                        f = Math.Abs(f);
                        uint[] edges = [0, 1, 2, 3, 0xFFFF, 0xFFFE, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, (uint)data.Count, (uint)Next()];
                        uint v = edges[Next() % edges.Length];
                        if (isShort && f + 2 <= data.Count)
                        {
                            data[f] = (byte)v;
                            data[f + 1] = (byte)(v >> 8);
                        }
                        else if (f + 4 <= data.Count)
                        {
                            for (int b = 0; b < 4; b++)
                            {
                                data[f + b] = (byte)(v >> (8 * b));
                            }
                        }
                    }

                    break;
                case 4: // truncation
                    data.RemoveRange(pos, data.Count - pos);
                    break;
                case 5: // insertion of random bytes
                    int n = 1 + (Next() % 16);
                    data.InsertRange(pos, Enumerable.Range(0, n).Select(_ => (byte)Next()));
                    break;
                case 6: // deletion
                    data.RemoveRange(pos, Math.Min(1 + (Next() % 64), data.Count - pos));
                    break;
                default: // duplicate a chunk (repeats headers, items)
                    int len = Math.Min(1 + (Next() % 256), data.Count - pos);
                    data.InsertRange(pos, data.GetRange(pos, len));
                    break;
            }
        }

        return [.. data];
    }

    /// <summary>Offsets of explicit-VR length fields (negative: 16-bit), and of 32-bit lengths after items/delimiters.</summary>
    private static int[] FindLengthFields(byte[] d)
    {
        var result = new List<int>();
        string[] longVrs = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"];
        for (int i = 0; i + 12 <= d.Length; i += 2)
        {
            if (d[i] == 0xFE && d[i + 1] == 0xFF && (d[i + 3] == 0xE0))
            {
                result.Add(i + 4);
                continue;
            }

            if (d[i + 4] is >= (byte)'A' and <= (byte)'Z' && d[i + 5] is >= (byte)'A' and <= (byte)'Z' && (d[i] & 1) == 0 && d[i + 1] == 0)
            {
                string vr = $"{(char)d[i + 4]}{(char)d[i + 5]}";
                result.Add(longVrs.Contains(vr) ? i + 8 : -(i + 6));
            }
        }

        return [.. result];
    }
}

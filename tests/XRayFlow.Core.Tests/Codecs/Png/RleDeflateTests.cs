using System.IO.Compression;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Tests.TestSupport;

using ImageArrayAlias = XRayFlow.Core.Imaging.ImageArray;

namespace XRayFlow.Core.Tests.Codecs.Png;

/// <summary>RleDeflate writes zlib-ng's level-1 run-length stream byte for byte (or declines where zlib-ng would store a block).</summary>
public class RleDeflateTests
{
    public static IEnumerable<object[]> Cases()
    {
        var rng = new Random(1616);
        foreach (int n in new[] { 1, 2, 3, 4, 5, 7, 64, 257, 258, 259, 260, 1000, 16383, 16384, 16385, 40000, 100_000 })
        {
            yield return ["zeros", n];
            yield return ["noise4", n];
            yield return ["runs", n];
        }

        yield return ["ramp", 300_000];
        yield return ["sparse", 200_000];
        yield return ["longruns", 5_000_000];
    }

    private static byte[] Data(string kind, int n, int seed)
    {
        var rng = new Random(seed);
        var d = new byte[n];
        switch (kind)
        {
            case "zeros":
                break;
            case "noise4":
                for (int i = 0; i < n; i++)
                {
                    d[i] = (byte)(rng.Next(4) == 0 ? rng.Next(256) : rng.Next(3));
                }

                break;
            case "runs":
                for (int i = 0; i < n;)
                {
                    byte v = (byte)rng.Next(6);
                    int len = rng.Next(1, rng.Next(2) == 0 ? 5 : 400);
                    for (int k = 0; k < len && i < n; k++)
                    {
                        d[i++] = v;
                    }
                }

                break;
            case "ramp":
                for (int i = 0; i < n; i++)
                {
                    d[i] = (byte)((i / 7) + (rng.Next(8) == 0 ? 1 : 0));
                }

                break;
            case "sparse":
                for (int i = 0; i < n; i++)
                {
                    d[i] = rng.Next(50) == 0 ? (byte)rng.Next(256) : (byte)0;
                }

                break;
            default:
                for (int i = 0; i < n;)
                {
                    byte v = (byte)rng.Next(256);
                    int len = rng.Next(1, 3000);
                    for (int k = 0; k < len && i < n; k++)
                    {
                        d[i++] = v;
                    }
                }

                break;
        }

        return d;
    }

    private static byte[] Zlib(byte[] data, int chunk)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, new ZLibCompressionOptions { CompressionLevel = 1, CompressionStrategy = ZLibCompressionStrategy.RunLengthEncoding }, leaveOpen: true))
        {
            for (int i = 0; i < data.Length; i += chunk)
            {
                z.Write(data, i, Math.Min(chunk, data.Length - i));
            }
        }

        return ms.ToArray();
    }

    [Fact]
    public void Adler32IsTheDefinitionForEveryLength0To300AndLongRuns()
    {
        var rng = new Random(32);
        foreach (int n in Enumerable.Range(0, 301).Concat([5503, 5504, 5505, 5552, 5553, 100_000, 1 << 20]))
        {
            var d = new byte[n];
            rng.NextBytes(d);
            if (n % 3 == 0)
            {
                Array.Fill(d, (byte)255); // the largest sums
            }

            ulong a = 1, b = 0;
            foreach (byte x in d)
            {
                a = (a + x) % 65521;
                b = (b + a) % 65521;
            }

            Assert.Equal((uint)((b << 16) | a), RleDeflate.Adler32(d));
        }
    }

    /// <summary>Whole PNG files at level 1: RleDeflate (or, where it declines, zlib-ng row by row) against zlib-ng alone, byte for byte.</summary>
    [Theory]
    [InlineData("xray", 8)]
    [InlineData("xray", 16)]
    [InlineData("noise", 8)]
    [InlineData("noise", 16)]
    [InlineData("rgb", 8)]
    [InlineData("1x1", 8)]
    [InlineData("1x5000", 8)]
    [InlineData("5000x1", 16)]
    [InlineData("halfnoise", 8)]
    public void APngAtLevelOneHasTheBytesZlibNgAloneGivesIt(string kind, int bits)
    {
        var rng = new Random(kind.Length * bits);
        var xray = ImageReader.Read(PictureFixtures.Sample("00000011_002.png"), ImageReadOptions.Default);
        float scale = bits == 16 ? 257f : 1f;
        var image = kind switch
        {
            "noise" => Image(300, 200, _ => rng.Next(256) * scale), // zlib-ng stores its blocks: RleDeflate declines
            "halfnoise" => Image(400, 300, k => k < 60_000 ? rng.Next(256) : (k / 300) % 7), // stored blocks, then coded ones
            "1x1" => Image(1, 1, _ => 200),
            "1x5000" => Image(1, 5000, k => (k / 40) % 256),
            "5000x1" => Image(5000, 1, k => ((k / 9) % 256) * scale),
            _ => Image(xray.Rows, xray.Cols, k => xray.Data[k] * scale),
        };
        var rgb = new byte[3 * xray.Data.Length];
        for (int k = 0; k < xray.Data.Length; k++)
        {
            (rgb[3 * k], rgb[(3 * k) + 1], rgb[(3 * k) + 2]) = ((byte)xray.Data[k], (byte)(k % 251), (byte)(xray.Data[k] / 3));
        }

        byte[] Encode(bool zlibOnly)
        {
            var settings = new PngWriter.Settings(1, ZlibOnly: zlibOnly);
            using var file = kind == "rgb" ? PngWriter.EncodeRgb(rgb, xray.Cols, xray.Rows, settings) : PngWriter.Encode(image, bits, settings);
            return file.ToArray();
        }

        var fast = Encode(zlibOnly: false);
        var zlib = Encode(zlibOnly: true);
        Assert.True(zlib.AsSpan().SequenceEqual(fast), $"{kind} {bits}-bit: {fast.Length} bytes against zlib-ng's {zlib.Length}, first difference at {zlib.AsSpan().CommonPrefixLength(fast)}");
        if (kind != "rgb")
        {
            Assert.Equal(image.Data, ImageReader.Read(new MemoryStream(fast), "fast.png").Data);
        }

        static ImageArrayAlias Image(int rows, int cols, Func<int, float> value) => new(rows, cols, Enumerable.Range(0, rows * cols).Select(value).ToArray());
    }

    /// <summary>Random mixtures (noise, runs of every length, ramps, sparse bytes, repeated stretches), random sizes: RleDeflate writes zlib-ng's stream or declines where zlib-ng stores a block.</summary>
    [Theory]
    [InlineData(1, 150)]
    [InlineData(2, 150)]
    public void RandomMixturesGiveZlibNgsStream(int seed, int cases)
    {
        var rng = new Random(seed * 7919);
        int declined = 0;
        for (int c = 0; c < cases; c++)
        {
            int n = rng.Next(4) == 0 ? rng.Next(1, 300) : rng.Next(1, 120_000);
            var d = new byte[n];
            for (int i = 0; i < n;)
            {
                int len = Math.Min(n - i, rng.Next(1, rng.Next(3) == 0 ? 2000 : 60));
                switch (rng.Next(5))
                {
                    case 0: // noise
                        rng.NextBytes(d.AsSpan(i, len));
                        break;
                    case 1: // one value
                        d.AsSpan(i, len).Fill((byte)rng.Next(256));
                        break;
                    case 2: // small values
                        for (int k = 0; k < len; k++)
                        {
                            d[i + k] = (byte)rng.Next(3);
                        }

                        break;
                    case 3: // a ramp
                        for (int k = 0; k < len; k++)
                        {
                            d[i + k] = (byte)(k / (1 + (len % 5)));
                        }

                        break;
                    default: // a copy of an earlier stretch
                        if (i > len)
                        {
                            d.AsSpan(rng.Next(i - len), len).CopyTo(d.AsSpan(i));
                        }

                        break;
                }

                i += len;
            }

            var expected = Zlib(d, 1025);
            var output = new byte[RleDeflate.MaxOutput(n)];
            int written = RleDeflate.TryCompress(d, output);
            if (written < 0)
            {
                declined++;
                continue;
            }

            Assert.True(expected.AsSpan().SequenceEqual(output.AsSpan(0, written)), $"seed {seed}, case {c}, {n} bytes: first difference at {expected.AsSpan().CommonPrefixLength(output.AsSpan(0, written))}");
        }

        Assert.InRange(declined, 0, cases / 2); // most mixtures are coded, so the comparison above is what ran
    }

    [Fact]
    public void DataThatZlibNgWouldStoreIsDeclined()
    {
        var d = new byte[50_000];
        new Random(7).NextBytes(d);
        Assert.Equal(-1, RleDeflate.TryCompress(d, new byte[RleDeflate.MaxOutput(d.Length)]));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheStreamIsZlibNgsByteForByte(string kind, int n)
    {
        var data = Data(kind, n, n + kind.Length);
        var expected = Zlib(data, 1025);
        Assert.Equal(expected, Zlib(data, 1 << 20)); // zlib-ng's own output does not depend on how the input arrives
        var output = new byte[RleDeflate.MaxOutput(n)];
        int written = RleDeflate.TryCompress(data, output);
        Assert.True(written > 0, $"{kind} {n}: declined");
        Assert.True(expected.AsSpan().SequenceEqual(output.AsSpan(0, written)), $"{kind} {n}: {written} bytes against zlib-ng's {expected.Length}, first difference at {expected.AsSpan().CommonPrefixLength(output.AsSpan(0, written))}");
    }
}

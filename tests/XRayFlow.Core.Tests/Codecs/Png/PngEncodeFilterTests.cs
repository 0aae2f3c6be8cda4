using System.IO.Compression;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Tests.TestSupport;

namespace XRayFlow.Core.Tests.Codecs.Png;

/// <summary>The encoder's SIMD paths (filters, sum of magnitudes, float -> byte) against their scalar meaning; levels and filter choice (issue 16).</summary>
public class PngEncodeFilterTests
{
    [Fact]
    public void EveryFilterEqualsTheScalarMeaningForEveryLength1To80AndBpp1To3()
    {
        var rng = new Random(16);
        for (int bpp = 1; bpp <= 3; bpp++)
        {
            for (int n = 1; n <= 80; n++)
            {
                var raw = new byte[n];
                var prior = new byte[n];
                rng.NextBytes(raw);
                rng.NextBytes(prior);
                if (n % 5 == 0)
                {
                    Array.Fill(prior, (byte)255); // the extremes: a + b - 2c at its bounds
                    Array.Fill(raw, (byte)0, 0, n / 2);
                }

                for (byte f = 0; f <= 4; f++)
                {
                    var expected = new byte[n];
                    var actual = new byte[n];
                    PngEncodeFilters.FilterScalar(f, raw, prior, expected, bpp);
                    PngEncodeFilters.Filter(f, raw, prior, actual, bpp);
                    Assert.True(expected.AsSpan().SequenceEqual(actual), $"filter {f}, bpp {bpp}, length {n}");

                    // And the decoder's undo gives the row back.
                    PngFilters.UnfilterScalar(f, actual, prior, bpp);
                    Assert.True(raw.AsSpan().SequenceEqual(actual), $"filter {f} undone, bpp {bpp}, length {n}");
                }
            }
        }
    }

    [Fact]
    public void SumOfMagnitudesReadsBytesAsSignedForEveryLength1To300()
    {
        var rng = new Random(3);
        for (int n = 1; n <= 300; n++)
        {
            var row = new byte[n];
            rng.NextBytes(row);
            row[0] = 128; // |-128| = 128
            ulong expected = 0;
            foreach (byte b in row)
            {
                expected += (ulong)Math.Abs((int)(sbyte)b);
            }

            Assert.Equal(expected, PngEncodeFilters.SumAbs(row));
        }

        Assert.Equal(128UL * 5000, PngEncodeFilters.SumAbs(Enumerable.Repeat((byte)128, 5000).ToArray())); // past a 16-bit lane's flush
    }

    [Fact]
    public void AdaptiveChoiceTakesTheFilterOfLeastSumAndTiesGoToTheLowerNumber()
    {
        var prior = new byte[32];
        var line = new byte[33];
        var scratch = new byte[32];

        // A row equal to the one above: Up gives all zeros (sum 0); None, Sub, Average do not.
        var raw = Enumerable.Range(0, 32).Select(i => (byte)(i * 7)).ToArray();
        PngEncodeFilters.Choose(PngEncodeFilters.Choice.Adaptive, raw, raw, line, scratch, 1);
        Assert.Equal(2, line[0]);

        // A ramp under a zero row: Sub gives 0,7,7,... (least); Paeth predicts a there too and ties with Sub: Sub wins.
        PngEncodeFilters.Choose(PngEncodeFilters.Choice.Adaptive, raw, prior, line, scratch, 1);
        Assert.Equal(1, line[0]);
        var sub = new byte[32];
        PngEncodeFilters.FilterScalar(1, raw, prior, sub, 1);
        Assert.True(sub.AsSpan().SequenceEqual(line.AsSpan(1)));

        // All zeros: every filter sums to 0; None (0) wins.
        PngEncodeFilters.Choose(PngEncodeFilters.Choice.Adaptive, prior, prior, line, scratch, 1);
        Assert.Equal(0, line[0]);
    }

    [Fact]
    public void TheOnePassChoiceEqualsFilteringEachCandidateAndSummingItForEveryLength1To200AndBpp1To8()
    {
        var rng = new Random(1604);
        for (int bpp = 1; bpp <= 8; bpp++)
        {
            for (int n = 1; n <= 200; n++)
            {
                for (int kind = 0; kind < 4; kind++)
                {
                    var raw = new byte[n];
                    var prior = new byte[n];
                    switch (kind)
                    {
                        case 0: // random bytes: every predictor branch, sums in every order
                            rng.NextBytes(raw);
                            rng.NextBytes(prior);
                            break;
                        case 1: // the extremes: a + b - 2c at its bounds, where the byte-domain pc saturates
                            for (int x = 0; x < n; x++)
                            {
                                raw[x] = rng.Next(2) == 0 ? (byte)0 : (byte)255;
                                prior[x] = rng.Next(3) == 0 ? (byte)0 : (byte)255;
                            }

                            break;
                        case 2: // small differences from a smooth ramp: the sums close, ties frequent
                            for (int x = 0; x < n; x++)
                            {
                                prior[x] = (byte)((x * 3) + rng.Next(3));
                                raw[x] = (byte)(prior[x] + rng.Next(-2, 3));
                            }

                            break;
                        default: // equal rows and constant rows: all-zero sums, ties to the lower number
                            Array.Fill(raw, (byte)(n % 7));
                            Array.Copy(raw, prior, n);
                            break;
                    }

                    var expected = new ulong[5];
                    var candidate = new byte[n];
                    for (byte f = 0; f <= 4; f++)
                    {
                        PngEncodeFilters.FilterScalar(f, raw, prior, candidate, bpp);
                        expected[f] = PngEncodeFilters.SumAbs(candidate);
                    }

                    int least = Array.IndexOf(expected, expected.Min());
                    Assert.True(least == PngEncodeFilters.LeastSumFilter(raw, prior, bpp), $"bpp {bpp}, length {n}, kind {kind}: sums {string.Join(", ", expected)}");

                    // And the row Choose writes is that filter's.
                    var line = new byte[n + 1];
                    PngEncodeFilters.Choose(PngEncodeFilters.Choice.Adaptive, raw, prior, line, new byte[n], bpp);
                    PngEncodeFilters.FilterScalar((byte)least, raw, prior, candidate, bpp);
                    Assert.Equal(least, line[0]);
                    Assert.True(candidate.AsSpan().SequenceEqual(line.AsSpan(1)), $"bpp {bpp}, length {n}, kind {kind}: the row written");
                }
            }
        }
    }

    [Fact]
    public void FloatToByteSimdEqualsTheScalarForEveryLength1To80()
    {
        float[] specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, -0.5f, 0.5f, 1.5f, 2.5f, 254.5f, 255.5f, 256f, -1e30f, 1e30f, 127.49999f];
        var rng = new Random(80);
        for (int n = 1; n <= 80; n++)
        {
            var src = new float[n];
            for (int k = 0; k < n; k++)
            {
                src[k] = rng.Next(4) == 0 ? specials[rng.Next(specials.Length)] : (float)((rng.NextDouble() * 300) - 20);
            }

            var dst = new byte[n];
            PngWriter.ToBytes(src, dst);
            for (int k = 0; k < n; k++)
            {
                Assert.True(PngWriter.ToByte(src[k]) == dst[k], $"length {n}, index {k}: {src[k]} -> {dst[k]}, scalar {PngWriter.ToByte(src[k])}");
            }
        }
    }

    [Fact]
    public void EveryLevelDecodesToTheSamePixelsAndLevelZeroStores()
    {
        var rng = new Random(9);
        var img = new ImageArray(33, 47, Enumerable.Range(0, 33 * 47).Select(i => (float)((i % 47 * 3) + rng.Next(0, 4))).ToArray());
        long stored = 0, fast = 0;
        for (int level = 0; level <= PngWriter.MaxCompression; level++)
        {
            foreach (int bits in new[] { 8, 16 })
            {
                var ms = new MemoryStream();
                PngWriter.Write(ms, img, bits, level);
                ms.Position = 0;
                Assert.Equal(img.Data, ImageReader.Read(ms, "level.png").Data);
                using var sharp = SixLabors.ImageSharp.Image.Load<SixLabors.ImageSharp.PixelFormats.L16>(ms.ToArray());
                Assert.Equal(img[32, 46] * (bits == 8 ? 257 : 1), sharp[46, 32].PackedValue);
                if (bits == 8 && level == 0)
                {
                    stored = ms.Length;
                }
                else if (bits == 8 && level == 1)
                {
                    fast = ms.Length;
                }
            }
        }

        Assert.True(stored > 33 * 48, $"level 0 stores every byte ({stored})");
        Assert.True(fast < stored / 2, $"level 1 compresses ({fast} vs {stored})");
    }

    /// <summary>
    /// The bytes of whole files, pinned: a sample X-ray (mostly Paeth and Average rows once filtered) and its
    /// gradient-like difference image, grey 8 and 16 bit and RGB, at the default level and a full-search level.
    /// The digests were computed by the encoder before the one-pass filter choice and the pooled file buffer
    /// (c06b0e1) and again after them: users pin PNG outputs by `sha256:` in their recipes' tests, so a change to
    /// the encoder that changes a byte must be deliberate (and said in the README), never a side effect.
    /// </summary>
    [Theory]
    [InlineData("grey8", 1, "7777ab3f090ee12b3b944429efd2eee5146eb6de4faf8ca5d8baf754cde3465b")]
    [InlineData("grey8", 6, "bb7f5063d6424e48202fcd0a0b5fa58637ad43ed964764f061feaf958a9e6152")]
    [InlineData("grey16", 1, "9f1151733be051f4f3ee7c415357bf5abee651f0bfba6efc90ea6a61db712076")]
    [InlineData("edges8", 1, "91358d417915e73aa0cef68ad301d8d314a7d2c909acdb26917bcfaddc5f6be1")]
    [InlineData("rgb", 1, "c900d16afe5ad1d8f6d5aec162a7dba8ac42d0426a0993c1c62cf001fa53d7ed")]
    public void TheEncodersBytesForASampleXrayAreTheOnesPinned(string kind, int level, string sha256)
    {
        var xray = ImageReader.Read(PictureFixtures.Sample("00000011_001.png"), ImageReadOptions.Default);
        var ms = new MemoryStream();
        switch (kind)
        {
            case "grey8":
                PngWriter.Write(ms, xray, 8, level);
                break;
            case "grey16":
                PngWriter.Write(ms, new ImageArray(xray.Rows, xray.Cols, xray.Data.Select(v => v * 257f).ToArray()), 16, level);
                break;
            case "edges8":
                // |x[i, j + 1] - x[i, j]| * 4: the noisy, edge-like values a Sobel output has.
                var e = new float[xray.Data.Length];
                for (int k = 0; k < e.Length; k++)
                {
                    e[k] = (k + 1) % xray.Cols == 0 ? 0f : Math.Abs(xray.Data[k + 1] - xray.Data[k]) * 4f;
                }

                PngWriter.Write(ms, new ImageArray(xray.Rows, xray.Cols, e), 8, level);
                break;
            default:
                var rgb = new byte[3 * xray.Data.Length];
                for (int k = 0; k < xray.Data.Length; k++)
                {
                    byte v = (byte)xray.Data[k];
                    (rgb[3 * k], rgb[(3 * k) + 1], rgb[(3 * k) + 2]) = (v, (byte)(255 - v), (byte)(v / 2));
                }

                PngWriter.WriteRgb(ms, rgb, xray.Cols, xray.Rows, level);
                break;
        }

        Assert.Equal(sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(ms.ToArray())));
    }

    [Fact]
    public void LevelOneIsRunLengthAndTheOthersTheFullSearch()
    {
        // Every level, not a sample of them: a mutant giving level 2 the run-length strategy passed the sampled asserts.
        for (int level = 0; level <= PngWriter.MaxCompression; level++)
        {
            var settings = new PngWriter.Settings(level);
            Assert.Equal(level == 1 ? ZLibCompressionStrategy.RunLengthEncoding : ZLibCompressionStrategy.Default, settings.ZStrategy);
            Assert.Equal(level == 0 ? PngEncodeFilters.Choice.None : PngEncodeFilters.Choice.Adaptive, settings.Choice);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10)]
    public void RefusesLevelsOutside0To9(int level)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PngWriter.Write(new MemoryStream(), new ImageArray(2, 2), 8, level));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngWriter.WriteRgb(new MemoryStream(), new byte[12], 2, 2, level));
    }
}

using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>Integer images through a table (ExposureCurves.Map, rescale_intensity in parts): gathers give the scalar rule's values.</summary>
public class TableMapTests
{
    [Fact]
    public void GathersGiveTheTablesValuesForEveryLength()
    {
        var random = new Random(4);
        foreach (int size in new[] { 256, 65536 })
        {
            var table = Enumerable.Range(0, size).Select(v => (float)Math.Sqrt(v * 3.0)).ToArray();
            for (int n = 0; n <= 40; n++)
            {
                var src = Enumerable.Range(0, n).Select(_ => (float)random.Next(size)).ToArray();
                var dst = new float[n];
                ExposureCurves.Map(src, dst, table);
                Assert.Equal(src.Select(v => table[(int)v]), dst);
            }
        }

        // Tables of other lengths (a 16-bit image's, up to its largest value) take 64 values a step, two entries a
        // 64-bit move: every length 1..200 (steps, the 8-wide tail, the scalar tail), random bit patterns (NaN, -0
        // and infinities among them) moved bit for bit, the table's last entry at every lane; a value past the
        // table or negative anywhere throws, NaN takes the scalar rule.
        foreach (int size in new[] { 1, 2, 257, 4096, 65536 })
        {
            var table = Enumerable.Range(0, size).Select(_ => BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue))).ToArray();
            table[0] = float.NaN;
            static int[] Bits(IEnumerable<float> v) => [.. v.Select(BitConverter.SingleToInt32Bits)];
            for (int n = 1; n <= 200; n++)
            {
                var src = Enumerable.Range(0, n).Select(i => (float)(i % 7 == 3 ? size - 1 : random.Next(size))).ToArray();
                var dst = new float[n];
                ExposureCurves.Map(src, dst, table);
                Assert.Equal(Bits(src.Select(v => table[(int)v])), Bits(dst));
                foreach (float bad in new[] { size, size + 1e6f, -1f })
                {
                    var wrong = (float[])src.Clone();
                    wrong[random.Next(n)] = bad;
                    Assert.Throws<IndexOutOfRangeException>(() => ExposureCurves.Map(wrong, new float[n], table));
                }

                var withNan = (float[])src.Clone();
                withNan[random.Next(n)] = float.NaN;
                ExposureCurves.Map(withNan, dst, table);
                Assert.Equal(Bits(withNan.Select(v => table[(int)v])), Bits(dst));
            }
        }

        // A value outside the table fails as the array access does, wherever it sits.
        Assert.Throws<IndexOutOfRangeException>(() => ExposureCurves.Map([.. Enumerable.Repeat(1f, 9), 256f, 2f], new float[11], new float[256]));
        Assert.Throws<IndexOutOfRangeException>(() => ExposureCurves.Map([.. Enumerable.Repeat(1f, 3), -1f], new float[4], new float[256]));
    }

    [Fact]
    public void MapStaysInsideItsSpans()
    {
        // Spans cut from longer arrays whose values past the end are all in the table: a loop that read its next block
        // beyond the source would find them valid and write them beyond the destination. Every length 1..300 and
        // every table kind (256 entries by permutes, others 64 a step), the destination's tail a sentinel.
        var random = new Random(12);
        foreach (int size in new[] { 256, 300, 4096 })
        {
            var table = Enumerable.Range(0, size).Select(v => v + 0.5f).ToArray();
            for (int n = 1; n <= 300; n++)
            {
                var all = Enumerable.Range(0, n + 200).Select(_ => (float)random.Next(size)).ToArray();
                var outAll = Enumerable.Repeat(-7f, n + 200).ToArray();
                ExposureCurves.Map(all.AsSpan(0, n), outAll.AsSpan(0, n), table);
                Assert.Equal(all.Take(n).Select(v => table[(int)v]), outAll.Take(n));
                Assert.All(outAll.Skip(n), v => Assert.Equal(-7f, v));
            }
        }
    }

    [Fact]
    public void A256EntryTableByPermutesGivesTheTablesBits()
    {
        // Every index 0..255 at every lane (shifted runs), lengths 1..100, a table with NaN, infinities and -0 among
        // random bit patterns: the permute path gives table[i] bit for bit; a bad value anywhere still throws.
        var random = new Random(12);
        var table = Enumerable.Range(0, 256).Select(_ => BitConverter.Int32BitsToSingle(random.Next())).ToArray();
        table[3] = float.NaN;
        table[31] = -0f;
        table[32] = float.PositiveInfinity;
        table[255] = float.NegativeInfinity;
        for (int shift = 0; shift < 17; shift++)
        {
            var src = Enumerable.Range(0, 256 + 17).Select(v => (float)((v + shift) % 256)).ToArray();
            var dst = new float[src.Length];
            ExposureCurves.Map(src, dst, table);
            Assert.Equal(src.Select(v => BitConverter.SingleToInt32Bits(table[(int)v])), dst.Select(BitConverter.SingleToInt32Bits));
        }

        for (int n = 1; n <= 100; n++)
        {
            var src = Enumerable.Range(0, n).Select(_ => (float)random.Next(256)).ToArray();
            var dst = new float[n];
            ExposureCurves.Map(src, dst, table);
            Assert.Equal(src.Select(v => BitConverter.SingleToInt32Bits(table[(int)v])), dst.Select(BitConverter.SingleToInt32Bits));
            foreach (float bad in new[] { 256f, -1f })
            {
                var wrong = (float[])src.Clone();
                wrong[random.Next(n)] = bad;
                Assert.Throws<IndexOutOfRangeException>(() => ExposureCurves.Map(wrong, new float[n], table));
            }

            // NaN takes the scalar rule, whatever it is ((int)NaN is 0 in .NET 9+): the same as one value at a time.
            var withNan = (float[])src.Clone();
            withNan[random.Next(n)] = float.NaN;
            var got = new float[n];
            ExposureCurves.Map(withNan, got, table);
            Assert.Equal(withNan.Select(v => BitConverter.SingleToInt32Bits(table[(int)v])), got.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Theory]
    [InlineData(SkimageDtype.UInt8)]
    [InlineData(SkimageDtype.Float32)]
    public void RescaleInPartsGivesOneThreadsBits(SkimageDtype dtype)
    {
        var random = new Random(6);
        var src = Enumerable.Range(0, 300_001).Select(_ => dtype == SkimageDtype.UInt8 ? random.Next(256) : (float)(random.NextDouble() * 300)).ToArray();
        var one = new float[src.Length];
        var three = new float[src.Length];
        var type = dtype == SkimageDtype.UInt8 ? IntensityRescale.OutType.UInt8 : IntensityRescale.OutType.Float;
        IntensityRescale.Apply(src, one, dtype, 20, 230, 0, 255, type, threads: 1);
        IntensityRescale.Apply(src, three, dtype, 20, 230, 0, 255, type, threads: 3);
        Assert.Equal(one, three);
        IntensityRescale.Apply(src.AsSpan(), three.AsSpan(), dtype, 20, 230, 0, 255, type);
        Assert.Equal(one, three);
        Assert.Contains(one, v => v > 0 && v < 255);
    }

    [Fact]
    public void SixteenBitTablesStopAtTheImagesLargestValue()
    {
        // A 16-bit image's table holds entries 0 .. its largest value (a 12-bit X-ray: 4,096), made in blocks on
        // several threads: each entry is the full 65,536-entry table's, bit for bit; an 8-bit image keeps 256.
        var twelveBit = new float[] { 0, 17, 4095, 2048, 3 };
        int length = ExposureCurves.TableLength(twelveBit, SkimageDtype.UInt16, threads: 2);
        Assert.Equal(4096, length);
        Assert.Equal(256, ExposureCurves.TableLength([0f, 3f], SkimageDtype.UInt8, threads: 1));
        Assert.Equal(1, ExposureCurves.TableLength([], SkimageDtype.UInt16, threads: 1));
        static int[] Bits(IEnumerable<float> v) => [.. v.Select(BitConverter.SingleToInt32Bits)];
        foreach (int threads in new[] { 1, 3 })
        {
            var gamma = ExposureCurves.GammaTable(SkimageDtype.UInt16, 0.45, 1.3, length, threads);
            Assert.Equal(Bits(ExposureCurves.GammaTable(SkimageDtype.UInt16, 0.45, 1.3).Take(length)), Bits(gamma));
            foreach (bool inv in new[] { false, true })
            {
                var log = ExposureCurves.LogTable(SkimageDtype.UInt16, 0.8, inv, length, threads);
                Assert.Equal(Bits(ExposureCurves.LogTable(SkimageDtype.UInt16, 0.8, inv).Take(length)), Bits(log));
            }
        }

        // rescale_intensity of a 12-bit image through its short table: each value as the rule computes it in float64.
        var random = new Random(8);
        var src = Enumerable.Range(0, 100_003).Select(_ => (float)random.Next(4096)).ToArray();
        src[5] = 4095;
        var dst = new float[src.Length];
        IntensityRescale.Apply(src, dst, SkimageDtype.UInt16, 100, 4000, 0, 65535, IntensityRescale.OutType.Float, threads: 2);
        Assert.Equal(Bits(src.Select(v => (float)((Math.Clamp(v, 100.0, 4000.0) - 100) / 3900 * 65535))), Bits(dst));
    }
}

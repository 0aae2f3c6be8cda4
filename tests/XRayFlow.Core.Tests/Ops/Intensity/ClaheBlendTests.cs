using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>
/// equalize_adapthist's blend (step 5): both vector paths (quads of the four maps per block and bin, and gathers
/// from the maps) give the scalar rule's bits, on 8-bit, 16-bit and float images, odd widths and region sizes.
/// </summary>
public class ClaheBlendTests
{
    [Theory]
    [InlineData(SkimageDtype.UInt8, 256)]
    [InlineData(SkimageDtype.UInt8, 64)]
    [InlineData(SkimageDtype.UInt16, 256)]
    [InlineData(SkimageDtype.Float32, 100)]
    public void VectorBlendGivesTheScalarBits(SkimageDtype dtype, int nbins)
    {
        var random = new Random(23 + nbins);
        foreach (var (rows, cols, k0, k1) in new[] { (64, 64, 8, 8), (37, 53, 5, 7), (20, 9, 3, 4), (1, 40, 1, 6), (45, 131, 45, 131), (130, 257, 16, 16), (9, 8, 2, 1), (200, 300, 4, 4), (300, 300, 4, 4) }) // 200 x 300: a quad table built in parallel; 300 x 300: too many regions for quads
        {
            var x = new float[rows * cols];
            for (int k = 0; k < x.Length; k++)
            {
                x[k] = dtype switch
                {
                    SkimageDtype.UInt8 => random.Next(256),
                    SkimageDtype.UInt16 => random.Next(4096) * 16,
                    _ => (float)((random.NextDouble() * 3) - 1),
                };
            }

            foreach (double clip in new[] { 0.01, 0.0, 0.5 })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    var scalar = new float[x.Length];
                    Clahe.Apply(x, rows, cols, scalar, dtype, k0, k1, clip, nbins, threads, Clahe.BlendPath.Scalar);
                    foreach (var path in new[] { Clahe.BlendPath.Gathers, Clahe.BlendPath.Quads })
                    {
                        var vector = new float[x.Length];
                        Clahe.Apply(x, rows, cols, vector, dtype, k0, k1, clip, nbins, threads, path);
                        for (int k = 0; k < x.Length; k++)
                        {
                            Assert.True(BitConverter.SingleToInt32Bits(scalar[k]) == BitConverter.SingleToInt32Bits(vector[k]),
                                $"{path}: {dtype} {rows}x{cols} kernel {k0}x{k1} clip {clip} threads {threads}: pixel {k}: {vector[k]} vs {scalar[k]}");
                        }
                    }

                    Assert.Contains(scalar, v => v > 0 && v < 1);
                }
            }
        }
    }

    [Fact]
    public void FinishGivesBothRulesBits()
    {
        // Step 6's rules, float64 (integer images) and float32 (float images), for every r in [rmin, rmax] of ranges
        // across the 16-bit span (the widest, the narrowest, random ones), on lengths that leave vector tails and on
        // 1 and 3 threads: the one float32 division gives both bit for bit; a constant r gives min(r, 1).
        var random = new Random(61);
        var ranges = new List<(int, int)> { (0, 16383), (0, 65535), (0, 1), (16382, 16383), (1, 3), (100, 16383), (5, 6) };
        for (int k = 0; k < 40; k++)
        {
            int a = random.Next(65536), b = random.Next(65536);
            ranges.Add((Math.Min(a, b), Math.Max(a, b) == Math.Min(a, b) ? Math.Min(a, b) + 1 : Math.Max(a, b)));
        }

        foreach (var (rmin, rmax) in ranges)
        {
            var r = Enumerable.Range(rmin, rmax - rmin + 1).Select(v => (ushort)v).Concat(Enumerable.Range(0, 7).Select(_ => (ushort)random.Next(rmin, rmax + 1))).ToArray();
            foreach (int threads in new[] { 1, 3 })
            {
                var got = new float[r.Length];
                Clahe.Finish(r, got, rmin, rmax, threads);
                for (int k = 0; k < r.Length; k++)
                {
                    int v = r[k];
                    float wide = (float)((v - (double)rmin) / (rmax - (double)rmin));
                    float narrow = (v - (float)rmin) / (float)(rmax - rmin);
                    Assert.True(BitConverter.SingleToInt32Bits(wide) == BitConverter.SingleToInt32Bits(got[k]), $"[{rmin}, {rmax}] r {v}: {got[k]} vs float64 rule {wide}");
                    Assert.True(BitConverter.SingleToInt32Bits(narrow) == BitConverter.SingleToInt32Bits(got[k]), $"[{rmin}, {rmax}] r {v}: {got[k]} vs float32 rule {narrow}");
                }
            }
        }

        foreach (int constant in new[] { 0, 1, 7 })
        {
            var got = new float[20];
            Clahe.Finish(Enumerable.Repeat((ushort)constant, 20).ToArray(), got, constant, constant, 2);
            Assert.All(got, v => Assert.Equal(Math.Min(constant, 1f), v));
        }
    }
}

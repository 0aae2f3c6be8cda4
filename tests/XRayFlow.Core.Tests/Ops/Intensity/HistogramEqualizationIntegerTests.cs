using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>
/// equalize_hist's integer path (numpy.bincount's kernel, or a table per part under a mask; 256 levels for uint8) against its
/// scalar meaning, cdf[v] = (count of counted values &lt;= v) / count clamped to the counted range, for every length
/// 1..70, with and without a mask, uint8 and uint16; and the float path's vector interpolation against its scalar one.
/// </summary>
public class HistogramEqualizationIntegerTests
{
    [Theory]
    [InlineData(SkimageDtype.UInt8, 256, false)]
    [InlineData(SkimageDtype.UInt8, 256, true)]
    [InlineData(SkimageDtype.UInt16, 4096, false)]
    [InlineData(SkimageDtype.UInt16, 4096, true)]
    public void EveryLengthGivesTheCdfOfTheCountedValues(SkimageDtype dtype, int levels, bool masked)
    {
        var rng = new Random(23);
        for (int n = 1; n <= 70; n++)
        {
            var src = new float[n];
            var mask = new float[n];
            for (int k = 0; k < n; k++)
            {
                src[k] = rng.Next(4) == 0 ? 7 : rng.Next(levels); // runs of one value, as in X-rays
                mask[k] = rng.Next(3) == 0 ? 0 : 1;
            }

            mask[rng.Next(n)] = 1; // at least one counted pixel
            var counted = Enumerable.Range(0, n).Where(k => !masked || mask[k] != 0).Select(k => src[k]).ToArray();
            float lo = counted.Min(), hi = counted.Max();
            var dst = new float[n];
            HistogramEqualization.Apply(src, masked ? mask : default, dst, dtype, 256, threads: 2);
            for (int k = 0; k < n; k++)
            {
                float v = Math.Clamp(src[k], lo, hi);
                float want = (float)(counted.Count(x => x <= v) / (double)counted.Length);
                Assert.True(want == dst[k], $"{dtype}, n {n}, masked {masked}, pixel {k} ({src[k]}): {dst[k]} vs {want}");
            }
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(7)]
    [InlineData(2)]
    public void TheFloatPathsVectorInterpolationGivesTheScalarBitsForEveryLength(int nbins)
    {
        // numpy.interp 4 values at a time (AVX2 gathers) against value by value: random values, repeats, NaN, the
        // range's ends, and every length 1..70 plus a large frame (parallel parts).
        var rng = new Random(41);
        foreach (int n in Enumerable.Range(1, 70).Append(300_000))
        {
            var src = new float[n];
            for (int k = 0; k < n; k++)
            {
                src[k] = rng.Next(10) switch
                {
                    0 => float.NaN,
                    1 => 3.5f,
                    2 => -2f,
                    3 => 9f,
                    _ => (float)((rng.NextDouble() * 11) - 2),
                };
            }

            if (src.All(float.IsNaN))
            {
                continue; // nothing is counted: refused by both
            }

            // NaN may only be where the mask does not count (numpy.histogram needs a finite range); it maps to NaN.
            var mask = src.Select(v => float.IsNaN(v) ? 0f : 1f).ToArray();
            var vector = new float[n];
            var scalar = new float[n];
            HistogramEqualization.Apply(src, mask, vector, SkimageDtype.Float32, nbins, threads: 2, vectorInterp: true);
            HistogramEqualization.Apply(src, mask, scalar, SkimageDtype.Float32, nbins, threads: 2, vectorInterp: false);
            for (int k = 0; k < n; k++)
            {
                Assert.True(vector[k].Equals(scalar[k]), $"nbins {nbins}, n {n}, value {k} ({src[k]}): {vector[k]} vs {scalar[k]}");
            }
        }
    }

    [Theory]
    [InlineData(256)]
    [InlineData(100)]
    [InlineData(7)]
    [InlineData(1)]
    public void TheFloatPathWithoutAMaskGivesTheCountedPathsBits(int nbins)
    {
        // Without a mask the range is one SIMD pass and the counts the thresholds' vector histogram; with a mask of
        // ones the values go one by one. Random values (wide and narrow ranges, negatives, -0, repeats), a constant
        // image, lengths 1..70 and a large frame on 1 and 3 threads: the same bits; NaN or infinity refused by both.
        var rng = new Random(43 + nbins);
        foreach (int n in Enumerable.Range(1, 70).Append(300_001))
        {
            foreach (int kind in new[] { 0, 1, 2, 3 })
            {
                var src = new float[n];
                for (int k = 0; k < n; k++)
                {
                    src[k] = kind switch
                    {
                        0 => (float)((rng.NextDouble() * 11) - 2),
                        1 => 1000f + (float)(rng.NextDouble() * 1e-3), // a narrow range far from 0
                        2 => 4.25f, // constant
                        _ => rng.Next(4) == 0 ? -0f : rng.Next(50) * 0.5f,
                    };
                }

                var ones = Enumerable.Repeat(1f, n).ToArray();
                foreach (int threads in new[] { 1, 3 })
                {
                    var fast = new float[n];
                    var counted = new float[n];
                    HistogramEqualization.Apply(src, default, fast, SkimageDtype.Float32, nbins, threads);
                    HistogramEqualization.Apply(src, ones, counted, SkimageDtype.Float32, nbins, threads);
                    for (int k = 0; k < n; k++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(fast[k]) == BitConverter.SingleToInt32Bits(counted[k]), $"nbins {nbins}, n {n}, kind {kind}, threads {threads}, value {k} ({src[k]}): {fast[k]} vs {counted[k]}");
                    }
                }

                if (n == 9)
                {
                    foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
                    {
                        var wrong = (float[])src.Clone();
                        wrong[4] = bad;
                        Assert.Throws<ArgumentException>(() => HistogramEqualization.Apply(wrong, default, new float[n], SkimageDtype.Float32, nbins, 2));
                    }
                }
            }
        }
    }
}

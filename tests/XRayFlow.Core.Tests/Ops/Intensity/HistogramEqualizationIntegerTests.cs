using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>
/// equalize_hist's integer path (four interleaved count tables, a tail one by one, 256 levels for uint8) against its
/// scalar meaning, cdf[v] = (count of counted values &lt;= v) / count clamped to the counted range, for every length
/// 1..70, with and without a mask, uint8 and uint16.
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
}

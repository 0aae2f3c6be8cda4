using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>NumpyPercentile (rescale_intensity's [pA, pB]): numpy's linear method over the sorted values, float and integer paths.</summary>
public class NumpyPercentileTests
{
    private static double Reference(float[] values, double q, bool float32)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        int n = sorted.Length;
        double v = (n - 1) * (q / 100);
        int i = (int)Math.Floor(v), j = Math.Min(i + 1, n - 1);
        if (v >= n - 1)
        {
            return sorted[n - 1];
        }

        double g = v - i, a = sorted[i], b = sorted[j];
        double d = float32 ? (double)(sorted[j] - sorted[i]) : b - a;
        return g < 0.5 ? a + (d * g) : b - (d * (1 - g));
    }

    [Fact]
    public void EqualsTheSortedValuesReadAsNumpyDoes()
    {
        var random = new Random(9);
        double[] qs = [0, 2, 33.3, 50, 97.5, 98, 100];
        foreach (int n in new[] { 1, 2, 3, 7, 50, 1000, 300_000 })
        {
            foreach (bool ties in new[] { false, true })
            {
                var f = new float[n];
                var u8 = new float[n];
                for (int k = 0; k < n; k++)
                {
                    f[k] = ties ? random.Next(7) * 0.25f : (float)((random.NextDouble() * 20) - 5);
                    u8[k] = random.Next(ties ? 4 : 256);
                }

                var got = NumpyPercentile.Of(f, SkimageDtype.Float32, qs);
                var got8 = NumpyPercentile.Of(u8, SkimageDtype.UInt8, qs);
                for (int t = 0; t < qs.Length; t++)
                {
                    Assert.Equal(Reference(f, qs[t], float32: true), got[t]);
                    Assert.Equal(Reference(u8, qs[t], float32: false), got8[t]);
                }
            }
        }

        Assert.True(double.IsNaN(NumpyPercentile.Of([1f, float.NaN, 3f], SkimageDtype.Float32, [50])[0]));
    }
}

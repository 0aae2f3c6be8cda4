using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>ExposureCurves.Minimum (the negative-image check of adjust_gamma/adjust_log): its vector path against the scalar rule.</summary>
public class ExposureCurvesMinimumTests
{
    [Fact]
    public void TheVectorPathGivesTheScalarMinimumIgnoringNaNForEveryLength()
    {
        var random = new Random(17);
        for (int n = 0; n <= 200; n++) // across the four-accumulator loop (32 or 64 values), the one-vector loop and the tail
        {
            for (int trial = 0; trial < 20; trial++)
            {
                var a = new float[n];
                for (int k = 0; k < n; k++)
                {
                    a[k] = random.Next(5) == 0 ? float.NaN : (float)((random.NextDouble() * 10) - 3);
                }

                float expected = float.PositiveInfinity;
                foreach (float v in a)
                {
                    if (v < expected)
                    {
                        expected = v;
                    }
                }

                Assert.Equal(expected, ExposureCurves.Minimum(a));
            }
        }

        Assert.Equal(float.PositiveInfinity, ExposureCurves.Minimum([float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN, float.NaN]));
        Assert.Equal(-0.5f, ExposureCurves.Minimum([.. Enumerable.Repeat(1f, 31), -0.5f, float.NaN]));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public void PartsOnThreadsGiveTheWholeArraysMinimum(int threads)
    {
        var random = new Random(3);
        foreach (int n in new[] { 0, 5, 65_536, 300_001 })
        {
            var a = new float[n];
            for (int k = 0; k < n; k++)
            {
                a[k] = random.Next(50) == 0 ? float.NaN : (float)(random.NextDouble() * 10);
            }

            Assert.Equal(ExposureCurves.Minimum(a.AsSpan()), ExposureCurves.Minimum(a, threads));
            if (n > 0)
            {
                a[n - 1] = -1.5f; // in the last part
                Assert.Equal(-1.5f, ExposureCurves.Minimum(a, threads));
            }
        }
    }
}

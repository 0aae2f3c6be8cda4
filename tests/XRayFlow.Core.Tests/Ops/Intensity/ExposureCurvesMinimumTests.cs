using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
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
    [InlineData("adjust_gamma", 0)]
    [InlineData("adjust_gamma", 199_999)]
    [InlineData("adjust_log", 131_072)]
    [InlineData("adjust_log", 65_535)]
    public void AFloatImageWithANegativeValueAnywhereIsRefusedNamingTheSmallest(string op, int at)
    {
        // The float path checks each chunk's minimum as it maps the chunk (one read of the image): a negative value in
        // any chunk (the first, a middle one, the last, across a chunk edge) refuses the image; NaN is ignored.
        var image = new ImageArray(400, 500);
        for (int k = 0; k < image.Length; k++)
        {
            image.Data[k] = k % 7 == 0 ? float.NaN : 0.25f + (k % 13);
        }

        image.Data[at] = -0.75f;
        image.Data[(at + 1000) % image.Length] = -0.5f;
        var parameters = op == "adjust_gamma"
            ? new Dictionary<string, object?> { ["gamma"] = 0.7, ["gain"] = 1.0 }
            : new Dictionary<string, object?> { ["gain"] = 1.0, ["inv"] = false };
        var ctx = new OpContext { StepId = "curve", Inputs = [new ArrayValue(image)], Params = parameters, Threads = 2 };
        var e = Assert.Throws<OpRefusedException>(() => OpRegistry.Get(op).Invoke(ctx));
        Assert.Contains("negative values (smallest -0.75)", e.Message, StringComparison.Ordinal);

        image.Data[at] = 0f;
        image.Data[(at + 1000) % image.Length] = 0f;
        var ok = ((ArrayValue)OpRegistry.Get(op).Invoke(ctx)).Array;
        Assert.Equal(0f, ok.Data[at]); // 0^0.7 and log2(1 + 0)
        Assert.Equal(op == "adjust_gamma" ? FloatPowers.Pow(1.25f, 0.7f) : FloatPowers.Log2(2.25f), ok.Data[1]);
        Assert.True(float.IsNaN(ok.Data[7]));
    }
}

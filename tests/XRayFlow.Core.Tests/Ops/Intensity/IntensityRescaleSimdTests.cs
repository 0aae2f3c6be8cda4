using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>rescale_intensity's float path: the 16- and 8-wide loops give the scalar loop's bits, for every length 1..80.</summary>
public class IntensityRescaleSimdTests
{
    private static readonly float[] Specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-40f, -1e-40f, 255f, 1e30f, -1e30f];

    /// <summary>
    /// (in low, in high, out low, out high): ordinary, to [0, 1], degenerate, negative, signed zeros, infinite bounds, a NaN
    /// bound; then the zero signs where x86's own max and min differ from IEEE's (in low +0 with out low +0 or -0, a
    /// high of -0), a reversed range and an empty output range.
    /// </summary>
    public static TheoryData<float, float, float, float> Ranges() => new()
    {
        { 10f, 200f, 0f, 255f },
        { 0.1f, 0.9f, 0f, 1f },
        { 50f, 50f, 0f, 1f },
        { -3.5f, 7.25f, -1f, 1f },
        { -0f, 0f, -0f, 1f },
        { float.NegativeInfinity, 100f, 0f, 1f },
        { 0f, float.NaN, 0f, 1f },
        { 0f, 10f, 0f, 1f },
        { 0f, 10f, -0f, 1f },
        { 0f, 10f, -0f, -1f },
        { -0f, 10f, 0f, 1f },
        { -5f, -0f, 0f, 1f },
        { -5f, -0f, -0f, 1f },
        { 5f, 1f, 0f, 1f },
        { 0f, 10f, 1f, 1f },
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public void EveryLengthGivesTheScalarBits(float lo, float hi, float olo, float ohi)
    {
        var random = new Random(20261202);
        for (int n = 1; n <= 80; n++)
        {
            var src = new float[n];
            for (int k = 0; k < n; k++)
            {
                src[k] = random.Next(4) == 0 ? Specials[random.Next(Specials.Length)] : (float)((random.NextDouble() * 300) - 40);
            }

            bool degenerate = (double)lo == hi;
            float span = (float)((double)hi - lo), ospan = (float)((double)ohi - olo);
            var expected = new float[n];
            IntensityRescale.FloatScalar(src, expected, lo, hi, span, olo, ohi, ospan, degenerate, IntensityRescale.OutType.Float);
            var actual = new float[n];
            IntensityRescale.Apply(src, actual, SkimageDtype.Float32, lo, hi, olo, ohi, IntensityRescale.OutType.Float);
            for (int k = 0; k < n; k++)
            {
                Assert.True(
                    BitConverter.SingleToInt32Bits(expected[k]) == BitConverter.SingleToInt32Bits(actual[k]) || (float.IsNaN(expected[k]) && float.IsNaN(actual[k])),
                    $"length {n}, index {k}: x = {src[k]:R}, scalar {expected[k]:R}, vector {actual[k]:R}");
            }
        }
    }

    [Fact]
    public void TheVectorLoopRunsWhereItCan()
    {
        // Not only the scalar tail: with finite bounds the 8-wide loop takes every whole block.
        var src = new float[20];
        int done = IntensityRescale.FloatVector(src, new float[20], 0f, 1f, 1f, 0f, 1f, 1f, degenerate: false);
        Assert.Equal(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 16 : 0, done);
    }
}

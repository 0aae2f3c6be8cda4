using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// unsharp_mask's element-wise step (r = x + (x - blurred) * amount, then numpy.clip): the 512- and 256-bit paths
/// against the scalar meaning for every length 1..70, special values at every position, each clip range (fixed seed);
/// numpy.any(x &lt; 0) likewise. The op against scikit-image: tests/fixtures/ops (unsharp_mask).
/// </summary>
public class UnsharpMaskTests
{
    private static readonly float[] Specials = [0f, -0f, 1f, -1f, 0.5f, -0.25f, 2f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, 1e30f, -1e30f, 0.999999f];

    public static TheoryData<int> Widths()
    {
        var data = new TheoryData<int> { 1 };
        if (Vector256.IsHardwareAccelerated)
        {
            data.Add(256);
        }

        if (Vector512.IsHardwareAccelerated)
        {
            data.Add(512);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryWidthGivesTheScalarMeaningForEveryLength(int width)
    {
        var rng = new Random(20261206);
        (float Lo, float Hi)[] ranges = [(0f, 1f), (-1f, 1f), (float.NegativeInfinity, float.PositiveInfinity)];
        foreach (float amount in new[] { 1f, -0.7f, 2.5f, 0f, float.NaN })
        {
            foreach (var (lo, hi) in ranges)
            {
                for (int n = 1; n <= 70; n++)
                {
                    var x = new float[n];
                    var blurred = new float[n];
                    for (int k = 0; k < n; k++)
                    {
                        x[k] = rng.Next(4) == 0 ? Specials[rng.Next(Specials.Length)] : (float)((rng.NextDouble() * 3) - 1);
                        blurred[k] = rng.Next(4) == 0 ? Specials[rng.Next(Specials.Length)] : (float)((rng.NextDouble() * 3) - 1);
                    }

                    var want = new float[n];
                    for (int k = 0; k < n; k++)
                    {
                        want[k] = UnsharpMask.SharpenOne(x[k], blurred[k], amount, lo, hi);
                    }

                    UnsharpMask.Sharpen(x, blurred, amount, lo, hi, width);
                    for (int k = 0; k < n; k++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(want[k]) == BitConverter.SingleToInt32Bits(blurred[k]), $"width {width}, n {n}, k {k}, amount {amount}, [{lo}, {hi}]: {blurred[k]} against {want[k]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void TheScalarMeaningIsNumpysArithmeticAndClip()
    {
        Assert.Equal(1f, UnsharpMask.SharpenOne(0.9f, 0.5f, 1f, 0f, 1f)); // 0.9 + 0.4 = 1.3, clipped
        Assert.Equal(0f, UnsharpMask.SharpenOne(0.1f, 0.5f, 1f, 0f, 1f)); // -0.3, clipped to 0
        Assert.Equal(-0.3f, UnsharpMask.SharpenOne(0.1f, 0.5f, 1f, -1f, 1f), 6);
        Assert.True(float.IsNaN(UnsharpMask.SharpenOne(float.NaN, 0.5f, 1f, 0f, 1f))); // numpy.clip keeps NaN
        Assert.Equal(0.1f + ((0.1f - 0.35f) * 2.5f), UnsharpMask.SharpenOne(0.1f, 0.35f, 2.5f, float.NegativeInfinity, float.PositiveInfinity));
    }

    [Fact]
    public void AnyNegativeFindsANegativeValueAtEveryPositionAndIgnoresNaN()
    {
        for (int n = 1; n <= 70; n++)
        {
            var x = new float[n];
            Array.Fill(x, 0.5f);
            x[n / 2] = float.NaN;
            Assert.False(UnsharpMask.AnyNegative(x));
            x[0] = -0f;
            Assert.False(UnsharpMask.AnyNegative(x)); // -0 is not below 0
            for (int k = 0; k < n; k++)
            {
                float keep = x[k];
                x[k] = -float.Epsilon;
                Assert.True(UnsharpMask.AnyNegative(x), $"n {n}, k {k}");
                x[k] = keep;
            }
        }
    }

    [Fact]
    public void AStackIsSharpenedFrameByFrameEachWithItsOwnClipRange()
    {
        // Frame 0 has a negative value (clip to [-1, 1]); frame 1 none (clip to [0, 1]): each as skimage on that frame.
        var stack = ImageArray.Stack(2, 3, 4);
        for (int k = 0; k < 12; k++)
        {
            stack.Data[k] = (k % 5) * 0.1f;
            stack.Data[12 + k] = (k % 5) * 0.1f;
        }

        stack.Data[5] = -0.5f;
        var frame0 = new ImageArray(3, 4, stack.Data[..12]);
        var frame1 = new ImageArray(3, 4, stack.Data[12..]);
        var whole = UnsharpMask.Apply(stack, [1.0], 3.0, preserveRange: false, threads: 1);
        var one = UnsharpMask.Apply(frame0, [1.0], 3.0, preserveRange: false, threads: 1);
        var two = UnsharpMask.Apply(frame1, [1.0], 3.0, preserveRange: false, threads: 1);
        Assert.Equal(one.Data[..12], whole.Data[..12]);
        Assert.Equal(two.Data[..12], whole.Data[12..24]);
        Assert.Contains(whole.Data[..12], v => v < 0);
        Assert.DoesNotContain(whole.Data[12..24], v => v < 0);
    }
}

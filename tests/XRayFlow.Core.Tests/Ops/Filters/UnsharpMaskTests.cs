using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// unsharp_mask's element-wise step (r = x + (x - blurred) * amount, then numpy.clip) as NumPy computes it, and a stack
/// sharpened frame by frame, each with its own clip range. The vector loop against the scalar meaning:
/// ElementwiseOperatorTests (SharpenOperator); the op against scikit-image: tests/fixtures/ops (unsharp_mask).
/// </summary>
public class UnsharpMaskTests
{
    [Fact]
    public void TheScalarMeaningIsNumpysArithmeticAndClip()
    {
        Assert.Equal(1f, new SharpenOperator(1f, 0f, 1f).Invoke(0.9f, 0.5f)); // 0.9 + 0.4 = 1.3, clipped
        Assert.Equal(0f, new SharpenOperator(1f, 0f, 1f).Invoke(0.1f, 0.5f)); // -0.3, clipped to 0
        Assert.Equal(-0.3f, new SharpenOperator(1f, -1f, 1f).Invoke(0.1f, 0.5f), 6);
        Assert.True(float.IsNaN(new SharpenOperator(1f, 0f, 1f).Invoke(float.NaN, 0.5f))); // numpy.clip keeps NaN
        Assert.Equal(0.1f + ((0.1f - 0.35f) * 2.5f), new SharpenOperator(2.5f, float.NegativeInfinity, float.PositiveInfinity).Invoke(0.1f, 0.35f));
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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneAndTwoThreadsGiveTheSameBits(bool whole)
    {
        // Large enough for bands on two threads; whole numbers take the float64 path, fractions the float32 one.
        var random = new Random(whole ? 8 : 9);
        var image = new ImageArray(300, 257, Enumerable.Range(0, 300 * 257).Select(_ => whole ? random.Next(256) : (float)(random.NextDouble() * 700) - 3).ToArray());
        var one = UnsharpMask.Apply(image, [2.5, 1.5], 2.5, preserveRange: false, threads: 1);
        var two = UnsharpMask.Apply(image, [2.5, 1.5], 2.5, preserveRange: false, threads: 2);
        Assert.Equal(one.Data.Take(300 * 257), two.Data.Take(300 * 257));
        Assert.Contains(one.Data.Take(300 * 257), v => v is > -1f and < 1f and not 0f); // not all clipped
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Core.Ops;

namespace XRayFlow.Core.Tests.Ops.Display;

public class MontageTests
{
    private static ImageArray Numbered(int frames, int rows, int cols)
    {
        var s = ImageArray.Stack(frames, rows, cols);
        for (int k = 0; k < s.Length; k++)
        {
            s.Data[k] = k + 1;
        }

        return s;
    }

    private static ImageArray Run(ImageArray stack, int columns, int gap, double fill)
    {
        var ctx = new OpContext
        {
            StepId = "m",
            Inputs = [new ArrayValue(stack)],
            Params = new Dictionary<string, object?> { ["columns"] = columns, ["gap"] = gap, ["fill"] = fill },
        };
        return ((ArrayValue)OpRegistry.Get("montage").Invoke(ctx)).Array;
    }

    [Fact]
    public void DefaultIsHstackOfAllFrames()
    {
        var s = Numbered(3, 2, 2); // frames [[1,2],[3,4]], [[5,6],[7,8]], [[9,10],[11,12]]
        var m = Run(s, 0, 0, 0);
        Assert.False(m.IsStack);
        Assert.Equal([2, 6], m.Shape);
        Assert.Equal([1f, 2, 5, 6, 9, 10, 3, 4, 7, 8, 11, 12], m.Data);
    }

    [Fact]
    public void GridWithGapAndFill()
    {
        var s = IntegerSource.Record(Numbered(3, 1, 2), 0); // [1,2] [3,4] [5,6], float samples (a float .npy)
        var m = Run(s, 2, 1, -1);
        Assert.Equal([3, 5], m.Shape);
        Assert.Equal([1f, 2, -1, 3, 4, -1, -1, -1, -1, -1, 5, 6, -1, -1, -1], m.Data);

        // An 8-bit stack (whole numbers, not recorded as float): the fill in its dtype, truncated and clipped to 0..255.
        Assert.Equal(0f, Run(Numbered(3, 1, 2), 2, 1, -1).Data[2]);
        Assert.Equal(7f, Run(Numbered(3, 1, 2), 2, 1, 7.9).Data[2]);
        Assert.Equal(255f, Run(Numbered(3, 1, 2), 2, 1, 300).Data[2]);
    }

    [Fact]
    public void AGapWithoutColumnsKeepsOneRow()
    {
        var ctx = new OpContext { StepId = "m", Inputs = [new ArrayValue(Numbered(3, 2, 2))], Params = new Dictionary<string, object?> { ["gap"] = 1, ["fill"] = 0.0 } };
        Assert.Equal([2, 8], ((ArrayValue)OpRegistry.Get("montage").Invoke(ctx)).Array.Shape);
    }

    [Fact]
    public void ColumnsBeyondFramesUsesOneRow()
    {
        Assert.Equal((4, 9), MontageLayout.Of(3, null, 10, null, 0).Shape(4, 3));
        Assert.Equal((4 + 4 + 2, 3 + 3 + 2), MontageLayout.Of(4, null, 2, null, 2).Shape(4, 3));
    }

    [Fact]
    public void ScikitImagesDefaultIsASquareGridFilledWithTheMeanAndPaddingGoesAroundTheTiles()
    {
        // skimage.util.montage(stack): ceil(sqrt(3)) = 2 x 2 cells, the empty one the mean in the stack's dtype (whole
        // numbers 1..12: uint8 by the value rule, so 6.5 truncated to 6, as numpy's astype); with padding_width 1 a
        // border of the fill around every tile.
        var s = Numbered(3, 2, 2);
        var ctx = new OpContext { StepId = "m", Inputs = [new ArrayValue(s)], Params = new Dictionary<string, object?> { ["fill"] = "mean", ["rescale_intensity"] = false } };
        var m = ((ArrayValue)OpRegistry.Get("montage").Invoke(ctx)).Array;
        Assert.Equal([4, 4], m.Shape);
        Assert.Equal([1f, 2, 5, 6, 3, 4, 7, 8, 9, 10, 6, 6, 11, 12, 6, 6], m.Data);
        Assert.Equal((7, 7), MontageLayout.Of(3, null, null, 1, null).Shape(2, 2)); // (2 + 1) * 2 + 1
        Assert.Equal((1, 4), MontageLayout.Of(3, null, null, 1, null).Origin(1, 2, 2));
    }

    [Fact]
    public void DeclaredAsStackToImage()
    {
        var op = OpRegistry.Get("montage");
        Assert.True(op.Inputs.RequiresStack);
        Assert.Equal(OutputKind.Image, op.Output);
    }
}

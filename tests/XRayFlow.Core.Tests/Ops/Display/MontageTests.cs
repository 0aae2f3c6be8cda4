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
        var s = Numbered(3, 1, 2); // [1,2] [3,4] [5,6]
        var m = Run(s, 2, 1, -1);
        Assert.Equal([3, 5], m.Shape);
        Assert.Equal([1f, 2, -1, 3, 4, -1, -1, -1, -1, -1, 5, 6, -1, -1, -1], m.Data);
    }

    [Fact]
    public void ColumnsBeyondFramesUsesOneRow()
    {
        Assert.Equal((4, 9), Montage.Shape(3, 4, 3, 10, 0));
        Assert.Equal((4 + 4 + 2, 3 + 3 + 2), Montage.Shape(4, 4, 3, 2, 2));
    }

    [Fact]
    public void DeclaredAsStackToImage()
    {
        var op = OpRegistry.Get("montage");
        Assert.True(op.Inputs.RequiresStack);
        Assert.Equal(OutputKind.Image, op.Output);
    }
}

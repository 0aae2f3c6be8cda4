using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Core.Tests;

public class SmokeTests
{
    [Fact]
    public void AbsIsRegisteredAndComputesModulus()
    {
        var op = OpRegistry.Get("abs");
        var img = new ImageArray(1, 3, [-1f, 2f, -3.5f]);
        var result = (ArrayValue)op.Invoke(new OpContext { StepId = "t", Inputs = [new ArrayValue(img)], Params = new Dictionary<string, object?>() });
        Assert.Equal([1f, 2f, 3.5f], result.Array.Data);
    }
}

using XRayFlow.Core.Text;

namespace XRayFlow.Core.Tests.Text;

public class ExceptionTextTests
{
    [Fact]
    public void TheParameterNameNetAppendsIsLeftOut()
    {
        var e = new ArgumentException("vmin (1000) is above vmax (259.5)", "vmin");
        Assert.EndsWith("(Parameter 'vmin')", e.Message, StringComparison.Ordinal);
        Assert.Equal("vmin (1000) is above vmax (259.5)", ExceptionText.Message(e));
    }

    [Fact]
    public void AMessageWithoutAParameterNameIsKeptWhole()
    {
        Assert.Equal("no colours", ExceptionText.Message(new ArgumentException("no colours")));
        Assert.Equal("x (Parameter 'y')", ExceptionText.Message(new ArgumentException("x (Parameter 'y')")));
        Assert.Equal("range is empty", ExceptionText.Message(new ArgumentOutOfRangeException("bins", "range is empty")));
    }
}

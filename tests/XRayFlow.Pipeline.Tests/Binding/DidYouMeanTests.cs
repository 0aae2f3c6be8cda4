using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Binding;

public class DidYouMeanTests
{
    [Theory]
    [InlineData("gausian_filter", "gaussian_filter", 1)]
    [InlineData("relfect", "reflect", 1)] // a swap counts once
    [InlineData("abc", "abc", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ca", "abc", 3)] // optimal string alignment, not unrestricted Damerau
    public void Distance(string a, string b, int expected) => Assert.Equal(expected, DidYouMean.Distance(a, b));

    [Theory]
    [InlineData("gausian_filter", "gaussian_filter")]
    [InlineData("Sigma", "sigma")]
    [InlineData("virdis", "viridis")]
    [InlineData("stepz", "steps")]
    [InlineData("xyz", null)]
    [InlineData("median", null)]
    [InlineData("a_mode", "mode")] // numpy 1's a_min / a_max against clip's min / max
    [InlineData("the_sigma", "sigma")]
    [InlineData("a_mod", null)]
    [InlineData("x_", null)]
    [InlineData("_mode", "mode")] // one letter off: a typo
    public void Nearest(string word, string? expected)
        => Assert.Equal(expected, DidYouMean.Nearest(word, ["gaussian_filter", "sigma", "viridis", "steps", "mode", "medium_filter_x"]));
}

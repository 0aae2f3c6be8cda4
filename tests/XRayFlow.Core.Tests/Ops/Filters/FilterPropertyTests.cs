using CsCheck;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Core.Ops;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>Properties every correct implementation has, on generated shapes and data.</summary>
public class FilterPropertyTests
{
    private static readonly Gen<BoundaryMode> NonConstantMode = Gen.Int[0, 3].Select(k => (BoundaryMode)k);

    [Fact]
    public void DerivativesOfAConstantImageAreExactlyZero()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 40], Gen.Float[-1000f, 1000f], NonConstantMode, Gen.Int[0, 1]).Sample((rows, cols, value, mode, axis) =>
        {
            var img = Constant(rows, cols, value);
            foreach (var result in new[]
            {
                NdFilters.Sobel(img, axis, mode), NdFilters.Prewitt(img, axis, mode), NdFilters.Laplace(img, mode),
                NdFilters.GaussianFilter(img, [1.5], axis == 0 ? [1, 0] : [0, 1], mode),
            })
            {
                Assert.All(result.Data, v => Assert.Equal(0f, v));
            }
        });
    }

    [Fact]
    public void SmoothingAConstantImageGivesTheConstant()
    {
        Gen.Select(Gen.Int[1, 40], Gen.Int[1, 40], Gen.Float[-1000f, 1000f], NonConstantMode, Gen.Double[0.3, 12.0]).Sample((rows, cols, value, mode, sigma) =>
        {
            var img = Constant(rows, cols, value);
            foreach (var result in new[] { NdFilters.GaussianFilter(img, [sigma], mode: mode), NdFilters.UniformFilter(img, [4, 3], mode), NdFilters.MedianFilter(img, [3, 2], mode) })
            {
                Assert.All(result.Data, v => Assert.True(Math.Abs(v - value) <= 1e-5 * Math.Abs(value) + 1e-30, $"{v} != {value}"));
            }
        });
    }

    [Fact]
    public void GaussianWithWrapPreservesTheSum()
    {
        Gen.Select(Gen.Int[1, 50], Gen.Int[1, 50], Gen.Double[0.3, 8.0], Gen.Int[0, 10_000]).Sample((rows, cols, sigma, seed) =>
        {
            var rng = new Random(seed);
            var img = new ImageArray(rows, cols, Enumerable.Range(0, rows * cols).Select(_ => (float)rng.NextDouble() * 100f).ToArray());
            var result = NdFilters.GaussianFilter(img, [sigma], mode: BoundaryMode.Wrap);
            double before = img.Data.Sum(v => (double)v);
            double after = result.Data.Sum(v => (double)v);
            Assert.True(Math.Abs(after - before) <= 1e-5 * before, $"sum {before} became {after}");
        });
    }

    [Fact]
    public void OnAStackEveryOpAppliesFrameByFrame()
    {
        var rng = new Random(11);
        var frames = Enumerable.Range(0, 3).Select(_ => new ImageArray(23, 31, Enumerable.Range(0, 23 * 31).Select(_ => (float)rng.NextDouble()).ToArray())).ToList();
        var stack = ImageArray.StackOf(frames);
        var cases = new (string Op, Dictionary<string, object?> Params)[]
        {
            ("gaussian_filter", new() { ["sigma"] = new[] { 1.5, 0.5 }, ["order"] = new[] { 0, 1 }, ["mode"] = "constant", ["cval"] = 0.5 }),
            ("gaussian_laplace", new() { ["sigma"] = new[] { 2.0 } }),
            ("gaussian_gradient_magnitude", new() { ["sigma"] = new[] { 2.0 } }),
            ("sobel", new() { ["axis"] = 0 }),
            ("prewitt", new() { ["axis"] = -1, ["mode"] = "wrap" }),
            ("laplace", new() { ["mode"] = "mirror" }),
            ("uniform_filter", new() { ["size"] = new[] { 5 } }),
            ("median_filter", new() { ["size"] = new[] { 3 } }),
        };
        foreach (var (opName, parameters) in cases)
        {
            var op = OpRegistry.Get(opName);
            var whole = Run(op, stack, parameters);
            Assert.True(whole.IsStack);
            Assert.Equal(stack.Shape, whole.Shape);
            for (int f = 0; f < frames.Count; f++)
            {
                var single = Run(op, frames[f], parameters);
                Assert.True(whole.Frame(f).SequenceEqual(single.Data), $"{opName}: frame {f} differs from the op on that frame alone");
            }
        }
    }

    [Fact]
    public void FilterOpsDeclareScipyParametersAndDefaults()
    {
        var gaussian = OpRegistry.Get("gaussian_filter");
        Assert.Equal(["sigma", "order", "mode", "cval", "truncate", "radius"], gaussian.Params.Select(p => p.Name));
        Assert.True(gaussian.FindParam("sigma")!.Required);
        Assert.Equal(4.0, gaussian.FindParam("truncate")!.Default);
        Assert.Equal(-1, OpRegistry.Get("sobel").FindParam("axis")!.Default);
        Assert.Equal(3, OpRegistry.Get("uniform_filter").FindParam("size")!.Default);
        Assert.Equal(3, OpRegistry.Get("median_filter").FindParam("size")!.Default);
        foreach (var name in new[] { "gaussian_filter", "gaussian_laplace", "gaussian_gradient_magnitude", "sobel", "prewitt", "laplace", "uniform_filter", "median_filter" })
        {
            var op = OpRegistry.Get(name);
            Assert.Same(CommonParams.Mode, op.FindParam("mode"));
            Assert.Same(CommonParams.Cval, op.FindParam("cval"));
            Assert.Equal("reflect", op.FindParam("mode")!.Default);
            Assert.StartsWith("scipy.ndimage.", op.Reference);
        }
    }

    [Fact]
    public void DefaultsApplyWhenParametersAreUnbound()
    {
        var rng = new Random(2);
        var img = new ImageArray(9, 12, Enumerable.Range(0, 108).Select(_ => (float)rng.NextDouble()).ToArray());
        var viaOp = Run(OpRegistry.Get("sobel"), img, []);
        var direct = NdFilters.Sobel(img, axis: 1, BoundaryMode.Reflect);
        Assert.Equal(direct.Data, viaOp.Data);
        Assert.Equal(NdFilters.MedianFilter(img, [3]).Data, Run(OpRegistry.Get("median_filter"), img, []).Data);
    }

    [Fact]
    public void SigmaZeroLeavesThatAxisUntouchedAsScipy()
    {
        var rng = new Random(4);
        var img = new ImageArray(7, 8, Enumerable.Range(0, 56).Select(_ => (float)rng.NextDouble()).ToArray());
        Assert.Equal(img.Data, NdFilters.GaussianFilter(img, [0.0], [2]).Data);
        var along1 = NdFilters.GaussianFilter(img, [0.0, 1.0], [1, 0]);
        Assert.Equal(NdFilters.GaussianFilter(img, [0.0, 1.0], [0, 0]).Data, along1.Data);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithClearMessages()
    {
        var img = new ImageArray(4, 4);
        var e1 = Assert.Throws<ArgumentException>(() => NdFilters.GaussianFilter(img, [1.0, 2.0, 3.0]));
        Assert.Contains("sigma", e1.Message);
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => NdFilters.UniformFilter(img, [3], origin: [2]));
        Assert.Contains("origin", e2.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => NdFilters.Sobel(img, axis: 2));
        var e3 = Assert.Throws<ArgumentException>(() => Boundary.Parse("mirrror"));
        Assert.Contains("reflect", e3.Message);
        Assert.Equal(BoundaryMode.Reflect, Boundary.Parse("grid-mirror"));
        Assert.Equal(BoundaryMode.Wrap, Boundary.Parse("grid-wrap"));
        Assert.Equal(BoundaryMode.Constant, Boundary.Parse("grid-constant"));
    }

    [Fact]
    public void LinearFiltersFilterRealAndImaginaryPartsOfAComplexArray()
    {
        var rng = new Random(8);
        var re = Enumerable.Range(0, 30).Select(_ => (float)rng.NextDouble()).ToArray();
        var im = Enumerable.Range(0, 30).Select(_ => (float)rng.NextDouble()).ToArray();
        var z = new ImageArray(5, 6, re, im);
        var g = NdFilters.GaussianFilter(z, [1.0]);
        Assert.Equal(NdFilters.GaussianFilter(new ImageArray(5, 6, (float[])re.Clone()), [1.0]).Data, g.Data);
        Assert.Equal(NdFilters.GaussianFilter(new ImageArray(5, 6, (float[])im.Clone()), [1.0]).Data, g.Imag);
        Assert.Throws<ArgumentException>(() => NdFilters.MedianFilter(z, [3]));
    }

    private static ImageArray Constant(int rows, int cols, float value) => new(rows, cols, Enumerable.Repeat(value, rows * cols).ToArray());

    private static ImageArray Run(OpDefinition op, ImageArray input, Dictionary<string, object?> parameters)
        => ((ArrayValue)op.Invoke(new OpContext { StepId = "t", Inputs = [new ArrayValue(input)], Params = parameters, Threads = 2 })).Array;
}

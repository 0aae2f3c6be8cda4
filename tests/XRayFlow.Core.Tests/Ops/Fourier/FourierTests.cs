using XRayFlow.Core.Ops.Fourier;
using XRayFlow.Core.Imaging;
using static XRayFlow.Core.Tests.TestSupport.EngineFixtures;

namespace XRayFlow.Core.Tests.Ops.Fourier;

public class FftTests
{
    [Theory]
    [InlineData("row1x7")]
    [InlineData("col7x1")]
    [InlineData("one1x1")]
    [InlineData("sq3x3")]
    [InlineData("odd97x131")]
    [InlineData("pow64x64")]
    [InlineData("mixed12x10")]
    [InlineData("xray60x72")]
    [InlineData("xray64x32")]
    [InlineData("stack")]
    public void Fft2MatchesNumpy(string name)
    {
        var input = Npy("ops", $"fft2_{name}_in.npy");
        var expected = Npy("ops", $"fft2_{name}_out.npy");
        var actual = OpRunner.Array("fft2", input);
        Assert.True(actual.IsComplex);
        Assert.Equal(input.IsStack, actual.IsStack);
        AssertClose(expected, actual, "fft2 " + name);
    }

    [Theory]
    [InlineData("complex")]
    [InlineData("real")]
    public void Ifft2PartsMatchNumpy(string name)
    {
        var input = Npy("ops", $"ifft2_{name}_in.npy");
        var expected = Npy("ops", $"ifft2_{name}_out.npy");
        var re = OpRunner.Array("ifft2", input);
        var im = OpRunner.Array("ifft2", input, new Dictionary<string, object?> { ["part"] = "imag" });
        var abs = OpRunner.Array("ifft2", input, new Dictionary<string, object?> { ["part"] = "abs" });
        Assert.False(re.IsComplex);
        AssertClose(expected, new ImageArray(re.Rows, re.Cols, re.Data, im.Data), "ifft2 " + name);
        var mod = expected.Data.Select((r, k) => (float)Math.Sqrt(((double)r * r) + ((double)expected.Imag![k] * expected.Imag[k]))).ToArray();
        AssertClose(mod, abs.Data, "ifft2 abs " + name);
    }

    [Fact]
    public void OneDimensionalPlanMatchesDirectDftForEveryLength1To70()
    {
        for (int n = 1; n <= 70; n++)
        {
            var rng = new Random(n);
            var re = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            var im = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            var er = new float[n];
            var ei = new float[n];
            for (int k = 0; k < n; k++)
            {
                double sr = 0, si = 0;
                for (int j = 0; j < n; j++)
                {
                    double a = -2 * Math.PI * ((long)j * k % n) / n;
                    sr += (re[j] * Math.Cos(a)) - (im[j] * Math.Sin(a));
                    si += (re[j] * Math.Sin(a)) + (im[j] * Math.Cos(a));
                }

                er[k] = (float)sr;
                ei[k] = (float)si;
            }

            var plan = FftPlan.Get(n);
            var ar = (float[])re.Clone();
            var ai = (float[])im.Clone();
            plan.Forward(ar, ai);
            AssertClose(new ImageArray(1, n, er, ei), new ImageArray(1, n, ar, ai), $"dft n={n}");
            plan.Inverse(ar, ai);
            AssertClose(new ImageArray(1, n, re, im), new ImageArray(1, n, ar, ai), $"inverse n={n}");
        }
    }

    [Fact]
    public void RoundTripRestoresTheImageForManyShapes()
    {
        int[] sizes = [1, 2, 3, 5, 8, 13, 16, 31, 33, 100, 128, 131];
        foreach (int r in sizes)
        {
            foreach (int c in new[] { 1, 7, 64, 97 })
            {
                var x = OpRunner.Random(r, c, (r * 1000) + c, 100);
                var back = OpRunner.Array("ifft2", OpRunner.Array("fft2", x));
                AssertClose(x.Data, back.Data, $"roundtrip {r}x{c}");
            }
        }
    }

    [Fact]
    public void ParallelAndSerialGiveIdenticalResults()
    {
        var x = OpRunner.Random(256, 200, 5, 1000, complex: true);
        var a = Fft2D.Forward(x, threads: 1);
        var b = Fft2D.Forward(x, threads: 2);
        Assert.Equal(a.Data, b.Data);
        Assert.Equal(a.Imag, b.Imag);
    }

    [Fact]
    public void RealInputShortcutsEqualTheFullComplexTransform()
    {
        // Real input: two rows per complex FFT and Hermitian mirroring of the columns; a complex input with a
        // zero imaginary part takes the general path. Both must agree for odd, even, prime and power-of-two sizes.
        foreach (int r in new[] { 1, 2, 3, 4, 5, 8, 17, 32, 33 })
        {
            foreach (int c in new[] { 1, 2, 3, 4, 6, 9, 16, 31 })
            {
                var x = OpRunner.Random(r, c, (r * 100) + c, 10);
                var asComplex = new ImageArray(r, c, (float[])x.Data.Clone(), new float[x.Length]);
                AssertClose(Fft2D.Forward(asComplex), Fft2D.Forward(x), $"real shortcut {r}x{c}");
            }
        }
    }

    [Fact]
    public void ImpulseTransformsToAllOnes()
    {
        var x = new ImageArray(6, 10);
        x[0, 0] = 1;
        var f = OpRunner.Array("fft2", x);
        Assert.All(f.Data, v => Assert.Equal(1f, v, 1e-6));
        Assert.All(f.Imag!, v => Assert.Equal(0f, v, 1e-6));
    }
}

public class FourierGaussianTests
{
    public static TheoryData<int> Cases()
    {
        var data = new TheoryData<int>();
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path_("ops", "cases.json")));
        for (int i = 0; i < doc.RootElement.GetProperty("fourier_gaussian").GetArrayLength(); i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesScipy(int index)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path_("ops", "cases.json")));
        var c = doc.RootElement.GetProperty("fourier_gaussian")[index];
        var input = Npy("ops", c.GetProperty("in").GetString() + ".npy");
        var expected = Npy("ops", c.GetProperty("out").GetString() + ".npy");
        var sigma = c.GetProperty("sigma").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var actual = OpRunner.Array("fourier_gaussian", input, new Dictionary<string, object?>
        {
            ["sigma"] = sigma,
            ["n"] = c.GetProperty("n").GetInt32(),
            ["axis"] = c.GetProperty("axis").GetInt32(),
        });
        Assert.Equal(input.IsComplex, actual.IsComplex);
        AssertClose(expected, actual, $"fourier_gaussian case {index}");
    }

    [Fact]
    public void FactorTableFollowsFftfreqAndTheCutoff()
    {
        // length 5, sigma 1: a = -2 (pi/5)^2; k = 0, 1, 2, -2, -1
        double a = -2 * Math.Pow(Math.PI / 5, 2);
        var t = FourierFilters.Factors(5, 1.0, -1);
        Assert.Equal([1.0, Math.Exp(a), Math.Exp(4 * a), Math.Exp(4 * a), Math.Exp(a)], t);
        // |a k^2| > 50 -> exactly 0
        var big = FourierFilters.Factors(8, 20.0, -1);
        Assert.Equal(0.0, big[4]);
        Assert.Equal([1.0], FourierFilters.Factors(1, 3.0, -1));
    }

    [Fact]
    public void StackIsFilteredFrameByFrame()
    {
        var a = OpRunner.Random(6, 7, 1, complex: true);
        var b = OpRunner.Random(6, 7, 2, complex: true);
        var stack = ImageArray.Stack(2, 6, 7, [.. a.Data, .. b.Data], [.. a.Imag!, .. b.Imag!]);
        var p = new Dictionary<string, object?> { ["sigma"] = new[] { 1.2 } };
        var s = OpRunner.Array("fourier_gaussian", stack, p);
        Assert.Equal(OpRunner.Array("fourier_gaussian", b, p).Data, s.Frame(1).ToArray());
        Assert.Equal(OpRunner.Array("fourier_gaussian", b, p).Imag!, s.FrameImag(1).ToArray());
    }

    [Fact]
    public void FourierGaussianRowVectorPathEqualsTheScalarMeaningForEveryLength1To64()
    {
        var rng = new Random(11);
        for (int n = 1; n <= 64; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() - 0.5) * 1e4)).ToArray();
            var fc = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            double a = rng.NextDouble();
            var got = new float[n];
            XRayFlow.Core.Ops.Fourier.FourierFilters.ScaleRow(x, got, a, fc);
            for (int c = 0; c < n; c++)
            {
                double t = a * fc[c];
                Assert.Equal((float)(t * x[c]), got[c]); // bit-identical
            }
        }
    }

    [Fact]
    public void FourierGaussianGivesTheSameBitsOnOneThreadAndOnMany()
    {
        var rng = new Random(12);
        var re = Enumerable.Range(0, 3 * 70 * 300).Select(_ => (float)rng.NextDouble()).ToArray();
        var im = Enumerable.Range(0, re.Length).Select(_ => (float)rng.NextDouble()).ToArray();
        var spec = ImageArray.Stack(3, 70, 300, re, im);
        var one = XRayFlow.Core.Ops.Fourier.FourierFilters.Gaussian(spec, [2.5, 1.5], threads: 1);
        var many = XRayFlow.Core.Ops.Fourier.FourierFilters.Gaussian(spec, [2.5, 1.5], threads: 4);
        Assert.Equal(one.Data, many.Data);
        Assert.Equal(one.Imag, many.Imag);
        Assert.NotEqual(0f, one.Data[(2 * 70 * 300) + 5]);
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Core.Ops.Statistics;
using static XRayFlow.Core.Tests.TestSupport.EngineFixtures;

namespace XRayFlow.Core.Tests.Ops.Elementwise;

public class HypotNormalizeClipTests
{
    private static Dictionary<string, object?> P(params (string Key, object? Value)[] kv) => kv.ToDictionary(p => p.Key, p => p.Value);

    [Fact]
    public void HypotMatchesNumpy()
    {
        var a = Npy("ops", "arith_a.npy");
        var b = Npy("ops", "arith_b.npy");
        var c = Npy("ops", "arith_c.npy");
        AssertClose(Npy("ops", "hypot_ab.npy").Data, OpRunner.Array("hypot", [a, b]).Data, "hypot a b");
        var abc = OpRunner.Array("hypot", [a, b, c]);
        Assert.All(abc.Data, v => Assert.True(float.IsFinite(v))); // squares of 1e20 would overflow float32
        AssertClose(Npy("ops", "hypot_abc.npy").Data, abc.Data, "hypot a b c");
        AssertClose(Npy("ops", "hypot_mag.npy").Data, OpRunner.Array("hypot", [Npy("ops", "hypot_gx.npy"), Npy("ops", "hypot_gy.npy")]).Data, "prewitt magnitude");
    }

    [Fact]
    public void HypotRefusesShapeMismatchAndComplex()
    {
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("hypot", [new ImageArray(2, 3), new ImageArray(3, 2)]));
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("hypot", [new ImageArray(2, 2), new ImageArray(2, 2, null, new float[4])]));
    }

    [Theory]
    [InlineData("normalize_peak_mag", "hypot_mag", 255.0, "peak")]
    [InlineData("normalize_peak_a", "arith_a", 255.0, "peak")]
    [InlineData("normalize_range_a", "arith_a", 255.0, "range")]
    [InlineData("normalize_range1_xray", "normalize_xray_in", 1.0, "range")]
    public void NormalizeMatchesNumpy(string expected, string input, double max, string method)
    {
        var actual = OpRunner.Array("normalize", Npy("ops", input + ".npy"), P(("max", max), ("method", method)));
        AssertClose(Npy("ops", expected + ".npy").Data, actual.Data, expected);
    }

    [Fact]
    public void NormalizeDegenerateCasesGiveZeros()
    {
        var zeros = new ImageArray(2, 3);
        Assert.All(OpRunner.Array("normalize", zeros).Data, v => Assert.Equal(0f, v));
        Assert.All(OpRunner.Array("normalize", zeros, P(("method", "range"))).Data, v => Assert.Equal(0f, v));
        var constant = new ImageArray(2, 2, [7, 7, 7, 7]);
        Assert.All(OpRunner.Array("normalize", constant, P(("method", "range"))).Data, v => Assert.Equal(0f, v));
        Assert.All(OpRunner.Array("normalize", constant).Data, v => Assert.Equal(255f, v)); // peak: x * 255 / 7
        var withNan = new ImageArray(1, 3, [1, float.NaN, 3]);
        Assert.All(OpRunner.Array("normalize", withNan).Data, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void NormalizeDefaultsArePeakAnd255()
    {
        var x = new ImageArray(1, 3, [1, 2, 4]);
        Assert.Equal([63.75f, 127.5f, 255f], OpRunner.Array("normalize", x).Data);
        Assert.Equal([0f, 85f, 255f], OpRunner.Array("normalize", x, P(("method", "range"))).Data);
    }

    [Fact]
    public void ClipMatchesNumpyExactly()
    {
        var a = Npy("ops", "arith_a.npy");
        Assert.Equal(Npy("ops", "clip_a.npy").Data, OpRunner.Array("clip", a, P(("min", -50.0), ("max", 75.5))).Data);
        Assert.Equal(Npy("ops", "clip_a_min.npy").Data, OpRunner.Array("clip", a, P(("min", 10.0))).Data);
    }

    [Fact]
    public void ClipEdgeCases()
    {
        var x = new ImageArray(1, 4, [float.NaN, -1, 5, 10]);
        var y = OpRunner.Array("clip", x, P(("min", 0.0), ("max", 6.0)));
        Assert.True(float.IsNaN(y.Data[0]));
        Assert.Equal([0f, 5f, 6f], y.Data[1..]);
        Assert.Equal([3f, 3f, 3f], OpRunner.Array("clip", x, P(("min", 8.0), ("max", 3.0))).Data[1..]); // min > max -> max
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("clip", x));
    }

    [Fact]
    public void AddSubtractMultiply()
    {
        var a = new ImageArray(1, 3, [1, 2, 3]);
        var b = new ImageArray(1, 3, [10, 20, 30]);
        Assert.Equal([11f, 22f, 33f], OpRunner.Array("add", [a, b]).Data);
        Assert.Equal([-9f, -18f, -27f], OpRunner.Array("subtract", [a, b]).Data);
        Assert.Equal([10f, 40f, 90f], OpRunner.Array("multiply", [a, b]).Data);
        Assert.Equal([1.5f, 2.5f, 3.5f], OpRunner.Array("add", a, P(("value", 0.5))).Data);
        Assert.Equal([0.5f, 1.5f, 2.5f], OpRunner.Array("subtract", a, P(("value", 0.5))).Data);
        Assert.Equal(1f * 0.1f, OpRunner.Array("multiply", a, P(("value", 0.1))).Data[0]); // value rounded to float32 first
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("add", [a, b], P(("value", 1.0))));
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("add", a));
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("add", [a, new ImageArray(3, 1)]));
    }

    [Fact]
    public void ComplexMultiplyIsComplex()
    {
        var a = new ImageArray(1, 2, [1, 0], [2, 1]);  // 1+2i, i
        var b = new ImageArray(1, 2, [3, 0], [-1, 1]); // 3-i, i
        var c = OpRunner.Array("multiply", [a, b]);
        Assert.Equal([5f, -1f], c.Data);   // (1+2i)(3-i) = 5+5i ; i*i = -1
        Assert.Equal([5f, 0f], c.Imag!);
        var d = OpRunner.Array("add", [a, new ImageArray(1, 2, [1, 1])]);
        Assert.Equal([2f, 1f], d.Data);
        Assert.Equal([2f, 1f], d.Imag!);
    }
}

/// <summary>Every vectorised kernel against its scalar definition, every length 1..64, fixed seeds, bit-identical.</summary>
public class SimdKernelTests
{
    private static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        var specials = new[] { 0f, -0f, 1f, -1f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.Epsilon, 1e20f, -3e-20f, 255f };
        return Enumerable.Range(0, n).Select(i => rng.Next(5) == 0 ? specials[rng.Next(specials.Length)] : (float)((rng.NextDouble() - 0.5) * 1000)).ToArray();
    }

    [Fact]
    public void HypotVectorPathEqualsScalar()
    {
        for (int n = 1; n <= 64; n++)
        {
            for (int inputs = 2; inputs <= 4; inputs++)
            {
                var src = Enumerable.Range(0, inputs).Select(i => Values(n, (n * 10) + i)).ToArray();
                var s = new float[n];
                var v = new float[n];
                Hypot.Scalar(src, s);
                Hypot.Apply(src, 0, v);
                Assert.Equal(s.Select(BitConverter.SingleToInt32Bits), v.Select(BitConverter.SingleToInt32Bits)); // NaN bits too
            }
        }
    }

    /// <summary>
    /// numpy.hypot's special values (C's hypot: an infinite input gives +inf even beside a NaN), and every NaN result
    /// written as NumPy's NaN 0x7FC00000 whatever NaN bits the inputs hold (NumPy itself passes a -nan through; the bytes
    /// must not depend on which NaN the operations before met first), at every position of a 27-value row: the 512-bit
    /// loop, the Vector&lt;T&gt; loop and the scalar tail.
    /// </summary>
    [Fact]
    public void HypotSpecialValuesAreNumpysWithOneNaN()
    {
        float Bits(uint b) => BitConverter.UInt32BitsToSingle(b);
        var cases = new (float A, float B, uint Expected)[]
        {
            (float.PositiveInfinity, Bits(0x7FC00000), 0x7F800000),
            (float.NegativeInfinity, Bits(0x7FC00000), 0x7F800000),
            (Bits(0xFFC00000), float.NegativeInfinity, 0x7F800000),
            (float.NegativeInfinity, float.NegativeInfinity, 0x7F800000),
            (float.PositiveInfinity, 1f, 0x7F800000),
            (Bits(0x7FC00000), 1f, 0x7FC00000),
            (Bits(0xFFC00000), 1f, 0x7FC00000),
            (2f, Bits(0x7FC00123), 0x7FC00000),
            (Bits(0xFFC00000), Bits(0x7FC00000), 0x7FC00000),
            (3f, 4f, 0x40A00000),
            (-0f, 0f, 0x00000000),
        };
        foreach (var (a, b, expected) in cases)
        {
            for (int at = 0; at < 27; at++)
            {
                var x = new float[27];
                var y = new float[27];
                x[at] = a;
                y[at] = b;
                var r = new float[27];
                Hypot.Apply([x, y], 0, r);
                Assert.True(BitConverter.SingleToUInt32Bits(r[at]) == expected, $"hypot({a}, {b}) at {at}: 0x{BitConverter.SingleToUInt32Bits(r[at]):X8}, expected 0x{expected:X8}");
                var s = new float[27];
                Hypot.Scalar([x, y], s);
                Assert.Equal(expected, BitConverter.SingleToUInt32Bits(s[at]));
            }
        }
    }

    [Theory]
    [InlineData("peak", false)]
    [InlineData("range", false)]
    [InlineData("range", true)]
    public void ThreadedNormalizeAndHypotGiveTheSingleThreadBits(string method, bool withNaN)
    {
        var rng = new Random(21);
        int n = (3 * ElementwiseLoop.Block) + 77;
        var x = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 300) - 20)).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 300) - 20)).ToArray();
        x[n - 5] = 1000f; // the peak lies in the last, short block
        if (withNaN)
        {
            x[(2 * ElementwiseLoop.Block) + 3] = float.NaN;
        }

        var one = new float[n];
        var many = new float[n];
        Normalization.Apply(x, one, 255, method);
        Normalization.Apply(x, many, 255, method, threads: 4);
        Assert.Equal(one, many);
        Assert.Equal(withNaN, float.IsNaN(many[0]));
        if (!withNaN)
        {
            Assert.Equal(255f, many[n - 5]);
        }

        Hypot.Apply([x, y], one, threads: 1);
        Hypot.Apply([x, y], many, threads: 4);
        Assert.Equal(one, many);
    }
}

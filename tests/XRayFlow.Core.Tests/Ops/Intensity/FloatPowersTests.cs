using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>
/// FloatPowers (adjust_gamma / adjust_log on float images): every vector width gives the scalar rule's bits for every
/// length and with values the lanes cannot take (0, subnormals, infinities, NaN) at every position; the scalar rule
/// is the float64 value rounded once (checked against Math.Pow / Math.Log2 over a wide range of values).
/// </summary>
public class FloatPowersTests
{
    public static TheoryData<int> Widths()
    {
        var widths = new TheoryData<int> { 0 };
        if (FloatPowers.Widest >= 256)
        {
            widths.Add(256);
        }

        if (FloatPowers.Widest >= 512)
        {
            widths.Add(512);
        }

        return widths;
    }

    private static readonly float[] Specials =
        [0f, -0f, float.Epsilon, 1e-40f, float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, 1f, -2.5f, 1.1754944e-38f];

    private static float[] Values(Random random, int n, bool specials)
    {
        var a = new float[n];
        for (int k = 0; k < n; k++)
        {
            a[k] = random.Next(4) switch
            {
                0 => (float)random.NextDouble(),
                1 => (float)(random.NextDouble() * 4096),
                2 => (float)Math.Pow(2, (random.NextDouble() * 240) - 120),
                _ => (float)(1 + ((random.NextDouble() - 0.5) * 1e-3)),
            };
            if (specials && random.Next(9) == 0)
            {
                a[k] = Specials[random.Next(Specials.Length)];
            }
        }

        return a;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            if (BitConverter.SingleToInt32Bits(expected[k]) != BitConverter.SingleToInt32Bits(actual[k]))
            {
                Assert.Fail($"{what}: at {k} of {expected.Length}: expected {expected[k]:R}, got {actual[k]:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryWidthGivesTheScalarRuleForEveryLength(int bits)
    {
        var random = new Random(41);
        float[] gammas = [0.7f, 2.2f, 0.01f, 37f, 1.5f, 0f, -0.5f]; // 0 and negative: 0^gamma is 1 and infinity
        for (int n = 1; n <= 70; n++)
        {
            for (int trial = 0; trial < 14; trial++) // every exponent with and without special values
            {
                bool specials = trial % 2 == 1;
                var x = Values(random, n, specials);
                float gamma = gammas[trial % gammas.Length], gain = trial == 3 ? 1f : 0.75f;
                var got = new float[n];

                FloatPowers.Pow(x, got, gamma, gain, bits);
                AssertSameBits([.. x.Select(v => (FloatPowers.Pow(v, gamma) - 0f) * gain)], got, $"pow {gamma} ({bits} bits)");

                FloatPowers.Log2OnePlus(x, got, gain, bits);
                AssertSameBits([.. x.Select(v => FloatPowers.Log2(1f + v) * gain)], got, $"log2(1 + x) ({bits} bits)");

                // 2^x of values spread over the whole exponent range, overflow and underflow included.
                var e = x.Select(v => float.IsFinite(v) && Math.Abs(v) < 1e30f ? (v % 400f) - 200f : v).ToArray();
                FloatPowers.Exp2MinusOne(e, got, gain, bits);
                AssertSameBits([.. e.Select(v => (FloatPowers.Exp2(v) - 1f) * gain)], got, $"2^x - 1 ({bits} bits)");
            }
        }
    }

    [Fact]
    public void TheScalarRuleIsTheFloat64ValueRoundedOnce()
    {
        var random = new Random(5);
        int powMisses = 0, logMisses = 0, expMisses = 0;
        const int N = 200_000;
        for (int i = 0; i < N; i++)
        {
            float x = (float)Math.Pow(2, (random.NextDouble() * 250) - 125);
            float gamma = (float)((random.NextDouble() * 6) - 3);
            powMisses += Ulps((float)Math.Pow(x, gamma), FloatPowers.Pow(x, gamma));
            logMisses += Ulps((float)Math.Log2(x), FloatPowers.Log2(x));
            float y = (float)((random.NextDouble() * 300) - 150);
            expMisses += Ulps((float)Math.Pow(2, y), FloatPowers.Exp2(y));
        }

        // A miss is the other neighbour of a value within ~1e-13 of a tie: Math.Pow's own float64 error can flip it too.
        Assert.True(powMisses <= 3, $"pow: {powMisses} results one ulp from float64 rounded");
        Assert.True(logMisses <= 3, $"log2: {logMisses} results one ulp from float64 rounded");
        Assert.True(expMisses <= 3, $"exp2: {expMisses} results one ulp from float64 rounded");

        static int Ulps(float expected, float actual)
        {
            int d = Math.Abs(BitConverter.SingleToInt32Bits(expected) - BitConverter.SingleToInt32Bits(actual));
            Assert.True(d <= 1, $"expected {expected:R}, got {actual:R}");
            return d;
        }
    }

    [Fact]
    public void ExactCasesAreExact()
    {
        Assert.Equal(8f, FloatPowers.Pow(2f, 3f));
        Assert.Equal(3f, FloatPowers.Pow(9f, 0.5f));
        Assert.Equal(1f, FloatPowers.Pow(1f, 2.7f));
        Assert.Equal(0.25f, FloatPowers.Pow(0.5f, 2f));
        Assert.Equal(0f, FloatPowers.Pow(0f, 0.7f));
        Assert.Equal(float.PositiveInfinity, FloatPowers.Pow(float.PositiveInfinity, 0.7f));
        Assert.True(float.IsNaN(FloatPowers.Pow(float.NaN, 0.7f)));
        Assert.Equal(float.PositiveInfinity, FloatPowers.Pow(1e30f, 5f));
        Assert.Equal(0f, FloatPowers.Pow(1e-30f, 6f));
        Assert.Equal(MathF.Pow(1e-30f, 1.3f), FloatPowers.Pow(1e-30f, 1.3f)); // a subnormal result, rounded once
        Assert.Equal(1f, FloatPowers.Pow(1f, float.PositiveInfinity)); // C's pow: 1^inf is 1
        Assert.Equal(float.PositiveInfinity, FloatPowers.Pow(2f, float.PositiveInfinity));
        var ones = new float[20];
        FloatPowers.Pow([.. Enumerable.Repeat(1f, 20)], ones, float.PositiveInfinity, 1f);
        Assert.All(ones, v => Assert.Equal(1f, v));
        Assert.Equal(10f, FloatPowers.Log2(1024f));
        Assert.Equal(0f, FloatPowers.Log2(1f));
        Assert.Equal(-126f, FloatPowers.Log2(1.1754944e-38f));
        Assert.Equal(float.NegativeInfinity, FloatPowers.Log2(0f));
        Assert.Equal(1024f, FloatPowers.Exp2(10f));
        Assert.Equal(float.Epsilon, FloatPowers.Exp2(-149f));
        Assert.Equal(0f, FloatPowers.Exp2(-151f));
        Assert.Equal(float.PositiveInfinity, FloatPowers.Exp2(128f));
        Assert.Equal(0f, FloatPowers.Exp2(float.NegativeInfinity));
    }
}

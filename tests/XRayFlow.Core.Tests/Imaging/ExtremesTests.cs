using System.Numerics.Tensors;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Imaging;

/// <summary>Extremes.MinMax against its meaning, TensorPrimitives.Min and Max, as bits; Extremes.NanMinMax against its scalar loop.</summary>
public class ExtremesTests
{
    private static readonly float[] Specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, float.Epsilon, -float.MaxValue];

    [Fact]
    public void OnePassGivesTensorPrimitivesMinAndMaxForEveryLength()
    {
        // Lengths 1..300 (the vector loop, its four accumulators and the scalar tail), each with plain values, zeros
        // of both signs only, and a special value at a random place; fixed seed.
        var rng = new Random(21);
        for (int n = 1; n <= 300; n++)
        {
            for (int trial = 0; trial < 12; trial++)
            {
                var x = new float[n];
                for (int k = 0; k < n; k++)
                {
                    x[k] = trial % 3 == 0 ? (rng.Next(2) == 0 ? -0f : 0f) : (float)((rng.NextDouble() - 0.5) * 1e3);
                }

                if (trial % 3 == 1)
                {
                    x[rng.Next(n)] = Specials[rng.Next(Specials.Length)];
                }

                AssertSame(x, Extremes.MinMax(x), $"n {n} trial {trial}");
            }

            // One zero of the other sign among many: the minimum is -0 and the maximum +0 wherever it sits.
            foreach (var (many, one) in new[] { (0f, -0f), (-0f, 0f) })
            {
                var z = Enumerable.Repeat(many, n).ToArray();
                z[rng.Next(n)] = one;
                AssertSame(z, Extremes.MinMax(z), $"n {n}: one {one} among {many}");
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void PartsOnThreadsGiveOnePassesResult(int threads)
    {
        var rng = new Random(22 + threads);
        foreach (int n in new[] { 1 << 17, (1 << 18) + 5, 1_000_003 })
        {
            var x = new float[n];
            for (int k = 0; k < n; k++)
            {
                x[k] = (float)rng.NextDouble();
            }

            AssertSame(x, Extremes.MinMax(x, threads), $"n {n}");
            x[n - 1] = -0f; // the last part
            x[n / 3] = 5f;
            AssertSame(x, Extremes.MinMax(x, threads), $"n {n} with a peak");
            x[rng.Next(n)] = float.NaN;
            AssertSame(x, Extremes.MinMax(x, threads), $"n {n} with a NaN");
        }
    }

    [Fact]
    public void NanMinMaxEqualsTheScalarLoopForEveryLengthAndZeroSign()
    {
        // Lengths 0..300 cross every vector width and tail; -0 / +0 ties, NaN, infinities and a lone extreme at every
        // position; the sign of a zero bound is compared as bits.
        var rng = new Random(21);
        // NaNs of both signs and with payloads (-NaN's bits are the least signed integers after -0's).
        float[] specials = [0f, -0f, float.NaN, -float.NaN, BitConverter.Int32BitsToSingle(unchecked((int)0xFF800001)), BitConverter.Int32BitsToSingle(0x7F800001), float.PositiveInfinity, float.NegativeInfinity, 1f, -1f, float.Epsilon, -float.Epsilon];
        float[] zerosAndNans = [0f, -0f, float.NaN, -float.NaN, BitConverter.Int32BitsToSingle(unchecked((int)0xFFFFFFFF))];
        for (int n = 0; n <= 300; n++)
        {
            for (int trial = 0; trial < 5; trial++)
            {
                var x = new float[n];
                for (int k = 0; k < n; k++)
                {
                    x[k] = trial switch
                    {
                        0 => specials[rng.Next(specials.Length)],
                        1 => rng.Next(2) == 0 ? 0f : -0f,
                        2 => float.NaN,
                        4 => zerosAndNans[rng.Next(zerosAndNans.Length)],
                        _ => (float)rng.NextDouble(),
                    };
                }

                if (trial == 3 && n > 0)
                {
                    x[rng.Next(n)] = -5f;
                    x[rng.Next(n)] = 5f;
                }

                float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                bool nan = false;
                foreach (float v in x)
                {
                    if (float.IsNaN(v))
                    {
                        nan = true;
                    }
                    else
                    {
                        lo = Math.Min(lo, v);
                        hi = Math.Max(hi, v);
                    }
                }

                var want = lo > hi ? (float.NaN, float.NaN, nan) : (lo, hi, nan);
                var got = Extremes.NanMinMax(x.AsSpan());
                Assert.Equal(BitConverter.SingleToInt32Bits(want.Item1), BitConverter.SingleToInt32Bits(got.Min));
                Assert.Equal(BitConverter.SingleToInt32Bits(want.Item2), BitConverter.SingleToInt32Bits(got.Max));
                Assert.Equal(want.Item3, got.HasNan);
            }
        }
    }

    [Fact]
    public void NanMinMaxInPartsOnThreadsEqualsOnePass()
    {
        var rng = new Random(12);
        foreach (int n in new[] { 1, 1000, 300_000, 1 << 20 })
        {
            foreach (int nanEvery in new[] { 0, 1, 7 })
            {
                var x = new float[n];
                for (int k = 0; k < n; k++)
                {
                    x[k] = nanEvery == 1 || (nanEvery > 1 && rng.Next(nanEvery) == 0) ? float.NaN : (float)((rng.NextDouble() * 100) - 50);
                }

                if (n > 10 && nanEvery != 1)
                {
                    x[n - 1] = 1e6f; // the largest value in the last part
                }

                var one = Extremes.NanMinMax(x.AsSpan());
                foreach (int threads in new[] { 1, 2, 5 })
                {
                    Assert.Equal(one, Extremes.NanMinMax(x.AsSpan(), threads));
                }
            }
        }
    }

    private static void AssertSame(float[] x, (float Min, float Max) got, string what)
    {
        Assert.True(BitConverter.SingleToInt32Bits(TensorPrimitives.Min(x)) == BitConverter.SingleToInt32Bits(got.Min), $"{what}: min {got.Min} vs {TensorPrimitives.Min(x)}");
        Assert.True(BitConverter.SingleToInt32Bits(TensorPrimitives.Max(x)) == BitConverter.SingleToInt32Bits(got.Max), $"{what}: max {got.Max} vs {TensorPrimitives.Max(x)}");
    }
}

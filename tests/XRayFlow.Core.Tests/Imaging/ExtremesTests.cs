using System.Numerics.Tensors;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Imaging;

/// <summary>Extremes.MinMax against its meaning, TensorPrimitives.Min and Max, as bits.</summary>
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

    private static void AssertSame(float[] x, (float Min, float Max) got, string what)
    {
        Assert.True(BitConverter.SingleToInt32Bits(TensorPrimitives.Min(x)) == BitConverter.SingleToInt32Bits(got.Min), $"{what}: min {got.Min} vs {TensorPrimitives.Min(x)}");
        Assert.True(BitConverter.SingleToInt32Bits(TensorPrimitives.Max(x)) == BitConverter.SingleToInt32Bits(got.Max), $"{what}: max {got.Max} vs {TensorPrimitives.Max(x)}");
    }
}

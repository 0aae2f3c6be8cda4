using XRayFlow.Core.Ops.Elementwise;

namespace XRayFlow.Core.Tests.Ops.Elementwise;

/// <summary>
/// Every element-wise operator: the vector loop of <see cref="ElementwiseLoop"/> equals the operator's scalar meaning
/// bit for bit, for every length 1..64 (so every tail length), with NaN, infinities, -0 and denormals among the values,
/// in place and out of place. A new operator type fails <see cref="EveryOperatorTypeIsCovered"/> until it is listed here.
/// </summary>
public class ElementwiseOperatorTests
{
    private static readonly float[] Specials = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, float.Epsilon, -float.MaxValue, 1e-39f, 255f, -1f];

    /// <summary>The unary operators under test, with parameters that reach their edge cases.</summary>
    public static IEnumerable<object[]> Unary()
    {
        yield return [new Case<AbsOperator>(default)];
        foreach (var (lo, hi) in new[] { (-100f, 100f), (0f, float.PositiveInfinity), (float.NegativeInfinity, 5f), (50f, -50f), (float.NaN, 1f) })
        {
            yield return [new Case<ClipOperator>(new ClipOperator(lo, hi))];
        }

        foreach (float v in new[] { 0f, -0f, 3.25f, float.NaN, float.PositiveInfinity, 1e-39f })
        {
            yield return [new Case<AddValueOperator>(new AddValueOperator(v))];
            yield return [new Case<SubtractValueOperator>(new SubtractValueOperator(v))];
            yield return [new Case<MultiplyValueOperator>(new MultiplyValueOperator(v))];
        }

        foreach (var (o, k) in new[] { (0.0, 255.0 / 7), (-3.5, 0.1), (12.25, -2.0), (0.0, double.PositiveInfinity) })
        {
            yield return [new Case<ShiftScaleOperator>(new ShiftScaleOperator(o, k))];
        }

        double[][] bins = [[0], [-1e5, 0.1, 0.1, 255], [3e5, 1, -0.1, -1e39], [1e39, 2e39]];
        foreach (var b in bins)
        {
            yield return [new Case<DigitizeOperator>(DigitizeOperator.Of(b, right: false))];
            yield return [new Case<DigitizeOperator>(DigitizeOperator.Of(b, right: true))];
        }
    }

    public static IEnumerable<object[]> Binary()
    {
        yield return [new BinaryCase<AddOperator>(default)];
        yield return [new BinaryCase<SubtractOperator>(default)];
        yield return [new BinaryCase<MultiplyOperator>(default)];
        foreach (var (amount, lo, hi) in new[] { (1f, 0f, 1f), (-0.7f, -1f, 1f), (2.5f, float.NegativeInfinity, float.PositiveInfinity), (0f, 0f, 1f), (float.NaN, 0f, 1f) })
        {
            yield return [new BinaryCase<XRayFlow.Core.Ops.Filters.SharpenOperator>(new(amount, lo, hi))];
        }
    }

    [Theory]
    [MemberData(nameof(Unary))]
    public void UnaryVectorLoopEqualsScalarMeaning(ICase c) => c.Check();

    [Theory]
    [MemberData(nameof(Binary))]
    public void BinaryVectorLoopEqualsScalarMeaning(ICase c) => c.Check();

    [Fact]
    public void EveryOperatorTypeIsCovered()
    {
        var covered = Unary().Concat(Binary()).Select(o => ((ICase)o[0]).OperatorType).ToHashSet();
        var declared = typeof(ElementwiseLoop).Assembly.GetTypes()
            .Where(t => t.IsValueType && (typeof(IUnaryOperator).IsAssignableFrom(t) || typeof(IBinaryOperator).IsAssignableFrom(t)))
            .ToList();
        Assert.NotEmpty(declared);
        Assert.All(declared, t => Assert.True(covered.Contains(t), $"{t.Name} has no vector-vs-scalar case in {nameof(ElementwiseOperatorTests)}"));
    }

    [Fact]
    public void NumpyMeanings()
    {
        Assert.Equal(5f, new ClipOperator(-1, 5).Invoke(7));
        Assert.True(float.IsNaN(new ClipOperator(-1, 5).Invoke(float.NaN)));
        Assert.Equal(-50f, new ClipOperator(50, -50).Invoke(0)); // lo > hi: every value becomes hi, as numpy.clip
        Assert.Equal(0x80000000u, BitConverter.SingleToUInt32Bits(default(SubtractOperator).Invoke(-0f, 0f)));
        Assert.Equal(0f, default(AbsOperator).Invoke(-0f));
        Assert.Equal(255f, new ShiftScaleOperator(0, 255.0 / 7).Invoke(7));

        // numpy.digitize(x, [1, 2]) and right=True, then decreasing [2, 1]; x = NaN, -inf, 0, 1, 1.5, 2, 3, inf (numpy 1.24).
        float[] x = [float.NaN, float.NegativeInfinity, 0, 1, 1.5f, 2, 3, float.PositiveInfinity];
        Assert.Equal([2f, 0, 0, 1, 1, 2, 2, 2], x.Select(DigitizeOperator.Of([1, 2], right: false).Invoke));
        Assert.Equal([2f, 0, 0, 0, 1, 1, 2, 2], x.Select(DigitizeOperator.Of([1, 2], right: true).Invoke));
        Assert.Equal([0f, 2, 2, 1, 1, 0, 0, 0], x.Select(DigitizeOperator.Of([2, 1], right: false).Invoke));
        Assert.Equal([0f, 2, 2, 2, 1, 1, 0, 0], x.Select(DigitizeOperator.Of([2, 1], right: true).Invoke));

        // numpy compares in float64: float32(0.1) = 0.10000000149 is above the bin 0.1 either way.
        Assert.Equal(1f, DigitizeOperator.Of([0.1], right: false).Invoke(0.1f));
        Assert.Equal(1f, DigitizeOperator.Of([0.1], right: true).Invoke(0.1f));
        Assert.Equal(0f, DigitizeOperator.Of([0.1], right: true).Invoke(MathF.BitDecrement(0.1f)));
    }

    internal static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => i % 5 == 4 ? Specials[rng.Next(Specials.Length)] : (float)((rng.NextDouble() - 0.5) * 1e6)).ToArray();
    }

    public interface ICase
    {
        Type OperatorType { get; }

        void Check();
    }

    public sealed record Case<T>(T Op) : ICase
        where T : struct, IUnaryOperator
    {
        public Type OperatorType => typeof(T);

        public void Check()
        {
            for (int n = 1; n <= 64; n++)
            {
                var x = Values(n, n);
                var scalar = new float[n];
                var vector = new float[n];
                ElementwiseLoop.InvokeScalar(x, scalar, Op);
                ElementwiseLoop.Invoke(x, vector, Op);
                Assert.Equal(scalar.Select(BitConverter.SingleToInt32Bits), vector.Select(BitConverter.SingleToInt32Bits));
                ElementwiseLoop.Invoke(x, x, Op); // in place
                Assert.Equal(scalar.Select(BitConverter.SingleToInt32Bits), x.Select(BitConverter.SingleToInt32Bits));
            }
        }

        public override string ToString() => Op.ToString() ?? typeof(T).Name;
    }

    public sealed record BinaryCase<T>(T Op) : ICase
        where T : struct, IBinaryOperator
    {
        public Type OperatorType => typeof(T);

        public void Check()
        {
            for (int n = 1; n <= 64; n++)
            {
                var x = Values(n, n);
                var y = Values(n, n + 1000);
                var scalar = new float[n];
                var vector = new float[n];
                ElementwiseLoop.InvokeScalar(x, y, scalar, Op);
                ElementwiseLoop.Invoke(x, y, vector, Op);
                Assert.Equal(scalar.Select(BitConverter.SingleToInt32Bits), vector.Select(BitConverter.SingleToInt32Bits));
            }
        }

        public override string ToString() => Op.ToString() ?? typeof(T).Name;
    }
}

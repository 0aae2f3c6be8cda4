using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// correlate / convolve (Correlate): every vector width gives the scalar meaning's bits for every row length 1..70,
/// every boundary mode, kernels of odd and even shapes with every origin, weights SciPy skips, NaN and infinities, and
/// 1 or 2 threads; convolve is correlate with SciPy's reversal; the scalar meaning by hand on small cases. The op
/// against SciPy: tests/fixtures/ops (correlate, convolve).
/// </summary>
public class CorrelateTests
{
    public static TheoryData<int> Widths() => VectorWidths.UpTo(Correlate.Widest);

    private static readonly BoundaryMode[] Modes = Enum.GetValues<BoundaryMode>();

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryWidthGivesTheScalarMeaningForEveryLengthAndMode(int bits)
    {
        var random = new Random(20261206);
        for (int cols = 1; cols <= 70; cols++)
        {
            foreach (var mode in Modes)
            {
                int rows = 1 + random.Next(9);
                bool convolve = cols % 4 < 2, line = cols % 3 == 0; // correlate1d on the frames with NaN / inf
                int k0 = 1 + random.Next(5), k1 = 1 + random.Next(6);
                var weights = line ? LineWeights(random, axis0: cols % 2 == 0) : Weights(random, k0, k1);
                (k0, k1) = (weights.Length, weights[0].Length);
                int[] origin = [random.Next(-(k0 / 2), ((k0 - 1) / 2) + 1), random.Next(-(k1 / 2), ((k1 - 1) / 2) + 1)];
                var image = Image(random, rows, cols, specials: cols % 3 == 0);
                double cval = cols % 2 == 0 ? 0.1 : -3.5; // 0.1: not a float32 (SciPy multiplies the float64)
                var expected = Correlate.Reference(image.Data, rows, cols, weights, origin, mode, cval, convolve, line);
                var got = Correlate.Apply(image, weights, origin, mode, cval, convolve, line, threads: 1 + (cols % 2), bits);
                AssertSameBits(expected, got.Data, $"{rows} x {cols}, {k0} x {k1} weights, origin [{origin[0]}, {origin[1]}], {mode}, convolve {convolve}, line {line}, {bits} bits");
            }
        }
    }

    [Fact]
    public void ALargeFrameOnTwoThreadsIsTheScalarMeaning()
    {
        var random = new Random(7);
        var image = Image(random, 301, 257, specials: false);
        var weights = Weights(random, 7, 5);
        var expected = Correlate.Reference(image.Data, 301, 257, weights, [1, -2], BoundaryMode.Mirror, 0, convolve: false);
        AssertSameBits(expected, Correlate.Apply(image, weights, [1, -2], BoundaryMode.Mirror, 0, convolve: false, threads: 2).Data, "301 x 257");
    }

    [Fact]
    public void TheScalarMeaningIsSciPysSumByHand()
    {
        // 1 x 3 row [1, 2, 4], weights [[1, 10, 100]], reflect (d c b a | a b c d): out[j] = x[j-1] + 10 x[j] + 100 x[j+1].
        float[] x = [1, 2, 4];
        double[][] w = [[1, 10, 100]];
        Assert.Equal([1 + 10 + 200f, 1 + 20 + 400f, 2 + 40 + 400f], Correlate.Reference(x, 1, 3, w, null, BoundaryMode.Reflect, 0, convolve: false));

        // convolve reverses the weights: out[j] = 100 x[j-1] + 10 x[j] + x[j+1].
        Assert.Equal([100 + 10 + 2f, 100 + 20 + 4f, 200 + 40 + 4f], Correlate.Reference(x, 1, 3, w, null, BoundaryMode.Reflect, 0, convolve: true));

        // constant mode multiplies cval; origin 1 makes the last cell the centre (k // 2 + origin = 2):
        // out[j] = x[j-2] + 10 x[j-1] + 100 x[j] (SciPy gives [177, 217, 421]).
        Assert.Equal([7 + 70 + 100f, 7 + 10 + 200f, 1 + 20 + 400f], Correlate.Reference(x, 1, 3, w, [0, 1], BoundaryMode.Constant, 7, convolve: false));
    }

    [Fact]
    public void WeightsSciPySkipsNeverMultiplyAndAnEvenAxisShiftsConvolvesOrigin()
    {
        // A 1e-17 weight is skipped (|w| <= DBL_EPSILON), so its product with infinity makes no NaN.
        float[] x = [float.PositiveInfinity, 1, 2];
        double[][] w = [[1e-17, 1, 0]];
        var got = Correlate.Apply(new ImageArray(1, 3, x), w, null, BoundaryMode.Nearest, 0, convolve: false, threads: 1);
        Assert.Equal([float.PositiveInfinity, 1f, 2f], got.Data[..3]);

        // Even length 2: convolve's origin is -0 - 1 = -1, so [a, b] reversed to [b, a] reads x[j], x[j + 1].
        double[][] pair = [[1, 10]];
        var conv = Correlate.Apply(new ImageArray(1, 3, [1, 2, 4]), pair, null, BoundaryMode.Nearest, 0, convolve: true, threads: 1);
        Assert.Equal([(10 * 1) + 2f, (10 * 2) + 4f, (10 * 4) + 4f], conv.Data[..3]);
        Assert.Equal((pair, 0, 0), (Correlate.Oriented(pair, null, convolve: false).Weights, 0, 0));
        Assert.Equal(-1, Correlate.Oriented(pair, [0, 0], convolve: true).O1);
        Assert.Equal(0, Correlate.Oriented([[1, 2, 3]], [0, 0], convolve: true).O1);
    }

    [Fact]
    public void ALineMultipliesEveryWeightAsCorrelate1dAlongEitherAxis()
    {
        // correlate1d([inf, 1, 2], [1, 0, 1]) is NaN at 1 (0 x inf), where correlate's 2-D rule skips the zero weight.
        var row = new ImageArray(1, 3, [float.PositiveInfinity, 1, 2]);
        var line = Correlate.Line(row, [1, 0, 1], axis: -1, origin: 0, BoundaryMode.Constant, 0, convolve: false, threads: 1);
        Assert.True(float.IsNaN(line.Data[0]));
        Assert.Equal(float.PositiveInfinity, line.Data[1]);
        Assert.Equal(1f, Correlate.Apply(row, [[1, 0, 1]], null, BoundaryMode.Constant, 0, convolve: false, threads: 1).Data[0]);

        // Along axis 0 a column: the same numbers as the transposed row (convolve1d's even-length origin too).
        var random = new Random(11);
        var image = Image(random, 9, 13, specials: false);
        var transposed = new ImageArray(13, 9, new float[117]);
        for (int i = 0; i < 9; i++)
        {
            for (int j = 0; j < 13; j++)
            {
                transposed.Data[(j * 9) + i] = image.Data[(i * 13) + j];
            }
        }

        double[] w = [0.25, -1.5, 2, 0.125];
        var down = Correlate.Line(image, w, axis: 0, origin: -1, BoundaryMode.Mirror, 0, convolve: true, threads: 2);
        var along = Correlate.Line(transposed, w, axis: 1, origin: -1, BoundaryMode.Mirror, 0, convolve: true, threads: 2);
        for (int i = 0; i < 9; i++)
        {
            for (int j = 0; j < 13; j++)
            {
                Assert.Equal(along.Data[(j * 9) + i], down.Data[(i * 13) + j]);
            }
        }
    }

    [Fact]
    public void ALineSumsItsTermsInNiCorrelate1DsOrder()
    {
        // Symmetric: the centre, then the pairs from the outermost in; antisymmetric alike with differences; any other
        // kernel starts from its last tap; weights within DBL_EPSILON of symmetric pair up (the left weight for both).
        var symmetric = Correlate.PlanOf([[0.25, 0.5, 0.25]], line: true);
        Assert.Equal(Correlate.Summation.Symmetric, symmetric.How);
        Assert.Equal([(0, 1), (0, 0)], symmetric.First);
        Assert.Equal((0, 2), symmetric.Second[1]);
        Assert.Equal(Correlate.Summation.Antisymmetric, Correlate.PlanOf([[-1], [0], [1]], line: true).How);
        Assert.Equal(Correlate.Summation.Symmetric, Correlate.PlanOf([[1.0000000000000002, 5, 1]], line: true).How);
        var general = Correlate.PlanOf([[0.5, -1.25, 2, 0.1]], line: true);
        Assert.Equal(Correlate.Summation.FirstAssigned, general.How);
        Assert.Equal([0.1, 0.5, -1.25, 2], general.W);
        var correlate = Correlate.PlanOf([[1, 0, 2]], line: false); // correlate skips the zero weight, from 0.0
        Assert.Equal(Correlate.Summation.FromZero, correlate.How);
        Assert.Equal([(0, 0), (0, 2)], correlate.First);

        // The first product starts the sum (correlate1d keeps -0) where correlate adds it to 0.0 (+0).
        var zeros = new ImageArray(1, 2, [-0f, -0f]);
        Assert.True(float.IsNegative(Correlate.Line(zeros, [1.0], axis: 1, origin: 0, BoundaryMode.Nearest, 0, convolve: false, threads: 1).Data[0]));
        Assert.False(float.IsNegative(Correlate.Apply(zeros, [[1.0]], null, BoundaryMode.Nearest, 0, convolve: false, threads: 1).Data[0]));

        // The order decides the last bit: SciPy's correlate1d of this column gives -3.0260346 (from the last tap
        // first); the taps in order would give -3.0260344 (tests/fixtures/ops: correlate1d col17).
        float[] x = [-5.36088228225708f, -1.7227638959884644f, -3.270050048828125f, -2.3202123641967773f, 0.2705106735229492f];
        double[] w = [1 / 3.0, 1 / 7.0, 0.2, 1 / 9.0, -0.3];
        var line = Correlate.Line(new ImageArray(1, 5, x), w, axis: 1, origin: 0, BoundaryMode.Nearest, 0, convolve: false, threads: 1);
        Assert.Equal(-3.0260346f, line.Data[2]);
    }

    [Fact]
    public void AStackIsFilteredFrameByFrame()
    {
        var random = new Random(3);
        var stack = ImageArray.Stack(3, 6, 11);
        for (int k = 0; k < stack.Length; k++)
        {
            stack.Data[k] = (float)random.NextDouble();
        }

        double[][] w = [[0.5, -1], [2, 0.25]];
        var got = Correlate.Apply(stack, w, null, BoundaryMode.Wrap, 0, convolve: true, threads: 2);
        for (int f = 0; f < 3; f++)
        {
            var expected = Correlate.Reference(stack.Frame(f), 6, 11, w, null, BoundaryMode.Wrap, 0, convolve: true);
            AssertSameBits(expected, got.Frame(f).ToArray(), $"frame {f}");
        }
    }

    private static double[][] Weights(Random random, int k0, int k1)
    {
        var w = new double[k0][];
        for (int a = 0; a < k0; a++)
        {
            w[a] = new double[k1];
            for (int b = 0; b < k1; b++)
            {
                w[a][b] = random.Next(8) switch
                {
                    0 => 0,
                    1 => 1e-17, // skipped, as SciPy
                    _ => Math.Round((random.NextDouble() - 0.4) * 3, random.Next(1, 16)),
                };
            }
        }

        return w;
    }

    /// <summary>A 1-D kernel of 1..9 weights as one column or one row: general, symmetric or antisymmetric (each of
    /// correlate1d's orders of terms), with zeros among them (correlate1d multiplies them).</summary>
    private static double[][] LineWeights(Random random, bool axis0)
    {
        var w = Weights(random, 1, 1 + random.Next(9))[0];
        int n = w.Length, c = n / 2;
        switch (random.Next(3))
        {
            case 0 when n % 2 == 1:
                for (int m = 1; m <= c; m++)
                {
                    w[c + m] = w[c - m]; // symmetric
                }

                break;
            case 1 when n % 2 == 1:
                for (int m = 1; m <= c; m++)
                {
                    w[c + m] = -w[c - m]; // antisymmetric (the centre may be anything: SciPy pairs it so too)
                }

                break;
        }

        return Correlate.LineMatrix(w, axis0 ? 0 : 1);
    }

    private static ImageArray Image(Random random, int rows, int cols, bool specials)
    {
        float[] odd = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 1e-40f, float.MaxValue];
        var image = new ImageArray(rows, cols, new float[rows * cols]);
        for (int k = 0; k < image.Length; k++)
        {
            image.Data[k] = specials && random.Next(15) == 0 ? odd[random.Next(odd.Length)] : (float)((random.NextDouble() - 0.3) * 255);
        }

        return image;
    }

    private static void AssertSameBits(float[] expected, ReadOnlySpan<float> actual, string what)
    {
        for (int k = 0; k < expected.Length; k++)
        {
            if (BitConverter.SingleToInt32Bits(expected[k]) != BitConverter.SingleToInt32Bits(actual[k]))
            {
                Assert.Fail($"{what}: at {k} of {expected.Length}: expected {expected[k]:R}, got {actual[k]:R}");
            }
        }
    }
}

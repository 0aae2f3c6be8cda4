using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// The fast (SIMD, fused, parallel) kernels against their scalar meaning, for every length 1..64 along
/// rows and along columns and every boundary mode, on random data with fixed seeds.
/// </summary>
public class KernelConsistencyTests
{
    /// <summary>
    /// |fast − scalar| ≤ this · Σ|w0| · Σ|w1| · max(|x|, |cval|): float32 accumulation (with FMA) against a
    /// double accumulation of the same float32 weights, a few ulps per tap.
    /// </summary>
    public const double SimdVsScalarTolerance = 2e-6;

    public static IEnumerable<object[]> ModesAndKernels()
    {
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            foreach (var kernel in KernelNames)
            {
                yield return [mode, kernel];
            }
        }
    }

    public static IEnumerable<object[]> Modes() => Enum.GetValues<BoundaryMode>().Select(m => new object[] { m });

    private static readonly string[] KernelNames = ["gauss1.3", "dgauss1.3", "d2gauss0.7", "uniform4-origin-1", "sobel-axis1", "gauss9", "skew5", "box21"];

    [Theory]
    [MemberData(nameof(ModesAndKernels))]
    public void SeparableFastPathEqualsScalarForEveryLength(BoundaryMode mode, string kernelName)
    {
        var (k0, k1, axis1First) = Kernels(kernelName);
        for (int n = 1; n <= 64; n++)
        {
            foreach (var (rows, cols) in new[] { (n, 13), (13, n) })
            {
                Check(rows, cols, k0, k1, axis1First, mode, seed: (n * 1000) + rows + (int)mode);
                Check(rows, cols, k0, null, false, mode, seed: (n * 1000) + rows + 7);
                Check(rows, cols, null, k1, false, mode, seed: (n * 1000) + rows + 11);
            }
        }
    }

    /// <summary>
    /// Kernels of 24+ taps take the four-rows-per-sweep column pass: every column count 1..64 (vector tails,
    /// the scalar fallback below two vectors), row counts that leave 0..3 rows to the one-row path, every mode.
    /// </summary>
    [Theory]
    [MemberData(nameof(Modes))]
    public void LongColumnKernelsEqualScalarForEveryColumnCountAndRowRemainder(BoundaryMode mode)
    {
        var longSymmetric = Kernel1D.Gaussian(3.5, 0); // 29 taps
        var longSkew = new Kernel1D([.. Enumerable.Range(0, 26).Select(i => Math.Sin(i * 0.7) + 0.1)], origin: 3);
        foreach (var k0 in new[] { longSymmetric, longSkew })
        {
            for (int cols = 1; cols <= 64; cols++)
            {
                int rows = k0.Length + (cols % 4) + 2;
                Check(rows, cols, k0, null, false, mode, seed: (cols * 31) + (int)mode);
                Check(rows, cols, k0, Kernel1D.Gaussian(1.1, 1), true, mode, seed: (cols * 37) + (int)mode);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndKernels))]
    public void SeparableFastPathEqualsScalarOnALargeFrameAcrossStrips(BoundaryMode mode, string kernelName)
    {
        var (k0, k1, axis1First) = Kernels(kernelName);
        Check(150, 263, k0, k1, axis1First, mode, seed: 99 + (int)mode);
    }

    public static IEnumerable<object[]> ModesAndPairs()
    {
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            foreach (var pair in new[] { "log1.3", "ggm0.9", "laplace", "ggm5" })
            {
                yield return [mode, pair];
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndPairs))]
    public void FusedPairEqualsScalarForEveryLength(BoundaryMode mode, string pairName)
    {
        var (a0, a1, b0, b1, combine) = Pair(pairName);
        double gain = Math.Max((a0?.AbsSum ?? 1) * (a1?.AbsSum ?? 1), (b0?.AbsSum ?? 1) * (b1?.AbsSum ?? 1));
        var sizes = Enumerable.Range(1, 64).SelectMany(n => new[] { (n, 13), (13, n) }).Append((150, 263));
        foreach (var (rows, cols) in sizes)
        {
            var rng = new Random((rows * 977) + cols + (int)mode);
            var x = RandomFrame(rng, rows, cols);
            // cval 0 takes the fused path in constant mode too; cval != 0 the unfused one.
            float cval = (rows + cols) % 2 == 0 ? 0f : 4.5f;
            var fast = new float[x.Length];
            var slow = new float[x.Length];
            SeparableFilter.ApplyPair(x, 0, fast, 0, rows, cols, a0, a1, b0, b1, mode, cval, combine, threads: 2);
            SeparableFilter.ReferencePair(x, 0, slow, 0, rows, cols, a0, a1, b0, b1, mode, cval, combine);
            double bound = 2 * gain * Math.Max(x.Max(Math.Abs), Math.Abs(cval));
            for (int k = 0; k < x.Length; k++)
            {
                Assert.True(
                    Math.Abs(fast[k] - slow[k]) <= SimdVsScalarTolerance * bound,
                    $"{pairName} {rows}x{cols} {mode}: at {k} fast {fast[k]} scalar {slow[k]}");
            }
        }
    }

    public static IEnumerable<object[]> ModesAndLinearKernels()
        => ModesAndKernels().Where(k => !((string)k[1]).StartsWith("uniform", StringComparison.Ordinal) && !((string)k[1]).StartsWith("box", StringComparison.Ordinal));

    /// <summary>
    /// NaN and infinities land where the scalar meaning (SciPy's correlate1d: every tap multiplied, the zero centre
    /// weight of a derivative included) puts them: NaN where it has NaN, its infinities, and the finite values within
    /// the tolerance. The fast paths once skipped that centre (sobel of a NaN pixel was finite there, SciPy's NaN) and
    /// the short-axis pass multiplied samples no tap reads (0 x NaN: NaN where SciPy has a number) or gave an infinity
    /// read by weights of both signs its folded weight's sign (SciPy's inf - inf is NaN). Every length 1..40 along each
    /// axis (short axes: the folded passes), and a frame large enough for the 512-bit and strip paths; uniform_filter's
    /// running mean is a known difference (README).
    /// </summary>
    [Theory]
    [MemberData(nameof(ModesAndLinearKernels))]
    public void NaNAndInfinitiesFallWhereTheScalarMeaningPutsThem(BoundaryMode mode, string kernelName)
    {
        var (k0, k1, axis1First) = Kernels(kernelName);
        var sizes = Enumerable.Range(1, 40).SelectMany(n => new[] { (n, 13), (13, n) }).Append((150, 263));
        int nonFinite = 0;
        foreach (var (rows, cols) in sizes)
        {
            var rng = new Random((rows * 131) + cols + (int)mode);
            var x = FrameWithNonFinite(rng, rows, cols);

            float cval = rows % 2 == 0 ? 0f : -3.25f;
            foreach (var (a, b) in new[] { (k0, k1), (k0, null), (null, k1) })
            {
                var fast = new float[x.Length];
                var slow = new float[x.Length];
                SeparableFilter.Apply(x, 0, fast, 0, rows, cols, a, b, mode, cval, axis1First, threads: 2);
                SeparableFilter.Reference(x, 0, slow, 0, rows, cols, a, b, mode, cval, axis1First);
                double bound = (a?.AbsSum ?? 1) * (b?.AbsSum ?? 1) * Math.Max(x.Where(float.IsFinite).Max(Math.Abs), Math.Abs(cval));
                nonFinite += AssertSameNonFinite(fast, slow, SimdVsScalarTolerance * bound, $"{kernelName} {rows}x{cols} {mode} axis0={a?.Length} axis1={b?.Length}");
            }
        }

        Assert.True(nonFinite > 1000, $"only {nonFinite} non-finite values checked");
    }

    /// <summary>
    /// The pairs (gaussian_laplace, gaussian_gradient_magnitude, laplace) on frames with NaN or infinities, fused (cval 0)
    /// and unfused (cval 4.5, short axes): NaN where the scalar meaning has NaN, its infinities. The unfused path once
    /// combined the gradient magnitude with IEEE's hypot (TensorPrimitives), +inf beside a NaN, where SciPy's
    /// generic_gradient_magnitude squares, adds and takes the square root: NaN.
    /// </summary>
    [Theory]
    [MemberData(nameof(ModesAndPairs))]
    public void PairsGiveTheReferencesNaNAndInfinities(BoundaryMode mode, string pairName)
    {
        var (a0, a1, b0, b1, combine) = Pair(pairName);
        double gain = Math.Max((a0?.AbsSum ?? 1) * (a1?.AbsSum ?? 1), (b0?.AbsSum ?? 1) * (b1?.AbsSum ?? 1));
        var sizes = Enumerable.Range(1, 40).SelectMany(n => new[] { (n, 13), (13, n) }).Append((150, 263)).Append((90, 70));
        int nonFinite = 0;
        foreach (var (rows, cols) in sizes)
        {
            var rng = new Random((rows * 211) + cols + (int)mode);
            var x = FrameWithNonFinite(rng, rows, cols);

            foreach (float cval in new[] { 0f, 4.5f })
            {
                var fast = new float[x.Length];
                var slow = new float[x.Length];
                SeparableFilter.ApplyPair(x, 0, fast, 0, rows, cols, a0, a1, b0, b1, mode, cval, combine, threads: 2);
                SeparableFilter.ReferencePair(x, 0, slow, 0, rows, cols, a0, a1, b0, b1, mode, cval, combine);
                double bound = 2 * gain * Math.Max(x.Where(float.IsFinite).Max(Math.Abs), Math.Abs(cval));
                nonFinite += AssertSameNonFinite(fast, slow, SimdVsScalarTolerance * bound, $"{pairName} {rows}x{cols} {mode} cval {cval}");
            }
        }

        Assert.True(nonFinite > 1000, $"only {nonFinite} non-finite values checked");
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void MedianFastPathEqualsScalarForEveryLength(BoundaryMode mode)
    {
        (int S0, int S1, int O0, int O1)[] windows = [(3, 3, 0, 0), (2, 4, 0, -1), (5, 5, 1, -1), (1, 7, 0, 3), (12, 11, -5, 2)];
        foreach (var (s0, s1, o0, o1) in windows)
        {
            for (int n = 1; n <= 64; n++)
            {
                foreach (var (rows, cols) in new[] { (n, 11), (11, n) })
                {
                    var rng = new Random((n * 31) + rows + s0 + (int)mode);
                    var x = RandomFrame(rng, rows, cols);
                    var fast = new float[x.Length];
                    var slow = new float[x.Length];
                    MedianFilter.Apply(x, 0, fast, 0, rows, cols, s0, s1, o0, o1, mode, 2.5f, threads: 2);
                    MedianFilter.Reference(x, 0, slow, 0, rows, cols, s0, s1, o0, o1, mode, 2.5f);
                    Assert.True(fast.AsSpan().SequenceEqual(slow), $"median {s0}x{s1} origin ({o0}, {o1}) {mode} on {rows}x{cols} differs");
                }
            }
        }
    }

    [Fact]
    public void MedianOnALargeFrameEqualsScalar()
    {
        var rng = new Random(5);
        var x = RandomFrame(rng, 157, 203);
        foreach (var (s0, s1) in new[] { (3, 3), (7, 7), (12, 12) })
        {
            var fast = new float[x.Length];
            var slow = new float[x.Length];
            MedianFilter.Apply(x, 0, fast, 0, 157, 203, s0, s1, 0, 0, BoundaryMode.Reflect, 0f, threads: 2);
            MedianFilter.Reference(x, 0, slow, 0, 157, 203, s0, s1, 0, 0, BoundaryMode.Reflect, 0f);
            Assert.True(fast.AsSpan().SequenceEqual(slow), $"median {s0}x{s1} differs");
        }
    }

    [Fact]
    public void MedianNetworksSelectTheRankForEveryWindowSize()
    {
        var rng = new Random(17);
        for (int n = 1; n <= MedianFilter.MaxNetworkSize; n++)
        {
            int rank = n / 2;
            var (a, b) = MedianFilter.Network(n, rank);
            for (int trial = 0; trial < 20; trial++)
            {
                var v = Enumerable.Range(0, n).Select(_ => (float)rng.Next(-5, 6)).ToArray();
                var sorted = v.OrderBy(x => x).ToArray();
                for (int c = 0; c < a.Length; c++)
                {
                    (v[a[c]], v[b[c]]) = (Math.Min(v[a[c]], v[b[c]]), Math.Max(v[a[c]], v[b[c]]));
                }

                Assert.Equal(sorted[rank], v[rank]);
            }
        }
    }

    [Fact]
    public void Median9NetworkIsExactOnAllBinaryWindows()
    {
        // 0-1 principle: a comparator network that selects the median of every 0/1 input selects it for all inputs.
        for (int bits = 0; bits < 512; bits++)
        {
            var p = Enumerable.Range(0, 9).Select(k => new System.Numerics.Vector<float>((bits >> k) & 1)).ToArray();
            float expected = System.Numerics.BitOperations.PopCount((uint)bits) >= 5 ? 1f : 0f;
            Assert.Equal(expected, MedianFilter.Median9<IeeeOrder>(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8])[0]);
            Assert.Equal(expected, MedianFilter.Median9<NativeOrder>(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8])[0]);
        }
    }

    [Fact]
    public void ThreadLimitOfOneGivesTheSameResult()
    {
        var rng = new Random(3);
        var x = RandomFrame(rng, 200, 170);
        var k = Kernel1D.Gaussian(2.0, 1);
        var one = new float[x.Length];
        var two = new float[x.Length];
        SeparableFilter.Apply(x, 0, one, 0, 200, 170, k, k, BoundaryMode.Mirror, 0f, threads: 1);
        SeparableFilter.Apply(x, 0, two, 0, 200, 170, k, k, BoundaryMode.Mirror, 0f, threads: 2);
        Assert.Equal(one, two);
    }

    private static void Check(int rows, int cols, Kernel1D? k0, Kernel1D? k1, bool axis1First, BoundaryMode mode, int seed)
    {
        var rng = new Random(seed);
        var x = RandomFrame(rng, rows, cols);
        // cval 0 lets constant mode run the row pass first too; cval != 0 keeps SciPy's column-first order.
        float cval = seed % 2 == 0 ? 0f : -3.25f;

        // Run on a frame inside a bigger array, to exercise the offsets too.
        var src = new float[x.Length + 5];
        x.CopyTo(src, 5);
        var fast = new float[x.Length + 3];
        var slow = new float[x.Length];
        SeparableFilter.Apply(src, 5, fast, 3, rows, cols, k0, k1, mode, cval, axis1First, threads: 2);
        SeparableFilter.Reference(x, 0, slow, 0, rows, cols, k0, k1, mode, cval, axis1First);
        double bound = (k0?.AbsSum ?? 1) * (k1?.AbsSum ?? 1) * Math.Max(x.Max(Math.Abs), Math.Abs(cval));
        for (int k = 0; k < slow.Length; k++)
        {
            double diff = Math.Abs(fast[k + 3] - slow[k]);
            Assert.True(
                diff <= SimdVsScalarTolerance * bound,
                $"{rows}x{cols} {mode} axis0={k0?.Length} axis1={k1?.Length} first1={axis1First}: at {k} fast {fast[k + 3]} scalar {slow[k]} (diff {diff:g3} > {SimdVsScalarTolerance * bound:g3})");
        }
    }

    /// <summary>
    /// Asserts fast is NaN where slow is, has its infinities, and is within <paramref name="limit"/> of its finite
    /// values; returns how many of slow's values are not finite.
    /// </summary>
    private static int AssertSameNonFinite(float[] fast, float[] slow, double limit, string what)
    {
        int nonFinite = 0;
        for (int k = 0; k < slow.Length; k++)
        {
            bool same = float.IsFinite(slow[k])
                ? Math.Abs(fast[k] - slow[k]) <= limit
                : float.IsNaN(slow[k]) ? float.IsNaN(fast[k]) : fast[k] == slow[k];
            Assert.True(same, $"{what}: at {k} fast {fast[k]} scalar {slow[k]}");
            nonFinite += float.IsFinite(slow[k]) ? 0 : 1;
        }

        return nonFinite;
    }

    /// <summary><see cref="RandomFrame"/> with 1-3 of its values NaN, +inf or -inf.</summary>
    private static float[] FrameWithNonFinite(Random rng, int rows, int cols)
    {
        var x = RandomFrame(rng, rows, cols);
        foreach (int _ in Enumerable.Range(0, 1 + rng.Next(3)))
        {
            x[rng.Next(x.Length)] = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity }[rng.Next(3)];
        }

        return x;
    }

    private static float[] RandomFrame(Random rng, int rows, int cols)
        => Enumerable.Range(0, rows * cols).Select(_ => (float)((rng.NextDouble() * 200) - 50)).ToArray();

    private static (Kernel1D? A0, Kernel1D? A1, Kernel1D? B0, Kernel1D? B1, PairCombine Combine) Pair(string name) => name switch
    {
        "log1.3" => (Kernel1D.Gaussian(1.3, 2), Kernel1D.Gaussian(1.3, 0), Kernel1D.Gaussian(1.3, 0), Kernel1D.Gaussian(1.3, 2), PairCombine.Sum),
        "ggm0.9" => (Kernel1D.Gaussian(0.9, 1), Kernel1D.Gaussian(0.9, 0), Kernel1D.Gaussian(0.9, 0), Kernel1D.Gaussian(0.9, 1), PairCombine.Hypot),
        "ggm5" => (Kernel1D.Gaussian(5, 1), Kernel1D.Gaussian(2, 0), Kernel1D.Gaussian(5, 0), Kernel1D.Gaussian(2, 1), PairCombine.Hypot),
        "laplace" => (new Kernel1D([1.0, -2.0, 1.0]), null, null, new Kernel1D([1.0, -2.0, 1.0]), PairCombine.Sum),
        _ => throw new ArgumentException(name),
    };

    private static (Kernel1D? K0, Kernel1D? K1, bool Axis1First) Kernels(string name) => name switch
    {
        "gauss1.3" => (Kernel1D.Gaussian(1.3, 0), Kernel1D.Gaussian(1.3, 0), false),
        "dgauss1.3" => (Kernel1D.Gaussian(1.3, 1), Kernel1D.Gaussian(1.3, 0), false),
        "d2gauss0.7" => (Kernel1D.Gaussian(0.7, 0), Kernel1D.Gaussian(0.7, 2), false),
        "uniform4-origin-1" => (Kernel1D.Uniform(4, -1), Kernel1D.Uniform(4, 1), false),
        "sobel-axis1" => (new Kernel1D([1.0, 2.0, 1.0]), new Kernel1D([-1.0, 0.0, 1.0]), true),
        "gauss9" => (Kernel1D.Gaussian(9, 0), Kernel1D.Gaussian(9, 1), true),
        "box21" => (Kernel1D.Uniform(21, 3), Kernel1D.Uniform(12, -6), false),
        "skew5" => (new Kernel1D([0.5, -1.0, 2.0, 0.25, 3.0], origin: 2), new Kernel1D([1.0, 2.0, 3.0, 4.0, 5.0], origin: -2), false),
        _ => throw new ArgumentException(name),
    };
}

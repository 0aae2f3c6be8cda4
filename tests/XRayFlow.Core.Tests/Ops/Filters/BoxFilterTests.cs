using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// The box (uniform_filter) path of <see cref="SeparableFilter.Apply"/> — column running sums in double and
/// doubling sums along the rows in float32, fused per row — against its scalar meaning
/// <see cref="SeparableFilter.Reference"/> (each tap in double, rounded once per pass), for every axis length
/// 1..64, every boundary mode and box sizes 3, 8, 9, 21, 64, on random data with fixed seeds.
/// </summary>
public class BoxFilterTests
{
    private const double U = 1.0 / (1 << 24);

    public static IEnumerable<object[]> ModesAndSizes()
    {
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            foreach (int size in new[] { 3, 8, 9, 21, 64 })
            {
                yield return [mode, size];
            }
        }
    }

    /// <summary>Depth of the doubling summation tree of a box of length L: ⌊log2 L⌋ + popcount(L) − 1.</summary>
    private static int Depth(int length) => System.Numerics.BitOperations.Log2((uint)length) + System.Numerics.BitOperations.PopCount((uint)length) - 1;

    /// <summary>
    /// The documented bound of the two-pass box against the double reference, in units of u·max|x̃|: (D + 2) for
    /// the row pass, one rounding of our intermediate and one of the reference's, one for the reference's
    /// float32 weight 1/L (we scale the column sum by the double 1/L), and one of slack for O(u²) terms.
    /// </summary>
    private static double Bound(int length) => (Depth(length) + 6) * U;

    [Theory]
    [MemberData(nameof(ModesAndSizes))]
    public void BoxEqualsScalarForEveryLength(BoundaryMode mode, int size)
    {
        var box = Kernel1D.Uniform(size);
        // A shifted box too: origin moves the window to its extremes.
        var shifted = Kernel1D.Uniform(size, size % 2 == 0 ? -(size / 2) : (size - 1) / 2);
        for (int n = 1; n <= 64; n++)
        {
            // 13 across: boxes longer than 13 fold on that axis (FoldedPass) and run as boxes on the other.
            foreach (var (rows, cols) in new[] { (n, 13), (13, n) })
            {
                Check(rows, cols, box, box, false, mode, (n * 1000) + (rows * 7) + (size * 31) + (int)mode);
            }

            // 70 across: both axes box sums once n >= size; one axis only; origins; row pass first.
            foreach (var (rows, cols) in new[] { (n, 70), (70, n) })
            {
                int seed = (n * 1000) + (rows * 7) + (size * 31) + (int)mode;
                Check(rows, cols, box, box, false, mode, seed);
                Check(rows, cols, shifted, box, false, mode, seed + 1);
                Check(rows, cols, box, null, false, mode, seed + 2);
                Check(rows, cols, null, shifted, false, mode, seed + 3);
                Check(rows, cols, box, shifted, true, mode, seed + 4);
            }
        }
    }

    [Theory]
    [MemberData(nameof(ModesAndSizes))]
    public void BoxEqualsScalarOnALargeFrameAcrossChunks(BoundaryMode mode, int size)
    {
        // 400 x 301 is past the single-chunk limit: the column running sums restart in every chunk.
        var box = Kernel1D.Uniform(size);
        Check(400, 301, box, box, false, mode, seed: 77 + size + (int)mode, threads: 2);
        Check(400, 301, Kernel1D.Uniform(size, -(size / 2)), Kernel1D.Uniform(size + 5, 2), false, mode, seed: 78 + size + (int)mode, threads: 2);
    }

    [Fact]
    public void ThreadCountDoesNotChangeABit()
    {
        // Chunks of rows depend on the frame and the kernel, not on the threads.
        var rng = new Random(8);
        var x = Enumerable.Range(0, 400 * 301).Select(_ => (float)(rng.NextDouble() * 255)).ToArray();
        foreach (int size in new[] { 3, 21, 64 })
        {
            var k = Kernel1D.Uniform(size);
            var one = new float[x.Length];
            var two = new float[x.Length];
            SeparableFilter.Apply(x, 0, one, 0, 400, 301, k, k, BoundaryMode.Reflect, 0f, threads: 1);
            SeparableFilter.Apply(x, 0, two, 0, 400, 301, k, k, BoundaryMode.Reflect, 0f, threads: 2);
            Assert.True(one.AsSpan().SequenceEqual(two), $"size {size}: 1 and 2 threads differ");
        }
    }

    [Fact]
    public void RowSumsAreWithinTheDocumentedBoundForEveryLength()
    {
        // BoxSumLine alone against the double sum of the same floats, scaled by the same float32 1/L:
        // |ours − (float)(Σp · w)| ≤ (D + 2)·u·w·Σ|p| (D adds, the scaling, the rounding of the reference).
        int width = System.Numerics.Vector<float>.Count;
        var rng = new Random(12345);
        for (int length = 1; length <= 64; length++)
        {
            foreach (int n in Enumerable.Range(1, 64).Append(257).Append(1000))
            {
                var p = new float[n + length + (3 * width)];
                for (int t = 0; t < n + length - 1; t++)
                {
                    p[t] = (float)((rng.NextDouble() * 300) - 40);
                }

                var original = (float[])p.Clone();
                var sums = new float[n + length + (3 * width)];
                var got = new float[n];
                float w = (float)(1.0 / length);
                unsafe
                {
                    fixed (float* pp = p, ps = sums, pg = got)
                    {
                        SeparableFilter.BoxSumLine(pp, n, length, ps, pg, w);
                    }
                }

                for (int i = 0; i < n; i++)
                {
                    double sum = 0;
                    double abs = 0;
                    for (int k = 0; k < length; k++)
                    {
                        sum += original[i + k];
                        abs += Math.Abs(original[i + k]);
                    }

                    double expected = (float)(sum * w);
                    double bound = (Depth(length) + 2) * U * w * abs * (1 + 1e-6);
                    Assert.True(
                        Math.Abs(got[i] - expected) <= bound,
                        $"L={length} n={n} at {i}: got {got[i]:R}, expected {expected:R} (diff {Math.Abs(got[i] - expected):g3} > {bound:g3})");
                }
            }
        }
    }

    [Fact]
    public void RowSumsAreTheDocumentedTreeBitForBit()
    {
        // BoxSumLine (passes in place, the rest summed straight, vectors, overlapping last vector) against the
        // doubling tree its documentation defines, evaluated one value at a time in scalar float32.
        int width = System.Numerics.Vector<float>.Count;
        var rng = new Random(2024);
        var lengths = Enumerable.Range(1, 64).Concat([65, 77, 100, 127, 128, 129, 255, 300]);
        foreach (int length in lengths)
        {
            foreach (int n in Enumerable.Range(1, 40).Append(64).Append(257))
            {
                var p = new float[n + length + (3 * width)];
                for (int t = 0; t < n + length - 1; t++)
                {
                    p[t] = (float)((rng.NextDouble() * 300) - 40);
                }

                var original = (float[])p.Clone();
                var got = new float[n];
                float w = (float)(1.0 / length);
                unsafe
                {
                    fixed (float* pp = p, ps = new float[n + length + (3 * width)], pg = got)
                    {
                        SeparableFilter.BoxSumLine(pp, n, length, ps, pg, w);
                    }
                }

                for (int i = 0; i < n; i++)
                {
                    float expected = Tree(original, i, length) * w;
                    Assert.True(
                        BitConverter.SingleToInt32Bits(got[i]) == BitConverter.SingleToInt32Bits(expected),
                        $"L={length} n={n} at {i}: got {got[i]:R}, the tree gives {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void BoxOfTheSameValueIsThatValue()
    {
        // Sums of equal powers of two are exact: a constant image stays constant in every mode.
        var x = Enumerable.Repeat(2f, 37 * 41).ToArray();
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            foreach (int size in new[] { 8, 16, 32 })
            {
                var got = new float[x.Length];
                SeparableFilter.Apply(x, 0, got, 0, 37, 41, Kernel1D.Uniform(size), Kernel1D.Uniform(size), mode, 2f, threads: 2);
                Assert.All(got, v => Assert.Equal(2f, v));
            }
        }
    }

    /// <summary>
    /// T_L(i) as SeparableFilter.BoxSumLine documents it, in scalar float32: the windows W_{2^b} of the set bits b
    /// of L in increasing order, each starting where the previous ended, added left to right, with
    /// W_1[j] = p[j] and W_{2m}[j] = W_m[j] + W_m[j + m].
    /// </summary>
    [Theory]
    [InlineData(BoundaryMode.Reflect)]
    [InlineData(BoundaryMode.Constant)]
    [InlineData(BoundaryMode.Wrap)]
    public void FramesWithNaNOrInfinityTakeSciPysRunningMean(BoundaryMode mode)
    {
        // uniform_filter of a frame holding NaN or an infinity is SciPy's running mean (which carries it to the end of
        // its line; the op fixtures check RunningMean against SciPy): found in a chunk's column sums (a 700 x 300 frame,
        // 8 chunks, the value in the 5th), in the rows of a frame without an axis-0 box, and on a short axis (folded
        // passes); a finite frame keeps the box sums' bits.
        var rng = new Random(44 + (int)mode);
        foreach (var (rows, cols, k0, k1) in new[] { (700, 300, Kernel1D.Uniform(5), Kernel1D.Uniform(3, 1)), (90, 80, null, Kernel1D.Uniform(7, -2)), (4, 60, Kernel1D.Uniform(9), Kernel1D.Uniform(3)) })
        {
            var x = Enumerable.Range(0, rows * cols).Select(_ => (float)(rng.NextDouble() * 100)).ToArray();
            var box = new float[x.Length];
            var got = new float[x.Length];
            SeparableFilter.ApplyUniform(x, 0, got, 0, rows, cols, k0, k1, mode, 2.5f, threads: 2);
            SeparableFilter.Apply(x, 0, box, 0, rows, cols, k0, k1, mode, 2.5f, threads: 2);
            Assert.Equal(box, got);
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity })
            {
                var y = (float[])x.Clone();
                y[((rows * 9 / 16) * cols) + (cols / 3)] = bad;
                var want = new float[y.Length];
                SeparableFilter.RunningMean(y, 0, want, 0, rows, cols, k0, k1, mode, 2.5f);
                SeparableFilter.ApplyUniform(y, 0, got, 0, rows, cols, k0, k1, mode, 2.5f, threads: 2);
                Assert.Equal(want, got);
                Assert.True(want.Count(float.IsNaN) > cols / 2, $"{rows}x{cols} {bad}: SciPy's running mean carries it along its line");
            }
        }
    }

    private static float Tree(float[] p, int i, int length)
    {
        float acc = 0f;
        bool have = false;
        int offset = 0;
        for (int b = 0; (1 << b) <= length; b++)
        {
            if (((length >> b) & 1) != 0)
            {
                float t = Window(p, i + offset, 1 << b);
                acc = have ? acc + t : t;
                have = true;
                offset += 1 << b;
            }
        }

        return acc;
    }

    private static float Window(float[] p, int j, int m) => m == 1 ? p[j] : Window(p, j, m / 2) + Window(p, j + (m / 2), m / 2);

    private static void Check(int rows, int cols, Kernel1D? k0, Kernel1D? k1, bool axis1First, BoundaryMode mode, int seed, int threads = 1)
    {
        var rng = new Random(seed);
        var x = Enumerable.Range(0, rows * cols).Select(_ => (float)((rng.NextDouble() * 200) - 50)).ToArray();
        float cval = seed % 2 == 0 ? 0f : 7.5f;

        // A frame inside a bigger array, to exercise the offsets too.
        var src = new float[x.Length + 5];
        x.CopyTo(src, 5);
        var fast = new float[x.Length + 3];
        var slow = new float[x.Length];
        SeparableFilter.Apply(src, 5, fast, 3, rows, cols, k0, k1, mode, cval, axis1First, threads);
        SeparableFilter.Reference(x, 0, slow, 0, rows, cols, k0, k1, mode, cval, axis1First);
        int longest = Math.Max(k0?.Length ?? 1, k1?.Length ?? 1);
        double tolerance = Bound(longest) * Math.Max(x.Max(Math.Abs), Math.Abs(cval));
        for (int k = 0; k < slow.Length; k++)
        {
            double diff = Math.Abs(fast[k + 3] - slow[k]);
            Assert.True(
                diff <= tolerance,
                $"{rows}x{cols} {mode} cval {cval} axis0={k0?.Length}/{k0?.Origin} axis1={k1?.Length}/{k1?.Origin} first1={axis1First}: at {k} fast {fast[k + 3]:R} scalar {slow[k]:R} (diff {diff:g3} > {tolerance:g3})");
        }

        Assert.Equal(0f, fast[0] + fast[1] + fast[2]);
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Core.Ops.Morphology;

namespace XRayFlow.Core.Tests.Ops.Morphology;

/// <summary>
/// The grey kernels against their scalar meaning for every length 1..40 along rows and along columns and every
/// boundary mode, random data with fixed seeds: <see cref="MinMaxFilter"/>'s fused row bands (windows up to 8), its
/// doubling paths (longer windows) and footprint path, and the non-flat structure path of <see cref="GreyMorphology"/>.
/// Exact equality: these kernels only compare (and, non-flat, add one number per cell as the reference does).
/// </summary>
public class GreyMorphologyKernelTests
{
    public static TheoryData<BoundaryMode> Modes()
    {
        var data = new TheoryData<BoundaryMode>();
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            data.Add(mode);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void RectanglesEqualScalarForEveryLength(BoundaryMode mode)
    {
        (int K0, int K1, int O0, int O1)[] windows = [(3, 3, 0, 0), (1, 4, 0, -1), (2, 5, 0, 2), (8, 1, -3, 0), (9, 3, 1, 0), (3, 12, 0, -5), (5, 5, 2, -2), (17, 10, 0, 0), (12, 1, -6, 0), (9, 1, 4, 0)];
        for (int n = 1; n <= 40; n++)
        {
            foreach (var (rows, cols) in new[] { (n, 11), (11, n) })
            {
                foreach (var (k0, k1, o0, o1) in windows)
                {
                    var x = Random(rows, cols, (n * 100) + k0 + (3 * k1));
                    foreach (bool maximum in new[] { false, true })
                    {
                        var got = MinMaxFilter.Apply(x, k0, k1, null, o0, o1, mode, 2.5f, maximum, threads: 2);
                        var expected = MinMaxFilter.Reference(x.Data, rows, cols, Full(k0, k1), o0, o1, mode, 2.5f, maximum);
                        Assert.True(expected.AsSpan().SequenceEqual(got.Data), $"{k0}x{k1} origin ({o0}, {o1}) {rows}x{cols} {mode} max {maximum}");
                    }
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void FootprintsAndNonFlatStructuresEqualScalarForEveryLength(BoundaryMode mode)
    {
        var disk = StructuringElement.Shape("disk", 2);
        var odd = new bool[,] { { true, true, false, false }, { false, false, false, true } };
        var values = new double[][] { [0.1, -0.7, 2.3], [1.0 / 3, 0, 5e-3] };
        for (int n = 1; n <= 40; n++)
        {
            foreach (var (rows, cols) in new[] { (n, 9), (9, n) })
            {
                var x = Random(rows, cols, n + 17);
                foreach (var (fp, st, o0, o1) in new (bool[,]?, double[][]?, int, int)[] { (disk, null, 0, 1), (odd, null, -1, 1), (null, values, 0, -1), (new bool[,] { { true, false, true }, { true, true, false } }, values, -1, 0) })
                {
                    var (k0, k1) = fp is not null ? (fp.GetLength(0), fp.GetLength(1)) : (st!.Length, st[0].Length);
                    var w = new GreyWindow(k0, k1, fp, st);
                    var eroded = GreyMorphology.Erode(x, w, o0, o1, mode, -1.25f, threads: 2);
                    var expected = GreyMorphology.Reference(x.Data, rows, cols, w, o0, o1, mode, -1.25f, maximum: false);
                    Assert.True(expected.AsSpan().SequenceEqual(eroded.Data), $"erosion {k0}x{k1} {rows}x{cols} {mode}");
                    var dilated = GreyMorphology.Dilate(x, w, o0, o1, mode, -1.25f, threads: 2);
                    var (reflected, r0, r1) = w.ForDilation(o0, o1);
                    expected = GreyMorphology.Reference(x.Data, rows, cols, reflected, r0, r1, mode, -1.25f, maximum: true);
                    Assert.True(expected.AsSpan().SequenceEqual(dilated.Data), $"dilation {k0}x{k1} {rows}x{cols} {mode}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void FootprintsWithZerosOfBothSignsAndNaNGiveTheReferencesBits(BoundaryMode mode)
    {
        // A footprint takes each vector's extreme in a register, with the machine's own max / min only where the padded
        // frame holds no NaN and no -0 (they would pick a zero by operand order, IEEE's +0 above -0): frames with -0,
        // +0 and NaN against the reference, bit for bit, next to clean frames of the same values; widths 8..40 (whole
        // vectors and an overlapping last one).
        var disk = StructuringElement.Shape("disk", 2);
        foreach (int cols in new[] { 8, 9, 15, 16, 17, 40 })
        {
            var rng = new Random(cols);
            var clean = new float[13 * cols];
            for (int k = 0; k < clean.Length; k++)
            {
                clean[k] = rng.Next(4) == 0 ? 0f : rng.Next(-3, 4);
            }

            var zeros = (float[])clean.Clone();
            var nan = (float[])clean.Clone();
            for (int k = 0; k < clean.Length; k++)
            {
                if (clean[k] == 0 && rng.Next(2) == 0)
                {
                    zeros[k] = -0f;
                }
            }

            nan[rng.Next(nan.Length)] = float.NaN;
            foreach (var frame in new[] { clean, zeros, nan })
            {
                var x = new ImageArray(13, cols, frame);
                foreach (bool maximum in new[] { false, true })
                {
                    var got = MinMaxFilter.Apply(x, 5, 5, disk, 0, 0, mode, 0f, maximum, threads: 2);
                    var expected = MinMaxFilter.Reference(frame, 13, cols, disk, 0, 0, mode, 0f, maximum);
                    for (int k = 0; k < expected.Length; k++)
                    {
                        Assert.True(BitConverter.SingleToInt32Bits(expected[k]) == BitConverter.SingleToInt32Bits(got.Data[k]), $"{cols} wide, {mode}, max {maximum}: value {k}: {got.Data[k]} vs {expected[k]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void DilationReflectsTheWindowAndShiftsEvenOrigins()
    {
        // Where SciPy 1.10 puts a delta at (2, 2) dilated by 2 x 2 footprints (scipy.ndimage.grey_dilation, mode
        // constant): [[1, 0], [0, 0]] -> (1, 1); [[0, 1], [0, 0]] -> (1, 2). The reflected window with origin -1 on
        // even sides reads x[p + c - a], c = (1, 1).
        var x = new ImageArray(5, 5);
        x[2, 2] = 1;
        var d = GreyMorphology.Dilate(x, new GreyWindow(2, 2, new bool[,] { { true, false }, { false, false } }, null), 0, 0, BoundaryMode.Constant, 0, 1);
        Assert.Equal(1f, d[1, 1]);
        Assert.Equal(1f, d.Data.Sum());
        var d2 = GreyMorphology.Dilate(x, new GreyWindow(2, 2, new bool[,] { { false, true }, { false, false } }, null), 0, 0, BoundaryMode.Constant, 0, 1);
        Assert.Equal(1f, d2[1, 2]);
        Assert.Equal(1f, d2.Data.Sum());
    }

    [Fact]
    public void ThreadsDoNotChangeTheResult()
    {
        var x = Random(257, 301, 9);
        foreach (var (k0, k1) in new[] { (3, 3), (7, 2), (21, 21) })
        {
            var a = MinMaxFilter.Apply(x, k0, k1, null, 0, 0, BoundaryMode.Reflect, 0, true, 1);
            var b = MinMaxFilter.Apply(x, k0, k1, null, 0, 0, BoundaryMode.Reflect, 0, true, 4);
            Assert.Equal(a.Data, b.Data);
        }
    }

    private static bool[,] Full(int k0, int k1)
    {
        var m = new bool[k0, k1];
        for (int a = 0; a < k0; a++)
        {
            for (int b = 0; b < k1; b++)
            {
                m[a, b] = true;
            }
        }

        return m;
    }

    private static ImageArray Random(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        var a = new ImageArray(rows, cols);
        for (int k = 0; k < a.Length; k++)
        {
            a.Data[k] = (float)((rng.NextDouble() * 200) - 100);
        }

        return a;
    }
}

using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// The comparator networks of median_filter, rank_filter and percentile_filter run on the machine's own min and max
/// only where that gives IEEE's bits: no NaN and no -0 in the padded frame. <see cref="NativeOrder.Applies(ReadOnlySpan{float})"/>
/// against its meaning, and the filters on frames of zeros of both signs against the rank taken in IEEE 754-2019
/// order (-0 below +0), which the IEEE networks select (a network selects the rank under any total order).
/// </summary>
public class NetworkOrderTests
{
    /// <summary>NaNs (quiet and signalling, both signs, the least and greatest payloads) and -0, as bits: written as bits, since moving a signalling NaN through a float register may quiet it.</summary>
    private static readonly int[] Breaking = [0x7FC00000, unchecked((int)0xFFC00000), 0x7F800001, unchecked((int)0xFF800001), 0x7FFFFFFF, unchecked((int)0xFFFFFFFF), unchecked((int)0x80000000)];

    private static readonly float[] Harmless = [0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, -float.Epsilon, float.MaxValue, -float.MaxValue, 1f, -1f];

    [Fact]
    public void AppliesIsFalseExactlyWhereANanOrMinusZeroIsPresent()
    {
        var rng = new Random(20261205);
        for (int n = 0; n <= 100; n++)
        {
            var x = Enumerable.Range(0, n).Select(_ => Harmless[rng.Next(Harmless.Length)]).ToArray();
            Assert.True(NativeOrder.Applies(x), $"length {n}, harmless values");
            var bits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(x.AsSpan());
            for (int at = 0; at < n; at++)
            {
                int keep = bits[at];
                foreach (int bad in Breaking)
                {
                    bits[at] = bad;
                    Assert.False(NativeOrder.Applies(x), $"length {n}, bits {bad:X8} at {at}");
                }

                bits[at] = keep;
            }
        }
    }

    [Fact]
    public void AppliesOnThreadsSeesEveryPart()
    {
        var x = new float[(1 << 19) + 3];
        Assert.True(NativeOrder.Applies(x, 2));
        foreach (int at in new[] { 0, 1 << 17, (1 << 18) + 1, x.Length - 1 })
        {
            x[at] = -0f;
            Assert.False(NativeOrder.Applies(x, 2), $"-0 at {at}");
            x[at] = 0f;
        }
    }

    public static IEnumerable<object[]> Windows() =>
    [
        [3, 3, 4], [5, 5, 12], [2, 4, 3], [3, 3, 2], [5, 5, 20], [1, 7, 3], [7, 7, 24], [7, 3, 10],
    ];

    [Theory]
    [MemberData(nameof(Windows))]
    public void ZerosOfBothSignsKeepIeeeOrderSigns(int k0, int k1, int rank)
    {
        // Rows of 40 values (the vector networks), zeros of both signs among a few other values; every boundary mode.
        var rng = new Random((k0 * 100) + (k1 * 10) + rank);
        float[] values = [-0f, 0f, -0f, 0f, -1f, 1f, 2f];
        int rows = 9, cols = 40;
        foreach (var mode in Enum.GetValues<BoundaryMode>())
        {
            var x = Enumerable.Range(0, rows * cols).Select(_ => values[rng.Next(values.Length)]).ToArray();
            var want = IeeeRank(x, rows, cols, k0, k1, rank, mode, cval: 0f);
            var ranked = RankFilter.Apply(new ImageArray(rows, cols, x), [k0, k1], null, [0, 0], mode, 0f, rank, threads: 2);
            AssertBits(want, ranked.Data, $"rank_filter {k0}x{k1} rank {rank} {mode}");
            if (rank == (k0 * k1) / 2)
            {
                var median = new float[x.Length];
                MedianFilter.Apply(x, 0, median, 0, rows, cols, k0, k1, 0, 0, mode, 0f, threads: 2);
                AssertBits(want, median, $"median_filter {k0}x{k1} {mode}");
            }
        }
    }

    /// <summary>The rank-th of each window (Boundary.Map, cval outside) in IEEE order: -0 below +0.</summary>
    private static float[] IeeeRank(float[] x, int rows, int cols, int k0, int k1, int rank, BoundaryMode mode, float cval)
    {
        var result = new float[rows * cols];
        var window = new List<float>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                window.Clear();
                for (int a = 0; a < k0; a++)
                {
                    for (int b = 0; b < k1; b++)
                    {
                        int r = Boundary.Map((long)i + a - (k0 / 2), rows, mode);
                        int c = Boundary.Map((long)j + b - (k1 / 2), cols, mode);
                        window.Add(r < 0 || c < 0 ? cval : x[(r * cols) + c]);
                    }
                }

                window.Sort((p, q) => p < q || (p == q && float.IsNegative(p) && !float.IsNegative(q)) ? -1 : p == q && float.IsNegative(p) == float.IsNegative(q) ? 0 : 1);
                result[(i * cols) + j] = window[rank];
            }
        }

        return result;
    }

    private static void AssertBits(float[] want, float[] got, string what)
    {
        for (int k = 0; k < want.Length; k++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(want[k]) == BitConverter.SingleToInt32Bits(got[k]), $"{what}: at {k} want {want[k]} got {got[k]}");
        }
    }
}

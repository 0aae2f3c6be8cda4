using System.Runtime.Intrinsics;
using System.Text.Json;
using XRayFlow.Core.Ops.Intensity;
using XRayFlow.Core.Ops.Statistics;
using XRayFlow.Core.Tests.TestSupport;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>
/// adjust_sigmoid's float path: NumPy's float32 exp (<see cref="NumpyExp32"/>) against numpy.exp's own bits
/// (tests/fixtures/numpy_exp32.json, from tests/fixtures/gen_numpy_exp.py), and the sigmoid's vector loops against its
/// scalar rule for every length and width. The op's values against scikit-image are the op fixtures' (every 8-bit
/// value, every 16-bit value, floats with infinities and NaN).
/// </summary>
public class AdjustSigmoidTests
{
    private static readonly Lazy<(float[] X, uint[] Exp)> Fixture = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PictureFixtures.Fixture("numpy_exp32.json")));
        var x = doc.RootElement.GetProperty("x").EnumerateArray().Select(e => BitConverter.UInt32BitsToSingle(e.GetUInt32())).ToArray();
        var exp = doc.RootElement.GetProperty("exp").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
        return (x, exp);
    });

    public static TheoryData<int> Widths() => VectorWidths.UpTo(ExposureCurves.SigmoidWidest);

    private static void AssertNumpys(uint want, float have, float x, string path)
    {
        bool same = float.IsNaN(BitConverter.UInt32BitsToSingle(want)) ? float.IsNaN(have) : BitConverter.SingleToUInt32Bits(have) == want;
        Assert.True(same, $"{path}: exp({x:R}) (0x{BitConverter.SingleToUInt32Bits(x):x8}): numpy 0x{want:x8}, got 0x{BitConverter.SingleToUInt32Bits(have):x8}");
    }

    [Fact]
    public void ExpHasNumpysBitsAtEveryFixtureValue()
    {
        var (x, exp) = Fixture.Value;
        Assert.True(x.Length > 6000);
        for (int i = 0; i < x.Length; i++)
        {
            AssertNumpys(exp[i], NumpyExp32.Exp(x[i]), x[i], "scalar");
        }

        // Each value in every lane of a vector of its neighbours.
        for (int i = 0; i + 16 <= x.Length; i += 5)
        {
            if (Vector256.IsHardwareAccelerated)
            {
                var r = NumpyExp32.Exp(Vector256.Create(x.AsSpan(i, 8)));
                for (int l = 0; l < 8; l++)
                {
                    AssertNumpys(exp[i + l], r[l], x[i + l], "256-bit");
                }
            }

            if (Vector512.IsHardwareAccelerated)
            {
                var r = NumpyExp32.Exp(Vector512.Create(x.AsSpan(i, 16)));
                for (int l = 0; l < 16; l++)
                {
                    AssertNumpys(exp[i + l], r[l], x[i + l], "512-bit");
                }
            }
        }
    }

    [Fact]
    public void TheFixtureReachesWhereNumpysFusedRoundingOfKMatters()
    {
        // NumPy's compiled kernel rounds x log2(e) + 1.5 2^23 once (a fused multiply-add); rounding the product first
        // moves k by one next to every (n + 1/2) ln 2 and changes the result's last bits there (found by comparing
        // every float32 with numpy.exp). The fixture must hold such values, or the test above could not tell.
        var (x, _) = Fixture.Value;
        float log2e = BitConverter.Int32BitsToSingle(0x3FB8AA3B), magic = 12582912f;
        int moved = x.Count(v => float.IsFinite(v) && Math.Abs(v) < 104
            && (MathF.FusedMultiplyAdd(v, log2e, magic) - magic) != (((v * log2e) + magic) - magic));
        Assert.True(moved >= 20, $"only {moved} fixture values where a separately rounded product moves k");
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public void EveryWidthGivesTheScalarRuleForEveryLength(int bits)
    {
        var random = new Random(1206);
        float[] specials = [0f, -0f, float.NaN, float.PositiveInfinity, 1e6f, 11f, 1e-30f, 0.5f];
        (double Cutoff, double Gain, bool Inv)[] curves = [(0.5, 10, false), (0.3, 5, true), (0.7, -20, false), (0, 1, true), (0.45, 250, false)];
        for (int n = 1; n <= 70; n++)
        {
            foreach (var (cutoff, gain, inv) in curves)
            {
                var x = new float[n];
                for (int k = 0; k < n; k++)
                {
                    x[k] = random.Next(7) == 0 ? specials[random.Next(specials.Length)] : (float)(random.NextDouble() * 1.5);
                }

                var got = new float[n];
                ExposureCurves.SigmoidFloat(x, got, cutoff, gain, inv, bits);
                for (int k = 0; k < n; k++)
                {
                    float want = ExposureCurves.Sigmoid(x[k], (float)cutoff, (float)gain, inv);
                    Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got[k]) || (float.IsNaN(want) && float.IsNaN(got[k])),
                        $"{bits} bits, n {n}, curve ({cutoff}, {gain}, {inv}), at {k}: x {x[k]:R}, want {want:R}, got {got[k]:R}");
                }
            }
        }
    }

    [Theory]
    [InlineData(0.5, 10, false, 0f, 0.006692851f)] // 1 / (1 + e^5), NumPy's float32 answer (scikit-image on a float32 array)
    [InlineData(0.5, 10, false, 0.5f, 0.5f)]
    [InlineData(0.5, 10, true, 0.5f, 0.5f)]
    [InlineData(0.5, 10, false, float.PositiveInfinity, 1f)]
    public void SigmoidOfAFloatHasScikitImagesValue(double cutoff, double gain, bool inv, float x, float want)
    {
        Assert.Equal(want, ExposureCurves.Sigmoid(x, (float)cutoff, (float)gain, inv));
    }

    [Fact]
    public void IntegerTablesTruncateScikitImagesFloat64Curve()
    {
        // skimage.exposure.adjust_sigmoid(np.array([0, 127, 128, 255], np.uint8)) == [1, 126, 128, 253];
        // with inv: [253, 128, 126, 1]; uint16 65535 with cutoff 1, gain 50 gives 32767 (1/2 of 65535, truncated).
        var table = ExposureCurves.SigmoidTable(SkimageDtype.UInt8, 0.5, 10, false);
        Assert.Equal([1f, 126f, 128f, 253f], new[] { table[0], table[127], table[128], table[255] });
        var inverse = ExposureCurves.SigmoidTable(SkimageDtype.UInt8, 0.5, 10, true);
        Assert.Equal([253f, 128f, 126f, 1f], new[] { inverse[0], inverse[127], inverse[128], inverse[255] });
        Assert.Equal(32767f, ExposureCurves.SigmoidTable(SkimageDtype.UInt16, 1.0, 50, false, 65536)[65535]);
    }
}

using System.Text.Json;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Core.Ops;

namespace XRayFlow.Core.Tests.Resample;

/// <summary>downsample against NumPy's block mean (tests/fixtures/gen_downsample.py).</summary>
public sealed class DownsampleTests
{
    private static readonly string Dir = FindFixtures();

    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "cases.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(c.GetProperty("input").GetString()!, c.GetProperty("factor").GetInt32(), c.GetProperty("expected").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesNumpyBlockMean(string input, int factor, string expected)
    {
        var src = NpyReader.Read(Path.Combine(Dir, input));
        var want = NpyReader.Read(Path.Combine(Dir, expected));
        var got = Downsample.BlockMean(src, factor);
        Assert.Equal(want.Shape, got.Shape);
        Assert.Equal(want.IsStack, got.IsStack);
        for (int k = 0; k < want.Length; k++)
        {
            // Both sides sum in double and round once to float32: at most one float32 step apart.
            float w = want.Data[k], g = got.Data[k];
            Assert.True(w == g || Math.Abs(w - g) <= Math.Abs(w) * 1.2e-7f, $"{expected}[{k}]: numpy {w:R}, xrayflow {g:R}");
        }
    }

    [Fact]
    public void KnownBlockValuesAndDroppedRemainder()
    {
        // 3 x 5, factor 2: one block row, two block columns; row 2 and column 4 are dropped.
        var a = new ImageArray(3, 5, [1, 2, 3, 4, 100, 5, 6, 7, 8, 100, 100, 100, 100, 100, 100]);
        var r = Downsample.BlockMean(a, 2);
        Assert.Equal([1, 2], r.Shape);
        Assert.Equal([3.5f, 5.5f], r.Data);
    }

    [Fact]
    public void FactorLargerThanImageIsAnError()
    {
        var e = Assert.Throws<ArgumentException>(() => Downsample.BlockMean(new ImageArray(3, 8), 4));
        Assert.Contains("larger than the image", e.Message);
    }

    [Fact]
    public void OpIsRegisteredWithItsFactor()
    {
        var op = OpRegistry.All.Single(o => o.Name == "downsample");
        Assert.Equal(1.0, op.FindParam("factor")!.Min);
        var stack = ImageArray.Stack(2, 4, 4, Enumerable.Range(0, 32).Select(i => (float)i).ToArray());
        var v = op.Invoke(new OpContext { StepId = "d", Inputs = [new ArrayValue(stack)], Params = new Dictionary<string, object?> { ["factor"] = 2 } });
        var r = Assert.IsType<ArrayValue>(v).Array;
        Assert.Equal([2, 2, 2], r.Shape);
        Assert.Equal([2.5f, 4.5f, 10.5f, 12.5f, 18.5f, 20.5f, 26.5f, 28.5f], r.Data);
    }

    private static string FindFixtures()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string c = Path.Combine(d.FullName, "tests", "fixtures", "downsample");
            if (Directory.Exists(c))
            {
                return c;
            }
        }

        throw new DirectoryNotFoundException("tests/fixtures/downsample not found above " + AppContext.BaseDirectory);
    }
}

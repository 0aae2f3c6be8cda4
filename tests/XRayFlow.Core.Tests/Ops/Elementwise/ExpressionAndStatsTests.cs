using System.Text.Json;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Core.Ops.Statistics;
using static XRayFlow.Core.Tests.TestSupport.EngineFixtures;

namespace XRayFlow.Core.Tests.Ops.Elementwise;

public class WhereMapTests
{
    /// <summary>A stand-in for a compiled kernel: out[k] = x > p0 ? x : -(i * 100 + j) over input 0.</summary>
    private sealed class FakeKernel : IExpressionKernel
    {
        public List<int> Offsets { get; } = [];

        public void Run(IReadOnlyList<float[]> inputs, int offset, float[] output, int rows, int cols, double[] recipeParams)
        {
            Offsets.Add(offset);
            for (int k = 0; k < rows * cols; k++)
            {
                float x = inputs[0][offset + k];
                output[k] = x > recipeParams[0] ? x : -(((k / cols) * 100) + (k % cols));
            }
        }
    }

    private static ExpressionValue Num(double v) => new(null, v, null);

    private static ExpressionValue Text(string t) => new(t, null, null);

    [Fact]
    public void WhereWithNumbersOnlyNeedsNoKernel()
    {
        var x = new ImageArray(2, 2, [1, 2, 3, 4]);
        var p = new Dictionary<string, object?> { ["cond"] = Num(2), ["then"] = Num(7), ["else"] = Num(0) };
        Assert.All(OpRunner.Array("where", x, p).Data, v => Assert.Equal(7f, v));
        p["cond"] = Num(0);
        Assert.All(OpRunner.Array("where", x, p).Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void WhereRunsTheKernelFrameByFrameOnAStack()
    {
        var stack = ImageArray.Stack(2, 2, 3, [1, 9, 1, 9, 1, 9, 9, 1, 9, 1, 9, 1]);
        var kernel = new FakeKernel();
        var p = new Dictionary<string, object?> { ["cond"] = Text("x > t"), ["then"] = Text("x"), ["else"] = Text("-(i*100+j)") };
        var result = ((ArrayValue)OpRunner.Run("where", [new ArrayValue(stack)], p, kernel, [5.0])).Array;
        Assert.Equal([0, 6], kernel.Offsets);
        Assert.True(result.IsStack);
        Assert.Equal([0f, 9f, -2f, 9f, -101f, 9f, 9f, -1f, 9f, -100f, 9f, -102f], result.Data);
    }

    /// <summary>A kernel over no pixel inputs: out[k] = (p0 + p1) / 2, or an integer division by zero when p1 is 0.</summary>
    private sealed class ScalarKernel : IExpressionKernel
    {
        public List<(int Inputs, int Rows, int Cols)> Calls { get; } = [];

        public void Run(IReadOnlyList<float[]> inputs, int offset, float[] output, int rows, int cols, double[] recipeParams)
        {
            Calls.Add((inputs.Count, rows, cols));
            if (recipeParams[1] == 0)
            {
                throw new ExpressionRuntimeException("m", 0, 0, "Attempted to divide by zero.");
            }

            output[0] = (float)((recipeParams[0] + recipeParams[1]) / 2);
        }
    }

    [Fact]
    public void MapAndWhereWithOnlyScalarVariablesMakeANumber()
    {
        // The executor passes an `in` map's scalar variables as values, not inputs: no array input at all. It failed
        // with "Index was out of range" reading input 0.
        var kernel = new ScalarKernel();
        var value = OpRunner.Run("map", [], new Dictionary<string, object?> { ["expr"] = Text("(a + b) / 2") }, kernel, [145, 244]);
        Assert.Equal(new ScalarValue(194.5), value);
        Assert.Equal([(0, 1, 1)], kernel.Calls);

        var where = new Dictionary<string, object?> { ["cond"] = Text("a > 3"), ["then"] = Text("a"), ["else"] = Num(0) };
        Assert.Equal(new ScalarValue(5), OpRunner.Run("where", [], where, kernel, [3, 7]));

        // Numbers only: no kernel, the number itself.
        Assert.Equal(new ScalarValue(7), OpRunner.Run("map", [], new Dictionary<string, object?> { ["expr"] = Num(7) }));
        where = new Dictionary<string, object?> { ["cond"] = Num(0), ["then"] = Num(1), ["else"] = Num(2) };
        Assert.Equal(new ScalarValue(2), OpRunner.Run("where", [], where));

        // A failure names no pixel: there is none.
        var ex = Assert.Throws<OpRefusedException>(() => OpRunner.Run("map", [], new Dictionary<string, object?> { ["expr"] = Text("a / b") }, kernel, [1, 0]));
        Assert.Equal("expression failed: Attempted to divide by zero.", ex.Reason);
    }

    [Fact]
    public void ExpressionTextWithoutKernelIsAClearError()
    {
        var x = new ImageArray(1, 1);
        var p = new Dictionary<string, object?> { ["cond"] = Text("x > 1"), ["then"] = Num(1), ["else"] = Num(0) };
        var ex = Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("where", x, p));
        Assert.Contains("no compiled kernel", ex.Message);
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Array("map", x, new Dictionary<string, object?> { ["expr"] = Text("x") }));
    }

    [Fact]
    public void MapPassesAllInputs()
    {
        var a = new ImageArray(1, 2, [3, 5]);
        var b = new ImageArray(1, 2, [4, 12]);
        var kernel = new HypotKernel();
        var r = ((ArrayValue)OpRunner.Run("map", [new ArrayValue(a), new ArrayValue(b)], new Dictionary<string, object?> { ["expr"] = Text("MathF.Sqrt(a*a+b*b)") }, kernel)).Array;
        Assert.Equal([5f, 13f], r.Data);
        var c = OpRunner.Array("map", a, new Dictionary<string, object?> { ["expr"] = Num(2.5) });
        Assert.Equal([2.5f, 2.5f], c.Data);
    }

    private sealed class HypotKernel : IExpressionKernel
    {
        public void Run(IReadOnlyList<float[]> inputs, int offset, float[] output, int rows, int cols, double[] recipeParams)
        {
            for (int k = 0; k < rows * cols; k++)
            {
                output[k] = MathF.Sqrt((inputs[0][offset + k] * inputs[0][offset + k]) + (inputs[1][offset + k] * inputs[1][offset + k]));
            }
        }
    }
}

public class HistogramStatsTests
{
    private static JsonElement Cases(string op)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_("ops", "cases.json")));
        return doc.RootElement.GetProperty(op).Clone();
    }

    public static TheoryData<int> HistogramCases() => Indices("histogram");

    public static TheoryData<int> StatsCases() => Indices("stats");

    private static TheoryData<int> Indices(string op)
    {
        var d = new TheoryData<int>();
        for (int i = 0; i < Cases(op).GetArrayLength(); i++)
        {
            d.Add(i);
        }

        return d;
    }

    [Theory]
    [MemberData(nameof(HistogramCases))]
    public void HistogramCountsAndEdgesEqualScipyExactly(int index)
    {
        var c = Cases("histogram")[index];
        var x = Npy("ops", c.GetProperty("input").GetString() + ".npy");
        var t = OpRunner.Table("histogram", x, new Dictionary<string, object?>
        {
            ["min"] = c.GetProperty("min").GetDouble(),
            ["max"] = c.GetProperty("max").GetDouble(),
            ["bins"] = c.GetProperty("bins").GetInt32(),
        });
        Assert.Equal(c.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()).ToArray(), (long[])t["counts"]!);
        Assert.Equal(c.GetProperty("edges").EnumerateArray().Select(e => e.GetDouble()).ToArray(), (double[])t["edges"]!);
        Assert.Equal((long)c.GetProperty("bins").GetInt32(), t["bins"]);
        Assert.Equal(["min", "max", "bins", "counts", "edges"], t.Fields.Select(f => f.Key));
    }

    [Fact]
    public void HistogramBoundaryRules()
    {
        var x = new ImageArray(1, 7, [0f, 0.5f, 1f, 1.5f, 2f, -0.1f, float.NaN]);
        var t = OpRunner.Table("histogram", x, new Dictionary<string, object?> { ["min"] = 0.0, ["max"] = 2.0, ["bins"] = 2 });
        Assert.Equal([2L, 3L], (long[])t["counts"]!); // [0,1): 0, 0.5; [1,2]: 1, 1.5, 2 (max included)
        Assert.ThrowsAny<InvalidOperationException>(() => OpRunner.Table("histogram", x, new Dictionary<string, object?> { ["min"] = 3.0, ["max"] = 2.0 }));
    }

    [Theory]
    [MemberData(nameof(StatsCases))]
    public void StatsMatchNumpy(int index)
    {
        var c = Cases("stats")[index];
        var x = Npy("ops", c.GetProperty("input").GetString() + ".npy");
        var t = OpRunner.Table("stats", x);
        Assert.Equal(c.GetProperty("count").GetInt64(), t["count"]);
        Assert.Equal(c.GetProperty("min").GetDouble(), (double)t["min"]!);
        Assert.Equal(c.GetProperty("max").GetDouble(), (double)t["max"]!);
        Assert.Equal(c.GetProperty("median").GetDouble(), (double)t["median"]!);
        Assert.Equal(c.GetProperty("mean").GetDouble(), (double)t["mean"]!, 1e-12 * Math.Max(1, Math.Abs(c.GetProperty("mean").GetDouble())));
        Assert.Equal(c.GetProperty("std").GetDouble(), (double)t["std"]!, 1e-12 * Math.Max(1, c.GetProperty("std").GetDouble()));
    }

    [Fact]
    public void MedianOfEvenCountIsTheMeanOfTheTwoMiddleValues()
    {
        Assert.Equal(2.5, ArrayStatistics.Median([4f, 1f, 3f, 2f]));
        Assert.Equal(3.0, ArrayStatistics.Median([5f, 1f, 3f]));
        var rng = new Random(3);
        for (int n = 1; n < 300; n += 7)
        {
            var v = Enumerable.Range(0, n).Select(_ => (float)rng.Next(0, 20)).ToArray();
            var sorted = v.OrderBy(f => f).ToArray();
            double expected = n % 2 == 1 ? sorted[n / 2] : ((double)sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
            Assert.Equal(expected, ArrayStatistics.Median(v));
        }
    }

    [Fact]
    public void StatsWithNanAreNan()
    {
        var t = OpRunner.Table("stats", new ImageArray(1, 3, [1, float.NaN, 3]));
        Assert.True(double.IsNaN((double)t["mean"]!));
        Assert.True(double.IsNaN((double)t["median"]!));
    }
}

public class EngineOpDeclarationTests
{
    public static TheoryData<string> Names() => ["fft2", "ifft2", "fourier_gaussian", "hypot", "normalize", "clip", "add", "subtract", "multiply", "where", "map", "histogram", "stats"];

    [Theory]
    [MemberData(nameof(Names))]
    public void DeclaredWithReferenceDocsAndValidDefaults(string name)
    {
        Assert.True(OpRegistry.TryGet(name, out var op));
        Assert.False(string.IsNullOrWhiteSpace(op.Reference));
        Assert.False(string.IsNullOrWhiteSpace(op.Summary));
        foreach (var p in op.Params)
        {
            Assert.False(string.IsNullOrWhiteSpace(p.Doc));
            Assert.False(p.Required && p.Default is not null);
            if (p.Type == ParamType.Enum)
            {
                Assert.NotNull(p.Allowed);
                Assert.Contains((string)p.Default!, p.Allowed!);
            }

            if (p.Type == ParamType.EnumList)
            {
                Assert.NotEmpty(p.Allowed!);
                Assert.True(p.MaxCount < int.MaxValue, $"{name}.{p.Name}: a list of words has a declared bound");
            }
        }
    }
}

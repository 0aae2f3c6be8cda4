using System.Text.Json;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// Every filter op against SciPy 1.10 (computed in float64 on the same float32 input), from the fixtures
/// written by tests/fixtures/gen_filters.py: every op x every boundary mode x odd shapes, sigmas 0.3..20.
/// </summary>
public class FilterFixtureTests
{
    /// <summary>Our float32 result must be within this fraction of the reference's largest magnitude.</summary>
    public const double RelativeTolerance = 1e-4;

    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "fixtures", "filters");

    private static readonly Lazy<IReadOnlyList<FixtureCase>> Cases = new(LoadCases);

    public static IEnumerable<object[]> CaseIndices() => Cases.Value.Select((c, k) => new object[] { k, c.Description });

    [Fact]
    public void ManifestCoversEveryFilterOpAndMode()
    {
        var cases = Cases.Value;
        Assert.True(cases.Count > 1500, $"only {cases.Count} cases");
        string[] ops = ["gaussian_filter", "gaussian_laplace", "gaussian_gradient_magnitude", "sobel", "prewitt", "laplace", "uniform_filter", "median_filter"];
        foreach (var op in ops)
        {
            foreach (var mode in new[] { "reflect", "mirror", "nearest", "wrap", "constant" })
            {
                Assert.Contains(cases, c => c.Op == op && c.Params.GetProperty("mode").GetString() == mode);
            }
        }
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void MatchesScipy(int index, string description)
    {
        var c = Cases.Value[index];
        var (inData, inShape) = TestNpy.Read(Path.Combine(Dir, $"in_{c.Input}.npy"));
        var input = new ImageArray(inShape[0], inShape[1], inData.Select(v => (float)v).ToArray());
        var op = OpRegistry.Get(c.Op);
        var parameters = new Dictionary<string, object?>();
        foreach (var p in c.Params.EnumerateObject())
        {
            var spec = op.FindParam(p.Name) ?? throw new InvalidOperationException($"{description}: op {c.Op} has no parameter {p.Name}");
            parameters[p.Name] = Bind(spec, p.Value);
        }

        var result = (ArrayValue)op.Invoke(new OpContext { StepId = "fixture", Inputs = [new ArrayValue(input)], Params = parameters, Threads = 2 });
        var got = result.Array;
        Assert.Equal(c.Shape, got.Shape);
        var reference = RefPack(c.Op).AsSpan(c.Offset, got.Length);
        double maxRef = 0;
        double maxDiff = 0;
        int worst = 0;
        for (int k = 0; k < got.Length; k++)
        {
            maxRef = Math.Max(maxRef, Math.Abs(reference[k]));
            double diff = Math.Abs(got.Data[k] - reference[k]);
            if (!(diff <= maxDiff))
            {
                maxDiff = diff;
                worst = k;
            }
        }

        Assert.True(
            maxDiff <= RelativeTolerance * maxRef,
            $"{description}: max |ours - scipy| = {maxDiff:g4} at {worst} (ours {got.Data[worst]:g9}, scipy {reference[worst]:g9}), allowed {RelativeTolerance * maxRef:g4}");
    }

    private static readonly Dictionary<string, double[]> Packs = [];

    private static double[] RefPack(string op)
    {
        lock (Packs)
        {
            if (!Packs.TryGetValue(op, out var pack))
            {
                pack = TestNpy.Read(Path.Combine(Dir, $"ref_{op}.npy")).Data;
                Packs[op] = pack;
            }

            return pack;
        }
    }

    /// <summary>A JSON value as the binder would bind it for this spec.</summary>
    private static object? Bind(ParamSpec spec, JsonElement v) => spec.Type switch
    {
        ParamType.FloatPerAxis => v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetDouble()).ToArray() : new[] { v.GetDouble() },
        ParamType.IntPerAxis => v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(e => e.GetInt32()).ToArray() : new[] { v.GetInt32() },
        ParamType.Float => v.GetDouble(),
        ParamType.Int => v.GetInt32(),
        ParamType.Enum or ParamType.String => v.GetString(),
        _ => throw new InvalidOperationException($"unexpected parameter type {spec.Type}"),
    };

    private static IReadOnlyList<FixtureCase> LoadCases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "manifest.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(e => new FixtureCase(
            e.GetProperty("op").GetString()!,
            e.GetProperty("input").GetString()!,
            e.GetProperty("params").Clone(),
            e.GetProperty("offset").GetInt32(),
            e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray())).ToList();
    }

    private sealed record FixtureCase(string Op, string Input, JsonElement Params, int Offset, int[] Shape)
    {
        public string Description => $"{Op}({Input}, {Params.GetRawText()})";
    }
}

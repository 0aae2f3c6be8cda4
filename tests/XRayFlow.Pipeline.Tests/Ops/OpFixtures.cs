using System.Text.Json;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Tests.Ops;

/// <summary>One case of tests/fixtures/ops/manifest.json (written by tests/fixtures/gen_ops.py).</summary>
public sealed record OpFixtureCase(int Index, string Op, IReadOnlyList<string> Inputs, JsonElement Params, JsonElement Case)
{
    public string Kind => Case.GetProperty("kind").GetString()!;

    public string Compare => Case.GetProperty("compare").GetString()!;

    public double Tolerance => Case.GetProperty("tolerance").GetDouble();

    public override string ToString() => $"{Op} #{Index} {string.Join(",", Inputs)} {Params.GetRawText()}";
}

/// <summary>The registry-driven op fixtures: loading the manifest, and running a case as a one-step recipe.</summary>
internal static class OpFixtures
{
    public static string Dir { get; } = Path.Combine(TestPaths.Fixtures, "ops");

    private static readonly Lazy<JsonDocument> Manifest = new(() => JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, "manifest.json"))));

    private static readonly Dictionary<string, float[]> Packs = new(StringComparer.Ordinal);

    public static IReadOnlyList<OpFixtureCase> Cases { get; } = Load();

    /// <summary>Ops whose fixtures live in another fixture set, with where.</summary>
    public static IReadOnlyDictionary<string, string> CoveredElsewhere =>
        Manifest.Value.RootElement.GetProperty("covered_elsewhere").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);

    private static List<OpFixtureCase> Load()
    {
        var list = new List<OpFixtureCase>();
        int k = 0;
        foreach (var c in Manifest.Value.RootElement.GetProperty("cases").EnumerateArray())
        {
            list.Add(new OpFixtureCase(k++, c.GetProperty("op").GetString()!, c.GetProperty("inputs").EnumerateArray().Select(i => i.GetString()!).ToList(), c.GetProperty("params"), c));
        }

        return list;
    }

    /// <summary>
    /// The case as a recipe: its inputs (image or stack by the file's rank), one step with the case's parameters
    /// written as YAML flow values (JSON is YAML), and the step as the output.
    /// </summary>
    public static string Recipe(OpFixtureCase c, IReadOnlyList<ImageArray> inputs)
    {
        var sb = new System.Text.StringBuilder("xrayflow: 1\ninputs:\n");
        for (int i = 0; i < inputs.Count; i++)
        {
            sb.Append($"  i{i}: {(inputs[i].IsStack ? "stack" : "image")}\n");
        }

        sb.Append($"steps:\n  - id: s\n    op: {c.Op}\n    in: [{string.Join(", ", inputs.Select((_, i) => $"i{i}"))}]\n");
        foreach (var p in c.Params.EnumerateObject())
        {
            sb.Append($"    {p.Name}: {p.Value.GetRawText()}\n");
        }

        sb.Append(c.Kind == "array" ? "outputs:\n  s: out.npy\n" : "outputs:\n  s: out.json\n");
        return sb.ToString();
    }

    /// <summary>Binds, plans and runs the case through the real binder, planner and executor.</summary>
    public static Value Run(OpFixtureCase c, int threads = 2)
    {
        var inputs = c.Inputs.Select(i => ImageIO.Read(Path.Combine(Dir, "inputs", i))).ToList();
        string text = Recipe(c, inputs);
        var loaded = RecipeLoader.LoadText(text, $"{c.Op}-{c.Index}.yaml");
        Assert.True(!loaded.HasErrors, text + "\n" + string.Join("\n", loaded.Diagnostics));
        var plan = Planner.Create(loaded.Recipe!, inputs.Select((a, i) => (Name: $"i{i}", Info: ValueInfo.Of(a))).ToDictionary(x => x.Name, x => x.Info));
        Assert.False(plan.HasErrors, string.Join("\n", plan.Diagnostics));
        var executor = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], threads);
        var values = executor.Run(inputs.Select((a, i) => (Name: $"i{i}", Array: a)).ToDictionary(x => x.Name, x => x.Array));
        return values[plan.Resolve("s")];
    }

    /// <summary>The expected array of an array case (real part, and imaginary part when complex).</summary>
    public static (float[] Real, float[]? Imag, int[] Shape) Expected(OpFixtureCase c)
    {
        float[] pack;
        lock (Packs)
        {
            if (!Packs.TryGetValue(c.Op, out pack!))
            {
                pack = Core.Codecs.Npy.NpyReader.Read(Path.Combine(Dir, "expected", c.Op + ".npy")).Data;
                Packs[c.Op] = pack;
            }
        }

        int[] shape = c.Case.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int n = shape.Aggregate(1, (a, b) => a * b);
        int offset = c.Case.GetProperty("offset").GetInt32();
        bool complex = c.Case.TryGetProperty("complex", out var cx) && cx.GetBoolean();
        return (pack.AsSpan(offset, n).ToArray(), complex ? pack.AsSpan(offset + n, n).ToArray() : null, shape);
    }
}

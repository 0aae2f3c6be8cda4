using System.Globalization;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Tests.Binding;
using XRayFlow.Pipeline.Tests.Ops;
using XRayFlow.Tests.Shared;

namespace XRayFlow.Pipeline.Tests.Fuzz;

/// <summary>
/// Random chains of two ops with random parameters within their declared ranges, on small random images (values
/// integer 0..255, or any float with NaN and infinities): each chain binds and runs, or is refused in words (a located
/// diagnostic, or a step failure with a reason); never a runtime exception. Fixed seeds by default;
/// XRAYFLOW_FUZZ_SECONDS=N runs for N seconds with a random seed (printed on failure).
/// </summary>
public class RandomChainTests
{
    private static readonly OpDefinition[] Ops = OpRegistry.All
        .Where(op => op.Params.All(p => p.Type != ParamType.Expression) && op.Inputs.Min <= 1 && !op.Inputs.RequiresStack
                     && op.Output is not (OutputKind.Table or OutputKind.Scalar))
        .ToArray();

    private static string Value(ParamSpec p, Random r)
    {
        string Num(bool whole)
        {
            double lo = p.Min ?? -4, hi = Math.Min(p.Max ?? 8, (p.Min ?? 0) + (whole ? 6 : 4));
            double v = lo + (r.NextDouble() * (hi - lo));
            if (p.MinExclusive && v == lo)
            {
                v = lo + 0.5;
            }

            return whole ? ((int)Math.Round(Math.Clamp(v, lo, hi))).ToString(CultureInfo.InvariantCulture) : Math.Round(v, 3).ToString("R", CultureInfo.InvariantCulture);
        }

        if (p.Words is { Count: > 0 } words && r.Next(3) == 0)
        {
            return words[r.Next(words.Count)];
        }

        return p.Type switch
        {
            ParamType.Float => Num(false),
            ParamType.Int => Num(true),
            ParamType.FloatPerAxis => r.Next(2) == 0 ? Num(false) : $"[{Num(false)}, {Num(false)}]",
            ParamType.IntPerAxis => r.Next(2) == 0 ? Num(true) : $"[{Num(true)}, {Num(true)}]",
            ParamType.FloatList or ParamType.IntList => "[" + string.Join(", ", Enumerable.Range(0, Math.Clamp(p.MinCount + r.Next(2), p.MinCount, Math.Min(p.MaxCount, 4))).Select(_ => Num(p.Type == ParamType.IntList))) + "]",
            ParamType.Bool => r.Next(2) == 0 ? "true" : "false",
            ParamType.Enum => $"\"{p.Allowed![r.Next(p.Allowed.Count)]}\"",
            ParamType.EnumList => $"[{p.Allowed![r.Next(p.Allowed.Count)]}, {p.Allowed![r.Next(p.Allowed.Count)]}]",
            _ => string.Empty,
        };
    }

    private static string Step(OpDefinition op, string id, string input, Random r)
    {
        var example = RegistryTests.Required(op).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split(':')[0].Trim(), l => l);
        var lines = new List<string> { $"  - id: {id}", $"    op: {op.Name}", $"    in: {input}" };
        foreach (var p in op.Params)
        {
            string v = (p.Required || r.Next(2) == 0) ? Value(p, r) : string.Empty;
            if (v.Length > 0)
            {
                lines.Add($"    {p.Name}: {v}");
            }
            else if (example.TryGetValue(p.Name, out var given))
            {
                lines.Add(given);
            }
        }

        return string.Join("\n", lines) + "\n";
    }

    [Fact]
    public void RandomChainsRunOrAreRefusedInWords()
    {
        int seconds = FuzzReport.Seconds;
        int seed = seconds > 0 ? Environment.TickCount : 20261203;
        var r = new Random(seed);
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        int ran = 0, refused = 0;
        for (int n = 0; seconds > 0 ? DateTime.UtcNow < deadline : n < 400; n++)
        {
            var a = Ops[r.Next(Ops.Length)];
            var b = Ops[r.Next(Ops.Length)];
            string text = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n" + Step(a, "a", "xray", r) + Step(b, "b", "a", r) + "outputs:\n  b: b.npy\n";
            var loaded = RecipeLoader.LoadText(text, "fuzz.yaml");
            if (loaded.HasErrors)
            {
                Assert.All(loaded.Diagnostics, d => Assert.True(d.Location is not null && d.Code.StartsWith("XRF1", StringComparison.Ordinal), $"{d}\n{text}"));
                refused++;
                continue;
            }

            int rows = 1 + r.Next(12), cols = 1 + r.Next(12);
            bool integers = r.Next(2) == 0;
            var data = new float[rows * cols];
            for (int k = 0; k < data.Length; k++)
            {
                data[k] = integers ? r.Next(256) : r.Next(20) switch
                {
                    0 => float.NaN,
                    1 => float.PositiveInfinity,
                    2 => float.NegativeInfinity,
                    3 => -0f,
                    _ => (float)((r.NextDouble() - 0.3) * 1000),
                };
            }

            var exec = new PlanExecutor(Planner.Create(loaded.Recipe!), new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 2);
            try
            {
                exec.Run(new Dictionary<string, ImageArray> { ["xray"] = new(rows, cols, data) });
                ran++;
            }
            catch (StepFailedException e) when (e.InnerException is null or OpRefusedException || OpContractTests.IsOwnRefusal(e.InnerException))
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed}, case {n}, {rows} x {cols} {(integers ? "integers" : "floats")}:\n{text}\n{e.GetType().Name}: {e.Message}\n{e.InnerException?.GetType().Name}: {e.InnerException?.Message}\n{e.InnerException?.StackTrace ?? e.StackTrace}");
            }
        }

        Assert.True(ran > refused / 4, $"{ran} ran, {refused} refused: the generator makes too few valid chains");
    }
}

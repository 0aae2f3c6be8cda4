using System.Diagnostics;
using System.Globalization;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Benchmarks;

/// <summary>
/// Fused against unfused runs of one recipe's plan, in one process, alternating run by run (this VM's timing drifts
/// from minute to minute, so both sides share every minute): for each size, the median wall time of the whole plan
/// fused and unfused, each step alone (its op called on its real inputs with the same threads), and the fused plan
/// against its costliest step alone (issue 16's goal: at most 1.3x). The input is the sample X-ray tiled to the size.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll fusion [runs = 30] [threads = 2]
/// [sizes = 1024,8192] [recipe = tests/bench/fused5.yaml]
/// </summary>
public static class FusionBench
{
    public static void Run(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var sizes = (args.Length > 3 ? args[3] : "1024,8192").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        string path = args.Length > 4 ? args[4] : "tests/bench/fused5.yaml";
        var loaded = RecipeLoader.Load(path);
        if (loaded.HasErrors || loaded.Recipe is not { } recipe)
        {
            Console.Error.WriteLine(string.Join("\n", loaded.Diagnostics));
            Environment.Exit(2);
            return;
        }

        var fused = Planner.Create(recipe);
        var unfused = Planner.Create(recipe, options: PlanOptions.NoFusion);
        string input = recipe.Inputs[0].Name;
        var sample = SampleImage.Load();
        Console.WriteLine($".NET {Environment.Version}, {path}, {threads} thread(s), {runs} alternating runs per side, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine(PlanPrinter.Text(fused).Split('\n').Where(l => l.StartsWith("  group", StringComparison.Ordinal) || l.StartsWith("  chain", StringComparison.Ordinal)).Aggregate(string.Empty, (a, l) => a + l + "\n"));
        Console.WriteLine($"{"size",-11} {"fused ms",10} {"unfused ms",11} {"costliest step alone (ms)",28} {"fused / costliest",18} {"unfused / fused",16}  each step alone (median ms)");
        foreach (int n in sizes)
        {
            var image = SizesBench.Tile(sample, n);
            var inputs = new Dictionary<string, ImageArray> { [input] = image };
            var a = new PlanExecutor(fused, new Dictionary<string, IExpressionKernel>(), [], threads);
            var b = new PlanExecutor(unfused, new Dictionary<string, IExpressionKernel>(), [], threads);
            var pool = PixelPool.Shared;
            double Time(PlanExecutor e, List<StepTiming>? t = null)
            {
                var sw = Stopwatch.StartNew();
                var values = e.Run(inputs, timings: t, pool: pool);
                sw.Stop();
                foreach (var v in values.Values)
                {
                    if (v is ArrayValue av && !ReferenceEquals(av.Array, image))
                    {
                        pool.Return(av.Array);
                    }
                }

                return sw.Elapsed.TotalMilliseconds;
            }

            // Every step alone: the op called on its real input values (kept from one unfused run), as a one-step plan would.
            var kept = new Capture();
            b.Run(inputs, observer: kept);
            var alone = unfused.Nodes.Select(node => (node.Id + " (" + node.Step.Op.Name + ")", (Func<double>)(() =>
            {
                var ctx = new OpContext { StepId = node.Id, Inputs = [.. node.Sources.Select(src => kept.Values[src])], Params = node.Step.Params, Threads = threads };
                var sw = Stopwatch.StartNew();
                var v = node.Step.Op.Invoke(ctx);
                sw.Stop();
                if (v is ArrayValue av)
                {
                    pool.Return(av.Array);
                }

                return sw.Elapsed.TotalMilliseconds;
            }))).ToList();

            // Warm up until the JIT's tiers settle (30+ calls of every kernel) or ~6 s.
            var warm = Stopwatch.StartNew();
            for (int w = 0; w < 40 && (w < 4 || warm.ElapsedMilliseconds < 6000); w++)
            {
                Time(a);
                Time(b);
                alone.ForEach(x => x.Item2());
            }

            var fusedMs = new List<double>();
            var unfusedMs = new List<double>();
            var steps = alone.ToDictionary(x => x.Item1, _ => new List<double>(), StringComparer.Ordinal);
            for (int r = 0; r < runs; r++)
            {
                var ft = new List<StepTiming>();
                fusedMs.Add(Time(a, ft));
                if (Environment.GetEnvironmentVariable("FUSION_DEBUG") == "1")
                {
                    Console.WriteLine(string.Join(", ", ft.Select(x => $"{x.Id} {x.Milliseconds:F2}")));
                }

                unfusedMs.Add(Time(b));
                foreach (var (name, body) in alone)
                {
                    steps[name].Add(body());
                }
            }

            var medians = steps.ToDictionary(kv => kv.Key, kv => Median(kv.Value));
            var costliest = medians.MaxBy(kv => kv.Value);
            double f = Median(fusedMs), u = Median(unfusedMs);
            Console.WriteLine($"{n + "x" + n,-11} {f,10:F2} {u,11:F2} {costliest.Key + " " + costliest.Value.ToString("F2", CultureInfo.InvariantCulture),28} {f / costliest.Value,17:F2}x {u / f,15:F2}x  "
                + string.Join(", ", medians.Select(kv => $"{kv.Key.Split(' ')[0]} {kv.Value:F2}")));
            var mins = steps.ToDictionary(kv => kv.Key, kv => kv.Value.Min());
            var cheapest = mins.MaxBy(kv => kv.Value);
            Console.WriteLine($"{"  (minima)",-11} {fusedMs.Min(),10:F2} {unfusedMs.Min(),11:F2} {cheapest.Key + " " + cheapest.Value.ToString("F2", CultureInfo.InvariantCulture),28} {fusedMs.Min() / cheapest.Value,17:F2}x {unfusedMs.Min() / fusedMs.Min(),15:F2}x  "
                + string.Join(", ", mins.Select(kv => $"{kv.Key.Split(' ')[0]} {kv.Value:F2}")));
        }
    }

    /// <summary>Copies of every value of one run.</summary>
    private sealed class Capture : IValueObserver
    {
        public Dictionary<string, Value> Values { get; } = new(StringComparer.Ordinal);

        public void Produced(string id, Value value)
            => Values[id] = value is ArrayValue av ? new ArrayValue(av.Array.Clone()) : value;

        public IFusedValueSink? Fused(string id, ImageArray shape) => null;
    }

    private static double Median(List<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }
}

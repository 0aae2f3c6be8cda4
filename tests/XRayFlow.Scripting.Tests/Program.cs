using System.Diagnostics;
using XRayFlow.Scripting;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// Entry point used only as a child process by the tests (the test host never calls it):
/// <c>dotnet XRayFlow.Scripting.Tests.dll probe CACHE_DIR</c> compiles <see cref="Recipes.ThreeExpressions"/> once and
/// prints "source=compiled|cache roslyn=True|False ms=N cpu_ms=N" (wall and CPU time of that first Compile in a
/// fresh process; CPU time is the number to trust on a loaded machine).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 2 && args[0] == "phases")
        {
            return Phases(args[1]);
        }

        if (args.Length != 2 || args[0] != "probe")
        {
            Console.Error.WriteLine("usage: probe CACHE_DIR");
            return 2;
        }

        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        var compiler = new RoslynExpressionCompiler(args[1]);
        var result = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);
        double ms = watch.Elapsed.TotalMilliseconds;
        double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds;
        if (!result.Succeeded)
        {
            Console.Error.WriteLine(string.Join('\n', result.Diagnostics));
            return 1;
        }

        var frame = new float[64 * 64];
        var output = new float[frame.Length];
        foreach (var kernel in result.Kernels.Values)
        {
            kernel.Run([frame, frame], 0, output, 64, 64, [150, 2]);
        }

        bool roslyn = AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal));
        Console.WriteLine(FormattableString.Invariant($"source={compiler.LastSource} roslyn={roslyn} ms={ms:F1} cpu_ms={cpuMs:F1}"));
        return 0;
    }

    /// <summary>Warm path phase by phase (CPU ms), to see where a cache hit spends its time.</summary>
    private static int Phases(string dir)
    {
        var process = Process.GetCurrentProcess();
        TimeSpan last = process.TotalProcessorTime;
        var parts = new List<string>();
        void Mark(string name)
        {
            process.Refresh();
            TimeSpan now = process.TotalProcessorTime;
            parts.Add(FormattableString.Invariant($"{name}={(now - last).TotalMilliseconds:F0}"));
            last = now;
        }

        var bag = new XRayFlow.Core.Diagnostics.DiagnosticBag();
        var plans = SourceGenerator.Plan(Recipes.ThreeExpressions, Recipes.Params, bag);
        Mark("plan");
        var source = SourceGenerator.Generate(plans);
        Mark("generate");
        string key = ExpressionCache.Key(source.Text);
        Mark("key");
        var cache = new ExpressionCache(dir, ExpressionCache.DefaultKeyFile());
        cache.TryOpen(out _);
        Mark("open");
        var assembly = cache.TryLoad(key);
        Mark("load");
        var compiler = new RoslynExpressionCompiler(dir);
        var result = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);
        Mark("compile-again");
        var output = new float[1024 * 1024];
        result.Kernels["bright"].Run([output, output], 0, output, 1024, 1024, [150, 2]);
        Mark("first-run");
        Console.WriteLine((assembly is null ? "miss " : "hit ") + string.Join(' ', parts));
        return 0;
    }
}

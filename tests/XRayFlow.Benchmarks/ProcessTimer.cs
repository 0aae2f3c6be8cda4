using System.Diagnostics;
using System.Globalization;

namespace XRayFlow.Benchmarks;

/// <summary>The Stopwatch loop of the quick benchmark modes (geometry, segmentation): 3 warm-ups, then N timed calls.</summary>
public static class ProcessTimer
{
    /// <summary>
    /// Runs <paramref name="run"/> 3 + <paramref name="runs"/> times, giving each result to <paramref name="recycle"/>,
    /// and prints `name,median_ms,min_ms,cpu_median_ms` (wall clock; process CPU time, all threads).
    /// </summary>
    public static void Print<T>(string name, int runs, Func<T> run, Action<T> recycle)
    {
        for (int w = 0; w < 3; w++)
        {
            recycle(run());
        }

        var process = Process.GetCurrentProcess();
        var times = new double[runs];
        var cpu = new double[runs];
        for (int r = 0; r < runs; r++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            var result = run();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            process.Refresh();
            cpu[r] = (process.TotalProcessorTime - c0).TotalMilliseconds;
            recycle(result);
        }

        Array.Sort(times);
        Array.Sort(cpu);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{times[runs / 2]:F3},{times[0]:F3},{cpu[runs / 2]:F3}"));
    }
}

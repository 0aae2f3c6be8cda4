using System.Diagnostics;
using System.Globalization;

namespace XRayFlow.Benchmarks;

/// <summary>The Stopwatch loop of the quick benchmark modes (geometry, segmentation): 3 warm-ups, then N timed calls.</summary>
public static class ProcessTimer
{
    /// <summary>
    /// Runs <paramref name="run"/> 3 + <paramref name="runs"/> times, giving each result to <paramref name="recycle"/>,
    /// and prints `name,median_ms,min_ms,cpu_mean_ms`: wall clock per call, and the process's CPU time (all threads)
    /// over the timed calls divided by their number. The calls run back to back, as the Python references time
    /// theirs: reading the process's CPU time between calls (a /proc read) cooled the caches and let the pool's
    /// workers park before every timed call, a cost the other side did not pay.
    /// </summary>
    public static void Print<T>(string name, int runs, Func<T> run, Action<T> recycle)
    {
        for (int w = 0; w < 3; w++)
        {
            recycle(run());
        }

        var process = Process.GetCurrentProcess();
        var times = new double[runs];
        process.Refresh();
        var c0 = process.TotalProcessorTime;
        for (int r = 0; r < runs; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var result = run();
            times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            recycle(result);
        }

        process.Refresh();
        double cpu = (process.TotalProcessorTime - c0).TotalMilliseconds / runs;
        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{times[runs / 2]:F3},{times[0]:F3},{cpu:F3}"));
    }
}

using System.Diagnostics;
using System.Globalization;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The floor under the one-pass ops of the size table (issue 16, goal 3): how long the machine takes to copy an n x n
/// float32 frame into another (each thread its half, Buffer.MemoryCopy: a read and a write of every pixel, what
/// sobel / prewitt / normalize's scaling at least do) and to read one (each thread its half's min and max), median of N
/// calls after warm-up, beside the same frame's copy at 1024 (cache-resident). An op that reads and writes every pixel
/// cannot be faster per pixel at 8192 than this copy.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll bandwidth [runs = 9] [threads = 2] [sizes = 1024,8192]
/// </summary>
public static class BandwidthBench
{
    public static unsafe void Run(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var sizes = (args.Length > 3 ? args[3] : "1024,8192").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Console.WriteLine($".NET {Environment.Version}, {threads} thread(s), median of {runs} calls after warm-up, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine("size,copy ms (ns per pixel),read ms (ns per pixel)");
        foreach (int n in sizes)
        {
            long count = (long)n * n;
            var a = GC.AllocateUninitializedArray<float>(checked((int)count));
            var b = GC.AllocateUninitializedArray<float>(checked((int)count));
            Array.Fill(a, 1f);
            Array.Fill(b, 2f);
            long part = (count + threads - 1) / threads;
            double Copy()
            {
                var sw = Stopwatch.StartNew();
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    long from = t * part, len = Math.Max(0, Math.Min(count, from + part) - from);
                    fixed (float* pa = a, pb = b)
                    {
                        Buffer.MemoryCopy(pa + from, pb + from, len * 4, len * 4);
                    }
                });
                return sw.Elapsed.TotalMilliseconds;
            }

            double Read()
            {
                var sw = Stopwatch.StartNew();
                Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                {
                    long from = t * part, len = Math.Max(0, Math.Min(count, from + part) - from);
                    GC.KeepAlive(XRayFlow.Core.Imaging.Extremes.MinMax(new ReadOnlySpan<float>(a, (int)from, (int)len)));
                });
                return sw.Elapsed.TotalMilliseconds;
            }

            int warm = n <= 2048 ? 30 : 3;
            for (int w = 0; w < warm; w++)
            {
                Copy();
                Read();
            }

            var copies = Enumerable.Range(0, runs).Select(_ => Copy()).Order().ToList();
            var reads = Enumerable.Range(0, runs).Select(_ => Read()).Order().ToList();
            double c = copies[runs / 2], r = reads[runs / 2];
            Console.WriteLine($"{n},{c:F3} ({c * 1e6 / count:F3}),{r:F3} ({r * 1e6 / count:F3})");
        }
    }
}

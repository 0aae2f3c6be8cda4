using System.Diagnostics;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The operations of <see cref="EngineOpsBenchmarks"/>, single-threaded (OpContext.Threads = 1), timed by
/// process CPU time as well as wall time. On a shared, overloaded machine CPU time is the steadier measure;
/// tests/bench/reference_bench_engine.py --cpu measures NumPy/SciPy the same way.
/// Run: dotnet run -c Release --project tests/XRayFlow.Benchmarks -- engine-cpu [repeat] [threads = 1] [ops, comma-separated]
/// (threads other than 1: the wall time is the measure; thread CPU is the calling thread's only).
/// </summary>
public static unsafe class EngineCpuTimes
{
    public static void Run(int repeat, int threads = 1, string? only = null)
    {
        var b = new EngineOpsBenchmarks { Threads = threads };
        b.Setup();
        var ops = new (string Name, Action Body)[]
        {
            ("PngDecode", () => b.PngDecode()),
            ("PngEncode", () => b.PngEncode()),
            ("Fft2", () => b.Fft2()),
            ("Ifft2", () => b.Ifft2()),
            ("FourierGaussian", () => b.FourierGaussian()),
            ("FourierSmoothChain", () => b.FourierSmoothChain()),
            ("Hypot", () => b.Hypot()),
            ("Normalize", () => b.Normalize()),
            ("Abs", () => b.Abs()),
            ("Clip", () => b.Clip()),
            ("Add", () => b.Add()),
            ("Histogram", () => b.Histogram()),
            ("Stats", () => b.Stats()),
            ("HistogramScalar", () => b.HistogramScalar()),
            ("StatsScalar", () => b.StatsScalar()),
            ("StatsMedian", () => b.StatsMedian()),
            ("StatsSum", () => b.StatsSum()),
            ("StatsSquares", () => b.StatsSquares()),
            ("RowFfts1024 own", () => b.RowFftsOwn()),
            ("RowFfts1024 MathNet", () => b.RowFftsMathNet()),
        };
        Console.WriteLine($".NET {Environment.Version}, 1024x1024 float32, {threads} thread(s), repeat {repeat}");
        Console.WriteLine($"{"op",-20} {"cpu median ms",14} {"wall median ms",15} {"wall min ms",12} {"thread cpu median ms",21}");
        var proc = Process.GetCurrentProcess();
        var selected = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var (name, body) in ops)
        {
            if (selected is not null && !selected.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            body();
            body();
            var cpu = new List<double>();
            var wall = new List<double>();
            var thread = new List<double>();
            for (int i = 0; i < repeat; i++)
            {
                proc.Refresh();
                var c0 = proc.TotalProcessorTime;
                double t0 = ThreadCpuMs();
                var sw = Stopwatch.StartNew();
                body();
                sw.Stop();
                thread.Add(ThreadCpuMs() - t0);
                proc.Refresh();
                cpu.Add((proc.TotalProcessorTime - c0).TotalMilliseconds);
                wall.Add(sw.Elapsed.TotalMilliseconds);
            }

            cpu.Sort();
            wall.Sort();
            thread.Sort();
            Console.WriteLine($"{name,-20} {cpu[repeat / 2],14:F2} {wall[repeat / 2],15:F2} {wall[0],12:F2} {thread[repeat / 2],21:F3}");
        }
    }

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID), immune to preemption on a loaded machine.</summary>
    private static double ThreadCpuMs()
    {
        Timespec ts;
        return clock_gettime(3, &ts) == 0 ? (ts.Seconds * 1e3) + (ts.Nanoseconds / 1e6) : double.NaN;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, Timespec* ts);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

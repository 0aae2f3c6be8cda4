using System.Diagnostics;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The operations of <see cref="EngineOpsBenchmarks"/>, single-threaded (OpContext.Threads = 1), timed by
/// process CPU time as well as wall time. On a shared, overloaded machine CPU time is the steadier measure;
/// tests/bench/reference_bench_engine.py --cpu measures NumPy/SciPy the same way.
/// Run: dotnet run -c Release --project tests/XRayFlow.Benchmarks -- engine-cpu [repeat] [threads = 1]
/// </summary>
public static class EngineCpuTimes
{
    public static void Run(int repeat, int threads = 1)
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
            ("RowFfts1024 own", () => b.RowFftsOwn()),
            ("RowFfts1024 MathNet", () => b.RowFftsMathNet()),
        };
        Console.WriteLine($".NET {Environment.Version}, 1024x1024 float32, {threads} thread(s), repeat {repeat}");
        Console.WriteLine($"{"op",-20} {"cpu median ms",14} {"wall median ms",15} {"wall min ms",12}");
        var proc = Process.GetCurrentProcess();
        foreach (var (name, body) in ops)
        {
            body();
            body();
            var cpu = new List<double>();
            var wall = new List<double>();
            for (int i = 0; i < repeat; i++)
            {
                proc.Refresh();
                var c0 = proc.TotalProcessorTime;
                var sw = Stopwatch.StartNew();
                body();
                sw.Stop();
                proc.Refresh();
                cpu.Add((proc.TotalProcessorTime - c0).TotalMilliseconds);
                wall.Add(sw.Elapsed.TotalMilliseconds);
            }

            cpu.Sort();
            wall.Sort();
            Console.WriteLine($"{name,-20} {cpu[repeat / 2],14:F2} {wall[repeat / 2],15:F2} {wall[0],12:F2}");
        }
    }
}

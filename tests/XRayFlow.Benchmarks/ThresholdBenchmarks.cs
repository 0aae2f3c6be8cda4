using BenchmarkDotNet.Attributes;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The rank filters, thresholds and percentile on the 1024 x 1024 chest X-ray: the 8-bit image as the PNG loader
/// returns it (recorded 8-bit: scikit-image's integer path) and a float image (its Gaussian smoothing, sigma 2: the
/// float path). Compare with tests/bench/reference_bench_thresholds.py (SciPy / scikit-image / NumPy on the uint8
/// array and on the float32 one; see docs/performance.md).
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll --filter '*ThresholdBenchmarks*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class ThresholdBenchmarks
{
    private ImageArray image = null!;
    private ImageArray smooth = null!;
    private ImageArray wide = null!;

    /// <summary>Degree of parallelism (the OpContext.Threads of a step).</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        image = IntegerSource.Record(SampleImage.Load(), 8);
        smooth = NdFilters.GaussianFilter(image, [2.0], threads: Threads);

        // A 16-bit image: the sample's values times 16 plus (v mod 7), 0 kept (as reference_bench_thresholds.py makes it).
        wide = image.Clone();
        for (int k = 0; k < wide.Length; k++)
        {
            float v = wide.Data[k];
            wide.Data[k] = v == 0 ? 0 : (v * 16) + (v % 7);
        }

        IntegerSource.Record(wide, 16);
    }


    [Benchmark]
    public void PercentileFilterSize3P75() => FilterBenchmarks.Recycle(RankFilter.Apply(image, [3], null, null, BoundaryMode.Reflect, 0f, RankFilter.RankOfPercentile(75, 9), Threads));

    [Benchmark]
    public void PercentileFilterSize5P90() => FilterBenchmarks.Recycle(RankFilter.Apply(image, [5], null, null, BoundaryMode.Reflect, 0f, RankFilter.RankOfPercentile(90, 25), Threads));

    [Benchmark]
    public void RankFilterSize3() => FilterBenchmarks.Recycle(RankFilter.Apply(image, [3], null, null, BoundaryMode.Reflect, 0f, 2, Threads));

    [Benchmark]
    public void RankFilterSize5() => FilterBenchmarks.Recycle(RankFilter.Apply(image, [5], null, null, BoundaryMode.Reflect, 0f, 12, Threads));

    [Benchmark]
    public double Otsu8() => Thresholds.Otsu(image.Data, IntegerSource.BitsOf(image, Threads), 256, Threads);

    [Benchmark]
    public double MultiOtsu8() => MultiOtsu.Thresholds(image.Data, IntegerSource.BitsOf(image, Threads), 256, 3, Threads)[0];

    /// <summary>Four classes (2.7 million choices of three thresholds over the 8-bit histogram).</summary>
    [Benchmark]
    public double MultiOtsu8Classes4() => MultiOtsu.Thresholds(image.Data, IntegerSource.BitsOf(image, Threads), 256, 4, Threads)[0];

    /// <summary>Five classes (172 million choices of four thresholds).</summary>
    [Benchmark]
    public double MultiOtsu8Classes5() => MultiOtsu.Thresholds(image.Data, IntegerSource.BitsOf(image, Threads), 256, 5, Threads)[0];

    /// <summary>Two and three classes of the 16-bit image (a 12-bit range: 4,023 bins).</summary>
    [Benchmark]
    public double MultiOtsu16Classes2() => MultiOtsu.Thresholds(wide.Data, IntegerSource.BitsOf(wide, Threads), 256, 2, Threads)[0];

    [Benchmark]
    public double MultiOtsu16Classes3() => MultiOtsu.Thresholds(wide.Data, IntegerSource.BitsOf(wide, Threads), 256, 3, Threads)[0];

    /// <summary>The search alone, on the sample's 8-bit histogram (made once).</summary>
    [Benchmark]
    public double MultiOtsuSearch8()
    {
        sampleHistogram ??= ImageHistogram.Of(image.Data, IntegerSource.BitsOf(image, Threads), 256, Threads);
        return MultiOtsu.Thresholds(sampleHistogram.Counts, sampleHistogram.Centers, 3)[0];
    }

    private ImageHistogram? sampleHistogram;

    [Benchmark]
    public double MultiOtsuFloat() => MultiOtsu.Thresholds(smooth.Data, IntegerSource.BitsOf(smooth, Threads), 256, 3, Threads)[0];

    [Benchmark]
    public double Li8() => Thresholds.Li(image.Data, IntegerSource.BitsOf(image, Threads), threads: Threads);

    [Benchmark]
    public double Yen8() => Thresholds.Yen(image.Data, IntegerSource.BitsOf(image, Threads), 256, Threads);

    [Benchmark]
    public double Triangle8() => Thresholds.Triangle(image.Data, IntegerSource.BitsOf(image, Threads), 256, Threads);

    [Benchmark]
    public double Isodata8() => Thresholds.Isodata(image.Data, IntegerSource.BitsOf(image, Threads), 256, Threads);

    [Benchmark]
    public double Minimum8() => Thresholds.Minimum(image.Data, IntegerSource.BitsOf(image, Threads), 256, threads: Threads);

    [Benchmark]
    public double Mean8() => Thresholds.Mean(image.Data, IntegerSource.BitsOf(image, Threads), Threads);

    [Benchmark]
    public double Percentile8() => Quantiles.Percentile(image.Data, 90, IntegerSource.TryGetRecorded(image, out int b) ? b : 0);

    [Benchmark]
    public double Li16() => Thresholds.Li(wide.Data, IntegerSource.BitsOf(wide, Threads), threads: Threads);

    [Benchmark]
    public double Otsu16() => Thresholds.Otsu(wide.Data, IntegerSource.BitsOf(wide, Threads), 256, Threads);

    [Benchmark]
    public double Yen16() => Thresholds.Yen(wide.Data, IntegerSource.BitsOf(wide, Threads), 256, Threads);

    [Benchmark]
    public double Triangle16() => Thresholds.Triangle(wide.Data, IntegerSource.BitsOf(wide, Threads), 256, Threads);

    [Benchmark]
    public double Isodata16() => Thresholds.Isodata(wide.Data, IntegerSource.BitsOf(wide, Threads), 256, Threads);

    [Benchmark]
    public double Mean16() => Thresholds.Mean(wide.Data, IntegerSource.BitsOf(wide, Threads), Threads);

    [Benchmark]
    public double OtsuFloat() => Thresholds.Otsu(smooth.Data, IntegerSource.BitsOf(smooth, Threads), 256, Threads);

    [Benchmark]
    public double LiFloat() => Thresholds.Li(smooth.Data, IntegerSource.BitsOf(smooth, Threads), threads: Threads);

    [Benchmark]
    public double YenFloat() => Thresholds.Yen(smooth.Data, IntegerSource.BitsOf(smooth, Threads), 256, Threads);

    [Benchmark]
    public double TriangleFloat() => Thresholds.Triangle(smooth.Data, IntegerSource.BitsOf(smooth, Threads), 256, Threads);

    [Benchmark]
    public double IsodataFloat() => Thresholds.Isodata(smooth.Data, IntegerSource.BitsOf(smooth, Threads), 256, Threads);

    [Benchmark]
    public double MinimumFloat() => Thresholds.Minimum(smooth.Data, IntegerSource.BitsOf(smooth, Threads), 256, threads: Threads);

    [Benchmark]
    public double MeanFloat() => Thresholds.Mean(smooth.Data, IntegerSource.BitsOf(smooth, Threads), Threads);

    [Benchmark]
    public double PercentileFloat() => Quantiles.Percentile(smooth.Data, 90, 0);
}

/// <summary>
/// <see cref="ThresholdBenchmarks"/> timed by the calling thread's CPU time (1 thread: all the work) and by wall
/// time, for a machine too loaded for BenchmarkDotNet's wall clock to mean much; reference_bench_thresholds.py
/// reports the minimum process CPU time of the single-threaded Python side the same way.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll thresholds-cpu [repeat] [threads]
/// </summary>
public static unsafe class ThresholdCpuTimes
{
    public static void Run(int repeat, int threads, string? filter = null)
    {
        var b = new ThresholdBenchmarks { Threads = threads };
        b.Setup();
        var ops = typeof(ThresholdBenchmarks).GetMethods().Where(m => m.GetCustomAttributes(typeof(BenchmarkAttribute), false).Length > 0)
            .Where(m => filter is null || m.Name.Contains(filter, StringComparison.Ordinal)).ToList();
        Console.WriteLine($".NET {Environment.Version}, 1024x1024, {threads} thread(s), repeat {repeat}");
        foreach (var (k, rank) in new[] { (3, 2), (3, 6), (5, 12), (5, 22) })
        {
            int sorted = RankNetwork.Select(Enumerable.Repeat(k, k).ToArray(), rank).A.Length;
            int any = RankNetwork.Select(Enumerable.Repeat(1, k * k).ToArray(), rank).A.Length;
            Console.WriteLine($"network {k}x{k} rank {rank}: {sorted} comparators on sorted columns (+ {RankNetwork.Sort(k).A.Length} per column sort), {any} on any values");
        }

        Console.WriteLine($"{"op",-24} {"thread cpu min ms",18} {"thread cpu median ms",21} {"wall median ms",15} {"wall min ms",12}");
        foreach (var op in ops)
        {
            void Body() => op.Invoke(b, null);
            Body();
            Body();
            var cpu = new List<double>();
            var wall = new List<double>();
            for (int i = 0; i < repeat; i++)
            {
                double t0 = ThreadCpuMs();
                var sw = System.Diagnostics.Stopwatch.StartNew();
                Body();
                sw.Stop();
                cpu.Add(ThreadCpuMs() - t0);
                wall.Add(sw.Elapsed.TotalMilliseconds);
            }

            cpu.Sort();
            wall.Sort();
            Console.WriteLine($"{op.Name,-24} {cpu[0],18:F3} {cpu[repeat / 2],21:F3} {wall[repeat / 2],15:F3} {wall[0],12:F3}");
        }
    }

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

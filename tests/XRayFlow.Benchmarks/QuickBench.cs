using System.Diagnostics;
using System.Globalization;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Benchmarks;

/// <summary>
/// A quick Stopwatch timing of the same ops as <see cref="FilterBenchmarks"/> (median of N runs after
/// warm-up), for iterating on kernels: dotnet run -c Release --project tests/XRayFlow.Benchmarks -- quick [runs] [threads]
/// </summary>
public static unsafe class QuickBench
{
    public static void Run(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var image = SampleImage.Load();
        var unit = new ImageArray(image.Rows, image.Cols, image.Data.Select(v => v / 255f).ToArray()); // a float image (fractions): the ridge filters' float32 path
        var edges = new float[image.Length]; // canny's output, reused (a fresh 4 MB array a call costs its page faults)
        var ops = new (string Name, Action Run)[]
        {
            ("gaussian_filter s=1", () => FilterBenchmarks.Recycle(NdFilters.GaussianFilter(image, [1.0], threads: threads))),
            ("gaussian_filter s=4", () => FilterBenchmarks.Recycle(NdFilters.GaussianFilter(image, [4.0], threads: threads))),
            ("gaussian_filter s=16", () => FilterBenchmarks.Recycle(NdFilters.GaussianFilter(image, [16.0], threads: threads))),
            ("sobel pair + hypot", () =>
            {
                var gx = NdFilters.Sobel(image, 0, threads: threads);
                var gy = NdFilters.Sobel(image, 1, threads: threads);
                var magnitude = PixelPool.Shared.Rent(gx.Length);
                XRayFlow.Core.Ops.Elementwise.Hypot.Apply([gx.Data, gy.Data], magnitude, threads);
                FilterBenchmarks.Recycle(gx);
                FilterBenchmarks.Recycle(gy);
                PixelPool.Shared.Return(magnitude);
            }),
            ("sobel axis=0", () => FilterBenchmarks.Recycle(NdFilters.Sobel(image, 0, threads: threads))),
            ("sobel axis=-1", () => FilterBenchmarks.Recycle(NdFilters.Sobel(image, -1, threads: threads))),
            ("prewitt axis=-1", () => FilterBenchmarks.Recycle(NdFilters.Prewitt(image, -1, threads: threads))),
            ("laplace", () => FilterBenchmarks.Recycle(NdFilters.Laplace(image, threads: threads))),
            ("gaussian_laplace s=1", () => FilterBenchmarks.Recycle(NdFilters.GaussianLaplace(image, [1.0], threads: threads))),
            ("gaussian_gradient_magnitude s=2", () => FilterBenchmarks.Recycle(NdFilters.GaussianGradientMagnitude(image, [2.0], threads: threads))),
            ("uniform_filter size=3", () => FilterBenchmarks.Recycle(NdFilters.UniformFilter(image, [3], threads: threads))),
            ("uniform_filter size=21", () => FilterBenchmarks.Recycle(NdFilters.UniformFilter(image, [21], threads: threads))),
            ("median_filter size=3", () => FilterBenchmarks.Recycle(NdFilters.MedianFilter(image, [3], threads: threads))),
            ("median_filter size=5", () => FilterBenchmarks.Recycle(NdFilters.MedianFilter(image, [5], threads: threads))),
            ("correlate 3x3", () => FilterBenchmarks.Recycle(Correlate.Apply(image, FilterBenchmarks.W3, null, BoundaryMode.Reflect, 0, convolve: false, threads))),
            ("correlate 7x7", () => FilterBenchmarks.Recycle(Correlate.Apply(image, FilterBenchmarks.W7, null, BoundaryMode.Reflect, 0, convolve: false, threads))),
            ("correlate1d 5 symmetric axis 0", () => FilterBenchmarks.Recycle(Correlate.Line(image, [1 / 16.0, 4 / 16.0, 6 / 16.0, 4 / 16.0, 1 / 16.0], 0, 0, BoundaryMode.Reflect, 0, convolve: false, threads))),
            ("correlate1d 4 general axis 1", () => FilterBenchmarks.Recycle(Correlate.Line(image, [0.5, -1.25, 2, 0.1], 1, 0, BoundaryMode.Reflect, 0, convolve: false, threads))),
            ("difference_of_gaussians 2 8-bit", () => FilterBenchmarks.Recycle(DifferenceOfGaussians.Apply(image, [2.0], null, BoundaryMode.Nearest, 0, 4.0, threads))),
            ("difference_of_gaussians 2 float", () => FilterBenchmarks.Recycle(DifferenceOfGaussians.Apply(unit, [2.0], null, BoundaryMode.Nearest, 0, 4.0, threads))),
            ("canny sigma 2 8-bit", () => Canny.Detect(image.Data, image.Rows, image.Cols, edges, sigma: 2.0, lowThreshold: 25.5, highThreshold: 51, threads: threads)),
            ("frangi 8-bit", () => FilterBenchmarks.Recycle(Ridge(image, RidgeFilter.Frangi, threads))),
            ("frangi float", () => FilterBenchmarks.Recycle(Ridge(unit, RidgeFilter.Frangi, threads))),
            ("sato float", () => FilterBenchmarks.Recycle(Ridge(unit, RidgeFilter.Sato, threads))),
            ("meijering float", () => FilterBenchmarks.Recycle(Ridge(unit, RidgeFilter.Meijering, threads))),
        };
        Console.WriteLine($"op,median_ms,min_ms,min_thread_cpu_ms (the calling thread's CPU time; meaningful with threads=1) (runs={runs}, threads={threads}, image {image.ShapeText})");
        string? only = args.Length > 3 ? args[3] : null; // a substring of the op names to run, e.g. "difference"
        foreach (var (name, run) in ops)
        {
            if (only is not null && !name.Contains(only, StringComparison.Ordinal))
            {
                continue;
            }

            for (int w = 0; w < 3; w++)
            {
                run();
            }

            var times = new double[runs];
            double cpu = double.MaxValue;
            for (int r = 0; r < runs; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                double c0 = ThreadCpuMs();
                run();
                cpu = Math.Min(cpu, ThreadCpuMs() - c0);
                times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }

            Array.Sort(times);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{times[runs / 2]:F3},{times[0]:F3},{cpu:F3}"));
        }
    }

    /// <summary>A ridge filter with scikit-image's defaults (sigmas 1, 3, 5, 7, 9; black ridges; mode reflect).</summary>
    private static ImageArray Ridge(ImageArray image, RidgeFilter filter, int threads)
        => RidgeFilters.Apply(image, filter, [1.0, 3.0, 5.0, 7.0, 9.0], 0.5, 0.5, 15, true, BoundaryMode.Reflect, 0, threads);

    /// <summary>CPU time of the calling thread (Linux CLOCK_THREAD_CPUTIME_ID), immune to preemption on a loaded machine.</summary>
    internal static double ThreadCpuMs()
    {
        Timespec ts;
        return clock_gettime(3, &ts) == 0 ? (ts.Seconds * 1e3) + (ts.Nanoseconds / 1e6) : double.NaN;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern unsafe int clock_gettime(int clock, Timespec* ts);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

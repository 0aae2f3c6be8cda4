using System.Diagnostics;
using System.Globalization;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Benchmarks;

/// <summary>
/// Kernel-only timing with a REUSED destination array (no output allocation), for iterating on the
/// separable kernels: dotnet run -c Release --project tests/XRayFlow.Benchmarks -- kernels [runs] [filter]
/// Each op runs with 1 and with 2 threads; prints the median and min wall time, and the calling thread's
/// min CPU time (meaningful with 1 thread: immune to preemption on a shared machine).
/// </summary>
public static class KernelBench
{
    public static void Run(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 31;
        string? filter = args.Length > 2 ? args[2] : null;
        var image = SampleImage.Load();
        int rows = image.Rows, cols = image.Cols;
        var dst = new float[image.Length];
        var u3 = Kernel1D.Uniform(3, 0);
        var u21 = Kernel1D.Uniform(21, 0);
        var taps3 = new Kernel1D([1.0 / 3, 1.0 / 3, 1.0 / 3]); // the same weights, not marked as a box: the generic fast path
        int stride = ScipyGaussian.Stride(cols);
        var start = new double[rows * stride];
        var smooth = new double[image.Length];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                start[(r * stride) + c] = image.Data[(r * cols) + c] / 255.0;
            }
        }

        var ops = new (string Name, Action<int> Run)[]
        {
            ("scipy gaussian 3.2 float64", t => ScipyGaussian.Apply(start, stride, smooth, rows, cols, 3.2, 3.2, BoundaryMode.Nearest, 0, 4.0, false, t)),
            ("scipy gaussian 3.2 float64 axis 0", t => ScipyGaussian.Apply(start, stride, smooth, rows, cols, 3.2, 0, BoundaryMode.Nearest, 0, 4.0, false, t)),
            ("scipy gaussian 3.2 float64 axis 1", t => ScipyGaussian.Apply(start, stride, smooth, rows, cols, 0, 3.2, BoundaryMode.Nearest, 0, 4.0, false, t)),
            ("uniform 3", t => SeparableFilter.Apply(image.Data, 0, dst, 0, rows, cols, u3, u3, BoundaryMode.Reflect, 0f, false, t)),
            ("uniform 3 as plain taps", t => SeparableFilter.Apply(image.Data, 0, dst, 0, rows, cols, taps3, taps3, BoundaryMode.Reflect, 0f, false, t)),
            ("uniform 21", t => SeparableFilter.Apply(image.Data, 0, dst, 0, rows, cols, u21, u21, BoundaryMode.Reflect, 0f, false, t)),
            ("uniform 21 axis 0", t => SeparableFilter.Apply(image.Data, 0, dst, 0, rows, cols, u21, null, BoundaryMode.Reflect, 0f, false, t)),
            ("uniform 21 axis 1", t => SeparableFilter.Apply(image.Data, 0, dst, 0, rows, cols, null, u21, BoundaryMode.Reflect, 0f, false, t)),
            ("uniform 21 constant cval 7", t => SeparableFilter.Apply(image.Data, 0, dst, 0, rows, cols, u21, u21, BoundaryMode.Constant, 7f, false, t)),
            ("uniform 101 wrap", t => SeparableFilter.Apply(image.Data, 0, dst, 0, rows, cols, Kernel1D.Uniform(101), Kernel1D.Uniform(101), BoundaryMode.Wrap, 0f, false, t)),
        };
        Console.WriteLine($"op,threads,median_ms,min_ms,min_thread_cpu_ms (runs={runs}, reused dst, image {image.ShapeText})");
        foreach (var (name, run) in ops)
        {
            if (filter is not null && !name.Contains(filter, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (int threads in new[] { 1, 2 })
            {
                for (int w = 0; w < 10; w++)
                {
                    run(threads);
                }

                var times = new double[runs];
                double cpu = double.MaxValue;
                for (int r = 0; r < runs; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    double c0 = QuickBench.ThreadCpuMs();
                    run(threads);
                    cpu = Math.Min(cpu, QuickBench.ThreadCpuMs() - c0);
                    times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                }

                Array.Sort(times);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name},{threads},{times[runs / 2]:F3},{times[0]:F3},{cpu:F3}"));
            }
        }
    }
}

using BenchmarkDotNet.Attributes;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The scipy.ndimage filters on a 1024 x 1024 chest X-ray (float32). Compare with
/// tests/bench/reference_bench.py (SciPy and OpenCV on the same image); see docs/performance.md.
/// Outputs go back to the pixel pool after each call, as in a pipeline run (see <see cref="Recycle"/>).
/// Run: dotnet run -c Release --project tests/XRayFlow.Benchmarks -- --filter '*FilterBenchmarks*' --job short --inProcess
/// </summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private ImageArray image = null!;

    /// <summary>Degree of parallelism (the OpContext.Threads of a step).</summary>
    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => image = SampleImage.Load();

    [Benchmark]
    public void GaussianSigma1() => Recycle(NdFilters.GaussianFilter(image, [1.0], threads: Threads));

    [Benchmark]
    public void GaussianSigma4() => Recycle(NdFilters.GaussianFilter(image, [4.0], threads: Threads));

    [Benchmark]
    public void GaussianSigma16() => Recycle(NdFilters.GaussianFilter(image, [16.0], threads: Threads));

    /// <summary>sobel axis 0, sobel axis 1, then hypot (PixelKernels.Hypot, what the hypot op runs).</summary>
    [Benchmark]
    public void SobelPairHypot()
    {
        var gx = NdFilters.Sobel(image, 0, threads: Threads);
        var gy = NdFilters.Sobel(image, 1, threads: Threads);
        var magnitude = PixelPool.Shared.Rent(gx.Length);
        XRayFlow.Core.Ops.Elementwise.Hypot.Apply([gx.Data, gy.Data], magnitude, Threads);
        Recycle(gx);
        Recycle(gy);
        PixelPool.Shared.Return(magnitude);
    }

    /// <summary>
    /// Gives a result back to the pixel pool, as the executor does once a value's last reader has run, so
    /// each call measures the steady state of a pipeline (no fresh 4 MiB large-object allocation per call).
    /// </summary>
    internal static void Recycle(ImageArray result) => PixelPool.Shared.Return(result);

    [Benchmark]
    public void Sobel() => Recycle(NdFilters.Sobel(image, -1, threads: Threads));

    [Benchmark]
    public void Prewitt() => Recycle(NdFilters.Prewitt(image, -1, threads: Threads));

    [Benchmark]
    public void Laplace() => Recycle(NdFilters.Laplace(image, threads: Threads));

    [Benchmark]
    public void GaussianLaplaceSigma1() => Recycle(NdFilters.GaussianLaplace(image, [1.0], threads: Threads));

    [Benchmark]
    public void GaussianGradientMagnitudeSigma2() => Recycle(NdFilters.GaussianGradientMagnitude(image, [2.0], threads: Threads));

    [Benchmark]
    public void UniformSize3() => Recycle(NdFilters.UniformFilter(image, [3], threads: Threads));

    [Benchmark]
    public void UniformSize21() => Recycle(NdFilters.UniformFilter(image, [21], threads: Threads));

    [Benchmark]
    public void MedianSize3() => Recycle(NdFilters.MedianFilter(image, [3], threads: Threads));

    [Benchmark]
    public void MedianSize5() => Recycle(NdFilters.MedianFilter(image, [5], threads: Threads));

    /// <summary>correlate's kernels, as tests/bench/reference_bench.py's W3 and W7 (numpy.random.default_rng(5), rounded).</summary>
    internal static readonly double[][] W3 = [[1 / 15.0, 2 / 15.0, 1 / 15.0], [2 / 15.0, 3 / 15.0, 2 / 15.0], [1 / 15.0, 2 / 15.0, 1 / 15.0]];

    internal static readonly double[][] W7 =
    [
        [-0.802, -1.324, -0.248, 0.42, 1.136, 0.11, -0.553], [-0.785, 0.749, 1.635, 0.273, -1.233, -0.958, 1.6],
        [0.203, -1.732, -0.084, -1.163, -0.629, -0.488, -0.713], [0.553, -0.063, -0.589, 0.41, 0.83, -1.643, -0.257],
        [-0.981, -0.173, -1.289, 0.021, -0.038, -0.304, -1.048], [-0.396, -1.091, -1.355, 0.225, -1.109, 1.17, 0.717],
        [-1.998, 0.272, -1.102, 0.033, 0.044, -1.988, -0.233],
    ];

    [Benchmark]
    public void Correlate3x3() => Recycle(Correlate.Apply(image, W3, null, BoundaryMode.Reflect, 0, convolve: false, Threads));

    [Benchmark]
    public void Correlate7x7() => Recycle(Correlate.Apply(image, W7, null, BoundaryMode.Reflect, 0, convolve: false, Threads));
}

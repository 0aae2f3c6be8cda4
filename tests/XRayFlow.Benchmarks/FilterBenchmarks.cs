using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Kernels;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The scipy.ndimage filters on a 1024 x 1024 chest X-ray (float32). Compare with
/// tests/bench/reference_bench.py (SciPy and OpenCV on the same image); see docs/performance.md.
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
    public ImageArray GaussianSigma1() => NdFilters.GaussianFilter(image, [1.0], threads: Threads);

    [Benchmark]
    public ImageArray GaussianSigma4() => NdFilters.GaussianFilter(image, [4.0], threads: Threads);

    [Benchmark]
    public ImageArray GaussianSigma16() => NdFilters.GaussianFilter(image, [16.0], threads: Threads);

    /// <summary>sobel axis 0, sobel axis 1, then hypot (TensorPrimitives.Hypot, what the hypot op runs).</summary>
    [Benchmark]
    public float[] SobelPairHypot()
    {
        var gx = NdFilters.Sobel(image, 0, threads: Threads);
        var gy = NdFilters.Sobel(image, 1, threads: Threads);
        var magnitude = new float[gx.Length];
        TensorPrimitives.Hypot(gx.Data, gy.Data, magnitude);
        return magnitude;
    }

    [Benchmark]
    public ImageArray Sobel() => NdFilters.Sobel(image, -1, threads: Threads);

    [Benchmark]
    public ImageArray Prewitt() => NdFilters.Prewitt(image, -1, threads: Threads);

    [Benchmark]
    public ImageArray Laplace() => NdFilters.Laplace(image, threads: Threads);

    [Benchmark]
    public ImageArray GaussianLaplaceSigma1() => NdFilters.GaussianLaplace(image, [1.0], threads: Threads);

    [Benchmark]
    public ImageArray GaussianGradientMagnitudeSigma2() => NdFilters.GaussianGradientMagnitude(image, [2.0], threads: Threads);

    [Benchmark]
    public ImageArray UniformSize3() => NdFilters.UniformFilter(image, [3], threads: Threads);

    [Benchmark]
    public ImageArray UniformSize21() => NdFilters.UniformFilter(image, [21], threads: Threads);

    [Benchmark]
    public ImageArray MedianSize3() => NdFilters.MedianFilter(image, [3], threads: Threads);

    [Benchmark]
    public ImageArray MedianSize5() => NdFilters.MedianFilter(image, [5], threads: Threads);
}

using BenchmarkDotNet.Attributes;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The engine's non-filter ops and the PNG codec on the 1024 x 1024 sample X-ray
/// (pipelines/samples/00000011_000.png). Reference timings of the same operations in NumPy/SciPy:
/// tests/bench/reference_bench_engine.py. Results: docs/performance-engine.md.
/// Array results go back to the pixel pool after each call, as the executor does in a pipeline run.
/// Run: dotnet run -c Release --project tests/XRayFlow.Benchmarks -- --filter '*EngineOps*'
/// </summary>
[MemoryDiagnoser]
public class EngineOpsBenchmarks
{
    private byte[] png = [];

    /// <summary>OpContext.Threads for every op (the CPU-time runner uses 1).</summary>
    public int Threads { get; set; } = Environment.ProcessorCount;

    private ImageArray image = null!;
    private ImageArray spectrum = null!;
    private ImageArray gx = null!;
    private ImageArray gy = null!;

    [GlobalSetup]
    public void Setup()
    {
        string path = FindSample();
        png = File.ReadAllBytes(path);
        image = ImageReader.Read(path);
        spectrum = Run("fft2", [image]);
        gx = image.Clone();
        gy = image.Clone();
        for (int r = 0; r < image.Rows; r++)
        {
            for (int c = 1; c < image.Cols - 1; c++)
            {
                gx[r, c] = image[r, c + 1] - image[r, c - 1];
            }
        }

        for (int r = 1; r < image.Rows - 1; r++)
        {
            for (int c = 0; c < image.Cols; c++)
            {
                gy[r, c] = image[r + 1, c] - image[r - 1, c];
            }
        }
    }

    [Benchmark]
    public void PngDecode() => Recycle(ImageReader.Read(new MemoryStream(png), "sample.png")); // the runner gives an item's inputs back too

    [Benchmark]
    public long PngEncode()
    {
        var ms = new MemoryStream();
        PngWriter.Write(ms, image);
        return ms.Length;
    }

    [Benchmark]
    public void Fft2() => Recycle(Run("fft2", [image]));

    [Benchmark]
    public void Ifft2() => Recycle(Run("ifft2", [spectrum]));

    [Benchmark]
    public void FourierGaussian() => Recycle(Run("fourier_gaussian", [spectrum], ("sigma", new[] { 3.0 })));

    /// <summary>The tutorial's smoothing: fft2 -> fourier_gaussian -> ifft2 (real part).</summary>
    [Benchmark]
    public void FourierSmoothChain()
    {
        var spec = Run("fft2", [image]);
        var smooth = Run("fourier_gaussian", [spec], ("sigma", new[] { 3.0 }));
        Recycle(spec);
        Recycle(Run("ifft2", [smooth]));
        Recycle(smooth);
    }

    [Benchmark]
    public void Hypot() => Recycle(Run("hypot", [gx, gy]));

    [Benchmark]
    public void Normalize() => Recycle(Run("normalize", [image]));

    [Benchmark]
    public void Abs() => Recycle(Run("abs", [gx]));

    [Benchmark]
    public void Clip() => Recycle(Run("clip", [image], ("min", 0.0), ("max", 200.0)));

    [Benchmark]
    public void Add() => Recycle(Run("add", [gx, gy]));

    [Benchmark]
    public object Histogram() => OpRunnerTable("histogram", image);

    [Benchmark]
    public object Stats() => OpRunnerTable("stats", image);

    /// <summary>The scalar reference of the histogram kernel (the meaning the fast path is tested against).</summary>
    [Benchmark]
    public long[] HistogramScalar() => ArrayStatistics.HistogramScalar(image.Data, ArrayStatistics.Edges(0, 255, 256));

    /// <summary>The scalar reference of the stats kernel.</summary>
    [Benchmark]
    public ArrayStatistics.Summary StatsScalar() => ArrayStatistics.SummarizeScalar(image.Data);

    /// <summary>The parts of stats: the median alone.</summary>
    public double StatsMedian() => ArrayStatistics.Median(image.Data);

    /// <summary>The parts of stats: numpy's sum of the values.</summary>
    public double StatsSum() => ArrayStatistics.NumpySumSimd(image.Data, 0, false);

    /// <summary>The parts of stats: numpy's sum of the squares about a mean.</summary>
    public double StatsSquares() => ArrayStatistics.NumpySumSimd(image.Data, 100.5, true);

    /// <summary>1024 forward 1-D FFTs of length 1024 (the rows of the image) with the engine's FftPlan.</summary>
    public float RowFftsOwn()
    {
        var re = new float[1024];
        var im = new float[1024];
        var plan = XRayFlow.Core.Ops.Fourier.FftPlan.Get(1024);
        float sum = 0;
        for (int r = 0; r < 1024; r++)
        {
            image.Data.AsSpan(r * 1024, 1024).CopyTo(re);
            Array.Clear(im);
            plan.Forward(re, im);
            sum += re[1];
        }

        return sum;
    }

    /// <summary>The same 1024 row FFTs with MathNet.Numerics 5.0 (Complex32, no scaling): why the engine has its own FFT.</summary>
    public float RowFftsMathNet()
    {
        var row = new MathNet.Numerics.Complex32[1024];
        float sum = 0;
        for (int r = 0; r < 1024; r++)
        {
            for (int c = 0; c < 1024; c++)
            {
                row[c] = new MathNet.Numerics.Complex32(image.Data[(r * 1024) + c], 0);
            }

            MathNet.Numerics.IntegralTransforms.Fourier.Forward(row, MathNet.Numerics.IntegralTransforms.FourierOptions.NoScaling);
            sum += row[1].Real;
        }

        return sum;
    }

    private static void Recycle(ImageArray a) => PixelPool.Shared.Return(a);

    private ImageArray Run(string op, ImageArray[] inputs, params (string Key, object Value)[] ps)
        => ((ArrayValue)Execute(op, inputs, ps)).Array;

    private object OpRunnerTable(string op, ImageArray input) => Execute(op, [input], []);

    private Value Execute(string op, ImageArray[] inputs, (string Key, object Value)[] ps)
    {
        var def = OpRegistry.Get(op);
        var bound = def.Params.ToDictionary(p => p.Name, p => p.Default);
        foreach (var (k, v) in ps)
        {
            bound[k] = v;
        }

        return def.Invoke(new OpContext
        {
            StepId = op,
            Inputs = inputs.Select(a => (Value)new ArrayValue(a)).ToList(),
            Params = bound,
            Threads = Threads,
        });
    }

    private static string FindSample()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            string p = Path.Combine(dir.FullName, "pipelines", "samples", "00000011_000.png");
            if (File.Exists(p))
            {
                return p;
            }

            dir = dir.Parent;
        }

        throw new FileNotFoundException("pipelines/samples/00000011_000.png not found above " + AppContext.BaseDirectory);
    }
}

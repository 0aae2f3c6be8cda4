using BenchmarkDotNet.Attributes;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Display;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Benchmarks;

/// <summary>Canny on a 1024 x 1024 image, a 3 x 3 figure and a 9-frame GIF (synthetic data with X-ray-like structure).</summary>
[MemoryDiagnoser]
public class PictureBenchmarks
{
    private const int N = 1024;
    private float[] image = [];
    private float[] edges = [];
    private ImageArray stack = null!;
    private List<FigurePanel> panels = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        image = new float[N * N];
        for (int y = 0; y < N; y++)
        {
            for (int x = 0; x < N; x++)
            {
                double r = Math.Sqrt(((x - 512.0) * (x - 512.0)) + ((y - 480.0) * (y - 480.0)));
                image[(y * N) + x] = (float)((128 + (100 * Math.Sin(r / 23.0))) + (rng.NextDouble() * 8));
            }
        }

        edges = new float[N * N];
        var frame = new ImageArray(N, N, image);
        stack = ImageArray.StackOf(Enumerable.Repeat(frame, 9).ToList());
        panels = Colormaps.Names.Take(9).Select(m => new FigurePanel(frame, m, Colormaps.Get(m))).ToList();
    }

    [Benchmark]
    public void Canny1024Sigma3() => Canny.Detect(image, N, N, edges, sigma: 3.0, lowThreshold: 25.5, highThreshold: 51);

    [Benchmark]
    public byte[] Figure3x3() => FigureRenderer.Render(panels, 3, "benchmark");

    [Benchmark]
    public long Gif9Frames()
    {
        using var ms = new MemoryStream();
        GifWriter.Write(ms, stack, vmin: 0, vmax: 255);
        return ms.Length;
    }
}

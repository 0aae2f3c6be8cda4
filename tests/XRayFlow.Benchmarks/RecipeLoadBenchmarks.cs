using BenchmarkDotNet.Attributes;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Schema;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The recipe front end: read + bind the tutorial recipe, and a generated 1000-step recipe (the cost of
/// `xrayflow validate` before anything runs). Run: dotnet run -c Release --project tests/XRayFlow.Benchmarks -- --filter '*RecipeLoad*'
/// </summary>
[MemoryDiagnoser]
public class RecipeLoadBenchmarks
{
    private const string Tutorial = """
        xrayflow: 1
        name: tutorial-canny
        params:
          threshold: 150
        inputs:
          xray: image
        steps:
          - id: smooth
            op: fourier_gaussian
            in: xray
            sigma: 0.05
          - id: gx
            op: prewitt
            axis: 0
          - id: gy
            op: prewitt
            in: smooth
            axis: 1
          - id: magnitude
            op: hypot
            in: [gx, gy]
          - id: edges
            op: normalize
            max: 255
            method: peak
          - id: bright
            op: where
            in: xray
            cond: "x > threshold"
            then: "x"
            else: 0
        outputs:
          edges: edges.npy
          edges_png: {from: edges, path: "{stem}_canny.png", colormap: nipy_spectral}
          mask: {from: bright, path: "{stem}_mask.png"}
        """;

    private readonly string _large = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n"
        + string.Concat(Enumerable.Range(0, 1000).Select(k => $"  - op: gaussian_filter\n    sigma: {1 + (k % 5)}\n    mode: nearest\n"))
        + "outputs:\n  gaussian_filter_1000: out.npy\n";

    [Benchmark]
    public object? LoadTutorial() => RecipeLoader.LoadText(Tutorial, "tutorial-canny.yaml").Recipe;

    [Benchmark]
    public object? Load1000Steps() => RecipeLoader.LoadText(_large, "large.yaml").Recipe;

    [Benchmark]
    public string GenerateSchema() => SchemaGenerator.Generate();
}

using System.Globalization;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The Geometry ops on the 1024 x 1024 X-ray, Stopwatch median of N calls after warm-up, outputs given back to the
/// pixel pool as in a pipeline run. Compare with tests/bench/reference_bench_geometry.py (SciPy / scikit-image /
/// NumPy single-threaded and OpenCV on 2 threads, same image, same cases), run right after.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll geometry [runs = 21] [threads = 2] [filter]
/// </summary>
public static class GeometryBench
{
    public static void Run(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        string? only = args.Length > 3 ? args[3] : null;
        var x = SampleImage.Load();
        double[,] rot = { { 0.96, 0.28 }, { -0.28, 0.96 } };
        var ops = new (string Name, Func<ImageArray> Run)[]
        {
            ("zoom 2 order 1", () => Resampling.Zoom(x, 2048, 2048, 1, SplineMode.Constant, 0, true, false, threads)),
            ("zoom 2 order 3", () => Resampling.Zoom(x, 2048, 2048, 3, SplineMode.Constant, 0, true, false, threads)),
            ("zoom 0.5 order 1", () => Resampling.Zoom(x, 512, 512, 1, SplineMode.Constant, 0, true, false, threads)),
            ("zoom 0.5 order 3", () => Resampling.Zoom(x, 512, 512, 3, SplineMode.Constant, 0, true, false, threads)),
            ("resize 224 order 1", () => Resampling.Resize(x, 224, 224, 1, "reflect", 0, null, null, true, threads)),
            ("resize 224 order 1 no anti-aliasing", () => Resampling.Resize(x, 224, 224, 1, "reflect", 0, false, null, true, threads)),
            ("resize 512 order 3 no anti-aliasing", () => Resampling.Resize(x, 512, 512, 3, "reflect", 0, false, null, true, threads)),
            ("resize 2048 order 1", () => Resampling.Resize(x, 2048, 2048, 1, "reflect", 0, null, null, true, threads)),
            ("resize 2048 order 3", () => Resampling.Resize(x, 2048, 2048, 3, "reflect", 0, null, null, true, threads)),
            ("rotate 30 order 1", () => Resampling.Rotate(x, 30, false, 1, SplineMode.Constant, 0, true, threads)),
            ("rotate 30 order 3", () => Resampling.Rotate(x, 30, false, 3, SplineMode.Constant, 0, true, threads)),
            ("rotate 30 order 1 nearest", () => Resampling.Rotate(x, 30, false, 1, SplineMode.Nearest, 0, true, threads)),
            ("rotate 30 order 3 reflect", () => Resampling.Rotate(x, 30, false, 3, SplineMode.Reflect, 0, true, threads)),
            ("shift order 1", () => Resampling.Shift(x, 10.5, -20.25, 1, SplineMode.Constant, 0, true, threads)),
            ("shift order 3", () => Resampling.Shift(x, 10.5, -20.25, 3, SplineMode.Constant, 0, true, threads)),
            ("affine_transform order 1", () => Resampling.Affine(x, rot, [40, -60], 1024, 1024, 1, SplineMode.Constant, 0, true, threads)),
            ("probe affine near-identity order 1 nearest", () => Resampling.Affine(x, new double[,] { { 0.999, 0.001 }, { 0.001, 0.999 } }, [0.25, 0.25], 1024, 1024, 1, SplineMode.Nearest, 0, true, threads)),
            ("probe affine near-identity order 0 nearest", () => Resampling.Affine(x, new double[,] { { 0.999, 0.001 }, { 0.001, 0.999 } }, [0.25, 0.25], 1024, 1024, 0, SplineMode.Nearest, 0, true, threads)),
            ("probe affine near-identity order 3 prefilter false", () => Resampling.Affine(x, new double[,] { { 0.999, 0.001 }, { 0.001, 0.999 } }, [0.25, 0.25], 1024, 1024, 3, SplineMode.Nearest, 0, false, threads)),
            ("crop center 512", () => PixelMoves.Crop(x, 256, 256, 512, 512)),
            ("pad 32 reflect", () => PixelMoves.Pad(x, 32, 32, 32, 32, "reflect", new double[2, 2], threads)),
            ("pad 32 mean", () => PadModes.Pad(x, new[,] { { 32, 32 }, { 32, 32 } }, "mean", new double[2, 2], new[,] { { -1, -1 }, { -1, -1 } }, threads)),
            ("pad 32 linear_ramp", () => PadModes.Pad(x, new[,] { { 32, 32 }, { 32, 32 } }, "linear_ramp", new double[2, 2], new[,] { { -1, -1 }, { -1, -1 } }, threads)),
            ("pad 32 reflect odd", () => PadModes.Pad(x, new[,] { { 32, 32 }, { 32, 32 } }, "reflect", new double[2, 2], new[,] { { -1, -1 }, { -1, -1 } }, threads)),
            ("pad 32 maximum stat_length 8", () => PadModes.Pad(x, new[,] { { 32, 32 }, { 32, 32 } }, "maximum", new double[2, 2], new[,] { { 8, 8 }, { 8, 8 } }, threads)),
            ("pad 32 median", () => PadModes.Pad(x, new[,] { { 32, 32 }, { 32, 32 } }, "median", new double[2, 2], new[,] { { -1, -1 }, { -1, -1 } }, threads)),
            ("flip axis 1", () => PixelMoves.Flip(x, 1, threads)),
            ("rot90", () => PixelMoves.Rot90(x, 1, threads)),
        };
        Console.WriteLine($"op,median_ms,min_ms,cpu_mean_ms (runs={runs}, threads={threads}, image {x.ShapeText}, .NET {Environment.Version}; cpu = process CPU time over the timed calls, all threads, per call; calls back to back)");
        foreach (var (name, run) in ops)
        {
            if (only is null || name.Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                ProcessTimer.Print(name, runs, run, PixelPool.Shared.Return);
            }
        }
    }
}

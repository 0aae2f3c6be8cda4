using System.Diagnostics;
using System.Globalization;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Benchmarks;

/// <summary>
/// Cost against image size (issue 16, goal 3): each op of the README's filter table (and the tutorial's pointwise
/// steps), then the preprocessing ops with an OpenCV counterpart (<see cref="Preprocessing"/>), called through the registry on the sample X-ray tiled to 512 .. 8192 square, median wall time of
/// <c>runs</c> calls after warm-up, with the per-pixel time and its ratio to 1024 x 1024's (linear cost: within
/// 1.3x). tests/bench/reference_bench_sizes.py times OpenCV's counterparts at the same sizes.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll sizes [runs = 9] [threads = 2]
/// [sizes = 512,1024,2048,4096,8192] [filter: rows whose label contains it]
/// </summary>
public static class SizesBench
{
    /// <summary>The ops and parameters (the README table's rows).</summary>
    public static readonly (string Label, string Op, Dictionary<string, object?> Params, int Inputs)[] Ops =
    [
        ("gaussian_filter s=1", "gaussian_filter", new() { ["sigma"] = new[] { 1.0 } }, 1),
        ("gaussian_filter s=4", "gaussian_filter", new() { ["sigma"] = new[] { 4.0 } }, 1),
        ("gaussian_filter s=16", "gaussian_filter", new() { ["sigma"] = new[] { 16.0 } }, 1),
        ("sobel axis=-1", "sobel", new() { ["axis"] = -1 }, 1),
        ("prewitt axis=-1", "prewitt", new() { ["axis"] = -1 }, 1),
        ("laplace", "laplace", new(), 1),
        ("gaussian_laplace s=1", "gaussian_laplace", new() { ["sigma"] = new[] { 1.0 } }, 1),
        ("gaussian_gradient_magnitude s=2", "gaussian_gradient_magnitude", new() { ["sigma"] = new[] { 2.0 } }, 1),
        ("uniform_filter size=3", "uniform_filter", new() { ["size"] = new[] { 3 } }, 1),
        ("uniform_filter size=21", "uniform_filter", new() { ["size"] = new[] { 21 } }, 1),
        ("median_filter size=3", "median_filter", new() { ["size"] = new[] { 3 } }, 1),
        ("median_filter size=5", "median_filter", new() { ["size"] = new[] { 5 } }, 1),
        ("median_filter size=7", "median_filter", new() { ["size"] = new[] { 7 } }, 1),
        ("median_filter size=9", "median_filter", new() { ["size"] = new[] { 9 } }, 1),
        ("median_filter size=21", "median_filter", new() { ["size"] = new[] { 21 } }, 1),
        ("percentile_filter size=7 p75", "percentile_filter", new() { ["size"] = new[] { 7 }, ["percentile"] = 75.0 }, 1),
        ("hypot", "hypot", new(), 2),
        ("normalize", "normalize", new() { ["max"] = 255.0, ["method"] = "peak" }, 1),
    ];

    /// <summary>
    /// The preprocessing ops with an OpenCV counterpart (issue 11's README rows), their parameters made for each size n
    /// (the outputs of a 1024 x 1024 row scaled with n); <c>Bits</c> 8: the tiled sample recorded 8-bit, as the PNG
    /// loader returns it (scikit-image's integer path, OpenCV's uint8 CLAHE and Otsu).
    /// </summary>
    public static readonly (string Label, string Op, Func<int, Dictionary<string, object?>> Params, int Bits)[] Preprocessing =
    [
        ("zoom 2 order 1", "zoom", _ => new() { ["zoom"] = new[] { 2.0 }, ["order"] = 1 }, 0),
        ("zoom 2 order 3", "zoom", _ => new() { ["zoom"] = new[] { 2.0 }, ["order"] = 3 }, 0),
        ("zoom 0.5 order 1", "zoom", _ => new() { ["zoom"] = new[] { 0.5 }, ["order"] = 1 }, 0),
        ("zoom 0.5 order 3", "zoom", _ => new() { ["zoom"] = new[] { 0.5 }, ["order"] = 3 }, 0),
        ("resize n*7/32 order 1 no anti-aliasing", "resize", n => new() { ["output_shape"] = new[] { n * 7 / 32, n * 7 / 32 }, ["order"] = 1, ["anti_aliasing"] = false }, 0),
        ("resize n/2 order 3 no anti-aliasing", "resize", n => new() { ["output_shape"] = new[] { n / 2, n / 2 }, ["order"] = 3, ["anti_aliasing"] = false }, 0),
        ("resize 2n order 1", "resize", n => new() { ["output_shape"] = new[] { 2 * n, 2 * n }, ["order"] = 1 }, 0),
        ("rotate 30 order 1", "rotate", _ => new() { ["angle"] = 30.0, ["reshape"] = false, ["order"] = 1 }, 0),
        ("rotate 30 order 3", "rotate", _ => new() { ["angle"] = 30.0, ["reshape"] = false, ["order"] = 3 }, 0),
        ("shift order 1", "shift", _ => new() { ["shift"] = new[] { 10.5, -20.25 }, ["order"] = 1 }, 0),
        ("maximum_filter size=5", "maximum_filter", _ => new() { ["size"] = new[] { 5 } }, 0),
        ("equalize_adapthist 8-bit", "equalize_adapthist", _ => new(), 8),
        ("threshold_otsu 8-bit", "threshold_otsu", _ => new(), 8),
        ("flip axis 1", "flip", _ => new() { ["axis"] = 1 }, 0),
        ("rot90", "rot90", _ => new() { ["k"] = 1 }, 0),
    ];

    public static void Run(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 9;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var sizes = (args.Length > 3 ? args[3] : "512,1024,2048,4096,8192").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var sample = SampleImage.Load();
        Console.WriteLine($".NET {Environment.Version}, {threads} thread(s), median of {runs} calls after warm-up, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; ms (ns per pixel)");
        Console.WriteLine("op," + string.Join(",", sizes.Select(n => $"{n}")) + ",per-pixel 8192/1024");
        var images = sizes.ToDictionary(n => n, n => Tile(sample, n));
        string? only = args.Length > 4 ? args[4] : null;
        var rows = Ops.Select(o => (o.Label, o.Op, Params: (Func<int, Dictionary<string, object?>>)(_ => o.Params), o.Inputs, Bits: 0))
            .Concat(Preprocessing.Select(o => (o.Label, o.Op, o.Params, Inputs: 1, o.Bits)));
        var bytes = new Dictionary<int, ImageArray>();
        foreach (var (label, name, parameters, inputs, bits) in rows.Where(o => only is null || o.Label.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            var op = OpRegistry.Get(name);
            var cells = new List<string>();
            var perPixel = new Dictionary<int, double>();
            foreach (int n in sizes)
            {
                var image = bits == 8 ? (bytes.TryGetValue(n, out var b) ? b : bytes[n] = IntegerSource.Record(images[n].Clone(), 8)) : images[n];
                var bound = parameters(n);
                foreach (var spec in op.Params.Where(p => p.Default is not null && !bound.ContainsKey(p.Name)))
                {
                    bound[spec.Name] = spec.Default; // as the binder fills them
                }

                var ctx = new OpContext { StepId = "s", Inputs = [.. Enumerable.Repeat<Value>(new ArrayValue(image), inputs)], Params = bound, Threads = threads };
                double Call()
                {
                    var sw = Stopwatch.StartNew();
                    var v = op.Invoke(ctx);
                    sw.Stop();
                    if (v is ArrayValue a && !ReferenceEquals(a.Array, image))
                    {
                        PixelPool.Shared.Return(a.Array);
                    }

                    return sw.Elapsed.TotalMilliseconds;
                }

                // Warm-up: the JIT's tiers (30+ calls) on small images, a few calls on large ones.
                int warm = n <= 2048 ? 30 : 3;
                for (int w = 0; w < warm; w++)
                {
                    Call();
                }

                var times = Enumerable.Range(0, runs).Select(_ => Call()).Order().ToList();
                double ms = times[times.Count / 2];
                perPixel[n] = ms * 1e6 / ((double)n * n);
                cells.Add($"{ms:F3} ({perPixel[n]:F3})");
            }

            string ratio = perPixel.TryGetValue(8192, out var big) && perPixel.TryGetValue(1024, out var small) ? $"{big / small:F2}" : "";
            Console.WriteLine($"{label}," + string.Join(",", cells) + "," + ratio);
        }
    }

    /// <summary>The sample repeated to n x n (a crop when n is smaller).</summary>
    internal static ImageArray Tile(ImageArray sample, int n)
    {
        var image = new ImageArray(n, n);
        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                image.Data[((long)r * n) + c] = sample.Data[((r % sample.Rows) * sample.Cols) + (c % sample.Cols)];
            }
        }

        return image;
    }
}

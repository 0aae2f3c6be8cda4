using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The Intensity ops (skimage.exposure) on the 1024 x 1024 chest X-ray, run as a step runs them (through the
/// registry, with the dtype detection): on the 8-bit image as loaded (scikit-image's uint8 path) and on its values
/// / 255 as float32 (the float path). Compare with tests/bench/reference_bench_intensity.py (scikit-image one
/// thread, OpenCV's CLAHE 2 threads, same image). Outputs go back to the pixel pool, as in a pipeline run.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll --filter '*IntensityBenchmarks*' --job short --inProcess
/// Quick: ... XRayFlow.Benchmarks.dll intensity [runs] [threads]
/// </summary>
[MemoryDiagnoser]
public class IntensityBenchmarks
{
    private ImageArray image8 = null!;
    private ImageArray imageFloat = null!;

    [Params(2)]
    public int Threads { get; set; }

    /// <summary>Every case: name, op, parameters (as bound), float input or not.</summary>
    public static readonly (string Name, string Op, Dictionary<string, object?> Params, bool Float)[] Cases =
    [
        ("equalize_hist (8-bit)", "equalize_hist", [], false),
        ("equalize_hist (float)", "equalize_hist", [], true),
        ("equalize_adapthist (8-bit)", "equalize_adapthist", [], false),
        ("equalize_adapthist (float)", "equalize_adapthist", [], true),
        ("rescale_intensity (8-bit)", "rescale_intensity", [], false),
        ("rescale_intensity p2-p98 to [0, 1] (8-bit)", "rescale_intensity", new() { ["in_range"] = new object?[] { new Percentile(2), new Percentile(98) }, ["out_range"] = new[] { 0.0, 1.0 } }, false),
        ("rescale_intensity (float)", "rescale_intensity", [], true),
        ("rescale_intensity p2-p98 (float)", "rescale_intensity", new() { ["in_range"] = new object?[] { new Percentile(2), new Percentile(98) } }, true),
        ("adjust_gamma 0.5 (8-bit)", "adjust_gamma", new() { ["gamma"] = 0.5 }, false),
        ("adjust_gamma 0.7 (float)", "adjust_gamma", new() { ["gamma"] = 0.7 }, true),
        ("adjust_log (8-bit)", "adjust_log", [], false),
        ("adjust_log (float)", "adjust_log", [], true),
        ("rescale_intensity (16-bit)", "rescale_intensity", [], false),
        ("adjust_gamma 0.5 (16-bit)", "adjust_gamma", new() { ["gamma"] = 0.5 }, false),
        ("adjust_log (16-bit)", "adjust_log", [], false),
        ("adjust_sigmoid (8-bit)", "adjust_sigmoid", [], false),
        ("adjust_sigmoid (float)", "adjust_sigmoid", [], true),
        ("adjust_sigmoid (16-bit)", "adjust_sigmoid", [], false),
        ("unsharp_mask (8-bit)", "unsharp_mask", [], false),
        ("unsharp_mask radius 3 amount 2 (float)", "unsharp_mask", new() { ["radius"] = new[] { 3.0 }, ["amount"] = 2.0 }, true),
        ("match_histograms to sample 005 (8-bit)", "match_histograms", [], false),
        ("match_histograms to sample 005 (float)", "match_histograms", [], true),
        (SmoothedMatch, "match_histograms", [], true),
    ];

    /// <summary>
    /// match_histograms of float images with about a distinct value a pixel (the sample / 255 and sample 005 / 255,
    /// each smoothed by gaussian_filter sigma 1, as reference_bench_intensity.py makes them): the sorting path. The
    /// float row above has 256 distinct values, which match_histograms counts.
    /// </summary>
    internal const string SmoothedMatch = "match_histograms to sample 005, both smoothed by gaussian_filter sigma 1 (float)";

    [ParamsSource(nameof(CaseNames))]
    public string Case { get; set; } = Cases[0].Name;

    public static IEnumerable<string> CaseNames => Cases.Select(c => c.Name);

    [GlobalSetup]
    public void Setup() => (image8, imageFloat) = Images();

    [Benchmark]
    public void Run()
    {
        var c = Cases.First(x => x.Name == Case);
        FilterBenchmarks.Recycle(Invoke(c.Op, c.Params, c.Name == SmoothedMatch ? Smoothed(imageFloat) : c.Name.EndsWith("(16-bit)", StringComparison.Ordinal) ? Wide(image8) : c.Float ? imageFloat : image8, Threads));
    }

    internal static (ImageArray Eight, ImageArray Float) Images()
    {
        var eight = IntegerSource.Record(SampleImage.Load(), 8); // as the PNG loader returns it: recorded 8-bit
        var f = new ImageArray(eight.Rows, eight.Cols);
        for (int k = 0; k < f.Length; k++)
        {
            f.Data[k] = eight.Data[k] / 255f;
        }

        return (eight, f);
    }

    /// <summary>The op as a step runs it: every declared parameter (given or default), the checks, Execute.</summary>
    internal static ImageArray Invoke(string op, Dictionary<string, object?> given, ImageArray input, int threads)
        => ((ArrayValue)InvokeValue(op, given, input, threads)).Array;

    /// <summary><see cref="Invoke"/> for any result (an array, a scalar, a table).</summary>
    internal static Value InvokeValue(string op, Dictionary<string, object?> given, ImageArray input, int threads)
    {
        var def = OpRegistry.Get(op);
        var values = def.Params.ToDictionary(p => p.Name, p => given.TryGetValue(p.Name, out var v) ? v : Default(p));
        // match_histograms' second input: another sample, in the same form (8-bit, or / 255 as float32).
        Value[] inputs = def.Inputs.Min == 2 ? [new ArrayValue(input), new ArrayValue(Reference(input))] : [new ArrayValue(input)];
        var ctx = new OpContext { StepId = "bench", Params = values, Inputs = inputs, Threads = threads };
        return def.Invoke(ctx);
    }

    private static ImageArray? reference8;
    private static ImageArray? referenceFloat;
    private static readonly Dictionary<ImageArray, ImageArray> SmoothedImages = [];

    /// <summary>gaussian_filter sigma 1 of a float image, made once (a smoothed image maps to itself, so <see cref="Reference"/> knows it).</summary>
    private static ImageArray Smoothed(ImageArray image)
    {
        if (!SmoothedImages.TryGetValue(image, out var smoothed))
        {
            smoothed = Invoke("gaussian_filter", new() { ["sigma"] = new[] { 1.0 } }, image, 2);
            SmoothedImages[image] = smoothed;
            SmoothedImages[smoothed] = smoothed;
        }

        return smoothed;
    }

    /// <summary>Sample 00000011_005 as <paramref name="like"/> is: recorded 8-bit, or its values / 255 as float32.</summary>
    private static ImageArray Reference(ImageArray like)
    {
        reference8 ??= IntegerSource.Record(SampleImage.Load("pipelines/samples/00000011_005.png"), 8);
        if (SkimageDtypes.Of(like) != SkimageDtype.Float32)
        {
            return reference8;
        }

        referenceFloat ??= new ImageArray(reference8.Rows, reference8.Cols, reference8.Data.Select(v => v / 255f).ToArray());
        if (!(SmoothedImages.TryGetValue(like, out var s) && s == like))
        {
            return referenceFloat;
        }

        // The smoothed reference and a twin one ulp apart in its first value, in turn: match_histograms keeps the last
        // sorted reference's quantiles for a reference with the same bits (a batch's), and scikit-image sorts every
        // call, so each call here meets a reference other than the last (a sort, as a file's first reference costs).
        var smoothed = Smoothed(referenceFloat);
        if (smoothedTwin is null)
        {
            smoothedTwin = new ImageArray(smoothed.Rows, smoothed.Cols, (float[])smoothed.Data.Clone());
            smoothedTwin.Data[0] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(smoothedTwin.Data[0]) + 1);
        }

        twinNext = !twinNext;
        return twinNext ? smoothedTwin : smoothed;
    }

    private static ImageArray? wide;

    /// <summary>A 16-bit image (a 12-bit range): the sample's values times 16 plus (v mod 7), 0 kept, recorded 16-bit, made once.</summary>
    private static ImageArray Wide(ImageArray eight)
    {
        if (wide is null)
        {
            var w = new ImageArray(eight.Rows, eight.Cols);
            for (int k = 0; k < w.Length; k++)
            {
                float v = eight.Data[k];
                w.Data[k] = v == 0 ? 0 : (v * 16) + (v % 7);
            }

            wide = IntegerSource.Record(w, 16);
        }

        return wide;
    }

    private static ImageArray? smoothedTwin;
    private static bool twinNext;

    private static object? Default(ParamSpec p) => p.Default switch
    {
        null => null,
        string s => s,
        int i when p.Type == ParamType.Float => (double)i,
        var d => d,
    };

    public static void Quick(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        var (eight, f) = Images();
        Console.WriteLine($"op,median_ms,min_ms,min_thread_cpu_ms (the calling thread's CPU time; meaningful with threads=1) (runs={runs}, threads={threads}, image {eight.ShapeText})");
        foreach (var c in Cases)
        {
            if (args.Length > 3 && !c.Name.Contains(args[3], StringComparison.Ordinal))
            {
                continue;
            }

            var input = c.Name == SmoothedMatch ? Smoothed(f) : c.Name.EndsWith("(16-bit)", StringComparison.Ordinal) ? Wide(eight) : c.Float ? f : eight;
            for (int w = 0; w < 3; w++)
            {
                FilterBenchmarks.Recycle(Invoke(c.Op, c.Params, input, threads));
            }

            var times = new double[runs];
            double cpu = double.MaxValue;
            for (int r = 0; r < runs; r++)
            {
                long t0 = Stopwatch.GetTimestamp();
                double c0 = QuickBench.ThreadCpuMs();
                var result = Invoke(c.Op, c.Params, input, threads);
                cpu = Math.Min(cpu, QuickBench.ThreadCpuMs() - c0);
                times[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                FilterBenchmarks.Recycle(result);
            }

            Array.Sort(times);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name},{times[runs / 2]:F3},{times[0]:F3},{cpu:F3}"));
        }
    }
}

using System.Globalization;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The Morphology and Measure ops on the X-ray (1024 x 1024, or the sample scaled by pixel repetition to SIZE x SIZE
/// for the linearity table), each run as a step runs it (registry declaration, parameters, Execute); wall-clock
/// median and min of N calls after 3 warm-ups, and the median process CPU time. The binary input is the pixels of
/// the X-ray below 100 (as float32 0/1, the result made into float32 too; "bits in and out" cases: held as bits, as
/// one binary step hands its result to the next, docs/runner.md "Masks as bits"); it holds the lungs and
/// the air around the body, plus small specks. The label input for regionprops is its label image. tests/bench/reference_bench_segmentation.py times SciPy / scikit-image
/// (single-threaded) and OpenCV (2 threads) on the same inputs, same cases; run it right after.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll segmentation [runs = 15] [threads = 2] [size = 1024] [filter]
/// </summary>
public static class SegmentationBench
{
    /// <summary>Name, op, parameters, input ("mask", "grey" or "labels").</summary>
    public static readonly (string Name, string Op, Dictionary<string, object?> Params, string Input)[] Cases =
    [
        ("binary_dilation 3x3 square", "binary_dilation", new() { ["connectivity"] = 2 }, "mask"),
        ("binary_dilation 3x3 cross", "binary_dilation", [], "mask"),
        ("binary_erosion 3x3 square", "binary_erosion", new() { ["connectivity"] = 2 }, "mask"),
        ("binary_opening 3x3 square", "binary_opening", new() { ["connectivity"] = 2 }, "mask"),
        ("binary_closing 3x3 square", "binary_closing", new() { ["connectivity"] = 2 }, "mask"),
        ("binary_dilation disk 5", "binary_dilation", new() { ["structure"] = "disk", ["radius"] = 5 }, "mask"),
        ("binary_fill_holes", "binary_fill_holes", [], "mask"),
        ("binary_dilation 3x3 square, bits in and out", "binary_dilation", new() { ["connectivity"] = 2 }, "bits"),
        ("binary_opening 3x3 square, bits in and out", "binary_opening", new() { ["connectivity"] = 2 }, "bits"),
        ("binary_fill_holes, bits in and out", "binary_fill_holes", [], "bits"),
        ("grey_dilation size 3", "grey_dilation", new() { ["size"] = new[] { 3 } }, "grey"),
        ("grey_erosion size 3", "grey_erosion", new() { ["size"] = new[] { 3 } }, "grey"),
        ("grey_opening size 3", "grey_opening", new() { ["size"] = new[] { 3 } }, "grey"),
        ("grey_dilation size 5", "grey_dilation", new() { ["size"] = new[] { 5 } }, "grey"),
        ("white_tophat size 5", "white_tophat", new() { ["size"] = new[] { 5 } }, "grey"),
        ("morphological_gradient size 3", "morphological_gradient", new() { ["size"] = new[] { 3 } }, "grey"),
        ("label connectivity 1", "label", new() { ["connectivity"] = 1 }, "mask"),
        ("label connectivity 2", "label", new() { ["connectivity"] = 2 }, "mask"),
        ("distance_transform_edt", "distance_transform_edt", [], "mask"),
        ("remove_small_objects 64", "remove_small_objects", new() { ["min_size"] = 64 }, "mask"),
        ("clear_border", "clear_border", [], "mask"),
        ("keep_largest 2", "keep_largest", new() { ["n"] = 2 }, "mask"),
        ("label connectivity 1, bits in", "label", new() { ["connectivity"] = 1 }, "bits"),
        ("remove_small_objects 64, bits in and out", "remove_small_objects", new() { ["min_size"] = 64 }, "bits"),
        ("keep_largest 2, bits in and out", "keep_largest", new() { ["n"] = 2 }, "bits"),
        ("regionprops", "regionprops", [], "labels"),
        ("regionprops shape properties", "regionprops", new() { ["properties"] = new[] { "label", "area", "axis_major_length", "axis_minor_length", "orientation", "extent", "equivalent_diameter_area" } }, "labels"),
        ("remove_small_holes 64", "remove_small_holes", new() { ["area_threshold"] = 64 }, "mask"),
        ("remove_small_holes 64, bits in and out", "remove_small_holes", new() { ["area_threshold"] = 64 }, "bits"),
    ];

    public static void Run(string[] args)
    {
        int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;
        int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 2;
        int size = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1024;
        string? only = args.Length > 4 ? args[4] : null;
        var grey = Scaled(SampleImage.Load(), size);
        var mask = new ImageArray(size, size);
        for (long k = 0; k < mask.Length; k++)
        {
            mask.Data[k] = grey.Data[k] < 100f ? 1f : 0f;
        }

        // A mask as a previous binary step leaves it (held as bits): the "bits in and out" cases.
        var bits = ImageArray.FromMask(PackedMask.Pack(mask), isStack: false);
        var labels = ((ArrayValue)IntensityBenchmarks.InvokeValue("label", new() { ["connectivity"] = 1 }, mask, threads)).Array;
        Console.WriteLine($"op,median_ms,min_ms,cpu_mean_ms (runs={runs}, threads={threads}, image {grey.ShapeText}, .NET {Environment.Version}; cpu = process CPU time over the timed calls, all threads, per call; calls back to back)");
        foreach (var c in Cases)
        {
            if (only is null || c.Name.Contains(only, StringComparison.OrdinalIgnoreCase))
            {
                var input = c.Input switch { "mask" => mask, "bits" => bits, "labels" => labels, _ => grey };
                ProcessTimer.Print(c.Name, runs, () => Invoke(c.Op, c.Params, input, threads, floatOut: c.Input != "bits"), Recycle);
            }
        }
    }

    /// <summary>
    /// One call as a step runs it; with <paramref name="floatOut"/>, a result held as bits (binary morphology) is made
    /// into float32 pixels too, on the same threads, as the executor does for a step that reads float32: the cost of a
    /// float32 mask in and out. Without it the result stays bits, as a following binary step reads it.
    /// </summary>
    private static Value Invoke(string op, Dictionary<string, object?> parameters, ImageArray input, int threads, bool floatOut)
    {
        var v = IntensityBenchmarks.InvokeValue(op, parameters, input, threads);
        if (floatOut && v is ArrayValue { Array: { Mask: not null } a })
        {
            a.Materialize(threads);
        }

        return v;
    }

    /// <summary>The image repeated pixel by pixel (nearest) to size x size: same content at every scale.</summary>
    internal static ImageArray Scaled(ImageArray x, int size)
    {
        if (size == x.Rows && size == x.Cols)
        {
            return x;
        }

        var y = new ImageArray(size, size);
        for (int r = 0; r < size; r++)
        {
            int sr = (int)((long)r * x.Rows / size);
            for (int c = 0; c < size; c++)
            {
                y[r, c] = x[sr, (int)((long)c * x.Cols / size)];
            }
        }

        return y;
    }

    private static void Recycle(Value v)
    {
        if (v is ArrayValue a)
        {
            PixelPool.Shared.Return(a.Array);
        }
    }
}

using System.Globalization;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>Numbers about an image: histograms and summary statistics (numpy / scipy.ndimage).</summary>
[OpFamily(OpFamily.Statistics)]
public static class StatisticsOps
{
    private static readonly string[] StatsFields = ["count", "min", "max", "mean", "median", "std"];

    /// <summary>histogram: scipy.ndimage.histogram counts and edges.</summary>
    public static OpDefinition Histogram { get; } = new()
    {
        Name = "histogram",
        Summary = "Counts of values in `bins` equal bins from min to max (the last bin includes max; values outside and NaN are not counted); table with min, max, bins, counts, edges.",
        Reference = "scipy.ndimage.histogram",
        Inputs = InputSpec.One,
        Output = OutputKind.Table,
        Plot = TablePlot.Histogram,
        Params =
        [
            new ParamSpec("min", ParamType.Float, "Lower edge of the first bin.") { Default = 0.0 },
            new ParamSpec("max", ParamType.Float, "Upper edge of the last bin (included).") { Default = 255.0 },
            new ParamSpec("bins", ParamType.Int, "Number of bins.") { Default = 256, Min = 1, Max = 1_000_000 },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "finite min <= max",
                At = "max",
                Check = c => c.Float("max") >= c.Float("min") && double.IsFinite(c.Float("min")) && double.IsFinite(c.Float("max"))
                    ? null
                    : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"histogram needs finite min <= max (min {c.Float("min")}, max {c.Float("max")})"),
                Violation = "{min: 10, max: 5}",
            },
        ],
        Execute = ctx =>
        {
            var src = ctx.Array();
            double min = ctx.Float("min"), max = ctx.Float("max");
            int bins = ctx.Int("bins");

            var edges = ArrayStatistics.Edges(min, max, bins);
            var counts = ArrayStatistics.Histogram(src.Data, edges, ctx.Threads);
            return new TableValue(
            [
                new("min", min),
                new("max", max),
                new("bins", (long)bins),
                new("counts", counts),
                new("edges", edges),
            ]);
        },
    };

    /// <summary>stats: min, max, mean, median, std of the whole array, and optional percentiles.</summary>
    public static OpDefinition Stats { get; } = new()
    {
        Name = "stats",
        Summary = "Summary statistics of all values (a stack: all frames together), in double: shape, dtype (float32: pixels as the engine holds them; 8-bit files load as their exact integer values), count, min, max, mean, median, std (population, ddof=0), and with `percentiles` one field per percentile (p1, p99; p2_5 for 2.5).",
        Reference = "numpy.min/max/mean/median/std",
        Inputs = InputSpec.One,
        Output = OutputKind.Table,
        Params =
        [
            new ParamSpec("percentiles", ParamType.FloatList, "Percentiles to add, 0 to 100 (numpy.percentile, linear, on the float64 values): each is a field p<q> (`percentiles: [1, 99]` gives p1 and p99, read as ${stats.p99}; a fraction's point is `_`: p2_5)")
            {
                Min = 0,
                Max = 100,
                MaxCount = 32,
            },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "percentiles are distinct (each names a field)",
                At = "percentiles",
                Check = c => c.Doubles("percentiles") is { } q && PercentileFields(q).Distinct().Count() != q.Length
                    ? "stats' percentiles repeat a value (or two round to the same field name); give each once"
                    : null,
                Violation = "{percentiles: [50, 50]}",
            },
        ],
        Fields = StatsFields,
        FieldsOf = p => p.Doubles("percentiles") is { } q ? [.. StatsFields, .. PercentileFields(q)] : StatsFields,
        Execute = ctx =>
        {
            var src = ctx.Array();
            var s = ArrayStatistics.Summarize(src.Data, ctx.Threads);
            var fields = new List<KeyValuePair<string, object>>
            {
                new("shape", src.Shape.Select(d => (long)d).ToArray()),
                new("dtype", "float32"),
                new("count", s.Count),
                new("min", s.Min),
                new("max", s.Max),
                new("mean", s.Mean),
                new("median", s.Median),
                new("std", s.Std),
            };
            if (ctx.Doubles("percentiles") is { } q)
            {
                var names = PercentileFields(q);
                int bits = q.Length > 1 ? IntegerSource.BitsOf(src, ctx.Threads) : 0; // 8- or 16-bit: counted once for all
                var values = Quantiles.Percentiles(src.Data, q, bits, float64: true, ctx.Threads);
                for (int k = 0; k < q.Length; k++)
                {
                    fields.Add(new(names[k], values[k]));
                }
            }

            return new TableValue(fields);
        },
    };

    /// <summary>The field name of each percentile: p + the number, its point written `_` (1 -> p1, 2.5 -> p2_5).</summary>
    public static string[] PercentileFields(IEnumerable<double> q)
        => q.Select(v => "p" + v.ToString("0.###############", CultureInfo.InvariantCulture).Replace('.', '_')).ToArray();

    private static OpDefinition Threshold(string name, string summary, Func<OpContext, ImageArray, int, double> compute, IReadOnlyList<ParamSpec>? extra = null, bool nbins = true, IReadOnlyList<OpRule>? rules = null) => new()
    {
        Name = name,
        Summary = summary,
        Reference = $"skimage.filters.{name}",
        Inputs = InputSpec.One,
        Output = OutputKind.Scalar,
        Params = [.. nbins ? [Nbins] : Array.Empty<ParamSpec>(), .. extra ?? []],
        Rules = rules ?? [],
        Execute = ctx =>
        {
            var src = ctx.Array();
            return new ScalarValue(compute(ctx, src, IntegerSource.BitsOf(src, ctx.Threads)));
        },
    };

    private static ParamSpec Nbins { get; } = new("nbins", ParamType.Int, "Bins of the histogram for float images; an 8- or 16-bit image has one bin per integer value and ignores it (as scikit-image)")
    {
        Default = 256,
        Min = 2,
        Max = 65536,
    };

    private const string PathNote = " An 8- or 16-bit image gives scikit-image's result on the original integer array, anything else its result on the float32 values (docs/integer-sources.md).";

    /// <summary>threshold_multiotsu's field names: t0 .. t{classes - 2}, the thresholds in increasing order.</summary>
    private static string[] MultiOtsuFields(int classes) => [.. Enumerable.Range(0, classes - 1).Select(k => $"t{k}")];

    /// <summary>threshold_multiotsu (kernel <see cref="MultiOtsu"/>): a table of classes - 1 thresholds.</summary>
    public static OpDefinition ThresholdMultiotsu { get; } = new()
    {
        Name = "threshold_multiotsu",
        Summary = "Multi-Otsu thresholds: the classes - 1 histogram bin centers that maximise the variance between the classes (every choice tried, as scikit-image); a table with fields t0, t1, ... in increasing order, read as ${step.t0}; `digitize` with `bins: [\"${step.t0}\", \"${step.t1}\"]` makes the class of each pixel (scikit-image's numpy.digitize). An image with fewer distinct values than classes fails (as scikit-image)." + PathNote,
        Reference = "skimage.filters.threshold_multiotsu",
        Inputs = InputSpec.One,
        Output = OutputKind.Table,
        Params =
        [
            new ParamSpec("classes", ParamType.Int, "Number of classes (2 to 5): classes - 1 thresholds") { Default = 3, Min = 2, Max = 5 },
            Nbins,
        ],
        Fields = MultiOtsuFields(3),
        FieldsOf = p => MultiOtsuFields(p.Has("classes") ? p.Int("classes") : 3),
        Example = "{classes: 3}",
        Execute = ctx =>
        {
            var src = ctx.Array();
            int classes = ctx.Has("classes") ? ctx.Int("classes") : 3;
            var t = MultiOtsu.Thresholds(src.Data.AsSpan(0, src.Length), IntegerSource.BitsOf(src, ctx.Threads), ctx.Int("nbins"), classes, ctx.Threads, ctx.Cancellation);
            var names = MultiOtsuFields(classes);
            return new TableValue([.. names.Select((name, k) => new KeyValuePair<string, object>(name, t[k]))]);
        },
    };

    /// <summary>threshold_otsu (kernel <see cref="Thresholds.Otsu(ReadOnlySpan{float}, int, int, int)"/>).</summary>
    public static OpDefinition ThresholdOtsu { get; } = Threshold(
        "threshold_otsu",
        "Otsu's threshold: the histogram bin center that maximises the between-class variance; a constant image gives its value." + PathNote,
        (ctx, a, bits) => Thresholds.Otsu(a.Data, bits, ctx.Int("nbins"), ctx.Threads));

    /// <summary>threshold_yen (kernel <see cref="Thresholds.Yen(ReadOnlySpan{float}, int, int, int)"/>).</summary>
    public static OpDefinition ThresholdYen { get; } = Threshold(
        "threshold_yen",
        "Yen's threshold: the histogram bin center that maximises Yen's entropic criterion." + PathNote,
        (ctx, a, bits) => Thresholds.Yen(a.Data, bits, ctx.Int("nbins"), ctx.Threads));

    /// <summary>threshold_triangle (kernel <see cref="Thresholds.Triangle(ReadOnlySpan{float}, int, int, int)"/>).</summary>
    public static OpDefinition ThresholdTriangle { get; } = Threshold(
        "threshold_triangle",
        "The triangle threshold: the bin farthest below the line from the histogram's peak to the end of its longer tail; an image of one value fails (as scikit-image)." + PathNote,
        (ctx, a, bits) => Thresholds.Triangle(a.Data, bits, ctx.Int("nbins"), ctx.Threads));

    /// <summary>threshold_isodata (kernel <see cref="Thresholds.Isodata"/>).</summary>
    public static OpDefinition ThresholdIsodata { get; } = Threshold(
        "threshold_isodata",
        "The ISODATA (Ridler-Calvard) threshold: the first histogram bin center within a bin width below the mean of the two classes' means (scikit-image's return_all is not offered); an image where no bin qualifies fails (as scikit-image)." + PathNote,
        (ctx, a, bits) => Thresholds.Isodata(a.Data, bits, ctx.Int("nbins"), ctx.Threads));

    /// <summary>threshold_minimum (kernel <see cref="Thresholds.Minimum"/>).</summary>
    public static OpDefinition ThresholdMinimum { get; } = Threshold(
        "threshold_minimum",
        "The minimum threshold: the histogram is smoothed (uniform_filter1d of size 3) until two maxima remain; the center of the lowest bin between them. A histogram that never comes down to two maxima fails (as scikit-image)." + PathNote,
        (ctx, a, bits) => Thresholds.Minimum(a.Data, bits, ctx.Int("nbins"), ctx.Int("max_num_iter"), ctx.Threads, ctx.Cancellation),
        [
            new ParamSpec("max_num_iter", ParamType.Int, "The most smoothing passes before giving up")
            {
                Default = 10000,
                Min = 1,
                Max = Thresholds.MinimumMaxIterations,
            },
        ]);

    /// <summary>threshold_mean (kernel <see cref="Thresholds.Mean"/>).</summary>
    public static OpDefinition ThresholdMean { get; } = Threshold(
        "threshold_mean",
        "The mean of the values (numpy.mean: float64 for an 8- or 16-bit image, float32 for float values)." + PathNote,
        (ctx, a, bits) => Thresholds.Mean(a.Data, bits, ctx.Threads),
        nbins: false);

    /// <summary>threshold_li (kernel <see cref="Thresholds.Li"/>).</summary>
    public static OpDefinition ThresholdLi { get; } = Threshold(
        "threshold_li",
        "Li's iterative minimum cross-entropy threshold (NaN values are ignored, as scikit-image). An image on which the iteration never settles (a float32 cycle, where scikit-image loops forever) fails, naming the cycle and a tolerance that stops it." + PathNote,
        (ctx, a, bits) => Thresholds.Li(a.Data, bits, ctx.FloatOrNull("tolerance"), ctx.FloatOrNull("initial_guess"), ctx.Threads, ctx.Cancellation),
        [
            new ParamSpec("tolerance", ParamType.Float, "Stop when the threshold moves by at most this; default: 0.5 for an 8- or 16-bit image, half the smallest gap between distinct values otherwise") { Min = 0 },
            new ParamSpec("initial_guess", ParamType.Float, "Starting threshold, strictly between the image's minimum and maximum; default: the mean"),
        ],
        nbins: false);

    /// <summary>percentile: numpy.percentile (kernel <see cref="Quantiles.Percentile"/>).</summary>
    public static OpDefinition Percentile { get; } = new()
    {
        Name = "percentile",
        Summary = "The q-th percentile of all values (a stack: all frames together), numpy.percentile with its method (default linear interpolation); NaN anywhere gives NaN.",
        Reference = "numpy.percentile",
        Inputs = InputSpec.One,
        Output = OutputKind.Scalar,
        Params =
        [
            new ParamSpec("q", ParamType.Float, "Percentile, 0 to 100") { Required = true, Min = 0, Max = 100 },
            new ParamSpec("method", ParamType.Enum, "numpy's method: linear (default); lower, higher, nearest, midpoint; the Hyndman & Fan ones inverted_cdf, averaged_inverted_cdf, closest_observation, interpolated_inverted_cdf, hazen, weibull, median_unbiased, normal_unbiased") { Default = "linear", Allowed = [.. Quantiles.MethodNames] },
        ],
        Example = "{q: 90}",
        Execute = ctx =>
        {
            var src = ctx.Array();
            int bits = IntegerSource.TryGetRecorded(src, out int b) ? b : 0;
            var method = Quantiles.ParseMethod(ctx.Has("method") ? ctx.Text("method") : "linear");
            return new ScalarValue(Quantiles.Percentile(src.Data, ctx.Float("q"), bits, method: method));
        },
    };
}

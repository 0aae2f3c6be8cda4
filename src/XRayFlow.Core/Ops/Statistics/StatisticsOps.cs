namespace XRayFlow.Core.Ops.Statistics;

/// <summary>Numbers about an image: histograms and summary statistics (numpy / scipy.ndimage).</summary>
[OpFamily(OpFamily.Statistics)]
public static class StatisticsOps
{
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

    /// <summary>stats: min, max, mean, median, std of the whole array.</summary>
    public static OpDefinition Stats { get; } = new()
    {
        Name = "stats",
        Summary = "Summary statistics of all values (a stack: all frames together), in double: shape, dtype (float32: pixels as the engine holds them; 8-bit files load as their exact integer values), count, min, max, mean, median, std (population, ddof=0).",
        Reference = "numpy.min/max/mean/median/std",
        Inputs = InputSpec.One,
        Output = OutputKind.Table,
        Fields = ["count", "min", "max", "mean", "median", "std"],
        Execute = ctx =>
        {
            var src = ctx.Array();
            var s = ArrayStatistics.Summarize(src.Data, ctx.Threads);
            return new TableValue(
            [
                new("shape", src.Shape.Select(d => (long)d).ToArray()),
                new("dtype", "float32"),
                new("count", s.Count),
                new("min", s.Min),
                new("max", s.Max),
                new("mean", s.Mean),
                new("median", s.Median),
                new("std", s.Std),
            ]);
        },
    };
}

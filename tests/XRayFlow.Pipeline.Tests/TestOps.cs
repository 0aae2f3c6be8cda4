using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Tests;

/// <summary>
/// Test-only op declarations (shaped like the catalogue's), so binder tests do not depend on which ops
/// other branches have landed in <see cref="OpRegistry"/> yet. Execute is never called by the binder.
/// </summary>
internal static class TestOps
{
    private static Value NotRun(OpContext ctx) => throw new InvalidOperationException("test op");

    private static readonly string[] Modes = ["reflect", "constant", "nearest", "mirror", "wrap"];

    private static ParamSpec Mode => new("mode", ParamType.Enum, "boundary mode") { Default = "reflect", Allowed = Modes };

    private static ParamSpec Cval => new("cval", ParamType.Float, "value outside the image for mode constant") { Default = 0.0 };

    public static IReadOnlyDictionary<string, OpDefinition> All { get; } = new OpDefinition[]
    {
        new()
        {
            Name = "gaussian_filter", Summary = "Gaussian blur", Inputs = InputSpec.One, Execute = NotRun,
            Params =
            [
                new ParamSpec("sigma", ParamType.FloatPerAxis, "standard deviation") { Required = true, Min = 0 },
                new ParamSpec("order", ParamType.IntPerAxis, "derivative order") { Default = 0, Min = 0, Max = 3 },
                Mode, Cval,
                new ParamSpec("truncate", ParamType.Float, "radius in sigmas") { Default = 4.0, Min = 0, MinExclusive = true },
            ],
        },
        new()
        {
            Name = "fourier_gaussian", Summary = "multiply by a Gaussian transfer function", Inputs = InputSpec.One, Execute = NotRun, Category = "fourier",
            Params = [new ParamSpec("sigma", ParamType.FloatPerAxis, "standard deviation") { Required = true, Min = 0 }],
        },
        new() { Name = "fft2", Summary = "2-D FFT", Inputs = InputSpec.One, Execute = NotRun, Category = "fourier" },
        new() { Name = "ifft2", Summary = "inverse 2-D FFT", Inputs = InputSpec.One, Execute = NotRun, Category = "fourier" },
        new()
        {
            Name = "prewitt", Summary = "Prewitt derivative", Inputs = InputSpec.One, Execute = NotRun,
            Params = [new ParamSpec("axis", ParamType.Int, "axis") { Default = -1, Min = -3, Max = 2 }, Mode, Cval],
        },
        new() { Name = "hypot", Summary = "sqrt(a^2+b^2)", Inputs = InputSpec.Two, Execute = NotRun, IsElementwise = true },
        new() { Name = "add", Summary = "sum", Inputs = InputSpec.TwoOrMore, Execute = NotRun, IsElementwise = true },
        new()
        {
            Name = "normalize", Summary = "scale", Inputs = InputSpec.One, Execute = NotRun,
            Params =
            [
                new ParamSpec("max", ParamType.Float, "top of the range") { Default = 1.0 },
                new ParamSpec("method", ParamType.Enum, "peak or range") { Default = "range", Allowed = ["peak", "range"] },
            ],
        },
        new()
        {
            Name = "where", Summary = "select", Inputs = InputSpec.Named, Execute = NotRun, Category = "expression",
            Params =
            [
                new ParamSpec("cond", ParamType.Expression, "condition") { Required = true, IsCondition = true },
                new ParamSpec("then", ParamType.Expression, "value where true") { Default = "x" },
                new ParamSpec("else", ParamType.Expression, "value where false") { Default = 0.0 },
            ],
        },
        new()
        {
            Name = "map", Summary = "expression", Inputs = InputSpec.Named, Execute = NotRun, Category = "expression",
            Params = [new ParamSpec("expr", ParamType.Expression, "the value") { Required = true }],
        },
        new()
        {
            Name = "threshold", Summary = "binary", Inputs = InputSpec.One, Execute = NotRun,
            Params =
            [
                new ParamSpec("level", ParamType.Float, "threshold") { Required = true },
                new ParamSpec("invert", ParamType.Bool, "invert") { Default = false },
                new ParamSpec("label", ParamType.String, "a label") { Default = "mask" },
            ],
        },
        new()
        {
            Name = "histogram", Summary = "histogram", Inputs = new InputSpec(1, 1), Output = OutputKind.Table, Execute = NotRun, Category = "statistics",
            Params = [new ParamSpec("bins", ParamType.Int, "bins") { Default = 256, Min = 1, Max = 65536 }],
        },
        new() { Name = "stats", Summary = "statistics", Inputs = new InputSpec(1, 1), Output = OutputKind.Table, Execute = NotRun, Category = "statistics" },
        new() { Name = "merge_tables", Summary = "tables", Inputs = new InputSpec(1, 4, AcceptsTables: true), Output = OutputKind.Table, Execute = NotRun, Category = "statistics" },
        new()
        {
            Name = "montage", Summary = "tile frames", Inputs = new InputSpec(1, 1, RequiresStack: true), Output = OutputKind.Image, Execute = NotRun, Category = "display",
            Params = [new ParamSpec("columns", ParamType.Int, "columns") { Default = 0, Min = 0 }],
        },
        new() { Name = "abs", Summary = "abs", Inputs = InputSpec.One, Execute = NotRun, IsElementwise = true },
    }.ToDictionary(o => o.Name, StringComparer.Ordinal);

    public static RecipeLoadResult Load(string text, IReadOnlyDictionary<string, string>? set = null, string path = "recipe.yaml")
        => RecipeLoader.LoadText(text, path, set, All);
}

using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Tests;

/// <summary>The ops binder tests bind against: the real registry and a few test-only declarations. Execute is never called.</summary>
internal static class TestOps
{
    private static Value NotRun(OpContext ctx) => throw new InvalidOperationException("test op");

    /// <summary>
    /// The real registry, plus test-only declarations for parameter, input and output kinds no real op needs to
    /// have (a required float + bool + string op; an op that takes tables; a scalar op; an exact-count list; a
    /// warning rule). No real op is shadowed: names differ from every registry op (a test checks it).
    /// </summary>
    public static IReadOnlyDictionary<string, OpDefinition> All { get; } = OpRegistry.ByNameMap.Values.Concat(new OpDefinition[]
    {
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
        new() { Name = "merge_tables", Summary = "tables", Inputs = new InputSpec(1, 4, AcceptsTables: true), Output = OutputKind.Table, Execute = NotRun },
        new() { Name = "scalar_of", Summary = "a number per image", Inputs = InputSpec.One, Output = OutputKind.Scalar, Execute = NotRun },
        new()
        {
            Name = "box_of", Summary = "a list parameter of exactly four whole numbers", Inputs = InputSpec.One, Execute = NotRun,
            Params = [new ParamSpec("box", ParamType.IntList, "row0, col0, rows, cols") { Required = true, MinCount = 4, MaxCount = 4, Min = 0, Max = 100 }],
        },
        new()
        {
            Name = "warns", Summary = "an op with a warning rule", Inputs = InputSpec.One, Execute = NotRun,
            Params = [new ParamSpec("level", ParamType.Float, "level") { Default = 0.0 }],
            Rules =
            [
                new OpRule
                {
                    Description = "a level above 10 is unusual",
                    Severity = Severity.Warning,
                    At = "level",
                    Check = c => c.Float("level") > 10 ? "a level above 10 is unusual" : null,
                    Violation = "{level: 11}",
                },
            ],
        },
    }).ToDictionary(o => o.Name, StringComparer.Ordinal);

    public static RecipeLoadResult Load(string text, IReadOnlyDictionary<string, string>? set = null, string path = "recipe.yaml")
        => RecipeLoader.LoadText(text, path, set, All);
}

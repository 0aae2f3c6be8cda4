using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Core.Tests.TestSupport;

/// <summary>Runs an op the way the runner does: declared defaults filled in, then the given params.</summary>
internal static class OpRunner
{
    public static Value Run(string op, IReadOnlyList<Value> inputs, IReadOnlyDictionary<string, object?>? parameters = null, IExpressionKernel? kernel = null, double[]? recipeParams = null, int threads = 2)
    {
        var def = OpRegistry.Get(op);
        var bound = new Dictionary<string, object?>();
        foreach (var p in def.Params)
        {
            bound[p.Name] = p.Default;
        }

        if (parameters is not null)
        {
            foreach (var (k, v) in parameters)
            {
                Assert.NotNull(def.FindParam(k));
                bound[k] = v;
            }
        }

        return def.Invoke(new OpContext
        {
            StepId = "s",
            Inputs = inputs,
            Params = bound,
            Kernel = kernel,
            RecipeParams = recipeParams ?? [],
            Threads = threads,
        });
    }

    public static ImageArray Array(string op, ImageArray input, IReadOnlyDictionary<string, object?>? parameters = null)
        => ((ArrayValue)Run(op, [new ArrayValue(input)], parameters)).Array;

    public static ImageArray Array(string op, IEnumerable<ImageArray> inputs, IReadOnlyDictionary<string, object?>? parameters = null)
        => ((ArrayValue)Run(op, inputs.Select(a => (Value)new ArrayValue(a)).ToList(), parameters)).Array;

    public static TableValue Table(string op, ImageArray input, IReadOnlyDictionary<string, object?>? parameters = null)
        => (TableValue)Run(op, [new ArrayValue(input)], parameters);

    public static ImageArray Random(int rows, int cols, int seed, double scale = 1, bool complex = false)
    {
        var rng = new Random(seed);
        float[] Make() => Enumerable.Range(0, rows * cols).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
        return new ImageArray(rows, cols, Make(), complex ? Make() : null);
    }
}

// Embedding XRayFlow: load a recipe, run it on an image made in memory, read the outputs as arrays and tables.
// Usage: dotnet run --project samples/EmbedSample -- RECIPE.yaml [ROWS COLS]
// Prints one line per output (name, kind, shape, sum, max) or, for an invalid recipe, one line per diagnostic
// (code, file, line, column, message) and exits 2.
using System.Globalization;
using XRayFlow;

if (args.Length is not (1 or 3))
{
    Console.Error.WriteLine("usage: EmbedSample RECIPE.yaml [ROWS COLS]");
    return 2;
}

int rows = args.Length == 3 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64;
int cols = args.Length == 3 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 80;
Console.WriteLine($"XRayFlow {Recipe.Version} (commit {Recipe.Commit ?? "unknown"}), language {Recipe.LanguageVersion}");

var recipe = Recipe.Load(args[0]);
if (!recipe.IsValid)
{
    foreach (var d in recipe.Diagnostics)
    {
        Console.WriteLine($"diagnostic {d.Code} {d.Severity} {d.File}:{d.Line}:{d.Column} {d.Message}");
    }

    return 2;
}

// A test image: float32 pixels in C order (row-major), as NumPy would hold them.
var pixels = new float[rows * cols];
for (int r = 0; r < rows; r++)
{
    for (int c = 0; c < cols; c++)
    {
        pixels[(r * cols) + c] = ((r * 7) + (c * 3) + ((r * c) % 11)) % 256;
    }
}

// Bind every input to the same image (most recipes have one input, `xray`).
var inputs = recipe.Inputs.ToDictionary(i => i.Name, _ => RecipeInput.FromPixels(pixels, rows, cols));
var result = recipe.Run(inputs);
foreach (var d in result.Diagnostics)
{
    Console.WriteLine($"diagnostic {d.Code} {d.Severity} {d.File}:{d.Line}:{d.Column} {d.Message}");
}

if (!result.Succeeded)
{
    return 1;
}

foreach (var (name, value) in result.Outputs)
{
    switch (value.Kind)
    {
        case RecipeValueKind.Array:
            double sum = 0;
            float max = float.NegativeInfinity;
            foreach (float v in value.Data)
            {
                sum += v;
                max = Math.Max(max, v);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"output {name} array [{string.Join(", ", value.Shape)}] sum={sum:R} max={max:R}"));
            break;
        case RecipeValueKind.Table:
            Console.WriteLine($"output {name} table {string.Join(" ", value.Table!.Select(kv => kv.Key + "=" + Text(kv.Value)))}");
            break;
        default:
            Console.WriteLine($"output {name} figure of {value.Panels.Count} panels");
            break;
    }
}

return 0;

static string Text(object v) => v switch
{
    double[] a => $"[{a.Length} values]",
    long[] a => $"[{a.Length} values]",
    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
    _ => v.ToString() ?? string.Empty,
};

using System.Text.Json;
using XRayFlow.Core.Codecs;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// Scalar steps through the real runner on a batch: each image gets its own Otsu threshold (used as an expression
/// variable through an `in` map) and its own 99th percentile (used as clip's max through `${p99}`); scalars are
/// written by `.json` outputs and listed per item in manifest.json.
/// </summary>
public sealed class ScalarStepEndToEndTests : IDisposable
{
    // scikit-image 0.19.3 / NumPy 1.24 on the original uint8 arrays of pipelines/samples/00000011_00N.png:
    // threshold_otsu(a), numpy.percentile(a, 99).
    private static readonly (string File, double Otsu, double P99)[] Expected =
    [
        ("00000011_000.png", 115, 235),
        ("00000011_001.png", 145, 244),
        ("00000011_002.png", 114, 237),
    ];

    private const string Recipe = """
        xrayflow: 1
        name: per-image-scalars
        inputs:
          xray: image
        steps:
          - id: otsu
            op: threshold_otsu
            in: xray
          - id: p99
            op: percentile
            in: xray
            q: 99
          - id: mask
            op: where
            in: {x: xray, t: otsu}
            cond: "x > t"
            then: "x"
            else: 0
          - id: clipped
            op: clip
            in: xray
            max: ${p99}
        outputs:
          otsu: "{stem}_otsu.json"
          mask: "{stem}_mask.npy"
          clipped: "{stem}_clipped.npy"
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "xrf-scalars-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>Runs <paramref name="recipe"/> on the samples of <see cref="Expected"/> (2 threads, Roslyn): exit 0, its manifest and items by stem.</summary>
    private (string OutDir, JsonDocument Manifest, Dictionary<string, JsonElement> Items) RunOnTheSamples(string recipe)
    {
        string images = Path.Combine(_dir, "images");
        Directory.CreateDirectory(images);
        foreach (var (file, _, _) in Expected)
        {
            File.Copy(Path.Combine(Samples(), file), Path.Combine(images, file), overwrite: true);
        }

        string recipePath = Path.Combine(_dir, "recipe.yaml");
        File.WriteAllText(recipePath, recipe);
        var loaded = RecipeLoader.Load(recipePath);
        Assert.False(loaded.HasErrors, string.Join('\n', loaded.Diagnostics));
        string outDir = Path.Combine(_dir, "out");
        var result = RecipeRunner.Run(new RunRequest
        {
            Recipe = loaded.Recipe!,
            Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(images, "*.png") },
            OutDir = outDir,
            Threads = 2,
            CompilerFactory = () => new RoslynExpressionCompiler(Path.Combine(_dir, "cache")),
        });
        Assert.Equal(0, result.ExitCode);
        var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(outDir, "manifest.json")));
        return (outDir, manifest, manifest.RootElement.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("stem").GetString()!));
    }

    [Fact]
    public void EachImageGetsItsOwnThresholdAndPercentile()
    {
        var (outDir, manifest, items) = RunOnTheSamples(Recipe);
        using var _ = manifest;
        foreach (var (file, otsu, p99) in Expected)
        {
            string stem = Path.GetFileNameWithoutExtension(file);

            // manifest.json lists each scalar step's number for the item, in recipe order.
            var scalars = items[stem].GetProperty("scalars").EnumerateObject().Select(p => (p.Name, p.Value.GetDouble())).ToList();
            Assert.Equal([("otsu", otsu), ("p99", p99)], scalars);

            // The .json output of a scalar step.
            Assert.Equal($"{{\"value\": {otsu}}}\n", File.ReadAllText(Path.Combine(outDir, stem + "_otsu.json")));

            // where(x > otsu, x, 0) and clip(x, max = p99), with this image's own numbers.
            var x = Pixels(file);
            var mask = Values(outDir, stem, "_mask");
            var clipped = Values(outDir, stem, "_clipped");
            for (int k = 0; k < x.Length; k++)
            {
                Assert.Equal(x[k] > otsu ? x[k] : 0f, mask[k]);
                Assert.Equal(Math.Min(x[k], (float)p99), clipped[k]);
            }

            Assert.Contains(x, v => v > p99); // the clip did something
        }
    }

    /// <summary>
    /// A map or where whose `in` variables are all scalars computes one number per image (it failed at run time
    /// with "Index was out of range" while plan said `-> scalar`): written by a `.json` output, listed in the
    /// manifest and usable as `${m}` by a later step.
    /// </summary>
    [Fact]
    public void MapAndWhereOverScalarsOnlyComputeANumberPerImage()
    {
        const string scalarRecipe = """
            xrayflow: 1
            inputs:
              xray: image
            steps:
              - {id: otsu, op: threshold_otsu, in: xray}
              - {id: p99, op: percentile, in: xray, q: 99}
              - {id: m, op: map, in: {a: otsu, b: p99}, expr: "(a + b) / 2"}
              - {id: w, op: where, in: {x: otsu}, cond: "x > 130", then: "x * 2", else: 0}
              - {id: k, op: map, in: {a: otsu}, expr: 7}
              - {id: clipped, op: clip, in: xray, min: "${m}"}
            outputs:
              m: "{stem}_m.json"
              w: "{stem}_w.json"
              k: "{stem}_k.json"
              clipped: "{stem}_clipped.npy"
            """;
        var (outDir, manifest, items) = RunOnTheSamples(scalarRecipe);
        using var _ = manifest;
        foreach (var (file, otsu, p99) in Expected)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            double m = (otsu + p99) / 2; // 175, 194.5, 175.5
            double w = otsu > 130 ? otsu * 2 : 0; // only 00000011_001 (145) is over 130
            var scalars = items[stem].GetProperty("scalars").EnumerateObject().Select(p => (p.Name, p.Value.GetDouble())).ToList();
            Assert.Equal([("otsu", otsu), ("p99", p99), ("m", m), ("w", w), ("k", 7.0)], scalars);
            Assert.Equal($"{{\"value\": {m.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}\n", File.ReadAllText(Path.Combine(outDir, stem + "_m.json")));
            Assert.Equal($"{{\"value\": {w.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}\n", File.ReadAllText(Path.Combine(outDir, stem + "_w.json")));

            var x = Pixels(file);
            var clipped = Values(outDir, stem, "_clipped");
            for (int k = 0; k < x.Length; k++)
            {
                Assert.Equal(Math.Max(x[k], (float)m), clipped[k]);
            }
        }
    }

    /// <summary>
    /// An expression step without scalar variables beside one with them (it failed every image: "1 recipe params
    /// expected, 0 given", while validate said ok), and a step whose scalars come in another order than their first
    /// use in the file: each step's kernel gets the recipe's params, then its own scalars in its `in` order.
    /// </summary>
    [Fact]
    public void AnExpressionStepWithoutScalarsRunsBesideOnesWithThem()
    {
        const string mixed = """
            xrayflow: 1
            params:
              k: 3
            inputs:
              xray: image
            steps:
              - {id: otsu, op: threshold_otsu, in: xray}
              - {id: p99, op: percentile, in: xray, q: 99}
              - {id: above, op: map, in: {x: xray, t: otsu}, expr: "x > t ? 1 : 0"}
              - {id: plain, op: map, in: xray, expr: "x + k"}
              - {id: hi, op: where, in: {x: xray, p: p99, t: otsu}, cond: "x > p", then: "x - t", else: "k"}
            outputs:
              above: "{stem}_above.npy"
              plain: "{stem}_plain.npy"
              hi: "{stem}_hi.npy"
            """;
        var (outDir, manifest, _) = RunOnTheSamples(mixed);
        using var __ = manifest;
        foreach (var (file, otsu, p99) in Expected)
        {
            string stem = Path.GetFileNameWithoutExtension(file);
            var x = Pixels(file);
            var above = Values(outDir, stem, "_above");
            var plain = Values(outDir, stem, "_plain");
            var hi = Values(outDir, stem, "_hi");
            for (int k = 0; k < x.Length; k++)
            {
                Assert.Equal(x[k] > otsu ? 1f : 0f, above[k]);
                Assert.Equal(x[k] + 3f, plain[k]);
                Assert.Equal(x[k] > p99 ? x[k] - (float)otsu : 3f, hi[k]);
            }

            Assert.Contains(x, v => v > p99); // both branches of hi are taken
        }
    }

    /// <summary>
    /// A step names a scalar that only another step's `in` map binds: an unknown name at its place in the recipe,
    /// before anything runs. It compiled, and read NaN, while one list of scalar names served the whole recipe.
    /// </summary>
    [Fact]
    public void AStepCannotReadAnotherStepsScalarVariable()
    {
        Directory.CreateDirectory(_dir);
        string recipePath = Path.Combine(_dir, "leak.yaml");
        File.WriteAllText(recipePath, """
            xrayflow: 1
            inputs:
              xray: image
            steps:
              - {id: otsu, op: threshold_otsu}
              - {id: m1, op: map, in: {x: xray, t: otsu}, expr: "x > t ? 1 : 0"}
              - {id: m2, op: map, in: xray, expr: "x + t"}
            outputs:
              m2: m2.npy
            """);
        var loaded = RecipeLoader.Load(recipePath);
        Assert.False(loaded.HasErrors, string.Join('\n', loaded.Diagnostics));
        string outDir = Path.Combine(_dir, "out");
        var result = RecipeRunner.Run(new RunRequest
        {
            Recipe = loaded.Recipe!,
            Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(Samples(), "00000011_000.png") },
            OutDir = outDir,
            Threads = 1,
            CompilerFactory = () => new RoslynExpressionCompiler(Path.Combine(_dir, "cache")),
        });
        Assert.Equal(2, result.ExitCode);
        var error = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("XRF3004", error.Code);
        Assert.Equal((7, 44), (error.Location!.Value.Line, error.Location.Value.Column));
        Assert.Equal("unknown name 't' (did you mean 'x'?); the variables here are x, i, j, rows, cols", error.Message);
        Assert.False(File.Exists(Path.Combine(outDir, "m2.npy")));
    }

    /// <summary>The pixels of a sample as the run read it.</summary>
    private float[] Pixels(string file) => ImageReader.Read(Path.Combine(_dir, "images", file)).Data;

    /// <summary>The values of the item's `.npy` output <paramref name="stem"/> + <paramref name="suffix"/>.</summary>
    private static float[] Values(string outDir, string stem, string suffix) => XRayFlow.Core.Codecs.Npy.NpyReader.Read(Path.Combine(outDir, stem + suffix + ".npy")).Data;

    private static string Samples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "pipelines", "samples");
            if (File.Exists(Path.Combine(path, "00000011_000.png")))
            {
                return path;
            }
        }

        throw new DirectoryNotFoundException("pipelines/samples not found");
    }
}

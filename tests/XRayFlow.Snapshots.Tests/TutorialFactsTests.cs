using System.Text.Json;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Snapshots.Tests;

/// <summary>
/// The recipes on the tutorial's own image (the full 1024 x 1024 00000011_001.png) give the numbers NumPy and
/// SciPy print (tests/fixtures/tutorial/facts_001.json, from tests/fixtures/gen_recipe_tests.py).
/// </summary>
public sealed class TutorialFactsTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "xrayflow-facts-" + Guid.NewGuid().ToString("N"));

    private static JsonElement Facts => JsonDocument.Parse(File.ReadAllText(Path.Combine(SnapshotPaths.RepoRoot, "tests", "fixtures", "tutorial", "facts_001.json"))).RootElement;

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Fact]
    public void HistogramCountsAreNdimageHistogramsOnTheTutorialImage()
    {
        var json = RunDefault("histogram", "00000011_001_histogram.json");
        var expected = Facts.GetProperty("histogram").GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        var counts = json.GetProperty("counts").EnumerateArray().Select(e => e.GetInt64()).ToArray();
        Assert.Equal(256, counts.Length);
        Assert.Equal(expected, counts);
        Assert.Equal(1024L * 1024, counts.Sum());
    }

    [Fact]
    public void InspectGivesTheTutorialsStatistics()
    {
        var json = RunDefault("inspect", "00000011_001_stats.json");
        var f = Facts;
        Assert.Equal(f.GetProperty("min").GetDouble(), json.GetProperty("min").GetDouble());
        Assert.Equal(f.GetProperty("max").GetDouble(), json.GetProperty("max").GetDouble());
        Assert.Equal(f.GetProperty("median").GetDouble(), json.GetProperty("median").GetDouble());
        Assert.Equal(f.GetProperty("mean").GetDouble(), json.GetProperty("mean").GetDouble(), 1e-9);
    }

    private JsonElement RunDefault(string recipe, string output)
    {
        var loaded = RecipeLoader.Load(Path.Combine(SnapshotPaths.Pipelines, recipe + ".yaml"));
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        var result = RecipeRunner.Run(new RunRequest { Recipe = loaded.Recipe!, OutDir = _out, Threads = 2 });
        Assert.True(result.ExitCode == ExitCodes.Success, string.Join("\n", result.Diagnostics.Select(d => d.ToString()).Concat(result.Failures.Select(x => x.Error ?? string.Empty))));
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(_out, output))).RootElement;
    }
}

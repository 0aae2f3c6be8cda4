using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;
using XRayFlow.Scripting;

namespace XRayFlow.Snapshots.Tests;

/// <summary>
/// Every shipped recipe run twice on its snapshot inputs, fused (element-wise chains and row-band groups) and with
/// `--no-fuse` (every step whole): every file written must be the same, byte for byte (the manifest aside, which
/// records times).
/// </summary>
public sealed class FusionEquivalenceTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "xrayflow-fusion-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Recipes() => RecipeSnapshotTests.Recipes();

    public void Dispose()
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void FusedAndUnfusedRunsWriteTheSameFiles(string recipe)
    {
        var loaded = RecipeLoader.Load(Path.Combine(SnapshotPaths.Pipelines, recipe + ".yaml"));
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        Directory.CreateDirectory(_temp);
        var inputs = RecipeSnapshotTests.SmallInputs(loaded.Recipe!, out var missing, _temp);
        Assert.Empty(missing);

        Dictionary<string, byte[]> Run(PlanOptions options, string name)
        {
            string outDir = Path.Combine(_temp, name);
            var result = RecipeRunner.Run(new RunRequest
            {
                Recipe = loaded.Recipe!,
                Inputs = inputs,
                OutDir = outDir,
                Threads = 2,
                PlanOptions = options,
                CompilerFactory = () => new RoslynExpressionCompiler(),
            });
            Assert.True(result.ExitCode == ExitCodes.Success, $"{recipe} ({name}): exit {result.ExitCode}");
            return Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(f) != Manifest.FileName)
                .ToDictionary(f => Path.GetRelativePath(outDir, f), File.ReadAllBytes, StringComparer.Ordinal);
        }

        var fused = Run(new PlanOptions(), "fused");
        var unfused = Run(PlanOptions.NoFusion, "unfused");
        Assert.Equal(unfused.Keys.Order(StringComparer.Ordinal), fused.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, bytes) in unfused)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(fused[file]), $"{recipe}: {file} differs between the fused and the unfused run");
        }
    }
}

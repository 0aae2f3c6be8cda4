using System.Text.Json;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;
using XRayFlow.Scripting;

namespace XRayFlow.Snapshots.Tests;

/// <summary>
/// Every recipe in pipelines/ is a case (found at test time, so a new recipe is a new case and fails until its
/// snapshots are committed). Each runs in-process through <see cref="RecipeRunner"/> with its `default:` inputs
/// replaced by the small copies under Inputs/ (same relative paths), and every file it writes, plus its plan,
/// is compared with Snapshots/&lt;recipe&gt;/&lt;file&gt;.verified.&lt;ext&gt; within <see cref="SnapshotTolerances"/>.
/// </summary>
public sealed class RecipeSnapshotTests : IDisposable
{
    /// <summary>A default input with no copy under Inputs/ may be used as is when it is at most this big.</summary>
    public const long SmallDefaultBytes = 256 * 1024;

    /// <summary>
    /// A batch input (an image input whose default is a glob) is run on its first this many files (ordinal order):
    /// the recipe's outputs are locked on three items, not on nine copies of the same work (a stack input keeps all
    /// its frames: they make one output).
    /// </summary>
    public const int MaxBatchItems = 3;

    private readonly string _temp = Path.Combine(Path.GetTempPath(), "xrayflow-snapshots-" + Guid.NewGuid().ToString("N"));

    public static TheoryData<string> Recipes()
    {
        var data = new TheoryData<string>();
        foreach (var r in SnapshotPaths.Recipes())
        {
            data.Add(r);
        }

        return data;
    }

    public void Dispose()
    {
        if (Directory.Exists(_temp))
        {
            Directory.Delete(_temp, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void OutputsMatchVerifiedSnapshots(string recipe)
    {
        string path = Path.Combine(SnapshotPaths.Pipelines, recipe + ".yaml");
        var loaded = RecipeLoader.Load(path);
        Assert.False(loaded.HasErrors, $"{recipe}.yaml does not load:\n{string.Join("\n", loaded.Diagnostics)}");
        var bound = loaded.Recipe!;

        Directory.CreateDirectory(_temp);
        var inputs = SmallInputs(bound, out var missing, _temp);
        Assert.True(missing.Count == 0, string.Join("\n", missing));

        string outDir = Path.Combine(_temp, "out");
        var result = RecipeRunner.Run(new RunRequest
        {
            Recipe = bound,
            Inputs = inputs,
            OutDir = outDir,
            Threads = 2,
            CompilerFactory = () => new RoslynExpressionCompiler(),
        });
        Assert.True(
            result.ExitCode == ExitCodes.Success,
            $"{recipe}: exit {result.ExitCode}\n{string.Join("\n", result.Diagnostics.Select(d => d.ToString()).Concat(result.Failures.Select(f => $"{f.Name}: {f.Error}")))}");

        var received = Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != Manifest.FileName)
            .ToDictionary(f => Path.GetRelativePath(outDir, f).Replace('\\', '/'), f => f, StringComparer.Ordinal);
        Assert.NotEmpty(received);

        string planFile = Path.Combine(_temp, "plan.json");
        File.WriteAllText(planFile, PlanJson(recipe, result.Plan!));
        received["_plan.json"] = planFile;

        var problems = new SnapshotStore(recipe).Check(received);
        Assert.True(problems.Count == 0, $"{recipe}: {problems.Count} snapshot(s) differ:\n  {string.Join("\n  ", problems)}\n{new SnapshotStore(recipe).HowToAccept}");
    }

    [Fact]
    public void EverySnapshotFolderBelongsToARecipe()
    {
        var recipes = SnapshotPaths.Recipes().ToHashSet(StringComparer.Ordinal);
        var orphans = Directory.Exists(SnapshotPaths.Snapshots)
            ? Directory.EnumerateDirectories(SnapshotPaths.Snapshots).Select(Path.GetFileName).Where(n => !recipes.Contains(n!)).ToList()
            : [];
        Assert.True(orphans.Count == 0, $"snapshot folders without a recipe in pipelines/ (delete them with the recipe): {string.Join(", ", orphans)}");
    }

    [Fact]
    public void EveryRecipeIsACase()
    {
        // The theory's data is the folder listing itself: at least the tutorial's recipes are there.
        var names = ((IEnumerable<object[]>)Recipes()).Select(row => (string)row[0]).ToList();
        foreach (var r in new[] { "inspect", "progression", "laplacian-gaussian", "gradient-magnitude", "sobel", "tutorial-canny", "histogram", "masks", "compare", "canny-comparison" })
        {
            Assert.Contains(r, names);
        }
    }

    /// <summary>
    /// Each input's `default:` text P (relative to pipelines/) becomes Inputs/P (a glob stays a glob). Without a
    /// copy there, a default file of at most <see cref="SmallDefaultBytes"/> is used as it is.
    /// </summary>
    internal static Dictionary<string, string> SmallInputs(BoundRecipe recipe, out List<string> missing, string? copyFolder = null)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        missing = [];
        foreach (var input in recipe.Inputs)
        {
            if (input.DefaultPathText is not { } text)
            {
                missing.Add($"{recipe.Name}: input '{input.Name}' has no `default:` path; every shipped recipe must run with no arguments");
                continue;
            }

            string small = Path.GetFullPath(Path.Combine(SnapshotPaths.Inputs, text));
            if (InputResolver.IsGlob(text))
            {
                var files = InputResolver.Expand(small);
                if (files.Count > MaxBatchItems && input.Kind == InputKind.Image && copyFolder is not null)
                {
                    // The first MaxBatchItems files, copied to a folder of their own under the same glob (so item
                    // names and {stem}s stay what they are for the whole folder).
                    string folder = Path.Combine(copyFolder, "batch-" + input.Name);
                    Directory.CreateDirectory(folder);
                    foreach (var f in files.Order(StringComparer.Ordinal).Take(MaxBatchItems))
                    {
                        File.Copy(f, Path.Combine(folder, Path.GetFileName(f)));
                    }

                    map[input.Name] = Path.Combine(folder, Path.GetFileName(small));
                    continue;
                }

                if (files.Count > 0)
                {
                    map[input.Name] = small;
                    continue;
                }
            }
            else if (File.Exists(small))
            {
                map[input.Name] = small;
                continue;
            }
            else if (input.DefaultPath is { } original && File.Exists(original) && new FileInfo(original).Length <= SmallDefaultBytes)
            {
                map[input.Name] = original;
                continue;
            }

            missing.Add($"{recipe.Name}: input '{input.Name}' (default '{text}') has no small copy under tests/XRayFlow.Snapshots.Tests/Inputs/: run /usr/bin/python3 tests/fixtures/gen_snapshot_inputs.py");
        }

        return map;
    }

    /// <summary>The `xrayflow plan` text as JSON lines, with the recipe's path made relative to the repository.</summary>
    internal static string PlanJson(string recipe, Plan plan)
    {
        string text = PlanPrinter.Text(plan).Replace(plan.Recipe.Path, $"pipelines/{recipe}.yaml", StringComparison.Ordinal);
        var lines = text.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
        return JsonSerializer.Serialize(new { recipe, plan = lines }, new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}

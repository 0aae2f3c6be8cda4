using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Items in parallel hand their outputs' fsync and rename to the batch's committer thread (DeferredCommits): an item
/// counts as finished only once its outputs are in place, a file that cannot be put in place fails its item as a
/// failed write does, and nothing pending is left behind (issue 16, docs/performance-runner.md).
/// </summary>
public class DeferredCommitTests
{
    // RunnerTests' recipe: a PNG output, then an .npy in a subfolder; two outputs per item, in that order.
    private const string Recipe = RunnerTests.Recipe;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AnOutputThatCannotBeRenamedIntoPlaceFailsItsItemAloneAsAFailedWriteDoes(int threads)
    {
        var (dir, images, outDir) = Batch(4);

        // A non-empty folder where item 001's first output goes: its bytes are written, but the rename fails.
        Directory.CreateDirectory(Path.Combine(outDir, "00000011_001_half.png"));
        File.WriteAllText(Path.Combine(outDir, "00000011_001_half.png", "keep.txt"), "not a PNG");
        var result = RecipeRunner.Run(new RunRequest { Recipe = RunKit.LoadFile(dir, Recipe), Inputs = Glob(images), OutDir = outDir, Threads = threads });

        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        var failed = Assert.Single(result.Failures);
        Assert.Equal("00000011_001.png", failed.Name);
        Assert.StartsWith("cannot write output '00000011_001_half.png': ", failed.Error, StringComparison.Ordinal);
        Assert.Empty(failed.Outputs); // its later output (the .npy) is not written either
        Assert.False(File.Exists(Path.Combine(outDir, "npy", "00000011_001.npy")));
        Assert.Equal(4, result.Manifest!.Items.Count);
        foreach (var ok in result.Manifest.Items.Where(i => i.Succeeded))
        {
            Assert.Equal(2, ok.Outputs.Count);
            Assert.All(ok.Outputs, o => Assert.True(File.Exists(Path.Combine(outDir, o.Path)), o.Path));
        }

        Assert.Empty(Directory.EnumerateFiles(outDir, "*.tmp", SearchOption.AllDirectories));
        Assert.True(File.Exists(Path.Combine(outDir, "00000011_001_half.png", "keep.txt")));
    }

    [Fact]
    public void AnItemIsFinishedOnlyOnceEveryOutputItListsIsInPlaceWithTheBytesItsHashNames()
    {
        var (dir, images, outDir) = Batch(6);
        var progress = new CheckingProgress(outDir);
        var result = RecipeRunner.Run(new RunRequest { Recipe = RunKit.LoadFile(dir, Recipe), Inputs = Glob(images), OutDir = outDir, Threads = 2, Progress = progress });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal(6, progress.Finished);
        Assert.Empty(progress.Problems);
        Assert.Empty(Directory.EnumerateFiles(outDir, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void AStoppedBatchLeavesNoPendingFileAndListsOnlyItemsWhoseOutputsAreInPlace()
    {
        var (dir, images, outDir) = Batch(9);
        using var stop = new CancellationTokenSource();
        var progress = new CheckingProgress(outDir, onFinished: n =>
        {
            if (n == 2)
            {
                stop.Cancel();
            }
        });
        var request = new RunRequest { Recipe = RunKit.LoadFile(dir, Recipe), Inputs = Glob(images), OutDir = outDir, Threads = 2, Progress = progress, Cancellation = stop.Token };

        Assert.IsAssignableFrom<OperationCanceledException>(Record.Exception(() => RecipeRunner.Run(request)));
        Assert.Empty(progress.Problems);
        Assert.Empty(Directory.EnumerateFiles(outDir, "*.tmp", SearchOption.AllDirectories));
        var manifest = ManifestJson.Read(Path.Combine(outDir, "manifest.json"));
        Assert.InRange(manifest.Items.Count, 2, 8);
        Assert.All(manifest.Items.SelectMany(i => i.Outputs), o => Assert.True(File.Exists(Path.Combine(outDir, o.Path)), o.Path));
    }

    /// <summary>
    /// DeferredCommits itself: while the scope is open nothing reaches its final name, <see cref="DeferredCommits.Where"/>
    /// finds the bytes last written for a path, and the commit renames over a file an earlier run left.
    /// </summary>
    [Fact]
    public void ACommitPutsTheLastBytesWrittenForAPathOverTheFileThereBefore()
    {
        string dir = RunKit.TempDir();
        string path = Path.Combine(dir, "a.bin");
        File.WriteAllBytes(path, [0]); // an earlier run's output
        var files = DeferredCommits.Open();
        try
        {
            AtomicFile.WriteAllBytes(path, [1]);
            AtomicFile.WriteAllBytes(path, [2]);
            Assert.Equal([0], File.ReadAllBytes(path));
            Assert.Equal([2], File.ReadAllBytes(DeferredCommits.Where(path)));
        }
        finally
        {
            files.Close();
        }

        Assert.Equal(path, DeferredCommits.Where(path)); // no scope open: the final name
        var (inPlace, failure) = files.Commit();
        Assert.Null(failure);
        Assert.Equal([path, path], inPlace);
        Assert.Equal([2], File.ReadAllBytes(path));
        Assert.Equal(["a.bin"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    private static Dictionary<string, string> Glob(string images) => new() { ["xray"] = Path.Combine(images, "*.png") };

    private static (string Dir, string Images, string Out) Batch(int samples) => RunnerTests.Batch(samples, corrupt: false);

    /// <summary>At each item's finish: every output it lists is at its final path, with the bytes its SHA-256 names.</summary>
    private sealed class CheckingProgress(string outDir, Action<int>? onFinished = null) : IRunProgress
    {
        public List<string> Problems { get; } = [];

        public int Finished { get; private set; }

        public void Started(int items)
        {
        }

        public void ItemFinished(ManifestItem item)
        {
            foreach (var o in item.Outputs)
            {
                string path = Path.Combine(outDir, o.Path);
                if (!File.Exists(path))
                {
                    Problems.Add($"{item.Name}: {o.Path} is not in place when the item is finished");
                }
                else if (Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))) != o.Sha256)
                {
                    Problems.Add($"{item.Name}: {o.Path} does not hold the bytes its hash names");
                }
            }

            Finished++;
            onFinished?.Invoke(Finished);
        }
    }
}

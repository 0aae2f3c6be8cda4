using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Checks a run: the recipe's canonical form must be the one recorded (else refused; a comment-only edit of the
/// file passes, with a note); the outputs on disk
/// must still have their recorded hashes; and a re-run of the recipe on the recorded inputs (same --set) into
/// a temporary folder must produce the same bytes.
/// <para>
/// A manifest is untrusted input (it may come with a shared folder): it is read field by field
/// (<see cref="ManifestJson"/>), its output paths must stay inside its folder without going through a
/// symbolic link, and the re-run reads only the input files the manifest records: a glob binding that now
/// matches other files reports them as new inputs without reading them. Anything else is exit 2.
/// </para>
/// </summary>
public static class ManifestVerifier
{
    public static VerifyResult Verify(
        string manifestPath,
        Func<string, IReadOnlyDictionary<string, string>, (BoundRecipe? Recipe, IReadOnlyList<Diagnostic> Diagnostics)> load,
        Func<IExpressionCompiler>? compilerFactory,
        int threads,
        CancellationToken cancellation = default)
    {
        Manifest manifest;
        try
        {
            manifest = ManifestJson.Read(manifestPath);
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            string reason = ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message;
            return Invalid(DiagnosticCodes.ManifestUnreadable.Create(null, manifestPath, reason));
        }

        string manifestDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        if (LinkedOutputs(manifest, manifestDir, manifestPath) is { Count: > 0 } refused)
        {
            return new VerifyResult(ExitCodes.Invalid, refused, 0, 0);
        }

        string recipePath = Path.GetFullPath(Path.Combine(manifestDir, manifest.RecipePath));
        if (!File.Exists(recipePath))
        {
            recipePath = manifest.RecipeAbsolutePath;
        }

        if (!File.Exists(recipePath))
        {
            return Invalid(DiagnosticCodes.ManifestUnreadable.Create(null, manifestPath, $"its recipe '{manifest.RecipePath}' no longer exists"));
        }

        string sha;
        try
        {
            sha = Manifest.Sha256OfFile(recipePath, YamlTreeReader.MaxBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Invalid(DiagnosticCodes.ManifestUnreadable.Create(null, manifestPath, $"its recipe cannot be read: {ex.Message}"));
        }

        bool fileChanged = sha != manifest.RecipeFileSha256;
        var sets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in manifest.Set)
        {
            sets[k] = v;
        }

        var (recipe, loadDiagnostics) = load(recipePath, sets);
        if (recipe is null || loadDiagnostics.Any(d => d.IsError))
        {
            return new VerifyResult(ExitCodes.Invalid, loadDiagnostics, 0, 0);
        }

        var differences = new List<Diagnostic>();
        void Differ(string what, string how) => differences.Add(DiagnosticCodes.VerifyDifference.Create(null, what, how));

        // The recipe is judged by its canonical form (comments, key order, quoting and `tests:` do not count); the
        // file's own hash is information: a comment-only edit verifies, with a note.
        string? fileNote = null;
        string canonicalSha = Manifest.Sha256OfText(recipe.CanonicalText);
        if (canonicalSha != manifest.RecipeSha256)
        {
            if (fileChanged)
            {
                return Invalid(DiagnosticCodes.RecipeChanged.Create(null, recipePath, canonicalSha, manifest.RecipeSha256));
            }

            Differ("recipe", "its canonical form differs from the one recorded (a different xrayflow version?)");
        }
        else if (fileChanged)
        {
            fileNote = $"the recipe file changed since the run (file sha256 {sha}; the manifest says {manifest.RecipeFileSha256}), but its canonical form is the same (comments, formatting or tests only)";
        }

        // 1. Outputs on disk against their recorded hashes.
        foreach (var item in manifest.Items.Where(i => i.Succeeded))
        {
            foreach (var o in item.Outputs)
            {
                string full = Path.Combine(manifestDir, o.Path);
                var kind = UntrustedFile.Stat(full, followLinks: false).Kind;
                if (kind == FileKind.Missing)
                {
                    Differ(o.Path, "missing (the manifest records it)");
                }
                else if (kind != FileKind.Regular)
                {
                    Differ(o.Path, $"is {UntrustedFile.Describe(kind)}, not the file the run wrote");
                }
                else if (Hash(full, out string? why) is not { } h)
                {
                    Differ(o.Path, $"cannot be read: {why}");
                }
                else if (h != o.Sha256)
                {
                    Differ(o.Path, $"changed since the run (sha256 {h}, the manifest says {o.Sha256})");
                }
            }
        }

        // 2. Re-run into a temporary folder, reading only the recorded input files, and compare.
        string temp = Path.Combine(Path.GetTempPath(), "xrayflow-verify-" + Guid.NewGuid().ToString("N"));
        int checkedOutputs = 0;
        Diagnostic? notRun = null;
        try
        {
            var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in manifest.InputBindings)
            {
                inputs[k] = v;
            }

            var recorded = manifest.Items.SelectMany(i => i.Inputs).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            var rerun = RecipeRunner.Run(new RunRequest
            {
                Recipe = recipe,
                Inputs = inputs,
                InputRules = new InputRules { OnlyFiles = recorded },
                Set = manifest.Set,
                OutDir = temp,
                Threads = threads,
                CompilerFactory = compilerFactory,
                Cancellation = cancellation,
            });
            if (rerun.ExitCode == ExitCodes.Invalid || rerun.Manifest is null)
            {
                // Recorded input files that are gone (a single input, every file of a glob or folder, or the folder
                // itself) are differences, as one gone file of a batch is, not a bad command line.
                var gone = recorded.Where(f => UntrustedFile.Stat(f).Kind == FileKind.Missing).Order(StringComparer.Ordinal).ToList();
                if (gone.Count == 0)
                {
                    return new VerifyResult(ExitCodes.Invalid, rerun.Diagnostics, 0, 0);
                }

                foreach (var file in gone)
                {
                    Differ(file, "input file missing (the manifest records it; the run cannot be repeated without it)");
                }

                return new VerifyResult(ExitCodes.SomeFailed, differences, 0, differences.Count) { RecipeFileNote = fileNote };
            }

            var fresh = rerun.Manifest.Items.ToDictionary(i => i.Name, StringComparer.Ordinal);
            foreach (var item in manifest.Items)
            {
                if (!fresh.TryGetValue(item.Name, out var now))
                {
                    Differ(item.Name, "this input no longer exists among the recorded inputs");
                    continue;
                }

                foreach (var input in item.Inputs)
                {
                    var again = now.Inputs.FirstOrDefault(i => i.Input == input.Input && i.Path == input.Path);
                    if (again is not null && again.Sha256 != input.Sha256)
                    {
                        Differ(input.Path, $"input file changed since the run (sha256 {again.Sha256}, the manifest says {input.Sha256})");
                    }
                }

                if (item.Succeeded != now.Succeeded)
                {
                    Differ(item.Name, item.Succeeded ? $"succeeded in the run, fails now: {now.Error}" : "failed in the run, succeeds now");
                    continue;
                }

                foreach (var o in item.Outputs)
                {
                    var again = now.Outputs.FirstOrDefault(x => x.Output == o.Output && x.Path == o.Path);
                    checkedOutputs++;
                    if (again is null)
                    {
                        Differ(o.Path, "not produced by the re-run");
                    }
                    else if (again.Sha256 != o.Sha256)
                    {
                        Differ(o.Path, $"the re-run computes different bytes (sha256 {again.Sha256}, the manifest says {o.Sha256})");
                    }
                }
            }

            foreach (var name in fresh.Keys.Where(n => manifest.Items.All(i => i.Name != n)))
            {
                Differ(name, "a new input that the recorded run did not have");
            }

            // One shard's manifest records only its block: the batch's other files are the other shards' inputs,
            // not new ones, as long as the batch is still the one the shard was cut from (same names in order). A run
            // stopped before the end (--max-failures, a signal) records the batch it was given: its other files are
            // those not run, said in a warning (the recorded work is what verify checks), as long as the batch is the same.
            if (manifest.Shard is { } shard && rerun.NotRead.Count > 0)
            {
                if (SameBatch(recipe, inputs, shard) is { } changed)
                {
                    Differ("the batch", changed);
                }
                else if (new Sharding.Shard(shard.Index, shard.Count).Block(shard.Total).Length is var block && manifest.Items.Count < block)
                {
                    notRun = DiagnosticCodes.StoppedRunNotVerified.Create(null, manifestPath, block - manifest.Items.Count, block);
                }
            }
            else if (manifest.Batch is { } batch && rerun.NotRead.Count > 0 && manifest.Items.Count < batch.Total && SameList(recipe, inputs, batch.Total, batch.ListSha256, null) is null)
            {
                notRun = DiagnosticCodes.StoppedRunNotVerified.Create(null, manifestPath, batch.Total - manifest.Items.Count, batch.Total);
            }
            else
            {
                foreach (var file in rerun.NotRead)
                {
                    Differ(file, "a new input that the recorded run did not have (not read: verify reads only the recorded files)");
                }
            }
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A leftover temporary folder is harmless.
            }
        }

        return new VerifyResult(differences.Count == 0 ? ExitCodes.Success : ExitCodes.SomeFailed, notRun is null ? differences : [.. differences, notRun], checkedOutputs, differences.Count) { RecipeFileNote = fileNote };
    }

    /// <summary>
    /// Null when the bound inputs still list the batch a shard's manifest recorded (count and the SHA-256 of the
    /// sorted names: its block is the same), else how it differs. Lists names only: no input file is read.
    /// </summary>
    private static string? SameBatch(BoundRecipe recipe, IReadOnlyDictionary<string, string> inputs, ManifestShard shard)
    {
        if (shard.Count > Sharding.Shard.MaxCount)
        {
            return $"the manifest records shard {shard.Index} of {shard.Count}, more than the {Sharding.Shard.MaxCount} shards a batch may be cut into";
        }

        return SameList(recipe, inputs, shard.Total, shard.ListSha256, new Sharding.Shard(shard.Index, shard.Count)) is { } now
            ? $"{now}, not the {shard.Total} (names sha256 {shard.ListSha256}) shard {shard.Index} of {shard.Count} was cut from: files were added, removed or renamed, and the shards' blocks moved"
            : null;
    }

    /// <summary>Null when the bound inputs list <paramref name="total"/> names hashing to <paramref name="sha256"/>, else what they list now. Reads no input file.</summary>
    private static string? SameList(BoundRecipe recipe, IReadOnlyDictionary<string, string> inputs, long total, string sha256, Sharding.Shard? shard)
    {
        var listed = InputResolver.Resolve(recipe, inputs, new DiagnosticBag(), new InputRules(), shard);
        string sha = Sharding.ShardRun.ListSha256(listed.All);
        return listed.Total == total && sha == sha256 ? null : $"it now lists {listed.Total} input(s) (names sha256 {sha})";
    }

    /// <summary>XRF2013 for every recorded output whose path goes through a symbolic link (a folder on the way, or the file itself).</summary>
    private static List<Diagnostic> LinkedOutputs(Manifest manifest, string manifestDir, string manifestPath)
    {
        var problems = new List<Diagnostic>();
        foreach (var o in manifest.Items.SelectMany(i => i.Outputs))
        {
            string full = Path.GetFullPath(Path.Combine(manifestDir, o.Path));
            string? link = OutputPaths.LinkedFolder(manifestDir, full)
                ?? (UntrustedFile.Stat(full, followLinks: false).Kind == FileKind.SymbolicLink ? o.Path : null);
            if (link is not null)
            {
                problems.Add(DiagnosticCodes.ManifestUnreadable.Create(null, manifestPath, $"output '{o.Path}' goes through the symbolic link '{link}'; verify reads only files inside the manifest's folder"));
            }
        }

        return problems;
    }

    /// <summary>The SHA-256 of an output inside the manifest's folder (never through a link), or null with why not.</summary>
    private static string? Hash(string path, out string? why)
    {
        why = null;
        try
        {
            return Manifest.Sha256OfFile(path, followLinks: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            why = e.Message;
            return null;
        }
    }

    private static VerifyResult Invalid(Diagnostic d) => new(ExitCodes.Invalid, [d], 0, 0);
}

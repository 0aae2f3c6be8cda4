using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Checks a run: the recipe must be byte-identical to the one recorded (else refused); the outputs on disk
/// must still have their recorded hashes; and a re-run of the recipe on the recorded inputs (same --set) into
/// a temporary folder must produce the same bytes.
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
        string recipePath = Path.GetFullPath(Path.Combine(manifestDir, manifest.RecipePath));
        if (!File.Exists(recipePath))
        {
            recipePath = manifest.RecipeAbsolutePath;
        }

        if (!File.Exists(recipePath))
        {
            return Invalid(DiagnosticCodes.ManifestUnreadable.Create(null, manifestPath, $"its recipe '{manifest.RecipePath}' no longer exists"));
        }

        string sha = Manifest.Sha256OfFile(recipePath);
        if (sha != manifest.RecipeFileSha256)
        {
            return Invalid(DiagnosticCodes.RecipeChanged.Create(null, recipePath, sha, manifest.RecipeFileSha256));
        }

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

        if (Manifest.Sha256OfText(recipe.CanonicalText) != manifest.RecipeSha256)
        {
            Differ("recipe", "its canonical form differs from the one recorded (a different xrayflow version?)");
        }

        // 1. Outputs on disk against their recorded hashes.
        foreach (var item in manifest.Items.Where(i => i.Succeeded))
        {
            foreach (var o in item.Outputs)
            {
                string full = Path.Combine(manifestDir, o.Path);
                if (!File.Exists(full))
                {
                    Differ(o.Path, "missing (the manifest records it)");
                }
                else if (Manifest.Sha256OfFile(full) is var h && h != o.Sha256)
                {
                    Differ(o.Path, $"changed since the run (sha256 {h}, the manifest says {o.Sha256})");
                }
            }
        }

        // 2. Re-run into a temporary folder and compare.
        string temp = Path.Combine(Path.GetTempPath(), "xrayflow-verify-" + Guid.NewGuid().ToString("N"));
        int checkedOutputs = 0;
        try
        {
            var inputs = manifest.InputBindings.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var rerun = RecipeRunner.Run(new RunRequest
            {
                Recipe = recipe,
                Inputs = inputs,
                Set = manifest.Set,
                OutDir = temp,
                Threads = threads,
                CompilerFactory = compilerFactory,
                Cancellation = cancellation,
            });
            if (rerun.ExitCode == ExitCodes.Invalid || rerun.Manifest is null)
            {
                return new VerifyResult(ExitCodes.Invalid, rerun.Diagnostics, 0, 0);
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
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary folder is harmless.
            }
        }

        return new VerifyResult(differences.Count == 0 ? ExitCodes.Success : ExitCodes.SomeFailed, differences, checkedOutputs, differences.Count);
    }

    private static VerifyResult Invalid(Diagnostic d) => new(ExitCodes.Invalid, [d], 0, 0);
}

using System.Globalization;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.IO;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Testing;

/// <summary>The outcome of one case of a recipe's `tests:` section.</summary>
/// <param name="Recipe">The recipe's name.</param>
/// <param name="Test">The test's name.</param>
/// <param name="Passed">Every expectation held.</param>
/// <param name="Checked">How many expectations were checked.</param>
/// <param name="Failures">One line per failed expectation (or why the run failed).</param>
public sealed record SelfTestCase(string Recipe, string Test, bool Passed, int Checked, IReadOnlyList<string> Failures)
{
    /// <summary>Output name -> "sha256:&lt;hex&gt;" of each file the test's run wrote (empty when it did not run): what `xrayflow test --update` records.</summary>
    public IReadOnlyDictionary<string, string> Written { get; init; } = new Dictionary<string, string>();

    /// <summary>`PASS name/test (2 outputs)` or `FAIL name/test: reason; reason`.</summary>
    public override string ToString() => Passed
        ? $"PASS {Recipe}/{Test} ({Checked} output{(Checked == 1 ? string.Empty : "s")})"
        : $"FAIL {Recipe}/{Test}: {string.Join("; ", Failures)}";
}

/// <summary>All cases of one recipe, or the diagnostics that kept it from running (exit 2).</summary>
public sealed record SelfTestResult(int ExitCode, IReadOnlyList<Diagnostic> Diagnostics, IReadOnlyList<SelfTestCase> Cases);

/// <summary>
/// Runs a recipe's own `tests:` section: each test runs the recipe on its inputs (inputs it does not name take
/// the recipe's defaults) into a fresh temporary folder, then checks each expected output:
/// <list type="bullet">
/// <item>a digest `sha256:&lt;hex&gt;`: the SHA-256 of the written file, exactly;</item>
/// <item>an `npy` reference with a `tolerance` t: same shape, NaN at the same places, and
/// max |actual - reference| &lt;= t * max |reference| over the finite values (the output must be a .npy).</item>
/// </list>
/// Exit code: 0 every case passed, 1 some failed (or their run failed), 2 the recipe has no tests or cannot run.
/// </summary>
public static class RecipeSelfTest
{
    public static SelfTestResult Run(BoundRecipe recipe, Func<IExpressionCompiler>? compilerFactory = null, int threads = 0, CancellationToken cancellation = default)
    {
        if (recipe.Tests.Count == 0)
        {
            return new SelfTestResult(ExitCodes.Invalid, [DiagnosticCodes.RecipeHasNoTests.Create(new SourceLocation(recipe.Path, 1, 1), recipe.Name)], []);
        }

        var cases = new List<SelfTestCase>();
        var diagnostics = new List<Diagnostic>();
        foreach (var test in recipe.Tests)
        {
            if (FileProblems(recipe, test) is { Count: > 0 } refused)
            {
                diagnostics.AddRange(refused.Select(r => r.Reported));
                cases.Add(new SelfTestCase(recipe.Name, test.Name, false, 0, [$"cannot run: {string.Join("; ", refused.Select(r => r.Reason))}"]));
                continue;
            }

            string dir = Path.Combine(Path.GetTempPath(), "xrayflow-test-" + Guid.NewGuid().ToString("N"));
            try
            {
                var result = RecipeRunner.Run(new RunRequest
                {
                    Recipe = recipe,
                    Inputs = test.Inputs,
                    InputRules = new InputRules { GivenFromRecipe = true }, // a shared recipe's test reads only files beside it
                    OutDir = dir,
                    Threads = threads > 0 ? threads : Environment.ProcessorCount,
                    CompilerFactory = compilerFactory,
                    Cancellation = cancellation,
                });
                if (result.ExitCode == ExitCodes.Invalid)
                {
                    // The test's inputs or the recipe cannot run at all: a broken test, not a failed one.
                    diagnostics.AddRange(result.Diagnostics.Where(d => d.IsError));
                    cases.Add(new SelfTestCase(recipe.Name, test.Name, false, 0, [$"cannot run: {string.Join("; ", result.Diagnostics.Where(d => d.IsError).Select(d => d.Message))}"]));
                    continue;
                }

                cases.Add(Check(recipe, test, result, dir));
            }
            finally
            {
                TryDelete(dir);
            }
        }

        int exit = diagnostics.Count > 0 ? ExitCodes.Invalid : cases.All(c => c.Passed) ? ExitCodes.Success : ExitCodes.SomeFailed;
        return new SelfTestResult(exit, diagnostics, cases);
    }

    /// <summary>
    /// The test's files that cannot be read, refused before its run, each at the path the test wrote (<see cref="TestFiles"/>):
    /// XRF2024 outside the recipe's folder, XRF2023 not a regular file, XRF2005 an input that is not there (a missing
    /// reference .npy is the case's own failure, after the run). Each as reported (naming the test) and as the case's
    /// reason (its line names the test already).
    /// </summary>
    private static List<(Diagnostic Reported, string Reason)> FileProblems(BoundRecipe recipe, RecipeTest test)
    {
        var problems = new List<(Diagnostic Reported, string Reason)>();
        string root = TestFiles.Root(recipe);
        foreach (var (what, input, path, location) in TestFiles.Of(test))
        {
            string whose = $"test '{test.Name}', {what}";
            var (problem, kind) = TestFiles.Check(path, root);
            switch (problem)
            {
                case TestFiles.Problem.Outside:
                    var outside = DiagnosticCodes.PathOutsideRecipeFolder.Create(location, whose, path, root);
                    problems.Add((outside, outside.Message));
                    break;
                case TestFiles.Problem.NotRegular:
                    var special = DiagnosticCodes.InputNotRegularFile.Create(location, whose, path, UntrustedFile.Describe(kind));
                    problems.Add((special, special.Message));
                    break;
                case TestFiles.Problem.Missing when input.Length > 0:
                    var missing = DiagnosticCodes.InputFileMissing.Create(location, input, path);
                    problems.Add((missing with { Message = $"test '{test.Name}': {missing.Message}" }, missing.Message));
                    break;
            }
        }

        return problems;
    }

    private static SelfTestCase Check(BoundRecipe recipe, RecipeTest test, RunResult result, string dir)
    {
        var items = result.Manifest?.Items ?? [];
        if (items.Count != 1)
        {
            return new SelfTestCase(recipe.Name, test.Name, false, 0, [$"a test runs the recipe once, but its inputs made {items.Count} runs (give one file per image input)"]);
        }

        var item = items[0];
        if (!item.Succeeded)
        {
            return new SelfTestCase(recipe.Name, test.Name, false, 0, [$"the run failed: {item.Error}"]);
        }

        var failures = new List<string>();
        foreach (var expect in test.Expectations)
        {
            var written = item.Outputs.FirstOrDefault(o => o.Output == expect.Output);
            if (written is null)
            {
                failures.Add($"output '{expect.Output}' was not written");
                continue;
            }

            string file = Path.Combine(dir, written.Path);
            if (expect.Digest is { } digest)
            {
                string actual = "sha256:" + written.Sha256;
                if (!string.Equals(actual, digest, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"output '{expect.Output}': digest {actual} differs from the expected {digest}");
                }
            }

            if (expect.NpyPath is { } npy && CompareNpy(expect.Output, file, npy, expect.Tolerance) is { } why)
            {
                failures.Add(why);
            }
        }

        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in item.Outputs)
        {
            digests.TryAdd(o.Output, "sha256:" + o.Sha256);
        }

        return new SelfTestCase(recipe.Name, test.Name, failures.Count == 0, test.Expectations.Count, failures) { Written = digests };
    }

    /// <summary>Null when <paramref name="actualPath"/> matches the reference within tolerance x peak, else why not.</summary>
    public static string? CompareNpy(string output, string actualPath, string referencePath, double tolerance)
    {
        if (!actualPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            return $"output '{output}': an npy reference needs a .npy output, not {Path.GetFileName(actualPath)}";
        }

        ImageArray actual, reference;
        try
        {
            reference = NpyReader.Read(referencePath);
        }
        catch (Exception e) when (e is IOException or ImageDecodeException or UnauthorizedAccessException)
        {
            return $"output '{output}': cannot read the reference {referencePath}: {e.Message}";
        }

        try
        {
            actual = NpyReader.Read(actualPath);
        }
        catch (Exception e) when (e is IOException or ImageDecodeException or UnauthorizedAccessException)
        {
            return $"output '{output}': cannot read what the run wrote: {e.Message}";
        }

        if (!actual.Shape.SequenceEqual(reference.Shape))
        {
            return $"output '{output}': shape {actual.ShapeText} differs from the reference's {reference.ShapeText}";
        }

        return CompareArrays($"output '{output}'", actual.Data, reference.Data, tolerance, actual.Shape);
    }

    /// <summary>
    /// NaN at the same places; max |a - r| &lt;= tolerance * max |r| (finite values). Null, or why not, prefixed by
    /// <paramref name="what"/>; with a <paramref name="shape"/> the place is named by index (`[row 3, column 12]`), else as a flat element.
    /// </summary>
    public static string? CompareArrays(string what, ReadOnlySpan<float> actual, ReadOnlySpan<float> reference, double tolerance, IReadOnlyList<int>? shape = null)
    {
        string At(int k) => Place(k, shape);
        double peak = 0;
        foreach (float r in reference)
        {
            if (float.IsFinite(r))
            {
                peak = Math.Max(peak, Math.Abs((double)r));
            }
        }

        double allowed = tolerance * peak;
        double worst = 0;
        int worstAt = -1;
        for (int k = 0; k < reference.Length; k++)
        {
            float a = actual[k], r = reference[k];
            if (float.IsNaN(r) || float.IsNaN(a))
            {
                if (float.IsNaN(r) != float.IsNaN(a))
                {
                    return $"{what}: {At(k)} is {F(a)}, the reference {F(r)}";
                }

                continue;
            }

            double d = Math.Abs((double)a - r);
            if (d > worst || (double.IsNaN(d) && worstAt < 0))
            {
                worst = d;
                worstAt = k;
            }
        }

        return worst <= allowed ? null
            : $"{what}: max |diff| {F(worst)} at {At(worstAt)} (got {F(actual[worstAt])}, reference {F(reference[worstAt])}) > tolerance {F(tolerance)} x peak {F(peak)} = {F(allowed)}";
    }

    /// <summary>`[row r, column c]` (0-based, numpy's a[r, c]) for a 2-D shape, `[frame f, row r, column c]` for 3-D, else `element k`.</summary>
    public static string Place(int k, IReadOnlyList<int>? shape)
    {
        if (shape is { Count: 2 } s2 && s2[1] > 0)
        {
            return $"[row {k / s2[1]}, column {k % s2[1]}]";
        }

        if (shape is { Count: 3 } s3 && s3[1] > 0 && s3[2] > 0)
        {
            int plane = s3[1] * s3[2];
            return $"[frame {k / plane}, row {k % plane / s3[2]}, column {k % s3[2]}]";
        }

        return $"element {k}";
    }

    private static string F(double d) => d.ToString("G6", CultureInfo.InvariantCulture);

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException)
        {
            // a leftover temp folder is not a test failure
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

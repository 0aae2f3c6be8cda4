using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("Run recipe tests.")]
public sealed class TestCommand(CliHost host) : Command<TestCommand.Settings>
{
    public sealed class Settings : CheckedSettings
    {
        [CommandArgument(0, "<RECIPE>")]
        [Description("Recipe files whose `tests:` sections to run.")]
        public string[] Recipes { get; init; } = [];

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget (default: the number of processors).")]
        public int? Threads { get; init; }

        [CommandOption("-u|--update|--accept")]
        [Description("Write the digests the runs produced into each recipe's `tests:` (only the sha256 hex changes; comments and layout stay). Seed a new test with \"sha256:\" and 64 zeros. `npy` references are never changed.")]
        public bool Update { get; init; }

        public override IEnumerable<Diagnostic> Problems() => ThreadsProblem(Threads);
    }

    /// <summary>
    /// Runs each recipe's `tests:` (see <see cref="XRayFlow.Pipeline.Testing.RecipeSelfTest"/>), printing one line per
    /// case (`PASS recipe/test (n outputs)` or `FAIL recipe/test: why`; `SKIP recipe` for one without tests) and a
    /// summary. Exit 0 when every case passed, 1 when some failed, 2 when a recipe is missing or invalid, a test
    /// cannot run, or none of the recipes has tests.
    /// </summary>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool invalid = false;
        int passed = 0, failed = 0;
        var untested = new List<XRayFlow.Pipeline.Binding.BoundRecipe>();
        foreach (string path in settings.Recipes)
        {
            if (!File.Exists(path))
            {
                host.Report(CommandHelpers.RecipeFileMissing(path));
                invalid = true;
                continue;
            }

            var (recipe, diagnostics) = host.LoadRecipe(path, new Dictionary<string, string>());
            host.Report(diagnostics.Where(d => d.IsError));
            if (recipe is null)
            {
                invalid = true;
                continue;
            }

            if (recipe.Tests.Count == 0)
            {
                // Several recipes (a glob): one without tests is skipped; if nothing at all had tests, exit 2 below.
                host.Out.WriteLine($"SKIP {recipe.Name} (no `tests:` section)");
                untested.Add(recipe);
                continue;
            }

            var result = XRayFlow.Pipeline.Testing.RecipeSelfTest.Run(recipe, host.CompilerFactory, settings.Threads ?? 0, host.Cancellation);
            host.Report(result.Diagnostics);
            invalid |= result.ExitCode == ExitCodes.Invalid;
            if (settings.Update && result.ExitCode != ExitCodes.Invalid && Update(path, recipe, result.Cases))
            {
                // Updated: run again, so what is printed and the exit code describe the file as it now is.
                (recipe, diagnostics) = host.LoadRecipe(path, new Dictionary<string, string>());
                host.Report(diagnostics.Where(d => d.IsError));
                if (recipe is null)
                {
                    invalid = true;
                    continue;
                }

                result = XRayFlow.Pipeline.Testing.RecipeSelfTest.Run(recipe, host.CompilerFactory, settings.Threads ?? 0, host.Cancellation);
                host.Report(result.Diagnostics);
                invalid |= result.ExitCode == ExitCodes.Invalid;
            }

            foreach (var c in result.Cases)
            {
                host.Out.WriteLine(c.ToString());
                if (c.Passed)
                {
                    passed++;
                }
                else
                {
                    failed++;
                }
            }
        }

        if (passed + failed == 0 && untested.Count > 0)
        {
            foreach (var r in untested)
            {
                host.Report(DiagnosticCodes.RecipeHasNoTests.Create(new SourceLocation(r.Path, 1, 1), r.Name));
            }

            invalid = true;
        }

        host.Out.WriteLine($"{passed} passed, {failed} failed{(untested.Count > 0 ? $", {untested.Count} skipped (no tests)" : string.Empty)}");
        return invalid ? ExitCodes.Invalid : failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }

    /// <summary>--update: writes the digests the runs produced into the recipe file; true when the file changed.</summary>
    private bool Update(string path, XRayFlow.Pipeline.Binding.BoundRecipe recipe, IReadOnlyList<XRayFlow.Pipeline.Testing.SelfTestCase> cases)
    {
        byte[] bytes = Core.IO.UntrustedFile.ReadAllBytes(path, XRayFlow.Pipeline.Syntax.YamlTreeReader.MaxBytes);
        bool bom = bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]);
        string text = new System.Text.UTF8Encoding(false).GetString(bom ? bytes[3..] : bytes);
        var (updated, changes) = XRayFlow.Pipeline.Testing.TestDigestUpdater.Update(text, recipe, cases);
        foreach (var c in changes)
        {
            host.Out.WriteLine(c.New is null
                ? $"KEEP {path}:{c.Line}: test '{c.Test}', output '{c.Output}' was not written; its digest is unchanged"
                : $"UPDATE {path}:{c.Line}: test '{c.Test}', output '{c.Output}': {c.New}");
        }

        foreach (var e in recipe.Tests.SelectMany(t => t.Expectations).Where(e => e.NpyPath is not null && e.Digest is null))
        {
            host.Out.WriteLine($"KEEP {path}:{e.Location.Line}: output '{e.Output}' is compared with a reference .npy (regenerate it with its script), not a digest");
        }

        if (updated == text)
        {
            return false;
        }

        XRayFlow.Pipeline.Testing.TestDigestUpdater.WriteInPlace(path, updated, bom);
        return true;
    }
}

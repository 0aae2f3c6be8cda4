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
                host.Report(DiagnosticCodes.RecipeFileMissing.Create(null, path));
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
}

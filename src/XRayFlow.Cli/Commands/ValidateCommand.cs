using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Cli.Output;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("Check recipes.")]
public sealed class ValidateCommand(CliHost host) : Command<ValidateCommand.Settings>
{
    public sealed class Settings : CheckedSettings
    {
        [CommandArgument(0, "<RECIPE>")]
        [Description("One or more recipe files (YAML, `xrayflow: 1`).")]
        public string[] Recipes { get; init; } = [];

        [CommandOption("--set <NAME=VALUE>")]
        [Description("Override a recipe param (repeatable), checked like the recipe: --set threshold=120.")]
        public string[] Set { get; init; } = [];

        [CommandOption("--max-pixels <N>")]
        [Description("The bound `run --max-pixels N` will apply: a step the default inputs' shapes would make larger is refused (default 100000000).")]
        public long? MaxPixels { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON document on stdout: each file, ok or not, with its diagnostics (docs/cli-json.md).")]
        public bool Json { get; init; }

        /// <summary>`validate --json` refused: every file given is not ok, with the problems of the command line.</summary>
        public override string? RefusalJson(IReadOnlyList<Diagnostic> problems) => !Json ? null : Document(Recipes.Select(f => (f, false, problems)).ToList(), ok: false);

        public override IEnumerable<Diagnostic> Problems()
        {
            var bag = new DiagnosticBag();
            CommandHelpers.Pairs(Set, "--set", bag);
            if (MaxPixels is < 1)
            {
                bag.Add(DiagnosticCodes.BadOptionValue.Create(null, "--max-pixels", "must be 1 or more"));
            }

            return bag.ToSortedList();
        }
    }

    /// <summary>Checks each recipe (all of them, even after a bad one): exit 0 when every one is valid, else 2.</summary>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var results = new List<(string File, bool Ok, List<Diagnostic> Diagnostics)>();
        foreach (string path in settings.Recipes)
        {
            var recipe = CommandHelpers.Load(host, path, settings.Set, out _, out var reported);
            if (recipe is not null)
            {
                var more = RecipeValidation.Check(recipe, host.CompilerFactory, settings.MaxPixels);
                host.Report(more);
                reported.AddRange(more);
            }

            bool ok = recipe is not null && !reported.Any(d => d.IsError);
            results.Add((path, ok, reported));
            if (ok && !settings.Json)
            {
                host.Out.WriteLine($"{path}: ok");
            }
        }

        if (settings.Json)
        {
            host.Out.Write(Document(results.Select(r => (r.File, r.Ok, (IReadOnlyList<Diagnostic>)r.Diagnostics)).ToList()));
        }

        return results.All(r => r.Ok) ? ExitCodes.Success : ExitCodes.Invalid;
    }

    /// <summary>`validate --json`: ok (when not given: every file is), and each file with its diagnostics (docs/cli-json.md).</summary>
    private static string Document(IReadOnlyList<(string File, bool Ok, IReadOnlyList<Diagnostic> Diagnostics)> files, bool? ok = null) => CliJson.Document(w =>
    {
        w.WriteBoolean("ok", ok ?? files.All(f => f.Ok));
        w.WriteStartArray("files");
        foreach (var (file, ok, diagnostics) in files)
        {
            w.WriteStartObject();
            w.WriteString("file", file);
            w.WriteBoolean("ok", ok);
            CliJson.Diagnostics(w, "diagnostics", diagnostics);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });
}

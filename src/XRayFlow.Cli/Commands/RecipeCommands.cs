using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

public class RecipeSettings : CommandSettings
{
    [CommandArgument(0, "<RECIPE>")]
    [Description("The recipe file (YAML, `xrayflow: 1`).")]
    public string Recipe { get; init; } = string.Empty;

    [CommandOption("--set <NAME=VALUE>")]
    [Description("Override a recipe param (repeatable), checked like the recipe: --set threshold=120.")]
    public string[] Set { get; init; } = [];
}

internal static class CommandHelpers
{
    /// <summary>NAME=VALUE pairs in order; reports XRF2004 for one without `=`.</summary>
    public static List<KeyValuePair<string, string>> Pairs(IEnumerable<string> values, string option, DiagnosticBag bag)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var v in values)
        {
            int eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                bag.Report(DiagnosticCodes.NotNameValue, null, option, v);
                continue;
            }

            list.Add(new(v[..eq].Trim(), v[(eq + 1)..]));
        }

        return list;
    }

    /// <summary>Loads the recipe (with --set), reporting every diagnostic; null when it has errors.</summary>
    public static BoundRecipe? Load(CliHost host, RecipeSettings settings, out List<KeyValuePair<string, string>> sets)
    {
        var bag = new DiagnosticBag();
        sets = Pairs(settings.Set, "--set", bag);
        if (bag.HasErrors)
        {
            host.Report(bag.ToSortedList());
            return null;
        }

        if (!File.Exists(settings.Recipe))
        {
            host.Report(DiagnosticCodes.RecipeFileMissing.Create(null, settings.Recipe));
            return null;
        }

        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in sets)
        {
            dict[k] = v;
        }

        var (recipe, diagnostics) = host.LoadRecipe(settings.Recipe, dict);
        host.Report(diagnostics);
        return diagnostics.Any(d => d.IsError) ? null : recipe;
    }

    /// <summary>`--input NAME=PATH` values; a bare PATH binds the recipe's only input.</summary>
    public static Dictionary<string, string> Inputs(BoundRecipe recipe, IEnumerable<string> values, DiagnosticBag bag)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            int eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0 && recipe.Inputs.Any(i => i.Name == v[..eq]))
            {
                result[v[..eq]] = v[(eq + 1)..];
            }
            else if (eq > 0 && !v[..eq].Contains('/', StringComparison.Ordinal) && !v[..eq].Contains('.', StringComparison.Ordinal))
            {
                bag.Report(DiagnosticCodes.UnknownInputName, null, v[..eq], string.Join(", ", recipe.Inputs.Select(i => i.Name)));
            }
            else if (recipe.Inputs.Count == 1)
            {
                result[recipe.Inputs[0].Name] = v;
            }
            else
            {
                bag.Report(DiagnosticCodes.NotNameValue, null, "--input", v);
            }
        }

        return result;
    }
}

[Description("Run a recipe.")]
public sealed class RunCommand(CliHost host) : Command<RunCommand.Settings>
{
    public sealed class Settings : RecipeSettings
    {
        [CommandOption("-i|--input <NAME=PATH>")]
        [Description("Bind an input to a file (repeatable). A glob on an `image` input runs once per file (a batch); on a `stack` input it loads the files, sorted by name, as one stack. Quote globs: --input 'xray=images/*.png'.")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("-o|--out <DIR>")]
        [Description("Folder for outputs and manifest.json (default: ./out). Output paths never leave it.")]
        [DefaultValue("out")]
        public string Out { get; init; } = "out";

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget (default: the number of processors). A batch keeps at most N images in memory.")]
        public int? Threads { get; init; }

        [CommandOption("--profile <FILE>")]
        [Description("Write per-step timings as JSON: {\"steps\": [[{\"id\", \"op\", \"ms\": [[...]]}]]} (decoding and start-up excluded).")]
        public string? Profile { get; init; }

        [CommandOption("--repeat <N>")]
        [Description("With --profile: run the plan N times per input (outputs are written once).")]
        [DefaultValue(1)]
        public int Repeat { get; init; } = 1;

        [CommandOption("--resume")]
        [Description("Skip inputs whose outputs and manifest entry from an earlier run into --out are complete and unchanged.")]
        public bool Resume { get; init; }

        [CommandOption("--max-pixels <N>")]
        [Description("Fail an input with more pixels than N (protects memory); the others still run.")]
        public long? MaxPixels { get; init; }

        [CommandOption("--dicom-without-preamble")]
        [Description("Read .dcm inputs that lack the 128-byte DICOM preamble and 'DICM' (refused by default).")]
        public bool DicomWithoutPreamble { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var recipe = CommandHelpers.Load(host, settings, out var sets);
        if (recipe is null)
        {
            return ExitCodes.Invalid;
        }

        var bag = new DiagnosticBag();
        var inputs = CommandHelpers.Inputs(recipe, settings.Inputs, bag);
        if (settings.Threads is < 1)
        {
            bag.Report(DiagnosticCodes.BadOptionValue, null, "--threads", "must be 1 or more");
        }

        if (settings.Repeat < 1)
        {
            bag.Report(DiagnosticCodes.BadOptionValue, null, "--repeat", "must be 1 or more");
        }

        if (settings.MaxPixels is < 1)
        {
            bag.Report(DiagnosticCodes.BadOptionValue, null, "--max-pixels", "must be 1 or more");
        }

        if (bag.HasErrors)
        {
            host.Report(bag.ToSortedList());
            return ExitCodes.Invalid;
        }

        var request = new RunRequest
        {
            Recipe = recipe,
            Inputs = inputs,
            Set = sets,
            OutDir = settings.Out,
            Threads = settings.Threads ?? Environment.ProcessorCount,
            Resume = settings.Resume,
            MaxPixels = settings.MaxPixels,
            DicomWithoutPreamble = settings.DicomWithoutPreamble,
            Repeat = settings.Repeat,
            ProfilePath = settings.Profile,
            CompilerFactory = host.CompilerFactory,
            Cancellation = host.Cancellation,
        };

        RunResult result;
        if (host.Interactive)
        {
            RunResult? r = null;
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(host.Err) });
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(recipe.Name), maxValue: 1);
                    r = RecipeRunner.Run(request with { Progress = new BarProgress(task) });
                });
            result = r!;
        }
        else
        {
            result = RecipeRunner.Run(request with { Progress = new LineProgress(host.Out) });
        }

        host.Report(result.Diagnostics);
        if (result.ExitCode == ExitCodes.Invalid || result.Manifest is null)
        {
            return result.ExitCode;
        }

        var items = result.Manifest.Items;
        int failed = items.Count(i => !i.Succeeded);
        int resumed = items.Count(i => i.Status == "resumed");
        foreach (var f in result.Failures)
        {
            host.Report(DiagnosticCodes.InputFailed.Create(null, f.Name, f.Error));
        }

        string outDir = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(settings.Out));
        if (outDir.StartsWith("..", StringComparison.Ordinal))
        {
            outDir = Path.GetFullPath(settings.Out);
        }
        host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: {items.Count - failed} of {items.Count} input(s) done{(resumed > 0 ? $" ({resumed} already complete, skipped)" : string.Empty)}{(failed > 0 ? $", {failed} failed" : string.Empty)}; outputs and manifest.json in {outDir}"));
        if (failed > 0)
        {
            host.Err.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: {failed} input(s) failed:"));
            foreach (var f in result.Failures)
            {
                host.Err.WriteLine($"  {f.Name}: {f.Error}");
            }
        }

        if (settings.Profile is not null)
        {
            host.Out.WriteLine($"xrayflow: profile written to {settings.Profile}");
        }

        return result.ExitCode;
    }

    private sealed class LineProgress(TextWriter output) : IRunProgress
    {
        private int _total;
        private int _done;

        public void Started(int items) => _total = items;

        public void ItemFinished(ManifestItem item)
        {
            _done++;
            if (_total > 1)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{_done}/{_total}] {item.Name}: {(item.Succeeded ? item.Status : "failed")}"));
            }
        }
    }

    private sealed class BarProgress(ProgressTask task) : IRunProgress
    {
        public void Started(int items) => task.MaxValue = Math.Max(1, items);

        public void ItemFinished(ManifestItem item) => task.Increment(1);
    }
}

[Description("Check a recipe.")]
public sealed class ValidateCommand(CliHost host) : Command<RecipeSettings>
{
    public override int Execute(CommandContext context, RecipeSettings settings, CancellationToken cancellationToken)
    {
        var recipe = CommandHelpers.Load(host, settings, out _);
        if (recipe is null)
        {
            return ExitCodes.Invalid;
        }

        var bag = new DiagnosticBag();
        RecipeRunner.CheckOutputs(recipe, [new RunItem("stem", "stem", new Dictionary<string, IReadOnlyList<string>>())], "out", bag);
        bag.AddRange(ExpressionSteps.Compile(recipe, host.CompilerFactory).Diagnostics);
        if (!bag.HasErrors)
        {
            bag.AddRange(Planner.Create(recipe).Diagnostics);
        }

        host.Report(bag.ToSortedList());
        if (bag.HasErrors)
        {
            return ExitCodes.Invalid;
        }

        host.Out.WriteLine($"{settings.Recipe}: ok");
        return ExitCodes.Success;
    }
}

[Description("Show a recipe's plan.")]
public sealed class PlanCommand(CliHost host) : Command<PlanCommand.Settings>
{
    public sealed class Settings : RecipeSettings
    {
        [CommandOption("-f|--format <FORMAT>")]
        [Description("text (default), dot (Graphviz) or mermaid.")]
        [DefaultValue("text")]
        public string Format { get; init; } = "text";

        [CommandOption("-i|--input <NAME=PATH>")]
        [Description("Bind inputs to show real shapes on the edges (read from file headers); recipe defaults are used otherwise.")]
        public string[] Inputs { get; init; } = [];
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Format is not ("text" or "dot" or "mermaid"))
        {
            host.Report(DiagnosticCodes.BadOptionValue.Create(null, "--format", $"'{settings.Format}' is not text, dot or mermaid"));
            return ExitCodes.Invalid;
        }

        var recipe = CommandHelpers.Load(host, settings, out _);
        if (recipe is null)
        {
            return ExitCodes.Invalid;
        }

        var bag = new DiagnosticBag();
        var given = CommandHelpers.Inputs(recipe, settings.Inputs, bag);
        if (bag.HasErrors)
        {
            host.Report(bag.ToSortedList());
            return ExitCodes.Invalid;
        }

        var shapes = new Dictionary<string, ValueInfo>(StringComparer.Ordinal);
        foreach (var input in recipe.Inputs)
        {
            string? path = given.TryGetValue(input.Name, out var g) ? g : input.DefaultPath;
            if (path is null)
            {
                continue;
            }

            var files = InputResolver.IsGlob(path) ? InputResolver.Expand(path) : File.Exists(path) ? [path] : [];
            if (files.Count == 0)
            {
                continue;
            }

            if (ImageIO.Identify(files[0]) is not { } s)
            {
                continue;
            }

            if (input.Kind == InputKind.Stack && !(s.IsStack && files.Count == 1))
            {
                s = s with { Frames = files.Count, Kind = ValueKind.Stack };
            }

            shapes[input.Name] = s;
        }

        var plan = Planner.Create(recipe, shapes);
        host.Report(plan.Diagnostics);
        host.Out.Write(PlanPrinter.Print(plan, settings.Format));
        return ExitCodes.Success;
    }
}

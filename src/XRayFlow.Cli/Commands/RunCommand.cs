using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;
using XRayFlow.Pipeline.Running.Sharding;

namespace XRayFlow.Cli.Commands;

[Description("Run a recipe.")]
public sealed class RunCommand(CliHost cliHost) : Command<RunCommand.Settings>
{
    private readonly CliHost host = cliHost;

    public sealed class Settings : RecipeSettings
    {
        [CommandOption("-i|--input <NAME=PATH>")]
        [Description("Bind an input to a file (repeatable). A glob on an `image` input runs once per file (a batch); on a `stack` input it loads the files, sorted by name, as one stack. Quote globs: --input 'xray=images/*.png'.")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("-o|--out <DIR>")]
        [Description("Folder for outputs and manifest.json (default: out/<recipe name>). Output paths never leave it.")]
        public string? Out { get; init; }

        [CommandOption("--force")]
        [Description("Replace a manifest.json that another recipe wrote into --out (refused otherwise, exit 2).")]
        public bool Force { get; init; }

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget (default: SLURM_CPUS_PER_TASK when set, else the number of processors). A batch keeps at most N images in memory.")]
        public int? Threads { get; init; }

        [CommandOption("--profile <FILE>")]
        [Description("Write per-step timings as JSON: {\"steps\": [[{\"id\", \"op\", \"ms\": [[...]]}]]} (decoding and start-up excluded).")]
        public string? Profile { get; init; }

        [CommandOption("--repeat <N>")]
        [Description("With --profile (refused without it): run the plan N times per input, 1 to 10000 (outputs are written once).")]
        [DefaultValue(1)]
        public int Repeat { get; init; } = 1;

        [CommandOption("--resume")]
        [Description("Skip inputs whose outputs and manifest entry from an earlier run into --out are complete and unchanged.")]
        public bool Resume { get; init; }

        [CommandOption("--max-pixels <N>")]
        [Description("Fail an input with more pixels than N, or an item whose step would make more (protects memory; default 100000000); the others still run.")]
        public long? MaxPixels { get; init; }

        [CommandOption("--max-failures <N>")]
        [Description("Stop starting new inputs of a batch once N have failed (those running finish): a recipe that fails every image stops early. The inputs not run are not in manifest.json; --resume runs them. Exit 1.")]
        public int? MaxFailures { get; init; }

        [CommandOption("--report")]
        [Description("Also write report.html into --out: one self-contained page with the plan, a thumbnail, numbers and histogram of every input and step for each input file, the outputs, failures, timings and hashes (docs/report.md).")]
        public bool Report { get; init; }

        [CommandOption("--dicom-without-preamble")]
        [Description("Read .dcm inputs that lack the 128-byte DICOM preamble and 'DICM' (refused by default).")]
        public bool DicomWithoutPreamble { get; init; }

        [CommandOption("--shard <I/N|auto>")]
        [Description("Run only share I (0-based) of N of the batch (sorted by path, contiguous blocks) and write manifest.shard-I-of-N.json into the shared --out; `auto` reads it from a Slurm job array or a Kubernetes Indexed Job. Join the shards with `xrayflow merge`. See docs/cluster.md.")]
        public string? Shard { get; init; }

        [CommandOption("--shards <N>")]
        [Description("With --shard auto: the number of shards (else XRAYFLOW_SHARDS; Slurm arrays without gaps say it themselves). The scheduler's task ids are then the shard numbers.")]
        public int? Shards { get; init; }

        [CommandOption("--json")]
        [Description("Print the run's summary as one JSON document on stdout (counts, failures, output folder, manifest; docs/cli-json.md) instead of lines.")]
        public bool Json { get; init; }

        [CommandOption("-q|--quiet")]
        [Description("Print errors only: no progress, no summary, no warnings.")]
        public bool Quiet { get; init; }

        [CommandOption("--no-fuse")]
        [Description("Run every step whole, one after the other (no fused chains or row-band groups): the same outputs, bit for bit; for comparing speed and memory.")]
        public bool NoFuse { get; init; }

        [CommandOption("--dry-run")]
        [Description("Check the recipe, resolve the inputs, the shard and every output path, print them, and stop: nothing is read, written or created (exit 0).")]
        public bool DryRun { get; init; }

        public override string? RefusalJson(IReadOnlyList<Diagnostic> problems) => Json ? RunOutput.InvalidJson(null, problems) : null;

        public override IEnumerable<Diagnostic> Problems()
        {
            foreach (var d in base.Problems().Concat(ThreadsProblem(Threads)))
            {
                yield return d;
            }

            if (Repeat is < 1 or > RunRequest.MaxRepeat)
            {
                yield return DiagnosticCodes.BadOptionValue.Create(null, "--repeat", $"must be 1 to {RunRequest.MaxRepeat}");
            }
            else if (Repeat != 1 && Profile is null)
            {
                // The repeats only time the plan: without --profile they were run and their times thrown away.
                yield return DiagnosticCodes.BadOptionValue.Create(null, "--repeat", "times the plan for --profile, which is not given: add --profile FILE.json, or drop --repeat");
            }

            if (MaxFailures is < 1)
            {
                yield return DiagnosticCodes.BadOptionValue.Create(null, "--max-failures", "must be 1 or more");
            }

            if (MaxPixels is < 1)
            {
                yield return DiagnosticCodes.BadOptionValue.Create(null, "--max-pixels", "must be 1 or more");
            }

            if (Shard is not (null or "auto"))
            {
                // The syntax of I/N (auto reads the environment when the command runs).
                ShardSelection.Resolve(Shard, Shards, _ => null, out var problem);
                if (problem is not null)
                {
                    yield return problem;
                }
            }
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // --quiet: the same host, reporting errors only.
        var host = settings.Quiet ? this.host.ErrorsOnly() : this.host;
        var recipe = CommandHelpers.Load(host, settings.Recipe, settings.Set, out var sets, out var loaded);
        if (recipe is null)
        {
            if (settings.Json)
            {
                host.Out.Write(RunOutput.InvalidJson(null, loaded));
            }

            return ExitCodes.Invalid;
        }

        var bag = new DiagnosticBag();
        string outDir = settings.Out ?? DefaultOut(recipe.Name);
        var inputs = CommandHelpers.Inputs(recipe, settings.Inputs, bag);
        var shard = ShardSelection.Resolve(settings.Shard, settings.Shards, Environment.GetEnvironmentVariable, out var shardProblem);
        Diagnostic? threadsProblem = null;
        int? slurmThreads = settings.Threads is null ? ShardSelection.SlurmThreads(Environment.GetEnvironmentVariable, out threadsProblem) : null;
        bag.AddRange(new[] { shardProblem, threadsProblem }.OfType<Diagnostic>());
        if (bag.HasErrors)
        {
            host.Report(bag.ToSortedList());
            if (settings.Json)
            {
                host.Out.Write(RunOutput.InvalidJson(recipe.Name, [.. loaded, .. bag.ToSortedList()]));
            }

            return ExitCodes.Invalid;
        }

        var request = new RunRequest
        {
            Recipe = recipe,
            Inputs = inputs,
            Set = sets,
            OutDir = outDir,
            Force = settings.Force,
            Threads = settings.Threads ?? slurmThreads ?? Environment.ProcessorCount,
            Resume = settings.Resume,
            MaxPixels = settings.MaxPixels,
            MaxFailures = settings.MaxFailures,
            DicomWithoutPreamble = settings.DicomWithoutPreamble,
            Repeat = settings.Repeat,
            ProfilePath = settings.Profile,
            CompilerFactory = host.CompilerFactory,
            Cancellation = host.Cancellation,
            Report = settings.Report ? new XRayFlow.Pipeline.Reporting.ReportOptions { RecipeDiagnostics = loaded } : null,
            Shard = shard,
            DryRun = settings.DryRun,
            PlanOptions = settings.NoFuse ? PlanOptions.NoFusion : new PlanOptions(),
        };

        RunResult result;
        if (settings.DryRun || settings.Json || settings.Quiet)
        {
            result = RecipeRunner.Run(request);
        }
        else if (host.Interactive)
        {
            RunResult? r = null;
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(host.RawErr) });
            console.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(Core.Text.Printable.Escape(recipe.Name)), maxValue: 1);
                    r = RecipeRunner.Run(request with { Progress = new BarProgress(task, recipe.Name) });
                });
            result = r!;
        }
        else
        {
            result = RecipeRunner.Run(request with { Progress = new LineProgress(host.Out) });
        }

        if (result.DryRun is not null || result.ExitCode == ExitCodes.Invalid || result.Manifest is null)
        {
            host.Report(result.Diagnostics);
        }
        else
        {
            // After a run: each failure once, by name and reason (an XRF2012 line), then what the run itself reports
            // (a stop after --max-failures, a table or manifest that could not be written); the summary counts them.
            host.Report([.. result.Failures.Select(f => DiagnosticCodes.InputFailed.Create(null, f.Name, f.Error)), .. result.Diagnostics]);
        }

        if (result.DryRun is { } dry)
        {
            // --report: where the page would go, as the manifest's path is shown.
            string? report = settings.Report ? Path.Combine(outDir, XRayFlow.Pipeline.Reporting.ReportOptions.FileNameFor(shard)) : null;
            host.Out.Write(settings.Json ? RunOutput.DryRunJson(recipe, dry, shard, result.NotRead, report) : RunOutput.DryRunText(recipe, dry, shard, result.NotRead, report));
            return ExitCodes.Success;
        }

        if (result.ExitCode == ExitCodes.Invalid || result.Manifest is null)
        {
            if (settings.Json)
            {
                host.Out.Write(RunOutput.InvalidJson(recipe.Name, result.Diagnostics));
            }

            return result.ExitCode;
        }

        if (settings.Json || settings.Quiet)
        {
            if (settings.Json)
            {
                host.Out.Write(RunOutput.SummaryJson(result, outDir, shard, settings.Profile));
            }

            return result.ExitCode;
        }

        var items = result.Manifest.Items;
        int failed = items.Count(i => !i.Succeeded);
        int resumed = items.Count(i => i.Status == "resumed");

        string fullOut = Path.GetFullPath(outDir);
        string shownOut = PathConfinement.IsInside(Environment.CurrentDirectory, fullOut) ? Path.GetRelativePath(Environment.CurrentDirectory, fullOut) : fullOut;
        string ofShard = shard is null ? string.Empty : $"shard {shard.Index} of {shard.Count}: ";
        host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: {ofShard}{items.Count - failed} of {result.Total} input(s) done{(resumed > 0 ? $" ({resumed} already complete, skipped)" : string.Empty)}{(failed > 0 ? $", {failed} failed" : string.Empty)}{(result.NotRun > 0 ? $", {result.NotRun} not run" : string.Empty)}; outputs and {result.ManifestFileName} in {shownOut}"));

        if (settings.Profile is not null)
        {
            host.Out.WriteLine($"xrayflow: profile written to {settings.Profile}");
        }

        if (settings.Report && !result.Diagnostics.Any(d => d.Code == DiagnosticCodes.ReportWriteFailed.Code))
        {
            host.Out.WriteLine($"xrayflow: report written to {Path.Combine(outDir, XRayFlow.Pipeline.Reporting.ReportOptions.FileNameFor(shard))}");
        }

        return result.ExitCode;
    }

    /// <summary>
    /// The default --out: out/&lt;recipe name&gt;, so that two recipes never share a folder (and a manifest). A name
    /// is made a single safe folder name: characters other than letters, digits, '.', '_' and '-' become '_'.
    /// </summary>
    internal static string DefaultOut(string recipeName)
    {
        var folder = new string(recipeName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_').ToArray()).Trim('.');
        return Path.Combine("out", folder.Length == 0 ? "recipe" : folder);
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

    /// <summary>The bar's label: the recipe, `12/450`, the file just finished and the rate (see <see cref="RunOutput.ProgressLabel"/>).</summary>
    private sealed class BarProgress(ProgressTask task, string recipeName) : IRunProgress
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private readonly Lock _gate = new();
        private int _total;
        private int _done;

        public void Started(int items)
        {
            _total = items;
            task.MaxValue = Math.Max(1, items);
            _clock.Restart();
            task.Description = Markup.Escape(RunOutput.ProgressLabel(recipeName, 0, items, null, 0));
        }

        public void ItemFinished(ManifestItem item)
        {
            lock (_gate)
            {
                _done++;
                task.Description = Markup.Escape(RunOutput.ProgressLabel(recipeName, _done, _total, item.Name, _clock.Elapsed.TotalSeconds));
                task.Increment(1);
            }
        }
    }


}

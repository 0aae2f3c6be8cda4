using Spectre.Console;
using Spectre.Console.Cli;
using XRayFlow.Cli.Commands;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli;

/// <summary>The `xrayflow` command line: verbs, help, and the exit-code contract (0 / 1 / 2, 70 for a bug).</summary>
public static class CliApp
{
    public static int Run(string[] args, CliHost given)
    {
        // Everything the commands print shows control characters as \xNN (file names and DICOM strings are
        // untrusted); only Spectre.Console's own drawing gets the raw streams.
        var host = given.WithPrintableOutput();
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.Settings.Registrar.RegisterInstance(host);
            config.SetApplicationName("xrayflow");
            config.SetApplicationVersion(Manifest.CurrentVersion);
            config.PropagateExceptions();
            config.UseStrictParsing();
            config.SetInterceptor(new MissingValueCheck());
            var console = AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(host.RawOut),
                Ansi = host.Interactive ? AnsiSupport.Detect : AnsiSupport.No,
                ColorSystem = host.Interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
                Interactive = host.Interactive ? InteractionSupport.Detect : InteractionSupport.No,
            });
            if (!host.Interactive)
            {
                console.Profile.Width = 120;
            }

            config.ConfigureConsole(console);

            config.AddCommand<RunCommand>("run")
                .WithDescription(Describe("run"))
                .WithExample("run", "pipelines/tutorial-canny.yaml")
                .WithExample("run", "pipelines/tutorial-canny.yaml", "--input", "'xray=images/*.png'", "--out", "results")
                .WithExample("run", "recipe.yaml", "--set", "threshold=120", "--profile", "profile.json", "--repeat", "10")
                .WithExample("run", "pipelines/sobel.yaml", "--input", "'xray=images/*.png'", "--dry-run");
            config.AddCommand<ValidateCommand>("validate")
                .WithDescription(Describe("validate"))
                .WithExample("validate", "pipelines/tutorial-canny.yaml")
                .WithExample("validate", "pipelines/sobel.yaml", "pipelines/masks.yaml", "--json");
            config.AddCommand<PlanCommand>("plan")
                .WithDescription(Describe("plan"))
                .WithExample("plan", "pipelines/tutorial-canny.yaml")
                .WithExample("plan", "pipelines/tutorial-canny.yaml", "--format", "dot");
            config.AddCommand<OpsCommand>("ops")
                .WithDescription(Describe("ops"))
                .WithExample("ops")
                .WithExample("ops", XRayFlow.Core.Ops.Filters.FilterOps.GaussianFilter.Name);
            config.AddCommand<SchemaCommand>("schema")
                .WithDescription(Describe("schema"))
                .WithExample("schema");
            config.AddCommand<InfoCommand>("info")
                .WithDescription(Describe("info"))
                .WithExample("info", "pipelines/samples/00000011_000.png");
            config.AddCommand<VerifyCommand>("verify")
                .WithDescription(Describe("verify"))
                .WithExample("verify", "out/manifest.json");
            config.AddCommand<TestCommand>("test")
                .WithDescription(Describe("test"))
                .WithExample("test", "pipelines/tutorial-canny.yaml")
                .WithExample("test", "--update", "lungs.yaml");
            config.AddCommand<MergeCommand>("merge")
                .WithDescription(Describe("merge"))
                .WithExample("merge", "results");
            config.AddCommand<InitCommand>("init")
                .WithDescription(Describe("init"))
                .WithExample("init", "lungs")
                .WithExample("init", "lungs", "--dir", "recipes");
            config.AddCommand<CompletionCommand>("completion")
                .WithDescription(Describe("completion"))
                .WithExample("completion", "bash")
                .WithExample("completion", "zsh");
            config.AddCommand<WatchCommand>("watch")
                .WithDescription("Serve a live report of a recipe on http://127.0.0.1 and rerun it whenever the recipe or an input file is saved.")
                .WithExample("watch", "pipelines/sobel.yaml")
                .WithExample("watch", "recipe.yaml", "--input", "xray=image.png", "--port", "8765");
            config.AddCommand<ArraysCommand>("arrays")
                .WithDescription(Describe("arrays"))
                .WithExample("arrays", "pipelines/sobel.yaml", "--input", "xray=image.npy", "--out", "/tmp/values");
        });

        if (args.Length == 0)
        {
            // A bare `xrayflow` is a usage error like any other: the help, and exit 2 (issue 17).
            app.Run(["--help"]);
            return ExitCodes.Invalid;
        }

        try
        {
            return app.Run(args);
        }
        catch (InvalidSettingsException ex)
        {
            // A value the parser accepted but the command cannot use (the settings' own Validate()).
            host.Report(ex.Problems);
            if (ex.Settings?.RefusalJson(ex.Problems) is { } json)
            {
                host.Out.Write(json);
            }

            return ExitCodes.Invalid;
        }
        catch (CommandAppException ex)
        {
            // Unknown verbs, unknown options, missing arguments, values of the wrong type (the parser names a .NET
            // type and no option for those: the option and the kind of value it takes are named instead).
            string why = ex is CommandRuntimeException && NumberOptionCheck.Explain(args) is { } number
                ? $"{number} (see xrayflow {args[0]} --help)"
                : OneLine(ex.Message) + " (see xrayflow --help)";
            var refused = DiagnosticCodes.BadCommandLine.Create(null, why);
            host.Report(refused);
            if (UnparsedRefusalJson(args, refused) is { } json)
            {
                host.Out.Write(json);
            }

            return ExitCodes.Invalid;
        }
        catch (OperationCanceledException)
        {
            host.Err.WriteLine("xrayflow: cancelled");
            return ExitCodes.Cancelled;
        }
        catch (Exception ex)
        {
            host.Report(DiagnosticCodes.InternalError.Create(null, $"{ex.GetType().Name}: {OneLine(ex.Message)}"));
            if (Environment.GetEnvironmentVariable("XRAYFLOW_DEBUG") == "1")
            {
                host.Err.WriteLine(ex.ToString());
            }

            return ExitCodes.InternalError;
        }
    }

    /// <summary>A verb: its name, the settings type (its options) and its one-line description (help and completion scripts).</summary>
    internal sealed record VerbInfo(string Name, Type Settings, string Description);

    /// <summary>Every verb, in help order (<see cref="CompletionCommand"/> reads the options from the settings types).</summary>
    internal static IReadOnlyList<VerbInfo> Verbs { get; } =
    [
        new("run", typeof(RunCommand.Settings), "Run a recipe on images: writes its outputs and manifest.json into --out."),
        new("validate", typeof(ValidateCommand.Settings), "Check recipes without running them: exit 0, or diagnostics and exit 2 (--json for scripts)."),
        new("plan", typeof(PlanCommand.Settings), "Show how a recipe will run: order, skipped and merged steps, fused chains, parallel levels, shapes."),
        new("ops", typeof(OpsCommand.Settings), "List the ops, or show one op's parameters (type, range, allowed values, default)."),
        new("schema", typeof(EmptyCommandSettings), "Print the JSON Schema of the recipe language (for editor completion)."),
        new("info", typeof(InfoCommand.Settings), "Describe image files: shape, dtype, min, max, mean, median (--json for scripts)."),
        new("verify", typeof(VerifyCommand.Settings), "Re-run the recipe of a manifest into a temporary folder and report any difference (exit 0 same, 1 differs, 2 invalid)."),
        new("test", typeof(TestCommand.Settings), "Run recipes' own `tests:` sections."),
        new("merge", typeof(MergeCommand.Settings), "Merge the manifests the shards of a batch (run --shard I/N, or --shard auto on Slurm or Kubernetes) wrote into one --out into manifest.json; exit 1 naming missing or inconsistent shards."),
        new("init", typeof(InitCommand.Settings), "Start a recipe: NAME.yaml with the schema modeline, two steps, outputs and a `tests:` section, and a small test image (never replaces a file)."),
        new("completion", typeof(CompletionCommand.Settings), "Print a completion script for bash, zsh or fish (commands, options, op names)."),
        new("arrays", typeof(ArraysCommand.Settings), "Run a recipe and write each output's value (arrays as .npy, tables as .json) and result.json with the diagnostics, for programs (the Python module)."),
    ];

    /// <summary>
    /// The --json document of `run` or `plan` when the parser refused the command line (no settings were bound):
    /// --json (or `plan --format json`) is looked for among the words; the recipe is unknown (null).
    /// </summary>
    private static string? UnparsedRefusalJson(string[] args, Diagnostic refused)
    {
        bool json = args.Contains("--json");
        return args[0] switch
        {
            "run" when json => RunOutput.InvalidJson(null, [refused]),
            "plan" when json || args.Contains("--format=json") || args.Contains("-f=json")
                || args.Index().Any(a => a.Item is "-f" or "--format" && a.Index + 1 < args.Length && args[a.Index + 1] == "json")
                => PlanCommand.RefusedJson(null, null, [refused]),
            "validate" or "info" when json => Output.CliJson.Document(w =>
            {
                // No file was read: no file is listed, and ok is false (validate); the refusal is the document's own.
                if (args[0] == "validate")
                {
                    w.WriteBoolean("ok", false);
                }

                w.WriteStartArray("files");
                w.WriteEndArray();
                Output.CliJson.Diagnostics(w, "diagnostics", [refused]);
            }),
            "ops" when json => Output.CliJson.Document(w =>
            {
                w.WriteNull("op");
                Output.CliJson.Diagnostics(w, "diagnostics", [refused]);
            }),
            _ => null,
        };
    }

    private static string Describe(string verb) => Verbs.First(v => v.Name == verb).Description;

    internal static string OneLine(string s) => string.Join(" ", s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}

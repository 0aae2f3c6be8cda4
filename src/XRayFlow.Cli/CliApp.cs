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
                .WithDescription("Run a recipe on images: writes its outputs and manifest.json into --out.")
                .WithExample("run", "pipelines/tutorial-canny.yaml")
                .WithExample("run", "pipelines/tutorial-canny.yaml", "--input", "xray=images/*.png", "--out", "results")
                .WithExample("run", "recipe.yaml", "--set", "threshold=120", "--profile", "profile.json", "--repeat", "10");
            config.AddCommand<ValidateCommand>("validate")
                .WithDescription("Check a recipe without running it: exit 0, or diagnostics and exit 2.")
                .WithExample("validate", "pipelines/tutorial-canny.yaml");
            config.AddCommand<PlanCommand>("plan")
                .WithDescription("Show how a recipe will run: order, skipped and merged steps, fused chains, parallel levels, shapes.")
                .WithExample("plan", "pipelines/tutorial-canny.yaml")
                .WithExample("plan", "pipelines/tutorial-canny.yaml", "--format", "dot");
            config.AddCommand<OpsCommand>("ops")
                .WithDescription("List the ops, or show one op's parameters (type, range, allowed values, default).")
                .WithExample("ops")
                .WithExample("ops", XRayFlow.Core.Ops.Filters.FilterOps.GaussianFilter.Name);
            config.AddCommand<SchemaCommand>("schema")
                .WithDescription("Print the JSON Schema of the recipe language (for editor completion).")
                .WithExample("schema");
            config.AddCommand<InfoCommand>("info")
                .WithDescription("Describe an image file: shape, dtype, min, max, mean, median.")
                .WithExample("info", "pipelines/samples/00000011_000.png");
            config.AddCommand<VerifyCommand>("verify")
                .WithDescription("Re-run the recipe of a manifest into a temporary folder and report any difference (exit 0 same, 1 differs, 2 invalid).")
                .WithExample("verify", "out/manifest.json");
            config.AddCommand<TestCommand>("test")
                .WithDescription("Run recipes' own `tests:` sections.")
                .WithExample("test", "pipelines/tutorial-canny.yaml");
            config.AddCommand<MergeCommand>("merge")
                .WithDescription("Merge the manifests the shards of a batch (run --shard I/N, or --shard auto on Slurm or Kubernetes) wrote into one --out into manifest.json; exit 1 naming missing or inconsistent shards.")
                .WithExample("merge", "results");
            config.AddCommand<WatchCommand>("watch")
                .WithDescription("Serve a live report of a recipe on http://127.0.0.1 and rerun it whenever the recipe or an input file is saved.")
                .WithExample("watch", "pipelines/sobel.yaml")
                .WithExample("watch", "recipe.yaml", "--input", "xray=image.png", "--port", "8765");
            config.AddCommand<ArraysCommand>("arrays")
                .WithDescription("Run a recipe and write each output's value (arrays as .npy, tables as .json) and result.json with the diagnostics, for programs (the Python module).")
                .WithExample("arrays", "pipelines/sobel.yaml", "--input", "xray=image.npy", "--out", "/tmp/values");
        });

        try
        {
            return app.Run(args);
        }
        catch (InvalidSettingsException ex)
        {
            // A value the parser accepted but the command cannot use (the settings' own Validate()).
            host.Report(ex.Problems);
            return ExitCodes.Invalid;
        }
        catch (CommandAppException ex)
        {
            // Unknown verbs, unknown options, missing arguments, values of the wrong type.
            host.Report(DiagnosticCodes.BadCommandLine.Create(null, OneLine(ex.Message) + " (see xrayflow --help)"));
            return ExitCodes.Invalid;
        }
        catch (OperationCanceledException)
        {
            host.Err.WriteLine("xrayflow: cancelled");
            return 130;
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

    internal static string OneLine(string s) => string.Join(" ", s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
}

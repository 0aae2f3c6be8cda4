using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("Verify a run's manifest.")]
public sealed class VerifyCommand(CliHost host) : Command<VerifyCommand.Settings>
{
    public sealed class Settings : CheckedSettings
    {
        [CommandArgument(0, "<MANIFEST>")]
        [Description("A manifest.json written by `xrayflow run`.")]
        public string Manifest { get; init; } = string.Empty;

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget for the re-run (default: the number of processors).")]
        public int? Threads { get; init; }

        public override IEnumerable<Diagnostic> Problems() => ThreadsProblem(Threads);
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var result = ManifestVerifier.Verify(
            settings.Manifest,
            (path, sets) => host.LoadRecipe(path, sets),
            host.CompilerFactory,
            settings.Threads ?? Environment.ProcessorCount,
            host.Cancellation);
        host.Report(result.Diagnostics);
        if (result.RecipeFileNote is { } note)
        {
            host.Out.WriteLine($"note: {note}");
        }

        if (result.ExitCode == ExitCodes.Success)
        {
            host.Out.WriteLine($"{settings.Manifest}: same ({result.Checked} output(s) re-computed and identical)");
        }
        else if (result.ExitCode == ExitCodes.SomeFailed)
        {
            host.Out.WriteLine($"{settings.Manifest}: differs ({result.Differences} difference(s))");
        }

        return result.ExitCode;
    }
}

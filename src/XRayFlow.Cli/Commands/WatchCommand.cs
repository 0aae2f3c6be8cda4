using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("Serve a live report of a recipe; rerun it whenever the recipe or an input file is saved.")]
public sealed class WatchCommand(CliHost host) : Command<WatchCommand.Settings>
{
    public sealed class Settings : RecipeSettings
    {
        [CommandOption("-i|--input <NAME=PATH>")]
        [Description("Bind an input to a file (repeatable), as for run. The files of each run are watched too.")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("--port <N>")]
        [Description("Serve on http://127.0.0.1:N/ (loopback only). Default 0: a free port, printed on start.")]
        [DefaultValue(0)]
        public int Port { get; init; }

        [CommandOption("-o|--out <DIR>")]
        [Description("Folder for the runs' outputs and report.html (default: a new temporary folder, removed on exit).")]
        public string? Out { get; init; }

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget of each run (default: the number of processors).")]
        public int? Threads { get; init; }

        public override IEnumerable<Diagnostic> Problems()
        {
            foreach (var d in base.Problems().Concat(ThreadsProblem(Threads)))
            {
                yield return d;
            }

            if (Port is < 0 or > 65535)
            {
                yield return DiagnosticCodes.BadOptionValue.Create(null, "--port", "must be 0 (a free port) to 65535");
            }
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!File.Exists(settings.Recipe))
        {
            host.Report(CommandHelpers.RecipeFileMissing(settings.Recipe));
            return ExitCodes.Invalid;
        }

#if XRF_WATCH
        return new Watch.WatchRunner(host).Run(settings.Recipe, settings.SetPairs(), settings.Inputs, settings.Port, settings.Out, settings.Threads ?? Environment.ProcessorCount);
#else
        host.Report(DiagnosticCodes.BadCommandLine.Create(null, "watch is not part of this build: it needs the ASP.NET Core runtime, which the self-contained archive leaves out to stay small; use the .NET tool (dotnet tool install) or dotnet run"));
        return ExitCodes.Invalid;
#endif
    }
}

using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Catalog;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("List ops.")]
public sealed class OpsCommand(CliHost host) : Command<OpsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[NAME]")]
        [Description("An op's name: show its parameters.")]
        public string? Name { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Name is null)
        {
            host.Out.Write(OpDocs.Table(Math.Clamp(host.Width, 60, 160)));
            host.Out.WriteLine();
            host.Out.WriteLine("Run `xrayflow ops NAME` for an op's parameters.");
            return ExitCodes.Success;
        }

        if (!OpRegistry.TryGet(settings.Name, out var one))
        {
            string? near = XRayFlow.Pipeline.Binding.DidYouMean.Nearest(settings.Name, OpRegistry.All.Select(o => o.Name));
            string hint = near is not null ? $"; did you mean '{near}'?" : " (run `xrayflow ops` for the list)";
            host.Report(DiagnosticCodes.UnknownOpName.Create(null, settings.Name, hint));
            return ExitCodes.Invalid;
        }

        host.Out.Write(OpDocs.Describe(one));
        return ExitCodes.Success;
    }

    internal static string Describe(OpDefinition op) => OpDocs.Describe(op);
}

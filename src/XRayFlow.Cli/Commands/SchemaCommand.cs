using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("Print the JSON Schema.")]
public sealed class SchemaCommand(CliHost host) : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        if (LangBridge.Schema() is not { } schema)
        {
            host.Report(DiagnosticCodes.NotImplemented.Create(null, "schema"));
            return ExitCodes.Invalid;
        }

        host.Out.Write(schema.EndsWith('\n') ? schema : schema + "\n");
        return ExitCodes.Success;
    }
}

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

        [CommandOption("--json")]
        [Description("Print the ops (or the one op) as JSON: name, family, summary, inputs, output, parameters, rules (docs/cli-json.md).")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        int width = Math.Clamp(host.Width, 60, 160);
        if (settings.Name is null && settings.Json)
        {
            host.Out.Write(Output.CliJson.Document(w =>
            {
                w.WriteStartArray("ops");
                foreach (var op in OpRegistry.All)
                {
                    WriteOp(w, op);
                }

                w.WriteEndArray();
            }));
            return ExitCodes.Success;
        }

        if (settings.Name is null)
        {
            host.Out.Write(OpDocs.Table(width));
            host.Out.WriteLine();
            host.Out.WriteLine("Run `xrayflow ops NAME` for an op's parameters.");
            return ExitCodes.Success;
        }

        if (!OpRegistry.TryGet(settings.Name, out var one))
        {
            string? near = XRayFlow.Pipeline.Binding.DidYouMean.Nearest(settings.Name, OpRegistry.All.Select(o => o.Name));
            string hint = near is not null ? $"; did you mean '{near}'?" : " (run `xrayflow ops` for the list)";
            var unknown = DiagnosticCodes.UnknownOpName.Create(null, settings.Name, hint);
            host.Report(unknown);
            if (settings.Json)
            {
                // Still the one document --json promises: no op, and why.
                host.Out.Write(Output.CliJson.Document(w =>
                {
                    w.WriteNull("op");
                    Output.CliJson.Diagnostics(w, "diagnostics", [unknown]);
                }));
            }

            return ExitCodes.Invalid;
        }

        host.Out.Write(settings.Json ? Output.CliJson.Document(w => { w.WritePropertyName("op"); WriteOp(w, one); }) : OpDocs.Describe(one, width));
        return ExitCodes.Success;
    }

    /// <summary>One op as a JSON object (the shape of docs/cli-json.md, `ops`).</summary>
    private static void WriteOp(System.Text.Json.Utf8JsonWriter w, OpDefinition op)
    {
        w.WriteStartObject();
        w.WriteString("name", op.Name);
        w.WriteString("family", OpDocs.Family(op));
        w.WriteString("summary", op.Summary);
        Output.CliJson.StringOrNull(w, "reference", op.Reference);
        w.WriteStartObject("inputs");
        w.WriteNumber("min", op.Inputs.Min);
        w.WriteNumber("max", op.Inputs.Max);
        w.WriteString("doc", OpDocs.Inputs(op));
        w.WriteEndObject();
        w.WriteString("output", OpDocs.Output(op));
        w.WriteStartArray("params");
        foreach (var p in op.Params)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteString("type", OpDocs.TypeName(p));
            w.WriteString("range", OpDocs.Range(p));
            Output.CliJson.Strings(w, "allowed", p.Allowed ?? []);
            w.WriteBoolean("required", p.Required);
            Output.CliJson.StringOrNull(w, "default", p.Required || p.Default is null ? null : OpDocs.Text(p.Default));
            w.WriteString("doc", p.Doc);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("rules");
        foreach (var rule in op.Rules)
        {
            w.WriteStartObject();
            w.WriteString("description", rule.Description);
            w.WriteString("severity", rule.Severity.ToString().ToLowerInvariant());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    internal static string Describe(OpDefinition op) => OpDocs.Describe(op);
}

using System.ComponentModel;
using System.Globalization;
using System.Text;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
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
            var ops = OpRegistry.All;
            int w = Math.Max(4, ops.Max(o => o.Name.Length));
            int c = Math.Max(8, ops.Max(o => o.Category.Length));
            host.Out.WriteLine($"{"name".PadRight(w)}  {"category".PadRight(c)}  summary");
            foreach (var op in ops)
            {
                host.Out.WriteLine($"{op.Name.PadRight(w)}  {op.Category.PadRight(c)}  {op.Summary}");
            }

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

        host.Out.Write(Describe(one));
        return ExitCodes.Success;
    }

    internal static string Describe(OpDefinition op)
    {
        var sb = new StringBuilder();
        sb.Append(op.Name).Append(": ").Append(op.Summary).Append('\n');
        if (op.Reference is { } r)
        {
            sb.Append("  reference: ").Append(r).Append('\n');
        }

        sb.Append("  category:  ").Append(op.Category).Append('\n');
        string inputs = op.Inputs.Doc.Length > 0 ? op.Inputs.Doc : $"{op.Inputs.Min}..{op.Inputs.Max} arrays";
        sb.Append("  inputs:    ").Append(inputs).Append(op.Inputs.RequiresStack ? " (a stack)" : string.Empty).Append('\n');
        sb.Append("  output:    ").Append(op.Output switch
        {
            OutputKind.Table => "a table (write it as .json)",
            OutputKind.Image => "one 2-D image",
            _ => "an array of the input's shape",
        }).Append(op.IsElementwise ? " (element-wise)" : string.Empty).Append('\n');
        if (op.Params.Count == 0)
        {
            sb.Append("  parameters: none\n");
            return sb.ToString();
        }

        var rows = op.Params.Select(p => new[]
        {
            p.Name,
            TypeName(p),
            Range(p),
            p.Allowed is { Count: > 0 } a ? string.Join(" | ", a) : string.Empty,
            p.Required ? "(required)" : Text(p.Default),
            p.Doc,
        }).ToList();
        string[] head = ["name", "type", "range", "allowed", "default", "doc"];
        var widths = Enumerable.Range(0, head.Length - 1).Select(i => Math.Max(head[i].Length, rows.Max(r => r[i].Length))).ToArray();
        sb.Append("  parameters:\n");
        void Row(string[] cells)
        {
            sb.Append("    ");
            for (int i = 0; i < cells.Length - 1; i++)
            {
                sb.Append(cells[i].PadRight(widths[i])).Append("  ");
            }

            sb.Append(cells[^1]).Append('\n');
        }

        Row(head);
        foreach (var row in rows)
        {
            Row(row);
        }

        return sb.ToString();
    }

    private static string TypeName(ParamSpec p) => p.Type switch
    {
        ParamType.Float => "float",
        ParamType.Int => "int",
        ParamType.Bool => "bool",
        ParamType.String => "string",
        ParamType.Enum => "enum",
        ParamType.FloatPerAxis => "float or [float per axis]",
        ParamType.IntPerAxis => "int or [int per axis]",
        ParamType.Expression => p.IsCondition ? "C# condition" : "C# expression or number",
        _ => p.Type.ToString(),
    };

    private static string Range(ParamSpec p)
    {
        string lo = p.Min is { } min ? (p.MinExclusive ? "> " : ">= ") + Text(min) : string.Empty;
        string hi = p.Max is { } max ? "<= " + Text(max) : string.Empty;
        return lo.Length > 0 && hi.Length > 0 ? $"{lo}, {hi}" : lo + hi;
    }

    private static string Text(object? v) => v switch
    {
        null => string.Empty,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        double[] ds => "[" + string.Join(", ", ds.Select(d => d.ToString("R", CultureInfo.InvariantCulture))) + "]",
        int[] ins => "[" + string.Join(", ", ins) + "]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

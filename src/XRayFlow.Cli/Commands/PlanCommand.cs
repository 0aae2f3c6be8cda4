using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

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

        public override IEnumerable<Diagnostic> Problems()
            => Format is "text" or "dot" or "mermaid"
                ? base.Problems()
                : base.Problems().Append(DiagnosticCodes.BadOptionValue.Create(null, "--format", $"'{Format}' is not text, dot or mermaid"));
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
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

        var shapes = InputShapes.FromHeaders(recipe, given);
        var plan = Planner.Create(recipe, shapes);
        host.Report(plan.Diagnostics);
        host.Out.Write(PlanPrinter.Print(plan, settings.Format));
        return ExitCodes.Success;
    }
}

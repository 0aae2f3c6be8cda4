using System.ComponentModel;
using Spectre.Console.Cli;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("Check a recipe.")]
public sealed class ValidateCommand(CliHost host) : Command<RecipeSettings>
{
    public override int Execute(CommandContext context, RecipeSettings settings, CancellationToken cancellationToken)
    {
        var recipe = CommandHelpers.Load(host, settings, out _);
        if (recipe is null)
        {
            return ExitCodes.Invalid;
        }

        var diagnostics = RecipeValidation.Check(recipe, host.CompilerFactory);
        host.Report(diagnostics);
        if (diagnostics.Any(d => d.IsError))
        {
            return ExitCodes.Invalid;
        }

        host.Out.WriteLine($"{settings.Recipe}: ok");
        return ExitCodes.Success;
    }
}

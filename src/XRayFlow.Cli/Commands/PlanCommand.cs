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
        [Description("text (default), dot (Graphviz), mermaid or json (as --json).")]
        [DefaultValue("text")]
        public string Format { get; init; } = "text";

        [CommandOption("-i|--input <NAME=PATH>")]
        [Description("Bind inputs to show real shapes on the edges (read from file headers; a missing file is refused as run refuses it); recipe defaults are used otherwise.")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("--no-fuse")]
        [Description("Show the plan `run --no-fuse` runs: no fused chains or row-band groups.")]
        public bool NoFuse { get; init; }

        [CommandOption("--max-pixels <N>")]
        [Description("The bound `run --max-pixels N` will apply to what each step makes (default 100000000).")]
        public long? MaxPixels { get; init; }

        [CommandOption("--json")]
        [Description("Print the plan as one JSON document: inputs, steps in order (op, sources, shape, level, fused chain, merged ids), skipped steps, outputs, diagnostics (docs/cli-json.md).")]
        public bool Json { get; init; }

        public override string? RefusalJson(IReadOnlyList<Diagnostic> problems) => Json || Format == "json" ? RefusedJson(null, Recipe, problems) : null;

        public override IEnumerable<Diagnostic> Problems()
        {
            foreach (var d in base.Problems())
            {
                yield return d;
            }

            if (Format is not ("text" or "dot" or "mermaid" or "json"))
            {
                yield return DiagnosticCodes.BadOptionValue.Create(null, "--format", $"'{Format}' is not text, dot, mermaid or json");
            }

            if (MaxPixels is < 1)
            {
                yield return DiagnosticCodes.BadOptionValue.Create(null, "--max-pixels", "must be 1 or more");
            }
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool json = settings.Json || settings.Format == "json";
        var recipe = CommandHelpers.Load(host, settings.Recipe, settings.Set, out _, out var loaded);
        if (recipe is null)
        {
            if (json)
            {
                host.Out.Write(RefusedJson(null, settings.Recipe, loaded));
            }

            return ExitCodes.Invalid;
        }

        var bag = new DiagnosticBag();
        var given = CommandHelpers.Inputs(recipe, settings.Inputs, bag);
        if (!bag.HasErrors && given.Count > 0)
        {
            // The files given are checked as `run` checks them (XRF2005 a missing file, XRF2006 a glob or folder
            // matching nothing, XRF2023 not a regular file): a mistyped path is refused, not shown as unknown shapes.
            // Inputs not given keep their `default:` or stay unknown ("?"), as before.
            var onlyGiven = recipe with { Inputs = [.. recipe.Inputs.Where(i => given.ContainsKey(i.Name))] };
            InputResolver.Resolve(onlyGiven, given, bag, new InputRules(), shard: null);
        }

        if (bag.HasErrors)
        {
            host.Report(bag.ToSortedList());
            if (json)
            {
                host.Out.Write(RefusedJson(recipe.Name, settings.Recipe, [.. loaded, .. bag.ToSortedList()]));
            }

            return ExitCodes.Invalid;
        }

        var unreadable = new DiagnosticBag();
        var shapes = InputShapes.FromHeaders(recipe, given, unreadable);
        var options = (settings.NoFuse ? PlanOptions.NoFusion : new PlanOptions()) with { MaxPixels = settings.MaxPixels ?? Core.Codecs.ImageReadOptions.Default.MaxPixels };
        var plan = Planner.Create(recipe, shapes, options);
        // A '?' shape says why when the file is there but its header cannot be read (XRF2063, a warning).
        IReadOnlyList<Diagnostic> diagnostics = [.. unreadable, .. plan.Diagnostics];
        host.Report(diagnostics);
        host.Out.Write(json ? Json(plan, diagnostics) : PlanPrinter.Print(plan, settings.Format));

        // The plan is shown either way (what would run, where the shapes go wrong); an error makes the recipe
        // invalid for these inputs, as `validate` says, so the exit code says it too.
        return plan.Diagnostics.Any(d => d.IsError) ? ExitCodes.Invalid : ExitCodes.Success;
    }

    /// <summary>
    /// `plan --json` when there is no plan (exit 2: the recipe did not load, an option or input was refused):
    /// the recipe's name (null when it did not load), the path given (null when the command line did not parse),
    /// `"exit": 2` and the diagnostics (docs/cli-json.md).
    /// </summary>
    internal static string RefusedJson(string? recipe, string? path, IReadOnlyList<Diagnostic> diagnostics) => Output.CliJson.Document(w =>
    {
        Output.CliJson.StringOrNull(w, "recipe", recipe);
        Output.CliJson.StringOrNull(w, "path", path);
        w.WriteNumber("exit", ExitCodes.Invalid);
        Output.CliJson.Diagnostics(w, "diagnostics", diagnostics);
    });

    /// <summary>The plan as the `plan --json` document (docs/cli-json.md).</summary>
    internal static string Json(Plan plan, IReadOnlyList<Diagnostic> diagnostics) => Output.CliJson.Document(w =>
    {
        var recipe = plan.Recipe;
        w.WriteString("recipe", recipe.Name);
        w.WriteString("path", recipe.Path);
        w.WriteStartArray("inputs");
        foreach (var input in recipe.Inputs)
        {
            w.WriteStartObject();
            w.WriteString("name", input.Name);
            w.WriteString("kind", input.Kind.ToString().ToLowerInvariant());
            w.WriteString("shape", plan.ShapeOf(input.Name).ToString());
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("steps");
        foreach (var node in plan.Nodes)
        {
            w.WriteStartObject();
            w.WriteNumber("order", node.Index + 1);
            w.WriteString("id", node.Id);
            w.WriteString("op", node.Step.Op.Name);
            Output.CliJson.Strings(w, "in", node.InputSources);
            w.WriteString("shape", node.Shape.ToString());
            w.WriteNumber("level", node.Level);
            if (node.Chain >= 0)
            {
                w.WriteNumber("chain", node.Chain + 1);
            }
            else
            {
                w.WriteNull("chain");
            }

            Output.CliJson.Strings(w, "merged", node.MergedIds);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        Output.CliJson.Strings(w, "skipped", plan.Skipped);
        w.WriteStartArray("chains");
        foreach (var chain in plan.FusedChains)
        {
            w.WriteStartArray();
            foreach (var id in chain.NodeIds)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteStartArray("fused");
        for (int c = 0; c < plan.FusedChains.Count; c++)
        {
            var chain = plan.FusedChains[c];
            w.WriteStartObject();
            w.WriteNumber("chain", c + 1);
            w.WriteString("kind", chain.Banded ? "row-bands" : "element-wise");
            Output.CliJson.Strings(w, "steps", chain.NodeIds);
            w.WriteNumber("halo_before", chain.HaloBefore);
            w.WriteNumber("halo_after", chain.HaloAfter);
            w.WriteStartArray("one_pass");
            if (chain.Banded)
            {
                foreach (var (magnitude, first, second) in PlanExecutor.OnePassPairs([.. chain.NodeIds.Select(id => plan.Node(id)!)]))
                {
                    w.WriteStartArray();
                    w.WriteStringValue(first);
                    w.WriteStringValue(second);
                    w.WriteStringValue(magnitude);
                    w.WriteEndArray();
                }
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("outputs");
        foreach (var o in recipe.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("name", o.Name);
            w.WriteString("from", o.From);
            w.WriteString("path", o.PathTemplate);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        Output.CliJson.Diagnostics(w, "diagnostics", diagnostics);
    });
}

using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Runs a bound recipe: binds inputs to files (<see cref="InputResolver"/>), checks outputs (inside --out, no
/// collisions: <see cref="OutputTargets"/>), compiles expressions and plans, all before any pixel is read;
/// then runs the items (<see cref="BatchRunner"/>), writes `manifest.json` and the --profile file.
/// </summary>
public static class RecipeRunner
{
    public static RunResult Run(RunRequest request)
    {
        var recipe = request.Recipe;
        var diagnostics = new DiagnosticBag();
        int threads = Math.Max(1, request.Threads);

        // 1. Everything that can be wrong with the command line or recipe, before any pixel is read.
        var items = InputResolver.Resolve(recipe, request.Inputs, diagnostics);
        IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets = new Dictionary<RunItem, IReadOnlyList<OutputTarget>>();
        if (!diagnostics.HasErrors)
        {
            targets = OutputTargets.Check(recipe, items, request.OutDir, diagnostics);
        }

        if (diagnostics.HasErrors)
        {
            return Invalid(diagnostics);
        }

        var compilation = ExpressionSteps.Compile(recipe, request.CompilerFactory);
        diagnostics.AddRange(compilation.Diagnostics);
        if (diagnostics.HasErrors)
        {
            return Invalid(diagnostics);
        }

        var plan = Planner.Create(recipe, null, request.PlanOptions);
        diagnostics.AddRange(plan.Diagnostics);
        var executor = new PlanExecutor(plan, compilation.Kernels, ExpressionSteps.ParamValues(recipe), threads);

        // 2. Resume: what an earlier run already finished.
        Directory.CreateDirectory(request.OutDir);
        string manifestPath = Path.Combine(request.OutDir, Manifest.FileName);
        string recipeSha = Manifest.Sha256OfText(recipe.CanonicalText);
        var previous = request.Resume ? Resume.LoadPrevious(manifestPath, recipeSha) : null;
        var header = ManifestHeader.Create(request, manifestPath, recipeSha, threads);

        // 3. The items, then the manifest and the profile.
        var (results, profile) = new BatchRunner(request, executor, header, manifestPath, previous).Run(items, targets, threads);
        var manifest = header with { Items = results };
        AtomicFile.WriteAllBytes(manifestPath, ManifestJson.Write(manifest));
        if (request.ProfilePath is { } profilePath)
        {
            AtomicFile.WriteAllText(profilePath, ProfileJson.Write(plan, profile));
        }

        int exit = manifest.Items.All(i => i.Succeeded) ? ExitCodes.Success : ExitCodes.SomeFailed;
        return new RunResult(exit, diagnostics.ToSortedList(), manifest, plan);
    }

    private static RunResult Invalid(DiagnosticBag diagnostics) => new(ExitCodes.Invalid, diagnostics.ToSortedList(), null, null);
}

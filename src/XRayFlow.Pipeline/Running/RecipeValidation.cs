using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Testing;

namespace XRayFlow.Pipeline.Running;

/// <summary>`xrayflow validate`: what a run would refuse before reading any input, without the inputs.</summary>
public static class RecipeValidation
{
    /// <summary>
    /// The `default:` input paths (present, regular files, inside the recipe's folder), output paths (checked with a placeholder stem), every inline expression (compiled), and the plan's
    /// diagnostics (only when everything before is clean), planned with the shapes the `default:` inputs' headers
    /// give, so a step those shapes cannot take is refused here (XRF1069), as is one that would make more pixels than
    /// <paramref name="maxPixels"/> (run's `--max-pixels`; default 1e8). Sorted; errors mean exit 2.
    /// </summary>
    public static IReadOnlyList<Diagnostic> Check(BoundRecipe recipe, Func<IExpressionCompiler>? compilerFactory, long? maxPixels = null)
    {
        var bag = new DiagnosticBag();

        // The `default:` paths, as run resolves them when no --input is given: a missing file, one outside the
        // recipe's folder or not a regular file is refused there (exit 2), so here too. An input without a default
        // is not an error until a run lacks its --input.
        var defaults = new DiagnosticBag();
        InputResolver.Resolve(recipe, new Dictionary<string, string>(), defaults);
        bag.AddRange(defaults.ToSortedList().Where(d => d.Code != DiagnosticCodes.InputNotBound.Code));
        OutputTargets.Check(recipe, [new RunItem("stem", "stem", new Dictionary<string, IReadOnlyList<string>>())], "out", bag, onDisk: false);
        bag.AddRange(ExpressionSteps.Compile(recipe, compilerFactory).Diagnostics);
        bag.AddRange(TestFileProblems(recipe));
        if (!bag.HasErrors)
        {
            var options = new PlanOptions { MaxPixels = maxPixels ?? Core.Codecs.ImageReadOptions.Default.MaxPixels };
            var shapes = InputShapes.FromHeaders(recipe, new Dictionary<string, string>(), bag);
            bag.AddRange(Planner.Create(recipe, shapes, options).Diagnostics);
        }

        return bag.ToSortedList();
    }

    /// <summary>
    /// XRF7002 (a warning: the recipe itself runs) for each file a `tests:` entry names that `xrayflow test` could not
    /// read: not there, not a regular file, or outside the recipe's folder (<see cref="TestFiles"/>).
    /// </summary>
    private static IEnumerable<Diagnostic> TestFileProblems(BoundRecipe recipe)
    {
        if (recipe.Tests.Count == 0)
        {
            yield break;
        }

        string root = TestFiles.Root(recipe);
        foreach (var test in recipe.Tests)
        {
            foreach (var (what, _, path, location) in TestFiles.Of(test))
            {
                var (problem, kind) = TestFiles.Check(path, root);
                string? reason = problem switch
                {
                    TestFiles.Problem.Outside => $"is outside the recipe's folder {root}",
                    TestFiles.Problem.NotRegular => $"is {UntrustedFile.Describe(kind)}, not a regular file",
                    TestFiles.Problem.Missing => "is not there",
                    _ => null,
                };
                if (reason is not null)
                {
                    yield return DiagnosticCodes.TestFileUnusable.Create(location, test.Name, what, path, reason);
                }
            }
        }
    }
}

using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running.Sharding;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Runs a bound recipe: checks the request (--out, --profile, --repeat), binds inputs to files
/// (<see cref="InputResolver"/>), checks outputs (inside --out, no collisions: <see cref="OutputTargets"/>),
/// compiles expressions and plans, all before any pixel is read (exit 2 with diagnostics); then locks --out,
/// runs the items (<see cref="BatchRunner"/>), and writes `manifest.json` and the --profile file.
/// </summary>
public static class RecipeRunner
{
    /// <summary>
    /// What is wrong with --out before anything is read or written (XRF2021: empty, a NUL, a file or a device, under
    /// a file, a manifest path that is no file), as <see cref="Run"/> refuses it first; `watch` asks once at start,
    /// since no save of the recipe can fix it.
    /// </summary>
    public static IReadOnlyList<Diagnostic> OutFolderProblems(string outDir)
    {
        var diagnostics = new DiagnosticBag();
        OutputFolder.Check(outDir, null, diagnostics);
        return diagnostics.ToSortedList();
    }

    public static RunResult Run(RunRequest request)
    {
        var recipe = request.Recipe;
        var diagnostics = new DiagnosticBag();
        int threads = Math.Max(1, request.Threads);

        // 1. Everything that can be wrong with the command line or recipe, before any pixel is read.
        if (request.Repeat is < 1 or > RunRequest.MaxRepeat)
        {
            diagnostics.Report(DiagnosticCodes.BadOptionValue, null, "--repeat", $"must be 1 to {RunRequest.MaxRepeat}");
        }

        string manifestName = request.Shard?.ManifestFileName ?? Manifest.FileName;
        OutputFolder.Check(request.OutDir, request.ProfilePath, diagnostics, manifestName);
        if (diagnostics.HasErrors)
        {
            return Invalid(diagnostics);
        }

        // With --shard: this shard's block of the batch; every shard still places the whole batch's outputs.
        var resolved = InputResolver.Resolve(recipe, request.Inputs, diagnostics, request.InputRules, request.Shard);
        var items = resolved.Items;
        var notRead = resolved.NotRead;
        IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets = new Dictionary<RunItem, IReadOnlyList<OutputTarget>>();
        if (!diagnostics.HasErrors && request.Shard is not null)
        {
            ShardRun.CheckOutputs(recipe, resolved.All, request.OutDir, diagnostics);
        }

        if (!diagnostics.HasErrors)
        {
            targets = OutputTargets.Check(recipe, items, request.OutDir, diagnostics);
            OutputTargets.CheckInputs(targets, resolved.All, diagnostics);
        }

        if (!diagnostics.HasErrors && request.ProfilePath is { } profileGiven)
        {
            OutputTargets.CheckProfile(profileGiven, recipe, request.Shard is null ? items : resolved.All, request.OutDir, manifestName,
                request.Report is null ? null : Reporting.ReportOptions.FileNameFor(request.Shard), diagnostics);
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

        var report = request.Report is null ? null : new Reporting.ReportCollector(items);
        if (report is not null)
        {
            Reporting.RunReport.CheckCollisions(targets, request.OutDir, Reporting.ReportOptions.FileNameFor(request.Shard), diagnostics);
            if (diagnostics.HasErrors)
            {
                return Invalid(diagnostics);
            }

            request = request with { Observe = report.Observer, Progress = report.Wrap(request.Progress) };
        }

        long maxPixels = request.MaxPixels ?? Core.Codecs.ImageReadOptions.Default.MaxPixels;
        var plan = Planner.Create(recipe, null, request.PlanOptions with { MaxPixels = maxPixels });
        diagnostics.AddRange(plan.Diagnostics);

        // Planned without the inputs' shapes, an error holds for every item (a resize to a fixed output_shape over
        // the bound): refused before any work, as validate refuses it, not failed item by item.
        if (diagnostics.HasErrors)
        {
            return Invalid(diagnostics);
        }

        // A run of one item: its files' headers give the shapes (no pixel decoded), so a step those shapes make
        // impossible (a crop box outside the image, a downsample factor larger than it, a zoom over --max-pixels) is
        // refused here, located in the recipe, as `plan` refuses it, not after the input is read. A batch of several
        // items keeps the check per item: each may have its own shape.
        if (resolved.Total == 1 && request.Shard is null)
        {
            var shaped = Planner.Create(recipe, InputShapes.FromHeaders(recipe, request.Inputs), request.PlanOptions with { MaxPixels = maxPixels });
            diagnostics.AddRange(shaped.Diagnostics.Where(d => d.Severity == Severity.Error));
            if (diagnostics.HasErrors)
            {
                return Invalid(diagnostics);
            }
        }

        if (request.DryRun)
        {
            var dry = new DryRunReport(items, targets, resolved.Total, Path.Combine(request.OutDir, manifestName));
            return new RunResult(ExitCodes.Success, diagnostics.ToSortedList(), null, plan) { DryRun = dry, NotRead = notRead, ManifestFileName = manifestName };
        }

        var executor = new PlanExecutor(plan, compilation.Kernels, ExpressionSteps.ParamValues(recipe), threads) { MaxPixels = maxPixels };

        // 2. The output folder: created, locked for this run (shared with the other shards of a batch), stale
        // temporaries of a killed run removed (a shard's: only those of its own files).
        string manifestPath = Path.Combine(request.OutDir, manifestName);
        using var folder = request.Shard is null
            ? OutputFolder.Open(request.OutDir, diagnostics)
            : OutputFolder.Open(request.OutDir, diagnostics, request.Shard, targets.Values.SelectMany(t => t).Select(t => t.FullPath).Append(Path.GetFullPath(manifestPath)));
        if (folder is null)
        {
            return Invalid(diagnostics);
        }

        // A manifest another recipe wrote there is not replaced without --force (its outputs would lose their record);
        // nor are another recipe's shard manifests, which `merge` would join into a manifest.json over this run's
        // (one of them tells: merge refuses shards of two recipes).
        if (!request.Force)
        {
            foreach (string name in new[] { manifestName, Manifest.FileName }.Append(OtherShardManifest(request.OutDir, manifestName)).OfType<string>().Distinct())
            {
                if (OtherRecipe(Path.Combine(request.OutDir, name), recipe.Name) is { } other)
                {
                    diagnostics.Report(DiagnosticCodes.ManifestOfAnotherRecipe, null, request.OutDir, name, other, recipe.Name);
                    return Invalid(diagnostics);
                }
            }
        }

        // 3. Resume: what an earlier run already finished.
        string recipeSha = Manifest.Sha256OfText(recipe.CanonicalText);
        Manifest? previous = null;
        (string Path, string Why)? unusable = null;
        // A shard resumes from its own manifest, or from the merged manifest.json when its own is gone.
        string[] candidates = !request.Resume ? [] : request.Shard is null ? [manifestPath] : [manifestPath, Path.Combine(request.OutDir, Manifest.FileName)];
        foreach (string candidate in candidates)
        {
            previous = Resume.LoadPrevious(candidate, recipeSha, out string? why);
            if (previous is not null)
            {
                break;
            }

            unusable ??= why is null ? null : (candidate, why);
        }

        if (previous is null && unusable is { } u)
        {
            // Said, not silent: every input is run again, and the user should know the earlier work is not reused.
            diagnostics.Report(DiagnosticCodes.ResumeManifestUnusable, null, u.Path, u.Why);
        }

        var header = ManifestHeader.Create(request, manifestPath, recipeSha, threads);
        if (request.Shard is { } shard)
        {
            header = header with
            {
                Shard = new ManifestShard(shard.Index, shard.Count, resolved.Total, ShardRun.ListSha256(resolved.All))
                {
                    Combined = CombinedCsv.Recorded(recipe, request.OutDir, resolved.All.Count),
                },
            };
        }
        else if (resolved.Total > 1)
        {
            // The whole batch, so that `verify` of a manifest of a run stopped before the end knows its other files.
            header = header with { Batch = new ManifestBatch(resolved.Total, ShardRun.ListSha256(resolved.All)) };
        }

        // 4. The items, then the manifest and the profile. A file that cannot be written (a full disk) is
        // exit 1 with the reason; the outputs written are complete, and --resume finishes the run.
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        var (results, profile) = new BatchRunner(request, executor, header, manifestPath, previous).Run(items, targets, threads);
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
        var manifest = header with { Items = results.OfType<ManifestItem>().ToList() };
        int notRun = items.Count - manifest.Items.Count;
        if (notRun > 0)
        {
            diagnostics.Report(DiagnosticCodes.StoppedAfterFailures, null, manifest.Items.Count(i => !i.Succeeded), request.MaxFailures, notRun, items.Count);
        }

        int exit = manifest.Items.All(i => i.Succeeded) ? ExitCodes.Success : ExitCodes.SomeFailed;
        // A shard has only its block of the batch: `merge` writes the combined tables (recorded in its manifest).
        if (request.Shard is null && !CombinedCsv.Write(request, items, results, targets, diagnostics))
        {
            exit = ExitCodes.SomeFailed;
        }

        try
        {
            request.WriteFile(manifestPath, ManifestJson.Write(manifest));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(DiagnosticCodes.ManifestWriteFailed, null, manifestPath, e.Message);
            exit = ExitCodes.SomeFailed;
        }

        if (request.ProfilePath is { } profilePath)
        {
            try
            {
                request.WriteFile(profilePath, System.Text.Encoding.UTF8.GetBytes(ProfileJson.Write(plan, profile)));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                diagnostics.Report(DiagnosticCodes.ProfileWriteFailed, null, profilePath, e.Message);
                exit = ExitCodes.SomeFailed;
            }
        }

        if (report is not null && !Reporting.RunReport.TryWrite(request, plan, manifest, notRun, report, elapsed, diagnostics))
        {
            exit = ExitCodes.SomeFailed;
        }

        return new RunResult(exit, diagnostics.ToSortedList(), manifest, plan) { NotRead = notRead, ManifestFileName = manifestName, NotRun = notRun };
    }

    /// <summary>The name of the recipe that wrote the manifest at <paramref name="path"/>, when it is not <paramref name="recipeName"/>; null when there is none, or it cannot be read.</summary>
    /// <summary>The name of one shard manifest in <paramref name="outDir"/> other than <paramref name="own"/> (the first by name), or null.</summary>
    private static string? OtherShardManifest(string outDir, string own)
    {
        try
        {
            return Directory.EnumerateFiles(outDir, "manifest.shard-*-of-*.json", new EnumerationOptions { MatchType = MatchType.Simple, AttributesToSkip = 0 })
                .Select(Path.GetFileName)
                .Where(n => n != own && Sharding.Shard.FromManifestFileName(n!) is not null)
                .Order(StringComparer.Ordinal)
                .FirstOrDefault();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? OtherRecipe(string path, string recipeName)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            string other = ManifestJson.Read(path).RecipeName;
            return string.Equals(other, recipeName, StringComparison.Ordinal) ? null : other;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            return null; // not a manifest this version reads: nothing says whose it is
        }
    }

    private static RunResult Invalid(DiagnosticBag diagnostics) => new(ExitCodes.Invalid, diagnostics.ToSortedList(), null, null);
}

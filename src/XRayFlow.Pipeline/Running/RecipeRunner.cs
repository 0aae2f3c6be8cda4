using System.Diagnostics;
using System.Globalization;
using System.Text;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Running;

/// <summary>Exit codes of the `xrayflow` commands.</summary>
public static class ExitCodes
{
    /// <summary>Everything succeeded (verify: no difference).</summary>
    public const int Success = 0;

    /// <summary>The run started but some inputs failed (verify: a difference was found).</summary>
    public const int SomeFailed = 1;

    /// <summary>The recipe or the command line is invalid; nothing was run.</summary>
    public const int Invalid = 2;

    /// <summary>An unexpected internal error (a bug): distinct from user errors (EX_SOFTWARE of sysexits.h).</summary>
    public const int InternalError = 70;
}

/// <summary>Reports progress of a run (a progress bar on a terminal, plain lines otherwise).</summary>
public interface IRunProgress
{
    void Started(int items);

    void ItemFinished(ManifestItem item);
}

/// <summary>What to run and how.</summary>
public sealed record RunRequest
{
    public required BoundRecipe Recipe { get; init; }

    /// <summary>Input name -> path or glob from the command line (relative to the working folder).</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>The --set overrides as given (recorded in the manifest for `verify`).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Set { get; init; } = [];

    public string OutDir { get; init; } = "out";

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Skip items whose outputs and manifest entry from an earlier run are complete.</summary>
    public bool Resume { get; init; }

    /// <summary>An input with more pixels fails (protects memory); null = no limit.</summary>
    public long? MaxPixels { get; init; }

    /// <summary>Read .dcm inputs that lack the 128-byte DICOM preamble and 'DICM' (refused by default).</summary>
    public bool DicomWithoutPreamble { get; init; }

    /// <summary>Runs of the plan per item (for --profile); outputs are written once.</summary>
    public int Repeat { get; init; } = 1;

    /// <summary>Where to write per-step timings (`{"steps": [{"id", "op", "ms": [...]}]}`), or null.</summary>
    public string? ProfilePath { get; init; }

    /// <summary>Creates the expression compiler (only called when the recipe has expressions).</summary>
    public Func<IExpressionCompiler>? CompilerFactory { get; init; }

    public IRunProgress? Progress { get; init; }

    public PlanOptions PlanOptions { get; init; } = new();

    public CancellationToken Cancellation { get; init; }
}

/// <summary>The result of a run: exit code, diagnostics (problems found before any work), and what happened per item.</summary>
public sealed record RunResult(int ExitCode, IReadOnlyList<Diagnostic> Diagnostics, Manifest? Manifest, Plan? Plan)
{
    public IReadOnlyList<ManifestItem> Failures => Manifest?.Items.Where(i => !i.Succeeded).ToList() ?? [];
}

/// <summary>
/// Runs a bound recipe: binds inputs to files, checks outputs (inside --out, no collisions), compiles
/// expressions, plans, then executes each item (in parallel within the thread budget, at most `threads`
/// images in memory at once). A failing item fails alone. Writes outputs atomically and `manifest.json`.
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
        var outputPaths = new Dictionary<RunItem, IReadOnlyList<(BoundOutput Output, string Full)>>();
        if (!diagnostics.HasErrors)
        {
            CheckOutputs(recipe, items, request.OutDir, diagnostics, outputPaths);
        }

        if (diagnostics.HasErrors)
        {
            return new RunResult(ExitCodes.Invalid, diagnostics.ToSortedList(), null, null);
        }

        var compilation = ExpressionSteps.Compile(recipe, request.CompilerFactory);
        diagnostics.AddRange(compilation.Diagnostics);
        if (diagnostics.HasErrors)
        {
            return new RunResult(ExitCodes.Invalid, diagnostics.ToSortedList(), null, null);
        }

        var plan = Planner.Create(recipe, null, request.PlanOptions);
        diagnostics.AddRange(plan.Diagnostics);
        var executor = new PlanExecutor(plan, compilation.Kernels, ExpressionSteps.ParamValues(recipe), threads);

        // 2. Resume: what an earlier run already finished.
        Directory.CreateDirectory(request.OutDir);
        string manifestPath = Path.Combine(request.OutDir, Manifest.FileName);
        string recipeSha = Manifest.Sha256OfText(recipe.CanonicalText);
        var previous = request.Resume ? LoadPrevious(manifestPath, recipeSha) : null;

        var header = Header(request, recipe, manifestPath, recipeSha, threads);
        var results = new ManifestItem?[items.Count];
        var profile = new List<StepTiming>[items.Count];
        var sinceWrite = Stopwatch.StartNew();
        var gate = new object();

        void Finished(int index, ManifestItem item)
        {
            lock (gate)
            {
                results[index] = item;
                request.Progress?.ItemFinished(item);
                if (items.Count > 1 && sinceWrite.ElapsedMilliseconds > 1000)
                {
                    // Progressive manifest, so a killed batch can be resumed.
                    WriteManifest(manifestPath, header with { Items = results.Where(r => r is not null).Select(r => r!).ToList() });
                    sinceWrite.Restart();
                }
            }
        }

        request.Progress?.Started(items.Count);
        int parallelItems = Math.Min(threads, items.Count);
        int threadsPerItem = Math.Max(1, threads / Math.Max(1, parallelItems));
        void RunOne(int index)
        {
            var item = items[index];
            var outs = outputPaths[item];
            if (previous is not null && TryResume(previous, item, outs, request.OutDir) is { } kept)
            {
                Finished(index, kept);
                return;
            }

            profile[index] = [];
            Finished(index, RunItem(item, outs, executor, request, threadsPerItem, profile[index]));
        }

        if (parallelItems > 1)
        {
            Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelItems, CancellationToken = request.Cancellation }, RunOne);
        }
        else
        {
            for (int i = 0; i < items.Count; i++)
            {
                request.Cancellation.ThrowIfCancellationRequested();
                RunOne(i);
            }
        }

        var manifest = header with { Items = results.Select(r => r!).ToList() };
        WriteManifest(manifestPath, manifest);
        if (request.ProfilePath is { } profilePath)
        {
            AtomicFile.WriteAllText(profilePath, ProfileJson(plan, profile));
        }

        int exit = manifest.Items.All(i => i.Succeeded) ? ExitCodes.Success : ExitCodes.SomeFailed;
        return new RunResult(exit, diagnostics.ToSortedList(), manifest, plan);
    }

    /// <summary>Checks every output path of every item: inside --out and no two the same.</summary>
    public static void CheckOutputs(BoundRecipe recipe, IReadOnlyList<RunItem> items, string outDir, DiagnosticBag diagnostics, Dictionary<RunItem, IReadOnlyList<(BoundOutput, string)>>? resolved = null)
    {
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        var reported = new HashSet<string>(StringComparer.Ordinal);
        var bad = new HashSet<string>(StringComparer.Ordinal);
        string manifestFull = Path.GetFullPath(Path.Combine(outDir, Manifest.FileName));
        foreach (var item in items)
        {
            var list = new List<(BoundOutput, string)>();
            foreach (var output in recipe.Outputs)
            {
                string? full = OutputPaths.Resolve(outDir, output.PathTemplate, item.Stem);
                if (full is null)
                {
                    if (bad.Add(output.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputOutsideOut, output.Location, output.Name, OutputPaths.Expand(output.PathTemplate, item.Stem));
                    }

                    continue;
                }

                string who = items.Count > 1 ? $"'{item.Name}' (output {output.Name})" : $"output {output.Name}";
                if (full == manifestFull)
                {
                    diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Manifest.FileName, who, "the run's manifest");
                }
                else if (owner.TryGetValue(full, out var first))
                {
                    if (reported.Add(full))
                    {
                        diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, Path.GetRelativePath(Path.GetFullPath(outDir), full), first, who);
                    }
                }
                else
                {
                    owner[full] = who;
                }

                list.Add((output, full));
            }

            if (resolved is not null)
            {
                resolved[item] = list;
            }
        }
    }

    private static ManifestItem RunItem(RunItem item, IReadOnlyList<(BoundOutput Output, string Full)> outs, PlanExecutor executor, RunRequest request, int threads, List<StepTiming> profile)
    {
        var recipe = request.Recipe;
        var inputRecords = new List<ManifestFile>();
        try
        {
            // Decode (not timed in the profile).
            var arrays = new Dictionary<string, ImageArray>(StringComparer.Ordinal);
            foreach (var input in recipe.Inputs)
            {
                if (!item.Files.TryGetValue(input.Name, out var files))
                {
                    continue;
                }

                foreach (var f in files)
                {
                    inputRecords.Add(new ManifestFile(input.Name, Path.GetFullPath(f), Manifest.Sha256OfFile(f)));
                }

                var array = input.Kind == InputKind.Stack ? ImageIO.ReadStack(files, request.MaxPixels, request.DicomWithoutPreamble) : ImageIO.Read(files[0], request.MaxPixels, request.DicomWithoutPreamble);
                if (input.Kind == InputKind.Image && array.IsStack)
                {
                    throw new ImageDecodeException(files[0], $"input '{input.Name}' is an image, but the file holds a stack {array.ShapeText}");
                }

                if (input.Kind == InputKind.Stack && !array.IsStack)
                {
                    array = ImageArray.Stack(1, array.Rows, array.Cols, array.Data, array.Imag);
                }

                if (request.MaxPixels is { } max && array.Length > max)
                {
                    throw new StepFailedException(input.Name, DiagnosticCodes.TooManyPixels.Create(null, files.Count == 1 ? files[0] : $"input '{input.Name}'", array.Length, max).Message);
                }

                arrays[input.Name] = array;
            }

            IReadOnlyDictionary<string, Value>? values = null;
            var timings = new List<StepTiming>();
            for (int r = 0; r < Math.Max(1, request.Repeat); r++)
            {
                if (values is not null)
                {
                    ReturnToPool(values.Values, exceptOf: arrays.Values); // an earlier --repeat's results
                }

                timings.Clear();
                values = executor.Run(arrays, request.Cancellation, timings);
                profile.AddRange(timings);
            }

            var plan = executor.Plan;
            Value ValueOf(string name)
            {
                string c = plan.Resolve(name);
                if (values!.TryGetValue(c, out var v))
                {
                    return v;
                }

                return arrays.TryGetValue(c, out var a) ? new ArrayValue(a) : throw new StepFailedException(name, "no value computed");
            }

            var outputRecords = new List<ManifestOutput>();
            foreach (var (output, full) in outs)
            {
                try
                {
                    OutputWriter.Write(output, ValueOf, full);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new OutputException(output.Name, DiagnosticCodes.OutputWriteFailed.Create(null, RelativeToOut(request.OutDir, full), ex.Message).Message);
                }
                outputRecords.Add(new ManifestOutput(output.Name, RelativeToOut(request.OutDir, full), Manifest.Sha256OfFile(full)));
            }

            // Written and hashed: the item's arrays go back to the pool for the next item's outputs.
            ReturnToPool(values!.Values.Concat(arrays.Values.Select(a => (Value)new ArrayValue(a))), exceptOf: []);
            return new ManifestItem
            {
                Name = item.Name,
                Stem = item.Stem,
                Status = "ok",
                Inputs = inputRecords,
                Outputs = outputRecords,
                Steps = timings.Select(t => new ManifestStep(t.Id, t.Op, t.Milliseconds, t.FusedWith.Count > 0 ? t.FusedWith : null, t.SameAs)).ToList(),
                Scalars = ScalarsOf(recipe, plan, values!),
            };
        }
        catch (Exception ex) when (ex is ImageDecodeException or StepFailedException or OutputException or IOException or UnauthorizedAccessException or ExpressionRuntimeException or OutOfMemoryException)
        {
            return Failed(item, inputRecords, ex switch
            {
                ImageDecodeException d => $"{d.Path}: {d.Reason}",
                StepFailedException s => s.Message,
                OutputException o => o.Reason,
                OutOfMemoryException => "out of memory (try --threads 1 or --max-pixels)",
                _ => ex.Message,
            });
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A bug in an op or the runner: this item fails (the others go on) and says so plainly.
            return Failed(item, inputRecords, $"internal error ({ex.GetType().Name}: {ex.Message})");
        }
    }

    /// <summary>Each scalar step's number for this item, by step id in recipe order (the executor keeps every scalar).</summary>
    private static List<KeyValuePair<string, double>> ScalarsOf(BoundRecipe recipe, Plan plan, IReadOnlyDictionary<string, Value> values)
        => recipe.Steps
            .Where(s => s.OutputKind == ValueKind.Scalar && values.TryGetValue(plan.Resolve(s.Id), out var v) && v is ScalarValue)
            .Select(s => new KeyValuePair<string, double>(s.Id, ((ScalarValue)values[plan.Resolve(s.Id)]).Number))
            .ToList();

    private static ManifestItem Failed(RunItem item, List<ManifestFile> inputs, string reason)
        => new() { Name = item.Name, Stem = item.Stem, Status = "failed", Error = reason, Inputs = inputs };

    private static string RelativeToOut(string outDir, string full) => Path.GetRelativePath(Path.GetFullPath(outDir), full).Replace('\\', '/');

    private static Manifest? LoadPrevious(string manifestPath, string recipeSha)
    {
        if (!File.Exists(manifestPath))
        {
            return null;
        }

        try
        {
            var m = Manifest.Read(manifestPath);
            return m.RecipeSha256 == recipeSha ? m : null;
        }
        catch (Exception ex) when (ex is FormatException or IOException)
        {
            return null;
        }
    }

    private static ManifestItem? TryResume(Manifest previous, RunItem item, IReadOnlyList<(BoundOutput Output, string Full)> outs, string outDir)
    {
        var entry = previous.Items.FirstOrDefault(i => i.Name == item.Name && i.Succeeded);
        if (entry is null)
        {
            return null;
        }

        // Same input files with the same bytes.
        var files = item.Files.SelectMany(kv => kv.Value.Select(f => (kv.Key, Path.GetFullPath(f)))).ToList();
        if (files.Count != entry.Inputs.Count)
        {
            return null;
        }

        foreach (var (input, path) in files)
        {
            var rec = entry.Inputs.FirstOrDefault(i => i.Input == input && i.Path == path);
            if (rec is null || !File.Exists(path) || Manifest.Sha256OfFile(path) != rec.Sha256)
            {
                return null;
            }
        }

        // Every output present and intact.
        foreach (var (output, full) in outs)
        {
            var rec = entry.Outputs.FirstOrDefault(o => o.Output == output.Name && o.Path == RelativeToOut(outDir, full));
            if (rec is null || !File.Exists(full) || Manifest.Sha256OfFile(full) != rec.Sha256)
            {
                return null;
            }
        }

        return entry with { Status = "resumed" };
    }

    private static Manifest Header(RunRequest request, BoundRecipe recipe, string manifestPath, string recipeSha, int threads)
    {
        string recipeFull = Path.GetFullPath(recipe.Path);
        string manifestDir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        string rel = Path.GetRelativePath(manifestDir, recipeFull);
        var bindings = new List<KeyValuePair<string, string>>();
        string recipeDir = Path.GetDirectoryName(recipeFull)!;
        foreach (var input in recipe.Inputs)
        {
            string? p = request.Inputs.TryGetValue(input.Name, out var g) ? Path.GetFullPath(g)
                : input.DefaultPath is { } d ? Path.GetFullPath(Path.Combine(recipeDir, d)) : null;
            if (p is not null)
            {
                bindings.Add(new(input.Name, p));
            }
        }

        return new Manifest
        {
            Version = Manifest.CurrentVersion,
            RecipeName = recipe.Name,
            RecipePath = rel.Replace('\\', '/'),
            RecipeAbsolutePath = recipeFull,
            RecipeFileSha256 = File.Exists(recipeFull) ? Manifest.Sha256OfFile(recipeFull) : string.Empty,
            RecipeSha256 = recipeSha,
            Params = recipe.Params.Select(p => new KeyValuePair<string, string>(p.Name, ParamJson(p.Value))).ToList(),
            Set = request.Set,
            InputBindings = bindings,
            Threads = threads,
            Items = [],
        };
    }

    private static string ParamJson(object value)
    {
        var sb = new StringBuilder();
        JsonText.AppendValue(sb, value);
        return sb.ToString();
    }

    /// <summary>Returns every distinct array of <paramref name="values"/> to the shared pool, except those of <paramref name="exceptOf"/>.</summary>
    private static void ReturnToPool(IEnumerable<Value> values, IEnumerable<ImageArray> exceptOf)
    {
        var seen = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var a in exceptOf)
        {
            seen.Add(a.Data);
            if (a.Imag is { } im)
            {
                seen.Add(im);
            }
        }

        foreach (var v in values)
        {
            if (v is ArrayValue { Array: var a })
            {
                if (seen.Add(a.Data))
                {
                    PixelPool.Shared.Return(a.Data);
                }

                if (a.Imag is { } im && seen.Add(im))
                {
                    PixelPool.Shared.Return(im);
                }
            }
        }
    }

    private static void WriteManifest(string path, Manifest manifest) => AtomicFile.WriteAllText(path, manifest.ToJson());

    /// <summary>`{"steps": [{"id", "op", "ms": [...]}]}`: one entry per step, ms of every repeat of every item.</summary>
    public static string ProfileJson(Plan plan, IEnumerable<List<StepTiming>?> perItem)
    {
        var order = new List<string>();
        var byId = new Dictionary<string, (StepTiming First, List<double> Ms)>(StringComparer.Ordinal);
        foreach (var list in perItem)
        {
            if (list is null)
            {
                continue;
            }

            foreach (var t in list)
            {
                if (!byId.TryGetValue(t.Id, out var entry))
                {
                    byId[t.Id] = entry = (t, []);
                    order.Add(t.Id);
                }

                entry.Ms.Add(t.Milliseconds);
            }
        }

        var fileOrder = plan.Recipe.Steps.Select(s => s.Id).ToList();
        order.Sort((a, b) => fileOrder.IndexOf(a).CompareTo(fileOrder.IndexOf(b)));
        var sb = new StringBuilder();
        sb.Append("{\"steps\": [");
        for (int i = 0; i < order.Count; i++)
        {
            var (t, ms) = byId[order[i]];
            sb.Append(i == 0 ? "\n  " : ",\n  ");
            sb.Append("{\"id\": ").Append(JsonText.Quote(t.Id)).Append(", \"op\": ").Append(JsonText.Quote(t.Op)).Append(", \"ms\": [")
                .Append(string.Join(", ", ms.Select(m => JsonText.Number(Math.Round(m, 4))))).Append(']');
            if (t.FusedWith.Count > 0)
            {
                sb.Append(", \"fused_with\": [").Append(string.Join(", ", t.FusedWith.Select(JsonText.Quote))).Append(']');
            }

            if (t.SameAs is { } same)
            {
                sb.Append(", \"same_as\": ").Append(JsonText.Quote(same));
            }

            sb.Append('}');
        }

        sb.Append(order.Count > 0 ? "\n]}\n" : "]}\n");
        return sb.ToString();
    }

    internal static string Invariant(double d) => d.ToString("R", CultureInfo.InvariantCulture);
}

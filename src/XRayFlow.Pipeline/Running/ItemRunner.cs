using XRayFlow.Core.Codecs;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.IO;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Runs one item: hashes and decodes its inputs, executes the plan (`--repeat` times), writes and hashes its
/// outputs. A user-facing problem (a bad file, a failing step, an unwritable output) fails this item alone
/// with its reason; so does an unexpected exception (reported as an internal error of that item).
/// </summary>
internal sealed class ItemRunner(RunRequest request, PlanExecutor executor)
{
    public ManifestItem Run(RunItem item, IReadOnlyList<OutputTarget> outs, ProfileRecorder? profile)
    {
        var recipe = request.Recipe;
        var inputRecords = new List<ManifestFile>();
        var outputRecords = new List<ManifestOutput>();
        var observer = request.Observe?.Invoke(item);
        try
        {
            var arrays = Decode(recipe, item, inputRecords);
            var (values, timings) = Execute(arrays, profile, observer);
            Write(item, outs, arrays, values, outputRecords);
            var scalars = ScalarsOf(recipe, values);

            // Written and hashed: the item's arrays go back to the pool for the next item's outputs.
            PoolReturn.Return(values.Values.Concat(arrays.Values.Select(a => (Value)new ArrayValue(a))), exceptOf: []);
            return new ManifestItem
            {
                Name = item.Name,
                Stem = item.Stem,
                Status = "ok",
                Inputs = inputRecords,
                Outputs = outputRecords,
                Steps = timings.Select(t => new ManifestStep(t.Id, t.Op, t.Milliseconds, t.Chain, t.SameAs)).ToList(),
                Scalars = scalars,
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
            }, outs, outputRecords);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // A bug in an op or the runner: this item fails (the others go on) and says so plainly.
            return Failed(item, inputRecords, $"internal error ({ex.GetType().Name}: {ex.Message})", outs, outputRecords);
        }
    }

    /// <summary>Hashes (recorded in <paramref name="records"/> first, so a failure still names the file) and decodes every bound input.</summary>
    private Dictionary<string, ImageArray> Decode(BoundRecipe recipe, RunItem item, List<ManifestFile> records)
    {
        var arrays = new Dictionary<string, ImageArray>(StringComparer.Ordinal);
        foreach (var input in recipe.Inputs)
        {
            if (!item.Files.TryGetValue(input.Name, out var files))
            {
                continue;
            }

            foreach (var f in files)
            {
                if (UntrustedFile.Stat(f).Kind == FileKind.Missing)
                {
                    throw new ImageDecodeException(f, "the file does not exist (a link whose target is gone, or removed since the batch was listed)");
                }

                records.Add(new ManifestFile(input.Name, Path.GetFullPath(f), Manifest.Sha256OfFile(f)));
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

        return arrays;
    }

    /// <summary>Runs the plan `--repeat` times (decoding is not repeated); keeps the last run's values and timings.</summary>
    private (IReadOnlyDictionary<string, Value> Values, List<StepTiming> Timings) Execute(Dictionary<string, ImageArray> arrays, ProfileRecorder? profile, IValueObserver? observer)
    {
        IReadOnlyDictionary<string, Value>? values = null;
        var timings = new List<StepTiming>();
        for (int r = 0; r < Math.Max(1, request.Repeat); r++)
        {
            if (values is not null)
            {
                PoolReturn.Return(values.Values, exceptOf: arrays.Values); // an earlier --repeat's results
            }

            timings.Clear();
            values = executor.Run(arrays, request.Cancellation, timings, observer: r == Math.Max(1, request.Repeat) - 1 ? observer : null);
            profile?.Add(timings);
        }

        return (values!, timings);
    }

    /// <summary>Writes the item's outputs in order, each recorded in <paramref name="records"/> once written (so a failure keeps the earlier ones).</summary>
    private void Write(RunItem item, IReadOnlyList<OutputTarget> outs, Dictionary<string, ImageArray> arrays, IReadOnlyDictionary<string, Value> values, List<ManifestOutput> records)
    {
        var plan = executor.Plan;
        Value ValueOf(string name)
        {
            string c = plan.Resolve(name);
            if (values.TryGetValue(c, out var v))
            {
                return v;
            }

            return arrays.TryGetValue(c, out var a) ? new ArrayValue(a) : throw new StepFailedException(name, "no value computed");
        }

        string root = Path.GetFullPath(request.OutDir);
        foreach (var target in outs)
        {
            string? sha;
            try
            {
                OutputPaths.CreateFolders(root, target.FullPath);
                sha = OutputWriter.Write(target.Output, ValueOf, target.FullPath, item.Name);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new OutputException(target.Output.Name, DiagnosticCodes.OutputWriteFailed.Create(null, target.RecordedPath, ex.Message).Message);
            }

            // The hash of the bytes written (the file holds exactly them: written atomically), else read back.
            records.Add(new ManifestOutput(target.Output.Name, target.RecordedPath, sha ?? Manifest.Sha256OfFile(DeferredCommits.Where(target.FullPath))));
        }
    }

    /// <summary>
    /// A failed item: its reason, and the outputs it had already written (complete files, hashed: listed, so the
    /// folder holds nothing the manifest does not account for). Its other outputs that exist on disk are an earlier
    /// run's, not this one's: they are left in place (nothing done before is deleted), and the reason names them.
    /// </summary>
    private static ManifestItem Failed(RunItem item, List<ManifestFile> inputs, string reason, IReadOnlyList<OutputTarget> outs, List<ManifestOutput> written)
    {
        var stale = outs.Where(t => written.All(w => w.Path != t.RecordedPath) && File.Exists(t.FullPath)).Select(t => t.RecordedPath).ToList();
        if (stale.Count > 0)
        {
            reason += $" (left in place from an earlier run, not made by this one: {string.Join(", ", stale)})";
        }

        return new() { Name = item.Name, Stem = item.Stem, Status = "failed", Error = reason, Inputs = inputs, Outputs = written };
    }

    /// <summary>Each scalar step's number for this item, by step id in recipe order (the executor keeps every scalar).</summary>
    private List<KeyValuePair<string, double>> ScalarsOf(BoundRecipe recipe, IReadOnlyDictionary<string, Value> values)
    {
        var plan = executor.Plan;
        var list = new List<KeyValuePair<string, double>>();
        foreach (var s in recipe.Steps)
        {
            if (s.OutputKind == ValueKind.Scalar && values.TryGetValue(plan.Resolve(s.Id), out var v) && v is ScalarValue scalar)
            {
                list.Add(new(s.Id, scalar.Number));
            }
        }

        return list;
    }
}

using System.Diagnostics;
using XRayFlow.Pipeline.Execution;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Runs the items of a run: in parallel within the thread budget (at most `threads` items, so at most that
/// many decoded images, in memory at once), each item alone (<see cref="ItemRunner"/>), items an earlier run
/// finished kept (`--resume`), and the manifest rewritten at most once a second so a killed batch can resume.
/// </summary>
internal sealed class BatchRunner(RunRequest request, PlanExecutor executor, Manifest header, string manifestPath, Manifest? previous)
{
    /// <summary>Each item's manifest entry (in item order) and, with --profile, each item's step times.</summary>
    public (IReadOnlyList<ManifestItem> Items, IReadOnlyList<ProfileRecorder?> Profile) Run(IReadOnlyList<RunItem> items, IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets, int threads)
    {
        var results = new ManifestItem?[items.Count];
        var profile = new ProfileRecorder?[items.Count];
        var sinceWrite = Stopwatch.StartNew();
        var gate = new object();
        var runner = new ItemRunner(request, executor);

        void Finished(int index, ManifestItem item)
        {
            lock (gate)
            {
                results[index] = item;
                request.Progress?.ItemFinished(item);
                if (items.Count > 1 && sinceWrite.ElapsedMilliseconds > 1000)
                {
                    // Progressive manifest, so a killed batch can be resumed.
                    WriteProgress();
                    sinceWrite.Restart();
                }
            }
        }

        void WriteProgress()
        {
            try
            {
                request.WriteFile(manifestPath, ManifestJson.Write(header with { Items = results.Where(r => r is not null).Select(r => r!).ToList() }));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A full disk: the items go on; the final write reports it.
            }
        }

        void RunOne(int index)
        {
            var item = items[index];
            var outs = targets[item];
            if (previous is not null && Resume.TryKeep(previous, item, outs) is { } kept)
            {
                Finished(index, kept);
                return;
            }

            profile[index] = request.ProfilePath is null ? null : new ProfileRecorder();
            Finished(index, runner.Run(item, outs, profile[index]));
        }

        request.Progress?.Started(items.Count);
        int parallelItems = Math.Min(threads, items.Count);
        try
        {
            if (parallelItems > 1)
            {
                try
                {
                    Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelItems, CancellationToken = request.Cancellation }, RunOne);
                }
                catch (AggregateException e) when (request.Cancellation.IsCancellationRequested && e.Flatten().InnerExceptions.All(x => x is OperationCanceledException))
                {
                    // Parallel.For folds into one OperationCanceledException only those of its own token; an item
                    // cancelled through the executor's linked token arrives wrapped. It is still Ctrl+C (exit 130),
                    // not an internal error (exit 70).
                    throw new OperationCanceledException(request.Cancellation);
                }
            }
            else
            {
                for (int i = 0; i < items.Count; i++)
                {
                    request.Cancellation.ThrowIfCancellationRequested();
                    RunOne(i);
                }
            }
        }
        catch (OperationCanceledException) when (items.Count > 1)
        {
            // Stopped (Ctrl+C, SIGTERM): every item finished so far goes into manifest.json, not only those of the
            // last progressive write (up to a second old), so `--resume` redoes none of them.
            lock (gate)
            {
                WriteProgress();
            }

            throw;
        }

        return (results.Select(r => r!).ToList(), profile);
    }
}

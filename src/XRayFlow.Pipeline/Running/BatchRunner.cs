using System.Diagnostics;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Runs the items of a run: in parallel within the thread budget (at most `threads` items, so at most that
/// many decoded images, in memory at once), each item alone (<see cref="ItemRunner"/>), items an earlier run
/// finished kept (`--resume`), and the manifest rewritten at most once a second so a killed batch can resume.
/// With `--max-failures N` no item is started once N have failed (those running finish, kept ones are still kept).
/// </summary>
internal sealed class BatchRunner(RunRequest request, PlanExecutor executor, Manifest header, string manifestPath, Manifest? previous)
{
    /// <summary>Each item's manifest entry (in item order; null for an item not started after --max-failures) and, with --profile, each item's step times.</summary>
    public (IReadOnlyList<ManifestItem?> Items, IReadOnlyList<ProfileRecorder?> Profile) Run(IReadOnlyList<RunItem> items, IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets, int threads)
    {
        var results = new ManifestItem?[items.Count];
        var profile = new ProfileRecorder?[items.Count];
        var sinceWrite = Stopwatch.StartNew();
        var gate = new object();
        var runner = new ItemRunner(request, executor);
        // Failures so far, for --max-failures: counted as soon as an item's run fails (its files may still be
        // committing), or when committing fails an item that ran (Finished; `counted` keeps each item once).
        int failures = 0;
        var counted = new bool[items.Count];

        void Failed(int index)
        {
            if (!counted[index])
            {
                counted[index] = true;
                Interlocked.Increment(ref failures);
            }
        }

        void Finished(int index, ManifestItem item)
        {
            lock (gate)
            {
                results[index] = item;
                if (!item.Succeeded)
                {
                    Failed(index);
                }

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

        int parallelItems = Math.Min(threads, items.Count);

        // With items in parallel, an item's outputs are made durable and renamed by one committer thread, and the item
        // is finished (manifest, progress) once they are: its thread goes on to the next item instead of waiting in
        // fsync (DeferredCommits). One item at a time commits as before, inside AtomicFile.Write.
        using var committer = parallelItems > 1 ? new Committer(request.OutDir, items, targets, Finished) : null;

        void RunOne(int index)
        {
            var item = items[index];
            var outs = targets[item];
            if (previous is not null && Resume.TryKeep(previous, item, outs) is { } kept)
            {
                Finished(index, kept);
                return;
            }

            if (request.MaxFailures is { } max && Volatile.Read(ref failures) >= max)
            {
                return; // --max-failures: not started, not in the manifest (--resume runs it)
            }

            profile[index] = request.ProfilePath is null ? null : new ProfileRecorder();
            if (committer is null)
            {
                Finished(index, runner.Run(item, outs, profile[index]));
                return;
            }

            var files = DeferredCommits.Open();
            try
            {
                var result = runner.Run(item, outs, profile[index]);
                if (!result.Succeeded)
                {
                    lock (gate)
                    {
                        Failed(index);
                    }
                }

                files.Close();
                committer.Add(index, result, files, request.Cancellation);
            }
            catch
            {
                // Not finished (cancelled, or a bug past the item's own handling): its pending files go.
                files.Close();
                files.Discard();
                throw;
            }
        }

        request.Progress?.Started(items.Count);
        try
        {
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
            finally
            {
                // Every item handed over is committed and finished before the manifest is written (also when stopped).
                committer?.Drain();
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

        return (results, profile);
    }

    /// <summary>
    /// The thread that commits items' pending files in the order the items were handed over (a bounded queue: a
    /// slow disk holds the item threads back) and then finishes each item. A file that cannot be made durable or
    /// renamed fails its item, as a failed write does (XRF2020 with the output's path), keeping the outputs
    /// committed before it; the item's later files are deleted.
    /// </summary>
    private sealed class Committer : IDisposable
    {
        private readonly string outDir;
        private readonly IReadOnlyList<RunItem> items;
        private readonly IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets;
        private readonly Action<int, ManifestItem> finished;
        private readonly System.Collections.Concurrent.BlockingCollection<(int Index, ManifestItem Result, DeferredCommits Files)> queue;
        private readonly Thread thread;
        private Exception? crash;
        private bool drained;

        public Committer(string outDir, IReadOnlyList<RunItem> items, IReadOnlyDictionary<RunItem, IReadOnlyList<OutputTarget>> targets, Action<int, ManifestItem> finished)
        {
            this.outDir = Path.GetFullPath(outDir);
            this.items = items;
            this.targets = targets;
            this.finished = finished;
            queue = new(boundedCapacity: 4);
            thread = new Thread(Loop) { IsBackground = true, Name = "xrayflow commits" };
            thread.Start();
        }

        /// <summary>Hands an item over (waits while the queue is full).</summary>
        public void Add(int index, ManifestItem result, DeferredCommits files, CancellationToken cancellation)
            => queue.Add((index, result, files), cancellation);

        /// <summary>Commits and finishes every item handed over, then ends the thread; rethrows what broke the thread, if anything.</summary>
        public void Drain()
        {
            Stop();
            if (crash is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(crash).Throw();
            }
        }

        public void Dispose()
        {
            Stop();
            queue.Dispose();
        }

        private void Stop()
        {
            if (!drained)
            {
                drained = true;
                queue.CompleteAdding();
                thread.Join();
            }
        }

        private void Loop()
        {
            foreach (var (index, result, files) in queue.GetConsumingEnumerable())
            {
                if (crash is not null)
                {
                    files.Discard();
                    continue;
                }

                try
                {
                    finished(index, Committed(items[index], result, files));
                }
                catch (Exception e)
                {
                    crash = e;
                }
            }
        }

        private ManifestItem Committed(RunItem item, ManifestItem result, DeferredCommits files)
        {
            var (inPlace, failure) = files.Commit();
            if (failure is not { } f)
            {
                return result;
            }

            // As a failed write: the item fails with the output's path, and lists the outputs now in place.
            var outs = targets[item];
            var placed = inPlace.ToHashSet(StringComparer.Ordinal);
            string shown = outs.FirstOrDefault(t => Path.GetFullPath(t.FullPath) == f.Final)?.RecordedPath ?? Path.GetRelativePath(outDir, f.Final);
            var kept = outs.Where(t => placed.Contains(Path.GetFullPath(t.FullPath))).Select(t => t.RecordedPath).ToHashSet(StringComparer.Ordinal);
            return result with
            {
                Status = "failed",
                Error = result.Status == "failed" ? result.Error : DiagnosticCodes.OutputWriteFailed.Create(null, shown, f.Reason).Message,
                Outputs = result.Outputs.Where(o => kept.Contains(o.Path)).ToList(),
            };
        }
    }
}

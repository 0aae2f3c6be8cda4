namespace XRayFlow.Pipeline.Outputs;

/// <summary>
/// The files an item wrote whose last two steps wait: while a scope is open on a thread, <see cref="AtomicFile.Write"/>
/// writes the temporary file and closes it, but neither waits for the disk (fsync) nor renames it; it records the
/// pair here. A batch's committer thread then makes each file durable and renames it into place, in the order written,
/// and only then counts the item as finished (manifest, progress). The item's thread meanwhile computes the next item
/// instead of waiting about 1 ms per file in fsync (docs/performance-runner.md). What a crash leaves is unchanged: a
/// final name holds complete, durable contents or the earlier file; a pending file is a `.tmp` the next run removes.
/// </summary>
internal sealed class DeferredCommits
{
    [ThreadStatic]
    private static DeferredCommits? current;

    private readonly List<(string Temp, string Final)> files = [];

    /// <summary>The scope open on this thread, if any.</summary>
    public static DeferredCommits? Current => current;

    /// <summary>The pending files, in the order written: the temporary path and the full final path.</summary>
    public IReadOnlyList<(string Temp, string Final)> Files => files;

    /// <summary>Opens a scope on this thread (one at a time); <see cref="Close"/> ends it.</summary>
    public static DeferredCommits Open()
    {
        if (current is not null)
        {
            throw new InvalidOperationException("a scope of deferred commits is already open on this thread");
        }

        current = new DeferredCommits();
        return current;
    }

    /// <summary>Where the bytes written for <paramref name="path"/> are now: its temporary file while its commit is pending on this thread.</summary>
    public static string Where(string path)
    {
        if (current is null)
        {
            return path;
        }

        string full = Path.GetFullPath(path);
        for (int i = current.files.Count - 1; i >= 0; i--)
        {
            if (current.files[i].Final == full)
            {
                return current.files[i].Temp;
            }
        }

        return path;
    }

    /// <summary>Ends this scope on this thread: later writes are made durable and renamed at once again.</summary>
    public void Close()
    {
        if (current == this)
        {
            current = null;
        }
    }

    /// <summary>
    /// Makes each pending file durable and renames it into place, in order. At the first that fails, the rest are
    /// deleted. Returns the final paths put in place and, if one failed, its final path and the reason.
    /// </summary>
    public (IReadOnlyList<string> InPlace, (string Final, string Reason)? Failure) Commit()
    {
        var inPlace = new List<string>(files.Count);
        (string, string)? failure = null;
        foreach (var (temp, final) in files)
        {
            if (failure is not null)
            {
                AtomicFile.TryDelete(temp);
                continue;
            }

            try
            {
                AtomicFile.Commit(temp, final);
                inPlace.Add(final);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                AtomicFile.TryDelete(temp);
                failure = (final, e.Message);
            }
        }

        files.Clear();
        return (inPlace, failure);
    }

    /// <summary>Deletes every pending file (an item that did not finish: cancelled, or its run threw).</summary>
    public void Discard()
    {
        foreach (var (temp, _) in files)
        {
            AtomicFile.TryDelete(temp);
        }

        files.Clear();
    }

    internal void Add(string temp, string final) => files.Add((temp, Path.GetFullPath(final)));
}

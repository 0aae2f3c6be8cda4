using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// The --out folder of a run: checked before any work (a name that is empty, holds a NUL, or is a file or a
/// device is exit 2), then created, locked for this run (<see cref="OutputFolderLock"/>: a second run into it
/// exits 2 naming the holder), and cleared of the hidden temporaries an earlier, killed run left.
/// </summary>
internal sealed partial class OutputFolder : IDisposable
{
    private readonly OutputFolderLock _lock;

    private OutputFolder(OutputFolderLock held) => _lock = held;

    /// <summary>Problems with --out (and --profile) that are known before anything is read or written (XRF2021).</summary>
    public static void Check(string outDir, string? profilePath, DiagnosticBag diagnostics, string manifestName = Manifest.FileName)
    {
        if (PathProblem(outDir, mustBeFolder: true) is { } why)
        {
            diagnostics.Report(DiagnosticCodes.BadOptionValue, null, "--out", why);
        }
        else if (UntrustedFile.Stat(Path.Combine(outDir, manifestName), followLinks: false).Kind is not (FileKind.Missing or FileKind.Regular) and var kind)
        {
            diagnostics.Report(DiagnosticCodes.BadOptionValue, null, "--out", $"'{Path.Combine(outDir, manifestName)}' is {UntrustedFile.Describe(kind)}; the run writes its manifest there");
        }

        if (profilePath is not null && PathProblem(profilePath, mustBeFolder: false) is { } pwhy)
        {
            diagnostics.Report(DiagnosticCodes.BadOptionValue, null, "--profile", pwhy);
        }
    }

    /// <summary>Why <paramref name="path"/> cannot be the folder (or the file) to write, or null.</summary>
    private static string? PathProblem(string path, bool mustBeFolder)
    {
        string what = mustBeFolder ? "a folder" : "a file";
        if (path.Length == 0)
        {
            return $"must name {what}, not ''";
        }

        if (path.Contains('\0'))
        {
            return "holds a NUL character, which no path can hold";
        }

        var kind = UntrustedFile.Stat(path).Kind;
        var wanted = mustBeFolder ? FileKind.Directory : FileKind.Regular;
        if (kind != FileKind.Missing && kind != wanted)
        {
            return $"'{path}' is {UntrustedFile.Describe(kind)}, not {what}";
        }

        // The nearest existing ancestor must be a folder (a file on the way makes creating it fail late).
        string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
        while (parent is not null && UntrustedFile.Stat(parent).Kind == FileKind.Missing)
        {
            parent = Path.GetDirectoryName(parent);
        }

        if (parent is not null && UntrustedFile.Stat(parent).Kind is not FileKind.Directory and var pk)
        {
            return $"'{parent}' is {UntrustedFile.Describe(pk)}, not a folder";
        }

        return null;
    }

    /// <summary>Creates and locks the folder and removes stale temporaries; null (with the diagnostic) when it cannot be used.</summary>
    public static OutputFolder? Open(string outDir, DiagnosticBag diagnostics) => Open(outDir, diagnostics, null, []);

    /// <summary>
    /// As <see cref="Open(string, DiagnosticBag)"/>, for one shard of a batch when <paramref name="shard"/> is
    /// given: the folder is shared with the other shards (<see cref="OutputFolderLock.TryAcquireShard"/>), so only
    /// the stale temporaries of this shard's own files (<paramref name="ownFiles"/>: its outputs and manifest) are
    /// removed; the other shards' may be in the middle of being written.
    /// </summary>
    public static OutputFolder? Open(string outDir, DiagnosticBag diagnostics, Sharding.Shard? shard, IEnumerable<string> ownFiles)
    {
        OutputFolderLock? held;
        string holder;
        try
        {
            Directory.CreateDirectory(outDir);
            held = shard is null ? OutputFolderLock.TryAcquire(outDir, out holder) : OutputFolderLock.TryAcquireShard(outDir, shard.Tag, out holder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(DiagnosticCodes.BadOptionValue, null, "--out", $"cannot write into '{outDir}': {e.Message}");
            return null;
        }

        if (held is null)
        {
            diagnostics.Report(DiagnosticCodes.OutFolderInUse, null, outDir, holder);
            return null;
        }

        if (shard is null)
        {
            RemoveStaleTemporaries(outDir);
        }
        else
        {
            RemoveStaleTemporaries(ownFiles);
        }

        return new OutputFolder(held);
    }

    /// <summary>
    /// Deletes the stale temporaries (`.name.&lt;32 hex&gt;.tmp`, the name shortened for a long one) of the given files only: each folder they are in
    /// is listed once. Safe while the files' writer holds their lock (a shard's own outputs and manifest).
    /// </summary>
    public static int RemoveStaleTemporaries(IEnumerable<string> files)
    {
        int removed = 0;
        foreach (var group in files.GroupBy(f => Path.GetDirectoryName(Path.GetFullPath(f))!, StringComparer.Ordinal))
        {
            // A temporary's stem is its file's name, or that name shortened with a hash of it (AtomicFile.TempStem).
            var names = group.Select(f => AtomicFile.TempStem(Path.GetFileName(f))).ToHashSet(StringComparer.Ordinal);
            if (UntrustedFile.Stat(group.Key, followLinks: false).Kind != FileKind.Directory)
            {
                continue;
            }

            try
            {
                foreach (var f in Directory.EnumerateFiles(group.Key, "*" + AtomicFile.TempSuffix, new EnumerationOptions { IgnoreInaccessible = true, AttributesToSkip = 0, MatchType = MatchType.Simple }))
                {
                    string name = Path.GetFileName(f);
                    if (TempName().IsMatch(name) && names.Contains(name[1..^(33 + AtomicFile.TempSuffix.Length)]) && TryDelete(f))
                    {
                        removed++;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // An unreadable folder: nothing to clean there.
            }
        }

        return removed;
    }

    /// <summary>
    /// Deletes the `.name.&lt;32 hex&gt;.tmp` files <see cref="AtomicFile"/> leaves when a run is killed while
    /// writing. Safe only while the folder is locked: no other run can be writing them. Links are not followed.
    /// </summary>
    public static int RemoveStaleTemporaries(string outDir)
    {
        int removed = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint, MatchType = MatchType.Simple };
        try
        {
            foreach (var f in Directory.EnumerateFiles(outDir, "*" + AtomicFile.TempSuffix, options))
            {
                if (TempName().IsMatch(Path.GetFileName(f)) && TryDelete(f))
                {
                    removed++;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // An unreadable subfolder: nothing more to clean there.
        }

        return removed;
    }

    /// <summary>Deletes a left-over temporary file; false when it cannot be (left for the next run).</summary>
    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => _lock.Dispose();

    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$", RegexOptions.CultureInvariant)]
    private static partial Regex TempName();
}

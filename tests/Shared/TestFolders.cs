using System.Collections.Concurrent;
using System.Globalization;

namespace XRayFlow.Tests.Shared;

/// <summary>
/// Temporary folders for tests: <c>(temp)/(area)/(process id)/(GUID)</c>. A process's folder is deleted when it exits
/// where the test host lets the handler run; otherwise the next run deletes it (the folders of processes no longer
/// running, and GUID-named folders older than a day, as runs made them before). Every test run used to leave its
/// folders behind, some 0.8 GB a run over the test projects, until a developer's disk was full. The process id keeps
/// the path short: Slurm's tests put munge's socket under it. Linked into every test project by
/// tests/Directory.Build.props.
/// </summary>
internal static class TestFolders
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Roots = new();

    /// <summary>A fresh, empty folder under <paramref name="area"/> (tests never share one).</summary>
    public static string Create(string area)
    {
        string dir = Path.Combine(Roots.GetOrAdd(area, a => new Lazy<string>(() => Root(a))).Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Root(string area)
    {
        string parent = Path.Combine(Path.GetTempPath(), area);
        Directory.CreateDirectory(parent);
        foreach (var old in new DirectoryInfo(parent).EnumerateDirectories())
        {
            bool stale = int.TryParse(old.Name, out int pid)
                ? pid != Environment.ProcessId && !Running(pid)
                : old.LastWriteTimeUtc < DateTime.UtcNow.AddDays(-1);
            if (stale)
            {
                TryDelete(old.FullName);
            }
        }

        string root = Path.Combine(parent, Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    }

    private static bool Running(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A test that made a folder unreadable on purpose, or another run's files in use: what is left there stays.
        }
    }
}

using System.Text;
using XRayFlow.Cli;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Report.Tests;

/// <summary>Temporary folders, small images, and the CLI run in-process.</summary>
internal static class Kit
{
    public static string Root { get; } = FindRoot();

    public sealed record Result(int Exit, string Out, string Err);

    public static Result Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CliApp.Run(args, new CliHost { Out = stdout, Err = stderr, Interactive = false });
        return new Result(exit, stdout.ToString(), stderr.ToString());
    }

    public static string TempDir()
    {
        string dir = Path.Combine(RunRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// This test process's folder, xrf-report-tests/(process id), deleted when the process exits; creating it deletes the folders
    /// of processes that no longer run (and, older than a day, those named by GUID alone, as runs before this one
    /// made them). Every test run left its folders behind, some 0.8 GB a run over the three test projects, until a
    /// developer's disk was full. The process id keeps the path short: Slurm's tests put munge's socket under it.
    /// </summary>
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        string parent = Path.Combine(Path.GetTempPath(), "xrf-report-tests");
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

        string root = Path.Combine(parent, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    });

    private static bool Running(int pid)
    {
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
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

    /// <summary>A grey 8-bit PNG of a smooth pattern with an edge (values 0..255), distinct per seed.</summary>
    public static string Png(string path, int rows, int cols, int seed = 0)
    {
        var a = new ImageArray(rows, cols);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double v = 120 + (90 * Math.Sin((r + seed) / 7.0) * Math.Cos(c / 11.0)) + (c > cols / 2 ? 30 : 0);
                a[r, c] = (float)Math.Clamp(Math.Round(v), 0, 255);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        PngWriter.Write(path, a);
        return path;
    }

    /// <summary>A file named .png that is not one.</summary>
    public static string Corrupt(string path)
    {
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("this is not a PNG file at all"));
        return path;
    }

    public static string Write(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal));
        return path;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "XRayFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("XRayFlow.sln not found above " + AppContext.BaseDirectory);
    }
}

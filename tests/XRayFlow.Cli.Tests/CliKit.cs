using System.Diagnostics;

namespace XRayFlow.Cli.Tests;

/// <summary>Runs the CLI in-process (captured stdout/stderr) or as a real process, on temporary folders.</summary>
internal static class CliKit
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

    public static Result RunProcess(string workingDir, params string[] args) => RunProcess(workingDir, TimeSpan.FromMinutes(5), args);

    /// <summary>Runs xrayflow as a process; one still running after <paramref name="limit"/> is killed and reported as exit -1 (a hang).</summary>
    public static Result RunProcess(string workingDir, TimeSpan limit, params string[] args) => RunProcess(workingDir, limit, null, args);

    /// <summary>
    /// As <see cref="RunProcess(string, TimeSpan, string[])"/>, with <paramref name="environment"/> set for the
    /// process. The scheduler's variables (SLURM_*, JOB_COMPLETION_INDEX, XRAYFLOW_SHARDS) are never inherited, so
    /// the tests behave the same inside a Slurm job or a Kubernetes pod.
    /// </summary>
    public static Result RunProcess(string workingDir, TimeSpan limit, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("SLURM_", StringComparison.Ordinal) || k is "JOB_COMPLETION_INDEX" or "XRAYFLOW_SHARDS").ToList())
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xrayflow.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            return new Result(-1, o.Result, e.Result + $"\n(killed: still running after {limit})");
        }

        p.WaitForExit();
        return new Result(p.ExitCode, o.Result, e.Result);
    }

    public static string TempDir()
    {
        string dir = Path.Combine(RunRoot.Value, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>
    /// This test process's folder, xrf-cli-tests/(process id), deleted when the process exits; creating it deletes the folders
    /// of processes that no longer run (and, older than a day, those named by GUID alone, as runs before this one
    /// made them). Every test run left its folders behind, some 0.8 GB a run over the three test projects, until a
    /// developer's disk was full. The process id keeps the path short: Slurm's tests put munge's socket under it.
    /// </summary>
    private static readonly Lazy<string> RunRoot = new(() =>
    {
        string parent = Path.Combine(Path.GetTempPath(), "xrf-cli-tests");
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

    public static IReadOnlyList<string> CopySamples(string dir, int count)
    {
        Directory.CreateDirectory(dir);
        var list = new List<string>();
        for (int i = 0; i < count; i++)
        {
            string name = $"00000011_00{i}.png";
            string dst = Path.Combine(dir, name);
            File.Copy(Path.Combine(Root, "pipelines", "samples", name), dst);
            list.Add(dst);
        }

        return list;
    }

    /// <summary>Sobel pair, |gx| and a stats table: ops from the real registry.</summary>
    public const string Sobel = """
        xrayflow: 1
        name: sobel-test
        inputs:
          xray: {kind: image, default: images/00000011_000.png}
        steps:
          - id: gx
            op: sobel
            axis: 0
          - id: gy
            op: sobel
            in: xray
            axis: 1
          - id: ax
            op: abs
            in: gx
        outputs:
          ax: {from: ax, path: "{stem}_ax.png"}
          gy: {from: gy, path: "npy/{stem}_gy.npy"}
        """;

    /// <summary>A folder with the recipe (recipe.yaml) and one sample in images/.</summary>
    public static string Project(string yaml = Sobel, int samples = 1)
    {
        string dir = TempDir();
        File.WriteAllText(Path.Combine(dir, "recipe.yaml"), yaml);
        CopySamples(Path.Combine(dir, "images"), samples);
        return dir;
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "XRayFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("XRayFlow.sln not found");
    }
}

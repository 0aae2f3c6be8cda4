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
        => XRayFlow.Tests.Shared.TestFolders.Create("xrf-cli-tests");

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

using System.Diagnostics;
using System.Text;

namespace XRayFlow.Packaging.Tests;

/// <summary>Runs a child process to completion with a time limit, capturing its output.</summary>
public static class Proc
{
    public sealed record Result(int ExitCode, string Out, string Err, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout\n{Tail(Out)}\n--- stderr\n{Tail(Err)}";

        private static string Tail(string s) => s.Length > 6000 ? "..." + s[^6000..] : s;
    }

    public static Result Run(string file, IEnumerable<string> args, string? cwd = null, IDictionary<string, string?>? env = null, bool cleanEnv = false, int timeoutSeconds = 300)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = cwd ?? Repo.Root,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (cleanEnv)
        {
            psi.Environment.Clear();
        }
        else
        {
            // The test host runs under `dotnet test`: its MSBuild variables must not steer a child `dotnet pack`.
            foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("MSBUILD", StringComparison.Ordinal)).ToList())
            {
                psi.Environment.Remove(key);
            }

            psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            psi.Environment["DOTNET_NOLOGO"] = "1";
            psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string?>())
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        p.StandardInput.Close();
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(timeoutSeconds * 1000))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {timeoutSeconds} s\n{stdout}\n{stderr}");
        }

        p.WaitForExit();
        return new Result(p.ExitCode, stdout.ToString(), stderr.ToString(), sw.Elapsed);
    }

    /// <summary>`dotnet ARGS` with build servers off (nothing left running after the test).</summary>
    public static Result Dotnet(params string[] args) => Run("dotnet", args, timeoutSeconds: 600);

    public static Result Ok(this Result r, string what)
    {
        Assert.True(r.ExitCode == 0, $"{what} failed: {r}");
        return r;
    }
}

/// <summary>Paths of the repository the tests run from.</summary>
public static class Repo
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "XRayFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("XRayFlow.sln not found above " + AppContext.BaseDirectory);
    }
}

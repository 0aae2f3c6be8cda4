using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace XRayFlow.Cli.Tests;

/// <summary>
/// A real single-node Slurm cluster on localhost for one test: munged, slurmctld and slurmd started in the
/// background from a temporary folder (their own key, socket, state, spool, logs and ports; nothing under /etc
/// or /var is used), with `ProctrackType=proctrack/linuxproc`, `TaskPlugin=task/none`, no accounting, and the
/// node's CPUs and memory from `slurmd -C`. Disposing it cancels the jobs it submitted (scancel) and then
/// stops only the processes it started, by their recorded ids.
/// </summary>
internal sealed class SlurmCluster : IDisposable
{
    private static readonly string[] Programs = ["munged", "slurmctld", "slurmd", "sbatch", "scancel", "sinfo"];

    private readonly List<(string Name, Process Process, StringBuilder Output)> _daemons = [];
    private readonly List<string> _jobs = [];

    private SlurmCluster(string dir)
    {
        Dir = dir;
        Conf = Path.Combine(dir, "slurm.conf");
    }

    public string Dir { get; }

    public string Conf { get; }

    /// <summary>Why this machine cannot run the cluster (a program missing, not Linux, not root), or null.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "the Slurm test runs on Linux only";
        }

        var missing = Programs.Where(p => Find(p) is null).ToList();
        if (missing.Count > 0)
        {
            return $"Slurm is not installed here ({string.Join(", ", missing)} not found) and apt-get could not install it: .ci/run installs slurmctld slurmd slurm-client munge with apt-get when it runs as root";
        }

        return geteuid() != 0 ? "the Slurm daemons of this test run as root (slurmd starts the jobs), and this is not root" : null;
    }

    /// <summary>A program on PATH or in the sbin folders (where Debian puts munged, slurmctld and slurmd).</summary>
    public static string? Find(string program)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"]);
        return folders.Select(f => Path.Combine(f, program)).FirstOrDefault(File.Exists);
    }

    /// <summary>Starts the three daemons in <paramref name="dir"/> and waits until the node is idle.</summary>
    public static SlurmCluster Start(string dir)
    {
        var c = new SlurmCluster(dir);
        try
        {
            if (OperatingSystem.IsWindows())
            {
                throw new PlatformNotSupportedException("Slurm runs on Linux");
            }

            c.StartAll();
        }
        catch
        {
            c.Dispose();
            throw;
        }

        return c;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private void StartAll()
    {
        string munge = Path.Combine(Dir, "munge");
        string log = Path.Combine(Dir, "log");
        Directory.CreateDirectory(munge);
        Directory.CreateDirectory(log);
        Directory.CreateDirectory(Path.Combine(Dir, "state"));
        Directory.CreateDirectory(Path.Combine(Dir, "spool"));
        File.SetUnixFileMode(munge, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        string key = Path.Combine(munge, "munge.key");
        File.WriteAllBytes(key, RandomNumberGenerator(1024));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        string socket = Path.Combine(munge, "munge.sock");

        Daemon("munged", "-F", "--force", $"--socket={socket}", $"--key-file={key}", $"--log-file={Path.Combine(log, "munged.log")}", $"--pid-file={Path.Combine(munge, "munged.pid")}", $"--seed-file={Path.Combine(munge, "munged.seed")}");
        WaitFor(() => File.Exists(socket), TimeSpan.FromSeconds(20), "munged's socket");

        // The node as slurmd sees it: "NodeName=vm CPUs=2 Boards=1 ... RealMemory=24105".
        var node = Run(Find("slurmd")!, TimeSpan.FromSeconds(30), "-C");
        string nodeLine = node.Out.Split('\n').First(l => l.StartsWith("NodeName=", StringComparison.Ordinal)).Trim();
        string nodeName = nodeLine.Split(' ')[0]["NodeName=".Length..];
        int ctldPort = FreePort();
        int slurmdPort = FreePort();
        File.WriteAllText(Path.Combine(Dir, "plugstack.conf"), string.Empty);
        File.WriteAllText(Conf, string.Join("\n",
            "ClusterName=xrftest",
            $"SlurmctldHost={nodeName}(127.0.0.1)",
            $"SlurmctldPort={ctldPort}",
            $"SlurmdPort={slurmdPort}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            $"AuthInfo=socket={socket}",
            "SlurmUser=root",
            "SlurmdUser=root",
            $"StateSaveLocation={Path.Combine(Dir, "state")}",
            $"SlurmdSpoolDir={Path.Combine(Dir, "spool")}",
            $"SlurmctldPidFile={Path.Combine(Dir, "slurmctld.pid")}",
            $"SlurmdPidFile={Path.Combine(Dir, "slurmd.pid")}",
            $"SlurmctldLogFile={Path.Combine(log, "slurmctld.log")}",
            $"SlurmdLogFile={Path.Combine(log, "slurmd.log")}",
            $"PlugStackConfig={Path.Combine(Dir, "plugstack.conf")}",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "JobAcctGatherType=jobacct_gather/none",
            "AccountingStorageType=accounting_storage/none",
            "JobCompType=jobcomp/none",
            "MpiDefault=none",
            "SchedulerType=sched/builtin",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_CPU",
            "ReturnToService=2",
            "SlurmctldTimeout=30",
            "SlurmdTimeout=30",
            "MinJobAge=4", // sbatch --wait polls every 2 s only while its sleep is under MinJobAge / 2 (else 8, then 32 s)
            $"{nodeLine.Replace($"NodeName={nodeName}", $"NodeName={nodeName} NodeAddr=127.0.0.1", StringComparison.Ordinal)} State=UNKNOWN",
            "PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            string.Empty));

        Daemon("slurmctld", "-D", "-i", "-f", Conf);
        Daemon("slurmd", "-D", "-f", Conf, "-N", nodeName);
        WaitFor(() => Run(Find("sinfo")!, TimeSpan.FromSeconds(20), "-h", "-o", "%T").Out.Trim() == "idle", TimeSpan.FromSeconds(60), "the node to be idle (sinfo)");
    }

    /// <summary>Runs sbatch (with --wait it returns when every task has ended: its exit is the highest of theirs) and records the job for scancel.</summary>
    public (int Exit, string Out, string Err) Sbatch(TimeSpan limit, params string[] args)
    {
        var r = Run(Find("sbatch")!, limit, args);
        foreach (var line in r.Out.Split('\n'))
        {
            if (line.StartsWith("Submitted batch job ", StringComparison.Ordinal))
            {
                _jobs.Add(line["Submitted batch job ".Length..].Trim());
            }
        }

        return r;
    }

    /// <summary>What the daemons printed and logged, for a failing assertion's message.</summary>
    public string Logs()
    {
        var sb = new StringBuilder();
        foreach (var (name, p, output) in _daemons)
        {
            lock (output)
            {
                sb.Append(CultureInfo.InvariantCulture, $"--- {name} (pid {p.Id}{(p.HasExited ? $", exited {p.ExitCode}" : string.Empty)}):\n{output}\n");
            }
        }

        foreach (var f in Directory.Exists(Path.Combine(Dir, "log")) ? Directory.GetFiles(Path.Combine(Dir, "log"), "*.log") : [])
        {
            var lines = File.ReadAllLines(f);
            sb.Append(CultureInfo.InvariantCulture, $"--- {Path.GetFileName(f)} (last lines):\n{string.Join("\n", lines.TakeLast(15))}\n");
        }

        return sb.ToString();
    }

    public void Dispose()
    {
        // 1. The jobs this test submitted.
        if (_jobs.Count > 0 && Find("scancel") is { } scancel && _daemons.Any(d => d.Name == "slurmctld" && !d.Process.HasExited))
        {
            try
            {
                Run(scancel, TimeSpan.FromSeconds(30), [.. _jobs]);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // The daemons stop below all the same.
            }
        }

        // 2. Only the daemons started here, by their recorded process ids: SIGTERM, then SIGKILL after 10 s.
        foreach (var (_, p, _) in Enumerable.Reverse(_daemons))
        {
            if (!p.HasExited)
            {
                _ = kill(p.Id, 15);
            }
        }

        foreach (var (_, p, _) in _daemons)
        {
            if (!p.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                p.Kill();
                p.WaitForExit(TimeSpan.FromSeconds(10));
            }

            p.Dispose();
        }

        _daemons.Clear();
    }

    private void Daemon(string name, params string[] args)
    {
        var psi = Info(Find(name)!, args);
        var output = new StringBuilder();
        var p = new Process { StartInfo = psi };
        void Append(object s, DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            }
        }

        p.OutputDataReceived += Append;
        p.ErrorDataReceived += Append;
        p.Start();
        _daemons.Add((name, p, output));
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
    }

    private ProcessStartInfo Info(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Dir,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // Every Slurm program of this test talks to this cluster only; nothing of a scheduler around the test leaks in.
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("SLURM_", StringComparison.Ordinal) || k is "JOB_COMPLETION_INDEX" or "XRAYFLOW_SHARDS").ToList())
        {
            psi.Environment.Remove(name);
        }

        psi.Environment["SLURM_CONF"] = Conf;
        return psi;
    }

    private (int Exit, string Out, string Err) Run(string program, TimeSpan limit, params string[] args)
    {
        using var p = Process.Start(Info(program, args))!;
        p.StandardInput.Close();
        var o = p.StandardOutput.ReadToEndAsync();
        var e = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill();
            p.WaitForExit();
            return (-1, o.Result, e.Result + $"\n({Path.GetFileName(program)} killed: still running after {limit})");
        }

        p.WaitForExit();
        return (p.ExitCode, o.Result, e.Result);
    }

    private void WaitFor(Func<bool> ready, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!ready())
        {
            if (clock.Elapsed > limit)
            {
                throw new TimeoutException($"waited {limit.TotalSeconds} s for {what}\n{Logs()}");
            }

            Thread.Sleep(250);
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static byte[] RandomNumberGenerator(int n) => System.Security.Cryptography.RandomNumberGenerator.GetBytes(n);

    [DllImport("libc")]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}

/// <summary>A test that needs a Slurm cluster: skipped, with the reason printed by the test runner, where Slurm is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SlurmFactAttribute : FactAttribute
{
    public SlurmFactAttribute()
    {
        if (SlurmCluster.Unavailable() is { } why)
        {
            Skip = why;
        }
    }
}

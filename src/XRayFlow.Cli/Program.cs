using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["--version"] or ["-v"])
        {
            // Answered before the command framework loads: `xrayflow --version` is what scripts call first.
            Console.Out.WriteLine(VersionText);
            return 0;
        }

        if (args is [("run" or "validate" or "plan" or "test" or "verify" or "watch"), ..])
        {
            // These read a recipe: warm the YAML parser, the op registry and SHA-256 on the other core meanwhile.
            Pipeline.StartupWarmup.Start();
        }

        using var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C: stop cleanly (atomic outputs never leave a half file); second: the default kill.
            if (!cts.IsCancellationRequested)
            {
                e.Cancel = true;
                cts.Cancel();
            }
        };

        // SIGTERM (what Slurm's scancel and time limit, kill and systemd send) and SIGHUP (a closed terminal) stop
        // the same clean way: the items done are in manifest.json, the lock is removed, `--resume` goes on from
        // there; the exit code is the shell's for that signal (143, 129). A second one is the default kill.
        int stoppedBy = 0;
        void Stop(System.Runtime.InteropServices.PosixSignalContext c)
        {
            if (!cts.IsCancellationRequested)
            {
                c.Cancel = true;
                stoppedBy = c.Signal == System.Runtime.InteropServices.PosixSignal.SIGTERM ? 15 : 1;
                cts.Cancel();
            }
        }

        using var term = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
        using var hangUp = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, Stop);
        int exit = CliApp.Run(args, CliHost.FromConsole(cts.Token));
        return exit == ExitCodes.Cancelled && stoppedBy != 0 ? 128 + stoppedBy : exit;
    }

    /// <summary>`xrayflow 0.1.0 (commit 0123abc...)`: the package version and the git commit the build came from.</summary>
    public static string VersionText
    {
        get
        {
            string info = typeof(Program).Assembly
                .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion ?? "0.0.0";
            int plus = info.IndexOf('+', StringComparison.Ordinal);
            return plus < 0 ? $"xrayflow {info} (commit unknown)" : $"xrayflow {info[..plus]} (commit {info[(plus + 1)..]})";
        }
    }
}

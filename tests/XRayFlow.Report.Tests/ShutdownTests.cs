using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace XRayFlow.Report.Tests;

/// <summary>`xrayflow watch` as its own process: Ctrl+C (SIGINT) and `kill` (SIGTERM) stop it cleanly, exit 0, temporary folder gone, port closed.</summary>
public sealed partial class ShutdownTests
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [GeneratedRegex(@"open http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex Opened();

    [GeneratedRegex(@"outputs and report\.html in (.+?) \(removed on exit\)")]
    private static partial Regex FolderLine();

    [Theory]
    [InlineData(2, "SIGINT (Ctrl+C)")]
    [InlineData(15, "SIGTERM (kill)")]
    public async Task ASignalStopsTheSessionCleanly(int signal, string what)
    {
        string dir = Kit.TempDir();
        Kit.Png(Path.Combine(dir, "img.png"), 64, 80);
        Kit.Write(Path.Combine(dir, "r.yaml"), WatchServerTests.Recipe);
        // Started through env --default-signal, as SignalStopTests' batches: a test host started in the background (a
        // shell's `&`, nohup) ignores SIGINT, an ignored signal stays ignored in its children, and the session would
        // then never see this Ctrl+C (the test waited its minute and failed in such a run, 2026-12-07).
        var start = new ProcessStartInfo("env")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add("--default-signal=INT,TERM");
        start.ArgumentList.Add("dotnet");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xrayflow.dll"));
        start.ArgumentList.Add("watch");
        start.ArgumentList.Add("r.yaml");
        using var p = Process.Start(start)!;
        var lines = new List<string>();
        var err = p.StandardError.ReadToEndAsync();
        var reader = Task.Run(() =>
        {
            while (p.StandardOutput.ReadLine() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });
        string Out()
        {
            lock (lines)
            {
                return string.Join("\n", lines);
            }
        }

        var sw = Stopwatch.StartNew();
        while (!Out().Contains("run 1: 1 of 1 input", StringComparison.Ordinal))
        {
            Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2) && !p.HasExited, $"no first run:\n{Out()}\n{(p.HasExited ? await err : string.Empty)}");
            await Task.Delay(50);
        }

        int port = int.Parse(Opened().Match(Out()).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        string folder = FolderLine().Match(Out()).Groups[1].Value;
        Assert.True(Directory.Exists(Path.Combine(folder)), folder);
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));

        Assert.Equal(0, kill(p.Id, signal));
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await p.WaitForExitAsync(limit.Token); // throws when still running a minute later
        }

        await reader.WaitAsync(TimeSpan.FromSeconds(10));
        string errors = await err;
        Assert.True(p.ExitCode == 0, $"{what}: exit {p.ExitCode}\n{Out()}\n{errors}");
        Assert.Contains("xrayflow: stopped watching", Out(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", errors, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder), $"{folder} left behind");
        using var client = new System.Net.Sockets.TcpClient();
        Assert.ThrowsAny<System.Net.Sockets.SocketException>(() => client.Connect("127.0.0.1", port));
    }
}

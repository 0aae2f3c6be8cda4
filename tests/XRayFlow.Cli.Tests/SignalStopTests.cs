using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace XRayFlow.Cli.Tests;

/// <summary>
/// A batch stopped by a signal, as a real process: Ctrl+C (SIGINT), Slurm's scancel or time limit and kill (SIGTERM),
/// a closed terminal (SIGHUP) all stop it cleanly, with the shell's exit code for the signal, no lock left, and every
/// input done so far in manifest.json, so `--resume` goes on from there.
/// </summary>
public class SignalStopTests
{
    private static string P(params string[] parts) => Path.Combine(parts);

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("HUP", 129)]
    [InlineData("INT", 130)]
    public async Task ASignalledBatchStopsCleanlyAndResumes(string signal, int exit)
    {
        // SIGTERM killed the process at once (exit 143 from the kernel's default action): .xrayflow.lock was left,
        // and manifest.json held only the items of its last progressive write, up to a second old.
        string dir = CliKit.TempDir();
        string images = P(dir, "images");
        var samples = CliKit.CopySamples(P(dir, "samples"), 9);
        Directory.CreateDirectory(images);
        for (int i = 0; i < 60; i++)
        {
            File.Copy(samples[i % 9], P(images, $"img{i:D2}.png"));
        }

        string outDir = P(dir, "out");
        // Started through env --default-signal: a test host may ignore these signals, and an ignored signal stays
        // ignored in its children (the runtime then installs no handler), as under nohup.
        var psi = new ProcessStartInfo("env") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "--default-signal=TERM,INT,HUP", "dotnet", P(AppContext.BaseDirectory, "xrayflow.dll"), "run", P(CliKit.Root, "pipelines", "compare.yaml"), "--input", "xray=" + images, "--out", outDir, "--threads", "2" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var waited = Stopwatch.StartNew();
        while (Outputs(outDir) < 2 && !p.HasExited && waited.Elapsed < TimeSpan.FromMinutes(3))
        {
            Thread.Sleep(50);
        }

        string seen = $"signalled after {waited.Elapsed.TotalSeconds:F1} s with {Outputs(outDir)} outputs";
        if (p.HasExited)
        {
            Assert.Fail("the batch ended before it could be signalled: " + await stderr);
        }

        int number = signal switch { "TERM" => 15, "HUP" => 1, _ => 2 };
        Assert.True(kill(p.Id, number) == 0, $"kill -{signal} {p.Id} ({seen}): error {Marshal.GetLastPInvokeError()}");

        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3)))
        {
            await p.WaitForExitAsync(limit.Token);
        }

        string err = await stderr;
        await stdout;
        Assert.True(p.ExitCode == exit, $"exit {p.ExitCode} ({seen}): {err}");
        Assert.Contains("xrayflow: cancelled", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.False(File.Exists(P(outDir, ".xrayflow.lock")));

        // Every figure on disk is an item of the manifest, done: none was finished and left out.
        using (var doc = JsonDocument.Parse(File.ReadAllText(P(outDir, "manifest.json"))))
        {
            var items = doc.RootElement.GetProperty("items").EnumerateArray().ToList();
            Assert.All(items, i => Assert.Equal("ok", i.GetProperty("status").GetString()));
            Assert.Equal(Outputs(outDir), items.Count);
            Assert.InRange(items.Count, 2, 59);
        }

        int done = Outputs(outDir);
        var resumed = CliKit.RunProcess(dir, "run", P(CliKit.Root, "pipelines", "compare.yaml"), "--input", "xray=" + images, "--out", outDir, "--resume");
        Assert.True(resumed.Exit == 0, resumed.Err);
        using var final = JsonDocument.Parse(File.ReadAllText(P(outDir, "manifest.json")));
        var statuses = final.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("status").GetString()).ToList();
        Assert.Equal(60, statuses.Count);
        Assert.Equal(done, statuses.Count(s => s == "resumed"));
    }

    [Fact]
    public async Task ASignalStopsALongStepWithinABlockOfRows()
    {
        // One median_filter of size 61 on 2048 x 2048 runs for a minute or more; the signal used to wait for its end
        // (Slurm's SIGKILL comes 30 s after its SIGTERM). Its kernel now checks between blocks of rows. (One NaN keeps
        // the frame on the sliding sorted window: without it, its values are ranked tile by tile and the step takes
        // about a second.)
        string dir = CliKit.TempDir();
        var rng = new Random(3);
        var image = new XRayFlow.Core.Imaging.ImageArray(2048, 2048);
        for (int k = 0; k < image.Length; k++)
        {
            image.Data[k] = (float)rng.NextDouble();
        }

        image.Data[12345] = float.NaN;

        XRayFlow.Core.Codecs.Npy.NpyWriter.Write(P(dir, "big.npy"), image);
        File.WriteAllText(P(dir, "slow.yaml"), """
            xrayflow: 1
            name: slow
            inputs:
              xray: {kind: image}
            steps:
              - {id: median, op: median_filter, size: 61, in: xray}
            outputs:
              median: "median.npy"
            """);
        string outDir = P(dir, "out");
        var psi = new ProcessStartInfo("env") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in new[] { "--default-signal=TERM", "dotnet", P(AppContext.BaseDirectory, "xrayflow.dll"), "run", "slow.yaml", "--input", "xray=big.npy", "--out", outDir, "--threads", "2" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // The run has started its step once its lock is there and a few seconds have passed (decoding 16 MB).
        var waited = Stopwatch.StartNew();
        while (!File.Exists(P(outDir, ".xrayflow.lock")) && !p.HasExited && waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            Thread.Sleep(50);
        }

        Thread.Sleep(3000);
        Assert.False(p.HasExited, "the run ended before it could be signalled: " + (p.HasExited ? await stderr : ""));
        Assert.True(kill(p.Id, 15) == 0, $"kill -TERM {p.Id}: error {Marshal.GetLastPInvokeError()}");
        var signalled = Stopwatch.StartNew();
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5)))
        {
            await p.WaitForExitAsync(limit.Token);
        }

        // Stopping takes a block of rows (2^24 window cells: well under a second); the step alone needs far more
        // than 20 s on any machine this runs on (about 60 s on the 2-core CI machine).
        Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(20), $"the run took {signalled.Elapsed.TotalSeconds:F1} s to stop after SIGTERM");
        string err = await stderr;
        await stdout;
        Assert.True(p.ExitCode == 143, $"exit {p.ExitCode}: {err}");
        Assert.Contains("xrayflow: cancelled", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.False(File.Exists(P(outDir, "median.npy")));
        Assert.False(File.Exists(P(outDir, ".xrayflow.lock")));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private static int Outputs(string outDir)
        => Directory.Exists(outDir) ? Directory.GetFiles(outDir, "*_compare.png").Length : 0;
}

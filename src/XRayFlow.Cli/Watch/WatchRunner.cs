using System.Globalization;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Watch;

/// <summary>`xrayflow watch`: the output folder, the server, the session loop, and a clean stop on Ctrl+C.</summary>
internal sealed class WatchRunner(CliHost host)
{
    public int Run(string recipePath, IReadOnlyList<KeyValuePair<string, string>> sets, IReadOnlyList<string> inputs, int port, string? outDir, int threads)
    {
        if (outDir is not null && RecipeRunner.OutFolderProblems(outDir) is { Count: > 0 } problems)
        {
            // An unusable --out is the command line's: refused now (exit 2), not shown as the recipe's error forever.
            host.Report(problems);
            return ExitCodes.Invalid;
        }

        bool temporary = outDir is null;
        string folder = outDir ?? Path.Combine(Path.GetTempPath(), "xrayflow-watch-" + Guid.NewGuid().ToString("N")[..12]);
        if (temporary)
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(folder);
            }
            else
            {
                Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        try
        {
            var session = new WatchSession(new WatchOptions { RecipePath = recipePath, Sets = sets, Inputs = inputs, OutDir = folder, Threads = threads }, host);
            // `kill` and a closed terminal stop the session as Ctrl+C does (Program turns SIGTERM and SIGHUP into the
            // host's cancellation): the server closes, the temporary folder goes.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(host.Cancellation);

            Microsoft.AspNetCore.Builder.WebApplication app;
            int actual;
            try
            {
                (app, actual) = WatchServer.StartAsync(session, Path.GetFileNameWithoutExtension(recipePath), port, stop.Token).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
            {
                host.Report(DiagnosticCodes.WatchServerFailed.Create(null, port, CliApp.OneLine(e.Message)));
                return ExitCodes.Invalid;
            }

            host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: watching {recipePath}; open http://127.0.0.1:{actual}/ (Ctrl+C to stop)"));
            host.Out.WriteLine($"xrayflow: outputs and report.html in {folder}{(temporary ? " (removed on exit)" : string.Empty)}");
            try
            {
                session.RunAsync(stop.Token).GetAwaiter().GetResult();
            }
            finally
            {
                stop.Cancel();
                app.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
                app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            host.Out.WriteLine("xrayflow: stopped watching");
            return ExitCodes.Success;
        }
        finally
        {
            if (temporary)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    host.Err.WriteLine($"xrayflow: could not remove {folder}: {e.Message}");
                }
            }
        }
    }
}

namespace XRayFlow.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
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
        return CliApp.Run(args, CliHost.FromConsole(cts.Token));
    }
}

using System.Security.Cryptography;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline;

/// <summary>
/// Start-up work every recipe command needs, done on another thread while the main one parses the command line and
/// reads the recipe (issue 13: a one-shot run is mostly start-up). Each piece is idempotent and thread-safe: a class
/// constructor (the runtime runs it once; a thread that needs it meanwhile waits), a Lazy, a first hash. Nothing it
/// does is observable; without it the same work happens on the main thread when first needed.
/// </summary>
public static class StartupWarmup
{
    /// <summary>Starts the warm-up on a background thread (it never keeps the process alive).</summary>
    public static void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "xrayflow warm-up" };
        thread.Start();
    }

    private static void Run()
    {
        try
        {
            // YamlDotNet's parser builds a compiled Regex in a static constructor on its first document (~10 ms).
            _ = Syntax.YamlTreeReader.Read("a: 1\n", "warm-up.yaml", new Core.Diagnostics.DiagnosticBag());
            _ = OpRegistry.All.Count;
            _ = SHA256.HashData([]);
        }
        catch (Exception)
        {
            // Only a warm-up: the main thread will do (and report) whatever this could not.
        }
    }
}

using System.Runtime.CompilerServices;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// The expression cache's secret key for this test run: a fresh file under the temporary folder (named through
/// XRAYFLOW_KEY_FILE, so probe child processes share it), never the user's own ~/.config/xrayflow/cache.key.
/// A child process (Program) inherits the variable and keeps it; only the process that set it deletes the folder.
/// </summary>
internal static class TestKeyFile
{
    public static string Folder { get; } = Path.Combine(Path.GetTempPath(), "xrf-test-key-" + Guid.NewGuid().ToString("N"));

    [ModuleInitializer]
    internal static void Enable()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RoslynExpressionCompiler.KeyFileVariable)))
        {
            return;
        }

        Environment.SetEnvironmentVariable(RoslynExpressionCompiler.KeyFileVariable, Path.Combine(Folder, "cache.key"));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        };
    }
}

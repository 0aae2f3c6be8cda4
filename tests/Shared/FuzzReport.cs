namespace XRayFlow.Tests.Shared;

/// <summary>
/// The long fuzz runs' knobs (docs/security.md "Long fuzz runs"): XRAYFLOW_FUZZ_SECONDS, how long a harness runs
/// (not set or not positive: its short default), and XRAYFLOW_FUZZ_REPORT=PATH, where each harness writes its counts
/// as PATH.NAME. Linked into every test project by tests/Directory.Build.props.
/// </summary>
internal static class FuzzReport
{
    /// <summary>XRAYFLOW_FUZZ_SECONDS when it is a positive number, else -1.</summary>
    public static int Seconds => int.TryParse(Environment.GetEnvironmentVariable("XRAYFLOW_FUZZ_SECONDS"), out int s) && s > 0 ? s : -1;

    /// <summary>Writes <paramref name="lines"/> to XRAYFLOW_FUZZ_REPORT.<paramref name="name"/> when that variable is set.</summary>
    public static void Write(string name, IEnumerable<string> lines)
    {
        if (Environment.GetEnvironmentVariable("XRAYFLOW_FUZZ_REPORT") is { Length: > 0 } report)
        {
            File.WriteAllLines($"{report}.{name}", lines);
        }
    }
}

using System.Reflection;

namespace XRayFlow;

/// <summary>The build's version and commit, from the assembly's informational version (<c>0.1.0+&lt;commit&gt;</c>).</summary>
internal static class VersionInfo
{
    private static readonly string Informational =
        typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static string Version => Informational.Split('+')[0];

    public static string? Commit => Informational.Split('+') is [_, var c, ..] && c.Length > 0 ? c : null;
}

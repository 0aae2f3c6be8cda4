using System.Runtime.InteropServices;

namespace XRayFlow.Packaging.Tests;

/// <summary>
/// Builds, once for the tests of <see cref="ToolAndLibraryPackageTests"/>, what README "Install" tells a user to build:
/// the tool packages (this machine's RID only, to keep CI short), the library packages, a self-contained publish and
/// its .tar.gz, and a tool installed into a temporary --tool-path. Everything goes under one temporary folder (deleted
/// afterwards) with a unique prerelease version, so no NuGet cache can serve a stale package. Each step's result is
/// recorded, not thrown: each test asserts the steps it needs.
/// </summary>
public sealed class PackagingFixture : IDisposable
{
    public PackagingFixture()
    {
        Temp = Directory.CreateTempSubdirectory("xrayflow-packaging-").FullName;
        Feed = Path.Combine(Temp, "feed");
        Version = "0.1.0-ci." + DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        Rid = RuntimeInformation.RuntimeIdentifier;
        string build = Path.Combine(Temp, "build");
        string[] common = ["-c", "Release", "--artifacts-path", build, "-p:Version=" + Version, "--disable-build-servers", "-nologo"];

        ToolPack = Step(() => Proc.Dotnet(["pack", Repo.Path("src", "XRayFlow.Cli"), .. common, "-o", Feed, "-p:ToolPackageRuntimeIdentifiers=" + Rid]));
        LibraryPack = Step(() => Proc.Dotnet(["pack", Repo.Path("src", "XRayFlow.Api"), .. common, "-o", Feed]));
        Publish = Step(() => Proc.Dotnet(["publish", Repo.Path("src", "XRayFlow.Cli"), .. common, "-r", Rid, "--self-contained", "-o", SelfContainedDir]));
        if (Publish.ExitCode == 0)
        {
            Archive = Step(() => Proc.Run("tar", ["-czf", ArchivePath, "-C", SelfContainedDir, "."]));
        }

        ToolInstall = Step(() => Proc.Dotnet("tool", "install", "--tool-path", Path.Combine(Temp, "tools"), "--add-source", Feed, "XRayFlow", "--version", Version));
        var git = Step(() => Proc.Run("git", ["rev-parse", "HEAD"]));
        Commit = git.ExitCode == 0 ? git.Out.Trim() : null;
    }

    public string Temp { get; }

    public string Feed { get; }

    public string Version { get; }

    public string Rid { get; }

    /// <summary>The repository's HEAD commit (null without git).</summary>
    public string? Commit { get; }

    public Proc.Result ToolPack { get; }

    public Proc.Result LibraryPack { get; }

    public Proc.Result Publish { get; }

    public Proc.Result? Archive { get; }

    public Proc.Result ToolInstall { get; }

    public string ToolCommand => Path.Combine(Temp, "tools", OperatingSystem.IsWindows() ? "xrayflow.exe" : "xrayflow");

    public string SelfContainedDir => Path.Combine(Temp, "xrayflow-" + Rid);

    public string ArchivePath => Path.Combine(Temp, $"xrayflow-{Rid}.tar.gz");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Temp, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temporary folder is not worth failing the run for.
        }
    }

    private static Proc.Result Step(Func<Proc.Result> run)
    {
        try
        {
            return run();
        }
        catch (Exception ex) when (ex is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return new Proc.Result(-1, string.Empty, ex.Message, TimeSpan.Zero);
        }
    }
}

namespace XRayFlow.Pipeline.Tests;

/// <summary>Folders of the repository, found from the test assembly's location.</summary>
internal static class TestPaths
{
    public static string Root { get; } = FindRoot();

    public static string Fixtures => Path.Combine(Root, "tests", "fixtures");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "XRayFlow.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("XRayFlow.sln not found above " + AppContext.BaseDirectory);
    }
}

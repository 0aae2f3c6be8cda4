using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace XRayFlow.Core.Tests.TestSupport;

/// <summary>Finds the repository's committed fixtures and samples from the test's output folder.</summary>
internal static class PictureFixtures
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Fixture(string relative) => Path.Combine(RepoRoot, "tests", "fixtures", relative);

    public static string Sample(string name) => Path.Combine(RepoRoot, "pipelines", "samples", name);

    /// <summary>An 8-bit grey PNG as its 0..255 values, row-major.</summary>
    public static (byte[] Pixels, int Rows, int Cols) LoadGrey(string path)
    {
        using var img = Image.Load<L8>(path);
        var pixels = new byte[img.Width * img.Height];
        img.CopyPixelDataTo(pixels);
        return (pixels, img.Height, img.Width);
    }

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

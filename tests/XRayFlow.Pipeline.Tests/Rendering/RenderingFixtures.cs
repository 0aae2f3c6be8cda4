using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Pipeline.Tests.Rendering;

internal static class RenderingFixtures
{
    public static string RepoRoot { get; } = FindRoot();

    public static string Fixture(string relative) => Path.Combine(RepoRoot, "tests", "fixtures", relative);

    /// <summary>A sample X-ray (pipelines/samples) as a float image of its 0..255 values.</summary>
    public static ImageArray Sample(int index)
    {
        using var img = Image.Load<L8>(Path.Combine(RepoRoot, "pipelines", "samples", $"00000011_00{index}.png"));
        var bytes = new byte[img.Width * img.Height];
        img.CopyPixelDataTo(bytes);
        return new ImageArray(img.Height, img.Width, bytes.Select(b => (float)b).ToArray());
    }

    /// <summary>Every other pixel of every other row (a 1024 image becomes 512), to keep tests light.</summary>
    public static ImageArray Half(ImageArray a)
    {
        var r = new ImageArray(a.Rows / 2, a.Cols / 2);
        for (int y = 0; y < r.Rows; y++)
        {
            for (int x = 0; x < r.Cols; x++)
            {
                r[y, x] = a[2 * y, 2 * x];
            }
        }

        return r;
    }

    /// <summary>When XRAYFLOW_PICTURES_DIR is set, keeps a produced picture there for a person to look at.</summary>
    public static void Keep(string name, byte[] bytes)
    {
        var dir = Environment.GetEnvironmentVariable("XRAYFLOW_PICTURES_DIR");
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, name), bytes);
        }
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

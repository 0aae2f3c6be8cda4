using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Benchmarks;

/// <summary>Loads a sample chest X-ray (8-bit grey PNG) as float32, found from the working directory upwards.</summary>
public static class SampleImage
{
    public const string DefaultName = "pipelines/samples/00000011_000.png";

    public static ImageArray Load(string relative = DefaultName)
    {
        string path = Find(relative);
        using var image = Image.Load<L8>(path);
        var result = new ImageArray(image.Height, image.Width);
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < row.Length; x++)
                {
                    result[y, x] = row[x].PackedValue;
                }
            }
        });
        return result;
    }

    public static string FindPath(string relative) => Find(relative);

    private static string Find(string relative)
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"sample image {relative} not found above {Directory.GetCurrentDirectory()}");
    }
}

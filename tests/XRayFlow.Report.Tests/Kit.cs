using System.Text;
using XRayFlow.Cli;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Report.Tests;

/// <summary>Temporary folders, small images, and the CLI run in-process.</summary>
internal static class Kit
{
    public static string Root { get; } = FindRoot();

    public sealed record Result(int Exit, string Out, string Err);

    public static Result Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = CliApp.Run(args, new CliHost { Out = stdout, Err = stderr, Interactive = false });
        return new Result(exit, stdout.ToString(), stderr.ToString());
    }

    public static string TempDir()
        => XRayFlow.Tests.Shared.TestFolders.Create("xrf-report-tests");

    /// <summary>A grey 8-bit PNG of a smooth pattern with an edge (values 0..255), distinct per seed.</summary>
    public static string Png(string path, int rows, int cols, int seed = 0)
    {
        var a = new ImageArray(rows, cols);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double v = 120 + (90 * Math.Sin((r + seed) / 7.0) * Math.Cos(c / 11.0)) + (c > cols / 2 ? 30 : 0);
                a[r, c] = (float)Math.Clamp(Math.Round(v), 0, 255);
            }
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        PngWriter.Write(path, a);
        return path;
    }

    /// <summary>A file named .png that is not one.</summary>
    public static string Corrupt(string path)
    {
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("this is not a PNG file at all"));
        return path;
    }

    public static string Write(string path, string text)
    {
        File.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal));
        return path;
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

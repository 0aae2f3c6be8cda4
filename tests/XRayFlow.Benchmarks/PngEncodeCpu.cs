using System.Globalization;
using System.IO.Compression;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Benchmarks;

/// <summary>
/// PNG encode (issue 16): size against time for each compression level, row-filter choice and zlib strategy, by the
/// calling thread's CPU time (immune to other processes on a loaded machine), median of N after 2 warm-ups, summed
/// over the files. Feed it the batch's outputs (the Sobel magnitudes): what the runner encodes.
/// OpenCV reference: /usr/bin/python3 tests/bench/cv2_png_encode.py FILES... (cv2.imencode at each level).
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll png-encode [repeat] file.png ...
/// (with FILTERONLY=1 in the environment: only the first line, float -> bytes and the row-filter choice without deflate).
/// At level 1 "rle" is RleDeflate (zlib-ng's bytes, the default path) and "rle-zlib" zlib-ng itself through ZLibStream.
/// </summary>
public static class PngEncodeCpu
{
    public static void Run(string[] args)
    {
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 11;
        var files = args.Length > 2 ? args[2..] : [SampleImage.FindPath(SampleImage.DefaultName)];
        var images = files.Select(f => ImageReader.Read(f, ImageReadOptions.Default)).ToList();
        Console.WriteLine($".NET {Environment.Version}, PNG encode of {files.Length} file(s), 1 thread: thread CPU ms per file (median of {repeat}), bytes per file");
        Console.WriteLine($"{"level",5} {"filters",-9} {"strategy",-8} {"ms/file",8} {"bytes/file",11}");
        // The row-filter choice alone (float -> bytes, then each row's adaptive choice and filtered row), no deflate.
        {
            double ms = 0;
            foreach (var image in images)
            {
                int w = image.Cols;
                var bytes = new byte[image.Data.Length];
                var line = new byte[w + 1];
                var scratch = new byte[w];
                var times = new double[repeat + 2];
                for (int r = 0; r < times.Length; r++)
                {
                    double c0 = PngDecodeCpu.ThreadCpuMs();
                    PngWriter.ToBytes(image.Data, bytes);
                    for (int y = 0; y < image.Rows; y++)
                    {
                        PngEncodeFilters.Choose(PngEncodeFilters.Choice.Adaptive, bytes.AsSpan(y * w, w), y == 0 ? new byte[w] : bytes.AsSpan((y - 1) * w, w), line, scratch, 1);
                    }

                    times[r] = PngDecodeCpu.ThreadCpuMs() - c0;
                }

                Array.Sort(times, 2, repeat);
                ms += times[2 + (repeat / 2)];
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"-",5} {"Adaptive",-9} {"(none)",-8} {ms / images.Count,8:F2} {"-",11}   float -> bytes and the filter choice alone"));
        }

        if (Environment.GetEnvironmentVariable("FILTERONLY") is not null)
        {
            return;
        }

        var stream = new MemoryStream(1 << 21);
        foreach (int level in new[] { 0, 1, 2, 3, 4, 6, 9 })
        {
            foreach (var choice in new[] { PngEncodeFilters.Choice.Up, PngEncodeFilters.Choice.Adaptive })
            {
                foreach (var (strategy, zlibOnly) in new[] { (ZLibCompressionStrategy.Default, false), (ZLibCompressionStrategy.RunLengthEncoding, false), (ZLibCompressionStrategy.RunLengthEncoding, true), (ZLibCompressionStrategy.HuffmanOnly, false) })
                {
                    if (zlibOnly && level != 1)
                    {
                        continue; // RleDeflate serves level 1 only: "rle" at other levels is zlib-ng's already
                    }

                    if (level == 0 && (choice != PngEncodeFilters.Choice.Up || strategy != ZLibCompressionStrategy.Default))
                    {
                        continue;
                    }

                    var settings = new PngWriter.Settings(level, level == 0 ? PngEncodeFilters.Choice.None : choice, strategy, zlibOnly);
                    double ms = 0;
                    long bytes = 0;
                    foreach (var image in images)
                    {
                        var times = new double[repeat + 2];
                        for (int r = 0; r < times.Length; r++)
                        {
                            stream.SetLength(0);
                            double c0 = PngDecodeCpu.ThreadCpuMs();
                            PngWriter.Write(stream, image, 8, settings);
                            times[r] = PngDecodeCpu.ThreadCpuMs() - c0;
                        }

                        Array.Sort(times, 2, repeat);
                        ms += times[2 + (repeat / 2)];
                        bytes += stream.Length;
                    }

                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{level,5} {settings.Choice,-9} {(strategy == ZLibCompressionStrategy.Default ? "default" : strategy == ZLibCompressionStrategy.HuffmanOnly ? "huffman" : zlibOnly ? "rle-zlib" : "rle"),-8} {ms / images.Count,8:F2} {bytes / images.Count,11}"));
                }
            }
        }
    }
}

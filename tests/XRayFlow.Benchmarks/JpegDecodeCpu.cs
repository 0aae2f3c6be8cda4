using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Benchmarks;

/// <summary>
/// JPEG decode to float32: XRayFlow's reader (marker walk + libjpeg-turbo through SkiaSharp) against the previous
/// path (ImageSharp 2.1.13: Identify, Decode&lt;L8&gt; or &lt;Rgb24&gt;, conversion), by the calling thread's CPU time
/// (Linux CLOCK_THREAD_CPUTIME_ID), median / min of N after 2 warm-ups, and the managed bytes allocated per call.
/// The files are written by the Pillow / OpenCV reference, which times the same work:
/// /usr/bin/python3 tests/bench/jpeg_decode_reference.py [repeat] [folder]   (default folder /tmp/xrayflow-jpeg-bench)
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll jpeg-cpu [repeat] [folder]
/// </summary>
public static unsafe class JpegDecodeCpu
{
    private static readonly string[] Files = ["xray_q90.jpg", "xray_q90_progressive.jpg", "rgb_q90_420.jpg", "bomb_baseline.jpg", "bomb_progressive.jpg"];

    public static void Run(string[] args)
    {
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
        string folder = args.Length > 2 ? args[2] : "/tmp/xrayflow-jpeg-bench";
        Console.WriteLine($".NET {Environment.Version}, JPEG decode to float32, 1 thread, thread CPU ms: median / min of {repeat} after 2 warm-ups; managed MB allocated per call");
        Console.WriteLine($"{"file",-26} {"XRayFlow (libjpeg-turbo)",-34} {"ImageSharp 2.1.13 (previous)",-34}");
        var decoder = new JpegDecoder { IgnoreMetadata = true };
        var config = new Configuration(new JpegConfigurationModule());
        foreach (string f in Files)
        {
            string path = Path.Combine(folder, f);
            if (!File.Exists(path))
            {
                Console.WriteLine($"{f}: missing; run tests/bench/jpeg_decode_reference.py first");
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            int reps = f.StartsWith("bomb", StringComparison.Ordinal) ? Math.Max(3, repeat / 7) : repeat;
            var ours = Time(reps, () =>
            {
                try
                {
                    PixelPool.Shared.Return(ImageReader.Read(new MemoryStream(bytes), f));
                    return "decoded";
                }
                catch (ImageDecodeException)
                {
                    return "refused";
                }
            });
            var sharp = Time(reps, () =>
            {
                var info = decoder.Identify(config, new MemoryStream(bytes), CancellationToken.None);
                var result = new float[(long)info.Width * info.Height];
                if (info.PixelType.BitsPerPixel <= 8)
                {
                    using var img = decoder.Decode<L8>(config, new MemoryStream(bytes), CancellationToken.None);
                    img.ProcessPixelRows(acc =>
                    {
                        for (int y = 0; y < acc.Height; y++)
                        {
                            PixelConversion.WidenBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(acc.GetRowSpan(y)), result.AsSpan(y * acc.Width, acc.Width));
                        }
                    });
                }
                else
                {
                    using var img = decoder.Decode<Rgb24>(config, new MemoryStream(bytes), CancellationToken.None);
                    img.ProcessPixelRows(acc =>
                    {
                        for (int y = 0; y < acc.Height; y++)
                        {
                            PixelConversion.LumaOfRgb8(System.Runtime.InteropServices.MemoryMarshal.AsBytes(acc.GetRowSpan(y)), result.AsSpan(y * acc.Width, acc.Width), 3);
                        }
                    });
                }

                return $"decoded {info.Width} x {info.Height}";
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f,-26} {Cell(ours),-34} {Cell(sharp),-34}"));
        }
    }

    private static string Cell((double Median, double Min, double Mb, string What) t)
        => string.Create(CultureInfo.InvariantCulture, $"{t.Median,7:F2}/{t.Min,7:F2} {t.Mb,7:F1} MB {t.What}");

    private static (double Median, double Min, double Mb, string What) Time(int repeat, Func<string> body)
    {
        string what = body();
        body();
        var cpu = new double[repeat];
        long bytes = 0;
        for (int i = 0; i < repeat; i++)
        {
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            double c0 = ThreadCpuMs();
            body();
            cpu[i] = ThreadCpuMs() - c0;
            bytes += GC.GetAllocatedBytesForCurrentThread() - a0;
        }

        Array.Sort(cpu);
        return (cpu[repeat / 2], cpu[0], bytes / (double)repeat / (1 << 20), what);
    }

    private static double ThreadCpuMs()
    {
        Timespec ts;
        return clock_gettime(3, &ts) == 0 ? (ts.Seconds * 1e3) + (ts.Nanoseconds / 1e6) : double.NaN;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, Timespec* ts);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

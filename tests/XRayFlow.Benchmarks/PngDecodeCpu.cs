using System.Globalization;
using System.IO.Compression;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Benchmarks;

/// <summary>
/// PNG decode of the sample X-rays, the fast path against the ImageSharp path, by the calling thread's CPU time
/// (Linux CLOCK_THREAD_CPUTIME_ID, immune to other processes on a loaded machine), median of N after warm-up.
/// Also times inflate alone (ZLibStream of the IDAT data into a buffer): the floor under any decoder that uses it.
/// PIL reference: /usr/bin/python3 tests/bench/reference_bench_engine.py --repeat 21 (PngDecode, process_time).
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll png-cpu [repeat] [file.png ...]
/// </summary>
public static unsafe class PngDecodeCpu
{
    public static void Run(string[] args)
    {
        int repeat = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 21;
        var files = args.Length > 2 ? args[2..] : [SampleImage.FindPath(SampleImage.DefaultName)];
        Console.WriteLine($".NET {Environment.Version}, PNG decode to float32, 1 thread, thread CPU ms: median / min of {repeat} after 2 warm-ups");
        Console.WriteLine("  fast new = the fast path, its image never given back (a new array each time: page faults on fresh memory);");
        Console.WriteLine("  fast pooled = the fast path, its image given back to PixelPool.Shared after each call, as the runner does;");
        Console.WriteLine("  ImageSharp = the previous path;");
        Console.WriteLine("  inflate = ZLibStream of the IDAT data alone, the floor under any decoder that uses it");
        Console.WriteLine($"{"file",-18} {"fast new",13} {"fast pooled",13} {"ImageSharp",13} {"inflate",13}");
        var sums = new double[8];
        foreach (string file in files)
        {
            var bytes = File.ReadAllBytes(file);
            var idat = IdatOf(bytes);
            var raw = new byte[64 << 20];
            PixelPool.Shared.Clear();
            var fast = Time(repeat, () => PngReader.Read(new MemoryStream(bytes), file, ImageReadOptions.Default, PngReader.PngPath.FastOnly));
            var pooled = Time(repeat, () => PixelPool.Shared.Return(PngReader.Read(new MemoryStream(bytes), file, ImageReadOptions.Default, PngReader.PngPath.FastOnly)));
            var sharp = Time(repeat, () => PngReader.Read(new MemoryStream(bytes), file, ImageReadOptions.Default, PngReader.PngPath.ImageSharp));
            var inflate = Time(repeat, () =>
            {
                using var z = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
                z.ReadAtLeast(raw, raw.Length, throwOnEndOfStream: false);
            });
            if (Environment.GetEnvironmentVariable("PNG_BREAKDOWN") == "1")
            {
                Breakdown(idat, repeat);
            }

            var all = new[] { fast, pooled, sharp, inflate };
            for (int k = 0; k < 4; k++)
            {
                sums[2 * k] += all[k].Median;
                sums[(2 * k) + 1] += all[k].Min;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(file),-18} {Cell(fast.Median, fast.Min)} {Cell(pooled.Median, pooled.Min)} {Cell(sharp.Median, sharp.Min)} {Cell(inflate.Median, inflate.Min)}"));
        }

        if (files.Length > 1)
        {
            int f = files.Length;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"mean per file",-18} {Cell(sums[0] / f, sums[1] / f)} {Cell(sums[2] / f, sums[3] / f)} {Cell(sums[4] / f, sums[5] / f)} {Cell(sums[6] / f, sums[7] / f)}"));
        }
    }

    private static string Cell(double median, double min) => string.Create(CultureInfo.InvariantCulture, $"{median,6:F2}/{min,6:F2}");

    private static (double Median, double Min) Time(int repeat, Action body)
    {
        body();
        body();
        var cpu = new double[repeat];
        for (int i = 0; i < repeat; i++)
        {
            double c0 = ThreadCpuMs();
            body();
            cpu[i] = ThreadCpuMs() - c0;
        }

        Array.Sort(cpu);
        return (cpu[repeat / 2], cpu[0]);
    }

    private static void Breakdown(byte[] idat, int repeat)
    {
        using var z0 = new ZLibStream(new MemoryStream(idat), CompressionMode.Decompress);
        var raw = new byte[1025 * 1024];
        z0.ReadAtLeast(raw, raw.Length);
        var work = new byte[raw.Length];
        var outp = new float[1024];
        double crc = Time(repeat, () => Crc32.Compute(idat)).Median;
        double copy = Time(repeat, () => raw.CopyTo(work, 0)).Median;
        var perFilter = new double[5];
        for (int f = 0; f < 5; f++)
        {
            int ff = f;
            perFilter[f] = Time(repeat, () =>
            {
                raw.CopyTo(work, 0);
                for (int y = 1; y < 1024; y++)
                {
                    PngFilters.Unfilter((byte)ff, work.AsSpan((y * 1025) + 1, 1024), work.AsSpan(((y - 1) * 1025) + 1, 1024), 1);
                }
            }).Median - copy;
        }

        double all = Time(repeat, () =>
        {
            raw.CopyTo(work, 0);
            for (int y = 1; y < 1024; y++)
            {
                PngFilters.Unfilter(work[y * 1025], work.AsSpan((y * 1025) + 1, 1024), work.AsSpan(((y - 1) * 1025) + 1, 1024), 1);
            }
        }).Median - copy;
        double widen = Time(repeat, () =>
        {
            for (int y = 0; y < 1024; y++)
            {
                PixelConversion.WidenBytes(raw.AsSpan((y * 1025) + 1, 1024), outp);
            }
        }).Median;
        double alloc = Time(repeat, () => GC.KeepAlive(new XRayFlow.Core.Imaging.ImageArray(1024, 1024))).Median;
        var reuse = new float[1 << 20];
        double writeOnce = Time(repeat, () =>
        {
            for (int y = 0; y < 1024; y++)
            {
                PixelConversion.WidenBytes(raw.AsSpan((y * 1025) + 1, 1024), reuse.AsSpan(y * 1024, 1024));
            }
        }).Median;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  new ImageArray(1024, 1024) {alloc:F2}  widen into a reused 4 MB array {writeOnce:F2}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  crc {crc:F2}  copy {copy:F2}  all rows as None/Sub/Up/Avg/Paeth {string.Join(" ", perFilter.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}  real filters {all:F2}  widen {widen:F2}"));
    }

    private static byte[] IdatOf(byte[] png)
    {
        var ms = new MemoryStream();
        for (int pos = 8; pos + 8 <= png.Length;)
        {
            int len = (png[pos] << 24) | (png[pos + 1] << 16) | (png[pos + 2] << 8) | png[pos + 3];
            if (png.AsSpan(pos + 4, 4).SequenceEqual("IDAT"u8))
            {
                ms.Write(png, pos + 8, len);
            }

            pos += 12 + len;
        }

        return ms.ToArray();
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

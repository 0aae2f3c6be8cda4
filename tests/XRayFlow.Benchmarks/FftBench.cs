using System.Diagnostics;
using System.Globalization;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Ops.Fourier;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Benchmarks;

/// <summary>
/// The 2-D FFT on the 1024 x 1024 sample X-ray: the fft2 / ifft2 ops and the fft2 -> fourier_gaussian -> ifft2
/// chain (EngineOpsBenchmarks, pooled outputs), and the transforms alone into a preallocated destination
/// (Fft2D.Forward / Inverse(src, dst)), Fft2D.InverseRealPart (the ifft2 op's real part), and a plain copy
/// of the complex array as the memory floor of one sweep. threads = 1 is timed by the calling thread's CPU time
/// (CLOCK_THREAD_CPUTIME_ID: immune to other processes on a loaded machine); threads = 2 by wall time.
/// Run: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll fft [repeat]
/// Reference: /usr/bin/python3 tests/bench/reference_bench_fft.py
/// </summary>
public static unsafe class FftBench
{
    public static void Run(int repeat)
    {
        Console.WriteLine($".NET {Environment.Version}, 1024x1024 float32, repeat {repeat}; thread CPU ms at threads=1, wall ms at threads=2");
        Console.WriteLine($"{"case",-28} {"1t cpu median",14} {"1t cpu min",11} {"2t wall median",15} {"2t wall min",12}");
        var one = new EngineOpsBenchmarks { Threads = 1 };
        var two = new EngineOpsBenchmarks { Threads = 2 };
        one.Setup();
        two.Setup();
        var image = ImageReader.Read(FindSample());
        var spectrum = Fft2D.Forward(image, 1);
        var dst = new ImageArray(image.Rows, image.Cols, new float[image.Length], new float[image.Length]);
        var cases = new (string Name, Action One, Action Two)[]
        {
            ("op fft2", one.Fft2, two.Fft2),
            ("op ifft2 (real part)", one.Ifft2, two.Ifft2),
            ("op FourierSmoothChain", one.FourierSmoothChain, two.FourierSmoothChain),
            ("Fft2D.Forward real->dst", () => Fft2D.Forward(image, dst, 1), () => Fft2D.Forward(image, dst, 2)),
            ("Fft2D.Forward cplx->dst", () => Fft2D.Forward(spectrum, dst, 1), () => Fft2D.Forward(spectrum, dst, 2)),
            ("Fft2D.InverseRealPart", () => PixelPool.Shared.Return(Fft2D.InverseRealPart(spectrum, 1)), () => PixelPool.Shared.Return(Fft2D.InverseRealPart(spectrum, 2))),
            ("Fft2D.Inverse cplx->dst", () => Fft2D.Inverse(spectrum, dst, 1), () => Fft2D.Inverse(spectrum, dst, 2)),
            ("memory floor: copy 8 MB", () => CopyComplex(spectrum, dst), () => CopyComplex(spectrum, dst)),
        };
        foreach (var (name, runOne, runTwo) in cases)
        {
            var cpu = Measure(runOne, repeat, wall: false);
            var wall = Measure(runTwo, repeat, wall: true);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-28} {cpu[repeat / 2],14:F2} {cpu[0],11:F2} {wall[repeat / 2],15:F2} {wall[0],12:F2}"));
        }
    }

    /// <summary>The 1024 x 1024 complex array (two 4 MB planes) copied once: what one read + write sweep costs here.</summary>
    private static void CopyComplex(ImageArray src, ImageArray dst)
    {
        src.Data.AsSpan().CopyTo(dst.Data);
        src.Imag.AsSpan().CopyTo(dst.Imag);
    }

    private static double[] Measure(Action body, int repeat, bool wall)
    {
        body();
        body();
        body();
        var t = new double[repeat];
        for (int i = 0; i < repeat; i++)
        {
            if (wall)
            {
                long t0 = Stopwatch.GetTimestamp();
                body();
                t[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            }
            else
            {
                double c0 = ThreadCpuMs();
                body();
                t[i] = ThreadCpuMs() - c0;
            }
        }

        Array.Sort(t);
        return t;
    }

    private static double ThreadCpuMs()
    {
        Timespec ts;
        return clock_gettime(3, &ts) == 0 ? (ts.Seconds * 1e3) + (ts.Nanoseconds / 1e6) : double.NaN;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int clock_gettime(int clock, Timespec* ts);

    private static string FindSample()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            string p = Path.Combine(dir.FullName, "pipelines", "samples", "00000011_000.png");
            if (File.Exists(p))
            {
                return p;
            }

            dir = dir.Parent;
        }

        throw new FileNotFoundException("pipelines/samples/00000011_000.png not found");
    }

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}

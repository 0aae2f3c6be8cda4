using BenchmarkDotNet.Running;

namespace XRayFlow.Benchmarks;

public static class Program
{
    public static void Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "quick")
        {
            QuickBench.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "intensity")
        {
            IntensityBenchmarks.Quick(args);
            return;
        }

        if (args.Length > 0 && args[0] == "png-cpu")
        {
            PngDecodeCpu.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "png-encode")
        {
            PngEncodeCpu.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "jpeg-cpu")
        {
            JpegDecodeCpu.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "kernels")
        {
            KernelBench.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "engine-cpu")
        {
            EngineCpuTimes.Run(
                args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1,
                args.Length > 3 ? args[3] : null);
            return;
        }

        if (args.Length > 0 && args[0] == "sizes")
        {
            SizesBench.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "fusion")
        {
            FusionBench.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "geometry")
        {
            GeometryBench.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "segmentation")
        {
            SegmentationBench.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "bandwidth")
        {
            BandwidthBench.Run(args);
            return;
        }

        if (args.Length > 0 && args[0] == "fft")
        {
            FftBench.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 21);
            return;
        }

        if (args.Length > 0 && args[0] == "thresholds-cpu")
        {
            ThresholdCpuTimes.Run(
                args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15,
                args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1,
                args.Length > 3 ? args[3] : null);
            return;
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
    }
}

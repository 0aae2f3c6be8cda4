using System.Security.Cryptography;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Png;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Pipeline;

/// <summary>
/// Start-up work every recipe command needs, done on another thread while the main one parses the command line and
/// reads the recipe (issue 13: a one-shot run is mostly start-up). Each piece is idempotent and thread-safe: a class
/// constructor (the runtime runs it once; a thread that needs it meanwhile waits), a Lazy, a first hash. Nothing it
/// does is observable; without it the same work happens on the main thread when first needed.
/// </summary>
public static class StartupWarmup
{
    /// <summary>Starts the warm-up on a background thread (it never keeps the process alive).</summary>
    public static void Start()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "xrayflow warm-up" };
        thread.Start();
    }

    private static void Run()
    {
        try
        {
            // YamlDotNet's parser builds a compiled Regex in a static constructor on its first document (~10 ms).
            _ = Syntax.YamlTreeReader.Read("a: 1\n", "warm-up.yaml", new Core.Diagnostics.DiagnosticBag());
            _ = OpRegistry.All.Count;

            // The JIT compiles each SIMD kernel once (ReadyToRun code for them is rejected on AVX machines): compile the
            // ones nearly every recipe meets (PNG encode and decode, a separable filter, an element-wise op) on a
            // 64 x 64 image now, instead of on the main thread's first 1024 x 1024 one.
            var image = new ImageArray(64, 64);
            for (int k = 0; k < image.Data.Length; k++)
            {
                image.Data[k] = (k * 37) % 251;
            }

            using var png = new MemoryStream();
            PngWriter.Write(png, image);
            png.Position = 0;
            var decoded = ImageReader.Read(png, "warm-up.png");
            var gx = NdFilters.Sobel(decoded, 0, threads: 1);
            var gy = NdFilters.Sobel(decoded, 1, threads: 1);
            Hypot.Apply([gx.Data, gy.Data], gx.Data, 1);
            _ = SHA256.HashData(png.GetBuffer().AsSpan(0, (int)png.Length));
            PixelPool.Shared.Return(decoded);
            PixelPool.Shared.Return(gx);
            PixelPool.Shared.Return(gy);
        }
        catch (Exception)
        {
            // Only a warm-up: the main thread will do (and report) whatever this could not.
        }
    }
}

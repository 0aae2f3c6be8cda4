using XRayFlow.Core.Codecs;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Execution;

/// <summary>
/// The runner's one door to the codecs (reading inputs, writing PNG/NPY/GIF bytes). Kept small so the
/// codec library can change under it without touching the runner.
/// </summary>
public static class ImageIO
{
    /// <summary>Decode one image file (PNG, JPEG, npy...). Throws <see cref="ImageDecodeException"/> for bad files.</summary>
    public static ImageArray Read(string path) => TempCodecs.Read(path);

    /// <summary>Decode several files, sorted by the caller, into one N x H x W stack.</summary>
    public static ImageArray ReadStack(IReadOnlyList<string> paths)
    {
        var frames = new List<ImageArray>(paths.Count);
        foreach (var p in paths)
        {
            var a = Read(p);
            if (a.IsStack)
            {
                for (int n = 0; n < a.Frames; n++)
                {
                    frames.Add(a.FrameImage(n));
                }
            }
            else
            {
                frames.Add(a);
            }
        }

        if (frames.Count > 1 && frames.Any(f => f.Rows != frames[0].Rows || f.Cols != frames[0].Cols))
        {
            var odd = paths.FirstOrDefault(p => { var a = Read(p); return a.Rows != frames[0].Rows || a.Cols != frames[0].Cols; }) ?? paths[^1];
            throw new ImageDecodeException(odd, $"its shape differs from the first frame's {frames[0].ShapeText}: a stack needs frames of one shape");
        }

        return ImageArray.StackOf(frames);
    }

    /// <summary>The shape from the file header only (no pixel decode), or unknown.</summary>
    public static ShapeInfo Identify(string path) => TempCodecs.Identify(path);

    public static void WritePng(Stream stream, ImageArray image, int bits) => TempCodecs.WritePng(stream, image, bits);

    /// <summary>Interleaved 8-bit RGB, rows x cols x 3.</summary>
    public static void WritePngRgb(Stream stream, byte[] rgb, int rows, int cols) => TempCodecs.WritePngRgb(stream, rgb, rows, cols);

    public static void WriteNpy(Stream stream, ImageArray array) => TempCodecs.WriteNpy(stream, array);

    /// <summary>Frames of 8-bit RGB (rows x cols x 3 each) as an animated GIF.</summary>
    public static void WriteGif(Stream stream, IReadOnlyList<byte[]> rgbFrames, int rows, int cols, int durationMs, int loop) => TempCodecs.WriteGif(stream, rgbFrames, rows, cols, durationMs, loop);
}

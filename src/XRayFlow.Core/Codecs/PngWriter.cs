using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// Writes grey PNGs (8 or 16 bit) from float32 images, and 8-bit RGB PNGs from packed bytes (colormapped images).
/// <para>Value conversion (8-bit): NaN -> 0; otherwise round to the nearest integer, ties to EVEN
/// (numpy.rint: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2), then clip to 0..255 (-inf -> 0, +inf -> 255).
/// 16-bit: the same with 0..65535. Values are NOT rescaled: normalize first (op <c>normalize</c>) or use
/// an output's vmin/vmax.</para>
/// </summary>
public static class PngWriter
{
    private static readonly PngEncoder Grey8 = new()
    {
        ColorType = PngColorType.Grayscale,
        BitDepth = PngBitDepth.Bit8,
        IgnoreMetadata = true,
    };

    private static readonly PngEncoder Grey16 = new()
    {
        ColorType = PngColorType.Grayscale,
        BitDepth = PngBitDepth.Bit16,
        IgnoreMetadata = true,
    };

    private static readonly PngEncoder Rgb8 = new()
    {
        ColorType = PngColorType.Rgb,
        BitDepth = PngBitDepth.Bit8,
        IgnoreMetadata = true,
    };

    public static void Write(string path, ImageArray image, int bits = 8)
    {
        Validate(image, bits);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Write(stream, image, bits);
    }

    /// <summary>Write a 2-D real image as a grey PNG of <paramref name="bits"/> (8 or 16) bits per pixel.</summary>
    /// <exception cref="ArgumentException">A stack, a complex array, or bits other than 8/16.</exception>
    public static void Write(Stream stream, ImageArray image, int bits = 8)
    {
        Validate(image, bits);
        var config = ImageSharpSetup.Configuration;
        if (bits == 8)
        {
            var pixels = new byte[image.Length];
            ToBytes(image.Data, pixels);
            using var img = Image.LoadPixelData<L8>(config, pixels, image.Cols, image.Rows);
            img.Save(stream, Grey8);
        }
        else
        {
            var pixels = new L16[image.Length];
            var src = image.Data;
            for (int k = 0; k < pixels.Length; k++)
            {
                pixels[k] = new L16(ToUInt16(src[k]));
            }

            using var img = Image.LoadPixelData<L16>(config, pixels, image.Cols, image.Rows);
            img.Save(stream, Grey16);
        }
    }

    public static void WriteRgb(string path, byte[] rgb, int width, int height)
    {
        ValidateRgb(rgb, width, height);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        WriteRgb(stream, rgb, width, height);
    }

    /// <summary>Write packed 8-bit RGB (r, g, b per pixel, rows top to bottom; length 3 x width x height).</summary>
    public static void WriteRgb(Stream stream, byte[] rgb, int width, int height)
    {
        ValidateRgb(rgb, width, height);
        using var img = Image.LoadPixelData<Rgb24>(ImageSharpSetup.Configuration, rgb, width, height);
        img.Save(stream, Rgb8);
    }

    /// <summary>The 8-bit value a pixel is written as: NaN -> 0, round half to even, clip to 0..255.</summary>
    public static byte ToByte(float v)
    {
        if (float.IsNaN(v))
        {
            return 0;
        }

        float r = MathF.Round(v, MidpointRounding.ToEven);
        return r <= 0f ? (byte)0 : r >= 255f ? (byte)255 : (byte)r;
    }

    /// <summary>The 16-bit value a pixel is written as: NaN -> 0, round half to even, clip to 0..65535.</summary>
    public static ushort ToUInt16(float v)
    {
        if (float.IsNaN(v))
        {
            return 0;
        }

        float r = MathF.Round(v, MidpointRounding.ToEven);
        return r <= 0f ? (ushort)0 : r >= 65535f ? ushort.MaxValue : (ushort)r;
    }

    internal static void ToBytes(ReadOnlySpan<float> src, Span<byte> dst)
    {
        for (int k = 0; k < src.Length; k++)
        {
            dst[k] = ToByte(src[k]);
        }
    }

    private static void Validate(ImageArray image, int bits)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (bits is not (8 or 16))
        {
            throw new ArgumentException($"PNG bits must be 8 or 16, not {bits}", nameof(bits));
        }

        if (image.IsStack)
        {
            throw new ArgumentException($"a PNG holds one 2-D image; this array is a stack {image.ShapeText} (write .npy or .gif, or one PNG per frame)", nameof(image));
        }

        if (image.IsComplex)
        {
            throw new ArgumentException("a PNG cannot hold a complex array; take abs (or ifft2 part: real) first", nameof(image));
        }
    }

    private static void ValidateRgb(byte[] rgb, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (width < 1 || height < 1 || (long)width * height * 3 != rgb.Length)
        {
            throw new ArgumentException($"rgb has {rgb.Length} bytes; a {width} x {height} RGB image needs {(long)width * height * 3}", nameof(rgb));
        }
    }
}

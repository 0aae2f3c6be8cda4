using System.Buffers;
using System.Runtime.InteropServices;
using SkiaSharp;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Jpeg;

/// <summary>
/// Reads a JPEG (<c>FF D8 FF</c>): 8-bit Huffman-coded baseline, extended sequential or progressive, grey (1
/// component) or colour (3 components, or 4: CMYK/YCCK). Decoding is libjpeg-turbo's, through SkiaSharp: grey
/// loads as 0..255, exactly as libjpeg (PIL, OpenCV) decodes it; colour is decoded to 8-bit RGB (libjpeg's
/// YCbCr conversion and upsampling) and converted to luminance (<see cref="PixelConversion"/>).
/// <para>Before anything is allocated the markers are walked (<see cref="JpegStructure"/>) and refused: no frame
/// header or scan, no end-of-image marker after the last scan (a truncated file), a sample precision other than 8
/// (12-bit JPEG), arithmetic coding, lossless or hierarchical JPEG, a height defined by a DNL marker, component
/// counts other than 1, 3 and 4 or sampling factors outside 1..4, more pixels than the limit, and scans holding
/// fewer bytes than one bit per 8 x 8 block of the declared size (every block's DC coefficient is coded with at
/// least one bit): a 200-byte file cannot declare 10000 x 10000 and decode to 100 million grey pixels.</para>
/// <para>Memory: the file's bytes, the float32 image, and a strip of decoded rows of about 256 KB.</para>
/// </summary>
internal static class JpegReader
{
    /// <summary>Largest JPEG file read, in bytes: far above a quality-100 colour JPEG of the default pixel limit (1e8 pixels).</summary>
    public const long MaxFileBytes = 512L << 20;

    /// <summary>Decoded rows are converted this many bytes at a time.</summary>
    private const int StripBytes = 256 * 1024;

    public static ImageArray Read(CodecInput input, ImageReadOptions options)
    {
        string name = input.Name;
        input.RequireAtMost(MaxFileBytes, "JPEG");
        var bytes = input.ReadAll();
        var frame = JpegStructure.Parse(name, bytes);
        Check(name, frame, options);
        return Decode(name, bytes, frame);
    }

    /// <summary>The width and height the frame header declares (null when there is no valid frame header).</summary>
    public static (int Rows, int Cols)? Shape(CodecInput input)
    {
        input.RequireAtMost(MaxFileBytes, "JPEG");
        var frame = JpegStructure.Parse(input.Name, input.ReadAll(), frameOnly: true);
        return frame.Width > 0 && frame.Height > 0 ? (frame.Height, frame.Width) : null;
    }

    /// <summary>How the file stores its pixels, for `xrayflow info`: "JPEG, 8-bit grey, baseline"; null without a frame header.</summary>
    public static string? Describe(CodecInput input)
    {
        input.RequireAtMost(MaxFileBytes, "JPEG");
        var frame = JpegStructure.Parse(input.Name, input.ReadAll(), frameOnly: true);
        string components = frame.Components.Count switch
        {
            1 => "grey",
            3 => "colour (3 components)",
            4 => "CMYK (4 components)",
            var n => $"{n} components",
        };
        string coding = frame.FrameMarker switch
        {
            0xC0 => "baseline",
            0xC1 => "extended sequential",
            0xC2 => "progressive",
            0xC3 => "lossless",
            var m => $"SOF{m - 0xC0}",
        };
        return $"JPEG, {frame.Precision}-bit {components}, {coding}";
    }

    /// <summary>Everything refused before a pixel is allocated (the class doc).</summary>
    internal static void Check(string name, JpegStructure frame, ImageReadOptions options)
    {
        string? unsupported = frame.FrameMarker switch
        {
            0xC0 or 0xC1 or 0xC2 => null,
            0xC3 => "lossless JPEG (SOF3)",
            0xC5 or 0xC6 or 0xC7 => $"hierarchical (differential) JPEG (SOF{frame.FrameMarker - 0xC0})",
            _ => $"arithmetic-coded JPEG (SOF{frame.FrameMarker - 0xC0})",
        };
        if (unsupported is not null)
        {
            throw new ImageDecodeException(name, $"unsupported JPEG: {unsupported} is not supported; XRayFlow reads Huffman-coded baseline, extended and progressive 8-bit JPEG");
        }

        if (frame.Precision != 8)
        {
            throw new ImageDecodeException(name, $"unsupported JPEG: {frame.Precision}-bit samples (the frame header's precision is {frame.Precision}); XRayFlow reads 8-bit JPEG");
        }

        if (frame.Height == 0)
        {
            throw new ImageDecodeException(name, "unsupported JPEG: the frame header declares height 0 (the height would follow in a DNL marker)");
        }

        if (frame.Components.Count is not (1 or 3 or 4))
        {
            throw new ImageDecodeException(name, $"unsupported JPEG: {frame.Components.Count} components (1 is grey, 3 colour, 4 CMYK)");
        }

        foreach (var (id, h, v) in frame.Components)
        {
            if (h is < 1 or > 4 || v is < 1 or > 4)
            {
                throw new ImageDecodeException(name, $"corrupt JPEG: component {id} has sampling factors {h} x {v}; JPEG allows 1 to 4");
            }
        }

        options.CheckPixels(name, frame.Height, frame.Width);
        long blocks = frame.Blocks;
        if (frame.EntropyBytes * 8 < blocks)
        {
            throw new ImageDecodeException(name, $"corrupt JPEG: its scans hold {frame.EntropyBytes} bytes of coded data, fewer than the {(blocks + 7) / 8} bytes (one bit per 8 x 8 block) its {frame.Width} x {frame.Height} frame needs: the file is truncated or declares a size it does not have");
        }
    }

    private static unsafe ImageArray Decode(string name, byte[] bytes, JpegStructure frame)
    {
        fixed (byte* p = bytes)
        {
            try
            {
                using var data = SKData.Create((IntPtr)p, bytes.Length, (_, _) => { });
                using var codec = SKCodec.Create(data)
                    ?? throw new ImageDecodeException(name, "corrupt JPEG: libjpeg cannot read its headers");
                var info = codec.Info;
                if (info.Width != frame.Width || info.Height != frame.Height)
                {
                    throw new ImageDecodeException(name, $"corrupt JPEG: the decoder sees {info.Width} x {info.Height}, the frame header declares {frame.Width} x {frame.Height}");
                }

                bool grey = frame.Components.Count == 1;
                var target = new SKImageInfo(info.Width, info.Height, grey ? SKColorType.Gray8 : SKColorType.Rgba8888, SKAlphaType.Opaque);
                var start = codec.StartScanlineDecode(target);
                if (start != SKCodecResult.Success)
                {
                    throw new ImageDecodeException(name, $"corrupt JPEG: libjpeg cannot decode it ({start})");
                }

                int width = info.Width, height = info.Height;
                int rowBytes = target.RowBytes;
                int strip = Math.Clamp(StripBytes / rowBytes, 1, height);
                var rows = ArrayPool<byte>.Shared.Rent(strip * rowBytes);
                var result = ImageArray.Rent(height, width);
                bool done = false;
                try
                {
                    fixed (byte* r = rows)
                    {
                        for (int y0 = 0; y0 < height; y0 += strip)
                        {
                            int want = Math.Min(strip, height - y0);
                            int got = codec.GetScanlines((IntPtr)r, want, rowBytes);
                            if (got != want)
                            {
                                throw new ImageDecodeException(name, $"corrupt JPEG: libjpeg decoded {y0 + got} of its {height} rows");
                            }

                            for (int k = 0; k < want; k++)
                            {
                                var src = rows.AsSpan(k * rowBytes, rowBytes);
                                var dst = result.Data.AsSpan((y0 + k) * width, width);
                                if (grey)
                                {
                                    PixelConversion.WidenBytes(src, dst);
                                }
                                else
                                {
                                    PixelConversion.LumaOfRgb8(src, dst, 4);
                                }
                            }
                        }
                    }

                    done = true;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rows);
                    if (!done)
                    {
                        PixelPool.Shared.Return(result);
                    }
                }

                return grey ? IntegerSource.Record(result, 8) : result; // 8-bit grey samples (IntegerSource)
            }
            catch (Exception ex) when (ex is not (ImageDecodeException or OutOfMemoryException or OperationCanceledException))
            {
                throw new ImageDecodeException(name, $"corrupt JPEG: {ex.Message}", ex);
            }
        }
    }
}

namespace XRayFlow.Core.Codecs.Png;

/// <summary>The IHDR fields of a PNG (already checked: width and height &gt; 0, a valid colour type / bit depth pair).</summary>
internal readonly record struct PngHeader(int Width, int Height, byte BitDepth, byte ColorType, byte Compression, byte FilterMethod, byte Interlace)
{
    /// <summary>Samples per pixel of a colour type: grey 1, RGB 3, palette 1, grey + alpha 2, RGBA 4.</summary>
    public static int Channels(int colorType) => colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

    /// <summary>Bits per pixel (bit depth x samples per pixel).</summary>
    public int BitsPerPixel => BitDepth * Channels(ColorType);

    /// <summary>Bytes of one scanline of <paramref name="width"/> pixels, without the filter byte.</summary>
    public long RowBytes(long width) => ((width * BitsPerPixel) + 7) / 8;
}

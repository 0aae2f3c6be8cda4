namespace XRayFlow.Core.Codecs.Png;

/// <summary>Unfiltered scanline bytes -&gt; float32 pixels, for one PNG kind.</summary>
internal readonly struct PngRowConverter
{
    private readonly int colorType;
    private readonly int depth;
    private readonly float[]? lut; // palette luma by index (clamped to the last entry), or low-bit grey levels

    public PngRowConverter(in PngHeader h, ReadOnlySpan<byte> plte)
    {
        colorType = h.ColorType;
        depth = h.BitDepth;
        if (colorType == 3)
        {
            int entries = Math.Min(256, plte.Length / 3);
            lut = new float[256];
            for (int i = 0; i < 256; i++)
            {
                int j = 3 * Math.Min(i, entries - 1);
                lut[i] = PixelConversion.Luma(plte[j], plte[j + 1], plte[j + 2]);
            }
        }
        else if (colorType == 0 && depth < 8)
        {
            int levels = 1 << depth;
            int factor = 255 / (levels - 1); // ImageSharp: byte(v * (255 / (2^depth - 1)))
            lut = new float[levels];
            for (int v = 0; v < levels; v++)
            {
                lut[v] = (byte)(v * factor);
            }
        }
    }

    public void Convert(ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (colorType)
        {
            case 0 when depth == 8:
                PixelConversion.WidenBytes(src, dst);
                break;
            case 0 when depth == 16:
                PixelConversion.WidenBigEndianU16(src, dst, 1);
                break;
            case 0 or 3 when depth < 8:
                Unpack(src, dst, depth, lut!);
                break;
            case 3:
                var l = lut!;
                for (int x = 0; x < dst.Length; x++)
                {
                    dst[x] = l[src[x]];
                }

                break;
            case 4 when depth == 8:
                for (int x = 0; x < dst.Length; x++)
                {
                    dst[x] = src[2 * x];
                }

                break;
            case 4:
                PixelConversion.WidenBigEndianU16(src, dst, 2);
                break;
            case 2 or 6 when depth == 8:
                PixelConversion.LumaOfRgb8(src, dst, colorType == 2 ? 3 : 4);
                break;
            default: // 2 or 6, 16-bit
                PixelConversion.LumaOfRgb16BigEndian(src, dst, colorType == 2 ? 6 : 8);
                break;
        }
    }

    /// <summary>1/2/4-bit samples, most significant first, looked up in <paramref name="table"/>.</summary>
    private static void Unpack(ReadOnlySpan<byte> src, Span<float> dst, int depth, float[] table)
    {
        int perByte = 8 / depth;
        int mask = (1 << depth) - 1;
        int x = 0;
        for (int i = 0; x < dst.Length; i++)
        {
            int b = src[i];
            for (int k = 0; k < perByte && x < dst.Length; k++, x++)
            {
                dst[x] = table[(b >> (8 - (depth * (k + 1)))) & mask];
            }
        }
    }
}

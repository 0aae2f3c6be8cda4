using System.Runtime.CompilerServices;
namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// Unfiltered scanline bytes -&gt; float32 pixels, for one PNG kind (<see cref="PixelConversion"/>): grey 8 -&gt;
/// 0..255; grey 16 -&gt; 0..65535; grey 1/2/4 -&gt; v * 255 / (2^depth - 1) (ImageSharp's and libpng's integer
/// factors 255, 85, 17); grey + alpha -&gt; the grey sample; RGB/RGBA/palette -&gt; BT.601 luma in double on the
/// integer samples. A palette index past the last PLTE entry is refused (<see cref="TryConvert"/> is false), as
/// libpng refuses it.
/// </summary>
internal readonly struct PngRowConverter
{
    private readonly int colorType;
    private readonly int depth;
    private readonly float[]? lut; // palette luma by index, or low-bit grey levels
    private readonly int firstInvalid; // palette: the first index past the table (int.MaxValue when every index a row can hold is valid)

    public PngRowConverter(in PngHeader h, ReadOnlySpan<byte> plte)
    {
        colorType = h.ColorType;
        depth = h.BitDepth;
        firstInvalid = int.MaxValue;
        if (colorType == 3)
        {
            int entries = Math.Min(256, plte.Length / 3);
            PaletteEntries = entries;
            lut = new float[256];
            for (int i = 0; i < entries; i++)
            {
                lut[i] = PixelConversion.Luma(plte[3 * i], plte[(3 * i) + 1], plte[(3 * i) + 2]);
            }

            if (entries < (1 << depth))
            {
                firstInvalid = entries;
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

    /// <summary>Entries of the palette (PLTE length / 3, at most 256); 0 for a non-palette image.</summary>
    public int PaletteEntries { get; }

    /// <summary>
    /// Converts one row; false (and <paramref name="badIndex"/>) when a palette index has no PLTE entry, in which
    /// case <paramref name="dst"/> holds garbage.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryConvert(ReadOnlySpan<byte> src, Span<float> dst, out int badIndex)
    {
        badIndex = -1;
        switch (colorType)
        {
            case 0 when depth == 8:
                PixelConversion.WidenBytes(src, dst);
                break;
            case 0 when depth == 16:
                PixelConversion.WidenBigEndianU16(src, dst, 1);
                break;
            case 0 or 3 when depth < 8:
                return Unpack(src, dst, depth, lut!, firstInvalid, out badIndex);
            case 3:
                var l = lut!;
                if (firstInvalid > 255)
                {
                    for (int x = 0; x < dst.Length; x++)
                    {
                        dst[x] = l[src[x]];
                    }
                }
                else
                {
                    int bad = firstInvalid;
                    for (int x = 0; x < dst.Length; x++)
                    {
                        int i = src[x];
                        if (i >= bad)
                        {
                            badIndex = i;
                            return false;
                        }

                        dst[x] = l[i];
                    }
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

        return true;
    }

    /// <summary>1/2/4-bit samples, most significant first, looked up in <paramref name="table"/>; false at the first value &gt;= <paramref name="firstInvalid"/>.</summary>
    private static bool Unpack(ReadOnlySpan<byte> src, Span<float> dst, int depth, float[] table, int firstInvalid, out int badIndex)
    {
        int perByte = 8 / depth;
        int mask = (1 << depth) - 1;
        int x = 0;
        for (int i = 0; x < dst.Length; i++)
        {
            int b = src[i];
            for (int k = 0; k < perByte && x < dst.Length; k++, x++)
            {
                int v = (b >> (8 - (depth * (k + 1)))) & mask;
                if (v >= firstInvalid)
                {
                    badIndex = v;
                    return false;
                }

                dst[x] = table[v];
            }
        }

        badIndex = -1;
        return true;
    }
}

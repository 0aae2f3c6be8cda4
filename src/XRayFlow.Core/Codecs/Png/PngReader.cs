using System.Buffers.Binary;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// Reads a PNG (<c>89 50 4E 47 0D 0A 1A 0A</c>): 8-bit (and 1/2/4-bit, scaled up to 0..255 as libpng and ImageSharp
/// do) grey loads as 0..255, 16-bit grey as 0..65535; colour (RGB, RGBA, palette) is luminance
/// (<see cref="PixelConversion"/>); alpha is ignored; all metadata chunks are skipped. Every PNG, interlaced or
/// not, is decoded by <see cref="PngDecoder"/> (native zlib-ng inflate, own unfiltering); ImageSharp
/// (<see cref="ImageSharpPngDecoder"/>) reads no input: it is the independent reference the tests and benchmarks
/// compare with, bit for bit (tests/fixtures/gen_png_decode.py). A CRC mismatch in IHDR, PLTE or IDAT, damaged
/// zlib data, an unknown filter type, too little image data, a palette index past the palette, IDAT chunks
/// separated by other chunks, a missing IEND, a second IHDR, a palette image without PLTE and methods PNG does
/// not define are refused.
/// </summary>
internal static class PngReader
{
    /// <summary>The first 8 bytes of every PNG file.</summary>
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Which PNG decoder <see cref="Read(CodecInput, ImageReadOptions, PngPath)"/> uses.</summary>
    internal enum PngPath
    {
        /// <summary><see cref="PngDecoder"/>; a file it does not decode (<see cref="PngDecoder.WhyNot"/>) is refused.</summary>
        Auto,

        /// <summary><see cref="PngDecoder"/>, null when it does not decode the file (for tests and benchmarks).</summary>
        FastOnly,

        /// <summary>ImageSharp, the previous path, never used for inputs (the reference for tests and benchmarks).</summary>
        ImageSharp,
    }

    /// <summary>
    /// Largest PNG file read, in bytes. A PNG of the largest image the default pixel limit allows (1e8 pixels of
    /// 16-bit RGBA, 800 MB of samples) stored without compression fits; a larger file is refused before it is read.
    /// </summary>
    public const long MaxFileBytes = 1L << 30;

    public static ImageArray Read(CodecInput input, ImageReadOptions options)
        => Read(input, options, PngPath.Auto)!;

    /// <summary>Read a PNG from a stream (its position to its end), through the decoder <paramref name="path"/> names.</summary>
    internal static ImageArray? Read(Stream stream, string name, ImageReadOptions options, PngPath path)
    {
        using var input = CodecInput.FromStream(stream, name);
        return Read(input, options, path);
    }

    /// <summary>The width and height IHDR declares, from the first 24 bytes; null when they are not valid or the file is too long.</summary>
    public static (int Rows, int Cols)? Shape(CodecInput input)
    {
        input.RequireAtMost(MaxFileBytes, "PNG");
        var head = input.Head;
        if (head.Length < 24)
        {
            return null;
        }

        long w = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(16));
        long h = BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(20));
        return w is > 0 and <= int.MaxValue && h is > 0 and <= int.MaxValue ? ((int)h, (int)w) : null;
    }

    /// <summary>How the file stores its pixels, for `xrayflow info`: "PNG, 8-bit grey" (", Adam7-interlaced" when it is); null without a valid IHDR.</summary>
    public static string? Describe(CodecInput input)
    {
        if (Shape(input) is null || input.Head.Length < 29)
        {
            return null;
        }

        byte depth = input.Head[24], colorType = input.Head[25];
        string colour = colorType switch { 0 => "grey", 2 => "RGB", 3 => "palette", 4 => "grey + alpha", 6 => "RGBA", _ => "colour type " + colorType };
        return $"PNG, {depth}-bit {colour}" + (input.Head[28] == 1 ? ", Adam7-interlaced" : string.Empty);
    }

    /// <summary>
    /// Read a PNG: header and pixel limit, the whole file, the chunk walk (<see cref="PngChunkMap.Scan"/>), then
    /// the decoder <paramref name="path"/> names. Both give the same float32 values (tested bit for bit).
    /// </summary>
    internal static ImageArray? Read(CodecInput input, ImageReadOptions options, PngPath path)
    {
        string name = input.Name;
        long length = input.Length;
        input.RequireAtMost(MaxFileBytes, "PNG");
        if (length < 8 + 25)
        {
            throw new ImageDecodeException(name, $"truncated PNG: the file has only {length} bytes");
        }

        // IHDR is always the first chunk: read the dimensions before touching the rest.
        var ihdr = input.Head.AsSpan(0, 8 + 25);
        if (BinaryPrimitives.ReadUInt32BigEndian(ihdr[8..]) != 13 || !ihdr.Slice(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new ImageDecodeException(name, "corrupt PNG: the first chunk is not IHDR");
        }

        long width = BinaryPrimitives.ReadUInt32BigEndian(ihdr[16..]);
        long height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[20..]);
        byte bitDepth = ihdr[24];
        byte colorType = ihdr[25];
        options.CheckPixels(name, height, width);
        bool validDepth = colorType switch
        {
            0 => bitDepth is 1 or 2 or 4 or 8 or 16,
            3 => bitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => bitDepth is 8 or 16,
            _ => false,
        };
        if (!validDepth)
        {
            throw new ImageDecodeException(name, $"corrupt PNG: colour type {colorType} with bit depth {bitDepth} is not valid");
        }

        if (width > Array.MaxLength || height > Array.MaxLength)
        {
            throw new ImageDecodeException(name, $"the image is {height} x {width} pixels, too large for one image array");
        }

        var header = new PngHeader((int)width, (int)height, bitDepth, colorType, ihdr[26], ihdr[27], ihdr[28]);
        // The file's bytes are needed only while decoding: a pooled buffer (a new large array would be
        // page-faulted in on every file of a batch).
        var bytes = input.RentAll();
        try
        {
            var chunks = PngChunkMap.Scan(name, bytes.AsSpan(0, (int)length));
            ImageArray? image;
            if (path == PngPath.ImageSharp)
            {
                image = ImageSharpPngDecoder.Decode(name, bytes, (int)length, header, chunks);
            }
            else if (PngDecoder.WhyNot(header, chunks) is { } why)
            {
                return path == PngPath.FastOnly ? null : throw new ImageDecodeException(name, "corrupt PNG: " + why);
            }
            else
            {
                image = PngDecoder.Decode(name, bytes, header, chunks);
            }

            // Grey samples are whole numbers of 8 (or fewer) or 16 bits: scikit-image's integer path (IntegerSource).
            return colorType is 0 or 4 ? IntegerSource.Record(image, bitDepth == 16 ? 16 : 8) : image;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}

using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs;

/// <summary>
/// Reads an input file into an <see cref="ImageArray"/>, choosing the decoder by the file's CONTENT
/// (magic bytes), never by its name alone.
/// <list type="bullet">
/// <item>PNG (<c>89 50 4E 47 0D 0A 1A 0A</c>): 8-bit (and 1/2/4-bit, scaled up to 0..255 as ImageSharp
/// does) grey loads as 0..255, 16-bit grey as 0..65535. Colour (RGB, RGBA, palette) is converted to
/// luminance <c>Y = 0.299 R + 0.587 G + 0.114 B</c> (ITU-R BT.601 luma weights) computed in double on the
/// integer channel values (0..255, or 0..65535 for 16-bit PNGs) and NOT rounded, then stored as float32.
/// Alpha is ignored (not composited). All metadata chunks are skipped. Non-interlaced PNGs are decoded by
/// <see cref="PngFastDecoder"/> (native zlib-ng inflate, own unfiltering); Adam7-interlaced ones and a few
/// malformed structures by ImageSharp; both give the same float32 values, bit for bit (tests/fixtures/gen_png_decode.py).
/// A CRC mismatch in IHDR, PLTE or IDAT, damaged zlib data, an unknown filter type, too little image data,
/// IDAT chunks separated by other chunks or a missing IEND are refused.</item>
/// <item>JPEG (<c>FF D8 FF</c>): grey loads as 0..255; colour is decoded to 8-bit RGB by ImageSharp and
/// converted with the same BT.601 formula.</item>
/// <item>NPY (<c>93 'NUMPY'</c>): see <see cref="Npy"/>; a 3-D array is a stack.</item>
/// <item>DICOM (<c>'DICM'</c> at byte 128, or a <c>.dcm</c> name): see <c>ImageReader.Dicom.cs</c>.</item>
/// </list>
/// Dimensions are read from the header and checked against <see cref="ImageReadOptions.MaxPixels"/> before
/// decoding. Any unreadable file (missing, empty, truncated, corrupt, mislabelled, unsupported) throws
/// <see cref="ImageDecodeException"/> with a reason; a partially decoded image is never returned.
/// </summary>
public static partial class ImageReader
{
    /// <summary>BT.601 luma weights used for every colour-to-grey conversion.</summary>
    public const double LumaR = 0.299;

    public const double LumaG = 0.587;

    public const double LumaB = 0.114;

    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Read one file: a 2-D image, or a stack for a 3-D .npy (or multi-frame DICOM).</summary>
    /// <exception cref="ImageDecodeException">The file cannot be read; the reason says why.</exception>
    public static ImageArray Read(string path, ImageReadOptions? options = null)
    {
        options ??= ImageReadOptions.Default;
        using var stream = Open(path);
        return Read(stream, path, options);
    }

    /// <summary>Read from a seekable stream; <paramref name="name"/> is used in messages (and for the .dcm hint).</summary>
    public static ImageArray Read(Stream stream, string name, ImageReadOptions? options = null)
    {
        options ??= ImageReadOptions.Default;
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        long start = stream.Position;
        if (stream.Length - start == 0)
        {
            throw new ImageDecodeException(name, "the file is empty");
        }

        var head = new byte[(int)Math.Min(132, stream.Length - start)];
        stream.ReadExactly(head);
        stream.Position = start;

        var format = DetectFormat(head);
        string ext = Path.GetExtension(name).ToLowerInvariant();
        if (format == ImageFileFormat.Unknown && ext == ".dcm")
        {
            // A DICOM file without the 128-byte preamble: let the DICOM reader decide.
            format = ImageFileFormat.Dicom;
        }

        return format switch
        {
            ImageFileFormat.Png => ReadPng(stream, name, options),
            ImageFileFormat.Jpeg => ReadJpeg(stream, name, options),
            ImageFileFormat.Npy => Npy.Read(stream, name, options),

            // ---- DICOM hook: the DICOM reader lives in ImageReader.Dicom.cs (ReadDicom). ----
            ImageFileFormat.Dicom => ReadDicom(stream, name, options),
            _ => throw new ImageDecodeException(name, DescribeUnknown(head, ext)),
        };
    }

    /// <summary>
    /// Read 2-D images (in the order given: the caller sorts) into one stack N x H x W.
    /// All files must have the same shape; a file that is itself a stack is refused.
    /// </summary>
    /// <exception cref="ImageDecodeException">A file cannot be read, or its shape differs from the first file's.</exception>
    public static ImageArray ReadStack(IReadOnlyList<string> paths, ImageReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (paths.Count == 0)
        {
            throw new ArgumentException("a stack needs at least one file", nameof(paths));
        }

        options ??= ImageReadOptions.Default;
        ImageArray? result = null;
        string firstPath = paths[0];
        int? bits = null; // what every frame's file recorded (IntegerSource), -1 when they differ or one has none
        for (int n = 0; n < paths.Count; n++)
        {
            var img = Read(paths[n], options);
            int frameBits = IntegerSource.TryGetRecorded(img, out int b) ? b : -1;
            bits = bits is null || bits == frameBits ? frameBits : -1;
            if (img.IsStack && paths.Count == 1)
            {
                return img; // one multi-frame file (DICOM, 3-D .npy) is the stack itself
            }

            if (img.IsStack)
            {
                throw new ImageDecodeException(paths[n], $"is a stack of shape {img.ShapeText}; a stack input is built from 2-D images");
            }

            if (result is null)
            {
                if ((long)paths.Count * img.Length > options.MaxPixels)
                {
                    throw new ImageDecodeException(paths[n], $"a stack of {paths.Count} images of shape {img.ShapeText} has more than the limit of {options.MaxPixels} pixels");
                }

                result = ImageArray.Stack(paths.Count, img.Rows, img.Cols);
                if (DicomDisplayInfo.TryGet(img, out var display))
                {
                    DicomDisplayInfo.Attach(result, display!); // a DICOM series keeps the first file's window
                }
            }
            else if (img.Rows != result.Rows || img.Cols != result.Cols)
            {
                throw new ImageDecodeException(paths[n], $"has shape {img.ShapeText} but the first file of the stack ({firstPath}) has shape ({result.Rows}, {result.Cols}); all frames of a stack must have one shape");
            }

            img.Data.CopyTo(result.Frame(n));
        }

        return bits >= 0 ? IntegerSource.Record(result!, bits.Value) : result!;
    }

    /// <summary>The format the first bytes of a file announce (at least 132 bytes are needed to see DICOM).</summary>
    public static ImageFileFormat DetectFormat(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(PngSignature))
        {
            return ImageFileFormat.Png;
        }

        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
        {
            return ImageFileFormat.Jpeg;
        }

        if (head.StartsWith(Npy.Magic))
        {
            return ImageFileFormat.Npy;
        }

        if (head.Length >= 132 && head.Slice(128, 4).SequenceEqual("DICM"u8))
        {
            return ImageFileFormat.Dicom;
        }

        return ImageFileFormat.Unknown;
    }

    private static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException)
        {
            throw new ImageDecodeException(path, "file not found");
        }
        catch (DirectoryNotFoundException)
        {
            throw new ImageDecodeException(path, "file not found (the folder does not exist)");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new ImageDecodeException(path, "permission denied", ex);
        }
        catch (IOException ex)
        {
            throw new ImageDecodeException(path, $"cannot open the file: {ex.Message}", ex);
        }
    }

    private static string DescribeUnknown(byte[] head, string ext)
    {
        string named = ext switch
        {
            ".png" => "the file is named .png but is not a PNG file",
            ".jpg" or ".jpeg" => $"the file is named {ext} but is not a JPEG file",
            ".npy" => "the file is named .npy but is not a NumPy .npy file",
            _ => "unrecognised file format",
        };

        bool text = head.Length > 0 && head.Take(64).All(b => b is 9 or 10 or 13 || (b >= 32 && b < 127));
        string what;
        if (text)
        {
            string start = Encoding.ASCII.GetString(head, 0, Math.Min(24, head.Length)).ReplaceLineEndings(" ");
            what = $"it contains text (starts with \"{start}\")";
        }
        else
        {
            what = "it starts with bytes " + string.Join(' ', head.Take(8).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
        }

        return $"{named}: {what}; XRayFlow reads PNG, JPEG, NumPy .npy and DICOM files";
    }

    private static void CheckPixels(string name, long rows, long cols, ImageReadOptions options)
    {
        if (rows <= 0 || cols <= 0)
        {
            throw new ImageDecodeException(name, $"the header declares an empty image ({rows} x {cols})");
        }

        if (rows * cols > options.MaxPixels)
        {
            throw new ImageDecodeException(name, $"the image is {rows} x {cols} = {rows * cols} pixels, more than the limit of {options.MaxPixels}");
        }
    }

    // ---------------------------------------------------------------------------------------- PNG

    /// <summary>Which PNG decoder <see cref="ReadPng(Stream, string, ImageReadOptions, PngPath)"/> uses.</summary>
    internal enum PngPath
    {
        /// <summary>The fast path when it handles the file (<see cref="PngFastDecoder.CanDecode"/>), else ImageSharp.</summary>
        Auto,

        /// <summary>The fast path only: null when it does not handle the file (for tests and benchmarks).</summary>
        FastOnly,

        /// <summary>ImageSharp only, the previous path (for tests and benchmarks).</summary>
        ImageSharp,
    }

    private static ImageArray ReadPng(Stream stream, string name, ImageReadOptions options)
        => ReadPng(stream, name, options, PngPath.Auto)!;

    /// <summary>
    /// Read a PNG: header and pixel limit, the whole file, the chunk walk (<see cref="ScanPngChunks"/>), then
    /// <see cref="PngFastDecoder"/> or ImageSharp. Both give the same float32 values (tested bit for bit).
    /// </summary>
    internal static ImageArray? ReadPng(Stream stream, string name, ImageReadOptions options, PngPath path)
    {
        long start = stream.Position;
        long length = stream.Length - start;
        if (length < 8 + 25)
        {
            throw new ImageDecodeException(name, $"truncated PNG: the file has only {length} bytes");
        }

        // IHDR is always the first chunk: read the dimensions before touching the rest.
        var ihdr = new byte[8 + 25];
        stream.ReadExactly(ihdr);
        if (BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(8)) != 13 || !ihdr.AsSpan(12, 4).SequenceEqual("IHDR"u8))
        {
            throw new ImageDecodeException(name, "corrupt PNG: the first chunk is not IHDR");
        }

        long width = BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(16));
        long height = BinaryPrimitives.ReadUInt32BigEndian(ihdr.AsSpan(20));
        byte bitDepth = ihdr[24];
        byte colorType = ihdr[25];
        CheckPixels(name, height, width, options);
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

        if (length > int.MaxValue)
        {
            throw new ImageDecodeException(name, $"the PNG file is {length} bytes, larger than 2 GiB");
        }

        if (width > Array.MaxLength || height > Array.MaxLength)
        {
            throw new ImageDecodeException(name, $"the image is {height} x {width} pixels, too large for one image array");
        }

        var header = new PngHeader((int)width, (int)height, bitDepth, colorType, ihdr[26], ihdr[27], ihdr[28]);
        stream.Position = start;
        // The file's bytes are needed only while decoding: a pooled buffer (a new large array would be
        // page-faulted in on every file of a batch).
        var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            stream.ReadExactly(bytes, 0, (int)length);
            var chunks = ScanPngChunks(name, bytes.AsSpan(0, (int)length));
            var image = path != PngPath.ImageSharp && PngFastDecoder.CanDecode(header, chunks)
                ? PngFastDecoder.Decode(name, bytes, header, chunks)
                : path == PngPath.FastOnly ? null : ReadPngImageSharp(name, bytes, (int)length, header, chunks);

            // Grey samples are whole numbers of 8 (or fewer) or 16 bits: scikit-image's integer path (IntegerSource).
            return image is not null && colorType is 0 or 4 ? IntegerSource.Record(image, bitDepth == 16 ? 16 : 8) : image;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    private static ImageArray ReadPngImageSharp(string name, byte[] bytes, int length, in PngHeader header, PngChunkMap chunks)
    {
        var idat = new MemoryStream();
        foreach (var (offset, len) in chunks.Idat)
        {
            idat.Write(bytes, offset + 8, len);
        }

        idat.Position = 0;
        CheckPngImageData(name, idat, header.Width, header.Height, header.BitDepth, header.ColorType, header.Interlace);
        try
        {
            using var ms = new MemoryStream(bytes, 0, length, writable: false);
            var config = ImageSharpSetup.Configuration;
            var decoder = ImageSharpSetup.PngDecoder;
            bool grey = header.ColorType is 0 or 4;
            if (grey && header.BitDepth == 16)
            {
                using var img = decoder.Decode<L16>(config, ms, CancellationToken.None);
                return FromL16(img);
            }

            if (grey)
            {
                using var img = decoder.Decode<L8>(config, ms, CancellationToken.None);
                return FromL8(img);
            }

            if (header.BitDepth == 16)
            {
                using var img = decoder.Decode<Rgb48>(config, ms, CancellationToken.None);
                return FromRgb48(img);
            }

            using (var img = decoder.Decode<Rgb24>(config, ms, CancellationToken.None))
            {
                return FromRgb24(img);
            }
        }
        catch (Exception ex) when (IsDecoderFailure(ex))
        {
            throw new ImageDecodeException(name, $"corrupt PNG: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Walk the chunk list: every chunk must fit in the file, there must be image data, the IDAT chunks must be
    /// consecutive (PNG requires it; ImageSharp would decode only the first run and leave the rest of the image
    /// black), and there must be an IEND. A truncated file fails here, before any decoder could decode the rows it
    /// has and leave the rest grey. Bytes after IEND are ignored.
    /// </summary>
    private static PngChunkMap ScanPngChunks(string name, ReadOnlySpan<byte> bytes)
    {
        long pos = 8;
        var map = new PngChunkMap();
        bool idatEnded = false;
        while (true)
        {
            if (pos + 8 > bytes.Length)
            {
                throw new ImageDecodeException(name, $"truncated PNG: the file ends at byte {bytes.Length} without an IEND chunk");
            }

            long len = BinaryPrimitives.ReadUInt32BigEndian(bytes[(int)pos..]);
            var typeBytes = bytes.Slice((int)pos + 4, 4);
            if (len > int.MaxValue)
            {
                throw new ImageDecodeException(name, $"corrupt PNG: chunk '{ChunkName(typeBytes)}' at byte {pos} declares {len} bytes");
            }

            if (pos + 12 + len > bytes.Length)
            {
                throw new ImageDecodeException(name, $"truncated PNG: chunk '{ChunkName(typeBytes)}' at byte {pos} needs {len + 12} bytes but the file ends at byte {bytes.Length}");
            }

            if (typeBytes.SequenceEqual("IDAT"u8))
            {
                if (idatEnded)
                {
                    throw new ImageDecodeException(name, $"corrupt PNG: the image data chunks (IDAT) are not consecutive: another IDAT at byte {pos} follows other chunks");
                }

                map.Idat.Add(((int)pos, (int)len));
            }
            else
            {
                idatEnded = map.Idat.Count > 0;
                if (typeBytes.SequenceEqual("IEND"u8))
                {
                    break;
                }

                if (typeBytes.SequenceEqual("IHDR"u8))
                {
                    map.IhdrCount++;
                }
                else if (typeBytes.SequenceEqual("PLTE"u8) && map.PlteOffset < 0 && map.Idat.Count == 0)
                {
                    map.PlteOffset = (int)pos;
                    map.PlteLength = (int)len;
                }
            }

            pos += 12 + len;
        }

        if (map.Idat.Count == 0)
        {
            throw new ImageDecodeException(name, "corrupt PNG: no image data (IDAT chunk)");
        }

        return map;
    }

    /// <summary>A chunk type for a message: its 4 bytes as ASCII letters, or in hex if they are not letters.</summary>
    private static string ChunkName(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
        {
            if (b is < (byte)'A' or > (byte)'z' or (> (byte)'Z' and < (byte)'a'))
            {
                return Convert.ToHexString(type);
            }
        }

        return Encoding.ASCII.GetString(type);
    }

    /// <summary>
    /// The zlib stream of the IDAT chunks must inflate to every scanline the header promises (ImageSharp
    /// decodes a short stream without complaint and leaves the missing rows black). One extra inflate pass,
    /// counted in a small buffer.
    /// </summary>
    private static void CheckPngImageData(string name, MemoryStream idat, long width, long height, int bitDepth, int colorType, int interlace)
    {
        int channels = colorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        long bitsPerPixel = (long)bitDepth * channels;
        long Scanlines(long w, long h) => w == 0 || h == 0 ? 0 : h * (1 + (((w * bitsPerPixel) + 7) / 8));
        long expected;
        if (interlace == 0)
        {
            expected = Scanlines(width, height);
        }
        else
        {
            // Adam7 passes: (x0, y0, dx, dy)
            ReadOnlySpan<int> x0 = [0, 4, 0, 2, 0, 1, 0];
            ReadOnlySpan<int> y0 = [0, 0, 4, 0, 2, 0, 1];
            ReadOnlySpan<int> dx = [8, 8, 4, 4, 2, 2, 1];
            ReadOnlySpan<int> dy = [8, 8, 8, 4, 4, 2, 2];
            expected = 0;
            for (int p = 0; p < 7; p++)
            {
                long pw = (width - x0[p] + dx[p] - 1) / dx[p];
                long ph = (height - y0[p] + dy[p] - 1) / dy[p];
                expected += Scanlines(Math.Max(0, pw), Math.Max(0, ph));
            }
        }

        long got = 0;
        try
        {
            using var z = new System.IO.Compression.ZLibStream(idat, System.IO.Compression.CompressionMode.Decompress);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
            try
            {
                int n;
                while (got < expected && (n = z.Read(buffer, 0, buffer.Length)) > 0)
                {
                    got += n;
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new ImageDecodeException(name, $"corrupt PNG: the compressed image data is damaged ({ex.Message})", ex);
        }

        if (got < expected)
        {
            throw new ImageDecodeException(name, $"truncated PNG: the image data holds {got} of the {expected} bytes its {width} x {height} header needs");
        }
    }

    // --------------------------------------------------------------------------------------- JPEG

    private static ImageArray ReadJpeg(Stream stream, string name, ImageReadOptions options)
    {
        long start = stream.Position;
        long length = stream.Length - start;
        if (length > int.MaxValue)
        {
            throw new ImageDecodeException(name, $"the JPEG file is {length} bytes, larger than 2 GiB");
        }

        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        CheckJpegComplete(name, bytes);
        var config = ImageSharpSetup.Configuration;
        var decoder = ImageSharpSetup.JpegDecoder;
        try
        {
            IImageInfo info;
            using (var ms = new MemoryStream(bytes, writable: false))
            {
                info = decoder.Identify(config, ms, CancellationToken.None)
                    ?? throw new ImageDecodeException(name, "corrupt JPEG: no frame header");
            }

            CheckPixels(name, info.Height, info.Width, options);
            using var ms2 = new MemoryStream(bytes, writable: false);
            if (info.PixelType.BitsPerPixel <= 8)
            {
                using var img = decoder.Decode<L8>(config, ms2, CancellationToken.None);
                return IntegerSource.Record(FromL8(img), 8); // 8-bit grey samples (IntegerSource)
            }

            using var rgb = decoder.Decode<Rgb24>(config, ms2, CancellationToken.None);
            return FromRgb24(rgb);
        }
        catch (Exception ex) when (IsDecoderFailure(ex))
        {
            throw new ImageDecodeException(name, $"corrupt JPEG: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// A JPEG must end its last scan with an EOI marker (FF D9). The last EOI must come after the last
    /// start-of-scan marker (FF DA): an EXIF thumbnail's EOI near the start does not count.
    /// </summary>
    private static void CheckJpegComplete(string name, byte[] bytes)
    {
        int lastSos = -1;
        int lastEoi = -1;
        for (int i = 0; i + 1 < bytes.Length; i++)
        {
            if (bytes[i] == 0xFF)
            {
                byte m = bytes[i + 1];
                if (m == 0xDA)
                {
                    lastSos = i;
                }
                else if (m == 0xD9)
                {
                    lastEoi = i;
                }
            }
        }

        if (lastSos < 0)
        {
            throw new ImageDecodeException(name, "corrupt JPEG: no image scan (SOS marker)");
        }

        if (lastEoi < lastSos)
        {
            throw new ImageDecodeException(name, $"truncated JPEG: no end-of-image marker after the last scan (the file ends at byte {bytes.Length})");
        }
    }

    // ----------------------------------------------------------------------------- pixel copies

    private static ImageArray FromL8(Image<L8> img)
    {
        var result = new ImageArray(img.Height, img.Width);
        var data = result.Data;
        int w = img.Width;
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < acc.Height; y++)
            {
                var row = acc.GetRowSpan(y);
                var dst = data.AsSpan(y * w, w);
                for (int x = 0; x < row.Length; x++)
                {
                    dst[x] = row[x].PackedValue;
                }
            }
        });
        return result;
    }

    private static ImageArray FromL16(Image<L16> img)
    {
        var result = new ImageArray(img.Height, img.Width);
        var data = result.Data;
        int w = img.Width;
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < acc.Height; y++)
            {
                var row = acc.GetRowSpan(y);
                var dst = data.AsSpan(y * w, w);
                for (int x = 0; x < row.Length; x++)
                {
                    dst[x] = row[x].PackedValue;
                }
            }
        });
        return result;
    }

    private static ImageArray FromRgb24(Image<Rgb24> img)
    {
        var result = new ImageArray(img.Height, img.Width);
        var data = result.Data;
        int w = img.Width;
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < acc.Height; y++)
            {
                var row = acc.GetRowSpan(y);
                var dst = data.AsSpan(y * w, w);
                for (int x = 0; x < row.Length; x++)
                {
                    dst[x] = Luma(row[x].R, row[x].G, row[x].B);
                }
            }
        });
        return result;
    }

    private static ImageArray FromRgb48(Image<Rgb48> img)
    {
        var result = new ImageArray(img.Height, img.Width);
        var data = result.Data;
        int w = img.Width;
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < acc.Height; y++)
            {
                var row = acc.GetRowSpan(y);
                var dst = data.AsSpan(y * w, w);
                for (int x = 0; x < row.Length; x++)
                {
                    dst[x] = Luma(row[x].R, row[x].G, row[x].B);
                }
            }
        });
        return result;
    }

    /// <summary>
    /// Any exception a third-party decoder throws on damaged data is a bad file, whatever its type (ImageSharp
    /// 2.1's JPEG Identify throws NullReferenceException on some damaged headers), except out-of-memory,
    /// cancellation and our own reasons.
    /// </summary>
    private static bool IsDecoderFailure(Exception ex)
        => ex is not (OutOfMemoryException or OperationCanceledException or ImageDecodeException or StackOverflowException);

    /// <summary>Y = 0.299 R + 0.587 G + 0.114 B in double, not rounded, then float32.</summary>
    public static float Luma(double r, double g, double b) => (float)((LumaR * r) + (LumaG * g) + (LumaB * b));
}

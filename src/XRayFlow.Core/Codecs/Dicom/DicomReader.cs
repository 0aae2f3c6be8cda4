using System.Buffers.Binary;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Codecs.Dicom;

/// <summary>
/// Reads DICOM files without any DICOM package: Implicit VR Little Endian, Explicit VR Little Endian,
/// Explicit VR Big Endian, Deflated Explicit VR Little Endian and RLE Lossless; 1 (packed), 8, 16 and 32 bits
/// allocated, signed or unsigned, Bits Stored narrower than Bits Allocated; one or many frames; MONOCHROME1,
/// MONOCHROME2 and RGB (as luminance). Every refusal is an <see cref="ImageDecodeException"/> whose reason
/// names the problem (and mirrors pydicom's reason where pydicom refuses the same file). See docs/dicom.md.
/// </summary>
public static class DicomReader
{
    /// <summary>True when the bytes start with a 128-byte preamble followed by "DICM".</summary>
    public static bool HasDicomPreamble(ReadOnlySpan<byte> head) => DicomParser.HasPreamble(head);

    /// <summary>Parses header and pixel-data location from bytes (copied).</summary>
    public static DicomFile Parse(ReadOnlySpan<byte> data, string name = "<memory>", DicomReadOptions? options = null)
        => Parse(data.ToArray(), name, options);

    /// <summary>Parses header and pixel-data location. The array is kept (not copied) by the result.</summary>
    public static DicomFile Parse(byte[] data, string name = "<memory>", DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        if (data.LongLength > options.MaxFileBytes)
        {
            throw new ImageDecodeException(name, $"the file has {data.LongLength} bytes, more than the {options.MaxFileBytes}-byte limit");
        }

        return DicomParser.Parse(name, data, options);
    }

    /// <summary>Reads a stream to its end (at most MaxFileBytes) and parses it.</summary>
    public static DicomFile Parse(Stream stream, string name = "<stream>", DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (buffer.Length + n > options.MaxFileBytes)
            {
                throw new ImageDecodeException(name, $"the stream has more than {options.MaxFileBytes} bytes (the limit)");
            }

            buffer.Write(chunk, 0, n);
        }

        return DicomParser.Parse(name, buffer.ToArray(), options);
    }

    /// <summary>Parses a file from disk: a regular file only, its size checked against MaxFileBytes before it is read.</summary>
    public static DicomFile ParseFile(string path, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        using var input = CodecInput.OpenFile(path);
        return Parse(input, options);
    }

    internal static DicomFile Parse(CodecInput input, DicomReadOptions options)
    {
        input.RequireAtMost(options.MaxFileBytes, "DICOM");
        return DicomParser.Parse(input.Name, input.ReadAll(), options);
    }

    /// <summary>The header of a file (for `xrayflow info`); succeeds for compressed syntaxes too.</summary>
    public static DicomHeader ReadHeader(string path, DicomReadOptions? options = null) => ParseFile(path, options).Header;

    /// <summary>Parses and decodes a file: stored and modality values.</summary>
    public static DicomImage ReadDicom(string path, DicomReadOptions? options = null)
        => Decode(ParseFile(path, options), options);

    /// <summary>
    /// Reads a file as the engine's image: modality values (a stack when multi-frame), with the display facts
    /// (window, photometric) attached in <see cref="DicomDisplayInfo"/> for the `window` op.
    /// </summary>
    public static ImageArray ReadImage(string path, DicomReadOptions? options = null)
    {
        var image = ReadDicom(path, options);
        var array = image.Modality;
        DicomDisplayInfo.Attach(array, DicomDisplayInfo.From(image.Header, path));
        return array;
    }

    /// <summary>
    /// The engine's image from a stream, for <see cref="ImageReader"/>: every file with 'DICM' at byte 128, and
    /// every file named .dcm whose first bytes match no other format (read only with
    /// <see cref="ImageReadOptions.DicomWithoutPreamble"/>). Modality values (stored x Rescale Slope + Rescale
    /// Intercept); a stack when Number of Frames &gt; 1; the header's window and photometric interpretation
    /// attached as <see cref="DicomDisplayInfo"/> (for the `window` op).
    /// </summary>
    internal static ImageArray ReadImage(CodecInput input, ImageReadOptions options)
    {
        string name = input.Name;
        var dicomOptions = new DicomReadOptions
        {
            AllowMissingPreamble = options.DicomWithoutPreamble,
            MaxPixels = options.MaxPixels,
        };
        var file = Parse(input, dicomOptions);
        var image = Decode(file, dicomOptions);
        var array = image.Modality;
        DicomDisplayInfo.Attach(array, DicomDisplayInfo.From(file.Header, name));
        return array;
    }

    /// <summary>How the file stores its pixels, for `xrayflow info`: "DICOM, 16-bit MONOCHROME2" (a file without preamble is read as pydicom's force=True does).</summary>
    internal static string Describe(CodecInput input)
    {
        var h = Parse(input, new DicomReadOptions { AllowMissingPreamble = true }).Header;
        string bits = h.BitsAllocated is { } ba ? $"{ba}-bit" : "?-bit";
        return $"DICOM, {bits} {Printable.Excerpt(h.Photometric ?? "(no photometric interpretation)")}";
    }

    /// <summary>Decodes the pixel data of a parsed file, validating every field first.</summary>
    public static DicomImage Decode(DicomFile file, DicomReadOptions? options = null)
    {
        options ??= DicomReadOptions.Default;
        var h = file.Header;
        var ts = h.TransferSyntax;
        ImageDecodeException Fail(string reason) => new(file.Path, reason);

        if (!ts.PixelsSupported)
        {
            throw Fail($"cannot decode the pixel data: transfer syntax {Printable.Excerpt(ts.Display, 120)} uses a codec XRayFlow does not carry "
                + "(supported: Implicit VR Little Endian, Explicit VR Little Endian, Explicit VR Big Endian, "
                + "Deflated Explicit VR Little Endian, RLE Lossless); decompress the file first, "
                + "e.g. `gdcmconv --raw in.dcm out.dcm` or dcmtk's dcmdjpeg / dcmdjpls");
        }

        if (file.PixelOffset < 0 && file.Fragments is null)
        {
            throw Fail("the dataset has no Pixel Data (7FE0,0010)");
        }

        var missing = new List<string>();
        if (h.BitsAllocated is null) missing.Add("BitsAllocated");
        if (h.Rows is null) missing.Add("Rows");
        if (h.Columns is null) missing.Add("Columns");
        if (h.SamplesPerPixel is null) missing.Add("SamplesPerPixel");
        if (h.Photometric is null) missing.Add("PhotometricInterpretation");
        if (h.PixelRepresentation is null) missing.Add("PixelRepresentation");
        if (h.BitsStored is null) missing.Add("BitsStored");
        if (missing.Count > 0)
        {
            throw Fail("Unable to convert the pixel data as the following required elements are missing from the dataset: " + string.Join(", ", missing));
        }

        int rows = h.Rows!.Value, cols = h.Columns!.Value, spp = h.SamplesPerPixel!.Value;
        int ba = h.BitsAllocated!.Value, bs = h.BitsStored!.Value, pr = h.PixelRepresentation!.Value;
        string photometric = h.Photometric!;
        if (rows < 1 || cols < 1)
        {
            throw Fail($"the image has {rows} rows and {cols} columns; both must be at least 1");
        }

        int? nf = h.NumberOfFrames;
        if (nf < 0)
        {
            throw Fail($"Number of Frames is {nf}");
        }

        int frames = h.Frames; // absent or 0: one frame (pydicom 2.3's expected length counts 0 as 1; its reshape refuses it)
        if (ba is not (1 or 8 or 16 or 32))
        {
            throw Fail($"Bits Allocated {ba} is not supported (1, 8, 16 or 32)");
        }

        if (bs < 1 || bs > ba)
        {
            throw Fail($"Bits Stored {bs} is outside 1..Bits Allocated ({ba})");
        }

        if (h.HighBit is { } hb && hb != bs - 1)
        {
            throw Fail($"High Bit {hb} with Bits Stored {bs} is not supported (only High Bit = Bits Stored - 1)");
        }

        if (pr is not (0 or 1))
        {
            throw Fail($"Pixel Representation {pr} is neither 0 (unsigned) nor 1 (signed)");
        }

        if (spp == 1)
        {
            if (photometric == "PALETTE COLOR")
            {
                throw Fail("PALETTE COLOR images need their palette lookup tables, which XRayFlow does not apply");
            }

            if (photometric is not ("MONOCHROME1" or "MONOCHROME2"))
            {
                throw Fail($"Photometric Interpretation '{Printable.Excerpt(photometric)}' with 1 sample per pixel is not supported (MONOCHROME1 or MONOCHROME2)");
            }
        }
        else if (spp == 3)
        {
            if (photometric != "RGB")
            {
                throw Fail($"Photometric Interpretation '{Printable.Excerpt(photometric)}' with 3 samples per pixel is not supported; only RGB is read (as luminance)");
            }

            if (ba == 1)
            {
                throw Fail("RGB with Bits Allocated 1 is not supported");
            }
        }
        else
        {
            throw Fail($"Samples per Pixel {spp} is not supported (1 for grey, 3 for RGB)");
        }

        long pixels = (long)frames * rows * cols;
        long maxPixels = Math.Min(options.MaxPixels, int.MaxValue / 3);
        if (pixels > maxPixels)
        {
            throw Fail($"the image has {frames} x {rows} x {cols} = {pixels} pixels, more than the limit of {maxPixels}");
        }

        long samples = pixels * spp;
        string layout = $"{rows} rows x {cols} columns x {frames} frame(s) x {spp} sample(s) x {ba} bits";

        if (ts.Encoding == TransferSyntaxEncoding.Native)
        {
            if (file.Fragments is not null)
            {
                throw Fail($"the pixel data is encapsulated (undefined length) but transfer syntax {Printable.Excerpt(ts.Display, 120)} is not compressed");
            }

            bool planar = spp > 1 && h.PlanarConfiguration == 1;
            if (spp > 1 && h.PlanarConfiguration is null)
            {
                throw Fail("Unable to convert the pixel data as the following conditionally required element is missing from the dataset: PlanarConfiguration");
            }

            long expected = ba == 1 ? (samples + 7) / 8 : samples * (ba / 8);
            long padded = expected + (expected % 2);
            long actual = file.PixelLength;
            if (actual < padded && actual != expected)
            {
                throw Fail($"The length of the pixel data in the dataset ({actual} bytes) doesn't match the expected length ({padded} bytes = {layout}, even-padded): the file is truncated or corrupt");
            }

            return new DicomImage(file.Path, h, frames, file.Buffer, file.PixelOffset, file.LittleEndian, planar);
        }

        // RLE Lossless
        if (file.Fragments is null)
        {
            throw Fail("RLE Lossless pixel data must be encapsulated (undefined length, fragments), but it has a defined length");
        }

        if (ba == 1)
        {
            throw Fail("RLE Lossless with Bits Allocated 1 is not supported");
        }

        byte[] decoded = RleDecoder.DecodeFrames(file, frames, rows, cols, spp, ba / 8);
        return new DicomImage(file.Path, h, frames, decoded, 0, little: true, planar: spp > 1);
    }
}

/// <summary>
/// RLE Lossless (PS3.5 Annex G): each frame is a 64-byte header (segment count, 15 offsets) and PackBits
/// segments, one per byte of each sample, most significant byte first. Output: little-endian samples, planar
/// (all of sample 0, then sample 1, ...), frames one after the other.
/// </summary>
internal static class RleDecoder
{
    public static byte[] DecodeFrames(DicomFile file, int frames, int rows, int cols, int spp, int bps)
    {
        ImageDecodeException Fail(string reason) => new(file.Path, reason);
        var frags = file.Fragments!;
        byte[] buf = file.Buffer;

        // One contiguous span per frame: one fragment per frame, or all fragments of a single frame joined.
        var frameData = new List<(byte[] Data, int Offset, int Length)>();
        if (frames == 1)
        {
            if (frags.Count == 1)
            {
                frameData.Add((buf, frags[0].Offset, frags[0].Length));
            }
            else
            {
                long total = frags.Sum(f => (long)f.Length);
                var joined = new byte[total];
                int at = 0;
                foreach (var (o, l) in frags)
                {
                    Array.Copy(buf, o, joined, at, l);
                    at += l;
                }

                frameData.Add((joined, 0, joined.Length));
            }
        }
        else if (frags.Count == frames)
        {
            frameData.AddRange(frags.Select(f => (buf, f.Offset, f.Length)));
        }
        else
        {
            throw Fail($"the RLE pixel data has {frags.Count} fragment(s) for {frames} frames (XRayFlow expects one fragment per frame)");
        }

        int plane = rows * cols;
        int segments = spp * bps;
        var offsets = new int[frames][];

        // Validate every header before allocating the output.
        for (int f = 0; f < frames; f++)
        {
            var (data, off, len) = frameData[f];
            if (len < 64)
            {
                throw Fail($"RLE frame {f} has {len} bytes, fewer than its 64-byte header");
            }

            uint count = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(off));
            if (count > 15)
            {
                throw Fail($"The RLE header specifies an invalid number of segments ({count}) in frame {f}");
            }

            if (count != segments)
            {
                throw Fail($"The number of RLE segments in the pixel data doesn't match the expected amount ({count} vs. {segments} segments) in frame {f}");
            }

            var o = new int[segments + 1];
            for (int s = 0; s < segments; s++)
            {
                uint v = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(off + 4 + (4 * s)));
                if (v < 64 || v > (uint)len)
                {
                    throw Fail($"RLE frame {f}: segment {s} starts at byte {v}, outside the frame's data (64..{len})");
                }

                o[s] = (int)v;
            }

            o[segments] = len;
            for (int s = 0; s < segments; s++)
            {
                if (o[s] > o[s + 1])
                {
                    throw Fail($"RLE frame {f}: segment offsets are out of order ({o[s]} then {o[s + 1]})");
                }

                long most = 64L * (o[s + 1] - o[s]); // a 2-byte replicate run yields at most 128 bytes
                if (most < plane)
                {
                    throw Fail($"The amount of decoded RLE segment data doesn't match the expected amount: segment {s} of frame {f} has {o[s + 1] - o[s]} bytes, which cannot decode to the {plane} bytes needed");
                }
            }

            offsets[f] = o;
        }

        long outLength = (long)frames * plane * segments;
        if (outLength > Array.MaxLength)
        {
            throw Fail($"the decoded RLE pixel data would have {outLength} bytes, more than an array can hold");
        }

        var output = new byte[outLength];
        for (int f = 0; f < frames; f++)
        {
            var (data, off, _) = frameData[f];
            var o = offsets[f];
            long frameBase = (long)f * plane * segments;
            for (int sample = 0; sample < spp; sample++)
            {
                for (int j = 0; j < bps; j++)
                {
                    int seg = (sample * bps) + j; // j = 0: most significant byte
                    long start = frameBase + ((long)sample * plane * bps) + (bps - 1 - j);
                    int got = DecodeSegment(data.AsSpan(off + o[seg], o[seg + 1] - o[seg]), output, start, bps, plane);
                    if (got < plane)
                    {
                        throw Fail($"The amount of decoded RLE segment data doesn't match the expected amount ({got} vs. {plane} bytes) in segment {seg} of frame {f}");
                    }
                }
            }
        }

        return output;
    }

    /// <summary>PackBits into output[start + k * stride] for k &lt; count; returns how many bytes were produced.</summary>
    private static int DecodeSegment(ReadOnlySpan<byte> src, byte[] output, long start, int stride, int count)
    {
        int produced = 0, pos = 0;
        while (pos < src.Length && produced < count)
        {
            int h = (sbyte)src[pos++];
            if (h >= 0)
            {
                int n = Math.Min(h + 1, src.Length - pos);
                n = Math.Min(n, count - produced);
                for (int k = 0; k < n; k++)
                {
                    output[start + ((long)(produced + k) * stride)] = src[pos + k];
                }

                produced += n;
                pos += h + 1;
            }
            else if (h != -128)
            {
                if (pos >= src.Length)
                {
                    break;
                }

                byte b = src[pos++];
                int n = Math.Min(1 - h, count - produced);
                for (int k = 0; k < n; k++)
                {
                    output[start + ((long)(produced + k) * stride)] = b;
                }

                produced += n;
            }
        }

        return produced;
    }
}

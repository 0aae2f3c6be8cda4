using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Codecs.Dicom;

/// <summary>
/// Decoded DICOM pixels.
/// <list type="bullet">
/// <item>Stored values (<see cref="StoredValues"/>): the integers in the file, in pydicom's order and shape
/// (frames, rows, columns[, samples]); bits above Bits Stored are masked off and signed values are sign-extended
/// from bit Bits Stored - 1 (pydicom 2.3 keeps those high bits as they are; they differ only for files with
/// garbage there).</item>
/// <item>Modality values (<see cref="Modality"/>): for MONOCHROME1/2, float32(stored x Rescale Slope + Rescale
/// Intercept), computed in double and rounded once (Hounsfield units for CT). For RGB (3 samples), the
/// luminance float32(0.299 R + 0.587 G + 0.114 B) of the stored values (ITU-R BT.601; rescale does not apply to
/// colour). A 2-D image, or a stack (frames x rows x columns) when Number of Frames is greater than 1.
/// MONOCHROME1 is NOT inverted here (values keep their meaning); the `window` op inverts it for display.</item>
/// </list>
/// </summary>
public sealed class DicomImage
{
    private readonly byte[] _src;
    private readonly int _srcOffset;
    private readonly bool _little;
    private readonly bool _planar;
    private readonly int _bytesPerSample; // 0 for Bits Allocated 1 (bit-packed)
    private readonly long _mask;
    private readonly long _signBit;
    private ImageArray? _modality;

    internal DicomImage(string path, DicomHeader header, int frames, byte[] src, int srcOffset, bool little, bool planar)
    {
        Path = path;
        Header = header;
        Frames = frames;
        Rows = header.Rows!.Value;
        Columns = header.Columns!.Value;
        SamplesPerPixel = header.SamplesPerPixel!.Value;
        BitsAllocated = header.BitsAllocated!.Value;
        BitsStored = header.BitsStored!.Value;
        Signed = header.PixelRepresentation == 1;
        _src = src;
        _srcOffset = srcOffset;
        _little = little;
        _planar = planar;
        _bytesPerSample = BitsAllocated == 1 ? 0 : BitsAllocated / 8;
        _mask = BitsStored >= 64 ? -1L : (1L << BitsStored) - 1;
        _signBit = Signed ? 1L << (BitsStored - 1) : 0;
    }

    public string Path { get; }

    public DicomHeader Header { get; }

    public int Frames { get; }

    public int Rows { get; }

    public int Columns { get; }

    public int SamplesPerPixel { get; }

    public int BitsAllocated { get; }

    public int BitsStored { get; }

    public bool Signed { get; }

    /// <summary>Number of Frames &gt; 1: the modality image is a stack.</summary>
    public bool IsMultiFrame => Header.NumberOfFrames is > 1;

    /// <summary>pydicom's pixel_array shape: [frames,] rows, columns[, samples].</summary>
    public int[] StoredShape
    {
        get
        {
            var shape = new List<int>();
            if (IsMultiFrame)
            {
                shape.Add(Frames);
            }

            shape.Add(Rows);
            shape.Add(Columns);
            if (SamplesPerPixel > 1)
            {
                shape.Add(SamplesPerPixel);
            }

            return [.. shape];
        }
    }

    /// <summary>Modality values (see the class summary), computed once.</summary>
    public ImageArray Modality => _modality ??= BuildModality();

    /// <summary>All stored values in pydicom's order (frame, row, column, sample). Allocates 8 bytes a sample.</summary>
    public long[] StoredValues()
    {
        int n = Rows * Columns * SamplesPerPixel;
        var all = new long[(long)n * Frames];
        for (int f = 0; f < Frames; f++)
        {
            ReadFrame(f, all.AsSpan(f * n, n));
        }

        return all;
    }

    /// <summary>The stored values of frame f, (row, column, sample) order, into dst (length rows x cols x samples).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void ReadFrame(int f, Span<long> dst)
    {
        int n = Rows * Columns * SamplesPerPixel;
        if (dst.Length < n || (uint)f >= (uint)Frames)
        {
            throw new ArgumentOutOfRangeException(nameof(f));
        }

        long first = (long)f * n;
        if (_bytesPerSample == 0)
        {
            for (int k = 0; k < n; k++)
            {
                long bit = first + k;
                dst[k] = (_src[_srcOffset + (bit >> 3)] >> (int)(bit & 7)) & 1;
            }

            return;
        }

        int plane = Rows * Columns;
        int spp = SamplesPerPixel;
        int bps = _bytesPerSample;
        for (int k = 0; k < n; k++)
        {
            int idx = _planar ? ((k % spp) * plane) + (k / spp) : k;
            long p = _srcOffset + ((first + idx) * bps);
            var s = _src.AsSpan((int)p, bps);
            long raw = bps switch
            {
                1 => s[0],
                2 => _little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
                _ => _little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
            };
            long v = raw & _mask;
            if ((v & _signBit) != 0)
            {
                v -= _signBit << 1;
            }

            dst[k] = v;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ImageArray BuildModality()
    {
        var result = IsMultiFrame ? ImageArray.Stack(Frames, Rows, Columns) : new ImageArray(Rows, Columns);
        int plane = Rows * Columns;
        var scratch = new long[plane * SamplesPerPixel];
        double slope = Header.RescaleSlope, intercept = Header.RescaleIntercept;
        for (int f = 0; f < Frames; f++)
        {
            ReadFrame(f, scratch);
            var dst = result.Frame(f);
            if (SamplesPerPixel == 3)
            {
                for (int p = 0; p < plane; p++)
                {
                    dst[p] = (float)((0.299 * scratch[3 * p]) + (0.587 * scratch[(3 * p) + 1]) + (0.114 * scratch[(3 * p) + 2]));
                }
            }
            else
            {
                for (int p = 0; p < plane; p++)
                {
                    dst[p] = (float)((scratch[p] * slope) + intercept);
                }
            }
        }

        return result;
    }
}

using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Dicom;

namespace XRayFlow.Core.Tests.Codecs.Dicom;

/// <summary>
/// A Deflated Explicit VR Little Endian dataset is inflated only as far as it declares: the elements before Pixel
/// Data up to a bound, then the pixel bytes its header promises. A few megabytes of deflate used to inflate to the
/// 1 GiB limit (2.4 GB peak, 52 s in `xrayflow info`) before being refused.
/// </summary>
public class DicomDeflateBombTests
{
    private static void Element(MemoryStream ms, ushort group, ushort element, string vr, ReadOnlySpan<byte> value, uint? longLength = null)
    {
        Span<byte> b = stackalloc byte[12];
        BinaryPrimitives.WriteUInt16LittleEndian(b, group);
        BinaryPrimitives.WriteUInt16LittleEndian(b[2..], element);
        b[4] = (byte)vr[0];
        b[5] = (byte)vr[1];
        if (vr is "OB" or "OW" or "UN" or "SQ" or "UT")
        {
            b[6] = 0;
            b[7] = 0;
            BinaryPrimitives.WriteUInt32LittleEndian(b[8..], longLength ?? (uint)value.Length);
            ms.Write(b);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b[6..], (ushort)value.Length);
            ms.Write(b[..8]);
        }

        ms.Write(value);
    }

    private static byte[] U16(ushort v) => BitConverter.GetBytes(v);

    /// <summary>Preamble, meta (Deflated syntax), then the deflated dataset: a 16 x 16 8-bit image, then <paramref name="tail"/>.</summary>
    private static byte[] Deflated(Action<MemoryStream, DeflateStream> tail, bool withPixels = true)
    {
        var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        Element(file, 0x0002, 0x0010, "UI", Encoding.ASCII.GetBytes("1.2.840.10008.1.2.1.99\0"));
        var dataset = new MemoryStream();
        Element(dataset, 0x0028, 0x0002, "US", U16(1));
        Element(dataset, 0x0028, 0x0004, "CS", Encoding.ASCII.GetBytes("MONOCHROME2 "));
        Element(dataset, 0x0028, 0x0010, "US", U16(16));
        Element(dataset, 0x0028, 0x0011, "US", U16(16));
        Element(dataset, 0x0028, 0x0100, "US", U16(8));
        Element(dataset, 0x0028, 0x0101, "US", U16(8));
        Element(dataset, 0x0028, 0x0102, "US", U16(7));
        Element(dataset, 0x0028, 0x0103, "US", U16(0));
        if (withPixels)
        {
            Element(dataset, 0x7FE0, 0x0010, "OB", Enumerable.Range(0, 256).Select(i => (byte)i).ToArray());
        }

        using (var z = new DeflateStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(dataset.ToArray());
            tail(dataset, z);
        }

        return file.ToArray();
    }

    private static void Zeros(DeflateStream z, long count)
    {
        var block = new byte[1 << 20];
        for (long left = count; left > 0; left -= block.Length)
        {
            z.Write(block, 0, (int)Math.Min(block.Length, left));
        }
    }

    [Fact]
    public void PaddingAfterThePixelDataIsNotInflated()
    {
        // 200 MB of trailing padding (a legal element) after a 16 x 16 image: under the 1 GiB limit, so it used to be
        // inflated whole (and held twice) before the 256 pixel bytes were decoded.
        var bytes = Deflated((_, z) =>
        {
            var head = new MemoryStream();
            Element(head, 0xFFFC, 0xFFFC, "OB", [], longLength: 200_000_000);
            z.Write(head.ToArray());
            Zeros(z, 200_000_000);
        });
        Assert.True(bytes.Length < 1_000_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var image = ImageReader.Read(new MemoryStream(bytes), "padded.dcm");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal([16, 16], image.Shape);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (float)i), image.Data);
        Assert.True(allocated < 16_000_000, $"allocated {allocated} bytes");
    }

    [Fact]
    public void AnElementThatNeverEndsBeforeThePixelDataIsRefusedAtTheHeaderBound()
    {
        var bytes = Deflated(
            (_, z) =>
            {
                var head = new MemoryStream();
                Element(head, 0x0009, 0x1010, "OB", [], longLength: 0xFFFFFFF0);
                z.Write(head.ToArray());
                Zeros(z, 20_000_000);
            },
            withPixels: false);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImageDecodeException>(() => DicomReader.Parse(bytes, "bomb.dcm", new DicomReadOptions { MaxInflatedHeaderBytes = 1 << 20 }));
        Assert.Equal("the deflated dataset holds more than 1048576 bytes before its Pixel Data (7FE0,0010) (the limit; a decompression bomb?)", ex.Reason);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8_000_000);
    }

    [Fact]
    public void ZerosWhereTheDatasetShouldBeAreRefusedAtOnce()
    {
        // The classic bomb: gigabytes of zeros. The first inflated element is already invalid: refused after 64 KiB.
        var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        Element(file, 0x0002, 0x0010, "UI", Encoding.ASCII.GetBytes("1.2.840.10008.1.2.1.99\0"));
        using (var z = new DeflateStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            Zeros(z, 300_000_000);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ImageDecodeException>(() => ImageReader.Read(new MemoryStream(file.ToArray()), "zeros.dcm"));
        Assert.Contains("invalid VR", ex.Reason);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8_000_000);
    }

    [Fact]
    public void PixelBytesTheHeaderDeclaresAreAllInflated()
    {
        // Pixel data longer than the header declares (accepted by pydicom and by the reader): the declared bytes decode.
        var file = new MemoryStream();
        file.Write(new byte[128]);
        file.Write("DICM"u8);
        Element(file, 0x0002, 0x0010, "UI", Encoding.ASCII.GetBytes("1.2.840.10008.1.2.1.99\0"));
        var dataset = new MemoryStream();
        Element(dataset, 0x0028, 0x0002, "US", U16(1));
        Element(dataset, 0x0028, 0x0004, "CS", Encoding.ASCII.GetBytes("MONOCHROME2 "));
        Element(dataset, 0x0028, 0x0010, "US", U16(16));
        Element(dataset, 0x0028, 0x0011, "US", U16(16));
        Element(dataset, 0x0028, 0x0100, "US", U16(8));
        Element(dataset, 0x0028, 0x0101, "US", U16(8));
        Element(dataset, 0x0028, 0x0102, "US", U16(7));
        Element(dataset, 0x0028, 0x0103, "US", U16(0));
        Element(dataset, 0x7FE0, 0x0010, "OB", Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), longLength: 256 + 3_000_000);
        using (var z = new DeflateStream(file, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(dataset.ToArray());
            Zeros(z, 3_000_000);
        }

        var bytes = file.ToArray();
        var image = DicomReader.Decode(DicomReader.Parse(bytes, "long.dcm"));
        Assert.Equal(Enumerable.Range(0, 256).Select(i => (long)i), image.StoredValues());
    }
}

using XRayFlow.Core.Codecs;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Tests.Codecs.Npy;

public class NpyTests
{
    private static string P(string name) => CodecFixtures.Path_("npy", name);

    [Theory]
    [InlineData("bool")]
    [InlineData("int8")]
    [InlineData("uint8")]
    [InlineData("int16")]
    [InlineData("uint16")]
    [InlineData("int32")]
    [InlineData("uint32")]
    [InlineData("int64")]
    [InlineData("uint64")]
    [InlineData("float16")]
    [InlineData("float32")]
    [InlineData("float64")]
    [InlineData("complex64")]
    [InlineData("complex128")]
    public void ReadsEveryDtypeInBothByteOrders(string dtype)
    {
        var expected = NpyReader.Read(P(dtype + "_expected.npy"));
        foreach (string order in new[] { "le", "be" })
        {
            var a = NpyReader.Read(P($"{dtype}_{order}.npy"));
            Assert.Equal([3, 4], a.Shape);
            Assert.Equal(expected.Data, a.Data);
            Assert.Equal(expected.Imag, a.Imag);
        }
    }

    [Fact]
    public void Float32ValuesAreExact()
    {
        var a = NpyReader.Read(P("float32_le.npy"));
        Assert.Equal(-0.6f, a[0, 0]);
        Assert.Equal(0.5f, a[2, 3], 1e-7);
        var c = NpyReader.Read(P("complex64_le.npy"));
        Assert.Equal(-3f, c.Data[0]);
        Assert.Equal(11f, c.Imag![11]);
    }

    [Theory]
    [InlineData("v2.npy")]
    [InlineData("v3.npy")]
    public void ReadsFormatVersions2And3(string file)
        => Assert.Equal(NpyReader.Read(P("float32_le.npy")).Data, NpyReader.Read(P(file)).Data);

    [Fact]
    public void ThreeDimensionsIsAStack()
    {
        var s = NpyReader.Read(P("stack.npy"));
        Assert.True(s.IsStack);
        Assert.Equal([2, 3, 4], s.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => (float)i), s.Data);
    }

    [Theory]
    [InlineData("fortran.npy", "Fortran order")]
    [InlineData("rank1.npy", "shape (5)")]
    [InlineData("rank4.npy", "shape (1, 2, 2, 2)")]
    [InlineData("structured.npy", ".npy dtype is a structured (record) dtype, which is not supported")]
    [InlineData("unicode.npy", "dtype '<U1' is not supported")]
    [InlineData("truncated.npy", "truncated .npy")]
    public void UnsupportedFilesThrowWithAReason(string file, string reason)
    {
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(P(file)));
        Assert.Contains(reason, ex.Reason);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), '\u001b]0;owned\u0007': 1, }", "unexpected key '\\x1b]0;owned\\x07'")]
    [InlineData("{'descr': '<U\u001b[2J', 'fortran_order': False, 'shape': (2, 2), }", "dtype '<U\\x1b[2J' is not supported")]
    public void HeaderTextQuotedInAMessageIsEscaped(string header, string reason)
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0]);
        ms.Write(System.Text.Encoding.Latin1.GetBytes(header));
        ms.Write(new byte[64]);
        ms.Position = 0;
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(ms, "escape.npy"));
        Assert.Contains(reason, ex.Reason);
        Assert.DoesNotContain('\u001b', ex.Message);
    }

    [Fact]
    public void HeaderLengthIsValidatedBeforeAllocation()
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0, 0xFF, 0xFF, 0xFF, 0x7F]);
        ms.Position = 0;
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(ms, "big-header.npy"));
        Assert.Contains("header declares", ex.Reason);
    }

    [Fact]
    public void DataLengthIsValidatedBeforeAllocation()
    {
        var ms = new MemoryStream();
        NpyWriter.Write(ms, new ImageArray(2, 2, [1, 2, 3, 4]));
        var bytes = ms.ToArray();
        string header = System.Text.Encoding.ASCII.GetString(bytes, 10, bytes.Length - 10 - 16);
        string bigger = header.Replace("(2, 2)", "(9000, 9000)").Substring(0, header.Length);
        var forged = bytes[..10].Concat(System.Text.Encoding.ASCII.GetBytes(bigger)).Concat(bytes[^16..]).ToArray();
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Read(new MemoryStream(forged), "forged.npy"));
        Assert.Contains("needs 324000000 data bytes, the file has 16", ex.Reason);
    }

    [Fact]
    public void WriteRoundTripsRealAndComplexImagesAndStacks()
    {
        var rng = new Random(7);
        var img = new ImageArray(3, 5, Enumerable.Range(0, 15).Select(_ => (float)rng.NextDouble()).ToArray());
        var cplx = new ImageArray(2, 2, [1, 2, 3, 4], [-1, -2, -3, -4]);
        var stack = ImageArray.Stack(2, 1, 3, [1, 2, 3, 4, 5, 6]);
        foreach (var a in new[] { img, cplx, stack })
        {
            var ms = new MemoryStream();
            NpyWriter.Write(ms, a);
            Assert.Equal(0, (ms.Length - a.Length * (a.IsComplex ? 8 : 4)) % 64); // data aligned to 64
            ms.Position = 0;
            var b = NpyReader.Read(ms);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.IsStack, b.IsStack);
            Assert.Equal(a.Data, b.Data);
            Assert.Equal(a.Imag, b.Imag);
        }
    }

    [Fact]
    public void WrittenHeaderIsWhatNumpyWrites()
    {
        var ms = new MemoryStream();
        NpyWriter.Write(ms, ImageArray.Stack(2, 3, 4));
        string text = System.Text.Encoding.ASCII.GetString(ms.ToArray(), 10, 118);
        Assert.StartsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4), }", text);
        Assert.EndsWith("\n", text);
    }

    // ------------------------------------------------------------------ from mutation testing: exact limits and refusals

    /// <summary>A .npy of format <paramref name="major"/>.0: the prefix, <paramref name="header"/> as given (no padding), then <paramref name="data"/>.</summary>
    private static byte[] Npy(string header, byte[] data, int major = 1)
    {
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        var h = System.Text.Encoding.Latin1.GetBytes(header);
        var len = new byte[major == 1 ? 2 : 4];
        if (major == 1)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)h.Length);
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)h.Length);
        }

        ms.Write(len);
        ms.Write(h);
        ms.Write(data);
        return ms.ToArray();
    }

    private static string Refused(byte[] npy, ImageReadOptions? options = null)
        => Assert.Throws<ImageDecodeException>(() => NpyReader.Read(new MemoryStream(npy), "t.npy", options)).Reason;

    private static string U1(string shape) => $"{{'descr': '|u1', 'fortran_order': False, 'shape': {shape}, }}\n";

    [Fact]
    public void AHeaderOfExactlyTheLimitIsReadAndOneByteMoreIsRefused()
    {
        string dict = U1("(1, 2)").TrimEnd('\n');
        string atLimit = dict + new string(' ', NpyReader.MaxHeaderLength - dict.Length - 1) + "\n";
        Assert.Equal(NpyReader.MaxHeaderLength, atLimit.Length);
        Assert.Equal([7f, 9f], NpyReader.Read(new MemoryStream(Npy(atLimit, [7, 9], major: 2))).Data);
        Assert.Equal(".npy header declares 65537 bytes, more than the limit of 65536", Refused(Npy(" " + atLimit, [7, 9], major: 2)));
    }

    [Fact]
    public void AHeaderLengthFieldCutShortIsRefusedAsMissing()
    {
        byte[] v1 = Npy(U1("(1, 1)"), [5]);
        Assert.Equal("truncated .npy: the header length is missing", Refused(v1[..9]));
        Assert.Equal("truncated .npy: the header length is missing", Refused(v1[..8]));
        byte[] v2 = Npy(U1("(1, 1)"), [5], major: 2);
        Assert.Equal("truncated .npy: the header length is missing", Refused(v2[..11]));
        Assert.Equal("truncated .npy: the header length is missing", Refused(v2[..10]));
        Assert.Equal("the file is empty", Refused([]));
        Assert.Equal("not a NumPy .npy file (bad magic)", Refused(v1[..7]));
    }

    [Fact]
    public void AFileEndingOneByteInsideTheHeaderIsRefused()
    {
        // Only the header's final newline is missing: it would parse, but the file is cut.
        byte[] npy = Npy(U1("(1, 1)"), []);
        Assert.Equal("truncated .npy: the file ends inside the header", Refused(npy[..^1]));
    }

    [Fact]
    public void DataOneByteShortIsRefusedBeforeAllocationWithTheCounts()
    {
        Assert.Equal("truncated .npy: shape (2, 2) of |u1 needs 4 data bytes, the file has 3", Refused(Npy(U1("(2, 2)"), [1, 2, 3])));
        Assert.Equal([1f, 2f, 3f, 4f], NpyReader.Read(new MemoryStream(Npy(U1("(2, 2)"), [1, 2, 3, 4]))).Data);
    }

    [Theory]
    [InlineData("(0, 3)", ".npy array has shape (0, 3) with an empty axis")]
    [InlineData("(3, 0)", ".npy array has shape (3, 0) with an empty axis")]
    [InlineData("(2, 0, 3)", ".npy array has shape (2, 0, 3) with an empty axis")]
    public void AnEmptyAxisIsRefused(string shape, string reason)
        => Assert.Equal(reason, Refused(Npy(U1(shape), [])));

    [Fact]
    public void ThePixelLimitIsInclusive()
    {
        byte[] npy = Npy(U1("(2, 3)"), [1, 2, 3, 4, 5, 6]);
        Assert.Equal([2, 3], NpyReader.Read(new MemoryStream(npy), "t.npy", new ImageReadOptions { MaxPixels = 6 }).Shape);
        Assert.Equal(".npy array of shape (2, 3) has more than the limit of 5 pixels", Refused(npy, new ImageReadOptions { MaxPixels = 5 }));
    }

    [Fact]
    public void AShapeWhoseProductWrapsIsRefusedWhereThereIsNoPixelLimit()
    {
        // 2^22 * 2^21 * 2^21 = 2^64, 0 in a long: without the per-axis overflow check `xrayflow info` would accept it.
        byte[] npy = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4194304, 2097152, 2097152), }\n", []);
        using var input = CodecInput.FromStream(new MemoryStream(npy), "wrap.npy");
        var ex = Assert.Throws<ImageDecodeException>(() => NpyReader.Describe(input));
        Assert.Equal(".npy array of shape (4194304, 2097152, 2097152) is larger than 2^31 values", ex.Reason);
        using var again = CodecInput.FromStream(new MemoryStream(npy), "wrap.npy");
        Assert.Throws<ImageDecodeException>(() => NpyReader.ReadShape(again));
    }

    [Theory]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1), } x", "corrupt .npy header: text after the closing brace")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1)", "corrupt .npy header: expected '}' at character 56")]
    [InlineData("{'descr': '|u1', 'shape': (1, 1), }", "corrupt .npy header: it needs 'descr', 'fortran_order' and 'shape'")]
    [InlineData("{'fortran_order': False, 'shape': (1, 1), }", "corrupt .npy header: it needs 'descr', 'fortran_order' and 'shape'")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, }", "corrupt .npy header: it needs 'descr', 'fortran_order' and 'shape'")]
    [InlineData("{'descr': '|u1', 'fortran_order': Maybe, 'shape': (1, 1), }", "corrupt .npy header: expected True or False at character 34")]
    [InlineData("{'descr': '|u1', 'fortran_order': False, 'shape': (1, -1), }", "corrupt .npy header: expected a dimension at character 54")]
    [InlineData("{'descr': '!u1', 'fortran_order': False, 'shape': (1, 1), }", ".npy dtype '!u1' is not supported (bool, int8/16/32/64, uint8/16/32/64, float16/32/64, complex64/128 are)")]
    [InlineData("{'descr': '<f16', 'fortran_order': False, 'shape': (1, 1), }", ".npy dtype '<f16' is not supported (bool, int8/16/32/64, uint8/16/32/64, float16/32/64, complex64/128 are)")]
    [InlineData("{'descr': '<b2', 'fortran_order': False, 'shape': (1, 1), }", ".npy dtype '<b2' is not supported (bool, int8/16/32/64, uint8/16/32/64, float16/32/64, complex64/128 are)")]
    public void MalformedHeadersAreRefusedWithTheReason(string header, string reason)
        => Assert.Equal(reason, Refused(Npy(header, new byte[64])));

    [Fact]
    public void MoreThan32DimensionsIsACorruptHeader()
    {
        string dims33 = "(" + string.Join(", ", Enumerable.Repeat("1", 33)) + ")";
        Assert.Equal("corrupt .npy header: too many dimensions", Refused(Npy(U1(dims33), [1])));
        string dims32 = "(" + string.Join(", ", Enumerable.Repeat("1", 32)) + ")";
        Assert.StartsWith(".npy array has shape (1, 1, 1,", Refused(Npy(U1(dims32), [1])));
    }

    [Fact]
    public void Python2LongDimensionsAreRead()
    {
        var a = NpyReader.Read(new MemoryStream(Npy(U1("(2L, 3L)"), [1, 2, 3, 4, 5, 6])));
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], a.Data);
    }

    [Theory]
    [InlineData(1, 1, ".npy format version 1.1 is not supported (1.0, 2.0 and 3.0 are)")]
    [InlineData(2, 7, ".npy format version 2.7 is not supported (1.0, 2.0 and 3.0 are)")]
    [InlineData(4, 0, ".npy format version 4.0 is not supported (1.0, 2.0 and 3.0 are)")]
    [InlineData(0, 0, ".npy format version 0.0 is not supported (1.0, 2.0 and 3.0 are)")]
    public void OnlyTheVersionsNumpyWritesAreRead(byte major, byte minor, string reason)
    {
        // numpy.lib.format's _check_version refuses a minor version as it does a major one; the message says so.
        var npy = Npy(U1("(1, 1)"), [7], major: major is 1 ? 1 : 2);
        npy[6] = major;
        npy[7] = minor;
        Assert.Equal(reason, Refused(npy));
        Assert.Equal(7f, NpyReader.Read(new MemoryStream(Npy(U1("(1, 1)"), [7], major: major is 1 ? 1 : 2))).Data[0]);
    }

    [Fact]
    public void Version3HeadersAreUtf8AndVersion1HeadersLatin1()
    {
        // A key in a non-ASCII name is refused either way, but the message quotes it as each version spells it.
        string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (1, 1), 'é': 1, }\n";
        var utf8 = System.Text.Encoding.UTF8.GetBytes(header);
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 3, 0, (byte)utf8.Length, 0, 0, 0]);
        ms.Write(utf8);
        ms.Write(new byte[1]);
        Assert.Equal("corrupt .npy header: unexpected key 'é'", Refused(ms.ToArray()));
    }

    [Fact]
    public void UnsignedIntegerSamplesRecordTheirBitsAndFloatsZero()
    {
        var u8 = NpyReader.Read(P("uint8_le.npy"));
        var u16 = NpyReader.Read(P("uint16_le.npy"));
        var f4 = NpyReader.Read(P("float32_le.npy"));
        var i16 = NpyReader.Read(P("int16_le.npy"));
        Assert.True(IntegerSource.TryGetRecorded(u8, out int b8));
        Assert.Equal(8, b8);
        Assert.True(IntegerSource.TryGetRecorded(u16, out int b16));
        Assert.Equal(16, b16);
        Assert.True(IntegerSource.TryGetRecorded(f4, out int bf));
        Assert.Equal(0, bf);
        Assert.False(IntegerSource.TryGetRecorded(i16, out _));
    }

    [Fact]
    public void DataLongerThanOneReadBlockIsReadInOrder()
    {
        // 40,000 uint16 values: three 64 KB read blocks of 32,768 values, the last one partial.
        var values = Enumerable.Range(0, 40_000).Select(i => (ushort)(i * 7)).ToArray();
        var data = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(data.AsSpan(2 * i), values[i]);
        }

        var a = NpyReader.Read(new MemoryStream(Npy("{'descr': '>u2', 'fortran_order': False, 'shape': (200, 200), }\n", data)));
        Assert.Equal(values.Select(v => (float)v), a.Data);
    }
}

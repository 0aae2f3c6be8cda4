using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace XRayFlow.Core.Tests.TestSupport;

/// <summary>
/// A tiny test-only reader of NumPy .npy files (format 1.0/2.0, C order, little-endian float32 or
/// float64), so the fixture tests do not depend on the product codec. Values come back as double.
/// </summary>
public static partial class TestNpy
{
    public static (double[] Data, int[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 10 || bytes[0] != 0x93 || Encoding.ASCII.GetString(bytes, 1, 5) != "NUMPY")
        {
            throw new InvalidDataException($"{path}: not a .npy file");
        }

        int major = bytes[6];
        int headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)) : (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8));
        int headerStart = major == 1 ? 10 : 12;
        string header = Encoding.ASCII.GetString(bytes, headerStart, headerLength);
        string descr = DescrRegex().Match(header).Groups[1].Value;
        if (FortranRegex().Match(header).Groups[1].Value != "False")
        {
            throw new InvalidDataException($"{path}: Fortran order is not supported");
        }

        var shape = ShapeRegex().Match(header).Groups[1].Value
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse).ToArray();
        long count = shape.Aggregate(1L, (a, b) => a * b);
        var data = new double[count];
        var body = bytes.AsSpan(headerStart + headerLength);
        switch (descr)
        {
            case "<f4":
                for (int k = 0; k < count; k++)
                {
                    data[k] = BinaryPrimitives.ReadSingleLittleEndian(body[(4 * k)..]);
                }

                break;
            case "<f8":
                for (int k = 0; k < count; k++)
                {
                    data[k] = BinaryPrimitives.ReadDoubleLittleEndian(body[(8 * k)..]);
                }

                break;
            default:
                throw new InvalidDataException($"{path}: dtype {descr} is not supported by the test reader");
        }

        return (data, shape);
    }

    [GeneratedRegex(@"'descr':\s*'([^']+)'")]
    private static partial Regex DescrRegex();

    [GeneratedRegex(@"'fortran_order':\s*(True|False)")]
    private static partial Regex FortranRegex();

    [GeneratedRegex(@"'shape':\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
}

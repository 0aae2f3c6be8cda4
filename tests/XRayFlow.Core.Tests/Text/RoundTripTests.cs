using System.Globalization;
using System.Text;
using System.Text.Json;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Tests.Text;

public class RoundTripTests
{
    private static double Read(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public void EveryPowerOfTwoReadsBackAsItself()
    {
        // .NET 10.0.12's "R" writes 2^-25 and 2^-958 one double too low (dotnet/runtime pull request 131131).
        for (int e = -1074; e <= 1023; e++)
        {
            foreach (double d in (ReadOnlySpan<double>)[Math.ScaleB(1, e), -Math.ScaleB(1, e)])
            {
                string text = RoundTrip.Format(d);
                Assert.True(BitConverter.DoubleToInt64Bits(Read(text)) == BitConverter.DoubleToInt64Bits(d), $"2^{e}: {text}");
            }
        }
    }

    [Fact]
    public void TheTwoPowersNetSpellsWrongAreSpelledRight()
    {
        Assert.Equal("2.9802322387695312E-08", RoundTrip.Format(Math.ScaleB(1, -25)));
        Assert.Equal("4.1045368012983762E-289", RoundTrip.Format(Math.ScaleB(1, -958)));
        Assert.Equal("-2.9802322387695312E-08", RoundTrip.Format(-Math.ScaleB(1, -25)));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(0.5, "0.5")]
    [InlineData(122.28851699829102, "122.28851699829102")]
    [InlineData(1e-5, "1E-05")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1e300, "1E+300")]
    [InlineData(-1024.0, "-1024")]
    [InlineData(double.NaN, "NaN")]
    public void OtherValuesAreSpelledAsRSpellsThem(double value, string expected)
        => Assert.Equal(expected, RoundTrip.Format(value));

    [Fact]
    public void RandomDoublesOfEveryMagnitudeReadBackAndMatchR()
    {
        var random = new Random(20261205);
        for (int k = 0; k < 200_000; k++)
        {
            long bits = random.NextInt64() & 0x7FEF_FFFF_FFFF_FFFF;
            if (k % 4 == 0)
            {
                bits &= ~0x000F_FFFF_FFFF_FFFFL; // a power of two
            }

            double d = BitConverter.Int64BitsToDouble(bits);
            string text = RoundTrip.Format(d);
            Assert.Equal(bits, BitConverter.DoubleToInt64Bits(Read(text)));
            if ((bits & 0x000F_FFFF_FFFF_FFFF) != 0)
            {
                Assert.Equal(d.ToString("R", CultureInfo.InvariantCulture), text);
            }
        }
    }

    [Fact]
    public void JsonNumbersReadBackAsTheDoubleWritten()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            RoundTrip.WriteNumber(w, "median", Math.ScaleB(1, -25));
            w.WritePropertyName("values");
            w.WriteStartArray();
            RoundTrip.WriteNumberValue(w, Math.ScaleB(1, -958));
            RoundTrip.WriteNumberValue(w, 0.1);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        string json = Encoding.UTF8.GetString(stream.ToArray());
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(Math.ScaleB(1, -25), doc.RootElement.GetProperty("median").GetDouble());
        Assert.Equal(Math.ScaleB(1, -958), doc.RootElement.GetProperty("values")[0].GetDouble());
        Assert.Equal(0.1, doc.RootElement.GetProperty("values")[1].GetDouble());
        Assert.Contains("\n  \"median\": 2.9802322387695312E-08,\n", json.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => RoundTrip.WriteNumberValue(new Utf8JsonWriter(Stream.Null), double.PositiveInfinity));
    }
}

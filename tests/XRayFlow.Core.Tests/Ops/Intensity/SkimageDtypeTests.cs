using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Tests.Ops.Intensity;

/// <summary>SkimageDtypes.Of follows the shared rule (IntegerSource): the loader's record first, else the values.</summary>
public class SkimageDtypeTests
{
    private static ImageArray Image(params float[] values)
    {
        var a = new ImageArray(1, values.Length);
        values.CopyTo(a.Data, 0);
        return a;
    }

    [Fact]
    public void TheLoadersRecordDecides()
    {
        // A 16-bit PNG whose pixels all lie in 0..255 is scikit-image's uint16 array, not uint8.
        Assert.Equal(SkimageDtype.UInt16, SkimageDtypes.Of(IntegerSource.Record(Image(0, 7, 255), 16)));
        Assert.Equal(SkimageDtype.UInt8, SkimageDtypes.Of(IntegerSource.Record(Image(0, 7, 255), 8)));

        // A float .npy is float32 even when its values are whole.
        Assert.Equal(SkimageDtype.Float32, SkimageDtypes.Of(IntegerSource.Record(Image(0, 7, 255), 0)));
    }

    [Fact]
    public void WithoutARecordTheValuesDecide()
    {
        Assert.Equal(SkimageDtype.UInt8, SkimageDtypes.Of(Image(0, 7, 255)));
        Assert.Equal(SkimageDtype.UInt16, SkimageDtypes.Of(Image(0, 7, 256)));
        Assert.Equal(SkimageDtype.Float32, SkimageDtypes.Of(Image(0, 7.5f, 255)));
        Assert.Equal(SkimageDtype.Float32, SkimageDtypes.Of(Image(0, -1, 255)));
        Assert.Equal(SkimageDtype.Float32, SkimageDtypes.Of(Image(0, 65536, 255)));
        Assert.Equal(SkimageDtype.Float32, SkimageDtypes.Of(Image(0, float.NaN, 255)));
    }
}

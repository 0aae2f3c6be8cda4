using XRayFlow.Pipeline.Outputs.Rendering;

namespace XRayFlow.Pipeline.Tests.Rendering;

/// <summary>
/// LabelColors.Slots (label2rgb's palette slot of each value) against its meaning written out: 0 for NaN and values
/// that truncate to 0, else 1 + (the value's rank among the distinct nonzero whole values - 1) mod 10. Labels of a
/// short range take a table, a wide spread the dictionary: both against the same meaning.
/// </summary>
public class LabelColorsTests
{
    [Theory]
    [InlineData(40, 0)]
    [InlineData(300, -150)]
    [InlineData(5_000_000, 0)]
    [InlineData(2_000_000_000, -1_000_000_000)]
    public void SlotsAreTheRankOfEachWholeValue(int spread, int from)
    {
        var rng = new Random(spread);
        var data = new float[4000];
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = rng.Next(6) switch
            {
                0 => 0f,
                1 => float.NaN,
                2 => (float)(from + rng.Next(spread) + rng.NextDouble()), // a fraction: truncated toward zero
                3 => -0.75f, // truncates to 0: background
                _ => from + rng.Next(spread),
            };
        }

        static long? Whole(float v) => float.IsNaN(v) ? null : (long)v;
        var ranks = data.Select(Whole).Where(k => k is not null and not 0).Select(k => k!.Value).Distinct().Order().ToArray();
        var slots = LabelColors.Slots(data);
        for (int i = 0; i < data.Length; i++)
        {
            long? k = Whole(data[i]);
            byte want = k is null or 0 ? (byte)0 : (byte)(1 + (Array.BinarySearch(ranks, k.Value) % LabelColors.Palette.Count));
            Assert.True(want == slots[i], $"value {data[i]}: slot {slots[i]}, want {want}");
        }
    }

    [Fact]
    public void BackgroundAndNaNOnlyAreAllZero()
        => Assert.All(LabelColors.Slots([0f, float.NaN, -0.5f, 0.9f]), s => Assert.Equal(0, s));
}

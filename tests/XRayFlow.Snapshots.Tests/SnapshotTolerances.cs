namespace XRayFlow.Snapshots.Tests;

/// <summary>How far a received output may be from its verified file and still match. Named so a change is deliberate.</summary>
public static class SnapshotTolerances
{
    /// <summary>.npy: max |received - verified| &lt;= ArrayTolerance x max |verified| (the DSL's SciPy bound), same shape, NaN at the same places.</summary>
    public const double ArrayTolerance = 1e-4;

    /// <summary>.png / .gif frames: each channel of each pixel within this many 8-bit levels.</summary>
    public const int PixelChannelTolerance = 1;

    /// <summary>
    /// .png / .gif: the fraction of pixels allowed beyond <see cref="PixelChannelTolerance"/>. A colormap turns a
    /// value a hair across a LUT boundary into a different colour (prism jumps between neighbouring entries), so a
    /// few pixels may legitimately move with the last float bit; a changed kernel moves far more than this.
    /// </summary>
    public const double PixelOutlierFraction = 0.002;

    /// <summary>.json: compared exactly by Snapshooter (numbers, keys and order) after normalising to its serializer.</summary>
    public const string JsonRule = "exact (Snapshooter.Xunit JsonSnapshotComparer)";
}

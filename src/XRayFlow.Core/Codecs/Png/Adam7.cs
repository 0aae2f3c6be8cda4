namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// The seven passes of Adam7 interlacing (PNG spec section 8.2): pass p holds the pixels at columns
/// <c>X0[p] + k * DX[p]</c> of rows <c>Y0[p] + j * DY[p]</c>, as a small image of its own with its own filtered rows.
/// </summary>
internal static class Adam7
{
    public const int Passes = 7;

    public static ReadOnlySpan<int> X0 => [0, 4, 0, 2, 0, 1, 0];

    public static ReadOnlySpan<int> Y0 => [0, 0, 4, 0, 2, 0, 1];

    public static ReadOnlySpan<int> DX => [8, 8, 4, 4, 2, 2, 1];

    public static ReadOnlySpan<int> DY => [8, 8, 8, 4, 4, 2, 2];

    /// <summary>Width and height of pass <paramref name="p"/> of a <paramref name="width"/> x <paramref name="height"/> image (0 when the pass is empty).</summary>
    public static (long Width, long Height) PassSize(int p, long width, long height)
        => (Math.Max(0, (width - X0[p] + DX[p] - 1) / DX[p]), Math.Max(0, (height - Y0[p] + DY[p] - 1) / DY[p]));
}

namespace XRayFlow.Core.Tests.TestSupport;

/// <summary>The vector widths a kernel's tests run: 0 (its scalar meaning) and each of 256 and 512 bits this machine runs.</summary>
public static class VectorWidths
{
    /// <summary>0, then 256 and 512 up to <paramref name="widest"/> (the kernel's own Widest).</summary>
    public static TheoryData<int> UpTo(int widest)
    {
        var widths = new TheoryData<int> { 0 };
        foreach (int bits in (int[])[256, 512])
        {
            if (widest >= bits)
            {
                widths.Add(bits);
            }
        }

        return widths;
    }
}

namespace XRayFlow.Core.Imaging;

/// <summary>
/// One read-only pass over a span split into parts run in parallel: the shape every whole-image reduction here
/// shares (histogram counts, the largest whole value, exact sums), written once.
/// </summary>
internal static class SpanParts
{
    /// <summary>What one part computes.</summary>
    public delegate T Part<T>(ReadOnlySpan<float> part);

    /// <summary>
    /// <paramref name="f"/> of each of <paramref name="parts"/> consecutive parts of <paramref name="x"/> (each a
    /// multiple of <paramref name="align"/> values long, a power of two, the last part the rest), in parallel, in
    /// order; one part (or fewer) is one call on the whole span, on this thread.
    /// </summary>
    public static unsafe T[] Map<T>(ReadOnlySpan<float> x, int parts, int align, Part<T> f)
    {
        if (parts <= 1)
        {
            return [f(x)];
        }

        var results = new T[parts];
        int per = ((x.Length / parts) + align - 1) & ~(align - 1);
        fixed (float* px = x)
        {
            // A span cannot cross into the parallel body: each part rebuilds its slice from the pinned address.
            nint address = (nint)px;
            int length = x.Length;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, t =>
            {
                int start = Math.Min(t * per, length);
                int end = t == parts - 1 ? length : Math.Min(start + per, length);
                results[t] = f(new ReadOnlySpan<float>((float*)address + start, end - start));
            });
        }

        return results;
    }
}

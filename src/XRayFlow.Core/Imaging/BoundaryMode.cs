namespace XRayFlow.Core.Imaging;

/// <summary>
/// How a filter sees pixels beyond the edge of an axis of length n (scipy.ndimage's `mode`).
/// For an index t outside [0, n):
/// <list type="bullet">
/// <item><c>Reflect</c> (d c b a | a b c d | d c b a): half-sample symmetric, period 2n.</item>
/// <item><c>Mirror</c> (d c b | a b c d | c b a): whole-sample symmetric, period 2n - 2; on a length-1 axis the one value.</item>
/// <item><c>Nearest</c> (a a a | a b c d | d d d): the edge value.</item>
/// <item><c>Wrap</c> (a b c d | a b c d | a b c d): periodic, period n.</item>
/// <item><c>Constant</c> (k k k | a b c d | k k k): the constant cval.</item>
/// </list>
/// The extension is periodic however far t lies outside, which is what scipy.ndimage's line filters
/// (correlate1d, gaussian_filter1d, uniform_filter1d) do for kernels wider than the axis.
/// </summary>
public enum BoundaryMode
{
    Reflect,
    Mirror,
    Nearest,
    Wrap,
    Constant,
}

public static class Boundary
{
    /// <summary>The names a recipe may write: SciPy's modes and its grid- aliases.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["reflect", "mirror", "nearest", "wrap", "constant", "grid-mirror", "grid-wrap", "grid-constant"];

    /// <summary>
    /// SciPy's mode name to a mode. For filters SciPy treats <c>grid-mirror</c> as <c>reflect</c>,
    /// <c>grid-wrap</c> as <c>wrap</c> and <c>grid-constant</c> as <c>constant</c>; so do we.
    /// </summary>
    public static BoundaryMode Parse(string name) => name switch
    {
        "reflect" or "grid-mirror" => BoundaryMode.Reflect,
        "mirror" => BoundaryMode.Mirror,
        "nearest" => BoundaryMode.Nearest,
        "wrap" or "grid-wrap" => BoundaryMode.Wrap,
        "constant" or "grid-constant" => BoundaryMode.Constant,
        _ => throw new ArgumentException($"unknown boundary mode '{name}' (expected one of {string.Join(", ", Names)})", nameof(name)),
    };

    /// <summary>
    /// The in-range index that position <paramref name="t"/> of an axis of length <paramref name="n"/>
    /// reads under <paramref name="mode"/>, or -1 when it reads the constant (mode constant only).
    /// </summary>
    public static int Map(long t, int n, BoundaryMode mode)
    {
        if ((ulong)t < (ulong)n)
        {
            return (int)t;
        }

        switch (mode)
        {
            case BoundaryMode.Nearest:
                return t < 0 ? 0 : n - 1;
            case BoundaryMode.Wrap:
                return (int)PositiveMod(t, n);
            case BoundaryMode.Reflect:
            {
                long p = 2L * n;
                long k = PositiveMod(t, p);
                return (int)(k < n ? k : p - 1 - k);
            }

            case BoundaryMode.Mirror:
            {
                if (n == 1)
                {
                    return 0;
                }

                long p = (2L * n) - 2;
                long k = PositiveMod(t, p);
                return (int)(k < n ? k : p - k);
            }

            default:
                return -1;
        }
    }

    /// <summary>x[t] extended under the mode (cval where <see cref="Map"/> gives -1).</summary>
    public static float Sample(ReadOnlySpan<float> line, long t, BoundaryMode mode, float cval)
    {
        int m = Map(t, line.Length, mode);
        return m < 0 ? cval : line[m];
    }

    private static long PositiveMod(long a, long p)
    {
        long r = a % p;
        return r < 0 ? r + p : r;
    }
}

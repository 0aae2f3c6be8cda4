namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// Column blocks of a row-major array, filtered down its rows on the threads (the vertical spline prefilter).
/// </summary>
internal static class ColumnBlocks
{
    /// <summary>Block edges fall on multiples of this many columns (a 512-bit vector of floats).</summary>
    public const int Align = 16;

    /// <summary>
    /// body(c0, w) for blocks of columns [c0, c0 + w) covering [0, <paramref name="columns"/>) once: up to
    /// <paramref name="threads"/> threads each take one run of neighbouring columns (as even as multiples of
    /// <see cref="Align"/> allow) and go through it left to right in blocks of at most <paramref name="widest"/>
    /// columns (a multiple of <see cref="Align"/>; a run's last block takes the rest), and nothing else.
    /// Parallel.For over blocks splits them into such runs too, but a thread that is done first (or awake first: a
    /// pool thread can wake tens of microseconds late) takes blocks from the other's run, so the two threads work
    /// on neighbouring blocks at once. Where a block's edge falls inside a cache line (the array's own alignment,
    /// which the pool does not choose) both then write that line row after row, and it goes back and forth between
    /// the cores: zoom 0.5 at order 3 took 0.96-0.99 ms on two threads against 0.59-0.68 on one (an input whose
    /// prefilter array landed so), 0.62-0.67 with runs. Columns are filtered independently: which block holds a
    /// column changes no value.
    /// </summary>
    public static void Run(int columns, int threads, int widest, Action<int, int> body)
    {
        if (widest < Align || widest % Align != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(widest), widest, $"a positive multiple of {Align}");
        }

        int units = (columns + Align - 1) / Align;
        int workers = Math.Min(Math.Max(1, threads), units);
        if (workers <= 1)
        {
            RunOf(0, columns, widest, body);
            return;
        }

        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, t =>
        {
            int c0 = (int)((long)units * t / workers) * Align, c1 = Math.Min(columns, (int)((long)units * (t + 1) / workers) * Align);
            RunOf(c0, c1, widest, body);
        });
    }

    /// <summary>Columns [c0, c1) in order, in blocks of at most <paramref name="widest"/> (the last the rest).</summary>
    private static void RunOf(int c0, int c1, int widest, Action<int, int> body)
    {
        for (int c = c0; c < c1; c += widest)
        {
            body(c, Math.Min(widest, c1 - c));
        }
    }
}

namespace XRayFlow.Core.Ops;

/// <summary>
/// The cancellation of the step that is running (Ctrl+C, SIGTERM, a Python timeout, a batch stopping), for kernels
/// whose cost grows with a parameter (rank and median filters over large windows, footprint extremes) so that
/// one long step stops within a block of rows instead of running to its end. The executor sets it around each
/// op (<see cref="Enter"/>); it flows into the parallel work the op starts. Kernels read it once on entry and
/// check it between blocks of rows (<see cref="RowBlocks"/>); outside a step it is
/// <see cref="CancellationToken.None"/>.
/// </summary>
public static class StepCancellation
{
    private static readonly AsyncLocal<CancellationToken> Token = new();

    /// <summary>The running step's cancellation (none outside a step).</summary>
    public static CancellationToken Current => Token.Value;

    /// <summary>Makes <paramref name="token"/> the current step's cancellation until the scope is disposed.</summary>
    public static Scope Enter(CancellationToken token)
    {
        var previous = Token.Value;
        Token.Value = token;
        return new Scope(previous);
    }

    /// <summary>Restores the cancellation that was current before <see cref="Enter"/>.</summary>
    public readonly struct Scope(CancellationToken previous) : IDisposable
    {
        public void Dispose() => Token.Value = previous;
    }
}

/// <summary>
/// Rows of an image in blocks, on up to a number of threads, with the step's cancellation checked before each
/// block: the shared driver of the row kernels whose cost per row can be large (rows are independent, so the
/// blocking never changes the bits).
/// </summary>
public static class RowBlocks
{
    /// <summary>About this much work (window cells visited) per block at most, so that a cancelled step stops soon.</summary>
    public const long WorkPerBlock = 1L << 24;

    /// <summary>
    /// Runs <paramref name="body"/>(r0, r1) over rows [0, <paramref name="rows"/>) in at least threads x 4 blocks
    /// (one block when the work is under 100,000 or <paramref name="threads"/> is 1 and the work is small), more when rows x
    /// <paramref name="workPerRow"/> exceeds <see cref="WorkPerBlock"/> per block, with <paramref name="cancel"/>
    /// checked before each block.
    /// </summary>
    public static void Run(int rows, int threads, long workPerRow, Action<int, int> body, CancellationToken cancel)
    {
        threads = Math.Max(1, threads);
        long work = rows * Math.Max(1, workPerRow);
        if (work < 100_000)
        {
            cancel.ThrowIfCancellationRequested();
            body(0, rows); // too little work to share out
            return;
        }

        long wanted = Math.Max(threads == 1 ? 1 : threads * 4L, (work + WorkPerBlock - 1) / WorkPerBlock);
        int blocks = (int)Math.Clamp(wanted, 1, Math.Max(1, rows));
        int per = (rows + blocks - 1) / Math.Max(1, blocks);
        int count = per == 0 ? 0 : (rows + per - 1) / per;
        if (threads == 1 || count <= 1)
        {
            for (int b = 0; b < count; b++)
            {
                cancel.ThrowIfCancellationRequested();
                body(b * per, Math.Min(rows, (b + 1) * per));
            }

            return;
        }

        Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancel }, b => body(b * per, Math.Min(rows, (b + 1) * per)));
    }
}

using System.Runtime.CompilerServices;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Filters;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Execution;

public sealed partial class PlanExecutor
{
    /// <summary>Aim for this many bytes of one band's intermediates (all steps together), so a band stays in L2.</summary>
    public const int BandBytes = 1 << 19;

    /// <summary>For tests: every row-band group's band height (0: <see cref="BandRows"/> chooses).</summary>
    internal int BandRowsOverride { get; init; }

    /// <summary>For tests: every row-band group's chunk height, raised to a band (0: <see cref="ChunkRows"/> chooses).</summary>
    internal int ChunkRowsOverride { get; init; }

    /// <summary>
    /// Runs a row-band group (<see cref="FusedChain.Banded"/>): the last step's frame is cut into chunks of rows (about
    /// two per thread), each cut into bands; a thread computes a chunk's bands in order. For each band, every step, from
    /// the last back, works out which of its rows the steps after it read (their kernels' halos, mapped at the frame's
    /// edges by their modes), then every step computes those of them it has not computed yet in this chunk into its
    /// band-sized scratch window (kept from band to band, the rows still needed slid to its front), in plan order, the
    /// last step straight into the output array. A halo is thus computed once per chunk, and a band's rows stay in
    /// cache from the step that writes them to the steps that read them; intermediates never exist whole. The kernels
    /// are the ops' own strip code, so the result equals the unfused run bit for bit. Where a band cannot be used
    /// (shapes that differ, a complex input, a kernel longer than the frame, a `${step}` parameter that changes a
    /// kernel per item), the group runs step by step instead.
    /// </summary>
    private Value RunBanded(List<PlanNode> group, ConcurrentDictionary<string, Value> values, PixelPool pool, int threads, CancellationToken cancellation, IValueObserver? observer)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < group.Count; k++)
        {
            index[group[k].Id] = k;
        }

        // The arrays the group reads from outside, and one shape for all.
        var external = new List<ImageArray>();
        var externalIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        bool usable = true;
        foreach (var node in group)
        {
            foreach (var src in node.InputSources)
            {
                if (index.ContainsKey(src) || externalIndex.ContainsKey(src))
                {
                    continue;
                }

                if (values[src] is not ArrayValue { Array: { IsComplex: false } array })
                {
                    usable = false;
                    continue;
                }

                externalIndex[src] = external.Count;
                external.Add(array);
            }
        }

        var shape = external.Count > 0 ? external[0] : null;
        usable &= shape is not null && external.All(a => a.Frames == shape.Frames && a.Rows == shape.Rows && a.Cols == shape.Cols && a.IsStack == shape.IsStack);
        var kernels = new IRowBandKernel?[group.Count];
        for (int k = 0; k < group.Count && usable; k++)
        {
            var node = group[k];
            var parameters = ResolveParams(node, [.. node.Sources.Select(s => values.TryGetValue(s, out var v) ? v : new ArrayValue(shape!))]);
            var inputs = node.InputSources.Select(_ => (Value)new ArrayValue(shape!)).ToList();
            if (node.Step.Op.RunProblem(new OpContext { StepId = node.Id, Inputs = inputs, Params = parameters, MaxPixels = MaxPixels }) is { } problem)
            {
                throw new StepFailedException(node.Id, problem);
            }

            kernels[k] = Planner.BandKernel(node.Step, parameters);
            usable &= kernels[k] is { } kernel && kernel.Supports(shape!.Rows, shape.Cols);
        }

        // One band's scratch (every member but the last, each with the group's halo at most) must stay a modest
        // array: a frame so wide that it would not runs whole instead.
        var chain = _plan.FusedChains[group[0].Chain];
        int bandRows = !usable ? 0 : BandRowsOverride > 0 ? Math.Min(BandRowsOverride, shape!.Rows) : BandRows(kernels!, shape!.Rows, shape.Cols, group.Count);
        usable = usable && ScratchFloats(bandRows, chain.HaloBefore + chain.HaloAfter, shape!.Cols, group.Count) <= int.MaxValue / 4;
        if (!usable)
        {
            return RunStepByStep(group, values, pool, threads, cancellation, observer);
        }

        int rows = shape!.Rows, cols = shape.Cols, frames = shape.Frames;
        var readers = new List<(int Reader, int Input)>[group.Count];
        var inputsOf = new int[group.Count][];
        for (int k = 0; k < group.Count; k++)
        {
            readers[k] = [];
            inputsOf[k] = [.. group[k].InputSources.Select(s => index.TryGetValue(s, out int m) ? m : -1 - externalIndex[s])];
        }

        var elided = new bool[group.Count];
        if (observer is null)
        {
            FuseGradientMagnitudes(kernels!, inputsOf, elided);
        }

        for (int k = 0; k < group.Count; k++)
        {
            foreach (int m in inputsOf[k])
            {
                if (m >= 0)
                {
                    readers[m].Add((k, m));
                }
            }
        }

        threads = ScratchThreads(threads, bandRows, chain.HaloBefore + chain.HaloAfter, rows, cols, group.Count);
        int chunkRows = ChunkRowsOverride > 0 ? Math.Clamp(ChunkRowsOverride, bandRows, rows) : ChunkRows(rows, frames, bandRows, chain.HaloBefore + chain.HaloAfter, threads);
        int chunksPerFrame = (rows + chunkRows - 1) / chunkRows;
        long total = (long)chunksPerFrame * frames;
        var outData = pool.Rent(shape.Length);
        var dst = shape.IsStack ? ImageArray.Stack(frames, rows, cols, outData) : new ImageArray(rows, cols, outData);
        var sinks = observer is null ? null : group.Take(group.Count - 1).Select(n => observer.Fused(n.Id, dst)).ToArray();

        var pinned = new Dictionary<float[], GCHandle>(ReferenceEqualityComparer.Instance);
        nint Pin(float[] a)
        {
            if (!pinned.TryGetValue(a, out var h))
            {
                pinned[a] = h = GCHandle.Alloc(a, GCHandleType.Pinned);
            }

            return h.AddrOfPinnedObject();
        }

        BandJob job;
        try
        {
            var bases = external.Select(e => Pin(e.Data)).ToArray();
            // A step that reads the group's result and can use its extremes (normalize) gets them found band by band as
            // the last step writes its rows (still in cache), not by one more pass over the whole result.
            var lastId = group[^1].Id;
            bool extremes = _plan.Nodes.Any(n => n.Step.Op.ReadsExtremes && n.InputSources.Contains(lastId, StringComparer.Ordinal));
            job = new BandJob(kernels!, readers, inputsOf, elided, bases, Pin(outData), rows, cols, bandRows, chunkRows, chunksPerFrame, sinks, cancellation, extremes ? total : 0);
            if (threads > 1 && total > 1)
            {
                try
                {
                    Parallel.For(0L, total, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation }, c => job.Run(c));
                }
                catch (AggregateException e) when (cancellation.IsCancellationRequested && e.InnerExceptions.All(x => x is OperationCanceledException))
                {
                    throw new OperationCanceledException(cancellation);
                }
            }
            else
            {
                for (long c = 0; c < total; c++)
                {
                    job.Run(c);
                }
            }
        }
        finally
        {
            foreach (var h in pinned.Values)
            {
                h.Free();
            }
        }

        foreach (var sink in sinks ?? [])
        {
            sink?.Completed();
        }

        return new ArrayValue(dst) { Extremes = job.Extremes() };
    }

    /// <summary>
    /// Where a hypot step of the group reads exactly two of the group's sobel (or prewitt) steps that make a pair on one
    /// input (<see cref="GradientBand.Magnitude"/>: axes 0 and 1, same mode and cval) and nothing else reads them, the
    /// hypot step computes both gradients and their hypot in one pass over that input, with the same operations (so the
    /// same bits), and the two gradient steps compute nothing (their values never exist, as any intermediate of a group).
    /// Not done when an observer wants the intermediates (a report, a preview).
    /// </summary>
    internal static void FuseGradientMagnitudes(IRowBandKernel[] kernels, int[][] inputsOf, bool[] elided)
    {
        int n = kernels.Length;
        var readCount = new int[n];
        foreach (var sources in inputsOf)
        {
            foreach (int m in sources)
            {
                if (m >= 0)
                {
                    readCount[m]++;
                }
            }
        }

        for (int h = 0; h < n; h++)
        {
            if (!ReferenceEquals(kernels[h], PointwiseBands.Hypotenuse) || inputsOf[h].Length != 2)
            {
                continue;
            }

            int a = inputsOf[h][0], b = inputsOf[h][1];
            if (a < 0 || b < 0 || a == b || readCount[a] != 1 || readCount[b] != 1
                || kernels[a] is not GradientBand first || kernels[b] is not GradientBand second
                || inputsOf[a].Length != 1 || inputsOf[b].Length != 1 || inputsOf[a][0] != inputsOf[b][0]
                || GradientBand.Magnitude(first, second) is not { } fused)
            {
                continue;
            }

            kernels[h] = fused;
            inputsOf[h] = [inputsOf[a][0]];
            inputsOf[a] = [];
            inputsOf[b] = [];
            elided[a] = elided[b] = true;
        }
    }

    /// <summary>
    /// The gradient pairs of a row-band group that run as one pass (<see cref="FuseGradientMagnitudes"/>, as a run
    /// without a report or preview does them): (the hypot step, its first and second gradient step), for `xrayflow plan`
    /// and `plan --json`.
    /// </summary>
    public static List<(string Magnitude, string First, string Second)> OnePassPairs(IReadOnlyList<PlanNode> group)
    {
        var pairs = new List<(string, string, string)>();
        var kernels = group.Select(n => Planner.BandKernel(n.Step, n.Step.Params)).ToArray();
        if (kernels.Any(k => k is null))
        {
            return pairs;
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < group.Count; k++)
        {
            index[group[k].Id] = k;
        }

        var external = new Dictionary<string, int>(StringComparer.Ordinal);
        int[][] inputsOf = [.. group.Select(n => n.InputSources.Select(s => index.TryGetValue(s, out int m) ? m : -1 - (external.TryGetValue(s, out int e) ? e : external[s] = external.Count)).ToArray())];
        var before = inputsOf.Select(a => a.ToArray()).ToArray();
        var elided = new bool[group.Count];
        FuseGradientMagnitudes(kernels!, inputsOf, elided);
        for (int h = 0; h < group.Count; h++)
        {
            if (before[h].Length == 2 && inputsOf[h].Length == 1)
            {
                pairs.Add((group[h].Id, group[before[h][0]].Id, group[before[h][1]].Id));
            }
        }

        return pairs;
    }

    /// <summary>
    /// Band height: at least what the kernels prefer (a long column kernel that row-passes its halo for every band wants
    /// 4 or 8 x its taps, as its op's strips: SeparableFilter.HaloStripRows; kernels that keep their halo between the
    /// bands of a chunk, <see cref="IRowBandStream"/>, want none), else as many rows as keep one band's rows of every
    /// step near <see cref="BandBytes"/>, so they stay in L2 from the step that writes them to the steps that read
    /// them. Changes which rows are computed where, never a value.
    /// </summary>
    internal static int BandRows(IReadOnlyList<IRowBandKernel> kernels, int rows, int cols, int steps)
    {
        int preferred = kernels.Max(k => k.PreferredRows(cols));
        long bytesPerRow = 4L * cols * Math.Max(1, steps);
        int cache = (int)Math.Clamp(BandBytes / bytesPerRow, 8, 256);
        return Math.Clamp(Math.Max(preferred, cache), 1, rows);
    }

    /// <summary>
    /// How many threads a group runs on: at most <paramref name="threads"/>, and no more than keep the threads' scratch
    /// (each thread's parts: every member but the last holds up to a band, the group's halo and as many rows more,
    /// of <paramref name="cols"/> floats) within two frames' bytes or 64 MiB, whichever is more, so a long group on a
    /// wide frame on many cores does not hold more than the unfused run would (15 pointwise steps and a
    /// gaussian_gradient_magnitude, 160-row bands on 4096 x 4096: 59 MB a thread, 0.94 GB on 7 threads against
    /// 0.41 GB unfused). Changes which thread computes which rows, never a value.
    /// </summary>
    internal static int ScratchThreads(int threads, int bandRows, int halo, int rows, int cols, int steps)
    {
        long perThread = ScratchFloats(bandRows, halo, cols, steps) * sizeof(float);
        long budget = Math.Max(64L << 20, 2L * rows * cols * sizeof(float));
        return (int)Math.Clamp(budget / Math.Max(1, perThread), 1, Math.Max(1, threads));
    }

    /// <summary>
    /// At most how many floats one thread's parts hold (<see cref="BandJob"/>: every member but the last, a band, the
    /// group's halo and sliding room of as many rows as that halo, at most two bands).
    /// </summary>
    private static long ScratchFloats(int bandRows, int halo, int cols, int steps)
        => ((long)bandRows + halo + Math.Min(2L * bandRows, halo)) * cols * Math.Max(1, steps - 1);

    /// <summary>
    /// Chunk height (the rows one thread computes band after band, each step's halo once per chunk): a whole frame
    /// on one thread or where the frames alone give every thread two chunks (a stack); else a frame's share of about
    /// two chunks per thread (so a thread that starts late or is interrupted does not hold up the others), but at
    /// least four times the group's halo (so the halo a chunk computes again costs at most a quarter of it), in whole
    /// bands. Changes which rows are computed where, never a value.
    /// </summary>
    internal static int ChunkRows(int rows, int frames, int bandRows, int halo, int threads)
    {
        if (threads <= 1 || frames >= 2 * threads)
        {
            return rows;
        }

        int parts = ((2 * threads) + frames - 1) / frames;
        long share = Math.Max((rows + parts - 1) / parts, 4L * halo);
        long bands = Math.Max(1, (share + bandRows - 1) / bandRows);
        return (int)Math.Min(rows, bands * bandRows);
    }

    /// <summary>The group's steps one after the other, whole (intermediates returned to the pool after their last reader).</summary>
    private Value RunStepByStep(List<PlanNode> group, ConcurrentDictionary<string, Value> values, PixelPool pool, int threads, CancellationToken cancellation, IValueObserver? observer)
    {
        var local = new Dictionary<string, Value>(StringComparer.Ordinal);
        var left = group.ToDictionary(n => n.Id, n => group.Count(r => r.InputSources.Contains(n.Id)), StringComparer.Ordinal);
        Value Get(string s) => local.TryGetValue(s, out var v) ? v : values[s];
        Value result = null!;
        foreach (var node in group)
        {
            result = RunNode(node, [.. node.Sources.Select(Get)], threads, cancellation);
            local[node.Id] = result;
            if (!ReferenceEquals(node, group[^1]))
            {
                observer?.Produced(node.Id, result);
            }

            foreach (var src in node.InputSources.Distinct(StringComparer.Ordinal))
            {
                if (local.TryGetValue(src, out var done) && --left[src] == 0 && done is ArrayValue a
                    && !local.Values.Concat(values.Values).Any(v => !ReferenceEquals(v, done) && v is ArrayValue live && SharesArray(live.Array, a.Array)))
                {
                    local.Remove(src);
                    pool.Return(a.Array);
                }
            }
        }

        return result;
    }

    /// <summary>
    /// Each thread's band scratch: pinned (allocated on the pinned heap, never moved), kept between bands and runs so
    /// a band costs no allocation and no page faults; up to <see cref="MaxKept"/> floats stay per thread, a larger
    /// need is served and dropped.
    /// </summary>
    private static class Scratch
    {
        public const long MaxKept = 4L << 20;

        [ThreadStatic]
        private static float[]? t_kept;

        /// <summary>A pinned array of at least <paramref name="length"/> floats (the caller keeps it referenced while it uses it).</summary>
        public static float[] Take(long length)
        {
            if (t_kept is { } kept && kept.LongLength >= length)
            {
                return kept;
            }

            var fresh = GC.AllocateUninitializedArray<float>(checked((int)Math.Max(1, length)), pinned: true);
            if (length <= MaxKept)
            {
                t_kept = fresh;
            }

            return fresh;
        }
    }

    /// <summary>
    /// The work of one chunk (any thread): a run of consecutive bands of one frame, in order. Each step keeps, in its own
    /// part of the thread's scratch, a window of the rows it has computed in this chunk; for each band it computes only
    /// the rows its readers need that the window does not hold yet (sliding the rows still needed to the front of its part when
    /// the next would not fit), so a halo is computed once per chunk, not once per band, and the band's rows stay in
    /// cache from the step that writes them to the steps that read them. Kernels that keep work between bands
    /// (<see cref="IRowBandStream"/>) get one state per chunk. Which rows are computed where changes, never a value.
    /// </summary>
    private sealed unsafe class BandJob(
        IRowBandKernel[] kernels, List<(int Reader, int Input)>[] readers, int[][] inputsOf, bool[] elided, nint[] externalBases, nint outBase,
        int rows, int cols, int bandRows, int chunkRows, int chunksPerFrame, IFusedValueSink?[]? sinks, CancellationToken cancellation, long extremeChunks)
    {
        /// <summary>Each chunk's (min, max) of the last step's rows (NaN where a value is NaN), when asked for.</summary>
        private readonly (float Min, float Max)[] _extremes = new (float, float)[extremeChunks];

        /// <summary>
        /// The result's (min, max) from the chunks' (IEEE minimum / maximum do not depend on the order values are
        /// combined in), or null when not asked for or when a value is NaN (normalize then finds its own).
        /// </summary>
        public (float Min, float Max)? Extremes()
        {
            if (_extremes.Length == 0)
            {
                return null;
            }

            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            foreach (var (a, b) in _extremes)
            {
                if (float.IsNaN(a) || float.IsNaN(b))
                {
                    return null;
                }

                lo = Math.Min(lo, a);
                hi = Math.Max(hi, b);
            }

            return (lo, hi);
        }

        public void Run(long chunk)
        {
            int frame = (int)(chunk / chunksPerFrame);
            int c0 = (int)(chunk % chunksPerFrame) * chunkRows;
            int c1 = Math.Min(rows, c0 + chunkRows);
            long frameOffset = (long)frame * rows * cols;
            int n = kernels.Length;
            int bands = (c1 - c0 + bandRows - 1) / bandRows;

            // From the last step back, for every band of the chunk: the rows each step must compute (its readers'
            // rows, widened by their kernels' halos and mapped at the edges; and its own share [r0, r1), which the
            // report sees).
            var lo = new int[bands * n];
            var hi = new int[bands * n];
            var capacity = new int[n];
            for (int band = 0; band < bands; band++)
            {
                int r0 = c0 + (band * bandRows), r1 = Math.Min(c1, r0 + bandRows);
                int at = band * n;
                lo[at + n - 1] = r0;
                hi[at + n - 1] = r1;
                for (int k = n - 2; k >= 0; k--)
                {
                    if (elided[k])
                    {
                        lo[at + k] = hi[at + k] = r0;
                        continue;
                    }

                    int a = r0, b = r1;
                    foreach (var (reader, _) in readers[k])
                    {
                        var kr = kernels[reader];
                        for (long t = (long)lo[at + reader] - kr.Before; t < (long)hi[at + reader] + kr.After; t++)
                        {
                            int m = Boundary.Map(t, rows, kr.Mode);
                            if (m >= 0)
                            {
                                a = Math.Min(a, m);
                                b = Math.Max(b, m + 1);
                            }
                        }
                    }

                    lo[at + k] = a;
                    hi[at + k] = b;
                    capacity[k] = Math.Max(capacity[k], b - a);
                }
            }

            // Each step's part: its widest window, and room for as many rows more as its readers' halo (at most two
            // bands), so the rows kept for the next band (the halo) slide to the front at most once a band, and a step
            // without a halo (whose next band keeps nothing) takes no more than a band: room for 2 bands on every step
            // of a long chain of pointwise steps before a 160-row band was 2x the memory of the unfused run.
            long need = 0;
            for (int k = 0; k < n - 1; k++)
            {
                if (capacity[k] > 0)
                {
                    capacity[k] += Math.Min(2 * bandRows, Math.Max(0, capacity[k] - bandRows));
                }

                need += (long)capacity[k] * cols;
            }

            var kept = Scratch.Take(need);
            float* scratch = (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(kept));
            var parts = new nint[n];
            var first = new int[n];
            var end = new int[n];
            for (int k = 0; k < n - 1; k++)
            {
                parts[k] = (nint)scratch;
                scratch += (long)capacity[k] * cols;
            }

            var states = new IDisposable?[n];
            var inputs = new RowWindow[8];
            float chunkMin = float.PositiveInfinity, chunkMax = float.NegativeInfinity;
            try
            {
                for (int k = 0; k < n; k++)
                {
                    if (!elided[k] && kernels[k] is IRowBandStream stream)
                    {
                        states[k] = stream.NewState(rows, cols, k == n - 1 ? bandRows : capacity[k]);
                    }
                }

                var windows = new RowWindow[n];
                for (int band = 0; band < bands; band++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    int r0 = c0 + (band * bandRows), r1 = Math.Min(c1, r0 + bandRows);
                    int at = band * n;
                    for (int k = 0; k < n; k++)
                    {
                        if (elided[k])
                        {
                            continue;
                        }

                        int a, b;
                        if (k == n - 1)
                        {
                            windows[k] = new RowWindow((float*)outBase + frameOffset, 0, rows, cols);
                            (a, b) = (r0, r1);
                        }
                        else
                        {
                            (a, b) = Slide(k, lo[at + k], hi[at + k], parts, first, end, capacity[k]);
                            windows[k] = new RowWindow((float*)parts[k], first[k], end[k] - first[k], cols);
                        }

                        if (a < b)
                        {
                            int count = inputsOf[k].Length;
                            if (inputs.Length < count)
                            {
                                inputs = new RowWindow[count];
                            }

                            for (int i = 0; i < count; i++)
                            {
                                int m = inputsOf[k][i];
                                inputs[i] = m >= 0 ? windows[m] : new RowWindow((float*)externalBases[-1 - m] + frameOffset, 0, rows, cols);
                            }

                            if (states[k] is { } state)
                            {
                                ((IRowBandStream)kernels[k]).Rows(state, inputs.AsSpan(0, count), windows[k], rows, cols, a, b);
                            }
                            else
                            {
                                kernels[k].Rows(inputs.AsSpan(0, count), windows[k], rows, cols, a, b);
                            }
                        }

                        if (sinks is not null && k < n - 1 && sinks[k] is { } sink)
                        {
                            sink.Block((int)(frameOffset + ((long)r0 * cols)), windows[k].Rows(r0, r1));
                        }

                        if (k == n - 1 && _extremes.Length > 0 && r1 > r0 && cols > 0)
                        {
                            var (least, most) = XRayFlow.Core.Imaging.Extremes.MinMax(windows[k].Rows(r0, r1));
                            chunkMin = float.IsNaN(least) || float.IsNaN(chunkMin) ? float.NaN : Math.Min(chunkMin, least);
                            chunkMax = float.IsNaN(most) || float.IsNaN(chunkMax) ? float.NaN : Math.Max(chunkMax, most);
                        }
                    }
                }

                if (_extremes.Length > 0)
                {
                    _extremes[chunk] = (chunkMin, chunkMax);
                }
            }
            finally
            {
                foreach (var state in states)
                {
                    state?.Dispose();
                }
            }

            GC.KeepAlive(kept);
        }

        /// <summary>
        /// Makes step k's part hold rows [lo, hi): keeps the rows it holds from lo on (sliding them to the front of the
        /// part when hi would not fit), or starts afresh where it holds none of them; returns the rows left to compute.
        /// </summary>
        private (int A, int B) Slide(int k, int lo, int hi, nint[] parts, int[] first, int[] end, int capacity)
        {
            if (lo < first[k] || lo > end[k] || end[k] == first[k])
            {
                first[k] = lo;
                end[k] = hi;
                return (lo, hi);
            }

            if (hi - first[k] > capacity)
            {
                int keep = end[k] - lo;
                if (keep > 0)
                {
                    Buffer.MemoryCopy((float*)parts[k] + ((long)(lo - first[k]) * cols), (float*)parts[k], (long)capacity * cols * sizeof(float), (long)keep * cols * sizeof(float));
                }

                first[k] = lo;
            }

            int a = Math.Max(lo, end[k]);
            end[k] = Math.Max(end[k], hi);
            return (a, end[k]);
        }
    }
}

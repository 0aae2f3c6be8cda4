using System.Collections.Concurrent;
using System.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Execution;

/// <summary>The time one plan node took in one run.</summary>
/// <param name="Id">The step id.</param>
/// <param name="Op">The op name.</param>
/// <param name="Milliseconds">Wall time of the node (for a fused chain: the whole chain's).</param>
/// <param name="FusedWith">The ids of the chain this step ran in, when fused; else empty.</param>
/// <param name="SameAs">For a step merged into an identical one: that step's id; else null.</param>
public sealed record StepTiming(string Id, string Op, double Milliseconds, IReadOnlyList<string> FusedWith, string? SameAs = null);

/// <summary>A step failed while computing (bad shapes, an expression error...): names the step.</summary>
public sealed class StepFailedException(string stepId, string reason, Exception? inner = null)
    : Exception($"step '{stepId}': {reason}", inner)
{
    public string StepId { get; } = stepId;

    public string Reason { get; } = reason;
}

/// <summary>
/// Runs a <see cref="Plan"/> on bound inputs. Independent nodes run in parallel within a thread budget;
/// each value is dropped after its last reader (and its arrays returned to a <see cref="PixelPool"/> — by
/// default <see cref="PixelPool.Shared"/>, from which the ops and fused chains take their output arrays); fused element-wise chains run block by block in one pass.
/// </summary>
public sealed class PlanExecutor
{
    /// <summary>Pixels per block of a fused chain: 16384 floats = 64 KiB, so a block and its intermediates stay in L2.</summary>
    public const int FusedBlock = 16384;

    private readonly Plan _plan;
    private readonly IReadOnlyDictionary<string, IExpressionKernel> _kernels;
    private readonly double[] _recipeParams;
    private readonly int _threads;
    private readonly HashSet<string> _inputNames;

    public PlanExecutor(Plan plan, IReadOnlyDictionary<string, IExpressionKernel> kernels, double[] recipeParams, int threads)
    {
        _plan = plan;
        _kernels = kernels;
        _recipeParams = recipeParams;
        _threads = Math.Max(1, threads);
        _inputNames = plan.Recipe.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
    }

    public Plan Plan => _plan;

    /// <summary>
    /// Computes every value the outputs read. Returns them by canonical name (see <see cref="Plan.Resolve"/>).
    /// </summary>
    /// <exception cref="StepFailedException">A step failed; the message names it.</exception>
    public IReadOnlyDictionary<string, Value> Run(IReadOnlyDictionary<string, ImageArray> inputs, CancellationToken cancellation = default, List<StepTiming>? timings = null, PixelPool? pool = null)
    {
        pool ??= PixelPool.Shared;
        var values = new ConcurrentDictionary<string, Value>(StringComparer.Ordinal);
        var callerArrays = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var (name, array) in inputs)
        {
            values[name] = new ArrayValue(array);
            callerArrays.Add(array.Data);
            if (array.Imag is { } im)
            {
                callerArrays.Add(im);
            }
        }

        // Units of work: a lone node, or a whole fused chain.
        var units = new List<List<PlanNode>>();
        var unitOf = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var node in _plan.Nodes)
        {
            if (node.Chain >= 0 && units.Count > 0 && units[^1][0].Chain == node.Chain)
            {
                units[^1].Add(node);
            }
            else
            {
                units.Add([node]);
            }

            unitOf[node.Id] = units.Count - 1;
        }

        var deps = new int[units.Count];
        var dependents = new List<int>[units.Count];
        for (int u = 0; u < units.Count; u++)
        {
            dependents[u] = [];
        }

        for (int u = 0; u < units.Count; u++)
        {
            var inside = units[u].Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            var before = units[u].SelectMany(n => n.Sources).Where(s => !inside.Contains(s) && unitOf.ContainsKey(s)).Select(s => unitOf[s]).Distinct().ToList();
            deps[u] = before.Count;
            foreach (var b in before)
            {
                dependents[b].Add(u);
            }
        }

        // Readers left per value, counted per unit: a value is released when its last reader has run, which
        // under parallel execution is not necessarily the last reader in plan order.
        var readersLeft = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var unit in units)
        {
            foreach (var s in ExternalSources(unit))
            {
                readersLeft[s] = readersLeft.GetValueOrDefault(s) + 1;
            }
        }

        var timingBag = new ConcurrentBag<(int Index, StepTiming Timing)>();
        var outputValues = _plan.OutputValues.ToHashSet(StringComparer.Ordinal);
        bool parallel = _threads > 1 && units.Count > 1 && _plan.Nodes.GroupBy(n => n.Level).Any(g => g.Count() > 1);
        if (!parallel)
        {
            foreach (var unit in units)
            {
                cancellation.ThrowIfCancellationRequested();
                RunUnit(unit, values, pool, _threads, cancellation, timingBag, outputValues, readersLeft, callerArrays);
            }
        }
        else
        {
            RunParallel(units, deps, dependents, values, pool, cancellation, timingBag, outputValues, readersLeft, callerArrays);
        }

        if (timings is not null)
        {
            foreach (var (_, t) in timingBag.OrderBy(t => t.Index))
            {
                timings.Add(t);
            }

            foreach (var node in _plan.Nodes)
            {
                foreach (var m in node.MergedIds)
                {
                    timings.Add(new StepTiming(m, node.Step.Op.Name, 0, [], SameAs: node.Id));
                }
            }
        }

        var result = new Dictionary<string, Value>(StringComparer.Ordinal);
        foreach (var v in _plan.OutputValues)
        {
            if (values.TryGetValue(v, out var value))
            {
                result[v] = value;
            }
        }

        return result;
    }

    private void RunParallel(List<List<PlanNode>> units, int[] deps, List<int>[] dependents, ConcurrentDictionary<string, Value> values, PixelPool pool, CancellationToken cancellation, ConcurrentBag<(int, StepTiming)> timings, HashSet<string> outputValues, Dictionary<string, int> readersLeft, HashSet<float[]> callerArrays)
    {
        var remaining = (int[])deps.Clone();
        var ready = new Queue<int>(Enumerable.Range(0, units.Count).Where(u => remaining[u] == 0));
        int running = 0;
        int done = 0;
        Exception? failure = null;
        var gate = new object();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        var finished = new ManualResetEventSlim(false);

        void Schedule()
        {
            // Called under the gate.
            while (ready.Count > 0 && running < _threads && failure is null)
            {
                int u = ready.Dequeue();
                running++;
                int share = Math.Max(1, _threads / Math.Max(1, Math.Min(_threads, running + ready.Count)));
                ThreadPool.UnsafeQueueUserWorkItem(
                    _ =>
                    {
                        try
                        {
                            RunUnit(units[u], values, pool, share, cts.Token, timings, outputValues, readersLeft, callerArrays);
                            lock (gate)
                            {
                                running--;
                                done++;
                                foreach (var d in dependents[u])
                                {
                                    if (--remaining[d] == 0)
                                    {
                                        ready.Enqueue(d);
                                    }
                                }

                                if (done == units.Count || (running == 0 && (ready.Count == 0 || failure is not null)))
                                {
                                    finished.Set();
                                }
                                else
                                {
                                    Schedule();
                                }
                            }
                        }
                        catch (Exception ex)
                        {
                            lock (gate)
                            {
                                running--;
                                failure ??= ex;
                                cts.Cancel();
                                if (running == 0)
                                {
                                    finished.Set();
                                }
                            }
                        }
                    },
                    null);
            }
        }

        lock (gate)
        {
            Schedule();
        }

        finished.Wait(CancellationToken.None);
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        cancellation.ThrowIfCancellationRequested();
    }

    private void RunUnit(List<PlanNode> unit, ConcurrentDictionary<string, Value> values, PixelPool pool, int threads, CancellationToken cancellation, ConcurrentBag<(int, StepTiming)> timings, HashSet<string> outputValues, Dictionary<string, int> readersLeft, HashSet<float[]> callerArrays)
    {
        var sw = Stopwatch.StartNew();
        if (unit.Count == 1)
        {
            var node = unit[0];
            values[node.Id] = RunNode(node, node.Sources.Select(s => values[s]).ToList(), threads, cancellation);
            sw.Stop();
            timings.Add((node.Index, new StepTiming(node.Id, node.Step.Op.Name, sw.Elapsed.TotalMilliseconds, [])));
        }
        else
        {
            values[unit[^1].Id] = RunChain(unit, values[unit[0].Sources[0]], pool, threads, cancellation);
            sw.Stop();
            var ids = unit.Select(n => n.Id).ToList();
            foreach (var node in unit)
            {
                timings.Add((node.Index, new StepTiming(node.Id, node.Step.Op.Name, sw.Elapsed.TotalMilliseconds, ids)));
            }
        }

        var released = new List<string>();
        lock (readersLeft)
        {
            foreach (var src in ExternalSources(unit))
            {
                if (--readersLeft[src] == 0)
                {
                    released.Add(src);
                }
            }
        }

        foreach (var r in released)
        {
            if (!outputValues.Contains(r) && values.TryRemove(r, out var old) && old is ArrayValue a
                && !_inputNames.Contains(r)
                && !Owns(callerArrays, a.Array)
                && !values.Values.Any(v => v is ArrayValue live && SharesArray(live.Array, a.Array)))
            {
                // Only arrays this run computed, and that no live value shares, go back to the pool
                // (the caller owns the inputs, and an op may return its input, or a part of it, unchanged).
                pool.Return(a.Array);
            }
        }
    }

    private static bool Owns(HashSet<float[]> arrays, ImageArray a)
        => arrays.Contains(a.Data) || (a.Imag is { } im && arrays.Contains(im));

    private static bool SharesArray(ImageArray x, ImageArray y)
        => ReferenceEquals(x.Data, y.Data) || ReferenceEquals(x.Data, y.Imag)
        || (x.Imag is { } xi && (ReferenceEquals(xi, y.Data) || ReferenceEquals(xi, y.Imag)));

    /// <summary>The values a unit reads from outside itself (inputs or other units' results), each once.</summary>
    private static IEnumerable<string> ExternalSources(List<PlanNode> unit)
    {
        var inside = unit.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        return unit.SelectMany(n => n.Sources).Where(src => !inside.Contains(src)).Distinct(StringComparer.Ordinal);
    }

    private Value RunNode(PlanNode node, IReadOnlyList<Value> inputs, int threads, CancellationToken cancellation)
    {
        var step = node.Step;
        _kernels.TryGetValue(step.Id, out var kernel);
        var ctx = new OpContext
        {
            StepId = step.Id,
            Inputs = inputs,
            InputNames = ExpressionSteps.VariableNames(step),
            Params = step.Params,
            Kernel = kernel,
            RecipeParams = _recipeParams,
            Threads = threads,
            Cancellation = cancellation,
        };
        try
        {
            return step.Op.Execute(ctx);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (StepFailedException)
        {
            throw;
        }
        catch (ExpressionRuntimeException ex)
        {
            throw new StepFailedException(step.Id, ex.Detail, ex);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IndexOutOfRangeException or NotSupportedException or ArithmeticException)
        {
            throw new StepFailedException(step.Id, $"{step.Op.Name} failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Runs element-wise steps block by block: for each block of <see cref="FusedBlock"/> pixels, every step of
    /// the chain runs on that block before the next block starts. The math is the ops' own (each is called on
    /// a block as a 1 x n image), so results equal the unfused run exactly; only memory traffic changes.
    /// </summary>
    private Value RunChain(List<PlanNode> chain, Value input, PixelPool pool, int threads, CancellationToken cancellation)
    {
        var src = ((ArrayValue)input).Array;
        int length = src.Length;
        int blocks = (length + FusedBlock - 1) / FusedBlock;
        float[]? outReal = null;
        float[]? outImag = null;
        var gate = new object();

        void Block(int b)
        {
            int start = b * FusedBlock;
            int n = Math.Min(FusedBlock, length - start);
            var piece = new ImageArray(1, n, src.Data.AsSpan(start, n).ToArray(), src.Imag?.AsSpan(start, n).ToArray());
            Value v = new ArrayValue(piece);
            foreach (var node in chain)
            {
                v = RunNode(node, [v], 1, cancellation);
            }

            var res = ((ArrayValue)v).Array;
            if (outReal is null)
            {
                lock (gate)
                {
                    if (outReal is null)
                    {
                        outImag = res.IsComplex ? pool.Rent(length) : null;
                        outReal = pool.Rent(length);
                    }
                }
            }

            res.Data.CopyTo(outReal.AsSpan(start, n));
            if (res.Imag is { } im)
            {
                if (outImag is null)
                {
                    throw new StepFailedException(chain[^1].Id, "a fused chain changed between real and complex values from block to block");
                }

                im.CopyTo(outImag.AsSpan(start, n));
            }
        }

        // The first block decides whether the result is complex; the rest may run in parallel.
        Block(0);
        if (threads > 1 && blocks > 2)
        {
            Parallel.For(1, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation }, Block);
        }
        else
        {
            for (int b = 1; b < blocks; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                Block(b);
            }
        }

        var result = src.IsStack
            ? ImageArray.Stack(src.Frames, src.Rows, src.Cols, outReal, outImag)
            : new ImageArray(src.Rows, src.Cols, outReal, outImag);
        return new ArrayValue(result);
    }
}

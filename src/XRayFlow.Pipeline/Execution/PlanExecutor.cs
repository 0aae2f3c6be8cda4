using System.Collections.Concurrent;
using System.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Execution;

/// <summary>The time one plan node took in one run.</summary>
/// <param name="Id">The step id.</param>
/// <param name="Op">The op name.</param>
/// <param name="Milliseconds">Wall time of the node (for a fused chain: the whole chain's).</param>
/// <param name="Chain">The fused chain this step ran in (1-based, as `xrayflow plan` numbers them; <see cref="Milliseconds"/> is then the whole chain's), or 0.</param>
/// <param name="SameAs">For a step merged into an identical one: that step's id; else null.</param>
public sealed record StepTiming(string Id, string Op, double Milliseconds, int Chain = 0, string? SameAs = null);

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
public sealed partial class PlanExecutor
{
    /// <summary>Pixels per block of a fused chain: 16384 floats = 64 KiB, so a block and its intermediates stay in L2.</summary>
    public const int FusedBlock = 16384;

    private readonly Plan _plan;
    private readonly IReadOnlyDictionary<string, IExpressionKernel> _kernels;
    private readonly double[] _recipeParams;
    private readonly int _threads;
    private readonly HashSet<string> _inputNames;
    private readonly Schedule _schedule;

    public PlanExecutor(Plan plan, IReadOnlyDictionary<string, IExpressionKernel> kernels, double[] recipeParams, int threads)
    {
        _plan = plan;
        _kernels = kernels;
        _recipeParams = recipeParams;
        _threads = Math.Max(1, threads);
        _inputNames = plan.Recipe.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        _schedule = Schedule.Of(plan, _threads);
    }

    /// <summary>A step whose output would have more pixels fails before it runs (the run's `--max-pixels`).</summary>
    public long MaxPixels { get; init; } = XRayFlow.Core.Codecs.ImageReadOptions.Default.MaxPixels;

    /// <summary>
    /// The plan's units of work (a lone node or a whole fused chain), their dependencies and each value's reader
    /// count: the same for every item of a batch, so computed once per run, not per item (issue 16).
    /// </summary>
    private sealed record Schedule(List<List<PlanNode>> Units, int[] Deps, List<int>[] Dependents, Dictionary<string, int> Readers, bool Parallel)
    {
        public static Schedule Of(Plan plan, int threads)
        {
            var units = new List<List<PlanNode>>();
            var unitOf = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var node in plan.Nodes)
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

            // Readers per value, counted per unit: a value is released when its last reader has run, which
            // under parallel execution is not necessarily the last reader in plan order.
            var readers = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var unit in units)
            {
                foreach (var s in ExternalSources(unit))
                {
                    readers[s] = readers.GetValueOrDefault(s) + 1;
                }
            }

            bool parallel = threads > 1 && units.Count > 1 && plan.Nodes.GroupBy(n => n.Level).Any(g => g.Count() > 1);
            return new Schedule(units, deps, dependents, readers, parallel);
        }
    }

    public Plan Plan => _plan;

    /// <summary>
    /// Computes every value the outputs read. Returns them by canonical name (see <see cref="Plan.Resolve"/>), and
    /// every number a scalar step computed (for the manifest; a few bytes each).
    /// </summary>
    /// <param name="observer">Sees every input and computed value before it is released (the run report), or null.</param>
    /// <exception cref="StepFailedException">A step failed; the message names it.</exception>
    public IReadOnlyDictionary<string, Value> Run(IReadOnlyDictionary<string, ImageArray> inputs, CancellationToken cancellation = default, List<StepTiming>? timings = null, PixelPool? pool = null, IValueObserver? observer = null)
    {
        pool ??= PixelPool.Shared;
        var values = new ConcurrentDictionary<string, Value>(StringComparer.Ordinal);
        var callerArrays = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var (name, array) in inputs)
        {
            values[name] = new ArrayValue(array);

            // The caller's arrays are never given back to the pool: known by their pixels, so an input held as bits
            // (a caller's PackedMask) gets them first.
            callerArrays.Add(array.Materialize(_threads));

            if (array.Imag is { } im)
            {
                callerArrays.Add(im);
            }

            observer?.Produced(name, values[name]);
        }

        // Units of work (a lone node, or a whole fused chain) and their order: planned once (see Schedule).
        var units = _schedule.Units;
        var readersLeft = new Dictionary<string, int>(_schedule.Readers, StringComparer.Ordinal);
        var timingBag = new ConcurrentBag<(int Index, StepTiming Timing)>();
        var outputValues = _plan.OutputValues.ToHashSet(StringComparer.Ordinal);
        if (!_schedule.Parallel)
        {
            foreach (var unit in units)
            {
                cancellation.ThrowIfCancellationRequested();
                RunUnit(unit, values, pool, _threads, cancellation, timingBag, outputValues, readersLeft, callerArrays, observer);
            }

            // As RunParallel: a run cancelled during its last step (one that does not watch the token) is cancelled too.
            cancellation.ThrowIfCancellationRequested();
        }
        else
        {
            RunParallel(units, _schedule.Deps, _schedule.Dependents, values, pool, cancellation, timingBag, outputValues, readersLeft, callerArrays, observer);
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
                    timings.Add(new StepTiming(m, node.Step.Op.Name, 0, SameAs: node.Id));
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

        foreach (var (name, value) in values)
        {
            if (value is ScalarValue)
            {
                result.TryAdd(name, value);
            }
        }

        return result;
    }

    /// <summary>
    /// Units whose dependencies are done run at once, up to the thread count. When one fails, the item fails with the
    /// error a run in plan order would give (the failing unit earliest in plan order), whatever the timing: units
    /// later in plan order than the earliest failure are cancelled or not started, earlier ones still run (one of
    /// them may fail first in plan order). Two steps of one level that both fail name the first in the manifest on
    /// every run, not the one that happened to fail first.
    /// </summary>
    private void RunParallel(List<List<PlanNode>> units, int[] deps, List<int>[] dependents, ConcurrentDictionary<string, Value> values, PixelPool pool, CancellationToken cancellation, ConcurrentBag<(int, StepTiming)> timings, HashSet<string> outputValues, Dictionary<string, int> readersLeft, HashSet<float[]> callerArrays, IValueObserver? observer)
    {
        var remaining = (int[])deps.Clone();
        var ready = new PriorityQueue<int, int>(Enumerable.Range(0, units.Count).Where(u => remaining[u] == 0).Select(u => (u, u)));
        var runningUnits = new Dictionary<int, CancellationTokenSource>();
        int failedAt = int.MaxValue;
        Exception? failure = null;
        var gate = new object();
        var finished = new ManualResetEventSlim(false);

        void Schedule()
        {
            // Called under the gate. After a failure only units before it in plan order still run.
            while (ready.Count > 0 && runningUnits.Count < _threads && ready.Peek() < failedAt && !cancellation.IsCancellationRequested)
            {
                int u = ready.Dequeue();
                var unitCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                runningUnits[u] = unitCancel;
                int share = Math.Max(1, _threads / Math.Max(1, Math.Min(_threads, runningUnits.Count + ready.Count)));
                ThreadPool.UnsafeQueueUserWorkItem(
                    _ =>
                    {
                        try
                        {
                            RunUnit(units[u], values, pool, share, unitCancel.Token, timings, outputValues, readersLeft, callerArrays, observer);
                            lock (gate)
                            {
                                foreach (var d in dependents[u])
                                {
                                    if (--remaining[d] == 0)
                                    {
                                        ready.Enqueue(d, d);
                                    }
                                }

                                Finish(u);
                            }
                        }
                        catch (Exception ex)
                        {
                            lock (gate)
                            {
                                if (u < failedAt)
                                {
                                    // The earliest failure in plan order so far: the later units' work is wasted.
                                    failedAt = u;
                                    failure = ex;
                                    foreach (var (other, source) in runningUnits)
                                    {
                                        if (other > u)
                                        {
                                            source.Cancel();
                                        }
                                    }
                                }

                                Finish(u);
                            }
                        }
                    },
                    null);
            }
        }

        void Finish(int u)
        {
            // Called under the gate.
            runningUnits.Remove(u, out var source);
            source?.Dispose();
            Schedule();
            if (runningUnits.Count == 0)
            {
                finished.Set();
            }
        }

        lock (gate)
        {
            Schedule();
            if (runningUnits.Count == 0)
            {
                finished.Set();
            }
        }

        finished.Wait(CancellationToken.None);
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        cancellation.ThrowIfCancellationRequested();
    }

    private void RunUnit(List<PlanNode> unit, ConcurrentDictionary<string, Value> values, PixelPool pool, int threads, CancellationToken cancellation, ConcurrentBag<(int, StepTiming)> timings, HashSet<string> outputValues, Dictionary<string, int> readersLeft, HashSet<float[]> callerArrays, IValueObserver? observer)
    {
        var sw = Stopwatch.StartNew();
        MaterializeMasks(unit, values, threads);
        if (unit.Count == 1)
        {
            var node = unit[0];
            bool reuse = node.Step.Op.InPlace && node.Step.Inputs.Count >= 1 && MayReuse(node.Sources[0], values, outputValues, readersLeft, callerArrays);
            values[node.Id] = RunNode(node, node.Sources.Select(s => values[s]).ToList(), threads, cancellation, reuse);

            sw.Stop();
            timings.Add((node.Index, new StepTiming(node.Id, node.Step.Op.Name, sw.Elapsed.TotalMilliseconds)));
        }
        else
        {
            values[unit[^1].Id] = RunChain(unit, values, pool, threads, cancellation, observer);
            sw.Stop();
            foreach (var node in unit)
            {
                timings.Add((node.Index, new StepTiming(node.Id, node.Step.Op.Name, sw.Elapsed.TotalMilliseconds, node.Chain + 1)));
            }
        }

        // Outside the step's time; before the release below, which may hand the arrays to the next step.
        observer?.Produced(unit[^1].Id, values[unit[^1].Id]);

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
            if (!outputValues.Contains(r) && values.TryGetValue(r, out var kept) && kept is not ScalarValue && values.TryRemove(r, out var old) && old is ArrayValue a
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

    /// <summary>
    /// Arrays held as bits (<see cref="ImageArray.Mask"/>) that a step of the unit reads as float32 are made into
    /// float32 here, on the run's threads, rather than on first read by one thread (docs/runner.md "Masks as bits").
    /// </summary>
    private static void MaterializeMasks(List<PlanNode> unit, ConcurrentDictionary<string, Value> values, int threads)
    {
        foreach (var node in unit)
        {
            if (node.Step.Op.ReadsMasks && unit.Count == 1)
            {
                continue;
            }

            foreach (var src in node.Sources)
            {
                if (values.TryGetValue(src, out var v) && v is ArrayValue { Array: { Mask: not null } a })
                {
                    a.Materialize(threads);
                }
            }
        }
    }

    /// <summary>
    /// Whether the step about to run may overwrite the value <paramref name="src"/>: it is the value's last reader
    /// (reader counts are per unit and drop only after a unit ends, so 1 means no other unit still needs it), the
    /// value is no output, no input, not the caller's, and no other live value shares its arrays.
    /// </summary>
    private bool MayReuse(string src, ConcurrentDictionary<string, Value> values, HashSet<string> outputValues, Dictionary<string, int> readersLeft, HashSet<float[]> callerArrays)
    {
        lock (readersLeft)
        {
            if (readersLeft.GetValueOrDefault(src) != 1)
            {
                return false;
            }
        }

        return !outputValues.Contains(src) && !_inputNames.Contains(src)
            && values.TryGetValue(src, out var v) && v is ArrayValue a && !Owns(callerArrays, a.Array)
            && !values.Any(kv => kv.Key != src && kv.Value is ArrayValue live && SharesArray(live.Array, a.Array));
    }

    private static bool Owns(HashSet<float[]> arrays, ImageArray a)
        => (a.DataIfPresent is { } d && arrays.Contains(d)) || (a.Imag is { } im && arrays.Contains(im));

    private static bool SharesArray(ImageArray x, ImageArray y) => x.SharesStorage(y);

    /// <summary>The values a unit reads from outside itself (inputs or other units' results), each once.</summary>
    private static IEnumerable<string> ExternalSources(List<PlanNode> unit)
    {
        var inside = unit.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        return unit.SelectMany(n => n.Sources).Where(src => !inside.Contains(src)).Distinct(StringComparer.Ordinal);
    }

    /// <summary>
    /// Runs one node: its parameters with every `${step}` replaced by that step's number for this item, its inputs
    /// checked as the declaration requires (real, one shape, the shape rule), its rules checked again when a
    /// parameter was computed, then the op.
    /// </summary>
    /// <param name="node">The node.</param>
    /// <param name="sources">The values of <see cref="PlanNode.Sources"/>: the op's inputs, then the scalar steps its parameters read.</param>
    private Value RunNode(PlanNode node, IReadOnlyList<Value> sources, int threads, CancellationToken cancellation, bool mayReuseInput = false)
    {
        var step = node.Step;
        _kernels.TryGetValue(step.Id, out var kernel);
        var inputs = sources.Take(step.Inputs.Count).ToList();
        var parameters = ResolveParams(node, sources);
        double[] recipeParams = _recipeParams;
        var scalarVariables = ExpressionSteps.ScalarVariables(step);
        if (scalarVariables.Count > 0)
        {
            // Scalar steps in an `in` map are this step's expression values after the recipe's params, in `in`
            // order (ExpressionStep.Scalars), not pixels.
            recipeParams = new double[_recipeParams.Length + scalarVariables.Count];
            _recipeParams.CopyTo(recipeParams, 0);
            for (int k = 0; k < scalarVariables.Count; k++)
            {
                recipeParams[_recipeParams.Length + k] = ((ScalarValue)inputs[scalarVariables[k].Input]).Number;
            }

            inputs = inputs.Where(v => v is not ScalarValue).ToList();
        }

        var ctx = new OpContext
        {
            StepId = step.Id,
            Inputs = inputs,
            InputNames = ExpressionSteps.VariableNames(step),
            Params = parameters,
            Kernel = kernel,
            RecipeParams = recipeParams,
            Threads = threads,
            Cancellation = cancellation,
            MayReuseInput = mayReuseInput,
            MaxPixels = MaxPixels,
        };
        try
        {
            // Kernels whose cost grows with a parameter check the cancellation between blocks of rows.
            using var scope = StepCancellation.Enter(cancellation);
            return step.Op.Invoke(ctx);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (AggregateException ex) when (cancellation.IsCancellationRequested && ex.Flatten().InnerExceptions.All(e => e is OperationCanceledException))
        {
            throw new OperationCanceledException(cancellation); // parallel work of the op, stopped
        }
        catch (StepFailedException)
        {
            throw;
        }
        catch (Exception ex) when (AsStepFailure(step, ex) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// The step's failure for what an op throws on bad input or data (its refusal, an expression's failure, an
    /// argument or arithmetic error), also when the op's parallel parts threw it (the first of an
    /// <see cref="AggregateException"/>'s, which was reported as an internal error before); null for anything else.
    /// </summary>
    private static StepFailedException? AsStepFailure(BoundStep step, Exception ex)
    {
        if (ex is AggregateException aggregate)
        {
            return aggregate.Flatten().InnerExceptions is [var first, ..] && first is not AggregateException ? AsStepFailure(step, first) : null;
        }

        switch (ex)
        {
            case StepFailedException failed:
                return failed;
            case OpRefusedException refused:
                return new StepFailedException(step.Id, refused.Reason, ex);
            case ExpressionRuntimeException expression:
                return new StepFailedException(step.Id, expression.Detail, ex);
            case ArgumentException or InvalidOperationException or IndexOutOfRangeException or NotSupportedException or ArithmeticException:
                // An op's own text may already name the step ("step 'w': ..."): the failure names it once.
                string prefix = $"step '{step.Id}': ";
                string reason = ex.Message.StartsWith(prefix, StringComparison.Ordinal) ? ex.Message[prefix.Length..] : ex.Message;
                return new StepFailedException(step.Id, $"{step.Op.Name} failed: {reason}", ex);
            default:
                return null;
        }
    }

    /// <summary>The step's parameters with each `${step}` (<see cref="ScalarRef"/>) replaced by its number for this item.</summary>
    private IReadOnlyDictionary<string, object?> ResolveParams(PlanNode node, IReadOnlyList<Value> sources)
    {
        var step = node.Step;
        if (step.ParamSources.Count == 0)
        {
            return step.Params;
        }

        var byStep = new Dictionary<string, Value>(StringComparer.Ordinal);
        for (int k = 0; k < step.ParamSources.Count; k++)
        {
            byStep[step.ParamSources[k]] = sources[step.Inputs.Count + k];
        }

        double Number(ScalarRef r)
        {
            var v = byStep[r.Step];
            double? n = r.Field is null ? (v as ScalarValue)?.Number : v.Field(r.Field);
            return n ?? throw new StepFailedException(step.Id, $"{r} has no number for this image");
        }

        var resolved = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in step.Params)
        {
            var spec = step.Op.FindParam(name);
            resolved[name] = value switch
            {
                ScalarRef r => Typed(step, spec, name, [Number(r)]),
                // `pN` items stay for the op to compute per image; `${step}` items become checked numbers.
                object?[] items when items.Any(i => i is Percentile) => items.Select(i => i is ScalarRef r ? ((System.Collections.IList)Typed(step, spec, name, [Number(r)]))[0] : i).ToArray(),
                object?[] items when items.Any(i => i is ScalarRef) => Typed(step, spec, name, items.Select(i => i is ScalarRef r ? Number(r) : Convert.ToDouble(i, System.Globalization.CultureInfo.InvariantCulture)).ToArray()),
                // Every other value (a matrix's rows, a list without references) is as bound: only the references of
                // this step's params are per image. A matrix beside a `${step}` was converted row by row and failed.
                _ => value,
            };
        }

        return resolved;
    }

    /// <summary>A computed number (or list) as the parameter's type, checked against its declared range as the binder would.</summary>
    private static object Typed(BoundStep step, ParamSpec? spec, string name, double[] numbers)
    {
        foreach (double d in numbers)
        {
            bool whole = spec?.IsWhole == true;
            if (whole && (d != Math.Floor(d) || Math.Abs(d) > int.MaxValue))
            {
                throw new StepFailedException(step.Id, $"parameter '{name}' must be a whole number; this image gives {RoundTrip.Format(d)}");
            }

            bool below = spec?.Min is { } min && (spec.MinExclusive ? d <= min : d < min);
            bool above = spec?.Max is { } max && d > max;
            if (below || above || double.IsNaN(d))
            {
                throw new StepFailedException(step.Id, $"parameter '{name}' must be {Binding.RecipeBinder.RangeText(spec!)}; this image gives {RoundTrip.Format(d)}");
            }
        }

        return spec?.Type switch
        {
            ParamType.Float => numbers[0],
            ParamType.Int => (int)numbers[0],
            ParamType.IntPerAxis or ParamType.IntList => numbers.Select(n => (int)n).ToArray(),
            _ => numbers,
        };
    }

    /// <summary>
    /// Runs element-wise steps block by block: for each block of <see cref="FusedBlock"/> pixels, every step's
    /// pointwise kernel runs on that block (in place in the output array) before the next block starts. The
    /// kernels are the ops' own, so results equal the unfused run bit for bit; only memory traffic changes. A
    /// complex input (a complex .npy file) runs step by step instead.
    /// </summary>
    private Value RunChain(List<PlanNode> chain, ConcurrentDictionary<string, Value> values, PixelPool pool, int threads, CancellationToken cancellation, IValueObserver? observer)
    {
        if (_plan.FusedChains[chain[0].Chain].Banded)
        {
            return RunBanded(chain, values, pool, threads, cancellation, observer);
        }

        var first = chain[0];
        if (values[first.Sources[0]] is not ArrayValue { Array: { IsComplex: false } src })
        {
            Value v = values[first.Sources[0]];
            foreach (var node in chain)
            {
                var previous = v;
                v = RunNode(node, [v, .. node.Sources.Skip(1).Select(s => values[s])], threads, cancellation);
                if (observer is not null && !ReferenceEquals(node, chain[^1]))
                {
                    observer.Produced(node.Id, v);
                }

                if (!ReferenceEquals(previous, values[first.Sources[0]]) && previous is ArrayValue pa && v is ArrayValue va && !SharesArray(pa.Array, va.Array))
                {
                    pool.Return(pa.Array);
                }
            }

            return v;
        }

        var kernels = new IPointwiseKernel[chain.Count];
        for (int k = 0; k < chain.Count; k++)
        {
            var node = chain[k];
            var parameters = ResolveParams(node, [new ArrayValue(src), .. node.Sources.Skip(1).Select(s => values[s])]);
            if (node.Step.Op.RunProblem(new OpContext { StepId = node.Id, Inputs = [new ArrayValue(src)], Params = parameters, MaxPixels = MaxPixels }) is { } problem)
            {
                throw new StepFailedException(node.Id, problem);
            }

            kernels[k] = node.Step.Op.Pointwise!(new ParamValues { StepId = node.Id, Params = parameters });
        }

        int length = src.Length;
        var outData = pool.Rent(length);
        var dst = src.IsStack ? ImageArray.Stack(src.Frames, src.Rows, src.Cols, outData) : new ImageArray(src.Rows, src.Cols, outData);
        var inData = src.Data;
        int blocks = (length + FusedBlock - 1) / FusedBlock;

        // The report sees the chain's intermediate steps block by block (they never exist whole).
        var sinks = observer is null ? null : chain.Take(chain.Count - 1).Select(n => observer.Fused(n.Id, dst)).ToArray();

        void Block(int b)
        {
            int start = b * FusedBlock;
            int n = Math.Min(FusedBlock, length - start);
            var output = outData.AsSpan(start, n);
            kernels[0].Apply(inData.AsSpan(start, n), output);
            sinks?[0]?.Block(start, output);
            for (int k = 1; k < kernels.Length; k++)
            {
                kernels[k].Apply(output, output);
                if (sinks is not null && k < sinks.Length)
                {
                    sinks[k]?.Block(start, output);
                }
            }
        }

        if (threads > 1 && blocks > 2)
        {
            Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellation }, Block);
        }
        else
        {
            for (int b = 0; b < blocks; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                Block(b);
            }
        }

        foreach (var sink in sinks ?? [])
        {
            sink?.Completed();
        }

        return new ArrayValue(dst);
    }
}

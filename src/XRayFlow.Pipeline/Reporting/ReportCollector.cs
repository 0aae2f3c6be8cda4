using System.Collections.Concurrent;
using System.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>
/// Gathers, during a run, what the report shows of each item: a <see cref="ValueSummary"/> of every input and
/// step value (from the executor's <see cref="IValueObserver"/> hook, before each value is released) and the
/// item's wall time. Only the first <see cref="MaxDetailedItems"/> items (in item order) are observed: the report of
/// a large batch stays small, and the other items run exactly as without a report.
/// </summary>
public sealed class ReportCollector
{
    /// <summary>Items of a batch whose pictures the report shows (the others appear in its tables).</summary>
    public const int MaxDetailedItems = 24;

    private readonly Dictionary<RunItem, ItemObservations> _byItem = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, ItemObservations> _byName = new(StringComparer.Ordinal);

    public ReportCollector(IReadOnlyList<RunItem> items)
    {
        foreach (var item in items.Take(MaxDetailedItems))
        {
            var o = new ItemObservations();
            _byItem[item] = o;
            _byName.TryAdd(item.Name, o);
        }
    }

    /// <summary>The observer of an item (started now), or null for an item the report does not picture.</summary>
    public IValueObserver? Observer(RunItem item)
    {
        if (!_byItem.TryGetValue(item, out var o))
        {
            return null;
        }

        o.Start();
        return o;
    }

    /// <summary>What was seen of the item of that name, or null.</summary>
    public ItemObservations? Of(string itemName) => _byName.TryGetValue(itemName, out var o) ? o : null;

    /// <summary>A progress sink that notes each item's end and passes everything on to <paramref name="inner"/>.</summary>
    public IRunProgress Wrap(IRunProgress? inner) => new Progress(this, inner);

    private sealed class Progress(ReportCollector collector, IRunProgress? inner) : IRunProgress
    {
        public void Started(int items) => inner?.Started(items);

        public void ItemFinished(ManifestItem item)
        {
            collector.Of(item.Name)?.Finish();
            inner?.ItemFinished(item);
        }
    }
}

/// <summary>The summaries of one item's values, by input name or node id, and its wall time.</summary>
public sealed class ItemObservations : IValueObserver
{
    private readonly ConcurrentDictionary<string, ValueSummary> _values = new(StringComparer.Ordinal);
    private long _start;
    private long _end;

    public IReadOnlyDictionary<string, ValueSummary> Values => _values;

    /// <summary>From the item's start (decoding included) to its manifest entry; null when it did not run here.</summary>
    public TimeSpan? WallTime => _start != 0 && _end != 0 ? Stopwatch.GetElapsedTime(_start, _end) : null;

    internal void Start()
    {
        _values.Clear();
        _start = Stopwatch.GetTimestamp();
    }

    internal void Finish() => _end = Stopwatch.GetTimestamp();

    public void Produced(string id, Value value) => _values[id] = ValueSummary.Of(value);

    public IFusedValueSink? Fused(string id, ImageArray shape) => new SummaryBuilder(shape, s => _values[id] = s, complex: false);
}

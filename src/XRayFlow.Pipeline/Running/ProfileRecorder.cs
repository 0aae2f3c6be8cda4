using XRayFlow.Pipeline.Execution;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// The step times of one item for `--profile`: per step, what it is (op, fused chain, merged into) once, and
/// one number per repeat. Repeats add numbers only, not timing records.
/// </summary>
internal sealed class ProfileRecorder
{
    private readonly Dictionary<string, (StepTiming First, List<double> Ms)> _byId = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>Step ids in the order first seen.</summary>
    public IReadOnlyList<string> Order => _order;

    public void Add(IEnumerable<StepTiming> timings)
    {
        foreach (var t in timings)
        {
            if (!_byId.TryGetValue(t.Id, out var entry))
            {
                _byId[t.Id] = entry = (t, []);
                _order.Add(t.Id);
            }

            entry.Ms.Add(t.Milliseconds);
        }
    }

    public (StepTiming First, IReadOnlyList<double> Ms) this[string id] => _byId[id];
}

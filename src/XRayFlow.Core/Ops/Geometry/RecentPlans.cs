using System.Collections.Concurrent;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// The last few plans made, by key (plans are read-only once made, so threads share them): a batch of same-size
/// images plans once, not once an image. Past <paramref name="capacity"/> plans the list starts afresh.
/// </summary>
internal sealed class RecentPlans<TKey, TPlan>(int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TPlan> kept = new();

    /// <summary>
    /// The kept plan for <paramref name="key"/>, or a new one, <paramref name="make"/>(key, state), kept when
    /// <paramref name="keep"/> says so (all by default). Static lambdas with the state as an argument: a call that
    /// finds its plan allocates nothing.
    /// </summary>
    public TPlan Get<TState>(TKey key, TState state, Func<TKey, TState, TPlan> make, Func<TPlan, bool>? keep = null)
    {
        if (kept.TryGetValue(key, out var plan))
        {
            return plan;
        }

        plan = make(key, state);
        if (keep is null || keep(plan))
        {
            if (kept.Count >= capacity)
            {
                kept.Clear();
            }

            kept[key] = plan;
        }

        return plan;
    }
}

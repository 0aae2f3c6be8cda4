using System.Runtime.InteropServices;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Which claimant (a number: item x outputs + output) first claimed each output path, kept by a 64-bit hash of the
/// path (24 bytes an entry and no path strings: 120,000 items x 2 outputs in about 6 MB). A path whose hash was
/// claimed before is compared in full with the first claimant's path, recomputed by <c>pathOf</c>; two different
/// paths with one hash go to an exact table, so the answers are exact whatever the names.
/// </summary>
internal sealed class PathClaims(Func<long, string> pathOf, int capacity, Func<string, ulong>? hash = null)
{
    private readonly Func<string, ulong> _hash = hash ?? Hash;
    private readonly Dictionary<ulong, long> _byHash = new(capacity);
    private Dictionary<string, long>? _exact;

    /// <summary>Claims <paramref name="full"/> for <paramref name="claimant"/>; false, with the first claimant, when it was claimed before.</summary>
    public bool TryClaim(string full, long claimant, out long first)
    {
        ref long slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_byHash, _hash(full), out bool exists);
        if (!exists)
        {
            slot = claimant;
            first = -1;
            return true;
        }

        first = slot;
        if (string.Equals(pathOf(first), full, StringComparison.Ordinal))
        {
            return false;
        }

        _exact ??= new Dictionary<string, long>(StringComparer.Ordinal);
        if (_exact.TryGetValue(full, out first))
        {
            return false;
        }

        _exact[full] = claimant;
        first = -1;
        return true;
    }

    /// <summary>The first claimant of <paramref name="full"/>, if it was claimed.</summary>
    public bool TryGet(string full, out long claimant)
    {
        if (!_byHash.TryGetValue(_hash(full), out claimant))
        {
            return false;
        }

        return string.Equals(pathOf(claimant), full, StringComparison.Ordinal) || (_exact is not null && _exact.TryGetValue(full, out claimant));
    }

    /// <summary>FNV-1a over the UTF-16 code units (64-bit).</summary>
    internal static ulong Hash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }
}

using System.Collections.Concurrent;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// Comparator networks that select one rank of n values, built from Batcher's odd-even merge and pruned to the
/// comparators the wanted rank depends on. The values arrive as runs that are already sorted (a rectangle's
/// columns, sorted once and shared by the windows that contain them), or as n runs of one value (anything).
/// A comparator (A, B) puts the smaller value on wire A and the larger on wire B. Correctness rests on Batcher's
/// merge (any run lengths) and is checked by the 0-1 principle in the tests.
/// </summary>
internal static class RankNetwork
{
    private static readonly ConcurrentDictionary<(string Runs, int Rank), Network> Cache = new();

    /// <summary>A pruned network: its comparators, and the wire that holds the wanted rank at the end.</summary>
    internal sealed record Network(int[] A, int[] B, int Output);

    /// <summary>
    /// The network that leaves rank <paramref name="rank"/> (0-based, ascending) of the values on wire
    /// <see cref="Network.Output"/>, when wires are numbered run after run (run r holds wires start_r ..
    /// start_r + runs[r] - 1, ascending within the run).
    /// </summary>
    public static Network Select(IReadOnlyList<int> runs, int rank) => Cache.GetOrAdd((string.Join(",", runs), rank), _ =>
    {
        var comparators = new List<(int A, int B)>();
        var lists = new List<List<int>>();
        int wire = 0;
        foreach (int length in runs)
        {
            lists.Add(Enumerable.Range(wire, length).ToList());
            wire += length;
        }

        if (rank < 0 || rank >= wire)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} outside 0..{wire - 1}");
        }

        int output = MergeAll(lists, comparators)[rank];
        return Prune(comparators, output, wire);
    });

    /// <summary>A network that sorts <paramref name="n"/> values completely (wire k holds rank k at the end).</summary>
    public static (int[] A, int[] B, int[] Order) Sort(int n)
    {
        var comparators = new List<(int A, int B)>();
        var lists = Enumerable.Range(0, n).Select(w => new List<int> { w }).ToList();
        var order = MergeAll(lists, comparators);
        return (comparators.Select(c => c.A).ToArray(), comparators.Select(c => c.B).ToArray(), order.ToArray());
    }

    /// <summary>Merges neighbouring sorted runs pairwise until one remains (a balanced merge tree); returns it.</summary>
    private static List<int> MergeAll(List<List<int>> lists, List<(int A, int B)> comparators)
    {
        while (lists.Count > 1)
        {
            var next = new List<List<int>>();
            for (int k = 0; k + 1 < lists.Count; k += 2)
            {
                next.Add(Merge(lists[k], lists[k + 1], comparators));
            }

            if ((lists.Count & 1) == 1)
            {
                next.Add(lists[^1]);
            }

            lists = next;
        }

        return lists[0];
    }

    /// <summary>
    /// Batcher's odd-even merge of two sorted wire lists of any lengths (Knuth, TAOCP 5.3.4): merge the even-indexed
    /// and the odd-indexed elements separately, then compare each odd result with the next even one. Returns the
    /// wires in ascending order of the merged values.
    /// </summary>
    private static List<int> Merge(List<int> a, List<int> b, List<(int A, int B)> comparators)
    {
        if (a.Count == 0)
        {
            return b;
        }

        if (b.Count == 0)
        {
            return a;
        }

        if (a.Count == 1 && b.Count == 1)
        {
            comparators.Add((a[0], b[0]));
            return [a[0], b[0]];
        }

        var v = Merge(Every(a, 0), Every(b, 0), comparators);
        var w = Merge(Every(a, 1), Every(b, 1), comparators);
        var c = new List<int>(a.Count + b.Count) { v[0] };
        int i = 0;
        for (; i < w.Count && i + 1 < v.Count; i++)
        {
            comparators.Add((w[i], v[i + 1]));
            c.Add(w[i]);
            c.Add(v[i + 1]);
        }

        // What is left is already in place: one more of v or of w.
        for (; i + 1 < v.Count; i++)
        {
            c.Add(v[i + 1]);
        }

        for (; i < w.Count; i++)
        {
            c.Add(w[i]);
        }

        return c;
    }

    private static List<int> Every(List<int> list, int start)
    {
        var r = new List<int>((list.Count + 1) / 2);
        for (int k = start; k < list.Count; k += 2)
        {
            r.Add(list[k]);
        }

        return r;
    }

    /// <summary>Only the comparators on which the output wire's final value depends (walking back from the end).</summary>
    private static Network Prune(List<(int A, int B)> comparators, int output, int wires)
    {
        var needed = new bool[wires];
        needed[output] = true;
        var kept = new List<(int A, int B)>();
        for (int k = comparators.Count - 1; k >= 0; k--)
        {
            var (a, b) = comparators[k];
            if (needed[a] || needed[b])
            {
                needed[a] = needed[b] = true;
                kept.Add((a, b));
            }
        }

        kept.Reverse();
        return new Network(kept.Select(x => x.A).ToArray(), kept.Select(x => x.B).ToArray(), output);
    }
}

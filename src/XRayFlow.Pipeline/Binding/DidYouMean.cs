namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// Nearest-name suggestions for every "unknown X" message (ops, parameters, enum values, references,
/// top-level keys, colormaps): optimal-string-alignment Damerau-Levenshtein distance, case-insensitive.
/// A candidate is suggested when its distance is at most max(1, min(3, length / 3)) of the longer name
/// (a typo, not a different word); ties go to the first candidate in ordinal order. A word that is a candidate of
/// three or more letters behind a prefix and an underscore is suggested that candidate when no typo is near
/// (numpy 1's <c>a_min</c> / <c>a_max</c> of clip, written <c>min</c> / <c>max</c> as numpy 2 and XRayFlow name them).
/// </summary>
public static class DidYouMean
{
    /// <summary>The nearest candidate, or null when none is close enough.</summary>
    public static string? Nearest(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates.Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal))
        {
            if (c == word)
            {
                continue;
            }

            int d = Distance(word.ToLowerInvariant(), c.ToLowerInvariant());
            int limit = Math.Max(1, Math.Min(3, Math.Max(word.Length, c.Length) / 3));
            if (d <= limit && d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }

        if (best is null && word.IndexOf('_', StringComparison.Ordinal) is > 0 and var cut && cut < word.Length - 3)
        {
            // the part after the first underscore, when it names a candidate: a_min -> min
            string tail = word[(cut + 1)..];
            best = candidates.Where(c => c.Length >= 3 && string.Equals(c, tail, StringComparison.OrdinalIgnoreCase)).OrderBy(c => c, StringComparer.Ordinal).FirstOrDefault();
        }

        return best;
    }

    /// <summary>"; did you mean 'x'?" or an empty string.</summary>
    public static string Suffix(string word, IEnumerable<string> candidates)
        => Nearest(word, candidates) is { } s ? $"; did you mean '{s}'?" : string.Empty;

    /// <summary>Optimal string alignment distance (insert, delete, substitute, swap adjacent).</summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int v = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    v = Math.Min(v, d[i - 2, j - 2] + 1);
                }

                d[i, j] = v;
            }
        }

        return d[a.Length, b.Length];
    }
}

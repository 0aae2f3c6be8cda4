using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting;

/// <summary>Plain-string name checks (no Roslyn: the warm path uses them before generating source).</summary>
internal static class Names
{
    /// <summary>The built-in variables every expression sees.</summary>
    public static readonly IReadOnlyList<string> BuiltIns = ExpressionNames.PixelBuiltIns;

    /// <summary>ASCII letters, digits and '_', not starting with a digit (no Regex: keeps the warm path light).</summary>
    private static bool IsAsciiIdentifier(string name)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why <paramref name="name"/> cannot be a variable, or null when it can.</summary>
    public static string? Problem(string name)
    {
        if (!IsAsciiIdentifier(name))
        {
            return "a variable name is ASCII letters, digits and '_', not starting with a digit";
        }

        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            return "names starting with '__' are reserved for the generated code";
        }

        if (ExpressionNames.IsReserved(name))
        {
            return "it is a C# keyword or a reserved name";
        }

        return null;
    }

    /// <summary>True when <paramref name="name"/> occurs as a whole word in any of <paramref name="texts"/>.</summary>
    public static bool UsedIn(string name, IEnumerable<string> texts) => texts.Any(t => WordAt(name, t) >= 0);

    /// <summary>The offset of the first whole-word occurrence of <paramref name="name"/> in <paramref name="text"/>, or -1.</summary>
    public static int WordAt(string name, string text)
    {
        int at = 0;
        while ((at = text.IndexOf(name, at, StringComparison.Ordinal)) >= 0)
        {
            bool startOk = at == 0 || !IsWordChar(text[at - 1]);
            int end = at + name.Length;
            bool endOk = end == text.Length || !IsWordChar(text[end]);
            if (startOk && endOk)
            {
                return at;
            }

            at = end;
        }

        return -1;
    }

    /// <summary>
    /// Reserved names an expression may itself contain (type keywords of casts and constants, literals, Math):
    /// a param of such a name is not what the expression means by it.
    /// </summary>
    private static readonly HashSet<string> MeaningfulInExpressions = new(StringComparer.Ordinal)
    {
        "float", "double", "int", "long", "uint", "ulong", "short", "ushort", "byte", "sbyte", "bool", "true", "false", "Math", "MathF",
    };

    /// <summary>
    /// True when a recipe param named <paramref name="name"/> cannot be read by an expression although its text names
    /// it: a C# keyword (or a reserved name) that expressions cannot otherwise use, such as 'class' or 'in'.
    /// </summary>
    public static bool IsUnreadableParam(string name) => Problem(name) is not null && IsAsciiIdentifier(name) && !MeaningfulInExpressions.Contains(name);

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_' || c == '\\' || c == '@';

    /// <summary>The most names <see cref="Listing"/> shows.</summary>
    public const int MaxListed = 16;

    /// <summary>The longest name <see cref="Listing"/> shows whole.</summary>
    public const int MaxListedLength = 40;

    /// <summary>
    /// "x, i, j, rows, cols, threshold" for a message: at most <see cref="MaxListed"/> names, each clipped to
    /// <see cref="MaxListedLength"/> characters, then "and N more": a recipe of thousands of params (or of 1,000-character
    /// names) must not make each message as long as the recipe.
    /// </summary>
    public static string Listing(IReadOnlyList<string> names)
    {
        var shown = names.Take(MaxListed).Select(n => n.Length <= MaxListedLength ? n : n[..MaxListedLength] + "...");
        string list = string.Join(", ", shown);
        return names.Count <= MaxListed ? list : $"{list} and {names.Count - MaxListed} more";
    }

    /// <summary>The candidate closest to <paramref name="name"/> by edit distance, when close enough.</summary>
    public static string? Nearest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string c in candidates)
        {
            int d = Distance(name.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance)
            {
                best = c;
                bestDistance = d;
            }
        }

        return best is not null && bestDistance <= Math.Max(1, Math.Min(name.Length, best.Length) / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        int[] prev = new int[b.Length + 1];
        int[] cur = new int[b.Length + 1];
        for (int k = 0; k <= b.Length; k++)
        {
            prev[k] = k;
        }

        for (int r = 1; r <= a.Length; r++)
        {
            cur[0] = r;
            for (int c = 1; c <= b.Length; c++)
            {
                int cost = a[r - 1] == b[c - 1] ? 0 : 1;
                cur[c] = Math.Min(Math.Min(cur[c - 1] + 1, prev[c] + 1), prev[c - 1] + cost);
            }

            (prev, cur) = (cur, prev);
        }

        return prev[b.Length];
    }
}

using System.Text;
using System.Text.RegularExpressions;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Testing;

/// <summary>One digest `xrayflow test --update` wrote (or could not write).</summary>
/// <param name="Test">The test's name.</param>
/// <param name="Output">The output's name.</param>
/// <param name="Line">The 1-based line of the expectation in the recipe file.</param>
/// <param name="Old">The digest the file held.</param>
/// <param name="New">The digest the run wrote, or null when the output was not written (not updated).</param>
public sealed record DigestUpdate(string Test, string Output, int Line, string Old, string? New);

/// <summary>
/// `xrayflow test --update`: replaces, in the recipe's own text, each `sha256:&lt;hex&gt;` expectation that differs from
/// what the test's run wrote. Only those 64 hex digits change: comments, quoting, key order and line ends stay as
/// they were (the text is edited in place, never re-serialized). `npy` references are not touched: they come from a
/// reference implementation (SciPy), not from xrayflow itself.
/// </summary>
public static partial class TestDigestUpdater
{
    [GeneratedRegex("sha256:[0-9a-fA-F]{64}", RegexOptions.CultureInvariant)]
    private static partial Regex DigestText();

    /// <summary>
    /// The recipe text with the digests replaced, and the list of changes. <paramref name="cases"/> are the results of
    /// <see cref="RecipeSelfTest.Run"/> on <paramref name="recipe"/>, one per test in file order.
    /// </summary>
    public static (string Text, IReadOnlyList<DigestUpdate> Updates) Update(string text, BoundRecipe recipe, IReadOnlyList<SelfTestCase> cases)
    {
        var lineStarts = new List<int> { 0 };
        for (int k = 0; k < text.Length; k++)
        {
            if (text[k] == '\n')
            {
                lineStarts.Add(k + 1);
            }
        }

        var edits = new List<(int At, int Length, string With)>();
        var updates = new List<DigestUpdate>();
        for (int t = 0; t < recipe.Tests.Count && t < cases.Count; t++)
        {
            var test = recipe.Tests[t];
            foreach (var e in test.Expectations)
            {
                if (e.Digest is not { } old || e.Location.Line < 1 || e.Location.Line > lineStarts.Count)
                {
                    continue;
                }

                int from = Math.Min(text.Length, lineStarts[e.Location.Line - 1] + Math.Max(0, e.Location.Column - 1));
                var m = DigestText().Match(text, from);
                if (!m.Success || !string.Equals(m.Value, old, StringComparison.OrdinalIgnoreCase))
                {
                    continue; // not where the binder saw it: leave the file alone rather than guess
                }

                string? actual = cases[t].Written.TryGetValue(e.Output, out var a) ? a : null;
                if (actual is null)
                {
                    updates.Add(new DigestUpdate(test.Name, e.Output, e.Location.Line, old, null));
                }
                else if (!string.Equals(actual, m.Value, StringComparison.Ordinal))
                {
                    edits.Add((m.Index, m.Length, actual));
                    updates.Add(new DigestUpdate(test.Name, e.Output, e.Location.Line, old, actual));
                }
            }
        }

        var sb = new StringBuilder(text);
        foreach (var (at, length, with) in edits.OrderByDescending(x => x.At))
        {
            sb.Remove(at, length).Insert(at, with);
        }

        return (sb.ToString(), updates);
    }

    /// <summary>Writes <paramref name="text"/> over <paramref name="path"/> atomically (a temporary file beside it, then a rename), keeping a UTF-8 byte-order mark if the file had one.</summary>
    public static void WriteInPlace(string path, string text, bool byteOrderMark)
    {
        string full = Path.GetFullPath(path);
        string tmp = Outputs.AtomicFile.TempPathFor(full);
        try
        {
            File.WriteAllText(tmp, text, new UTF8Encoding(byteOrderMark));
            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }
    }
}

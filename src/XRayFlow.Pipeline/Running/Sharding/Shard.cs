using System.Globalization;
using System.Text.RegularExpressions;

namespace XRayFlow.Pipeline.Running.Sharding;

/// <summary>
/// One of <see cref="Count"/> deterministic shares of a batch (`--shard I/N`): the batch's items in their
/// order (sorted by ordinal relative path, never by a randomised hash) cut into <see cref="Count"/>
/// contiguous blocks whose sizes differ by at most one; share <see cref="Index"/> (0-based) is block
/// <see cref="Index"/>. Every process that lists the same files computes the same blocks.
/// </summary>
public sealed partial record Shard
{
    /// <summary>The most shards a batch may be cut into (Slurm's own MaxArraySize tops out at 4,000,001; 100,000 tasks is far beyond any batch this runs).</summary>
    public const int MaxCount = 100_000;

    public Shard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxCount);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
        Index = index;
        Count = count;
    }

    /// <summary>0-based: 0 to <see cref="Count"/> - 1.</summary>
    public int Index { get; }

    public int Count { get; }

    /// <summary>Digits in file names: at least 4, so names of one split sort in shard order.</summary>
    public static int Width(int count) => Math.Max(4, count.ToString(CultureInfo.InvariantCulture).Length);

    /// <summary>"shard-0003-of-0064".</summary>
    public string Tag => string.Create(CultureInfo.InvariantCulture, $"shard-{Index.ToString(new string('0', Width(Count)), CultureInfo.InvariantCulture)}-of-{Count.ToString(new string('0', Width(Count)), CultureInfo.InvariantCulture)}");

    /// <summary>The shard's own manifest in the shared --out: "manifest.shard-0003-of-0064.json".</summary>
    public string ManifestFileName => $"manifest.{Tag}.json";

    /// <summary>"3/64", as --shard takes it.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");

    /// <summary>The first item of block <paramref name="index"/> of <paramref name="count"/> over <paramref name="total"/> items: floor(index * total / count).</summary>
    public static long Start(int index, int count, long total) => (long)((Int128)index * total / count);

    /// <summary>This shard's block of a batch of <paramref name="total"/> items: [start, start + length).</summary>
    public (long Start, long Length) Block(long total)
    {
        long start = Start(Index, Count, total);
        return (start, Start(Index + 1, Count, total) - start);
    }

    /// <summary>Parses "I/N" (decimal, 0 &lt;= I &lt; N &lt;= <see cref="MaxCount"/>); null with why not.</summary>
    public static Shard? Parse(string text, out string? problem)
    {
        problem = null;
        var m = SpecText().Match(text);
        if (!m.Success)
        {
            problem = $"'{text}' is not I/N (the 0-based shard number, a slash, the number of shards: 3/64) or auto";
            return null;
        }

        if (!int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count is < 1 or > MaxCount)
        {
            problem = $"'{text}': the number of shards must be 1 to {MaxCount}";
            return null;
        }

        if (!int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int index) || index >= count)
        {
            problem = $"'{text}': the shard number must be 0 to {count - 1} (shards are numbered from 0)";
            return null;
        }

        return new Shard(index, count);
    }

    /// <summary>The shard a manifest file name stands for ("manifest.shard-0003-of-0064.json"), or null.</summary>
    public static Shard? FromManifestFileName(string fileName)
    {
        var m = ManifestName().Match(fileName);
        if (!m.Success
            || !int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(m.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            || count is < 1 or > MaxCount || index >= count)
        {
            return null;
        }

        var shard = new Shard(index, count);
        return shard.ManifestFileName == fileName ? shard : null; // one spelling per shard (no extra zeros)
    }

    /// <summary>True for any name shaped like a shard manifest (even of another split): outputs may not take such a name.</summary>
    public static bool LooksLikeManifest(string fileName) => ManifestName().IsMatch(fileName);

    [GeneratedRegex(@"^([0-9]{1,9})/([0-9]{1,9})$", RegexOptions.CultureInvariant)]
    private static partial Regex SpecText();

    [GeneratedRegex(@"^manifest\.shard-([0-9]{4,9})-of-([0-9]{4,9})\.json$", RegexOptions.CultureInvariant)]
    private static partial Regex ManifestName();
}

namespace XRayFlow.Pipeline.Running;

/// <summary>`--resume`: which items an earlier run into the same --out already finished, intact.</summary>
internal static class Resume
{
    /// <summary>Each earlier manifest's succeeded items by name, built once (a batch of 100,000 items looks each up once).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Manifest, Dictionary<string, ManifestItem>> ByName = new();

    private static Dictionary<string, ManifestItem> Index(Manifest m)
    {
        var d = new Dictionary<string, ManifestItem>(StringComparer.Ordinal);
        foreach (var i in m.Items)
        {
            if (i.Succeeded)
            {
                d.TryAdd(i.Name, i);
            }
        }

        return d;
    }

    /// <summary>
    /// The earlier run's manifest when it exists, reads, and was made by the same recipe (canonical hash); else null,
    /// with why when a manifest is there but cannot be used (<paramref name="unusable"/>; null when there is none).
    /// </summary>
    public static Manifest? LoadPrevious(string manifestPath, string recipeSha, out string? unusable)
    {
        unusable = null;
        if (!File.Exists(manifestPath))
        {
            return null;
        }

        try
        {
            var m = ManifestJson.Read(manifestPath);
            if (m.RecipeSha256 != recipeSha)
            {
                unusable = "was written by another recipe, or another version of this one (its steps, params, inputs or outputs differ)";
                return null;
            }

            return m;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            unusable = $"cannot be read ({ex.Message})"; // not a manifest (or not one this version reads)
            return null;
        }
    }

    /// <summary>
    /// The earlier entry of <paramref name="item"/> (status `resumed`) when it succeeded, reads the same input
    /// files with the same bytes, and every output is present with its recorded hash; else null (run it again).
    /// </summary>
    public static ManifestItem? TryKeep(Manifest previous, RunItem item, IReadOnlyList<OutputTarget> outs)
    {
        try
        {
            return Keep(previous, item, outs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a file that cannot be hashed (gone, or no longer a regular file): run the item again
        }
    }

    private static ManifestItem? Keep(Manifest previous, RunItem item, IReadOnlyList<OutputTarget> outs)
    {
        if (!ByName.GetValue(previous, Index).TryGetValue(item.Name, out var entry))
        {
            return null;
        }

        // Same input files with the same bytes.
        var files = item.Files.SelectMany(kv => kv.Value.Select(f => (kv.Key, Path.GetFullPath(f)))).ToList();
        if (files.Count != entry.Inputs.Count)
        {
            return null;
        }

        foreach (var (input, path) in files)
        {
            var rec = entry.Inputs.FirstOrDefault(i => i.Input == input && i.Path == path);
            if (rec is null || !File.Exists(path) || Manifest.Sha256OfFile(path) != rec.Sha256)
            {
                return null;
            }
        }

        // Every output present and intact.
        foreach (var target in outs)
        {
            var rec = entry.Outputs.FirstOrDefault(o => o.Output == target.Output.Name && o.Path == target.RecordedPath);
            if (rec is null || !File.Exists(target.FullPath) || Manifest.Sha256OfFile(target.FullPath, followLinks: false) != rec.Sha256)
            {
                return null;
            }
        }

        return entry with { Status = "resumed" };
    }
}

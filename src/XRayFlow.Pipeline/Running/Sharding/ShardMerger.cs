using System.Globalization;
using System.Security.Cryptography;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running.Sharding;

/// <summary>What `xrayflow merge` found and did.</summary>
/// <param name="ExitCode">0 merged, every input succeeded; 1 merged with failed inputs, or not merged (shards missing or inconsistent); 2 nothing to merge or the folder cannot be used.</param>
/// <param name="Diagnostics">Problems, one per missing or inconsistent shard.</param>
/// <param name="Manifest">The merged manifest (written as manifest.json), or null when nothing was written.</param>
/// <param name="Count">How many shards the batch was cut into (0 when unknown).</param>
/// <param name="Rerun">The shards to run again (missing or inconsistent), in order.</param>
/// <param name="FailedIn">The shards holding failed inputs (merged anyway), in order.</param>
public sealed record MergeResult(int ExitCode, IReadOnlyList<Diagnostic> Diagnostics, Manifest? Manifest, int Count, IReadOnlyList<int> Rerun, IReadOnlyList<int> FailedIn);

/// <summary>
/// `xrayflow merge OUT_DIR`: joins the manifests the shards of one batch wrote into a shared --out
/// (`manifest.shard-0003-of-0064.json`...) into one `manifest.json`, which `verify` checks like any run's.
/// It merges only a complete, consistent set: every shard 0..N-1 present and finished (as many items as its
/// block of the batch), all made by the same xrayflow version, recipe (file and canonical hashes), params,
/// --set and input bindings, over the same listed batch (count and hash of its names), no input or output
/// claimed twice. Anything else is exit 1 naming each shard, so exactly those can be run again; nothing is
/// written then. The folder is locked exclusively meanwhile: no shard can be writing into it.
/// Shard manifests are untrusted input, read as `verify` reads a manifest (<see cref="ManifestJson"/>).
/// </summary>
public static class ShardMerger
{
    public static MergeResult Merge(string outDir, int? shards)
    {
        var diagnostics = new DiagnosticBag();
        if (shards is < 1 or > Shard.MaxCount)
        {
            return Invalid(DiagnosticCodes.BadOptionValue.Create(null, "--shards", $"must be 1 to {Shard.MaxCount}"));
        }

        var kind = UntrustedFile.Stat(outDir).Kind;
        if (kind != FileKind.Directory)
        {
            return Invalid(DiagnosticCodes.BadOptionValue.Create(null, "OUT_DIR", kind == FileKind.Missing ? $"'{outDir}' does not exist" : $"'{outDir}' is {UntrustedFile.Describe(kind)}, not a folder"));
        }

        // 1. Which splits the folder holds (by file name: shard manifests are top-level files).
        var found = new List<Shard>();
        try
        {
            foreach (var f in Directory.EnumerateFiles(outDir, "manifest.shard-*-of-*.json", new EnumerationOptions { MatchType = MatchType.Simple, AttributesToSkip = 0 }))
            {
                if (Shard.FromManifestFileName(Path.GetFileName(f)) is { } s)
                {
                    found.Add(s);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Invalid(DiagnosticCodes.BadOptionValue.Create(null, "OUT_DIR", $"cannot list '{outDir}': {e.Message}"));
        }

        var counts = found.Select(s => s.Count).Distinct().Order().ToList();
        if (shards is null && counts.Count == 0)
        {
            return Invalid(DiagnosticCodes.NothingToMerge.Create(null, outDir));
        }

        if (shards is null && counts.Count > 1)
        {
            // Two splittings of a batch in one folder: which is meant is not ours to guess.
            foreach (var s in found.OrderBy(s => s.Count).ThenBy(s => s.Index))
            {
                diagnostics.Report(DiagnosticCodes.ShardInconsistent, null, s.Index, s.Count, s.ManifestFileName, $"this folder holds shards of {counts.Count} splittings ({string.Join(", ", counts.Select(c => c.ToString(CultureInfo.InvariantCulture) + " shards"))}): give --shards N to merge one, and remove the other's manifests");
            }

            return new MergeResult(ExitCodes.SomeFailed, diagnostics.ToSortedList(), null, 0, [], []);
        }

        int n = shards ?? counts[0];

        // 2. The folder, held exclusively: no shard (or run) writes into it while it is merged; a killed shard's temporaries go.
        using var folder = OutputFolder.Open(outDir, diagnostics);
        if (folder is null)
        {
            return new MergeResult(ExitCodes.Invalid, diagnostics.ToSortedList(), null, n, [], []);
        }

        // 3. Every shard's manifest, read as untrusted input.
        var manifests = new Manifest?[n];
        var rerun = new SortedSet<int>();
        for (int i = 0; i < n; i++)
        {
            var shard = new Shard(i, n);
            string path = Path.Combine(outDir, shard.ManifestFileName);
            var facts = UntrustedFile.Stat(path, followLinks: false);
            string? problem = null;
            if (facts.Kind == FileKind.Missing)
            {
                diagnostics.Report(DiagnosticCodes.ShardMissing, null, i, n, shard.ManifestFileName);
                rerun.Add(i);
                continue;
            }

            if (facts.Kind != FileKind.Regular)
            {
                problem = $"is {UntrustedFile.Describe(facts.Kind)}, not a manifest";
            }
            else
            {
                try
                {
                    var m = ManifestJson.Read(path);
                    if (m.Shard is not { } recorded)
                    {
                        problem = "records no shard (the manifest of a whole run, renamed?)";
                    }
                    else if (recorded.Index != i || recorded.Count != n)
                    {
                        problem = $"records shard {recorded.Index} of {recorded.Count}, not this one";
                    }
                    else
                    {
                        manifests[i] = m;
                    }
                }
                catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
                {
                    problem = $"cannot be read: {e.Message}";
                }
            }

            if (problem is not null)
            {
                diagnostics.Report(DiagnosticCodes.ShardInconsistent, null, i, n, shard.ManifestFileName, problem);
                rerun.Add(i);
            }
        }

        // 4. One run: the same version, recipe, params, --set, inputs and listed batch as most shards.
        var read = Enumerable.Range(0, n).Where(i => manifests[i] is not null).ToList();
        Manifest? reference = read
            .GroupBy(i => Key(manifests[i]!), StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.First())
            .Select(g => manifests[g.First()])
            .FirstOrDefault();
        foreach (int i in read)
        {
            var m = manifests[i]!;
            string file = new Shard(i, n).ManifestFileName;
            string? problem = Difference(m, reference!);
            if (problem is null)
            {
                long expected = new Shard(i, n).Block(reference!.Shard!.Total).Length;
                if (m.Items.Count < expected)
                {
                    problem = $"records {m.Items.Count} of its {expected} input(s): it stopped before the end (run it again; with --resume it does only the unfinished ones)";
                }
                else if (m.Items.Count > expected)
                {
                    problem = $"records {m.Items.Count} input(s), more than the {expected} of its block: it is not a manifest this split of the batch wrote (run the shard again)";
                }
            }

            if (problem is not null)
            {
                diagnostics.Report(DiagnosticCodes.ShardInconsistent, null, i, n, file, problem);
                rerun.Add(i);
            }
        }

        if (rerun.Count > 0 || reference is null)
        {
            return new MergeResult(ExitCodes.SomeFailed, diagnostics.ToSortedList(), null, n, rerun.ToList(), []);
        }

        // 5. Together the shards are the listed batch, each input once, each output claimed once.
        var items = new List<ManifestItem>((int)Math.Min(reference.Shard!.Total, int.MaxValue));
        var owner = new Dictionary<string, (string Item, int Shard)>(StringComparer.Ordinal);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var failedIn = new SortedSet<int>();
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            for (int i = 0; i < n; i++)
            {
                var m = manifests[i]!;
                ShardRun.AppendNames(hash, m.Items.Select(it => it.Name));
                foreach (var item in m.Items)
                {
                    if (!names.Add(item.Name))
                    {
                        diagnostics.Report(DiagnosticCodes.ShardInconsistent, null, i, n, new Shard(i, n).ManifestFileName, $"records input '{item.Name}', which an earlier shard records too");
                        rerun.Add(i);
                    }

                    if (!item.Succeeded)
                    {
                        failedIn.Add(i);
                    }

                    foreach (var o in item.Outputs)
                    {
                        if (owner.TryGetValue(o.Path, out var first))
                        {
                            diagnostics.Report(DiagnosticCodes.OutputClaimedTwice, null, o.Path, first.Item, first.Shard, item.Name, i);
                            rerun.Add(first.Shard);
                            rerun.Add(i);
                        }
                        else
                        {
                            owner[o.Path] = (item.Name, i);
                        }
                    }

                    items.Add(item);
                }
            }

            if (rerun.Count == 0 && Convert.ToHexStringLower(hash.GetHashAndReset()) != reference.Shard.ListSha256)
            {
                for (int i = 0; i < n; i++)
                {
                    diagnostics.Report(DiagnosticCodes.ShardInconsistent, null, i, n, new Shard(i, n).ManifestFileName, "the shards' inputs together are not the batch they listed (a manifest edited, or renamed from another run?)");
                    rerun.Add(i);
                }
            }
        }

        if (rerun.Count > 0)
        {
            return new MergeResult(ExitCodes.SomeFailed, diagnostics.ToSortedList(), null, n, rerun.ToList(), []);
        }

        // 6. One manifest.json, as one run over the whole batch would have written it.
        // The manifest one run of the whole batch writes: its batch (of more than one input) recorded as such.
        var merged = reference with { Shard = null, Batch = reference.Shard.Total > 1 ? new ManifestBatch(reference.Shard.Total, reference.Shard.ListSha256) : null, Items = items };
        try
        {
            AtomicFile.WriteAllBytes(Path.Combine(outDir, Manifest.FileName), ManifestJson.Write(merged));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(DiagnosticCodes.ManifestWriteFailed, null, Path.Combine(outDir, Manifest.FileName), e.Message);
            return new MergeResult(ExitCodes.SomeFailed, diagnostics.ToSortedList(), null, n, [], failedIn.ToList());
        }

        // 7. The batch's combined tables, which no shard could write alone.
        bool combined = CombinedCsv.WriteMerged(outDir, reference.Shard.Combined, items, diagnostics);
        OutputFolderLock.RemoveShardFiles(outDir);
        int exit = combined && items.All(i => i.Succeeded) ? ExitCodes.Success : ExitCodes.SomeFailed;
        return new MergeResult(exit, diagnostics.ToSortedList(), merged, n, [], failedIn.ToList());
    }

    /// <summary>"3,17-19,42": shard numbers as Slurm's --array takes them (runs of three or more as a range).</summary>
    public static string ArrayList(IReadOnlyList<int> shards)
    {
        var parts = new List<string>();
        for (int k = 0; k < shards.Count;)
        {
            int j = k;
            while (j + 1 < shards.Count && shards[j + 1] == shards[j] + 1)
            {
                j++;
            }

            parts.Add(j - k >= 2 ? string.Create(CultureInfo.InvariantCulture, $"{shards[k]}-{shards[j]}")
                : string.Join(",", shards.Skip(k).Take(j - k + 1).Select(s => s.ToString(CultureInfo.InvariantCulture))));
            k = j + 1;
        }

        return string.Join(",", parts);
    }

    /// <summary>What must be the same in every shard of one run.</summary>
    private static string Key(Manifest m) => string.Join(
        "\n",
        m.Version,
        m.RecipeSha256,
        m.RecipeFileSha256,
        Pairs(m.Params),
        Pairs(m.Set),
        Pairs(m.InputBindings),
        m.Shard!.Total.ToString(CultureInfo.InvariantCulture),
        m.Shard.ListSha256);

    /// <summary>The first way <paramref name="m"/> is not of the same run as <paramref name="reference"/>, or null.</summary>
    private static string? Difference(Manifest m, Manifest reference)
    {
        if (m.Version != reference.Version)
        {
            return $"ran xrayflow {m.Version}; the other shards ran {reference.Version}";
        }

        if (m.RecipeName != reference.RecipeName || m.RecipeAbsolutePath != reference.RecipeAbsolutePath)
        {
            return $"ran recipe '{m.RecipeName}' ({m.RecipePath}); the other shards ran '{reference.RecipeName}' ({reference.RecipePath}): shards of different runs in one folder";
        }

        if (m.RecipeFileSha256 != reference.RecipeFileSha256)
        {
            return $"ran a recipe file with sha256 {Short(m.RecipeFileSha256)}; the other shards' has {Short(reference.RecipeFileSha256)} (the recipe was edited while the shards ran?)";
        }

        if (Pairs(m.Params) != Pairs(reference.Params))
        {
            return $"ran with params {Pairs(m.Params)}; the other shards with {Pairs(reference.Params)}";
        }

        if (Pairs(m.Set) != Pairs(reference.Set))
        {
            return $"ran with --set {Pairs(m.Set)}; the other shards with {Pairs(reference.Set)}";
        }

        if (m.RecipeSha256 != reference.RecipeSha256)
        {
            return $"ran a recipe whose canonical form has sha256 {Short(m.RecipeSha256)}; the other shards' {Short(reference.RecipeSha256)}";
        }

        if (Pairs(m.InputBindings) != Pairs(reference.InputBindings))
        {
            return $"read inputs {Pairs(m.InputBindings)}; the other shards {Pairs(reference.InputBindings)}";
        }

        if (m.Shard!.Total != reference.Shard!.Total || m.Shard.ListSha256 != reference.Shard.ListSha256)
        {
            return $"listed another batch ({m.Shard.Total} input(s), names sha256 {Short(m.Shard.ListSha256)}; the other shards {reference.Shard.Total}, {Short(reference.Shard.ListSha256)}): files were added, removed or renamed while the shards ran, and each shard's share moved";
        }

        return null;
    }

    private static string Pairs(IReadOnlyList<KeyValuePair<string, string>> pairs) => "{" + string.Join(", ", pairs.Select(p => $"{p.Key}: {p.Value}")) + "}";

    private static string Short(string sha) => sha.Length > 12 ? sha[..12] : (sha.Length == 0 ? "(none)" : sha);

    private static MergeResult Invalid(Diagnostic d) => new(ExitCodes.Invalid, [d], null, 0, [], []);
}

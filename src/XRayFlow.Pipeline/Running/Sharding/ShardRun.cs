using System.Security.Cryptography;
using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Running.Sharding;

/// <summary>What a run of one shard checks and records besides an ordinary run.</summary>
internal static class ShardRun
{
    /// <summary>
    /// Places every output of the whole batch (not only this shard's), so that a collision between two items
    /// (XRF2008), in whichever shards they fall, is refused by every shard alike before any work; and refuses
    /// an output named like a shard manifest at the top of --out (it would be taken for one by `merge`).
    /// </summary>
    public static void CheckOutputs(BoundRecipe recipe, IReadOnlyList<RunItem> all, string outDir, DiagnosticBag diagnostics)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        string root = Path.GetFullPath(outDir);
        int top = root.EndsWith(Path.DirectorySeparatorChar) ? root.Length - 1 : root.Length; // where a file directly in --out has its last separator
        OutputTargets.Place(recipe, all, outDir, diagnostics, onDisk: false, (item, output, full) =>
        {
            if (output is not null && full!.LastIndexOf(Path.DirectorySeparatorChar) == top && full[(top + 1)..] is var name
                && Shard.LooksLikeManifest(name) && reported.Add(output.Name))
            {
                diagnostics.Report(DiagnosticCodes.OutputCollision, output.Location, name, $"'{item.Name}' (output {output.Name})", "the shards' manifests", " (merge would take it for one: give the output another name)");
            }
        });
    }

    /// <summary>SHA-256 of the batch's item names in order, each followed by '\n' (what `merge` checks the shards' items against).</summary>
    public static string ListSha256(IReadOnlyList<RunItem> all)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        AppendNames(hash, all.Select(i => i.Name));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Adds each name and a '\n' to <paramref name="hash"/> (UTF-8).</summary>
    public static void AppendNames(IncrementalHash hash, IEnumerable<string> names)
    {
        byte[] buffer = new byte[1024];
        foreach (var name in names)
        {
            int need = Encoding.UTF8.GetMaxByteCount(name.Length) + 1;
            if (need > buffer.Length)
            {
                buffer = new byte[need];
            }

            int n = Encoding.UTF8.GetBytes(name, buffer);
            buffer[n] = (byte)'\n';
            hash.AppendData(buffer, 0, n + 1);
        }
    }
}

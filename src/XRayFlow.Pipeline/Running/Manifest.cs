using System.Security.Cryptography;
using System.Text;
using XRayFlow.Core.IO;

namespace XRayFlow.Pipeline.Running;

/// <summary>`manifest.json`: what a run read, computed and wrote, with hashes to check it later.</summary>
public sealed record Manifest
{
    public const string FileName = "manifest.json";

    public required string Version { get; init; }

    public required string RecipeName { get; init; }

    /// <summary>The recipe path relative to the manifest's folder (or absolute when on another root).</summary>
    public required string RecipePath { get; init; }

    public required string RecipeAbsolutePath { get; init; }

    /// <summary>SHA-256 of the recipe file's bytes.</summary>
    public required string RecipeFileSha256 { get; init; }

    /// <summary>SHA-256 of the recipe's canonical text (its meaning, after --set).</summary>
    public required string RecipeSha256 { get; init; }

    /// <summary>Recipe params after overrides, as JSON texts.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Params { get; init; }

    /// <summary>The --set overrides of the run, as given.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Set { get; init; }

    /// <summary>Input name -> the absolute path or glob it was bound to.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> InputBindings { get; init; }

    public required int Threads { get; init; }

    public required IReadOnlyList<ManifestItem> Items { get; init; }

    /// <summary>For the manifest of one shard of a batch (`--shard I/N`): which shard, of what; null otherwise.</summary>
    public ManifestShard? Shard { get; init; }

    /// <summary>For a run of a batch of more than one input, not a shard: the batch it was given; null otherwise (and in manifests of earlier versions).</summary>
    public ManifestBatch? Batch { get; init; }

    public static string CurrentVersion => typeof(Manifest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>The largest file hashed (16 GiB: a float64 .npy of 2^31 elements); a device or a growing file stops there.</summary>
    public const long MaxFileBytes = 16L << 30;

    /// <summary>SHA-256 of a regular file's bytes (at most <paramref name="maxBytes"/>); <paramref name="followLinks"/> false refuses a link.</summary>
    /// <exception cref="IOException">Missing, not a regular file (a FIFO, a device...), or longer than the bound.</exception>
    public static string Sha256OfFile(string path, long maxBytes = MaxFileBytes, bool followLinks = true)
    {
        using var fs = UntrustedFile.OpenRead(path, maxBytes, followLinks);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    public static string Sha256OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

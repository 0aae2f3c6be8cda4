using System.Security.Cryptography;
using System.Text;

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

    public static string CurrentVersion => typeof(Manifest).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static string Sha256OfFile(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    public static string Sha256OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

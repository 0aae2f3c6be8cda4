using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using XRayFlow.Pipeline.Outputs;

namespace XRayFlow.Pipeline.Running;

public sealed record ManifestFile(string Input, string Path, string Sha256);

public sealed record ManifestOutput(string Output, string Path, string Sha256);

public sealed record ManifestStep(string Id, string Op, double Ms, IReadOnlyList<string>? FusedWith = null, string? SameAs = null);

/// <summary>One item of a run (one file of a batch, or the single run).</summary>
public sealed record ManifestItem
{
    public required string Name { get; init; }

    public required string Stem { get; init; }

    /// <summary>ok, failed, or resumed (outputs of an earlier run found complete and kept).</summary>
    public required string Status { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<ManifestFile> Inputs { get; init; } = [];

    public IReadOnlyList<ManifestOutput> Outputs { get; init; } = [];

    public IReadOnlyList<ManifestStep> Steps { get; init; } = [];

    /// <summary>The number each scalar step computed for this item (`threshold_otsu`, `percentile`...), by step id in recipe order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Scalars { get; init; } = [];

    public bool Succeeded => Status is "ok" or "resumed";
}

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

    public string ToJson()
    {
        var sb = new StringBuilder();
        sb.Append("{\n");
        sb.Append("  \"xrayflow_version\": ").Append(JsonText.Quote(Version)).Append(",\n");
        sb.Append("  \"recipe\": {\n");
        sb.Append("    \"name\": ").Append(JsonText.Quote(RecipeName)).Append(",\n");
        sb.Append("    \"path\": ").Append(JsonText.Quote(RecipePath)).Append(",\n");
        sb.Append("    \"absolute_path\": ").Append(JsonText.Quote(RecipeAbsolutePath)).Append(",\n");
        sb.Append("    \"file_sha256\": ").Append(JsonText.Quote(RecipeFileSha256)).Append(",\n");
        sb.Append("    \"canonical_sha256\": ").Append(JsonText.Quote(RecipeSha256)).Append("\n  },\n");
        sb.Append("  \"params\": ");
        Map(sb, Params, raw: true);
        sb.Append(",\n  \"set\": ");
        Map(sb, Set, raw: false);
        sb.Append(",\n  \"inputs\": ");
        Map(sb, InputBindings, raw: false);
        sb.Append(",\n  \"threads\": ").Append(Threads.ToString(CultureInfo.InvariantCulture)).Append(",\n");
        sb.Append("  \"items\": [");
        for (int i = 0; i < Items.Count; i++)
        {
            var it = Items[i];
            sb.Append(i == 0 ? "\n" : ",\n");
            sb.Append("    {\n      \"name\": ").Append(JsonText.Quote(it.Name)).Append(",\n");
            sb.Append("      \"stem\": ").Append(JsonText.Quote(it.Stem)).Append(",\n");
            sb.Append("      \"status\": ").Append(JsonText.Quote(it.Status)).Append(",\n");
            sb.Append("      \"error\": ").Append(it.Error is null ? "null" : JsonText.Quote(it.Error)).Append(",\n");
            sb.Append("      \"inputs\": [");
            sb.Append(string.Join(", ", it.Inputs.Select(f => $"{{\"input\": {JsonText.Quote(f.Input)}, \"path\": {JsonText.Quote(f.Path)}, \"sha256\": {JsonText.Quote(f.Sha256)}}}")));
            sb.Append("],\n      \"outputs\": [");
            sb.Append(string.Join(", ", it.Outputs.Select(f => $"{{\"output\": {JsonText.Quote(f.Output)}, \"path\": {JsonText.Quote(f.Path)}, \"sha256\": {JsonText.Quote(f.Sha256)}}}")));
            sb.Append("],\n      \"steps\": [");
            sb.Append(string.Join(", ", it.Steps.Select(s =>
            {
                string extra = (s.FusedWith is { Count: > 0 } fw ? $", \"fused_with\": [{string.Join(", ", fw.Select(JsonText.Quote))}]" : string.Empty)
                    + (s.SameAs is { } same ? $", \"same_as\": {JsonText.Quote(same)}" : string.Empty);
                return $"{{\"id\": {JsonText.Quote(s.Id)}, \"op\": {JsonText.Quote(s.Op)}, \"ms\": {JsonText.Number(Math.Round(s.Ms, 3))}{extra}}}";
            })));
            sb.Append(']');
            if (it.Scalars.Count > 0)
            {
                sb.Append(",\n      \"scalars\": {").Append(string.Join(", ", it.Scalars.Select(kv => $"{JsonText.Quote(kv.Key)}: {JsonText.Number(kv.Value)}"))).Append('}');
            }

            sb.Append("\n    }");
        }

        sb.Append(Items.Count > 0 ? "\n  ]\n" : "]\n");
        sb.Append("}\n");
        return sb.ToString();
    }

    private static void Map(StringBuilder sb, IReadOnlyList<KeyValuePair<string, string>> map, bool raw)
    {
        sb.Append('{');
        for (int i = 0; i < map.Count; i++)
        {
            sb.Append(i == 0 ? string.Empty : ", ").Append(JsonText.Quote(map[i].Key)).Append(": ").Append(raw ? map[i].Value : JsonText.Quote(map[i].Value));
        }

        sb.Append('}');
    }

    /// <summary>Reads a manifest; throws <see cref="FormatException"/> (with the reason) when it is not one.</summary>
    public static Manifest Read(string path)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON ({ex.Message})", ex);
        }

        using (doc)
        {
            try
            {
                var root = doc.RootElement;
                var recipe = root.GetProperty("recipe");
                static List<KeyValuePair<string, string>> Pairs(JsonElement e, bool raw)
                    => e.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, raw ? p.Value.GetRawText() : p.Value.GetString() ?? string.Empty)).ToList();

                return new Manifest
                {
                    Version = root.GetProperty("xrayflow_version").GetString() ?? string.Empty,
                    RecipeName = recipe.GetProperty("name").GetString() ?? string.Empty,
                    RecipePath = recipe.GetProperty("path").GetString() ?? string.Empty,
                    RecipeAbsolutePath = recipe.GetProperty("absolute_path").GetString() ?? string.Empty,
                    RecipeFileSha256 = recipe.GetProperty("file_sha256").GetString() ?? string.Empty,
                    RecipeSha256 = recipe.GetProperty("canonical_sha256").GetString() ?? string.Empty,
                    Params = Pairs(root.GetProperty("params"), raw: true),
                    Set = Pairs(root.GetProperty("set"), raw: false),
                    InputBindings = Pairs(root.GetProperty("inputs"), raw: false),
                    Threads = root.GetProperty("threads").GetInt32(),
                    Items = root.GetProperty("items").EnumerateArray().Select(it => new ManifestItem
                    {
                        Name = it.GetProperty("name").GetString()!,
                        Stem = it.GetProperty("stem").GetString()!,
                        Status = it.GetProperty("status").GetString()!,
                        Error = it.GetProperty("error").ValueKind == JsonValueKind.String ? it.GetProperty("error").GetString() : null,
                        Inputs = it.GetProperty("inputs").EnumerateArray().Select(f => new ManifestFile(f.GetProperty("input").GetString()!, f.GetProperty("path").GetString()!, f.GetProperty("sha256").GetString()!)).ToList(),
                        Outputs = it.GetProperty("outputs").EnumerateArray().Select(f => new ManifestOutput(f.GetProperty("output").GetString()!, f.GetProperty("path").GetString()!, f.GetProperty("sha256").GetString()!)).ToList(),
                        Steps = it.GetProperty("steps").EnumerateArray().Select(s => new ManifestStep(s.GetProperty("id").GetString()!, s.GetProperty("op").GetString()!, s.GetProperty("ms").ValueKind == JsonValueKind.Number ? s.GetProperty("ms").GetDouble() : 0)).ToList(),
                        Scalars = it.TryGetProperty("scalars", out var sc) && sc.ValueKind == JsonValueKind.Object
                            ? sc.EnumerateObject().Select(p => new KeyValuePair<string, double>(p.Name, p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : double.NaN)).ToList()
                            : [],
                    }).ToList(),
                };
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new FormatException($"not an xrayflow manifest ({ex.Message})", ex);
            }
        }
    }
}

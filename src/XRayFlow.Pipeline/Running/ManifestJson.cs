using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using XRayFlow.Core.IO;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// `manifest.json` as text: written with System.Text.Json's writer (two-space indents, '\n' line ends,
/// non-ASCII kept as is, control characters escaped), and read back as untrusted input: at most
/// <see cref="MaxBytes"/> bytes from a regular file, every field checked for presence and type, no NUL in any
/// string, hashes as 64 hexadecimal digits, output paths relative and inside the manifest's folder.
/// Anything else is a <see cref="FormatException"/> that names the field (never the file's bytes).
/// </summary>
public static class ManifestJson
{
    /// <summary>The largest manifest read (128 MiB: about 80,000 batch items).</summary>
    public const long MaxBytes = 128L << 20;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The manifest as UTF-8 JSON text, ending with a newline.</summary>
    public static byte[] Write(Manifest m)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("xrayflow_version", Clean(m.Version));
            w.WriteStartObject("recipe");
            w.WriteString("name", Clean(m.RecipeName));
            w.WriteString("path", Clean(m.RecipePath));
            w.WriteString("absolute_path", Clean(m.RecipeAbsolutePath));
            w.WriteString("file_sha256", Clean(m.RecipeFileSha256));
            w.WriteString("canonical_sha256", Clean(m.RecipeSha256));
            w.WriteEndObject();
            w.WriteStartObject("params");
            foreach (var (k, v) in m.Params)
            {
                w.WritePropertyName(Clean(k));
                w.WriteRawValue(v);
            }

            w.WriteEndObject();
            WriteMap(w, "set", m.Set);
            WriteMap(w, "inputs", m.InputBindings);
            w.WriteNumber("threads", m.Threads);
            if (m.Shard is { } shard)
            {
                w.WriteStartObject("shard");
                w.WriteNumber("index", shard.Index);
                w.WriteNumber("count", shard.Count);
                w.WriteNumber("inputs_total", shard.Total);
                w.WriteString("inputs_sha256", Clean(shard.ListSha256));
                if (shard.Combined.Count > 0)
                {
                    WriteMap(w, "combined_tables", shard.Combined);
                }

                w.WriteEndObject();
            }

            if (m.Batch is { } batch)
            {
                w.WriteStartObject("batch");
                w.WriteNumber("inputs_total", batch.Total);
                w.WriteString("inputs_sha256", Clean(batch.ListSha256));
                w.WriteEndObject();
            }

            w.WriteStartArray("items");
            foreach (var it in m.Items)
            {
                WriteItem(w, it);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    private static void WriteItem(Utf8JsonWriter w, ManifestItem it)
    {
        w.WriteStartObject();
        w.WriteString("name", Clean(it.Name));
        w.WriteString("stem", Clean(it.Stem));
        w.WriteString("status", Clean(it.Status));
        if (it.Error is null)
        {
            w.WriteNull("error");
        }
        else
        {
            w.WriteString("error", Clean(it.Error));
        }

        w.WriteStartArray("inputs");
        foreach (var f in it.Inputs)
        {
            w.WriteStartObject();
            w.WriteString("input", Clean(f.Input));
            w.WriteString("path", Clean(f.Path));
            w.WriteString("sha256", Clean(f.Sha256));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("outputs");
        foreach (var f in it.Outputs)
        {
            w.WriteStartObject();
            w.WriteString("output", Clean(f.Output));
            w.WriteString("path", Clean(f.Path));
            w.WriteString("sha256", Clean(f.Sha256));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("steps");
        foreach (var s in it.Steps)
        {
            w.WriteStartObject();
            w.WriteString("id", Clean(s.Id));
            w.WriteString("op", Clean(s.Op));
            double ms = Math.Round(s.Ms, 3);
            if (double.IsFinite(ms))
            {
                RoundTrip.WriteNumber(w, "ms", ms);
            }
            else
            {
                w.WriteNull("ms");
            }

            if (s.Chain > 0)
            {
                w.WriteNumber("chain", s.Chain);
            }

            if (s.SameAs is { } same)
            {
                w.WriteString("same_as", Clean(same));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (it.Scalars.Count > 0)
        {
            w.WriteStartObject("scalars");
            foreach (var (id, number) in it.Scalars)
            {
                if (double.IsFinite(number))
                {
                    RoundTrip.WriteNumber(w, Clean(id), number);
                }
                else
                {
                    w.WriteNull(Clean(id)); // NaN has no JSON number: null, as the stats op writes it
                }
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter w, string name, IReadOnlyList<KeyValuePair<string, string>> map)
    {
        w.WriteStartObject(name);
        foreach (var (k, v) in map)
        {
            w.WriteString(Clean(k), Clean(v));
        }

        w.WriteEndObject();
    }

    /// <summary>The text with any lone UTF-16 surrogate replaced by U+FFFD (JSON text is Unicode; the writer refuses lone halves).</summary>
    private static string Clean(string s)
    {
        foreach (char c in s)
        {
            if (char.IsSurrogate(c))
            {
                return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s));
            }
        }

        return s;
    }

    /// <summary>Reads and checks a manifest file (regular file, at most <see cref="MaxBytes"/>).</summary>
    /// <exception cref="FormatException">Not a manifest: the message says which field and why.</exception>
    /// <exception cref="IOException">Missing, unreadable, not a regular file, or too large.</exception>
    public static Manifest Read(string path) => Parse(UntrustedFile.ReadAllBytes(path, MaxBytes));

    /// <summary>Parses and checks manifest bytes (see <see cref="Read"/>).</summary>
    /// <exception cref="FormatException">Not a manifest: the message says which field and why.</exception>
    public static Manifest Parse(ReadOnlyMemory<byte> bytes)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            // The reader's message quotes the offending character; say where instead.
            throw new FormatException($"not valid JSON (line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1})", ex);
        }

        using (doc)
        {
            try
            {
                return new Reader().Manifest(doc.RootElement);
            }
            catch (InvalidOperationException ex)
            {
                // System.Text.Json refuses to decode a \u escape of a lone UTF-16 surrogate (\udddd) in a key or a string.
                throw new FormatException("not an xrayflow manifest: a key or a string holds an invalid \\u escape (a lone UTF-16 surrogate)", ex);
            }
        }
    }

    /// <summary>Typed access to the manifest's fields; each failure names the field's JSON path.</summary>
    private sealed class Reader
    {
        public Manifest Manifest(JsonElement root)
        {
            var o = Object(root, "the manifest");
            var recipe = Object(Field(o, "recipe", "$"), "recipe");
            return new Manifest
            {
                Version = String(o, "xrayflow_version", "$"),
                RecipeName = String(recipe, "name", "recipe"),
                RecipePath = String(recipe, "path", "recipe"),
                RecipeAbsolutePath = String(recipe, "absolute_path", "recipe"),
                RecipeFileSha256 = Sha(recipe, "file_sha256", "recipe", allowEmpty: true),
                RecipeSha256 = Sha(recipe, "canonical_sha256", "recipe", allowEmpty: false),
                Params = Pairs(Field(o, "params", "$"), "params", raw: true),
                Set = Pairs(Field(o, "set", "$"), "set", raw: false),
                InputBindings = Pairs(Field(o, "inputs", "$"), "inputs", raw: false),
                Threads = Int(Field(o, "threads", "$"), "threads", min: 1),
                Items = Items(Field(o, "items", "$")),
                Shard = o.TryGetValue("shard", out var shard) ? Shard(shard) : null,
                Batch = o.TryGetValue("batch", out var batch) ? Batch(batch) : null,
            };
        }

        private static ManifestBatch Batch(JsonElement e)
        {
            var o = Object(e, "batch");
            return new ManifestBatch(Total(o, "batch"), Sha(o, "inputs_sha256", "batch", allowEmpty: false));
        }

        /// <summary>`inputs_total` of a shard or batch: a whole number >= 0.</summary>
        private static long Total(Dictionary<string, JsonElement> o, string where)
        {
            var total = Field(o, "inputs_total", where);
            if (total.ValueKind != JsonValueKind.Number || !total.TryGetInt64(out long n) || n < 0)
            {
                throw Bad(where + ".inputs_total", "must be a whole number >= 0");
            }

            return n;
        }

        private static ManifestShard Shard(JsonElement e)
        {
            var o = Object(e, "shard");
            int count = Int(Field(o, "count", "shard"), "shard.count", min: 1);
            int index = Int(Field(o, "index", "shard"), "shard.index", min: 0);
            if (index >= count)
            {
                throw Bad("shard.index", "must be below shard.count");
            }

            return new ManifestShard(index, count, Total(o, "shard"), Sha(o, "inputs_sha256", "shard", allowEmpty: false))
            {
                Combined = o.TryGetValue("combined_tables", out var combined) ? Pairs(combined, "shard.combined_tables", raw: false) : [],
            };
        }

        private List<ManifestItem> Items(JsonElement e)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<ManifestItem>();
            int n = 0;
            foreach (var it in Array(e, "items"))
            {
                string at = $"items[{n++}]";
                var o = Object(it, at);
                string name = String(o, "name", at);
                if (!names.Add(name))
                {
                    throw Bad(at + ".name", "names an item twice");
                }

                string status = String(o, "status", at);
                if (status is not ("ok" or "failed" or "resumed"))
                {
                    throw Bad(at + ".status", "must be ok, failed or resumed");
                }

                var error = Field(o, "error", at);
                list.Add(new ManifestItem
                {
                    Name = name,
                    Stem = String(o, "stem", at),
                    Status = status,
                    Error = error.ValueKind == JsonValueKind.Null ? null : StringValue(error, at + ".error"),
                    Inputs = List(Field(o, "inputs", at), at + ".inputs", (f, p) => new ManifestFile(String(f, "input", p), AbsolutePath(f, "path", p), Sha(f, "sha256", p, allowEmpty: false))),
                    Outputs = List(Field(o, "outputs", at), at + ".outputs", (f, p) => new ManifestOutput(String(f, "output", p), RelativePath(f, "path", p), Sha(f, "sha256", p, allowEmpty: false))),
                    Steps = List(Field(o, "steps", at), at + ".steps", Step),
                    Scalars = o.TryGetValue("scalars", out var sc) ? Scalars(sc, at + ".scalars") : [],
                });
            }

            return list;
        }

        private List<KeyValuePair<string, double>> Scalars(JsonElement e, string at)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Bad(at, "must be an object of step id: number");
            }

            var list = new List<KeyValuePair<string, double>>();
            foreach (var p in e.EnumerateObject())
            {
                double v = p.Value.ValueKind switch
                {
                    JsonValueKind.Null => double.NaN,
                    JsonValueKind.Number when p.Value.TryGetDouble(out double d) => d,
                    _ => throw Bad(at + "." + p.Name, "must be a number or null"),
                };
                list.Add(new(p.Name, v));
            }

            return list;
        }

        private ManifestStep Step(Dictionary<string, JsonElement> s, string at)
        {
            var ms = Field(s, "ms", at);
            double value = ms.ValueKind switch
            {
                JsonValueKind.Null => 0,
                JsonValueKind.Number when ms.TryGetDouble(out double d) && double.IsFinite(d) => d,
                _ => throw Bad(at + ".ms", "must be a number"),
            };
            int chain = s.TryGetValue("chain", out var ch) ? Int(ch, at + ".chain", min: 1) : 0;

            string? same = s.ContainsKey("same_as") ? String(s, "same_as", at) : null;
            return new ManifestStep(String(s, "id", at), String(s, "op", at), value, chain, same);
        }

        private List<T> List<T>(JsonElement e, string at, Func<Dictionary<string, JsonElement>, string, T> read)
        {
            var list = new List<T>();
            int n = 0;
            foreach (var x in Array(e, at))
            {
                string p = $"{at}[{n++}]";
                list.Add(read(Object(x, p), p));
            }

            return list;
        }

        private static List<KeyValuePair<string, string>> Pairs(JsonElement e, string at, bool raw)
        {
            var o = Object(e, at);
            return o.Select(kv => new KeyValuePair<string, string>(kv.Key, raw ? kv.Value.GetRawText() : StringValue(kv.Value, $"{at}.{kv.Key}"))).ToList();
        }

        /// <summary>The object's members by name; refuses a duplicate name or a NUL in one.</summary>
        private static Dictionary<string, JsonElement> Object(JsonElement e, string at)
        {
            if (e.ValueKind != JsonValueKind.Object)
            {
                throw Bad(at, $"must be an object, found {Kind(e)}");
            }

            var d = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var p in e.EnumerateObject())
            {
                if (p.Name.Contains('\0'))
                {
                    throw Bad(at, "has a key holding a NUL character");
                }

                if (!d.TryAdd(p.Name, p.Value))
                {
                    throw Bad($"{at}.{p.Name}", "is written twice");
                }
            }

            return d;
        }

        private static JsonElement.ArrayEnumerator Array(JsonElement e, string at)
            => e.ValueKind == JsonValueKind.Array ? e.EnumerateArray() : throw Bad(at, $"must be a list, found {Kind(e)}");

        private static JsonElement Field(Dictionary<string, JsonElement> o, string name, string at)
            => o.TryGetValue(name, out var v) ? v : throw Bad(at == "$" ? name : $"{at}.{name}", "is missing");

        private static string String(Dictionary<string, JsonElement> o, string name, string at)
            => StringValue(Field(o, name, at), at == "$" ? name : $"{at}.{name}");

        private static string StringValue(JsonElement e, string at)
        {
            if (e.ValueKind != JsonValueKind.String)
            {
                throw Bad(at, $"must be a string, found {Kind(e)}");
            }

            string s = e.GetString()!;
            return s.Contains('\0') ? throw Bad(at, "holds a NUL character") : s;
        }

        private static int Int(JsonElement e, string at, int min)
            => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v >= min ? v : throw Bad(at, $"must be a whole number >= {min}");

        private static string Sha(Dictionary<string, JsonElement> o, string name, string at, bool allowEmpty)
        {
            string s = String(o, name, at);
            if (s.Length == 0 && allowEmpty)
            {
                return s;
            }

            return s.Length == 64 && s.All(char.IsAsciiHexDigitLower) ? s : throw Bad($"{at}.{name}", "must be a SHA-256 as 64 lowercase hexadecimal digits");
        }

        private static string AbsolutePath(Dictionary<string, JsonElement> o, string name, string at)
        {
            string s = String(o, name, at);
            return Path.IsPathFullyQualified(s) ? s : throw Bad($"{at}.{name}", "must be an absolute path");
        }

        /// <summary>A path relative to the manifest's folder that stays inside it (no root, no '..' segment, not empty).</summary>
        private static string RelativePath(Dictionary<string, JsonElement> o, string name, string at)
        {
            string s = String(o, name, at);
            bool inside = s.Length > 0 && !Path.IsPathRooted(s)
                && s.Split('/', Path.DirectorySeparatorChar).All(seg => seg.Length > 0 && seg is not ("." or ".."));
            return inside ? s : throw Bad($"{at}.{name}", "must be a path relative to the manifest's folder, inside it");
        }

        private static string Kind(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Null => "null",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.Array => "a list",
            JsonValueKind.Object => "an object",
            _ => "nothing",
        };

        private static FormatException Bad(string at, string why) => new($"not an xrayflow manifest: {at} {why}");
    }
}

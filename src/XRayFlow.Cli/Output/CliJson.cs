using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Text;

namespace XRayFlow.Cli.Output;

/// <summary>
/// The `--json` documents of the commands (docs/cli-json.md): one JSON object on stdout, 2-space indented, "\n" line
/// ends, every document with `"version": 1` first. Human text and diagnostics still go to stderr.
/// </summary>
internal static class CliJson
{
    /// <summary>The shape version of every `--json` document; a change that removes or retypes a field increments it.</summary>
    public const int Version = 1;

    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A document: `{"version": 1, ...what <paramref name="body"/> writes}` and a final newline.</summary>
    public static string Document(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteNumber("version", Version);
            body(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    /// <summary>`"name": [{"code", "severity", "file", "line", "column", "message"}, ...]` (file, line, column null without a location).</summary>
    public static void Diagnostics(Utf8JsonWriter w, string name, IEnumerable<Diagnostic> diagnostics)
    {
        w.WriteStartArray(name);
        foreach (var d in diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("code", d.Code);
            w.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
            if (d.Location is { } loc)
            {
                w.WriteString("file", loc.File);
                w.WriteNumber("line", loc.Line);
                w.WriteNumber("column", loc.Column);
            }
            else
            {
                w.WriteNull("file");
                w.WriteNull("line");
                w.WriteNull("column");
            }

            w.WriteString("message", d.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>A number, or null when it is NaN or infinite (JSON has neither).</summary>
    public static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            RoundTrip.WriteNumber(w, name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    public static void StringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}

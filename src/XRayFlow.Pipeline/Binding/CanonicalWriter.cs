using System.Text;
using System.Text.Json;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// The canonical text of a recipe's meaning, for the manifest's recipe hash: compact JSON with sorted
/// keys and normalized numbers (shortest round-trip, invariant; whole numbers without a fraction).
/// Comments, key order, quoting style, description and locations do not change it; params (after
/// --set), inputs, steps (with every parameter, defaults filled), outputs and tests do.
/// </summary>
public static class CanonicalWriter
{
    public static string Write(BoundRecipe recipe)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteStartArray("inputs");
            foreach (var i in recipe.Inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                if (i.DefaultPathText is { } d)
                {
                    w.WriteString("default", d);
                }

                w.WriteString("kind", i.Kind == InputKind.Stack ? "stack" : "image");
                w.WriteString("name", i.Name);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("name", recipe.Name);
            w.WriteStartArray("outputs");
            foreach (var o in recipe.Outputs.OrderBy(o => o.Name, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("from", o.From);
                w.WriteString("name", o.Name);
                w.WritePropertyName("options");
                WriteMap(w, o.Options);
                if (o.Panels is { } panels)
                {
                    w.WriteStartArray("panels");
                    foreach (var p in panels)
                    {
                        w.WriteStartObject();
                        w.WriteString("from", p.From);
                        w.WritePropertyName("options");
                        WriteMap(w, p.Options);
                        if (p.Title is { } t)
                        {
                            w.WriteString("title", t);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteString("path", o.PathTemplate);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("params");
            WriteMap(w, recipe.Params.ToDictionary(p => p.Name, p => (object?)p.Value));
            w.WriteStartArray("steps");
            foreach (var s in recipe.Steps)
            {
                w.WriteStartObject();
                w.WriteString("id", s.Id);
                w.WriteStartArray("in");
                foreach (var r in s.Inputs)
                {
                    if (r.VariableName is { } v)
                    {
                        w.WriteStringValue($"{v}={r.Source}");
                    }
                    else
                    {
                        w.WriteStringValue(r.Source);
                    }
                }

                w.WriteEndArray();
                w.WriteString("op", s.Op.Name);
                w.WritePropertyName("params");
                WriteMap(w, s.Params);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("xrayflow", recipe.Version);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteMap(Utf8JsonWriter w, IReadOnlyDictionary<string, object?> map)
    {
        w.WriteStartObject();
        foreach (var (k, v) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WritePropertyName(k);
            WriteValue(w, v);
        }

        w.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null:
                w.WriteNullValue();
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case double d:
                w.WriteRawValue(ScalarText.FormatNumber(d));
                break;
            case float f:
                w.WriteRawValue(ScalarText.FormatNumber(f));
                break;
            case int i:
                w.WriteNumberValue(i);
                break;
            case long l:
                w.WriteNumberValue(l);
                break;
            case double[] da:
                w.WriteStartArray();
                foreach (var d in da)
                {
                    w.WriteRawValue(ScalarText.FormatNumber(d));
                }

                w.WriteEndArray();
                break;
            case int[] ia:
                w.WriteStartArray();
                foreach (var i in ia)
                {
                    w.WriteNumberValue(i);
                }

                w.WriteEndArray();
                break;
            case ExpressionValue e:
                if (e.Text is { } t)
                {
                    w.WriteStringValue(t);
                }
                else
                {
                    w.WriteRawValue(ScalarText.FormatNumber(e.Number!.Value));
                }

                break;
            default:
                w.WriteStringValue(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}

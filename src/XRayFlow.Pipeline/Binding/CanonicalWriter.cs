using System.Text;
using System.Text.Json;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// The canonical text of a recipe's meaning, for the manifest's recipe hash: compact JSON with sorted
/// keys and normalized numbers (shortest round-trip, invariant; whole numbers without a fraction).
/// Comments, key order, quoting style, description, locations and the `tests:` section (which changes no
/// output) do not change it; params (after --set), inputs, steps (with every parameter, defaults filled,
/// lists and matrices item by item) and outputs do.
/// </summary>
public static class CanonicalWriter
{
    public static string Write(BoundRecipe recipe)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            WriteInputs(w, recipe.Inputs);
            w.WriteString("name", recipe.Name);
            WriteOutputs(w, recipe.Outputs);
            w.WritePropertyName("params");
            WriteMap(w, recipe.Params.ToDictionary(p => p.Name, p => (object?)p.Value));
            WriteSteps(w, recipe.Steps);
            w.WriteNumber("xrayflow", recipe.Version);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteInputs(Utf8JsonWriter w, IEnumerable<BoundInput> inputs)
    {
        w.WriteStartArray("inputs");
        foreach (var i in inputs.OrderBy(i => i.Name, StringComparer.Ordinal))
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
    }

    private static void WriteOutputs(Utf8JsonWriter w, IEnumerable<BoundOutput> outputs)
    {
        w.WriteStartArray("outputs");
        foreach (var o in outputs.OrderBy(o => o.Name, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("from", o.From);
            w.WriteString("name", o.Name);
            w.WritePropertyName("options");
            WriteMap(w, o.Options);
            if (o.Panels is { } panels)
            {
                WritePanels(w, panels);
            }

            w.WriteString("path", o.PathTemplate);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WritePanels(Utf8JsonWriter w, IEnumerable<BoundPanel> panels)
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

    private static void WriteSteps(Utf8JsonWriter w, IEnumerable<BoundStep> steps)
    {
        w.WriteStartArray("steps");
        foreach (var s in steps)
        {
            w.WriteStartObject();
            w.WriteString("id", s.Id);
            w.WriteStartArray("in");
            foreach (var r in s.Inputs)
            {
                w.WriteStringValue(r.VariableName is { } v ? $"{v}={r.Source}" : r.Source);
            }

            w.WriteEndArray();
            w.WriteString("op", s.Op.Name);
            w.WritePropertyName("params");
            WriteMap(w, s.Params);
            w.WriteEndObject();
        }

        w.WriteEndArray();
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
            case ExpressionValue e when e.Text is { } t:
                w.WriteStringValue(t);
                break;
            case ExpressionValue e:
                w.WriteRawValue(ScalarText.FormatNumber(e.Number!.Value));
                break;
            case double[] or int[] or object[]:
                // Numbers, whole numbers, a matrix's rows (double[][]) or a list holding `${step}` values (ScalarRef: its text).
                WriteArray(w, (System.Collections.IEnumerable)v);
                break;
            default:
                w.WriteStringValue(Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }

    private static void WriteArray(Utf8JsonWriter w, System.Collections.IEnumerable items)
    {
        w.WriteStartArray();
        foreach (var item in items)
        {
            WriteValue(w, item);
        }

        w.WriteEndArray();
    }
}

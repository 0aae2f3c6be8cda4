using System.Text.Json.Nodes;

namespace XRayFlow.Pipeline.Syntax;

/// <summary>
/// A recipe tree as JSON (for schema validation): plain scalars become numbers, booleans or null as the
/// recipe language reads them; quoted and block scalars, and every other plain scalar, stay strings.
/// </summary>
public static class YamlJson
{
    public static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMapping m => new JsonObject(m.Entries.Select(e => KeyValuePair.Create(e.Key.Value, ToJson(e.Value)))),
        YamlSequence s => new JsonArray(s.Items.Select(ToJson).ToArray()),
        YamlScalar sc when sc.IsNull => null,
        YamlScalar sc when sc.TryGetBool(out bool b) => JsonValue.Create(b),
        YamlScalar sc when sc.TryGetInteger(out long l) => JsonValue.Create(l),
        YamlScalar sc when sc.TryGetNumber(out double d) => JsonValue.Create(d),
        YamlScalar sc => JsonValue.Create(sc.Value),
        _ => null,
    };
}

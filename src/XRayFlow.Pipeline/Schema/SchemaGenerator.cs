using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Schema;

/// <summary>
/// Builds the JSON Schema (draft 2020-12) of the recipe language from the op registry, for editors
/// (yaml-language-server: `# yaml-language-server: $schema=../schema/xrayflow.schema.json`).
/// Each op is a `$defs/op.NAME` schema (its parameters with types, enums, ranges, defaults and docs)
/// selected by `if: {op: const NAME}`. The schema is a help for editors; the binder stays the judge
/// (it also checks names, references, kinds and paths, which a schema cannot).
/// Regenerate the committed copy with `dotnet run --project src/XRayFlow.Cli -- schema &gt; schema/xrayflow.schema.json`
/// or `XRAYFLOW_UPDATE_SCHEMA=1 dotnet test tests/XRayFlow.Pipeline.Tests --filter SchemaTests`.
/// </summary>
public static class SchemaGenerator
{
    private const string IdentifierPattern = "^[A-Za-z_][A-Za-z0-9_]*$";
    private const string ParamRefPattern = Binding.ScalarReader.WholeRefPattern;

    /// <summary>The schema of the language with every op of <see cref="OpRegistry"/>: JSON text, 2-space indent, "\n" line ends, trailing newline.</summary>
    public static string Generate() => Generate(OpRegistry.All);

    /// <summary>The schema for an explicit op list (sorted by name inside).</summary>
    public static string Generate(IEnumerable<OpDefinition> ops)
    {
        var sorted = ops.OrderBy(o => o.Name, StringComparer.Ordinal).ToList();
        var defs = new JsonObject
        {
            ["name"] = new JsonObject { ["type"] = "string", ["pattern"] = IdentifierPattern },
            ["paramRef"] = new JsonObject
            {
                ["description"] = "${name}: the value of a recipe param (see 'params'; override with --set name=value); ${step} or ${step.field}: the number an earlier step computes for each image; blanks allowed inside the braces",
                ["type"] = "string",
                ["pattern"] = ParamRefPattern,
            },
            ["in"] = new JsonObject
            {
                ["description"] = "The step's input: an input or an EARLIER step (default: the previous step; the first step: the only input). A list for ops with several inputs; a map {variable: name} for expression ops.",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["$ref"] = "#/$defs/name" },
                    new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["$ref"] = "#/$defs/name" } },
                    new JsonObject
                    {
                        ["type"] = "object",
                        ["minProperties"] = 1,
                        ["propertyNames"] = new JsonObject { ["pattern"] = IdentifierPattern },
                        ["additionalProperties"] = new JsonObject { ["$ref"] = "#/$defs/name" },
                    }),
            },
            ["input"] = Input(),
            ["accept"] = new JsonObject
            {
                ["description"] = "Warnings this step acknowledges (say why in a comment); they are not reported for it.",
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["enum"] = Strings(RecipeBinder.AcceptableWarnings.Select(d => d.Code)) },
                    new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["enum"] = Strings(RecipeBinder.AcceptableWarnings.Select(d => d.Code)) } }),
            },
            ["colormap"] = new JsonObject
            {
                ["description"] = "A matplotlib colormap name.",
                ["enum"] = Strings(RecipeBinder.Colormaps),
            },
            ["output"] = Output(),
            ["panel"] = Panel(),
            ["test"] = Test(),
            ["step"] = Step(sorted),
        };
        foreach (var op in sorted)
        {
            defs["op." + op.Name] = Op(op);
        }

        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "urn:xrayflow:recipe:1",
            ["title"] = "XRayFlow recipe",
            ["description"] = "An XRayFlow image-filter pipeline (language version 1).",
            ["type"] = "object",
            ["required"] = Strings(["xrayflow", "inputs", "steps"]),
            ["additionalProperties"] = false,
            ["properties"] = new JsonObject
            {
                ["xrayflow"] = new JsonObject { ["description"] = "The language version.", ["enum"] = new JsonArray(RecipeBinder.SupportedVersions.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()) },
                ["name"] = new JsonObject { ["description"] = "The recipe's name (default: the file name without extension).", ["type"] = "string", ["minLength"] = 1 },
                ["description"] = new JsonObject { ["description"] = "What the recipe does.", ["type"] = "string" },
                ["params"] = new JsonObject
                {
                    ["description"] = "Named constants, used as ${name} in step parameters and by name in inline expressions; --set name=value overrides one.",
                    ["type"] = "object",
                    ["propertyNames"] = new JsonObject { ["pattern"] = IdentifierPattern },
                    ["additionalProperties"] = new JsonObject { ["type"] = Strings(["number", "boolean", "string"]) },
                },
                ["inputs"] = new JsonObject
                {
                    ["description"] = "Named inputs, bound with --input name=path.",
                    ["type"] = "object",
                    ["minProperties"] = 1,
                    ["propertyNames"] = new JsonObject { ["pattern"] = IdentifierPattern },
                    ["additionalProperties"] = new JsonObject { ["$ref"] = "#/$defs/input" },
                },
                ["steps"] = new JsonObject
                {
                    ["description"] = "The steps, in order: each reads inputs or earlier steps.",
                    ["type"] = "array",
                    ["items"] = new JsonObject { ["$ref"] = "#/$defs/step" },
                },
                ["outputs"] = new JsonObject
                {
                    ["description"] = "Named outputs: name: path (the step of that name) or {from, path, ...options}. Paths are relative to --out; {stem} is the input file's name, {relstem} that name with the sub-folders below a glob's base, ${name} a param's value.",
                    ["type"] = "object",
                    ["propertyNames"] = new JsonObject { ["pattern"] = "^[A-Za-z_][A-Za-z0-9_-]*$" },
                    ["additionalProperties"] = new JsonObject { ["$ref"] = "#/$defs/output" },
                },
                ["tests"] = new JsonObject
                {
                    ["description"] = "The recipe's own test cases: inputs and the expected digests or reference arrays of outputs.",
                    ["type"] = "array",
                    ["items"] = new JsonObject { ["$ref"] = "#/$defs/test" },
                },
            },
            ["$defs"] = defs,
        };

        var options = new JsonSerializerOptions
        {
            WriteIndented = true,
            IndentSize = 2,
            NewLine = "\n",
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        return root.ToJsonString(options) + "\n";
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    /// <summary>An enum's values; "true" and "false" as JSON booleans, since a recipe writes them unquoted (the binder reads YAML booleans).</summary>
    private static JsonArray EnumValues(IEnumerable<string> values)
        => new(values.Select(v => v is "true" or "false" ? (JsonNode)JsonValue.Create(v == "true") : JsonValue.Create(v)).ToArray());

    /// <summary>A list of an EnumList parameter's words (repeats allowed: the binder keeps each once).</summary>
    private static JsonObject WordList(ParamSpec p)
    {
        var list = new JsonObject { ["type"] = "array", ["minItems"] = p.MinCount, ["items"] = new JsonObject { ["enum"] = EnumValues(p.Allowed ?? []) } };
        if (p.MaxCount < int.MaxValue)
        {
            list["maxItems"] = p.MaxCount;
        }

        return list;
    }

    private static JsonObject Input() => new()
    {
        ["description"] = "image: one 2-D image (a glob runs the recipe once per file); stack: N frames as one N x H x W array.",
        ["anyOf"] = new JsonArray(
            new JsonObject { ["enum"] = Strings(["image", "stack"]) },
            new JsonObject
            {
                ["type"] = "object",
                ["required"] = Strings(["kind"]),
                ["additionalProperties"] = false,
                ["properties"] = new JsonObject
                {
                    ["kind"] = new JsonObject { ["enum"] = Strings(["image", "stack"]) },
                    ["default"] = new JsonObject { ["description"] = "Path used when --input is not given, relative to the recipe file's folder.", ["type"] = "string", ["minLength"] = 1 },
                },
            }),
    };

    private const string PathPattern = "\\.([Nn][Pp][Yy]|[Pp][Nn][Gg]|[Gg][Ii][Ff]|[Jj][Ss][Oo][Nn]|[Cc][Ss][Vv])$";

    private static JsonObject PathSchema() => new()
    {
        ["description"] = "Relative to --out; the extension picks the format (.npy .png .gif .json .csv); {stem} is the input file's name without extension, {relstem} the same keeping the sub-folders below a glob's base (ward1/a), ${name} a param's value.",
        ["type"] = "string",
        ["pattern"] = PathPattern,
    };

    private static JsonObject Output() => new()
    {
        ["anyOf"] = new JsonArray(
            PathSchema(),
            new JsonObject
            {
                ["type"] = "object",
                ["required"] = Strings(["path"]),
                ["additionalProperties"] = false,
                ["properties"] = new JsonObject
                {
                    ["from"] = new JsonObject { ["description"] = "The step or input to write (default: the output's name).", ["$ref"] = "#/$defs/name" },
                    ["path"] = PathSchema(),
                    ["bits"] = new JsonObject { ["description"] = ".png: 8 (default) or 16 bits per pixel.", ["enum"] = new JsonArray(8, 16), ["default"] = 8 },
                    ["compression"] = new JsonObject { ["description"] = ".png: deflate level, 0 (store) to 9 (smallest); 1 (default) is zlib's run-length mode, the fastest (docs/performance-runner.md).", ["type"] = "integer", ["minimum"] = 0, ["maximum"] = 9, ["default"] = 1 },
                    ["colormap"] = new JsonObject { ["$ref"] = "#/$defs/colormap" },
                    ["vmin"] = new JsonObject { ["description"] = "Value shown as the colormap's low end, or black on a grey .png / .gif (default: the minimum; a grey picture without vmin/vmax keeps its values, rounded).", ["type"] = "number" },
                    ["vmax"] = new JsonObject { ["description"] = "Value shown as the colormap's high end, or white on a grey .png / .gif (default: the maximum).", ["type"] = "number" },
                    ["duration_ms"] = new JsonObject { ["description"] = ".gif: milliseconds per frame.", ["type"] = "integer", ["minimum"] = 1, ["default"] = 1000 },
                    ["loop"] = new JsonObject { ["description"] = ".gif: times to loop (0 = forever).", ["type"] = "integer", ["minimum"] = 0, ["default"] = 0 },
                    ["panels"] = new JsonObject { ["description"] = "A .png figure: one panel per source.", ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["$ref"] = "#/$defs/panel" } },
                    ["columns"] = new JsonObject { ["description"] = "Figure: panels per row.", ["type"] = "integer", ["minimum"] = 1 },
                    ["title"] = new JsonObject { ["description"] = "Figure: the title above the panels.", ["type"] = "string" },
                    ["panel_size"] = new JsonObject { ["description"] = "Figure: the longest side of each panel's image box, in pixels.", ["type"] = "integer", ["minimum"] = Binding.OutputOptionsBinder.MinPanelSize, ["maximum"] = Binding.OutputOptionsBinder.MaxPanelSize, ["default"] = 300 },
                    ["overlay"] = new JsonObject
                    {
                        ["description"] = ".png: draw the outlines of a mask's or label image's regions over the picture.",
                        ["type"] = "object",
                        ["required"] = Strings(["from"]),
                        ["additionalProperties"] = false,
                        ["properties"] = new JsonObject
                        {
                            ["from"] = new JsonObject { ["description"] = "The mask or label image (a step or input of the picture's shape).", ["$ref"] = "#/$defs/name" },
                            ["color"] = new JsonObject
                            {
                                ["description"] = "Outline colour: a name, #rrggbb, or labels (each label's colour from the labels colormap).",
                                ["type"] = "string",
                                ["pattern"] = "^(" + string.Join("|", Outputs.Rendering.Outline.Named.Keys) + "|labels|#[0-9A-Fa-f]{6})$",
                                ["default"] = "red",
                            },
                        },
                    },
                },
            }),
    };

    private static JsonObject Panel() => new()
    {
        ["type"] = "object",
        ["required"] = Strings(["from"]),
        ["additionalProperties"] = false,
        ["properties"] = new JsonObject
        {
            ["from"] = new JsonObject { ["$ref"] = "#/$defs/name" },
            ["title"] = new JsonObject { ["type"] = "string" },
            ["colormap"] = new JsonObject { ["$ref"] = "#/$defs/colormap" },
            ["vmin"] = new JsonObject { ["type"] = "number" },
            ["vmax"] = new JsonObject { ["type"] = "number" },
            ["colorbar"] = new JsonObject { ["description"] = "A colour bar with ticks at the panel's right.", ["type"] = "boolean", ["default"] = false },
        },
    };

    private static JsonObject Test()
    {
        var digest = new JsonObject { ["type"] = "string", ["pattern"] = "^sha256:[0-9a-fA-F]{64}$" };
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = Strings(["expect"]),
            ["additionalProperties"] = false,
            ["properties"] = new JsonObject
            {
                ["name"] = new JsonObject { ["type"] = "string" },
                ["inputs"] = new JsonObject { ["description"] = "input name: path (relative to the recipe file's folder).", ["type"] = "object", ["additionalProperties"] = new JsonObject { ["type"] = "string" } },
                ["expect"] = new JsonObject
                {
                    ["description"] = "output name: \"sha256:<hex>\", {digest: ...} or {npy: reference.npy, tolerance: 1e-4}.",
                    ["type"] = "object",
                    ["additionalProperties"] = new JsonObject
                    {
                        ["anyOf"] = new JsonArray(
                            digest.DeepClone(),
                            new JsonObject
                            {
                                ["type"] = "object",
                                ["additionalProperties"] = false,
                                ["properties"] = new JsonObject
                                {
                                    ["digest"] = digest.DeepClone(),
                                    ["npy"] = new JsonObject { ["type"] = "string" },
                                    ["tolerance"] = new JsonObject { ["type"] = "number", ["minimum"] = 0, ["default"] = 1e-4 },
                                },
                            }),
                    },
                },
            },
        };
    }

    private static JsonObject Step(IReadOnlyList<OpDefinition> ops)
    {
        var allOf = new JsonArray();
        foreach (var op in ops)
        {
            allOf.Add(new JsonObject
            {
                // `type: object` keeps an empty step (`- `, a null) from matching every branch: editors then offered
                // every op's parameters there (42 keys); now an empty step offers op, id and in.
                ["if"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["op"] = new JsonObject { ["const"] = op.Name } }, ["required"] = Strings(["op"]) },
                ["then"] = new JsonObject { ["$ref"] = "#/$defs/op." + op.Name },
            });
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = Strings(["op"]),
            ["properties"] = new JsonObject
            {
                ["op"] = new JsonObject
                {
                    ["description"] = "The operation ('xrayflow ops' lists them).",
                    ["enum"] = Strings(ops.Select(o => o.Name)),
                    // One summary per op in completion lists (yaml-language-server and VS Code read these).
                    ["enumDescriptions"] = Strings(ops.Select(OpSummary)),
                    ["markdownEnumDescriptions"] = Strings(ops.Select(OpSummary)),
                },
                ["id"] = new JsonObject { ["description"] = "The step's name (default: the op's name, then op_2, op_3 ...).", ["$ref"] = "#/$defs/name" },
                ["in"] = new JsonObject { ["$ref"] = "#/$defs/in" },
                ["accept"] = new JsonObject { ["$ref"] = "#/$defs/accept" },
            },
            ["allOf"] = allOf,
            // Offered first for an empty step (`- `): the three keys every step has.
            ["defaultSnippets"] = new JsonArray(new JsonObject
            {
                ["label"] = "op, id, in",
                ["description"] = "A step: its op, its name and its input.",
                ["body"] = new JsonObject { ["op"] = "$1", ["id"] = "$2", ["in"] = "$3" },
            }),
        };
    }

    private static string OpSummary(OpDefinition op)
        => op.Reference is { } r ? $"{Sentence(op.Summary)} Same meaning as {r}." : Sentence(op.Summary);

    private static JsonObject Op(OpDefinition op)
    {
        string summary = OpSummary(op);
        var props = new JsonObject
        {
            ["op"] = new JsonObject { ["const"] = op.Name },
            ["id"] = new JsonObject { ["$ref"] = "#/$defs/name" },
            ["in"] = new JsonObject { ["description"] = "Inputs: " + Arity(op.Inputs), ["$ref"] = "#/$defs/in" },
            ["accept"] = new JsonObject { ["$ref"] = "#/$defs/accept" },
        };
        foreach (var p in op.Params)
        {
            props[p.Name] = Param(p);
        }

        var schema = new JsonObject
        {
            ["description"] = summary,
            ["type"] = "object",
            ["properties"] = props,
            ["additionalProperties"] = false,
        };
        var required = op.Params.Where(p => p.Required).Select(p => p.Name).ToList();
        if (required.Count > 0)
        {
            schema["required"] = Strings(required);
        }

        return schema;
    }

    private static string Sentence(string text)
    {
        text = text.Trim();
        return text.Length == 0 || text.EndsWith('.') ? text : text + ".";
    }

    private static string Arity(InputSpec spec)
    {
        string count = spec.Min == spec.Max ? $"{spec.Min}" : spec.Max >= 64 ? $"{spec.Min} or more" : $"{spec.Min} to {spec.Max}";
        string doc = spec.Doc.Length > 0 ? $" ({spec.Doc})" : string.Empty;
        return count + doc + (spec.RequiresStack ? "; a stack" : string.Empty) + (spec.AcceptsTables ? "; tables accepted" : string.Empty) + ".";
    }

    private static JsonObject Param(ParamSpec p)
    {
        JsonObject Number(string type)
        {
            var n = new JsonObject { ["type"] = type };
            if (p.Min is { } min)
            {
                n[p.MinExclusive ? "exclusiveMinimum" : "minimum"] = min;
            }

            if (p.Max is { } max)
            {
                n["maximum"] = max;
            }

            return n;
        }

        var paramRef = new JsonObject { ["$ref"] = "#/$defs/paramRef" };
        JsonObject List(JsonObject item)
        {
            var items = new JsonArray(item, new JsonObject { ["$ref"] = "#/$defs/paramRef" });
            if (p.PercentileItems)
            {
                items.Add(new JsonObject { ["description"] = "pN: the Nth percentile of each image (0 to 100).", ["type"] = "string", ["pattern"] = "^p(100(\\.0*)?|[0-9]{1,2}(\\.[0-9]*)?)$" });
            }

            var list = new JsonObject { ["type"] = "array", ["minItems"] = p.MinCount, ["items"] = new JsonObject { ["anyOf"] = items } };
            if (p.MaxCount < int.MaxValue)
            {
                list["maxItems"] = p.MaxCount;
            }

            return list;
        }

        JsonArray anyOf = p.Type switch
        {
            ParamType.Float => [Number("number"), paramRef],
            ParamType.Int => [Number("integer"), paramRef],
            ParamType.Bool => [new JsonObject { ["type"] = "boolean" }, paramRef],
            ParamType.String => [new JsonObject { ["type"] = "string" }],
            ParamType.Enum => [new JsonObject { ["enum"] = EnumValues(p.Allowed ?? []) }, paramRef],
            ParamType.FloatPerAxis => [Number("number"), new JsonObject { ["type"] = "array", ["minItems"] = 1, ["maxItems"] = RecipeBinder.MaxAxes, ["items"] = Number("number") }, paramRef],
            ParamType.IntPerAxis => [Number("integer"), new JsonObject { ["type"] = "array", ["minItems"] = 1, ["maxItems"] = RecipeBinder.MaxAxes, ["items"] = Number("integer") }, paramRef],
            ParamType.Expression => [new JsonObject { ["description"] = "An inline C# expression.", ["type"] = "string", ["minLength"] = 1 }, new JsonObject { ["type"] = "number" }],
            ParamType.FloatList => [List(Number("number")), paramRef],
            ParamType.IntList => [List(Number("integer")), paramRef],
            ParamType.EnumList => [WordList(p), new JsonObject { ["enum"] = EnumValues(p.Allowed ?? []) }],
            ParamType.Matrix => [Number("number"), new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = Number("number") }, new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = Number("number") } }],
            _ => [],
        };
        if (p.Words is { Count: > 0 } words)
        {
            anyOf.Insert(0, new JsonObject { ["enum"] = Strings(words) });
        }
        string range = p.Min is not null || p.Max is not null ? $" Range: {RecipeBinder.RangeText(p)}." : string.Empty;
        var schema = new JsonObject { ["description"] = Sentence(p.Doc) + range + (p.Required ? " Required." : string.Empty) };
        if (anyOf.Count == 1)
        {
            foreach (var (k, v) in (JsonObject)anyOf[0]!)
            {
                if (k != "description")
                {
                    schema[k] = v?.DeepClone();
                }
            }
        }
        else
        {
            schema["anyOf"] = anyOf;
        }

        if (DefaultNode(p.Default) is { } d)
        {
            schema["default"] = d;
        }

        return schema;
    }

    private static JsonNode? DefaultNode(object? value) => value switch
    {
        null => null,
        double d => JsonValue.Create(d),
        float f => JsonValue.Create((double)f),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        double[] a => new JsonArray(a.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
        int[] a => new JsonArray(a.Select(x => (JsonNode)JsonValue.Create(x)).ToArray()),
        ExpressionValue e => e.Text is { } t ? JsonValue.Create(t) : JsonValue.Create(e.Number!.Value),
        _ => JsonValue.Create(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}

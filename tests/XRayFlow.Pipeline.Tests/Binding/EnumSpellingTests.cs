using System.Text.RegularExpressions;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>
/// Issue 17, "Booleans and enums that disagree": the reader, the op declaration and the schema agree on how an enum
/// is written, and every enum parameter of every op can be written the way its own error message says.
/// </summary>
public sealed partial class EnumSpellingTests
{
    private static string Recipe(string opName, string lines) => "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: " + opName + "\n" + lines;

    private static string Window(string invert) => Recipe("window", $"    center: 40\n    width: 400\n    invert: {invert}\n");

    [Theory]
    [InlineData("auto", "auto")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("\"auto\"", "auto")]
    [InlineData("\"yes\"", "true")] // the spelling docs/dicom.md documented before: kept as an alias
    [InlineData("\"no\"", "false")]
    public void Window_invert_is_auto_true_or_false(string written, string bound)
    {
        var r = RecipeLoader.LoadText(Window(written), "r.yaml");

        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal(bound, Assert.Single(r.Recipe!.Steps).Params["invert"]);
    }

    [Theory]
    [InlineData("yes", "r.yaml:8:13: error XRF1010: 'yes' is ambiguous (YAML 1.1 tools read it as a boolean): write true or false, or quote it as a string")]
    [InlineData("off", "r.yaml:8:13: error XRF1010: 'off' is ambiguous (YAML 1.1 tools read it as a boolean): write true or false, or quote it as a string")]
    [InlineData("maybe", "r.yaml:8:13: error XRF1041: 'maybe' is not a valid value of 'invert' (one of: auto, true, false)")]
    [InlineData("1", "r.yaml:8:13: error XRF1041: '1' is not a valid value of 'invert' (one of: auto, true, false)")]
    public void Window_invert_refusals_name_what_to_write(string written, string expected)
    {
        var r = RecipeLoader.LoadText(Window(written), "r.yaml");

        Assert.Equal(expected, Assert.Single(r.Diagnostics).ToString());
    }

    /// <summary>The schema says the same: auto, or a YAML boolean (unquoted true/false), and nothing else.</summary>
    [Fact]
    public void The_schema_gives_invert_as_auto_or_a_boolean()
    {
        var schema = System.Text.Json.Nodes.JsonNode.Parse(Schema.SchemaGenerator.Generate())!;
        string text = schema.ToJsonString();
        var invert = FindParam(schema, "window", "invert");

        Assert.NotNull(invert);
        var values = invert!["enum"]!.AsArray().Select(v => v!.ToJsonString()).ToList();
        Assert.Equal(["\"auto\"", "true", "false"], values);
        Assert.Contains("invert", text, StringComparison.Ordinal);
    }

    private static System.Text.Json.Nodes.JsonNode? FindParam(System.Text.Json.Nodes.JsonNode node, string op, string param)
    {
        // The op's step definition holds "properties": {"op": {"const": op}, ..., param: {...}}.
        if (node is System.Text.Json.Nodes.JsonObject o)
        {
            if (o["properties"] is System.Text.Json.Nodes.JsonObject props && props["op"]?["const"]?.GetValue<string>() == op && props[param] is { } p)
            {
                return p["anyOf"] is System.Text.Json.Nodes.JsonArray any ? any.FirstOrDefault(a => a?["enum"] is not null) : p;
            }

            foreach (var (_, v) in o)
            {
                if (v is not null && FindParam(v, op, param) is { } found)
                {
                    return found;
                }
            }
        }
        else if (node is System.Text.Json.Nodes.JsonArray a)
        {
            foreach (var v in a)
            {
                if (v is not null && FindParam(v, op, param) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    public static TheoryData<string, string> EnumParams()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in OpRegistry.All)
        {
            foreach (var p in op.Params.Where(p => p.Type is ParamType.Enum or ParamType.EnumList))
            {
                data.Add(op.Name, p.Name);
            }
        }

        return data;
    }

    [GeneratedRegex(@"\(one of: (?<values>[^)]*)\)")]
    private static partial Regex OneOf();

    /// <summary>
    /// A wrong value gets XRF1041 "(one of: a, b, c)"; each value it lists, written as is (unquoted) in place of the
    /// wrong one, binds to that value. Reading the list from the message (not the declaration) is the point: what the
    /// error tells a user to write must work.
    /// </summary>
    [Theory]
    [MemberData(nameof(EnumParams))]
    public void Every_enum_value_can_be_written_the_way_its_error_message_says(string opName, string paramName)
    {
        var op = OpRegistry.Get(opName);
        // Every input the op takes (regionprops' intensity words need its second): a value a rule would refuse for
        // want of an input is not what this test is about.
        string others = (op.Inputs.Max >= 2 ? "    in: [xray, xray]\n" : string.Empty) + RegistryTests.Required(op, except: paramName);
        var wrong = RecipeLoader.LoadText(Recipe(opName, others + $"    {paramName}: not_a_value\n"), "r.yaml");
        var error = Assert.Single(wrong.Diagnostics);
        Assert.Equal("XRF1041", error.Code);
        var suggested = OneOf().Match(error.Message).Groups["values"].Value.Split(", ");
        Assert.Equal(op.Params.Single(p => p.Name == paramName).Allowed, suggested);

        foreach (string value in suggested)
        {
            var r = RecipeLoader.LoadText(Recipe(opName, others + $"    {paramName}: {value}\n"), "r.yaml");
            Assert.False(r.HasErrors, $"{paramName}: {value}\n" + string.Join("\n", r.Diagnostics));
            object? bound = Assert.Single(r.Recipe!.Steps).Params[paramName];
            Assert.Equal(value, bound is string[] list ? Assert.Single(list) : bound); // a list of words takes one word as a list of one
        }
    }

    /// <summary>An enum value a YAML 1.1 tool reads as a boolean (yes/no/on/off) is never declared: it could not be written unquoted.</summary>
    [Theory]
    [MemberData(nameof(EnumParams))]
    public void No_enum_declares_a_yaml11_boolean_word(string opName, string paramName)
    {
        var spec = OpRegistry.Get(opName).Params.Single(p => p.Name == paramName);

        Assert.DoesNotContain(spec.Allowed!, v => XRayFlow.Pipeline.Syntax.ScalarText.IsYaml11Boolean(v));
    }
}

using System.Text.Json;
using Json.Schema;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Schema;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Tests;

public class SchemaTests
{
    private static readonly string CommittedPath = Path.Combine(TestPaths.Root, "schema", "xrayflow.schema.json");

    private static JsonSchema Build(string schemaText)
        => JsonSchema.FromText(schemaText, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static JsonElement RecipeAsJson(string yaml, string file)
    {
        var bag = new DiagnosticBag();
        var root = YamlTreeReader.Read(yaml, file, bag);
        Assert.True(root is not null && !bag.HasErrors, $"{file}: {string.Join("\n", bag)}");
        return JsonSerializer.SerializeToElement(YamlJson.ToJson(root!));
    }

    private static EvaluationResults Evaluate(JsonSchema schema, string yaml, string file = "recipe.yaml")
        => schema.Evaluate(RecipeAsJson(yaml, file), new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Errors(EvaluationResults r)
        => string.Join("\n", (r.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation} {d.SchemaLocation}: {e.Key}: {e.Value}")));

    /// <summary>The editor accepts the references the binder accepts: params, steps' numbers and fields, blanks inside the braces.</summary>
    [Fact]
    public void ReferencesTheBinderAcceptsAreValidForTheEditor()
    {
        var schema = Build(SchemaGenerator.Generate());
        const string Recipe = """
            xrayflow: 1
            inputs:
              xray: image
            params:
              lo: 10
            steps:
              - id: st
                op: stats
                percentiles: [99]
              - id: p1
                op: percentile
                in: xray
                q: 1
              - id: c
                op: clip
                in: xray
                min: {0}
                max: {1}
            outputs:
              c: c.npy
            """;
        foreach (var (min, max) in new[] { ("${lo}", "${st.p99}"), ("${ p1 }", "${\tst.p99 }"), ("\"${ lo }\"", "${p1}") })
        {
            var r = Evaluate(schema, Recipe.Replace("{0}", min, StringComparison.Ordinal).Replace("{1}", max, StringComparison.Ordinal));
            Assert.True(r.IsValid, $"{min} / {max}: {Errors(r)}");
        }

        foreach (string bad in new[] { "${a b}", "${st.}", "${1x}", "x${lo}" })
        {
            Assert.False(Evaluate(schema, Recipe.Replace("{0}", "\"" + bad + "\"", StringComparison.Ordinal).Replace("{1}", "5", StringComparison.Ordinal)).IsValid, bad);
        }
    }

    [Fact]
    public void CommittedSchemaMatchesTheGenerator()
    {
        string generated = SchemaGenerator.Generate();
        if (Environment.GetEnvironmentVariable("XRAYFLOW_UPDATE_SCHEMA") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(CommittedPath)!);
            File.WriteAllText(CommittedPath, generated);
        }

        Assert.True(File.Exists(CommittedPath), $"{CommittedPath} is missing; regenerate it with: XRAYFLOW_UPDATE_SCHEMA=1 dotnet test tests/XRayFlow.Pipeline.Tests --filter SchemaTests (or: dotnet run --project src/XRayFlow.Cli -- schema > schema/xrayflow.schema.json)");
        string committed = File.ReadAllText(CommittedPath);
        Assert.True(committed == generated, "schema/xrayflow.schema.json differs from SchemaGenerator.Generate() (an op or the language changed). Regenerate it with: XRAYFLOW_UPDATE_SCHEMA=1 dotnet test tests/XRayFlow.Pipeline.Tests --filter SchemaTests (or: dotnet run --project src/XRayFlow.Cli -- schema > schema/xrayflow.schema.json), review the diff and commit it.");
    }

    [Fact]
    public void GeneratedTextIsStable()
    {
        string a = SchemaGenerator.Generate(TestOps.All.Values);
        string b = SchemaGenerator.Generate(TestOps.All.Values.Reverse());
        Assert.Equal(a, b);
        Assert.DoesNotContain('\r', a);
        Assert.EndsWith("}\n", a);
        Assert.StartsWith("{\n  \"$schema\": \"https://json-schema.org/draft/2020-12/schema\",\n", a);
        using var doc = JsonDocument.Parse(a);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("$defs").GetProperty("op.gaussian_filter").ValueKind);
        var sigma = doc.RootElement.GetProperty("$defs").GetProperty("op.gaussian_filter").GetProperty("properties").GetProperty("truncate");
        Assert.Equal(4.0, sigma.GetProperty("default").GetDouble());
        Assert.Equal(0.0, sigma.GetProperty("anyOf")[0].GetProperty("minimum").GetDouble());
    }

    [Fact]
    public void ShippedRecipesValidateAgainstTheSchema()
    {
        var schema = Build(SchemaGenerator.Generate());
        var recipes = Directory.Exists(Path.Combine(TestPaths.Root, "pipelines"))
            ? Directory.GetFiles(Path.Combine(TestPaths.Root, "pipelines"), "*.yaml").Order(StringComparer.Ordinal).ToList()
            : [];
        foreach (var file in recipes)
        {
            var r = Evaluate(schema, File.ReadAllText(file), file);
            Assert.True(r.IsValid, $"{file} does not validate against the schema:\n{Errors(r)}");
        }
    }

    /// <summary>
    /// Shipped recipes are strict YAML, as any YAML tool reads it (PyYAML, editors): xrayflow reads an unquoted
    /// `[${a}, ${b}]` too (an extension), but YAML ends a plain value at `{`, so a recipe written so is a syntax
    /// error to everyone else it is shared with. Parsed here by YamlDotNet alone, without xrayflow's reader.
    /// </summary>
    [Fact]
    public void ShippedRecipesAreStrictYaml()
    {
        var recipes = Directory.GetFiles(Path.Combine(TestPaths.Root, "pipelines"), "*.yaml").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(recipes);
        var failures = new List<string>();
        foreach (var file in recipes)
        {
            try
            {
                new YamlDotNet.RepresentationModel.YamlStream().Load(new StringReader(File.ReadAllText(file)));
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                failures.Add($"{Path.GetFileName(file)}:{e.Start.Line}:{e.Start.Column}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void DslExampleValidatesAgainstTheSchemaOfItsOps()
    {
        var schema = Build(SchemaGenerator.Generate(TestOps.All.Values));
        string file = Path.Combine(TestPaths.Fixtures, "recipes", "tutorial-canny.yaml");
        var r = Evaluate(schema, File.ReadAllText(file), file);
        Assert.True(r.IsValid, Errors(r));
    }

    private const string Base = "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gaussian_filter\n";

    [Theory]
    [InlineData(Base + "    sigma: 2\n    mode: nearest\noutputs:\n  gaussian_filter: out.npy\n")]
    [InlineData("xrayflow: 1\nparams:\n  s: 2\ninputs:\n  xray: {kind: stack, default: a.png}\nsteps:\n  - op: gaussian_filter\n    sigma: ${s}\n")]
    [InlineData(Base + "    sigma: [1, 2.5]\noutputs:\n  f: {path: f.png, panels: [{from: xray, title: A, colormap: bone}], columns: 2}\n")]
    [InlineData(Base + "    sigma: 1\n  - op: where\n    in: {a: xray, b: gaussian_filter}\n    cond: \"a > b\"\n    then: a\n    else: 0\n")]
    public void SchemaAcceptsValidRecipes(string yaml)
    {
        var r = Evaluate(Build(SchemaGenerator.Generate(TestOps.All.Values)), yaml);
        Assert.True(r.IsValid, Errors(r));
    }

    [Theory]
    [InlineData("xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gausian_filter\n    sigma: 2\n")]
    [InlineData(Base + "    sigmaa: 2\n")]
    [InlineData(Base + "    sigma: 2\n    mode: relfect\n")]
    [InlineData(Base + "    sigma: -1\n")]
    [InlineData(Base + "    sigma: [1, 2, 3]\n")]
    [InlineData(Base + "    mode: wrap\n")]
    [InlineData("xrayflow: 2\ninputs:\n  xray: image\nsteps: []\n")]
    [InlineData("inputs:\n  xray: image\nsteps: []\n")]
    [InlineData("xrayflow: 1\ninputs:\n  xray: image\nsteps: []\nstepz: []\n")]
    [InlineData("xrayflow: 1\ninputs:\n  xray: imgae\nsteps: []\n")]
    [InlineData(Base + "    sigma: 2\noutputs:\n  o: {path: o.tif}\n")]
    [InlineData(Base + "    sigma: 2\noutputs:\n  o: {path: o.png, colormap: virdis}\n")]
    [InlineData(Base + "    sigma: 2\noutputs:\n  o: {path: o.png, bits: 12}\n")]
    public void SchemaRejectsInvalidRecipes(string yaml)
    {
        var r = Evaluate(Build(SchemaGenerator.Generate(TestOps.All.Values)), yaml);
        Assert.False(r.IsValid);
    }
}

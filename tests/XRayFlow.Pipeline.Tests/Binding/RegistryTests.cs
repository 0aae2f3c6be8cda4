using System.Globalization;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>The binder against the real op catalogue: every op binds in a minimal recipe, every default is valid.</summary>
public class RegistryTests
{
    [Fact]
    public void DslExampleBindsAgainstTheRealRegistry()
    {
        string path = Path.Combine(TestPaths.Fixtures, "recipes", "tutorial-canny.yaml");
        var r = RecipeLoader.Load(path);
        Assert.Equal(["XRF1058"], r.Diagnostics.Select(d => d.Code)); // only the fourier_gaussian warning
        Assert.NotNull(r.Recipe);
    }

    public static TheoryData<string> OpNames()
    {
        var data = new TheoryData<string>();
        foreach (var op in OpRegistry.All)
        {
            data.Add(op.Name);
        }

        return data;
    }

    /// <summary>The step lines of the op's declared example (else its required parameters with sample values).</summary>
    internal static string Required(OpDefinition op, string? except = null, string? only = null)
    {
        if (only is not null)
        {
            return string.Concat(op.Params.Where(q => q.Name == only).Select(q => $"    {q.Name}: {SampleValue(q)}\n"));
        }

        if (op.Example is { } example)
        {
            var lines = FlowEntries(example)
                .Where(kv => kv.Split(':')[0].Trim() != except)
                .Select(kv => $"    {kv}\n");
            return string.Concat(lines);
        }

        return string.Concat(op.Params.Where(q => q.Required && q.Name != except).Select(q => $"    {q.Name}: {SampleValue(q)}\n"));
    }

    /// <summary>The `key: value` entries of a one-line YAML flow map (commas inside brackets or quotes stay).</summary>
    internal static IEnumerable<string> FlowEntries(string flowMap)
    {
        string inner = flowMap.Trim();
        inner = inner.Substring(1, inner.Length - 2);
        int depth = 0, start = 0;
        bool quoted = false;
        for (int k = 0; k <= inner.Length; k++)
        {
            char c = k < inner.Length ? inner[k] : ',';
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '[' or '{')
            {
                depth++;
            }
            else if (!quoted && c is ']' or '}')
            {
                depth--;
            }
            else if (!quoted && depth == 0 && c == ',')
            {
                string entry = inner[start..k].Trim();
                if (entry.Length > 0)
                {
                    yield return entry;
                }

                start = k + 1;
            }
        }
    }

    /// <summary>A valid YAML value for a parameter (its default, or the smallest value in range).</summary>
    private static string SampleValue(ParamSpec p)
    {
        double lo = p.Min is { } min ? (p.MinExclusive ? min + 1 : min) : 1;
        if (p.Max is { } max && lo > max)
        {
            lo = max;
        }

        return p.Type switch
        {
            ParamType.Float or ParamType.FloatPerAxis => lo.ToString("R", CultureInfo.InvariantCulture),
            ParamType.Int or ParamType.IntPerAxis => ((int)Math.Ceiling(lo)).ToString(CultureInfo.InvariantCulture),
            ParamType.Bool => "true",
            ParamType.String => "\"text\"",
            ParamType.Enum => $"\"{p.Allowed![0]}\"",
            ParamType.EnumList => $"[{p.Allowed![0]}]",
            ParamType.Expression => p.IsCondition ? "\"x > 0\"" : "\"x\"",
            _ => throw new InvalidOperationException(p.Type.ToString()),
        };
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void EveryOpBindsWithItsRequiredParameters(string name)
    {
        var op = OpRegistry.Get(name);
        var inputs = Enumerable.Range(0, Math.Max(1, op.Inputs.Min)).Select(k => $"i{k}").ToList();
        string kind = op.Inputs.RequiresStack ? "stack" : "image";
        var text = new System.Text.StringBuilder("xrayflow: 1\ninputs:\n");
        foreach (var i in inputs)
        {
            text.Append($"  {i}: {kind}\n");
        }

        text.Append($"steps:\n  - op: {name}\n    in: [{string.Join(", ", inputs)}]\n");
        text.Append(Required(op));

        var r = RecipeLoader.LoadText(text.ToString(), "op.yaml");
        Assert.True(!r.HasErrors, text + "\n" + string.Join("\n", r.Diagnostics));
        var step = Assert.Single(r.Recipe!.Steps);
        Assert.Equal(op.Params.Select(p => p.Name).Order(StringComparer.Ordinal), step.Params.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Each numeric parameter with a declared range, given a value just outside it (and each required one left out),
    /// on top of the op's example: a located error at that parameter, never a crash. Found: `resize` with
    /// `output_shape: [0, 224]` threw in its shape rule, which ran on the refused value (exit 70, "internal error").
    /// </summary>
    [Theory]
    [MemberData(nameof(OpNames))]
    public void EveryParameterOutsideItsRangeOrMissingIsALocatedErrorNotACrash(string name)
    {
        var op = OpRegistry.Get(name);
        var inputs = Enumerable.Range(0, Math.Max(1, op.Inputs.Min)).Select(k => $"i{k}").ToList();
        string kind = op.Inputs.RequiresStack ? "stack" : "image";
        string head = $"xrayflow: 1\ninputs:\n{string.Concat(inputs.Select(i => $"  {i}: {kind}\n"))}steps:\n  - op: {name}\n    in: [{string.Join(", ", inputs)}]\n";
        var example = Required(op).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        int cases = 0;
        foreach (var p in op.Params)
        {
            var others = example.Where(l => l.Split(':')[0].Trim() != p.Name).ToList();
            var variants = new List<string>();
            if (p.Required)
            {
                variants.Add(string.Empty);
            }

            if (p.IsNumeric && (p.Min is not null || p.Max is not null))
            {
                double bad = p.Min is { } min ? (p.MinExclusive ? min : min - 1) : p.Max!.Value + 1;
                string v = bad.ToString("R", CultureInfo.InvariantCulture);
                bool list = p.Type is ParamType.IntList or ParamType.FloatList;
                variants.Add($"    {p.Name}: {(list ? "[" + string.Join(", ", Enumerable.Repeat(v, Math.Max(2, p.MinCount))) + "]" : v)}");
            }

            foreach (var variant in variants)
            {
                string text = head + string.Concat(others.Select(l => l + "\n")) + (variant.Length > 0 ? variant + "\n" : string.Empty);
                var r = RecipeLoader.LoadText(text, "op.yaml");
                Assert.True(r.HasErrors, $"{name}.{p.Name}: expected an error\n{text}");
                Assert.All(r.Diagnostics, d => Assert.True(d.Code.StartsWith("XRF1", StringComparison.Ordinal) && d.Location is not null, $"{name}.{p.Name}: {d}\n{text}"));
                if (variant.Length > 0)
                {
                    int line = text.Split('\n').ToList().IndexOf(variant) + 1;
                    Assert.Contains(r.Diagnostics, d => d.IsError && d.Location!.Value.Line == line);
                }

                cases++;
            }
        }

        Assert.True(cases > 0 || op.Params.All(p => !p.Required && (!p.IsNumeric || (p.Min is null && p.Max is null))), name);
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void EveryDeclaredDefaultPassesItsOwnChecks(string name)
    {
        var op = OpRegistry.Get(name);
        foreach (var p in op.Params.Where(p => p.Default is not null))
        {
            // Writing the default explicitly must bind to the same value the binder fills in.
            string value = p.Default switch
            {
                string s => $"\"{s}\"",
                bool b => b ? "true" : "false",
                double[] a => "[" + string.Join(", ", a.Select(x => x.ToString("R", CultureInfo.InvariantCulture))) + "]",
                int[] a => "[" + string.Join(", ", a) + "]",
                ExpressionValue e => e.Text is { } t ? $"\"{t}\"" : e.Number!.Value.ToString("R", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => Convert.ToString(other, CultureInfo.InvariantCulture)!,
            };
            string kind = op.Inputs.RequiresStack ? "stack" : "image";
            var inputs = Enumerable.Range(0, Math.Max(1, op.Inputs.Min)).Select(k => $"i{k}").ToList();
            var text = $"xrayflow: 1\ninputs:\n{string.Concat(inputs.Select(i => $"  {i}: {kind}\n"))}steps:\n  - op: {name}\n    in: [{string.Join(", ", inputs)}]\n"
                + Required(op, except: p.Name)
                + $"    {p.Name}: {value}\n";
            var r = RecipeLoader.LoadText(text, "op.yaml");
            Assert.True(!r.HasErrors, $"default of {name}.{p.Name}:\n{text}\n{string.Join("\n", r.Diagnostics)}");
        }
    }
}

public class ShippedRecipeTests
{
    public static TheoryData<string> Recipes()
    {
        var data = new TheoryData<string>();
        string dir = Path.Combine(TestPaths.Root, "pipelines");
        foreach (var f in Directory.Exists(dir) ? Directory.GetFiles(dir, "*.yaml").Order(StringComparer.Ordinal).ToArray() : [])
        {
            data.Add(Path.GetFileName(f));
        }

        if (data.Count == 0)
        {
            data.Add(string.Empty);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void ShippedRecipeBindsWithoutErrors(string file)
    {
        if (file.Length == 0)
        {
            return; // no shipped recipes yet
        }

        var r = RecipeLoader.Load(Path.Combine(TestPaths.Root, "pipelines", file));
        Assert.True(!r.HasErrors, string.Join("\n", r.Diagnostics));
    }
}

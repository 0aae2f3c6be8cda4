using System.Text.Json;
using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Catalog;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Schema;
using XRayFlow.Pipeline.Tests.Binding;

namespace XRayFlow.Pipeline.Tests.Ops;

/// <summary>
/// What every declared op must have, driven by the registry: an example that binds and runs, rules that the binder
/// enforces as declared, a schema entry, its family's folder, generated docs that match. A new op is held to all of it
/// without touching this file.
/// </summary>
public partial class OpContractTests
{
    public static TheoryData<string> OpNames()
    {
        var data = new TheoryData<string>();
        foreach (var op in OpRegistry.All)
        {
            data.Add(op.Name);
        }

        return data;
    }

    public static TheoryData<string, int> Rules()
    {
        var data = new TheoryData<string, int>();
        foreach (var op in OpRegistry.All)
        {
            for (int k = 0; k < op.Rules.Count; k++)
            {
                data.Add(op.Name, k);
            }
        }

        return data;
    }

    /// <summary>
    /// A recipe reading <paramref name="inputs"/> inputs of <paramref name="kind"/> (default: a stack for ops that need
    /// one, else an image) into one step `s` with the given parameter lines.
    /// </summary>
    internal static string Recipe(OpDefinition op, int inputs, string paramLines, string? kind = null, bool afterStep = false)
    {
        kind ??= op.Inputs.RequiresStack ? "stack" : "image";
        var names = Enumerable.Range(0, inputs).Select(k => $"i{k}").ToList();
        string pre = afterStep ? string.Concat(names.Select(n => $"  - {{id: {n}_abs, op: abs, in: {n}}}\n")) : string.Empty;
        var read = afterStep ? names.Select(n => n + "_abs") : names;
        return $"xrayflow: 1\ninputs:\n{string.Concat(names.Select(n => $"  {n}: {kind}\n"))}steps:\n{pre}  - id: s\n    op: {op.Name}\n    in: [{string.Join(", ", read)}]\n"
            + paramLines
            + $"outputs:\n  s: {(op.Output is OutputKind.Table or OutputKind.Scalar ? "s.json" : "s.npy")}\n";
    }

    [Theory]
    [MemberData(nameof(OpNames))]
    public void ExampleBindsAndRunsOnAnXrayCrop(string name)
    {
        var op = OpRegistry.Get(name);
        if (op.Params.Any(p => p.Type == ParamType.Expression))
        {
            return; // expression ops need the compiler: tests/XRayFlow.Scripting.Tests runs them
        }

        int inputs = Math.Max(1, op.Inputs.Min);
        string text = Recipe(op, inputs, RegistryTests.Required(op));
        var loaded = RecipeLoader.LoadText(text, "example.yaml");
        Assert.True(!loaded.HasErrors, text + string.Join("\n", loaded.Diagnostics));
        var crop = Core.Codecs.Npy.NpyReader.Read(Path.Combine(OpFixtures.Dir, "inputs", op.Inputs.RequiresStack ? "stack3.npy" : "xray64.npy"));
        var plan = Planner.Create(loaded.Recipe!);
        var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 2);
        var values = exec.Run(Enumerable.Range(0, inputs).ToDictionary(k => $"i{k}", _ => crop));
        var value = values[plan.Resolve("s")];
        var expected = op.Output switch
        {
            OutputKind.Table => ValueKind.Table,
            OutputKind.Scalar => ValueKind.Scalar,
            OutputKind.Image => ValueKind.Image,
            _ => crop.IsStack ? ValueKind.Stack : ValueKind.Image,
        };
        Assert.Equal(expected, ValueInfo.Of(value).Kind);
        if (value is ArrayValue a)
        {
            Assert.DoesNotContain(a.Array.Data, float.IsNaN); // PixelPool.Poison fills rented arrays with NaN: every pixel was written
        }
    }

    /// <summary>
    /// The example on the smallest shapes a user can hand it (1 x 1, a row, a column, 2 x 3, a one-frame stack): it
    /// runs, or it is refused with a reason in words (a rule, a shape check, an argument our code refuses), never an
    /// exception of the runtime's (an index out of range, a null) that the executor would report as "{op} failed: ...".
    /// </summary>
    [Theory]
    [MemberData(nameof(OpNames))]
    public void ExampleRunsOrIsRefusedInWordsOnTinyShapes(string name)
    {
        var op = OpRegistry.Get(name);
        if (op.Params.Any(p => p.Type == ParamType.Expression))
        {
            return; // expression ops need the compiler: tests/XRayFlow.Scripting.Tests runs them
        }

        int inputs = Math.Max(1, op.Inputs.Min);
        var example = RegistryTests.Required(op).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        var variants = new List<string> { string.Concat(example.Select(l => l + "\n")) };
        foreach (var p in op.Params)
        {
            // Each value of each enum (modes, methods), and each spline order, on top of the example.
            var values = p.Type == ParamType.Enum ? p.Allowed!.Select(v => $"\"{v}\"")
                : p.Type == ParamType.EnumList ? p.Allowed!.Select(v => $"[{v}]")
                : p.Name == "order" && p.Type == ParamType.Int ? Enumerable.Range((int)(p.Min ?? 0), (int)(p.Max ?? 0) - (int)(p.Min ?? 0) + 1).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))
                : [];
            foreach (var v in values)
            {
                variants.Add(string.Concat(example.Where(l => l.Split(':')[0].Trim() != p.Name).Select(l => l + "\n")) + $"    {p.Name}: {v}\n");
            }
        }

        foreach (var lines in variants)
        {
            string text = Recipe(op, inputs, lines);
            var loaded = RecipeLoader.LoadText(text, "example.yaml");
            if (loaded.HasErrors)
            {
                Assert.True(!ReferenceEquals(lines, variants[0]), text + string.Join("\n", loaded.Diagnostics));
                continue; // a value the example's other parameters do not allow (a rule): the binder refused it, located
            }

            RunOnTinyShapes(op, inputs, Planner.Create(loaded.Recipe!), lines);
        }
    }

    private static void RunOnTinyShapes(OpDefinition op, int inputs, Plan plan, string lines)
    {
        string name = op.Name;
        var random = new Random(1234);
        foreach (var (frames, rows, cols) in new[] { (0, 1, 1), (0, 1, 9), (0, 9, 1), (0, 2, 3), (1, 4, 5), (2, 1, 3) })
        {
            if (op.Inputs.RequiresStack != (frames > 0) && (op.Inputs.RequiresStack || frames > 1))
            {
                continue;
            }

            var data = new float[Math.Max(1, frames) * rows * cols];
            for (int k = 0; k < data.Length; k++)
            {
                data[k] = random.Next(0, 256);
            }

            var image = frames > 0 ? ImageArray.Stack(frames, rows, cols, data) : new ImageArray(rows, cols, data);
            var exec = new PlanExecutor(plan, new Dictionary<string, Core.Expressions.IExpressionKernel>(), [], 2);
            try
            {
                exec.Run(Enumerable.Range(0, inputs).ToDictionary(k => $"i{k}", _ => image));
            }
            catch (StepFailedException e) when (e.InnerException is null or OpRefusedException || IsOwnRefusal(e.InnerException))
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Reason));
            }
            catch (Exception e)
            {
                Assert.Fail($"{name} on {image.ShapeText} with\n{lines}: {e.GetType().Name}: {e.Message} ({e.InnerException?.GetType().Name}: {e.InnerException?.Message})\n{e.InnerException?.StackTrace ?? e.StackTrace}");
            }
        }
    }

    /// <summary>An argument or state exception our own code throws with its reason (thrown in XRayFlow, not by the runtime).</summary>
    internal static bool IsOwnRefusal(Exception e)
        => (e.GetType() == typeof(ArgumentException) || e.GetType() == typeof(InvalidOperationException))
           && e.TargetSite?.DeclaringType?.Namespace?.StartsWith("XRayFlow", StringComparison.Ordinal) == true;

    [Theory]
    [MemberData(nameof(Rules))]
    public void EveryRuleIsEnforcedByTheBinderAtItsParameter(string name, int index)
    {
        var op = OpRegistry.Get(name);
        var rule = op.Rules[index];
        // The violation's parameters, and the required ones it does not give (from the example).
        var lines = string.Concat(RegistryTests.FlowEntries(rule.Violation).Select(e => $"    {e}\n"));
        var example = op.Example is { } ex ? RegistryTests.FlowEntries(ex).ToList() : [];
        foreach (var p in op.Params.Where(p => p.Required && !lines.Contains($"    {p.Name}:", StringComparison.Ordinal)))
        {
            lines = (example.FirstOrDefault(e => e.StartsWith(p.Name + ":", StringComparison.Ordinal)) is { } given ? $"    {given}\n" : RegistryTests.Required(op, only: p.Name)) + lines;
        }

        string text = Recipe(op, rule.ViolationInputs, lines, afterStep: rule.ViolationReadsAStep);
        var loaded = RecipeLoader.LoadText(text, "violation.yaml");
        var code = rule.Code ?? (rule.Severity == Severity.Error ? DiagnosticCodes.OpRuleBroken : DiagnosticCodes.OpRuleWarning);
        var d = loaded.Diagnostics.Where(x => x.Code == code.Code).ToList();
        Assert.True(d.Count == 1, $"rule '{rule.Description}' of {name}: expected one {code.Code}\n{text}\n{string.Join("\n", loaded.Diagnostics)}");
        Assert.Equal(rule.Severity == Severity.Error, loaded.HasErrors);
        if (rule.At is { } at && text.Contains($"    {at}:", StringComparison.Ordinal))
        {
            int line = text[..text.IndexOf($"    {at}:", StringComparison.Ordinal)].Count(c => c == '\n') + 1;
            Assert.Equal(line, d[0].Location!.Value.Line);
        }
    }

    [Fact]
    public void EveryOpHasASchemaEntryAndADocSection()
    {
        using var schema = JsonDocument.Parse(SchemaGenerator.Generate());
        var defs = schema.RootElement.GetProperty("$defs");
        string docs = OpDocs.Markdown();
        foreach (var op in OpRegistry.All)
        {
            Assert.True(defs.TryGetProperty($"op.{op.Name}", out _), $"no schema entry for {op.Name}");
            Assert.Contains($"### `{op.Name}`", docs, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryOpIsDeclaredInItsFamilyFolder()
    {
        foreach (var op in OpRegistry.All)
        {
            Assert.Equal($"XRayFlow.Core.Ops.{op.Family}", op.DeclaringType!.Namespace);
            string folder = Path.Combine(TestPaths.Root, "src", "XRayFlow.Core", "Ops", op.Family.ToString());
            Assert.True(File.Exists(Path.Combine(folder, op.DeclaringType.Name + ".cs")), $"{op.Name}: {op.DeclaringType.Name}.cs is not in {folder}");
        }
    }

    [Fact]
    public void DocsOpsMarkdownAndTheReadmeListAreGeneratedFromTheRegistry()
    {
        string docsPath = Path.Combine(TestPaths.Root, "docs", "ops.md");
        string readmePath = Path.Combine(TestPaths.Root, "README.md");
        string readme = File.ReadAllText(readmePath);
        int begin = readme.IndexOf(OpDocs.ReadmeBegin, StringComparison.Ordinal);
        int end = readme.IndexOf(OpDocs.ReadmeEnd, StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, "README.md has no generated op list (the ops:begin / ops:end markers)");
        string regenerated = readme[..begin] + OpDocs.ReadmeList() + readme[(end + OpDocs.ReadmeEnd.Length)..];
        if (Environment.GetEnvironmentVariable("XRAYFLOW_REGENERATE_DOCS") == "1")
        {
            File.WriteAllText(docsPath, OpDocs.Markdown());
            File.WriteAllText(readmePath, regenerated);
        }

        Assert.True(File.Exists(docsPath) && File.ReadAllText(docsPath) == OpDocs.Markdown(), "docs/ops.md differs from the registry: regenerate with XRAYFLOW_REGENERATE_DOCS=1 dotnet test tests/XRayFlow.Pipeline.Tests --filter OpContractTests");
        Assert.True(readme == regenerated, "README.md's op list differs from the registry: regenerate with XRAYFLOW_REGENERATE_DOCS=1 dotnet test tests/XRayFlow.Pipeline.Tests --filter OpContractTests");
    }

    [Fact]
    public void NoOpNameIsAStringLiteralOutsideTheOpDeclarations()
    {
        var names = OpRegistry.All.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(TestPaths.Root, "src"), "*.cs", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(TestPaths.Root, file).Replace('\\', '/');
            if (rel.Contains("/bin/", StringComparison.Ordinal) || rel.Contains("/obj/", StringComparison.Ordinal) || IsDeclaration(rel))
            {
                continue;
            }

            int line = 0;
            foreach (var text in File.ReadLines(file))
            {
                line++;
                if (text.TrimStart().StartsWith("//", StringComparison.Ordinal))
                {
                    continue; // comments and doc comments name ops in prose
                }

                foreach (Match m in Literal().Matches(text))
                {
                    // `["label"] = ...` builds a JSON property of that name (the schema's snippet label), not an op key.
                    bool jsonProperty = m.Index > 0 && text[m.Index - 1] == '[' && text.AsSpan(m.Index + m.Length).TrimStart().StartsWith("] =", StringComparison.Ordinal);
                    if (names.Contains(m.Groups[1].Value) && !jsonProperty)
                    {
                        found.Add($"{rel}:{line}: \"{m.Groups[1].Value}\"");
                    }
                }
            }
        }

        Assert.True(found.Count == 0, "op names keyed outside their declarations (give the op a declared property instead):\n" + string.Join("\n", found));
    }

    [Fact]
    public void NamespacesMatchFolders()
    {
        var wrong = new List<string>();
        // Every src project, and the Core tests, which mirror Core's folders (Ops/<Family>/, Codecs/<Format>/).
        var projects = Directory.GetDirectories(Path.Combine(TestPaths.Root, "src")).Append(Path.Combine(TestPaths.Root, "tests", "XRayFlow.Core.Tests"));
        foreach (var project in projects)
        {
            string root = Path.GetFileName(project);
            var csproj = Directory.GetFiles(project, "*.csproj").FirstOrDefault();
            if (csproj is not null && RootNamespace().Match(File.ReadAllText(csproj)) is { Success: true } rn)
            {
                root = rn.Groups[1].Value; // a project may declare its root namespace (the XRayFlow facade's is XRayFlow)
            }
            foreach (var file in Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(project, Path.GetDirectoryName(file)!).Replace('\\', '/');
                if (rel.StartsWith("bin", StringComparison.Ordinal) || rel.StartsWith("obj", StringComparison.Ordinal))
                {
                    continue;
                }

                string expected = rel == "." ? root : root + "." + rel.Replace('/', '.');
                var ns = Namespace().Match(File.ReadAllText(file));
                if (ns.Success && ns.Groups[1].Value != expected)
                {
                    wrong.Add($"{Path.GetRelativePath(TestPaths.Root, file)}: namespace {ns.Groups[1].Value}, folder says {expected}");
                }
            }
        }

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void TestOnlyOpsNeverShadowRealOnes()
    {
        foreach (var (name, op) in TestOps.All.Concat(Execution.RunKit.Ops))
        {
            if (OpRegistry.TryGet(name, out var real))
            {
                Assert.Same(real, op);
            }
        }
    }

    private static bool IsDeclaration(string rel) => rel.StartsWith("src/XRayFlow.Core/Ops/", StringComparison.Ordinal) && rel.EndsWith("Ops.cs", StringComparison.Ordinal);

    [GeneratedRegex("\"([a-z0-9_]+)\"")]
    private static partial Regex Literal();

    [GeneratedRegex(@"<RootNamespace>([A-Za-z0-9_.]+)</RootNamespace>")]
    private static partial Regex RootNamespace();

    [GeneratedRegex(@"^namespace ([A-Za-z0-9_.]+);", RegexOptions.Multiline)]
    private static partial Regex Namespace();
}

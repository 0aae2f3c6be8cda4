using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Tests.Binding;

/// <summary>
/// Recipe diagnostics (XRF1xxx) go through typed methods only: one DiagnosticBag method per code, taking one
/// parameter per placeholder of the code's text, and no generic Report(DiagnosticCodes.X, ...) call in the binder,
/// the YAML reader or the loader.
/// </summary>
public class RecipeDiagnosticsTests
{
    private static readonly IReadOnlyList<FieldInfo> RecipeCodes = typeof(DiagnosticCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(DiagnosticDescriptor) && ((DiagnosticDescriptor)f.GetValue(null)!).Code.StartsWith("XRF1", StringComparison.Ordinal))
        .ToList();

    private static readonly IReadOnlyList<MethodInfo> BagMethods = typeof(DiagnosticBag)
        .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly);

    [Fact]
    public void EveryRecipeCodeHasExactlyOneTypedReportMethod()
    {
        Assert.True(RecipeCodes.Count >= 60, $"found only {RecipeCodes.Count} XRF1xxx codes");
        var problems = new List<string>();
        foreach (var field in RecipeCodes)
        {
            var users = BagMethods.Where(m => FieldsLoadedBy(m).Contains(field)).Select(m => m.Name).ToList();
            if (users.Count != 1 || users[0] != "Report" + field.Name)
            {
                problems.Add($"{field.Name}: loaded by [{string.Join(", ", users)}]; expected exactly Report{field.Name}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void EachTypedMethodReportsOneCodeWithOneParameterPerPlaceholder()
    {
        var problems = new List<string>();
        foreach (var method in BagMethods.Where(m => m.IsPublic && m.Name.StartsWith("Report", StringComparison.Ordinal) && m.Name != "Report"))
        {
            var codes = FieldsLoadedBy(method).Where(RecipeCodes.Contains).Distinct().ToList();
            if (codes.Count != 1)
            {
                problems.Add($"{method.Name} loads {codes.Count} XRF1xxx descriptors");
                continue;
            }

            var descriptor = (DiagnosticDescriptor)codes[0].GetValue(null)!;
            var parameters = method.GetParameters();
            int values = parameters.Count(p => p.ParameterType != typeof(SourceLocation) && p.ParameterType != typeof(SourceLocation?));
            int placeholders = Placeholders(descriptor.Format);
            if (values != placeholders || parameters.Any(p => p.ParameterType == typeof(object) || p.ParameterType == typeof(object[])))
            {
                problems.Add($"{method.Name}: {values} typed value parameters for {placeholders} placeholders in '{descriptor.Format}'");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void TheTypedMethodsProduceTheCodesOwnText()
    {
        var bag = new DiagnosticBag();
        var at = new SourceLocation("r.yaml", 3, 5);
        bag.ReportUnknownOp(at, "gausian_filter", "; did you mean 'gaussian_filter'?");
        bag.ReportDuplicateName(at, "blur", "a step", 7);
        bag.ReportUnknownSetParam("sigma", string.Empty);
        Assert.Equal(
            [
                "r.yaml:3:5: error XRF1003: unknown op 'gausian_filter'; did you mean 'gaussian_filter'?",
                "r.yaml:3:5: error XRF1028: the name 'blur' is already used by a step on line 7",
                "xrayflow: error XRF1046: --set sigma: the recipe has no param 'sigma'",
            ],
            bag.Select(d => d.ToString()));
    }

    [Theory]
    [InlineData("src/XRayFlow.Pipeline/Binding")]
    [InlineData("src/XRayFlow.Pipeline/Syntax")]
    [InlineData("src/XRayFlow.Pipeline/RecipeLoader.cs")]
    public void RecipeCodeIsNeverReportedThroughTheGenericMethods(string path)
    {
        string full = Path.Combine(TestPaths.Root, path);
        var files = Directory.Exists(full) ? Directory.GetFiles(full, "*.cs", SearchOption.AllDirectories) : [full];
        Assert.NotEmpty(files);
        var recipeNames = RecipeCodes.Select(f => f.Name).ToHashSet(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var file in files)
        {
            string text = File.ReadAllText(file);
            if (text.Contains("Report(DiagnosticCodes.", StringComparison.Ordinal))
            {
                problems.Add($"{Path.GetFileName(file)}: Report(DiagnosticCodes.");
            }

            foreach (Match m in Regex.Matches(text, @"DiagnosticCodes\.(\w+)\.Create\("))
            {
                if (recipeNames.Contains(m.Groups[1].Value))
                {
                    problems.Add($"{Path.GetFileName(file)}: DiagnosticCodes.{m.Groups[1].Value}.Create(");
                }
            }
        }

        Assert.Empty(problems);
    }

    /// <summary>An op rule with a dedicated code is reported under that code (the binder dispatches it to its typed method).</summary>
    [Fact]
    public void EveryDedicatedRuleCodeIsReportedUnderItsCode()
    {
        var rules = OpRegistry.All.SelectMany(op => op.Rules.Where(r => r.Code is not null).Select(r => (op, r))).ToList();
        Assert.NotEmpty(rules);
        foreach (var (op, rule) in rules)
        {
            var names = Enumerable.Range(0, rule.ViolationInputs).Select(i => $"i{i}").ToList();
            string inputs = string.Join(", ", names.Select(n => $"{n}: image"));
            string extra = rule.Violation.Trim().TrimStart('{').TrimEnd('}').Trim();
            string step = $"{{op: {op.Name}, in: [{string.Join(", ", names)}]{(extra.Length > 0 ? ", " + extra : string.Empty)}}}";
            var r = RecipeLoader.LoadText($"xrayflow: 1\ninputs: {{{inputs}}}\nsteps:\n  - {step}\n", "r.yaml");
            Assert.Contains(r.Diagnostics, d => d.Code == rule.Code!.Code && d.Severity == rule.Code.Severity);
        }
    }

    /// <summary>The count of distinct {n} placeholders in a format ("{{" and "}}" are literal braces).</summary>
    private static int Placeholders(string format)
        => Regex.Matches(format.Replace("{{", string.Empty, StringComparison.Ordinal).Replace("}}", string.Empty, StringComparison.Ordinal), @"\{(\d+)[^}]*\}")
            .Select(m => m.Groups[1].Value)
            .Distinct(StringComparer.Ordinal)
            .Count();

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The static and instance fields a method's IL loads (ldsfld, ldfld, ldsflda...), decoded instruction by instruction.</summary>
    private static List<FieldInfo> FieldsLoadedBy(MethodInfo method)
    {
        var fields = new List<FieldInfo>();
        byte[] il = method.GetMethodBody()?.GetILAsByteArray() ?? [];
        int i = 0;
        while (i < il.Length)
        {
            bool twoBytes = il[i] == 0xFE;
            short value = twoBytes ? unchecked((short)(0xFE00 | il[i + 1])) : il[i];
            i += twoBytes ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op.OperandType == OperandType.InlineField)
            {
                fields.Add(method.Module.ResolveField(BitConverter.ToInt32(il, i))!);
            }

            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, i)),
                _ => 4,
            };
        }

        return fields;
    }
}

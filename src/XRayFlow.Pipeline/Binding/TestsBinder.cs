using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// The `tests:` section (`xrayflow test`): each test {name, inputs, expect} names input files (relative to the
/// recipe) and, per output, a digest or a reference .npy with a tolerance.
/// </summary>
internal sealed partial class TestsBinder(BindingContext context, IReadOnlyList<BoundInput> inputs, IReadOnlyList<BoundOutput> outputs)
{
    private static readonly IReadOnlyList<string> TestKeys = ["name", "inputs", "expect"];
    private static readonly IReadOnlyList<string> ExpectationKeys = ["digest", "npy", "tolerance"];

    private readonly BindingContext _c = context;
    private readonly List<string> _inputNames = inputs.Select(i => i.Name).ToList();
    private readonly List<string> _outputNames = outputs.Select(o => o.Name).ToList();

    [GeneratedRegex("^sha256:[0-9a-fA-F]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Digest();

    public List<RecipeTest> Bind(YamlEntry? entry)
    {
        var tests = new List<RecipeTest>();
        if (entry is null || entry.Value is YamlScalar { IsNull: true })
        {
            return tests;
        }

        if (entry.Value is not YamlSequence seq)
        {
            _c.Diagnostics.ReportWrongNodeType(entry.Value.Start, "'tests'", "a list of {name, inputs, expect}", entry.Value.Describe());
            return tests;
        }

        string folder = _c.Folder;
        for (int index = 1; index <= seq.Items.Count; index++)
        {
            var item = seq.Items[index - 1];
            if (item is not YamlMapping m)
            {
                _c.Diagnostics.ReportWrongNodeType(item.Start, $"test {index}", "a map {name, inputs, expect}", item.Describe());
                continue;
            }

            tests.Add(BindTest(m, index, folder));
        }

        return tests;
    }

    private RecipeTest BindTest(YamlMapping m, int index, string folder)
    {
        foreach (var k in m.Entries.Where(k => !TestKeys.Contains(k.Key.Value)))
        {
            _c.Diagnostics.ReportUnknownKey(k.Key.Start, k.Key.Value, "a test", DidYouMean.Suffix(k.Key.Value, TestKeys));
        }

        string name = m.Find("name") is { } ne && _c.ReadText(ne.Value, "a test's name") is { } n ? n : $"test_{index}";
        var inputLocations = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var inputs = m.Find("inputs") is { } ie ? BindInputs(name, ie.Value, folder, inputLocations) : [];
        var expectations = BindExpect(m, name, folder);
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var x in expectations)
        {
            if (x.Digest is { } dg)
            {
                digests[x.Output] = dg;
            }
        }

        double tolerance = expectations.Where(x => x.NpyPath is not null).Select(x => x.Tolerance).DefaultIfEmpty(0).Max();
        return new RecipeTest(name, inputs, digests, tolerance, m.Start) { Expectations = expectations, InputLocations = inputLocations };
    }

    /// <summary>`inputs: {input: path}`: each path resolved against the recipe's folder.</summary>
    private Dictionary<string, string> BindInputs(string test, YamlNode node, string folder, Dictionary<string, SourceLocation> locations)
    {
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is not YamlMapping im)
        {
            _c.Diagnostics.ReportWrongNodeType(node.Start, $"the inputs of test '{test}'", "a map of input: path", node.Describe());
            return inputs;
        }

        foreach (var i in im.Entries)
        {
            if (!_inputNames.Contains(i.Key.Value))
            {
                _c.Diagnostics.ReportTestUnknownName(i.Key.Start, test, "input", i.Key.Value, DidYouMean.Suffix(i.Key.Value, _inputNames));
            }
            else if (_c.ReadPath(i.Value, $"the path of test input '{i.Key.Value}'") is { } p)
            {
                inputs[i.Key.Value] = Path.GetFullPath(Path.Combine(folder, p));
                locations[i.Key.Value] = i.Value.Start;
            }
        }

        return inputs;
    }

    /// <summary>`expect: {output: expectation}`, in file order (outputs the recipe lacks are reported and skipped).</summary>
    private List<RecipeTestExpectation> BindExpect(YamlMapping m, string test, string folder)
    {
        var expectations = new List<RecipeTestExpectation>();
        if (m.Find("expect") is not { } ee)
        {
            _c.Diagnostics.ReportMissingKey(m.Start, $"test '{test}'", "expect");
            return expectations;
        }

        if (ee.Value is not YamlMapping em)
        {
            _c.Diagnostics.ReportWrongNodeType(ee.Value.Start, $"'expect' of test '{test}'", "a map of output: digest", ee.Value.Describe());
            return expectations;
        }

        foreach (var x in em.Entries)
        {
            string output = x.Key.Value;
            if (!_outputNames.Contains(output))
            {
                _c.Diagnostics.ReportTestUnknownName(x.Key.Start, test, "output", output, DidYouMean.Suffix(output, _outputNames));
            }
            else if (BindExpectation(output, x.Value, folder) is { } expectation)
            {
                expectations.Add(expectation);
            }
        }

        return expectations;
    }

    /// <summary>"sha256:..." or {digest} or {npy, tolerance}.</summary>
    private RecipeTestExpectation? BindExpectation(string output, YamlNode node, string folder)
    {
        if (node is YamlScalar s && !s.IsNull)
        {
            return CheckDigest(s) is { } d ? new RecipeTestExpectation(output, d, null, 0, s.Start) : null;
        }

        if (node is not YamlMapping m)
        {
            _c.Diagnostics.ReportWrongNodeType(node.Start, $"the expectation of output '{output}'", "\"sha256:...\" or {digest} or {npy, tolerance}", node.Describe());
            return null;
        }

        var (digest, npy, tolerance, ok) = ReadExpectationKeys(output, m, folder);
        if (digest is null && npy is null && ok)
        {
            _c.Diagnostics.ReportMissingKey(m.Start, $"the expectation of output '{output}'", "digest' or 'npy");
            return null;
        }

        return ok ? new RecipeTestExpectation(output, digest, npy, npy is null ? 0 : tolerance, m.Start) : null;
    }

    private (string? Digest, string? Npy, double Tolerance, bool Ok) ReadExpectationKeys(string output, YamlMapping m, string folder)
    {
        string? digest = null;
        string? npy = null;
        double tolerance = 1e-4;
        bool ok = true;
        foreach (var k in m.Entries)
        {
            switch (k.Key.Value)
            {
                case "digest" when k.Value is YamlScalar ds && !ds.IsNull:
                    digest = CheckDigest(ds);
                    ok &= digest is not null;
                    break;
                case "digest":
                    _c.Diagnostics.ReportWrongNodeType(k.Value.Start, "'digest'", "\"sha256:<hex>\"", k.Value.Describe());
                    ok = false;
                    break;
                case "npy" when _c.ReadPath(k.Value, "'npy'") is { } p:
                    npy = Path.GetFullPath(Path.Combine(folder, p));
                    break;
                case "npy":
                    ok = false; // reported by ReadText
                    break;
                case "tolerance" when k.Value is YamlScalar ts && ts.TryGetNumber(out double t) && t >= 0:
                    tolerance = t;
                    break;
                case "tolerance":
                    _c.Diagnostics.ReportWrongNodeType(k.Value.Start, "'tolerance'", "a number >= 0", k.Value.Describe());
                    ok = false;
                    break;
                default:
                    _c.Diagnostics.ReportUnknownKey(k.Key.Start, k.Key.Value, $"the expectation of output '{output}'", DidYouMean.Suffix(k.Key.Value, ExpectationKeys));
                    ok = false;
                    break;
            }
        }

        return (digest, npy, tolerance, ok);
    }

    private string? CheckDigest(YamlScalar s)
    {
        if (Digest().IsMatch(s.Value))
        {
            return s.Value.ToLowerInvariant();
        }

        _c.Diagnostics.ReportBadDigest(s.Start, s.Value);
        return null;
    }
}

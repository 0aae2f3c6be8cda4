using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Tests.Ops;

/// <summary>
/// Every case of tests/fixtures/ops/ (SciPy / scikit-image / NumPy references from tests/fixtures/gen_ops.py),
/// each bound as a one-step recipe and run through the real planner and executor.
/// </summary>
public class OpFixtureTests
{
    public static TheoryData<int, string> CaseIndices()
    {
        var data = new TheoryData<int, string>();
        foreach (var c in OpFixtures.Cases)
        {
            data.Add(c.Index, c.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIndices))]
    public void MatchesTheReference(int index, string description)
    {
        var c = OpFixtures.Cases[index];
        var value = OpFixtures.Run(c);
        switch (c.Kind)
        {
            case "array":
                CompareArray(c, Assert.IsType<ArrayValue>(value).Array, description);
                if (c.Case.TryGetProperty("fields", out var fields))
                {
                    foreach (var field in fields.EnumerateObject())
                    {
                        Assert.True(value.Field(field.Name) == field.Value.GetDouble(), $"{description}: field '{field.Name}' is {value.Field(field.Name)}, want {field.Value.GetDouble()}");
                    }
                }

                break;
            case "scalar":
                CompareNumber(c, c.Case.GetProperty("value").GetDouble(), Assert.IsType<ScalarValue>(value).Number, description);
                break;
            default:
                var table = Assert.IsType<TableValue>(value);
                foreach (var field in c.Case.GetProperty("value").EnumerateObject())
                {
                    var got = table[field.Name] ?? throw new Xunit.Sdk.XunitException($"{description}: the table has no field '{field.Name}'");
                    if (field.Value.ValueKind == System.Text.Json.JsonValueKind.Array)
                    {
                        var want = field.Value.EnumerateArray().Select(e => e.GetDouble()).ToArray();
                        var have = ((System.Collections.IEnumerable)got).Cast<object>().Select(o => Convert.ToDouble(o, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
                        Assert.Equal(want.Length, have.Length);
                        for (int k = 0; k < want.Length; k++)
                        {
                            CompareNumber(c, want[k], have[k], $"{description} {field.Name}[{k}]");
                        }
                    }
                    else
                    {
                        CompareNumber(c, field.Value.GetDouble(), Convert.ToDouble(got, System.Globalization.CultureInfo.InvariantCulture), $"{description} {field.Name}");
                    }
                }

                break;
        }
    }

    [Fact]
    public void EveryOpHasFixtures()
    {
        var covered = OpFixtures.Cases.Select(c => c.Op).ToHashSet(StringComparer.Ordinal);
        var elsewhere = OpFixtures.CoveredElsewhere;
        var missing = OpRegistry.All.Where(o => !covered.Contains(o.Name) && !elsewhere.ContainsKey(o.Name)).Select(o => o.Name).ToList();
        Assert.True(missing.Count == 0, "ops without fixtures (add cases to tests/fixtures/opcases/<family>.py and run tests/fixtures/regen gen_ops.py): " + string.Join(", ", missing));
        var unknown = covered.Concat(elsewhere.Keys).Where(n => !OpRegistry.TryGet(n, out _)).ToList();
        Assert.True(unknown.Count == 0, "fixtures of ops the registry does not have: " + string.Join(", ", unknown));
    }

    private static void CompareArray(OpFixtureCase c, Core.Imaging.ImageArray got, string description)
    {
        var (real, imag, shape) = OpFixtures.Expected(c);
        Assert.Equal(shape, got.Shape);
        ComparePart(c, real, got.Data, description);
        if (imag is not null)
        {
            Assert.NotNull(got.Imag);
            ComparePart(c, imag, got.Imag!, description + " (imaginary part)");
        }
    }

    private static void ComparePart(OpFixtureCase c, float[] want, float[] have, string description)
    {
        // The scale is the largest finite magnitude (an infinity in want would allow anything); a NaN or an infinity
        // in want must be in have exactly (the same infinity), and one in have alone is infinitely wrong.
        double scale = c.Compare == "relative" ? Math.Max(want.Where(float.IsFinite).Select(v => Math.Abs((double)v)).DefaultIfEmpty(0).Max(), 1e-30) : 1;
        double worst = 0;
        int at = -1;
        for (int k = 0; k < want.Length; k++)
        {
            double d = want[k] == have[k] || (float.IsNaN(want[k]) && float.IsNaN(have[k])) ? 0
                : float.IsFinite(want[k]) && float.IsFinite(have[k]) ? Math.Abs((double)want[k] - have[k]) : double.PositiveInfinity;
            if (double.IsNaN(d) || d > worst)
            {
                worst = double.IsNaN(d) ? double.PositiveInfinity : d;
                at = k;
            }
        }

        double limit = c.Compare == "exact" ? 0 : c.Tolerance * scale;
        Assert.True(worst <= limit, $"{description}: worst difference {worst} at flat index {at} (want {(at >= 0 ? want[at] : 0)}, got {(at >= 0 ? have[at] : 0)}), limit {limit}");
    }

    private static void CompareNumber(OpFixtureCase c, double want, double have, string description)
    {
        double limit = c.Compare switch
        {
            "exact" => 0,
            "absolute" => c.Tolerance,
            _ => c.Tolerance * Math.Max(Math.Abs(want), 1e-30),
        };
        Assert.True(Math.Abs(want - have) <= limit || want.Equals(have), $"{description}: want {want:R}, got {have:R} (limit {limit})");
    }
}

using CsCheck;
using XRayFlow.Tests.Shared;

namespace XRayFlow.Pipeline.Tests.Syntax;

/// <summary>Loading never throws, whatever the text: every problem is a located diagnostic.</summary>
public class RobustnessTests
{
    private static readonly string Example = File.ReadAllText(Path.Combine(TestPaths.Fixtures, "recipes", "tutorial-canny.yaml"));

    /// <summary>Loads, asserts, and returns the first error's code ("valid" when none).</summary>
    private static string LoadsWithoutThrowing(string text)
    {
        var r = TestOps.Load(text);
        Assert.Equal(r.HasErrors, r.Recipe is null);
        Assert.All(r.Diagnostics, d =>
        {
            Assert.StartsWith("XRF", d.Code);
            Assert.True(d.Location is null || (d.Location.Value.Line >= 1 && d.Location.Value.Column >= 1), d.ToString());
        });
        return r.HasErrors ? r.Diagnostics.First(d => d.IsError).Code : "valid";
    }

    /// <summary>1,500 mutations by default; XRAYFLOW_FUZZ_SECONDS=N runs for N seconds (random seed) and, with
    /// XRAYFLOW_FUZZ_REPORT=PATH, writes the count of each first error code to PATH.recipes.</summary>
    [Fact]
    public void MutatedRecipesNeverThrow()
    {
        int seconds = FuzzReport.Seconds;
        long n = 0;
        var codes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        const string alphabet = " \n\t:-[]{},'\"#&*!|>?%@`~${}abcxyz0123456789._";
        var edit = Gen.Select(Gen.Int[0, Example.Length], Gen.Int[0, 8], Gen.Char[alphabet].Array[0, 6]);
        edit.Array[1, 6].Sample(
            edits =>
            {
                string text = Example;
                foreach (var (at, delete, insert) in edits)
                {
                    int start = Math.Min(at, text.Length);
                    int count = Math.Min(delete, text.Length - start);
                    text = text.Remove(start, count).Insert(start, new string(insert));
                }

                codes.AddOrUpdate(LoadsWithoutThrowing(text), 1, (_, v) => v + 1);
                Interlocked.Increment(ref n);
            },
            iter: seconds > 0 ? -1 : 1500,
            time: seconds,
            threads: 1,
            seed: seconds > 0 ? null : "0N0XIzNsQ0O2");
        if (seconds > 0)
        {
            FuzzReport.Write("recipes", [$"recipe fuzz: {n} mutated recipes in {seconds} s, 0 exceptions; first error code of each:", .. codes.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Value,8}  {kv.Key}")]);
        }
    }

    [Fact]
    public void RandomTextNeverThrows()
        => Gen.String[Gen.Char[" \n:-[]{},'\"#&*!|>?abc01"], 0, 80].Sample(text => _ = LoadsWithoutThrowing(text), iter: 1500, seed: "0N0XIzNsQ0O2");

    [Fact]
    public void VeryDeepNestingIsRefusedNotOverflowed()
    {
        var r = TestOps.Load("xrayflow: 1\ninputs:\n  xray: image\nsteps: []\ndescription: " + new string('[', 500_000) + new string(']', 500_000) + "\n");
        Assert.Equal("recipe.yaml:5:77: error XRF1007: the recipe nests maps and lists deeper than 64 levels", Assert.Single(r.Diagnostics).ToString());
    }

    [Fact]
    public void AliasBombIsRefusedWithoutExpansion()
    {
        var text = "xrayflow: 1\ninputs:\n  xray: image\nsteps: []\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        var r = TestOps.Load(text);
        Assert.Equal(3 + 27, r.Diagnostics.Count(d => d.Code == "XRF1005"));
    }
}

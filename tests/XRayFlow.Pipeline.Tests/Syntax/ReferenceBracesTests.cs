using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Tests.Syntax;

/// <summary>
/// <c>${name}</c> unquoted inside a flow list or map (<c>in_range: [${p1}, ${p99}]</c>, as the recipe language writes
/// it) reads as the quoted items would, at the same lines and columns; text anywhere else keeps its braces.
/// </summary>
public class ReferenceBracesTests
{
    private const string Head = "xrayflow: 1\ninputs:\n  xray: image\n";

    private static string Recipe(string inRange, string description = "x") =>
        Head + "description: " + description + "\nparams:\n  lo: 1\nsteps:\n"
        + "  - id: p99\n    op: percentile\n    in: xray\n    q: 99\n"
        + "  - op: rescale_intensity\n    in: xray\n    in_range: " + inRange + "\n    out_range: [0, 1]\n"
        + "outputs:\n  rescale_intensity: r.npy\n";

    [Theory]
    [InlineData("[${lo}, ${p99}]")]
    [InlineData("[ ${lo} , ${p99} ]")]
    [InlineData("[${lo},${p99}]")]
    [InlineData("[\"${lo}\", ${p99}]")]
    [InlineData("\n      - ${lo}\n      - ${p99}")]
    public void UnquotedReferencesInAFlowListMeanWhatQuotedOnesMean(string inRange)
    {
        var quoted = TestOps.Load(Recipe("[\"${lo}\", \"${p99}\"]"));
        var r = TestOps.Load(Recipe(inRange));
        Assert.False(quoted.HasErrors, string.Join("\n", quoted.Diagnostics));
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal(quoted.Recipe!.CanonicalText, r.Recipe!.CanonicalText);
        Assert.Contains("p99", r.Recipe.Steps.Single(s => s.Id == "rescale_intensity").ParamSources);
    }

    [Fact]
    public void ABadReferenceInAFlowListIsReportedAtItsOwnColumn()
    {
        // line 14 is "    in_range: [${lo}, ${nope}]": '${nope}' starts at column 23.
        var r = TestOps.Load(Recipe("[${lo}, ${nope}]"));
        var d = Assert.Single(r.Diagnostics, x => x.IsError);
        Assert.Equal(DiagnosticCodes.UnknownParamRef.Code, d.Code);
        Assert.Equal((14, 23), (d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains("'${nope}'", d.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"a ${b} c {d}\"", "a ${b} c {d}")]
    [InlineData("'${x} and ${ y }'", "${x} and ${ y }")]
    [InlineData("plain ${x} text", "plain ${x} text")]
    [InlineData("|\n  block ${x}\n  ${y}", "block ${x}\n${y}\n")]
    public void BracesOutsideFlowCollectionsComeBackUnchanged(string yaml, string expected)
    {
        var r = TestOps.Load(Recipe("[1, 2]", yaml));
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal(expected, r.Recipe!.Description);
    }

    [Fact]
    public void ATextHoldingTheShieldCharactersIsParsedAsWritten()
    {
        // No brace is shielded, so the unquoted reference in the flow list is the YAML error strict YAML makes it,
        // and the private-use character in the description is kept as it is.
        string text = Recipe("[${lo}, 2]", "\"mark \uE000 here\"");
        Assert.Equal(text, ReferenceBraces.Shield(text));
        var r = TestOps.Load(text);
        Assert.Equal(DiagnosticCodes.YamlSyntax.Code, r.Diagnostics.First(d => d.IsError).Code);

        r = TestOps.Load(Recipe("[1, 2]", "\"mark \uE000 here ${x}\""));
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal("mark \uE000 here ${x}", r.Recipe!.Description);

        // The closing character alone also leaves the text as written: shielding it would give it back as '}'.
        text = Recipe("[1, 2]", "\"mark \uE001 here ${x}\"");
        Assert.Equal(text, ReferenceBraces.Shield(text));
        r = TestOps.Load(text);
        Assert.False(r.HasErrors, string.Join("\n", r.Diagnostics));
        Assert.Equal("mark \uE001 here ${x}", r.Recipe!.Description);
    }

    [Fact]
    public void BracesOnTwoLinesAreNotShielded()
    {
        // Only a ${...} on one line is shielded: across a line break the braces stay, and strict YAML refuses them.
        const string text = "k: [${a\n  }, 1]\n";
        Assert.Same(text, ReferenceBraces.Shield(text));
        var bag = new DiagnosticBag();
        Assert.Null(YamlTreeReader.Read(text, "t.yaml", bag));
        Assert.Equal("t.yaml:1:6: error XRF1001: invalid YAML: While parsing a flow sequence, did not find expected ',' or ']'", Assert.Single(bag).ToString());
    }

    [Theory]
    [InlineData("[1, 2", 14, 15, "this '[' is never closed with ']'")]
    [InlineData("[${lo}, ${p99}", 14, 15, "this '[' is never closed with ']'")]
    [InlineData("{a: 1", 14, 15, "this '{' is never closed with '}'")]
    [InlineData("[1, [2, 3]", 14, 15, "this '[' is never closed with ']'")]
    public void AFlowCollectionNeverClosedIsReportedWhereItOpens(string inRange, int line, int column, string message)
    {
        var r = TestOps.Load(Recipe(inRange));
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(DiagnosticCodes.YamlSyntax.Code, d.Code);
        Assert.Equal((line, column), (d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
    }
}

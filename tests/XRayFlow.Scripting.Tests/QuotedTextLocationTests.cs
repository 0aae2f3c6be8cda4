using XRayFlow.Core.Expressions;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Tests;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// An expression error inside quoted or folded YAML text points at the character the recipe wrote, whatever YAML
/// escapes (<c>\t</c>, <c>\"</c>, <c>\u0020</c>, <c>\U0001F600</c>, an escaped line break, <c>''</c>) or line folding
/// (a multi-line quoted scalar, a <c>&gt;</c> block) stand before it: the value the compiler reads differs from the
/// written text there, so the column is not the text's start plus the offset in the value.
/// </summary>
public sealed class QuotedTextLocationTests
{
    private const string Head = "xrayflow: 1\ninputs:\n  xray: image\nparams:\n  threshold: 3\nsteps:\n  - id: m\n    op: map\n    in: {x: xray}\n";

    /// <summary>(code, annotated recipe): the marked span is where the one error of that code must point.</summary>
    public static TheoryData<string, string> Cases => new()
    {
        // The example of the bug report: the C# text is "\t x +* 2", whose '*' reads as a pointer indirection.
        { "XRF3002", Head + "    expr: \"\\t x +[|*|] 2\"\n" },
        // A syntax error (text after the expression) after each kind of escape.
        { "XRF3001", Head + "    expr: \"\\tx [|2|]\"\n" },
        { "XRF3001", Head + "    expr: \"x == \\\"a\\\" [|2|]\"\n" },
        { "XRF3001", Head + "    expr: \"x\\u0020[|2|]\"\n" },
        { "XRF3001", Head + "    expr: \"\\\"\\U0001F600\\\" [|2|]\"\n" },
        { "XRF3001", Head + "    expr: \"\\\\u0078\\x20[|2|]\"\n" },
        { "XRF3001", Head + "    expr: \"x + \\\n      1 [|2|]\"\n" },
        { "XRF3001", Head + "    expr: '''a'' [|2|]'\n" },
        // ... and after line folding: multi-line quoted and plain scalars, folded blocks.
        { "XRF3001", Head + "    expr: \"x +\n      1 [|2|]\"\n" },
        { "XRF3001", Head + "    expr: \"x +\n  \n      \t1 [|2|]\"\n" },
        { "XRF3001", Head + "    expr: 'x +\n      1 [|2|]'\n" },
        { "XRF3001", Head + "    expr: x +\n      1 [|2|]\n" },
        { "XRF3001", Head + "    expr: >\n      x +\n      1 [|2|]\n" },
        { "XRF3001", Head + "    expr: >-\n      x +\n\n      1 *\n      2 [|3|]\n" },
        // A literal block keeps its lines: unchanged.
        { "XRF3001", Head + "    expr: |\n      x +\n        1 [|2|]\n" },
        // An unknown name after an escape.
        { "XRF3004", Head + "    expr: \"x\\t+ [|treshold|]\"\n" },
        { "XRF3004", Head + "    expr: \"\\x78 * [|treshold|]\"\n" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void An_expression_error_after_escapes_or_folding_points_at_the_marked_text(string code, string annotated)
    {
        var text = AnnotatedText.Parse(annotated);
        var loaded = RecipeLoader.LoadText(text.Text, "recipe.yaml");
        Assert.False(loaded.HasErrors, string.Join('\n', loaded.Diagnostics));

        ExpressionCompilation result = ExpressionSteps.Compile(loaded.Recipe!, () => new RoslynExpressionCompiler(cacheDirectory: null));

        var expected = text.Spans.Select(s => $"{code} at {s.Line}:{s.Column}").ToList();
        var actual = result.Diagnostics.Where(d => d.Code == code).Select(d => $"{d.Code} at {d.Location?.Line}:{d.Location?.Column}").ToList();
        Assert.True(expected.SequenceEqual(actual), $"expected {string.Join(", ", expected)}\nactual diagnostics:\n{string.Join("\n", result.Diagnostics)}");
    }
}

namespace XRayFlow.Cli.Tests;

/// <summary>Issue 18: file names (and anything else untrusted) reach the terminal with their control characters shown, not obeyed.</summary>
public sealed class PrintableOutputTests
{
    private static string P(string dir, params string[] parts) => Path.Combine([dir, .. parts]);

    [Fact]
    public void ControlCharactersInAFileNameAreShownAsEscapes()
    {
        string dir = CliKit.Project(samples: 1);
        string evil = "evil\u001b]0;owned\u0007\u001b[2J\r.png";
        File.WriteAllText(P(dir, "images", evil), "not a png");
        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", $"xray={P(dir, "images")}/*.png", "--out", P(dir, "out"));
        Assert.Equal(1, r.Exit);
        string all = r.Out + r.Err;
        Assert.DoesNotContain('\u001b', all);
        Assert.DoesNotContain('\u0007', all);
        Assert.DoesNotContain('\r', all);
        Assert.Contains("evil\\x1b]0;owned\\x07\\x1b[2J\\x0d.png", r.Err, StringComparison.Ordinal);
        Assert.Contains("] evil\\x1b]0;owned\\x07\\x1b[2J\\x0d.png: failed", r.Out, StringComparison.Ordinal); // the progress line

        // The manifest keeps the name exactly (JSON escapes it); only the terminal sees \xNN.
        Assert.Contains("evil\\u001B]0;owned\\u0007\\u001B[2J\\r.png", File.ReadAllText(P(dir, "out", "manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void C1ControlsAndDeleteAreEscapedTooButOtherTextIsKept()
    {
        string dir = CliKit.Project(samples: 1);
        string name = "café\u009b31m\u007f ok\\.png";
        File.WriteAllText(P(dir, "images", name), "not a png");
        var r = CliKit.Run("info", P(dir, "images", name));
        Assert.Equal(1, r.Exit);
        Assert.Contains("café\\x9b31m\\x7f ok\\.png", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain('\u009b', r.Err);
    }
}

namespace XRayFlow.Cli.Tests;

/// <summary>Issue 17 on the command line: a bare `xrayflow`, `--input` twice, the default --out, --force, folders and recursive globs.</summary>
public sealed class FirstRunAndBatchCliTests
{
    private static string P(string dir, params string[] parts) => Path.Combine([dir, .. parts]);

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);

    [Fact]
    public void A_bare_xrayflow_prints_the_help_and_exits_2()
    {
        var r = CliKit.Run();

        Assert.Equal(2, r.Exit);
        Assert.Contains("USAGE:", r.Out, StringComparison.Ordinal);
        Assert.Contains("    run <RECIPE> ", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void An_input_given_twice_is_refused_naming_both_values()
    {
        string dir = CliKit.Project();

        var r = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "xray=a.png", "--input", "xray=b.png", "--out", P(dir, "out"));

        Assert.Equal(2, r.Exit);
        Assert.Equal("xrayflow: error XRF2036: --input xray is given twice ('a.png', then 'b.png'); give it once: one file, a folder (its images), a quoted glob ('xray=images/**/*.png') or an @list file", r.Err.Trim());
        Assert.False(Directory.Exists(P(dir, "out")));

        var bare = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "a.png", "--input", "xray=b.png");
        Assert.Equal(2, bare.Exit);
        Assert.Contains("error XRF2036: --input xray is given twice ('a.png', then 'b.png')", bare.Err, StringComparison.Ordinal);
    }

    /// <summary>
    /// The summary names --out relative to the working folder when it is below it (`..results` is a folder here: it
    /// was shown as an absolute path, taken for one that climbs out), else by its absolute path.
    /// </summary>
    [Fact]
    public void The_summary_names_the_out_folder_relative_when_it_is_below_the_working_folder()
    {
        string dir = CliKit.Project();
        var inside = CliKit.RunProcess(dir, Limit, "run", "recipe.yaml", "--out", "..results");
        Assert.True(inside.Exit == 0, inside.Err);
        Assert.EndsWith("outputs and manifest.json in ..results", inside.Out.TrimEnd(), StringComparison.Ordinal);

        string work = P(dir, "work");
        Directory.CreateDirectory(work);
        var above = CliKit.RunProcess(work, Limit, "run", "../recipe.yaml", "--out", "../up");
        Assert.True(above.Exit == 0, above.Err);
        Assert.EndsWith("outputs and manifest.json in " + P(dir, "up"), above.Out.TrimEnd(), StringComparison.Ordinal);
    }

    /// <summary>The default --out is out/&lt;recipe name&gt;; a second recipe there is refused (exit 2) unless --force.</summary>
    [Fact]
    public void The_default_out_is_per_recipe_and_another_recipes_manifest_is_kept_unless_force()
    {
        string dir = CliKit.Project();
        var first = CliKit.RunProcess(dir, Limit, "run", "recipe.yaml");
        Assert.True(first.Exit == 0, first.Err);
        Assert.True(File.Exists(P(dir, "out", "sobel-test", "manifest.json")));
        Assert.True(File.Exists(P(dir, "out", "sobel-test", "00000011_000_ax.png")));
        Assert.Contains("outputs and manifest.json in out/sobel-test", first.Out, StringComparison.Ordinal);

        File.WriteAllText(P(dir, "second.yaml"), CliKit.Sobel.Replace("name: sobel-test", "name: second", StringComparison.Ordinal));
        var separate = CliKit.RunProcess(dir, Limit, "run", "second.yaml");
        Assert.True(separate.Exit == 0, separate.Err);
        Assert.True(File.Exists(P(dir, "out", "second", "manifest.json")));

        byte[] kept = File.ReadAllBytes(P(dir, "out", "sobel-test", "manifest.json"));
        var refused = CliKit.RunProcess(dir, Limit, "run", "second.yaml", "--out", "out/sobel-test");
        Assert.Equal(2, refused.Exit);
        Assert.Contains("error XRF2037: --out 'out/sobel-test' holds the manifest.json of recipe 'sobel-test'; this run of 'second' would replace it: choose another folder with --out, or pass --force to replace it", refused.Err, StringComparison.Ordinal);
        Assert.Equal(kept, File.ReadAllBytes(P(dir, "out", "sobel-test", "manifest.json")));

        var forced = CliKit.RunProcess(dir, Limit, "run", "second.yaml", "--out", "out/sobel-test", "--force");
        Assert.True(forced.Exit == 0, forced.Err);
        Assert.Contains("\"second\"", File.ReadAllText(P(dir, "out", "sobel-test", "manifest.json")), StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_and_a_recursive_glob_run_as_batches()
    {
        string dir = CliKit.Project(samples: 2);
        CliKit.CopySamples(P(dir, "images", "ward"), 1);

        var folder = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", "xray=" + P(dir, "images"), "--out", P(dir, "flat"));
        Assert.True(folder.Exit == 0, folder.Err);
        Assert.Contains("2 of 2 input(s) done", folder.Out, StringComparison.Ordinal);

        // {stem} is the file's name (dsl-v1): the two 00000011_000.png collide before any work, and the message says
        // {relstem} keeps the sub-folders; with it the tree runs.
        string glob = "xray=" + P(dir, "images", "**", "*.png");
        var collide = CliKit.Run("run", P(dir, "recipe.yaml"), "--input", glob, "--out", P(dir, "tree"));
        Assert.Equal(2, collide.Exit);
        Assert.Contains("error XRF2008: ", collide.Err, StringComparison.Ordinal);
        Assert.Contains("have one stem, '00000011_000': write {relstem} for it to keep their sub-folders, '00000011_000' and 'ward/00000011_000'", collide.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(P(dir, "tree")));

        File.WriteAllText(P(dir, "rel.yaml"), File.ReadAllText(P(dir, "recipe.yaml")).Replace("{stem}", "{relstem}", StringComparison.Ordinal));
        var tree = CliKit.Run("run", P(dir, "rel.yaml"), "--input", glob, "--out", P(dir, "tree"));
        Assert.True(tree.Exit == 0, tree.Err);
        Assert.Contains("3 of 3 input(s) done", tree.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(P(dir, "tree", "ward", "00000011_000_ax.png")));
        Assert.True(File.Exists(P(dir, "tree", "00000011_000_ax.png")));
    }

    /// <summary>An expression written the Python way is refused with the C# to write, at file:line:col.</summary>
    [Fact]
    public void A_python_style_expression_is_refused_at_its_line_and_column()
    {
        string dir = CliKit.Project();
        File.WriteAllText(P(dir, "py.yaml"), "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: where\n    cond: \"x > 150 and x < 200\"\n    then: \"x**2\"\n    else: 0\noutputs:\n  where: w.npy\n");

        var r = CliKit.Run("validate", P(dir, "py.yaml"));

        Assert.Equal(2, r.Exit);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                $"{P(dir, "py.yaml")}:6:20: error XRF3001: not a single C# expression: 'and' is Python; C# writes '&&', '||' and '!': x > 150 && x < 200",
                $"{P(dir, "py.yaml")}:7:13: error XRF3002: '**' (Python's power operator) is not allowed in an expression: C# has no power operator and reads '**' as a multiplication by a pointer; write x * x or MathF.Pow(x, 2)",
            ],
            lines);
    }
}

using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Running;
using XRayFlow.Pipeline.Running.Sharding;
using XRayFlow.Pipeline.Binding;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Issue 17, "Batches as data jobs": a folder as an input (its images, sorted, not recursive), recursive globs
/// (`**/*.png`, `*/*.png`) whose {stem} is the file's name without extension as dsl-v1 says and whose {relstem}
/// keeps the sub-folders, and a run that does not replace the manifest of another recipe without --force.
/// </summary>
public sealed class BatchInputTests
{
    private const string Recipe = "xrayflow: 1\nname: halve\ninputs:\n  xray: image\nsteps:\n  - op: abs\noutputs:\n  abs: \"{stem}_abs.npy\"\n";

    /// <summary>A tree of tiny .npy images: top.npy, b.npy, notes.txt, ward1/a.npy, ward2/a.npy, ward2/deep/c.npy.</summary>
    private static string Tree()
    {
        string dir = RunKit.TempDir();
        string images = Path.Combine(dir, "images");
        foreach (string rel in new[] { "top.npy", "b.npy", "ward1/a.npy", "ward2/a.npy", "ward2/deep/c.npy" })
        {
            string path = Path.Combine(images, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            NpyWriter.Write(path, new ImageArray(2, 3, [1, -2, 3, -4, 5, -6]));
        }

        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        return dir;
    }

    /// <summary>A run of <paramref name="recipe"/> with its input 'xray' bound to <paramref name="xray"/> (a file or glob), into <paramref name="outDir"/>.</summary>
    private static RunRequest Request(BoundRecipe recipe, string xray, string outDir)
        => new() { Recipe = recipe, Inputs = new Dictionary<string, string> { ["xray"] = xray }, OutDir = outDir };

    private static ResolvedInputs Resolve(string dir, string given, Shard? shard = null)
    {
        var recipe = RunKit.LoadFile(dir, Recipe);
        var bag = new DiagnosticBag();
        var resolved = InputResolver.Resolve(recipe, new Dictionary<string, string> { ["xray"] = given }, bag, null, shard);
        Assert.False(bag.HasErrors, string.Join("\n", bag));
        return resolved;
    }

    [Fact]
    public void A_folder_gives_its_images_sorted_not_its_sub_folders()
    {
        string dir = Tree();
        foreach (string folder in new[] { Path.Combine(dir, "images"), Path.Combine(dir, "images") + "/" })
        {
            var items = Resolve(dir, folder).Items;

            Assert.Equal(["b.npy", "top.npy"], items.Select(i => i.Name));
            Assert.Equal(["b", "top"], items.Select(i => i.Stem));
            Assert.Equal(Path.Combine(dir, "images", "b.npy"), items[0].Files["xray"].Single().Replace("//", "/", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void An_empty_folder_says_what_a_folder_gives_and_the_glob_for_sub_folders()
    {
        string dir = RunKit.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        var recipe = RunKit.LoadFile(dir, Recipe);
        var bag = new DiagnosticBag();
        string empty = Path.Combine(dir, "empty");
        InputResolver.Resolve(recipe, new Dictionary<string, string> { ["xray"] = empty }, bag);

        var d = Assert.Single(bag);
        Assert.Equal($"input 'xray': no file matches '{empty}', a folder: it gives its .png, .jpg, .jpeg, .npy, .dcm files (not its sub-folders); for those, quote a glob such as '{empty}/**/*.png'", d.Message);
        Assert.Equal("XRF2006", d.Code);
    }

    [Fact]
    public void A_folder_of_files_without_an_image_extension_says_how_many_and_the_glob_that_reads_them()
    {
        // A DICOM export names its files IM000001, IM000002 (no extension): before, the message said only what a
        // folder gives and suggested '.../**/*.png', which finds nothing either.
        string dir = RunKit.TempDir();
        string scans = Path.Combine(dir, "scans");
        Directory.CreateDirectory(scans);
        File.WriteAllBytes(Path.Combine(scans, "IM000001"), [0]);
        File.WriteAllBytes(Path.Combine(scans, "IM000002"), [0]);
        var recipe = RunKit.LoadFile(dir, Recipe);
        var bag = new DiagnosticBag();
        InputResolver.Resolve(recipe, new Dictionary<string, string> { ["xray"] = scans }, bag);

        var d = Assert.Single(bag);
        Assert.Equal($"input 'xray': no file matches '{scans}', a folder: it gives its .png, .jpg, .jpeg, .npy, .dcm files (not its sub-folders); for those, quote a glob such as '{scans}/**/*.png'; it holds 2 file(s) with other names (DICOM files often have no extension): to read them, quote a glob such as '{scans}/*'", d.Message);
        Assert.Equal("XRF2006", d.Code);
    }

    [Theory]
    [InlineData("images/**/*.npy", new[] { "b.npy", "top.npy", "ward1/a.npy", "ward2/a.npy", "ward2/deep/c.npy" })]
    [InlineData("images/*/*.npy", new[] { "ward1/a.npy", "ward2/a.npy" })]
    [InlineData("images/*/a.npy", new[] { "ward1/a.npy", "ward2/a.npy" })]
    [InlineData("images/ward2/**", new[] { "a.npy", "deep/c.npy" })]
    [InlineData("images/*.npy", new[] { "b.npy", "top.npy" })]
    [InlineData("images/**/deep/*.npy", new[] { "ward2/deep/c.npy" })]
    public void Recursive_globs_name_each_file_by_its_path_below_the_base(string glob, string[] names)
    {
        string dir = Tree();
        var items = Resolve(dir, Path.Combine(dir, glob)).Items;

        Assert.Equal(names, items.Select(i => i.Name));
        Assert.Equal(names.Select(n => Path.GetFileName(n)[..^4]), items.Select(i => i.Stem)); // {stem}: the file's name (dsl-v1)
        Assert.Equal(names.Select(n => n[..^4]), items.Select(i => i.RelStem)); // {relstem} keeps the sub-folders
        Assert.All(items, i => Assert.True(File.Exists(i.Files["xray"].Single())));
    }

    [Fact]
    public void A_relative_recursive_glob_lists_paths_relative_to_the_working_folder()
    {
        string dir = Tree();
        string saved = Environment.CurrentDirectory;
        try
        {
            Environment.CurrentDirectory = Path.Combine(dir, "images");
            var files = InputResolver.ExpandNamed("**/a.npy");
            Assert.Equal([("ward1/a.npy", "ward1/a.npy"), ("ward2/a.npy", "ward2/a.npy")], files.Select(f => (f.Path.Replace('\\', '/'), f.Name)));
        }
        finally
        {
            Environment.CurrentDirectory = saved;
        }
    }

    [Fact]
    public void Same_named_files_in_sub_folders_write_distinct_outputs_through_relstem()
    {
        string dir = Tree();
        var recipe = RunKit.LoadFile(dir, Recipe.Replace("{stem}", "{relstem}", StringComparison.Ordinal));
        string outDir = Path.Combine(dir, "out");
        var result = RecipeRunner.Run(Request(recipe, Path.Combine(dir, "images/**/*.npy"), outDir) with { Threads = 2 });

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (string rel in new[] { "b_abs.npy", "top_abs.npy", "ward1/a_abs.npy", "ward2/a_abs.npy", "ward2/deep/c_abs.npy" })
        {
            Assert.Equal([1f, 2, 3, 4, 5, 6], NpyReader.Read(Path.Combine(outDir, rel)).Data);
        }
    }

    /// <summary>
    /// dsl-v1: `{stem}` is the input file's name without extension, and outputs whose paths would collide are an
    /// error before any work starts. With unique names in sub-folders (as ChestX-ray8's images_001 ... folders),
    /// `{stem}` writes them side by side; two `a.npy` in different folders collide, and the message says
    /// `{relstem}` keeps the folders. (Until now `{stem}` itself kept them, so a recipe written to the contract found
    /// its outputs in sub-folders.)
    /// </summary>
    [Fact]
    public void Stem_is_the_file_name_so_sub_folders_write_side_by_side_and_equal_names_collide_before_work()
    {
        string dir = Tree();
        var recipe = RunKit.LoadFile(dir, Recipe);
        string flat = Path.Combine(dir, "flat");
        var unique = RecipeRunner.Run(Request(recipe, Path.Combine(dir, "images/**/[bc]*.npy"), flat) with { Threads = 2 });
        Assert.Equal(ExitCodes.Success, unique.ExitCode);
        Assert.Equal(["b_abs.npy", "c_abs.npy", "manifest.json"], Directory.GetFiles(flat).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(flat, "ward2")));

        string outDir = Path.Combine(dir, "out");
        var result = RecipeRunner.Run(Request(recipe, Path.Combine(dir, "images/*/*.npy"), outDir) with { Threads = 2 });
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        var d = Assert.Single(result.Diagnostics, d => d.IsError);
        Assert.Equal("XRF2008", d.Code);
        Assert.EndsWith("(the inputs 'ward1/a.npy' and 'ward2/a.npy' have one stem, 'a': write {relstem} for it to keep their sub-folders, 'ward1/a' and 'ward2/a')", d.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void A_file_stem_output_path_still_refuses_collisions_before_work_starts()
    {
        string dir = Tree();
        var recipe = RunKit.LoadFile(dir, Recipe.Replace("\"{stem}_abs.npy\"", "\"flat/{stem}.npy\"", StringComparison.Ordinal).Replace("{stem}", "x", StringComparison.Ordinal));
        string outDir = Path.Combine(dir, "out");
        var result = RecipeRunner.Run(Request(recipe, Path.Combine(dir, "images/*/*.npy"), outDir) with { Threads = 2 });

        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => d.Code == "XRF2008");
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>Sharding a recursive glob: blocks of the batch in name order, the relative stems kept, the whole batch named by every shard.</summary>
    [Fact]
    public void Shards_of_a_recursive_glob_split_the_sorted_names_and_keep_the_stems()
    {
        string dir = Tree();
        string glob = Path.Combine(dir, "images/**/*.npy");
        var first = Resolve(dir, glob, new Shard(0, 2));
        var second = Resolve(dir, glob, new Shard(1, 2));

        Assert.Equal(5, first.Total);
        Assert.Equal(["b.npy", "top.npy", "ward1/a.npy", "ward2/a.npy", "ward2/deep/c.npy"], first.All.Select(i => i.Name));
        Assert.Equal(["b", "top", "ward1/a", "ward2/a", "ward2/deep/c"], second.All.Select(i => i.RelStem));
        Assert.Equal(["b", "top", "a", "a", "c"], second.All.Select(i => i.Stem));
        Assert.Equal(first.All.Select(i => i.Name), first.Items.Concat(second.Items).Select(i => i.Name));
    }

    [Fact]
    public void A_recursive_glob_does_not_enter_a_folder_reached_through_a_symbolic_link()
    {
        // Mutation-tested (a walk that entered linked folders passed every test): a link to a folder elsewhere, and a
        // link back up the tree (a loop), give none of their files.
        string dir = Tree();
        string elsewhere = RunKit.TempDir();
        NpyWriter.Write(Path.Combine(elsewhere, "outside.npy"), new ImageArray(2, 3));
        File.CreateSymbolicLink(Path.Combine(dir, "images", "ward3"), elsewhere);
        File.CreateSymbolicLink(Path.Combine(dir, "images", "ward2", "loop"), Path.Combine(dir, "images"));

        var items = Resolve(dir, Path.Combine(dir, "images/**/*.npy")).Items;
        Assert.Equal(["b.npy", "top.npy", "ward1/a.npy", "ward2/a.npy", "ward2/deep/c.npy"], items.Select(i => i.Name));
    }

    [Fact]
    public void A_recipe_without_a_batch_runs_in_the_last_shard_only_and_merges()
    {
        // One item: the last shard runs it and the others record nothing, as Block(1) says (a mutant giving it to
        // shard 0 passed every test).
        string dir = Tree();
        var recipe = RunKit.LoadFile(dir, Recipe);
        string outDir = Path.Combine(dir, "out");
        var given = new Dictionary<string, string> { ["xray"] = Path.Combine(dir, "images", "top.npy") };
        for (int i = 0; i < 3; i++)
        {
            var r = RecipeRunner.Run(new RunRequest { Recipe = recipe, Inputs = given, OutDir = outDir, Threads = 1, Shard = new Shard(i, 3) });
            Assert.Equal(ExitCodes.Success, r.ExitCode);
            Assert.Equal(i == 2 ? ["top"] : [], r.Manifest!.Items.Select(x => x.Name));
        }

        var merged = ShardMerger.Merge(outDir, null);
        Assert.True(merged.ExitCode == ExitCodes.Success, string.Join("\n", merged.Diagnostics));
        Assert.Equal(["top"], merged.Manifest!.Items.Select(x => x.Name));
    }

    [Fact]
    public void A_run_cleans_stale_temporaries_in_its_folder_but_not_through_a_symbolic_link()
    {
        // What a killed run leaves is deleted when the next run starts; a linked folder under --out leads elsewhere,
        // and a file there with a temporary's name is not the run's (a mutant that followed links passed every test).
        string dir = Tree();
        string outDir = Path.Combine(dir, "out");
        string elsewhere = RunKit.TempDir();
        string hex = new('e', 32);
        string theirs = Path.Combine(elsewhere, $".notes.png.{hex}.tmp");
        File.WriteAllText(theirs, "someone else's file");
        Directory.CreateDirectory(Path.Combine(outDir, "sub"));
        string mine = Path.Combine(outDir, "sub", $".top_abs.npy.{hex}.tmp");
        File.WriteAllText(mine, "partial");
        File.CreateSymbolicLink(Path.Combine(outDir, "shared"), elsewhere);

        var r = RecipeRunner.Run(Request(RunKit.LoadFile(dir, Recipe), Path.Combine(dir, "images", "top.npy"), outDir) with { Threads = 1 });
        Assert.Equal(ExitCodes.Success, r.ExitCode);
        Assert.False(File.Exists(mine));
        Assert.True(File.Exists(theirs));
    }

    [Fact]
    public void A_run_does_not_replace_the_manifest_of_another_recipe_without_force()
    {
        string dir = Tree();
        string outDir = Path.Combine(dir, "out");
        string input = Path.Combine(dir, "images", "b.npy");
        var first = RunKit.LoadFile(dir, Recipe);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(first, input, outDir)).ExitCode);
        byte[] manifest = File.ReadAllBytes(Path.Combine(outDir, "manifest.json"));

        // The same recipe again (even edited): replaced as before.
        var edited = RunKit.LoadFile(dir, Recipe.Replace("op: abs", "op: abs\n    id: abs", StringComparison.Ordinal));
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(edited, input, outDir)).ExitCode);
        manifest = File.ReadAllBytes(Path.Combine(outDir, "manifest.json"));

        // Another recipe: refused before any work, nothing touched.
        var other = RunKit.LoadFile(dir, Recipe.Replace("name: halve", "name: other", StringComparison.Ordinal).Replace("{stem}_abs", "{stem}_other", StringComparison.Ordinal), "other.yaml");
        var refused = RecipeRunner.Run(Request(other, input, outDir));
        Assert.Equal(ExitCodes.Invalid, refused.ExitCode);
        Assert.Equal($"xrayflow: error XRF2037: --out '{outDir}' holds the manifest.json of recipe 'halve'; this run of 'other' would replace it: choose another folder with --out, or pass --force to replace it", Assert.Single(refused.Diagnostics).ToString());
        Assert.Equal(manifest, File.ReadAllBytes(Path.Combine(outDir, "manifest.json")));
        Assert.False(File.Exists(Path.Combine(outDir, "b_other.npy")));

        // --force: replaced.
        var forced = RecipeRunner.Run(Request(other, input, outDir) with { Force = true });
        Assert.Equal(ExitCodes.Success, forced.ExitCode);
        Assert.Equal("other", ManifestJson.Read(Path.Combine(outDir, "manifest.json")).RecipeName);
    }

    [Fact]
    public void A_shard_does_not_write_into_a_folder_whose_merged_manifest_is_another_recipes()
    {
        string dir = Tree();
        string outDir = Path.Combine(dir, "out");
        var first = RunKit.LoadFile(dir, Recipe);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(first, Path.Combine(dir, "images", "b.npy"), outDir)).ExitCode);

        // {relstem}: the tree's two a.npy would otherwise collide (XRF2008), which is not what this test is about.
        var other = RunKit.LoadFile(dir, Recipe.Replace("name: halve", "name: other", StringComparison.Ordinal).Replace("{stem}", "{relstem}", StringComparison.Ordinal), "other.yaml");
        var refused = RecipeRunner.Run(Request(other, Path.Combine(dir, "images/**/*.npy"), outDir) with { Shard = new Shard(0, 2) });

        Assert.Equal(ExitCodes.Invalid, refused.ExitCode);
        Assert.Equal("XRF2037", Assert.Single(refused.Diagnostics).Code);
    }

    /// <summary>
    /// The converse: a run into a folder holding another recipe's shard manifests is refused (XRF2037) without
    /// --force. It ran, and `merge` then joined the shards into a manifest.json over its own, losing its record
    /// (found by a black-box audit). Shards of the same recipe, and --force, still run.
    /// </summary>
    [Fact]
    public void A_run_does_not_write_into_a_folder_holding_another_recipes_shards()
    {
        string dir = Tree();
        string outDir = Path.Combine(dir, "out");
        string glob = Path.Combine(dir, "images", "*.npy");
        var halve = RunKit.LoadFile(dir, Recipe);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(halve, glob, outDir) with { Shard = new Shard(0, 2) }).ExitCode);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(halve, glob, outDir) with { Shard = new Shard(1, 2) }).ExitCode);

        var other = RunKit.LoadFile(dir, Recipe.Replace("name: halve", "name: other", StringComparison.Ordinal).Replace("{stem}_abs", "{stem}_other", StringComparison.Ordinal), "other.yaml");
        var refused = RecipeRunner.Run(Request(other, glob, outDir));
        Assert.Equal(ExitCodes.Invalid, refused.ExitCode);
        var d = Assert.Single(refused.Diagnostics);
        Assert.Equal("XRF2037", d.Code);
        Assert.Equal($"--out '{outDir}' holds the manifest.shard-0000-of-0002.json of recipe 'halve'; this run of 'other' would replace it: choose another folder with --out, or pass --force to replace it", d.Message);
        Assert.False(File.Exists(Path.Combine(outDir, "manifest.json")));

        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(halve, glob, outDir) with { Shard = new Shard(1, 2), Resume = true }).ExitCode);
        Assert.Equal(ExitCodes.Success, RecipeRunner.Run(Request(other, glob, outDir) with { Force = true }).ExitCode);
    }
}

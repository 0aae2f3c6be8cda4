using SkiaSharp;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>
/// Tables as .csv (per item, and one combined file for a batch), the `labels` colormap, the `overlay` option, the
/// binder's checks of them, `${label.count}`, and a label image refused for one item only.
/// </summary>
public sealed class MeasureOutputTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "xrf-measure-" + Guid.NewGuid().ToString("N"));

    public MeasureOutputTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A 6 x 8 image with the given nonzero pixels (value 1 unless given).</summary>
    private string Npy(string name, params (int R, int C, float V)[] pixels)
    {
        var a = new ImageArray(6, 8);
        foreach (var (r, c, v) in pixels)
        {
            a[r, c] = v;
        }

        string path = Path.Combine(dir, "in", name + ".npy");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var fs = File.Create(path);
        ImageIO.WriteNpy(fs, a);
        return path;
    }

    private RunResult Run(string recipe, string glob)
    {
        var loaded = RecipeLoader.LoadText(recipe, "measure.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        return RecipeRunner.Run(new RunRequest
        {
            Recipe = loaded.Recipe!,
            Inputs = new Dictionary<string, string> { ["mask"] = glob },
            OutDir = Path.Combine(dir, "out"),
            Threads = 2,
        });
    }

    private RunResult RunShard(string recipe, string glob, int index, int count)
    {
        var loaded = RecipeLoader.LoadText(recipe, "measure.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        return RecipeRunner.Run(new RunRequest
        {
            Recipe = loaded.Recipe!,
            Inputs = new Dictionary<string, string> { ["mask"] = glob },
            OutDir = Path.Combine(dir, "out"),
            Threads = 1,
            Shard = new Running.Sharding.Shard(index, count),
        });
    }

    private const string RegionsRecipe = """
        xrayflow: 1
        inputs:
          mask: image
        steps:
          - id: lab
            op: label
            in: mask
          - id: props
            op: regionprops
            in: [lab, mask]
          - id: many
            op: clip
            in: lab
            max: ${lab.count}
        outputs:
          regions: {from: props, path: "{stem}_regions.csv"}
          regions_json: {from: props, path: "{stem}_regions.json"}
          labels_png: {from: lab, path: "{stem}_labels.png", colormap: labels}
          outline: {from: mask, path: "{stem}_outline.png", overlay: {from: lab, color: lime}}
          many: "{stem}_many.npy"
        """;

    /// <summary>
    /// `properties` as regionprops_table's: the columns in the order written, a property written twice listed once,
    /// both spellings, each named as written. Values: skimage 0.19.3's regionprops_table of the same labels, except
    /// orientation at region 2's tie (a = c, b &lt; 0), where 0.19 says -pi/4 and 0.21 (the sign fix) pi/4.
    /// </summary>
    [Fact]
    public void PropertiesChooseTheTablesColumnsInTheOrderWritten()
    {
        Npy("a", (0, 0, 1), (0, 1, 1), (3, 4, 1), (4, 4, 1), (4, 5, 1));
        var result = Run("""
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - {id: lab, op: label, in: mask}
              - id: props
                op: regionprops
                in: [lab, mask]
                properties: [orientation, label, area, area, bbox_area, centroid_local, intensity_max, axis_major_length, minor_axis_length]
            outputs:
              props: "{stem}_props.csv"
            """, Path.Combine(dir, "in", "a.npy"));
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var rows = Outputs.TableCsv.Parse(File.ReadAllText(Path.Combine(dir, "out", "a_props.csv")))!;
        Assert.Equal(
            "input,orientation,label,area,bbox_area,centroid_local-0,centroid_local-1,intensity_max,axis_major_length,minor_axis_length",
            string.Join(",", rows[0]));
        Assert.Equal("a,1.5707963267948966,1,2,2,0,0.5,1", string.Join(",", rows[1].Take(8)));
        Assert.Equal("a,0.7853981633974483,2,3,4,0.6666666666666666,0.3333333333333333,1", string.Join(",", rows[2].Take(8)));

        // The axis lengths from the inertia tensor's eigenvalues: numpy's eigvalsh there, closed form here (an ulp apart).
        double Cell(int row, int col) => double.Parse(rows[row][col], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal([2.0, 0.0, 2.3094010767585034, 1.3333333333333333], [Cell(1, 8), Cell(1, 9), Cell(2, 8), Cell(2, 9)], (x, y) => Math.Abs(x - y) <= 1e-14 * Math.Max(1, Math.Abs(y)));
    }

    [Theory]
    [InlineData("[label, mean_intensity]", "XRF1062", 17, "property 'mean_intensity' reads an intensity image")]
    [InlineData("[label, aera]", "XRF1041", 25, "'aera' is not a valid value of 'properties' (one of: label, area,")]
    [InlineData("[]", "XRF1039", 17, "found an empty list")]
    [InlineData("[label, [area]]", "XRF1039", 25, "must be a list of 1 to 64 words from label, area,")]
    public void ABadPropertyIsALocatedErrorAtValidateTime(string properties, string code, int column, string message)
    {
        string text = $"""
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: lab
                op: label
                in: mask
              - op: regionprops
                in: lab
                properties: {properties}
            """;
        var d = Assert.Single(RecipeLoader.LoadText(text, "measure.yaml").Diagnostics);
        Assert.Equal(code, d.Code);
        Assert.Equal((10, column), (d.Location!.Value.Line, d.Location.Value.Column));
        Assert.Contains(message, d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARegionTableIsWrittenPerItemAndCombinedForTheBatch()
    {
        Npy("a", (0, 0, 1), (0, 1, 1), (3, 4, 1), (4, 4, 1), (4, 5, 1));
        Npy("b");
        Npy("c", (5, 7, 1));
        var result = Run(RegionsRecipe, Path.Combine(dir, "in", "*.npy"));
        Assert.True(result.ExitCode == ExitCodes.Success, string.Join("\n", result.Diagnostics.Select(d => d.ToString()).Concat(result.Failures.Select(f => f.Error ?? string.Empty))));
        string outDir = Path.Combine(dir, "out");

        const string Header = "input,label,area,centroid-0,centroid-1,bbox-0,bbox-1,bbox-2,bbox-3,perimeter,eccentricity,mean_intensity,min_intensity,max_intensity\n";
        string a = File.ReadAllText(Path.Combine(outDir, "a_regions.csv"));
        var rows = Outputs.TableCsv.Parse(a)!;
        Assert.Equal(Header, string.Join(",", rows[0]) + "\n");
        Assert.Equal(3, rows.Count);

        // skimage.measure.regionprops_table of the same labels: perimeter 0 and 3.414213562373095, eccentricity 1 and 0.816496580927726.
        Assert.Equal("a.npy,1,2,0,0.5,0,0,1,2,0", string.Join(",", rows[1].Take(10)));
        Assert.Equal("a.npy,2,3,3.6666666666666665,4.333333333333333,3,4,5,6", string.Join(",", rows[2].Take(9)));
        Assert.Equal(3.414213562373095, double.Parse(rows[2][9], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(1.0, double.Parse(rows[1][10], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal(0.816496580927726, double.Parse(rows[2][10], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal("1,1,1", string.Join(",", rows[2].Skip(11)));
        Assert.Equal(Header, File.ReadAllText(Path.Combine(outDir, "b_regions.csv"))); // no regions: the header only
        string c = File.ReadAllText(Path.Combine(outDir, "c_regions.csv"));
        Assert.Equal(Header + "c.npy,1,1,5,7,5,7,6,8,0,0,1,1,1\n", c);

        // The batch: every item's rows in item order, one header.
        string all = File.ReadAllText(Path.Combine(outDir, "batch_regions.csv"));
        Assert.Equal(a + c[Header.Length..], all);
        Assert.StartsWith("{\n  \"input\": \"a.npy\",\n  \"label\": [1, 2],\n", File.ReadAllText(Path.Combine(outDir, "a_regions.json")), StringComparison.Ordinal);

        // ${lab.count}: clip's max is 2 for a, 0 for b, 1 for c.
        Assert.Equal(2, Core.Codecs.Npy.NpyReader.Read(Path.Combine(outDir, "a_many.npy")).Data.Max());

        // labels: skimage's label2rgb colours (label 1 red, label 2 blue), background black.
        using (var bmp = SKBitmap.Decode(Path.Combine(outDir, "a_labels.png")))
        {
            Assert.Equal(new SKColor(255, 0, 0), bmp.GetPixel(1, 0));
            Assert.Equal(new SKColor(0, 0, 255), bmp.GetPixel(4, 3));
            Assert.Equal(new SKColor(0, 0, 0), bmp.GetPixel(7, 5));
        }

        // overlay: the label outlines (inner, 4-connected: every pixel of these small regions) in lime over the grey mask.
        using (var bmp = SKBitmap.Decode(Path.Combine(outDir, "a_outline.png")))
        {
            Assert.Equal(new SKColor(0, 255, 0), bmp.GetPixel(0, 0));
            Assert.Equal(new SKColor(0, 255, 0), bmp.GetPixel(5, 4));
            Assert.Equal(new SKColor(0, 0, 0), bmp.GetPixel(7, 0));
        }
    }

    [Fact]
    public void ACombinedTableThatWouldOverwriteAnItemsOutputIsRefusedBeforeAnyWork()
    {
        Npy("batch_regions"); // its per-item table would be batch_regions_regions.csv; but an output "{stem}.csv" ...
        Npy("batch");
        const string Recipe = """
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: props
                op: regionprops
                in: mask
            outputs:
              props: "{stem}.csv"
            """;
        var result = Run(Recipe, Path.Combine(dir, "in", "*.npy"));
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => d.Code == "XRF2008" && d.Message.Contains("'batch.csv'", StringComparison.Ordinal) && d.Message.Contains("the combined table of output props", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(dir, "out", "batch.csv")));
    }

    [Fact]
    public void AValueThatIsNeitherAMaskNorALabelFailsThatItemAlone()
    {
        Npy("good", (1, 1, 1), (1, 2, 1));
        Npy("bad", (1, 1, 0.5f));
        const string Recipe = """
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: big
                op: remove_small_objects
                in: mask
                min_size: 2
            outputs:
              big: "{stem}.npy"
            """;
        var result = Run(Recipe, Path.Combine(dir, "in", "*.npy"));
        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        var failed = Assert.Single(result.Failures);
        Assert.Equal("bad.npy", failed.Name);
        Assert.Equal("step 'big': remove_small_objects takes a mask (0 and 1) or a label image (whole numbers 0 to 16777216); the pixel at row 1, column 1 is 0.5", failed.Error);
        Assert.True(File.Exists(Path.Combine(dir, "out", "good.npy")));
    }

    [Fact]
    public void AStatsTableIsOneCsvRowWithListsSpreadOverColumns()
    {
        Npy("one", (0, 0, 4));
        const string Recipe = """
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: stats
                op: stats
                in: mask
            outputs:
              stats: stats.csv
            """;
        var result = Run(Recipe, Path.Combine(dir, "in", "one.npy"));
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("input,shape-0,shape-1,dtype,count,min,max,mean,median,std\none,6,8,float32,48,0,4,0.08333333333333333,0,0.5713045500334204\n", File.ReadAllText(Path.Combine(dir, "out", "stats.csv")));
        Assert.False(File.Exists(Path.Combine(dir, "out", "batch.csv"))); // one item: no combined table
    }

    [Fact]
    public void NumbersAreWrittenAsTheDoublesComputedEvenWhereNetsShortestTextIsOneDoubleLow()
    {
        // Half the pixels 2^-24: the median and the 50th percentile are (0 + 2^-24) / 2 = 2^-25, which .NET 10.0.12's
        // "R" and Utf8JsonWriter spell 2.980232238769531E-08, a double one below it (dotnet/runtime PR 131131).
        float tiny = MathF.ScaleB(1, -24);
        Npy("half", [.. Enumerable.Range(0, 24).Select(k => (k / 8, k % 8, tiny))]);
        const string Recipe = """
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: stats
                op: stats
                in: mask
              - id: p50
                op: percentile
                in: mask
                q: 50
            outputs:
              stats: stats.csv
              stats_json: {from: stats, path: stats.json}
              p50: p50.json
            """;
        var result = Run(Recipe, Path.Combine(dir, "in", "half.npy"));
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        string outDir = Path.Combine(dir, "out");
        double median = Math.ScaleB(1, -25);
        Assert.Contains(",2.9802322387695312E-08,", File.ReadAllText(Path.Combine(outDir, "stats.csv")), StringComparison.Ordinal);
        using var stats = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "stats.json")));
        Assert.Equal(median, stats.RootElement.GetProperty("median").GetDouble());
        using var p50 = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "p50.json")));
        Assert.Equal(median, p50.RootElement.GetProperty("value").GetDouble());
        using var manifest = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")));
        Assert.Equal(median, manifest.RootElement.GetProperty("items")[0].GetProperty("scalars").GetProperty("p50").GetDouble());
    }

    [Fact]
    public void JsonTablesNameTheirItemAndStatsAndHistogramsOfABatchAreCombinedOneRowPerItem()
    {
        Npy("p", (0, 0, 4));
        Npy("q", (1, 1, 2), (2, 2, 2));
        const string Recipe = """
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: stats
                op: stats
                in: mask
              - id: hist
                op: histogram
                in: mask
                min: 0
                max: 4
                bins: 2
            outputs:
              stats: "{stem}_stats.json"
              hist: "{stem}_hist.json"
            """;
        var result = Run(Recipe, Path.Combine(dir, "in", "*.npy"));
        Assert.Equal(ExitCodes.Success, result.ExitCode);
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(
            "{\n  \"input\": \"q.npy\",\n  \"shape\": [6, 8],\n  \"dtype\": \"float32\",\n  \"count\": 48,\n  \"min\": 0,\n  \"max\": 2,\n  \"mean\": 0.08333333333333333,\n  \"median\": 0,\n  \"std\": 0.3996526269427267\n}\n",
            File.ReadAllText(Path.Combine(outDir, "q_stats.json")));

        // One row per item, in item order (p.npy then q.npy); the per-item JSON's numbers as written.
        Assert.Equal(
            "input,shape-0,shape-1,dtype,count,min,max,mean,median,std\n"
            + "p.npy,6,8,float32,48,0,4,0.08333333333333333,0,0.5713045500334204\n"
            + "q.npy,6,8,float32,48,0,2,0.08333333333333333,0,0.3996526269427267\n",
            File.ReadAllText(Path.Combine(outDir, "batch_stats.csv")));

        // histogram(min 0, max 4, bins 2): p has 47 values in [0, 2) and the 4 in [2, 4]; q 46 and its two 2s.
        Assert.Equal(
            "input,min,max,bins,counts-0,counts-1,edges-0,edges-1,edges-2\n"
            + "p.npy,0,4,2,47,1,0,2,4\n"
            + "q.npy,0,4,2,46,2,0,2,4\n",
            File.ReadAllText(Path.Combine(outDir, "batch_hist.csv")));
        Assert.False(File.Exists(Path.Combine(outDir, "batch_stats.json")));
    }

    [Fact]
    public void ShardsLeaveTheCombinedTablesToMergeWhichWritesThemForTheWholeBatch()
    {
        Npy("a", (0, 0, 1), (0, 1, 1), (3, 4, 1), (4, 4, 1), (4, 5, 1));
        Npy("b");
        Npy("c", (5, 7, 1));
        string glob = Path.Combine(dir, "in", "*.npy");
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(ExitCodes.Success, Run(RegionsRecipe, glob).ExitCode);
        string whole = File.ReadAllText(Path.Combine(outDir, "batch_regions.csv"));
        Directory.Delete(outDir, recursive: true);

        Assert.Equal(ExitCodes.Success, RunShard(RegionsRecipe, glob, 0, 2).ExitCode);
        Assert.Equal(ExitCodes.Success, RunShard(RegionsRecipe, glob, 1, 2).ExitCode);
        Assert.False(File.Exists(Path.Combine(outDir, "batch_regions.csv"))); // no shard writes a part of the batch's table
        Assert.Contains("\"combined_tables\": {\n      \"regions\": \"batch_regions.csv\"", File.ReadAllText(Path.Combine(outDir, "manifest.shard-0000-of-0002.json")), StringComparison.Ordinal);

        var merged = Running.Sharding.ShardMerger.Merge(outDir, null);
        Assert.True(merged.ExitCode == ExitCodes.Success, string.Join("\n", merged.Diagnostics));
        Assert.Equal(whole, File.ReadAllText(Path.Combine(outDir, "batch_regions.csv")));
        Assert.StartsWith("input,label,", whole, StringComparison.Ordinal);
        Assert.Contains("\nc.npy,1,1,", whole, StringComparison.Ordinal);
    }

    /// <summary>a.npy with one region at (0, 0), b.npy with one at (5, 7): their glob and the output folder.</summary>
    private (string Glob, string Out) TwoOneRegionImages()
    {
        Npy("a", (0, 0, 1));
        Npy("b", (5, 7, 1));
        return (Path.Combine(dir, "in", "*.npy"), Path.Combine(dir, "out"));
    }

    /// <summary>Shards 0 and 1 of 2 of <see cref="RegionsRecipe"/> over <paramref name="glob"/>, each successful.</summary>
    private void RunBothShards(string glob)
    {
        Assert.Equal(ExitCodes.Success, RunShard(RegionsRecipe, glob, 0, 2).ExitCode);
        Assert.Equal(ExitCodes.Success, RunShard(RegionsRecipe, glob, 1, 2).ExitCode);
    }

    /// <summary>
    /// merge joins only the per-item tables the shards recorded: one copied over another since (a's table over b's)
    /// gave a combined table with a's row twice and none of b's, exit 0 (found by a black-box audit). Refused, naming
    /// the file, no combined table written.
    /// </summary>
    [Fact]
    public void MergeJoinsOnlyTheItemTablesTheShardsRecorded()
    {
        var (glob, outDir) = TwoOneRegionImages();
        RunBothShards(glob);
        File.Copy(Path.Combine(outDir, "a_regions.csv"), Path.Combine(outDir, "b_regions.csv"), overwrite: true);

        var merged = Running.Sharding.ShardMerger.Merge(outDir, null);

        Assert.NotEqual(ExitCodes.Success, merged.ExitCode);
        var d = Assert.Single(merged.Diagnostics, x => x.Code == "XRF2020");
        Assert.Contains("'b_regions.csv' is not the file its shard recorded (its SHA-256 differs): rerun that item's shard, or see xrayflow verify", d.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(outDir, "batch_regions.csv")));
    }

    [Fact]
    public void MergeReadsNoItemTableThroughASymbolicLinkInTheSharedFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A shared shard folder: its manifest records a's table under 'leak/', a link to a folder outside it.
        var (glob, outDir) = TwoOneRegionImages();
        RunBothShards(glob);
        string secret = Path.Combine(dir, "secret");
        Directory.CreateDirectory(secret);
        File.WriteAllText(Path.Combine(secret, "a_regions.csv"), "input,label,token\na.npy,1,SECRET-TOKEN\n");
        File.CreateSymbolicLink(Path.Combine(outDir, "leak"), secret);
        string shard0 = Path.Combine(outDir, "manifest.shard-0000-of-0002.json");
        string text = File.ReadAllText(shard0);
        Assert.Contains("\"path\": \"a_regions.csv\"", text, StringComparison.Ordinal);
        File.WriteAllText(shard0, text.Replace("\"path\": \"a_regions.csv\"", "\"path\": \"leak/a_regions.csv\"", StringComparison.Ordinal));

        var merged = Running.Sharding.ShardMerger.Merge(outDir, null);

        Assert.Contains(merged.Diagnostics, d => d.Code == "XRF2020" && d.Message.Contains("symbolic link 'leak'", StringComparison.Ordinal));
        Assert.NotEqual(ExitCodes.Success, merged.ExitCode);
        string combined = Path.Combine(outDir, "batch_regions.csv");
        Assert.False(File.Exists(combined) && File.ReadAllText(combined).Contains("SECRET-TOKEN", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCombinedTableLeavesOutAFailedItemsTableLeftFromAnEarlierRun()
    {
        // Mutation-tested: the batch's table took every item whose per-item file was there, failed ones too, so a
        // table an earlier run wrote for an input that is now corrupt came back as if it had been measured again.
        var (glob, outDir) = TwoOneRegionImages();
        Assert.Equal(ExitCodes.Success, Run(RegionsRecipe, glob).ExitCode);
        Assert.Contains("\na.npy,1,", File.ReadAllText(Path.Combine(outDir, "batch_regions.csv")), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(dir, "in", "a.npy"), "not an array any more");
        var again = Run(RegionsRecipe, glob);
        Assert.Equal(ExitCodes.SomeFailed, again.ExitCode);
        Assert.True(File.Exists(Path.Combine(outDir, "a_regions.csv"))); // the earlier run's, left in place
        string table = File.ReadAllText(Path.Combine(outDir, "batch_regions.csv"));
        Assert.DoesNotContain("a.npy", table, StringComparison.Ordinal);
        Assert.Contains("\nb.npy,1,", table, StringComparison.Ordinal);
    }

    [Fact]
    public void MergeWritesNoCombinedTableOverAnItemsOutput()
    {
        // Mutation-tested: a shard manifest (untrusted) whose combined table is the path of an item's own table had
        // that item's output replaced by the batch's table, which then no longer matched its recorded hash.
        var (glob, outDir) = TwoOneRegionImages();
        RunBothShards(glob);
        foreach (string shard in Directory.GetFiles(outDir, "manifest.shard-*.json"))
        {
            string text = File.ReadAllText(shard);
            Assert.Contains("\"regions\": \"batch_regions.csv\"", text, StringComparison.Ordinal);
            File.WriteAllText(shard, text.Replace("\"regions\": \"batch_regions.csv\"", "\"regions\": \"a_regions.csv\"", StringComparison.Ordinal));
        }

        byte[] itemTable = File.ReadAllBytes(Path.Combine(outDir, "a_regions.csv"));
        var merged = Running.Sharding.ShardMerger.Merge(outDir, null);

        Assert.Contains(merged.Diagnostics, d => d.Code == "XRF2020" && d.Message.Contains("'a_regions.csv'", StringComparison.Ordinal) && d.Message.Contains("apart from the outputs and the manifest", StringComparison.Ordinal));
        Assert.NotEqual(ExitCodes.Success, merged.ExitCode);
        Assert.Equal(itemTable, File.ReadAllBytes(Path.Combine(outDir, "a_regions.csv")));
    }

    [Fact]
    public void ACombinedJsonTableThatWouldOverwriteAnotherCombinedTableIsRefusedBeforeAnyWork()
    {
        Npy("x");
        Npy("y");
        const string Recipe = """
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: s1
                op: stats
                in: mask
              - id: s2
                op: histogram
                in: mask
            outputs:
              s1: "{stem}_t.csv"
              s2: "{stem}_t.json"
            """;
        var result = Run(Recipe, Path.Combine(dir, "in", "*.npy"));
        Assert.Equal(ExitCodes.Invalid, result.ExitCode);
        Assert.Contains(result.Diagnostics, d => d.Code == "XRF2008" && d.Message.Contains("'batch_t.csv'", StringComparison.Ordinal) && d.Message.Contains("the combined table of output s2", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(dir, "out", "x_t.csv")));
    }

    [Theory]
    [InlineData("props: {from: props, path: p.csv}\n  pic: {from: mask, path: p.png, overlay: {from: lab, colour: red}}", "XRF1026", "unknown key 'colour' in the overlay of output 'pic'; did you mean 'color'?")]
    [InlineData("pic: {from: mask, path: p.png, overlay: {color: red}}", "XRF1025", "the overlay of output 'pic' needs 'from'")]
    [InlineData("pic: {from: mask, path: p.png, overlay: {from: props}}", "XRF1050", "output 'pic': cannot write a table ('props') as an overlay; an overlay outlines the regions of one image (a mask or a label image) of the picture's shape")]
    [InlineData("pic: {from: mask, path: p.png, overlay: {from: lab, color: purple}}", "XRF1055", "output option 'color' must be a colour (red, lime, green, blue, yellow, cyan, magenta, orange, white, black, #rrggbb) or labels; found 'purple'")]
    [InlineData("pic: {from: mask, path: p.png, overlay: {from: lbl}}", "XRF1048", "output 'pic' reads 'lbl', which is not a step or an input")]
    [InlineData("pic: {from: mask, path: p.png, overlay: red}", "XRF1023", "'overlay' of output 'pic'")]
    [InlineData("pic: {from: lab, path: p.csv}", "XRF1050", "a .csv output holds a table (regionprops, stats, histogram); write the array as .npy")]
    [InlineData("pic: {from: props, path: p.npy}", "XRF1050", "write a table as .json or .csv")]
    [InlineData("pic: {path: p.png, panels: [{from: mask}], overlay: {from: lab}}", "XRF1026", "unknown key 'overlay' in a figure output; an overlay goes on a plain .png output")]
    [InlineData("pic: {from: mask, path: p.gif, overlay: {from: lab}}", "XRF1026", "unknown key 'overlay' in a .gif output")]
    public void TheBinderLocatesOverlayAndCsvMistakes(string outputs, string code, string text)
    {
        string recipe = "xrayflow: 1\ninputs:\n  mask: image\nsteps:\n  - id: lab\n    op: label\n    in: mask\n  - id: props\n    op: regionprops\n    in: lab\noutputs:\n  " + outputs + "\n";
        var loaded = RecipeLoader.LoadText(recipe, "bad.yaml");
        Assert.True(loaded.HasErrors);
        Assert.Contains(loaded.Diagnostics, d => d.Code == code && d.Message.Contains(text, StringComparison.Ordinal) && d.Location?.Line > 10);
    }

    [Fact]
    public void AnOverlayOfAnotherShapeFailsTheItemWithTheShapes()
    {
        Npy("x", (1, 1, 1));
        const string Recipe = """
            xrayflow: 1
            inputs:
              mask: image
            steps:
              - id: small
                op: downsample
                in: mask
                factor: 2
            outputs:
              pic: {from: mask, path: p.png, overlay: {from: small}}
            """;
        var result = Run(Recipe, Path.Combine(dir, "in", "x.npy"));
        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        Assert.Contains("the overlay's 'small' has shape (3, 4), the picture (6, 8)", Assert.Single(result.Failures).Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("g.gif", "stack")]
    [InlineData("g.png", "image")]
    public void ALimitGivenBeyondTheDatasOtherEndFailsTheItemSayingSoWithoutNetsParameterName(string path, string kind)
    {
        // vmin 10 with the data's max 4 as vmax: matplotlib's Normalize refuses vmin > vmax; so does the item.
        Npy("x", (1, 1, 4));
        string recipe = $$"""
            xrayflow: 1
            inputs:
              mask: {{kind}}
            steps: []
            outputs:
              pic: {from: mask, path: {{path}}, vmin: 10, colormap: viridis}
            """;
        var result = Run(recipe, Path.Combine(dir, "in", "x.npy"));
        Assert.Equal(ExitCodes.SomeFailed, result.ExitCode);
        string error = Assert.Single(result.Failures).Error!;
        Assert.Contains("vmin (10) is above vmax (4)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
    }
}

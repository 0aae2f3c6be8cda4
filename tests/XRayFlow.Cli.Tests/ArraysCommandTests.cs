using System.Text.Json;
using XRayFlow.Core.Codecs.Npy;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Cli.Tests;

/// <summary>
/// `xrayflow arrays`, as the Python module (python/xrayflow/_run.py) reads it: result.json's fields (exit_code,
/// outputs with kind, file, shape, dtype, figure panels; diagnostics as data) and the value files it names. Until
/// these, only the Python tests read result.json: a mutation campaign found a wrong dtype, a wrong panel file,
/// NaN written into a table, wrong exit codes and renamed fields all passed every C# test.
/// </summary>
public sealed class ArraysCommandTests
{
    private static string P(string dir, params string[] parts) => Path.Combine([dir, .. parts]);

    /// <summary>An array (named unlike its step), a complex array, a table and a figure of two array panels, in that output order.</summary>
    private const string AllKinds = """
        xrayflow: 1
        inputs:
          xray: image
        steps:
          - id: ax
            op: abs
            in: xray
          - id: f
            op: fft2
            in: xray
          - id: s
            op: stats
            in: xray
        outputs:
          magnitude: {from: ax, path: "{stem}_ax.npy"}
          f: "{stem}_f.npy"
          s: "{stem}_s.json"
          fig:
            path: "{stem}_fig.png"
            panels:
              - {from: xray, title: "X"}
              - {from: ax, title: "A"}
        """;

    private static readonly float[] Input = [-1, 2, -3, 4, -5, 6];

    private static (string Dir, string Recipe, string Npy) Arrange(float[] values, int rows, int cols, string yaml = AllKinds)
    {
        string dir = CliKit.TempDir();
        string recipe = P(dir, "recipe.yaml");
        File.WriteAllText(recipe, yaml);
        string npy = P(dir, "in.npy");
        NpyWriter.Write(npy, new ImageArray(rows, cols, values));
        return (dir, recipe, npy);
    }

    private static JsonElement Result(string outDir)
        => JsonDocument.Parse(File.ReadAllBytes(P(outDir, "result.json"))).RootElement;

    private static string[] Names(JsonElement o) => [.. o.EnumerateObject().Select(p => p.Name)];

    private static int[] Shape(JsonElement o) => [.. o.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32())];

    private static void AssertArray(JsonElement o, string from, string file, string dtype)
    {
        Assert.Equal(["from", "kind", "file", "shape", "dtype"], Names(o).Where(n => n != "name").ToArray());
        Assert.Equal(from, o.GetProperty("from").GetString());
        Assert.Equal("array", o.GetProperty("kind").GetString());
        Assert.Equal(file, o.GetProperty("file").GetString());
        Assert.Equal([2, 3], Shape(o));
        Assert.Equal(dtype, o.GetProperty("dtype").GetString());
    }

    [Fact]
    public void ResultJsonListsEachOutputWithItsKindFileShapeAndDtypeAndTheFilesHoldTheValues()
    {
        var (dir, recipe, npy) = Arrange(Input, 2, 3);
        string outDir = P(dir, "values");
        var r = CliKit.Run("arrays", recipe, "--input", "xray=" + npy, "--out", outDir, "--threads", "1");
        Assert.Equal(0, r.Exit);
        Assert.Equal("", r.Err);

        var result = Result(outDir);
        Assert.Equal(["xrayflow_version", "exit_code", "outputs", "diagnostics"], Names(result));
        Assert.Equal(XRayFlow.Recipe.Version, result.GetProperty("xrayflow_version").GetString());
        Assert.Equal(0, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(0, result.GetProperty("diagnostics").GetArrayLength());
        var outputs = result.GetProperty("outputs").EnumerateArray().ToArray();
        Assert.Equal(["magnitude", "f", "s", "fig"], outputs.Select(o => o.GetProperty("name").GetString()!).ToArray());

        AssertArray(outputs[0], "ax", "0.npy", "float32");
        AssertArray(outputs[1], "f", "1.npy", "complex64");
        Assert.Equal(["name", "from", "kind", "file"], Names(outputs[2]));
        Assert.Equal(("s", "table", "2.json"), (outputs[2].GetProperty("from").GetString(), outputs[2].GetProperty("kind").GetString(), outputs[2].GetProperty("file").GetString()));
        Assert.Equal(["name", "from", "kind", "panels"], Names(outputs[3]));
        Assert.Equal("figure", outputs[3].GetProperty("kind").GetString());
        var panels = outputs[3].GetProperty("panels").EnumerateArray().ToArray();
        Assert.Equal(2, panels.Length);
        AssertArray(panels[0], "xray", "3_0.npy", "float32");
        AssertArray(panels[1], "ax", "3_1.npy", "float32");

        // Exactly the named files and result.json, no others.
        Assert.Equal(["0.npy", "1.npy", "2.json", "3_0.npy", "3_1.npy", "result.json"], Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());

        // The values: |x|, the complex fft2 (DC term = sum = 3, imaginary part 0), the input and |x| again.
        var ax = NpyReader.Read(P(outDir, "0.npy"));
        Assert.Equal([1f, 2, 3, 4, 5, 6], ax.Data.ToArray());
        Assert.Null(ax.Imag);
        var f = NpyReader.Read(P(outDir, "1.npy"));
        Assert.NotNull(f.Imag);
        Assert.Equal(3f, f.Data[0]);
        Assert.Equal(0f, f.Imag![0]);
        Assert.Equal(Input, NpyReader.Read(P(outDir, "3_0.npy")).Data.ToArray());
        Assert.Equal([1f, 2, 3, 4, 5, 6], NpyReader.Read(P(outDir, "3_1.npy")).Data.ToArray());

        // The table: the op's keys in order, numbers as written by `xrayflow run`.
        using var table = JsonDocument.Parse(File.ReadAllBytes(P(outDir, "2.json")));
        var t = table.RootElement;
        Assert.Equal(["shape", "dtype", "count", "min", "max", "mean", "median", "std"], Names(t));
        Assert.Equal([2, 3], Shape(t));
        Assert.Equal("float32", t.GetProperty("dtype").GetString());
        Assert.Equal(JsonValueKind.Number, t.GetProperty("count").ValueKind);
        Assert.Equal(6, t.GetProperty("count").GetInt64());
        Assert.Equal(-5, t.GetProperty("min").GetDouble());
        Assert.Equal(6, t.GetProperty("max").GetDouble());
        Assert.Equal(0.5, t.GetProperty("mean").GetDouble());
        Assert.Equal(0.5, t.GetProperty("median").GetDouble());
        Assert.Equal(3.8622100754188224, t.GetProperty("std").GetDouble());
    }

    [Fact]
    public void ATableNumberThatIsNaNIsWrittenAsJsonNull()
    {
        var (dir, recipe, npy) = Arrange([1, float.NaN, 3, 4], 2, 2, """
            xrayflow: 1
            inputs:
              xray: image
            steps:
              - id: s
                op: stats
            outputs:
              s: "{stem}_s.json"
            """);
        string outDir = P(dir, "values");
        Assert.Equal(0, CliKit.Run("arrays", recipe, "--input", "xray=" + npy, "--out", outDir).Exit);
        using var table = JsonDocument.Parse(File.ReadAllBytes(P(outDir, "0.json")));
        var t = table.RootElement;
        Assert.Equal(4, t.GetProperty("count").GetInt64());
        foreach (var key in new[] { "min", "max", "mean", "median", "std" })
        {
            Assert.Equal(JsonValueKind.Null, t.GetProperty(key).ValueKind);
        }
    }

    [Fact]
    public void ARegionTablesWholeNumbersAreJsonIntegersColumnByColumn()
    {
        // Two regions: label 1 at (0,0), (0,1), (1,0); label 2 down column 3. skimage's regionprops_table columns.
        var (dir, recipe, npy) = Arrange([1, 1, 0, 2, 1, 0, 0, 2, 0, 0, 0, 2], 3, 4, """
            xrayflow: 1
            inputs:
              labels: image
            steps:
              - id: props
                op: regionprops
                properties: [label, area, bbox, centroid]
            outputs:
              props: "{stem}_props.json"
            """);
        string outDir = P(dir, "values");
        var r = CliKit.Run("arrays", recipe, "--input", "labels=" + npy, "--out", outDir);
        Assert.True(r.Exit == 0, r.Err);
        using var table = JsonDocument.Parse(File.ReadAllBytes(P(outDir, "0.json")));
        var t = table.RootElement;
        Assert.Equal(["label", "area", "bbox-0", "bbox-1", "bbox-2", "bbox-3", "centroid-0", "centroid-1"], Names(t));
        string Raw(string column) => string.Join(",", t.GetProperty(column).EnumerateArray().Select(e => e.GetRawText()));
        Assert.Equal("1,2", Raw("label"));
        Assert.Equal("3,3", Raw("area"));
        Assert.Equal(("0,0", "0,3", "2,3", "2,4"), (Raw("bbox-0"), Raw("bbox-1"), Raw("bbox-2"), Raw("bbox-3")));
        Assert.Equal(1 / 3.0, t.GetProperty("centroid-0")[0].GetDouble());
        Assert.Equal(1.0, t.GetProperty("centroid-0")[1].GetDouble());
        Assert.Equal((1 / 3.0, 3.0), (t.GetProperty("centroid-1")[0].GetDouble(), t.GetProperty("centroid-1")[1].GetDouble()));
    }

    [Fact]
    public void ABadSetIsExit2WithTheDiagnosticAsDataAndNoOutputs()
    {
        var (dir, recipe, npy) = Arrange(Input, 2, 3);
        string outDir = P(dir, "values");
        var r = CliKit.Run("arrays", recipe, "--input", "xray=" + npy, "--set", "x", "--out", outDir);
        Assert.Equal(2, r.Exit);
        Assert.Contains("xrayflow: error XRF2004: --set 'x' is not NAME=VALUE", r.Err, StringComparison.Ordinal);
        var result = Result(outDir);
        Assert.Equal(2, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(0, result.GetProperty("outputs").GetArrayLength());
        var d = Assert.Single(result.GetProperty("diagnostics").EnumerateArray().ToArray());
        Assert.Equal(["code", "severity", "file", "line", "column", "message", "text"], Names(d));
        Assert.Equal("XRF2004", d.GetProperty("code").GetString());
        Assert.Equal("error", d.GetProperty("severity").GetString());
        Assert.Equal(JsonValueKind.Null, d.GetProperty("file").ValueKind);
        Assert.Equal(0, d.GetProperty("line").GetInt32());
        Assert.Equal(0, d.GetProperty("column").GetInt32());
        Assert.Equal("--set 'x' is not NAME=VALUE", d.GetProperty("message").GetString());
        Assert.Equal("xrayflow: error XRF2004: --set 'x' is not NAME=VALUE", d.GetProperty("text").GetString());
        Assert.Equal(["result.json"], Directory.GetFiles(outDir).Select(f => Path.GetFileName(f)).ToArray());
    }

    [Fact]
    public void AnUnreadableOrMismatchedInputIsExit1AndAnInvalidRecipeExit2InResultJsonToo()
    {
        var (dir, recipe, _) = Arrange(Input, 2, 3);
        string bad = P(dir, "bad.npy");
        File.WriteAllText(bad, "not npy\n");
        string outDir = P(dir, "failed");
        var r = CliKit.Run("arrays", recipe, "--input", "xray=" + bad, "--out", outDir);
        Assert.Equal(1, r.Exit);
        var result = Result(outDir);
        Assert.Equal(1, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(0, result.GetProperty("outputs").GetArrayLength());
        var d = Assert.Single(result.GetProperty("diagnostics").EnumerateArray().ToArray());
        Assert.Equal(("XRF2022", "error"), (d.GetProperty("code").GetString(), d.GetProperty("severity").GetString()));

        // A stack for an image input: the run failed (XRF2012), exit 1 too.
        string stack = P(dir, "stack.npy");
        NpyWriter.Write(stack, ImageArray.Stack(2, 1, 3, [.. Input]));
        string stackOut = P(dir, "stack");
        var s = CliKit.Run("arrays", recipe, "--input", "xray=" + stack, "--out", stackOut);
        Assert.Equal(1, s.Exit);
        var sr = Result(stackOut);
        Assert.Equal(1, sr.GetProperty("exit_code").GetInt32());
        Assert.Equal("XRF2012", Assert.Single(sr.GetProperty("diagnostics").EnumerateArray().ToArray()).GetProperty("code").GetString());

        // An unknown op: nothing could run (exit 2), the diagnostic with its place in the recipe.
        File.WriteAllText(recipe, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gausian_filter\n    sigma: 1\noutputs:\n  out: {from: gausian_filter, path: o.npy}\n");
        string invalidOut = P(dir, "invalid");
        var invalid = CliKit.Run("arrays", recipe, "--input", "xray=" + P(dir, "in.npy"), "--out", invalidOut);
        Assert.Equal(2, invalid.Exit);
        var ir = Result(invalidOut);
        Assert.Equal(2, ir.GetProperty("exit_code").GetInt32());
        var e = ir.GetProperty("diagnostics").EnumerateArray().First(x => x.GetProperty("severity").GetString() == "error");
        Assert.Equal("XRF1003", e.GetProperty("code").GetString());
        Assert.Equal(recipe, e.GetProperty("file").GetString());
        Assert.Equal((5, 9), (e.GetProperty("line").GetInt32(), e.GetProperty("column").GetInt32()));
        Assert.StartsWith(recipe + ":5:9: error XRF1003: ", e.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MaxPixelsIsPassedToTheRunAnInputOverItIsExit1AndOneAtItRuns()
    {
        var (dir, recipe, npy) = Arrange(Input, 2, 3);
        string over = P(dir, "over");
        var r = CliKit.Run("arrays", recipe, "--input", "xray=" + npy, "--out", over, "--max-pixels", "5");
        Assert.Equal(1, r.Exit);
        Assert.Contains("XRF2022: cannot read image", r.Err, StringComparison.Ordinal);
        Assert.Contains("has more than the limit of 5 pixels", r.Err, StringComparison.Ordinal);
        var result = Result(over);
        Assert.Equal(1, result.GetProperty("exit_code").GetInt32());
        Assert.Equal(0, result.GetProperty("outputs").GetArrayLength());
        Assert.Equal("XRF2022", Assert.Single(result.GetProperty("diagnostics").EnumerateArray().ToArray()).GetProperty("code").GetString());

        Assert.Equal(0, CliKit.Run("arrays", recipe, "--input", "xray=" + npy, "--out", P(dir, "at"), "--max-pixels", "6").Exit);
    }

    [Fact]
    public void DicomWithoutPreambleIsPassedToTheRun()
    {
        var (dir, recipe, _) = Arrange(Input, 2, 3, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: abs\noutputs:\n  abs: a.npy\n");
        string input = "xray=" + P(CliKit.Root, "tests", "fixtures", "dicom", "no_preamble.dcm");
        var refused = CliKit.Run("arrays", recipe, "--input", input, "--out", P(dir, "refused"));
        Assert.Equal(1, refused.Exit);
        Assert.Equal(1, Result(P(dir, "refused")).GetProperty("exit_code").GetInt32());

        var read = CliKit.Run("arrays", recipe, "--input", input, "--out", P(dir, "read"), "--dicom-without-preamble");
        Assert.True(read.Exit == 0, read.Err);
        var output = Assert.Single(Result(P(dir, "read")).GetProperty("outputs").EnumerateArray().ToArray());
        Assert.Equal("0.npy", output.GetProperty("file").GetString());
        Assert.True(File.Exists(P(dir, "read", "0.npy")));
    }

    [Fact]
    public void AWarningIsExit0WithTheWarningAsData()
    {
        var (dir, recipe, npy) = Arrange(Input, 2, 3, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: fourier_gaussian\n    sigma: 2\noutputs:\n  out: {from: fourier_gaussian, path: o.npy}\n");
        string outDir = P(dir, "values");
        var r = CliKit.Run("arrays", recipe, "--input", "xray=" + npy, "--out", outDir);
        Assert.Equal(0, r.Exit);
        var result = Result(outDir);
        Assert.Equal(0, result.GetProperty("exit_code").GetInt32());
        var d = Assert.Single(result.GetProperty("diagnostics").EnumerateArray().ToArray());
        Assert.Equal(("XRF1058", "warning", 5, 9), (d.GetProperty("code").GetString(), d.GetProperty("severity").GetString(), d.GetProperty("line").GetInt32(), d.GetProperty("column").GetInt32()));
        Assert.StartsWith(recipe + ":5:9: warning XRF1058: step 'fourier_gaussian'", d.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, result.GetProperty("outputs").GetArrayLength());
    }
}

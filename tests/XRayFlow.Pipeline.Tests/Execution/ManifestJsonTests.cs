using System.Text;
using CsCheck;
using XRayFlow.Pipeline.Running;
using XRayFlow.Tests.Shared;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>manifest.json as text: what the writer produces, and the reader's refusal of everything that is not a manifest.</summary>
public class ManifestJsonTests
{
    /// <summary>Seconds for each fuzz test when XRAYFLOW_FUZZ_SECONDS is set (a long run); a fixed iteration count otherwise.</summary>
    private static int FuzzSeconds => FuzzReport.Seconds;

    private static Manifest Sample(string name = "a.png") => new()
    {
        Version = "0.1.0",
        RecipeName = "r",
        RecipePath = "../r.yaml",
        RecipeAbsolutePath = "/data/r.yaml",
        RecipeFileSha256 = new string('a', 64),
        RecipeSha256 = new string('b', 64),
        Params = [new("t", "150"), new("s", "\"x\"")],
        Set = [new("t", "150")],
        InputBindings = [new("xray", "/data/images/*.png")],
        Threads = 2,
        Items =
        [
            new ManifestItem
            {
                Name = name,
                Stem = Path.GetFileNameWithoutExtension(name),
                Status = "ok",
                Inputs = [new ManifestFile("xray", "/data/images/" + name, new string('c', 64))],
                Outputs = [new ManifestOutput("edges", Path.GetFileNameWithoutExtension(name) + "_edges.png", new string('d', 64))],
                Steps = [new ManifestStep("gx", "sobel", 1.23456), new ManifestStep("m", "abs", 0.5, 2), new ManifestStep("n", "abs", 0, 0, "m")],
            },
            new ManifestItem { Name = "bad.png", Stem = "bad", Status = "failed", Error = "bad.png: not a PNG" },
        ],
    };

    [Fact]
    public void WrittenTextIsIndentedJsonThatReadsBackTheSameManifest()
    {
        string weird = "é ü 漢 \u001b[31m \\ back\\slash \"q\".png";
        var m = Sample(weird);
        string text = Encoding.UTF8.GetString(ManifestJson.Write(m));
        Assert.StartsWith("{\n  \"xrayflow_version\": \"0.1.0\",\n  \"recipe\": {\n    \"name\": \"r\",\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\n  ]\n}\n", text, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"é ü 漢 \\u001B[31m \\\\ back\\\\slash \\\"q\\\".png\"", text, StringComparison.Ordinal);
        Assert.Contains("\"params\": {\n    \"t\": 150,\n    \"s\": \"x\"\n  }", text, StringComparison.Ordinal);
        Assert.Contains("\"ms\": 1.235", text, StringComparison.Ordinal);

        var back = ManifestJson.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Equal(weird, back.Items[0].Name);
        Assert.Equal(m.Items[0].Outputs, back.Items[0].Outputs);
        Assert.Equal(m.Items[0].Inputs, back.Items[0].Inputs);
        Assert.Equal(["gx", "m", "n"], back.Items[0].Steps.Select(s => s.Id));
        Assert.Equal(2, back.Items[0].Steps[1].Chain);
        Assert.Equal(0, back.Items[0].Steps[0].Chain);
        Assert.Contains("\"chain\": 2", text, StringComparison.Ordinal);
        Assert.Equal("m", back.Items[0].Steps[2].SameAs);
        Assert.Equal("bad.png: not a PNG", back.Items[1].Error);
        Assert.Equal(m.Params, back.Params);
        Assert.Equal(m.InputBindings, back.InputBindings);
    }

    [Fact]
    public void ALoneSurrogateIsWrittenAsTheReplacementCharacterNotAnException()
    {
        var m = Sample("x\ud800y.png");
        var back = ManifestJson.Parse(ManifestJson.Write(m));
        Assert.Equal("x\ufffdy.png", back.Items[0].Name);
    }

    [Theory]
    [InlineData("", "not valid JSON (line 1, byte 1)")]
    [InlineData("[]", "the manifest must be an object, found a list")]
    [InlineData("{\"xrayflow_version\": \"1\"", "not valid JSON (line 1, byte 25)")]
    [InlineData("\u001b[2J", "not valid JSON (line 1, byte 1)")]
    public void TextThatIsNotAManifestSaysWhereNotWhat(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => ManifestJson.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.EndsWith(message, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', ex.Message);
    }

    [Theory]
    [InlineData("\"name\": \"a.png\"", "\"name\": \"a\\udddd.png\"")]
    [InlineData("\"name\": \"a.png\"", "\"na\\ud800me\": \"a.png\", \"name\": \"a.png\"")]
    [InlineData("\"t\": 150", "\"\\udc00\": 150")]
    public void AnEscapedLoneSurrogateIsRefusedWithAReason(string from, string to)
    {
        // Found by the long fuzz run: JsonElement.GetString threw InvalidOperationException on "\udddd".
        string text = Encoding.UTF8.GetString(ManifestJson.Write(Sample())).Replace(from, to, StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => ManifestJson.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Contains("invalid \\u escape", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"canonical_sha256\": \"bbbb", "\"canonical_sha256\": \"\", \"x\": \"bbbb", "recipe.canonical_sha256 must be a SHA-256 as 64 lowercase hexadecimal digits")]
    [InlineData("\"index\": 1", "\"index\": 2", "shard.index must be below shard.count")]
    [InlineData("\"inputs_total\": 5", "\"inputs_total\": -1", "shard.inputs_total must be a whole number >= 0")]
    [InlineData("\"inputs_total\": 7", "\"inputs_total\": -1", "batch.inputs_total must be a whole number >= 0")]
    [InlineData("\"name\": \"bad.png\"", "\"name\": \"a.png\"", "items[1].name names an item twice")]
    [InlineData("\"ms\": 1.235", "\"ms\": 1e999", "items[0].steps[0].ms must be a number")] // TryGetDouble reads 1e999 as +infinity
    public void AFieldOutsideItsRangeIsRefusedAndNamed(string from, string to, string message)
    {
        // Mutation testing: each of these checks could be dropped (or be off by one) with every other test passing.
        var m = Sample() with { Shard = new ManifestShard(1, 2, 5, new string('e', 64)), Batch = new ManifestBatch(7, new string('f', 64)) };
        string valid = Encoding.UTF8.GetString(ManifestJson.Write(m));
        Assert.Equal(m.Shard, ManifestJson.Parse(Encoding.UTF8.GetBytes(valid)).Shard);
        string text = valid.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(valid, text);
        var ex = Assert.Throws<FormatException>(() => ManifestJson.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Equal("not an xrayflow manifest: " + message, ex.Message);
    }

    [Fact]
    public void MutatedManifestsParseOrAreRefusedWithAReasonNeverAnotherException()
    {
        string valid = Encoding.UTF8.GetString(ManifestJson.Write(Sample()));
        const string alphabet = " \n\t{}[],:\"\\0123456789abcdef.-eEnultrfa/\u0000\u001b\ud800é";
        var edit = Gen.Select(Gen.Int[0, valid.Length], Gen.Int[0, 12], Gen.Char[alphabet].Array[0, 8]);
        int parsed = 0, refused = 0;
        edit.Array[1, 6].Sample(
            edits =>
            {
                string text = valid;
                foreach (var (at, delete, insert) in edits)
                {
                    int start = Math.Min(at, text.Length);
                    text = text.Remove(start, Math.Min(delete, text.Length - start)).Insert(start, new string(insert));
                }

                try
                {
                    var m = ManifestJson.Parse(Encoding.UTF8.GetBytes(text));
                    Interlocked.Increment(ref parsed);
                    Assert.All(m.Items.SelectMany(i => i.Outputs), o => Assert.False(Path.IsPathRooted(o.Path) || o.Path.Split('/').Contains("..")));
                    Assert.DoesNotContain(m.Items, i => i.Name.Contains('\0'));
                }
                catch (FormatException)
                {
                    Interlocked.Increment(ref refused);
                }
            },
            iter: FuzzSeconds > 0 ? -1 : 4000,
            time: FuzzSeconds,
            threads: 1,
            seed: FuzzSeconds > 0 ? null : "0N0XIzNsQ0O2");
        Assert.True(parsed > 0 && refused > 0, $"parsed {parsed}, refused {refused}: the mutations should produce both");
        if (FuzzSeconds > 0)
        {
            string summary = $"manifest fuzz: {parsed + refused} inputs in {FuzzSeconds} s, {parsed} parsed, {refused} refused with a reason, 0 other exceptions";
            Console.WriteLine(summary);
            FuzzReport.Write("manifest", [summary]);
        }
    }
}

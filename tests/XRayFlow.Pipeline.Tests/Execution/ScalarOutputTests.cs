using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Outputs;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>A scalar step's number in a `.json` output and in manifest.json.</summary>
public class ScalarOutputTests
{
    [Fact]
    public void AScalarIsOneJsonValue()
    {
        Assert.Equal("{\"value\": 117}\n", OutputWriter.Json(new ScalarValue(117)));
        Assert.Equal("{\"value\": 92.80054741277813}\n", OutputWriter.Json(new ScalarValue(92.80054741277813)));
        Assert.Equal("{\"value\": null}\n", OutputWriter.Json(new ScalarValue(double.NaN)));
    }

    [Fact]
    public void ManifestItemsListTheirScalarsAndReadThemBack()
    {
        var manifest = new Manifest
        {
            Version = "1.0.0",
            RecipeName = "r",
            RecipePath = "r.yaml",
            RecipeAbsolutePath = "/tmp/r.yaml",
            RecipeFileSha256 = new string('0', 64),
            RecipeSha256 = new string('1', 64),
            Params = [],
            Set = [],
            InputBindings = [],
            Threads = 2,
            Items =
            [
                new ManifestItem { Name = "a.png", Stem = "a", Status = "ok", Scalars = [new("otsu", 115), new("p99", 235.5)] },
                new ManifestItem { Name = "b.png", Stem = "b", Status = "failed", Error = "boom" },
            ],
        };
        string json = System.Text.Encoding.UTF8.GetString(ManifestJson.Write(manifest));
        var scalars = System.Text.Json.Nodes.JsonNode.Parse(json)!["items"]![0]!["scalars"]!.AsObject();
        Assert.Equal(["otsu", "p99"], scalars.Select(kv => kv.Key));
        Assert.Equal(115.0, scalars["otsu"]!.GetValue<double>());
        Assert.Equal(235.5, scalars["p99"]!.GetValue<double>());
        string path = Path.Combine(Path.GetTempPath(), "xrf-manifest-" + Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        try
        {
            var back = ManifestJson.Read(path);
            Assert.Equal([new("otsu", 115.0), new("p99", 235.5)], back.Items[0].Scalars);
            Assert.Empty(back.Items[1].Scalars);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

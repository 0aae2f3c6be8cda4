using SkiaSharp;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Rendering;

/// <summary>The picture outputs end to end: a recipe with canny, montage, a figure and a GIF, run by the runner.</summary>
public sealed class PictureRecipeTests : IDisposable
{
    private const string Recipe = """
        xrayflow: 1
        name: pictures-e2e
        inputs:
          xray: image
          frames: stack
        steps:
          - id: lg
            op: gaussian_laplace
            in: xray
            sigma: 1
          - id: ggm
            op: gaussian_gradient_magnitude
            in: xray
            sigma: 2
          - id: sob
            op: sobel
            in: xray
            axis: 0
          - id: edges
            op: canny
            in: xray
            sigma: 3
            low_threshold: 25.5
            high_threshold: 51
          - id: side
            op: montage
            in: frames
            gap: 8
            fill: 255
        outputs:
          compare:
            path: compare.png
            title: X-ray edges
            columns: 3
            panels:
              - {from: xray, title: Original}
              - {from: lg, title: "Laplace-Gaussian (edges)"}
              - {from: ggm, title: "Gaussian gradient (edges)"}
              - {from: sob, title: "Sobel (edges) - grayscale"}
              - {from: sob, title: "Sobel (edges) - hot", colormap: hot}
              - {from: edges, title: "Canny (edges) - prism", colormap: prism}
          side: side.png
          anim: {from: frames, path: frames.gif, duration_ms: 500}
        """;

    private readonly string dir = Path.Combine(Path.GetTempPath(), "xrf-pictures-" + Guid.NewGuid().ToString("N"));

    /// <summary>Runs a recipe's text on sample 00000011_001 into dir/out (must succeed); the out folder.</summary>
    private string RunOnSample(string recipe, string name)
    {
        var loaded = RecipeLoader.LoadText(recipe, name);
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        var outDir = Path.Combine(dir, "out");
        var result = RecipeRunner.Run(new RunRequest
        {
            Recipe = loaded.Recipe!,
            Inputs = new Dictionary<string, string> { ["xray"] = Path.Combine(RenderingFixtures.RepoRoot, "pipelines", "samples", "00000011_001.png") },
            OutDir = outDir,
            Threads = 2,
        });
        Assert.True(result.ExitCode == ExitCodes.Success, string.Join("\n", result.Diagnostics.Select(d => d.ToString()).Concat(result.Failures.Select(f => f.ToString()))));
        return outDir;
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void FigurePanelSizeAndColorBarReachTheRenderer()
    {
        const string recipe = """
            xrayflow: 1
            name: figure-options
            inputs:
              xray: image
            steps:
              - {id: smooth, op: gaussian_filter, in: xray, sigma: 1}
            outputs:
              plain: {path: plain.png, panel_size: 120, panels: [{from: xray}]}
              barred: {path: barred.png, panel_size: 120, panels: [{from: xray, colorbar: true, colormap: RdBu_r}]}
            """;
        string outDir = RunOnSample(recipe, "figure-options.yaml");
        using var plain = SKBitmap.Decode(File.ReadAllBytes(Path.Combine(outDir, "plain.png")));
        using var barred = SKBitmap.Decode(File.ReadAllBytes(Path.Combine(outDir, "barred.png")));
        Assert.Equal((2 * 20) + 120, plain.Width);
        Assert.Equal((2 * 20) + 120, plain.Height);
        Assert.Equal(plain.Height, barred.Height);
        Assert.True(barred.Width > plain.Width + 16, $"no room for a colour bar: {barred.Width} vs {plain.Width}");

        // the bar (16 px wide, 10 px right of the 120 px image): RdBu_r's top is RdBu's bottom colour (dark red)
        var top = barred.GetPixel(20 + 120 + 10 + 8, 20 + 3);
        Assert.True(top.Red > 80 && top.Blue < 60, $"colour bar top is {top}");
    }

    /// <summary>
    /// A figure and a histogram plot are .png outputs like any other: 8-bit RGB (colour type 2, as the docs say "a
    /// figure is 8-bit RGB"), and their `compression:` level is honoured (0 stores, so its file is the largest), with
    /// the same pixels at every level. SkiaSharp's encoder wrote RGBA (colour type 6) at one fixed level whatever
    /// `compression:` said: compression 0 and 9 gave the very same bytes.
    /// </summary>
    [Fact]
    public void FiguresAndPlotsAreRgbAndHonourCompression()
    {
        const string recipe = """
            xrayflow: 1
            name: figure-compression
            inputs:
              xray: image
            steps:
              - {id: h, op: histogram, in: xray, min: 0, max: 255, bins: 64}
            outputs:
              f0: {path: f0.png, compression: 0, panel_size: 64, panels: [{from: xray, title: "a-b", colorbar: true}]}
              f9: {path: f9.png, compression: 9, panel_size: 64, panels: [{from: xray, title: "a-b", colorbar: true}]}
              fd: {path: fd.png, panel_size: 64, panels: [{from: xray, title: "a-b", colorbar: true}]}
              h0: {from: h, path: h0.png, compression: 0, title: plot}
              h9: {from: h, path: h9.png, compression: 9, title: plot}
            """;
        string outDir = RunOnSample(recipe, "figure-compression.yaml");
        foreach (var (stored, packed) in new[] { ("f0.png", "f9.png"), ("fd.png", "f9.png"), ("h0.png", "h9.png") })
        {
            var a = File.ReadAllBytes(Path.Combine(outDir, stored));
            var b = File.ReadAllBytes(Path.Combine(outDir, packed));
            foreach (var png in new[] { a, b })
            {
                Assert.Equal(8, png[24]); // IHDR bit depth
                Assert.Equal(2, png[25]); // IHDR colour type: RGB, no alpha
            }

            Assert.NotEqual(a, b);
            using var pa = SKBitmap.Decode(a);
            using var pb = SKBitmap.Decode(b);
            Assert.Equal(pa.Pixels, pb.Pixels);
        }

        Assert.True(new FileInfo(Path.Combine(outDir, "f0.png")).Length > new FileInfo(Path.Combine(outDir, "f9.png")).Length);
        Assert.True(new FileInfo(Path.Combine(outDir, "h0.png")).Length > new FileInfo(Path.Combine(outDir, "h9.png")).Length);
    }

    [Theory]
    [InlineData("panel_size: 8", "panel_size")]
    [InlineData("panel_size: 5000", "panel_size")]
    [InlineData("panels: [{from: xray, colorbar: yes please}]", "colorbar")]
    public void BadFigureOptionsAreRefusedAtValidateTime(string option, string named)
    {
        string recipe = $"xrayflow: 1\nname: bad\ninputs:\n  xray: image\nsteps:\n  - {{id: smooth, op: gaussian_filter, in: xray, sigma: 1}}\noutputs:\n  fig: {{path: fig.png, {(option.StartsWith("panels", StringComparison.Ordinal) ? option : option + ", panels: [{from: xray}]")}}}\n";
        var loaded = RecipeLoader.LoadText(recipe, "bad.yaml");
        Assert.True(loaded.HasErrors);
        Assert.Contains(loaded.Diagnostics, d => d.ToString().Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public void FigureMontageAndGifComeOutOfARun()
    {
        Directory.CreateDirectory(Path.Combine(dir, "frames"));
        for (int i = 0; i < 3; i++)
        {
            File.Copy(Path.Combine(RenderingFixtures.RepoRoot, "pipelines", "samples", $"00000011_00{i}.png"), Path.Combine(dir, "frames", $"f{i}.png"));
        }

        var loaded = RecipeLoader.LoadText(Recipe, "pictures-e2e.yaml");
        Assert.False(loaded.HasErrors, string.Join("\n", loaded.Diagnostics));
        var outDir = Path.Combine(dir, "out");
        var result = RecipeRunner.Run(new RunRequest
        {
            Recipe = loaded.Recipe!,
            Inputs = new Dictionary<string, string>
            {
                ["xray"] = Path.Combine(RenderingFixtures.RepoRoot, "pipelines", "samples", "00000011_001.png"),
                ["frames"] = Path.Combine(dir, "frames", "*.png"),
            },
            OutDir = outDir,
            Threads = 2,
        });
        Assert.True(result.ExitCode == ExitCodes.Success, string.Join("\n", result.Diagnostics.Select(d => d.ToString()).Concat(result.Failures.Select(f => f.ToString()))));

        var compare = File.ReadAllBytes(Path.Combine(outDir, "compare.png"));
        RenderingFixtures.Keep("e2e-compare.png", compare);
        using (var bmp = SKBitmap.Decode(compare))
        {
            Assert.Equal((2 * 20) + (3 * 300) + (2 * 20), bmp.Width); // 3 columns of 300 px panels
        }

        var side = File.ReadAllBytes(Path.Combine(outDir, "side.png"));
        RenderingFixtures.Keep("e2e-side.png", side);
        using (var bmp = SKBitmap.Decode(side))
        {
            Assert.Equal((3 * 1024) + (2 * 8), bmp.Width);
            Assert.Equal(1024, bmp.Height);
            Assert.Equal(SKColors.White, bmp.GetPixel(1024 + 3, 500)); // the gap, filled with 255
        }

        var gif = File.ReadAllBytes(Path.Combine(outDir, "frames.gif"));
        RenderingFixtures.Keep("e2e-frames.gif", gif);
        using var image = SixLabors.ImageSharp.Image.Load(gif);
        Assert.Equal(3, image.Frames.Count);
        Assert.Equal(50, SixLabors.ImageSharp.MetadataExtensions.GetGifMetadata(image.Frames[2].Metadata).FrameDelay);
    }
}

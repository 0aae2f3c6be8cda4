using System.Text.RegularExpressions;
using XRayFlow.Core.Codecs;

namespace XRayFlow.Report.Tests;

/// <summary>`xrayflow run --report`: what report.html holds, that it needs nothing outside itself, and its failure modes.</summary>
public sealed partial class ReportFileTests
{
    public const string Recipe = """
        xrayflow: 1
        name: small
        description: Edges & masks <of> small images.
        params:
          threshold: 120
        inputs:
          xray: image
        steps:
          - id: smooth
            op: gaussian_filter
            sigma: 1
          - id: gx
            op: sobel
            in: smooth
            axis: 0
          - id: gy
            op: sobel
            in: smooth
            axis: 1
          - id: mag
            op: hypot
            in: [gx, gy]
          - id: gx_again
            op: sobel
            in: smooth
            axis: 0
          - id: mask
            op: where
            in: xray
            cond: "x > threshold"
            then: 1
            else: 0
          - id: stats
            op: stats
            in: mag
          - id: unused
            op: abs
            in: xray
        outputs:
          mag: {path: "{stem}_mag.png", colormap: hot}
          both: {path: "{stem}_fig.png", panels: [{from: xray, title: "input"}, {from: gx_again, title: "gx", colormap: magma}, {from: mask, title: "mask"}]}
          stats: "{stem}_stats.json"
        """;

    /// <summary>A recipe of one `stats` step whose table goes to <paramref name="path"/>.</summary>
    private static string StatsTo(string path) => $"xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - id: s\n    op: stats\noutputs:\n  s: \"{path}\"\n";

    [GeneratedRegex("(?:src|href)=\"([^\"]*)\"")]
    private static partial Regex Links();

    [GeneratedRegex("data-step=\"([^\"]+)\"")]
    private static partial Regex StepNodes();

    private static (string Dir, Kit.Result Result, string Html) Batch(int images, bool corrupt, params string[] extra)
    {
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "r.yaml"), Recipe);
        for (int i = 0; i < images; i++)
        {
            Kit.Png(Path.Combine(dir, "in", $"img{i}.png"), 48, 64, seed: i);
        }

        if (corrupt)
        {
            Kit.Corrupt(Path.Combine(dir, "in", "broken.png"));
        }

        var r = Kit.Run(["run", Path.Combine(dir, "r.yaml"), "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"), "--report", .. extra]);
        string page = Path.Combine(dir, "out", "report.html");
        return (dir, r, File.Exists(page) ? File.ReadAllText(page) : string.Empty);
    }

    [Fact]
    public void TheReportShowsEveryStepOfEveryInputTheFailureAndTheHashes()
    {
        var (dir, r, html) = Batch(3, corrupt: true);
        Assert.Equal(1, r.Exit); // the corrupt input failed, the others ran
        Assert.Contains("report written to", r.Out, StringComparison.Ordinal);

        // The plan: one node per recipe step (computed, merged into an identical step, or skipped), each linking to its section.
        var nodes = StepNodes().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["gx", "gx_again", "gy", "mag", "mask", "smooth", "stats", "unused"], nodes.Order());
        foreach (var id in nodes)
        {
            Assert.Contains($"<a href=\"#step-{id}\">", html, StringComparison.Ordinal);
            Assert.Contains($"id=\"step-{id}\"", html, StringComparison.Ordinal);
        }

        Assert.Contains("class=\"node merged\" data-step=\"gx_again\"", html, StringComparison.Ordinal);
        Assert.Contains("class=\"node skipped\" data-step=\"unused\"", html, StringComparison.Ordinal);
        Assert.Contains("level 1", html, StringComparison.Ordinal);

        // Cards: the computed steps and the input, for each of the three good inputs.
        foreach (var item in new[] { "img0.png", "img1.png", "img2.png" })
        {
            Assert.True(Regex.Matches(html, $"<figure class=\"card\" data-item=\"{Regex.Escape(item)}\">").Count >= 7, item);
        }

        Assert.Contains("48×64 float32", html, StringComparison.Ordinal);
        Assert.Contains("hot, ", html, StringComparison.Ordinal); // mag is shown through its output's colormap

        // The failure, with its file and reason; the hashes of the recipe, inputs and outputs.
        var failures = html[html.IndexOf("<section id=\"failures\">", StringComparison.Ordinal)..html.IndexOf("<section id=\"steps\">", StringComparison.Ordinal)];
        Assert.Contains("broken.png", failures, StringComparison.Ordinal);
        Assert.Contains("<td>", failures, StringComparison.Ordinal);
        string manifest = File.ReadAllText(Path.Combine(dir, "out", "manifest.json"));
        foreach (Match sha in Regex.Matches(manifest, "\"sha256\": \"([0-9a-f]{64})\""))
        {
            Assert.Contains(sha.Groups[1].Value, html, StringComparison.Ordinal);
        }

        // The recipe, line by line, with anchors the steps link to; the escaped description.
        Assert.Contains("<span id=\"L9\" class=\"step-line\">", html, StringComparison.Ordinal);
        Assert.Contains("Edges &amp; masks &lt;of&gt; small images.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheReportNeedsNothingOutsideItself()
    {
        var (_, r, html) = Batch(2, corrupt: false);
        Assert.Equal(0, r.Exit);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("url\\((?!#)", html); // only url(#arrow), the graph's own marker
        Assert.Contains("content=\"default-src 'none'; img-src data:;", html, StringComparison.Ordinal);
        int images = 0;
        foreach (Match m in Links().Matches(html))
        {
            string link = m.Groups[1].Value;
            if (link.StartsWith("data:", StringComparison.Ordinal))
            {
                Assert.StartsWith("data:image/png;base64,", link, StringComparison.Ordinal);
                var png = ImageReader.Read(new MemoryStream(Convert.FromBase64String(link["data:image/png;base64,".Length..])), "thumb.png");
                Assert.True(png.Rows > 0 && png.Cols > 0);
                images++;
            }
            else
            {
                // Anchors and the run's own files, relative (base64 may hold "//", so only links that are not data: are checked for it).
                Assert.DoesNotContain("//", link, StringComparison.Ordinal);
                Assert.True(link.StartsWith('#') || !link.Contains(':', StringComparison.Ordinal), link);
            }
        }

        Assert.True(images >= 2 * 7, $"{images} images");
    }

    [Fact]
    public void UntrustedNamesAreEscaped()
    {
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "r.yaml"), Recipe);
        Kit.Png(Path.Combine(dir, "in", "<img src=x onerror=alert(1)>.png"), 20, 20);
        var r = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"), "--report");
        Assert.Equal(0, r.Exit);
        string html = File.ReadAllText(Path.Combine(dir, "out", "report.html"));
        Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;.png", html, StringComparison.Ordinal);
        Assert.Contains("href=\"%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E_mag.png\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOutputInsideWhereTheReportGoesIsACollision()
    {
        // Output formats are .npy, .png, .gif and .json, so no output is named report.html; one below a folder of that name would be.
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "clash.yaml"), StatsTo("report.html/{stem}.json"));
        Kit.Png(Path.Combine(dir, "a.png"), 16, 16);
        var ok = Kit.Run("run", Path.Combine(dir, "clash.yaml"), "--input", "xray=" + Path.Combine(dir, "a.png"), "--out", Path.Combine(dir, "o1"));
        Assert.Equal(0, ok.Exit); // without --report the name is free
        var r = Kit.Run("run", Path.Combine(dir, "clash.yaml"), "--input", "xray=" + Path.Combine(dir, "a.png"), "--out", Path.Combine(dir, "o2"), "--report");
        Assert.Equal(2, r.Exit);
        Assert.Contains("error XRF2008: ", r.Err, StringComparison.Ordinal);
        Assert.Contains("the run's report", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "o2", "manifest.json")));
    }

    [Fact]
    public void AReportThatCannotBeWrittenIsExitOneWithTheOutputsComplete()
    {
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "r.yaml"), Recipe);
        Kit.Png(Path.Combine(dir, "a.png"), 16, 16);
        Directory.CreateDirectory(Path.Combine(dir, "out", "report.html", "in-the-way"));
        var r = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", "xray=" + Path.Combine(dir, "a.png"), "--out", Path.Combine(dir, "out"), "--report");
        Assert.Equal(1, r.Exit);
        Assert.Contains("error XRF2038: ", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("report written", r.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dir, "out", "manifest.json")));
        Assert.True(File.Exists(Path.Combine(dir, "out", "a_mag.png")));
    }

    [Fact]
    public void ResumedInputsAreListedWithoutPictures()
    {
        var (dir, first, _) = Batch(2, corrupt: false);
        Assert.Equal(0, first.Exit);
        var r = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"), "--report", "--resume");
        Assert.Equal(0, r.Exit);
        string html = File.ReadAllText(Path.Combine(dir, "out", "report.html"));
        Assert.Contains("kept from an earlier run", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img class=\"thumb\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ALargeBatchPicturesItsFirstInputsAndListsTheRest()
    {
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "r.yaml"), "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - id: s\n    op: abs\noutputs:\n  s: \"{stem}.npy\"\n");
        for (int i = 0; i < 30; i++)
        {
            Kit.Png(Path.Combine(dir, "in", $"i{i:00}.png"), 8, 8, i);
        }

        var r = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"), "--report");
        Assert.Equal(0, r.Exit);
        string html = File.ReadAllText(Path.Combine(dir, "out", "report.html"));
        Assert.Contains("data-item=\"i23.png\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-item=\"i24.png\"", html, StringComparison.Ordinal);
        Assert.Contains("6 more are listed", html, StringComparison.Ordinal);
        Assert.Contains("<td>i29.png</td>", html, StringComparison.Ordinal); // timing table lists every input
    }

    [Fact]
    public void AVeryLargeBatchListsAThousandInputsPerTableAndPicturesOnlyTheFirst()
    {
        // Found with `run sobel.yaml --input xray=tiny3k --report` (3,000 inputs): a 4 MB page, 1.3 KB per input, so
        // 160 MB for the 120,000 files of docs/cluster.md; every failed input also had a card in every step's section.
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "r.yaml"), "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - id: s\n    op: abs\noutputs:\n  s: \"{stem}.npy\"\n");
        string one = Kit.Png(Path.Combine(dir, "i0000.png"), 4, 4);
        Directory.CreateDirectory(Path.Combine(dir, "in"));
        for (int i = 0; i < 1100; i++)
        {
            File.Copy(one, Path.Combine(dir, "in", $"i{i:0000}.png"));
        }

        for (int i = 0; i < 30; i++)
        {
            Kit.Corrupt(Path.Combine(dir, "in", $"z_bad{i:00}.png"));
        }

        var r = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", $"xray={Path.Combine(dir, "in")}", "--out", Path.Combine(dir, "out"), "--report", "--quiet");
        Assert.Equal(1, r.Exit);
        string html = File.ReadAllText(Path.Combine(dir, "out", "report.html"));

        Assert.Contains("<td>i0999.png</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<td>i1000.png</td>", html, StringComparison.Ordinal); // neither timing nor hashes
        Assert.Equal(2, Regex.Matches(html, "The first 1000 inputs of 1130; manifest.json lists all 1130.").Count);

        // The failures table has every failure (fewer than 1000); their cards are not repeated in every step's section.
        Assert.Contains("<tr><td>z_bad29.png</td>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-item=\"z_bad00.png\"", html, StringComparison.Ordinal);
        Assert.Contains("data-item=\"i0023.png\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("data-item=\"i0024.png\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutReportNoReportIsWritten()
    {
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "r.yaml"), Recipe);
        Kit.Png(Path.Combine(dir, "a.png"), 16, 16);
        var r = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", "xray=" + Path.Combine(dir, "a.png"), "--out", Path.Combine(dir, "out"));
        Assert.Equal(0, r.Exit);
        Assert.False(File.Exists(Path.Combine(dir, "out", "report.html")));
    }

    [Fact]
    public void AShardsReportSaysItIsOneBlockOfTheBatch()
    {
        // Found with `run otsu-mask.yaml --input 'xray=samples/*.png' --shard 0/2 --report`: the page said
        // "4 of 4 inputs done", nothing about the other 5 inputs of the batch or the shard.
        var (dir, first, _) = Batch(5, corrupt: false, "--shard", "1/2");
        Assert.Equal(0, first.Exit);
        string page = File.ReadAllText(Path.Combine(dir, "out", "report.shard-0001-of-0002.html"));
        Assert.Contains("3 of 3 inputs done</span> · <span class=\"shard\">shard 1 of 2: inputs 3–5 of the batch's 5 (<code>xrayflow merge</code> joins the shards)</span>", page, StringComparison.Ordinal);

        var whole = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "whole"), "--report");
        Assert.Equal(0, whole.Exit);
        Assert.DoesNotContain("class=\"shard\"", File.ReadAllText(Path.Combine(dir, "whole", "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public void EachShardWritesItsOwnReportBesideItsManifest()
    {
        var (dir, first, html) = Batch(4, corrupt: false, "--shard", "0/2");
        Assert.Equal(0, first.Exit);
        Assert.Empty(html); // not report.html: the shards share --out
        var second = Kit.Run("run", Path.Combine(dir, "r.yaml"), "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"), "--report", "--shard", "1/2");
        Assert.Equal(0, second.Exit);
        string a = File.ReadAllText(Path.Combine(dir, "out", "report.shard-0000-of-0002.html"));
        string b = File.ReadAllText(Path.Combine(dir, "out", "report.shard-0001-of-0002.html"));
        Assert.Contains("report written to " + Path.Combine(dir, "out", "report.shard-0001-of-0002.html"), second.Out, StringComparison.Ordinal);
        Assert.Contains("img0.png", a, StringComparison.Ordinal);
        Assert.DoesNotContain("img3.png", a, StringComparison.Ordinal);
        Assert.Contains("img3.png", b, StringComparison.Ordinal);
        Assert.DoesNotContain("img0.png", b, StringComparison.Ordinal);
    }

    [Fact]
    public void UntrustedTextOfAFailureTheRecipeAndItsParamsIsEscapedInEverySection()
    {
        // From mutation testing: each of these reaches the page through its own Html.E, and removing any one of them
        // went unnoticed (UntrustedNamesAreEscaped has no failed input, and its recipe's markup is in the description
        // only, which the header shows escaped as well).
        string dir = Kit.TempDir();
        string recipe = Kit.Write(Path.Combine(dir, "r<b>.yaml"), """
            xrayflow: 1
            name: "<i>n</i> & co"
            # <b>bold</b> & 'q'
            params:
              label: "<s>x</s> & y"
            inputs:
              xray: image
            steps:
              - id: same
                op: abs
            outputs:
              same: "{stem}&<same>.npy"
              long: {from: same, path: "{stem}_a_rather_long_output_name.npy"}

            """);
        Kit.Png(Path.Combine(dir, "in", "good.png"), 5, 7);
        Kit.Corrupt(Path.Combine(dir, "in", "<em>bad\"&.png"));
        var r = Kit.Run("run", recipe, "--input", "xray=" + Path.Combine(dir, "in", "*.png"), "--out", Path.Combine(dir, "out"), "--report");
        Assert.Equal(1, r.Exit);
        string html = File.ReadAllText(Path.Combine(dir, "out", "report.html"));
        foreach (var raw in new[] { "<em>", "<i>n", "<b>bold", "<s>x", "<same>" })
        {
            Assert.DoesNotContain(raw, html, StringComparison.Ordinal);
        }

        const string name = "&lt;em&gt;bad&quot;&amp;.png";
        string path = Path.Combine(dir, "in", name);
        string why = path + ": the file is named .png but is not a PNG file: it looks like a text file; XRayFlow reads PNG, JPEG, NumPy .npy and DICOM files";
        Assert.Contains($"<tr><td>{name}</td><td><code>{path}</code></td><td>{why}</td></tr>", html, StringComparison.Ordinal); // failures
        Assert.Contains($"<th>{name}</th><td colspan=\"2\" class=\"failed\">failed: {why}</td></tr>", html, StringComparison.Ordinal); // outputs
        Assert.Contains($"<div class=\"missing\">failed before this value: {why}</div>", html, StringComparison.Ordinal); // cards

        Assert.Contains("<title>&lt;i&gt;n&lt;/i&gt; &amp; co: xrayflow report</title>", html, StringComparison.Ordinal);
        Assert.Matches(" · recipe <a href=\"#recipe\"><code>[^<]*r&lt;b&gt;\\.yaml</code></a> · ", html);
        Assert.Contains("<span id=\"L3\"><a class=\"ln\" href=\"#L3\">3</a># &lt;b&gt;bold&lt;/b&gt; &amp; &#39;q&#39;</span>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><th>param</th><td><code>label</code></td><td><code>&quot;&lt;s&gt;x&lt;/s&gt; &amp; y&quot;</code></td></tr>", html, StringComparison.Ordinal);

        // The recipe's 13 lines, no empty 14th after its final newline.
        Assert.Equal(13, Regex.Matches(html, "<span id=\"L[0-9]+\"").Count);

        // The plan graph: an output node's tip and its path template, cut after 29 characters.
        Assert.Contains("<title>output same: {stem}&amp;&lt;same&gt;.npy</title>", html, StringComparison.Ordinal);
        Assert.Contains("class=\"sub\">{stem}&amp;&lt;same&gt;.npy</text>", html, StringComparison.Ordinal);
        Assert.Contains("class=\"sub\">{stem}_a_rather_long_output_n…</text>", html, StringComparison.Ordinal);

        // The good input's thumbnail: 7 wide, 5 high.
        Assert.Contains("<img class=\"thumb\" width=\"7\" height=\"5\" alt=\"xray, good.png\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void AShardOfOneInputNamesItsPlaceInTheBatch()
    {
        var (dir, first, _) = Batch(5, corrupt: false, "--shard", "2/5");
        Assert.Equal(0, first.Exit);
        string page = File.ReadAllText(Path.Combine(dir, "out", "report.shard-0002-of-0005.html"));
        Assert.Contains("1 of 1 input done</span> · <span class=\"shard\">shard 2 of 5: input 3 of the batch's 5 (<code>xrayflow merge</code> joins the shards)</span>", page, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOutputBesideTheReportWhoseNameStartsLikeItIsNoCollision()
    {
        // Only report.html itself and what is below it collide: a folder "report.html2" is another name.
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "near.yaml"), StatsTo("report.html2/{stem}.json"));
        Kit.Png(Path.Combine(dir, "a.png"), 16, 16);
        var r = Kit.Run("run", Path.Combine(dir, "near.yaml"), "--input", "xray=" + Path.Combine(dir, "a.png"), "--out", Path.Combine(dir, "out"), "--report");
        Assert.True(r.Exit == 0, r.Err);
        Assert.True(File.Exists(Path.Combine(dir, "out", "report.html2", "a.json")));
        Assert.True(File.Exists(Path.Combine(dir, "out", "report.html")));
    }

    [Fact]
    public void AThousandFailuresAreListedAndTheRestLeftToTheManifest()
    {
        // 1,001 failed inputs: the page's table stops at ReportPage.MaxListedItems and says where the others are.
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "s.yaml"), StatsTo("{stem}.json"));
        Directory.CreateDirectory(Path.Combine(dir, "in"));
        for (int i = 0; i <= 1000; i++)
        {
            Kit.Corrupt(Path.Combine(dir, "in", $"bad{i:D4}.png"));
        }

        var r = Kit.Run("run", Path.Combine(dir, "s.yaml"), "--input", $"xray={Path.Combine(dir, "in", "*.png")}", "--out", Path.Combine(dir, "out"), "--report");
        Assert.Equal(1, r.Exit);
        string page = File.ReadAllText(Path.Combine(dir, "out", "report.html"));
        int start = page.IndexOf("<section id=\"failures\">", StringComparison.Ordinal);
        string failures = page[start..page.IndexOf("</section>", start, StringComparison.Ordinal)];
        Assert.Equal(1000, Regex.Count(failures, "<tr><td>bad\\d{4}\\.png</td>"));
        Assert.Contains("<tr><td>bad0999.png</td>", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("<tr><td>bad1000.png</td>", failures, StringComparison.Ordinal);
        Assert.Contains("<p class=\"note\">The first 1000 failed inputs of 1001; manifest.json lists all 1001.</p>", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRunsWarningsAreInThePageEscaped()
    {
        // --resume with a manifest it cannot use: XRF2060 (on stderr) is in the page's warnings too, its path (a folder
        // named with markup) escaped.
        string dir = Kit.TempDir();
        Kit.Write(Path.Combine(dir, "s.yaml"), StatsTo("{stem}.json"));
        Kit.Png(Path.Combine(dir, "a.png"), 16, 16);
        string outDir = Path.Combine(dir, "o<i>x");
        Directory.CreateDirectory(outDir);
        Kit.Write(Path.Combine(outDir, "manifest.json"), "{garbage");
        var r = Kit.Run("run", Path.Combine(dir, "s.yaml"), "--input", "xray=" + Path.Combine(dir, "a.png"), "--out", outDir, "--report", "--resume");
        Assert.True(r.Exit == 0, r.Err);
        Assert.Contains("warning XRF2060", r.Err, StringComparison.Ordinal);
        string page = File.ReadAllText(Path.Combine(outDir, "report.html"));
        string shown = Path.Combine(dir, "o&lt;i&gt;x", "manifest.json");
        Assert.Contains($"<li><code>XRF2060</code> --resume: &#39;{shown}&#39; cannot be read (not valid JSON (line 1, byte 2)): no earlier work is reused, every input runs again</li>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("o<i>x", page, StringComparison.Ordinal);
    }
}

using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using XRayFlow.Cli;
using XRayFlow.Cli.Watch;

namespace XRayFlow.Report.Tests;

/// <summary>`xrayflow watch` without a browser: what the server serves (and refuses), reruns, the compile cache, diagnostics.</summary>
public sealed class WatchServerTests
{
    public const string Recipe = """
        xrayflow: 1
        name: live
        params:
          threshold: 120
        inputs:
          xray: {kind: image, default: img.png}
        steps:
          - id: smooth
            op: gaussian_filter
            sigma: 1
          - id: mask
            op: where
            in: smooth
            cond: "x > threshold"
            then: 255
            else: 0
        outputs:
          mask: "{stem}_mask.png"
        """;

    private static string Project(string recipe = Recipe)
    {
        string dir = Kit.TempDir();
        Kit.Png(Path.Combine(dir, "img.png"), 64, 80);
        Kit.Write(Path.Combine(dir, "r.yaml"), recipe);
        return dir;
    }

    /// <summary>One raw HTTP/1.1 request (no client-side normalisation of the path): status code and body.</summary>
    private static (int Status, string Body) Raw(int port, string target, string? host = null, string method = "GET")
    {
        using var client = new TcpClient("127.0.0.1", port);
        using var stream = client.GetStream();
        var request = Encoding.ASCII.GetBytes($"{method} {target} HTTP/1.1\r\nHost: {host ?? $"127.0.0.1:{port}"}\r\nConnection: close\r\n\r\n");
        stream.Write(request);
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        string text = Encoding.UTF8.GetString(ms.ToArray());
        int status = int.Parse(text.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        int body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        return (status, body < 0 ? string.Empty : text[(body + 4)..]);
    }

    [Fact]
    public void OnlyTheReportItsStateAndTheRunsOwnOutputsAreReachable()
    {
        string dir = Project();
        string secretDir = Kit.TempDir();
        string secret = Kit.Write(Path.Combine(secretDir, "secret.txt"), "TOP-SECRET-TEXT");
        using var watch = new WatchHost(Path.Combine(dir, "r.yaml"), "--port", "0");
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));
        int port = watch.Port;

        Assert.Equal(200, Raw(port, "/").Status);
        Assert.Contains("id=\"xrf-main\"", Raw(port, "/report.html").Body, StringComparison.Ordinal);
        Assert.Equal(200, Raw(port, "/img_mask.png").Status);
        Assert.Equal(200, Raw(port, "/manifest.json").Status);
        Assert.Contains("\"status\":\"ok\"", Raw(port, "/status").Body, StringComparison.Ordinal);

        // Nothing else, however it is spelled.
        string rel = Path.GetRelativePath(watch.Folder, secret).Replace('\\', '/');
        string[] attempts =
        [
            "/" + rel, "/../../../../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2f..%2fetc%2fpasswd",
            "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/.%2e/.%2e/.%2e/etc/passwd", "//etc/passwd", "/etc/passwd", secret, "/" + secret,
            "/%2F" + secret.TrimStart('/').Replace("/", "%2F", StringComparison.Ordinal), "http://127.0.0.1:" + port + secret, "/C:/Windows/win.ini",
            "/..\\..\\..\\etc\\passwd", "/r.yaml", "/img.png", "/" + Path.Combine(dir, "r.yaml"), "/manifest.json%00", "/img_mask.png/../../r.yaml", "/./manifest.json/../../r.yaml",
            "/report.html/../../img.png",
        ];
        foreach (var target in attempts)
        {
            var (status, body) = Raw(port, target);
            Assert.True(status is 400 or 404, $"{target}: {status}");
            Assert.DoesNotContain("TOP-SECRET", body, StringComparison.Ordinal);
            Assert.DoesNotContain("root:", body, StringComparison.Ordinal);
        }

        // A symbolic link planted in the output folder, under a name the run wrote or another, is not followed.
        string output = Path.Combine(watch.Folder, "img_mask.png");
        File.Delete(output);
        File.CreateSymbolicLink(output, secret);
        File.CreateSymbolicLink(Path.Combine(watch.Folder, "leak.txt"), secret);
        Directory.CreateSymbolicLink(Path.Combine(watch.Folder, "up"), secretDir);
        foreach (var target in new[] { "/img_mask.png", "/leak.txt", "/up/secret.txt" })
        {
            var (status, body) = Raw(port, target);
            Assert.Equal(404, status);
            Assert.DoesNotContain("TOP-SECRET", body, StringComparison.Ordinal);
        }

        // Another Host (DNS rebinding) and other methods are refused.
        Assert.Equal(421, Raw(port, "/", host: "evil.example:" + port).Status);
        Assert.Equal(421, Raw(port, "/status", host: "127.0.0.1:1").Status);
        Assert.Equal(405, Raw(port, "/manifest.json", method: "POST").Status);
        Assert.Equal(405, Raw(port, "/", method: "DELETE").Status);

        string folder = watch.Folder;
        Assert.Equal(0, watch.Stop());
        Assert.False(Directory.Exists(folder)); // the temporary output folder goes with the session
    }

    [Fact]
    public void ItListensOnLoopbackOnly()
    {
        string dir = Project();
        using var watch = new WatchHost(Path.Combine(dir, "r.yaml"));
        var others = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a)).ToList();
        foreach (var address in others)
        {
            using var client = new TcpClient();
            Assert.ThrowsAny<SocketException>(() => client.Connect(address, watch.Port));
        }

        Assert.Equal(0, watch.Stop());
    }

    [Fact]
    public void SavingTheRecipeRerunsAndAnInvalidOneShowsItsDiagnosticsAndKeepsTheLastGoodPage()
    {
        string dir = Project();
        string recipe = Path.Combine(dir, "r.yaml");
        using var watch = new WatchHost(recipe);
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));
        var first = Status(watch.Port);
        string page1 = Raw(watch.Port, "/").Body;

        Kit.Write(recipe, Recipe.Replace("threshold: 120", "threshold: 60", StringComparison.Ordinal));
        watch.WaitFor("run 2: 1 of 1 input", TimeSpan.FromMinutes(1));
        var second = Status(watch.Port);
        Assert.True(second.GetProperty("pageVersion").GetInt32() > first.GetProperty("pageVersion").GetInt32());
        string page2 = Raw(watch.Port, "/").Body;
        Assert.NotEqual(Thumbs(page1), Thumbs(page2));

        Kit.Write(recipe, Recipe.Replace("op: where", "op: wher", StringComparison.Ordinal));
        watch.WaitFor("run 3: the recipe has 1 error", TimeSpan.FromMinutes(1));
        var third = Status(watch.Port);
        Assert.Equal("invalid", third.GetProperty("status").GetString());
        Assert.EndsWith("; showing the last good run", third.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(second.GetProperty("pageVersion").GetInt32(), third.GetProperty("pageVersion").GetInt32());
        var d = third.GetProperty("diagnostics")[0];
        Assert.Equal("XRF1003", d.GetProperty("code").GetString());
        Assert.Equal(12, d.GetProperty("line").GetInt32());
        Assert.Equal(9, d.GetProperty("column").GetInt32());
        Assert.Equal("    op: wher", d.GetProperty("source").GetString());
        Assert.EndsWith("r.yaml", d.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Equal(Thumbs(page2), Thumbs(Raw(watch.Port, "/").Body)); // the last good pictures stay

        Assert.Equal(0, watch.Stop());
    }

    [Fact]
    public void AMissingInputFileIsNotCalledAnErrorOfTheRecipe()
    {
        // It said "the recipe has 1 error(s)" for an --input file that is not there, which no save of the recipe fixes.
        string dir = Project();
        using var watch = new WatchHost(Path.Combine(dir, "r.yaml"), "--input", "xray=" + Path.Combine(dir, "nope.png"));
        // And its first run has no good run to show (it said "showing the last good run" with none).
        watch.WaitFor(@"run 1: the run cannot start: the inputs or the command line have 1 error\(s\); no good run to show yet", TimeSpan.FromMinutes(2));
        var state = Status(watch.Port);
        Assert.Equal("invalid", state.GetProperty("status").GetString());
        Assert.Equal("XRF2005", state.GetProperty("diagnostics")[0].GetProperty("code").GetString());
        Assert.Equal(0, watch.Stop());
    }

    [Fact]
    public void SavingAnInputFileRerunsToo()
    {
        string dir = Project();
        using var watch = new WatchHost(Path.Combine(dir, "r.yaml"));
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));
        Kit.Png(Path.Combine(dir, "img.png"), 64, 80, seed: 9);
        watch.WaitFor("run 2: 1 of 1 input", TimeSpan.FromMinutes(1));
        Assert.Equal(0, watch.Stop());
    }

    [Fact]
    public void ExpressionsCompileOncePerDistinctText()
    {
        string dir = Project();
        string recipe = Path.Combine(dir, "r.yaml");
        var host = new CliHost { Out = TextWriter.Null, Err = TextWriter.Null };
        var session = new WatchSession(new WatchOptions { RecipePath = recipe, OutDir = Path.Combine(dir, "out"), Threads = 1 }, host);
        session.RunOnce();
        Assert.Equal("ok", session.State.Status);
        Assert.Equal(1, session.Compiler!.Compiled);

        Kit.Write(recipe, Recipe.Replace("threshold: 120", "threshold: 90", StringComparison.Ordinal).Replace("sigma: 1", "sigma: 2", StringComparison.Ordinal));
        session.RunOnce();
        Assert.Equal("ok", session.State.Status);
        Assert.Equal(1, session.Compiler.Compiled); // a param and a sigma: nothing to compile

        Kit.Write(recipe, Recipe.Replace("then: 255", "then: 200", StringComparison.Ordinal));
        session.RunOnce();
        Assert.Equal(2, session.Compiler.Compiled); // a new text

        Kit.Write(recipe, "\n\n" + Recipe); // the same text two lines lower: no compile
        session.RunOnce();
        Assert.Equal(2, session.Compiler.Compiled);
    }

    [Fact]
    public void ABadPortIsACommandLineErrorAndATakenPortSaysSo()
    {
        string dir = Project();
        var bad = Kit.Run("watch", Path.Combine(dir, "r.yaml"), "--port", "70000");
        Assert.Equal(2, bad.Exit);
        Assert.Contains("error XRF2021: --port", bad.Err, StringComparison.Ordinal);

        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
            var taken = Kit.Run("watch", Path.Combine(dir, "r.yaml"), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(2, taken.Exit);
            Assert.Contains($"error XRF2039: cannot serve the live report on http://127.0.0.1:{port}/", taken.Err, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }

        var missing = Kit.Run("watch", Path.Combine(dir, "nope.yaml"));
        Assert.Equal(2, missing.Exit);
        Assert.Contains("error XRF2010: ", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void TheStatusJsonCarriesTheDiagnosticsAsText()
    {
        var state = new WatchState { Version = 3, Status = "invalid", Diagnostics = [new LiveDiagnostic("r.yaml", 2, 5, "XRF1003", "error", "unknown op '<b>'", "  op: <b>")] };
        var json = JsonDocument.Parse(WatchServer.StatusJson(state)).RootElement;
        Assert.Equal("unknown op '<b>'", json.GetProperty("diagnostics")[0].GetProperty("message").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("milliseconds").ValueKind);
    }

    private static JsonElement Status(int port) => JsonDocument.Parse(Raw(port, "/status").Body).RootElement;

    private static string Thumbs(string html)
        => string.Join("\n", System.Text.RegularExpressions.Regex.Matches(html, "<img class=\"thumb\"[^>]*src=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
}

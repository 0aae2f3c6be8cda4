using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using XRayFlow.Cli;
using XRayFlow.Cli.Watch;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Report.Tests;

/// <summary>
/// What a user of `xrayflow watch` depends on and WatchServerTests left unpinned (found by mutation testing): the
/// headers and content types served, localhost as a Host, the event stream, the state a run publishes, diagnostics'
/// source lines, and the --out folder kept.
/// </summary>
public sealed class WatchBehaviourTests
{
    private static string Project(string recipe = WatchServerTests.Recipe)
    {
        string dir = Kit.TempDir();
        Kit.Png(Path.Combine(dir, "img.png"), 64, 80);
        Kit.Write(Path.Combine(dir, "r.yaml"), recipe);
        return dir;
    }

    private static WatchSession Session(string dir, params KeyValuePair<string, string>[] sets)
        => new(new WatchOptions { RecipePath = Path.Combine(dir, "r.yaml"), Sets = sets, OutDir = Path.Combine(dir, "out"), Threads = 1 }, new CliHost { Out = TextWriter.Null, Err = TextWriter.Null });

    private sealed record Response(int Status, Dictionary<string, string> Headers, string Body);

    /// <summary>One raw HTTP/1.1 GET: status, headers (names lower-cased), body.</summary>
    private static Response Get(int port, string target, string? host = null)
    {
        using var client = new TcpClient("127.0.0.1", port);
        using var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes($"GET {target} HTTP/1.1\r\nHost: {host ?? $"127.0.0.1:{port}"}\r\nConnection: close\r\n\r\n"));
        using var ms = new MemoryStream();
        stream.CopyTo(ms);
        string text = Encoding.UTF8.GetString(ms.ToArray());
        int end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var lines = text[..end].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim(), StringComparer.Ordinal);
        return new Response(int.Parse(lines[0].Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture), headers, text[(end + 4)..]);
    }

    [Fact]
    public void LocalhostIsServedAndEveryResponseCarriesItsTypeAndTheProtectiveHeaders()
    {
        string dir = Project(WatchServerTests.Recipe + "\n  smooth: \"{stem}_smooth.npy\"\n");
        using var watch = new WatchHost(Path.Combine(dir, "r.yaml"));
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));
        int port = watch.Port;

        // http://localhost:PORT/ is the same server (a browser may be pointed at either name).
        var byName = Get(port, "/", host: "localhost:" + port);
        Assert.Equal(200, byName.Status);
        Assert.Contains("id=\"xrf-main\"", byName.Body, StringComparison.Ordinal);

        var page = Get(port, "/");
        Assert.Equal("text/html; charset=utf-8", page.Headers["content-type"]);
        Assert.Contains("default-src 'none'", page.Headers["content-security-policy"], StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", page.Headers["content-security-policy"], StringComparison.Ordinal);
        foreach (var target in new[] { "/", "/status", "/img_mask.png", "/manifest.json", "/img_smooth.npy", "/nope" })
        {
            var h = Get(port, target).Headers;
            Assert.Equal("no-store", h["cache-control"]);
            Assert.Equal("nosniff", h["x-content-type-options"]);
            Assert.Equal("DENY", h["x-frame-options"]);
            Assert.Equal("no-referrer", h["referrer-policy"]);
            Assert.Equal("same-origin", h["cross-origin-resource-policy"]);
            Assert.False(h.ContainsKey("server"), target);
        }

        var png = Get(port, "/img_mask.png");
        Assert.Equal("image/png", png.Headers["content-type"]);
        Assert.False(png.Headers.ContainsKey("content-disposition")); // shown on the page, not downloaded
        Assert.Equal(new FileInfo(Path.Combine(watch.Folder, "img_mask.png")).Length.ToString(System.Globalization.CultureInfo.InvariantCulture), png.Headers["content-length"]);
        Assert.Equal("application/json; charset=utf-8", Get(port, "/manifest.json").Headers["content-type"]);
        Assert.Equal("application/json; charset=utf-8", Get(port, "/status").Headers["content-type"]);
        var npy = Get(port, "/img_smooth.npy");
        Assert.Equal(200, npy.Status);
        Assert.Equal("application/octet-stream", npy.Headers["content-type"]);
        Assert.Equal("attachment", npy.Headers["content-disposition"]);
        Assert.Equal(0, watch.Stop());
    }

    [Fact]
    public void TheEventStreamAnnouncesTheCurrentVersionAndEveryNewOne()
    {
        string dir = Project();
        string recipe = Path.Combine(dir, "r.yaml");
        using var watch = new WatchHost(recipe);
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));
        int version1 = JsonDocument.Parse(Get(watch.Port, "/status").Body).RootElement.GetProperty("version").GetInt32();

        using var client = new TcpClient("127.0.0.1", watch.Port);
        using var stream = client.GetStream();
        stream.Write(Encoding.ASCII.GetBytes($"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{watch.Port}\r\n\r\n"));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        string ReadUntil(string text)
        {
            var sw = Stopwatch.StartNew();
            while (!received.ToString().Contains(text, StringComparison.Ordinal))
            {
                var read = stream.ReadAsync(buffer).AsTask();
                Assert.True(read.Wait(TimeSpan.FromMinutes(1)) && read.Result > 0 && sw.Elapsed < TimeSpan.FromMinutes(1), $"no '{text}' in:\n{received}");
                received.Append(Encoding.UTF8.GetString(buffer, 0, read.Result));
            }

            return received.ToString();
        }

        string head = ReadUntil($"data: {version1}\n\n");
        Assert.Contains("content-type: text/event-stream", head, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("retry: 1000\n\n", head, StringComparison.Ordinal);

        Kit.Write(recipe, WatchServerTests.Recipe.Replace("threshold: 120", "threshold: 60", StringComparison.Ordinal));
        watch.WaitFor("run 2: 1 of 1 input", TimeSpan.FromMinutes(1));
        int version2 = JsonDocument.Parse(Get(watch.Port, "/status").Body).RootElement.GetProperty("version").GetInt32();
        Assert.True(version2 > version1);
        ReadUntil($"data: {version2}\n\n");
        Assert.Equal(0, watch.Stop());
    }

    [Fact]
    public void AGoodRunPublishesItsCountsAndThePageCarriesItsVersion()
    {
        string dir = Project();
        var session = Session(dir);
        var before = session.Changed;
        session.RunOnce();
        Assert.True(before.IsCompleted); // the page's event stream hears of the run
        Assert.False(session.Changed.IsCompleted); // and waits for the next one

        var s = session.State;
        Assert.Equal("ok", s.Status);
        Assert.Equal(1, s.Runs);
        Assert.Equal(s.Version, s.PageVersion); // the state of a good run is the page's own version
        Assert.Equal(2, s.Watched); // the recipe and img.png
        Assert.StartsWith("1 of 1 input(s) done in ", s.Message, StringComparison.Ordinal);
        Assert.True(s.Milliseconds > 0);
        Assert.Contains($"<main id=\"xrf-main\" data-live-version=\"{s.PageVersion}\"", Encoding.UTF8.GetString(s.Page!), StringComparison.Ordinal);
        Assert.Equal(["img_mask.png", "manifest.json"], s.Files.Keys.Order(StringComparer.Ordinal));

        var json = JsonDocument.Parse(WatchServer.StatusJson(s)).RootElement;
        Assert.Equal(s.Version, json.GetProperty("version").GetInt32());
        Assert.Equal(1, json.GetProperty("runs").GetInt32());
        Assert.Equal(2, json.GetProperty("watched").GetInt32());
        Assert.Equal(s.Message, json.GetProperty("message").GetString());
        Assert.Equal(Math.Round(s.Milliseconds!.Value, 1), json.GetProperty("milliseconds").GetDouble());
    }

    [Fact]
    public void AnInputThatFailsIsAFailedRunNotAnOkOne()
    {
        string dir = Project();
        Kit.Corrupt(Path.Combine(dir, "img.png"));
        var session = Session(dir);
        session.RunOnce();
        Assert.Equal("failed", session.State.Status);
        Assert.StartsWith("0 of 1 input(s) done, 1 failed in ", session.State.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheLastSetOfAParamWins()
    {
        // As for run: `--set threshold=x --set threshold=50`, the later value counts.
        string dir = Project();
        var session = Session(dir, new("threshold", "not a number"), new("threshold", "50"));
        session.RunOnce();
        Assert.Equal("ok", session.State.Status);
    }

    [Fact]
    public void AnErrorOnTheRecipesLastLineShowsThatLine()
    {
        string dir = Project(WatchServerTests.Recipe + "\n  nope: \"{stem}_x.png\"");
        var session = Session(dir);
        session.RunOnce();
        Assert.Equal("invalid", session.State.Status);
        var d = Assert.Single(session.State.Diagnostics, d => d.Severity == "error");
        Assert.Equal(File.ReadAllLines(Path.Combine(dir, "r.yaml")).Length, d.Line);
        Assert.Equal("  nope: \"{stem}_x.png\"", d.Source);
    }

    [Fact]
    public void AnExpressionErrorPointsAtTheTextWhereItNowStands()
    {
        // Compilations are memoised, errors not: an error's location moves with the lines above it.
        string bad = WatchServerTests.Recipe.Replace("x > threshold", "x > thresh", StringComparison.Ordinal);
        string dir = Project(bad);
        var session = Session(dir);
        session.RunOnce();
        var first = Assert.Single(session.State.Diagnostics, d => d.Severity == "error");
        Assert.Equal("    cond: \"x > thresh\"", first.Source);

        Kit.Write(Path.Combine(dir, "r.yaml"), "\n\n" + bad);
        session.RunOnce();
        var second = Assert.Single(session.State.Diagnostics, d => d.Severity == "error");
        Assert.Equal(first.Line + 2, second.Line);
        Assert.Equal("    cond: \"x > thresh\"", second.Source);
        Assert.Equal(2, session.Compiler!.Compiled);
    }

    [Fact]
    public void AnOutFolderIsTheUsersAndStaysAfterTheSession()
    {
        string dir = Project();
        string outDir = Path.Combine(dir, "mine");
        using var watch = new WatchHost(Path.Combine(dir, "r.yaml"), "--out", outDir);
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));
        Assert.Equal(outDir, watch.Folder);
        Assert.DoesNotContain("removed on exit", watch.Out, StringComparison.Ordinal);
        Assert.Equal(0, watch.Stop());
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
        Assert.True(File.Exists(Path.Combine(outDir, "img_mask.png")));
    }

    [Fact]
    public void TheTemporaryFolderIsTheUsersAlone()
    {
        // The pictures of a patient's X-ray are not for the machine's other users to read.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string dir = Project();
        using var watch = new WatchHost(Path.Combine(dir, "r.yaml"));
        watch.WaitFor("run 1: 1 of 1 input", TimeSpan.FromMinutes(2));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(watch.Folder));
        Assert.Equal(0, watch.Stop());
    }

    [Fact]
    public async Task ASaveDuringARunIsRunToo()
    {
        // Saved while run 1 runs (a first run on big pictures takes seconds): the session used to take the recipe as
        // seen after that run, whose files watched had changed (the inputs join the recipe), and never ran the save.
        string dir = Project();
        string recipe = Path.Combine(dir, "r.yaml");
        var load = new CliHost { Out = TextWriter.Null, Err = TextWriter.Null }.LoadRecipe;
        int loads = 0;
        var host = new CliHost
        {
            Out = TextWriter.Null,
            Err = TextWriter.Null,
            LoadRecipe = (path, sets) =>
            {
                var loaded = load(path, sets);
                if (Interlocked.Increment(ref loads) == 1)
                {
                    Kit.Write(recipe, WatchServerTests.Recipe.Replace("threshold: 120", "threshold: 7", StringComparison.Ordinal));
                }

                return loaded;
            },
        };
        var session = new WatchSession(new WatchOptions { RecipePath = recipe, OutDir = Path.Combine(dir, "out"), Threads = 1, Poll = TimeSpan.FromMilliseconds(20) }, host);
        using var stop = new CancellationTokenSource();
        var running = session.RunAsync(stop.Token);
        var sw = Stopwatch.StartNew();
        while (session.State.Runs < 2)
        {
            Assert.True(sw.Elapsed < TimeSpan.FromMinutes(1) && !running.IsCompleted, $"the save during run 1 was not run: {session.State}");
            await Task.Delay(20);
        }

        Assert.Equal(2, Volatile.Read(ref loads));
        stop.Cancel();
        await running.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(2, session.State.Runs); // and nothing ran a third time
    }

    [Fact]
    public void AnInvalidRunHasANewVersionForThePageToHear()
    {
        // The page's event stream announces versions: a run that published under the old one left the page showing
        // the last good run as current, no diagnostics.
        string dir = Project();
        var session = Session(dir);
        session.RunOnce();
        int good = session.State.Version;
        Kit.Write(Path.Combine(dir, "r.yaml"), WatchServerTests.Recipe.Replace("op: where", "op: wher", StringComparison.Ordinal));
        session.RunOnce();
        Assert.Equal("invalid", session.State.Status);
        Assert.True(session.State.Version > good, $"version {session.State.Version} after {good}");
        Assert.Equal(good, session.State.PageVersion);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("65536")]
    public void APortOutOfRangeIsACommandLineError(string port)
    {
        string dir = Project();
        var bad = Kit.Run("watch", Path.Combine(dir, "r.yaml"), "--port", port);
        Assert.Equal(2, bad.Exit);
        Assert.Contains("error XRF2021: --port", bad.Err, StringComparison.Ordinal);
    }

    /// <summary>A compiler that compiles nothing: it counts, and fails the texts named "bad".</summary>
    private sealed class FakeCompiler : IExpressionCompiler
    {
        public int Calls { get; private set; }

        public ExpressionCompilation Compile(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams)
        {
            Calls++;
            var errors = steps.SelectMany(s => s.Parts).Where(p => p.Text == "bad").Select(p => DiagnosticCodes.BadCommandLine.Create(p.TextStart, "bad")).ToList();
            return new ExpressionCompilation(new Dictionary<string, IExpressionKernel>(), errors);
        }
    }

    private static ExpressionStep Step(string text, string op = "map", bool select = false, string role = "expr", double? number = null, bool condition = false)
        => new("s", op, ["x"], [new ExpressionPart(role, text, number, new SourceLocation("r.yaml", 3, 5), condition)]) { IsSelect = select };

    [Fact]
    public void TheMemoKeepsOneCompilerAndTheLatestSuccessfulCompilations()
    {
        int created = 0;
        var fake = new FakeCompiler();
        var memo = new CompilerMemo(() =>
        {
            created++;
            return fake;
        });

        for (int i = 0; i <= CompilerMemo.Capacity; i++)
        {
            memo.Compile([Step("x + " + i)], []);
        }

        Assert.Equal(1, created); // one compiler for the session
        Assert.Equal(CompilerMemo.Capacity + 1, memo.Compiled);
        memo.Compile([Step("x + 1")], []); // still kept
        Assert.Equal(CompilerMemo.Capacity + 1, memo.Compiled);
        memo.Compile([Step("x + 0")], []); // the oldest went
        Assert.Equal(CompilerMemo.Capacity + 2, memo.Compiled);

        memo.Compile([Step("bad")], []);
        memo.Compile([Step("bad")], []); // errors are compiled again (their locations move)
        Assert.Equal(CompilerMemo.Capacity + 4, memo.Compiled);
        Assert.Equal(fake.Calls, memo.Compiled);
    }

    [Fact]
    public void TheMemoKeyTellsApartEverythingACompilationDependsOn()
    {
        string Key(IReadOnlyList<ExpressionStep> steps, params string[] ps) => CompilerMemo.Key(steps, ps);
        string plain = Key([Step("x")]);
        Assert.Equal(plain, Key([Step("x") with { Parts = [new ExpressionPart("expr", "x", null, new SourceLocation("r.yaml", 40, 9), false)] }])); // not where it stands
        string[] others =
        [
            Key([Step("x", op: "where")]), Key([Step("x", select: true)]), Key([Step("x", role: "cond")]), Key([Step("x", condition: true)]),
            Key([Step("x")], "x"), Key([Step("x") with { StepId = "t" }]), Key([Step("x") with { Variables = ["y"] }]), Key([Step("x", number: 2)]),
            Key([Step("y")]), Key([Step("x"), Step("x")]),
        ];
        Assert.All(others, k => Assert.NotEqual(plain, k));
        Assert.Equal(others.Length, others.Distinct(StringComparer.Ordinal).Count());
        Assert.NotEqual(Key([Step("x", number: 1)]), Key([Step("x", number: 2)]));
        Assert.NotEqual(Key([], "a;", "b"), Key([], "a", ";b")); // texts cannot run into each other
        Assert.NotEqual(Key([], "a;:b"), Key([], "a", "b"));
    }
}

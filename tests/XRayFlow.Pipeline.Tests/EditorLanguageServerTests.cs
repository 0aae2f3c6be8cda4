using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Tests;

/// <summary>
/// The committed schema in a real editor engine: yaml-language-server (npm; the engine of VS Code's YAML extension and
/// of most LSP editors) driven over stdio with LSP JSON-RPC, as an editor does. It reads shipped recipes through their
/// own `# yaml-language-server: $schema=../schema/xrayflow.schema.json` modeline. `.ci/run` installs the server when
/// missing (`npm install -g yaml-language-server`); every wait has a timeout, and the server is killed at the end.
/// </summary>
public sealed class EditorLanguageServerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private static string Shipped(string name) => Path.Combine(TestPaths.Root, "pipelines", name);

    [Fact]
    public void CompletionAfterOpOffersEveryOpWithItsOwnSummary()
    {
        string path = Shipped("sobel.yaml");
        string text = File.ReadAllText(path).Replace("    op: hypot\n", "    op: \n", StringComparison.Ordinal);
        var (line, character) = Position(text, "    op: \n", 8);
        using var server = YamlLanguageServer.Start();
        server.Open(path, text);
        var items = server.Completion(path, line, character);
        var labels = items.Select(i => i["label"]!.GetValue<string>()).ToList();
        foreach (var op in OpRegistry.All)
        {
            Assert.Contains(op.Name, labels);
        }

        // Each op its own description (the op's summary), not one shared sentence.
        var docs = OpRegistry.All.ToDictionary(o => o.Name, o => Documentation(items.First(i => i["label"]!.GetValue<string>() == o.Name)));
        Assert.StartsWith("Gradient magnitude with Gaussian derivatives", docs["gaussian_gradient_magnitude"], StringComparison.Ordinal);
        Assert.Contains(OpRegistry.Get("sobel").Summary.TrimEnd('.'), docs["sobel"], StringComparison.Ordinal);
        Assert.Equal(OpRegistry.All.Count, docs.Values.Distinct().Count());
    }

    [Fact]
    public void AnEmptyStepOffersOpIdAndInNotEveryOpsParameters()
    {
        string path = Shipped("sobel.yaml");
        string text = File.ReadAllText(path).Replace("outputs:\n", "  - \noutputs:\n", StringComparison.Ordinal);
        var (line, character) = Position(text, "  - \noutputs:", 4);
        using var server = YamlLanguageServer.Start();
        server.Open(path, text);
        var items = server.Completion(path, line, character);
        var labels = items.Select(i => i["label"]!.GetValue<string>()).ToList();
        // The keys offered are exactly those every step may have: op, id, in and the per-step `accept:` of warnings
        // (before: every op's parameters, 42 keys), and the step snippet (op, id, in) fills the three in one go.
        var keys = items.Where(i => i["kind"]?.GetValue<int>() == 10).Select(i => i["label"]!.GetValue<string>()).Order(StringComparer.Ordinal);
        Assert.Equal(["accept", "id", "in", "op"], keys);
        Assert.DoesNotContain("sigma", labels);
        Assert.Contains("op, id, in", labels);
        Assert.True(labels.Count <= 7, "offered: " + string.Join(", ", labels));
    }

    [Fact]
    public void AShippedRecipeHasNoErrorsAndABrokenOneIsMarkedWhereItIsWrong()
    {
        string path = Shipped("sobel.yaml");
        string good = File.ReadAllText(path);
        using var server = YamlLanguageServer.Start();
        server.Open(path, good);
        Assert.DoesNotContain(server.Diagnostics(path, expectSome: false), d => d["severity"]?.GetValue<int>() == 1);

        string broken = good.Replace("    op: hypot\n", "    op: hypott\n", StringComparison.Ordinal).Replace("    axis: 1\n", "    axis: 7\n", StringComparison.Ordinal);
        string brokenPath = Path.Combine(TestPaths.Root, "pipelines", "broken-for-editor-test.yaml"); // never written: the server reads the text we send
        server.Open(brokenPath, broken);
        var diagnostics = server.Diagnostics(brokenPath, expectSome: true);
        int opLine = Position(broken, "    op: hypott", 0).Line;
        int axisLine = Position(broken, "    axis: 7", 0).Line;
        Assert.Contains(diagnostics, d => d["range"]!["start"]!["line"]!.GetValue<int>() == opLine && d["severity"]!.GetValue<int>() == 1);
        Assert.Contains(diagnostics, d => d["range"]!["start"]!["line"]!.GetValue<int>() == axisLine);
    }

    private static string Documentation(JsonNode item) => item["documentation"] switch
    {
        JsonValue v => v.GetValue<string>(),
        JsonObject o => o["value"]!.GetValue<string>(),
        _ => string.Empty,
    };

    /// <summary>0-based line and character of <paramref name="marker"/> plus <paramref name="offset"/>.</summary>
    private static (int Line, int Character) Position(string text, string marker, int offset)
    {
        int at = text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{marker}' not in the text");
        int line = text[..at].Count(c => c == '\n');
        int character = at - (text.LastIndexOf('\n', Math.Max(0, at - 1)) + 1) + offset;
        return (line, character);
    }

    /// <summary>A minimal LSP client of `yaml-language-server --stdio`.</summary>
    private sealed class YamlLanguageServer : IDisposable
    {
        private readonly Process _process;
        private readonly BlockingCollection<JsonNode> _messages = [];
        private readonly Thread _reader;
        private int _nextId;

        private YamlLanguageServer(Process process)
        {
            _process = process;
            _reader = new Thread(Read) { IsBackground = true };
            _reader.Start();
        }

        public static YamlLanguageServer Start()
        {
            string? exe = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, "yaml-language-server")).FirstOrDefault(File.Exists);
            Assert.True(exe is not null, "yaml-language-server is not on PATH: install it with `npm install -g yaml-language-server` (.ci/run does)");
            var psi = new ProcessStartInfo(exe!, "--stdio")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var server = new YamlLanguageServer(Process.Start(psi)!);
            server._process.ErrorDataReceived += (_, _) => { };
            server._process.BeginErrorReadLine();
            server.Request("initialize", new JsonObject
            {
                ["processId"] = Environment.ProcessId,
                ["rootUri"] = new Uri(TestPaths.Root).AbsoluteUri,
                ["capabilities"] = new JsonObject
                {
                    ["textDocument"] = new JsonObject
                    {
                        ["completion"] = new JsonObject { ["completionItem"] = new JsonObject { ["snippetSupport"] = true, ["documentationFormat"] = new JsonArray("markdown", "plaintext") } },
                        ["publishDiagnostics"] = new JsonObject(),
                    },
                    ["workspace"] = new JsonObject { ["configuration"] = true },
                },
            });
            server.Notify("initialized", new JsonObject());
            server.Notify("workspace/didChangeConfiguration", new JsonObject { ["settings"] = new JsonObject { ["yaml"] = Settings() } });
            return server;
        }

        /// <summary>Validation and completion on, no network (the schema store is off; the schema comes from the modeline).</summary>
        private static JsonObject Settings() => new()
        {
            ["validate"] = true,
            ["completion"] = true,
            ["hover"] = true,
            ["schemaStore"] = new JsonObject { ["enable"] = false },
        };

        public void Open(string path, string text) => Notify("textDocument/didOpen", new JsonObject
        {
            ["textDocument"] = new JsonObject { ["uri"] = new Uri(path).AbsoluteUri, ["languageId"] = "yaml", ["version"] = 1, ["text"] = text },
        });

        public List<JsonNode> Completion(string path, int line, int character)
        {
            var result = Request("textDocument/completion", new JsonObject
            {
                ["textDocument"] = new JsonObject { ["uri"] = new Uri(path).AbsoluteUri },
                ["position"] = new JsonObject { ["line"] = line, ["character"] = character },
            });
            var items = result is JsonObject o ? o["items"] : result;
            return items!.AsArray().Select(i => i!).ToList();
        }

        /// <summary>The diagnostics the server publishes for <paramref name="path"/> (with <paramref name="expectSome"/>: the first non-empty set).</summary>
        public List<JsonNode> Diagnostics(string path, bool expectSome)
        {
            string uri = new Uri(path).AbsoluteUri;
            var deadline = DateTime.UtcNow + Wait;
            List<JsonNode>? last = null;
            while (DateTime.UtcNow < deadline)
            {
                var m = Next(deadline - DateTime.UtcNow, msg => msg["method"]?.GetValue<string>() == "textDocument/publishDiagnostics" && msg["params"]!["uri"]!.GetValue<string>() == uri);
                if (m is null)
                {
                    break;
                }

                last = m["params"]!["diagnostics"]!.AsArray().Select(d => d!).ToList();
                if (!expectSome || last.Count > 0)
                {
                    return last;
                }
            }

            Assert.Fail($"no {(expectSome ? "non-empty " : string.Empty)}diagnostics for {uri} within {Wait}");
            return last!;
        }

        private JsonNode? Request(string method, JsonObject parameters)
        {
            int id = Interlocked.Increment(ref _nextId);
            Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
            var reply = Next(Wait, m => m["id"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.GetValue<int>() == id && m["method"] is null);
            Assert.True(reply is not null, $"{method}: no answer within {Wait}");
            Assert.True(reply!["error"] is null, $"{method}: {reply["error"]?.ToJsonString()}");
            return reply["result"];
        }

        private void Notify(string method, JsonObject parameters)
            => Send(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method, ["params"] = parameters });

        /// <summary>The next message matching <paramref name="wanted"/>; server requests met on the way are answered, other messages dropped.</summary>
        private JsonNode? Next(TimeSpan timeout, Func<JsonNode, bool> wanted)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !_messages.TryTake(out var m, left))
                {
                    return null;
                }

                if (m["method"] is not null && m["id"] is not null)
                {
                    Answer(m);
                    continue;
                }

                if (wanted(m))
                {
                    return m;
                }
            }
        }

        private void Answer(JsonNode request)
        {
            JsonNode? result = null;
            if (request["method"]!.GetValue<string>() == "workspace/configuration")
            {
                var answers = new JsonArray();
                foreach (var item in request["params"]?["items"]?.AsArray() ?? [])
                {
                    answers.Add(item?["section"]?.GetValue<string>() == "yaml" ? Settings() : null);
                }

                result = answers;
            }

            Send(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = request["id"]!.DeepClone(), ["result"] = result });
        }

        private void Send(JsonObject message)
        {
            byte[] body = Encoding.UTF8.GetBytes(message.ToJsonString());
            var stdin = _process.StandardInput.BaseStream;
            lock (_process)
            {
                stdin.Write(Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n"));
                stdin.Write(body);
                stdin.Flush();
            }
        }

        private void Read()
        {
            var stdout = _process.StandardOutput.BaseStream;
            try
            {
                while (true)
                {
                    int length = -1;
                    string? header;
                    while ((header = ReadHeaderLine(stdout)) is { Length: > 0 })
                    {
                        if (header.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                        {
                            length = int.Parse(header[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                        }
                    }

                    if (header is null || length < 0)
                    {
                        return;
                    }

                    byte[] body = new byte[length];
                    stdout.ReadExactly(body);
                    if (JsonNode.Parse(body) is { } node)
                    {
                        _messages.Add(node);
                    }
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or EndOfStreamException or InvalidOperationException)
            {
                // the server exited
            }
            finally
            {
                _messages.CompleteAdding();
            }
        }

        /// <summary>One header line without its CR LF; null at the end of the stream.</summary>
        private static string? ReadHeaderLine(Stream s)
        {
            var sb = new StringBuilder();
            while (true)
            {
                int b = s.ReadByte();
                if (b < 0)
                {
                    return null;
                }

                if (b == '\n')
                {
                    return sb.ToString().TrimEnd('\r');
                }

                sb.Append((char)b);
            }
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }

            _process.Dispose();
        }
    }
}

using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using XRayFlow.Cli;

namespace XRayFlow.Report.Tests;

/// <summary>`xrayflow watch` run in-process on a thread, stopped as Ctrl+C stops it; its printed lines readable while it runs.</summary>
internal sealed class WatchHost : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly LockedWriter _out = new();
    private readonly LockedWriter _err = new();
    private readonly Thread _thread;
    private int _exit = int.MinValue;

    public WatchHost(params string[] args)
    {
        _thread = new Thread(() => _exit = CliApp.Run(["watch", .. args], new CliHost { Out = _out, Err = _err, Interactive = false, Cancellation = _stop.Token })) { IsBackground = true, Name = "xrayflow watch" };
        _thread.Start();
        string line = WaitFor(@"open (http://127\.0\.0\.1:\d+/)", TimeSpan.FromMinutes(2));
        Url = Regex.Match(line, @"http://127\.0\.0\.1:(\d+)/").Value;
        Port = int.Parse(Regex.Match(Url, @":(\d+)/").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public string Url { get; }

    public int Port { get; }

    public string Out => _out.Text;

    public string Err => _err.Text;

    /// <summary>The output folder the session printed.</summary>
    public string Folder => Regex.Match(Out, @"outputs and report\.html in (.+?)( \(removed on exit\))?\n").Groups[1].Value;

    /// <summary>Waits until stdout matches <paramref name="pattern"/>; returns the text matched.</summary>
    public string WaitFor(string pattern, TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            var m = Regex.Match(Out, pattern);
            if (m.Success)
            {
                return m.Value;
            }

            if (!_thread.IsAlive)
            {
                throw new InvalidOperationException($"watch ended (exit {_exit}):\n{Out}\n{Err}");
            }

            Thread.Sleep(50);
        }

        throw new TimeoutException($"no '{pattern}' after {limit}:\n{Out}\n{Err}");
    }

    /// <summary>Stops the session (as Ctrl+C) and returns its exit code.</summary>
    public int Stop()
    {
        _stop.Cancel();
        Assert.True(_thread.Join(TimeSpan.FromMinutes(1)), "watch did not stop within a minute of Ctrl+C");
        return _exit;
    }

    public void Dispose()
    {
        if (_thread.IsAlive)
        {
            Stop();
        }

        _stop.Dispose();
    }

    private sealed class LockedWriter : TextWriter
    {
        private readonly StringBuilder _sb = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (_sb)
                {
                    return _sb.ToString();
                }
            }
        }

        public override void Write(char value)
        {
            lock (_sb)
            {
                _sb.Append(value);
            }
        }

        public override void Write(string? value)
        {
            lock (_sb)
            {
                _sb.Append(value);
            }
        }
    }
}

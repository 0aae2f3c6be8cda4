using System.Diagnostics;
using System.Globalization;
using System.Text;
using XRayFlow.Cli.Commands;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Reporting;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Watch;

/// <summary>One diagnostic as the live page shows it: where, what, and the recipe line it points at.</summary>
internal sealed record LiveDiagnostic(string? File, int Line, int Column, string Code, string Severity, string Message, string? Source);

/// <summary>What the live page shows now. Immutable: the session swaps a new one in after each run.</summary>
internal sealed record WatchState
{
    /// <summary>Bumps at every change (what the page's event stream announces).</summary>
    public int Version { get; init; }

    /// <summary>starting, running, ok, failed (the run went, some inputs failed), invalid (nothing ran).</summary>
    public string Status { get; init; } = "starting";

    /// <summary>Runs finished so far (valid or not).</summary>
    public int Runs { get; init; }

    /// <summary>The <see cref="Version"/> at which <see cref="Page"/> was made (0: no good run yet).</summary>
    public int PageVersion { get; init; }

    /// <summary>The last good report (UTF-8), or null before the first good run.</summary>
    public byte[]? Page { get; init; }

    /// <summary>The files the last good run wrote: URL path (relative to --out, '/' separated) -> full path.</summary>
    public IReadOnlyDictionary<string, string> Files { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyList<LiveDiagnostic> Diagnostics { get; init; } = [];

    /// <summary>One line for people: what happened last.</summary>
    public string Message { get; init; } = "starting";

    /// <summary>Wall time of the last run, in milliseconds (load, compile, run, report).</summary>
    public double? Milliseconds { get; init; }

    /// <summary>How many files the session watches (the recipe and the inputs of the last good run).</summary>
    public int Watched { get; init; }
}

/// <summary>The settings of a watch session.</summary>
internal sealed record WatchOptions
{
    public required string RecipePath { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Sets { get; init; } = [];

    /// <summary>The --input values as given (NAME=PATH or a bare PATH).</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    public required string OutDir { get; init; }

    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>How often the recipe and input files are looked at.</summary>
    public TimeSpan Poll { get; init; } = TimeSpan.FromMilliseconds(150);
}

/// <summary>
/// The live preview's engine, free of HTTP: runs the recipe with --report into its output folder whenever the recipe
/// file or one of the input files changes (size or modification time, polled), and publishes a <see cref="WatchState"/>.
/// An invalid recipe (or command line) publishes its diagnostics and keeps the last good report.
/// </summary>
internal sealed class WatchSession
{
    private readonly WatchOptions _options;
    private readonly CliHost _host;
    private readonly CompilerMemo? _compiler;
    private readonly Lock _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WatchState _state = new();
    private IReadOnlyList<string> _watched;

    public WatchSession(WatchOptions options, CliHost host)
    {
        _options = options;
        _host = host;
        _compiler = host.CompilerFactory is { } factory ? new CompilerMemo(factory) : null;
        _watched = [options.RecipePath];
    }

    public WatchState State => Volatile.Read(ref _state);

    /// <summary>Completes at the next publish (take it before reading <see cref="State"/>, so no change is missed).</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>The session's expression compiler (tests count its compilations).</summary>
    internal CompilerMemo? Compiler => _compiler;

    /// <summary>Runs now, then again after every change of a watched file, until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellation)
    {
        var watched = _watched;
        var seen = Fingerprint(watched);
        RunOnce(cancellation);
        seen = After(watched, seen);
        while (!cancellation.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Poll, cancellation).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var now = Fingerprint(_watched);
            if (now == seen)
            {
                continue;
            }

            // Let a save finish (editors truncate, then write): wait until two looks agree.
            for (int i = 0; i < 10 && !cancellation.IsCancellationRequested; i++)
            {
                await Task.Delay(40, CancellationToken.None).ConfigureAwait(false);
                var again = Fingerprint(_watched);
                if (again == now)
                {
                    break;
                }

                now = again;
            }

            watched = _watched;
            RunOnce(cancellation);
            seen = After(watched, now);
        }
    }

    /// <summary>
    /// What the next look compares with: each file watched before the run as it was seen before the run (so a save
    /// during the run runs again), a newly watched file as it is now. It took every file as it was after the run when
    /// the run changed the files watched, as the first run always does: a save of the recipe during the first run
    /// was never run.
    /// </summary>
    private string After(IReadOnlyList<string> before, string seenBefore)
    {
        string[] parts = seenBefore.Split('|');
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < before.Count; i++)
        {
            seen.TryAdd(before[i], parts[i] + "|");
        }

        var sb = new StringBuilder();
        foreach (var p in _watched)
        {
            sb.Append(seen.TryGetValue(p, out var part) ? part : Fingerprint([p]));
        }

        return sb.ToString();
    }

    /// <summary>Loads and runs the recipe once and publishes the result.</summary>
    public void RunOnce(CancellationToken cancellation = default)
    {
        var sw = Stopwatch.StartNew();
        Publish(s => s with { Status = "running", Message = "running" });
        var sets = _options.Sets.GroupBy(p => p.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);
        IReadOnlyList<Diagnostic> loaded;
        Pipeline.Binding.BoundRecipe? recipe;
        try
        {
            (recipe, loaded) = _host.LoadRecipe(_options.RecipePath, sets);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (recipe, loaded) = (null, [DiagnosticCodes.RecipeUnreadable.Create(null, e.Message)]);
        }

        if (recipe is null || loaded.Any(d => d.IsError))
        {
            Invalid(loaded, sw);
            return;
        }

        var bag = new DiagnosticBag();
        var inputs = CommandHelpers.Inputs(recipe, _options.Inputs, bag);
        if (bag.HasErrors)
        {
            Invalid([.. loaded, .. bag.ToSortedList()], sw);
            return;
        }

        var request = new RunRequest
        {
            Recipe = recipe,
            Inputs = inputs,
            Set = _options.Sets,
            OutDir = _options.OutDir,
            Threads = _options.Threads,
            CompilerFactory = _compiler is null ? null : () => _compiler,
            Cancellation = cancellation,
            Report = new ReportOptions { RecipeDiagnostics = loaded, LiveScript = LiveScript.Text },
        };

        RunResult result;
        try
        {
            result = RecipeRunner.Run(request);
        }
        catch (OperationCanceledException)
        {
            Publish(s => s with { Status = "stopped", Message = "stopped" });
            return;
        }

        if (result.ExitCode == ExitCodes.Invalid || result.Manifest is null)
        {
            Invalid([.. loaded, .. result.Diagnostics], sw);
            return;
        }

        string outRoot = Path.GetFullPath(_options.OutDir);
        byte[]? page = null;
        try
        {
            page = UntrustedFile.ReadAllBytes(Path.Combine(outRoot, ReportOptions.FileName), 1L << 30, followLinks: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // XRF2031 is among the diagnostics: shown below, the last good page stays.
        }

        var files = new Dictionary<string, string>(StringComparer.Ordinal) { [Manifest.FileName] = Path.Combine(outRoot, Manifest.FileName) };
        foreach (var o in result.Manifest.Items.SelectMany(i => i.Outputs))
        {
            files[o.Path] = Path.Combine(outRoot, o.Path);
        }

        _watched = [_options.RecipePath, .. result.Manifest.Items.SelectMany(i => i.Inputs.Select(f => f.Path)).Distinct(StringComparer.Ordinal)];
        var items = result.Manifest.Items;
        int failed = items.Count(i => !i.Succeeded);
        string message = string.Create(CultureInfo.InvariantCulture, $"{items.Count - failed} of {items.Count} input(s) done{(failed > 0 ? $", {failed} failed" : string.Empty)} in {sw.Elapsed.TotalSeconds:0.00} s");
        var diagnostics = Live([.. loaded, .. result.Diagnostics]);
        Publish(s =>
        {
            int version = s.Version + 1;
            return s with
            {
                Version = version,
                Status = failed > 0 ? "failed" : "ok",
                Runs = s.Runs + 1,
                Page = page is null ? s.Page : WithVersion(page, version),
                PageVersion = page is null ? s.PageVersion : version,
                Files = page is null ? s.Files : files,
                Diagnostics = diagnostics,
                Message = message,
                Milliseconds = sw.Elapsed.TotalMilliseconds,
                Watched = _watched.Count,
            };
        }, bump: false);
        _host.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"xrayflow: run {State.Runs}: {message}"));
        foreach (var f in result.Failures)
        {
            _host.Err.WriteLine($"  {f.Name}: {f.Error}");
        }
    }

    private void Invalid(IReadOnlyList<Diagnostic> diagnostics, Stopwatch sw)
    {
        var live = Live(diagnostics);
        // Errors of the recipe text (XRF1xxx, expressions XRF3xxx) are fixed by saving it; the others (XRF2xxx: an input
        // file missing, --out) by the command line or the files: say which, so the user knows where to look.
        int errors = diagnostics.Count(d => d.IsError);
        int ofRecipe = diagnostics.Count(d => d.IsError && !d.Code.StartsWith("XRF2", StringComparison.Ordinal));
        string what = ofRecipe == errors ? "the recipe has"
            : ofRecipe == 0 ? "the run cannot start: the inputs or the command line have"
            : "the recipe, its inputs or the command line have";
        // "showing the last good run" only when there is one: a session whose first run is invalid has none yet.
        string shown = State.PageVersion > 0 ? "showing the last good run" : "no good run to show yet";
        string message = string.Create(CultureInfo.InvariantCulture, $"{what} {errors} error(s); {shown}");
        Publish(s => s with { Status = "invalid", Runs = s.Runs + 1, Diagnostics = live, Message = message, Milliseconds = sw.Elapsed.TotalMilliseconds, Watched = _watched.Count });
        _host.Out.WriteLine($"xrayflow: run {State.Runs}: {message}:");
        _host.Report(diagnostics);
    }

    private void Publish(Func<WatchState, WatchState> change, bool bump = true)
    {
        TaskCompletionSource done;
        lock (_gate)
        {
            var next = change(_state);
            if (bump)
            {
                next = next with { Version = _state.Version + 1 };
            }

            Volatile.Write(ref _state, next);
            done = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        done.TrySetResult();
    }

    /// <summary>The report with the version it shows, so the page's script knows when to fetch a newer one.</summary>
    private static byte[] WithVersion(byte[] page, int version)
    {
        string html = Encoding.UTF8.GetString(page);
        const string Marker = "<main id=\"xrf-main\"";
        int at = html.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? page : Encoding.UTF8.GetBytes(html.Insert(at + Marker.Length, string.Create(CultureInfo.InvariantCulture, $" data-live-version=\"{version}\"")));
    }

    /// <summary>Diagnostics with the recipe line each one points at (read from the recipe file, nothing else).</summary>
    private IReadOnlyList<LiveDiagnostic> Live(IReadOnlyList<Diagnostic> diagnostics)
    {
        string recipeFull = Path.GetFullPath(_options.RecipePath);
        string[]? lines = null;
        var list = new List<LiveDiagnostic>();
        foreach (var d in diagnostics)
        {
            string? source = null;
            if (d.Location is { } loc && loc.Line > 0 && SamePath(loc.File, recipeFull))
            {
                lines ??= (RunReport.RecipeText(recipeFull) ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
                source = loc.Line <= lines.Length ? lines[loc.Line - 1] : null;
            }

            list.Add(new LiveDiagnostic(d.Location?.File, d.Location?.Line ?? 0, d.Location?.Column ?? 0, d.Code, d.Severity.ToString().ToLowerInvariant(), d.Message, source));
        }

        return list;
    }

    private static bool SamePath(string file, string full)
    {
        try
        {
            return Path.GetFullPath(file) == full;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
    }

    /// <summary>Size and modification time of each file (or that it is missing), as one comparable text.</summary>
    private static string Fingerprint(IReadOnlyList<string> paths)
    {
        var sb = new StringBuilder();
        foreach (var p in paths)
        {
            try
            {
                var info = new FileInfo(p);
                sb.Append(info.Exists ? string.Create(CultureInfo.InvariantCulture, $"{info.Length}:{info.LastWriteTimeUtc.Ticks}") : "-").Append('|');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                sb.Append("?|");
            }
        }

        return sb.ToString();
    }
}

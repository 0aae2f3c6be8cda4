using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using XRayFlow.Core.IO;
using XRayFlow.Pipeline.Reporting;

namespace XRayFlow.Cli.Watch;

/// <summary>
/// The live preview's web server: Kestrel from the ASP.NET Core shared framework, minimal APIs, bound to 127.0.0.1
/// only. It serves exactly: the report (<c>/</c>, <c>/report.html</c>), its state (<c>/status</c>), change events
/// (<c>/events</c>, server-sent events), and the files the last good run wrote, by the paths manifest.json records
/// (an allow-list: any other path is 404, whatever its spelling; a file that became a symbolic link is not
/// followed). Requests whose Host is not this loopback address are refused (a web page elsewhere cannot read the
/// report through DNS rebinding). Built with no configuration sources: no appsettings.json or ASPNETCORE_*
/// variable can change where it listens.
/// </summary>
internal static class WatchServer
{
    /// <summary>The largest output file served (what a run writes is bounded by its inputs; this bounds a read).</summary>
    public const long MaxFileBytes = 1L << 30;

    public static async Task<(WebApplication App, int Port)> StartAsync(WatchSession session, string title, int port, CancellationToken stopping)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.Listen(IPAddress.Loopback, port);
            o.AddServerHeader = false;
            o.Limits.MaxConcurrentConnections = 64;
            o.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        int actual = port;

        app.Use(async (ctx, next) =>
        {
            string host = ctx.Request.Host.Value ?? string.Empty;
            string expected = string.Create(CultureInfo.InvariantCulture, $":{actual}");
            if (!(host == "127.0.0.1" + expected || host == "localhost" + expected))
            {
                ctx.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
                return;
            }

            var h = ctx.Response.Headers;
            h.CacheControl = "no-store";
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Resource-Policy"] = "same-origin";
            await next(ctx);
        });

        string waiting = RunReport.WaitingPage(title, new ReportOptions { LiveScript = LiveScript.Text });
        Task Page(HttpContext ctx)
        {
            var page = session.State.Page ?? Encoding.UTF8.GetBytes(waiting);
            ctx.Response.ContentType = "text/html; charset=utf-8";
            ctx.Response.Headers.ContentSecurityPolicy = "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
            ctx.Response.ContentLength = page.Length;
            return ctx.Response.Body.WriteAsync(page).AsTask();
        }

        app.MapGet("/", Page);
        app.MapGet("/report.html", Page);
        app.MapGet("/status", ctx =>
        {
            var json = StatusJson(session.State);
            ctx.Response.ContentType = "application/json; charset=utf-8";
            ctx.Response.ContentLength = json.Length;
            return ctx.Response.Body.WriteAsync(json).AsTask();
        });
        app.MapGet("/events", ctx => Events(ctx, session, stopping));
        app.MapGet("/{**path}", ctx => File(ctx, session.State));

        await app.StartAsync(stopping).ConfigureAwait(false);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var a in addresses)
        {
            if (Uri.TryCreate(a, UriKind.Absolute, out var uri))
            {
                actual = uri.Port;
                break;
            }
        }

        return (app, actual);
    }

    /// <summary>A file of the last good run, when its path (as decoded from the URL) is one the manifest records; else 404.</summary>
    private static async Task File(HttpContext ctx, WatchState state)
    {
        string rel = (ctx.Request.Path.Value ?? string.Empty).TrimStart('/');
        if (!state.Files.TryGetValue(rel, out var full))
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        byte[] bytes;
        try
        {
            bytes = UntrustedFile.ReadAllBytes(full, MaxFileBytes, followLinks: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ctx.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        ctx.Response.ContentType = Path.GetExtension(rel).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".json" => "application/json; charset=utf-8",
            _ => "application/octet-stream",
        };
        if (ctx.Response.ContentType == "application/octet-stream")
        {
            ctx.Response.Headers.ContentDisposition = "attachment";
        }

        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes).ConfigureAwait(false);
    }

    /// <summary>Server-sent events: one `data: VERSION` per change of the session's state, a comment every 15 s to keep the line open.</summary>
    private static async Task Events(HttpContext ctx, WatchSession session, CancellationToken stopping)
    {
        ctx.Response.ContentType = "text/event-stream";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
        var token = cts.Token;
        int sent = -1;
        try
        {
            await ctx.Response.WriteAsync("retry: 1000\n\n", token).ConfigureAwait(false);
            while (!token.IsCancellationRequested)
            {
                var changed = session.Changed;
                var state = session.State;
                if (state.Version != sent)
                {
                    await ctx.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"data: {state.Version}\n\n"), token).ConfigureAwait(false);
                    await ctx.Response.Body.FlushAsync(token).ConfigureAwait(false);
                    sent = state.Version;
                }

                try
                {
                    await changed.WaitAsync(TimeSpan.FromSeconds(15), token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    await ctx.Response.WriteAsync(": still watching\n\n", token).ConfigureAwait(false);
                    await ctx.Response.Body.FlushAsync(token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The page went away, or the session stops.
        }
    }

    internal static byte[] StatusJson(WatchState s)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteNumber("version", s.Version);
            w.WriteString("status", s.Status);
            w.WriteNumber("runs", s.Runs);
            w.WriteNumber("pageVersion", s.PageVersion);
            w.WriteString("message", s.Message);
            if (s.Milliseconds is { } ms2)
            {
                w.WriteNumber("milliseconds", Math.Round(ms2, 1));
            }
            else
            {
                w.WriteNull("milliseconds");
            }

            w.WriteNumber("watched", s.Watched);
            w.WriteStartArray("diagnostics");
            foreach (var d in s.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("file", d.File);
                w.WriteNumber("line", d.Line);
                w.WriteNumber("column", d.Column);
                w.WriteString("code", d.Code);
                w.WriteString("severity", d.Severity);
                w.WriteString("message", d.Message);
                w.WriteString("source", d.Source);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return ms.ToArray();
    }
}

namespace XRayFlow.Pipeline.Reporting;

/// <summary>The report's one style sheet (inline; system fonts only, so the page needs no network).</summary>
internal static class ReportStyle
{
    public const string Css = """
        :root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg2: #f6f8fa; --accent: #0b62c4; --bad: #c92a2a; --good: #2b8a3e; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: #fff; }
        main { padding: 0 24px 48px; max-width: 1500px; margin: 0 auto; transition: filter .2s, opacity .2s; }
        body.stale main { filter: grayscale(1); opacity: .45; }
        header { padding: 16px 0 4px; border-bottom: 1px solid var(--line); }
        h1 { margin: 0 0 4px; font-size: 24px; }
        h2 { margin: 32px 0 8px; font-size: 19px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
        h3 { margin: 22px 0 2px; font-size: 15px; font-weight: 600; }
        a { color: var(--accent); text-decoration: none; }
        a:hover { text-decoration: underline; }
        code, pre { font: 12.5px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        .lede { margin: 0 0 6px; color: var(--muted); max-width: 70em; }
        .facts { margin: 4px 0; }
        nav { display: flex; flex-wrap: wrap; gap: 14px; margin: 8px 0; }
        .good { color: var(--good); } .bad, .warn { color: var(--bad); }
        .muted { color: var(--muted); } .small { font-size: 11.5px; }
        .note { color: var(--muted); font-size: 13px; max-width: 75em; }
        .meta { margin: 0 0 6px; color: var(--muted); font-size: 13px; }
        .params { font-weight: 400; color: var(--muted); font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
        .graph { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
        svg.plan-graph { display: block; font: 12px system-ui, "DejaVu Sans", sans-serif; }
        svg.plan-graph .band rect.even { fill: #fafbfc; } svg.plan-graph .band rect.odd { fill: #f1f3f5; }
        svg.plan-graph .band-label { fill: var(--muted); font-size: 11.5px; }
        svg.plan-graph .node rect { fill: #fff; stroke: #495057; stroke-width: 1.2; }
        svg.plan-graph .node.input rect { fill: #e7f5ff; stroke: #1c7ed6; }
        svg.plan-graph .node.output rect { fill: #fff9db; stroke: #e67700; }
        svg.plan-graph .node.merged rect { stroke-dasharray: 5 3; }
        svg.plan-graph .node.skipped rect { stroke-dasharray: 2 3; fill: #f8f9fa; stroke: #adb5bd; }
        svg.plan-graph .node.skipped text { fill: #adb5bd; }
        svg.plan-graph a:hover rect { fill: #e9ecef; }
        svg.plan-graph .label { text-anchor: middle; font-weight: 600; fill: var(--fg); }
        svg.plan-graph .sub { text-anchor: middle; fill: var(--muted); font-size: 11px; }
        svg.plan-graph .tag { text-anchor: end; font-size: 10px; font-weight: 600; }
        svg.plan-graph .edge { fill: none; stroke: #868e96; stroke-width: 1.3; }
        svg.plan-graph .edge.fused { stroke-width: 3.5; }
        svg.plan-graph .edge.same { stroke-dasharray: 4 3; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; }
        th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid var(--line); }
        thead th { background: var(--bg2); font-weight: 600; }
        table.grid td, table.grid th { vertical-align: middle; }
        table.grid td.failed, tr.failed td { color: var(--bad); }
        .figure { display: grid; gap: 4px; }
        figure.panel { margin: 0; text-align: center; }
        figure.panel figcaption { font-size: 10.5px; color: var(--muted); max-width: 110px; margin: 0 auto; }
        img.panel { width: 96px; height: auto; display: block; margin: 0 auto; }
        img.thumb { width: 192px; height: auto; display: block; image-rendering: auto; background: #000; }
        section.value { margin-bottom: 6px; }
        .cards { display: flex; flex-wrap: wrap; gap: 10px; }
        figure.card { margin: 0; width: 206px; padding: 6px; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
        figure.card figcaption { margin-top: 4px; font-size: 12px; }
        figure.card .item { font-weight: 600; overflow-wrap: anywhere; }
        .stats b { font-weight: 600; }
        .missing { color: var(--muted); font-size: 12px; min-height: 60px; }
        .scalar { font-size: 26px; font-weight: 600; padding: 12px 0; }
        svg.hist { display: block; width: 192px; height: 40px; margin-top: 4px; background: var(--bg2); }
        svg.hist path { fill: #495057; }
        .axis { display: flex; justify-content: space-between; width: 192px; font-size: 10.5px; color: var(--muted); }
        table.kv { font-size: 12px; } table.kv th, table.kv td { padding: 1px 6px 1px 0; border: none; }
        table.timing td.bar { width: 240px; } td.bar span { display: block; height: 10px; background: #74c0fc; border-radius: 2px; margin-top: 4px; }
        table.hashes code { font-size: 11.5px; overflow-wrap: anywhere; }
        pre.recipe { background: var(--bg2); border: 1px solid var(--line); border-radius: 6px; padding: 8px 0; overflow-x: auto; }
        pre.recipe span { display: block; padding-right: 12px; white-space: pre; }
        pre.recipe span:target { background: #fff3bf; }
        pre.recipe span.step-line { background: #f1f3f5; }
        pre.recipe .ln { display: inline-block; width: 3.5em; padding-right: .8em; text-align: right; color: #adb5bd; user-select: none; }
        ul.diagnostics { padding-left: 18px; }
        #xrf-live { position: sticky; top: 0; z-index: 10; margin: 0; padding: 8px 24px; font-size: 13px; background: #e7f5ff; border-bottom: 1px solid #a5d8ff; }
        #xrf-live.invalid { background: #fff5f5; border-bottom-color: #ffa8a8; color: var(--bad); }
        #xrf-live pre { margin: 6px 0; padding: 6px 8px; background: #fff; border: 1px solid #ffc9c9; border-radius: 4px; color: var(--fg); overflow-x: auto; }
        #xrf-live .loc { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
        """;
}
